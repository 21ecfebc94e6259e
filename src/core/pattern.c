/* Catalogue host patterns: validation with the column of the first fault,
 * canonical text, and the reference single-pattern match that the indexed
 * matcher must agree with. Like host.c: bounded, no allocation, no locale. */
#include "pattern.h"

#include <stdint.h>
#include <string.h>

#include "chars.h"

const char *ea_kind_name(enum ea_kind k)
{
	switch (k) {
	case EA_KIND_EXACT:
		return "exact";
	case EA_KIND_GLOB:
		return "glob";
	case EA_KIND_WILDCARD:
		return "wildcard";
	case EA_KIND_REGEX:
		return "regex";
	case EA_KIND_SITE:
		return "site";
	}
	return "unknown";
}

static bool is_name_char(unsigned char c)
{
	return ea_isalnum(c) || c == '-' || c == '_';
}

static const char *bad_char_reason(unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return "whitespace in pattern";
	if (c == '\0')
		return "NUL byte in pattern";
	if (c >= 0x80)
		return "non-ASCII byte in pattern";
	if (c == ':')
		return "':' in pattern (ports are listed separately)";
	if (c == '/')
		return "'/' in pattern (a pattern is a host, not a URL)";
	return "invalid character in pattern";
}

static int fail(const char **why, size_t *column, const char *reason, size_t col)
{
	if (why)
		*why = reason;
	if (column)
		*column = col;
	return -1;
}

/* One left-to-right pass, so the fault reported is the leftmost one (except
 * for the whole-pattern rules checked at the end). */
static int pattern_parse(const char *text, size_t len, char *canon,
			 enum ea_kind *kind, const char **why, size_t *column)
{
	size_t n = len, start = 0, first_star = SIZE_MAX;
	unsigned labels = 0;
	bool wildcard = false, glob = false, numeric = true;

	if (!text || len == 0)
		return fail(why, column, "empty pattern", 0);
	if (text[n - 1] == '.')
		n--; /* one trailing dot, as for hosts; a second is an empty label */
	if (n == 0)
		return fail(why, column, "empty pattern", 0);
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)text[i] : '.';

		if (c == '.') {
			size_t l = i - start;

			if (l == 0)
				return fail(why, column, "empty label in pattern", i);
			if (l == 1 && text[start] == '*') {
				if (labels > 0)
					return fail(why, column,
						    "a '*' label is only allowed leftmost", start);
				wildcard = true;
			} else if (first_star != SIZE_MAX) {
				if (wildcard)
					return fail(why, column,
						    "a leading '*.' cannot be combined with another '*'",
						    first_star);
				glob = true;
			}
			labels++;
			start = i + 1;
			first_star = SIZE_MAX;
			if (i < n)
				canon[i] = '.';
			continue;
		}
		if (i >= EA_HOST_MAX)
			return fail(why, column, "pattern longer than 253 characters", i);
		if (i - start >= EA_LABEL_MAX)
			return fail(why, column, "label longer than 63 characters", i);
		if (c == '*') {
			if (i > start && text[i - 1] == '*')
				return fail(why, column, "'**' is not allowed", i);
			if (first_star == SIZE_MAX)
				first_star = i;
			numeric = false;
		} else if (!is_name_char(c)) {
			return fail(why, column, bad_char_reason(c), i);
		} else if (!ea_isdigit(c)) {
			numeric = false;
		}
		canon[i] = (char)ea_tolower(c);
	}
	canon[n] = '\0';
	if (wildcard && labels < 3)
		return fail(why, column, "a wildcard needs at least two labels after '*.'", 0);
	/* Digits and dots are an IPv4 address or no host at all (see host.c);
	 * either way no host would ever match it. */
	if (numeric)
		return fail(why, column, "numeric pattern (IP addresses match no pattern)", 0);
	if (kind)
		*kind = wildcard ? EA_KIND_WILDCARD : glob ? EA_KIND_GLOB : EA_KIND_EXACT;
	return 0;
}

int ea_pattern_parse(const char *text, size_t len, char *canon,
		     enum ea_kind *kind, const char **why, size_t *column)
{
	int rc = pattern_parse(text, len, canon, kind, why, column);

	if (rc != 0)
		canon[0] = '\0'; /* never leave a half-written pattern behind */
	return rc;
}

/* '*' matches zero or more characters of one label. The classic greedy
 * algorithm: on a mismatch, let the most recent '*' swallow one more
 * character and retry from there. Earlier stars never need revisiting, so
 * there is no recursion and the cost is at most pn * sn (63 * 63), however
 * many stars the pattern holds. */
bool ea_label_glob(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

static bool glob_match(const char *canon, const struct ea_host *host)
{
	const char *p = canon;

	if (ea_pattern_labels(canon) != host->nlabels)
		return false;
	for (unsigned i = 0; i < host->nlabels; i++) {
		const char *dot = strchr(p, '.');
		size_t pn = dot ? (size_t)(dot - p) : strlen(p);
		size_t hs = host->label_start[i];
		size_t he = i + 1 < host->nlabels ? (size_t)host->label_start[i + 1] - 1 : host->len;

		/* Host labels are never empty, so a glob label always has to
		 * consume at least one character. */
		if (he <= hs || !ea_label_glob(p, pn, host->name + hs, he - hs))
			return false;
		p += pn + (dot ? 1 : 0);
	}
	return true;
}

bool ea_pattern_match(const char *canon, enum ea_kind kind, const struct ea_host *host)
{
	size_t cl, sl;

	if (!canon || !host || host->type != EA_HOST_NAME || host->nlabels == 0)
		return false;
	cl = strlen(canon);
	switch (kind) {
	case EA_KIND_EXACT:
	case EA_KIND_SITE: /* the site profile's host: compared exactly */
		return cl == host->len && memcmp(canon, host->name, cl) == 0;
	case EA_KIND_WILDCARD:
		/* "*.b.c": at least one whole label in front of ".b.c". */
		if (cl < 3 || canon[0] != '*' || canon[1] != '.')
			return false;
		sl = cl - 2;
		return host->len > sl + 1 && host->name[host->len - sl - 1] == '.' &&
		       memcmp(host->name + host->len - sl, canon + 2, sl) == 0;
	case EA_KIND_GLOB:
		return glob_match(canon, host);
	case EA_KIND_REGEX:
		break;
	}
	return false;
}

unsigned ea_pattern_labels(const char *canon)
{
	unsigned n = 1;

	if (!canon || !*canon)
		return 0;
	for (; *canon; canon++)
		if (*canon == '.')
			n++;
	return n;
}
