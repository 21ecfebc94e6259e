/* Site profile loading (see profile.h and contrib/site-profile.example.yaml).
 * Every id is checked against the catalogue, so a typo is an error at its
 * position rather than an entry silently out of scope. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "core/yaml_walk.h"

static const struct ea_named *find_named(const struct ea_named *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

/* A sequence of ids naming products or conditions of vendor v. */
static int named_list(struct ea_yaml *y, yaml_node_t *n, const char *what,
		      const struct ea_named *names, size_t nnames, const char *vendor,
		      const struct ea_named ***out, size_t *nout, size_t *cap)
{
	if (ea_yaml_expect(y, n, YAML_SEQUENCE_NODE, what) < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *c = ea_yaml_node(y, *it);
		const struct ea_named *found, **v;
		const char *id;

		if (ea_yaml_string(y, c, what, &id) < 0)
			return -1;
		found = find_named(names, nnames, id);
		if (!found) {
			ea_yaml_error(y, c, "vendor %s has no %s '%s' in the catalogue", vendor,
				      strcmp(what, "products") == 0 ? "product" : "condition", id);
			return -1;
		}
		for (size_t i = 0; i < *nout; i++)
			if ((*out)[i] == found) {
				ea_yaml_error(y, c, "'%s' is listed twice", id);
				return -1;
			}
		if (!(v = ea_vec_push(out, nout, cap, sizeof(*v))))
			return -1;
		*v = found;
	}
	return 0;
}

static int load_vendors(struct ea_yaml *y, yaml_node_t *n, const struct ea_catalogue *cat,
			struct ea_profile *p)
{
	if (ea_yaml_mapping(y, n, "vendors") < 0)
		return -1;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const char *id = ea_yaml_key(y, pr);
		yaml_node_t *val = ea_yaml_node(y, pr->value);
		const struct ea_vendor *cv = ea_catalogue_vendor(cat, id);
		struct ea_profile_vendor *pv;

		if (!cv) {
			ea_yaml_error(y, ea_yaml_node(y, pr->key), "no vendor '%s' in the catalogue", id);
			return -1;
		}
		if (!(pv = ea_vec_push(&p->vendors, &p->nvendors, &p->vendors_cap, sizeof(*pv))))
			return -1;
		pv->vendor = cv;
		pv->all_products = true;
		if (ea_yaml_is_null(val))
			continue;
		if (ea_yaml_mapping(y, val, "a vendor of the profile") < 0)
			return -1;
		for (yaml_node_pair_t *q = val->data.mapping.pairs.start; q < val->data.mapping.pairs.top; q++) {
			const char *key = ea_yaml_key(y, q);
			yaml_node_t *v = ea_yaml_node(y, q->value);

			if (strcmp(key, "products") == 0) {
				pv->all_products = false;
				if (named_list(y, v, "products", cv->products, cv->nproducts, id,
					       &pv->products, &pv->nproducts, &pv->products_cap) < 0)
					return -1;
			} else if (strcmp(key, "conditions") == 0 || strcmp(key, "features") == 0) {
				if (named_list(y, v, "conditions", cv->conditions, cv->nconditions, id,
					       &pv->conditions, &pv->nconditions, &pv->conditions_cap) < 0)
					return -1;
			} else {
				ea_yaml_error(y, ea_yaml_node(y, q->key),
					      "unknown key '%s' in a vendor (products, conditions)", key);
				return -1;
			}
		}
	}
	return 0;
}

static int load_regions(struct ea_yaml *y, yaml_node_t *n, struct ea_profile *p)
{
	if (ea_yaml_expect(y, n, YAML_SEQUENCE_NODE, "regions") < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s;
		char **v;

		if (ea_yaml_string(y, ea_yaml_node(y, *it), "a region", &s) < 0)
			return -1;
		if (ea_vec_reserve(&p->regions, &p->regions_cap, p->nregions + 1, sizeof(*v)) < 0)
			return -1;
		v = p->regions;
		if (!(v[p->nregions] = strdup(s)))
			return -1;
		p->nregions++;
	}
	return 0;
}

static const struct ea_entry *find_entry(struct ea_yaml *y, yaml_node_t *n,
					 const struct ea_catalogue *cat)
{
	const struct ea_entry *e;
	const char *id;

	if (ea_yaml_string(y, n, "an entry id", &id) < 0)
		return NULL;
	e = ea_catalogue_find(cat, id);
	if (!e)
		ea_yaml_error(y, n, "no entry '%s' in the catalogue", id);
	return e;
}

