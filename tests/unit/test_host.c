/* Unit tests for src/host.c: canonical host names, IP literals, authorities
 * and URLs, with the malformed and lookalike input the proxy will see. */
#include <string.h>

#include "core/host.h"
#include "tap.h"

/* A host that must parse, with its canonical name and type. */
static void host_ok(const char *in, const char *canon, enum ea_host_type type)
{
	struct ea_host h;
	const char *why = NULL;
	int rc = ea_host_parse(in, strlen(in), &h, &why);

	if (!ok(rc == 0 && strcmp(h.name, canon) == 0 && h.type == type &&
		h.len == strlen(canon),
		"host '%s' is accepted as '%s'", show(in), canon))
		diag("rc %d, name '%s', type %d, why '%s'", rc, h.name, (int)h.type,
		     why ? why : "");
}

/* A host that must be refused, with the reason given. */
static void host_bad_len(const char *in, size_t len, const char *want_why, const char *what)
{
	struct ea_host h;
	const char *why = NULL;
	int rc = ea_host_parse(in, len, &h, &why);

	ok(rc == -1 && h.len == 0 && h.name[0] == '\0', "%s is refused", what);
	is_str(why, want_why, "%s is refused because of '%s'", what, want_why);
}

static void host_bad(const char *in, const char *want_why)
{
	char what[600];

	snprintf(what, sizeof(what), "host '%s'", show(in));
	host_bad_len(in, strlen(in), want_why, what);
}

static void target_ok(const char *in, const char *host, int port)
{
	struct ea_target t;
	const char *why = NULL;
	int rc = ea_target_parse(in, strlen(in), &t, &why);

	if (!ok(rc == 0 && strcmp(t.host.name, host) == 0 && t.port == port,
		"input '%s' is host '%s' port %d", show(in), host, port))
		diag("rc %d, host '%s', port %d, why '%s'", rc, t.host.name, t.port,
		     why ? why : "");
}

static void target_bad(const char *in, const char *want_why)
{
	struct ea_target t;
	const char *why = NULL;
	int rc = ea_target_parse(in, strlen(in), &t, &why);

	ok(rc == -1 && t.port == -1 && t.host.len == 0, "input '%s' is refused", show(in));
	is_str(why, want_why, "input '%s' is refused because of '%s'", show(in), want_why);
}

static void test_names(void)
{
	struct ea_host h;
	const char *why = NULL;

	host_ok("sophos.com", "sophos.com", EA_HOST_NAME);
	host_ok("SoPhOs.CoM", "sophos.com", EA_HOST_NAME);
	host_ok("sophos.com.", "sophos.com", EA_HOST_NAME);
	host_ok("D1.SophosUpd.COM.", "d1.sophosupd.com", EA_HOST_NAME);
	host_ok("localhost", "localhost", EA_HOST_NAME);
	host_ok("_ldap._tcp.example.com", "_ldap._tcp.example.com", EA_HOST_NAME);
	host_ok("xn--bcher-kva.example", "xn--bcher-kva.example", EA_HOST_NAME);
	host_ok("-edge-.example.com", "-edge-.example.com", EA_HOST_NAME);
	host_ok("a.123", "a.123", EA_HOST_NAME);
	host_ok("1.2.3.4a", "1.2.3.4a", EA_HOST_NAME);
	host_ok("0x7f.0.0.1", "0x7f.0.0.1", EA_HOST_NAME);

	ok(ea_host_parse("A.b.CC.", 7, &h, &why) == 0 && h.nlabels == 3 &&
	   h.label_start[0] == 0 && h.label_start[1] == 2 && h.label_start[2] == 4,
	   "labels are counted and their starts recorded");
	ok(ea_host_parse("sophos.com.evil.test", 20, &h, &why) == 0 && h.nlabels == 4 &&
	   h.label_start[3] == 16, "a four-label name records four label starts");

	/* Length-bounded: bytes after len are never read or taken. */
	ok(ea_host_parse("sophos.com.evil.test", 10, &h, &why) == 0 &&
	   strcmp(h.name, "sophos.com") == 0, "only len bytes of the text are parsed");
	ok(ea_host_parse("sophos.com.", 11, &h, &why) == 0 && h.len == 10,
	   "the length excludes the dropped trailing dot");

	host_bad("", "empty host name");
	host_bad(".", "empty host name");
	host_bad("sophos.com..", "empty label in host name");
	host_bad("..", "empty label in host name");
	host_bad(".sophos.com", "empty label in host name");
	host_bad("sophos..com", "empty label in host name");
	host_bad("sophos com", "whitespace in host name");
	host_bad(" sophos.com", "whitespace in host name");
	host_bad("sophos.com ", "whitespace in host name");
	host_bad("sophos.com\r", "whitespace in host name");
	host_bad("sophos.com\t", "whitespace in host name");
	host_bad("s\xc3\xb6phos.com", "non-ASCII byte in host name");
	host_bad("sophos.com\xff", "non-ASCII byte in host name");
	host_bad("soph*s.com", "invalid character in host name");
	host_bad("*.sophos.com", "invalid character in host name");
	host_bad("sophos.com/", "invalid character in host name");
	host_bad("user@sophos.com", "invalid character in host name");
	host_bad("sophos%2ecom", "invalid character in host name");
	host_bad("sophos.com:443", "port not allowed in a host name");
	host_bad("sophos com:443", "whitespace in host name");
	host_bad_len("sophos.com\0.evil.test", 21, "NUL byte in host name",
		     "a NUL byte inside the length");
	host_bad_len("sophos\0", 7, "NUL byte in host name", "a trailing NUL byte inside the length");
	ok(ea_host_parse(NULL, 0, &h, &why) == -1, "a NULL text of length 0 is refused");
}

