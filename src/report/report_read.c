/* Filling the report model from the stores. Each database aggregates the
 * window in SQLite (store_read.c: per host and port, the sources already
 * reconciled) and streams it in host order; the streams of all databases
 * are merged, so each host is matched against the catalogue once, and the
 * model keeps at most max_hosts names per entry and per vendor: memory
 * grows with entries, not with rows, clients, names or the window. */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "core/host.h"
#include "core/match.h"
#include "core/util.h"
#include "store/store.h"

/* One database and its current row of one view. */
struct src {
	struct ea_store *s;
	struct ea_store_cursor *c;
	struct ea_store_row row;
	bool live;               /* row holds a row not yet consumed */
};

/* The host being merged: where its rows go, and its total per target. */
struct cur {
	char host[EA_HIT_HOST_MAX];
	bool set;
	size_t *targets;          /* report entry indices */
	struct ea_tally *acc;     /* per target: this host's traffic */
	size_t ntargets, cap, acc_cap;
	struct ea_report_uncatalogued unc; /* when uncatalogued */
	long unc_vendor;          /* index in r->uncatalogued_more, or -1 */
};

struct reading {
	struct ea_report *r;
	const struct ea_matcher *m;
	const size_t *slot;
	struct src *src;
	size_t nsrc;
	size_t *site;             /* report entries with site hosts */
	size_t nsite;
	size_t **kept;            /* per vendor: indices into r->uncatalogued */
	size_t *nkept, kept_cap, nkept_cap;
	const struct ea_entry **found;
	size_t found_cap, nfound;
	struct cur cur;
};

static int nomem(struct reading *rd)
{
	ea_errmsg_set(rd->r->errmsg, "out of memory");
	return -1;
}

/* A store's last failure, as the report's. */
static int store_failed(struct reading *rd, const struct ea_store *s)
{
	ea_errmsg_set(rd->r->errmsg, "%s", ea_store_errmsg(s));
	return -1;
}

static struct ea_report_port *stats_port(struct ea_report_stats *st, unsigned port)
{
	struct ea_report_port *v;

	for (size_t i = 0; i < st->nports; i++)
		if (st->ports[i].port == port)
			return &st->ports[i];
	if ((v = ea_vec_push(&st->ports, &st->nports, &st->ports_cap, sizeof(*v))))
		v->port = port;
	return v;
}

/* The vendor's record of uncatalogued hosts beyond the list. */
static long vendor_more(struct reading *rd, const char *vendor)
{
	struct ea_report *r = rd->r;
	struct ea_report_more *v;
	size_t n = r->nuncatalogued_more;

	for (size_t i = 0; i < n; i++)
		if (strcmp(r->uncatalogued_more[i].vendor, vendor) == 0)
			return (long)i;
	/* kept[] and nkept[] grow with uncatalogued_more, one per vendor. */
	if (ea_vec_reserve(&rd->kept, &rd->kept_cap, n + 1, sizeof(*rd->kept)) < 0 ||
	    ea_vec_reserve(&rd->nkept, &rd->nkept_cap, n + 1, sizeof(*rd->nkept)) < 0)
		return -1;
	rd->kept[n] = calloc(r->max_hosts ? r->max_hosts : 1, sizeof(size_t));
	rd->nkept[n] = 0;
	if (!rd->kept[n])
		return -1;
	if (!(v = ea_vec_push(&r->uncatalogued_more, &r->nuncatalogued_more,
			      &r->uncatalogued_more_cap, sizeof(*v))) ||
	    !(v->vendor = strdup(vendor))) {
		if (v)
			r->nuncatalogued_more--;
		free(rd->kept[n]);
		return -1;
	}
	return (long)n;
}

/* Keep the max_hosts busiest names (ties: the first in name order, which
 * is the order they come in); the others only count in `more`. */
