/* The importer against a real SQLite store: counts per outcome, a second
 * import that adds nothing, a growing log with a partial last line, a
 * rotated and gzipped log after its live version, malformed lines reported
 * with their line numbers, and ICAP + log rows reconciled to one count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/audit.h"
#include "import/import.h"
#include "core/tally.h"
#include "tap.h"

static char tmpdir[256];
static struct ea_matcher *matcher;

/* Malformed lines reported, as "FILE:LINE" joined by spaces. */
static char reported[4096];

static void report(void *ctx, const char *path, uint64_t line, const char *why)
{
	size_t n = strlen(reported);
	const char *base = strrchr(path, '/');

	(void)ctx;
	(void)why;
	snprintf(reported + n, sizeof(reported) - n, "%s%s:%llu", n ? " " : "",
		 base ? base + 1 : path, (unsigned long long)line);
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_file(const char *name, const char *mode, const char *text, size_t len)
{
	char p[512];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, mode);
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		diag("cannot write %s", p);
}

static void put(const char *name, const char *mode, const char *text)
{
	write_file(name, mode, text, strlen(text));
}

/* A native-format line for host:port with a result code/status. */
static void logline(char *buf, size_t len, int i, const char *code, const char *method,
		    const char *url, const char *hier)
{
	snprintf(buf, len, "%d.%03d      3 127.0.0.1 %s 245 %s %s - %s text/plain\n",
		 1700000000 + i, i % 1000, code, method, url, hier);
}

struct sums {
	uint64_t log[4], icap[4];
	uint64_t rows;
};

static int sum_row(const struct ea_hit_row *r, void *ctx)
{
	struct sums *s = ctx;

	if (r->source == EA_SOURCE_LOG)
		s->log[r->outcome] += r->count;
	else
		s->icap[r->outcome] += r->count;
	s->rows++;
	return 0;
}

static struct sums sums_of(struct ea_store *s)
{
	struct sums sm;

	memset(&sm, 0, sizeof(sm));
	if (ea_store_each_hit(s, 0, 0, sum_row, &sm) != 0)
		diag("each_hit: %s", ea_store_errmsg(s));
	return sm;
}

static int import(struct ea_store *s, const char *name, size_t chunk, struct ea_import_stats *st)
{
	struct ea_import_options opt = { .format = EA_LOG_SQUID, .matcher = matcher,
					 .chunk_lines = chunk, .report = report };
	struct ea_import *imp;
	char p[512];
	int rc;

	memset(st, 0, sizeof(*st));
	path_of(p, sizeof(p), name);
	if (ea_import_new(s, &opt, &imp) < 0) {
		diag("import %s: %s", name, ea_import_errmsg(imp));
		return -1;
	}
	rc = ea_import_file(imp, p, st);
	if (rc < 0)
		diag("import %s: %s", name, ea_import_errmsg(imp));
	ea_import_free(imp);
	return rc;
}

/* The first access.log: 3 allowed, 2 denied, 2 failed vendor requests, 2
 * other hosts, one error: line, and 2 malformed lines (lines 5 and 9). */
static void first_log(void)
{
	char l[512], all[8192] = "";
	int i = 0;

#define ADD(code, method, url, hier) do { logline(l, sizeof(l), i++, code, method, url, hier); strcat(all, l); } while (0)
	ADD("TCP_MISS/200", "GET", "http://vendor.test/a", "HIER_DIRECT/127.0.0.1");
	ADD("TCP_TUNNEL/200", "CONNECT", "tls.vendor.test:443", "HIER_DIRECT/127.0.0.1");
	ADD("TCP_DENIED/403", "GET", "http://blocked.vendor.test/", "HIER_NONE/-");
	ADD("TCP_MISS/200", "GET", "http://www.not-a-vendor.test/", "HIER_DIRECT/127.0.0.1");
	strcat(all, "\x01\x02garbage\xff\xfe\n");
	i++;
	ADD("TCP_DENIED/403", "CONNECT", "blocked.vendor.test:443", "HIER_NONE/-");
	ADD("TCP_MISS/503", "GET", "http://refused.vendor.test:9/", "HIER_DIRECT/127.0.0.1");
	ADD("TCP_MISS/502", "GET", "http://does-not-resolve.vendor.test/", "HIER_NONE/-");
	strcat(all, "1700000100.000      3 127.0.0.1 TCP_MI\n");
	i++;
	ADD("TCP_MISS/200", "GET", "http://other.test/", "HIER_DIRECT/127.0.0.1");
	ADD("NONE_NONE/000", "-", "error:transaction-end-before-headers", "HIER_NONE/-");
	ADD("TCP_MISS/200", "GET", "http://vendor.test/b", "HIER_DIRECT/127.0.0.1");
#undef ADD
	put("access.log", "w", all);
}

