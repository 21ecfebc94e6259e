/* egressaudit doctor: the configuration files it reads (c-icap.conf and
 * squid.conf, with the files they include) as directive lines, and the
 * verdict lines it prints. */
#ifndef EA_CLI_DOCTOR_H
#define EA_CLI_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

/* One directive: its words, and where it was written. */
struct dr_line {
	const char *file;    /* owned by the dr_conf's file list */
	unsigned lineno;
	size_t argc;
	char **argv;
};

struct dr_conf {
	struct dr_line *lines;
	size_t nlines, lines_cap;
	char **files;        /* every file read, in order */
	size_t nfiles, files_cap;
	char errmsg[EA_ERRMSG_MAX];
};

/* Reads PATH and, in place of each line whose first word is INCLUDE_WORD
 * (case-insensitive), the files it names (shell globs; relative names are
 * taken from PATH's directory). Blank lines and '#' comments are skipped,
 * a trailing backslash continues a line. -1 when PATH or an included file
 * cannot be read, or includes nest too deep: c->errmsg says which and why.
 * dr_conf_free either way. */
int dr_conf_read(struct dr_conf *c, const char *path, const char *include_word);
void dr_conf_free(struct dr_conf *c);

/* ASCII case-insensitive comparisons (directive names), locale-free. */
bool dr_eq(const char *a, const char *b);
bool dr_eqn(const char *a, const char *b, size_t n);

/* The last line whose first word is NAME (case-insensitive), or NULL. */
const struct dr_line *dr_conf_last(const struct dr_conf *c, const char *name);

enum dr_level { DR_OK, DR_WARN, DR_FAIL };

struct dr_report {
	unsigned count[3];
	bool quiet;          /* OK lines not printed */
};

/* "OK    AREA: message", then "      fix: FIX" when FIX is not NULL. */
void dr_say(struct dr_report *r, enum dr_level level, const char *area, const char *fix,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
