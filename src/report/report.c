/* The report model (see report.h): read the stores, reconcile the sources
 * per key with tally.c, attribute each stored host to the catalogue entries
 * in scope that match it today, and give every entry its status. */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/host.h"
#include "core/match.h"
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

/* ---- reading the stores ---- */

/* One stored row, with the entry column dropped: the same request is
 * stored once per entry it matched, so rows that differ only by entry are
 * one set of requests (collapsed with max, see collapse()). */
struct raw {
	size_t proxy;
	time_t bucket;
	char *host, *client, *user, *vendor;
	unsigned port;
	enum ea_outcome outcome;
	enum ea_source source;
	uint64_t count;
	time_t first, last;
};

struct reader {
	struct raw *v;
	size_t n, cap;
	size_t proxy;
	bool nomem;
};

static int collect_row(const struct ea_hit_row *row, void *ctx)
{
	struct reader *rd = ctx;
	struct raw *r;

	if (!(r = ea_vec_push(&rd->v, &rd->n, &rd->cap, sizeof(*r))))
		goto nomem;
	r->proxy = rd->proxy;
	r->bucket = row->bucket;
	r->port = row->port;
	r->outcome = row->outcome;
	r->source = row->source;
	r->count = row->count;
	r->first = row->first_seen;
	r->last = row->last_seen;
	r->host = strdup(row->host);
	r->client = strdup(row->client);
	r->user = strdup(row->user);
	r->vendor = strdup(row->vendor);
	if (!r->host || !r->client || !r->user || !r->vendor)
		goto nomem;
	return 0;
nomem:
	rd->nomem = true;
	return 1;
}

static void raw_free(struct raw *r)
{
	free(r->host);
	free(r->client);
	free(r->user);
	free(r->vendor);
}

/* The key of one request set: everything but outcome and source. */
static int cmp_key(const struct raw *a, const struct raw *b)
{
	int c;

	if (a->proxy != b->proxy)
		return a->proxy < b->proxy ? -1 : 1;
	if (a->bucket != b->bucket)
		return a->bucket < b->bucket ? -1 : 1;
	if ((c = strcmp(a->host, b->host)))
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if ((c = strcmp(a->client, b->client)))
		return c;
	return strcmp(a->user, b->user);
}

static int cmp_raw(const void *pa, const void *pb)
{
	const struct raw *a = pa, *b = pb;
	int c = cmp_key(a, b);

	if (c)
		return c;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	if (a->outcome != b->outcome)
		return a->outcome < b->outcome ? -1 : 1;
	return 0;
}

/* Rows equal but for the entry are the same requests: keep the largest. */
static void collapse(struct reader *rd)
{
	size_t w = 0;

	if (rd->n == 0)
		return;
	if (rd->n > 1)
		qsort(rd->v, rd->n, sizeof(*rd->v), cmp_raw);
	for (size_t i = 1; i < rd->n; i++) {
		struct raw *k = &rd->v[w], *r = &rd->v[i];

		if (cmp_raw(k, r) == 0) {
			if (r->count > k->count)
				k->count = r->count;
			if (r->first && (!k->first || r->first < k->first))
				k->first = r->first;
			if (r->last > k->last)
				k->last = r->last;
			if (!k->vendor[0] && r->vendor[0]) {
				char *t = k->vendor;

				k->vendor = r->vendor;
				r->vendor = t;
			}
			raw_free(r);
		} else {
			rd->v[++w] = *r;
		}
	}
	rd->n = w + 1;
}

static int read_counters(const char *name, uint64_t value, void *ctx)
{
	struct ea_report_proxy *p = ctx;

	/* Only the drop counters count hits; log_malformed counts lines
	 * that never became one. */
	for (size_t i = 0; i < EA_REPORT_NCOUNTERS; i++)
		if (strcmp(name, ea_report_counter_names[i]) == 0) {
			p->counters[i] += value;
			p->dropped += value;
		}
	return 0;
}

