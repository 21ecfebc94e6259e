/* `make bench`: egressaudit's matcher index against a PCRE2-JIT alternation,
 * a linear scan and the floor of one hash lookup, on one host stream and
 * three catalogues (the shipped rules, 10,000 and 100,000 patterns). It
 * checks that the methods agree on every host before timing any of them. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <malloc.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "core/catalogue.h"
#include "core/hash.h"
#include "core/diag.h"
#include "core/host.h"
#include "core/match.h"
#include "core/pattern.h"

#define MAXOUT 64
#define NHOSTS 4000          /* distinct hosts in the stream */
#define SYNTH_MAX 100000
#define SEED 0xea5eedull

/* ---- deterministic pseudo-randomness ------------------------------------- */

static uint64_t rng = SEED;

static uint32_t rnd(uint32_t n)
{
	return bench_rnd(&rng, n);
}

/* A pronounceable word from a number: the same i gives the same word. */
static size_t word(uint64_t x, char *buf)
{
	return bench_word(x, 3, buf);
}

/* Bytes the allocator has handed out, mmapped blocks included. */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* ---- synthetic catalogue ------------------------------------------------- */

static const char *const services[] = {
	"api", "update", "updates", "telemetry", "edge", "cdn", "auth", "login",
	"license", "lic", "ocsp", "crl", "dl", "download", "mirror", "sync",
	"ingest", "events", "push", "mqtt", "gw", "portal", "console", "status",
};
#define NSERVICES (sizeof(services) / sizeof(*services))
static const char *const regions[] = {
	"eu-west-1", "eu-central-1", "us-east-2", "us-west-2", "ap-northeast-1",
};
static const char *const tlds[] = {
	"com", "net", "io", "cloud", "de", "co.uk", "jp", "security",
};

/* Domain d of the synthetic vendors: a function of d alone, so the 10,000
 * catalogue's patterns are exactly the first ones of the 100,000. */
static size_t synth_domain(uint64_t d, char *buf)
{
	uint64_t h = bench_mix64(d * 7919 + 11);
	size_t n = word(h, buf);

	if (h % 4 == 0)
		n += (size_t)sprintf(buf + n, "%u", (unsigned)(h >> 40) % 100);
	return n + (size_t)sprintf(buf + n, ".%s", tlds[(h >> 20) % 8]);
}

/* Pattern j: half exact, a third "*." wildcards, the rest in-label globs,
 * each under one of SYNTH_MAX / 8 vendor domains. */
static void synth_pattern(uint64_t j, char *buf)
{
	uint64_t h = bench_mix64(j + 0x5151);
	char dom[64];
	const char *svc = services[h % NSERVICES], *svc2 = services[(h >> 8) % NSERVICES];
	const char *reg = regions[(h >> 16) % 5];
	unsigned k = (unsigned)((h >> 24) % 20), num = (unsigned)(h >> 32) % 50;

	synth_domain((h >> 40) % (SYNTH_MAX / 8), dom);
	if (k < 5)
		sprintf(buf, "%s%u.%s", svc, num, dom);
	else if (k < 10)
		sprintf(buf, "%s.%s.%s", svc, reg, dom);
	else if (k < 13)
		sprintf(buf, "*.%s", dom);
	else if (k < 15)
		sprintf(buf, "*.%s.%s", svc, dom);
	else if (k < 17)
		sprintf(buf, "*.%s.%s.%s", reg, svc, dom);
	else if (k < 18)
		sprintf(buf, "%s-*.%s", svc, dom);
	else if (k < 19)
		sprintf(buf, "%s-*-%s.%s.%s", svc, svc2, reg, dom);
	else
		sprintf(buf, "*-%s%u.%s", svc, num, dom);
}

/* A host that pattern p matches: "*." and every '*' made concrete. */
static void concretize(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	if (p[0] == '*' && p[1] == '.') {
		n += word(rnd(100000), buf);
		if (rnd(3) == 0)
			n += (size_t)sprintf(buf + n, ".%s", services[rnd(NSERVICES)]);
		p++;
	}
	for (; *p && n + 12 < len; p++) {
		if (*p == '*')
			n += (size_t)sprintf(buf + n, "%x", rnd(0x10000));
		else
			buf[n++] = *p;
	}
	buf[n] = '\0';
}

