/* Squid access-log lines into records (target, client, user, outcome) for
 * the importer and the logfile daemon. Each format is a fixed sequence of
 * blank-separated fields; anything that does not fit is malformed, with a
 * reason, so the caller can report it with its file and line. */
#include "accesslog.h"

#include <stdint.h>
#include <string.h>

#include "core/chars.h"
#include "core/http_msg.h"

static const char *const format_names[] = {
	[EA_LOG_SQUID] = "squid",
	[EA_LOG_COMMON] = "common",
	[EA_LOG_COMBINED] = "combined",
	[EA_LOG_EGRESSAUDIT] = "egressaudit",
};

const char *ea_log_format_name(enum ea_log_format f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : "?";
}

int ea_log_format_parse(const char *name, enum ea_log_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum ea_log_format)i;
			return 0;
		}
	return -1;
}

/* ---- fields ---------------------------------------------------------- */

struct field {
	const char *s;
	size_t n;
};

#define MAX_FIELDS 24

/* Split on runs of blanks (Squid pads %6tr with spaces). Fields past
 * MAX_FIELDS are counted but not kept; only the last one is, since the
 * common and combined formats end with %Ss:%Sh. */
static size_t split(const char *line, size_t len, struct field *f, struct field *last)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (n < MAX_FIELDS) {
			f[n].s = line + start;
			f[n].n = i - start;
		}
		last->s = line + start;
		last->n = i - start;
		n++;
	}
	return n;
}

static bool is_dash(struct field f)
{
	return f.n == 1 && f.s[0] == '-';
}

static int hexval(char c)
{
	unsigned char u = (unsigned char)c;

	if (ea_isdigit(u))
		return u - '0';
	if (ea_isxdigit(u))
		return ea_tolower(u) - 'a' + 10;
	return -1;
}

/* Copy a field, "-" as "", truncated to cap - 1. Undo Squid's escaping:
 * %XX always (URL and log_mime_hdrs quoting), and, for fields quoted the
 * log_mime_hdrs way (%[un), a doubled backslash. Decoded control
 * characters are replaced by '?': they end up in a database and a report. */
