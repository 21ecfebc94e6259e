/* The report in Prometheus's text exposition format, for node_exporter's
 * textfile collector: one report per proxy, every series labelled with the
 * proxy, so that a fleet's exports can be compared and alerted on.
 * doc/metrics.md documents the names, labels and cardinality. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/util.h"

/* Uncatalogued hosts are the one label set the catalogue does not bound
 * (any name under a vendor domain): keep the busiest per vendor. */
#define EA_PROM_UNCATALOGUED_MAX 20

/* A label value in its canonical form (core/text.h): valid UTF-8, as the
 * exposition format requires, and no newline to forge a sample with. */
static void escape(FILE *out, const char *value)
{
	size_t len = value ? strlen(value) : 0;
	char *canon = malloc(len + 1);

	if (canon)
		ea_text_canon(canon, len + 1, value, len);
	for (const char *s = canon ? canon : "?"; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		fputc(*s, out);
	}
	free(canon);
}

static void label(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	escape(out, value);
	fputc('"', out);
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The proxy label: the store's proxy name (several, joined by "+", when a
 * report was built from several databases). */
static void proxy_label(FILE *out, const struct ea_report *r, bool first)
{
	fprintf(out, "%sproxy=\"", first ? "" : ",");
	for (size_t i = 0; i < r->nproxies; i++) {
		if (i)
			fputc('+', out);
		escape(out, r->proxies[i].name);
	}
	fputc('"', out);
}

static void entry_series(FILE *out, const char *name, const struct ea_report *r,
			 const struct ea_report_entry *re)
{
	fprintf(out, "%s{", name);
	proxy_label(out, r, true);
	label(out, "vendor", re->entry->vendor->id, false);
	label(out, "entry", re->entry->id, false);
	label(out, "level", ea_level_name(re->entry->level), false);
}

static void write_status(FILE *out, const struct ea_report *const *rs, size_t n)
{
	head(out, "egressaudit_entry_status", "gauge",
	     "Status of a catalogue entry in scope on a proxy: 1 for its current status.");
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nentries; i++)
			for (int s = 0; s < EA_STATUS_COUNT; s++) {
				entry_series(out, "egressaudit_entry_status", rs[k], &rs[k]->entries[i]);
				label(out, "status", ea_status_name((enum ea_status)s), false);
				fprintf(out, "} %d\n", rs[k]->entries[i].status == (enum ea_status)s);
			}
	/* As for --check: an exception naming ports has already taken them out
	 * of the status, so only one for the whole entry silences it. */
	head(out, "egressaudit_entry_acknowledged", "gauge",
	     "1 when the site profile has an exception in force for the whole entry.");
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nentries; i++) {
			const struct ea_report_entry *re = &rs[k]->entries[i];

			entry_series(out, "egressaudit_entry_acknowledged", rs[k], re);
			fprintf(out, "} %d\n", re->ack != NULL && re->ack->nports == 0);
		}
}

static void write_requests(FILE *out, const struct ea_report *const *rs, size_t n)
{
	static const char *const outcomes[] = { "allowed", "denied", "failed", "unknown" };

	head(out, "egressaudit_entry_requests", "gauge",
	     "Requests to a listed port of the entry in the report's window, by outcome.");
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nentries; i++) {
			const struct ea_report_stats *st = &rs[k]->entries[i].stats;

			for (size_t p = 0; p < st->nports; p++) {
				const struct ea_tally *t = &st->ports[p].tally;
				const uint64_t v[] = { t->allowed, t->denied, t->failed, t->unknown };
				char port[8];

				if (!st->ports[p].listed)
					continue;
				snprintf(port, sizeof(port), "%u", st->ports[p].port);
				for (int o = 0; o < 4; o++) {
					entry_series(out, "egressaudit_entry_requests", rs[k], &rs[k]->entries[i]);
					label(out, "port", port, false);
					label(out, "outcome", outcomes[o], false);
					fprintf(out, "} %llu\n", (unsigned long long)v[o]);
				}
			}
		}
	head(out, "egressaudit_entry_clients", "gauge",
	     "Distinct client addresses that requested the entry in the window.");
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nentries; i++) {
			entry_series(out, "egressaudit_entry_clients", rs[k], &rs[k]->entries[i]);
			fprintf(out, "} %llu\n", (unsigned long long)rs[k]->entries[i].stats.clients);
		}
	head(out, "egressaudit_entry_last_seen_timestamp_seconds", "gauge",
	     "Unix time of the last request to the entry (entries seen in the window only).");
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nentries; i++) {
			if (!rs[k]->entries[i].stats.total.last_seen)
				continue;
			entry_series(out, "egressaudit_entry_last_seen_timestamp_seconds", rs[k],
				     &rs[k]->entries[i]);
			fprintf(out, "} %lld\n", (long long)rs[k]->entries[i].stats.total.last_seen);
		}
}

/* One timeline time per entry, the series absent when the time is none:
 * an alert on "failing since" then fires only while it fails. */
static void write_time(FILE *out, const struct ea_report *const *rs, size_t n, const char *name,
		       const char *help, bool failing)
{
	head(out, name, "gauge", help);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nentries; i++) {
			const struct ea_report_entry *re = &rs[k]->entries[i];
			time_t t = failing ? re->tl.failing_since : re->tl.last_allowed;

			if (!t)
				continue;
			entry_series(out, name, rs[k], re);
			fprintf(out, "} %lld\n", (long long)t);
		}
}

static void write_timeline(FILE *out, const struct ea_report *const *rs, size_t n)
{
	write_time(out, rs, n, "egressaudit_entry_last_allowed_timestamp_seconds",
		   "Unix time of the start of the last hourly bucket with requests to the entry "
		   "allowed (entries allowed in the window only).",
		   false);
	write_time(out, rs, n, "egressaudit_entry_failing_since_timestamp_seconds",
		   "Unix time of the start of the first bucket refused after the last one allowed, "
		   "while the entry is failing now (absent otherwise).",
		   true);
}

