/* The matcher: the compiled index (match.c) and the reference linear scan
 * (match_linear.c) on hand-made catalogues with adversarial hosts, a
 * randomized differential test between the two, and the shipped rules. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "core/catalogue.h"
#include "core/host.h"
#include "core/match.h"
#include "core/pattern.h"
#include "tap.h"

#define MAXOUT 64

/* A catalogue built by hand: entries and vendors owned by the test. */
struct tcat {
	struct ea_catalogue cat;
	struct ea_entry *entries[4096];
	struct ea_vendor *vendors[8];
};

static void tcat_init(struct tcat *t)
{
	memset(t, 0, sizeof(*t));
	t->cat.entries = t->entries;
	t->cat.vendors = t->vendors;
}

static struct ea_vendor *tcat_vendor(struct tcat *t, const char *id, const char *const *domains)
{
	struct ea_vendor *v = calloc(1, sizeof(*v));
	size_t n = 0;

	while (domains && domains[n])
		n++;
	v->id = strdup(id);
	v->name = strdup(id);
	v->domains = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v->domains[i] = strdup(domains[i]);
	v->ndomains = n;
	t->vendors[t->cat.nvendors++] = v;
	return v;
}

/* text: a host pattern, "re:" + a regex, or NULL for a site-specific entry. */
static struct ea_entry *tcat_add(struct tcat *t, const char *id, const char *text)
{
	struct ea_entry *e = calloc(1, sizeof(*e));
	char canon[EA_HOST_MAX + 3];
	const char *why;
	size_t col;

	e->id = strdup(id);
	e->vendor = t->cat.nvendors ? t->vendors[0] : NULL;
	if (!text) {
		e->kind = EA_KIND_SITE;
	} else if (strncmp(text, "re:", 3) == 0) {
		int errcode;
		PCRE2_SIZE erroff;

		e->kind = EA_KIND_REGEX;
		e->pattern = strdup(text + 3);
		/* the loader's flags (catalogue.c) */
		e->regex = pcre2_compile((PCRE2_SPTR)e->pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
					 PCRE2_NEVER_UTF, &errcode, &erroff, NULL);
		if (!e->regex)
			diag("regex %s does not compile", text);
	} else if (ea_pattern_parse(text, strlen(text), canon, &e->kind, &why, &col) == 0) {
		e->pattern = strdup(canon);
	} else {
		free(e->id);
		free(e);
		return NULL;
	}
	e->index = t->cat.nentries;
	t->entries[t->cat.nentries++] = e;
	return e;
}

static void tcat_free(struct tcat *t)
{
	for (size_t i = 0; i < t->cat.nentries; i++) {
		struct ea_entry *e = t->entries[i];

		free(e->id);
		free(e->pattern);
		pcre2_code_free(e->regex);
		free(e);
	}
	for (size_t i = 0; i < t->cat.nvendors; i++) {
		struct ea_vendor *v = t->vendors[i];

		for (size_t d = 0; d < v->ndomains; d++)
			free(v->domains[d]);
		free(v->domains);
		free(v->id);
		free(v->name);
		free(v);
	}
}

/* The ids of a match list, space separated, "(none)" when empty. */
static const char *ids(const struct ea_entry *const *v, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "", v[i]->id);
	if (!n)
		snprintf(buf, len, "(none)");
	return buf;
}

/* Both matchers must give exactly want for the host text. */
static void expect(const struct ea_matcher *m, const struct ea_catalogue *cat,
		   const char *text, const char *want, const char *sentence)
{
	const struct ea_entry *got[MAXOUT], *ref[MAXOUT];
	char gb[1024], rb[1024];
	struct ea_host h;
	const char *why;
	size_t n, nr;

	if (ea_host_parse(text, strlen(text), &h, &why) != 0) {
		ok(0, "%s (host %s does not parse: %s)", sentence, text, why);
		return;
	}
	n = ea_matcher_lookup(m, &h, got, MAXOUT);
	nr = ea_linear_lookup(cat, &h, ref, MAXOUT);
	is_str(ids(got, n, gb, sizeof(gb)), want, "%s (index)", sentence);
	is_str(ids(ref, nr, rb, sizeof(rb)), want, "%s (linear scan)", sentence);
}

