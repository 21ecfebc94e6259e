/* Squid access-log lines: parse one line of the native "squid" format,
 * "common", "combined" or our own "egressaudit" logformat into a record,
 * and classify its outcome with the classes the ICAP module uses. Input is
 * untrusted and bounded by length, never by NUL. See doc/access-log.md. */
#ifndef EA_ACCESSLOG_H
#define EA_ACCESSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "core/host.h"
#include "store/store.h"

/* Longest line accepted, newline excluded: Squid's own logfile daemon
 * reads 64 KiB lines (LOGFILE_BUF_LEN). */
#define EA_LOG_LINE_MAX 65536

/* Plausible request times: Squid did not exist before 1996, and a time past
 * 2100 is a damaged line (a year 6132 was seen in a real log), not a
 * request. Outside [MIN, MAX) the line is malformed. */
#define EA_LOG_TIME_MIN ((time_t)820454400)   /* 1996-01-01 */
#define EA_LOG_TIME_MAX ((time_t)4102444800)  /* 2100-01-01 */

enum ea_log_format {
	EA_LOG_SQUID,       /* Squid's native format (the default logformat) */
	EA_LOG_COMMON,      /* logformat common */
	EA_LOG_COMBINED,    /* logformat combined */
	EA_LOG_EGRESSAUDIT  /* logformat egressaudit, doc/access-log.md */
};

/* "squid", "common", ... */
const char *ea_log_format_name(enum ea_log_format f);
/* 0 and *out set, or -1 for an unknown name. */
int ea_log_format_parse(const char *name, enum ea_log_format *out);

/* One access-log line. Strings are NUL-terminated and truncated to their
 * field; "" where the line said "-" or the format has no such field. */
struct ea_log_record {
	time_t when;               /* request time */
	char client[EA_HIT_CLIENT_MAX];
	char user[EA_HIT_USER_MAX];
	char method[32];
	char result[48];           /* Squid result code: TCP_MISS, TCP_DENIED... */
	int status;                /* HTTP status; 0 for Squid's "000" */
	char hier[32];             /* hierarchy code: HIER_DIRECT, HIER_NONE... */
	bool no_server;            /* the server column (%<a) said "-" */
	bool has_err;              /* the format carries %err_code */
	char err_code[48];         /* ERR_ACCESS_DENIED..., "" for none */
	char err_detail[64];
	char sni[EA_HIT_HOST_MAX]; /* TLS SNI, when Squid knew it */
	bool peer_query;           /* an ICP or HTCP query from a sibling cache */
	bool has_target;           /* false: no host to audit (e.g. error:...) */
	struct ea_target target;
	enum ea_outcome outcome;
};

/* Parse one line (without its newline; a trailing CR is ignored).
 * 0 and *rec filled, or -1 with *why naming what is malformed. A line that
 * is well formed but names no auditable host (Squid's "error:..." URLs,
 * ftp:// ..., a schemeless URI on a method other than CONNECT) returns 0
 * with has_target false; an ICP or HTCP query (not a request to the vendor
 * but a sibling cache asking this one) also sets peer_query. */
int ea_log_parse(enum ea_log_format f, const char *line, size_t len,
		 struct ea_log_record *rec, const char **why);

/* The outcome of a logged request, from Squid's result code (TCP_DENIED),
 * the HTTP status (-1/0 unknown), the hierarchy code (HIER_NONE), whether
 * a server was named (the %<a column; false for "-" or a format without
 * it, where only the hierarchy code can tell) and, when the format has it
 * (has_err), %err_code. The table is in doc/access-log.md. */
enum ea_outcome ea_log_outcome(const char *result, int status, const char *hier,
			       bool no_server, bool has_err, const char *err_code);

#endif
