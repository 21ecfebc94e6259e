/* `make bench-store`: the audit store and the report at site scale. A
 * deterministic generator of a site's vendor traffic (N clients, the
 * shipped catalogue's exact hosts at Zipf rates, random names under
 * *.sophosxl.net, S3 buckets and CloudFront distributions under the
 * third-party wildcards, uncatalogued names under a vendor's domain,
 * denials and failures) turned into hits by the audit engine
 * (ea_audit_hits, as the module and the importer do) and written through
 * the store API. It measures rows and bytes per day, write throughput with
 * 1 and 4 writer processes, and `egressaudit report` (wall time, peak RSS
 * of the child) over windows of 1, 7, 90 and 400 days; it prints a table
 * and writes bench-store-results.json.
 *
 * The most recent day is written at full density (5 M requests by
 * default); the older days at reduced density (--old-requests a day, the
 * same host mix and name pools), so that 400 days fit in minutes: see
 * doc/store.md for what that does and does not change. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_util.h"
#include "core/audit.h"
#include "core/catalogue.h"
#include "core/diag.h"
#include "core/host.h"
#include "core/match.h"
#include "store/store.h"

#define SEED 0xea5eed13ull
#define MAXHITS 64          /* hits one request can make */
#define BATCH 16384         /* hits per transaction, as the importer's chunks */
#define QUEUE_BATCH 512     /* hits per transaction, as the module's queue */
#define REPS 3

struct params {
	unsigned clients;
	unsigned days;            /* including the full-density one */
	uint64_t full_requests;   /* the most recent day */
	uint64_t old_requests;    /* each older day */
	uint64_t writer_hits;     /* per writer process, per repetition */
	unsigned cache_mb;        /* the bulk writer's page cache, as import's */
	const char *rules, *egressaudit, *out, *dir;
};

/* ---- deterministic pseudo-randomness ---- */

static uint64_t rng = SEED;

static uint32_t rnd(uint32_t n)
{
	return bench_rnd(&rng, n);
}

/* A pronounceable label from a number: the same x, the same label. */
static void word(uint64_t x, char *buf)
{
	bench_word(x, 4, buf);
}

/* ---- the site's traffic ---- */

struct site {
	const struct ea_matcher *m;
	char **exact;             /* the catalogue's exact hosts */
	size_t nexact;
	double *cum;              /* their Zipf weights, cumulative */
	unsigned clients;
};

/* Name pools: how many distinct names a day draws from. A day of a site
 * sees thousands of random lookups under *.sophosxl.net (the issue saw
 * 20,000), thousands of S3 buckets and CloudFront distributions. */
#define POOL_XL 20000
#define POOL_S3 5000
#define POOL_CF 3000
#define POOL_UNC 1000

/* One request: its host, port, client, user, final outcome. */
static void request(const struct site *st, unsigned day, char *host, size_t hostlen,
		    int *port, unsigned *client, bool *user, enum ea_outcome *o)
{
	unsigned k = rnd(100);
	char w[32];

	*port = 443;
	if (k < 60) {
		double x = (double)rnd(1000000) / 1e6 * st->cum[st->nexact - 1];
		size_t lo = 0, hi = st->nexact - 1;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (st->cum[mid] < x)
				lo = mid + 1;
			else
				hi = mid;
		}
		snprintf(host, hostlen, "%s", st->exact[lo]);
		if (rnd(10) == 0)
			*port = 80;
	} else if (k < 78) {
		word((uint64_t)day * 1000003 + rnd(POOL_XL), w);
		snprintf(host, hostlen, "%s.sophosxl.net", w);
	} else if (k < 88) {
		word((uint64_t)day * 7000003 + rnd(POOL_S3), w);
		snprintf(host, hostlen, "%s-%u.s3.eu-west-1.amazonaws.com", w, rnd(100));
	} else if (k < 97) {
		snprintf(host, hostlen, "d%08x.cloudfront.net",
			 (unsigned)bench_mix64((uint64_t)day * 9000011 + rnd(POOL_CF)));
	} else {
		word((uint64_t)day * 3000017 + rnd(POOL_UNC), w);
		snprintf(host, hostlen, "%s.f-secure.com", w);
		*port = rnd(2) ? 443 : 80;
	}
	*client = rnd(st->clients);
	*user = *client % 3 == 0;
	k = rnd(1000);
	*o = k < 25 ? EA_OUTCOME_DENIED : k < 40 ? EA_OUTCOME_FAILED : EA_OUTCOME_ALLOWED;
}