struct synth {
	struct ea_entry *entries;
	char *text;
	size_t n;
	struct ea_vendor vendor;
};

static int synth_make(struct synth *s, size_t count, size_t first_index)
{
	size_t at = 0;

	memset(s, 0, sizeof(*s));
	s->entries = calloc(count, sizeof(*s->entries));
	s->text = malloc(count * 2 * 96);
	if (!s->entries || !s->text)
		return -1;
	s->vendor.id = (char *)"synthetic";
	s->vendor.name = (char *)"synthetic vendors";
	for (uint64_t j = 0; s->n < count; j++) {
		struct ea_entry *e = &s->entries[s->n];
		char p[128], canon[EA_HOST_MAX + 3];
		const char *why;
		size_t col;

		synth_pattern(j, p);
		if (ea_pattern_parse(p, strlen(p), canon, &e->kind, &why, &col) != 0)
			continue;
		e->id = s->text + at;
		at += (size_t)sprintf(s->text + at, "synthetic-%llu", (unsigned long long)j) + 1;
		e->pattern = s->text + at;
		at += (size_t)sprintf(s->text + at, "%s", canon) + 1;
		e->vendor = &s->vendor;
		e->index = first_index + s->n;
		s->n++;
	}
	return 0;
}

/* ---- the host stream ----------------------------------------------------- */

static const char *const popular[] = {
	"google.com", "gstatic.com", "googleapis.com", "youtube.com", "googlevideo.com",
	"microsoft.com", "windowsupdate.com", "office.com", "live.com", "azureedge.net",
	"apple.com", "icloud.com", "amazon.com", "facebook.com", "fbcdn.net",
	"github.com", "githubusercontent.com", "slack.com", "zoom.us", "salesforce.com",
	"wikipedia.org", "cloudflare.com", "akamaized.net", "doubleclick.net", "bing.com",
	"linkedin.com", "twitter.com", "dropbox.com", "adobe.com", "yahoo.co.jp",
	"debian.org", "ubuntu.com", "npmjs.org", "pypi.org", "docker.io",
};
#define NPOPULAR (sizeof(popular) / sizeof(*popular))
static const char *const prefixes[] = {
	"www", "api", "cdn", "static", "mail", "login", "fonts", "img", "assets", "m",
};

/* A realistic mix, most of it missing: hosts of the shipped catalogue,
 * lookalikes of them, hosts of the synthetic vendors, ordinary sites and a
 * few IP literals. The same stream serves every catalogue. */
static size_t make_stream(const struct ea_catalogue *shipped, const struct synth *syn,
			  struct ea_host *hosts, size_t n)
{
	const struct ea_entry *named[1024];
	size_t nnamed = 0, count = 0;

