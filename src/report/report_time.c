/* Times in the report: the --since/--until/--as-of arguments parsed into
 * a window, and the timestamps the formats print. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/chars.h"

void ea_report_time(time_t t, char buf[32])
{
	struct tm tm;

	buf[0] = '\0';
	if (t && gmtime_r(&t, &tm))
		strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "2026-11-28 14:00" (UTC, as the other formats). */
static void minute(time_t t, char buf[32])
{
	struct tm tm;

	buf[0] = '\0';
	if (gmtime_r(&t, &tm))
		strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
}

/* "19 h" under two days, "5 days" beyond. */
static void span(time_t d, char buf[32])
{
	long h = d > 0 ? (long)(d / 3600) : 0;

	if (h < 48)
		snprintf(buf, 32, "%ld h", h);
	else
		snprintf(buf, 32, "%ld days", h / 24);
}

int ea_report_timeline_words(const struct ea_report *r, const struct ea_report_timeline *tl,
			     char *buf, size_t len)
{
	char a[32], b[32], c[32];
	time_t now = r->until > 0 && r->until < r->generated ? r->until : r->generated;

	if (tl->failing_since) {
		minute(tl->failing_since, a);
		span(now - tl->failing_since, b);
		minute(tl->last_allowed, c);
		snprintf(buf, len, "blocked since %s (%s), %s%s", a, b,
			 tl->last_allowed ? "last allowed " : "not allowed in the window",
			 tl->last_allowed ? c : "");
		return 1;
	}
	if (tl->recovered_at) {
		minute(tl->recovered_at, a);
		span(tl->recovered_at - tl->failing_from, b);
		snprintf(buf, len, "recovered %s after %s of failures", a, b);
		return 1;
	}
	return 0;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ea_isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int ea_report_parse_time(const char *text, time_t now, bool end_of_day, time_t *out)
{
	size_t len = strlen(text);
	struct tm tm = { 0 };
	char *end;

	if (len >= 2 && ea_isdigit((unsigned char)text[0]) && strchr("smhdw", text[len - 1]) &&
	    digits(text, len - 1)) {
		static const long unit[] = { 1, 60, 3600, 86400, 604800 };
		unsigned long long n;

		errno = 0;
		n = strtoull(text, &end, 10);
		if (errno || n > 100000ULL * 86400)
			return -1;
		*out = now - (time_t)(n * (unsigned long long)unit[strchr("smhdw", text[len - 1]) - "smhdw"]);
		return 0;
	}
	if (text[0] == '@' && len > 1 && len < 15 && digits(text + 1, len - 1)) {
		*out = (time_t)strtoll(text + 1, NULL, 10);
		return 0;
	}
	if (len < 10 || !digits(text, 4) || text[4] != '-' || !digits(text + 5, 2) ||
	    text[7] != '-' || !digits(text + 8, 2))
		return -1;
	tm.tm_year = atoi(text) - 1900;
	tm.tm_mon = atoi(text + 5) - 1;
	tm.tm_mday = atoi(text + 8);
	if (len == 10) {
		if (end_of_day)
			tm.tm_mday++;
	} else {
		const char *t = text + 10;
		size_t tl = len - 10;

		if (tl && t[tl - 1] == 'Z')
			tl--;
		if ((t[0] != 'T' && t[0] != ' ') || (tl != 6 && tl != 9) ||
		    !digits(t + 1, 2) || t[3] != ':' || !digits(t + 4, 2) ||
		    (tl == 9 && (t[6] != ':' || !digits(t + 7, 2))))
			return -1;
		tm.tm_hour = atoi(t + 1);
		tm.tm_min = atoi(t + 4);
		tm.tm_sec = tl == 9 ? atoi(t + 7) : 0;
		if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
			return -1;
	}
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 32)
		return -1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}