static const char *vendor_of(const struct ea_matcher *m, const char *text)
{
	const struct ea_vendor *v;
	struct ea_host h;
	const char *why;

	if (ea_host_parse(text, strlen(text), &h, &why) != 0)
		return "(invalid)";
	v = ea_matcher_vendor_domain(m, &h);
	return v ? v->id : "(none)";
}

static void build_sample(struct tcat *t)
{
	static const char *const sophos[] = { "sophos.com", "sophosupd.com", NULL };
	static const char *const withsecure[] = { "fsapi.com", "withsecure.com", NULL };
	static const char *const cdn[] = { "cdn.sophos.com", NULL };

	tcat_init(t);
	tcat_vendor(t, "sophos", sophos);
	tcat_vendor(t, "withsecure", withsecure);
	tcat_vendor(t, "cdnco", cdn);
	tcat_add(t, "w-sophos", "*.sophos.com");
	tcat_add(t, "x-central", "central.sophos.com");
	tcat_add(t, "w-hydra", "*.hydra.sophos.com");
	tcat_add(t, "x-central-again", "Central.Sophos.com.");
	tcat_add(t, "w-upd", "*.sophosupd.com");
	tcat_add(t, "g-bucket", "tf-presigned-url-eu-west-1-prod-*-bucket.s3.eu-west-1.amazonaws.com");
	tcat_add(t, "w-aws", "*.amazonaws.com");
	tcat_add(t, "g-x-star", "x-*.eu-central-1.hydra.sophos.com");
	tcat_add(t, "g-two-stars", "*-api.eu-*.hydra.sophos.com");
	tcat_add(t, "g-region", "x-api.eu-central-*.hydra.sophos.com");
	tcat_add(t, "r-dzr", "re:dzr-api-amzn-[a-z0-9-]+\\.api-upe\\.p\\.hmr\\.sophos\\.com");
	tcat_add(t, "s-mcs", NULL);
	tcat_add(t, "r-ten", "re:10\\.0\\.0\\.[0-9]+");
	tcat_add(t, "g-d", "d*.sophos.com");
	tcat_add(t, "x-guts", "guts2.fsapi.com");
	tcat_add(t, "w-fsapi", "*.fsapi.com");
	tcat_add(t, "r-central", "re:CENTRAL\\..*");
}

