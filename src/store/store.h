/* The audit store: vendor hits aggregated per time bucket in SQLite (WAL),
 * drop counters, and the log importer's read positions. store.c owns the
 * schema and the synchronous API; store_queue.c the in-memory queue and the
 * writer thread that the c-icap module's request path feeds. */
#ifndef EA_STORE_H
#define EA_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/hit.h"
#include "core/tally.h"
#include "core/util.h"

#define EA_STORE_SCHEMA_VERSION 2

/* Named hosts kept per (bucket, entry, vendor) by compaction. */
#define EA_STORE_DEFAULT_MAX_HOSTS 32

/* Result codes. Negative is failure; ea_store_errmsg says what and why
 * (the error convention of HACKING.md). */
enum ea_store_rc {
	EA_STORE_OK = 0,
	EA_STORE_ERROR = -1,   /* anything else: bad SQL state, read-only, ... */
	EA_STORE_BUSY = -2,    /* still locked after the busy timeout: retry */
	EA_STORE_FULL = -3,    /* disk full, or the configured size limit */
	EA_STORE_BROKEN = -4,  /* I/O error, corruption: close and reopen */
	EA_STORE_TOO_NEW = -5, /* schema newer than this code knows */
	EA_STORE_NOMEM = -6,
	EA_STORE_CONFLICT = -7 /* a batch's expected log position was not the stored one */
};

struct ea_store;

struct ea_store_options {
	const char *proxy_name;   /* stored in meta; NULL keeps the stored one,
				     or uses the host name on a new database */
	unsigned bucket_seconds;  /* 0: 3600 */
	unsigned busy_timeout_ms; /* 0: 5000 */
	uint64_t max_bytes;       /* 0: no limit; else PRAGMA max_page_count */
	unsigned max_hosts;       /* compaction: named hosts kept per bucket,
				     entry and vendor; 0: EA_STORE_DEFAULT_MAX_HOSTS */
	unsigned cache_mb;        /* SQLite's page cache; 0: its default (2 MB).
				     A bulk writer (import) gains from more */
};

/* Open for writing, creating the file and migrating the schema forward in
 * one transaction. Several processes may do this at once. Returns
 * EA_STORE_OK or a code; like sqlite3_open, *out is set either way (NULL
 * only when out of memory) so that ea_store_errmsg(*out) can say why, and
 * the caller closes it either way. */
int ea_store_open(const char *path, const struct ea_store_options *opt, struct ea_store **out);

/* Open read-only (SQLITE_OPEN_READONLY); works while writers have the
 * database open. Refuses a database whose schema is not this code's. Same
 * convention as ea_store_open. */
int ea_store_open_readonly(const char *path, struct ea_store **out);

void ea_store_close(struct ea_store *s);

/* The last failure of a call on s, naming the database: "PATH: what: why".
 * NULL s (a constructor out of memory) gives "out of memory". */
const char *ea_store_errmsg(const struct ea_store *s);

const char *ea_store_proxy_name(const struct ea_store *s);
unsigned ea_store_bucket_seconds(const struct ea_store *s);

/* Bound how long a write waits for another writer's lock. */
void ea_store_set_busy_timeout(struct ea_store *s, unsigned ms);

/* While *flag is true, waits for a lock give up at once (the queue uses it
 * to bound shutdown). The flag must outlive the store; NULL removes it. */
void ea_store_set_abort_flag(struct ea_store *s, const atomic_bool *flag);

/* True when the file the store has open is no longer at its path (moved,
 * deleted or replaced: SQLITE_FCNTL_HAS_MOVED). Writing on would go to an
 * archive or an unlinked file; the caller closes and reopens, which
 * creates a new database at the path. Before saying so, the WAL is
 * checkpointed into the file it has open, so a moved database keeps what
 * was written to it. */
bool ea_store_moved(struct ea_store *s);

/* Change the size limit of an open writable store; 0 lifts it. A limit
 * below the current size holds the database at its current size. */
int ea_store_set_max_bytes(struct ea_store *s, uint64_t max_bytes);

/* Where the access-log importer stopped in one log file. The identity must
 * survive renaming and compression (e.g. a hash of the first line). */
struct ea_log_position {
	char identity[128];
	char path[1024];
	uint64_t device, inode;   /* informational: where it was last read */
	uint64_t offset;          /* uncompressed bytes consumed */
	uint64_t lines;
};

struct ea_counter_add {
	const char *name;
	uint64_t value;
};

/* What one transaction writes: hits added to their bucket rows, counters
 * added to, and optionally a log position (so an import of a chunk of log
 * and the position after it commit together). */
