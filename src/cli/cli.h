/* Shared by the egressaudit subcommands: option helpers and catalogue
 * loading with diagnostics printed to stderr. Each subcommand is one file. */
#ifndef EA_CLI_H
#define EA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/catalogue.h"

/* Exit codes shared by every subcommand. */
enum { EA_EXIT_OK = 0, EA_EXIT_NOMATCH = 1, EA_EXIT_ERROR = 2 };

struct cli_paths {
	const char **v;
	size_t n, cap;
};

int cli_paths_add(struct cli_paths *p, const char *path);
void cli_paths_free(struct cli_paths *p);

/* Load the -c paths (or the installed rules when none was given), printing
 * errors, and warnings unless quiet; the paths are freed, being of no use
 * afterwards. NULL when the catalogue has errors. */
struct ea_catalogue *cli_load_catalogue(struct cli_paths *p, bool quiet);

/* The same through ea_audit_load: a matcher that owns the catalogue
 * (ea_matcher_unref frees both); NULL after printing why. */
struct ea_matcher *cli_load_matcher(struct cli_paths *p, bool quiet);

/* An output file replaced whole: written as a temporary file in the same
 * directory and renamed over PATH on commit, so a reader (node_exporter's
 * textfile collector, a web server) sees the old file or the new one. */
struct cli_output {
	FILE *fp;
	char *path;
	char *tmp;
};

/* 0, or -1 with errno set. */
int cli_output_open(struct cli_output *o, const char *path);
/* Flushes, syncs and renames; -1 with errno set (the temporary file is gone). */
int cli_output_commit(struct cli_output *o);
/* Drops the temporary file. */
void cli_output_abort(struct cli_output *o);

struct ea_json;
/* A key and an array of ports, inside the caller's object. */
void cli_json_ports(struct ea_json *j, const char *key, const uint16_t *v, size_t n);
/* An entry's members from "kind" to "no_wildcard" (pattern, ports, level,
 * condition, region, validity, flags), inside the caller's object: the same
 * names and order in `catalog` and `catalog diff`. */
void cli_json_entry_rule(struct ea_json *j, const struct ea_entry *e);

/* Prints "egressaudit CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int ea_cmd_lint(int argc, char **argv);
int ea_cmd_catalog(int argc, char **argv);
int ea_cmd_catalog_diff(int argc, char **argv); /* catalog diff */
int ea_cmd_check(int argc, char **argv);
int ea_cmd_import(int argc, char **argv);
int ea_cmd_report(int argc, char **argv);
int ea_cmd_squid_acl(int argc, char **argv);
int ea_cmd_profile(int argc, char **argv);
int ea_cmd_doctor(int argc, char **argv);


#endif
