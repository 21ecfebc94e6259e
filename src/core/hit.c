/* Names of outcomes and sources, and filling a hit. */
#include <string.h>

#include "hit.h"
#include "text.h"
#include "util.h"

static const char *const outcome_names[] = { "allowed", "denied", "failed", "unknown" };
static const char *const source_names[] = { "icap", "log" };

const char *ea_outcome_name(enum ea_outcome o)
{
	return (unsigned)o < 4 ? outcome_names[o] : "unknown";
}

const char *ea_source_name(enum ea_source s)
{
	return (unsigned)s < 2 ? source_names[s] : "icap";
}

int ea_outcome_parse(const char *name, enum ea_outcome *out)
{
	for (unsigned i = 0; i < 4; i++)
		if (name && strcmp(name, outcome_names[i]) == 0) {
			*out = (enum ea_outcome)i;
			return 0;
		}
	return -1;
}

int ea_source_parse(const char *name, enum ea_source *out)
{
	for (unsigned i = 0; i < 2; i++)
		if (name && strcmp(name, source_names[i]) == 0) {
			*out = (enum ea_source)i;
			return 0;
		}
	return -1;
}

void ea_hit_set(struct ea_hit *h, time_t when, const char *entry,
		const char *vendor, const char *host, uint16_t port,
		const char *client, const char *user, enum ea_outcome outcome,
		enum ea_source source)
{
	h->when = when;
	ea_copy_str(h->entry, sizeof h->entry, entry);
	ea_copy_str(h->vendor, sizeof h->vendor, vendor);
	/* Every writer (the module, the importer, the log daemon) comes
	 * through here: one canonical form for what came from outside. */
	ea_text_canon(h->host, sizeof h->host, host, host ? strlen(host) : 0);
	h->port = port;
	ea_text_canon(h->client, sizeof h->client, client, client ? strlen(client) : 0);
	ea_text_canon(h->user, sizeof h->user, user, user ? strlen(user) : 0);
	h->outcome = outcome;
	h->source = source;
}
