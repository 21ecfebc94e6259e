/* Request lines, status lines and outcome classification, shared by the
 * c-icap module and the access-log importer. Input is untrusted and bounded
 * by length, never by NUL. */
#include "http_msg.h"

#include <string.h>

static size_t span_token(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

void ea_request_method(const char *line, size_t len, char *out, size_t outlen)
{
	size_t n = span_token(line, len);

	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, line, n);
	out[n] = '\0';
}

static int ascii_casecmp_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return x - y;
	}
	return 0;
}

int ea_request_target(const char *line, size_t len, const char *host_header,
		      int default_port, struct ea_target *out, const char **why)
{
	size_t mlen = span_token(line, len);
	size_t ustart = skip_blanks(line, len, mlen);
	size_t ulen = span_token(line + ustart, len - ustart);
	const char *uri = line + ustart;

	if (mlen == 0 || ulen == 0) {
		*why = "malformed request line";
		return -1;
	}
	/* CONNECT carries an authority; anything else with one (rare, e.g.
	 * OPTIONS host:port) is read the same way. */
	if (mlen == 7 && ascii_casecmp_n(line, "CONNECT", 7) == 0)
		return ea_target_parse(uri, ulen, out, why);
	if (uri[0] == '/' || (ulen == 1 && uri[0] == '*')) {
		/* Origin form, as in transparent interception: the Host
		 * header is all we have. */
		if (!host_header || !*host_header) {
			*why = "origin-form request without a Host header";
			return -1;
		}
		if (ea_target_parse(host_header, strlen(host_header), out, why) < 0)
			return -1;
		if (out->port < 0)
			out->port = default_port;
		return 0;
	}
	return ea_target_parse(uri, ulen, out, why);
}

int ea_response_status(const char *line, size_t len)
{
	size_t i = span_token(line, len);
	int status = 0;

	if (i < 5 || ascii_casecmp_n(line, "HTTP/", 5) != 0)
		return -1;
	i = skip_blanks(line, len, i);
	if (len - i < 3)
		return -1;
	for (size_t k = 0; k < 3; k++) {
		if (line[i + k] < '0' || line[i + k] > '9')
			return -1;
		status = status * 10 + (line[i + k] - '0');
	}
	if (len - i > 3 && line[i + 3] != ' ' && line[i + 3] != '\t' &&
	    line[i + 3] != '\r' && line[i + 3] != '\n')
		return -1;
	return status >= 100 ? status : -1;
}

/* Squid's error page names (errors/template names, %err_code). */
static const char *const denied_errors[] = {
	"ERR_ACCESS_DENIED", "ERR_CACHE_ACCESS_DENIED", "ERR_CACHE_MGR_ACCESS_DENIED",
	"ERR_FORWARDING_DENIED", "ERR_NO_RELAY", "ERR_TOO_BIG", "ERR_CONFLICT_HOST",
};

static const char *const failed_errors[] = {
	"ERR_DNS_FAIL", "ERR_CONNECT_FAIL", "ERR_READ_TIMEOUT", "ERR_LIFETIME_EXP",
	"ERR_CANNOT_FORWARD", "ERR_GATEWAY_FAILURE", "ERR_ZERO_SIZE_OBJECT",
	"ERR_READ_ERROR", "ERR_WRITE_ERROR", "ERR_SECURE_CONNECT_FAIL", "ERR_SOCKET_FAILURE",
	"ERR_SHUTTING_DOWN", "ERR_ONLY_IF_CACHED_MISS", "ERR_FTP_FAILURE", "ERR_FTP_UNAVAILABLE",
	"ERR_ICAP_FAILURE", "ERR_TOO_MANY_REDIRECTS", "ERR_REQUEST_START_TIMEOUT",
	"ERR_REQUEST_PARSE_TIMEOUT", "ERR_RELAY_REMOTE",
};

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

enum ea_outcome ea_outcome_classify(int status, const char *squid_error)
{
	if (squid_error && *squid_error && strcmp(squid_error, "-") != 0 &&
	    strcmp(squid_error, "ERR_NONE") != 0) {
		if (in_list(squid_error, denied_errors, sizeof(denied_errors) / sizeof(denied_errors[0])))
			return EA_OUTCOME_DENIED;
		if (in_list(squid_error, failed_errors, sizeof(failed_errors) / sizeof(failed_errors[0])))
			return EA_OUTCOME_FAILED;
		/* Another Squid error (invalid request, unsupported method...):
		 * the client's fault, says nothing about the endpoint. */
		return EA_OUTCOME_UNKNOWN;
	}
	if (status < 100)
		return EA_OUTCOME_UNKNOWN;
	if (status == 403 || status == 407)
		return EA_OUTCOME_DENIED;
	if (status == 502 || status == 504)
		return EA_OUTCOME_FAILED;
	return EA_OUTCOME_ALLOWED;
}
