/* Access-log lines as Squid 5.7 wrote them (tests/e2e/FINDINGS.md) in each
 * format, their outcomes, and lines that must be refused with a reason. */
#include <stdlib.h>
#include <string.h>

#include "import/accesslog.h"
#include "tap.h"

static struct ea_log_record rec;
static const char *why;

static int parse(enum ea_log_format f, const char *line)
{
	why = NULL;
	return ea_log_parse(f, line, strlen(line), &rec, &why);
}

/* A line parses, names host:port and has the outcome. */
static void expect(enum ea_log_format f, const char *line, const char *host, int port,
		   enum ea_outcome o, const char *what)
{
	int rc = parse(f, line);

	if (!ok(rc == 0 && rec.has_target && strcmp(rec.target.host.name, host) == 0 &&
		rec.target.port == port && rec.outcome == o, "%s", what)) {
		diag("rc %d why %s target %d %s:%d outcome %s (want %s:%d %s)", rc, why ? why : "-",
		     rec.has_target, rec.target.host.name, rec.target.port,
		     ea_outcome_name(rec.outcome), host, port, ea_outcome_name(o));
	}
}

static void malformed(enum ea_log_format f, const char *line, size_t len, const char *what)
{
	why = NULL;
	if (!ok(ea_log_parse(f, line, len, &rec, &why) < 0 && why && *why, "%s", what))
		diag("parsed, outcome %s", ea_outcome_name(rec.outcome));
	else
		diag("reason: %s", why);
}

