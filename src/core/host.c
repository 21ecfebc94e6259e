/* Parse untrusted host names, authorities ("host:port", "[v6]:port") and
 * http(s) URLs into the canonical form the matcher compares. Every function
 * is bounded by the length it is given, allocates nothing and ignores the
 * locale: input comes from ICAP headers, log lines and the command line. */
#include "host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "chars.h"

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -1;
}

static void host_reset(struct ea_host *h)
{
	h->type = EA_HOST_NAME;
	h->len = 0;
	h->name[0] = '\0';
	h->nlabels = 0;
}

/* The reason a byte may not appear in a host name. Spaces, NULs and
 * non-ASCII get their own words because they are what a confused log line
 * or a homograph lookalike most often carries. */
static const char *bad_char_reason(unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return "whitespace in host name";
	if (c == '\0')
		return "NUL byte in host name";
	if (c >= 0x80)
		return "non-ASCII byte in host name";
	return "invalid character in host name";
}

/* Strict dotted quad: exactly four decimal octets 0-255, no leading zeros
 * (inet_aton and some resolvers read "010" as octal 8, so "010.0.0.1" names
 * a different address depending on who reads it; we refuse to guess).
 * The caller has checked that s holds only digits and dots. */
static int parse_ipv4(const char *s, size_t len, struct ea_host *out, const char **why)
{
	size_t i = 0, o = 0;
	unsigned octets = 0;

	for (;;) {
		size_t start = i;
		unsigned v = 0;

		while (i < len && ea_isdigit((unsigned char)s[i])) {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return fail(why, "IPv4 octet greater than 255");
			i++;
		}
		if (i == start)
			return fail(why, "empty IPv4 octet");
		if (i - start > 1 && s[start] == '0')
			return fail(why, "IPv4 octet with a leading zero");
		octets++;
		if (i == len || octets == 4)
			break;
		i++; /* the dot */
	}
	if (octets != 4 || i != len)
		return fail(why, "an IPv4 address needs exactly four octets");
	/* The text is already canonical: digits and dots, at most 15 bytes. */
	for (o = 0; o < len; o++)
		out->name[o] = s[o];
	out->name[len] = '\0';
	out->len = len;
	out->type = EA_HOST_IPV4;
	return 0;
}

/* IPv6 through inet_pton on a bounded, NUL-terminated copy; the canonical
 * text is inet_ntop's (RFC 5952: lower case, longest zero run compressed).
 * Zone ids ("fe80::1%eth0") are refused: they mean nothing off the host. */
static int parse_ipv6(const char *s, size_t len, struct ea_host *out, const char **why)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (len == 0)
		return fail(why, "empty IPv6 address");
	if (len >= sizeof(buf))
		return fail(why, "invalid IPv6 address");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!ea_isxdigit(c) && c != ':' && c != '.')
			return fail(why, c == '%' ? "IPv6 zone ids are not supported"
					: "invalid character in IPv6 address");
		buf[i] = (char)c;
	}
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1)
		return fail(why, "invalid IPv6 address");
	if (!inet_ntop(AF_INET6, &a, out->name, sizeof(out->name)))
		return fail(why, "invalid IPv6 address");
	out->len = strlen(out->name);
	out->type = EA_HOST_IPV6;
	return 0;
}

/* A DNS name without its trailing dot: labels of 1-63 letters, digits, '-'
 * and '_' (underscores appear in real service names; hyphens are accepted
 * anywhere in a label, as resolvers do). */
static int parse_name(const char *s, size_t len, struct ea_host *out, const char **why)
{
	size_t start = 0;

	if (len > EA_HOST_MAX)
		return fail(why, "host name longer than 253 characters");
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (i == start)
				return fail(why, "empty label in host name");
			if (i - start > EA_LABEL_MAX)
				return fail(why, "label longer than 63 characters");
			if (out->nlabels >= EA_LABELS_MAX) /* unreachable within 253 */
				return fail(why, "too many labels in host name");
			out->label_start[out->nlabels++] = (unsigned char)start;
			start = i + 1;
			if (i < len)
				out->name[i] = '.';
			continue;
		}
		if (!ea_isalpha(c) && !ea_isdigit(c) && c != '-' && c != '_')
			return fail(why, bad_char_reason(c));
		out->name[i] = (char)ea_tolower(c);
	}
	out->name[len] = '\0';
	out->len = len;
	out->type = EA_HOST_NAME;
	return 0;
}

