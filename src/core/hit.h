/* What the audit records: one request to a vendor host (struct ea_hit), its
 * outcome and the source that saw it, and the aggregated row the store's
 * read side yields. The core's vocabulary; no storage here. */
#ifndef EA_HIT_H
#define EA_HIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Field sizes of struct ea_hit, terminating NUL included. Longer values are
 * truncated when copied in: a hit is never refused for its length. */
#define EA_HIT_ID_MAX 64      /* catalogue entry id, vendor id */
#define EA_HIT_HOST_MAX 256   /* a DNS name is at most 253 characters */
#define EA_HIT_CLIENT_MAX 64  /* an IPv6 address with a zone fits */
#define EA_HIT_USER_MAX 128

enum ea_outcome {
	EA_OUTCOME_ALLOWED,
	EA_OUTCOME_DENIED,  /* refused by this proxy or an upstream one */
	EA_OUTCOME_FAILED,  /* DNS, connection, timeout, proxy-generated 5xx */
	EA_OUTCOME_UNKNOWN
};

enum ea_source { EA_SOURCE_ICAP, EA_SOURCE_LOG };

/* "allowed", "denied", ...; "icap", "log". */
const char *ea_outcome_name(enum ea_outcome o);
const char *ea_source_name(enum ea_source s);
/* 0 and *out set, or -1 for a name that is none of them. */
int ea_outcome_parse(const char *name, enum ea_outcome *out);
int ea_source_parse(const char *name, enum ea_source *out);

/* One request to a vendor host. Fixed size, so the queue copies it without
 * allocating. entry is "" for an uncatalogued host under a vendor-owned
 * domain; client and user are "" when unknown. */
struct ea_hit {
	time_t when;
	char entry[EA_HIT_ID_MAX];
	char vendor[EA_HIT_ID_MAX];
	char host[EA_HIT_HOST_MAX];
	uint16_t port;
	char client[EA_HIT_CLIENT_MAX];
	char user[EA_HIT_USER_MAX];
	enum ea_outcome outcome;
	enum ea_source source;
};

/* Fill a hit, truncating over-long strings; NULL strings become "". Host,
 * client and user are stored in their canonical form (text.h). */
void ea_hit_set(struct ea_hit *h, time_t when, const char *entry,
		const char *vendor, const char *host, uint16_t port,
		const char *client, const char *user, enum ea_outcome outcome,
		enum ea_source source);

/* An aggregated row of the store, as the read side yields it; strings
 * valid during the callback only. */
struct ea_hit_row {
	time_t bucket;
	const char *entry;  /* "" when uncatalogued */
	const char *vendor, *host;
	unsigned port;
	const char *client, *user;
	enum ea_outcome outcome;
	enum ea_source source;
	uint64_t count;
	time_t first_seen, last_seen;
};

#endif
