/* The report as CSV (RFC 4180: CRLF, quotes doubled), one row per entry and
 * port plus one per uncatalogued host and port. A cell a spreadsheet would
 * run as a formula (starting with = + - @; a tab or CR is a '?' by then)
 * gets a leading apostrophe: host names never start that way, but reasons
 * and notes might. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* A cell in its canonical form (core/text.h: no control character, valid
 * UTF-8), whatever the database holds, so a hostile host or proxy name
 * cannot forge a row or reach a terminal; never longer than s. */
static void cell(FILE *out, const char *s, bool first)
{
	char *canon;
	bool quote, formula;

	if (!first)
		fputc(',', out);
	if (!s)
		return;
	if (!(canon = malloc(strlen(s) + 1))) {
		fputs("\"?\"", out);
		return;
	}
	ea_text_canon(canon, strlen(s) + 1, s, strlen(s));
	formula = canon[0] && strchr("=+-@", canon[0]);
	quote = formula || strpbrk(canon, ",\"") != NULL;
	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (const char *c = canon; *c; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	if (quote)
		fputc('"', out);
	free(canon);
}

static void num(FILE *out, uint64_t v)
{
	fprintf(out, ",%llu", (unsigned long long)v);
}

static void counts(FILE *out, const struct ea_tally *t, uint64_t clients, bool with_clients)
{
	char first[32], last[32];

	num(out, t->requested);
	num(out, t->allowed);
	num(out, t->denied);
	num(out, t->failed);
	num(out, t->unknown);
	if (with_clients)
		num(out, clients);
	else
		fputc(',', out);
	ea_report_time(t->first_seen, first);
	ea_report_time(t->last_seen, last);
	cell(out, first, false);
	cell(out, last, false);
}

int ea_report_write_csv(FILE *out, const struct ea_report *r)
{
	fputs("section,vendor,entry,product,condition,level,kind,pattern,region,port,port_listed,"
	      "port_status,status,requested,allowed,denied,failed,unknown,clients,first_seen,last_seen,"
	      "hosts_seen,valid_until,replaced_by,acknowledged_until,acknowledged_reason\r\n", out);
	for (size_t i = 0; i < r->nentries; i++) {
		const struct ea_report_entry *re = &r->entries[i];
		const struct ea_entry *e = re->entry;
		const struct ea_report_stats *st = &re->stats;
		const char *pattern = e->pattern;

		if (e->kind == EA_KIND_SITE && re->site)
			pattern = re->site->hosts[0].pattern;
		for (size_t p = 0; p < st->nports; p++) {
			const struct ea_report_port *rp = &st->ports[p];
			char port[8];

			snprintf(port, sizeof(port), "%u", rp->port);
			cell(out, "entry", true);
			cell(out, e->vendor->id, false);
			cell(out, e->id, false);
			cell(out, e->product ? e->product->id : NULL, false);
			cell(out, e->condition ? e->condition->id : NULL, false);
			cell(out, ea_level_name(e->level), false);
			cell(out, ea_kind_name(e->kind), false);
			cell(out, pattern, false);
			cell(out, e->region, false);
			cell(out, port, false);
			cell(out, rp->listed ? "yes" : "no", false);
			cell(out, ea_status_name(rp->status), false);
			cell(out, ea_status_name(re->status), false);
			/* The entry's client count applies to all its ports. */
			counts(out, &rp->tally, st->clients, true);
			fprintf(out, ",%zu", st->nhosts);
			cell(out, e->valid_until, false);
			cell(out, e->replaced_by, false);
			cell(out, re->ack && (!re->ack->nports || rp->acknowledged) ? re->ack->until : NULL, false);
			cell(out, re->ack && (!re->ack->nports || rp->acknowledged) ? re->ack->reason : NULL, false);
			fputs("\r\n", out);
		}
	}
	for (size_t i = 0; i < r->nuncatalogued; i++) {
		const struct ea_report_uncatalogued *u = &r->uncatalogued[i];

		for (size_t p = 0; p < u->stats.nports; p++) {
			const struct ea_report_port *rp = &u->stats.ports[p];
			char port[8];

			snprintf(port, sizeof(port), "%u", rp->port);
			cell(out, "uncatalogued", true);
			cell(out, u->vendor, false);
			fputs(",,,,,", out);
			cell(out, u->host, false);
			fputc(',', out);
			cell(out, port, false);
			fputc(',', out);
			cell(out, ea_status_name(rp->status), false);
			fputc(',', out);
			counts(out, &rp->tally, u->stats.clients, true);
			fputs(",1,,,,\r\n", out);
		}
	}
	return ferror(out) ? -1 : 0;
}
