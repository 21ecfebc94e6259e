/* The catalogue loader: rules/NAME.yaml into ea_entry records, with every
 * schema error named FILE:LINE:COLUMN. This file walks files, vendors,
 * groups and entries; the keys they share are in catalogue_attrs.c, the
 * warnings and whole-catalogue checks in catalogue_lint.c. A load with any
 * error frees what it built and returns nothing, so the caller's previous
 * catalogue stays in force. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "catalogue.h"

#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalogue_load.h"
#include "strmap.h"
#include "util.h"

const char *ea_level_name(enum ea_level l)
{
	switch (l) {
	case EA_LEVEL_REQUIRED: return "required";
	case EA_LEVEL_RECOMMENDED: return "recommended";
	case EA_LEVEL_OPTIONAL: return "optional";
	}
	return "?";
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

	if (ea_vec_reserve(&cat->entries, &ld->entries_cap, cat->nentries + 1,
			   sizeof(*cat->entries)) < 0)
		return -1;
	e->index = cat->nentries;
	cat->entries[cat->nentries++] = e;
	return 0;
}

/* Walk the keys of an entry or a group: the attributes every level may
 * set go into *a, any other key to the caller's handler (-1 stops). */
typedef int (*member_fn)(struct ea_yaml *y, void *ctx, const char *key,
			 const yaml_node_pair_t *p, yaml_node_t *val);

static int parse_members(struct ea_yaml *y, const struct ea_vendor *v, const yaml_node_t *n,
			 const char *what, struct attrs *a, member_fn other, void *ctx)
{
	ea_cat_attrs_init(a);
	if (ea_yaml_mapping(y, n, what) < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = ea_yaml_key(y, p);
		yaml_node_t *val = ea_yaml_node(y, p->value);
		int rc = ea_cat_parse_attr(y, v, key, val, a);

		if (rc < 0 || (rc == 0 && other(y, ctx, key, p, val) < 0))
			return -1;
	}
	return 0;
}

/* What an entry says besides the shared attributes. */
struct entry_keys {
	const yaml_node_t *target, *id_node;
	const char *id, *regex_src, *example;
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind;
};

/* The three ways an entry names its target: exactly one is given. */
static int entry_host(struct ea_yaml *y, struct entry_keys *k, yaml_node_t *val)
{
	k->kind = EA_KIND_EXACT;
	return ea_cat_parse_pattern(y, val, "host pattern", k->canon, &k->kind);
}

static int entry_regex(struct ea_yaml *y, struct entry_keys *k, yaml_node_t *val)
{
	k->kind = EA_KIND_REGEX;
	return ea_yaml_string(y, val, "regex", &k->regex_src);
}

static int entry_site(struct ea_yaml *y, struct entry_keys *k, yaml_node_t *val)
{
	bool site;

	if (ea_yaml_bool(y, val, "site_specific", &site) < 0)
		return -1;
	if (!site) {
		ea_yaml_error(y, val, "site_specific, when given, must be true");
		return -1;
	}
	k->kind = EA_KIND_SITE;
	return 0;
}

static const struct {
	const char *key;
	int (*parse)(struct ea_yaml *y, struct entry_keys *k, yaml_node_t *val);
} entry_targets[] = {
	{ "host", entry_host },
	{ "regex", entry_regex },
	{ "site_specific", entry_site },
};

static int entry_key(struct ea_yaml *y, void *ctx, const char *key,
		     const yaml_node_pair_t *p, yaml_node_t *val)
{
	struct entry_keys *k = ctx;

	if (strcmp(key, "id") == 0) {
		if (ea_cat_parse_id(y, val, "entry id", &k->id) < 0)
			return -1;
		k->id_node = val;
		return 0;
	}
	for (size_t i = 0; i < sizeof(entry_targets) / sizeof(entry_targets[0]); i++) {
		if (strcmp(key, entry_targets[i].key) != 0)
			continue;
		if (k->target) {
			ea_yaml_error(y, ea_yaml_node(y, p->key),
				      "an entry has exactly one of host, regex and site_specific");
			return -1;
		}
		k->target = val;
		return entry_targets[i].parse(y, k, val);
	}
	if (strcmp(key, "example") == 0) {
		struct ea_host h;
		const char *why;

		if (ea_yaml_string(y, val, "example", &k->example) < 0)
			return -1;
		if (ea_host_parse(k->example, strlen(k->example), &h, &why) < 0) {
			ea_yaml_error(y, val, "example '%s' is not a valid host: %s", k->example, why);
			return -1;
		}
		return 0;
	}
	ea_yaml_error(y, ea_yaml_node(y, p->key), "unknown key '%s' in an entry", key);
	return -1;
}