static void test_lengths(void)
{
	char buf[300];
	struct ea_host h;
	const char *why = NULL;
	size_t n;

	/* A label of 63 is the maximum, 64 is too long. */
	memset(buf, 'a', 63);
	memcpy(buf + 63, ".com", 5);
	ok(ea_host_parse(buf, strlen(buf), &h, &why) == 0 && h.len == 67,
	   "a label of 63 characters is accepted");
	memset(buf, 'a', 64);
	memcpy(buf + 64, ".com", 5);
	host_bad_len(buf, strlen(buf), "label longer than 63 characters", "a label of 64 characters");
	memcpy(buf, "x.", 2);
	memset(buf + 2, 'b', 64);
	buf[66] = '\0';
	host_bad_len(buf, strlen(buf), "label longer than 63 characters",
		     "a last label of 64 characters");

	/* 253 characters: four labels of 63, 61 and three dots. */
	n = 0;
	for (int i = 0; i < 4; i++) {
		size_t l = i < 3 ? 63 : 61;

		memset(buf + n, 'a' + i, l);
		n += l;
		if (i < 3)
			buf[n++] = '.';
	}
	buf[n] = '\0';
	ok(n == 253 && ea_host_parse(buf, n, &h, &why) == 0 && h.len == 253 &&
	   h.nlabels == 4 && h.label_start[3] == 192, "a host of 253 characters is accepted");
	buf[n] = '.';
	buf[n + 1] = '\0';
	ok(ea_host_parse(buf, n + 1, &h, &why) == 0 && h.len == 253,
	   "a host of 253 characters with a trailing dot is accepted");
	buf[n] = 'e';
	host_bad_len(buf, n + 1, "host name longer than 253 characters", "a host of 254 characters");
	buf[n + 1] = '.';
	host_bad_len(buf, n + 2, "host name longer than 253 characters",
		     "a host of 254 characters with a trailing dot");

	/* The most labels 253 characters can hold: 127 single letters. */
	for (n = 0; n < 253; n++)
		buf[n] = n % 2 ? '.' : 'z';
	ok(ea_host_parse(buf, 253, &h, &why) == 0 && h.nlabels == EA_LABELS_MAX &&
	   h.label_start[126] == 252, "a host of 127 one-letter labels is accepted");
}

