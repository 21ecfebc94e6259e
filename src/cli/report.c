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
	      "  -o, --output FILE     write there instead of standard output (a whole new file, renamed into place)\n"
	      "      --since WHEN      hits from WHEN: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z, @UNIXTIME or N[smhdw] ago\n"
	      "      --until WHEN      hits before WHEN (a date includes that day)\n"
	      "      --as-of DATE      judge valid_until and exception expiry on DATE (default: today)\n"
	      "      --max-source-age DAYS  warn when a vendor's list was updated longer ago (default 365)\n"
	      "      --check           Nagios/Icinga plugin: one status line with perfdata;\n"
	      "                        exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; judges the present:\n"
	      "                        CRITICAL when a required endpoint is refused with nothing allowed since\n"
	      "      --check-window    --check judging the window's totals (CRITICAL when one is blocked in it)\n"
	      "      --colour WHEN     text colours: auto (default: on a terminal, unless NO_COLOR), always, never\n"
	      "      --hosts N         concrete hosts listed per entry and per vendor (default 32; the rest are counted)\n"
	      "exit status: 0 the report was written, 2 an error (with --check: the Nagios codes)\n", out);
}

struct report_args {
	struct cli_paths cats, dbs;
	const char *profile, *format, *output, *since, *until, *as_of, *colour, *hosts;
	long max_source_age;
	bool check, check_window;
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
		{ "check-window", no_argument, NULL, 'W' },
		{ "colour", required_argument, NULL, 'C' },
		{ "max-source-age", required_argument, NULL, 'M' },
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
		case 'W': a->check = a->check_window = true; break;
		case 'C': a->colour = optarg; break;
		case 'H': a->hosts = optarg; break;
		case 'M': {
			char *end;

			a->max_source_age = strtol(optarg, &end, 10);
			if (*end || end == optarg || a->max_source_age <= 0) {
				cli_error("report", "--max-source-age '%s': not a number of days", optarg);
				return -1;
			}
			break;
		}
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

/* The --format names; text, the one with colours, has no plain writer;
 * Prometheus writes one report per database, each series labelled with
 * its proxy (doc/metrics.md). */
static const struct report_format {
	const char *name;
	int (*write)(FILE *out, const struct ea_report *r);
	int (*write_per_proxy)(FILE *out, const struct ea_report *const *rs, size_t n);
} formats[] = {
	{ "text", NULL, NULL },
	{ "csv", ea_report_write_csv, NULL },
	{ "json", ea_report_write_json, NULL },
	{ "html", ea_report_write_html, NULL },
	{ "prometheus", NULL, ea_report_write_prometheus },
};

static const struct report_format *find_format(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(name, formats[i].name) == 0)
			return &formats[i];
	return NULL;
}

/* Vendors change their lists without notice: say so on stderr when the
 * catalogue's copy is old (with --check, in the plugin's long output). */
static void warn_stale_sources(const struct ea_report *r, bool check)
{
	for (size_t v = 0; v < r->cat->nvendors; v++) {
		const struct ea_vendor *vd = r->cat->vendors[v];
		bool stale;
		long age;

		if (!ea_profile_vendor_in_scope(r->profile, vd->id))
			continue;
		age = ea_report_source_age(r, vd, &stale);
		if (stale && !check)
			cli_error("report", "warning: %s (%s): the vendor's list was last updated %s, %ld days "
				  "before %s (more than --max-source-age %ld)", vd->id, vd->file, vd->updated,
				  age, r->as_of, r->max_source_age);
	}
}

static int run(struct report_args *a)
{
	struct ea_report_options opt = { 0 };
	struct ea_catalogue *cat = NULL;
	struct ea_profile *profile = NULL;
	struct ea_report **rs = NULL, *r;
	size_t nreports = 0;
	const struct report_format *format;
	FILE *out = stdout;
	struct cli_output file;
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
	opt.max_source_age = a->max_source_age;
	nreports = format->write_per_proxy && !a->check ? a->dbs.n : 1;
	rs = calloc(nreports, sizeof(*rs));
	if (!rs) {
		cli_error("report", "out of memory");
		rc = fail(a, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nreports; i++)
		if (ea_report_build(cat, &opt, nreports > 1 ? &a->dbs.v[i] : a->dbs.v,
				    nreports > 1 ? 1 : a->dbs.n, &rs[i]) < 0) {
			cli_error("report", "%s", ea_report_errmsg(rs[i]));
			rc = fail(a, "cannot read the audit database");
			goto out;
		}
	r = rs[0];
	warn_stale_sources(r, a->check);
	if (a->check) {
		rc = ea_report_check(stdout, r, a->check_window);
		if (fflush(stdout) != 0)
			rc = NAGIOS_UNKNOWN;
		goto out;
	}
	if (a->output) {
		if (cli_output_open(&file, a->output) < 0) {
			cli_error("report", "cannot write %s: %m", a->output);
			rc = EA_EXIT_ERROR;
			goto out;
		}
		out = file.fp;
	}
	if (format->write_per_proxy)
		rc = format->write_per_proxy(out, (const struct ea_report *const *)rs, nreports);
	else if (format->write)
		rc = format->write(out, r);
	else
		rc = ea_report_write_text(out, r, strcmp(a->colour, "always") == 0 ||
					  (strcmp(a->colour, "auto") == 0 && !getenv("NO_COLOR") &&
					   isatty(fileno(out))));
	if (!a->output && fflush(out) != 0)
		rc = -1;
	else if (a->output && rc < 0)
		cli_output_abort(&file);
	else if (a->output && cli_output_commit(&file) < 0)
		rc = -1;
	if (rc < 0) {
		cli_error("report", "cannot write the report%s%s", a->output ? " to " : "",
			  a->output ? a->output : "");
		rc = EA_EXIT_ERROR;
	}
out:
	for (size_t i = 0; rs && i < nreports; i++)
		ea_report_free(rs[i]);
	free(rs);
	ea_profile_free(profile);
	ea_catalogue_free(cat);
	return rc;
}

int ea_cmd_report(int argc, char **argv)
{
	struct report_args a = { 0 };
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--check") == 0 || strcmp(argv[i], "--check-window") == 0)
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
