/* Small helpers every library shares, so that each small thing is done one
 * way: bounded strings and the message buffer of the error convention
 * (HACKING.md, "Errors"). */
#ifndef EA_UTIL_H
#define EA_UTIL_H

#include <stddef.h>

/* Every object that can fail keeps its last error message in a buffer of
 * this size; ea_X_errmsg(obj) returns it. */
#define EA_ERRMSG_MAX 512

/* What ea_X_errmsg(NULL) says: a constructor leaves *out NULL only when it
 * could not allocate the object that would have carried the message. */
#define EA_ERRMSG_NOMEM "out of memory"

/* Copy src into dst of size bytes (size > 0), truncating, always
 * NUL-terminated; NULL src gives "". Returns the length copied. */
size_t ea_copy_str(char *dst, size_t size, const char *src);

/* The one growable array. items points at the caller's array pointer (of
 * elements of size bytes) whose capacity is *cap: make room for need
 * elements, doubling from 16. 0, or -1 when out of memory or the size
 * overflows, with the array and *cap unchanged. */
int ea_vec_reserve(void *items, size_t *cap, size_t need, size_t size);

/* Append one zeroed element to the array of *n elements: the new slot, or
 * NULL (nothing changed) when out of memory. */
void *ea_vec_push(void *items, size_t *n, size_t *cap, size_t size);

/* Format into an object's message buffer (EA_ERRMSG_MAX bytes), truncating. */
void ea_errmsg_set(char *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
