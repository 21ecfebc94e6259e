/* The report model (see report.h): the entries in scope, their totals and
 * statuses once report_read.c has read the stores into it. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

const char *const ea_report_counter_names[EA_REPORT_NCOUNTERS] = {
	EA_COUNTER_QUEUE_FULL, EA_COUNTER_DB_BUSY, EA_COUNTER_DB_FULL,
	EA_COUNTER_DB_ERROR, EA_COUNTER_SHUTDOWN,
};

static const char *const status_names[EA_STATUS_COUNT] = {
	"blocked", "partial", "retired-in-use", "never-seen", "unverified",
	"unconfigured", "ok", "retired",
};

const char *ea_status_name(enum ea_status s)
{
	return (unsigned)s < EA_STATUS_COUNT ? status_names[s] : "?";
}

enum ea_status ea_status_of(const struct ea_tally *t, bool retired)
{
	uint64_t refused = t->denied + t->failed;

	if (retired)
		return t->requested ? EA_STATUS_RETIRED_IN_USE : EA_STATUS_RETIRED;
	if (t->requested == 0)
		return EA_STATUS_NEVER_SEEN;
	if (t->allowed && refused)
		return EA_STATUS_PARTIAL;
	if (t->allowed)
		return EA_STATUS_OK;
	if (refused)
		return EA_STATUS_BLOCKED;
	return EA_STATUS_UNVERIFIED;
}

static int cmp_host(const void *a, const void *b)
{
	return strcmp(((const struct ea_report_host *)a)->host, ((const struct ea_report_host *)b)->host);
}

void ea_report_stats_free(struct ea_report_stats *st)
{
	for (size_t i = 0; i < st->nhosts; i++)
		free(st->hosts[i].host);
	free(st->hosts);
	free(st->ports);
	free(st->by_proxy);
}

static int cmp_uncatalogued(const void *pa, const void *pb)
{
	const struct ea_report_uncatalogued *a = pa, *b = pb;
	int c = strcmp(a->vendor, b->vendor);

	return c ? c : strcmp(a->host, b->host);
}

static int cmp_port(const void *pa, const void *pb)
{
	const struct ea_report_port *a = pa, *b = pb;

	if (a->listed != b->listed)
		return a->listed ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

/* A retired entry whose host a current entry in scope still names (a
 * vendor lists one endpoint under an old product and its successor): its
 * traffic is the current entry's, and retired-in-use would cry wolf. */
static void find_covering(struct ea_report *r)
{
	for (size_t i = 0; i < r->nentries; i++) {
		struct ea_report_entry *re = &r->entries[i];

		if (!re->retired || re->entry->kind != EA_KIND_EXACT)
			continue;
		for (size_t k = 0; k < r->nentries && !re->covered_by; k++) {
			const struct ea_report_entry *cur = &r->entries[k];

			if (!cur->retired && cur->entry->kind == EA_KIND_EXACT &&
			    strcmp(cur->entry->pattern, re->entry->pattern) == 0)
				re->covered_by = cur->entry;
		}
	}
}

/* The entry's timeline over its listed ports counted: failing when one
 * of them is (since the earliest), recovered at the latest recovery
 * otherwise. */
static void entry_timeline(struct ea_report_entry *re)
{
	struct ea_report_timeline *tl = &re->tl;

	for (size_t p = 0; p < re->stats.nports; p++) {
		const struct ea_report_port *rp = &re->stats.ports[p];
		const struct ea_report_timeline *pt = &rp->tl;

		if (!rp->listed || rp->acknowledged)
			continue;
		if (pt->last_allowed > tl->last_allowed)
			tl->last_allowed = pt->last_allowed;
		if (pt->last_refused > tl->last_refused)
			tl->last_refused = pt->last_refused;
		if (pt->failing_since && (!tl->failing_since || pt->failing_since < tl->failing_since))
			tl->failing_since = pt->failing_since;
		if (pt->recovered_at > tl->recovered_at) {
			tl->recovered_at = pt->recovered_at;
			tl->failing_from = pt->failing_from;
		}
	}
	if (tl->failing_since)
		tl->recovered_at = tl->failing_from = 0;
}

/* Totals and statuses once everything is counted. */
static void finish(struct ea_report *r)
{
	find_covering(r);
	for (size_t i = 0; i < r->nentries; i++) {
		struct ea_report_entry *re = &r->entries[i];
		struct ea_report_stats *st = &re->stats;

		for (size_t p = 0; p < st->nports; p++) {
			struct ea_report_port *rp = &st->ports[p];

			rp->status = ea_status_of(&rp->tally, false);
			if (rp->listed && !rp->acknowledged)
				ea_tally_add(&st->total, &rp->tally);
		}
		if (st->nports > 1)
			qsort(st->ports, st->nports, sizeof(*st->ports), cmp_port);
		if (st->nhosts > 1)
			qsort(st->hosts, st->nhosts, sizeof(*st->hosts), cmp_host);
		entry_timeline(re);
		if (re->entry->kind == EA_KIND_SITE && !re->site)
			re->status = EA_STATUS_UNCONFIGURED;
		else if (re->covered_by)
			re->status = EA_STATUS_RETIRED;
		else
			re->status = ea_status_of(&st->total, re->retired);
		r->by_status[re->status]++;
		if (re->entry->level == EA_LEVEL_REQUIRED)
			r->required_by_status[re->status]++;
		if (re->ack && re->ack->nports == 0)
			r->acknowledged++;
	}
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		struct ea_report_stats *st = &r->uncatalogued[i].stats;

		for (size_t p = 0; p < st->nports; p++) {
			st->ports[p].listed = true;
			st->ports[p].status = ea_status_of(&st->ports[p].tally, false);
			ea_tally_add(&st->total, &st->ports[p].tally);
		}
		if (st->nports > 1)
			qsort(st->ports, st->nports, sizeof(*st->ports), cmp_port);
		if (st->nhosts > 1)
			qsort(st->hosts, st->nhosts, sizeof(*st->hosts), cmp_host);
	}
	if (r->nuncatalogued > 1)
		qsort(r->uncatalogued, r->nuncatalogued, sizeof(*r->uncatalogued), cmp_uncatalogued);
}

