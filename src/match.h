/* The matcher: which catalogue entries a host matches, most specific first
 * (exact, in-label glob, "*." wildcards by decreasing labels, regex; ties in
 * catalogue order). Built once from a catalogue, immutable afterwards, and
 * safe to share between threads. */
#ifndef EA_MATCH_H
#define EA_MATCH_H

#include <stddef.h>
#include "catalogue.h"
#include "host.h"

struct ea_matcher;

/* NULL on failure, with a reason in err. The catalogue must outlive it. */
struct ea_matcher *ea_matcher_new(const struct ea_catalogue *cat, char *err, size_t errlen);
void ea_matcher_free(struct ea_matcher *m);

/* Writes up to max entries to out and returns how many matched in all
 * (which may exceed max). IP literals match no name pattern. */
size_t ea_matcher_lookup(const struct ea_matcher *m, const struct ea_host *host,
			 const struct ea_entry **out, size_t max);

/* The vendor one of whose owned domains the host is, or is under. */
const struct ea_vendor *ea_matcher_vendor_domain(const struct ea_matcher *m,
						 const struct ea_host *host);

/* The reference implementation: apply every entry in turn. Slow, obviously
 * right; tests and `make bench` compare the matcher against it. */
size_t ea_linear_lookup(const struct ea_catalogue *cat, const struct ea_host *host,
			const struct ea_entry **out, size_t max);

#endif
