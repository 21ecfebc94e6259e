/* The site profile: which vendors, products, features (catalogue
 * conditions) and regions a site runs, the hosts of its site-specific
 * entries, and the exceptions it has acknowledged. Loaded from YAML and
 * checked against a catalogue, with FILE:LINE:COLUMN errors. */
#ifndef EA_PROFILE_H
#define EA_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "core/catalogue.h"
#include "core/diag.h"
#include "core/host.h"
#include "core/pattern.h"

struct ea_profile_vendor {
	const struct ea_vendor *vendor;
	bool all_products;            /* no products: key: every product */
	const struct ea_named **products;
	size_t nproducts, products_cap;
	const struct ea_named **conditions;
	size_t nconditions, conditions_cap;
};

/* A host (or host pattern) that a site-specific entry stands for here. */
struct ea_profile_host {
	char pattern[EA_HOST_MAX + 3]; /* canonical */
	enum ea_kind kind;             /* exact, glob or wildcard */
};

struct ea_profile_site {
	const struct ea_entry *entry;
	struct ea_profile_host *hosts;
	size_t nhosts, hosts_cap;
};

/* An exception the site accepts: the entry (or only some of its ports)
 * is known not to work here, for a reason, until a date. */
struct ea_profile_ack {
	const struct ea_entry *entry;
	unsigned short *ports;        /* NULL: the whole entry */
	size_t nports, ports_cap;
	char *reason;
	char until[11];               /* last day it holds, ISO */
	unsigned line;
};

struct ea_profile {
	char *file;
	char *site;                   /* a name for the site, or NULL */
	struct ea_profile_vendor *vendors; /* none: every vendor, product, condition */
	size_t nvendors, vendors_cap;
	char **regions;               /* none: every region */
	size_t nregions, regions_cap;
	struct ea_profile_site *sites;
	size_t nsites, sites_cap;
	struct ea_profile_ack *acks;
	size_t nacks, acks_cap;
};

/* Load and check against cat (which must outlive the profile). 0 and a new
 * profile, or -1 with every error in diags and *out NULL. */
int ea_profile_load(const char *path, const struct ea_catalogue *cat,
		    struct ea_profile **out, struct ea_diags *diags);
void ea_profile_free(struct ea_profile *p);

/* Is the entry one the site needs (vendor, product, condition, region)?
 * A NULL profile has everything in scope. */
bool ea_profile_in_scope(const struct ea_profile *p, const struct ea_entry *e);
/* Is the vendor one the site runs (for uncatalogued hosts)? */
bool ea_profile_vendor_in_scope(const struct ea_profile *p, const char *vendor_id);
/* The hosts configured for a site-specific entry, or NULL. */
const struct ea_profile_site *ea_profile_site(const struct ea_profile *p,
					      const struct ea_entry *e);

#endif
