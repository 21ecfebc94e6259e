/* The vendor catalogue: rules/NAME.yaml loaded with libyaml into immutable
 * entries. Loading succeeds whole or returns nothing, so a caller that keeps
 * its previous catalogue on failure never runs on half of a new one. */
#ifndef EA_CATALOGUE_H
#define EA_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "pattern.h"

enum ea_level { EA_LEVEL_REQUIRED, EA_LEVEL_RECOMMENDED, EA_LEVEL_OPTIONAL };
const char *ea_level_name(enum ea_level l);

struct ea_named {
	char *id;
	char *name;
};

struct ea_vendor {
	char *id;                     /* "withsecure", "sophos" */
	char *name;
	char *source_title, *source_url, *source_file;
	char updated[11], transcribed[11]; /* ISO dates */
	char **domains;               /* vendor-owned domains, canonical */
	size_t ndomains;
	struct ea_named *products;
	size_t nproducts;
	struct ea_named *conditions;
	size_t nconditions;
	char *file;                   /* the YAML file it came from */
};

struct ea_entry {
	char *id;
	const struct ea_vendor *vendor;
	const struct ea_named *product;   /* NULL: the entry is for every product */
	const struct ea_named *condition; /* NULL: needed unconditionally */
	char *group;                      /* the group id in the file */
	enum ea_kind kind;
	char *pattern;        /* canonical host pattern, regex source, or NULL (site) */
	void *regex;          /* pcre2_code * for EA_KIND_REGEX */
	uint16_t *ports;
	size_t nports;
	enum ea_level level;
	char *region;         /* "eu-west-1"..., or NULL */
	char valid_until[11]; /* ISO date, "" when open-ended */
	char *replaced_by;    /* canonical host pattern, or NULL */
	bool third_party;
	bool no_wildcard;     /* the vendor says never allow it by wildcard */
	char *purpose, *impact, *note, *example;
	char *file;
	unsigned line, column;
	size_t index;         /* position in the catalogue, for stable ordering */
};

struct ea_catalogue {
	struct ea_vendor **vendors;
	size_t nvendors;
	struct ea_entry **entries;
	size_t nentries;
};

/* Load files and directories (their *.yaml and *.yml, in name order).
 * Diagnostics go to diags (warnings too, on success). Returns 0 and a new
 * catalogue, or -1 and *out == NULL when any error was found. */
int ea_catalogue_load(const char *const *paths, size_t npaths,
		      struct ea_catalogue **out, struct ea_diags *diags);
void ea_catalogue_free(struct ea_catalogue *cat);

const struct ea_entry *ea_catalogue_find(const struct ea_catalogue *cat, const char *id);
const struct ea_vendor *ea_catalogue_vendor(const struct ea_catalogue *cat, const char *id);

/* Days from the vendor's source `updated` date to as_of (YYYY-MM-DD), or -1
 * when v is NULL or either date is missing; *stale when older than max_age
 * days. The report and `catalog diff` judge a list's age by this one rule. */
long ea_vendor_source_age(const struct ea_vendor *v, const char *as_of, long max_age, bool *stale);

#endif