static int offer_host(struct ea_report *r, struct ea_report_stats *st, const char *host,
		      const struct ea_tally *t)
{
	size_t min = 0;

	if (st->nhosts < r->max_hosts) {
		struct ea_report_host *v = ea_vec_push(&st->hosts, &st->nhosts, &st->hosts_cap,
						       sizeof(*v));

		if (!v)
			return -1;
		v->tally = *t;
		if (!(v->host = strdup(host))) {
			st->nhosts--;
			return -1;
		}
		return 0;
	}
	for (size_t i = 1; i < st->nhosts; i++)
		if (st->hosts[i].tally.requested < st->hosts[min].tally.requested)
			min = i;
	st->more_hosts++;
	if (!st->nhosts || t->requested <= st->hosts[min].tally.requested) {
		ea_tally_add(&st->more, t);
		return 0;
	}
	ea_tally_add(&st->more, &st->hosts[min].tally);
	{
		char *copy = strdup(host);

		if (!copy)
			return -1;
		free(st->hosts[min].host);
		st->hosts[min].host = copy;
		st->hosts[min].tally = *t;
	}
	return 0;
}

static void unc_free(struct ea_report_uncatalogued *u)
{
	ea_report_stats_free(&u->stats);
	free(u->vendor);
	free(u->host);
	memset(u, 0, sizeof(*u));
}

/* An uncatalogued host complete: into the vendor's list, or its `more`. */
static int offer_uncatalogued(struct reading *rd, long vi, struct ea_report_uncatalogued *u,
			      const struct ea_tally *total)
{
	struct ea_report *r = rd->r;
	struct ea_report_more *more = &r->uncatalogued_more[vi];
	size_t *kept = rd->kept[vi], n = rd->nkept[vi], min = 0;
	struct ea_report_host *self;

	self = ea_vec_push(&u->stats.hosts, &u->stats.nhosts, &u->stats.hosts_cap, sizeof(*self));
	if (!self || !(self->host = strdup(u->host))) {
		if (self)
			u->stats.nhosts--;
		return -1;
	}
	self->tally = *total;
	if (n < r->max_hosts) {
		struct ea_report_uncatalogued *v = ea_vec_push(&r->uncatalogued, &r->nuncatalogued,
							       &r->uncatalogued_cap, sizeof(*v));

		if (!v)
			return -1;
		*v = *u;
		memset(u, 0, sizeof(*u));
		kept[rd->nkept[vi]++] = r->nuncatalogued - 1;
		return 0;
	}
	for (size_t i = 1; i < n; i++)
		if (r->uncatalogued[kept[i]].stats.hosts[0].tally.requested <
		    r->uncatalogued[kept[min]].stats.hosts[0].tally.requested)
			min = i;
	more->hosts++;
	if (!n || total->requested <= r->uncatalogued[kept[min]].stats.hosts[0].tally.requested) {
		ea_tally_add(&more->tally, total);
		unc_free(u);
		return 0;
	}
	ea_tally_add(&more->tally, &r->uncatalogued[kept[min]].stats.hosts[0].tally);
	unc_free(&r->uncatalogued[kept[min]]);
	r->uncatalogued[kept[min]] = *u;
	memset(u, 0, sizeof(*u));
	return 0;
}

/* The current host is complete: its name goes into its entries' lists. */
static int flush_host(struct reading *rd)
{
	struct cur *c = &rd->cur;

	if (!c->set)
		return 0;
	for (size_t i = 0; i < c->ntargets; i++)
		if (offer_host(rd->r, &rd->r->entries[c->targets[i]].stats, c->host, &c->acc[i]) < 0)
			return nomem(rd);
	if (c->unc_vendor >= 0) {
		struct ea_tally total = { 0 };

		for (size_t p = 0; p < c->unc.stats.nports; p++)
			ea_tally_add(&total, &c->unc.stats.ports[p].tally);
		if (offer_uncatalogued(rd, c->unc_vendor, &c->unc, &total) < 0)
			return nomem(rd);
	}
	c->set = false;
	c->ntargets = 0;
	c->unc_vendor = -1;
	return 0;
}