struct ea_batch {
	const struct ea_hit *hits;
	size_t nhits;
	const struct ea_counter_add *counters;
	size_t ncounters;
	const struct ea_log_position *log;
	/* With log and log_cas, a compare-and-swap inside the transaction: the
	 * stored position must be the one the writer last saw (none when
	 * !log_was_stored, else at offset log_was_offset), or nothing is
	 * written and EA_STORE_CONFLICT returned. Two importers of one file
	 * can then never both commit the same lines. */
	bool log_cas;
	bool log_was_stored;
	uint64_t log_was_offset;
};

/* One transaction (BEGIN IMMEDIATE ... COMMIT): all of the batch or none. */
int ea_store_write(struct ea_store *s, const struct ea_batch *b);

/* Retention: delete bucket rows whose last hit is older than now - days.
 * *deleted (may be NULL) gets the number of rows removed. */
int ea_store_expire(struct ea_store *s, time_t now, unsigned days,
		    uint64_t *deleted);

/* Return non-zero to stop the iteration (ea_store_each_* then return it). */
typedef int (*ea_hit_fn)(const struct ea_hit_row *row, void *ctx);
typedef int (*ea_counter_fn)(const char *name, uint64_t value, void *ctx);

/* Rows with hits in [since, until): last_seen >= since and first_seen <
 * until; until <= 0 means no upper bound. A bucket is never split, so a row
 * straddling a limit is yielded whole. Ordered by bucket, vendor, entry,
 * host, port, outcome. */
int ea_store_each_hit(struct ea_store *s, time_t since, time_t until,
		      ea_hit_fn fn, void *ctx);
int ea_store_each_counter(struct ea_store *s, ea_counter_fn fn, void *ctx);
/* A counter's value, 0 when it was never written. */
int ea_store_counter(struct ea_store *s, const char *name, uint64_t *value);
/* 0 and *pos filled, 1 when the identity is unknown, negative on error. */
int ea_store_log_position(struct ea_store *s, const char *identity,
			  struct ea_log_position *pos);

/* Compaction (store_compact.c, doc/store.md): in every closed bucket (one
 * that ended before now) not yet compacted, or written since it was, keep
 * the max_hosts busiest named hosts per (bucket, entry, vendor) and fold
 * the others into one "other hosts" row per port (host ''). One
 * transaction; cheap when there is nothing to do (no query at all).
 * *folded (may be NULL) gets the number of host rows folded. */
int ea_store_compact(struct ea_store *s, time_t now, uint64_t *folded);

/* ---- The report's queries (store_read.c) ----
 * Aggregated in SQLite over the window (rows with last_seen >= since and
 * first_seen < until; until <= 0: open), streamed one row at a time. Each
 * row's sources are reconciled in SQL by tally.h's rule per (bucket, host,
 * port), then summed. Several cursors of different stores may be open at
 * once (the report merges them); one per view per store. */
enum ea_store_view {
	EA_STORE_HOSTS,   /* per (host, port), named hosts, ordered by host, port;
			     rows of the same host under several entries count once */
	EA_STORE_FOLDED,  /* per (entry, vendor, port): the "other hosts" rows */
	EA_STORE_CLIENTS, /* per (entry, vendor, client) seen in the window
			     (first/last seen overlap it), ordered so */
	EA_STORE_USERS,   /* per (entry, vendor, user), the same */
	EA_STORE_TIMELINE, /* per (entry, vendor, port) as stored: when last
			      allowed, refused, failing since, recovered */
	EA_STORE_NVIEWS
};

/* The TIMELINE view's times, each the start of a bucket. */
enum ea_store_time {
	EA_TIME_LAST_ALLOWED, EA_TIME_LAST_REFUSED, EA_TIME_FAILING_SINCE,
	EA_TIME_RECOVERED_AT, EA_TIME_FAILING_FROM, EA_STORE_NTIMES
};

struct ea_store_row {
	const char *entry, *vendor; /* HOSTS: entry "", vendor one of the row's */
	const char *name;           /* host, client or user; "" for FOLDED */
	unsigned port;              /* HOSTS, FOLDED */
	uint64_t folded;            /* FOLDED: distinct names folded, summed
				       over buckets (an upper bound) */
	struct ea_tally tally;      /* strings valid until the next step;
				       CLIENTS, USERS: first and last seen only */
	time_t last_of[4];          /* CLIENTS, USERS: last seen with each
				       outcome (enum ea_outcome), 0: never */
	time_t times[EA_STORE_NTIMES]; /* TIMELINE: enum ea_store_time, bucket
				       starts, 0: none */
};


