/* The report as one JSON document: the contract for other tools, documented
 * field by field in doc/report.md. Add fields, never rename or remove them
 * without bumping "version". */
#include "report.h"

#include "core/json.h"

static void jtime(struct ea_json *j, const char *key, time_t t)
{
	char buf[32];

	ea_report_time(t, buf);
	ea_json_key(j, key);
	ea_json_string(j, t ? buf : NULL);
}

/* The members of a tally, inside the caller's object. */
static void jtally(struct ea_json *j, const struct ea_tally *t)
{
	ea_json_member_uint(j, "requested", t->requested);
	ea_json_member_uint(j, "allowed", t->allowed);
	ea_json_member_uint(j, "denied", t->denied);
	ea_json_member_uint(j, "failed", t->failed);
	ea_json_member_uint(j, "unknown", t->unknown);
	jtime(j, "first_seen", t->first_seen);
	jtime(j, "last_seen", t->last_seen);
}

/* An object of one name and tally: a host's or a proxy's share. */
static void jnamed_tally(struct ea_json *j, const char *key, const char *name,
			 const struct ea_tally *t)
{
	ea_json_object(j);
	ea_json_member_str(j, key, name);
	jtally(j, t);
	ea_json_end(j);
}

/* An entry's or a port's timeline (doc/report.md): null when none. */
static void jtimeline(struct ea_json *j, const struct ea_report_timeline *tl)
{
	jtime(j, "last_allowed", tl->last_allowed);
	jtime(j, "last_refused", tl->last_refused);
	jtime(j, "failing_since", tl->failing_since);
	jtime(j, "recovered_at", tl->recovered_at);
	jtime(j, "failing_from", tl->failing_from);
}

/* timeline: for an entry's ports (uncatalogued hosts have none). */
static void jstats(struct ea_json *j, const struct ea_report *r, const struct ea_report_stats *st,
		   bool timeline)
{
	jtally(j, &st->total);
	ea_json_member_uint(j, "clients", st->clients);
	ea_json_key(j, "ports");
	ea_json_array(j);
	for (size_t i = 0; i < st->nports; i++) {
		const struct ea_report_port *p = &st->ports[i];

		ea_json_object(j);
		ea_json_member_uint(j, "port", p->port);
		ea_json_member_bool(j, "listed", p->listed);
		ea_json_member_bool(j, "acknowledged", p->acknowledged);
		ea_json_member_str(j, "status", ea_status_name(p->status));
		jtally(j, &p->tally);
		if (timeline)
			jtimeline(j, &p->tl);
		ea_json_end(j);
	}
	ea_json_end(j);
	ea_json_key(j, "hosts");
	ea_json_array(j);
	for (size_t i = 0; i < st->nhosts; i++)
		jnamed_tally(j, "host", st->hosts[i].host, &st->hosts[i].tally);
	ea_json_end(j);
	ea_json_key(j, "more_hosts");
	ea_json_object(j);
	ea_json_member_uint(j, "hosts", st->more_hosts);
	jtally(j, &st->more);
	ea_json_end(j);
	ea_json_key(j, "proxies");
	ea_json_array(j);
	for (size_t i = 0; i < r->nproxies; i++)
		if (st->by_proxy[i].requested)
			jnamed_tally(j, "proxy", r->proxies[i].name, &st->by_proxy[i]);
	ea_json_end(j);
}

static void jstatus_counts(struct ea_json *j, const char *key, const size_t *n)
{
	ea_json_key(j, key);
	ea_json_object(j);
	for (int s = 0; s < EA_STATUS_COUNT; s++)
		ea_json_member_uint(j, ea_status_name((enum ea_status)s), n[s]);
	ea_json_end(j);
}

static void jentry(struct ea_json *j, const struct ea_report *r, const struct ea_report_entry *re)
{
	const struct ea_entry *e = re->entry;

	ea_json_object(j);
	ea_json_member_str(j, "id", e->id);
	ea_json_member_str(j, "vendor", e->vendor->id);
	ea_json_member_str(j, "product", e->product ? e->product->id : NULL);
	ea_json_member_str(j, "condition", e->condition ? e->condition->id : NULL);
	ea_json_member_str(j, "group", e->group);
	ea_json_member_str(j, "kind", ea_kind_name(e->kind));
	ea_json_member_str(j, "pattern", e->pattern);
	ea_json_key(j, "site_hosts");
	if (re->site) {
		ea_json_array(j);
		for (size_t i = 0; i < re->site->nhosts; i++)
			ea_json_string(j, re->site->hosts[i].pattern);
		ea_json_end(j);
	} else {
		ea_json_null(j);
	}
	ea_json_member_str(j, "level", ea_level_name(e->level));
	ea_json_member_str(j, "region", e->region);
	ea_json_member_bool(j, "third_party", e->third_party);
	ea_json_member_str(j, "valid_until", e->valid_until[0] ? e->valid_until : NULL);
	ea_json_member_str(j, "replaced_by", e->replaced_by);
	ea_json_key(j, "listed_ports");
	ea_json_array(j);
	for (size_t i = 0; i < e->nports; i++)
		ea_json_uint(j, e->ports[i]);
	ea_json_end(j);
	ea_json_member_str(j, "status", ea_status_name(re->status));
	jtimeline(j, &re->tl);
	ea_json_member_bool(j, "retired", re->retired);
	ea_json_member_str(j, "covered_by", re->covered_by ? re->covered_by->id : NULL);
	ea_json_key(j, "acknowledged");
	if (re->ack) {
		ea_json_object(j);
		ea_json_member_str(j, "reason", re->ack->reason);
		ea_json_member_str(j, "until", re->ack->until);
		ea_json_key(j, "ports");
		if (re->ack->nports) {
			ea_json_array(j);
			for (size_t i = 0; i < re->ack->nports; i++)
				ea_json_uint(j, re->ack->ports[i]);
			ea_json_end(j);
		} else {
			ea_json_null(j);
		}
		ea_json_end(j);
	} else {
		ea_json_null(j);
	}
	jstats(j, r, &re->stats, true);
	ea_json_end(j);
}