/* Busiest first within a vendor; the model keeps them by vendor, host. */
static int cmp_busiest(const void *pa, const void *pb)
{
	const struct ea_report_uncatalogued *a = *(const struct ea_report_uncatalogued *const *)pa;
	const struct ea_report_uncatalogued *b = *(const struct ea_report_uncatalogued *const *)pb;
	int c = strcmp(a->vendor, b->vendor);

	if (c)
		return c;
	if (a->stats.total.requested != b->stats.total.requested)
		return a->stats.total.requested > b->stats.total.requested ? -1 : 1;
	return strcmp(a->host, b->host);
}

static int write_uncatalogued(FILE *out, const struct ea_report *const *rs, size_t n)
{
	head(out, "egressaudit_uncatalogued_requests", "gauge",
	     "Requests to a host under a vendor-owned domain that no catalogue entry names "
	     "(the 20 busiest hosts per proxy and vendor).");
	for (size_t k = 0; k < n; k++) {
		const struct ea_report *r = rs[k];
		const struct ea_report_uncatalogued **v = malloc((r->nuncatalogued + 1) * sizeof(*v));
		size_t kept = 0;

		if (!v)
			return -1;
		for (size_t i = 0; i < r->nuncatalogued; i++)
			v[i] = &r->uncatalogued[i];
		qsort(v, r->nuncatalogued, sizeof(*v), cmp_busiest);
		for (size_t i = 0; i < r->nuncatalogued; i++) {
			kept = i && strcmp(v[i]->vendor, v[i - 1]->vendor) == 0 ? kept + 1 : 1;
			if (kept > EA_PROM_UNCATALOGUED_MAX)
				continue;
			fputs("egressaudit_uncatalogued_requests{", out);
			proxy_label(out, r, true);
			label(out, "vendor", v[i]->vendor, false);
			label(out, "host", v[i]->host, false);
			fprintf(out, "} %llu\n", (unsigned long long)v[i]->stats.total.requested);
		}
		free(v);
	}
	head(out, "egressaudit_uncatalogued_hosts", "gauge",
	     "Distinct uncatalogued hosts under a vendor's domains seen in the window.");
	for (size_t k = 0; k < n; k++) {
		const struct ea_report *r = rs[k];

		for (size_t i = 0, count = 0; i < r->nuncatalogued; i++) {
			count++;
			if (i + 1 < r->nuncatalogued &&
			    strcmp(r->uncatalogued[i + 1].vendor, r->uncatalogued[i].vendor) == 0)
				continue;
			fputs("egressaudit_uncatalogued_hosts{", out);
			proxy_label(out, r, true);
			label(out, "vendor", r->uncatalogued[i].vendor, false);
			fprintf(out, "} %zu\n", count);
			count = 0;
		}
	}
	return 0;
}

static void write_proxy(FILE *out, const struct ea_report *const *rs, size_t n)
{
	head(out, "egressaudit_dropped_hits_total", "counter",
	     "Hits the proxy's store lost since it was created, by reason (rising: the report undercounts).");
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < rs[k]->nproxies; i++)
			for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++) {
				fputs("egressaudit_dropped_hits_total{", out);
				label(out, "proxy", rs[k]->proxies[i].name, true);
				label(out, "reason", ea_report_counter_names[c], false);
				fprintf(out, "} %llu\n", (unsigned long long)rs[k]->proxies[i].counters[c]);
			}
	head(out, "egressaudit_report_entries", "gauge", "Entries in scope on the proxy by status.");
	for (size_t k = 0; k < n; k++)
		for (int s = 0; s < EA_STATUS_COUNT; s++) {
			fputs("egressaudit_report_entries{", out);
			proxy_label(out, rs[k], true);
			label(out, "status", ea_status_name((enum ea_status)s), false);
			fprintf(out, "} %zu\n", rs[k]->by_status[s]);
		}
	head(out, "egressaudit_catalogue_source_updated_timestamp_seconds", "gauge",
	     "Unix time (UTC midnight) of the vendor's list's last-updated date in the proxy's catalogue.");
	for (size_t k = 0; k < n; k++)
		for (size_t v = 0; v < rs[k]->cat->nvendors; v++) {
			const struct ea_vendor *vd = rs[k]->cat->vendors[v];
			long days;

			if (!ea_profile_vendor_in_scope(rs[k]->profile, vd->id) ||
			    ea_date_days_between("1970-01-01", vd->updated, &days) < 0)
				continue;
			fputs("egressaudit_catalogue_source_updated_timestamp_seconds{", out);
			proxy_label(out, rs[k], true);
			label(out, "vendor", vd->id, false);
			fprintf(out, "} %lld\n", (long long)days * 86400);
		}
	head(out, "egressaudit_exporter_last_success_timestamp_seconds", "gauge",
	     "Unix time this export was made from the proxy's store (old: the export stopped).");
	for (size_t k = 0; k < n; k++) {
		fputs("egressaudit_exporter_last_success_timestamp_seconds{", out);
		proxy_label(out, rs[k], true);
		fprintf(out, "} %lld\n", (long long)rs[k]->generated);
	}
}

int ea_report_write_prometheus(FILE *out, const struct ea_report *const *reports, size_t n)
{
	write_status(out, reports, n);
	write_requests(out, reports, n);
	write_timeline(out, reports, n);
	if (write_uncatalogued(out, reports, n) < 0)
		return -1;
	write_proxy(out, reports, n);
	return ferror(out) ? -1 : 0;
}