static void native(void)
{
	expect(EA_LOG_SQUID, "1700000000.123      3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test:46711/ok - HIER_DIRECT/127.0.0.1 text/plain",
	       "vendor.test", 46711, EA_OUTCOME_ALLOWED, "squid: an allowed GET is allowed, with the URL's host and port");
	is_int(rec.when, 1700000000, "squid: the time is the whole seconds of %%ts.%%03tu");
	is_str(rec.client, "127.0.0.1", "squid: the client is %%>a");
	is_str(rec.user, "", "squid: a user '-' is none");
	is_str(rec.method, "GET", "squid: the method is kept");
	is_str(rec.result, "TCP_MISS", "squid: the result code is kept");
	is_str(rec.hier, "HIER_DIRECT", "squid: the hierarchy code is kept");
	ok(!rec.has_err, "squid: the native format has no %%err_code");

	expect(EA_LOG_SQUID, "1700000001.456      0 127.0.0.1 TCP_DENIED/403 3915 GET http://blocked.vendor.test:46711/nope - HIER_NONE/- text/html",
	       "blocked.vendor.test", 46711, EA_OUTCOME_DENIED, "squid: a GET denied by http_access is denied");
	expect(EA_LOG_SQUID, "1700000001.456      0 127.0.0.1 TCP_DENIED/403 3915 CONNECT blocked.vendor.test:443 - HIER_NONE/- text/html",
	       "blocked.vendor.test", 443, EA_OUTCOME_DENIED, "squid: a CONNECT denied by http_access is denied, port from the authority");
	expect(EA_LOG_SQUID, "1700000001.456      0 127.0.0.1 TCP_DENIED/407 4012 GET http://vendor.test/ - HIER_NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_DENIED, "squid: 407 (no proxy credentials) is denied, an http URL without port is port 80");
	expect(EA_LOG_SQUID, "1700000002.000    120 127.0.0.1 TCP_TUNNEL/200 2158 CONNECT tls.vendor.test:33229 - HIER_DIRECT/127.0.0.1 -",
	       "tls.vendor.test", 33229, EA_OUTCOME_ALLOWED, "squid: a CONNECT tunnel is allowed");
	expect(EA_LOG_SQUID, "1700000003.000      1 127.0.0.1 TCP_MISS/503 3526 GET http://refused.vendor.test:40000/ - HIER_DIRECT/127.0.0.1 text/html",
	       "refused.vendor.test", 40000, EA_OUTCOME_FAILED, "squid: a GET to a refusing port (TCP_MISS/503) is failed");
	expect(EA_LOG_SQUID, "1700000003.000      1 127.0.0.1 NONE_NONE/503 0 CONNECT refused.vendor.test:40000 - HIER_DIRECT/127.0.0.1 -",
	       "refused.vendor.test", 40000, EA_OUTCOME_FAILED, "squid: a CONNECT to a refusing port (NONE_NONE/503) is failed");
	expect(EA_LOG_SQUID, "1700000004.000   1001 127.0.0.1 TCP_MISS/502 3498 GET http://does-not-exist.vendor.test/ - HIER_NONE/- text/html",
	       "does-not-exist.vendor.test", 80, EA_OUTCOME_FAILED, "squid: an unresolvable name (TCP_MISS/502 HIER_NONE, Squid bug 5294) is failed");
	expect(EA_LOG_SQUID, "1700000004.000   1001 127.0.0.1 NONE_NONE/500 0 CONNECT nx2.vendor.test:443 - HIER_NONE/- -",
	       "nx2.vendor.test", 443, EA_OUTCOME_FAILED, "squid: an unresolvable CONNECT (NONE_NONE/500 HIER_NONE) is failed");
	expect(EA_LOG_SQUID, "1700000005.000      2 127.0.0.1 TCP_MISS/404 120 GET http://vendor.test:46711/missing - HIER_DIRECT/127.0.0.1 text/plain",
	       "vendor.test", 46711, EA_OUTCOME_ALLOWED, "squid: an origin's own 404 is allowed (the endpoint was reached)");
	expect(EA_LOG_SQUID, "1700000005.000      2 127.0.0.1 TCP_MISS/403 120 GET http://vendor.test:46711/forbidden - HIER_DIRECT/127.0.0.1 text/plain",
	       "vendor.test", 46711, EA_OUTCOME_DENIED, "squid: a 403 from upstream is denied, as the module classifies it");
	expect(EA_LOG_SQUID, "1700000005.000      0 127.0.0.1 TCP_MEM_HIT/200 120 GET http://vendor.test/cached - HIER_NONE/- text/plain",
	       "vendor.test", 80, EA_OUTCOME_ALLOWED, "squid: a cache hit (HIER_NONE, 200) is allowed");
	expect(EA_LOG_SQUID, "1700000005.000      0 127.0.0.1 TCP_REDIRECT/302 120 GET http://vendor.test/x - HIER_NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_DENIED, "squid: a URL rewriter's redirect (TCP_REDIRECT) is denied");
	expect(EA_LOG_SQUID, "1700000005.000      9 127.0.0.1 TCP_MISS_ABORTED/000 0 GET http://vendor.test/x - HIER_DIRECT/127.0.0.1 -",
	       "vendor.test", 80, EA_OUTCOME_UNKNOWN, "squid: a request the client abandoned before any reply (000) is unknown");
	expect(EA_LOG_SQUID, "1700000005.000      9 127.0.0.1 TCP_MISS/200 10 GET http://vendor.test/x EXAMPLE\\\\alice%20b HIER_DIRECT/127.0.0.1 - [extra mime headers]",
	       "vendor.test", 80, EA_OUTCOME_ALLOWED, "squid: fields after %%mt (log_mime_hdrs) are ignored");
	is_str(rec.user, "EXAMPLE\\alice b", "squid: the user is unescaped (%%XX and a doubled backslash)");

	ok(parse(EA_LOG_SQUID, "1700000006.000      0 127.0.0.1 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -") == 0 &&
	   !rec.has_target, "squid: Squid's error: pseudo-URL is a valid line that names no host");
	ok(parse(EA_LOG_SQUID, "1700000006.000      0 127.0.0.1 TCP_MISS/200 0 GET ftp://vendor.test/file - HIER_DIRECT/127.0.0.1 -") == 0 &&
	   !rec.has_target, "squid: a URL scheme other than http(s) is valid but names no host");
	expect(EA_LOG_SQUID, "1700000000.123      3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test:46711/ok - HIER_DIRECT/127.0.0.1 text/plain\r",
	       "vendor.test", 46711, EA_OUTCOME_ALLOWED, "squid: a CRLF line end is accepted");
}

static void clf(void)
{
	expect(EA_LOG_COMMON, "127.0.0.1 - alice [13/Nov/2023:10:00:00 +0100] \"GET http://vendor.test:8080/ok HTTP/1.1\" 200 123 TCP_MISS:HIER_DIRECT",
	       "vendor.test", 8080, EA_OUTCOME_ALLOWED, "common: an allowed GET is allowed");
	is_int(rec.when, 1699866000, "common: %%tl is read with its UTC offset");
	is_str(rec.user, "alice", "common: the user is %%un");
	is_str(rec.method, "GET", "common: the method comes from the quoted request");
	expect(EA_LOG_COMMON, "127.0.0.1 - - [13/Nov/2023:10:00:00 -0000] \"CONNECT blocked.vendor.test:443 HTTP/1.1\" 403 3915 TCP_DENIED:HIER_NONE",
	       "blocked.vendor.test", 443, EA_OUTCOME_DENIED, "common: a denied CONNECT is denied");
	expect(EA_LOG_COMMON, "127.0.0.1 - - [13/Nov/2023:10:00:00 +0000] \"GET http://does-not-exist.vendor.test/ HTTP/1.1\" 502 3498 TCP_MISS:HIER_NONE",
	       "does-not-exist.vendor.test", 80, EA_OUTCOME_FAILED, "common: a DNS failure (502 HIER_NONE) is failed");
	expect(EA_LOG_COMBINED, "127.0.0.1 - - [13/Nov/2023:10:00:00 +0000] \"CONNECT tls.vendor.test:443 HTTP/1.1\" 200 2158 \"-\" \"curl/7.88.1\" TCP_TUNNEL:HIER_DIRECT",
	       "tls.vendor.test", 443, EA_OUTCOME_ALLOWED, "combined: a tunnel is allowed");
	expect(EA_LOG_COMBINED, "127.0.0.1 - - [13/Nov/2023:10:00:00 +0000] \"GET http://vendor.test/ HTTP/1.1\" 503 10 \"http://x.test/a b\" \"Mozilla/5.0 (X11; Linux)\" TCP_MISS:HIER_DIRECT",
	       "vendor.test", 80, EA_OUTCOME_FAILED, "combined: blanks inside the quoted User-Agent do not shift the last field");
	malformed(EA_LOG_COMMON, "127.0.0.1 - - [13/Foo/2023:10:00:00 +0000] \"GET http://vendor.test/ HTTP/1.1\" 200 10 TCP_MISS:HIER_DIRECT",
		  strlen("127.0.0.1 - - [13/Foo/2023:10:00:00 +0000] \"GET http://vendor.test/ HTTP/1.1\" 200 10 TCP_MISS:HIER_DIRECT"),
		  "common: an unknown month is malformed");
	malformed(EA_LOG_COMBINED, "127.0.0.1 - - [13/Nov/2023:10:00:00 +0000] \"GET http://vendor.test/ HTTP/1.1\" 200 10 TCP_MISS:HIER_DIRECT",
		  strlen("127.0.0.1 - - [13/Nov/2023:10:00:00 +0000] \"GET http://vendor.test/ HTTP/1.1\" 200 10 TCP_MISS:HIER_DIRECT"),
		  "combined: a common line (no referer and user agent) is malformed");
}

static void egressaudit(void)
{
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 alice%20smith GET vendor.test 46711 TCP_MISS/200 HIER_DIRECT/127.0.0.1 - - -",
	       "vendor.test", 46711, EA_OUTCOME_ALLOWED, "egressaudit: an allowed GET is allowed, host and port from %%>rd %%>rP");
	is_str(rec.user, "alice smith", "egressaudit: the URL-encoded user is decoded");
	ok(rec.has_err && rec.err_code[0] == '\0', "egressaudit: %%err_code '-' is no error");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - GET vendor.test 46711 TCP_MISS/200 HIER_DIRECT/127.0.0.1 ERR_ICAP_FAILURE ICAP_XACT_START -",
	       "vendor.test", 46711, EA_OUTCOME_ALLOWED, "egressaudit: a bypassed ICAP failure on a 200 is still allowed");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - GET vendor.test 46711 TCP_MISS/503 HIER_DIRECT/127.0.0.1 - -",
	       "vendor.test", 46711, EA_OUTCOME_ALLOWED, "egressaudit: an origin's own 503 (no Squid error) is allowed, without the optional SNI column");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - GET refused.vendor.test 40000 TCP_MISS/503 HIER_DIRECT/127.0.0.1 ERR_CONNECT_FAIL WITH_SERVER -",
	       "refused.vendor.test", 40000, EA_OUTCOME_FAILED, "egressaudit: ERR_CONNECT_FAIL is failed");
	is_str(rec.err_detail, "WITH_SERVER", "egressaudit: %%err_detail is kept");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - GET does-not-exist.vendor.test 80 TCP_MISS/502 HIER_NONE/- ERR_READ_ERROR WITH_SERVER -",
	       "does-not-exist.vendor.test", 80, EA_OUTCOME_FAILED, "egressaudit: Squid 5.7's DNS failure (ERR_READ_ERROR) is failed");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - GET x.vendor.test 80 TCP_MISS/503 HIER_NONE/- ERR_DNS_FAIL - -",
	       "x.vendor.test", 80, EA_OUTCOME_FAILED, "egressaudit: ERR_DNS_FAIL (other Squid versions) is failed");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - CONNECT blocked.vendor.test 443 TCP_DENIED/403 HIER_NONE/- ERR_ACCESS_DENIED - -",
	       "blocked.vendor.test", 443, EA_OUTCOME_DENIED, "egressaudit: ERR_ACCESS_DENIED is denied");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - CONNECT 192.0.2.10 443 TCP_TUNNEL/200 HIER_DIRECT/192.0.2.10 - - tls.vendor.test",
	       "tls.vendor.test", 443, EA_OUTCOME_ALLOWED, "egressaudit: a CONNECT to an address is audited by its SNI");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 ::1 - CONNECT [2001:db8::1] 443 TCP_TUNNEL/200 HIER_DIRECT/2001:db8::1 - - -",
	       "2001:db8::1", 443, EA_OUTCOME_ALLOWED, "egressaudit: a bracketed IPv6 %%>rd is an address");
	ok(parse(EA_LOG_EGRESSAUDIT, "ea1 1700000006.000 127.0.0.1 - - - - NONE_NONE/000 HIER_NONE/- ERR_INVALID_REQ - -") == 0 &&
	   !rec.has_target && rec.outcome == EA_OUTCOME_UNKNOWN, "egressaudit: an invalid request is valid, names no host, unknown");
	malformed(EA_LOG_EGRESSAUDIT, "1700000000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain",
		  strlen("1700000000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain"),
		  "egressaudit: a line of another format is malformed");
	malformed(EA_LOG_EGRESSAUDIT, "ea1 1700000000.123 127.0.0.1 - GET vendor.test 80 TCP_MISS/200 HIER_DIRECT/1.2.3.4 err_lower - -",
		  strlen("ea1 1700000000.123 127.0.0.1 - GET vendor.test 80 TCP_MISS/200 HIER_DIRECT/1.2.3.4 err_lower - -"),
		  "egressaudit: an error code that is not ERR_... is malformed");
}

