/* What changed between two catalogues: entries added, removed and changed
 * (matched by their stable id), and vendors whose source changed. The CLI
 * prints it (`egressaudit catalog diff`); the report library judges which
 * changes touch the traffic the stores saw (report/diff_traffic.h). */
#ifndef EA_CATALOGUE_DIFF_H
#define EA_CATALOGUE_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"

enum ea_change { EA_CHANGE_ADDED, EA_CHANGE_REMOVED, EA_CHANGE_CHANGED };
const char *ea_change_name(enum ea_change c); /* "added", "removed", "changed" */

/* The fields of an entry that may change, as bits of ea_entry_diff.fields;
 * names in ea_diff_field_names, in this order. */
enum {
	EA_FIELD_HOST = 1u << 0,        /* kind or pattern (host, regex, site) */
	EA_FIELD_PORTS = 1u << 1,
	EA_FIELD_LEVEL = 1u << 2,
	EA_FIELD_CONDITION = 1u << 3,
	EA_FIELD_VALID_UNTIL = 1u << 4,
	EA_FIELD_REPLACED_BY = 1u << 5,
	EA_FIELD_PRODUCT = 1u << 6,
	EA_FIELD_REGION = 1u << 7,
	EA_FIELD_VENDOR = 1u << 8,
	EA_FIELD_FLAGS = 1u << 9,       /* third_party, no_wildcard */
	EA_FIELD_TEXT = 1u << 10,       /* purpose, impact, note, example */
};
#define EA_NFIELDS 11
extern const char *const ea_diff_field_names[EA_NFIELDS];

struct ea_entry_diff {
	const char *id;
	enum ea_change change;
	const struct ea_entry *old, *new; /* NULL when added, resp. removed */
	unsigned fields;                  /* EA_FIELD_* that differ (changed) */
	uint16_t *ports_added, *ports_removed;
	size_t nports_added, nports_removed;
};

/* Vendor source fields, as bits of ea_vendor_diff.fields. */
enum {
	EA_VFIELD_NAME = 1u << 0,
	EA_VFIELD_SOURCE = 1u << 1,     /* title, url, file */
	EA_VFIELD_UPDATED = 1u << 2,
	EA_VFIELD_TRANSCRIBED = 1u << 3,
	EA_VFIELD_DOMAINS = 1u << 4,
	EA_VFIELD_PRODUCTS = 1u << 5,   /* products or conditions */
};
#define EA_NVFIELDS 6
extern const char *const ea_diff_vendor_field_names[EA_NVFIELDS];

struct ea_vendor_diff {
	const char *id;
	const struct ea_vendor *old, *new; /* either may be NULL */
	unsigned fields;                   /* 0: the same */
};

struct ea_catalogue_diff {
	struct ea_entry_diff *entries;     /* by id; only entries that differ */
	size_t nentries, entries_cap;
	struct ea_vendor_diff *vendors;    /* by id; every vendor of either */
	size_t nvendors;
	size_t count[3];                   /* entries per ea_change */
	size_t vendors_changed;            /* vendors added, removed or changed */
};

/* Compare; both catalogues must outlive the diff. 0, or -1 (out of memory)
 * with *out NULL. */
int ea_catalogue_diff(const struct ea_catalogue *old, const struct ea_catalogue *new,
		      struct ea_catalogue_diff **out);
void ea_catalogue_diff_free(struct ea_catalogue_diff *d);

#endif
