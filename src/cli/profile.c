/* egressaudit profile: help write the site profile. `profile sophos-mcs
 * LOG...` reads SophosCloudInstaller.log and prints the site_hosts lines
 * for Sophos's site-specific Management Communication System entry (the
 * catalogue's one site-specific entry of the vendor sophos). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/profile.h"
#include "report/sophos_log.h"

#define MCS_VENDOR "sophos"
#define MAX_HOSTS 64

static void profile_usage(FILE *out)
{
	fputs("usage: egressaudit profile sophos-mcs [-c PATH]... SophosCloudInstaller.log...\n"
	      "  prints the site profile lines naming the Sophos Management Communication\n"
	      "  System host, read from the installer log ('-' reads standard input), for\n"
	      "  the catalogue's site-specific Sophos entry (-c: catalogue files or\n"
	      "  directories, default the installed rules)\n"
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

/* The id of the vendor's one site-specific entry, or NULL after saying why. */
static const char *site_entry(const struct ea_catalogue *cat, const char *vendor)
{
	const char *id = NULL;

	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *e = cat->entries[i];

		if (e->kind != EA_KIND_SITE || strcmp(e->vendor->id, vendor) != 0)
			continue;
		if (id) {
			cli_error("profile", "the catalogue has more than one site-specific %s entry (%s, %s)",
				  vendor, id, e->id);
			return NULL;
		}
		id = e->id;
	}
	if (!id)
		cli_error("profile", "the catalogue has no site-specific %s entry", vendor);
	return id;
}

int ea_cmd_profile(int argc, char **argv)
{
	struct cli_paths paths = { 0 };
	struct ea_catalogue *cat;
	const char *entry;
	struct found *f;
	int best = 3, rc = EA_EXIT_OK, first = 2;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		profile_usage(stdout);
		return EA_EXIT_OK;
	}
	if (argc < 3 || strcmp(argv[1], "sophos-mcs") != 0) {
		profile_usage(stderr);
		return EA_EXIT_ERROR;
	}
	for (; first + 1 < argc && strcmp(argv[first], "-c") == 0; first += 2)
		if (cli_paths_add(&paths, argv[first + 1]) < 0) {
			cli_error("profile", "out of memory");
			cli_paths_free(&paths);
			return EA_EXIT_ERROR;
		}
	if (first == argc) {
		profile_usage(stderr);
		cli_paths_free(&paths);
		return EA_EXIT_ERROR;
	}
	cat = cli_load_catalogue(&paths, true);
	if (!cat)
		return EA_EXIT_ERROR;
	entry = site_entry(cat, MCS_VENDOR);
	f = entry ? calloc(1, sizeof(*f)) : NULL;
	if (!f) {
		if (entry)
			cli_error("profile", "out of memory");
		ea_catalogue_free(cat);
		return EA_EXIT_ERROR;
	}
	for (int i = first; i < argc; i++) {
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
		       best == 1 ? "Model::server value changed to" : "Opening connection to", entry);
		for (size_t i = 0; i < f->n; i++)
			if (f->kind[i] == best)
				printf("    - %s\n", f->hosts[i]);
	}
	free(f);
	ea_catalogue_free(cat);
	if (fflush(stdout) != 0)
		return EA_EXIT_ERROR;
	return rc;
}
