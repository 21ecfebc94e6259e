/* The keys defaults, groups and entries all accept (ports, level, product,
 * condition, dates...), with ids and host patterns, each validated where it
 * stands in the file. */
#include <stdlib.h>
#include <string.h>

#include "catalogue_load.h"
#include "chars.h"

void ea_cat_attrs_init(struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->third_party = a->no_wildcard = -1;
}

bool ea_cat_valid_id(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > EA_ID_MAX)
		return false;
	if (!(ea_islower((unsigned char)s[0]) || ea_isdigit((unsigned char)s[0])))
		return false;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(ea_islower(c) || ea_isdigit(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int ea_cat_parse_id(struct ea_yaml *y, const yaml_node_t *n, const char *what, const char **out)
{
	if (ea_yaml_string(y, n, what, out) < 0)
		return -1;
	if (!ea_cat_valid_id(*out)) {
		ea_yaml_error(y, n, "%s '%s' must match [a-z0-9][a-z0-9._-]* (at most %d characters)",
			      what, *out, EA_ID_MAX);
		return -1;
	}
	return 0;
}

/* A host pattern from YAML: canonical text and kind, or an error at the
 * exact column of the fault. */
int ea_cat_parse_pattern(struct ea_yaml *y, const yaml_node_t *n, const char *what,
			 char *canon, enum ea_kind *kind)
{
	const char *text, *why = NULL;
	size_t col = 0;

	if (ea_yaml_string(y, n, what, &text) < 0)
		return -1;
	if (ea_pattern_parse(text, strlen(text), canon, kind, &why, &col) < 0) {
		ea_diag_add(y->diags, EA_ERROR, y->file, ea_yaml_line(n),
			    ea_yaml_text_column(n) + (unsigned)col, NULL,
			    "invalid %s '%s': %s", what, text, why ? why : "malformed");
		return -1;
	}
	return 0;
}

static const struct ea_named *find_named(const struct ea_named *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

static int parse_ports(struct ea_yaml *y, const yaml_node_t *n, struct attrs *a)
{
	if (ea_yaml_expect(y, n, YAML_SEQUENCE_NODE, "ports") < 0)
		return -1;
	a->nports = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *p = ea_yaml_node(y, *it);
		long port;

		if (ea_yaml_int(y, p, "a port", 1, 65535, &port) < 0)
			return -1;
		for (size_t i = 0; i < a->nports; i++) {
			if (a->ports[i] == port) {
				ea_yaml_error(y, p, "port %ld is listed twice", port);
				return -1;
			}
		}
		if (a->nports == EA_MAX_PORTS) {
			ea_yaml_error(y, p, "more than %d ports", EA_MAX_PORTS);
			return -1;
		}
		a->ports[a->nports++] = (uint16_t)port;
	}
	if (a->nports == 0) {
		ea_yaml_error(y, n, "ports must list at least one port");
		return -1;
	}
	a->has_ports = true;
	return 0;
}

static int parse_level(struct ea_yaml *y, const yaml_node_t *n, enum ea_level *out)
{
	const char *s;

	if (ea_yaml_string(y, n, "level", &s) < 0)
		return -1;
	if (strcmp(s, "required") == 0)
		*out = EA_LEVEL_REQUIRED;
	else if (strcmp(s, "recommended") == 0)
		*out = EA_LEVEL_RECOMMENDED;
	else if (strcmp(s, "optional") == 0)
		*out = EA_LEVEL_OPTIONAL;
	else {
		ea_yaml_error(y, n, "level must be required, recommended or optional, not '%s'", s);
		return -1;
	}
	return 0;
}

/* A key every level (defaults, group, entry) may set. Returns 1 when the key
 * was one of these and parsed, 0 when it is not an attribute, -1 on error. */
int ea_cat_parse_attr(struct ea_yaml *y, const struct ea_vendor *v, const char *key,
		      const yaml_node_t *n, struct attrs *a)
{
	const char *s;
	bool b;

	if (strcmp(key, "ports") == 0)
		return parse_ports(y, n, a) < 0 ? -1 : 1;
	if (strcmp(key, "level") == 0) {
		a->has_level = true;
		return parse_level(y, n, &a->level) < 0 ? -1 : 1;
	}
	if (strcmp(key, "product") == 0 || strcmp(key, "condition") == 0) {
		bool is_product = strcmp(key, "product") == 0;
		const struct ea_named *found = NULL;

		if (!ea_yaml_is_null(n)) {
			if (ea_yaml_string(y, n, key, &s) < 0)
				return -1;
			found = is_product ? find_named(v->products, v->nproducts, s)
					   : find_named(v->conditions, v->nconditions, s);
			if (!found) {
				ea_yaml_error(y, n, "unknown %s '%s' (declare it under %s:)", key, s,
					      is_product ? "products" : "conditions");
				return -1;
			}
		}
		if (is_product) {
			a->has_product = true;
			a->product = found;
		} else {
			a->has_condition = true;
			a->condition = found;
		}
		return 1;
	}
	if (strcmp(key, "region") == 0)
		return ea_yaml_string(y, n, key, &a->region) < 0 ? -1 : 1;
	if (strcmp(key, "purpose") == 0)
		return ea_yaml_string(y, n, key, &a->purpose) < 0 ? -1 : 1;
	if (strcmp(key, "impact") == 0)
		return ea_yaml_string(y, n, key, &a->impact) < 0 ? -1 : 1;
	if (strcmp(key, "note") == 0)
		return ea_yaml_string(y, n, key, &a->note) < 0 ? -1 : 1;
	if (strcmp(key, "valid_until") == 0)
		return ea_yaml_date(y, n, key, a->valid_until) < 0 ? -1 : 1;
	if (strcmp(key, "replaced_by") == 0) {
		enum ea_kind kind;

		a->has_replaced_by = true;
		return ea_cat_parse_pattern(y, n, "replaced_by pattern", a->replaced_by, &kind) < 0 ? -1 : 1;
	}
	if (strcmp(key, "third_party") == 0 || strcmp(key, "no_wildcard") == 0) {
		if (ea_yaml_bool(y, n, key, &b) < 0)
			return -1;
		*(strcmp(key, "third_party") == 0 ? &a->third_party : &a->no_wildcard) = b;
		return 1;
	}
	return 0;
}

/* The entry's value where set, else the group's, else the defaults'. */
void ea_cat_attrs_inherit(struct attrs *a, const struct attrs *parent)
{
	if (!a->has_ports && parent->has_ports) {
		memcpy(a->ports, parent->ports, sizeof(a->ports));
		a->nports = parent->nports;
		a->has_ports = true;
	}
	if (!a->has_level && parent->has_level) {
		a->level = parent->level;
		a->has_level = true;
	}
	if (!a->has_product && parent->has_product) {
		a->product = parent->product;
		a->has_product = true;
	}
	if (!a->has_condition && parent->has_condition) {
		a->condition = parent->condition;
		a->has_condition = true;
	}
	if (!a->region)
		a->region = parent->region;
	if (!a->purpose)
		a->purpose = parent->purpose;
	if (!a->impact)
		a->impact = parent->impact;
	if (!a->note)
		a->note = parent->note;
	if (!a->valid_until[0])
		memcpy(a->valid_until, parent->valid_until, sizeof(a->valid_until));
	if (!a->has_replaced_by && parent->has_replaced_by) {
		memcpy(a->replaced_by, parent->replaced_by, sizeof(a->replaced_by));
		a->has_replaced_by = true;
	}
	if (a->third_party < 0)
		a->third_party = parent->third_party;
	if (a->no_wildcard < 0)
		a->no_wildcard = parent->no_wildcard;
}
