/* Helpers every subcommand uses: -c paths and catalogue loading. */
#include "cli.h"
#include "core/match.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cli_paths_add(struct cli_paths *p, const char *path)
{
	const char **v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	p->v = v;
	p->v[p->n++] = path;
	return 0;
}

void cli_paths_free(struct cli_paths *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
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

struct ea_catalogue *cli_load_catalogue(const struct cli_paths *p, bool quiet)
{
	static const char *const installed[] = { EA_RULES_DIR };
	struct ea_catalogue *cat = NULL;
	struct ea_diags diags;

	ea_diags_init(&diags);
	if (p->n)
		ea_catalogue_load(p->v, p->n, &cat, &diags);
	else
		ea_catalogue_load(installed, 1, &cat, &diags);
	for (size_t i = 0; i < diags.count; i++) {
		const struct ea_diag *dg = &diags.items[i];

		if (dg->severity == EA_ERROR || (!quiet && !dg->waived))
			ea_diag_print(stderr, dg);
	}
	ea_diags_clear(&diags);
	return cat;
}

struct ea_matcher *cli_load_matcher(const char *cmd, const struct cli_paths *p, bool quiet)
{
	struct ea_catalogue *cat = cli_load_catalogue(p, quiet);
	struct ea_matcher *m;
	char err[256];

	if (!cat)
		return NULL;
	m = ea_matcher_new(cat, err, sizeof(err));
	if (!m) {
		cli_error(cmd, "cannot build the matcher: %s", err);
		ea_catalogue_free(cat);
		return NULL;
	}
	ea_matcher_adopt_catalogue(m, cat);
	return m;
}