struct ea_store_cursor;

/* EA_STORE_OK and *out, or a code (ea_store_errmsg(s) says why). */
int ea_store_cursor_open(struct ea_store *s, enum ea_store_view view, time_t since,
			 time_t until, struct ea_store_cursor **out);
/* 1 and *row filled, 0 at the end, or a negative code. */
int ea_store_cursor_next(struct ea_store_cursor *c, struct ea_store_row *row);
void ea_store_cursor_close(struct ea_store_cursor *c);

/* ---- The queue and writer thread (store_queue.c) ----
 * One queue per process, created after fork (threads do not survive it):
 * in c-icap, in each child. Pushing copies the hit into a bounded ring and
 * never waits on disk; one writer thread flushes batches. */

/* The newest last_seen of the hits from SOURCE ("icap" or "log"), and the
 * time of the newest access-log import; 0 when there is none. */
int ea_store_last_hit(struct ea_store *s, const char *source, time_t *when);
int ea_store_last_import(struct ea_store *s, time_t *when);

/* Counter names the writer persists in the counters table. */
#define EA_COUNTER_QUEUE_FULL "queue_full" /* pushed while the queue was full */
#define EA_COUNTER_DB_BUSY "db_busy"       /* still locked after retries */
#define EA_COUNTER_DB_FULL "db_full"       /* disk full or size limit */
#define EA_COUNTER_DB_ERROR "db_error"     /* I/O or other database error */
#define EA_COUNTER_SHUTDOWN "shutdown"     /* still queued when shutdown timed out */
/* Not a drop: times the database was moved or deleted while open. */
#define EA_COUNTER_DB_MOVED "db_moved"

enum ea_store_log_level { EA_STORE_LOG_ERROR, EA_STORE_LOG_WARNING, EA_STORE_LOG_INFO };

/* Called from the writer thread (so it must be thread-safe); the core never
 * prints. Repeated failures are reported at most once a minute. */
typedef void (*ea_store_log_fn)(void *ctx, enum ea_store_log_level level, const char *msg);

struct ea_store_queue_options {
	struct ea_store_options store;
	size_t capacity;           /* hits held in memory; 0: 8192 */
	size_t batch;              /* hits per transaction, and the queue length
				      that wakes the writer early; 0: 512 */
	unsigned flush_ms;         /* longest a hit waits; 0: 1000 */
	unsigned reopen_ms;        /* wait before reopening; 0: 5000 */
	unsigned shutdown_ms;      /* bound on the final flush; 0: 5000 */
	unsigned retention_days;   /* 0: keep everything */
	unsigned expire_interval_s;/* between retention runs; 0: 3600 */
	ea_store_log_fn log;       /* may be NULL */
	void *log_ctx;
};

struct ea_store_queue;

/* Starts the writer thread, which opens the database (and keeps retrying
 * if it cannot: those failures, having no caller waiting, go to opt->log).
 * Fails only when memory or the thread cannot be had; *out is set either
 * way, as ea_store_open does, for ea_store_queue_errmsg and _free. */
int ea_store_queue_new(const char *path, const struct ea_store_queue_options *opt,
		       struct ea_store_queue **out);
const char *ea_store_queue_errmsg(const struct ea_store_queue *q);

/* Copy the hit into the queue. 0, or EA_STORE_FULL when the queue is full
 * (the hit is counted as dropped). Never blocks on I/O. */
int ea_store_queue_push(struct ea_store_queue *q, const struct ea_hit *hit);

/* Wait until everything pushed before the call has been written or counted
 * as dropped, and the drop counters written. 0 when that transaction
 * succeeded, EA_STORE_BUSY on timeout, another code when it failed. */
int ea_store_queue_flush(struct ea_store_queue *q, unsigned timeout_ms);

/* Add n to the counter name (a string that outlives the queue), written
 * with the next transaction: how a program counts what it lost before it
 * had a hit (the log daemon's malformed lines). At most 4 names; -1 past
 * them. */
int ea_store_queue_add_counter(struct ea_store_queue *q, const char *name, uint64_t n);

/* Hits dropped so far, for every reason together: what a program's own
 * summary says, in the same unit as the counters. Final after _stop. */
uint64_t ea_store_queue_dropped(const struct ea_store_queue *q);

/* Stop the writer after flushing what is queued, for at most shutdown_ms;
 * what is left then is counted (and the count written if possible). Then
 * only _dropped and _free may be called. _free stops it if need be. */
void ea_store_queue_stop(struct ea_store_queue *q);
void ea_store_queue_free(struct ea_store_queue *q);

#endif
