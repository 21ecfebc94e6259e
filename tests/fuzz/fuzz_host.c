/* Fuzz target: host names, targets and catalogue patterns (host.c,
 * pattern.c) and the compiled matcher (match.c). Beyond "never crash", it
 * checks what the rest of the code relies on: canonical forms parse back to
 * themselves, and the compiled index, the linear reference and a naive
 * matcher written here from the pattern.h comments agree on every match. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/host.h"
#include "core/match.h"
#include "core/pattern.h"

#define CHECK FUZZ_CHECK

/* What ea_host_parse promises about a host it accepted. */
static void check_host(const struct ea_host *h)
{
	struct ea_host again;
	const char *why;

	CHECK(h->len == strlen(h->name));
	CHECK(h->len > 0 && h->len <= EA_HOST_MAX + 2);
	if (h->type != EA_HOST_NAME)
		CHECK(h->nlabels == 0);
	else {
		CHECK(h->len <= EA_HOST_MAX);
		CHECK(h->nlabels >= 1 && h->nlabels <= EA_LABELS_MAX);
		CHECK(h->label_start[0] == 0);
		for (unsigned i = 1; i < h->nlabels; i++)
			CHECK(h->label_start[i] > h->label_start[i - 1] &&
			      h->name[h->label_start[i] - 1] == '.');
		for (size_t i = 0; i < h->len; i++)
			CHECK(!(h->name[i] >= 'A' && h->name[i] <= 'Z'));
	}
	/* The canonical text is a fixed point. */
	CHECK(ea_host_parse(h->name, h->len, &again, &why) == 0);
	CHECK(again.type == h->type && again.len == h->len &&
	      memcmp(again.name, h->name, h->len + 1) == 0 && again.nlabels == h->nlabels);
	CHECK(memcmp(again.label_start, h->label_start, h->nlabels) == 0);
}

/* One pattern label against one host label, '*' matching any run of
 * characters: a table, not ea_label_glob's greedy scan. */
static bool naive_glob(const char *p, size_t pn, const char *s, size_t sn)
{
	bool m[EA_HOST_MAX + 2][EA_HOST_MAX + 2];

	CHECK(pn <= EA_HOST_MAX && sn <= EA_HOST_MAX);
	m[pn][sn] = true;
	for (size_t j = 0; j < sn; j++)
		m[pn][j] = false;
	for (size_t i = pn; i-- > 0;)
		for (size_t j = sn + 1; j-- > 0;) {
			if (p[i] == '*')
				m[i][j] = m[i + 1][j] || (j < sn && m[i][j + 1]);
			else
				m[i][j] = j < sn && p[i] == s[j] && m[i + 1][j + 1];
		}
	return m[0][0];
}

struct labels {
	unsigned n;
	const char *s[EA_LABELS_MAX + 1];
	size_t len[EA_LABELS_MAX + 1];
};

static void split_labels(const char *text, struct labels *l)
{
	const char *p = text;

	l->n = 0;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		CHECK(l->n <= EA_LABELS_MAX);
		l->s[l->n] = p;
		l->len[l->n++] = n;
		if (!dot)
			break;
		p = dot + 1;
	}
}

/* The semantics pattern.h states, written the slow, plain way. */
static bool naive_match(const char *canon, enum ea_kind kind, const struct ea_host *h)
{
	struct labels pl, hl;

	if (h->type != EA_HOST_NAME)
		return false;
	split_labels(canon, &pl);
	split_labels(h->name, &hl);
	switch (kind) {
	case EA_KIND_EXACT:
		return strcmp(canon, h->name) == 0;
	case EA_KIND_WILDCARD:
		/* One or more labels in front of the suffix, never the suffix. */
		if (hl.n < pl.n)
			return false;
		for (unsigned i = 1; i < pl.n; i++)
			if (pl.len[i] != hl.len[hl.n - pl.n + i] ||
			    memcmp(pl.s[i], hl.s[hl.n - pl.n + i], pl.len[i]) != 0)
				return false;
		return true;
	case EA_KIND_GLOB:
		if (hl.n != pl.n)
			return false;
		for (unsigned i = 0; i < pl.n; i++)
			if (!naive_glob(pl.s[i], pl.len[i], hl.s[i], hl.len[i]))
				return false;
		return true;
	default:
		return false;
	}
}

/* A catalogue of one entry, as a caller might hand-make it: the compiled
 * matcher must find exactly what the linear reference finds. */