static void test_ip_literals(void)
{
	struct ea_host h;
	const char *why = NULL;

	host_ok("1.2.3.4", "1.2.3.4", EA_HOST_IPV4);
	host_ok("0.0.0.0", "0.0.0.0", EA_HOST_IPV4);
	host_ok("255.255.255.255", "255.255.255.255", EA_HOST_IPV4);
	host_ok("10.0.0.1.", "10.0.0.1", EA_HOST_IPV4);
	ok(ea_host_parse("1.2.3.4", 7, &h, &why) == 0 && h.nlabels == 0,
	   "an IPv4 literal has no labels");
	host_bad("256.1.1.1", "IPv4 octet greater than 255");
	host_bad("1.2.3.256", "IPv4 octet greater than 255");
	host_bad("1.2.3.99999999999999999999", "IPv4 octet greater than 255");
	host_bad("1.2.3", "an IPv4 address needs exactly four octets");
	host_bad("1.2.3.4.5", "an IPv4 address needs exactly four octets");
	host_bad("1", "an IPv4 address needs exactly four octets");
	host_bad("1234", "IPv4 octet greater than 255");
	host_bad("1..2.3", "empty IPv4 octet");
	host_bad("1.2.3.4..", "an IPv4 address needs exactly four octets");
	host_bad(".1.2.3.4", "empty IPv4 octet");
	host_bad("01.2.3.4", "IPv4 octet with a leading zero");
	host_bad("1.2.3.00", "IPv4 octet with a leading zero");

	host_ok("::1", "::1", EA_HOST_IPV6);
	host_ok("[::1]", "::1", EA_HOST_IPV6);
	host_ok("2001:DB8:0:0:0:0:0:1", "2001:db8::1", EA_HOST_IPV6);
	host_ok("[2001:db8::A]", "2001:db8::a", EA_HOST_IPV6);
	host_ok("::ffff:1.2.3.4", "::ffff:1.2.3.4", EA_HOST_IPV6);
	host_ok("FFFF:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", EA_HOST_IPV6);
	ok(ea_host_parse("::1", 3, &h, &why) == 0 && h.nlabels == 0,
	   "an IPv6 literal has no labels");
	host_bad("[::1", "missing ']' after IPv6 address");
	host_bad("[", "missing ']' after IPv6 address");
	host_bad("[]", "empty IPv6 address");
	host_bad("[1.2.3.4]", "invalid IPv6 address");
	host_bad("[sophos.com]", "invalid character in IPv6 address");
	host_bad("1:2:3:4:5:6:7:8:9", "invalid IPv6 address");
	host_bad("2001:db8:::1", "invalid IPv6 address");
	host_bad("fe80::1%eth0", "IPv6 zone ids are not supported");
	host_bad("::1 ", "invalid character in IPv6 address");
	host_bad("0000:0000:0000:0000:0000:0000:0000:0000:0000", "invalid IPv6 address");
	host_bad_len("::1\0", 4, "invalid character in IPv6 address", "an IPv6 literal with a NUL byte");
}

static void test_ports(void)
{
	is_int(ea_port_parse("1", 1), 1, "port 1 is the smallest");
	is_int(ea_port_parse("443", 3), 443, "port 443 parses");
	is_int(ea_port_parse("65535", 5), 65535, "port 65535 is the largest");
	is_int(ea_port_parse("0443", 4), 443, "a port with a leading zero is accepted");
	is_int(ea_port_parse("4431", 3), 443, "a port is read only up to len");
	is_int(ea_port_parse("", 0), -1, "an empty port is refused");
	is_int(ea_port_parse("0", 1), -1, "port 0 is refused");
	is_int(ea_port_parse("00000", 5), -1, "a port of only zeros is refused");
	is_int(ea_port_parse("65536", 5), -1, "port 65536 is refused");
	is_int(ea_port_parse("99999999999999999999999", 23), -1, "a huge port is refused without overflow");
	is_int(ea_port_parse("+80", 3), -1, "a port with a sign is refused");
	is_int(ea_port_parse("-1", 2), -1, "a negative port is refused");
	is_int(ea_port_parse("80 ", 3), -1, "a port with a trailing space is refused");
	is_int(ea_port_parse("8a", 2), -1, "a port with a letter is refused");
	is_int(ea_port_parse("8\0", 2), -1, "a port with a NUL byte is refused");
	is_int(ea_port_parse(NULL, 0), -1, "a NULL port is refused");
}

