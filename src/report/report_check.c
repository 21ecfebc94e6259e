/* The report as a Nagios/Icinga plugin result (`report --check`): one
 * status line with performance data, then one line per problem. */
#include "report.h"

static bool check_counts(const struct ea_report_entry *re)
{
	return re->entry->level == EA_LEVEL_REQUIRED && !(re->ack && re->ack->nports == 0);
}

int ea_report_check(FILE *out, const struct ea_report *r)
{
	static const char *const word[] = { "OK", "WARNING", "CRITICAL" };
	size_t n[EA_STATUS_COUNT] = { 0 }, required = 0;
	uint64_t dropped = 0;
	int code = 0;

	for (size_t i = 0; i < r->nentries; i++) {
		const struct ea_report_entry *re = &r->entries[i];

		if (!check_counts(re))
			continue;
		required++;
		n[re->status]++;
	}
	for (size_t i = 0; i < r->nproxies; i++)
		dropped += r->proxies[i].dropped;
	if (n[EA_STATUS_BLOCKED])
		code = 2;
	else if (n[EA_STATUS_NEVER_SEEN] || n[EA_STATUS_PARTIAL] || n[EA_STATUS_RETIRED_IN_USE])
		code = 1;
	fprintf(out, "EGRESSAUDIT %s - %zu required endpoints: %zu blocked, %zu partial, "
		"%zu never seen, %zu retired in use, %zu unverified, %zu ok",
		word[code], required, n[EA_STATUS_BLOCKED], n[EA_STATUS_PARTIAL],
		n[EA_STATUS_NEVER_SEEN], n[EA_STATUS_RETIRED_IN_USE], n[EA_STATUS_UNVERIFIED],
		n[EA_STATUS_OK]);
	if (r->acknowledged)
		fprintf(out, "; %zu acknowledged", r->acknowledged);
	if (dropped)
		fprintf(out, "; %llu hits dropped by the stores", (unsigned long long)dropped);
	fputs(" |", out);
	for (int s = 0; s < EA_STATUS_COUNT; s++) {
		char label[32];

		snprintf(label, sizeof(label), "%s", ea_status_name((enum ea_status)s));
		for (char *c = label; *c; c++)
			if (*c == '-')
				*c = '_';
		fprintf(out, " %s=%zu;;;0;%zu", label, n[s], required);
	}
	fprintf(out, " acknowledged=%zu dropped=%lluc\n", r->acknowledged, (unsigned long long)dropped);
	/* Long output: one line per problem, worst first. */
	for (int s = EA_STATUS_BLOCKED; s <= EA_STATUS_NEVER_SEEN; s++)
		for (size_t i = 0; i < r->nentries; i++) {
			const struct ea_report_entry *re = &r->entries[i];

			if (check_counts(re) && re->status == (enum ea_status)s)
				fprintf(out, "%s: %s %s\n", ea_status_name(re->status), re->entry->id,
					re->entry->pattern ? re->entry->pattern : "(site-specific)");
		}
	return ferror(out) ? 3 : code;
}