	for (size_t i = 0; i < shipped->nentries && nnamed < 1024; i++) {
		const struct ea_entry *e = shipped->entries[i];

		if (e->pattern && e->kind != EA_KIND_REGEX && e->kind != EA_KIND_SITE)
			named[nnamed++] = e;
	}
	while (count < n) {
		unsigned r = rnd(100);
		char text[512], w[32], base[300];
		const char *why;

		if (r < 15 && nnamed) { /* a host the shipped rules name */
			concretize(named[rnd((uint32_t)nnamed)]->pattern, text, sizeof(text));
		} else if (r < 25 && nnamed) { /* a lookalike of one */
			const char *p = named[rnd((uint32_t)nnamed)]->pattern;

			concretize(p, base, sizeof(base));
			switch (rnd(5)) {
			case 0: snprintf(text, sizeof(text), "%s.evil.test", base); break;
			case 1: snprintf(text, sizeof(text), "evil%s", base); break;
			case 2: snprintf(text, sizeof(text), "x%s", strchr(base, '.') ? strchr(base, '.') + 1 : base); break;
			case 3: snprintf(text, sizeof(text), "%s.attacker-cdn.net", base); break;
			default: {
				char *dot = strchr(base, '.');

				if (dot)
					*dot = '-';
				snprintf(text, sizeof(text), "%s.phish.example", base);
			}
			}
		} else if (r < 32) { /* a host of a synthetic vendor, not always listed */
			if (rnd(2) == 0) {
				concretize(syn->entries[rnd((uint32_t)syn->n)].pattern, text, sizeof(text));
			} else {
				synth_domain(rnd(SYNTH_MAX / 8), base);
				snprintf(text, sizeof(text), "%s.%s", services[rnd(NSERVICES)], base);
			}
		} else if (r < 90) { /* ordinary traffic */
			const char *dom = popular[rnd(NPOPULAR)];

			switch (rnd(4)) {
			case 0: snprintf(text, sizeof(text), "%s", dom); break;
			case 1:
				word(rnd(1000000), w);
				snprintf(text, sizeof(text), "%s.%s", w, dom);
				break;
			case 2:
				snprintf(text, sizeof(text), "r%u---sn-%x.%s", rnd(9), rnd(0xfffff), dom);
				break;
			default: snprintf(text, sizeof(text), "%s.%s", prefixes[rnd(10)], dom); break;
			}
		} else if (r < 98) { /* ordinary sites nobody lists */
			word(rnd(1000000), w);
			snprintf(text, sizeof(text), "%s.%s.%s", prefixes[rnd(10)], w, tlds[rnd(8)]);
		} else if (r < 99) {
			snprintf(text, sizeof(text), "10.%u.%u.%u", rnd(256), rnd(256), rnd(256));
		} else {
			snprintf(text, sizeof(text), "2001:db8::%x", rnd(0x10000));
		}
		if (ea_host_parse(text, strlen(text), &hosts[count], &why) == 0)
			count++;
	}
	return count;
}

/* ---- method 2: one PCRE2-JIT alternation ---------------------------------- */

/* Append pattern p as a regex branch: '.' literal, "*." one or more labels,
 * an in-label '*' any run of non-dots. */
