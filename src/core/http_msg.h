/* What a proxied request tells us, whoever saw it (the ICAP module or the
 * access-log importer): its target from the request line or Host header,
 * and its outcome from the response status and Squid's error name. */
#ifndef EA_HTTP_MSG_H
#define EA_HTTP_MSG_H

#include <stddef.h>
#include "host.h"
#include "hit.h"

/* The target of an HTTP request line "METHOD URI VERSION": an absolute
 * http(s) URI, a CONNECT authority (host:port), or an origin-form path
 * ("/x"), in which case the Host header (may be NULL) names the host and
 * default_port applies. Returns 0, or -1 with *why. */
int ea_request_target(const char *line, size_t len, const char *host_header,
		      int default_port, struct ea_target *out, const char **why);

/* The method of a request line, copied into out (NUL-terminated). */
void ea_request_method(const char *line, size_t len, char *out, size_t outlen);

/* The status code of an HTTP status line "HTTP/1.1 403 Forbidden", or -1. */
int ea_response_status(const char *line, size_t len);

/* Classify what happened to a request:
 *   squid_error: the name Squid puts in X-Squid-Error or %err_code
 *                ("ERR_ACCESS_DENIED"), or NULL/"" when none;
 *   status:      the HTTP status, or -1 when unknown.
 * denied:  refused by this proxy or an upstream one (403, 407, Squid's
 *          access-denied errors);
 * failed:  the proxy could not reach the endpoint (DNS, connect, timeout,
 *          proxy-generated 5xx: Squid errors and 502/504);
 * allowed: any other response: the endpoint was reached, even if it
 *          answered with an error of its own;
 * unknown: no status and no error. */
enum ea_outcome ea_outcome_classify(int status, const char *squid_error);

#endif