static void test_targets(void)
{
	struct ea_target t;
	const char *why;

	target_ok("sophos.com", "sophos.com", -1);
	target_ok("SOPHOS.com.", "sophos.com", -1);
	target_ok("sophos.com:443", "sophos.com", 443);
	target_ok("sophos.com.:8443", "sophos.com", 8443);
	target_ok("1.2.3.4:80", "1.2.3.4", 80);
	target_ok("1.2.3.4", "1.2.3.4", -1);
	target_ok("[::1]:8080", "::1", 8080);
	target_ok("[::1]", "::1", -1);
	target_ok("::1", "::1", -1);
	target_ok("2001:db8::1:443", "2001:db8::1:443", -1);

	target_ok("http://sophos.com", "sophos.com", 80);
	target_ok("https://sophos.com", "sophos.com", 443);
	target_ok("https://sophos.com/", "sophos.com", 443);
	target_ok("HTTPS://D1.SophosUpd.com/x", "d1.sophosupd.com", 443);
	target_ok("HtTp://sophos.com", "sophos.com", 80);
	target_ok("https://sophos.com:8443/path", "sophos.com", 8443);
	target_ok("http://sophos.com:443", "sophos.com", 443);
	target_ok("https://user:pw@sophos.com:8443/p?q=1#f", "sophos.com", 8443);
	target_ok("https://user@sophos.com", "sophos.com", 443);
	target_ok("https://u:p@ss@sophos.com/", "sophos.com", 443);
	target_ok("https://@sophos.com", "sophos.com", 443);
	target_ok("https://sophos.com?q=a/b", "sophos.com", 443);
	target_ok("https://sophos.com#frag", "sophos.com", 443);
	target_ok("https://sophos.com./", "sophos.com", 443);
	target_ok("http://sophos.com/a@evil.test", "sophos.com", 80);
	target_ok("https://evil.test\\@sophos.com/", "evil.test", 443);
	target_ok("https://evil.test?@sophos.com/", "evil.test", 443);
	target_ok("https://evil.test#@sophos.com/", "evil.test", 443);
	target_ok("https://[2001:db8::1]/", "2001:db8::1", 443);
	target_ok("http://[::1]:8080/x", "::1", 8080);
	target_ok("http://1.2.3.4/", "1.2.3.4", 80);

	target_bad("", "empty input");
	target_bad("sophos.com:", "empty port");
	target_bad("sophos.com:0", "port out of range 1-65535");
	target_bad("sophos.com:65536", "port out of range 1-65535");
	target_bad("sophos.com:44x", "port is not a number");
	target_bad("sophos.com: 443", "port is not a number");
	target_bad(":443", "empty host name");
	target_bad("[::1]:", "empty port");
	target_bad("[::1]:0", "port out of range 1-65535");
	target_bad("[::1]x", "unexpected text after ']'");
	target_bad("[::1", "missing ']' after IPv6 address");
	target_bad("[sophos.com]:443", "invalid character in IPv6 address");
	target_bad("ftp://sophos.com/", "unsupported URL scheme (only http:// and https://)");
	target_bad("httpx://sophos.com/", "unsupported URL scheme (only http:// and https://)");
	target_bad("https://", "URL has no host");
	target_bad("https:///path", "URL has no host");
	target_bad("https://user@/", "URL has no host");
	target_bad("https://sophos.com:/", "empty port");
	target_bad("https://sophos.com:0/", "port out of range 1-65535");
	target_bad("https://sophos.com:65536/", "port out of range 1-65535");
	target_bad("https://::1/", "IPv6 address in a URL needs brackets");
	target_bad("https://sophos .com/", "whitespace in host name");
	target_bad("https://s\xc3\xb6phos.com/", "non-ASCII byte in host name");
	target_bad("sophos.com/path", "invalid character in host name");
	target_bad("http:/sophos.com", "port is not a number");
	target_bad(" sophos.com", "whitespace in host name");
	target_bad("sophos.com\n", "whitespace in host name");
	target_bad("https://us er@sophos.com/", "invalid character in URL userinfo");
	target_bad("https://\xc3\xa4@sophos.com/", "invalid character in URL userinfo");
	target_bad("1.2.3:80", "an IPv4 address needs exactly four octets");
	target_bad("256.1.1.1:80", "IPv4 octet greater than 255");

	why = NULL;
	ok(ea_target_parse("https://sophos.com\0.evil.test/", 30, &t, &why) == -1 &&
	   why && strcmp(why, "NUL byte in host name") == 0,
	   "a URL with a NUL byte inside the length is refused");
	why = NULL;
	ok(ea_target_parse("https://u\0@sophos.com/", 22, &t, &why) == -1 &&
	   why && strcmp(why, "invalid character in URL userinfo") == 0,
	   "a URL with a NUL byte in its userinfo is refused");
	ok(ea_target_parse("sophos.com:4431", 14, &t, &why) == 0 && t.port == 443,
	   "a target is read only up to len");
	ok(ea_target_parse(NULL, 0, &t, &why) == -1, "a NULL target is refused");
	ok(ea_target_parse("sophos.com", 10, &t, NULL) == 0 &&
	   ea_target_parse("sophos.com:", 11, &t, NULL) == -1,
	   "the reason pointer may be NULL");
}

int main(void)
{
	test_names();
	test_lengths();
	test_ip_literals();
	test_ports();
	test_targets();
	return done_testing();
}
