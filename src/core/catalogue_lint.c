/* Warnings (a file may waive them with a reason) and the checks that need
 * the whole catalogue: unique ids, wildcards covering never-by-wildcard
 * hosts, waivers that matched nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_load.h"

static const char *const warning_codes[] = {
	"third-party-wildcard", "no-wildcard-pattern", "covered-by-no-wildcard",
	"site-specific-no-example",
};

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

int ea_cat_parse_waivers(struct loader *ld, struct ea_yaml *y, const yaml_node_t *n)
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
		if (!(w = ea_vec_push(&ld->waivers, &ld->nwaivers, &ld->waivers_cap, sizeof(*w))))
			return -1;
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

void ea_cat_entry_warnings(struct loader *ld, const struct ea_entry *e)
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

static int cmp_entry_id(const void *a, const void *b)
{
	const struct ea_entry *x = *(const struct ea_entry *const *)a;
	const struct ea_entry *y = *(const struct ea_entry *const *)b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

int ea_cat_check_unique_ids(struct loader *ld)
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
void ea_cat_check_no_wildcard_cover(struct loader *ld)
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

void ea_cat_check_unused_waivers(struct loader *ld)
{
	for (size_t i = 0; i < ld->nwaivers; i++) {
		const struct waiver *w = &ld->waivers[i];

		if (!w->used)
			ea_diag_add(ld->diags, EA_WARNING, w->file, w->line, w->column, "unused-waiver",
				    "waiver for '%s' matches no warning in this file", w->code);
	}
}
