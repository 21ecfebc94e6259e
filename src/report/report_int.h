/* Private to src/report: what report.c (the model, statuses, totals) and
 * report_read.c (filling the model from the stores) share. */
#ifndef EA_REPORT_INT_H
#define EA_REPORT_INT_H

#include "report.h"

/* Read every database's window into r (entries already added; slot maps a
 * catalogue entry's index to its report entry, SIZE_MAX when out of
 * scope). 0, or -1 with the reason in r->errmsg. */
int ea_report_read(struct ea_report *r, const size_t *slot, const char *const *databases);
void ea_report_stats_free(struct ea_report_stats *st);

#endif