static void broken(void)
{
	static const char nul[] = "1700000000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/\0 - HIER_DIRECT/127.0.0.1 text/plain";
	static const char truncated[] = "1700000000.123      3 127.0.0.1 TCP_MISS/2";
	char *longline;

	malformed(EA_LOG_SQUID, "", 0, "an empty line is malformed");
	malformed(EA_LOG_SQUID, "   \t ", 5, "a blank line is malformed");
	malformed(EA_LOG_SQUID, truncated, strlen(truncated), "a truncated line is malformed");
	malformed(EA_LOG_SQUID, nul, sizeof(nul) - 1, "a line with a NUL byte is malformed, even when the rest would parse");
	malformed(EA_LOG_SQUID, "\x89PNG\x01\x02\x03 garbage \xff\xfe", strlen("\x89PNG\x01\x02\x03 garbage \xff\xfe"), "binary garbage is malformed");
	malformed(EA_LOG_SQUID, "17000x0000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain", strlen("17000x0000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain"),
		  "a bad time is malformed");
	malformed(EA_LOG_SQUID, "1700000000.123 3 127.0.0.1 TCP_MISS/2x0 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain", strlen("1700000000.123 3 127.0.0.1 TCP_MISS/2x0 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain"),
		  "a bad status is malformed");
	malformed(EA_LOG_SQUID, "1700000000.123 3 127.0.0.1 tcp_miss/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain", strlen("1700000000.123 3 127.0.0.1 tcp_miss/200 245 GET http://vendor.test/ - HIER_DIRECT/127.0.0.1 text/plain"),
		  "a result code in lower case is malformed");
	malformed(EA_LOG_SQUID, "1700000000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - DIRECT text/plain", strlen("1700000000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/ - DIRECT text/plain"),
		  "a hierarchy field without '/' is malformed");

	longline = malloc(EA_LOG_LINE_MAX + 200);
	if (longline) {
		size_t n = (size_t)snprintf(longline, 200, "1700000000.123 3 127.0.0.1 TCP_MISS/200 245 GET http://vendor.test/");

		memset(longline + n, 'a', EA_LOG_LINE_MAX + 100 - n);
		memcpy(longline + EA_LOG_LINE_MAX + 100, " - HIER_DIRECT/1.2.3.4 -", 24);
		malformed(EA_LOG_SQUID, longline, EA_LOG_LINE_MAX + 124, "a line longer than EA_LOG_LINE_MAX is malformed");
		free(longline);
	}
}

