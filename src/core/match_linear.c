/* The reference matcher: apply every catalogue entry to the host in turn.
 * Slow and obviously right; the unit tests and `make bench` check the
 * compiled index (match.c) against it on every host they try. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>

#include "match.h"

/* Most specific first: exact, in-label glob, "*." wildcards, regex. */
static int kind_rank(enum ea_kind k)
{
	switch (k) {
	case EA_KIND_EXACT:    return 0;
	case EA_KIND_GLOB:     return 1;
	case EA_KIND_WILDCARD: return 2;
	case EA_KIND_REGEX:    return 3;
	case EA_KIND_SITE:     break;
	}
	return 4;
}

/* Does a come before b in the matcher's output order? Wildcards with more
 * labels are more specific; anything else that ties keeps catalogue order. */
static bool before(const struct ea_entry *a, const struct ea_entry *b)
{
	int ra = kind_rank(a->kind), rb = kind_rank(b->kind);

	if (ra != rb)
		return ra < rb;
	if (a->kind == EA_KIND_WILDCARD) {
		unsigned la = ea_pattern_labels(a->pattern), lb = ea_pattern_labels(b->pattern);

		if (la != lb)
			return la > lb;
	}
	return a->index < b->index;
}

/* Keep out[0..*n) sorted and holding the first max matches seen so far in
 * output order, without allocating: an insertion into a bounded array. */
static void insert(const struct ea_entry *e, const struct ea_entry **out, size_t max, size_t *n)
{
	size_t i;

	if (*n < max) {
		i = (*n)++;
	} else {
		if (max == 0 || !before(e, out[max - 1]))
			return;
		i = max - 1;
	}
	while (i > 0 && before(e, out[i - 1])) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = e;
}

static bool regex_matches(const struct ea_entry *e, const struct ea_host *host,
			  pcre2_match_data **md)
{
	if (!e->regex)
		return false;
	if (!*md)
		*md = pcre2_match_data_create(1, NULL);
	if (!*md) /* out of memory: nothing we can report through this interface */
		return false;
	/* rc 0 means "matched, ovector too small for the captures": still a match. */
	return pcre2_match(e->regex, (PCRE2_SPTR)host->name, host->len, 0, 0, *md, NULL) >= 0;
}

size_t ea_linear_lookup(const struct ea_catalogue *cat, const struct ea_host *host,
			const struct ea_entry **out, size_t max)
{
	pcre2_match_data *md = NULL;
	size_t total = 0, n = 0;

	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *e = cat->entries[i];
		bool hit;

		switch (e->kind) {
		case EA_KIND_EXACT:
		case EA_KIND_GLOB:
		case EA_KIND_WILDCARD:
			/* IP literals match no name pattern, even one spelled alike. */
			hit = host->type == EA_HOST_NAME && e->pattern &&
			      ea_pattern_match(e->pattern, e->kind, host);
			break;
		case EA_KIND_REGEX:
			hit = regex_matches(e, host, &md);
			break;
		default: /* site-specific: the site profile supplies the host */
			hit = false;
			break;
		}
		if (!hit)
			continue;
		total++;
		insert(e, out, max, &n);
	}
	pcre2_match_data_free(md);
	return total;
}
