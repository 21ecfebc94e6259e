/* The catalogue loader: rules/NAME.yaml into ea_entry records, with every
 * schema error named FILE:LINE:COLUMN. Values are inherited defaults ->
 * group -> entry. A load with any error frees what it built and returns
 * nothing, so the caller's previous catalogue stays in force. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "catalogue.h"

#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	size_t nwaivers;
	size_t entries_cap;
};

static const char *const warning_codes[] = {
	"third-party-wildcard", "no-wildcard-pattern", "covered-by-no-wildcard",
	"site-specific-no-example",
};

const char *ea_level_name(enum ea_level l)
{
	switch (l) {
	case EA_LEVEL_REQUIRED: return "required";
	case EA_LEVEL_RECOMMENDED: return "recommended";
	case EA_LEVEL_OPTIONAL: return "optional";
	}
	return "?";
}

static void attrs_init(struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->third_party = a->no_wildcard = -1;
}

/* ---- warnings and waivers ---- */

static void warn(struct loader *ld, const char *file, unsigned line, unsigned column,
		 const char *code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void warn(struct loader *ld, const char *file, unsigned line, unsigned column,
		 const char *code, const char *fmt, ...)
{
	struct ea_diag *dg;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ea_diag_add(ld->diags, EA_WARNING, file, line, column, code, "%s", msg) < 0)
		return;
	dg = &ld->diags->items[ld->diags->count - 1];
	for (size_t i = 0; i < ld->nwaivers; i++) {
		struct waiver *w = &ld->waivers[i];

		if (strcmp(w->file, file) == 0 && strcmp(w->code, code) == 0) {
			w->used = true;
			dg->waived = strdup(w->reason);
			ld->diags->warnings--;
			return;
		}
	}
}

static bool is_warning_code(const char *code)
{
	for (size_t i = 0; i < sizeof(warning_codes) / sizeof(warning_codes[0]); i++)
		if (strcmp(code, warning_codes[i]) == 0)
			return true;
	return false;
}

static int parse_waivers(struct loader *ld, struct ea_yaml *y, const yaml_node_t *n)
{
	if (ea_yaml_mapping(y, n, "waive") < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *code = ea_yaml_key(y, p), *reason;
		yaml_node_t *k = ea_yaml_node(y, p->key);
		struct waiver *w;

		if (!is_warning_code(code)) {
			ea_yaml_error(y, k, "unknown warning code '%s' in waive", code);
			return -1;
		}
		if (ea_yaml_string(y, ea_yaml_node(y, p->value), "a waiver's reason", &reason) < 0)
			return -1;
		w = realloc(ld->waivers, (ld->nwaivers + 1) * sizeof(*w));
		if (!w)
			return -1;
		ld->waivers = w;
		w = &ld->waivers[ld->nwaivers++];
		w->file = strdup(y->file);
		w->code = strdup(code);
		w->reason = strdup(reason);
		w->line = ea_yaml_line(k);
		w->column = ea_yaml_column(k);
		w->used = false;
		if (!w->file || !w->code || !w->reason)
			return -1;
	}
	return 0;
}

/* ---- small validators ---- */