/* Real line shapes of Squid 2.5 to 6 (public logs) that the outcome rules
 * once got wrong: Squid's own refusals must never read as allowed. */
static void squid_refusals(void)
{
	expect(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 NONE_NONE/409 4112 CONNECT d1.sophosupd.com:443 - HIER_NONE/- text/html",
	       "d1.sophosupd.com", 443, EA_OUTCOME_DENIED, "squid: the host-header forgery refusal (NONE_NONE/409, ERR_CONFLICT_HOST) is denied");
	expect(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 NONE/400 3950 GET http://vendor.test/x - NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_UNKNOWN, "squid <= 3.0: a 400 Squid made itself (NONE/400, NONE/-) is unknown, not allowed");
	expect(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 TCP_MISS/404 3950 GET http://vendor.test/x - HIER_NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_UNKNOWN, "squid: a 404 without a server (HIER_NONE/-) is unknown, not allowed");
	expect(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 TCP_MISS/409 3950 GET http://vendor.test/x - HIER_DIRECT/- text/html",
	       "vendor.test", 80, EA_OUTCOME_DENIED, "squid: a 409 with no server address (HIER_DIRECT/-) is denied");
	expect(EA_LOG_SQUID, "1718870400.123     12 10.1.2.3 TCP_MISS/404 3950 GET http://vendor.test/x - HIER_DIRECT/192.0.2.7 text/html",
	       "vendor.test", 80, EA_OUTCOME_ALLOWED, "squid: an origin's own 404 (a server reached) is still allowed");
	expect(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 TCP_NEGATIVE_HIT/404 3950 GET http://vendor.test/x - HIER_NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_ALLOWED, "squid: a cached 404 (TCP_NEGATIVE_HIT, HIER_NONE) replays the origin: allowed");
	expect(EA_LOG_SQUID, "1100000000.123     10 10.1.2.3 TCP_MISS/500 1200 GET http://vendor.test/x - NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_FAILED, "squid <= 3.0: TCP_MISS/500 with NONE/- is failed, like HIER_NONE/-");
	expect(EA_LOG_SQUID, "1100000000.123     10 10.1.2.3 TCP_MISS/500 1200 GET http://vendor.test/x - HIER_NONE/- text/html",
	       "vendor.test", 80, EA_OUTCOME_FAILED, "squid: TCP_MISS/500 with HIER_NONE/- is failed");
	expect(EA_LOG_COMMON, "10.1.2.3 - - [18/Jun/2024:10:00:00 +0000] \"CONNECT d1.sophosupd.com:443 HTTP/1.1\" 409 4112 NONE_NONE:HIER_NONE",
	       "d1.sophosupd.com", 443, EA_OUTCOME_DENIED, "common: NONE_NONE/409 is denied");
	expect(EA_LOG_EGRESSAUDIT, "ea1 1718870400.123 10.1.2.3 - CONNECT d1.sophosupd.com 443 NONE_NONE/409 HIER_NONE/- - - -",
	       "d1.sophosupd.com", 443, EA_OUTCOME_DENIED, "egressaudit: NONE_NONE/409 without %%err_code is denied");

	ok(parse(EA_LOG_SQUID, "1718870400.123      0 10.1.2.9 UDP_MISS/000 80 ICP_QUERY http://d1.sophosupd.com/update/x - HIER_NONE/- -") == 0 &&
	   rec.peer_query && !rec.has_target, "squid: an ICP query from a sibling is a peer query, not a request to the vendor");
	ok(parse(EA_LOG_SQUID, "1718870400.123      0 10.1.2.9 UDP_HIT/000 0 HTCP_TST http://d1.sophosupd.com/update/x - HIER_NONE/- -") == 0 &&
	   rec.peer_query && !rec.has_target, "squid: an HTCP query (HTCP_TST) is a peer query too");
	ok(parse(EA_LOG_SQUID, "1718870400.123      3 10.1.2.3 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain") == 0 &&
	   !rec.peer_query, "squid: a client's GET is no peer query");
	ok(parse(EA_LOG_SQUID, "1100000000.123      0 10.1.2.3 TCP_DENIED/400 1452 GET ahmet - NONE/- text/html") == 0 &&
	   !rec.has_target && rec.outcome == EA_OUTCOME_DENIED,
	   "squid 2.5: a schemeless URI on GET (TCP_DENIED/400 GET ahmet) names no host");
	ok(parse(EA_LOG_SQUID, "1100000000.123      0 10.1.2.3 NONE/400 1452 GET vendor.test - NONE/- text/html") == 0 &&
	   !rec.has_target, "squid: a schemeless vendor-looking URI on GET is still no host");
	expect(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 TCP_TUNNEL/200 4112 CONNECT vendor.test:443 - HIER_DIRECT/192.0.2.7 -",
	       "vendor.test", 443, EA_OUTCOME_ALLOWED, "squid: CONNECT's authority form still names its host");

	malformed(EA_LOG_SQUID, "130841500800.000      0 10.1.2.3 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain",
		  strlen("130841500800.000      0 10.1.2.3 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain"),
		  "a time in the year 6132 is malformed");
	malformed(EA_LOG_SQUID, "0.000      0 10.1.2.3 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain",
		  strlen("0.000      0 10.1.2.3 TCP_MISS/200 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain"),
		  "a time in 1970 is malformed");
	malformed(EA_LOG_COMMON, "10.1.2.3 - - [01/Jan/1970:00:00:10 +0000] \"GET http://vendor.test/ HTTP/1.1\" 200 245 TCP_MISS:HIER_DIRECT",
		  strlen("10.1.2.3 - - [01/Jan/1970:00:00:10 +0000] \"GET http://vendor.test/ HTTP/1.1\" 200 245 TCP_MISS:HIER_DIRECT"),
		  "common: a date in 1970 is malformed");
	malformed(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 TCP_MISS/999 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain",
		  strlen("1718870400.123      0 10.1.2.3 TCP_MISS/999 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain"),
		  "a status of 999 is malformed");
	malformed(EA_LOG_SQUID, "1718870400.123      0 10.1.2.3 TCP_MISS/042 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain",
		  strlen("1718870400.123      0 10.1.2.3 TCP_MISS/042 245 GET http://vendor.test/ - HIER_DIRECT/192.0.2.7 text/plain"),
		  "a status of 042 is malformed (000 is Squid's no-reply, others are not statuses)");
}

static void outcomes(void)
{
	is_str(ea_outcome_name(ea_log_outcome("TCP_DENIED_REPLY", 403, "HIER_DIRECT", false, false, NULL)), "denied",
	       "TCP_DENIED_REPLY (http_reply_access) is denied");
	is_str(ea_outcome_name(ea_log_outcome("TCP_DENIED", 302, "HIER_NONE", false, true, "ERR_ACCESS_DENIED")), "denied",
	       "a deny_info redirect (TCP_DENIED/302) is denied, not allowed by its 3xx");
	is_str(ea_outcome_name(ea_log_outcome("TCP_MISS", 504, "HIER_DIRECT", false, false, NULL)), "failed",
	       "504 without an error code is failed");
	is_str(ea_outcome_name(ea_log_outcome("TCP_MISS", 500, "HIER_DIRECT", false, false, NULL)), "allowed",
	       "an origin's 500 is allowed when nothing says Squid made it");
	is_str(ea_outcome_name(ea_log_outcome("TCP_MISS", 500, "HIER_DIRECT", false, true, "ERR_ICAP_FAILURE")), "failed",
	       "a 500 with ERR_ICAP_FAILURE (ICAP without bypass) is failed");
	is_str(ea_outcome_name(ea_log_outcome("TCP_MISS", 400, "HIER_NONE", false, true, "ERR_INVALID_URL")), "unknown",
	       "a client's invalid request says nothing about the endpoint: unknown");
	is_str(ea_outcome_name(ea_log_outcome("TCP_MISS", 504, "HIER_DIRECT", false, true, "ERR_READ_TIMEOUT")), "failed",
	       "ERR_READ_TIMEOUT is failed");
	is_str(ea_outcome_name(ea_log_outcome("TCP_TUNNEL", 200, "HIER_DIRECT", false, true, "ERR_ICAP_FAILURE")), "allowed",
	       "TCP_TUNNEL/200 is allowed whatever %%err_code says");
	is_str(ea_log_format_name(EA_LOG_COMBINED), "combined", "format names round-trip");
	{
		enum ea_log_format f;

		ok(ea_log_format_parse("egressaudit", &f) == 0 && f == EA_LOG_EGRESSAUDIT &&
		   ea_log_format_parse("apache", &f) < 0, "format names parse, and an unknown one is refused");
	}
}

int main(void)
{
	native();
	clf();
	egressaudit();
	broken();
	squid_refusals();
	outcomes();
	return done_testing();
}