static void check_matchers(const char *canon, enum ea_kind kind, const struct ea_host *h,
			   bool expect)
{
	struct ea_vendor vendor = { .id = (char *)"fuzz", .name = (char *)"Fuzz" };
	struct ea_entry entry = { .id = (char *)"fuzz-entry", .vendor = &vendor, .kind = kind,
				  .pattern = (char *)canon };
	struct ea_vendor *vendors[1] = { &vendor };
	struct ea_entry *entries[1] = { &entry };
	struct ea_catalogue cat = { .vendors = vendors, .nvendors = 1,
				    .entries = entries, .nentries = 1 };
	const struct ea_entry *out[2];
	struct ea_matcher *m;

	CHECK(ea_linear_lookup(&cat, h, out, 2) == (expect ? 1u : 0u));
	if (ea_matcher_new(&cat, &m) < 0) {
		fprintf(stderr, "ea_matcher_new('%s'): %s\n", canon, ea_matcher_errmsg(m));
		CHECK(0);
	}
	CHECK(ea_matcher_lookup(m, h, out, 2) == (expect ? 1u : 0u));
	CHECK(!expect || out[0] == &entry);
	ea_matcher_unref(m);
}

static void check_pattern_on(const char *canon, enum ea_kind kind, const struct ea_host *h)
{
	bool got = ea_pattern_match(canon, kind, h);

	if (got != naive_match(canon, kind, h)) {
		fprintf(stderr, "pattern '%s' (%s) on host '%s': ea_pattern_match says %d\n",
			canon, ea_kind_name(kind), h->name, got);
		CHECK(got == naive_match(canon, kind, h));
	}
	check_matchers(canon, kind, h, got);
}

/* Parse text as a pattern; canon gets its canonical form. */
static bool parse_pattern(const char *text, size_t len, char *canon, enum ea_kind *kind)
{
	char again[EA_HOST_MAX + 3];
	enum ea_kind kind2;
	const char *why = NULL;
	size_t col = SIZE_MAX;

	if (ea_pattern_parse(text, len, canon, kind, &why, &col) != 0) {
		CHECK(why != NULL && col <= len && canon[0] == '\0');
		return false;
	}
	CHECK(strlen(canon) > 0 && strlen(canon) <= EA_HOST_MAX);
	CHECK(*kind == EA_KIND_EXACT || *kind == EA_KIND_GLOB || *kind == EA_KIND_WILDCARD);
	CHECK(ea_pattern_labels(canon) >= 1);
	CHECK(ea_pattern_parse(canon, strlen(canon), again, &kind2, &why, &col) == 0);
	CHECK(strcmp(again, canon) == 0 && kind2 == *kind);
	return true;
}

static bool parse_host(const char *text, size_t len, struct ea_host *h)
{
	struct ea_target t;
	const char *why = NULL;

	if (ea_host_parse(text, len, h, &why) != 0) {
		CHECK(why != NULL && h->len == 0 && h->name[0] == '\0');
		return false;
	}
	check_host(h);
	/* A bare host is also a target, without a port. */
	CHECK(ea_target_parse(text, len, &t, &why) == 0);
	CHECK(t.port == -1 && t.host.type == h->type && strcmp(t.host.name, h->name) == 0);
	return true;
}

static void fuzz_target(const char *text, size_t len)
{
	struct ea_target t;
	const char *why = NULL;

	if (ea_target_parse(text, len, &t, &why) != 0) {
		CHECK(why != NULL && t.port == -1 && t.host.len == 0);
		return;
	}
	CHECK(t.port == -1 || (t.port >= 1 && t.port <= 65535));
	check_host(&t.host);
	(void)ea_port_parse(text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_dup(data, size, 0);
	const char *nl = size ? memchr(text, '\n', size) : NULL;
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind;
	struct ea_host h;
	bool is_pattern, is_host;

	fuzz_target(text, size);
	/* The whole input as a pattern and as a host. */
	is_pattern = parse_pattern(text, size, canon, &kind);
	is_host = parse_host(text, size, &h);
	if (is_pattern && is_host)
		check_pattern_on(canon, kind, &h);
	/* "PATTERN\nHOST": one against the other. */
	if (nl) {
		size_t plen = (size_t)(nl - text), hlen = size - plen - 1;
		char *pat = fuzz_dup(text, plen, 0), *host = fuzz_dup(nl + 1, hlen, 0);

		if (parse_pattern(pat, plen, canon, &kind) && parse_host(host, hlen, &h))
			check_pattern_on(canon, kind, &h);
		free(pat);
		free(host);
	}
	free(text);
	return 0;
}
