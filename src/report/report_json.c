/* The report as one JSON document: the contract for other tools, documented
 * field by field in doc/report.md. Add fields, never rename or remove them
 * without bumping "version". */
#include "report.h"

#include "core/json.h"

static void jtime(FILE *out, time_t t)
{
	char buf[32];

	ea_report_time(t, buf);
	ea_json_string(out, t ? buf : NULL);
}

static void jtally(FILE *out, const struct ea_tally *t)
{
	fprintf(out, "\"requested\":%llu,\"allowed\":%llu,\"denied\":%llu,\"failed\":%llu,\"unknown\":%llu",
		(unsigned long long)t->requested, (unsigned long long)t->allowed,
		(unsigned long long)t->denied, (unsigned long long)t->failed,
		(unsigned long long)t->unknown);
	ea_json_key(out, "first_seen", 0);
	jtime(out, t->first_seen);
	ea_json_key(out, "last_seen", 0);
	jtime(out, t->last_seen);
}

static void jstats(FILE *out, const struct ea_report *r, const struct ea_report_stats *st)
{
	fputc(',', out);
	jtally(out, &st->total);
	fprintf(out, ",\"clients\":%llu,\"ports\":[", (unsigned long long)st->clients);
	for (size_t i = 0; i < st->nports; i++) {
		const struct ea_report_port *p = &st->ports[i];

		fprintf(out, "%s{\"port\":%u,\"listed\":%s,\"acknowledged\":%s", i ? "," : "",
			p->port, p->listed ? "true" : "false", p->acknowledged ? "true" : "false");
		ea_json_key(out, "status", 0);
		ea_json_string(out, ea_status_name(p->status));
		fputc(',', out);
		jtally(out, &p->tally);
		fputc('}', out);
	}
	fputs("],\"hosts\":[", out);
	for (size_t i = 0; i < st->nhosts; i++) {
		fputs(i ? ",{" : "{", out);
		ea_json_key(out, "host", 1);
		ea_json_string(out, st->hosts[i].host);
		fputc(',', out);
		jtally(out, &st->hosts[i].tally);
		fputc('}', out);
	}
	fputs("],\"proxies\":[", out);
	for (size_t i = 0, n = 0; i < r->nproxies; i++) {
		if (!st->by_proxy[i].requested)
			continue;
		fputs(n++ ? ",{" : "{", out);
		ea_json_key(out, "proxy", 1);
		ea_json_string(out, r->proxies[i].name);
		fputc(',', out);
		jtally(out, &st->by_proxy[i]);
		fputc('}', out);
	}
	fputc(']', out);
}

static void jstatus_counts(FILE *out, const size_t *n)
{
	fputc('{', out);
	for (int s = 0; s < EA_STATUS_COUNT; s++) {
		ea_json_key(out, ea_status_name((enum ea_status)s), s == 0);
		fprintf(out, "%zu", n[s]);
	}
	fputc('}', out);
}

