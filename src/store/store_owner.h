/* Private to the store: the database belongs to its directory's owner
 * (store_owner.c). */
#ifndef EA_STORE_OWNER_H
#define EA_STORE_OWNER_H

#include <stddef.h>

void ea_store_owner_adopt(const char *path);
const char *ea_store_owner_problem(const char *path, char *buf, size_t len);

#endif
