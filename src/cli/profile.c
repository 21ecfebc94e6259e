/* egressaudit profile: help write the site profile. `profile sophos-mcs
 * LOG...` reads SophosCloudInstaller.log and prints the site_hosts lines
 * for Sophos's site-specific Management Communication System entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/profile.h"

#define MCS_ENTRY "sophos-ep-mcs-server"
#define MAX_HOSTS 64

static void profile_usage(FILE *out)
{
	fputs("usage: egressaudit profile sophos-mcs SophosCloudInstaller.log...\n"
	      "  prints the site profile lines naming the Sophos Management Communication\n"
	      "  System host, read from the installer log ('-' reads standard input)\n"
	      "exit status: 0 a host was found, 1 none, 2 an error\n", out);
}

struct found {
	char hosts[MAX_HOSTS][EA_HOST_MAX + 3];
	int kind[MAX_HOSTS];   /* 1 Model::server, 2 Opening connection */
	size_t n;
};

static void add(struct found *f, const struct ea_host *h, int kind)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->hosts[i], h->name) == 0) {
			if (kind < f->kind[i])
				f->kind[i] = kind;
			return;
		}
	if (f->n == MAX_HOSTS)
		return;
	snprintf(f->hosts[f->n], sizeof(f->hosts[0]), "%s", h->name);
	f->kind[f->n++] = kind;
}

static int scan(FILE *in, struct found *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, in)) >= 0) {
		struct ea_host h;
		int kind = ea_sophos_mcs_line(line, (size_t)len, &h);

		if (kind)
			add(f, &h, kind);
	}
	free(line);
	return ferror(in) ? -1 : 0;
}

int ea_cmd_profile(int argc, char **argv)
{
	struct found *f;
	int best = 3, rc = EA_EXIT_OK;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		profile_usage(stdout);
		return EA_EXIT_OK;
	}
	if (argc < 3 || strcmp(argv[1], "sophos-mcs") != 0) {
		profile_usage(stderr);
		return EA_EXIT_ERROR;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		cli_error("profile", "out of memory");
		return EA_EXIT_ERROR;
	}
	for (int i = 2; i < argc; i++) {
		FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");

		if (!in) {
			cli_error("profile", "cannot read %s: %m", argv[i]);
			rc = EA_EXIT_ERROR;
			continue;
		}
		if (scan(in, f) < 0) {
			cli_error("profile", "cannot read %s", argv[i]);
			rc = EA_EXIT_ERROR;
		}
		if (in != stdin)
			fclose(in);
	}
	/* The Model::server value is the configured host; connections opened
	 * are a fallback when the log has no such line. */
	for (size_t i = 0; i < f->n; i++)
		if (f->kind[i] < best)
			best = f->kind[i];
	if (rc == EA_EXIT_OK && f->n == 0) {
		cli_error("profile", "no 'Model::server value changed to:' or 'Opening connection to' line with a host");
		rc = EA_EXIT_NOMATCH;
	}
	if (f->n) {
		printf("# From the Sophos installer log (%s lines).\n# Add under site_hosts: in the site profile.\nsite_hosts:\n  %s:\n",
		       best == 1 ? "Model::server value changed to" : "Opening connection to", MCS_ENTRY);
		for (size_t i = 0; i < f->n; i++)
			if (f->kind[i] == best)
				printf("    - %s\n", f->hosts[i]);
	}
	free(f);
	if (fflush(stdout) != 0)
		return EA_EXIT_ERROR;
	return rc;
}
