/* A hash map from strings the caller owns to pointers, for the loaders'
 * "seen before?" checks (duplicate keys, group ids): linear in the number
 * of strings, where comparing each with every earlier one was quadratic on
 * a hostile catalogue. Keys are borrowed and must outlive the map. */
#ifndef EA_STRMAP_H
#define EA_STRMAP_H

#include <stddef.h>

struct ea_strmap_slot;

struct ea_strmap {
	struct ea_strmap_slot *slots;
	size_t cap, count;
};

/* A zeroed struct is an empty map; ea_strmap_free empties it again. */
void ea_strmap_free(struct ea_strmap *m);

/* Add key -> value unless key is there. 0 when added, 1 when it was there
 * (*was, if not NULL, gets its value; the map is unchanged), -1 when out
 * of memory. */
int ea_strmap_put(struct ea_strmap *m, const char *key, const void *value, const void **was);

/* The value of key, or NULL. */
const void *ea_strmap_get(const struct ea_strmap *m, const char *key);

#endif