static int add_site_host(struct ea_yaml *y, yaml_node_t *n, struct ea_profile_site *s)
{
	struct ea_profile_host *h;
	const char *text, *why;
	size_t col;

	if (ea_yaml_string(y, n, "a host", &text) < 0)
		return -1;
	if (ea_vec_reserve(&s->hosts, &s->hosts_cap, s->nhosts + 1, sizeof(*h)) < 0)
		return -1;
	h = &s->hosts[s->nhosts];
	if (ea_pattern_parse(text, strlen(text), h->pattern, &h->kind, &why, &col) < 0) {
		ea_diag_add(y->diags, EA_ERROR, y->file, ea_yaml_line(n),
			    ea_yaml_text_column(n) + (unsigned)col, NULL,
			    "'%s' is not a valid host pattern: %s", text, why);
		return -1;
	}
	s->nhosts++;
	return 0;
}

static int load_sites(struct ea_yaml *y, yaml_node_t *n, const struct ea_catalogue *cat,
		      struct ea_profile *p)
{
	if (ea_yaml_mapping(y, n, "site_hosts") < 0)
		return -1;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = ea_yaml_node(y, pr->key), *v = ea_yaml_node(y, pr->value);
		const struct ea_entry *e = find_entry(y, k, cat);
		struct ea_profile_site *s;

		if (!e)
			return -1;
		if (e->kind != EA_KIND_SITE) {
			ea_yaml_error(y, k, "entry '%s' is not site_specific: the catalogue names its host",
				      e->id);
			return -1;
		}
		if (!(s = ea_vec_push(&p->sites, &p->nsites, &p->sites_cap, sizeof(*s))))
			return -1;
		s->entry = e;
		if (v->type == YAML_SCALAR_NODE) {
			if (add_site_host(y, v, s) < 0)
				return -1;
			continue;
		}
		if (ea_yaml_expect(y, v, YAML_SEQUENCE_NODE, "a host or a list of hosts") < 0)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (add_site_host(y, ea_yaml_node(y, *it), s) < 0)
				return -1;
		if (s->nhosts == 0) {
			ea_yaml_error(y, v, "list at least one host for '%s'", e->id);
			return -1;
		}
	}
	return 0;
}

static int load_ack(struct ea_yaml *y, yaml_node_t *n, const struct ea_catalogue *cat,
		    struct ea_profile_ack *a)
{
	bool have_reason = false, have_until = false;

	a->line = ea_yaml_line(n);
	if (ea_yaml_mapping(y, n, "an acknowledged exception") < 0)
		return -1;
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		const char *key = ea_yaml_key(y, q);
		yaml_node_t *v = ea_yaml_node(y, q->value);

		if (strcmp(key, "entry") == 0) {
			if (!(a->entry = find_entry(y, v, cat)))
				return -1;
		} else if (strcmp(key, "reason") == 0) {
			const char *s;

			if (ea_yaml_string(y, v, "reason", &s) < 0)
				return -1;
			if (!*s) {
				ea_yaml_error(y, v, "the reason must say why");
				return -1;
			}
			if (!(a->reason = strdup(s)))
				return -1;
			have_reason = true;
		} else if (strcmp(key, "until") == 0) {
			if (ea_yaml_date(y, v, "until", a->until) < 0)
				return -1;
			have_until = true;
		} else if (strcmp(key, "ports") == 0) {
			if (ea_yaml_expect(y, v, YAML_SEQUENCE_NODE, "ports") < 0)
				return -1;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				unsigned short *ports;
				long port;

				if (ea_yaml_int(y, ea_yaml_node(y, *it), "a port", 1, 65535, &port) < 0)
					return -1;
				if (!(ports = ea_vec_push(&a->ports, &a->nports, &a->ports_cap,
							  sizeof(*ports))))
					return -1;
				*ports = (unsigned short)port;
			}
		} else {
			ea_yaml_error(y, ea_yaml_node(y, q->key),
				      "unknown key '%s' in an acknowledged exception (entry, ports, reason, until)", key);
			return -1;
		}
	}
	if (!a->entry || !have_reason || !have_until) {
		ea_yaml_error(y, n, "an acknowledged exception needs entry, reason and until (an expiry date)");
		return -1;
	}
	for (size_t i = 0; i < a->nports; i++) {
		bool listed = false;

		for (size_t j = 0; j < a->entry->nports; j++)
			listed |= a->entry->ports[j] == a->ports[i];
		if (!listed) {
			ea_yaml_error(y, n, "entry '%s' does not list port %u", a->entry->id, a->ports[i]);
			return -1;
		}
	}
	return 0;
}

static int load_acks(struct ea_yaml *y, yaml_node_t *n, const struct ea_catalogue *cat,
		     struct ea_profile *p)
{
	if (ea_yaml_expect(y, n, YAML_SEQUENCE_NODE, "acknowledged") < 0)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		struct ea_profile_ack *a = ea_vec_push(&p->acks, &p->nacks, &p->acks_cap, sizeof(*a));

		if (!a)
			return -1;
		if (load_ack(y, ea_yaml_node(y, *it), cat, a) < 0)
			return -1;
	}
	return 0;
}