static void basic(struct ea_store *s)
{
	struct ea_import_stats st;
	struct sums sm;

	first_log();
	reported[0] = '\0';
	ok(import(s, "access.log", 0, &st) == 0, "a log imports");
	is_int(st.lines, 12, "every complete line is read");
	is_int(st.vendor, 7, "the vendor requests are found");
	is_int(st.other, 3, "other hosts and error: lines are counted as other");
	is_int(st.malformed, 2, "malformed lines are counted");
	is_str(reported, "access.log:5 access.log:9", "malformed lines are reported with file and line number");
	sm = sums_of(s);
	ok(sm.log[EA_OUTCOME_ALLOWED] == 3 && sm.log[EA_OUTCOME_DENIED] == 2 &&
	   sm.log[EA_OUTCOME_FAILED] == 2 && sm.log[EA_OUTCOME_UNKNOWN] == 0,
	   "the store has 3 allowed, 2 denied, 2 failed, from the log");
	ok(sm.icap[0] + sm.icap[1] + sm.icap[2] + sm.icap[3] == 0, "only source=log rows are written");
	{
		uint64_t v = 0;

		ok(ea_store_counter(s, EA_COUNTER_LOG_MALFORMED, &v) == 0 && v == 2,
		   "the malformed count is stored as the log_malformed counter");
	}

	reported[0] = '\0';
	ok(import(s, "access.log", 0, &st) == 0, "the same log imports a second time");
	ok(st.lines == 0 && st.skipped == 12 && st.vendor == 0 && reported[0] == '\0',
	   "the second import reads nothing new and skips the 12 lines");
	sm = sums_of(s);
	ok(sm.log[EA_OUTCOME_ALLOWED] == 3 && sm.log[EA_OUTCOME_DENIED] == 2 && sm.log[EA_OUTCOME_FAILED] == 2,
	   "nothing is counted twice");
}

static void growing_and_rotated(struct ea_store *s)
{
	struct ea_import_stats st;
	struct sums sm;
	char l[512], p[512];
	gzFile gz;
	FILE *f;

	/* Squid appends one line and is half-way through the next. */
	logline(l, sizeof(l), 20, "TCP_MISS/200", "GET", "http://vendor.test/c", "HIER_DIRECT/127.0.0.1");
	put("access.log", "a", l);
	put("access.log", "a", "1700000021.000      3 127.0.0.1 TCP_DENIED/403 245 GET http://vendor.te");
	reported[0] = '\0';
	ok(import(s, "access.log", 0, &st) == 0 && st.lines == 1 && st.vendor == 1 && st.partial,
	   "a growing log: the new line is imported and the partial last line left");
	ok(reported[0] == '\0', "a partial last line is not reported as malformed");
	put("access.log", "a", "st/ - HIER_NONE/- text/html\n");
	ok(import(s, "access.log", 0, &st) == 0 && st.lines == 1 && st.vendor == 1 && !st.partial && st.skipped == 13,
	   "once finished, the formerly partial line is imported, once");
	logline(l, sizeof(l), 22, "TCP_MISS/200", "GET", "http://vendor.test/d", "HIER_DIRECT/127.0.0.1");
	put("access.log", "a", l); /* written after the last import, before rotation */

	/* Rotation: access.log becomes access.log.1.gz; a new access.log starts. */
	{
		char *buf = NULL;
		size_t cap = 0, n;

		path_of(p, sizeof(p), "access.log");
		f = fopen(p, "r");
		if (f) {
			buf = malloc(1 << 20);
			cap = buf ? fread(buf, 1, 1 << 20, f) : 0;
			fclose(f);
		}
		unlink(p);
		path_of(p, sizeof(p), "access.log.1.gz");
		gz = gzopen(p, "wb");
		n = gz && buf ? (size_t)gzwrite(gz, buf, (unsigned)cap) : 0;
		ok(gz && n == cap && gzclose(gz) == Z_OK, "the log is rotated and gzipped (%zu bytes)", cap);
		free(buf);
	}
	logline(l, sizeof(l), 30, "TCP_MISS/200", "GET", "http://vendor.test/new", "HIER_DIRECT/127.0.0.1");
	put("access.log", "w", l);
	logline(l, sizeof(l), 31, "TCP_DENIED/403", "GET", "http://blocked.vendor.test/new", "HIER_NONE/-");
	put("access.log", "a", l);

	ok(import(s, "access.log", 0, &st) == 0 && st.lines == 2 && st.skipped == 0,
	   "the new live log is a new file: its 2 lines are imported");
	ok(import(s, "access.log.1.gz", 0, &st) == 0 && st.lines == 1 && st.skipped == 14 && st.vendor == 1,
	   "the rotated .gz after its live version: only the line written since the last import");
	ok(import(s, "access.log.1.gz", 0, &st) == 0 && st.lines == 0 && st.skipped == 15,
	   "the rotated .gz a second time: nothing");
	ok(import(s, "access.log", 0, &st) == 0 && st.lines == 0,
	   "the live log a second time: nothing");
	sm = sums_of(s);
	is_int(sm.log[EA_OUTCOME_ALLOWED], 3 + 1 + 1 + 1, "allowed: 3 first, 1 grown, 1 before rotation, 1 after");
	is_int(sm.log[EA_OUTCOME_DENIED], 2 + 1 + 1, "denied: 2 first, the finished partial line, 1 after rotation");
}

