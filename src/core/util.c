/* Small helpers every library shares (util.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

int ea_vec_reserve(void *items, size_t *cap, size_t need, size_t size)
{
	void **pp = items;
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size || !(np = realloc(*pp, ncap * size)))
		return -1;
	*pp = np;
	*cap = ncap;
	return 0;
}

void *ea_vec_push(void *items, size_t *n, size_t *cap, size_t size)
{
	char *slot;

	if (ea_vec_reserve(items, cap, *n + 1, size) < 0)
		return NULL;
	slot = *(char **)items + *n * size;
	memset(slot, 0, size);
	(*n)++;
	return slot;
}

void ea_errmsg_set(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, EA_ERRMSG_MAX, fmt, ap);
	va_end(ap);
}