static bool valid_id(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > EA_ID_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int parse_id(struct ea_yaml *y, const yaml_node_t *n, const char *what, const char **out)
{
	if (ea_yaml_string(y, n, what, out) < 0)
		return -1;
	if (!valid_id(*out)) {
		ea_yaml_error(y, n, "%s '%s' must match [a-z0-9][a-z0-9._-]* (at most %d characters)",
			      what, *out, EA_ID_MAX);
		return -1;
	}
	return 0;
}

/* A host pattern from YAML: canonical text and kind, or an error at the
 * exact column of the fault. */
static int parse_pattern(struct ea_yaml *y, const yaml_node_t *n, const char *what,
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
static int parse_attr(struct ea_yaml *y, const struct ea_vendor *v, const char *key,
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
		bool is_product = key[0] == 'p';
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
		return parse_pattern(y, n, "replaced_by pattern", a->replaced_by, &kind) < 0 ? -1 : 1;
	}
	if (strcmp(key, "third_party") == 0 || strcmp(key, "no_wildcard") == 0) {
		if (ea_yaml_bool(y, n, key, &b) < 0)
			return -1;
		if (key[0] == 't')
			a->third_party = b;
		else
			a->no_wildcard = b;
		return 1;
	}
	return 0;
}

/* The entry's value where set, else the group's, else the defaults'. */
static void attrs_inherit(struct attrs *a, const struct attrs *parent)
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

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- entries ---- */

static void entry_free(struct ea_entry *e)
{
	if (!e)
		return;
	free(e->id);
	free(e->group);
	free(e->pattern);
	if (e->regex)
		pcre2_code_free(e->regex);
	free(e->ports);
	free(e->region);
	free(e->replaced_by);
	free(e->purpose);
	free(e->impact);
	free(e->note);
	free(e->example);
	free(e->file);
	free(e);
}

static int compile_regex(struct ea_yaml *y, const yaml_node_t *n, const char *src, void **out)
{
	PCRE2_SIZE erroff;
	pcre2_code *re;
	int errcode;

	re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
			   PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NEVER_UTF,
			   &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		ea_diag_add(y->diags, EA_ERROR, y->file, ea_yaml_line(n),
			    ea_yaml_text_column(n) + (unsigned)erroff, NULL,
			    "regex does not compile at offset %zu: %s", (size_t)erroff, (char *)msg);
		return -1;
	}
	/* JIT is an optimisation: without it (e.g. no executable memory) the
	 * interpreter gives the same answers. */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*out = re;
	return 0;
}

static int add_entry(struct loader *ld, struct ea_entry *e)
{
	struct ea_catalogue *cat = ld->cat;

	if (cat->nentries == ld->entries_cap) {
		size_t cap = ld->entries_cap ? ld->entries_cap * 2 : 64;
		struct ea_entry **v = realloc(cat->entries, cap * sizeof(*v));

		if (!v)
			return -1;
		cat->entries = v;
		ld->entries_cap = cap;
	}
	e->index = cat->nentries;
	cat->entries[cat->nentries++] = e;
	return 0;
}

static void entry_warnings(struct loader *ld, const struct ea_entry *e)
{
	if (e->third_party && (e->kind == EA_KIND_WILDCARD || e->kind == EA_KIND_REGEX))
		warn(ld, e->file, e->line, e->column, "third-party-wildcard",
		     "entry '%s': third-party host given as a %s (%s) allows every host of another organisation",
		     e->id, ea_kind_name(e->kind), e->pattern);
	if (e->no_wildcard && e->kind != EA_KIND_EXACT)
		warn(ld, e->file, e->line, e->column, "no-wildcard-pattern",
		     "entry '%s' is marked no_wildcard but is a %s", e->id, ea_kind_name(e->kind));
	if (e->kind == EA_KIND_SITE && !e->example)
		warn(ld, e->file, e->line, e->column, "site-specific-no-example",
		     "site-specific entry '%s' has no example host", e->id);
}

