/* Which catalogue changes touch the traffic the audit stores saw: a removed
 * host still in use, a new required host never seen (or blocked), a port
 * added that the proxies refuse. Judged from two reports over the same
 * databases and window, one with the old catalogue and one with the new. */
#ifndef EA_DIFF_TRAFFIC_H
#define EA_DIFF_TRAFFIC_H

#include <stddef.h>

#include "core/catalogue_diff.h"
#include "report.h"

enum ea_impact {
	EA_IMPACT_REMOVED_IN_USE,  /* removed entry, or the old host of a changed one, still requested */
	EA_IMPACT_NEW_NEVER_SEEN,  /* added (or now required, or new host) required entry never requested */
	EA_IMPACT_NEW_BLOCKED,     /* added (or now required) required entry requested and blocked */
	EA_IMPACT_PORT_REFUSED,    /* a port added that the proxies deny or fail, never allow */
};
const char *ea_impact_name(enum ea_impact i); /* "removed-in-use", "new-never-seen", ... */

struct ea_diff_impact {
	const struct ea_entry_diff *change;
	enum ea_impact kind;
	const struct ea_report_entry *seen; /* the report entry the traffic is from */
	unsigned port;                      /* EA_IMPACT_PORT_REFUSED */
	struct ea_tally tally;              /* the traffic concerned */
};

/* 0 and a new array (free()) in *out, or -1 when out of memory. */
int ea_diff_impacts(const struct ea_catalogue_diff *d, const struct ea_report *old_report,
		    const struct ea_report *new_report, struct ea_diff_impact **out, size_t *n);

#endif
