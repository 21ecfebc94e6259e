/* Small helpers every library shares (util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

size_t ea_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

void ea_errmsg_set(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, EA_ERRMSG_MAX, fmt, ap);
	va_end(ap);
}
