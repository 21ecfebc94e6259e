/* Catalogue comparison (catalogue_diff.h): entries matched by id, field by
 * field on their resolved values (what a group or the defaults gave them
 * counts as theirs), so moving an entry between groups is no change unless
 * a value it inherits changes. */
#include "catalogue_diff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const ea_diff_field_names[EA_NFIELDS] = {
	"host", "ports", "level", "condition", "valid_until", "replaced_by",
	"product", "region", "vendor", "flags", "text",
};

const char *const ea_diff_vendor_field_names[EA_NVFIELDS] = {
	"name", "source", "updated", "transcribed", "domains", "products",
};

const char *ea_change_name(enum ea_change c)
{
	switch (c) {
	case EA_CHANGE_ADDED: return "added";
	case EA_CHANGE_REMOVED: return "removed";
	case EA_CHANGE_CHANGED: return "changed";
	}
	return "?";
}

static bool same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static const char *named_id(const struct ea_named *n)
{
	return n ? n->id : NULL;
}

static bool has_port(const uint16_t *v, size_t n, uint16_t p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

/* Ports in a but not in b, into a new array (NULL when none). */
static int port_minus(const struct ea_entry *a, const struct ea_entry *b, uint16_t **out, size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < a->nports; i++) {
		uint16_t *v;

		if (has_port(b->ports, b->nports, a->ports[i]))
			continue;
		if (!(v = ea_vec_push(out, n, &cap, sizeof(*v))))
			return -1;
		*v = a->ports[i];
	}
	return 0;
}

static unsigned entry_fields(const struct ea_entry *a, const struct ea_entry *b)
{
	unsigned f = 0;

	if (a->kind != b->kind || !same_str(a->pattern, b->pattern))
		f |= EA_FIELD_HOST;
	if (a->nports != b->nports)
		f |= EA_FIELD_PORTS;
	for (size_t i = 0; !(f & EA_FIELD_PORTS) && i < a->nports; i++)
		if (!has_port(b->ports, b->nports, a->ports[i]))
			f |= EA_FIELD_PORTS;
	if (a->level != b->level)
		f |= EA_FIELD_LEVEL;
	if (!same_str(named_id(a->condition), named_id(b->condition)))
		f |= EA_FIELD_CONDITION;
	if (strcmp(a->valid_until, b->valid_until) != 0)
		f |= EA_FIELD_VALID_UNTIL;
	if (!same_str(a->replaced_by, b->replaced_by))
		f |= EA_FIELD_REPLACED_BY;
	if (!same_str(named_id(a->product), named_id(b->product)))
		f |= EA_FIELD_PRODUCT;
	if (!same_str(a->region, b->region))
		f |= EA_FIELD_REGION;
	if (strcmp(a->vendor->id, b->vendor->id) != 0)
		f |= EA_FIELD_VENDOR;
	if (a->third_party != b->third_party || a->no_wildcard != b->no_wildcard)
		f |= EA_FIELD_FLAGS;
	if (!same_str(a->purpose, b->purpose) || !same_str(a->impact, b->impact) ||
	    !same_str(a->note, b->note) || !same_str(a->example, b->example))
		f |= EA_FIELD_TEXT;
	return f;
}

static bool same_named(const struct ea_named *a, size_t na, const struct ea_named *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!same_str(a[i].id, b[i].id) || !same_str(a[i].name, b[i].name))
			return false;
	return true;
}

static unsigned vendor_fields(const struct ea_vendor *a, const struct ea_vendor *b)
{
	unsigned f = 0;

	if (!same_str(a->name, b->name))
		f |= EA_VFIELD_NAME;
	if (!same_str(a->source_title, b->source_title) || !same_str(a->source_url, b->source_url) ||
	    !same_str(a->source_file, b->source_file))
		f |= EA_VFIELD_SOURCE;
	if (strcmp(a->updated, b->updated) != 0)
		f |= EA_VFIELD_UPDATED;
	if (strcmp(a->transcribed, b->transcribed) != 0)
		f |= EA_VFIELD_TRANSCRIBED;
	if (a->ndomains != b->ndomains)
		f |= EA_VFIELD_DOMAINS;
	for (size_t i = 0; !(f & EA_VFIELD_DOMAINS) && i < a->ndomains; i++)
		if (strcmp(a->domains[i], b->domains[i]) != 0)
			f |= EA_VFIELD_DOMAINS;
	if (!same_named(a->products, a->nproducts, b->products, b->nproducts) ||
	    !same_named(a->conditions, a->nconditions, b->conditions, b->nconditions))
		f |= EA_VFIELD_PRODUCTS;
	return f;
}

