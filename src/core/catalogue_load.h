/* Private to the catalogue loader (catalogue.c, catalogue_attrs.c,
 * catalogue_lint.c): the values defaults, groups and entries share, the
 * waivers a file declares, and the state of one load. */
#ifndef EA_CATALOGUE_LOAD_H
#define EA_CATALOGUE_LOAD_H

#include "catalogue.h"
#include "yaml_walk.h"

#define EA_MAX_PORTS 32
#define EA_ID_MAX 128

/* Values that defaults, groups and entries may each set. */
struct attrs {
	bool has_ports;
	uint16_t ports[EA_MAX_PORTS];
	size_t nports;
	bool has_level;
	enum ea_level level;
	bool has_product;
	const struct ea_named *product;
	bool has_condition;
	const struct ea_named *condition;
	const char *region, *purpose, *impact, *note;
	char valid_until[11];
	bool has_replaced_by;
	char replaced_by[EA_HOST_MAX + 3];
	int third_party, no_wildcard; /* -1: not set */
};

struct waiver {
	char *file, *code, *reason;
	unsigned line, column;
	bool used;
};

struct loader {
	struct ea_catalogue *cat;
	struct ea_diags *diags;
	struct waiver *waivers;
	size_t nwaivers, waivers_cap;
	size_t entries_cap, vendors_cap;
	size_t bytes;         /* of YAML read so far: at most EA_YAML_MAX_BYTES */
};

/* catalogue_attrs.c: ids, patterns and the keys every level may set. */
void ea_cat_attrs_init(struct attrs *a);
bool ea_cat_valid_id(const char *s);
int ea_cat_parse_id(struct ea_yaml *y, const yaml_node_t *n, const char *what, const char **out);
int ea_cat_parse_pattern(struct ea_yaml *y, const yaml_node_t *n, const char *what,
			 char *canon, enum ea_kind *kind);
/* 1 when key is an attribute and was parsed, 0 when it is not one, -1 on error. */
int ea_cat_parse_attr(struct ea_yaml *y, const struct ea_vendor *v, const char *key,
		      const yaml_node_t *n, struct attrs *a);
/* The entry's value where set, else the group's, else the defaults'. */
void ea_cat_attrs_inherit(struct attrs *a, const struct attrs *parent);

/* catalogue_lint.c: warnings (and the waivers that accept them) and the
 * checks that need the whole catalogue. */
int ea_cat_parse_waivers(struct loader *ld, struct ea_yaml *y, const yaml_node_t *n);
void ea_cat_entry_warnings(struct loader *ld, const struct ea_entry *e);
int ea_cat_check_unique_ids(struct loader *ld);
void ea_cat_check_no_wildcard_cover(struct loader *ld);
void ea_cat_check_unused_waivers(struct loader *ld);

#endif
