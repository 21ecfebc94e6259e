/* Incremental, idempotent import of Squid access logs into the audit store:
 * each file is known by a hash of its first line (so renaming and gzip do
 * not change it), read from where the last import stopped, and its vendor
 * hits are committed together with the new position. */
#ifndef EA_IMPORT_H
#define EA_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "accesslog.h"
#include "core/match.h"
#include "store/store.h"

/* The counter (store counters table) of lines that could not be read. */
#define EA_COUNTER_LOG_MALFORMED "log_malformed"

/* Called for each malformed line: its file, 1-based line number, why. */
typedef void (*ea_import_report_fn)(void *ctx, const char *path, uint64_t line, const char *why);

struct ea_import_options {
	enum ea_log_format format;
	const struct ea_matcher *matcher;
	size_t chunk_lines;          /* lines per transaction; 0: 5000 */
	ea_import_report_fn report;  /* may be NULL */
	void *ctx;
};

struct ea_import_stats {
	uint64_t lines;      /* complete lines read by this import */
	uint64_t skipped;    /* lines an earlier import already read */
	uint64_t vendor;     /* lines that were requests to vendor hosts */
	uint64_t hits;       /* hits stored (one request may match several entries) */
	uint64_t other;      /* well-formed lines of other hosts, or of none */
	uint64_t peer;       /* ICP/HTCP queries of sibling caches, skipped */
	uint64_t malformed;  /* reported through opt->report */
	bool partial;        /* a last line without newline was left for next time */
	char identity[128];  /* "" when the file has no complete line yet */
};

/* The identity of a log file whose first line is line[0..len): a hash of
 * it, prefixed by its length. */
void ea_import_identity(const char *line, size_t len, char *out, size_t outlen);

/* An importer into the store s (which must outlive it) with a copy of opt.
 * It keeps the last error (ea_import_errmsg). 0, or -1 when out of memory
 * (*out NULL: ea_import_errmsg(NULL) says so). */
struct ea_import;
int ea_import_new(struct ea_store *s, const struct ea_import_options *opt, struct ea_import **out);
void ea_import_free(struct ea_import *imp);
const char *ea_import_errmsg(const struct ea_import *imp);

/* Import one file ("-" is standard input); plain or gzip, told apart by
 * content. Adds to *st. 0, or -1 with the reason in ea_import_errmsg (what
 * was committed before stays committed, and the next import resumes there). */
int ea_import_file(struct ea_import *imp, const char *path, struct ea_import_stats *st);

#endif