static int parse_entry(struct loader *ld, struct ea_yaml *y, struct ea_vendor *v,
		       const char *group_id, const struct attrs *group, const yaml_node_t *n)
{
	struct entry_keys k = { .kind = EA_KIND_EXACT };
	struct ea_entry *e;
	struct attrs a;

	if (parse_members(y, v, n, "an entry", &a, entry_key, &k) < 0)
		return -1;
	if (!k.id) {
		ea_yaml_error(y, n, "an entry needs an id");
		return -1;
	}
	if (!k.target) {
		ea_yaml_error(y, n, "entry '%s' needs one of host, regex and site_specific", k.id);
		return -1;
	}
	ea_cat_attrs_inherit(&a, group);
	if (!a.has_ports) {
		ea_yaml_error(y, n, "entry '%s' has no ports (set ports in the entry, its group or defaults)", k.id);
		return -1;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	e->vendor = v;
	e->kind = k.kind;
	e->file = strdup(y->file);
	e->line = ea_yaml_line(k.id_node ? k.id_node : n);
	e->column = ea_yaml_column(k.id_node ? k.id_node : n);
	e->id = strdup(k.id);
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
	e->example = dup_opt(k.example);
	e->replaced_by = a.has_replaced_by ? strdup(a.replaced_by) : NULL;
	e->ports = malloc(a.nports * sizeof(*e->ports));
	if (e->ports) {
		memcpy(e->ports, a.ports, a.nports * sizeof(*e->ports));
		e->nports = a.nports;
	}
	if (k.kind == EA_KIND_REGEX) {
		e->pattern = strdup(k.regex_src);
		if (compile_regex(y, k.target, k.regex_src, &e->regex) < 0) {
			entry_free(e);
			return -1;
		}
	} else if (k.kind != EA_KIND_SITE) {
		e->pattern = strdup(k.canon);
	}
	if (!e->file || !e->id || !e->group || !e->ports ||
	    (k.kind != EA_KIND_SITE && !e->pattern) || add_entry(ld, e) < 0) {
		entry_free(e);
		ea_diag_add(ld->diags, EA_ERROR, y->file, 0, 0, NULL, "out of memory");
		return -1;
	}
	ea_cat_entry_warnings(ld, e);
	return 0;
}

/* ---- groups, vendor, file ---- */

/* What a group says besides the shared attributes. */
struct group_keys {
	const yaml_node_t *entries;
	const char *id;
	struct ea_strmap *seen_ids; /* the ids of the file's groups before this one */
};

static int group_key(struct ea_yaml *y, void *ctx, const char *key,
		     const yaml_node_pair_t *p, yaml_node_t *val)
{
	struct group_keys *g = ctx;
	const char *title;

	if (strcmp(key, "id") == 0) {
		int r;

		if (ea_cat_parse_id(y, val, "group id", &g->id) < 0)
			return -1;
		if ((r = ea_strmap_put(g->seen_ids, g->id, val, NULL)) < 0) {
			ea_yaml_error(y, val, "out of memory");
			return -1;
		}
		if (r == 1) {
			ea_yaml_error(y, val, "duplicate group id '%s' in this file", g->id);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "title") == 0)
		return ea_yaml_string(y, val, "title", &title);
	if (strcmp(key, "entries") == 0) {
		if (ea_yaml_expect(y, val, YAML_SEQUENCE_NODE, "entries") < 0)
			return -1;
		g->entries = val;
		return 0;
	}
	ea_yaml_error(y, ea_yaml_node(y, p->key), "unknown key '%s' in a group", key);
	return -1;
}

static int parse_group(struct loader *ld, struct ea_yaml *y, struct ea_vendor *v,
		       const struct attrs *defaults, const yaml_node_t *n,
		       struct ea_strmap *seen_ids)
{
	struct group_keys g = { .seen_ids = seen_ids };
	const yaml_node_t *entries;
	const char *id;
	struct attrs a;
	int rc;

	if (parse_members(y, v, n, "a group", &a, group_key, &g) < 0)
		return -1;
	id = g.id;
	entries = g.entries;
	if (!id) {
		ea_yaml_error(y, n, "a group needs an id");
		return -1;
	}
	if (!entries) {
		ea_yaml_error(y, n, "group '%s' has no entries", id);
		return -1;
	}
	ea_cat_attrs_inherit(&a, defaults);
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

		if (!ea_cat_valid_id(id)) {
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
			if (ea_cat_parse_id(y, val, "vendor id", &s) < 0 || !(v->id = strdup(s)))
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

				if (ea_cat_parse_pattern(y, d, "vendor domain", canon, &kind) < 0)
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
	if (!(vs = ea_vec_push(&cat->vendors, &cat->nvendors, &ld->vendors_cap, sizeof(*vs))))
		return -1;
	*vs = v;
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
	struct ea_strmap group_ids = { 0 };
	long schema;
	int rc = -1;

	if (ea_yaml_open(&y, file, EA_YAML_MAX_BYTES - ld->bytes, ld->diags) < 0)
		return -1;
	ld->bytes += y.bytes;
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
	if ((n = top_key(&y, root, "waive")) && ea_cat_parse_waivers(ld, &y, n) < 0)
		goto out;

	ea_cat_attrs_init(&defaults);
	if ((n = top_key(&y, root, "defaults"))) {
		if (ea_yaml_mapping(&y, n, "defaults") < 0)
			goto out;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const char *key = ea_yaml_key(&y, p);
			int r = ea_cat_parse_attr(&y, ld->cat->vendors[ld->cat->nvendors - 1], key,
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
		for (size_t i = 0; i < count; i++) {
			yaml_node_t *g = ea_yaml_node(&y, n->data.sequence.items.start[i]);

			if (parse_group(ld, &y, ld->cat->vendors[ld->cat->nvendors - 1], &defaults,
					g, &group_ids) < 0)
				rc = -1;
		}
	}
out:
	ea_strmap_free(&group_ids);
	vendor_free(v);
	ea_yaml_close(&y);
	return rc;
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
	if (rc == 0 && ea_cat_check_unique_ids(&ld) < 0)
		rc = -1;
	if (rc == 0) {
		ea_cat_check_no_wildcard_cover(&ld);
		ea_cat_check_unused_waivers(&ld);
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

long ea_vendor_source_age(const struct ea_vendor *v, const char *as_of, long max_age, bool *stale)
{
	long days;

	*stale = false;
	if (!v || ea_date_days_between(v->updated, as_of, &days) < 0)
		return -1;
	*stale = days > max_age;
	return days;
}
