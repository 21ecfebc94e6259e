/* egressaudit report: the catalogue's entries in scope against what one or
 * more audit stores saw, in text, CSV, JSON, HTML or Prometheus format, or
 * as a Nagios/Icinga check (--check). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report/profile.h"
#include "report/report.h"

enum { NAGIOS_UNKNOWN = 3 };

static void report_usage(FILE *out)
{
	fputs("usage: egressaudit report [-c PATH]... -d DB... [OPTIONS]\n"
	      "  -c, --catalogue PATH  a catalogue file or directory (repeatable; default: the installed rules)\n"
	      "  -d, --database DB     an audit database (repeatable: one per proxy, merged)\n"
	      "  -p, --profile FILE    the site profile: vendors, products, features, regions, site hosts, exceptions\n"
	      "  -f, --format FORMAT   text (default), csv, json, html or prometheus\n"
	      "  -o, --output FILE     write there instead of standard output\n"
	      "      --since WHEN      hits from WHEN: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z, @UNIXTIME or N[smhdw] ago\n"
	      "      --until WHEN      hits before WHEN (a date includes that day)\n"
	      "      --as-of DATE      judge valid_until and exception expiry on DATE (default: today)\n"
	      "      --check           Nagios/Icinga plugin: one status line with perfdata;\n"
	      "                        exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	      "      --colour WHEN     text colours: auto (default: on a terminal, unless NO_COLOR), always, never\n"
	      "      --hosts N         concrete hosts listed per entry and per vendor (default 32; the rest are counted)\n"
	      "exit status: 0 the report was written, 2 an error (with --check: the Nagios codes)\n", out);
}

struct report_args {
	struct cli_paths cats, dbs;
	const char *profile, *format, *output, *since, *until, *as_of, *colour, *hosts;
	bool check;
};

/* With --check every failure is UNKNOWN and says so on standard output,
 * where the monitoring system reads it. */
static int fail(const struct report_args *a, const char *what)
{
	if (a->check) {
		printf("EGRESSAUDIT UNKNOWN - %s\n", what);
		return NAGIOS_UNKNOWN;
	}
	return EA_EXIT_ERROR;
}

static int parse_args(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "profile", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "check", no_argument, NULL, 'K' },
		{ "colour", required_argument, NULL, 'C' },
		{ "color", required_argument, NULL, 'C' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->format = "text";
	a->colour = "auto";
	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:d:p:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_paths_add(&a->cats, optarg); break;
		case 'd': cli_paths_add(&a->dbs, optarg); break;
		case 'p': a->profile = optarg; break;
		case 'f': a->format = optarg; break;
		case 'o': a->output = optarg; break;
		case 'S': a->since = optarg; break;
		case 'U': a->until = optarg; break;
		case 'A': a->as_of = optarg; break;
		case 'K': a->check = true; break;
		case 'C': a->colour = optarg; break;
		case 'H': a->hosts = optarg; break;
		case 'h': report_usage(stdout); return 1;
		default: report_usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		cli_error("report", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->dbs.n == 0) {
		cli_error("report", "name at least one database with -d");
		return -1;
	}
	if (strcmp(a->colour, "auto") && strcmp(a->colour, "always") && strcmp(a->colour, "never")) {
		cli_error("report", "--colour takes auto, always or never");
		return -1;
	}
	return 0;
}

/* The --format names; text, the one with colours, has no plain writer. */
static const struct report_format {
	const char *name;
	int (*write)(FILE *out, const struct ea_report *r);
} formats[] = {
	{ "text", NULL },
	{ "csv", ea_report_write_csv },
	{ "json", ea_report_write_json },
	{ "html", ea_report_write_html },
	{ "prometheus", ea_report_write_prometheus },
};

static const struct report_format *find_format(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(name, formats[i].name) == 0)
			return &formats[i];
	return NULL;
}

static int run(struct report_args *a)
{
	struct ea_report_options opt = { 0 };
	struct ea_catalogue *cat = NULL;
	struct ea_profile *profile = NULL;
	struct ea_report *r = NULL;
	const struct report_format *format;
	FILE *out = stdout;
	time_t now = time(NULL);
	int rc;

	if (!(format = find_format(a->format))) {
		cli_error("report", "unknown format '%s' (text, csv, json, html or prometheus)", a->format);
		return fail(a, "bad options");
	}
	opt.now = now;
	if (a->since && ea_report_parse_time(a->since, now, false, &opt.since) < 0) {
		cli_error("report", "--since '%s': not a date, time or age like 7d", a->since);
		return fail(a, "bad options");
	}
	if (a->until && ea_report_parse_time(a->until, now, true, &opt.until) < 0) {
		cli_error("report", "--until '%s': not a date, time or age like 7d", a->until);
		return fail(a, "bad options");
	}
	if (a->hosts) {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(a->hosts, &end, 10);
		if (errno || end == a->hosts || *end || n < 1 || n > 100000) {
			cli_error("report", "--hosts '%s': not a number from 1 to 100000", a->hosts);
			return fail(a, "bad options");
		}
		opt.max_hosts = (size_t)n;
	}
	if (a->as_of) {
		time_t t;

		if (strlen(a->as_of) != 10 || ea_report_parse_time(a->as_of, now, false, &t) < 0) {
			cli_error("report", "--as-of '%s': not a date YYYY-MM-DD", a->as_of);
			return fail(a, "bad options");
		}
		opt.as_of = a->as_of;
	}
	cat = cli_load_catalogue(&a->cats, true);
	if (!cat)
		return fail(a, "cannot load the catalogue");
	if (a->profile) {
		struct ea_diags diags;

		ea_diags_init(&diags);
		ea_profile_load(a->profile, cat, &profile, &diags);
		for (size_t i = 0; i < diags.count; i++)
			ea_diag_print(stderr, &diags.items[i]);
		ea_diags_clear(&diags);
		if (!profile) {
			ea_catalogue_free(cat);
			return fail(a, "cannot load the site profile");
		}
	}
	opt.profile = profile;
	if (ea_report_build(cat, &opt, a->dbs.v, a->dbs.n, &r) < 0) {
		cli_error("report", "%s", ea_report_errmsg(r));
		rc = fail(a, "cannot read the audit database");
		goto out;
	}
	if (a->check) {
		rc = ea_report_check(stdout, r);
		if (fflush(stdout) != 0)
			rc = NAGIOS_UNKNOWN;
		goto out;
	}
	if (a->output && !(out = fopen(a->output, "w"))) {
		cli_error("report", "cannot write %s: %m", a->output);
		rc = EA_EXIT_ERROR;
		goto out;
	}
	if (format->write)
		rc = format->write(out, r);
	else
		rc = ea_report_write_text(out, r, strcmp(a->colour, "always") == 0 ||
					  (strcmp(a->colour, "auto") == 0 && !getenv("NO_COLOR") &&
					   isatty(fileno(out))));
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0))
		rc = -1;
	if (rc < 0) {
		cli_error("report", "cannot write the report%s%s", a->output ? " to " : "",
			  a->output ? a->output : "");
		rc = EA_EXIT_ERROR;
	}
out:
	ea_report_free(r);
	ea_profile_free(profile);
	ea_catalogue_free(cat);
	return rc;
}

int ea_cmd_report(int argc, char **argv)
{
	struct report_args a = { 0 };
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--check") == 0)
			a.check = true;
	rc = parse_args(argc, argv, &a);
	if (rc == 0)
		rc = run(&a);
	else
		rc = rc > 0 ? EA_EXIT_OK : fail(&a, "bad options");
	cli_paths_free(&a.cats);
	cli_paths_free(&a.dbs);
	return rc;
}
