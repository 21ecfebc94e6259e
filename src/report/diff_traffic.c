/* Catalogue changes against traffic (diff_traffic.h). Entries outside the
 * report's scope (the site profile) have no report entry and no impact. */
#include "diff_traffic.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *ea_impact_name(enum ea_impact i)
{
	switch (i) {
	case EA_IMPACT_REMOVED_IN_USE: return "removed-in-use";
	case EA_IMPACT_NEW_NEVER_SEEN: return "new-never-seen";
	case EA_IMPACT_NEW_BLOCKED: return "new-blocked";
	case EA_IMPACT_PORT_REFUSED: return "port-refused";
	}
	return "?";
}

static const struct ea_report_entry *find(const struct ea_report *r, const struct ea_entry *e)
{
	for (size_t i = 0; e && i < r->nentries; i++)
		if (r->entries[i].entry == e)
			return &r->entries[i];
	return NULL;
}

struct impacts {
	struct ea_diff_impact *v;
	size_t n, cap;
};

static int add(struct impacts *a, const struct ea_entry_diff *c, enum ea_impact kind,
	       const struct ea_report_entry *seen, unsigned port, const struct ea_tally *t)
{
	struct ea_diff_impact *v = ea_vec_push(&a->v, &a->n, &a->cap, sizeof(*v));

	if (!v)
		return -1;
	v->change = c;
	v->kind = kind;
	v->seen = seen;
	v->port = port;
	v->tally = *t;
	return 0;
}

static const struct ea_report_port *port_of(const struct ea_report_entry *re, unsigned port)
{
	for (size_t i = 0; i < re->stats.nports; i++)
		if (re->stats.ports[i].port == port)
			return &re->stats.ports[i];
	return NULL;
}

static int judge(struct impacts *a, const struct ea_entry_diff *c,
		 const struct ea_report_entry *was, const struct ea_report_entry *now)
{
	bool host = c->change != EA_CHANGE_CHANGED || (c->fields & EA_FIELD_HOST);
	bool now_required = now && now->entry->level == EA_LEVEL_REQUIRED &&
		(c->change == EA_CHANGE_ADDED || (c->fields & (EA_FIELD_HOST | EA_FIELD_LEVEL)));

	/* The old host still asked for, and the new entry (if any) not. */
	if (was && host && was->stats.total.requested &&
	    (!now || now->stats.total.requested == 0) &&
	    add(a, c, EA_IMPACT_REMOVED_IN_USE, was, 0, &was->stats.total) < 0)
		return -1;
	if (now_required && now->status == EA_STATUS_NEVER_SEEN &&
	    add(a, c, EA_IMPACT_NEW_NEVER_SEEN, now, 0, &now->stats.total) < 0)
		return -1;
	if (now_required && now->status == EA_STATUS_BLOCKED &&
	    add(a, c, EA_IMPACT_NEW_BLOCKED, now, 0, &now->stats.total) < 0)
		return -1;
	for (size_t i = 0; now && i < c->nports_added; i++) {
		const struct ea_report_port *p = port_of(now, c->ports_added[i]);

		if (p && p->tally.denied + p->tally.failed && !p->tally.allowed &&
		    add(a, c, EA_IMPACT_PORT_REFUSED, now, p->port, &p->tally) < 0)
			return -1;
	}
	return 0;
}

int ea_diff_impacts(const struct ea_catalogue_diff *d, const struct ea_report *old_report,
		    const struct ea_report *new_report, struct ea_diff_impact **out, size_t *n)
{
	struct impacts a = { 0 };

	for (size_t i = 0; i < d->nentries; i++) {
		const struct ea_entry_diff *c = &d->entries[i];

		if (judge(&a, c, find(old_report, c->old), find(new_report, c->new)) < 0) {
			free(a.v);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	*out = a.v;
	*n = a.n;
	return 0;
}
