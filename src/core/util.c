/* Small string helpers every library shares (util.h). */
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