static int parse_entry(struct loader *ld, struct ea_yaml *y, struct ea_vendor *v,
		       const char *group_id, const struct attrs *group, const yaml_node_t *n)
{
	const yaml_node_t *target = NULL, *id_node = NULL;
	const char *id = NULL, *regex_src = NULL, *example = NULL;
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind = EA_KIND_EXACT;
	struct ea_entry *e;
	struct attrs a;
	int rc;

	attrs_init(&a);
	if (ea_yaml_mapping(y, n, "an entry") < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = ea_yaml_key(y, p);
		yaml_node_t *val = ea_yaml_node(y, p->value);

		rc = parse_attr(y, v, key, val, &a);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if (strcmp(key, "id") == 0) {
			if (parse_id(y, val, "entry id", &id) < 0)
				return -1;
			id_node = val;
			continue;
		}
		if (strcmp(key, "host") == 0 || strcmp(key, "regex") == 0 ||
		    strcmp(key, "site_specific") == 0) {
			if (target) {
				ea_yaml_error(y, ea_yaml_node(y, p->key),
					      "an entry has exactly one of host, regex and site_specific");
				return -1;
			}
			target = val;
			if (key[0] == 'h') {
				if (parse_pattern(y, val, "host pattern", canon, &kind) < 0)
					return -1;
			} else if (key[0] == 'r') {
				if (ea_yaml_string(y, val, "regex", &regex_src) < 0)
					return -1;
				kind = EA_KIND_REGEX;
			} else {
				bool site;

				if (ea_yaml_bool(y, val, "site_specific", &site) < 0)
					return -1;
				if (!site) {
					ea_yaml_error(y, val, "site_specific, when given, must be true");
					return -1;
				}
				kind = EA_KIND_SITE;
			}
			continue;
		}
		if (strcmp(key, "example") == 0) {
			struct ea_host h;
			const char *why;

			if (ea_yaml_string(y, val, "example", &example) < 0)
				return -1;
			if (ea_host_parse(example, strlen(example), &h, &why) < 0) {
				ea_yaml_error(y, val, "example '%s' is not a valid host: %s", example, why);
				return -1;
			}
			continue;
		}
		ea_yaml_error(y, ea_yaml_node(y, p->key), "unknown key '%s' in an entry", key);
		return -1;
	}
	if (!id) {
		ea_yaml_error(y, n, "an entry needs an id");
		return -1;
	}
	if (!target) {
		ea_yaml_error(y, n, "entry '%s' needs one of host, regex and site_specific", id);
		return -1;
	}
	attrs_inherit(&a, group);
	if (!a.has_ports) {
		ea_yaml_error(y, n, "entry '%s' has no ports (set ports in the entry, its group or defaults)", id);
		return -1;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	e->vendor = v;
	e->kind = kind;
	e->file = strdup(y->file);
	e->line = ea_yaml_line(id_node ? id_node : n);
	e->column = ea_yaml_column(id_node ? id_node : n);
	e->id = strdup(id);
	e->group = strdup(group_id);
	e->product = a.product;
	e->condition = a.condition;
	e->level = a.has_level ? a.level : EA_LEVEL_REQUIRED;
	e->third_party = a.third_party > 0;
	e->no_wildcard = a.no_wildcard > 0;
	memcpy(e->valid_until, a.valid_until, sizeof(e->valid_until));
	e->region = dup_opt(a.region);
	e->purpose = dup_opt(a.purpose);
	e->impact = dup_opt(a.impact);
	e->note = dup_opt(a.note);
	e->example = dup_opt(example);
	e->replaced_by = a.has_replaced_by ? strdup(a.replaced_by) : NULL;
	e->ports = malloc(a.nports * sizeof(*e->ports));
	if (e->ports) {
		memcpy(e->ports, a.ports, a.nports * sizeof(*e->ports));
		e->nports = a.nports;
	}
	if (kind == EA_KIND_REGEX) {
		e->pattern = strdup(regex_src);
		if (compile_regex(y, target, regex_src, &e->regex) < 0) {
			entry_free(e);
			return -1;
		}
	} else if (kind != EA_KIND_SITE) {
		e->pattern = strdup(canon);
	}
	if (!e->file || !e->id || !e->group || !e->ports ||
	    (kind != EA_KIND_SITE && !e->pattern) || add_entry(ld, e) < 0) {
		entry_free(e);
		ea_diag_add(ld->diags, EA_ERROR, y->file, 0, 0, NULL, "out of memory");
		return -1;
	}
	entry_warnings(ld, e);
	return 0;
}

/* ---- groups, vendor, file ---- */

static int parse_group(struct loader *ld, struct ea_yaml *y, struct ea_vendor *v,
		       const struct attrs *defaults, const yaml_node_t *n,
		       const char **seen_ids, size_t nseen)
{
	const yaml_node_t *entries = NULL;
	const char *id = NULL, *title;
	struct attrs a;
	int rc;

	attrs_init(&a);
	if (ea_yaml_mapping(y, n, "a group") < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = ea_yaml_key(y, p);
		yaml_node_t *val = ea_yaml_node(y, p->value);

		rc = parse_attr(y, v, key, val, &a);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if (strcmp(key, "id") == 0) {
			if (parse_id(y, val, "group id", &id) < 0)
				return -1;
			for (size_t i = 0; i < nseen; i++) {
				if (seen_ids[i] && strcmp(seen_ids[i], id) == 0) {
					ea_yaml_error(y, val, "duplicate group id '%s' in this file", id);
					return -1;
				}
			}
			seen_ids[nseen] = id;
		} else if (strcmp(key, "title") == 0) {
			if (ea_yaml_string(y, val, "title", &title) < 0)
				return -1;
		} else if (strcmp(key, "entries") == 0) {
			if (ea_yaml_expect(y, val, YAML_SEQUENCE_NODE, "entries") < 0)
				return -1;
			entries = val;
		} else {
			ea_yaml_error(y, ea_yaml_node(y, p->key), "unknown key '%s' in a group", key);
			return -1;
		}
	}
	if (!id) {
		ea_yaml_error(y, n, "a group needs an id");
		return -1;
	}
	if (!entries) {
		ea_yaml_error(y, n, "group '%s' has no entries", id);
		return -1;
	}
	attrs_inherit(&a, defaults);
	rc = 0;
	for (yaml_node_item_t *it = entries->data.sequence.items.start;
	     it < entries->data.sequence.items.top; it++) {
		if (parse_entry(ld, y, v, id, &a, ea_yaml_node(y, *it)) < 0)
			rc = -1; /* keep going: report every broken entry in one run */
	}
	return rc;
}

static void vendor_free(struct ea_vendor *v)
{
	if (!v)
		return;
	free(v->id);
	free(v->name);
	free(v->source_title);
	free(v->source_url);
	free(v->source_file);
	for (size_t i = 0; i < v->ndomains; i++)
		free(v->domains[i]);
	free(v->domains);
	for (size_t i = 0; i < v->nproducts; i++) {
		free(v->products[i].id);
		free(v->products[i].name);
	}
	free(v->products);
	for (size_t i = 0; i < v->nconditions; i++) {
		free(v->conditions[i].id);
		free(v->conditions[i].name);
	}
	free(v->conditions);
	free(v->file);
	free(v);
}

static int parse_named_map(struct ea_yaml *y, const yaml_node_t *n, const char *what,
			   struct ea_named **out, size_t *count)
{
	size_t len;

	if (ea_yaml_mapping(y, n, what) < 0)
		return -1;
	len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ea_yaml_node(y, p->key);
		const char *id = ea_yaml_key(y, p), *name;

		if (!valid_id(id)) {
			ea_yaml_error(y, k, "id '%s' in %s must match [a-z0-9][a-z0-9._-]*", id, what);
			return -1;
		}
		if (ea_yaml_string(y, ea_yaml_node(y, p->value), "a name", &name) < 0)
			return -1;
		(*out)[*count].id = strdup(id);
		(*out)[*count].name = strdup(name);
		if (!(*out)[*count].id || !(*out)[*count].name)
			return -1;
		(*count)++;
	}
	return 0;
}