static void test_semantics(void)
{
	struct tcat t;
	struct ea_matcher *m;

	build_sample(&t);
	if (!ok(ea_matcher_new(&t.cat, &m) == 0, "the matcher builds from a hand-made catalogue")) {
		diag("%s", ea_matcher_errmsg(m));
		ea_matcher_unref(m);
		tcat_free(&t);
		return;
	}
	expect(m, &t.cat, "central.sophos.com",
	       "x-central x-central-again w-sophos r-central",
	       "an exact host lists every entry naming it, then wildcards, then regexes");
	expect(m, &t.cat, "CENTRAL.Sophos.COM.",
	       "x-central x-central-again w-sophos r-central",
	       "case and one trailing dot do not matter");
	expect(m, &t.cat, "sophos.com", "(none)",
	       "a \"*.\" wildcard never matches its apex");
	expect(m, &t.cat, "sophos.com.evil.test", "(none)",
	       "a vendor domain followed by an attacker's domain matches nothing");
	expect(m, &t.cat, "evilsophos.com", "(none)",
	       "a lookalike that ends in the vendor's name matches nothing");
	expect(m, &t.cat, "xsophosupd.com", "(none)",
	       "a wildcard suffix must start at a label boundary");
	expect(m, &t.cat, "a.sophosupd.com", "w-upd",
	       "a wildcard matches one label in front");
	expect(m, &t.cat, "a.b.c.sophosupd.com", "w-upd",
	       "a wildcard matches several labels in front");
	expect(m, &t.cat, "x.hydra.sophos.com", "w-hydra w-sophos",
	       "wildcards come out by decreasing number of labels");
	expect(m, &t.cat, "hydra.sophos.com", "w-sophos",
	       "the apex of a narrower wildcard still matches the broader one");
	expect(m, &t.cat, "dzr-api-amzn-eu-west-1-9af7.api-upe.p.hmr.sophos.com", "w-sophos r-dzr",
	       "a regex match comes after the wildcards, and site-specific entries never match");
	expect(m, &t.cat, "tf-presigned-url-eu-west-1-prod-abc123-bucket.s3.eu-west-1.amazonaws.com",
	       "g-bucket w-aws", "an in-label glob matches and comes before wildcards");
	expect(m, &t.cat, "tf-presigned-url-eu-west-1-prod--bucket.s3.eu-west-1.amazonaws.com",
	       "g-bucket w-aws", "an in-label '*' matches zero characters");
	expect(m, &t.cat, "tf-presigned-url-eu-west-1-prod-a.b-bucket.s3.eu-west-1.amazonaws.com",
	       "w-aws", "an in-label '*' never matches a dot");
	expect(m, &t.cat, "x.tf-presigned-url-eu-west-1-prod-a-bucket.s3.eu-west-1.amazonaws.com",
	       "w-aws", "a glob matches exactly as many labels as it has");
	expect(m, &t.cat, "tf-presigned-url-eu-west-1-prod-a-bucket.s3.eu-west-2.amazonaws.com",
	       "w-aws", "a glob's literal labels must all match");
	expect(m, &t.cat, "x-api.eu-central-1.hydra.sophos.com",
	       "g-x-star g-two-stars g-region w-hydra w-sophos",
	       "globs found on different trie branches come out in catalogue order");
	expect(m, &t.cat, "y-api.eu-west-2.hydra.sophos.com", "g-two-stars w-hydra w-sophos",
	       "a glob with a '*' in two labels matches");
	expect(m, &t.cat, "d.sophos.com", "g-d w-sophos", "a trailing '*' matches zero characters");
	expect(m, &t.cat, "dxyz.sophos.com", "g-d w-sophos", "a trailing '*' matches several characters");
	expect(m, &t.cat, "a.d.sophos.com", "w-sophos", "a glob label does not match a deeper host");
	expect(m, &t.cat, "guts2.fsapi.com", "x-guts w-fsapi", "exact comes before wildcard");
	expect(m, &t.cat, "10.0.0.7", "r-ten",
	       "an IPv4 literal matches no name pattern but is tried against regexes");
	expect(m, &t.cat, "[::1]", "(none)", "an IPv6 literal matches nothing here");
	expect(m, &t.cat, "www.example.org", "(none)", "an ordinary host matches nothing");

	{
		const struct ea_entry *out[2];
		struct ea_host h;
		const char *why;
		size_t n;

		ea_host_parse("central.sophos.com", 18, &h, &why);
		is_int(ea_matcher_lookup(m, &h, out, 0), 4,
		       "a lookup with no room still counts every match");
		n = ea_matcher_lookup(m, &h, out, 1);
		ok(n == 4 && strcmp(out[0]->id, "x-central") == 0,
		   "a lookup with room for one returns the most specific match");
		ea_host_parse("x-api.eu-central-1.hydra.sophos.com", 35, &h, &why);
		n = ea_matcher_lookup(m, &h, out, 2);
		ok(n == 5 && strcmp(out[0]->id, "g-x-star") == 0 && strcmp(out[1]->id, "g-two-stars") == 0,
		   "a truncated lookup keeps the globs earliest in the catalogue");
		n = ea_linear_lookup(&t.cat, &h, out, 2);
		ok(n == 5 && strcmp(out[0]->id, "g-x-star") == 0 && strcmp(out[1]->id, "g-two-stars") == 0,
		   "a truncated linear scan keeps the same ones");
	}

	is_str(vendor_of(m, "sophos.com"), "sophos", "a vendor-owned domain belongs to its vendor");
	is_str(vendor_of(m, "Unknown.Sophos.com."), "sophos", "a host under a vendor-owned domain belongs to it");
	is_str(vendor_of(m, "x.cdn.sophos.com"), "cdnco", "the deepest owned domain wins");
	is_str(vendor_of(m, "cdn.sophos.com"), "cdnco", "an owned domain nested in another belongs to the deeper owner");
	is_str(vendor_of(m, "evilsophos.com"), "(none)", "a lookalike belongs to no vendor");
	is_str(vendor_of(m, "sophos.com.evil.test"), "(none)", "a vendor domain in front of another belongs to no vendor");
	is_str(vendor_of(m, "com"), "(none)", "a bare top-level domain belongs to no vendor");
	is_str(vendor_of(m, "x.fsapi.com"), "withsecure", "each vendor keeps its own domains");
	is_str(vendor_of(m, "10.0.0.7"), "(none)", "an IP literal belongs to no vendor");

	ea_matcher_unref(m);
	tcat_free(&t);
}

