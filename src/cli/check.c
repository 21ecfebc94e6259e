/* egressaudit check: match hosts, host:port, [v6]:port or URLs against the
 * catalogue. Exit like grep: 0 something matched, 1 nothing, 2 an error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/audit.h"
#include "core/host.h"
#include "core/json.h"
#include "core/text.h"
#include "core/match.h"

struct check_run {
	const struct ea_matcher *m;
	bool jsonl;
	bool matched, failed;
	const struct ea_entry **found;
	size_t cap;
};

static void check_usage(FILE *out)
{
	fputs("usage: egressaudit check [-c PATH]... [--format text|jsonl] INPUT...\n"
	      "  INPUT is a host, host:port, [v6]:port or an http:// or https:// URL;\n"
	      "  '-' reads inputs from standard input, one a line (blank lines and # comments skipped)\n"
	      "  -c, --catalogue PATH  a catalogue file or directory (repeatable; default: the installed rules)\n"
	      "  -f, --format FORMAT   text (default) or jsonl (one JSON object per input)\n"
	      "exit status: 0 something matched, 1 nothing matched, 2 an error\n", out);
}

static int port_listed(const struct ea_entry *e, int port)
{
	if (port < 0)
		return -1;
	for (size_t i = 0; i < e->nports; i++)
		if (e->ports[i] == port)
			return 1;
	return 0;
}

static const char *listed_word(int listed)
{
	return listed < 0 ? "no-port" : listed ? "port-listed" : "port-not-listed";
}

static void print_jsonl(const char *input, const struct ea_target *t, const char *err,
			const struct ea_entry *const *found, size_t n,
			const struct ea_vendor *domain_vendor)
{
	struct ea_json j;

	ea_json_begin(&j, stdout);
	ea_json_object(&j);
	ea_json_member_str(&j, "input", input);
	ea_json_member_str(&j, "host", err ? NULL : t->host.name);
	ea_json_key(&j, "port");
	if (!err && t->port > 0)
		ea_json_int(&j, t->port);
	else
		ea_json_null(&j);
	ea_json_key(&j, "matches");
	ea_json_array(&j);
	for (size_t i = 0; i < n; i++) {
		const struct ea_entry *e = found[i];
		int listed = port_listed(e, t->port);

		ea_json_object(&j);
		ea_json_member_str(&j, "id", e->id);
		ea_json_member_str(&j, "vendor", e->vendor->id);
		ea_json_member_str(&j, "product", e->product ? e->product->id : NULL);
		ea_json_member_str(&j, "kind", ea_kind_name(e->kind));
		ea_json_member_str(&j, "pattern", e->pattern);
		ea_json_member_str(&j, "level", ea_level_name(e->level));
		ea_json_member_str(&j, "condition", e->condition ? e->condition->id : NULL);
		ea_json_key(&j, "port_listed");
		if (listed < 0)
			ea_json_null(&j);
		else
			ea_json_bool(&j, listed);
		ea_json_end(&j);
	}
	ea_json_end(&j);
	ea_json_member_str(&j, "vendor_domain", domain_vendor ? domain_vendor->id : NULL);
	if (err)
		ea_json_member_str(&j, "error", err);
	ea_json_end(&j);
	ea_json_finish(&j);
}

static void print_text(const char *input, const struct ea_target *t, const char *err,
		       const struct ea_entry *const *found, size_t n,
		       const struct ea_vendor *domain_vendor)
{
	/* The input is echoed in its canonical form (core/text.h): an ESC
	 * or OSC sequence in a line of input never reaches the terminal. */
	if (err) {
		ea_text_put(stdout, input);
		printf("\terror: %s\n", err);
		return;
	}
	if (n == 0) {
		ea_text_put(stdout, input);
		if (domain_vendor)
			printf("\tuncatalogued\t(under a %s domain, but no entry names it)\n",
			       domain_vendor->id);
		else
			printf("\tno match\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ea_entry *e = found[i];

		ea_text_put(stdout, input);
		printf("\t%s\t%s\t%s\t%s/%s\t%s\t%s\n", e->id, ea_kind_name(e->kind),
		       e->pattern, e->vendor->id, e->product ? e->product->id : "all",
		       ea_level_name(e->level), listed_word(port_listed(e, t->port)));
	}
}

/* len is the input's length: a line read from a stream may hold a NUL,
 * and "d1.sophosupd.com\0.evil.test" must not be taken for its prefix. */
