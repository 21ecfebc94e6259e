/* egressaudit import: read Squid access logs (plain, .gz or standard input)
 * into the audit store, idempotently and incrementally; a summary per file
 * on stderr. Exit 0 when every file was read, 2 when one could not be. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "import/import.h"
#include "core/match.h"
#include "store/store.h"

struct import_cli {
	unsigned long max_reports;
	uint64_t reported;
};

static void import_usage(FILE *out)
{
	fputs("usage: egressaudit import [-c PATH]... -d DB [--format FORMAT] FILE...\n"
	      "  FILE is a Squid access log, plain or gzip-compressed; '-' reads standard input\n"
	      "  -c, --catalogue PATH   a catalogue file or directory (repeatable; default: the installed rules)\n"
	      "  -d, --database DB      the audit database (created if missing)\n"
	      "  -f, --format FORMAT    squid (default), common, combined or egressaudit\n"
	      "      --max-reports N    print at most N malformed lines (default 100; all are counted)\n"
	      "  -q, --quiet            no per-file summary\n"
	      "Importing a file again, or a rotated copy of it, adds only lines not imported before.\n"
	      "exit status: 0 every file was read, 2 an error\n", out);
}

static void report_malformed(void *ctx, const char *path, uint64_t line, const char *why)
{
	struct import_cli *ic = ctx;

	if (ic->reported++ < ic->max_reports)
		fprintf(stderr, "%s:%" PRIu64 ": malformed line: %s\n", path, line, why);
	else if (ic->reported == ic->max_reports + 1)
		fprintf(stderr, "egressaudit import: more malformed lines not shown (--max-reports %lu); the summary counts them all\n",
			ic->max_reports);
}

/* ICP/HTCP lines are said only when there were some: most proxies have no
 * sibling caches. */
static const char *peer_note(uint64_t n)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%" PRIu64 " ICP/HTCP queries of peer caches skipped", n);
	return buf;
}

static void print_summary(const char *name, const struct ea_import_stats *st)
{
	fprintf(stderr, "egressaudit import: %s: %" PRIu64 " lines read, %" PRIu64 " vendor requests (%" PRIu64
		" hits stored), %" PRIu64 " other, %" PRIu64 " malformed, %" PRIu64 " skipped as already imported%s%s%s\n",
		name, st->lines, st->vendor, st->hits, st->other, st->malformed, st->skipped,
		st->peer ? ", " : "", st->peer ? peer_note(st->peer) : "",
		st->partial ? "; an unfinished last line is left for the next import" : "");
}

static void add_stats(struct ea_import_stats *sum, const struct ea_import_stats *st)
{
	sum->lines += st->lines;
	sum->skipped += st->skipped;
	sum->vendor += st->vendor;
	sum->hits += st->hits;
	sum->other += st->other;
	sum->peer += st->peer;
	sum->malformed += st->malformed;
}

int ea_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-reports", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_cli ic = { .max_reports = 100 };
	struct ea_import_options opt = { .format = EA_LOG_SQUID, .report = report_malformed, .ctx = &ic };
	struct ea_import_stats total = { 0 };
	struct cli_paths paths = { 0 };
	struct ea_matcher *m;
	struct ea_store *s;
	struct ea_import *imp;
	const char *db = NULL;
	bool quiet = false, failed = false;
	char *end;
	int c, nfiles;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:d:f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_paths_add(&paths, optarg); break;
		case 'd': db = optarg; break;
		case 'f':
			if (ea_log_format_parse(optarg, &opt.format) < 0) {
				cli_error("import", "unknown format '%s' (squid, common, combined or egressaudit)", optarg);
				cli_paths_free(&paths);
				return EA_EXIT_ERROR;
			}
			break;
		case 'm':
			ic.max_reports = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0') {
				cli_error("import", "--max-reports wants a number, not '%s'", optarg);
				cli_paths_free(&paths);
				return EA_EXIT_ERROR;
			}
			break;
		case 'q': quiet = true; break;
		case 'h': import_usage(stdout); cli_paths_free(&paths); return EA_EXIT_OK;
		default: import_usage(stderr); cli_paths_free(&paths); return EA_EXIT_ERROR;
		}
	}
	if (!db || optind == argc) {
		cli_error("import", !db ? "name the database with -d DB" : "name at least one log file, or '-' for standard input");
		import_usage(stderr);
		cli_paths_free(&paths);
		return EA_EXIT_ERROR;
	}
	m = cli_load_matcher(&paths, true);
	if (!m)
		return EA_EXIT_ERROR;
	if (ea_store_open(db, NULL, &s) != EA_STORE_OK) {
		cli_error("import", "%s", ea_store_errmsg(s));
		ea_store_close(s);
		ea_matcher_unref(m);
		return EA_EXIT_ERROR;
	}
	opt.matcher = m;
	if (ea_import_new(s, &opt, &imp) < 0) {
		cli_error("import", "%s", ea_import_errmsg(imp));
		ea_store_close(s);
		ea_matcher_unref(m);
		return EA_EXIT_ERROR;
	}
	nfiles = argc - optind;
	for (int i = optind; i < argc; i++) {
		const char *name = strcmp(argv[i], "-") == 0 ? "(standard input)" : argv[i];
		struct ea_import_stats st = { 0 };

		if (ea_import_file(imp, argv[i], &st) < 0) {
			cli_error("import", "%s: %s", name, ea_import_errmsg(imp));
			failed = true;
		}
		/* Bound the hosts of the buckets this file filled (doc/store.md). */
		if (ea_store_compact(s, time(NULL), NULL) != 0) {
			cli_error("import", "%s", ea_store_errmsg(s));
			failed = true;
		}
		add_stats(&total, &st);
		if (!quiet)
			print_summary(name, &st);
	}
	if (!quiet && nfiles > 1)
		print_summary("total", &total);
	ea_import_free(imp);
	ea_store_close(s);
	ea_matcher_unref(m);
	return failed ? EA_EXIT_ERROR : EA_EXIT_OK;
}
