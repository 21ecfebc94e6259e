/* Request targets, status lines and outcome classes, as the module and the
 * log importer see them. */
#include <string.h>

#include "core/http_msg.h"
#include "tap.h"

static void target_is(const char *line, const char *host_header, const char *host, int port)
{
	struct ea_target t;
	const char *why = NULL;
	int rc = ea_request_target(line, strlen(line), host_header, 80, &t, &why);

	ok(rc == 0 && strcmp(t.host.name, host) == 0 && t.port == port,
	   "'%s'%s%s gives %s port %d", line, host_header ? " with Host " : "",
	   host_header ? host_header : "", host, port);
	if (rc != 0)
		diag("error: %s", why);
	else if (strcmp(t.host.name, host) != 0 || t.port != port)
		diag("got %s port %d", t.host.name, t.port);
}

static void target_fails(const char *line, const char *host_header, const char *name)
{
	struct ea_target t;
	const char *why = NULL;

	ok(ea_request_target(line, strlen(line), host_header, 80, &t, &why) < 0 && why,
	   "%s is rejected with a reason", name);
}

int main(void)
{
	char method[8];

	target_is("GET http://d1.sophosupd.com/update/x HTTP/1.1", NULL, "d1.sophosupd.com", 80);
	target_is("GET https://guts2.fsapi.com:8443/ HTTP/1.1", NULL, "guts2.fsapi.com", 8443);
	target_is("CONNECT corp-reg.fsapi.com:443 HTTP/1.1", NULL, "corp-reg.fsapi.com", 443);
	target_is("connect [::1]:8443 HTTP/1.1", NULL, "::1", 8443);
	target_is("GET /path HTTP/1.1", "Aspam.FSAPI.com", "aspam.fsapi.com", 80);
	target_is("GET /path HTTP/1.1", "aspam.fsapi.com:8080", "aspam.fsapi.com", 8080);
	target_is("GET http://d1.sophosupd.com/ HTTP/1.1", "other.example", "d1.sophosupd.com", 80);
	target_fails("GET /path HTTP/1.1", NULL, "an origin-form request without Host");
	target_fails("", NULL, "an empty request line");
	target_fails("GET", NULL, "a request line without a URI");
	target_fails("GET http://bad_host!/ HTTP/1.1", NULL, "an invalid host in the URI");
	target_fails("GET ftp://files.example/ HTTP/1.1", NULL, "an ftp URI");
	{
		/* Length bounds the input: no NUL needed, nothing read past it. */
		const char raw[] = "GET http://d1.sophosupd.com/ HTTP/1.1GARBAGE";
		struct ea_target t;
		const char *why;

		ok(ea_request_target(raw, strlen(raw) - 7, NULL, 80, &t, &why) == 0 &&
		   strcmp(t.host.name, "d1.sophosupd.com") == 0, "the line's length bounds what is read");
	}

	ea_request_method("CONNECT a:443 HTTP/1.1", 22, method, sizeof(method));
	is_str(method, "CONNECT", "the method is the first token");
	ea_request_method("VERYLONGMETHOD / HTTP/1.1", 25, method, sizeof(method));
	is_str(method, "VERYLON", "a long method is truncated to the buffer");

	is_int(ea_response_status("HTTP/1.1 403 Forbidden", 22), 403, "a status line gives its code");
	is_int(ea_response_status("HTTP/1.0 200", 12), 200, "a status line without a reason phrase works");
	is_int(ea_response_status("HTTP/1.1 2000 X", 15), -1, "a four-digit status is rejected");
	is_int(ea_response_status("ICAP/1.0 204 No", 15), -1, "a non-HTTP status line is rejected");
	is_int(ea_response_status("HTTP/1.1 0xx", 12), -1, "a non-numeric status is rejected");

	is_int(ea_outcome_classify(200, NULL), EA_OUTCOME_ALLOWED, "200 is allowed");
	is_int(ea_outcome_classify(304, ""), EA_OUTCOME_ALLOWED, "304 is allowed");
	is_int(ea_outcome_classify(404, NULL), EA_OUTCOME_ALLOWED, "an origin's 404 means the endpoint was reached");
	is_int(ea_outcome_classify(500, NULL), EA_OUTCOME_ALLOWED, "an origin's 500 means the endpoint was reached");
	is_int(ea_outcome_classify(403, NULL), EA_OUTCOME_DENIED, "403 is denied");
	is_int(ea_outcome_classify(407, NULL), EA_OUTCOME_DENIED, "407 from an upstream proxy is denied");
	is_int(ea_outcome_classify(403, "ERR_ACCESS_DENIED"), EA_OUTCOME_DENIED, "Squid's access denied is denied");
	is_int(ea_outcome_classify(503, "ERR_DNS_FAIL"), EA_OUTCOME_FAILED, "a DNS failure is failed");
	is_int(ea_outcome_classify(503, "ERR_CONNECT_FAIL"), EA_OUTCOME_FAILED, "a refused connection is failed");
	is_int(ea_outcome_classify(504, "ERR_READ_TIMEOUT"), EA_OUTCOME_FAILED, "a timeout is failed");
	is_int(ea_outcome_classify(502, NULL), EA_OUTCOME_FAILED, "a bare 502 is failed (a gateway's error)");
	is_int(ea_outcome_classify(504, NULL), EA_OUTCOME_FAILED, "a bare 504 is failed");
	is_int(ea_outcome_classify(400, "ERR_INVALID_URL"), EA_OUTCOME_UNKNOWN,
	       "a client's own error says nothing about the endpoint");
	is_int(ea_outcome_classify(200, "ERR_NONE"), EA_OUTCOME_ALLOWED, "ERR_NONE is no error");
	is_int(ea_outcome_classify(200, "-"), EA_OUTCOME_ALLOWED, "'-' (a log's empty field) is no error");
	is_int(ea_outcome_classify(-1, NULL), EA_OUTCOME_UNKNOWN, "no status and no error is unknown");
	return done_testing();
}