static void test_empty(void)
{
	struct ea_catalogue cat = { 0 };
	struct ea_matcher *m;
	const struct ea_entry *out[4];
	struct ea_host h;
	const char *why;

	if (!ok(ea_matcher_new(&cat, &m) == 0 && m != NULL, "an empty catalogue builds a matcher")) {
		ea_matcher_unref(m);
		return;
	}
	ea_host_parse("www.sophos.com", 14, &h, &why);
	is_int(ea_matcher_lookup(m, &h, out, 4), 0, "an empty catalogue matches nothing");
	ok(ea_matcher_vendor_domain(m, &h) == NULL, "an empty catalogue owns no domain");
	ea_matcher_unref(m);
}

/* ---- randomized differential test ------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: reproducible from the printed seed on every platform */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

/* Small alphabets, so that patterns collide and hosts often match. */
static void rand_label(char *buf, size_t *at, bool glob)
{
	static const char *const plain[] = { "a", "b", "ab", "ba", "aa", "a-b", "x" };
	static const char *const globs[] = { "a*", "*b", "a*b", "*a*", "*-*", "x*", "*" };
	const char *l = glob ? globs[rnd(7)] : plain[rnd(7)];

	*at += (size_t)sprintf(buf + *at, "%s", l);
}

/* plain_tail: the last two labels never hold a '*', as in real catalogues
 * (which lets the matcher use its two-label filter). */
static void rand_pattern(char *buf, bool plain_tail)
{
	unsigned kind = rnd(3), n = 2 + rnd(3);
	size_t at = 0;

	if (plain_tail && kind == 2 && n < 3)
		n = 3;
	if (kind == 1)
		at += (size_t)sprintf(buf, "*.");
	for (unsigned i = 0; i < n; i++) {
		bool glob = kind == 2 && (rnd(2) == 0 || i == n - 1 - rnd(n)) &&
			    !(plain_tail && i + 2 >= n);

		if (i)
			buf[at++] = '.';
		/* a lone '*' label is a wildcard, only leftmost: keep globs in-label */
		if (glob) {
			char l[8];
			size_t la = 0;

			do {
				la = 0;
				rand_label(l, &la, true);
			} while (strcmp(l, "*") == 0);
			at += (size_t)sprintf(buf + at, "%s", l);
		} else {
			rand_label(buf, &at, false);
		}
	}
	buf[at] = '\0';
}

static void rand_host(char *buf)
{
	static const char *const labels[] = { "a", "b", "ab", "ba", "aa", "a-b", "x",
					      "xa", "aab", "bab", "x-a", "-", "A", "Ba" };
	unsigned n = 1 + rnd(6);
	size_t at = 0;

	for (unsigned i = 0; i < n; i++)
		at += (size_t)sprintf(buf + at, "%s%s", i ? "." : "", labels[rnd(14)]);
	if (rnd(8) == 0)
		buf[at++] = '.';
	buf[at] = '\0';
}

