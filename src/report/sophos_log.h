/* Reading the Sophos installer log (sophos_log.c). */
#ifndef EA_SOPHOS_LOG_H
#define EA_SOPHOS_LOG_H

#include <stddef.h>
#include "core/host.h"

/* SophosCloudInstaller.log: does this line name the Management
 * Communication System host ("Model::server value changed to: VALUE" or
 * "Opening connection to VALUE", VALUE a host, host:port or URL)? Returns
 * 1 (a Model::server line), 2 (an Opening connection line) with *out set,
 * or 0. */
int ea_sophos_mcs_line(const char *line, size_t len, struct ea_host *out);

#endif
