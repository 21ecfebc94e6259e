/* The report as a Nagios/Icinga plugin result (`report --check`): one
 * status line with performance data, then one line per problem. By default
 * it judges the present (the timeline, doc/report.md); --check-window
 * judges the window's totals as before. */
#include "report.h"

static bool check_counts(const struct ea_report_entry *re)
{
	return re->entry->level == EA_LEVEL_REQUIRED && !(re->ack && re->ack->nports == 0);
}

/* What the present says of an entry, worst first. */
enum now {
	NOW_FAILING,     /* refused, nothing allowed since */
	NOW_PARTIAL,     /* refusals in or after the last bucket that had allowed requests */
	NOW_NEVER_SEEN,
	NOW_RETIRED_IN_USE,
	NOW_RECOVERED,   /* refused earlier in the window, working now */
	NOW_OK,          /* anything else: ok, unverified, unconfigured, retired */
	NOW_COUNT
};

static enum now now_of(const struct ea_report_entry *re)
{
	const struct ea_report_timeline *tl = &re->tl;

	if (re->status == EA_STATUS_RETIRED_IN_USE)
		return NOW_RETIRED_IN_USE;
	if (re->status == EA_STATUS_NEVER_SEEN)
		return NOW_NEVER_SEEN;
	if (re->retired || re->covered_by || re->status == EA_STATUS_UNCONFIGURED)
		return NOW_OK;
	if (tl->failing_since)
		return NOW_FAILING;
	if (tl->last_refused && tl->last_refused >= tl->last_allowed)
		return NOW_PARTIAL;
	if (tl->recovered_at || tl->last_refused)
		return NOW_RECOVERED;
	return NOW_OK;
}

static const char *const now_name[NOW_COUNT] = {
	"failing", "partial-now", "never-seen", "retired-in-use", "recovered", "ok",
};

static void perfdata(FILE *out, const struct ea_report *r, const size_t *n, size_t required,
		     uint64_t dropped)
{
	fputs(" |", out);
	for (int s = 0; s < EA_STATUS_COUNT; s++) {
		char label[32];

		snprintf(label, sizeof(label), "%s", ea_status_name((enum ea_status)s));
		for (char *c = label; *c; c++)
			if (*c == '-')
				*c = '_';
		fprintf(out, " %s=%zu;;;0;%zu", label, n[s], required);
	}
	fprintf(out, " acknowledged=%zu dropped=%lluc", r->acknowledged, (unsigned long long)dropped);
}

static void entry_line(FILE *out, const struct ea_report *r, const char *what,
		       const struct ea_report_entry *re)
{
	char words[200];

	fprintf(out, "%s: %s %s", what, re->entry->id,
		re->entry->pattern ? re->entry->pattern : "(site-specific)");
	if (ea_report_timeline_words(r, &re->tl, words, sizeof(words)))
		fprintf(out, ": %s", words);
	fputc('\n', out);
}

int ea_report_check(FILE *out, const struct ea_report *r, bool window)
{
	static const char *const word[] = { "OK", "WARNING", "CRITICAL" };
	size_t n[EA_STATUS_COUNT] = { 0 }, now[NOW_COUNT] = { 0 }, required = 0;
	uint64_t dropped = 0;
	int code = 0;

	for (size_t i = 0; i < r->nentries; i++) {
		const struct ea_report_entry *re = &r->entries[i];

		if (!check_counts(re))
			continue;
		required++;
		n[re->status]++;
		now[now_of(re)]++;
	}
	for (size_t i = 0; i < r->nproxies; i++)
		dropped += r->proxies[i].dropped;
	if (window) {
		if (n[EA_STATUS_BLOCKED])
			code = 2;
		else if (n[EA_STATUS_NEVER_SEEN] || n[EA_STATUS_PARTIAL] || n[EA_STATUS_RETIRED_IN_USE])
			code = 1;
		fprintf(out, "EGRESSAUDIT %s - %zu required endpoints: %zu blocked, %zu partial, "
			"%zu never seen, %zu retired in use, %zu unverified, %zu ok",
			word[code], required, n[EA_STATUS_BLOCKED], n[EA_STATUS_PARTIAL],
			n[EA_STATUS_NEVER_SEEN], n[EA_STATUS_RETIRED_IN_USE], n[EA_STATUS_UNVERIFIED],
			n[EA_STATUS_OK]);
	} else {
		if (now[NOW_FAILING])
			code = 2;
		else if (now[NOW_PARTIAL] || now[NOW_NEVER_SEEN] || now[NOW_RETIRED_IN_USE])
			code = 1;
		fprintf(out, "EGRESSAUDIT %s - %zu required endpoints: %zu failing now, "
			"%zu partial now, %zu never seen, %zu retired in use, %zu recovered, %zu ok",
			word[code], required, now[NOW_FAILING], now[NOW_PARTIAL], now[NOW_NEVER_SEEN],
			now[NOW_RETIRED_IN_USE], now[NOW_RECOVERED], now[NOW_OK]);
	}
	if (r->acknowledged)
		fprintf(out, "; %zu acknowledged", r->acknowledged);
	if (dropped)
		fprintf(out, "; %llu hits dropped by the stores", (unsigned long long)dropped);
	perfdata(out, r, n, required, dropped);
	if (!window)
		fprintf(out, " failing_now=%zu;;1;0;%zu partial_now=%zu;1;;0;%zu",
			now[NOW_FAILING], required, now[NOW_PARTIAL], required);
	fputc('\n', out);
	/* Long output: one line per problem, worst first; judging the
	 * present, then the window's history of the others. */
	if (window) {
		for (int s = EA_STATUS_BLOCKED; s <= EA_STATUS_NEVER_SEEN; s++)
			for (size_t i = 0; i < r->nentries; i++) {
				const struct ea_report_entry *re = &r->entries[i];

				/* As before the timeline, for whoever parses it. */
				if (check_counts(re) && re->status == (enum ea_status)s)
					fprintf(out, "%s: %s %s\n", ea_status_name(re->status),
						re->entry->id, re->entry->pattern ? re->entry->pattern
									: "(site-specific)");
			}
		return ferror(out) ? 3 : code;
	}
	for (int s = NOW_FAILING; s <= NOW_RECOVERED; s++)
		for (size_t i = 0; i < r->nentries; i++) {
			const struct ea_report_entry *re = &r->entries[i];

			if (check_counts(re) && now_of(re) == (enum now)s)
				entry_line(out, r, now_name[s], re);
		}
	return ferror(out) ? 3 : code;
}
