/* Per-key reconciliation of ICAP and access-log counts (see tally.h). */
#include "tally.h"

#include <string.h>

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void widen(time_t *first, time_t *last, time_t f, time_t l)
{
	if (f && (!*first || f < *first))
		*first = f;
	if (l > *last)
		*last = l;
}

void ea_counts_add(struct ea_counts *c, const struct ea_hit_row *row)
{
	int o = (int)row->outcome;

	if (row->source == EA_SOURCE_LOG)
		c->log[o] += row->count;
	else if (row->outcome == EA_OUTCOME_UNKNOWN)
		c->icap_requested += row->count;
	else
		c->icap[o] += row->count;
	widen(&c->first_seen, &c->last_seen, row->first_seen, row->last_seen);
}

void ea_counts_reconcile(const struct ea_counts *c, struct ea_tally *out)
{
	uint64_t log_total = c->log[0] + c->log[1] + c->log[2] + c->log[3];
	uint64_t icap_decided = c->icap[0] + c->icap[1] + c->icap[2];
	uint64_t icap_seen = max_u64(c->icap_requested, icap_decided);
	uint64_t decided;

	memset(out, 0, sizeof(*out));
	if (log_total && log_total >= icap_seen) {
		/* The log saw every request ICAP did: Squid's final word stands,
		 * even where RESPMOD judged one differently (an origin's 503 is
		 * "allowed" there, "failed" in a log without %err_code). */
		out->allowed = c->log[EA_OUTCOME_ALLOWED];
		out->denied = c->log[EA_OUTCOME_DENIED];
		out->failed = c->log[EA_OUTCOME_FAILED];
		out->requested = log_total;
	} else {
		/* No log, or one imported only in part: each source is a lower
		 * bound of every outcome. */
		out->allowed = max_u64(c->icap[EA_OUTCOME_ALLOWED], c->log[EA_OUTCOME_ALLOWED]);
		out->denied = max_u64(c->icap[EA_OUTCOME_DENIED], c->log[EA_OUTCOME_DENIED]);
		out->failed = max_u64(c->icap[EA_OUTCOME_FAILED], c->log[EA_OUTCOME_FAILED]);
		decided = out->allowed + out->denied + out->failed;
		out->requested = max_u64(max_u64(c->icap_requested, log_total), decided);
	}
	out->unknown = out->requested - out->allowed - out->denied - out->failed;
	out->first_seen = c->first_seen;
	out->last_seen = c->last_seen;
}

void ea_tally_add(struct ea_tally *sum, const struct ea_tally *t)
{
	sum->requested += t->requested;
	sum->allowed += t->allowed;
	sum->denied += t->denied;
	sum->failed += t->failed;
	sum->unknown += t->unknown;
	widen(&sum->first_seen, &sum->last_seen, t->first_seen, t->last_seen);
}
