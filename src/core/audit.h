/* The audit engine shared by the c-icap module, the log daemon and the
 * importer: load a catalogue into a matcher, and turn one proxied request
 * into the hits the store records. No I/O of its own besides reading the
 * catalogue. */
#ifndef EA_AUDIT_H
#define EA_AUDIT_H

#include <stddef.h>
#include <time.h>
#include "host.h"
#include "match.h"
#include "hit.h"

/* The one way from catalogue files to a matcher: load the paths and build
 * a matcher that owns the catalogue (ea_matcher_unref frees both). As
 * ea_catalogue_load: 0, or -1 and *out NULL with every error in diags
 * (ea_diags_errmsg names the first; a matcher that cannot be built is one
 * more error there). Warnings go to diags on success too. */
int ea_audit_load(const char *const *paths, size_t npaths, struct ea_matcher **out,
		  struct ea_diags *diags);

/* The one limit on matches per request: the hits of one request that are
 * recorded (the module, the log daemon and the importer keep this many and
 * count the rest as truncated). No shipped host matches more than a few. */
#define EA_AUDIT_MAX_HITS 64

/* The hits one request makes: one per matching catalogue entry; or, when
 * no entry matches but the host is under a vendor-owned domain, one
 * "uncatalogued" hit (entry ""); or none for any other host. Writes at most
 * max hits and returns how many there were in all. */
size_t ea_audit_hits(const struct ea_matcher *m, const struct ea_target *target,
		     time_t when, const char *client, const char *user,
		     enum ea_outcome outcome, enum ea_source source,
		     struct ea_hit *out, size_t max);

#endif
