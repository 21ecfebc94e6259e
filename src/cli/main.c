/* egressaudit: the command-line entry point; dispatches to one file per
 * subcommand and holds no logic of its own. */

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "lint", ea_cmd_lint, "check catalogue files and print FILE:LINE:COLUMN diagnostics" },
	{ "catalog", ea_cmd_catalog, "print the loaded catalogue as text or JSON" },
	{ "check", ea_cmd_check, "match hosts, host:port or URLs against the catalogue" },
	{ "import", ea_cmd_import, "import Squid access logs (plain, .gz, stdin) into the audit database" },
	{ "report", ea_cmd_report, "which required endpoints were reached, blocked or never seen" },
	{ "squid-acl", ea_cmd_squid_acl, "print the Squid allowlist for the catalogue entries in scope" },
	{ "profile", ea_cmd_profile, "help write the site profile (sophos-mcs: read the installer log)" },
};

static void usage(FILE *out)
{
	fputs("usage: egressaudit COMMAND [OPTIONS] [ARGS]\n"
	      "       egressaudit --version | --help\n\ncommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'egressaudit COMMAND --help' and man egressaudit-COMMAND tell more.\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EA_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("egressaudit %s\n", PACKAGE_VERSION);
		return EA_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EA_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "egressaudit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EA_EXIT_ERROR;
}
