/* Reconciling the store's two sources, so a request seen by both the ICAP
 * module and the access log counts once. Per key (bucket, entry, host, port,
 * client, user) each source is a lower bound of what happened:
 *   icap, outcome unknown: requests seen at REQMOD (passed http_access);
 *   icap, other outcomes:  responses seen at RESPMOD (from an origin);
 *   log, any outcome:      Squid's final word on every request it logged.
 * When the log saw at least as many requests of a key as ICAP did, the
 * log's outcomes stand (Squid's final word; a request both sources saw but
 * judged differently still counts once). Otherwise (no log, or a log
 * imported only in part) each outcome is the larger of the two sources',
 * and the requests the largest total any source saw; what is left without
 * an outcome stays unknown (a tunnel or Squid error that no log explained).
 */
#ifndef EA_TALLY_H
#define EA_TALLY_H

#include <stdint.h>
#include <time.h>
#include "hit.h"

/* Raw counts of one key, by source and outcome. */
struct ea_counts {
	uint64_t icap_requested;     /* icap + unknown */
	uint64_t icap[3];            /* icap: allowed, denied, failed */
	uint64_t log[4];             /* log: allowed, denied, failed, unknown */
	time_t first_seen, last_seen;
};

/* What the report shows. */
struct ea_tally {
	uint64_t requested, allowed, denied, failed, unknown;
	time_t first_seen, last_seen; /* 0 when nothing was seen */
};

void ea_counts_add(struct ea_counts *c, const struct ea_hit_row *row);
void ea_counts_reconcile(const struct ea_counts *c, struct ea_tally *out);
/* Sum tallies of different keys (other buckets, clients, hosts...). */
void ea_tally_add(struct ea_tally *sum, const struct ea_tally *t);

#endif