static int host_parse(const char *text, size_t len, struct ea_host *out, const char **why)
{
	const char *colon;
	bool dotted_digits = true, any_digit = false;

	if (len == 0)
		return fail(why, "empty host name");
	if (text[0] == '[') {
		if (len < 2 || text[len - 1] != ']')
			return fail(why, "missing ']' after IPv6 address");
		return parse_ipv6(text + 1, len - 2, out, why);
	}
	colon = memchr(text, ':', len);
	if (colon) {
		/* "host:80" handed to a bare-host parser deserves a better word
		 * than "invalid IPv6 address". */
		if (!memchr(colon + 1, ':', len - (size_t)(colon - text) - 1)) {
			for (size_t i = 0; i < len; i++)
				if (text[i] != ':' && !ea_isalpha((unsigned char)text[i]) &&
				    !ea_isdigit((unsigned char)text[i]) && text[i] != '.' &&
				    text[i] != '-' && text[i] != '_')
					return fail(why, bad_char_reason((unsigned char)text[i]));
			return fail(why, "port not allowed in a host name");
		}
		return parse_ipv6(text, len, out, why);
	}
	if (text[len - 1] == '.')
		len--; /* one trailing dot: the fully qualified spelling */
	if (len == 0)
		return fail(why, "empty host name");
	for (size_t i = 0; i < len && dotted_digits; i++) {
		any_digit |= ea_isdigit((unsigned char)text[i]);
		dotted_digits = ea_isdigit((unsigned char)text[i]) || text[i] == '.';
	}
	/* All digits and dots is never a DNS name (no TLD is numeric): it is
	 * an IPv4 address or nothing, never silently a name. */
	if (dotted_digits && any_digit)
		return parse_ipv4(text, len, out, why);
	return parse_name(text, len, out, why);
}

int ea_host_parse(const char *text, size_t len, struct ea_host *out, const char **why)
{
	int rc;

	host_reset(out);
	if (!text && len)
		return fail(why, "no host name");
	rc = host_parse(text, len, out, why);
	if (rc != 0)
		host_reset(out);
	return rc;
}

/* Like ea_port_parse, with the reason. Leading zeros are accepted ("0443"
 * is 443, as in URLs); the value check stops long digit strings early. */
static int port_parse(const char *text, size_t len, const char **why)
{
	unsigned long v = 0;

	if (len == 0)
		return fail(why, "empty port");
	for (size_t i = 0; i < len; i++) {
		if (!ea_isdigit((unsigned char)text[i]))
			return fail(why, "port is not a number");
		v = v * 10 + (unsigned long)(text[i] - '0');
		if (v > 65535)
			return fail(why, "port out of range 1-65535");
	}
	if (v == 0)
		return fail(why, "port out of range 1-65535");
	return (int)v;
}

int ea_port_parse(const char *text, size_t len)
{
	if (!text && len)
		return -1;
	return port_parse(text, len, NULL);
}

/* "host", "host:port", "[v6]", "[v6]:port", or (outside URLs) a bare IPv6
 * literal. default_port is what a URL's scheme implies, -1 otherwise. */
static int authority_parse(const char *s, size_t n, bool in_url, int default_port,
			   struct ea_target *out, const char **why)
{
	const char *host = s, *port = NULL, *colon;
	size_t hlen = n, plen = 0;
	bool has_port = false;
	int rc;

	if (n == 0)
		return fail(why, "empty host name");
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		size_t after;

