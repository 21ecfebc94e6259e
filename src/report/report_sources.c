/* How old each vendor's list is, for the formats that state the
 * catalogue's source dates (text, JSON, Prometheus) and the CLI's warning. */
#include "report.h"

#include "core/util.h"

long ea_report_source_age(const struct ea_report *r, const struct ea_vendor *v, bool *stale)
{
	long days;

	*stale = false;
	if (ea_date_days_between(v->updated, r->as_of, &days) < 0)
		return -1;
	*stale = days > r->max_source_age;
	return days;
}
