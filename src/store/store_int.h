/* Private to src/store: the store handle and the helpers its files share
 * (store.c: schema, open, counters; store_write.c: the batched upserts;
 * store_compact.c: host folding; store_read.c: the report's queries). */
#ifndef EA_STORE_INT_H
#define EA_STORE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"
#include "core/util.h"

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_TRAFFIC, ST_CLIENT, ST_USER, ST_COUNTER, ST_LOGPOS,
	ST_EXPIRE, ST_EXPIRE_CLIENTS, ST_EXPIRE_USERS,
	ST_EACH_HIT, ST_EACH_COUNTER, ST_COUNTER_GET, ST_LOGPOS_GET,
	ST_COUNT
};

/* The eight count columns of traffic, clients and users, in this order;
 * ea_store_column() maps a hit's source and outcome to one of them. */
#define EA_STORE_NCOLS 8
#define EA_STORE_COLS "icap_requested, icap_allowed, icap_denied, icap_failed," \
	" log_allowed, log_denied, log_failed, log_unknown"

#define EA_STORE_WHO_COLS "first_seen, last_seen, last_allowed, last_denied," \
	" last_failed, last_unknown"

/* What this handle has already written of clients and users: per (entry,
 * vendor, name), the latest bucket and the outcomes written in it. A hit
 * that adds nothing to that is not written again (store_write.c). */
struct ea_store_seen;

struct ea_store {
	sqlite3 *db;
	bool readonly;
	unsigned busy_ms;
	struct timespec busy_since;
	const atomic_bool *abort;
	unsigned bucket_seconds;
	unsigned max_bucket_seconds; /* the largest any writer used (meta) */
	unsigned max_hosts;          /* compaction keeps this many per bucket */
	time_t compacted_until;      /* as last read from meta; 0: never */
	time_t dirty_from;           /* earliest closed bucket written since
					the last compaction; 0: none */
	char *path;
	char proxy[256];
	char errmsg[EA_ERRMSG_MAX];  /* the last failure, "path: what: why" */
	struct ea_store_seen *seen;
	sqlite3_stmt *st[ST_COUNT];
};

/* Record the connection's last error as "path: what: why" in s->errmsg and
 * return our code for it (never EA_STORE_OK). */
int ea_store_fail(struct ea_store *s, const char *what);
void ea_store_seterr(struct ea_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Step a prepared statement of s->st to its end, then reset it. */
int ea_store_step_done(struct ea_store *s, enum stmt which, const char *what);
/* meta rows; "" when absent. */
int ea_store_meta_get(struct ea_store *s, const char *key, char *out, size_t outlen);
int ea_store_meta_set(struct ea_store *s, const char *key, const char *value);

time_t ea_store_bucket_of(time_t when, unsigned size);
int ea_store_column(enum ea_source src, enum ea_outcome o);

/* store_write.c: add the hits to traffic, clients and users (inside the
 * caller's transaction), and note closed buckets for compaction. */
int ea_store_write_hits(struct ea_store *s, const struct ea_hit *hits, size_t n);
/* After the transaction: what it wrote of clients and users is known to be
 * stored only once it committed. */
void ea_store_write_done(struct ea_store *s, bool committed);
void ea_store_seen_free(struct ea_store *s);

#endif
