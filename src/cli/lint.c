/* egressaudit lint: load catalogues and report every problem with its
 * position. Exit 0 when clean (warnings allowed unless --werror), 1 on error. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void lint_usage(FILE *out)
{
	fputs("usage: egressaudit lint [-c PATH]... [--verbose] [--werror] [PATH]...\n"
	      "  -c, --catalogue PATH  a catalogue file or a directory of *.yaml (repeatable)\n"
	      "  -v, --verbose         also print the warnings a file waives, with its reason\n"
	      "  -W, --werror          exit 1 on warnings that are not waived\n"
	      "exit status: 0 clean, 1 errors (or warnings with --werror), 2 usage\n", out);
}

int ea_cmd_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "werror", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_paths paths = { 0 };
	struct ea_catalogue *cat = NULL;
	struct ea_diags diags;
	bool verbose = false, werror = false;
	size_t waived = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:vWh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_paths_add(&paths, optarg); break;
		case 'v': verbose = true; break;
		case 'W': werror = true; break;
		case 'h': lint_usage(stdout); cli_paths_free(&paths); return EA_EXIT_OK;
		default: lint_usage(stderr); cli_paths_free(&paths); return EA_EXIT_ERROR;
		}
	}
	for (int i = optind; i < argc; i++)
		cli_paths_add(&paths, argv[i]);
	if (paths.n == 0) {
		cli_error("lint", "name at least one catalogue file or directory (-c PATH)");
		lint_usage(stderr);
		return EA_EXIT_ERROR;
	}
	ea_diags_init(&diags);
	rc = ea_catalogue_load(paths.v, paths.n, &cat, &diags);
	for (size_t i = 0; i < diags.count; i++) {
		if (diags.items[i].waived) {
			waived++;
			if (!verbose)
				continue;
		}
		ea_diag_print(stdout, &diags.items[i]);
	}
	fprintf(stderr, "%zu error%s, %zu warning%s (%zu waived)",
		diags.errors, diags.errors == 1 ? "" : "s",
		diags.warnings, diags.warnings == 1 ? "" : "s", waived);
	if (cat)
		fprintf(stderr, "; %zu entries from %zu vendor%s", cat->nentries,
			cat->nvendors, cat->nvendors == 1 ? "" : "s");
	fputc('\n', stderr);
	rc = rc < 0 || (werror && diags.warnings) ? 1 : 0;
	ea_catalogue_free(cat);
	ea_diags_clear(&diags);
	cli_paths_free(&paths);
	return rc;
}