static int load_root(struct ea_yaml *y, const struct ea_catalogue *cat, struct ea_profile *p)
{
	yaml_node_t *root = ea_yaml_root(y);
	bool have_schema = false;

	if (ea_yaml_mapping(y, root, "a site profile") < 0)
		return -1;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		const char *key = ea_yaml_key(y, pr);
		yaml_node_t *v = ea_yaml_node(y, pr->value);
		int rc = 0;

		if (strcmp(key, "schema") == 0) {
			long schema;

			if (ea_yaml_int(y, v, "schema", 1, 1, &schema) < 0)
				return -1;
			have_schema = true;
		} else if (strcmp(key, "site") == 0) {
			const char *s;

			if (ea_yaml_string(y, v, "site", &s) < 0 || !(p->site = strdup(s)))
				return -1;
		} else if (strcmp(key, "vendors") == 0) {
			rc = load_vendors(y, v, cat, p);
		} else if (strcmp(key, "regions") == 0) {
			rc = load_regions(y, v, p);
		} else if (strcmp(key, "site_hosts") == 0) {
			rc = load_sites(y, v, cat, p);
		} else if (strcmp(key, "acknowledged") == 0) {
			rc = load_acks(y, v, cat, p);
		} else {
			ea_yaml_error(y, ea_yaml_node(y, pr->key),
				      "unknown key '%s' (schema, site, vendors, regions, site_hosts, acknowledged)", key);
			return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (!have_schema) {
		ea_yaml_error(y, root, "a site profile starts with 'schema: 1'");
		return -1;
	}
	return 0;
}

int ea_profile_load(const char *path, const struct ea_catalogue *cat,
		    struct ea_profile **out, struct ea_diags *diags)
{
	struct ea_profile *p;
	struct ea_yaml y;
	size_t errors = diags->errors;
	int rc;

	*out = NULL;
	if (ea_yaml_open(&y, path, EA_YAML_MAX_BYTES, diags) < 0)
		return -1;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->file = strdup(path))) {
		free(p);
		ea_yaml_close(&y);
		ea_diag_add(diags, EA_ERROR, path, 0, 0, NULL, "out of memory");
		return -1;
	}
	rc = load_root(&y, cat, p);
	ea_yaml_close(&y);
	if (rc < 0 || diags->errors > errors) {
		if (diags->errors == errors)
			ea_diag_add(diags, EA_ERROR, path, 0, 0, NULL, "out of memory");
		ea_profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void ea_profile_free(struct ea_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nvendors; i++) {
		free(p->vendors[i].products);
		free(p->vendors[i].conditions);
	}
	free(p->vendors);
	for (size_t i = 0; i < p->nregions; i++)
		free(p->regions[i]);
	free(p->regions);
	for (size_t i = 0; i < p->nsites; i++)
		free(p->sites[i].hosts);
	free(p->sites);
	for (size_t i = 0; i < p->nacks; i++) {
		free(p->acks[i].ports);
		free(p->acks[i].reason);
	}
	free(p->acks);
	free(p->site);
	free(p->file);
	free(p);
}

static const struct ea_profile_vendor *profile_vendor(const struct ea_profile *p, const char *id)
{
	for (size_t i = 0; i < p->nvendors; i++)
		if (strcmp(p->vendors[i].vendor->id, id) == 0)
			return &p->vendors[i];
	return NULL;
}

bool ea_profile_vendor_in_scope(const struct ea_profile *p, const char *vendor_id)
{
	return !p || p->nvendors == 0 || profile_vendor(p, vendor_id) != NULL;
}

bool ea_profile_in_scope(const struct ea_profile *p, const struct ea_entry *e)
{
	const struct ea_profile_vendor *pv;
	bool found;

	if (!p)
		return true;
	if (e->region && p->nregions) {
		found = false;
		for (size_t i = 0; i < p->nregions && !found; i++)
			found = strcmp(p->regions[i], e->region) == 0;
		if (!found)
			return false;
	}
	if (p->nvendors == 0)
		return true;
	pv = profile_vendor(p, e->vendor->id);
	if (!pv)
		return false;
	if (e->product && !pv->all_products) {
		found = false;
		for (size_t i = 0; i < pv->nproducts && !found; i++)
			found = pv->products[i] == e->product;
		if (!found)
			return false;
	}
	if (e->condition) {
		found = false;
		for (size_t i = 0; i < pv->nconditions && !found; i++)
			found = pv->conditions[i] == e->condition;
		if (!found)
			return false;
	}
	return true;
}

const struct ea_profile_site *ea_profile_site(const struct ea_profile *p, const struct ea_entry *e)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->nsites; i++)
		if (p->sites[i].entry == e)
			return &p->sites[i];
	return NULL;
}
