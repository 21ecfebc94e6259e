/* The report as aligned text, for a terminal or an email: a summary, one
 * table row per entry (worst status first), details of what needs looking
 * at, hosts seen under patterns, uncatalogued hosts and dropped hits. */
#include "report.h"
#include "core/text.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A table of strings, printed with each column as wide as its widest cell. */
#define TCOLS 12
struct table {
	char *(*cells)[TCOLS];
	int *status;  /* per row: the status to colour column 0 by, or -1 */
	size_t n, cells_cap, status_cap, ncols;
	bool nomem;
};

static void row_add(struct table *t, int status, ...)
{
	va_list ap;

	if (ea_vec_reserve(&t->cells, &t->cells_cap, t->n + 1, sizeof(*t->cells)) < 0 ||
	    ea_vec_reserve(&t->status, &t->status_cap, t->n + 1, sizeof(*t->status)) < 0) {
		t->nomem = true;
		return;
	}
	va_start(ap, status);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->n][i] = strdup(s ? s : "");
		if (!t->cells[t->n][i])
			t->nomem = true;
	}
	va_end(ap);
	t->status[t->n++] = status;
}

static const char *colour_of(int status)
{
	switch (status) {
	case EA_STATUS_BLOCKED: return "\033[1;31m";
	case EA_STATUS_PARTIAL:
	case EA_STATUS_RETIRED_IN_USE:
	case EA_STATUS_NEVER_SEEN: return "\033[33m";
	case EA_STATUS_UNVERIFIED:
	case EA_STATUS_UNCONFIGURED: return "\033[36m";
	case EA_STATUS_OK: return "\033[32m";
	default: return NULL;
	}
}

static void table_print(FILE *out, struct table *t, bool colour, const char *indent)
{
	size_t w[TCOLS] = { 0 };

	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (t->cells[r][c] && strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	for (size_t r = 0; r < t->n; r++) {
		fputs(indent, out);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r][c] ? t->cells[r][c] : "";
			const char *col = colour && c == 0 && r > 0 ? colour_of(t->status[r]) : NULL;
			bool last = c + 1 == t->ncols;

			/* Cells hold hosts and proxy names from databases:
			 * printed in their canonical form (core/text.h). */
			if (col)
				fputs(col, out);
			ea_text_put(out, cell);
			if (col)
				fputs("\033[0m", out);
			if (!last)
				fprintf(out, "%*s", (int)(w[c] - strlen(cell)), "");
			if (!last)
				fputs("  ", out);
		}
		fputc('\n', out);
	}
	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; c < t->ncols; c++)
			free(t->cells[r][c]);
	free(t->cells);
	free(t->status);
	memset(t, 0, sizeof(*t));
}

static char *u64(char buf[24], uint64_t v)
{
	snprintf(buf, 24, "%llu", (unsigned long long)v);
	return buf;
}

/* "443,80" with an acknowledged port marked "80(ack)". */
static void ports_text(const struct ea_report_stats *st, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->nports && used < len; i++) {
		if (!st->ports[i].listed)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%u%s", used ? "," : "",
					 st->ports[i].port, st->ports[i].acknowledged ? "(ack)" : "");
	}
}

static const char *entry_target(const struct ea_report_entry *re, char *buf, size_t len)
{
	if (re->entry->kind != EA_KIND_SITE)
		return re->entry->pattern;
	if (!re->site)
		return "site-specific, no host in the profile";
	snprintf(buf, len, "%s%s", re->site->hosts[0].pattern, re->site->nhosts > 1 ? ",..." : "");
	return buf;
}

/* 19874 -> "19,874": a count a reader takes in at a glance. */
static const char *thousands(uint64_t v, char buf[32])
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "and 19,874 more hosts (52,311 requests)" under a bounded host list. */
static void more_line(FILE *out, const char *indent, uint64_t hosts, const char *of,
		      const struct ea_tally *t)
{
	char h[32], q[32];

	if (hosts)
		fprintf(out, "%sand %s more host%s%s (%s requests)\n", indent, thousands(hosts, h),
			hosts == 1 ? "" : "s", of, thousands(t->requested, q));
}

static void tally_line(FILE *out, const char *indent, const char *what, const struct ea_tally *t)
{
	char first[32], last[32];

	ea_report_time(t->first_seen, first);
	ea_report_time(t->last_seen, last);
	fputs(indent, out);
	ea_text_put(out, what); /* a host or a proxy name, from a database */
	fprintf(out, ": %llu requested, %llu allowed, %llu denied, %llu failed, %llu unknown",
		(unsigned long long)t->requested, (unsigned long long)t->allowed,
		(unsigned long long)t->denied, (unsigned long long)t->failed,
		(unsigned long long)t->unknown);
	if (t->requested)
		fprintf(out, "; first %s, last %s", first, last);
	fputc('\n', out);
}

