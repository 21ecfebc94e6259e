/* The c-icap module's last-good catalogue snapshot (last_good.c). */
#ifndef EA_LAST_GOOD_H
#define EA_LAST_GOOD_H

#include "core/match.h"

/* Keep a copy of the files the matcher's catalogue was loaded from in dir
 * (created if needed, its previous content replaced by renames), so that a
 * process that must start afresh while the configured catalogue is broken
 * (c-icap's reconfigure unloads every module) can load the last good one
 * instead of none. Returns 0, or -1 with a fixed reason in *why and the
 * cause in errno (the stateless form of the error convention). */
int ea_last_good_save(const struct ea_matcher *m, const char *dir, const char **why);

#endif