static int add_target(struct cur *c, size_t target)
{
	for (size_t i = 0; i < c->ntargets; i++)
		if (c->targets[i] == target)
			return 0;
	if (ea_vec_reserve(&c->targets, &c->cap, c->ntargets + 1, sizeof(*c->targets)) < 0 ||
	    ea_vec_reserve(&c->acc, &c->acc_cap, c->ntargets + 1, sizeof(*c->acc)) < 0)
		return -1;
	memset(&c->acc[c->ntargets], 0, sizeof(c->acc[0]));
	c->targets[c->ntargets++] = target;
	return 0;
}

/* Which entries in scope (and site hosts) name this host; or the vendor
 * whose domain it is under, for an uncatalogued host. */
static int start_host(struct reading *rd, const char *host, const char *stored_vendor)
{
	struct ea_report *r = rd->r;
	struct cur *c = &rd->cur;
	const struct ea_vendor *dv = NULL;
	const char *why, *vendor;
	struct ea_host h;
	bool named = false;

	snprintf(c->host, sizeof(c->host), "%s", host);
	c->set = true;
	c->ntargets = 0;
	c->unc_vendor = -1;
	if (ea_host_parse(host, strlen(host), &h, &why) == 0) {
		size_t n = 0;

		if (ea_matcher_lookup_all(rd->m, &h, &rd->found, &rd->found_cap, &n) < 0)
			return nomem(rd);
		for (size_t j = 0; j < n; j++) {
			named = true;
			if (rd->slot[rd->found[j]->index] != SIZE_MAX &&
			    add_target(c, rd->slot[rd->found[j]->index]) < 0)
				return nomem(rd);
		}
		for (size_t i = 0; i < rd->nsite; i++) {
			const struct ea_profile_site *s = r->entries[rd->site[i]].site;

			for (size_t k = 0; k < s->nhosts; k++)
				if (ea_pattern_match(s->hosts[k].pattern, s->hosts[k].kind, &h)) {
					named = true;
					if (add_target(c, rd->site[i]) < 0)
						return nomem(rd);
					break;
				}
		}
		if (!named)
			dv = ea_matcher_vendor_domain(rd->m, &h);
	}
	if (named)
		return 0;
	vendor = dv ? dv->id : stored_vendor;
	if (!*vendor || !ea_profile_vendor_in_scope(r->profile, vendor))
		return 0;
	if ((c->unc_vendor = vendor_more(rd, vendor)) < 0)
		return nomem(rd);
	memset(&c->unc, 0, sizeof(c->unc));
	c->unc.vendor = strdup(vendor);
	c->unc.host = strdup(host);
	c->unc.stats.by_proxy = calloc(r->nproxies ? r->nproxies : 1, sizeof(*c->unc.stats.by_proxy));
	if (!c->unc.vendor || !c->unc.host || !c->unc.stats.by_proxy) {
		unc_free(&c->unc);
		c->unc_vendor = -1;
		return nomem(rd);
	}
	return 0;
}

/* One (host, port) of one database into every place it counts. */
static int count_row(struct reading *rd, size_t proxy, const struct ea_store_row *row)
{
	struct ea_report *r = rd->r;
	struct cur *c = &rd->cur;
	struct ea_report_port *p;

	for (size_t i = 0; i < c->ntargets; i++) {
		struct ea_report_stats *st = &r->entries[c->targets[i]].stats;

		if (!(p = stats_port(st, row->port)))
			return nomem(rd);
		ea_tally_add(&p->tally, &row->tally);
		ea_tally_add(&st->by_proxy[proxy], &row->tally);
		ea_tally_add(&c->acc[i], &row->tally);
	}
	if (c->unc_vendor >= 0) {
		if (!(p = stats_port(&c->unc.stats, row->port)))
			return nomem(rd);
		ea_tally_add(&p->tally, &row->tally);
		ea_tally_add(&c->unc.stats.by_proxy[proxy], &row->tally);
	}
	return 0;
}

static int src_open(struct reading *rd, enum ea_store_view view)
{
	for (size_t i = 0; i < rd->nsrc; i++) {
		struct src *s = &rd->src[i];
		int rc;

		ea_store_cursor_close(s->c);
		s->c = NULL;
		s->live = false;
		if (ea_store_cursor_open(s->s, view, rd->r->since, rd->r->until, &s->c) ||
		    (rc = ea_store_cursor_next(s->c, &s->row)) < 0)
			return store_failed(rd, s->s);
		s->live = rc == 1;
	}
	return 0;
}

