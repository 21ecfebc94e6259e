/* Host patterns of the catalogue: exact names, "*." wildcards and in-label
 * globs. Validation (with the column of the fault) and single-pattern
 * matching, the reference semantics every matcher must agree with. */
#ifndef EA_PATTERN_H
#define EA_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include "host.h"

enum ea_kind { EA_KIND_EXACT, EA_KIND_GLOB, EA_KIND_WILDCARD, EA_KIND_REGEX, EA_KIND_SITE };

const char *ea_kind_name(enum ea_kind k); /* "exact", "glob", "wildcard", "regex", "site" */

/* Validate a host pattern and write its canonical text (lower case, no
 * trailing dot) to canon (at least EA_HOST_MAX + 3 bytes).
 *   a.b.c        exact
 *   *.b.c        wildcard: one or more labels in front of b.c, never b.c
 *   x-*-y.b.c    glob: '*' inside a label matches zero or more non-dots
 * Rules: a lone '*' label only leftmost; no "**"; a leading "*." is not
 * combined with another '*'; the suffix after "*." has at least two labels.
 * Returns 0, or -1 with *why and *column (0-based offset into text). */
int ea_pattern_parse(const char *text, size_t len, char *canon,
		     enum ea_kind *kind, const char **why, size_t *column);

/* Does canonical pattern `canon` of kind `kind` (not regex) match host? */
bool ea_pattern_match(const char *canon, enum ea_kind kind, const struct ea_host *host);

/* Does one pattern label (with '*' matching zero or more characters) match
 * one host label? Linear-time greedy matching: no recursion, at most
 * pn * sn steps however many stars the label holds. */
bool ea_label_glob(const char *p, size_t pn, const char *s, size_t sn);

/* Number of labels of a canonical pattern, the "*" label included. */
unsigned ea_pattern_labels(const char *canon);

#endif