static int cmp_entry_id(const void *pa, const void *pb)
{
	return strcmp((*(const struct ea_entry *const *)pa)->id, (*(const struct ea_entry *const *)pb)->id);
}

static int cmp_vendor_id(const void *pa, const void *pb)
{
	return strcmp((*(const struct ea_vendor *const *)pa)->id, (*(const struct ea_vendor *const *)pb)->id);
}

/* A sorted copy of a pointer array (the catalogue keeps file order). */
static void *sorted(void *const *v, size_t n, int (*cmp)(const void *, const void *))
{
	void **s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	if (n)
		memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp);
	return s;
}

static int add_entry(struct ea_catalogue_diff *d, const struct ea_entry *o, const struct ea_entry *n)
{
	struct ea_entry_diff x = { 0 };
	struct ea_entry_diff *v;

	x.old = o;
	x.new = n;
	x.id = o ? o->id : n->id;
	if (!o)
		x.change = EA_CHANGE_ADDED;
	else if (!n)
		x.change = EA_CHANGE_REMOVED;
	else {
		x.change = EA_CHANGE_CHANGED;
		x.fields = entry_fields(o, n);
		if (!x.fields)
			return 0;
		if ((x.fields & EA_FIELD_PORTS) &&
		    (port_minus(n, o, &x.ports_added, &x.nports_added) < 0 ||
		     port_minus(o, n, &x.ports_removed, &x.nports_removed) < 0))
			goto nomem;
	}
	if (!(v = ea_vec_push(&d->entries, &d->nentries, &d->entries_cap, sizeof(*v))))
		goto nomem;
	*v = x;
	d->count[x.change]++;
	return 0;
nomem:
	free(x.ports_added);
	free(x.ports_removed);
	return -1;
}

static int diff_entries(struct ea_catalogue_diff *d, const struct ea_catalogue *old,
			const struct ea_catalogue *new)
{
	const struct ea_entry **a = sorted((void *const *)old->entries, old->nentries, cmp_entry_id);
	const struct ea_entry **b = sorted((void *const *)new->entries, new->nentries, cmp_entry_id);
	size_t i = 0, j = 0;
	int rc = -1;

	if (!a || !b)
		goto out;
	while (i < old->nentries || j < new->nentries) {
		int c = i == old->nentries ? 1 : j == new->nentries ? -1 : strcmp(a[i]->id, b[j]->id);

		if (add_entry(d, c <= 0 ? a[i] : NULL, c >= 0 ? b[j] : NULL) < 0)
			goto out;
		i += c <= 0;
		j += c >= 0;
	}
	rc = 0;
out:
	free(a);
	free(b);
	return rc;
}

static int diff_vendors(struct ea_catalogue_diff *d, const struct ea_catalogue *old,
			const struct ea_catalogue *new)
{
	const struct ea_vendor **a = sorted((void *const *)old->vendors, old->nvendors, cmp_vendor_id);
	const struct ea_vendor **b = sorted((void *const *)new->vendors, new->nvendors, cmp_vendor_id);
	size_t i = 0, j = 0;
	int rc = -1;

	d->vendors = calloc(old->nvendors + new->nvendors + 1, sizeof(*d->vendors));
	if (!a || !b || !d->vendors)
		goto out;
	while (i < old->nvendors || j < new->nvendors) {
		int c = i == old->nvendors ? 1 : j == new->nvendors ? -1 : strcmp(a[i]->id, b[j]->id);
		struct ea_vendor_diff *v = &d->vendors[d->nvendors++];

		v->old = c <= 0 ? a[i] : NULL;
		v->new = c >= 0 ? b[j] : NULL;
		v->id = v->old ? v->old->id : v->new->id;
		if (v->old && v->new)
			v->fields = vendor_fields(v->old, v->new);
		if (!v->old || !v->new || v->fields)
			d->vendors_changed++;
		i += c <= 0;
		j += c >= 0;
	}
	rc = 0;
out:
	free(a);
	free(b);
	return rc;
}

int ea_catalogue_diff(const struct ea_catalogue *old, const struct ea_catalogue *new,
		      struct ea_catalogue_diff **out)
{
	struct ea_catalogue_diff *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return -1;
	if (diff_entries(d, old, new) < 0 || diff_vendors(d, old, new) < 0) {
		ea_catalogue_diff_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

void ea_catalogue_diff_free(struct ea_catalogue_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nentries; i++) {
		free(d->entries[i].ports_added);
		free(d->entries[i].ports_removed);
	}
	free(d->entries);
	free(d->vendors);
	free(d);
}