		if (!rb)
			return fail(why, "missing ']' after IPv6 address");
		hlen = (size_t)(rb - s) + 1;
		after = n - hlen;
		if (after > 0) {
			if (rb[1] != ':')
				return fail(why, "unexpected text after ']'");
			has_port = true;
			port = rb + 2;
			plen = after - 1;
		}
	} else if ((colon = memchr(s, ':', n)) != NULL) {
		size_t at = (size_t)(colon - s);

		if (memchr(colon + 1, ':', n - at - 1)) {
			/* Several colons: a bare IPv6 literal, which cannot
			 * carry a port (that needs brackets). */
			if (in_url)
				return fail(why, "IPv6 address in a URL needs brackets");
		} else {
			hlen = at;
			has_port = true;
			port = colon + 1;
			plen = n - at - 1;
		}
	}
	rc = ea_host_parse(host, hlen, &out->host, why);
	if (rc != 0)
		return rc;
	if (has_port) {
		out->port = port_parse(port, plen, why);
		if (out->port < 0)
			return -1;
	} else {
		out->port = default_port;
	}
	return 0;
}

static bool prefix_ci(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	if (n != l)
		return false;
	for (size_t i = 0; i < l; i++)
		if (ea_tolower((unsigned char)s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

/* An absolute URL: scheme "://" [userinfo "@"] authority [path ? query # fragment]. */
static int url_parse(const char *text, size_t len, size_t scheme_len,
		     struct ea_target *out, const char **why)
{
	const char *a = text + scheme_len + 3;
	size_t n = len - scheme_len - 3, end = 0, start = 0;
	int default_port;

	if (prefix_ci(text, scheme_len, "http"))
		default_port = 80;
	else if (prefix_ci(text, scheme_len, "https"))
		default_port = 443;
	else
		return fail(why, "unsupported URL scheme (only http:// and https://)");
	/* The authority ends where the path, query or fragment begins; a
	 * backslash counts as '/' because browsers treat it so in http(s)
	 * URLs, and "http://evil.test\@vendor.com/" goes to evil.test. */
	while (end < n && a[end] != '/' && a[end] != '?' && a[end] != '#' && a[end] != '\\')
		end++;
	/* Userinfo ends at the last '@': a password may hold an unescaped '@'. */
	for (size_t i = 0; i < end; i++)
		if (a[i] == '@')
			start = i + 1;
	/* Skipped, but not blindly: control bytes, spaces and non-ASCII have no
	 * business in a request line and may hide what the host really is. */
	for (size_t i = 0; i < start; i++)
		if ((unsigned char)a[i] <= ' ' || (unsigned char)a[i] >= 0x7f)
			return fail(why, "invalid character in URL userinfo");
	if (start == end)
		return fail(why, "URL has no host");
	return authority_parse(a + start, end - start, true, default_port, out, why);
}

/* The length of a URL scheme followed by "://", or 0 when text is no URL. */
static size_t scheme_length(const char *text, size_t len)
{
	size_t i = 0;

	if (len == 0 || !ea_isalpha((unsigned char)text[0]))
		return 0;
	while (i < len && (ea_isalpha((unsigned char)text[i]) || ea_isdigit((unsigned char)text[i]) ||
			   text[i] == '+' || text[i] == '-' || text[i] == '.'))
		i++;
	if (len - i >= 3 && text[i] == ':' && text[i + 1] == '/' && text[i + 2] == '/')
		return i;
	return 0;
}

int ea_target_parse(const char *text, size_t len, struct ea_target *out, const char **why)
{
	size_t scheme_len;
	int rc;

	host_reset(&out->host);
	out->port = -1;
	if (!text || len == 0)
		return fail(why, "empty input");
	scheme_len = scheme_length(text, len);
	if (scheme_len)
		rc = url_parse(text, len, scheme_len, out, why);
	else
		rc = authority_parse(text, len, false, -1, out, why);
	if (rc != 0) {
		host_reset(&out->host);
		out->port = -1;
	}
	return rc;
}