static void details(FILE *out, const struct ea_report *r, const struct ea_report_entry *re)
{
	const struct ea_entry *e = re->entry;
	const struct ea_report_stats *st = &re->stats;
	char buf[300];

	fprintf(out, "  %s  %s (%s, %s%s%s)\n", ea_status_name(re->status), e->id,
		entry_target(re, buf, sizeof(buf)), ea_level_name(e->level),
		e->condition ? ", with " : "", e->condition ? e->condition->id : "");
	if (e->purpose)
		fprintf(out, "      purpose: %s\n", e->purpose);
	if (re->retired)
		fprintf(out, "      retired after %s%s%s\n", e->valid_until,
			e->replaced_by ? "; replaced by " : "", e->replaced_by ? e->replaced_by : "");
	if (re->ack)
		fprintf(out, "      acknowledged until %s: %s\n", re->ack->until, re->ack->reason);
	if (ea_report_timeline_words(r, &re->tl, buf, sizeof(buf)))
		fprintf(out, "      %s\n", buf);
	if (re->status == EA_STATUS_UNCONFIGURED && e->example)
		fprintf(out, "      set its host under site_hosts in the profile (e.g. %s)\n", e->example);
	if (re->status == EA_STATUS_UNVERIFIED)
		fputs("      requests seen, outcome not recorded: import Squid's access log\n", out);
	for (size_t i = 0; i < st->nports; i++) {
		const struct ea_report_port *p = &st->ports[i];

		snprintf(buf, sizeof(buf), "port %u (%s%s%s)", p->port, ea_status_name(p->status),
			 p->listed ? "" : ", not listed", p->acknowledged ? ", acknowledged" : "");
		tally_line(out, "      ", buf, &p->tally);
	}
	for (size_t i = 0; r->nproxies > 1 && i < r->nproxies; i++)
		if (st->by_proxy[i].requested) {
			snprintf(buf, sizeof(buf), "proxy %s", r->proxies[i].name);
			tally_line(out, "      ", buf, &st->by_proxy[i]);
		}
}

/* The vendor lists the report judged with, and how old they are. */
static void sources(FILE *out, const struct ea_report *r)
{
	for (size_t v = 0; v < r->cat->nvendors; v++) {
		const struct ea_vendor *vd = r->cat->vendors[v];
		bool stale;
		long age;

		if (!ea_profile_vendor_in_scope(r->profile, vd->id))
			continue;
		age = ea_report_source_age(r, vd, &stale);
		fprintf(out, "Catalogue %s: %s, updated %s, transcribed %s", vd->id,
			vd->source_title ? vd->source_title : "no source document",
			vd->updated[0] ? vd->updated : "unknown", vd->transcribed[0] ? vd->transcribed : "unknown");
		if (age >= 0)
			fprintf(out, " (%ld days old)", age);
		fputc('\n', out);
		if (stale)
			fprintf(out, "  WARNING: the %s list is more than %ld days old; the vendor may have changed it"
				" (egressaudit catalog diff compares catalogues)\n", vd->id, r->max_source_age);
	}
}