static int src_advance(struct reading *rd, struct src *s)
{
	int rc = ea_store_cursor_next(s->c, &s->row);

	if (rc < 0)
		return store_failed(rd, s->s);
	s->live = rc == 1;
	return 0;
}

/* Order of the merged streams: hosts by (name, port), clients by (entry,
 * vendor, name). SQLite's BINARY collation compares as strcmp does. */
static int cmp_rows(enum ea_store_view view, const struct ea_store_row *a,
		    const struct ea_store_row *b)
{
	int c;

	if (view == EA_STORE_HOSTS) {
		if ((c = strcmp(a->name, b->name)))
			return c;
		return a->port < b->port ? -1 : a->port > b->port;
	}
	if ((c = strcmp(a->entry, b->entry)) || (c = strcmp(a->vendor, b->vendor)))
		return c;
	return strcmp(a->name, b->name);
}

/* The first source (in merge order) that still has a row, or -1. */
static long src_min(struct reading *rd, enum ea_store_view view)
{
	long best = -1;

	for (size_t i = 0; i < rd->nsrc; i++)
		if (rd->src[i].live &&
		    (best < 0 || cmp_rows(view, &rd->src[i].row, &rd->src[best].row) < 0))
			best = (long)i;
	return best;
}

static int read_hosts(struct reading *rd)
{
	long b;

	if (src_open(rd, EA_STORE_HOSTS) < 0)
		return -1;
	while ((b = src_min(rd, EA_STORE_HOSTS)) >= 0) {
		struct ea_store_row key = rd->src[b].row;

		if (!rd->cur.set || strcmp(key.name, rd->cur.host) != 0) {
			if (flush_host(rd) < 0 || start_host(rd, key.name, key.vendor) < 0)
				return -1;
		}
		/* Every database with this (host, port): its own proxy's
		 * tally; the key's strings stay valid until b advances, so
		 * b goes last. */
		for (size_t i = 0; i < rd->nsrc; i++) {
			struct src *s = &rd->src[i];

			if ((long)i == b || !s->live || cmp_rows(EA_STORE_HOSTS, &s->row, &key) != 0)
				continue;
			if (count_row(rd, i, &s->row) < 0 || src_advance(rd, s) < 0)
				return -1;
		}
		if (count_row(rd, (size_t)b, &rd->src[b].row) < 0 || src_advance(rd, &rd->src[b]) < 0)
			return -1;
	}
	return flush_host(rd);
}

static long report_entry(struct reading *rd, const char *id)
{
	const struct ea_entry *e = *id ? ea_catalogue_find(rd->r->cat, id) : NULL;

	if (!e)
		return -1;
	return rd->slot[e->index] == SIZE_MAX ? -2 : (long)rd->slot[e->index];
}

/* The "other hosts" rows of compacted buckets: counted on their entry
 * (as stored), or on their vendor's uncatalogued hosts. */
static int read_folded(struct reading *rd)
{
	struct ea_report *r = rd->r;

	if (src_open(rd, EA_STORE_FOLDED) < 0)
		return -1;
	for (size_t i = 0; i < rd->nsrc; i++) {
		struct src *s = &rd->src[i];

		for (; s->live; ) {
			const struct ea_store_row *row = &s->row;
			long e = report_entry(rd, row->entry);

			if (e >= 0) {
				struct ea_report_stats *st = &r->entries[e].stats;
				struct ea_report_port *p = stats_port(st, row->port);

				if (!p)
					return nomem(rd);
				ea_tally_add(&p->tally, &row->tally);
				ea_tally_add(&st->by_proxy[i], &row->tally);
				ea_tally_add(&st->more, &row->tally);
				st->more_hosts += row->folded;
			} else if (e == -1 && *row->vendor &&
				   ea_profile_vendor_in_scope(r->profile, row->vendor)) {
				long v = vendor_more(rd, row->vendor);

				if (v < 0)
					return nomem(rd);
				ea_tally_add(&r->uncatalogued_more[v].tally, &row->tally);
				r->uncatalogued_more[v].hosts += row->folded;
			}
			if (src_advance(rd, s) < 0)
				return -1;
		}
	}
	return 0;
}