static int parse_vendor(struct ea_yaml *y, const yaml_node_t *n, struct ea_vendor *v)
{
	if (ea_yaml_mapping(y, n, "vendor") < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = ea_yaml_key(y, p), *s;
		yaml_node_t *val = ea_yaml_node(y, p->value);

		if (strcmp(key, "id") == 0) {
			if (parse_id(y, val, "vendor id", &s) < 0 || !(v->id = strdup(s)))
				return -1;
		} else if (strcmp(key, "name") == 0) {
			if (ea_yaml_string(y, val, "vendor name", &s) < 0 || !(v->name = strdup(s)))
				return -1;
		} else if (strcmp(key, "domains") == 0) {
			size_t len;

			if (ea_yaml_expect(y, val, YAML_SEQUENCE_NODE, "domains") < 0)
				return -1;
			len = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
			v->domains = calloc(len ? len : 1, sizeof(*v->domains));
			if (!v->domains)
				return -1;
			for (yaml_node_item_t *it = val->data.sequence.items.start;
			     it < val->data.sequence.items.top; it++) {
				char canon[EA_HOST_MAX + 3];
				enum ea_kind kind;
				yaml_node_t *d = ea_yaml_node(y, *it);

				if (parse_pattern(y, d, "vendor domain", canon, &kind) < 0)
					return -1;
				if (kind != EA_KIND_EXACT) {
					ea_yaml_error(y, d, "a vendor domain is a plain domain name (it covers its subdomains)");
					return -1;
				}
				if (!(v->domains[v->ndomains++] = strdup(canon)))
					return -1;
			}
		} else {
			ea_yaml_error(y, ea_yaml_node(y, p->key), "unknown key '%s' in vendor", key);
			return -1;
		}
	}
	if (!v->id || !v->name) {
		ea_yaml_error(y, n, "vendor needs an id and a name");
		return -1;
	}
	return 0;
}