static void check_one(struct check_run *run, const char *input, size_t len)
{
	const struct ea_vendor *domain_vendor = NULL;
	const char *why = NULL;
	struct ea_target t = { 0 };
	size_t n = 0;

	char *shown = NULL;

	if (memchr(input, '\0', len)) {
		/* Shown with each NUL written \0, so the output names the
		 * whole input rather than the host before the NUL. */
		shown = malloc(2 * len + 1);
		if (shown) {
			size_t o = 0;

			for (size_t i = 0; i < len; i++) {
				if (input[i] == '\0') {
					shown[o++] = '\\';
					shown[o++] = '0';
				} else {
					shown[o++] = input[i];
				}
			}
			shown[o] = '\0';
			input = shown;
		}
		why = "a NUL byte in the input";
		run->failed = true;
	} else if (ea_target_parse(input, len, &t, &why) < 0) {
		run->failed = true;
	} else {
		if (ea_matcher_lookup_all(run->m, &t.host, &run->found, &run->cap, &n) < 0) {
			why = "out of memory";
			run->failed = true;
		}
		if (n)
			run->matched = true;
		else if (!why)
			domain_vendor = ea_matcher_vendor_domain(run->m, &t.host);
	}
	if (run->jsonl)
		print_jsonl(input, &t, why, run->found, n, domain_vendor);
	else
		print_text(input, &t, why, run->found, n, domain_vendor);
	free(shown);
}

/* The longest input line: far past any URL Squid takes (8 KiB), and a
 * bound on memory whatever comes down the pipe. */
#define CHECK_LINE_MAX 65536

/* getline() with a bound: a line of more than max bytes is read through
 * and dropped, *toolong set, and "" returned in its place. -1 at EOF. */
static ssize_t read_line(FILE *in, char **line, size_t *cap, size_t max, bool *toolong)
{
	size_t n = 0;
	int c;

	*toolong = false;
	if (!*line && !(*line = malloc(*cap = max + 2)))
		return -1;
	while ((c = getc(in)) != EOF) {
		if (n < max + 1)
			(*line)[n++] = (char)c;
		else
			*toolong = true;
		if (c == '\n')
			break;
	}
	if (c == EOF && n == 0 && !*toolong)
		return -1;
	if (n == max + 1 && (*line)[n - 1] != '\n')
		*toolong = true;
	if (*toolong)
		n = 0;
	(*line)[n] = '\0';
	return (ssize_t)n;
}

static void check_stream(struct check_run *run, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	bool toolong;

	while ((len = read_line(in, &line, &cap, CHECK_LINE_MAX, &toolong)) >= 0) {
		char *s = line;

		lineno++;
		if (toolong) {
			cli_error("check", "standard input:%lu: line longer than %d bytes; skipped",
				  lineno, CHECK_LINE_MAX);
			run->failed = true;
			continue;
		}
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
				   s[len - 1] == ' ' || s[len - 1] == '\t'))
			s[--len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (len == s - line || *s == '#')
			continue;
		check_one(run, s, (size_t)(len - (s - line)));
	}
	free(line);
}

int ea_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_run run = { 0 };
	struct cli_paths paths = { 0 };
	struct ea_matcher *m;
	const char *format = "text";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_paths_add(&paths, optarg); break;
		case 'f': format = optarg; break;
		case 'h': check_usage(stdout); cli_paths_free(&paths); return EA_EXIT_OK;
		default: check_usage(stderr); cli_paths_free(&paths); return EA_EXIT_ERROR;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "jsonl") != 0) {
		cli_error("check", "unknown format '%s' (text or jsonl)", format);
		cli_paths_free(&paths);
		return EA_EXIT_ERROR;
	}
	if (optind == argc) {
		cli_error("check", "name at least one input, or '-' for standard input");
		check_usage(stderr);
		cli_paths_free(&paths);
		return EA_EXIT_ERROR;
	}
	m = cli_load_matcher(&paths, true);
	if (!m)
		return EA_EXIT_ERROR;
	run.m = m;
	run.jsonl = strcmp(format, "jsonl") == 0;
	run.cap = EA_AUDIT_MAX_HITS; /* grows when a host matches more */
	run.found = malloc(run.cap * sizeof(*run.found));
	if (!run.found) {
		cli_error("check", "out of memory");
		run.failed = true;
	}
	for (int i = optind; i < argc && run.found; i++) {
		if (strcmp(argv[i], "-") == 0)
			check_stream(&run, stdin);
		else
			check_one(&run, argv[i], strlen(argv[i]));
	}
	free(run.found);
	ea_matcher_unref(m);
	if (fflush(stdout) != 0) {
		cli_error("check", "cannot write the results");
		return EA_EXIT_ERROR;
	}
	return run.failed ? EA_EXIT_ERROR : run.matched ? EA_EXIT_OK : EA_EXIT_NOMATCH;
}