static int read_store(struct ea_report *r, size_t idx, const char *path, struct reader *rd)
{
	struct ea_report_proxy *p = &r->proxies[idx];
	const char *name;
	struct ea_store *s;
	int rc;

	if (ea_store_open_readonly(path, &s) != EA_STORE_OK) {
		ea_errmsg_set(r->errmsg, "%s: %s", path, ea_store_errmsg(s));
		ea_store_close(s);
		return -1;
	}
	name = ea_store_proxy_name(s);
	p->name = strdup(name && *name ? name : path);
	p->database = strdup(path);
	rd->proxy = idx;
	rc = ea_store_each_hit(s, r->since, r->until, collect_row, rd);
	if (rc == 0)
		rc = ea_store_each_counter(s, read_counters, p);
	if (rc < 0)
		ea_errmsg_set(r->errmsg, "%s: %s", path, ea_store_errmsg(s));
	ea_store_close(s);
	if (rd->nomem || !p->name || !p->database) {
		ea_errmsg_set(r->errmsg, "%s: out of memory", path);
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* ---- attribution ---- */

struct attr {
	size_t target;  /* entry index, or nentries + uncatalogued index */
	const struct raw *raw;
};

static int cmp_attr(const void *pa, const void *pb)
{
	const struct attr *a = pa, *b = pb;

	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	if (a->raw->port != b->raw->port)
		return a->raw->port < b->raw->port ? -1 : 1;
	return cmp_key(a->raw, b->raw) ? cmp_key(a->raw, b->raw) : (a->raw < b->raw ? -1 : a->raw > b->raw);
}

struct attrs {
	struct attr *v;
	size_t n, cap;
};

static int attr_add(struct attrs *a, size_t target, const struct raw *raw)
{
	struct attr *v = ea_vec_push(&a->v, &a->n, &a->cap, sizeof(*v));

	if (!v)
		return -1;
	v->target = target;
	v->raw = raw;
	return 0;
}

static struct ea_report_port *stats_port(struct ea_report_stats *st, unsigned port)
{
	struct ea_report_port *v;

	for (size_t i = 0; i < st->nports; i++)
		if (st->ports[i].port == port)
			return &st->ports[i];
	if (!(v = ea_vec_push(&st->ports, &st->nports, &st->ports_cap, sizeof(*v))))
		return NULL;
	v->port = port;
	return v;
}

static struct ea_report_host *stats_host(struct ea_report_stats *st, const char *host)
{
	struct ea_report_host *v;

	for (size_t i = 0; i < st->nhosts; i++)
		if (strcmp(st->hosts[i].host, host) == 0)
			return &st->hosts[i];
	if (ea_vec_reserve(&st->hosts, &st->hosts_cap, st->nhosts + 1, sizeof(*v)) < 0)
		return NULL;
	v = &st->hosts[st->nhosts];
	memset(v, 0, sizeof(*v));
	if (!(v->host = strdup(host)))
		return NULL;
	st->nhosts++;
	return v;
}

static struct ea_report_stats *target_stats(struct ea_report *r, size_t target)
{
	if (target < r->nentries)
		return &r->entries[target].stats;
	return &r->uncatalogued[target - r->nentries].stats;
}

static int cmp_host(const void *a, const void *b)
{
	return strcmp(((const struct ea_report_host *)a)->host, ((const struct ea_report_host *)b)->host);
}

static void stats_free(struct ea_report_stats *st)
{
	for (size_t i = 0; i < st->nhosts; i++)
		free(st->hosts[i].host);
	free(st->hosts);
	free(st->ports);
	free(st->by_proxy);
}

/* Reconcile each key's rows (tally.h) and add the result everywhere. */
static int tally_attrs(struct ea_report *r, struct attrs *a)
{
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), cmp_attr);
	for (size_t i = 0; i < a->n;) {
		const struct raw *k = a->v[i].raw;
		struct ea_report_stats *st = target_stats(r, a->v[i].target);
		struct ea_counts c = { 0 };
		struct ea_report_port *port;
		struct ea_report_host *host;
		struct ea_tally t;
		size_t j;

		for (j = i; j < a->n && a->v[j].target == a->v[i].target &&
			    cmp_key(a->v[j].raw, k) == 0; j++) {
			const struct raw *x = a->v[j].raw;
			struct ea_hit_row row = {
				.bucket = x->bucket, .entry = "", .vendor = x->vendor,
				.host = x->host, .port = x->port, .client = x->client,
				.user = x->user, .outcome = x->outcome, .source = x->source,
				.count = x->count, .first_seen = x->first, .last_seen = x->last,
			};

			ea_counts_add(&c, &row);
		}
		ea_counts_reconcile(&c, &t);
		port = stats_port(st, k->port);
		host = stats_host(st, k->host);
		if (!port || !host)
			return -1;
		ea_tally_add(&port->tally, &t);
		ea_tally_add(&host->tally, &t);
		ea_tally_add(&st->by_proxy[k->proxy], &t);
		i = j;
	}
	return 0;
}

struct client_ref {
	size_t target;
	const char *client;
};

static int cmp_client(const void *pa, const void *pb)
{
	const struct client_ref *a = pa, *b = pb;

	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	return strcmp(a->client, b->client);
}