static int parse_source(struct ea_yaml *y, const yaml_node_t *n, struct ea_vendor *v)
{
	if (ea_yaml_mapping(y, n, "source") < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = ea_yaml_key(y, p), *s;
		yaml_node_t *val = ea_yaml_node(y, p->value);
		char **field = NULL;

		if (strcmp(key, "updated") == 0) {
			if (ea_yaml_date(y, val, "updated", v->updated) < 0)
				return -1;
			continue;
		}
		if (strcmp(key, "transcribed") == 0) {
			if (ea_yaml_date(y, val, "transcribed", v->transcribed) < 0)
				return -1;
			continue;
		}
		if (strcmp(key, "title") == 0)
			field = &v->source_title;
		else if (strcmp(key, "url") == 0)
			field = &v->source_url;
		else if (strcmp(key, "file") == 0)
			field = &v->source_file;
		if (!field) {
			ea_yaml_error(y, ea_yaml_node(y, p->key), "unknown key '%s' in source", key);
			return -1;
		}
		if (ea_yaml_string(y, val, key, &s) < 0 || !(*field = strdup(s)))
			return -1;
	}
	if (!v->source_title) {
		ea_yaml_error(y, n, "source needs the title of the vendor's document");
		return -1;
	}
	return 0;
}

static const yaml_node_t *top_key(struct ea_yaml *y, const yaml_node_t *root, const char *key)
{
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++)
		if (strcmp(ea_yaml_key(y, p), key) == 0)
			return ea_yaml_node(y, p->value);
	return NULL;
}

static int add_vendor(struct loader *ld, struct ea_yaml *y, const yaml_node_t *at, struct ea_vendor *v)
{
	struct ea_catalogue *cat = ld->cat;
	struct ea_vendor **vs;

	for (size_t i = 0; i < cat->nvendors; i++) {
		if (strcmp(cat->vendors[i]->id, v->id) == 0) {
			ea_yaml_error(y, at, "vendor '%s' is already defined in %s", v->id,
				      cat->vendors[i]->file);
			return -1;
		}
	}
	vs = realloc(cat->vendors, (cat->nvendors + 1) * sizeof(*vs));
	if (!vs)
		return -1;
	cat->vendors = vs;
	cat->vendors[cat->nvendors++] = v;
	return 0;
}