static void test_differential(uint64_t seed, bool plain_tail)
{
	const unsigned npatterns = 3000, nhosts = 20000;
	struct tcat *t = malloc(sizeof(*t));
	struct ea_matcher *m;
	unsigned checked = 0, with_matches = 0, mismatches = 0, truncated_bad = 0;

	rng_state = seed;
	diag("differential test seed 0x%llx: %u patterns%s, %u hosts",
	     (unsigned long long)seed, npatterns,
	     plain_tail ? " with plain last two labels" : "", nhosts);
	tcat_init(t);
	for (unsigned i = 0; t->cat.nentries < npatterns && i < npatterns * 4; i++) {
		char p[256], id[32];

		rand_pattern(p, plain_tail);
		snprintf(id, sizeof(id), "p%u", i);
		tcat_add(t, id, p);
	}
	tcat_add(t, "r1", "re:a.*b");
	tcat_add(t, "r2", "re:(x|a)\\..*");
	int built = ea_matcher_new(&t->cat, &m);
	const char *what = plain_tail ? ", their last two labels plain" : ", '*' anywhere";

	if (!ok(built == 0, "the matcher builds from %zu random patterns%s", t->cat.nentries, what)) {
		diag("%s", ea_matcher_errmsg(m));
		ea_matcher_unref(m);
		tcat_free(t);
		free(t);
		return;
	}
	for (unsigned i = 0; i < nhosts; i++) {
		const struct ea_entry *got[MAXOUT * 4], *ref[MAXOUT * 4];
		char text[256];
		struct ea_host h;
		const char *why;
		size_t n, nr, cap;

		rand_host(text);
		if (ea_host_parse(text, strlen(text), &h, &why) != 0)
			continue;
		checked++;
		n = ea_matcher_lookup(m, &h, got, MAXOUT * 4);
		nr = ea_linear_lookup(&t->cat, &h, ref, MAXOUT * 4);
		if (n)
			with_matches++;
		if (n != nr || memcmp(got, ref, (n < MAXOUT * 4 ? n : MAXOUT * 4) * sizeof(*got)) != 0) {
			if (mismatches++ < 5) {
				char gb[4096], rb[4096];

				diag("host %s: index [%s] linear [%s]", text,
				     ids(got, n < MAXOUT * 4 ? n : MAXOUT * 4, gb, sizeof(gb)),
				     ids(ref, nr < MAXOUT * 4 ? nr : MAXOUT * 4, rb, sizeof(rb)));
			}
			continue;
		}
		/* truncation keeps a prefix of the full answer */
		cap = rnd(6);
		if (ea_matcher_lookup(m, &h, got, cap) != n ||
		    memcmp(got, ref, (n < cap ? n : cap) * sizeof(*got)) != 0)
			truncated_bad++;
	}
	is_int(mismatches, 0, "the index and the linear scan agree on %u random hosts (%u with matches)%s",
	       checked, with_matches, what);
	is_int(truncated_bad, 0, "a truncated lookup returns the first matches of the full answer%s", what);
	ok(with_matches > checked / 10, "the random hosts exercise matches, not only misses%s", what);
	ea_matcher_unref(m);
	tcat_free(t);
	free(t);
}

/* ---- reload: reference counts and the publication slot -------------------- */

struct reader_arg {
	struct ea_matcher_slot *slot;
	unsigned lookups, wrong;
};

static void *reader(void *p)
{
	struct reader_arg *ra = p;
	struct ea_host h;
	const char *why;

	ea_host_parse("guts2.fsapi.com", 15, &h, &why);
	for (unsigned i = 0; i < 20000; i++) {
		struct ea_matcher *m = ea_matcher_acquire(ra->slot);
		const struct ea_entry *out[4];

		if (!m)
			continue;
		if (ea_matcher_lookup(m, &h, out, 4) != 2)
			ra->wrong++;
		ra->lookups++;
		ea_matcher_unref(m);
	}
	return NULL;
}

static void test_reload(void)
{
	struct tcat t;
	struct ea_matcher_slot slot;
	struct ea_matcher *m, *kept;
	struct reader_arg args[4];
	pthread_t th[4]; /* pthreads rather than C11 threads: ThreadSanitizer knows them */
	unsigned lookups = 0, wrong = 0;
	int started = 0;

	build_sample(&t);
	ea_matcher_new(&t.cat, &m);
	kept = ea_matcher_ref(m);
	ea_matcher_unref(m); /* the creator's reference */
	{
		const struct ea_entry *out[4];
		struct ea_host h;
		const char *why;

		ea_host_parse("guts2.fsapi.com", 15, &h, &why);
		is_int(ea_matcher_lookup(kept, &h, out, 4), 2,
		       "a matcher stays usable while someone still holds a reference");
	}
	ea_matcher_slot_init(&slot, kept);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct reader_arg){ .slot = &slot };
		if (pthread_create(&th[i], NULL, reader, &args[i]) == 0)
			started++;
		else
			break;
	}
	for (int i = 0; i < 200; i++) {
		struct ea_matcher *next;

		ea_matcher_new(&t.cat, &next);
		ea_matcher_swap(&slot, next);
	}
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		lookups += args[i].lookups;
		wrong += args[i].wrong;
	}
	ea_matcher_swap(&slot, NULL);
	ok(started == 4 && lookups == 4 * 20000u,
	   "readers look up through the slot while 200 reloads swap the matcher");
	is_int(wrong, 0, "every lookup during reloads answers as before");
	ok(ea_matcher_acquire(&slot) == NULL, "an emptied slot hands out no matcher");
	tcat_free(&t);
}