/* Entries in scope, their listed ports, and the exceptions in force. */
static int add_entries(struct ea_report *r, size_t *slot)
{
	const struct ea_catalogue *cat = r->cat;
	const struct ea_profile *p = r->profile;

	r->entries = calloc(cat->nentries ? cat->nentries : 1, sizeof(*r->entries));
	if (!r->entries)
		return -1;
	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *e = cat->entries[i];
		struct ea_report_entry *re;

		slot[e->index] = SIZE_MAX;
		if (!ea_profile_in_scope(p, e))
			continue;
		slot[e->index] = r->nentries;
		re = &r->entries[r->nentries++];
		re->entry = e;
		re->site = ea_profile_site(p, e);
		re->retired = e->valid_until[0] && strcmp(r->as_of, e->valid_until) > 0;
		re->stats.by_proxy = calloc(r->nproxies, sizeof(*re->stats.by_proxy));
		re->stats.ports = calloc(e->nports ? e->nports : 1, sizeof(*re->stats.ports));
		if (!re->stats.by_proxy || !re->stats.ports)
			return -1;
		re->stats.nports = e->nports;
		for (size_t k = 0; k < e->nports; k++) {
			re->stats.ports[k].port = e->ports[k];
			re->stats.ports[k].listed = true;
		}
		for (size_t k = 0; p && k < p->nacks; k++) {
			const struct ea_profile_ack *ack = &p->acks[k];

			if (ack->entry != e || strcmp(r->as_of, ack->until) > 0)
				continue;
			if (!re->ack || (re->ack->nports && !ack->nports))
				re->ack = ack;
			for (size_t q = 0; q < ack->nports; q++)
				for (size_t k2 = 0; k2 < re->stats.nports; k2++)
					if (re->stats.ports[k2].port == ack->ports[q])
						re->stats.ports[k2].acknowledged = true;
		}
	}
	return 0;
}

int ea_report_build(const struct ea_catalogue *cat, const struct ea_report_options *opt,
		    const char *const *databases, size_t ndatabases,
		    struct ea_report **out)
{
	struct ea_report *r;
	size_t *slot = NULL;
	int rc = -1;

	*out = r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	r->cat = cat;
	r->profile = opt->profile;
	r->since = opt->since;
	r->until = opt->until;
	r->max_hosts = opt->max_hosts ? opt->max_hosts : EA_REPORT_DEFAULT_MAX_HOSTS;
	r->generated = opt->now ? opt->now : time(NULL);
	r->max_source_age = opt->max_source_age > 0 ? opt->max_source_age : EA_REPORT_MAX_SOURCE_AGE;
	if (opt->as_of) {
		snprintf(r->as_of, sizeof(r->as_of), "%s", opt->as_of);
	} else {
		struct tm tm;

		localtime_r(&r->generated, &tm);
		strftime(r->as_of, sizeof(r->as_of), "%Y-%m-%d", &tm);
	}
	r->proxies = calloc(ndatabases ? ndatabases : 1, sizeof(*r->proxies));
	r->nproxies = ndatabases;
	slot = calloc(cat->nentries ? cat->nentries : 1, sizeof(*slot));
	if (!r->proxies || !slot || add_entries(r, slot) < 0) {
		ea_errmsg_set(r->errmsg, "out of memory");
		goto out;
	}
	if (ea_report_read(r, slot, databases) < 0)
		goto out;
	finish(r);
	rc = 0;
out:
	free(slot);
	return rc;
}

const char *ea_report_errmsg(const struct ea_report *r)
{
	return r ? r->errmsg : EA_ERRMSG_NOMEM;
}

void ea_report_free(struct ea_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nentries; i++)
		ea_report_stats_free(&r->entries[i].stats);
	free(r->entries);
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		ea_report_stats_free(&r->uncatalogued[i].stats);
		free(r->uncatalogued[i].vendor);
		free(r->uncatalogued[i].host);
	}
	free(r->uncatalogued);
	for (size_t i = 0; i < r->nuncatalogued_more; i++)
		free(r->uncatalogued_more[i].vendor);
	free(r->uncatalogued_more);
	for (size_t i = 0; i < r->nproxies; i++) {
		free(r->proxies[i].name);
		free(r->proxies[i].database);
	}
	free(r->proxies);
	free(r);
}