static void jentry(FILE *out, const struct ea_report *r, const struct ea_report_entry *re)
{
	const struct ea_entry *e = re->entry;

	fputc('{', out);
	ea_json_key(out, "id", 1); ea_json_string(out, e->id);
	ea_json_key(out, "vendor", 0); ea_json_string(out, e->vendor->id);
	ea_json_key(out, "product", 0); ea_json_string(out, e->product ? e->product->id : NULL);
	ea_json_key(out, "condition", 0); ea_json_string(out, e->condition ? e->condition->id : NULL);
	ea_json_key(out, "group", 0); ea_json_string(out, e->group);
	ea_json_key(out, "kind", 0); ea_json_string(out, ea_kind_name(e->kind));
	ea_json_key(out, "pattern", 0); ea_json_string(out, e->pattern);
	ea_json_key(out, "site_hosts", 0);
	if (re->site) {
		fputc('[', out);
		for (size_t i = 0; i < re->site->nhosts; i++) {
			if (i)
				fputc(',', out);
			ea_json_string(out, re->site->hosts[i].pattern);
		}
		fputc(']', out);
	} else {
		fputs("null", out);
	}
	ea_json_key(out, "level", 0); ea_json_string(out, ea_level_name(e->level));
	ea_json_key(out, "region", 0); ea_json_string(out, e->region);
	ea_json_key(out, "third_party", 0); fputs(e->third_party ? "true" : "false", out);
	ea_json_key(out, "valid_until", 0); ea_json_string(out, e->valid_until[0] ? e->valid_until : NULL);
	ea_json_key(out, "replaced_by", 0); ea_json_string(out, e->replaced_by);
	ea_json_key(out, "listed_ports", 0);
	fputc('[', out);
	for (size_t i = 0; i < e->nports; i++)
		fprintf(out, "%s%u", i ? "," : "", e->ports[i]);
	fputc(']', out);
	ea_json_key(out, "status", 0); ea_json_string(out, ea_status_name(re->status));
	ea_json_key(out, "retired", 0); fputs(re->retired ? "true" : "false", out);
	ea_json_key(out, "acknowledged", 0);
	if (re->ack) {
		fputc('{', out);
		ea_json_key(out, "reason", 1); ea_json_string(out, re->ack->reason);
		ea_json_key(out, "until", 0); ea_json_string(out, re->ack->until);
		ea_json_key(out, "ports", 0);
		if (re->ack->nports) {
			fputc('[', out);
			for (size_t i = 0; i < re->ack->nports; i++)
				fprintf(out, "%s%u", i ? "," : "", re->ack->ports[i]);
			fputc(']', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	jstats(out, r, &re->stats);
	fputc('}', out);
}

/* ,"source":{...}: the vendor's list, its dates and age. */
static void jsource(FILE *out, const struct ea_report *r, const struct ea_vendor *v)
{
	bool stale;
	long age = ea_report_source_age(r, v, &stale);

	ea_json_key(out, "source", 0);
	fputc('{', out);
	ea_json_key(out, "title", 1); ea_json_string(out, v->source_title);
	ea_json_key(out, "url", 0); ea_json_string(out, v->source_url);
	ea_json_key(out, "updated", 0); ea_json_string(out, v->updated[0] ? v->updated : NULL);
	ea_json_key(out, "transcribed", 0); ea_json_string(out, v->transcribed[0] ? v->transcribed : NULL);
	ea_json_key(out, "age_days", 0);
	if (age >= 0)
		fprintf(out, "%ld", age);
	else
		fputs("null", out);
	ea_json_key(out, "stale", 0); fputs(stale ? "true" : "false", out);
	fputc('}', out);
}

int ea_report_write_json(FILE *out, const struct ea_report *r)
{
	fputs("{\"format\":\"egressaudit-report\",\"version\":1", out);
	ea_json_key(out, "generated", 0); jtime(out, r->generated);
	ea_json_key(out, "as_of", 0); ea_json_string(out, r->as_of);
	ea_json_key(out, "since", 0); jtime(out, r->since);
	ea_json_key(out, "until", 0); jtime(out, r->until);
	ea_json_key(out, "max_source_age_days", 0); fprintf(out, "%ld", r->max_source_age);
	ea_json_key(out, "profile", 0);
	if (r->profile) {
		fputc('{', out);
		ea_json_key(out, "file", 1); ea_json_string(out, r->profile->file);
		ea_json_key(out, "site", 0); ea_json_string(out, r->profile->site);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(",\"proxies\":[", out);
	for (size_t i = 0; i < r->nproxies; i++) {
		const struct ea_report_proxy *p = &r->proxies[i];

		fputs(i ? ",{" : "{", out);
		ea_json_key(out, "name", 1); ea_json_string(out, p->name);
		ea_json_key(out, "database", 0); ea_json_string(out, p->database);
		fprintf(out, ",\"dropped\":%llu,\"counters\":{", (unsigned long long)p->dropped);
		for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++) {
			ea_json_key(out, ea_report_counter_names[c], c == 0);
			fprintf(out, "%llu", (unsigned long long)p->counters[c]);
		}
		fputs("}}", out);
	}
	fprintf(out, "],\"summary\":{\"entries\":%zu,\"acknowledged\":%zu,\"by_status\":",
		r->nentries, r->acknowledged);
	jstatus_counts(out, r->by_status);
	fputs(",\"required_by_status\":", out);
	jstatus_counts(out, r->required_by_status);
	fputs("},\"vendors\":[", out);
	for (size_t v = 0, nv = 0; v < r->cat->nvendors; v++) {
		const struct ea_vendor *cv = r->cat->vendors[v];
		size_t n[EA_STATUS_COUNT] = { 0 }, total = 0;

		for (size_t i = 0; i < r->nentries; i++)
			if (r->entries[i].entry->vendor == cv) {
				n[r->entries[i].status]++;
				total++;
			}
		if (!total)
			continue;
		fputs(nv++ ? ",{" : "{", out);
		ea_json_key(out, "id", 1); ea_json_string(out, cv->id);
		ea_json_key(out, "name", 0); ea_json_string(out, cv->name);
		fprintf(out, ",\"entries\":%zu,\"by_status\":", total);
		jstatus_counts(out, n);
		jsource(out, r, cv);
		fputc('}', out);
	}
	fputs("],\"entries\":[", out);
	for (size_t i = 0; i < r->nentries; i++) {
		if (i)
			fputc(',', out);
		fputc('\n', out);
		jentry(out, r, &r->entries[i]);
	}
	fputs("],\"uncatalogued\":[", out);
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		const struct ea_report_uncatalogued *u = &r->uncatalogued[i];

		fputs(i ? ",\n{" : "\n{", out);
		ea_json_key(out, "vendor", 1); ea_json_string(out, u->vendor);
		ea_json_key(out, "host", 0); ea_json_string(out, u->host);
		jstats(out, r, &u->stats);
		fputc('}', out);
	}
	fputs("]}\n", out);
	return ferror(out) ? -1 : 0;
}
