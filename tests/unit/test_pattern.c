/* Unit tests for src/pattern.c: pattern validation with columns, canonical
 * text, and the reference match semantics against lookalike hosts. */
#include <string.h>

#include "core/pattern.h"
#include "tap.h"

static void pattern_ok(const char *in, const char *canon_want, enum ea_kind kind_want)
{
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind = EA_KIND_REGEX;
	const char *why = NULL;
	size_t col = 0;
	int rc = ea_pattern_parse(in, strlen(in), canon, &kind, &why, &col);

	if (!ok(rc == 0 && strcmp(canon, canon_want) == 0 && kind == kind_want,
		"pattern '%s' is a valid %s pattern '%s'", show(in), ea_kind_name(kind_want),
		canon_want))
		diag("rc %d, canon '%s', kind %s, why '%s' at %zu", rc, canon,
		     ea_kind_name(kind), why ? why : "", col);
}

static void pattern_bad_len(const char *in, size_t len, const char *want_why, size_t want_col,
			    const char *what)
{
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind;
	const char *why = NULL;
	size_t col = 999;
	int rc = ea_pattern_parse(in, len, canon, &kind, &why, &col);

	if (!ok(rc == -1 && why && strcmp(why, want_why) == 0 && col == want_col &&
		canon[0] == '\0',
		"%s is refused at column %zu: %s", what, want_col, want_why))
		diag("rc %d, why '%s' at column %zu", rc, why ? why : "(null)", col);
}

static void pattern_bad(const char *in, const char *want_why, size_t want_col)
{
	char what[1300];

	snprintf(what, sizeof(what), "pattern '%s'", show(in));
	pattern_bad_len(in, strlen(in), want_why, want_col, what);
}

/* Parse both sides as the catalogue and the proxy would, then match. */
static int matches(const char *pattern, const char *host)
{
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind;
	const char *why;
	size_t col;
	struct ea_host h;

	if (ea_pattern_parse(pattern, strlen(pattern), canon, &kind, &why, &col) != 0) {
		diag("pattern '%s' did not parse: %s", pattern, why);
		return -1;
	}
	if (ea_host_parse(host, strlen(host), &h, &why) != 0) {
		diag("host '%s' did not parse: %s", host, why);
		return -1;
	}
	return ea_pattern_match(canon, kind, &h);
}

static void match_yes(const char *pattern, const char *host)
{
	ok(matches(pattern, host) == 1, "'%s' matches '%s'", show(pattern), show(host));
}

static void match_no(const char *pattern, const char *host)
{
	ok(matches(pattern, host) == 0, "'%s' does not match '%s'", show(pattern), show(host));
}

static void test_kind_names(void)
{
	is_str(ea_kind_name(EA_KIND_EXACT), "exact", "the exact kind is named 'exact'");
	is_str(ea_kind_name(EA_KIND_GLOB), "glob", "the glob kind is named 'glob'");
	is_str(ea_kind_name(EA_KIND_WILDCARD), "wildcard", "the wildcard kind is named 'wildcard'");
	is_str(ea_kind_name(EA_KIND_REGEX), "regex", "the regex kind is named 'regex'");
	is_str(ea_kind_name(EA_KIND_SITE), "site", "the site kind is named 'site'");
	is_str(ea_kind_name((enum ea_kind)42), "unknown", "an out-of-range kind is named 'unknown'");
}

static void test_valid(void)
{
	char canon[EA_HOST_MAX + 3];
	enum ea_kind kind;
	const char *why;
	size_t col;

	pattern_ok("sophos.com", "sophos.com", EA_KIND_EXACT);
	pattern_ok("SOPHOS.Com", "sophos.com", EA_KIND_EXACT);
	pattern_ok("sophos.com.", "sophos.com", EA_KIND_EXACT);
	pattern_ok("localhost", "localhost", EA_KIND_EXACT);
	pattern_ok("_srv._tcp.example.com", "_srv._tcp.example.com", EA_KIND_EXACT);
	pattern_ok("*.sophosupd.com", "*.sophosupd.com", EA_KIND_WILDCARD);
	pattern_ok("*.SophosUpd.COM.", "*.sophosupd.com", EA_KIND_WILDCARD);
	pattern_ok("*.a.b.c.d", "*.a.b.c.d", EA_KIND_WILDCARD);
	pattern_ok("tf-presigned-url-eu-west-1-prod-*-bucket.s3.eu-west-1.amazonaws.com",
		   "tf-presigned-url-eu-west-1-prod-*-bucket.s3.eu-west-1.amazonaws.com",
		   EA_KIND_GLOB);
	pattern_ok("A*B*C.example.com", "a*b*c.example.com", EA_KIND_GLOB);
	pattern_ok("*x.example.com", "*x.example.com", EA_KIND_GLOB);
	pattern_ok("x*.example.com", "x*.example.com", EA_KIND_GLOB);
	pattern_ok("d*.sophos*.com", "d*.sophos*.com", EA_KIND_GLOB);
	pattern_ok("*a*a*a*a*b.example.com", "*a*a*a*a*b.example.com", EA_KIND_GLOB);
	pattern_ok("1.2.3.example", "1.2.3.example", EA_KIND_EXACT);
	pattern_ok("*.1.2", "*.1.2", EA_KIND_WILDCARD);

	ok(ea_pattern_parse("sophos.com.evil", 10, canon, &kind, &why, &col) == 0 &&
	   strcmp(canon, "sophos.com") == 0, "a pattern is read only up to len");
	ok(ea_pattern_parse("a.b", 3, canon, NULL, NULL, NULL) == 0 &&
	   ea_pattern_parse("a..b", 4, canon, NULL, NULL, NULL) == -1,
	   "the kind, reason and column pointers may be NULL");
}

