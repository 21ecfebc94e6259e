/* Helpers every subcommand uses: -c paths and catalogue loading. */
#include "cli.h"
#include "core/audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cli_paths_add(struct cli_paths *p, const char *path)
{
	const char **v = ea_vec_push(&p->v, &p->n, &p->cap, sizeof(*v));

	if (!v)
		return -1;
	*v = path;
	return 0;
}

void cli_paths_free(struct cli_paths *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "egressaudit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *const installed_rules[] = { EA_RULES_DIR };

/* Errors always; warnings the catalogue does not waive unless quiet. */
static void print_diags(struct ea_diags *diags, bool quiet)
{
	for (size_t i = 0; i < diags->count; i++) {
		const struct ea_diag *dg = &diags->items[i];

		if (dg->severity == EA_ERROR || (!quiet && !dg->waived))
			ea_diag_print(stderr, dg);
	}
	ea_diags_clear(diags);
}

struct ea_catalogue *cli_load_catalogue(struct cli_paths *p, bool quiet)
{
	struct ea_catalogue *cat = NULL;
	struct ea_diags diags;

	ea_diags_init(&diags);
	if (p->n)
		ea_catalogue_load(p->v, p->n, &cat, &diags);
	else
		ea_catalogue_load(installed_rules, 1, &cat, &diags);
	print_diags(&diags, quiet);
	cli_paths_free(p);
	return cat;
}

struct ea_matcher *cli_load_matcher(struct cli_paths *p, bool quiet)
{
	struct ea_matcher *m = NULL;
	struct ea_diags diags;

	ea_diags_init(&diags);
	if (p->n)
		ea_audit_load(p->v, p->n, &m, &diags);
	else
		ea_audit_load(installed_rules, 1, &m, &diags);
	print_diags(&diags, quiet);
	cli_paths_free(p);
	return m;
}
