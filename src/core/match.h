/* The matcher: which catalogue entries a host matches, most specific first
 * (exact, in-label glob, "*." wildcards by decreasing labels, regex; ties in
 * catalogue order). Built once from a catalogue, immutable afterwards, and
 * safe to share between threads. */
#ifndef EA_MATCH_H
#define EA_MATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include "catalogue.h"
#include "host.h"
#include "util.h"

struct ea_matcher;

/* Build the matcher of cat (which must outlive it, or be adopted). 0, or -1
 * with the reason in ea_matcher_errmsg(*out). *out is set either way (NULL
 * only when out of memory) and holds one reference, owned by the caller; a
 * matcher that failed to build is only good for its message and unref. */
int ea_matcher_new(const struct ea_catalogue *cat, struct ea_matcher **out);
const char *ea_matcher_errmsg(const struct ea_matcher *m);
/* The matcher takes the catalogue it was built from and frees it with
 * itself, so a reload can swap both as one (see ea_audit_load). */
void ea_matcher_adopt_catalogue(struct ea_matcher *m, struct ea_catalogue *cat);
/* The catalogue the matcher was built from. */
const struct ea_catalogue *ea_matcher_catalogue(const struct ea_matcher *m);

/* Reference counting (C11 atomics), so that a reload can replace the
 * matcher while lookups in flight finish on the old one. ref returns m;
 * unref frees it when the last reference goes. Both accept NULL. */
struct ea_matcher *ea_matcher_ref(struct ea_matcher *m);
void ea_matcher_unref(struct ea_matcher *m);

/* Where the current matcher is published for many threads. Loading a
 * pointer and then taking a reference races with a reload that drops the
 * last reference in between; the slot closes that window without making
 * readers wait: acquire never blocks, swap waits (yielding) until no
 * acquire that may have seen the old matcher is still taking its reference. */
struct ea_matcher_slot {
	_Atomic(struct ea_matcher *) current;
	atomic_ulong acquiring;
};

/* Start with m (its reference passes to the slot; m may be NULL). */
void ea_matcher_slot_init(struct ea_matcher_slot *slot, struct ea_matcher *m);
/* A new reference to the current matcher (NULL if none): unref it when done. */
struct ea_matcher *ea_matcher_acquire(struct ea_matcher_slot *slot);
/* Publish m (the caller's reference passes to the slot) and drop the slot's
 * reference to the previous one; lookups still using it keep it alive. */
void ea_matcher_swap(struct ea_matcher_slot *slot, struct ea_matcher *m);

/* Writes up to max entries to out and returns how many matched in all
 * (which may exceed max). Never allocates, except that the first lookup of
 * a thread against a catalogue with regex entries allocates that thread's
 * PCRE2 match data (freed when the thread exits); takes no locks.
 * IP literals match no name pattern; regex entries are matched against the
 * canonical text of any host, IP literals included (IPv6 without brackets).
 * Site-specific entries never match (the site profile supplies the host). */
size_t ea_matcher_lookup(const struct ea_matcher *m, const struct ea_host *host,
			 const struct ea_entry **out, size_t max);

/* Every match, however many: *found (capacity *cap, grown as needed with
 * ea_vec_reserve; the caller frees it) gets them and *n their number. 0, or
 * -1 when out of memory. For callers that show all matches, not only the
 * EA_AUDIT_MAX_HITS a request records. */
int ea_matcher_lookup_all(const struct ea_matcher *m, const struct ea_host *host,
			  const struct ea_entry ***found, size_t *cap, size_t *n);

/* The vendor one of whose owned domains the host is, or is under (the
 * deepest owned domain wins; NULL for none and for IP literals). */
const struct ea_vendor *ea_matcher_vendor_domain(const struct ea_matcher *m,
						 const struct ea_host *host);

/* The reference implementation: apply every entry in turn. Slow, obviously
 * right; tests and `make bench` compare the matcher against it. Same
 * semantics and order as ea_matcher_lookup. */
size_t ea_linear_lookup(const struct ea_catalogue *cat, const struct ea_host *host,
			const struct ea_entry **out, size_t max);

#endif
