/* The report as one self-contained HTML file: inline CSS, an inline SVG
 * chart per vendor, a table sortable by clicking its headers (inline
 * script), no external asset, and a Content-Security-Policy that forbids
 * fetching anything. Every string from the catalogue, profile or stores is
 * escaped, since hosts and user names come from untrusted traffic. */
#include "report.h"

static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

static const char *const status_colour[EA_STATUS_COUNT] = {
	"#c62828", "#ef6c00", "#ad1457", "#f9a825", "#0277bd", "#6d4c41", "#2e7d32", "#9e9e9e",
};

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
	"td.n{text-align:right}th{background:#eee;cursor:pointer;user-select:none}"
	"th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}"
	".st{font-weight:bold;color:#fff;padding:0 .4em;border-radius:3px;white-space:nowrap}"
	".small{font-size:85%;color:#555}";

/* Sort the table whose header was clicked; numbers by data-v. */
static const char script[] =
	"(function(){\n"
	"function key(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;"
	"return num?Number(v):v.toLowerCase();}\n"
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	" var ths=t.tHead.rows[0].cells;\n"
	" Array.prototype.forEach.call(ths,function(th,col){\n"
	"  th.addEventListener('click',function(){\n"
	"   var asc=th.getAttribute('aria-sort')!=='ascending',num=th.getAttribute('data-type')==='num';\n"
	"   var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
	"   rows.sort(function(a,b){var x=key(a.cells[col],num),y=key(b.cells[col],num);"
	"return (x<y?-1:x>y?1:0)*(asc?1:-1);});\n"
	"   rows.forEach(function(r){body.appendChild(r);});\n"
	"   Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});\n"
	"   th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
	"  });\n"
	" });\n"
	"});\n"
	"})();\n";

static void status_badge(FILE *out, enum ea_status s)
{
	fprintf(out, "<span class=\"st\" style=\"background:%s\">%s</span>", status_colour[s],
		ea_status_name(s));
}

static void num_td(FILE *out, uint64_t v)
{
	fprintf(out, "<td class=\"n\" data-v=\"%llu\">%llu</td>", (unsigned long long)v,
		(unsigned long long)v);
}

static void time_td(FILE *out, time_t t)
{
	char buf[32];

	ea_report_time(t, buf);
	fprintf(out, "<td data-v=\"%s\">%s</td>", buf, t ? buf : "-");
}

static void vendor_chart(FILE *out, const struct ea_report *r, const struct ea_vendor *v)
{
	size_t n[EA_STATUS_COUNT] = { 0 }, total = 0;
	double x = 0;

	for (size_t i = 0; i < r->nentries; i++)
		if (r->entries[i].entry->vendor == v) {
			n[r->entries[i].status]++;
			total++;
		}
	if (!total)
		return;
	fputs("<tr><td>", out);
	esc(out, v->name);
	fprintf(out, "</td><td class=\"n\" data-v=\"%zu\">%zu</td>", total, total);
	for (int s = 0; s < EA_STATUS_COUNT; s++)
		fprintf(out, "<td class=\"n\" data-v=\"%zu\">%zu</td>", n[s], n[s]);
	fputs("<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" height=\"16\" role=\"img\">", out);
	for (int s = 0; s < EA_STATUS_COUNT; s++) {
		double w = 300.0 * (double)n[s] / (double)total;

		if (!n[s])
			continue;
		fprintf(out, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"16\" fill=\"%s\"><title>%s: %zu</title></rect>",
			x, w, status_colour[s], ea_status_name((enum ea_status)s), n[s]);
		x += w;
	}
	fputs("</svg></td></tr>\n", out);
}

