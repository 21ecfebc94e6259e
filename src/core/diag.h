/* Diagnostics: errors and warnings with a FILE:LINE:COLUMN position, collected
 * by the catalogue and profile loaders and printed by the caller (the core
 * never prints). The list is the loader's error object: its first error is
 * also kept as the message of the error convention (ea_diags_errmsg). */
#ifndef EA_DIAG_H
#define EA_DIAG_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include "util.h"

enum ea_severity { EA_ERROR, EA_WARNING };

struct ea_diag {
	enum ea_severity severity;
	char *file;            /* may be NULL when no file is involved */
	unsigned line, column; /* 1-based; 0 when unknown */
	char *code;            /* short warning code, e.g. "third-party-wildcard"; NULL for errors */
	char *message;
	char *waived;          /* for a warning the catalogue waives: the file's reason */
};

struct ea_diags {
	struct ea_diag *items;
	size_t count, capacity;
	size_t errors, warnings; /* warnings not waived */
	char errmsg[EA_ERRMSG_MAX]; /* the first error, as ea_diag_print writes it */
};

void ea_diags_init(struct ea_diags *d);
void ea_diags_clear(struct ea_diags *d);

/* Add an error or warning; returns -1 only when out of memory. */
int ea_diag_add(struct ea_diags *d, enum ea_severity sev, const char *file,
		unsigned line, unsigned column, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* GCC style: "FILE:LINE:COL: error: message" (warnings end with "[code]"). */
void ea_diag_print(FILE *out, const struct ea_diag *dg);
/* The same line without its newline, malloc'd (NULL when out of memory),
 * for callers that log rather than print. */
char *ea_diag_line(const struct ea_diag *dg);

/* The first error added ("" when none): why a load failed. */
const char *ea_diags_errmsg(const struct ea_diags *d);

#endif