static size_t branch(const struct ea_entry *e, char *buf)
{
	size_t n = 0;
	const char *p = e->pattern;

	if (e->kind == EA_KIND_REGEX)
		return (size_t)sprintf(buf, "(?:%s)", p);
	if (e->kind == EA_KIND_WILDCARD) {
		n += (size_t)sprintf(buf, "(?:[^.]+\\.)+");
		p += 2;
	}
	for (; *p; p++) {
		if (*p == '.') {
			buf[n++] = '\\';
			buf[n++] = '.';
		} else if (*p == '*') {
			n += (size_t)sprintf(buf + n, "[^.]*");
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return n;
}

struct alternation {
	pcre2_code **code; /* PCRE2's 64 KiB compiled-size limit may need several */
	size_t ncode;
	pcre2_match_data *md;
	double build_ms;
};

static pcre2_code *compile_branches(const struct ea_catalogue *cat, size_t from, size_t to,
				    int *errcode)
{
	size_t cap = 64 + (to - from) * 600, n = 0;
	char *re = malloc(cap);
	PCRE2_SIZE erroff;
	pcre2_code *code;

	if (!re) {
		*errcode = PCRE2_ERROR_NOMEMORY;
		return NULL;
	}
	n += (size_t)sprintf(re, "(?:");
	for (size_t i = from; i < to; i++) {
		const struct ea_entry *e = cat->entries[i];

		if (!e->pattern || e->kind == EA_KIND_SITE)
			continue;
		if (n > 3)
			re[n++] = '|';
		n += branch(e, re + n);
	}
	n += (size_t)sprintf(re + n, ")");
	code = pcre2_compile((PCRE2_SPTR)re, n,
			     PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NEVER_UTF,
			     errcode, &erroff, NULL);
	free(re);
	if (code && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0) {
		pcre2_code_free(code);
		*errcode = PCRE2_ERROR_JIT_BADOPTION;
		return NULL;
	}
	return code;
}

/* As few regexes as PCRE2 allows: halve a chunk whenever it is too large. */
static int alternation_build(struct alternation *a, const struct ea_catalogue *cat)
{
	size_t from = 0, chunk = cat->nentries ? cat->nentries : 1, cap = 0;
	double t0 = bench_now_s();

	memset(a, 0, sizeof(*a));
	while (from < cat->nentries) {
		size_t to = from + chunk < cat->nentries ? from + chunk : cat->nentries;
		int errcode = 0;
		pcre2_code *code = compile_branches(cat, from, to, &errcode);

		if (!code) {
			if (errcode == PCRE2_ERROR_JIT_BADOPTION || chunk == 1) {
				fprintf(stderr, "bench_match: cannot compile the PCRE2 alternation (error %d)\n",
					errcode);
				return -1;
			}
			chunk /= 2;
			continue;
		}
		if (a->ncode == cap) {
			cap = cap ? cap * 2 : 8;
			a->code = realloc(a->code, cap * sizeof(*a->code));
			if (!a->code)
				return -1;
		}
		a->code[a->ncode++] = code;
		from = to;
	}
	a->md = pcre2_match_data_create(1, NULL);
	a->build_ms = (bench_now_s() - t0) * 1e3;
	return a->md ? 0 : -1;
}

static void alternation_free(struct alternation *a)
{
	for (size_t i = 0; i < a->ncode; i++)
		pcre2_code_free(a->code[i]);
	free(a->code);
	pcre2_match_data_free(a->md);
}

static bool alternation_hit(const struct alternation *a, const struct ea_host *h)
{
	for (size_t i = 0; i < a->ncode; i++)
		if (pcre2_jit_match(a->code[i], (PCRE2_SPTR)h->name, h->len, 0, 0, a->md, NULL) >= 0)
			return true;
	return false;
}

/* ---- method 4: the floor, one hash lookup of the whole host ---------------- */

/* The same hash as match.c, so that the floor differs only in what it does. */

struct floor_table {
	struct { uint32_t hash, len; const char *s; } *slot;
	uint32_t mask;
};

static int floor_build(struct floor_table *f, const struct ea_catalogue *cat)
{
	uint32_t n = 16;

	while (n < cat->nentries * 2)
		n *= 2;
	if (!(f->slot = calloc(n, sizeof(*f->slot))))
		return -1;
	f->mask = n - 1;
	for (size_t i = 0; i < cat->nentries; i++) {
		const char *p = cat->entries[i]->pattern;
		size_t len;
		uint64_t h;
		uint32_t k;

		if (!p)
			continue;
		len = strlen(p);
		h = ea_hash_bytes(p, len, 0);
		for (k = (uint32_t)(h >> 32) & f->mask; f->slot[k].s; k = (k + 1) & f->mask)
			if (f->slot[k].len == len && memcmp(f->slot[k].s, p, len) == 0)
				break;
		f->slot[k].hash = (uint32_t)h;
		f->slot[k].len = (uint32_t)len;
		f->slot[k].s = p;
	}
	return 0;
}

static size_t floor_lookup(const struct floor_table *f, const struct ea_host *h)
{
	uint64_t hv = ea_hash_bytes(h->name, h->len, 0);

	for (uint32_t k = (uint32_t)(hv >> 32) & f->mask; f->slot[k].s; k = (k + 1) & f->mask)
		if (f->slot[k].hash == (uint32_t)hv && f->slot[k].len == h->len &&
		    memcmp(f->slot[k].s, h->name, h->len) == 0)
			return 1;
	return 0;
}

/* ---- timing ---------------------------------------------------------------- */

enum method { M_INDEX, M_PCRE2, M_LINEAR, M_FLOOR, M_COUNT };
static const char *const method_key[M_COUNT] = {
	"index", "pcre2_alternation", "linear_scan", "hash_floor",
};

struct bench_cat {
	const char *name;
	const struct ea_catalogue *cat;
	struct ea_matcher *m;
	struct alternation alt;
	struct floor_table floor;
	double ns[M_COUNT];
	size_t lookups[M_COUNT];
	double build_ms, bytes_per_pattern;
	size_t hits;
};

static volatile size_t sink;

static size_t run_one(struct bench_cat *b, enum method mt, const struct ea_host *h)
{
	const struct ea_entry *out[MAXOUT];

	switch (mt) {
	case M_INDEX:
		return ea_matcher_lookup(b->m, h, out, MAXOUT);
	case M_PCRE2:
		/* the alternation says whether anything matches; listing which
		 * takes a per-pattern check */
		return alternation_hit(&b->alt, h) ? ea_linear_lookup(b->cat, h, out, MAXOUT) : 0;
	case M_LINEAR:
		return ea_linear_lookup(b->cat, h, out, MAXOUT);
	case M_FLOOR:
		return floor_lookup(&b->floor, h);
	case M_COUNT:
		break;
	}
	return 0;
}

/* Lookups over the stream until the time budget or the lookup cap is
 * spent, in batches that grow while they are short so that reading the
 * clock costs nothing measurable. */
static double time_round(struct bench_cat *b, enum method mt, const struct ea_host *hosts,
			 size_t nhosts, size_t *pos, double budget_s, size_t cap, size_t *done_out)
{
	size_t done = 0, batch = 1, sum = 0;
	double t0, elapsed = 0;

	t0 = bench_now_s();
	while (elapsed < budget_s && done < cap) {
		double t1;

		for (size_t i = 0; i < batch && done < cap; i++, done++, ++*pos)
			sum += run_one(b, mt, &hosts[*pos % nhosts]);
		t1 = bench_now_s();
		if (t1 - t0 - elapsed < 0.005 && batch < 65536)
			batch *= 2;
		elapsed = t1 - t0;
	}
	sink += sum;
	*done_out += done;
	return elapsed * 1e9 / (double)done;
}

/* The best of five rounds, each going on along the stream where the last
 * stopped: other work on the machine only ever makes a round slower. */
static double time_method(struct bench_cat *b, enum method mt, const struct ea_host *hosts,
			  size_t nhosts, double budget_s, size_t cap, size_t *done_out)
{
	size_t pos = 0, sum = 0;
	double best = 0;

	for (size_t i = 0; i < nhosts && i < 64; i++) /* warm up */
		sum += run_one(b, mt, &hosts[i]);
	sink += sum;
	*done_out = 0;
	for (int r = 0; r < 5; r++) {
		double ns = time_round(b, mt, hosts, nhosts, &pos, budget_s / 5,
				       cap == SIZE_MAX ? cap : cap / 5, done_out);

		if (r == 0 || ns < best)
			best = ns;
	}
	return best;
}

/* ---- verification ---------------------------------------------------------- */

/* The index and the linear scan must list the same entries in the same
 * order, and the alternation must match exactly when the scan finds any. */
static int verify(struct bench_cat *b, const struct ea_host *hosts, size_t n)
{
	size_t bad = 0;

	b->hits = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ea_entry *x[MAXOUT], *l[MAXOUT];
		size_t nx = ea_matcher_lookup(b->m, &hosts[i], x, MAXOUT);
		size_t nl = ea_linear_lookup(b->cat, &hosts[i], l, MAXOUT);
		bool alt = alternation_hit(&b->alt, &hosts[i]);

		if (nl)
			b->hits++;
		if (nx == nl && memcmp(x, l, (nx < MAXOUT ? nx : MAXOUT) * sizeof(*x)) == 0 &&
		    alt == (nl > 0))
			continue;
		if (bad++ < 5)
			fprintf(stderr, "bench_match: %s: methods disagree on %s: index %zu, linear %zu, "
				"alternation %s\n", b->name, hosts[i].name, nx, nl, alt ? "hit" : "miss");
	}
	return bad ? -1 : 0;
}

static int prepare(struct bench_cat *b, const char *name, const struct ea_catalogue *cat)
{
	double t[3];
	size_t before;

	memset(b, 0, sizeof(*b));
	b->name = name;
	b->cat = cat;
	/* three builds: the memory of the first, the median time */
	for (int i = 0; i < 3; i++) {
		struct ea_matcher *m;
		double t0;
		int built;

		before = heap_bytes();
		t0 = bench_now_s();
		built = ea_matcher_new(cat, &m);
		t[i] = (bench_now_s() - t0) * 1e3;
		if (built < 0) {
			fprintf(stderr, "bench_match: %s: %s\n", name, ea_matcher_errmsg(m));
			ea_matcher_unref(m);
			return -1;
		}
		if (i == 0) {
			b->bytes_per_pattern = (double)(heap_bytes() - before) / (double)cat->nentries;
			b->m = m;
		} else {
			ea_matcher_unref(m);
		}
	}
	if (t[0] > t[1]) { double x = t[0]; t[0] = t[1]; t[1] = x; }
	if (t[1] > t[2]) { double x = t[1]; t[1] = t[2]; t[2] = x; }
	if (t[0] > t[1]) { double x = t[0]; t[0] = t[1]; t[1] = x; }
	b->build_ms = t[1];
	if (alternation_build(&b->alt, cat) < 0 || floor_build(&b->floor, cat) < 0)
		return -1;
	return 0;
}

static void release(struct bench_cat *b)
{
	ea_matcher_unref(b->m);
	alternation_free(&b->alt);
	free(b->floor.slot);
}

/* ---- output ---------------------------------------------------------------- */

static void print_table(const struct bench_cat *b, size_t n, size_t nhosts)
{
	printf("\n%-18s %8s %10s %20s %20s %16s %9s %9s\n", "catalogue", "patterns", "index ns",
	       "pcre2 alt ns (x)", "linear ns (x)", "floor ns (x)", "build ms", "B/pattern");
	for (size_t i = 0; i < n; i++) {
		const double *ns = b[i].ns;

		printf("%-18s %8zu %10.1f %11.1f (%5.1fx) %11.1f (%5.0fx) %8.1f (%4.2fx) %9.2f %9.1f\n",
		       b[i].name, b[i].cat->nentries, ns[M_INDEX],
		       ns[M_PCRE2], ns[M_PCRE2] / ns[M_INDEX],
		       ns[M_LINEAR], ns[M_LINEAR] / ns[M_INDEX],
		       ns[M_FLOOR], ns[M_FLOOR] / ns[M_INDEX],
		       b[i].build_ms, b[i].bytes_per_pattern);
	}
	printf("\n(x) = that method's time / the index's time (below 1 for the floor).\n");
	for (size_t i = 0; i < n; i++)
		printf("%s: %zu of %zu stream hosts match (%.0f%%); alternation in %zu regex%s, built in %.0f ms; "
		       "lookups timed: index %zu, pcre2 %zu, linear %zu, floor %zu\n",
		       b[i].name, b[i].hits, nhosts, 100.0 * (double)b[i].hits / (double)nhosts,
		       b[i].alt.ncode, b[i].alt.ncode == 1 ? "" : "es", b[i].alt.build_ms,
		       b[i].lookups[M_INDEX], b[i].lookups[M_PCRE2], b[i].lookups[M_LINEAR],
		       b[i].lookups[M_FLOOR]);
}

static int write_json(const char *path, const struct bench_cat *b, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "bench_match: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\"catalogues\": [");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n  {\"name\": \"%s\", \"patterns\": %zu, \"results\": {", i ? "," : "",
			b[i].name, b[i].cat->nentries);
		for (int mt = 0; mt < M_COUNT; mt++)
			fprintf(f, "%s\"%s\": %.1f", mt ? ", " : "", method_key[mt], b[i].ns[mt]);
		fprintf(f, "}, \"build_ms\": %.3f, \"bytes_per_pattern\": %.1f}",
			b[i].build_ms, b[i].bytes_per_pattern);
	}
	fprintf(f, "\n]}\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "bench_match: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_match --rules DIR [--out FILE]\n"
		     "Times the matcher index against a PCRE2 alternation, a linear scan and\n"
		     "one hash lookup, on the rules in DIR and on synthetic catalogues of\n"
		     "10,000 and 100,000 patterns; writes the figures as JSON to FILE\n"
		     "(default bench-results.json).\n");
}