/* One database's timeline of a port merged into what the others said:
 * last times are the latest; failing only when refused after the last
 * allowed request anywhere, since the earliest refusal a database saw
 * after it (with several databases an upper bound, to the bucket). */
static void merge_timeline(struct ea_report_timeline *tl, const time_t *t)
{
	struct ea_report_timeline old = *tl;

	if (t[EA_TIME_LAST_ALLOWED] > tl->last_allowed)
		tl->last_allowed = t[EA_TIME_LAST_ALLOWED];
	if (t[EA_TIME_LAST_REFUSED] > tl->last_refused)
		tl->last_refused = t[EA_TIME_LAST_REFUSED];
	tl->failing_since = 0;
	if (tl->last_refused > tl->last_allowed) {
		time_t cand[] = { old.failing_since, t[EA_TIME_FAILING_SINCE],
				  old.last_refused, t[EA_TIME_LAST_REFUSED] };

		for (size_t k = 0; k < 4 && !tl->failing_since; k += 2)
			for (size_t j = k; j < k + 2; j++)
				if (cand[j] > tl->last_allowed &&
				    (!tl->failing_since || cand[j] < tl->failing_since))
					tl->failing_since = cand[j];
		tl->recovered_at = tl->failing_from = 0;
		return;
	}
	if (t[EA_TIME_RECOVERED_AT] > tl->recovered_at) {
		tl->recovered_at = t[EA_TIME_RECOVERED_AT];
		tl->failing_from = t[EA_TIME_FAILING_FROM];
	}
}

static int read_timeline(struct ea_report *r, struct reading *rd)
{
	if (src_open(rd, EA_STORE_TIMELINE) < 0)
		return -1;
	for (size_t i = 0; i < rd->nsrc; i++) {
		struct src *s = &rd->src[i];

		for (; s->live; ) {
			long e = report_entry(rd, s->row.entry);

			if (e >= 0) {
				struct ea_report_port *p = stats_port(&r->entries[e].stats, s->row.port);

				if (!p)
					return nomem(rd);
				merge_timeline(&p->tl, s->row.times);
			}
			if (src_advance(rd, s) < 0)
				return -1;
		}
	}
	return 0;
}

/* Distinct clients per (entry, vendor) across every database. */
static void set_clients(struct reading *rd, const char *entry, const char *vendor, uint64_t n)
{
	struct ea_report *r = rd->r;
	long e = report_entry(rd, entry);

	if (e >= 0) {
		r->entries[e].stats.clients = n;
		return;
	}
	if (e == -1 && *vendor && ea_profile_vendor_in_scope(r->profile, vendor)) {
		long v = vendor_more(rd, vendor);

		if (v >= 0)
			r->uncatalogued_more[v].clients += n;
	}
}