/* The hits of one request, as the module (REQMOD for what passed
 * http_access, RESPMOD for plain HTTP answered by an origin) and the
 * importer (the log's final word) record them. */
static size_t request_hits(const struct site *st, unsigned day, time_t when, struct ea_hit *out)
{
	char host[300], client[32], user[32];
	struct ea_target t;
	enum ea_outcome o;
	unsigned c;
	bool u;
	int port;
	size_t n = 0;
	const char *why;

	request(st, day, host, sizeof host, &port, &c, &u, &o);
	if (ea_host_parse(host, strlen(host), &t.host, &why) != 0)
		return 0;
	t.port = port;
	snprintf(client, sizeof client, "10.%u.%u.%u", c >> 16, (c >> 8) & 255, c & 255);
	snprintf(user, sizeof user, "user%u", c);
	if (o != EA_OUTCOME_DENIED)
		n += ea_audit_hits(st->m, &t, when, client, u ? user : "", EA_OUTCOME_UNKNOWN,
				   EA_SOURCE_ICAP, out + n, MAXHITS - n);
	if (port == 80 && o == EA_OUTCOME_ALLOWED && n < MAXHITS)
		n += ea_audit_hits(st->m, &t, when, client, u ? user : "", EA_OUTCOME_ALLOWED,
				   EA_SOURCE_ICAP, out + n, MAXHITS - n);
	if (n < MAXHITS)
		n += ea_audit_hits(st->m, &t, when, client, u ? user : "", o, EA_SOURCE_LOG,
				   out + n, MAXHITS - n);
	return n < MAXHITS ? n : MAXHITS;
}

static int site_init(struct site *st, const char *rules, unsigned clients,
		     struct ea_catalogue **catp)
{
	const char *paths[] = { rules };
	struct ea_catalogue *cat = NULL;
	struct ea_matcher *m = NULL;
	struct ea_diags diags;

	ea_diags_init(&diags);
	if (ea_catalogue_load(paths, 1, &cat, &diags) != 0) {
		fprintf(stderr, "bench_store: cannot load %s\n", rules);
		ea_diags_clear(&diags);
		return -1;
	}
	ea_diags_clear(&diags);
	if (ea_matcher_new(cat, &m) < 0) {
		fprintf(stderr, "bench_store: %s\n", ea_matcher_errmsg(m));
		return -1;
	}
	st->m = m;
	st->exact = calloc(cat->nentries, sizeof(*st->exact));
	st->cum = calloc(cat->nentries, sizeof(*st->cum));
	if (!st->exact || !st->cum)
		return -1;
	for (size_t i = 0; i < cat->nentries; i++)
		if (cat->entries[i]->kind == EA_KIND_EXACT) {
			st->exact[st->nexact] = cat->entries[i]->pattern;
			/* Zipf: the k-th host is requested 1/k as often. */
			st->cum[st->nexact] = (st->nexact ? st->cum[st->nexact - 1] : 0) +
					      1.0 / (double)(st->nexact + 1);
			st->nexact++;
		}
	st->clients = clients;
	*catp = cat;
	return st->nexact ? 0 : -1;
}

/* ---- writing ---- */

/* `requests` requests spread over [start, start + 86400), written in
 * batches of `batch` hits. Returns the hits written, 0 on failure. */
static uint64_t write_day(struct ea_store *s, const struct site *st, unsigned day, time_t start,
			  uint64_t requests, size_t batch, struct ea_hit *buf)
{
	struct ea_batch b = { .hits = buf };
	uint64_t total = 0;

	for (uint64_t i = 0; i < requests; i++) {
		time_t when = start + (time_t)((i * 86400) / requests);

		b.nhits += request_hits(st, day, when, buf + b.nhits);
		if (b.nhits + MAXHITS > batch || i + 1 == requests) {
			if (ea_store_write(s, &b) != 0) {
				fprintf(stderr, "bench_store: %s\n", ea_store_errmsg(s));
				return 0;
			}
			total += b.nhits;
			b.nhits = 0;
		}
	}
	return total;
}

static long long db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return v;
}

/* Bytes in use: pages minus the free list (what the data takes, whatever
 * the file's high-water mark). */
static long long db_bytes(const char *path)
{
	return (db_int(path, "PRAGMA page_count") - db_int(path, "PRAGMA freelist_count")) *
	       db_int(path, "PRAGMA page_size");
}