/* ---- the shipped rules ---------------------------------------------------- */

#ifdef RULES_DIR
/* Hosts real traffic carries: every catalogue pattern made concrete, with
 * lookalikes and ordinary sites around them. */
static void test_shipped_rules(void)
{
	static const char *const extra[] = {
		"www.google.com", "sophos.com.evil.test", "evilsophos.com", "xsophosupd.com",
		"withsecure.com", "fsapi.com", "sophos.com", "www.sophos.com",
		"d1.sophosupd.com", "x.sophosxl.net", "ocsp.digicert.com",
		"dzr-api-amzn-eu-west-1-9af7.api-upe.p.hmr.sophos.com",
		"tf-presigned-url-eu-west-1-prod-abc-bucket.s3.eu-west-1.amazonaws.com",
		"s3.amazonaws.com", "d3abc.cloudfront.net", "10.1.2.3", "[2001:db8::1]",
	};
	const char *paths[] = { RULES_DIR };
	struct ea_catalogue *cat = NULL;
	struct ea_diags diags;
	struct ea_matcher *m;
	unsigned hosts = 0, bad = 0, unmatched_exact = 0;

	ea_diags_init(&diags);
	if (ea_catalogue_load(paths, 1, &cat, &diags) != 0 || !cat || cat->nentries == 0) {
		ok(1, "the shipped rules agree between index and linear scan # SKIP rules do not load yet");
		ea_diags_clear(&diags);
		if (cat)
			ea_catalogue_free(cat);
		return;
	}
	ea_diags_clear(&diags);
	if (!ok(ea_matcher_new(cat, &m) == 0, "the matcher builds from the shipped rules (%zu entries)",
		cat->nentries)) {
		diag("%s", ea_matcher_errmsg(m));
		ea_matcher_unref(m);
		ea_catalogue_free(cat);
		return;
	}
	for (size_t i = 0; i < cat->nentries + sizeof(extra) / sizeof(*extra); i++) {
		const struct ea_entry *got[MAXOUT], *ref[MAXOUT];
		const struct ea_entry *e = i < cat->nentries ? cat->entries[i] : NULL;
		char text[EA_HOST_MAX + 16];
		struct ea_host h;
		const char *why;
		size_t n, nr, k = 0;
		bool found = false;

		if (e) {
			if (!e->pattern || e->kind == EA_KIND_REGEX || e->kind == EA_KIND_SITE)
				continue;
			/* "*." -> "x.", and every in-label '*' -> "q1" */
			for (const char *p = e->pattern; *p && k < EA_HOST_MAX; p++) {
				if (*p == '*') {
					text[k++] = p == e->pattern && p[1] == '.' ? 'x' : 'q';
					if (!(p == e->pattern && p[1] == '.'))
						text[k++] = '1';
				} else {
					text[k++] = *p;
				}
			}
			text[k] = '\0';
		} else {
			snprintf(text, sizeof(text), "%s", extra[i - cat->nentries]);
		}
		if (ea_host_parse(text, strlen(text), &h, &why) != 0)
			continue;
		hosts++;
		n = ea_matcher_lookup(m, &h, got, MAXOUT);
		nr = ea_linear_lookup(cat, &h, ref, MAXOUT);
		if (n != nr || memcmp(got, ref, (n < MAXOUT ? n : MAXOUT) * sizeof(*got)) != 0) {
			if (bad++ < 5)
				diag("host %s: %zu matches from the index, %zu from the linear scan", text, n, nr);
		}
		for (size_t j = 0; e && j < n && j < MAXOUT; j++)
			found |= got[j] == e;
		if (e && !found)
			unmatched_exact++;
	}
	is_int(bad, 0, "the index and the linear scan agree on %u hosts from the shipped rules", hosts);
	is_int(unmatched_exact, 0, "every shipped pattern matches a host made from it");
	ea_matcher_unref(m);
	ea_catalogue_free(cat);
}
#endif

int main(void)
{
	test_semantics();
	test_empty();
	test_differential(0x5eed2024u, false);
	test_differential(0x5eed2025u, true);
	test_reload();
#ifdef RULES_DIR
	test_shipped_rules();
#endif
	return done_testing();
}