static int read_clients(struct reading *rd)
{
	struct ea_report *r = rd->r;
	char entry[EA_HIT_ID_MAX] = "", vendor[EA_HIT_ID_MAX] = "", name[EA_HIT_CLIENT_MAX] = "";
	uint64_t n = 0;
	bool any = false;
	long b;

	if (src_open(rd, EA_STORE_CLIENTS) < 0)
		return -1;
	while ((b = src_min(rd, EA_STORE_CLIENTS)) >= 0) {
		const struct ea_store_row *row = &rd->src[b].row;

		if (!any || strcmp(row->entry, entry) != 0 || strcmp(row->vendor, vendor) != 0) {
			if (any)
				set_clients(rd, entry, vendor, n);
			snprintf(entry, sizeof(entry), "%s", row->entry);
			snprintf(vendor, sizeof(vendor), "%s", row->vendor);
			name[0] = '\0';
			n = 0;
			any = true;
		}
		if (n == 0 || strcmp(row->name, name) != 0) {
			snprintf(name, sizeof(name), "%s", row->name);
			n++;
		}
		if (src_advance(rd, &rd->src[b]) < 0)
			return -1;
	}
	if (any)
		set_clients(rd, entry, vendor, n);
	/* Uncatalogued hosts and site hosts: clients are kept per vendor, so
	 * each gets its vendor's (an upper bound, doc/report.md). */
	for (size_t i = 0; i < r->nuncatalogued; i++)
		for (size_t v = 0; v < r->nuncatalogued_more; v++)
			if (strcmp(r->uncatalogued[i].vendor, r->uncatalogued_more[v].vendor) == 0)
				r->uncatalogued[i].stats.clients = r->uncatalogued_more[v].clients;
	for (size_t i = 0; i < rd->nsite; i++) {
		struct ea_report_entry *re = &r->entries[rd->site[i]];

		for (size_t v = 0; v < r->nuncatalogued_more; v++)
			if (strcmp(re->entry->vendor->id, r->uncatalogued_more[v].vendor) == 0 &&
			    !re->stats.clients)
				re->stats.clients = r->uncatalogued_more[v].clients;
	}
	return 0;
}

static int read_counters(const char *name, uint64_t value, void *ctx)
{
	struct ea_report_proxy *p = ctx;

	/* Only the drop counters count hits; log_malformed counts lines
	 * that never became one, db_moved events. */
	for (size_t i = 0; i < EA_REPORT_NCOUNTERS; i++)
		if (strcmp(name, ea_report_counter_names[i]) == 0) {
			p->counters[i] += value;
			p->dropped += value;
		}
	return 0;
}

static int open_store(struct reading *rd, size_t idx, const char *path)
{
	struct ea_report_proxy *p = &rd->r->proxies[idx];
	const char *name;

	if (ea_store_open_readonly(path, &rd->src[idx].s) != EA_STORE_OK)
		return store_failed(rd, rd->src[idx].s);
	name = ea_store_proxy_name(rd->src[idx].s);
	p->name = strdup(name && *name ? name : path);
	p->database = strdup(path);
	if (!p->name || !p->database)
		return nomem(rd);
	if (ea_store_each_counter(rd->src[idx].s, read_counters, p) < 0)
		return store_failed(rd, rd->src[idx].s);
	return 0;
}

int ea_report_read(struct ea_report *r, const size_t *slot, const char *const *databases)
{
	struct reading rd = { .r = r, .slot = slot };
	struct ea_matcher *m = NULL;
	int rc = -1;

	rd.cur.unc_vendor = -1;
	rd.src = calloc(r->nproxies ? r->nproxies : 1, sizeof(*rd.src));
	rd.site = calloc(r->nentries ? r->nentries : 1, sizeof(*rd.site));
	if (!rd.src || !rd.site) {
		free(rd.src);
		free(rd.site);
		return nomem(&rd);
	}
	rd.nsrc = r->nproxies;
	for (size_t i = 0; i < r->nentries; i++)
		if (r->entries[i].site)
			rd.site[rd.nsite++] = i;
	if (ea_matcher_new(r->cat, &m) < 0) {
		ea_errmsg_set(r->errmsg, "%s", ea_matcher_errmsg(m));
		goto out;
	}
	rd.m = m;
	for (size_t i = 0; i < rd.nsrc; i++)
		if (open_store(&rd, i, databases[i]) < 0)
			goto out;
	if (read_hosts(&rd) < 0 || read_folded(&rd) < 0 || read_clients(&rd) < 0 ||
	    read_timeline(r, &rd) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < rd.nsrc; i++) {
		ea_store_cursor_close(rd.src[i].c);
		ea_store_close(rd.src[i].s);
	}
	if (rd.cur.unc_vendor >= 0)
		unc_free(&rd.cur.unc);
	for (size_t i = 0; i < r->nuncatalogued_more; i++)
		free(rd.kept[i]);
	free(rd.kept);
	free(rd.nkept);
	free(rd.cur.targets);
	free(rd.cur.acc);
	free(rd.found);
	free(rd.site);
	free(rd.src);
	ea_matcher_unref(m);
	return rc;
}
