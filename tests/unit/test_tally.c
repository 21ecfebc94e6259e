/* Reconciliation: a request seen by ICAP and by the log counts once. */
#include <string.h>

#include "core/tally.h"
#include "tap.h"

static void add(struct ea_counts *c, enum ea_source src, enum ea_outcome o, uint64_t n, time_t t)
{
	struct ea_hit_row r;

	memset(&r, 0, sizeof(r));
	r.source = src;
	r.outcome = o;
	r.count = n;
	r.first_seen = r.last_seen = t;
	ea_counts_add(c, &r);
}

int main(void)
{
	struct ea_counts c;
	struct ea_tally t, sum;

	memset(&c, 0, sizeof(c));
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_UNKNOWN, 5, 100);
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_ALLOWED, 5, 101);
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 5 && t.allowed == 5 && t.unknown == 0,
	   "ICAP alone: REQMOD and RESPMOD of the same 5 requests count 5, all allowed");

	add(&c, EA_SOURCE_LOG, EA_OUTCOME_ALLOWED, 5, 102);
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 5 && t.allowed == 5, "the same 5 requests imported from the log still count 5");

	memset(&c, 0, sizeof(c));
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_UNKNOWN, 3, 100); /* e.g. CONNECT tunnels */
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 3 && t.unknown == 3, "requests ICAP saw without a response stay unknown");
	add(&c, EA_SOURCE_LOG, EA_OUTCOME_ALLOWED, 2, 100);
	add(&c, EA_SOURCE_LOG, EA_OUTCOME_FAILED, 1, 100);
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 3 && t.allowed == 2 && t.failed == 1 && t.unknown == 0,
	   "the log explains the outcomes ICAP could not see");

	memset(&c, 0, sizeof(c));
	add(&c, EA_SOURCE_LOG, EA_OUTCOME_DENIED, 4, 50);
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 4 && t.denied == 4, "requests denied by http_access come from the log alone");

	memset(&c, 0, sizeof(c));
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_UNKNOWN, 10, 100);
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_ALLOWED, 10, 100);
	add(&c, EA_SOURCE_LOG, EA_OUTCOME_ALLOWED, 6, 90);
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 10 && t.allowed == 10, "a log imported only in part does not lower the count");
	is_int(t.first_seen, 90, "first seen is the earliest of both sources");
	is_int(t.last_seen, 100, "last seen is the latest of both sources");

	memset(&sum, 0, sizeof(sum));
	ea_tally_add(&sum, &t);
	ea_tally_add(&sum, &t);
	ok(sum.requested == 20 && sum.allowed == 20 && sum.first_seen == 90, "tallies of different keys add up");
	memset(&c, 0, sizeof(c));
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_UNKNOWN, 1, 100);
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_ALLOWED, 1, 100); /* an origin's own 503 */
	add(&c, EA_SOURCE_LOG, EA_OUTCOME_FAILED, 1, 100);   /* the same, in the native log */
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 1 && t.failed == 1 && t.allowed == 0,
	   "a request the two sources judge differently counts once, with the log's outcome");

	memset(&c, 0, sizeof(c));
	add(&c, EA_SOURCE_ICAP, EA_OUTCOME_ALLOWED, 5, 100); /* RESPMOD only, no REQMOD */
	add(&c, EA_SOURCE_LOG, EA_OUTCOME_ALLOWED, 3, 100);
	ea_counts_reconcile(&c, &t);
	ok(t.requested == 5 && t.allowed == 5,
	   "a log that saw fewer requests than RESPMOD does not lower the count");

	return done_testing();
}
