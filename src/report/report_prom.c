/* The report in Prometheus's text exposition format, for node_exporter's
 * textfile collector: per-entry status as a state set (one series per
 * status, 1 for the current one) and per-port counts over the window.
 * Counts are gauges: they describe the report's window, not a counter that
 * only grows. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* A label value in its canonical form (core/text.h): valid UTF-8, as the
 * exposition format requires, and no newline to forge a sample with. */
static void label(FILE *out, const char *name, const char *value, bool first)
{
	size_t len = value ? strlen(value) : 0;
	char *canon = malloc(len + 1);

	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	if (canon)
		ea_text_canon(canon, len + 1, value, len);
	for (const char *s = canon ? canon : "?"; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
	free(canon);
}

static void head(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void entry_labels(FILE *out, const struct ea_report_entry *re)
{
	label(out, "vendor", re->entry->vendor->id, true);
	label(out, "entry", re->entry->id, false);
	label(out, "level", ea_level_name(re->entry->level), false);
}

int ea_report_write_prometheus(FILE *out, const struct ea_report *r)
{
	static const char *const outcomes[] = { "allowed", "denied", "failed", "unknown" };

	head(out, "egressaudit_entry_status", "Status of a catalogue entry in scope: 1 for its current status.");
	for (size_t i = 0; i < r->nentries; i++)
		for (int s = 0; s < EA_STATUS_COUNT; s++) {
			fputs("egressaudit_entry_status{", out);
			entry_labels(out, &r->entries[i]);
			label(out, "status", ea_status_name((enum ea_status)s), false);
			fprintf(out, "} %d\n", r->entries[i].status == (enum ea_status)s);
		}
	head(out, "egressaudit_entry_acknowledged", "1 when the site profile has an exception in force for the entry.");
	for (size_t i = 0; i < r->nentries; i++) {
		fputs("egressaudit_entry_acknowledged{", out);
		entry_labels(out, &r->entries[i]);
		fprintf(out, "} %d\n", r->entries[i].ack != NULL);
	}
	head(out, "egressaudit_entry_requests", "Requests to a listed port of the entry in the report's window, by outcome.");
	for (size_t i = 0; i < r->nentries; i++) {
		const struct ea_report_stats *st = &r->entries[i].stats;

		for (size_t p = 0; p < st->nports; p++) {
			const struct ea_tally *t = &st->ports[p].tally;
			const uint64_t v[] = { t->allowed, t->denied, t->failed, t->unknown };
			char port[8];

			if (!st->ports[p].listed)
				continue;
			snprintf(port, sizeof(port), "%u", st->ports[p].port);
			for (int o = 0; o < 4; o++) {
				fputs("egressaudit_entry_requests{", out);
				entry_labels(out, &r->entries[i]);
				label(out, "port", port, false);
				label(out, "outcome", outcomes[o], false);
				fprintf(out, "} %llu\n", (unsigned long long)v[o]);
			}
		}
	}
	head(out, "egressaudit_entry_clients", "Distinct client addresses that requested the entry in the window.");
	for (size_t i = 0; i < r->nentries; i++) {
		fputs("egressaudit_entry_clients{", out);
		entry_labels(out, &r->entries[i]);
		fprintf(out, "} %llu\n", (unsigned long long)r->entries[i].stats.clients);
	}
	head(out, "egressaudit_entry_last_seen_seconds", "Unix time of the last request to the entry (entries seen in the window only).");
	for (size_t i = 0; i < r->nentries; i++) {
		if (!r->entries[i].stats.total.last_seen)
			continue;
		fputs("egressaudit_entry_last_seen_seconds{", out);
		entry_labels(out, &r->entries[i]);
		fprintf(out, "} %lld\n", (long long)r->entries[i].stats.total.last_seen);
	}
	head(out, "egressaudit_uncatalogued_requests", "Requests to a host under a vendor-owned domain that no catalogue entry names.");
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		fputs("egressaudit_uncatalogued_requests{", out);
		label(out, "vendor", r->uncatalogued[i].vendor, true);
		label(out, "host", r->uncatalogued[i].host, false);
		fprintf(out, "} %llu\n", (unsigned long long)r->uncatalogued[i].stats.total.requested);
	}
	head(out, "egressaudit_dropped_hits", "Hits the store lost, by proxy and reason (non-zero: the report undercounts).");
	for (size_t i = 0; i < r->nproxies; i++)
		for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++) {
			fputs("egressaudit_dropped_hits{", out);
			label(out, "proxy", r->proxies[i].name, true);
			label(out, "reason", ea_report_counter_names[c], false);
			fprintf(out, "} %llu\n", (unsigned long long)r->proxies[i].counters[c]);
		}
	head(out, "egressaudit_report_entries", "Entries in scope by status.");
	for (int s = 0; s < EA_STATUS_COUNT; s++) {
		fputs("egressaudit_report_entries{", out);
		label(out, "status", ea_status_name((enum ea_status)s), true);
		fprintf(out, "} %zu\n", r->by_status[s]);
	}
	head(out, "egressaudit_report_generated_seconds", "Unix time the report was made.");
	fprintf(out, "egressaudit_report_generated_seconds %lld\n", (long long)r->generated);
	return ferror(out) ? -1 : 0;
}