static void test_errors(void)
{
	char buf[300];
	size_t n;

	pattern_bad("", "empty pattern", 0);
	pattern_bad(".", "empty pattern", 0);
	pattern_bad("* .sophos.com", "whitespace in pattern", 1);
	pattern_bad("*.sophos .com", "whitespace in pattern", 8);
	pattern_bad(" sophos.com", "whitespace in pattern", 0);
	pattern_bad("sophos.com ", "whitespace in pattern", 10);
	pattern_bad("sophos.com\t", "whitespace in pattern", 10);
	pattern_bad("..", "empty label in pattern", 0);
	pattern_bad(".sophos.com", "empty label in pattern", 0);
	pattern_bad("sophos..com", "empty label in pattern", 7);
	pattern_bad("sophos.com..", "empty label in pattern", 11);
	pattern_bad("*..sophos.com", "empty label in pattern", 2);
	pattern_bad("**.sophos.com", "'**' is not allowed", 1);
	pattern_bad("d**.sophos.com", "'**' is not allowed", 2);
	pattern_bad("x.a**", "'**' is not allowed", 4);
	pattern_bad("s\xc3\xb6phos.com", "non-ASCII byte in pattern", 1);
	pattern_bad("sophos.com\xff", "non-ASCII byte in pattern", 10);
	pattern_bad("sophos.com:443", "':' in pattern (ports are listed separately)", 10);
	pattern_bad("sophos.com/x", "'/' in pattern (a pattern is a host, not a URL)", 10);
	pattern_bad("https://sophos.com", "':' in pattern (ports are listed separately)", 5);
	pattern_bad("soph?s.com", "invalid character in pattern", 4);
	pattern_bad("[::1]", "invalid character in pattern", 0);
	pattern_bad("sophos.*", "a '*' label is only allowed leftmost", 7);
	pattern_bad("a.*.sophos.com", "a '*' label is only allowed leftmost", 2);
	pattern_bad("*.*.sophos.com", "a '*' label is only allowed leftmost", 2);
	pattern_bad("*.d*.sophos.com", "a leading '*.' cannot be combined with another '*'", 3);
	pattern_bad("*.sophos.c*m", "a leading '*.' cannot be combined with another '*'", 10);
	pattern_bad("*.*d.sophos.com", "a leading '*.' cannot be combined with another '*'", 2);
	pattern_bad("*.com", "a wildcard needs at least two labels after '*.'", 0);
	pattern_bad("*.com.", "a wildcard needs at least two labels after '*.'", 0);
	pattern_bad("*", "a wildcard needs at least two labels after '*.'", 0);
	pattern_bad("*.", "a wildcard needs at least two labels after '*.'", 0);
	pattern_bad("1.2.3.4", "numeric pattern (IP addresses match no pattern)", 0);
	pattern_bad("256.1.1.1", "numeric pattern (IP addresses match no pattern)", 0);
	pattern_bad("1.2.3", "numeric pattern (IP addresses match no pattern)", 0);
	pattern_bad_len("sophos\0.com", 11, "NUL byte in pattern", 6,
			"a pattern with a NUL byte inside the length");

	/* Label of 63 accepted, 64 refused at the 64th character. */
	memset(buf, 'a', 63);
	memcpy(buf + 63, ".com", 5);
	pattern_ok(buf, buf, EA_KIND_EXACT);
	memcpy(buf, "*.x.", 4);
	memset(buf + 4, 'b', 64);
	memcpy(buf + 68, ".com", 5);
	pattern_bad_len(buf, strlen(buf), "label longer than 63 characters", 67,
			"a pattern with a label of 64 characters");

	/* 253 characters accepted (with or without the trailing dot), 254 refused at column 253. */
	n = 0;
	for (int i = 0; i < 4; i++) {
		size_t l = i < 3 ? 63 : 61;

		memset(buf + n, 'a' + i, l);
		n += l;
		if (i < 3)
			buf[n++] = '.';
	}
	buf[0] = '*';
	buf[1] = '.';
	buf[n] = '\0';
	pattern_ok(buf, buf, EA_KIND_WILDCARD);
	buf[n] = '.';
	buf[n + 1] = '\0';
	{
		char want[300];

		memcpy(want, buf, n);
		want[n] = '\0';
		pattern_ok(buf, want, EA_KIND_WILDCARD);
	}
	buf[n] = 'e';
	pattern_bad_len(buf, n + 1, "pattern longer than 253 characters", 253,
			"a pattern of 254 characters");
}

