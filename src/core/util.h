/* Small string and date helpers every library shares, so that each small thing is
 * done one way. */
#ifndef EA_UTIL_H
#define EA_UTIL_H

#include <stddef.h>

/* Copy src into dst of size bytes (size > 0), truncating, always
 * NUL-terminated; NULL src gives "". Returns the length copied. */
size_t ea_copy_str(char *dst, size_t size, const char *src);

/* Whole days from the ISO date `from` to `to` (both YYYY-MM-DD, as the
 * catalogue keeps them); -1 and *days untouched when either is not one. */
int ea_date_days_between(const char *from, const char *to, long *days);

#endif