static int load_file(struct loader *ld, const char *file)
{
	static const char *const known[] = {
		"schema", "vendor", "source", "products", "conditions", "defaults", "groups", "waive",
	};
	const yaml_node_t *root, *n;
	struct ea_vendor *v = NULL;
	struct attrs defaults;
	struct ea_yaml y;
	const char **group_ids = NULL;
	long schema;
	int rc = -1;

	if (ea_yaml_open(&y, file, ld->diags) < 0)
		return -1;
	root = ea_yaml_root(&y);
	if (ea_yaml_mapping(&y, root, "a catalogue file") < 0)
		goto out;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *key = ea_yaml_key(&y, p);
		size_t i;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			ea_yaml_error(&y, ea_yaml_node(&y, p->key), "unknown top-level key '%s'", key);
			goto out;
		}
	}
	n = top_key(&y, root, "schema");
	if (!n) {
		ea_yaml_error(&y, root, "missing 'schema: 1'");
		goto out;
	}
	if (ea_yaml_int(&y, n, "schema", 1, 1000000, &schema) < 0)
		goto out;
	if (schema != 1) {
		ea_yaml_error(&y, n, "schema %ld is not supported (this egressaudit reads schema 1)", schema);
		goto out;
	}
	n = top_key(&y, root, "vendor");
	if (!n) {
		ea_yaml_error(&y, root, "missing 'vendor:'");
		goto out;
	}
	v = calloc(1, sizeof(*v));
	if (!v || !(v->file = strdup(file)))
		goto out;
	if (parse_vendor(&y, n, v) < 0)
		goto out;
	if ((n = top_key(&y, root, "source")) && parse_source(&y, n, v) < 0)
		goto out;
	if ((n = top_key(&y, root, "products")) &&
	    parse_named_map(&y, n, "products", &v->products, &v->nproducts) < 0)
		goto out;
	if ((n = top_key(&y, root, "conditions")) &&
	    parse_named_map(&y, n, "conditions", &v->conditions, &v->nconditions) < 0)
		goto out;
	if (add_vendor(ld, &y, top_key(&y, root, "vendor"), v) < 0)
		goto out;
	v = NULL; /* the catalogue owns it now */
	if ((n = top_key(&y, root, "waive")) && parse_waivers(ld, &y, n) < 0)
		goto out;

	attrs_init(&defaults);
	if ((n = top_key(&y, root, "defaults"))) {
		if (ea_yaml_mapping(&y, n, "defaults") < 0)
			goto out;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const char *key = ea_yaml_key(&y, p);
			int r = parse_attr(&y, ld->cat->vendors[ld->cat->nvendors - 1], key,
					   ea_yaml_node(&y, p->value), &defaults);

			if (r < 0)
				goto out;
			if (r == 0) {
				ea_yaml_error(&y, ea_yaml_node(&y, p->key), "unknown key '%s' in defaults", key);
				goto out;
			}
		}
	}
	rc = 0;
	if ((n = top_key(&y, root, "groups"))) {
		size_t count;

		if (ea_yaml_expect(&y, n, YAML_SEQUENCE_NODE, "groups") < 0) {
			rc = -1;
			goto out;
		}
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		group_ids = calloc(count ? count : 1, sizeof(*group_ids));
		if (!group_ids) {
			rc = -1;
			goto out;
		}
		for (size_t i = 0; i < count; i++) {
			yaml_node_t *g = ea_yaml_node(&y, n->data.sequence.items.start[i]);

			if (parse_group(ld, &y, ld->cat->vendors[ld->cat->nvendors - 1], &defaults,
					g, group_ids, i) < 0)
				rc = -1;
		}
	}
out:
	free(group_ids);
	vendor_free(v);
	ea_yaml_close(&y);
	return rc;
}

/* ---- whole-catalogue checks ---- */

static int cmp_entry_id(const void *a, const void *b)
{
	const struct ea_entry *x = *(const struct ea_entry *const *)a;
	const struct ea_entry *y = *(const struct ea_entry *const *)b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int check_unique_ids(struct loader *ld)
{
	struct ea_catalogue *cat = ld->cat;
	struct ea_entry **sorted;
	int rc = 0;

	if (cat->nentries < 2)
		return 0;
	sorted = malloc(cat->nentries * sizeof(*sorted));
	if (!sorted)
		return -1;
	memcpy(sorted, cat->entries, cat->nentries * sizeof(*sorted));
	qsort(sorted, cat->nentries, sizeof(*sorted), cmp_entry_id);
	for (size_t i = 1; i < cat->nentries; i++) {
		if (strcmp(sorted[i]->id, sorted[i - 1]->id) == 0) {
			const struct ea_entry *first = sorted[i - 1];

			while (i < cat->nentries && strcmp(sorted[i]->id, first->id) == 0) {
				ea_diag_add(ld->diags, EA_ERROR, sorted[i]->file, sorted[i]->line,
					    sorted[i]->column, NULL,
					    "duplicate entry id '%s' (first defined at %s:%u:%u)",
					    sorted[i]->id, first->file, first->line, first->column);
				i++;
			}
			rc = -1;
		}
	}
	free(sorted);
	return rc;
}

/* A wildcard or glob that matches a host the vendor says to allow only
 * exactly defeats the point of listing it exactly. */
static void check_no_wildcard_cover(struct loader *ld)
{
	struct ea_catalogue *cat = ld->cat;

	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *exact = cat->entries[i];
		struct ea_host h;
		const char *why;

		if (!exact->no_wildcard || exact->kind != EA_KIND_EXACT ||
		    ea_host_parse(exact->pattern, strlen(exact->pattern), &h, &why) < 0)
			continue;
		for (size_t j = 0; j < cat->nentries; j++) {
			const struct ea_entry *w = cat->entries[j];

			if ((w->kind == EA_KIND_WILDCARD || w->kind == EA_KIND_GLOB) &&
			    ea_pattern_match(w->pattern, w->kind, &h))
				warn(ld, w->file, w->line, w->column, "covered-by-no-wildcard",
				     "entry '%s' (%s) matches %s, which entry '%s' says to allow only exactly",
				     w->id, w->pattern, exact->pattern, exact->id);
		}
	}
}