static void test_exact(void)
{
	match_yes("sophos.com", "sophos.com");
	match_yes("sophos.com", "SOPHOS.com.");
	match_yes("SOPHOS.COM.", "sophos.com");
	match_no("sophos.com", "www.sophos.com");
	match_no("sophos.com", "sophos.com.evil.test");
	match_no("sophos.com", "evilsophos.com");
	match_no("sophos.com", "sophos.co");
	match_no("sophos.com", "ophos.com");
	match_no("sophos.com", "sophos.comm");
	match_no("sophos.com", "sophos-com");
}

static void test_wildcard(void)
{
	match_yes("*.sophosupd.com", "d1.sophosupd.com");
	match_yes("*.sophosupd.com", "a.b.sophosupd.com");
	match_yes("*.sophosupd.com", "D1.SophosUpd.COM.");
	match_yes("*.sophosupd.com", "x.sophosupd.com");
	match_no("*.sophosupd.com", "sophosupd.com");
	match_no("*.sophosupd.com", "sophosupd.com.");
	match_no("*.sophosupd.com", "xsophosupd.com");
	match_no("*.sophosupd.com", "d1.xsophosupd.com");
	match_no("*.sophosupd.com", "d1.sophosupd.com.evil.test");
	match_no("*.sophosupd.com", "d1.sophosupd.co");
	match_no("*.sophosupd.com", "upd.com");
	match_yes("*.sophos.com", "www.sophos.com");
	match_no("*.sophos.com", "sophos.com");
	match_no("*.sophos.com", "sophos.com.evil.test");
	match_no("*.sophos.com", "evilsophos.com");
	match_no("*.sophos.com", "evil-sophos.com");
	match_no("*.sophos.com", "www.sophos.com.evil.test");
}