static void chunks_and_long_lines(struct ea_store *s)
{
	struct ea_import_stats st;
	struct sums before, after;
	char l[512];
	char *big;
	size_t n = EA_LOG_LINE_MAX + 5000;

	put("chunked.log", "w", "");
	for (int i = 0; i < 25; i++) {
		logline(l, sizeof(l), 100 + i, "TCP_MISS/200", "GET", "http://vendor.test/chunk", "HIER_DIRECT/127.0.0.1");
		put("chunked.log", "a", l);
		if (i == 10) {
			big = malloc(n + 1);
			if (big) {
				memset(big, 'x', n);
				big[n] = '\n';
				write_file("chunked.log", "a", big, n + 1);
				free(big);
			}
		}
	}
	before = sums_of(s);
	reported[0] = '\0';
	ok(import(s, "chunked.log", 4, &st) == 0 && st.lines == 26 && st.vendor == 25 && st.malformed == 1,
	   "a log committed 4 lines at a time imports every line");
	is_str(reported, "chunked.log:12", "a line longer than 64 KiB is reported with its number, and reading goes on");
	after = sums_of(s);
	is_int(after.log[EA_OUTCOME_ALLOWED] - before.log[EA_OUTCOME_ALLOWED], 25, "25 allowed hits from the chunked log");
	ok(import(s, "chunked.log", 4, &st) == 0 && st.lines == 0 && st.skipped == 26,
	   "the chunked log a second time: nothing");

	put("empty.log", "w", "");
	ok(import(s, "empty.log", 0, &st) == 0 && st.lines == 0 && st.identity[0] == '\0',
	   "an empty log imports nothing and gets no identity yet");
	put("only-partial.log", "w", "1700000000.000 3 127.0.0.1 TCP_MISS/200");
	ok(import(s, "only-partial.log", 0, &st) == 0 && st.lines == 0 && st.partial,
	   "a log whose only line is unfinished imports nothing");
	{
		struct ea_import_options opt = { .format = EA_LOG_SQUID, .matcher = matcher };
		struct ea_import *imp;

		memset(&st, 0, sizeof(st));
		if (ea_import_new(s, &opt, &imp) == 0) {
			ok(ea_import_file(imp, "/nonexistent/access.log", &st) < 0 &&
			   strstr(ea_import_errmsg(imp), "cannot open"),
			   "a missing file is an error with a reason (%s)", ea_import_errmsg(imp));
			ea_import_free(imp);
		}
	}
}

static void identities(void)
{
	char a[128], b[128], c[128];

	ea_import_identity("line one", 8, a, sizeof(a));
	ea_import_identity("line one", 8, b, sizeof(b));
	ea_import_identity("line two", 8, c, sizeof(c));
	ok(strcmp(a, b) == 0 && strcmp(a, c) != 0, "the identity depends on the first line only (%s)", a);
}

static const char *const *hosts_ctx;

