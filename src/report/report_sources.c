/* How old each vendor's list is, for the formats that state the
 * catalogue's source dates (text, JSON, Prometheus) and the CLI's warning. */
#include "report.h"

long ea_report_source_age(const struct ea_report *r, const struct ea_vendor *v, bool *stale)
{
	return ea_vendor_source_age(v, r->as_of, r->max_source_age, stale);
}