static void test_glob(void)
{
	const char *tf = "tf-presigned-url-eu-west-1-prod-*-bucket.s3.eu-west-1.amazonaws.com";
	char host[128], pat[64];
	struct ea_host h;
	const char *why;
	int all = 1;

	match_yes(tf, "tf-presigned-url-eu-west-1-prod-42-bucket.s3.eu-west-1.amazonaws.com");
	match_yes(tf, "tf-presigned-url-eu-west-1-prod--bucket.s3.eu-west-1.amazonaws.com");
	match_yes(tf, "TF-Presigned-URL-eu-west-1-prod-ABC-bucket.s3.eu-west-1.amazonaws.com.");
	match_yes(tf, "tf-presigned-url-eu-west-1-prod-a-bucket-b-bucket.s3.eu-west-1.amazonaws.com");
	match_no(tf, "tf-presigned-url-eu-west-1-prod-x.y-bucket.s3.eu-west-1.amazonaws.com");
	match_no(tf, "tf-presigned-url-eu-west-1-prod-.evil.test-bucket.s3.eu-west-1.amazonaws.com");
	match_no(tf, "tf-presigned-url-eu-west-1-prod-42-bucket.s3.eu-west-1.amazonaws.com.evil.test");
	match_no(tf, "x.tf-presigned-url-eu-west-1-prod-42-bucket.s3.eu-west-1.amazonaws.com");
	match_no(tf, "tf-presigned-url-eu-west-1-prod-42-bucketx.s3.eu-west-1.amazonaws.com");
	match_no(tf, "tf-presigned-url-eu-west-1-prod-42-bucket.s3.eu-west-2.amazonaws.com");
	match_no(tf, "tf-presigned-url-eu-west-1-prod-bucket.s3.eu-west-1.amazonaws.com");

	match_yes("a*b*c.example.com", "abc.example.com");
	match_yes("a*b*c.example.com", "axxbyyc.example.com");
	match_yes("a*b*c.example.com", "abbbc.example.com");
	match_yes("a*b*c.example.com", "acbc.example.com");
	match_yes("a*b*c.example.com", "abcabc.example.com");
	match_no("a*b*c.example.com", "acb.example.com");
	match_no("a*b*c.example.com", "abcd.example.com");
	match_no("a*b*c.example.com", "xabc.example.com");
	match_no("a*b*c.example.com", "ab.example.com");
	match_no("a*b*c.example.com", "a.b.c.example.com");
	match_yes("*x.example.com", "x.example.com");
	match_yes("*x.example.com", "abcx.example.com");
	match_no("*x.example.com", "xa.example.com");
	match_no("*x.example.com", "a.x.example.com");
	match_no("*x.example.com", "example.com");
	match_yes("d*.sophos*.com", "d1.sophosupd.com");
	match_yes("d*.sophos*.com", "d.sophos.com");
	match_no("d*.sophos*.com", "d1.xsophos.com");
	match_no("d*.sophos*.com", "sophosupd.com");

	/* Many stars against a long label must not go exponential. */
	memset(host, 'a', 63);
	memcpy(host + 63, ".example.com", 13);
	match_no("*a*a*a*a*b.example.com", host);
	host[62] = 'b';
	match_yes("*a*a*a*a*b.example.com", host);
	memset(pat, 0, sizeof(pat));
	for (int i = 0; i < 31; i++)
		memcpy(pat + 2 * i, "*a", 2);
	pat[62] = 'b';
	host[62] = 'a';
	ea_host_parse(host, strlen(host), &h, &why);
	{
		char canon[EA_HOST_MAX + 3];

		snprintf(canon, sizeof(canon), "%s.example.com", pat);
		/* Speed belongs in make bench, not in a timed test: the greedy
		 * matcher is linear by construction; here only the answer counts. */
		for (int i = 0; i < 2000; i++)
			all &= !ea_pattern_match(canon, EA_KIND_GLOB, &h);
		ok(all, "a label of 31 stars does not match 63 'a's ending without 'b'");
	}
}

static void test_non_names(void)
{
	char canon[EA_HOST_MAX + 3];
	struct ea_host h;
	const char *why;
	enum ea_kind kind;
	size_t col;

	ea_host_parse("1.2.3.4", 7, &h, &why);
	ok(!ea_pattern_match("1.2.3.4", EA_KIND_EXACT, &h),
	   "an IPv4 host never matches, even an identical exact text");
	ok(!ea_pattern_match("*.2.3.4", EA_KIND_WILDCARD, &h),
	   "an IPv4 host never matches a wildcard over its digits");
	ea_host_parse("::1", 3, &h, &why);
	ok(!ea_pattern_match("::1", EA_KIND_EXACT, &h), "an IPv6 host never matches");
	ea_pattern_parse("*.1.2", 5, canon, &kind, &why, &col);
	ea_host_parse("0.0.1.2", 7, &h, &why);
	ok(!ea_pattern_match(canon, kind, &h), "'*.1.2' does not match the IPv4 host '0.0.1.2'");

	ea_host_parse("sophos.com", 10, &h, &why);
	ok(!ea_pattern_match("sophos.com", EA_KIND_REGEX, &h),
	   "a regex kind is not matched here");
	ok(ea_pattern_match("sophos.com", EA_KIND_SITE, &h),
	   "a site-specific host is compared exactly");
	ok(!ea_pattern_match("sophos.com", EA_KIND_EXACT, NULL), "a NULL host never matches");
	ok(!ea_pattern_match(NULL, EA_KIND_EXACT, &h), "a NULL pattern never matches");
	ea_host_parse("", 0, &h, &why);
	ok(!ea_pattern_match("", EA_KIND_EXACT, &h), "an empty host never matches");
}

static void test_labels(void)
{
	is_int(ea_pattern_labels("sophos.com"), 2, "'sophos.com' has two labels");
	is_int(ea_pattern_labels("*.sophosupd.com"), 3, "'*.sophosupd.com' has three labels");
	is_int(ea_pattern_labels("a*b.c.d.e"), 4, "'a*b.c.d.e' has four labels");
	is_int(ea_pattern_labels("localhost"), 1, "'localhost' has one label");
	is_int(ea_pattern_labels(""), 0, "an empty pattern has no labels");
	is_int(ea_pattern_labels(NULL), 0, "a NULL pattern has no labels");
}

int main(void)
{
	test_kind_names();
	test_valid();
	test_errors();
	test_exact();
	test_wildcard();
	test_glob();
	test_non_names();
	test_labels();
	return done_testing();
}