static void entry_row(FILE *out, const struct ea_report *r, const struct ea_report_entry *re)
{
	const struct ea_entry *e = re->entry;
	const struct ea_report_stats *st = &re->stats;
	const struct ea_tally *t = &st->total;

	fprintf(out, "<tr><td data-v=\"%d\">", (int)re->status);
	status_badge(out, re->status);
	if (re->ack) {
		fputs(" <span class=\"small\" title=\"", out);
		esc(out, re->ack->reason);
		fputs("\">acknowledged until ", out);
		esc(out, re->ack->until);
		fputs("</span>", out);
	}
	fprintf(out, "</td><td data-v=\"%d\">%s</td><td>", (int)e->level, ea_level_name(e->level));
	esc(out, e->vendor->id);
	fputs("</td><td>", out);
	esc(out, e->id);
	fputs("</td><td>", out);
	if (e->kind == EA_KIND_SITE) {
		for (size_t i = 0; re->site && i < re->site->nhosts; i++) {
			esc(out, re->site->hosts[i].pattern);
			fputs(" ", out);
		}
		if (!re->site)
			fputs("<i>site-specific: no host in the profile</i>", out);
	} else {
		esc(out, e->pattern);
	}
	if (e->replaced_by) {
		fputs("<br><span class=\"small\">replaced by ", out);
		esc(out, e->replaced_by);
		fputs("</span>", out);
	}
	fputs("</td><td>", out);
	for (size_t i = 0; i < st->nports; i++) {
		fprintf(out, "%s<span title=\"%s: %llu allowed, %llu denied, %llu failed, %llu unknown\">%u%s</span>",
			i ? ", " : "", ea_status_name(st->ports[i].status),
			(unsigned long long)st->ports[i].tally.allowed,
			(unsigned long long)st->ports[i].tally.denied,
			(unsigned long long)st->ports[i].tally.failed,
			(unsigned long long)st->ports[i].tally.unknown, st->ports[i].port,
			!st->ports[i].listed ? " (unlisted)" : st->ports[i].acknowledged ? " (ack)" : "");
	}
	fputs("</td>", out);
	num_td(out, t->allowed);
	num_td(out, t->denied);
	num_td(out, t->failed);
	num_td(out, t->unknown);
	num_td(out, st->clients);
	time_td(out, t->first_seen);
	time_td(out, t->last_seen);
	fputs("<td class=\"small\">", out);
	for (size_t i = 0; e->kind != EA_KIND_EXACT && i < st->nhosts; i++) {
		esc(out, st->hosts[i].host);
		fprintf(out, " (%llu)<br>", (unsigned long long)st->hosts[i].tally.requested);
	}
	if (st->more_hosts)
		fprintf(out, "and %llu more hosts (%llu)<br>", (unsigned long long)st->more_hosts,
			(unsigned long long)st->more.requested);
	for (size_t i = 0; r->nproxies > 1 && i < r->nproxies; i++)
		if (st->by_proxy[i].requested) {
			fputs("proxy ", out);
			esc(out, r->proxies[i].name);
			fprintf(out, ": %llu allowed, %llu denied, %llu failed<br>",
				(unsigned long long)st->by_proxy[i].allowed,
				(unsigned long long)st->by_proxy[i].denied,
				(unsigned long long)st->by_proxy[i].failed);
		}
	fputs("</td></tr>\n", out);
}