int main(int argc, char **argv)
{
	const char *rules = NULL, *out = "bench-results.json";
	struct ea_catalogue *shipped = NULL, big = { 0 }, mid = { 0 };
	struct ea_diags diags;
	struct synth syn;
	struct ea_host *hosts;
	struct bench_cat b[3];
	const size_t sizes[2] = { 10000, 100000 };
	char name10k[32], name100k[32];
	size_t nhosts, nb = 0;
	double t_start = bench_now_s();
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			rules = argv[++i];
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!rules) {
		usage(stderr);
		return 2;
	}
	ea_diags_init(&diags);
	if (ea_catalogue_load(&rules, 1, &shipped, &diags) != 0) {
		for (size_t i = 0; i < diags.count; i++)
			ea_diag_print(stderr, &diags.items[i]);
		fprintf(stderr, "bench_match: %s: the rules do not load\n", rules);
		ea_diags_clear(&diags);
		return 1;
	}
	ea_diags_clear(&diags);

	/* The synthetic catalogues extend the shipped one, so the stream's
	 * vendor hosts match in all three. */
	if (synth_make(&syn, sizes[1] - shipped->nentries, shipped->nentries) < 0 ||
	    !(big.entries = malloc(sizes[1] * sizeof(*big.entries))) ||
	    !(hosts = malloc(NHOSTS * sizeof(*hosts)))) {
		fprintf(stderr, "bench_match: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < shipped->nentries; i++)
		big.entries[i] = shipped->entries[i];
	for (size_t i = 0; i < syn.n; i++)
		big.entries[shipped->nentries + i] = &syn.entries[i];
	big.nentries = sizes[1];
	big.vendors = shipped->vendors;
	big.nvendors = shipped->nvendors;
	mid = big;
	mid.nentries = sizes[0];
	nhosts = make_stream(shipped, &syn, hosts, NHOSTS);

	snprintf(name10k, sizeof(name10k), "synthetic-%zu", sizes[0]);
	snprintf(name100k, sizeof(name100k), "synthetic-%zu", sizes[1]);
	{
		const struct ea_catalogue *cats[3] = { shipped, &mid, &big };
		const char *names[3] = { "shipped", name10k, name100k };

		for (int c = 0; c < 3; c++) {
			struct bench_cat *bc = &b[c];

			nb = (size_t)c + 1;
			fprintf(stderr, "bench_match: %s (%zu patterns): building, verifying %zu hosts...\n",
				names[c], cats[c]->nentries, nhosts);
			if (prepare(bc, names[c], cats[c]) < 0)
				goto done;
			if (verify(bc, hosts, nhosts) < 0) {
				fprintf(stderr, "bench_match: %s: the methods disagree; not timing a wrong matcher\n",
					names[c]);
				goto done;
			}
			fprintf(stderr, "bench_match: %s: timing...\n", names[c]);
			bc->ns[M_INDEX] = time_method(bc, M_INDEX, hosts, nhosts, 0.5, SIZE_MAX, &bc->lookups[M_INDEX]);
			bc->ns[M_FLOOR] = time_method(bc, M_FLOOR, hosts, nhosts, 0.5, SIZE_MAX, &bc->lookups[M_FLOOR]);
			bc->ns[M_PCRE2] = time_method(bc, M_PCRE2, hosts, nhosts, 2.0, SIZE_MAX, &bc->lookups[M_PCRE2]);
			/* the scan of 100,000 patterns takes milliseconds a lookup */
			bc->ns[M_LINEAR] = time_method(bc, M_LINEAR, hosts, nhosts, 2.0, 20 * nhosts,
						       &bc->lookups[M_LINEAR]);
		}
	}
	print_table(b, nb, nhosts);
	printf("total run time %.1f s\n", bench_now_s() - t_start);
	rc = write_json(out, b, nb) < 0;
done:
	for (size_t i = 0; i < nb; i++)
		release(&b[i]);
	free(hosts);
	free(big.entries);
	free(syn.entries);
	free(syn.text);
	ea_catalogue_free(shipped);
	return rc;
}
