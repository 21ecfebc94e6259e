/* Small string and date helpers every library shares (util.h). */
#include <string.h>
#include <time.h>

#include "util.h"

size_t ea_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

static int parse_date(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	char *end;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return -1;
	*t = timegm(&tm);
	return 0;
}

int ea_date_days_between(const char *from, const char *to, long *days)
{
	time_t a, b;

	if (parse_date(from, &a) < 0 || parse_date(to, &b) < 0)
		return -1;
	*days = (long)((b - a) / 86400);
	return 0;
}