int ea_report_write_html(FILE *out, const struct ea_report *r)
{
	char since[32], until[32], gen[32];

	ea_report_time(r->since, since);
	ea_report_time(r->until, until);
	ea_report_time(r->generated, gen);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      "<title>egressaudit report</title>\n<style>", out);
	fputs(style, out);
	fputs("</style></head><body>\n<h1>egressaudit report</h1>\n<p>As of ", out);
	esc(out, r->as_of);
	fprintf(out, "; hits from %s to %s; generated %s.", r->since ? since : "the start",
		r->until ? until : "now", gen);
	if (r->profile) {
		fputs(" Site profile ", out);
		esc(out, r->profile->file);
		if (r->profile->site) {
			fputs(" (", out);
			esc(out, r->profile->site);
			fputs(")", out);
		}
		fputs(".", out);
	}
	fputs("</p>\n<h2>Summary per vendor</h2>\n<table class=\"sortable\" id=\"vendors\"><thead><tr>"
	      "<th>Vendor</th><th data-type=\"num\">Entries</th>", out);
	for (int s = 0; s < EA_STATUS_COUNT; s++)
		fprintf(out, "<th data-type=\"num\">%s</th>", ea_status_name((enum ea_status)s));
	fputs("<th>Chart</th></tr></thead><tbody>\n", out);
	for (size_t v = 0; v < r->cat->nvendors; v++)
		vendor_chart(out, r, r->cat->vendors[v]);
	fputs("</tbody></table>\n<h2>Entries in scope</h2>\n"
	      "<table class=\"sortable\" id=\"entries\"><thead><tr>"
	      "<th data-type=\"num\">Status</th><th data-type=\"num\">Level</th><th>Vendor</th>"
	      "<th>Entry</th><th>Host</th><th>Ports</th>"
	      "<th data-type=\"num\">Allowed</th><th data-type=\"num\">Denied</th>"
	      "<th data-type=\"num\">Failed</th><th data-type=\"num\">Unknown</th>"
	      "<th data-type=\"num\">Clients</th><th>First seen</th><th>Last seen</th>"
	      "<th>Hosts seen, proxies</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < r->nentries; i++)
		entry_row(out, r, &r->entries[i]);
	fputs("</tbody></table>\n<h2>Uncatalogued hosts under vendor-owned domains</h2>\n", out);
	if (!r->nuncatalogued) {
		fputs("<p>None.</p>\n", out);
	} else {
		fputs("<table class=\"sortable\" id=\"uncatalogued\"><thead><tr><th>Vendor</th><th>Host</th>"
		      "<th>Ports</th><th data-type=\"num\">Allowed</th><th data-type=\"num\">Denied</th>"
		      "<th data-type=\"num\">Failed</th><th data-type=\"num\">Unknown</th>"
		      "<th data-type=\"num\">Clients</th><th>First seen</th><th>Last seen</th>"
		      "</tr></thead><tbody>\n", out);
		for (size_t i = 0; i < r->nuncatalogued; i++) {
			const struct ea_report_uncatalogued *u = &r->uncatalogued[i];
			const struct ea_tally *t = &u->stats.total;

			fputs("<tr><td>", out);
			esc(out, u->vendor);
			fputs("</td><td>", out);
			esc(out, u->host);
			fputs("</td><td>", out);
			for (size_t p = 0; p < u->stats.nports; p++)
				fprintf(out, "%s%u", p ? ", " : "", u->stats.ports[p].port);
			fputs("</td>", out);
			num_td(out, t->allowed);
			num_td(out, t->denied);
			num_td(out, t->failed);
			num_td(out, t->unknown);
			num_td(out, u->stats.clients);
			time_td(out, t->first_seen);
			time_td(out, t->last_seen);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
		for (size_t i = 0; i < r->nuncatalogued_more; i++) {
			const struct ea_report_more *m = &r->uncatalogued_more[i];

			if (!m->hosts)
				continue;
			fprintf(out, "<p>and %llu more hosts under ", (unsigned long long)m->hosts);
			esc(out, m->vendor);
			fprintf(out, "'s domains (%llu requests)</p>\n", (unsigned long long)m->tally.requested);
		}
	}
	fputs("<h2>Dropped hits</h2>\n<p class=\"small\">Hits the stores could not record; "
	      "anything but 0 means the counts above are too low.</p>\n"
	      "<table class=\"sortable\" id=\"dropped\"><thead><tr><th>Proxy</th><th>Database</th>"
	      "<th data-type=\"num\">Dropped</th>", out);
	for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++)
		fprintf(out, "<th data-type=\"num\">%s</th>", ea_report_counter_names[c]);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < r->nproxies; i++) {
		fputs("<tr><td>", out);
		esc(out, r->proxies[i].name);
		fputs("</td><td>", out);
		esc(out, r->proxies[i].database);
		fputs("</td>", out);
		num_td(out, r->proxies[i].dropped);
		for (size_t c = 0; c < EA_REPORT_NCOUNTERS; c++)
			num_td(out, r->proxies[i].counters[c]);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n<script>", out);
	fputs(script, out);
	fputs("</script>\n</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}