static void copy_field(char *dst, size_t cap, struct field f, bool backslash)
{
	size_t o = 0;

	if (cap == 0)
		return;
	if (is_dash(f)) {
		dst[0] = '\0';
		return;
	}
	for (size_t i = 0; i < f.n && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)f.s[i];

		if (c == '%' && i + 2 < f.n && hexval(f.s[i + 1]) >= 0 && hexval(f.s[i + 2]) >= 0) {
			c = (unsigned char)(hexval(f.s[i + 1]) * 16 + hexval(f.s[i + 2]));
			i += 2;
		} else if (backslash && c == '\\' && i + 1 < f.n && f.s[i + 1] == '\\') {
			i++;
		}
		dst[o++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	dst[o] = '\0';
}

/* Squid's result codes and hierarchy codes: upper case, digits, '_'. */
static bool is_code(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(ea_isupper((unsigned char)s[i]) || ea_isdigit((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static bool copy_code(char *dst, size_t cap, const char *s, size_t n)
{
	if (!is_code(s, n) || n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* "1700000000.123" (%ts.%03tu) or "1700000000". */
static bool parse_epoch(struct field f, time_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < f.n && ea_isdigit((unsigned char)f.s[i]); i++) {
		v = v * 10 + (uint64_t)(f.s[i] - '0');
		if (v > ((uint64_t)1 << 40))
			return false;
	}
	if (i == 0)
		return false;
	if (i < f.n) {
		if (f.s[i] != '.' || i + 1 == f.n)
			return false;
		for (i++; i < f.n; i++)
			if (f.s[i] < '0' || f.s[i] > '9')
				return false;
	}
	if ((time_t)v < EA_LOG_TIME_MIN || (time_t)v >= EA_LOG_TIME_MAX)
		return false;
	*out = (time_t)v;
	return true;
}

static bool parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* Three digits: 000 (Squid sent no reply) or an HTTP status, 100-599. */
static bool parse_status(const char *s, size_t n, int *out)
{
	unsigned v;

	if (n != 3 || !parse_uint(s, n, 599, &v) || (v > 0 && v < 100))
		return false;
	*out = (int)v;
	return true;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), so
 * the %tl time needs neither the TZ environment nor timegm(). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "[13/Nov/2023:10:00:00" and "+0100]": %tl as common and combined print it. */
static bool parse_clf_time(struct field a, struct field b, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	unsigned d, y, hh, mm, ss, oh, om, mon = 0;
	int64_t t;
	int sign;

	if (a.n != 21 || a.s[0] != '[' || a.s[3] != '/' || a.s[7] != '/' || a.s[12] != ':' ||
	    a.s[15] != ':' || a.s[18] != ':')
		return false;
	if (!parse_uint(a.s + 1, 2, 31, &d) || !parse_uint(a.s + 8, 4, 9999, &y) ||
	    !parse_uint(a.s + 13, 2, 23, &hh) || !parse_uint(a.s + 16, 2, 59, &mm) ||
	    !parse_uint(a.s + 19, 2, 60, &ss) || d == 0)
		return false;
	for (unsigned i = 0; i < 12; i++)
		if (memcmp(a.s + 4, months + 3 * i, 3) == 0)
			mon = i + 1;
	if (!mon)
		return false;
	if (b.n != 6 || (b.s[0] != '+' && b.s[0] != '-') || b.s[5] != ']' ||
	    !parse_uint(b.s + 1, 2, 23, &oh) || !parse_uint(b.s + 3, 2, 59, &om))
		return false;
	sign = b.s[0] == '-' ? -1 : 1;
	t = days_from_civil(y, mon, d) * 86400 + hh * 3600 + mm * 60 + ss;
	t -= sign * (int64_t)(oh * 3600 + om * 60);
	if (t < (int64_t)EA_LOG_TIME_MIN || t >= (int64_t)EA_LOG_TIME_MAX)
		return false;
	*out = (time_t)t;
	return true;
}

/* "TCP_MISS/200" or, in common and combined, "TCP_MISS:HIER_DIRECT". */
static bool split_pair(struct field f, char sep, struct field *a, struct field *b)
{
	const char *p = memchr(f.s, sep, f.n);

	if (!p)
		return false;
	a->s = f.s;
	a->n = (size_t)(p - f.s);
	b->s = p + 1;
	b->n = f.n - a->n - 1;
	return true;
}

/* ---- targets --------------------------------------------------------- */

static bool has_scheme(struct field url)
{
	for (size_t i = 0; i + 2 < url.n; i++) {
		if (url.s[i] == ':')
			return i > 0 && url.s[i + 1] == '/' && url.s[i + 2] == '/';
		if (url.s[i] == '/')
			return false;
	}
	return false;
}

/* The host of a logged URL (%ru): absolute http(s) URI or a CONNECT
 * authority. Squid's own "error:..." pseudo-URLs and other schemes name no
 * host we audit; nor does a schemeless URI on another method (Squid 2.5
 * logs a bad request's "GET ahmet" as it came), which only CONNECT's
 * authority form may be. */
static void target_from_url(struct ea_log_record *rec, struct field url)
{
	const char *why;

	rec->has_target = false;
	if (is_dash(url) || (url.n >= 6 && memcmp(url.s, "error:", 6) == 0) || url.s[0] == '/')
		return;
	if (strcmp(rec->method, "CONNECT") != 0 && !has_scheme(url))
		return;
	if (ea_target_parse(url.s, url.n, &rec->target, &why) == 0)
		rec->has_target = true;
}

/* %>rd and %>rP; the SNI names the server when the request named only an
 * address (an intercepted or IP-literal CONNECT that Squid peeked at). */
static void target_from_parts(struct ea_log_record *rec, struct field host, struct field port)
{
	const char *why;
	unsigned p;

	rec->has_target = false;
	if (rec->sni[0] && (is_dash(host) ||
			    ea_host_parse(host.s, host.n, &rec->target.host, &why) < 0 ||
			    rec->target.host.type != EA_HOST_NAME)) {
		if (ea_host_parse(rec->sni, strlen(rec->sni), &rec->target.host, &why) < 0)
			return;
	} else if (is_dash(host) || ea_host_parse(host.s, host.n, &rec->target.host, &why) < 0) {
		return;
	}
	rec->target.port = parse_uint(port.s, port.n, 65535, &p) && p > 0 ? (int)p : -1;
	rec->has_target = true;
}

/* ---- formats --------------------------------------------------------- */

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt */
static int parse_squid(const struct field *f, size_t n, struct ea_log_record *rec, const char **why)
{
	struct field code, status, hier, peer;

	if (n < 10)
		return fail(why, "too few fields for the squid format (10 expected)");
	if (!parse_epoch(f[0], &rec->when))
		return fail(why, "bad time (expected seconds.milliseconds)");
	if (!split_pair(f[3], '/', &code, &status) || !copy_code(rec->result, sizeof(rec->result), code.s, code.n) ||
	    !parse_status(status.s, status.n, &rec->status))
		return fail(why, "bad result code/status (expected e.g. TCP_MISS/200)");
	if (!split_pair(f[8], '/', &hier, &peer) || !copy_code(rec->hier, sizeof(rec->hier), hier.s, hier.n))
		return fail(why, "bad hierarchy code (expected e.g. HIER_DIRECT/10.0.0.1)");
	rec->no_server = peer.n == 0 || is_dash(peer);
	copy_field(rec->client, sizeof(rec->client), f[2], false);
	copy_field(rec->method, sizeof(rec->method), f[5], false);
	copy_field(rec->user, sizeof(rec->user), f[7], true);
	target_from_url(rec, f[6]);
	return 0;
}

/* %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st ["%{Referer}>h"
 * "%{User-Agent}>h"] %Ss:%Sh -- the last field is always %Ss:%Sh. */
static int parse_clf(const struct field *f, size_t n, struct field last, bool combined,
		     struct ea_log_record *rec, const char **why)
{
	struct field code, hier;

	if (n < (combined ? 13u : 11u))
		return fail(why, combined ? "too few fields for the combined format (13 expected)"
				 : "too few fields for the common format (11 expected)");
	if (!parse_clf_time(f[3], f[4], &rec->when))
		return fail(why, "bad time (expected [dd/Mon/yyyy:hh:mm:ss +zzzz])");
	if (f[5].n < 2 || f[5].s[0] != '"' || f[7].n < 2 || f[7].s[f[7].n - 1] != '"')
		return fail(why, "bad request (expected \"METHOD URL HTTP/x.y\")");
	if (!parse_status(f[8].s, f[8].n, &rec->status))
		return fail(why, "bad status (expected three digits)");
	if (!split_pair(last, ':', &code, &hier) || !copy_code(rec->result, sizeof(rec->result), code.s, code.n) ||
	    !copy_code(rec->hier, sizeof(rec->hier), hier.s, hier.n))
		return fail(why, "bad last field (expected %Ss:%Sh, e.g. TCP_MISS:HIER_DIRECT)");
	copy_field(rec->client, sizeof(rec->client), f[0], false);
	copy_field(rec->user, sizeof(rec->user), f[2], true);
	copy_field(rec->method, sizeof(rec->method), (struct field){ f[5].s + 1, f[5].n - 1 }, false);
	target_from_url(rec, f[6]);
	return 0;
}

/* ea1 %ts.%03tu %>a %#un %rm %>rd %>rP %Ss/%03>Hs %Sh/%<a %err_code
 * %#err_detail [%#ssl::>sni] -- see doc/access-log.md. The SNI column is
 * optional: Squid built with GnuTLS (Debian's squid) has no %ssl:: codes. */
static int parse_egressaudit(const struct field *f, size_t n, struct ea_log_record *rec, const char **why)
{
	struct field code, status, hier, peer;

	if (n < 11)
		return fail(why, "too few fields for the egressaudit format (11 expected)");
	if (f[0].n != 3 || memcmp(f[0].s, "ea1", 3) != 0)
		return fail(why, "not an egressaudit line (expected it to start with ea1)");
	if (!parse_epoch(f[1], &rec->when))
		return fail(why, "bad time (expected seconds.milliseconds)");
	if (!split_pair(f[7], '/', &code, &status) || !copy_code(rec->result, sizeof(rec->result), code.s, code.n) ||
	    !parse_status(status.s, status.n, &rec->status))
		return fail(why, "bad result code/status (expected e.g. TCP_MISS/200)");
	if (!split_pair(f[8], '/', &hier, &peer) || !copy_code(rec->hier, sizeof(rec->hier), hier.s, hier.n))
		return fail(why, "bad hierarchy code (expected e.g. HIER_DIRECT/10.0.0.1)");
	rec->no_server = peer.n == 0 || is_dash(peer);
	if (!is_dash(f[9]) && !copy_code(rec->err_code, sizeof(rec->err_code), f[9].s, f[9].n))
		return fail(why, "bad error code (expected ERR_... or -)");
	rec->has_err = true;
	copy_field(rec->client, sizeof(rec->client), f[2], false);
	copy_field(rec->user, sizeof(rec->user), f[3], false);
	copy_field(rec->method, sizeof(rec->method), f[4], false);
	copy_field(rec->err_detail, sizeof(rec->err_detail), f[10], false);
	if (n > 11)
		copy_field(rec->sni, sizeof(rec->sni), f[11], false);
	target_from_parts(rec, f[5], f[6]);
	return 0;
}

int ea_log_parse(enum ea_log_format fmt, const char *line, size_t len,
		 struct ea_log_record *rec, const char **why)
{
	struct field f[MAX_FIELDS], last = { line, 0 };
	size_t n;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->status = -1;
	rec->target.port = -1;
	rec->outcome = EA_OUTCOME_UNKNOWN;
	if (len && line[len - 1] == '\r')
		len--;
	if (len > EA_LOG_LINE_MAX)
		return fail(why, "line too long");
	/* Squid escapes control characters in every field it logs, so a raw
	 * one (NUL included) is damage, not data. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(why, "control character or binary data");
	}
	n = split(line, len, f, &last);
	if (n == 0)
		return fail(why, "empty line");
	switch (fmt) {
	case EA_LOG_SQUID: rc = parse_squid(f, n, rec, why); break;
	case EA_LOG_COMMON: rc = parse_clf(f, n, last, false, rec, why); break;
	case EA_LOG_COMBINED: rc = parse_clf(f, n, last, true, rec, why); break;
	case EA_LOG_EGRESSAUDIT: rc = parse_egressaudit(f, n, rec, why); break;
	default: return fail(why, "unknown log format");
	}
	if (rc < 0)
		return rc;
	/* Squid logs the ICP and HTCP queries of its siblings (log_icp_queries
	 * is on by default) with the URL they asked about: a cache asking
	 * this one, not a request to the vendor. */
	if (strncmp(rec->method, "ICP_", 4) == 0 || strncmp(rec->method, "HTCP_", 5) == 0 ||
	    strncmp(rec->result, "UDP_", 4) == 0) {
		rec->peer_query = true;
		rec->has_target = false;
	}
	rec->outcome = ea_log_outcome(rec->result, rec->status, rec->hier, rec->no_server,
				      rec->has_err, rec->err_code);
	return 0;
}

/* ---- outcomes -------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The table in doc/access-log.md, in the same order. Squid's result code
 * comes first and the status next, because %err_code can be stale: a
 * bypassed ICAP failure leaves ERR_ICAP_FAILURE on a successful 200
 * (tests/e2e/FINDINGS.md). */
enum ea_outcome ea_log_outcome(const char *result, int status, const char *hier,
			       bool no_server, bool has_err, const char *err_code)
{
	bool squid_answered;

	if (!result)
		result = "";
	if (!hier)
		hier = "";
	/* http_access / http_reply_access refused it (403, 407, or a
	 * deny_info redirect); a URL rewriter's redirect is a block page. */
	if (starts_with(result, "TCP_DENIED") || starts_with(result, "TCP_REDIRECT"))
		return EA_OUTCOME_DENIED;
	if (status >= 100 && status < 400)
		return EA_OUTCOME_ALLOWED;
	if (status < 100)
		return EA_OUTCOME_UNKNOWN; /* 000: no reply at all (client gone) */
	if (has_err && err_code && *err_code)
		return ea_outcome_classify(status, err_code);
	/* No Squid error: either the format cannot say, or the status came
	 * from an origin or peer. Squid answered itself when it never had a
	 * server (HIER_NONE, or NONE as Squid <= 3.0 writes it, or no server
	 * address: the DNS failure of Squid bug 5294) or never got a reply
	 * (NONE_NONE: a refused CONNECT). A cache hit replays an origin's
	 * reply, so its HIER_NONE says nothing. */
	squid_answered = (strcmp(hier, "HIER_NONE") == 0 || strcmp(hier, "NONE") == 0 || no_server ||
			  starts_with(result, "NONE")) && !strstr(result, "HIT");
	if (status >= 500 && squid_answered)
		return EA_OUTCOME_FAILED;
	/* A 4xx Squid made itself never says the endpoint was reached: a
	 * refusal (403, 407, 409: the host-header forgery check,
	 * ERR_CONFLICT_HOST) is denied, anything else (400: the client's
	 * bad request) says nothing about the endpoint. */
	if (status >= 400 && status < 500 && squid_answered)
		return status == 403 || status == 407 || status == 409 ? EA_OUTCOME_DENIED
								       : EA_OUTCOME_UNKNOWN;
	/* Without %err_code a refused connection (TCP_MISS/503 HIER_DIRECT,
	 * ERR_CONNECT_FAIL) looks like an origin's own 503; the refusal is the
	 * common case an audit must see, so 503 counts as failed. */
	if (status == 503 && !has_err)
		return EA_OUTCOME_FAILED;
	return ea_outcome_classify(status, NULL);
}