/* Rows per host (one client, one bucket here: one key per host). */
static int count_row(const struct ea_hit_row *r, void *ctx)
{
	struct ea_counts *c = ctx;

	for (int i = 0; i < 5; i++)
		if (strcmp(r->host, hosts_ctx[i]) == 0)
			ea_counts_add(&c[i], r);
	return 0;
}

/* The same five requests seen by the module and imported from the log. */
static void reconciliation(void)
{
	struct ea_store *s;
	struct ea_hit h[8];
	struct ea_batch b = { 0 };
	struct ea_import_stats st;
	struct ea_counts counts[5];
	struct ea_tally t, total = { 0 };
	static const char *const hosts[5] = { "vendor.test", "tls.vendor.test", "blocked.vendor.test",
					       "refused.vendor.test", "does-not-resolve.vendor.test" };
	static const int ports[5] = { 80, 443, 80, 9, 80 };
	char p[512], all[4096] = "", l[512];
	size_t nh = 0;

	path_of(p, sizeof(p), "reconcile.db");
	if (!ok(ea_store_open(p, NULL, &s) == EA_STORE_OK, "a second store opens")) {
		ea_store_close(s);
		return;
	}
	/* ICAP: REQMOD of everything that passed http_access (not the denied
	 * one), RESPMOD only of the GET that reached the origin. */
	for (int i = 0; i < 5; i++) {
		if (i == 2)
			continue;
		ea_hit_set(&h[nh++], 1700000000, "", "testvendor", hosts[i], (uint16_t)ports[i], "127.0.0.1", "",
			   EA_OUTCOME_UNKNOWN, EA_SOURCE_ICAP);
	}
	ea_hit_set(&h[nh++], 1700000000, "", "testvendor", hosts[0], 80, "127.0.0.1", "",
		   EA_OUTCOME_ALLOWED, EA_SOURCE_ICAP);
	/* The entry ids must agree with the importer's: take them from it. */
	for (size_t i = 0; i < nh; i++) {
		struct ea_target tg;
		struct ea_hit one;
		const char *why;

		if (ea_target_parse(h[i].host, strlen(h[i].host), &tg, &why) == 0 &&
		    ea_audit_hits(matcher, &tg, h[i].when, "", "", EA_OUTCOME_UNKNOWN, EA_SOURCE_ICAP, &one, 1) == 1)
			snprintf(h[i].entry, sizeof(h[i].entry), "%s", one.entry);
	}
	b.hits = h;
	b.nhits = nh;
	ok(ea_store_write(s, &b) == 0, "the module's rows are written");

	logline(l, sizeof(l), 0, "TCP_MISS/200", "GET", "http://vendor.test/", "HIER_DIRECT/127.0.0.1"); strcat(all, l);
	logline(l, sizeof(l), 0, "TCP_TUNNEL/200", "CONNECT", "tls.vendor.test:443", "HIER_DIRECT/127.0.0.1"); strcat(all, l);
	logline(l, sizeof(l), 0, "TCP_DENIED/403", "GET", "http://blocked.vendor.test/", "HIER_NONE/-"); strcat(all, l);
	logline(l, sizeof(l), 0, "TCP_MISS/503", "GET", "http://refused.vendor.test:9/", "HIER_DIRECT/127.0.0.1"); strcat(all, l);
	logline(l, sizeof(l), 0, "TCP_MISS/502", "GET", "http://does-not-resolve.vendor.test/", "HIER_NONE/-"); strcat(all, l);
	put("reconcile.log", "w", all);
	ok(import(s, "reconcile.log", 0, &st) == 0 && st.vendor == 5, "the log of the same 5 requests imports");

	memset(counts, 0, sizeof(counts));
	hosts_ctx = hosts;
	ok(ea_store_each_hit(s, 0, 0, count_row, counts) == 0, "the rows read back");
	for (int i = 0; i < 5; i++) {
		ea_counts_reconcile(&counts[i], &t);
		ea_tally_add(&total, &t);
		if (!ok(t.requested == 1 && t.unknown == 0, "%s: seen by ICAP, the log or both, it counts once, with an outcome", hosts[i]))
			diag("requested %llu unknown %llu", (unsigned long long)t.requested, (unsigned long long)t.unknown);
	}
	ok(total.requested == 5 && total.allowed == 2 && total.denied == 1 && total.failed == 2 && total.unknown == 0,
	   "5 requests seen by ICAP and the log reconcile to 5: 2 allowed, 1 denied, 2 failed");
	ea_store_close(s);
}