int ea_report_write_text(FILE *out, const struct ea_report *r, bool colour)
{
	struct table t = { .ncols = 12 };
	char since[32], until[32];
	size_t problems = 0, patterned = 0;
	uint64_t more_hosts = 0;

	ea_report_time(r->since, since);
	ea_report_time(r->until, until);
	fprintf(out, "egressaudit report, as of %s; hits from %s to %s\n", r->as_of,
		r->since ? since : "the start", r->until ? until : "now");
	if (r->profile)
		fprintf(out, "Site profile: %s%s%s%s\n", r->profile->file, r->profile->site ? " (" : "",
			r->profile->site ? r->profile->site : "", r->profile->site ? ")" : "");
	for (size_t i = 0; i < r->nproxies; i++) {
		fputs("Proxy ", out);
		ea_text_put(out, r->proxies[i].name);
		fputs(": ", out);
		ea_text_put(out, r->proxies[i].database);
		fputc('\n', out);
	}
	sources(out, r);
	fprintf(out, "\n%zu entries in scope", r->nentries);
	for (int s = 0, n = 0; s < EA_STATUS_COUNT; s++)
		if (r->by_status[s])
			fprintf(out, "%s %zu %s (%zu required)", n++ ? "," : ":", r->by_status[s],
				ea_status_name((enum ea_status)s), r->required_by_status[s]);
	if (r->acknowledged)
		fprintf(out, "; %zu acknowledged", r->acknowledged);
	fputs(".\n\n", out);

	row_add(&t, -1, "STATUS", "LEVEL", "VENDOR", "ENTRY", "HOST", "PORTS", "ALLOWED",
		"DENIED", "FAILED", "UNKNOWN", "CLIENTS", "LAST SEEN");
	for (int s = 0; s < EA_STATUS_COUNT; s++)
		for (size_t i = 0; i < r->nentries; i++) {
			const struct ea_report_entry *re = &r->entries[i];
			const struct ea_tally *tl = &re->stats.total;
			char a[24], d[24], f[24], u[24], c[24], last[32], ports[128], host[300];
			char status[48];

			if (re->status != (enum ea_status)s)
				continue;
			snprintf(status, sizeof(status), "%s%s", ea_status_name(re->status),
				 re->ack && !re->ack->nports ? " (ack)" : "");
			ports_text(&re->stats, ports, sizeof(ports));
			ea_report_time(tl->last_seen, last);
			row_add(&t, s, status, ea_level_name(re->entry->level), re->entry->vendor->id,
				re->entry->id, entry_target(re, host, sizeof(host)), ports,
				u64(a, tl->allowed), u64(d, tl->denied), u64(f, tl->failed),
				u64(u, tl->unknown), u64(c, re->stats.clients), tl->requested ? last : "-");
			if (s != EA_STATUS_OK && s != EA_STATUS_RETIRED)
				problems++;
			if (re->entry->kind != EA_KIND_EXACT && (re->stats.nhosts || re->stats.more_hosts))
				patterned++;
		}
	if (t.nomem)
		return -1;
	table_print(out, &t, colour, "");

	if (problems) {
		fputs("\nWhat needs looking at:\n", out);
		for (int s = 0; s < EA_STATUS_OK; s++)
			for (size_t i = 0; i < r->nentries; i++)
				if (r->entries[i].status == (enum ea_status)s)
					details(out, r, &r->entries[i]);
	}

	for (size_t i = 0, n = 0; i < r->nentries; i++) {
		const struct ea_report_entry *re = &r->entries[i];

		if (!re->covered_by || !re->stats.total.requested)
			continue;
		if (n++ == 0)
			fputs("\nRetired entries whose host a current entry still requires (not retired-in-use):\n", out);
		fprintf(out, "  %s (%s): the host is required by %s, which counts the same traffic\n",
			re->entry->id, re->entry->pattern, re->covered_by->id);
	}

	if (patterned) {
		fputs("\nHosts seen under wildcards, globs, regexes and site hosts:\n", out);
		for (size_t i = 0; i < r->nentries; i++) {
			const struct ea_report_entry *re = &r->entries[i];

			if (re->entry->kind == EA_KIND_EXACT || (!re->stats.nhosts && !re->stats.more_hosts))
				continue;
			fprintf(out, "  %s (%s)\n", re->entry->id, re->entry->pattern ? re->entry->pattern : "site");
			for (size_t h = 0; h < re->stats.nhosts; h++)
				tally_line(out, "      ", re->stats.hosts[h].host, &re->stats.hosts[h].tally);
			more_line(out, "      ", re->stats.more_hosts, "", &re->stats.more);
		}
	}

	fputs("\nUncatalogued hosts under vendor-owned domains (the catalogue may be out of date):\n", out);
	for (size_t i = 0; i < r->nuncatalogued_more; i++)
		more_hosts += r->uncatalogued_more[i].hosts;
	if (!r->nuncatalogued && !more_hosts) {
		fputs("  none\n", out);
	} else {
		t.ncols = 10;
		row_add(&t, -1, "VENDOR", "HOST", "PORTS", "ALLOWED", "DENIED", "FAILED", "UNKNOWN",
			"CLIENTS", "LAST SEEN", "PROXIES");
		for (size_t i = 0; i < r->nuncatalogued; i++) {
			const struct ea_report_uncatalogued *uc = &r->uncatalogued[i];
			const struct ea_tally *tl = &uc->stats.total;
			char a[24], d[24], f[24], u[24], c[24], last[32], ports[128], proxies[512];
			size_t used = 0;

			ports_text(&uc->stats, ports, sizeof(ports));
			ea_report_time(tl->last_seen, last);
			proxies[0] = '\0';
			for (size_t p = 0; p < r->nproxies && used < sizeof(proxies); p++)
				if (uc->stats.by_proxy[p].requested)
					used += (size_t)snprintf(proxies + used, sizeof(proxies) - used, "%s%s",
								 used ? "," : "", r->proxies[p].name);
			row_add(&t, -1, uc->vendor, uc->host, ports, u64(a, tl->allowed), u64(d, tl->denied),
				u64(f, tl->failed), u64(u, tl->unknown), u64(c, uc->stats.clients), last,
				proxies);
		}
		if (t.nomem)
			return -1;
		table_print(out, &t, false, "  ");
		for (size_t i = 0; i < r->nuncatalogued_more; i++) {
			char of[96];

			snprintf(of, sizeof(of), " under %s's domains", r->uncatalogued_more[i].vendor);
			more_line(out, "  ", r->uncatalogued_more[i].hosts, of, &r->uncatalogued_more[i].tally);
		}
	}

	fputs("\nDropped hits (the stores' counters; non-zero means the report undercounts):\n", out);
	for (size_t i = 0; i < r->nproxies; i++) {
		const struct ea_report_proxy *p = &r->proxies[i];

		fputs("  ", out);
		ea_text_put(out, p->name);
		fprintf(out, ": %llu dropped", (unsigned long long)p->dropped);
		for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++)
			fprintf(out, "%s%s %llu", c ? ", " : " (", ea_report_counter_names[c],
				(unsigned long long)p->counters[c]);
		fputs(")\n", out);
	}
	return ferror(out) ? -1 : 0;
}