static void check_unused_waivers(struct loader *ld)
{
	for (size_t i = 0; i < ld->nwaivers; i++) {
		const struct waiver *w = &ld->waivers[i];

		if (!w->used)
			ea_diag_add(ld->diags, EA_WARNING, w->file, w->line, w->column, "unused-waiver",
				    "waiver for '%s' matches no warning in this file", w->code);
	}
}

/* ---- paths ---- */

static int yaml_name(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	if (d->d_name[0] == '.')
		return 0;
	return (len > 5 && strcmp(d->d_name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(d->d_name + len - 4, ".yml") == 0);
}

static int load_path(struct loader *ld, const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) < 0) {
		ea_diag_add(ld->diags, EA_ERROR, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(ld, path);
	n = scandir(path, &names, yaml_name, alphasort);
	if (n < 0) {
		ea_diag_add(ld->diags, EA_ERROR, path, 0, 0, NULL, "cannot read directory: %s",
			    strerror(errno));
		return -1;
	}
	if (n == 0) {
		ea_diag_add(ld->diags, EA_ERROR, path, 0, 0, NULL,
			    "directory holds no *.yaml or *.yml catalogue file");
		rc = -1;
	}
	for (int i = 0; i < n; i++) {
		char *file;

		if (asprintf(&file, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			     names[i]->d_name) < 0) {
			rc = -1;
		} else {
			if (load_file(ld, file) < 0)
				rc = -1;
			free(file);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int ea_catalogue_load(const char *const *paths, size_t npaths,
		      struct ea_catalogue **out, struct ea_diags *diags)
{
	struct loader ld = { .diags = diags };
	size_t errors_before = diags->errors;
	int rc = 0;

	*out = NULL;
	ld.cat = calloc(1, sizeof(*ld.cat));
	if (!ld.cat) {
		ea_diag_add(diags, EA_ERROR, NULL, 0, 0, NULL, "out of memory");
		return -1;
	}
	if (npaths == 0) {
		ea_diag_add(diags, EA_ERROR, NULL, 0, 0, NULL, "no catalogue path given");
		rc = -1;
	}
	for (size_t i = 0; i < npaths; i++)
		if (load_path(&ld, paths[i]) < 0)
			rc = -1;
	if (rc == 0 && check_unique_ids(&ld) < 0)
		rc = -1;
	if (rc == 0) {
		check_no_wildcard_cover(&ld);
		check_unused_waivers(&ld);
	}
	for (size_t i = 0; i < ld.nwaivers; i++) {
		free(ld.waivers[i].file);
		free(ld.waivers[i].code);
		free(ld.waivers[i].reason);
	}
	free(ld.waivers);
	if (rc < 0 || diags->errors > errors_before) {
		ea_catalogue_free(ld.cat);
		return -1;
	}
	*out = ld.cat;
	return 0;
}

void ea_catalogue_free(struct ea_catalogue *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->nentries; i++)
		entry_free(cat->entries[i]);
	free(cat->entries);
	for (size_t i = 0; i < cat->nvendors; i++)
		vendor_free(cat->vendors[i]);
	free(cat->vendors);
	free(cat);
}

const struct ea_entry *ea_catalogue_find(const struct ea_catalogue *cat, const char *id)
{
	for (size_t i = 0; i < cat->nentries; i++)
		if (strcmp(cat->entries[i]->id, id) == 0)
			return cat->entries[i];
	return NULL;
}

const struct ea_vendor *ea_catalogue_vendor(const struct ea_catalogue *cat, const char *id)
{
	for (size_t i = 0; i < cat->nvendors; i++)
		if (strcmp(cat->vendors[i]->id, id) == 0)
			return cat->vendors[i];
	return NULL;
}