/* A sibling cache's ICP and HTCP queries (logged by default) name vendor
 * URLs but are not requests to the vendor: skipped and counted apart. */
static void peer_queries(struct ea_store *s)
{
	struct ea_import_stats st;
	struct sums before = sums_of(s), after;
	char l[512], all[2048] = "";

	logline(l, sizeof(l), 500, "UDP_MISS/000", "ICP_QUERY", "http://vendor.test/icp", "HIER_NONE/-"); strcat(all, l);
	logline(l, sizeof(l), 501, "UDP_HIT/000", "HTCP_TST", "http://vendor.test/htcp", "HIER_NONE/-"); strcat(all, l);
	logline(l, sizeof(l), 502, "TCP_MISS/200", "GET", "http://vendor.test/real", "HIER_DIRECT/127.0.0.1"); strcat(all, l);
	put("peers.log", "w", all);
	ok(import(s, "peers.log", 0, &st) == 0 && st.lines == 3, "a log with ICP and HTCP queries imports");
	ok(st.peer == 2 && st.vendor == 1 && st.hits == 1 && st.other == 0 && st.malformed == 0,
	   "the 2 peer-cache queries are counted apart, only the GET is a vendor request");
	after = sums_of(s);
	is_int(after.log[EA_OUTCOME_ALLOWED] - before.log[EA_OUTCOME_ALLOWED] +
	       after.log[EA_OUTCOME_UNKNOWN] - before.log[EA_OUTCOME_UNKNOWN], 1,
	       "one hit is stored for the three lines");
}

/* A gzip file of n vendor lines, as bytes in *out (caller frees). */
static size_t gz_bytes(int n, int first, char **out)
{
	char p[512], l[512];
	size_t len = 0;
	gzFile gz;
	FILE *f;

	path_of(p, sizeof(p), "tmp.gz");
	gz = gzopen(p, "wb");
	for (int i = 0; gz && i < n; i++) {
		logline(l, sizeof(l), first + i, "TCP_MISS/200", "GET", "http://vendor.test/gz", "HIER_DIRECT/127.0.0.1");
		gzputs(gz, l);
	}
	if (gz)
		gzclose(gz);
	*out = malloc(1 << 20);
	f = fopen(p, "rb");
	if (f && *out)
		len = fread(*out, 1, 1 << 20, f);
	if (f)
		fclose(f);
	return len;
}

/* Import the file at path; its error message, if any, into err. */
static int import_path(struct ea_store *s, const char *path, struct ea_import_stats *st,
		       char *err, size_t errlen)
{
	struct ea_import_options opt = { .format = EA_LOG_SQUID, .matcher = matcher, .report = report };
	struct ea_import *imp;
	int rc;

	if (ea_import_new(s, &opt, &imp) < 0) {
		snprintf(err, errlen, "%s", ea_import_errmsg(imp));
		return -1;
	}
	rc = ea_import_file(imp, path, st);
	snprintf(err, errlen, "%s", rc < 0 ? ea_import_errmsg(imp) : "");
	ea_import_free(imp);
	return rc;
}

/* Damaged and foreign compressed files: an error naming what is wrong, and
 * nothing stored, not even a position. */