/* "source": the vendor's list, its dates and how old it is. */
static void jsource(struct ea_json *j, const struct ea_report *r, const struct ea_vendor *v)
{
	bool stale;
	long age = ea_report_source_age(r, v, &stale);

	ea_json_key(j, "source");
	ea_json_object(j);
	ea_json_member_str(j, "title", v->source_title);
	ea_json_member_str(j, "url", v->source_url);
	ea_json_member_str(j, "updated", v->updated[0] ? v->updated : NULL);
	ea_json_member_str(j, "transcribed", v->transcribed[0] ? v->transcribed : NULL);
	ea_json_key(j, "age_days");
	if (age >= 0)
		ea_json_int(j, age);
	else
		ea_json_null(j);
	ea_json_member_bool(j, "stale", stale);
	ea_json_end(j);
}

static void jvendor(struct ea_json *j, const struct ea_report *r, const struct ea_vendor *cv)
{
	size_t n[EA_STATUS_COUNT] = { 0 }, total = 0;

	for (size_t i = 0; i < r->nentries; i++)
		if (r->entries[i].entry->vendor == cv) {
			n[r->entries[i].status]++;
			total++;
		}
	if (!total)
		return;
	ea_json_object(j);
	ea_json_member_str(j, "id", cv->id);
	ea_json_member_str(j, "name", cv->name);
	ea_json_member_uint(j, "entries", total);
	jstatus_counts(j, "by_status", n);
	jsource(j, r, cv);
	ea_json_end(j);
}

int ea_report_write_json(FILE *out, const struct ea_report *r)
{
	struct ea_json j;

	ea_json_begin(&j, out);
	ea_json_object(&j);
	ea_json_member_str(&j, "format", "egressaudit-report");
	ea_json_member_uint(&j, "version", 1);
	jtime(&j, "generated", r->generated);
	ea_json_member_str(&j, "as_of", r->as_of);
	jtime(&j, "since", r->since);
	jtime(&j, "until", r->until);
	ea_json_key(&j, "max_source_age_days");
	ea_json_int(&j, r->max_source_age);
	ea_json_key(&j, "profile");
	if (r->profile) {
		ea_json_object(&j);
		ea_json_member_str(&j, "file", r->profile->file);
		ea_json_member_str(&j, "site", r->profile->site);
		ea_json_end(&j);
	} else {
		ea_json_null(&j);
	}
	ea_json_key(&j, "proxies");
	ea_json_array(&j);
	for (size_t i = 0; i < r->nproxies; i++) {
		const struct ea_report_proxy *p = &r->proxies[i];

		ea_json_object(&j);
		ea_json_member_str(&j, "name", p->name);
		ea_json_member_str(&j, "database", p->database);
		ea_json_member_uint(&j, "dropped", p->dropped);
		ea_json_key(&j, "counters");
		ea_json_object(&j);
		for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++)
			ea_json_member_uint(&j, ea_report_counter_names[c], p->counters[c]);
		ea_json_end(&j);
		ea_json_end(&j);
	}
	ea_json_end(&j);
	ea_json_key(&j, "summary");
	ea_json_object(&j);
	ea_json_member_uint(&j, "entries", r->nentries);
	ea_json_member_uint(&j, "acknowledged", r->acknowledged);
	jstatus_counts(&j, "by_status", r->by_status);
	jstatus_counts(&j, "required_by_status", r->required_by_status);
	ea_json_end(&j);
	ea_json_key(&j, "vendors");
	ea_json_array(&j);
	for (size_t v = 0; v < r->cat->nvendors; v++)
		jvendor(&j, r, r->cat->vendors[v]);
	ea_json_end(&j);
	ea_json_key(&j, "entries");
	ea_json_array(&j);
	for (size_t i = 0; i < r->nentries; i++) {
		ea_json_newline(&j);
		jentry(&j, r, &r->entries[i]);
	}
	ea_json_end(&j);
	ea_json_key(&j, "uncatalogued");
	ea_json_array(&j);
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		const struct ea_report_uncatalogued *u = &r->uncatalogued[i];

		ea_json_newline(&j);
		ea_json_object(&j);
		ea_json_member_str(&j, "vendor", u->vendor);
		ea_json_member_str(&j, "host", u->host);
		jstats(&j, r, &u->stats, false);
		ea_json_end(&j);
	}
	ea_json_end(&j);
	ea_json_key(&j, "uncatalogued_more");
	ea_json_array(&j);
	for (size_t i = 0; i < r->nuncatalogued_more; i++) {
		const struct ea_report_more *m = &r->uncatalogued_more[i];

		if (!m->hosts)
			continue;
		ea_json_object(&j);
		ea_json_member_str(&j, "vendor", m->vendor);
		ea_json_member_uint(&j, "hosts", m->hosts);
		ea_json_member_uint(&j, "clients", m->clients);
		jtally(&j, &m->tally);
		ea_json_end(&j);
	}
	ea_json_end(&j);
	ea_json_end(&j);
	return ea_json_finish(&j);
}