static void checkpoint(const char *path)
{
	sqlite3 *db;

	if (sqlite3_open(path, &db) == SQLITE_OK)
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(db);
}

/* ---- statistics ---- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stats_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return (struct stat3){ v[n / 2], v[0], v[n - 1] };
}

/* ---- writer throughput: P processes, each its own connection ---- */

/* Each child writes `hits` hits of the current hour in QUEUE_BATCH-hit
 * transactions, as a c-icap child's writer thread does; the batches are
 * generated before the clock starts. Returns the hits per second of all
 * of them together (first start to last end), or 0. */
static double writers(const char *path, const struct site *st, unsigned procs, uint64_t hits)
{
	int pipes[2];
	pid_t pid[8];
	double t0, t1;
	char go = 1;
	int ok = 1;

	if (pipe(pipes) != 0)
		return 0;
	for (unsigned p = 0; p < procs; p++) {
		pid[p] = fork();
		if (pid[p] == 0) {
			size_t nbuf = 64 * QUEUE_BATCH, n = 0;
			struct ea_hit *buf = malloc((nbuf + MAXHITS) * sizeof(*buf));
			struct ea_store *s;
			char c;

			close(pipes[1]);
			rng = SEED + 1000 * (p + 1);
			if (ea_store_open(path, NULL, &s) != EA_STORE_OK || !buf)
				_exit(2);
			while (n < nbuf)
				n += request_hits(st, 0, time(NULL), buf + n);
			if (read(pipes[0], &c, 1) != 1)
				_exit(2);
			for (uint64_t done = 0, i = 0; done < hits; i = (i + 1) % 64) {
				struct ea_batch b = { .hits = buf + i * QUEUE_BATCH, .nhits = QUEUE_BATCH };

				if (ea_store_write(s, &b) != 0) {
					fprintf(stderr, "bench_store: writer %u: %s\n", p, ea_store_errmsg(s));
					_exit(1);
				}
				done += QUEUE_BATCH;
			}
			ea_store_close(s);
			_exit(0);
		}
	}
	close(pipes[0]);
	usleep(300 * 1000); /* every child generated its batches and opened */
	t0 = bench_now_s();
	for (unsigned p = 0; p < procs; p++)
		if (write(pipes[1], &go, 1) != 1)
			ok = 0;
	close(pipes[1]);
	for (unsigned p = 0; p < procs; p++) {
		int status;

		waitpid(pid[p], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ok = 0;
	}
	t1 = bench_now_s();
	return ok ? (double)hits * procs / (t1 - t0) : 0;
}

/* The module's path at a fixed rate: P processes each push rate/P hits a
 * second into an ea_store_queue for `secs` seconds, then flush. *dropped
 * gets what the queues dropped for any reason (the drop counters they
 * write to the database), *pushed the hits pushed. */
static int paced(const char *path, const struct site *st, unsigned procs, unsigned rate,
		 unsigned secs, uint64_t *dropped, uint64_t *pushed)
{
	pid_t pid[8];
	int fds[8][2];

	*dropped = *pushed = 0;
	for (unsigned p = 0; p < procs; p++) {
		if (pipe(fds[p]) != 0)
			return -1;
		pid[p] = fork();
		if (pid[p] == 0) {
			struct ea_store_queue_options o = { 0 };
			struct ea_store_queue *q;
			struct ea_hit h[MAXHITS];
			uint64_t per = rate / procs, sent = 0;
			double t0 = bench_now_s();

			rng = SEED + 77 * (p + 1);
			if (ea_store_queue_new(path, &o, &q) != 0)
				_exit(2);
			while (sent < per * secs) {
				double due = t0 + (double)sent / (double)per;
				size_t n;

				while (bench_now_s() < due)
					usleep(200);
				n = request_hits(st, 0, time(NULL), h);
				for (size_t i = 0; i < n; i++)
					ea_store_queue_push(q, &h[i]);
				sent += n;
			}
			ea_store_queue_flush(q, 30000);
			ea_store_queue_free(q);
			if (write(fds[p][1], &sent, sizeof sent) != sizeof sent)
				_exit(2);
			_exit(0);
		}
		close(fds[p][1]);
	}
	for (unsigned p = 0; p < procs; p++) {
		uint64_t sent = 0;

		if (read(fds[p][0], &sent, sizeof sent) == sizeof sent)
			*pushed += sent;
		close(fds[p][0]);
		waitpid(pid[p], NULL, 0);
	}
	*dropped = (uint64_t)db_int(path, "SELECT coalesce(sum(value), 0) FROM counters");
	return 0;
}

/* ---- the report, as a child process ---- */

/* Run `egressaudit report` over [since, until) into out_path; wall seconds
 * and the child's peak RSS in MB (getrusage of the waited child). */
static int run_report(const struct params *pp, const char *db, time_t since, time_t until,
		      const char *format, const char *out_path, double *secs, double *rss_mb)
{
	char s1[32], s2[32];
	struct rusage ru;
	double t0 = bench_now_s();
	int status;
	pid_t pid;

	snprintf(s1, sizeof s1, "@%lld", (long long)since);
	snprintf(s2, sizeof s2, "@%lld", (long long)until);
	pid = fork();
	if (pid == 0) {
		execl(pp->egressaudit, pp->egressaudit, "report", "-c", pp->rules, "-d", db,
		      "--since", s1, "--until", s2, "--as-of", "2026-01-01", "-f", format,
		      "-o", out_path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*secs = bench_now_s() - t0;
	*rss_mb = (double)ru.ru_maxrss / 1024.0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_store --rules DIR --egressaudit PATH [--dir TMPDIR] [--out FILE]\n"
		"  [--clients N] [--days N] [--full-requests N] [--old-requests N] [--writer-hits N]\n"
		"  [--cache-mb N]\n");
}

int main(int argc, char **argv)
{
	struct params pp = { .clients = 10000, .days = 400, .full_requests = 5000000,
			     .old_requests = 6000, .writer_hits = 100000,
			     .out = "bench-store-results.json" };
	static const unsigned windows[] = { 1, 7, 90, 400 };
	enum { NW = sizeof windows / sizeof windows[0] };
	struct stat3 rep_t[NW], rep_rss[NW], w1, w4;
	double tw[NW][REPS], rw[NW][REPS], v1[REPS], v4[REPS];
	struct ea_catalogue *cat = NULL;
	struct site st = { 0 };
	struct ea_hit *buf;
	struct ea_store *s;
	char db[512], wdb[512], pdb[512], outp[512], dir[256];
	time_t end, day0;
	double t, old_secs, old_compact = 0, full_secs, compact_secs;
	long long old_bytes, full_bytes, rows_old, rows_before, rows_full, text_lines;
	long long tbytes, cbytes, rows_all;
	uint64_t old_hits = 0, full_hits, dropped = 0, pushed = 0;
	int rc;
	FILE *out;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(argv[i], "--rules")) pp.rules = v;
		else if (!strcmp(argv[i], "--egressaudit")) pp.egressaudit = v;
		else if (!strcmp(argv[i], "--out")) pp.out = v;
		else if (!strcmp(argv[i], "--dir")) pp.dir = v;
		else if (!strcmp(argv[i], "--clients")) pp.clients = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "--days")) pp.days = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "--full-requests")) pp.full_requests = strtoull(v, NULL, 10);
		else if (!strcmp(argv[i], "--old-requests")) pp.old_requests = strtoull(v, NULL, 10);
		else if (!strcmp(argv[i], "--writer-hits")) pp.writer_hits = strtoull(v, NULL, 10);
		else if (!strcmp(argv[i], "--cache-mb")) pp.cache_mb = (unsigned)strtoul(v, NULL, 10);
		else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (!pp.rules || !pp.egressaudit || pp.days < 1 || pp.clients < 1 || !pp.full_requests) {
		usage(stderr);
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/bench-store.XXXXXX", pp.dir ? pp.dir : "/tmp");
	if (!mkdtemp(dir) || site_init(&st, pp.rules, pp.clients, &cat) != 0)
		return 2;
	snprintf(db, sizeof db, "%s/site.db", dir);
	snprintf(wdb, sizeof wdb, "%s/writers.db", dir);
	snprintf(pdb, sizeof pdb, "%s/paced.db", dir);
	buf = malloc((BATCH + MAXHITS) * sizeof(*buf));
	rc = ea_store_open(db, &(struct ea_store_options){ .proxy_name = "bench", .cache_mb = pp.cache_mb },
			   &s);
	if (!buf || rc != EA_STORE_OK) {
		fprintf(stderr, "bench_store: %s\n", buf ? ea_store_errmsg(s) : "out of memory");
		return 2;
	}
	printf("bench-store: %u clients, %u days: the last at %llu requests, the %u before at %llu a day\n",
	       pp.clients, pp.days, (unsigned long long)pp.full_requests, pp.days - 1,
	       (unsigned long long)pp.old_requests);
	fflush(stdout);

	/* Days end at the last full hour; the last day is the full one. */
	end = time(NULL);
	end -= end % 3600;
	day0 = end - (time_t)pp.days * 86400;

	t = bench_now_s();
	for (unsigned d = 0; d + 1 < pp.days; d++) {
		double tc;
		uint64_t n = write_day(s, &st, d, day0 + (time_t)d * 86400, pp.old_requests, BATCH, buf);

		if (!n && pp.old_requests)
			return 1;
		old_hits += n;
		/* The writer's maintenance, a day at a time. */
		tc = bench_now_s();
		if (ea_store_compact(s, day0 + (time_t)(d + 1) * 86400, NULL) != 0) {
			fprintf(stderr, "bench_store: %s\n", ea_store_errmsg(s));
			return 1;
		}
		old_compact += bench_now_s() - tc;
	}
	old_secs = bench_now_s() - t;
	checkpoint(db);
	old_bytes = db_bytes(db);
	rows_old = db_int(db, "SELECT count(*) FROM traffic");
	printf("  older days: %llu hits in %.1f s (compaction %.1f s); %lld traffic rows, %.2f MB\n",
	       (unsigned long long)old_hits, old_secs, old_compact, rows_old, (double)old_bytes / 1e6);
	fflush(stdout);

	t = bench_now_s();
	full_hits = write_day(s, &st, pp.days - 1, end - 86400, pp.full_requests, BATCH, buf);
	full_secs = bench_now_s() - t;
	if (!full_hits)
		return 1;
	rows_before = db_int(db, "SELECT count(*) FROM traffic") - rows_old;
	t = bench_now_s();
	if (ea_store_compact(s, end, NULL) != 0) {
		fprintf(stderr, "bench_store: %s\n", ea_store_errmsg(s));
		return 1;
	}
	compact_secs = bench_now_s() - t;
	ea_store_close(s);
	checkpoint(db);
	full_bytes = db_bytes(db) - old_bytes;
	rows_full = db_int(db, "SELECT count(*) FROM traffic") - rows_old;
	/* What grows with time (traffic) apart from what is bounded by
	 * entries x clients (clients, users): SQLite's dbstat, when built in. */
	tbytes = db_int(db, "SELECT sum(pgsize - unused) FROM dbstat WHERE name = 'traffic'");
	cbytes = db_int(db, "SELECT sum(pgsize - unused) FROM dbstat WHERE name IN ('clients', 'users')");
	rows_all = db_int(db, "SELECT count(*) FROM traffic");
	if (tbytes > 0 && rows_all > 0)
		printf("  traffic: %lld rows, %.1f MB (%.0f bytes a row: %.2f MB for the full day);"
		       " clients and users: %.1f MB (bounded by entries x clients)\n", rows_all,
		       (double)tbytes / 1e6, (double)tbytes / (double)rows_all,
		       (double)rows_full * (double)tbytes / (double)rows_all / 1e6, (double)cbytes / 1e6);
	printf("  full day: %llu hits in %.1f s (%.0f hits/s, importer-sized batches);"
	       " %lld traffic rows before compaction, %lld after (%.1f s); %.2f MB\n",
	       (unsigned long long)full_hits, full_secs, (double)full_hits / full_secs, rows_before,
	       rows_full, compact_secs, (double)full_bytes / 1e6);
	fflush(stdout);

	/* Writers: 1 and 4 processes, alternately. */
	for (int r = 0; r < REPS; r++) {
		unlink(wdb);
		v1[r] = writers(wdb, &st, 1, pp.writer_hits);
		unlink(wdb);
		v4[r] = writers(wdb, &st, 4, pp.writer_hits);
		printf("  writers, repetition %d: 1 process %.0f hits/s, 4 processes %.0f hits/s\n",
		       r + 1, v1[r], v4[r]);
		fflush(stdout);
	}
	w1 = stats_of(v1, REPS);
	w4 = stats_of(v4, REPS);
	paced(pdb, &st, 4, 50000, 10, &dropped, &pushed);
	printf("  module path at 50,000 hits/s for 10 s, 4 processes: %llu hits, %llu dropped\n",
	       (unsigned long long)pushed, (unsigned long long)dropped);

	/* Reports: every window once per round, rounds repeated. */
	snprintf(outp, sizeof outp, "%s/report.json", dir);
	for (int r = 0; r < REPS; r++)
		for (int w = 0; w < NW; w++) {
			unsigned days = windows[w] < pp.days ? windows[w] : pp.days;

			if (run_report(&pp, db, end - (time_t)days * 86400, end, "json", outp,
				       &tw[w][r], &rw[w][r]) != 0) {
				fprintf(stderr, "bench_store: the report over %u days failed\n", days);
				return 1;
			}
		}
	for (int w = 0; w < NW; w++) {
		rep_t[w] = stats_of(tw[w], REPS);
		rep_rss[w] = stats_of(rw[w], REPS);
		printf("  report --format json over %3u days: %6.2f s (%.2f-%.2f), peak RSS %6.1f MB (%.1f-%.1f)\n",
		       windows[w], rep_t[w].med, rep_t[w].min, rep_t[w].max, rep_rss[w].med,
		       rep_rss[w].min, rep_rss[w].max);
	}
	snprintf(outp, sizeof outp, "%s/report.txt", dir);
	{
		double ts, rs;

		text_lines = run_report(&pp, db, end - 86400, end, "text", outp, &ts, &rs) == 0
				     ? count_lines(outp) : -1;
	}
	printf("  text report of the full day: %lld lines\n", text_lines);

	out = fopen(pp.out, "w");
	if (!out)
		return 1;
	fprintf(out, "{\"bench\":\"store\",\"clients\":%u,\"days\":%u,\"full_day_requests\":%llu,"
		"\"old_day_requests\":%llu,\n", pp.clients, pp.days,
		(unsigned long long)pp.full_requests, (unsigned long long)pp.old_requests);
	fprintf(out, "\"full_day\":{\"hits\":%llu,\"seconds\":%.2f,\"hits_per_s\":%.0f,"
		"\"rows_before_compaction\":%lld,\"rows\":%lld,\"bytes\":%lld,\"compaction_s\":%.2f},\n",
		(unsigned long long)full_hits, full_secs, (double)full_hits / full_secs, rows_before,
		rows_full, full_bytes, compact_secs);
	fprintf(out, "\"older_days\":{\"days\":%u,\"hits\":%llu,\"seconds\":%.2f,\"rows\":%lld,"
		"\"bytes\":%lld,\"rows_per_day\":%.0f,\"bytes_per_day\":%.0f},\n", pp.days - 1,
		(unsigned long long)old_hits, old_secs, rows_old, old_bytes,
		pp.days > 1 ? (double)rows_old / (pp.days - 1) : 0.0,
		pp.days > 1 ? (double)old_bytes / (pp.days - 1) : 0.0);
	fprintf(out, "\"database_bytes\":%lld,\"traffic_bytes\":%lld,\"traffic_rows\":%lld,"
		"\"clients_users_bytes\":%lld,\n", old_bytes + full_bytes, tbytes, rows_all, cbytes);
	fprintf(out, "\"writers\":{\"batch\":%d,\"hits_per_process\":%llu,"
		"\"one\":{\"median\":%.0f,\"min\":%.0f,\"max\":%.0f},"
		"\"four\":{\"median\":%.0f,\"min\":%.0f,\"max\":%.0f},"
		"\"paced_50k_10s\":{\"hits\":%llu,\"dropped\":%llu}},\n", QUEUE_BATCH,
		(unsigned long long)pp.writer_hits, w1.med, w1.min, w1.max, w4.med, w4.min, w4.max,
		(unsigned long long)pushed, (unsigned long long)dropped);
	fputs("\"report\":[", out);
	for (int w = 0; w < NW; w++)
		fprintf(out, "%s{\"days\":%u,\"seconds\":{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f},"
			"\"rss_mb\":{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f}}", w ? "," : "",
			windows[w], rep_t[w].med, rep_t[w].min, rep_t[w].max, rep_rss[w].med,
			rep_rss[w].min, rep_rss[w].max);
	fprintf(out, "],\n\"text_report_lines_full_day\":%lld}\n", text_lines);
	fclose(out);
	printf("bench-store: results in %s\n", pp.out);
	if (!getenv("BENCH_KEEP")) {
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_store: could not remove %s\n", dir);
	} else {
		printf("bench-store: kept %s\n", dir);
	}
	free(buf);
	return 0;
}