static void damaged_files(struct ea_store *s)
{
	struct ea_import_stats st;
	struct sums before = sums_of(s), after;
	char p[512], err[256], *gzb = NULL;
	size_t n = gz_bytes(3000, 7000, &gzb);
	int rc;

	if (!ok(n > 1000, "a 3000-line gzip file is made (%zu bytes)", n)) {
		free(gzb);
		return;
	}
	/* A byte flipped in the middle of the deflate data: zlib hands out
	 * garbled lines before the CRC says so. */
	gzb[n / 2] ^= 0x55;
	write_file("corrupt.log.gz", "wb", gzb, n);
	gzb[n / 2] ^= 0x55;
	write_file("truncated.log.gz", "wb", gzb, n * 2 / 3);
	free(gzb);

	memset(&st, 0, sizeof(st));
	path_of(p, sizeof(p), "corrupt.log.gz");
	err[0] = '\0';
	rc = import_path(s, p, &st, err, sizeof(err));
	ok(rc < 0 && strstr(err, "corrupt compressed file") && !strstr(err, "<fd:"),
	   "a corrupt .gz is an error that says so (%s)", err);
	ok(st.lines == 0 && st.vendor == 0 && st.hits == 0, "and its summary counts nothing, as nothing was stored");

	memset(&st, 0, sizeof(st));
	path_of(p, sizeof(p), "truncated.log.gz");
	err[0] = '\0';
	rc = import_path(s, p, &st, err, sizeof(err));
	ok(rc < 0 && strstr(err, "truncated"), "a truncated .gz is an error, not an unfinished last line (%s)", err);
	ok(st.lines == 0 && !st.partial, "and its summary counts nothing");

	/* Lengths from sizeof: the magic numbers hold NUL bytes (ASan caught a
	 * hand-counted length past the end of one). */
	{
		static const char xz[] = "\xfd" "7zXZ\0\0\x04\xe6\xd6\xb4\x46\x02\0!\x01";
		static const char bz2[] = "BZh91AY&SY\x8a\x0c\xd5\x9b\0\0";
		static const char zst[] = "\x28\xb5\x2f\xfd\x24\x05\x29\0\0hello\n";

		write_file("access.log.2.xz", "wb", xz, sizeof xz - 1);
		write_file("access.log.3.bz2", "wb", bz2, sizeof bz2 - 1);
		write_file("access.log.4.zst", "wb", zst, sizeof zst - 1);
	}
	{
		static const char *const names[] = { "access.log.2.xz", "access.log.3.bz2", "access.log.4.zst" };
		static const char *const kinds[] = { "xz", "bzip2", "zstd" };

		for (size_t i = 0; i < 3; i++) {
			memset(&st, 0, sizeof(st));
			path_of(p, sizeof(p), names[i]);
			err[0] = '\0';
			rc = import_path(s, p, &st, err, sizeof(err));
			ok(rc < 0 && strstr(err, kinds[i]) && st.lines == 0 && st.malformed == 0 && st.identity[0] == '\0',
			   "a file compressed with %s is refused by name, no line read as malformed, no identity (%s)", kinds[i], err);
		}
	}
	after = sums_of(s);
	ok(memcmp(&before, &after, sizeof(before)) == 0, "the damaged and foreign files stored no hit");
	{
		struct ea_log_position pos;
		char l[512], id[128];

		/* The gzip files' identity: the hash of their first line. */
		logline(l, sizeof(l), 7000, "TCP_MISS/200", "GET", "http://vendor.test/gz", "HIER_DIRECT/127.0.0.1");
		ea_import_identity(l, strlen(l) - 1, id, sizeof(id));
		is_int(ea_store_log_position(s, id, &pos), 1,
		       "and no position is stored for the corrupt or the truncated file");
	}
}

/* A NUL byte inside a line: malformed with its line number, never a hit
 * for the vendor host before it. */
static void nul_lines(struct ea_store *s)
{
	static const char text[] =
		"1700000900.000      3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test\0.evil.test/ - HIER_DIRECT/127.0.0.1 text/plain\n"
		"1700000901.000      3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain\n";
	struct ea_import_stats st;

	write_file("nul.log", "wb", text, sizeof(text) - 1);
	reported[0] = '\0';
	ok(import(s, "nul.log", 0, &st) == 0 && st.lines == 2, "a log with a NUL byte in a line imports");
	ok(st.malformed == 1 && st.vendor == 1 && st.hits == 1, "the NUL line is malformed, the next one a vendor request");
	is_str(reported, "nul.log:1", "the NUL line is reported with its file and line number");
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	const char *paths[1] = { TEST_CATALOGUE };
	struct ea_store *s;
	struct ea_diags diags;
	char db[512], cmd[600];

	snprintf(tmpdir, sizeof tmpdir, "%s/test_import.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	ea_diags_init(&diags);
	ea_audit_load(paths, 1, &matcher, &diags);
	ea_diags_clear(&diags);
	if (!ok(matcher != NULL, "the test catalogue loads"))
		return done_testing();
	path_of(db, sizeof(db), "audit.db");
	if (!ok(ea_store_open(db, NULL, &s) == EA_STORE_OK, "a store opens (%s)", ea_store_errmsg(s)))
		return done_testing();
	identities();
	basic(s);
	growing_and_rotated(s);
	chunks_and_long_lines(s);
	peer_queries(s);
	damaged_files(s);
	nul_lines(s);
	ea_store_close(s);
	reconciliation();
	ea_matcher_unref(matcher);
	if (tap_failed == 0 && !getenv("KEEP_TMP")) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
	return done_testing();
}