static int count_clients(struct ea_report *r, const struct attrs *a)
{
	struct client_ref *v = malloc((a->n ? a->n : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return -1;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].raw->client[0]) {
			v[n].target = a->v[i].target;
			v[n++].client = a->v[i].raw->client;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_client);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_client(&v[i - 1], &v[i]) != 0)
			target_stats(r, v[i].target)->clients++;
	free(v);
	return 0;
}

static long find_uncatalogued(struct ea_report *r, const char *vendor, const char *host)
{
	struct ea_report_uncatalogued *u;

	for (size_t i = 0; i < r->nuncatalogued; i++)
		if (strcmp(r->uncatalogued[i].host, host) == 0 &&
		    strcmp(r->uncatalogued[i].vendor, vendor) == 0)
			return (long)i;
	if (ea_vec_reserve(&r->uncatalogued, &r->uncatalogued_cap, r->nuncatalogued + 1,
			   sizeof(*u)) < 0)
		return -1;
	u = &r->uncatalogued[r->nuncatalogued];
	memset(u, 0, sizeof(*u));
	u->vendor = strdup(vendor);
	u->host = strdup(host);
	u->stats.by_proxy = calloc(r->nproxies, sizeof(*u->stats.by_proxy));
	r->nuncatalogued++;
	if (!u->vendor || !u->host || !u->stats.by_proxy)
		return -1;
	return (long)(r->nuncatalogued - 1);
}

/* Which entries in scope (and which site hosts) each stored host is. */
static int attribute(struct ea_report *r, const struct ea_matcher *m, const size_t *slot,
		     const struct reader *rd, struct attrs *a)
{
	const struct ea_entry **found = NULL;
	size_t cap = 0;
	int rc = -1;

	for (size_t i = 0; i < rd->n; i++) {
		const struct raw *x = &rd->v[i];
		const struct ea_vendor *dv = NULL;
		const char *why, *vendor;
		struct ea_host host;
		size_t n = 0;
		bool named = false;

		if (ea_host_parse(x->host, strlen(x->host), &host, &why) == 0) {
			if (ea_matcher_lookup_all(m, &host, &found, &cap, &n) < 0)
				goto out;
			for (size_t j = 0; j < n; j++) {
				named = true;
				if (slot[found[j]->index] != SIZE_MAX &&
				    attr_add(a, slot[found[j]->index], x) < 0)
					goto out;
			}
			for (size_t e = 0; e < r->nentries; e++) {
				const struct ea_profile_site *s = r->entries[e].site;

				for (size_t h = 0; s && h < s->nhosts; h++)
					if (ea_pattern_match(s->hosts[h].pattern, s->hosts[h].kind, &host)) {
						named = true;
						if (attr_add(a, e, x) < 0)
							goto out;
						break;
					}
			}
			if (!named)
				dv = ea_matcher_vendor_domain(m, &host);
		}
		if (named)
			continue;
		vendor = dv ? dv->id : x->vendor;
		if (*vendor && ea_profile_vendor_in_scope(r->profile, vendor)) {
			long u = find_uncatalogued(r, vendor, x->host);

			if (u < 0 || attr_add(a, r->nentries + (size_t)u, x) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(found);
	return rc;
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
	struct reader rd = { 0 };
	struct attrs a = { 0 };
	struct ea_matcher *m = NULL;
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
	r->generated = opt->now ? opt->now : time(NULL);
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
	for (size_t i = 0; i < ndatabases; i++)
		if (read_store(r, i, databases[i], &rd) < 0)
			goto out;
	collapse(&rd);
	if (ea_matcher_new(cat, &m) < 0) {
		ea_errmsg_set(r->errmsg, "%s", ea_matcher_errmsg(m));
		goto out;
	}
	if (attribute(r, m, slot, &rd, &a) < 0 || tally_attrs(r, &a) < 0 ||
	    count_clients(r, &a) < 0) {
		ea_errmsg_set(r->errmsg, "out of memory");
		goto out;
	}
	finish(r);
	rc = 0;
out:
	ea_matcher_unref(m);
	for (size_t i = 0; i < rd.n; i++)
		raw_free(&rd.v[i]);
	free(rd.v);
	free(a.v);
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
		stats_free(&r->entries[i].stats);
	free(r->entries);
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		stats_free(&r->uncatalogued[i].stats);
		free(r->uncatalogued[i].vendor);
		free(r->uncatalogued[i].host);
	}
	free(r->uncatalogued);
	for (size_t i = 0; i < r->nproxies; i++) {
		free(r->proxies[i].name);
		free(r->proxies[i].database);
	}
	free(r->proxies);
	free(r);
}
