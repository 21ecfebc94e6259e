/* The audit store in SQLite: schema and forward migrations, batched writes
 * of aggregated hits and drop counters, retention, and the read side the
 * report uses. Synchronous; store_queue.c puts a queue and a thread in front.
 *
 * Schema version 1 (PRAGMA user_version = 1), also in doc/store.md:
 *
 *   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
 *       'proxy'          name of the proxy this database belongs to; the
 *                        report merges databases from several proxies
 *       'bucket_seconds' bucket size the writer last used
 *       'created'        unix time the schema was created
 *
 *   hits — one row per (bucket, entry, vendor, host, port, client, user,
 *          outcome, source), primary key in that order:
 *       bucket     INTEGER  unix time of the bucket's start (a multiple of
 *                           the bucket size)
 *       entry      TEXT     catalogue entry id; '' for an uncatalogued host
 *                           under a vendor-owned domain ('' and not NULL,
 *                           because NULLs are distinct in a UNIQUE key)
 *       vendor     TEXT     vendor id
 *       host       TEXT     canonical host as requested
 *       port       INTEGER  0..65535
 *       client     TEXT     client address, '' when unknown
 *       user       TEXT     authenticated user, '' when none
 *       outcome    TEXT     'allowed' | 'denied' | 'failed' | 'unknown'
 *       source     TEXT     'icap' | 'log'
 *       count      INTEGER  requests
 *       first_seen INTEGER  unix time of the first and last of them
 *       last_seen  INTEGER
 *
 *   counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL)
 *       hits lost and why: queue_full, db_busy, db_full, db_error, shutdown;
 *       added to in the same transaction as hits.
 *
 *   log_files — how far the access-log importer read each file:
 *       identity TEXT PRIMARY KEY  survives rename and gzip (hash of the
 *                                  first line, chosen by the importer)
 *       path TEXT, device INTEGER, inode INTEGER   where it was last read
 *       offset INTEGER   uncompressed bytes consumed
 *       lines INTEGER    lines consumed
 *       updated INTEGER  unix time of the last import
 *
 * A migration is one entry of `migrations` below, applied in order inside
 * one BEGIN IMMEDIATE transaction together with the user_version bump; a
 * database whose user_version is above EA_STORE_SCHEMA_VERSION is refused.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_owner.h"
#include "core/hash.h"
#include "core/text.h"
#include "core/util.h"

#define DEFAULT_BUCKET 3600
#define DEFAULT_BUSY_MS 5000

static const char schema_v1[] =
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE hits ("
	" bucket INTEGER NOT NULL,"
	" entry TEXT NOT NULL,"
	" vendor TEXT NOT NULL,"
	" host TEXT NOT NULL,"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" client TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" outcome TEXT NOT NULL CHECK (outcome IN ('allowed','denied','failed','unknown')),"
	" source TEXT NOT NULL CHECK (source IN ('icap','log')),"
	" count INTEGER NOT NULL,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (bucket, entry, vendor, host, port, client, user, outcome, source)"
	") WITHOUT ROWID;"
	"CREATE INDEX hits_entry ON hits (vendor, entry);"
	"CREATE TABLE counters ("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE log_files ("
	" identity TEXT PRIMARY KEY,"
	" path TEXT NOT NULL,"
	" device INTEGER,"
	" inode INTEGER,"
	" offset INTEGER NOT NULL,"
	" lines INTEGER NOT NULL,"
	" updated INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO meta (key, value) VALUES ('created', CAST(strftime('%s','now') AS TEXT));";

/* migrations[i] takes the schema from version i to i + 1. Append only. */
static const char *const migrations[] = {
	schema_v1,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == EA_STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_HIT, ST_COUNTER, ST_LOGPOS,
	ST_EXPIRE, ST_EACH_HIT, ST_EACH_COUNTER, ST_COUNTER_GET, ST_LOGPOS_GET,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_HIT] =
		"INSERT INTO hits (bucket, entry, vendor, host, port, client, user,"
		" outcome, source, count, first_seen, last_seen)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		" ON CONFLICT (bucket, entry, vendor, host, port, client, user, outcome, source)"
		" DO UPDATE SET count = count + excluded.count,"
		" first_seen = min(first_seen, excluded.first_seen),"
		" last_seen = max(last_seen, excluded.last_seen)",
	[ST_COUNTER] =
		"INSERT INTO counters (name, value) VALUES (?1, ?2)"
		" ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
	[ST_LOGPOS] =
		"INSERT INTO log_files (identity, path, device, inode, offset, lines, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (identity) DO UPDATE SET path = excluded.path,"
		" device = excluded.device, inode = excluded.inode,"
		" offset = excluded.offset, lines = excluded.lines, updated = excluded.updated",
	/* bucket < cutoff lets the primary key narrow the scan: a row can only
	 * have last_seen < cutoff if its bucket started before it. */
	[ST_EXPIRE] = "DELETE FROM hits WHERE bucket < ?1 AND last_seen < ?1",
	[ST_EACH_HIT] =
		"SELECT bucket, entry, vendor, host, port, client, user, outcome,"
		" source, count, first_seen, last_seen FROM hits"
		" WHERE last_seen >= ?1 AND first_seen < ?2"
		" ORDER BY bucket, vendor, entry, host, port, outcome, source, client, user",
	[ST_EACH_COUNTER] = "SELECT name, value FROM counters ORDER BY name",
	[ST_COUNTER_GET] = "SELECT value FROM counters WHERE name = ?1",
	[ST_LOGPOS_GET] =
		"SELECT path, device, inode, offset, lines FROM log_files WHERE identity = ?1",
};

struct ea_store {
	sqlite3 *db;
	bool readonly;
	unsigned busy_ms;
	struct timespec busy_since;
	const atomic_bool *abort;
	unsigned bucket_seconds;
	char *path;
	char proxy[256];
	sqlite3_stmt *st[ST_COUNT];
	char errmsg[EA_ERRMSG_MAX];
};

__attribute__((format(printf, 2, 3)))
static void seterr(struct ea_store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
	va_end(ap);
}

/* Map an SQLite result to ours: what the caller can do about it. */
static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW:
		return EA_STORE_OK;
	case SQLITE_BUSY: case SQLITE_LOCKED:
		return EA_STORE_BUSY;
	case SQLITE_FULL:
		return EA_STORE_FULL;
	case SQLITE_NOMEM:
		return EA_STORE_NOMEM;
	case SQLITE_IOERR: case SQLITE_CORRUPT: case SQLITE_NOTADB:
	case SQLITE_CANTOPEN: case SQLITE_PROTOCOL:
		return EA_STORE_BROKEN;
	default:
		return EA_STORE_ERROR;
	}
}

/* Report the connection's last error as "what: sqlite message (path)". */
static int fail(struct ea_store *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);

	seterr(s, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	rc = map_rc(rc);
	return rc == EA_STORE_OK ? EA_STORE_ERROR : rc;
}

static int exec(struct ea_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(s, what);
	return EA_STORE_OK;
}

/* Run a one-row statement that yields a single integer. */
static int query_int(struct ea_store *s, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return fail(s, sql);
	}
	sqlite3_finalize(st);
	return EA_STORE_OK;
}

static void rollback(struct ea_store *s)
{
	/* Some errors (SQLITE_FULL, IOERR) roll back by themselves. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int step_done(struct ea_store *s, enum stmt which, const char *what)
{
	sqlite3_stmt *st = s->st[which];
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		rc = fail(s, what);
	else
		rc = EA_STORE_OK;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int meta_get(struct ea_store *s, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return fail(s, "reading meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ea_copy_str(out, outlen, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, "reading meta");
	return EA_STORE_OK;
}

static int meta_set(struct ea_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "writing meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "writing meta");
	return EA_STORE_OK;
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* sqlite3_busy_timeout's behaviour, plus a way out: a writer shutting down
 * must not sit out a five-second wait for someone else's lock. */
static int busy_handler(void *ctx, int calls)
{
	struct ea_store *s = ctx;
	struct timespec nap = { 0, (calls < 10 ? 2 : 20) * 1000000L };

	if (s->abort && atomic_load(s->abort))
		return 0;
	if (calls == 0)
		clock_gettime(CLOCK_MONOTONIC, &s->busy_since);
	else if (ms_since(&s->busy_since) >= (long long)s->busy_ms)
		return 0;
	nanosleep(&nap, NULL);
	return 1;
}

static struct ea_store *store_alloc(const char *path)
{
	struct ea_store *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	if (!(s->path = strdup(path))) {
		free(s);
		return NULL;
	}
	s->bucket_seconds = DEFAULT_BUCKET;
	return s;
}

/* WAL can only be entered with nobody else in the database; while another
 * process holds it, SQLite may answer BUSY without calling the busy
 * handler, so wait here for as long as the busy timeout allows. */
static int enter_wal(struct ea_store *s, unsigned busy_ms)
{
	sqlite3_stmt *st;
	unsigned waited = 0;
	int rc;

	for (;;) {
		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
				       NULL) != SQLITE_OK) {
			rc = sqlite3_errcode(s->db);
		} else {
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				const char *mode = (const char *)sqlite3_column_text(st, 0);
				bool wal = mode && strcmp(mode, "wal") == 0;

				sqlite3_finalize(st);
				if (wal)
					return EA_STORE_OK;
				seterr(s, "%s: cannot switch to WAL mode (journal mode is %s)",
				       s->path, mode ? mode : "unknown");
				return EA_STORE_ERROR;
			}
			sqlite3_finalize(st);
		}
		if (map_rc(rc) != EA_STORE_BUSY || waited >= busy_ms)
			return fail(s, "setting WAL mode");
		usleep(10 * 1000);
		waited += 10;
	}
}

static int prepare_all(struct ea_store *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->st[i], NULL) != SQLITE_OK)
			return fail(s, "preparing statements");
	return EA_STORE_OK;
}

static int load_meta(struct ea_store *s)
{
	char buf[32];
	int rc;

	if ((rc = meta_get(s, "proxy", s->proxy, sizeof s->proxy)))
		return rc;
	if ((rc = meta_get(s, "bucket_seconds", buf, sizeof buf)))
		return rc;
	if (buf[0]) {
		long v = strtol(buf, NULL, 10);

		if (v > 0 && v <= INT_MAX)
			s->bucket_seconds = (unsigned)v;
	}
	return EA_STORE_OK;
}

static int too_new(struct ea_store *s, long long version)
{
	seterr(s, "%s: database schema version %lld is newer than this egressaudit"
	       " supports (%d); upgrade egressaudit or use another database",
	       s->path, version, EA_STORE_SCHEMA_VERSION);
	return EA_STORE_TOO_NEW;
}

/* Bring the schema to our version and record this writer's settings, all in
 * one write transaction so concurrent openers serialise on it. */
static int migrate(struct ea_store *s, const struct ea_store_options *opt)
{
	long long version = 0;
	char buf[64];
	int rc;

	if ((rc = exec(s, "BEGIN IMMEDIATE", "starting the schema transaction")))
		return rc;
	if ((rc = query_int(s, "PRAGMA user_version", &version)))
		goto out;
	if (version > EA_STORE_SCHEMA_VERSION) {
		rc = too_new(s, version);
		goto out;
	}
	if (version == 0) {
		long long tables = 0;

		if ((rc = query_int(s, "SELECT count(*) FROM sqlite_master", &tables)))
			goto out;
		if (tables) {
			seterr(s, "%s: not an egressaudit database (it has tables but"
			       " no schema version); refusing to add ours to it", s->path);
			rc = EA_STORE_ERROR;
			goto out;
		}
	}
	if (version < 0) {
		seterr(s, "%s: not an egressaudit database (schema version %lld)",
		       s->path, version);
		rc = EA_STORE_ERROR;
		goto out;
	}
	for (long long v = version; v < EA_STORE_SCHEMA_VERSION; v++) {
		snprintf(buf, sizeof buf, "migrating to schema %lld", v + 1);
		if ((rc = exec(s, migrations[v], buf)))
			goto out;
	}
	if (version != EA_STORE_SCHEMA_VERSION) {
		snprintf(buf, sizeof buf, "PRAGMA user_version = %d", EA_STORE_SCHEMA_VERSION);
		if ((rc = exec(s, buf, "setting the schema version")))
			goto out;
	}
	if ((rc = load_meta(s)))
		goto out;
	if (opt && opt->proxy_name && opt->proxy_name[0])
		ea_text_canon(s->proxy, sizeof s->proxy, opt->proxy_name, strlen(opt->proxy_name));
	else if (!s->proxy[0] && gethostname(s->proxy, sizeof s->proxy - 1) != 0)
		ea_copy_str(s->proxy, sizeof s->proxy, "unknown");
	s->proxy[sizeof s->proxy - 1] = '\0';
	if ((rc = meta_set(s, "proxy", s->proxy)))
		goto out;
	s->bucket_seconds = opt && opt->bucket_seconds ? opt->bucket_seconds : DEFAULT_BUCKET;
	snprintf(buf, sizeof buf, "%u", s->bucket_seconds);
	if ((rc = meta_set(s, "bucket_seconds", buf)))
		goto out;
	rc = exec(s, "COMMIT", "committing the schema");
out:
	if (rc)
		rollback(s);
	return rc;
}

/* A store that failed to open keeps only its message (for ea_store_errmsg)
 * until ea_store_close; the connection goes at once. */
static void close_db(struct ea_store *s)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	/* v2: the close completes when the last statement goes, never BUSY. */
	sqlite3_close_v2(s->db);
	s->db = NULL;
}

int ea_store_open(const char *path, const struct ea_store_options *opt, struct ea_store **out)
{
	unsigned busy = opt && opt->busy_timeout_ms ? opt->busy_timeout_ms : DEFAULT_BUSY_MS;
	struct ea_store *s;
	int rc;

	if (!(*out = s = store_alloc(path)))
		return EA_STORE_NOMEM;
	/* FULLMUTEX: the writer thread owns the connection, but cheap insurance. */
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (s->db) {
			rc = fail(s, "opening");
		} else {
			seterr(s, "%s: out of memory", path);
			rc = EA_STORE_NOMEM;
		}
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_ms = busy;
	sqlite3_busy_handler(s->db, busy_handler, s);
	/* Before the WAL exists: SQLite gives it the database's owner. */
	ea_store_owner_adopt(path);
	if ((rc = enter_wal(s, busy)))
		goto fail;
	/* NORMAL is durable across process crashes in WAL mode; a power cut may
	 * lose the last transactions, which an audit can afford. */
	if ((rc = exec(s, "PRAGMA synchronous = NORMAL", "setting synchronous")))
		goto fail;
	if ((rc = migrate(s, opt)))
		goto fail;
	if ((rc = prepare_all(s)))
		goto fail;
	if (opt && opt->max_bytes && (rc = ea_store_set_max_bytes(s, opt->max_bytes)))
		goto fail;
	return EA_STORE_OK;
fail:
	{
		char why[EA_ERRMSG_MAX];

		if (ea_store_owner_problem(path, why, sizeof(why)))
			seterr(s, "%s: %s", path, why);
	}
	close_db(s);
	return rc;
}

int ea_store_open_readonly(const char *path, struct ea_store **out)
{
	long long version = 0;
	struct ea_store *s;
	int rc;

	if (!(*out = s = store_alloc(path)))
		return EA_STORE_NOMEM;
	s->readonly = true;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (s->db) {
			rc = fail(s, "opening read-only");
		} else {
			seterr(s, "%s: out of memory", path);
			rc = EA_STORE_NOMEM;
		}
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_ms = DEFAULT_BUSY_MS;
	sqlite3_busy_handler(s->db, busy_handler, s);
	if ((rc = query_int(s, "PRAGMA user_version", &version)))
		goto fail;
	if (version > EA_STORE_SCHEMA_VERSION) {
		rc = too_new(s, version);
		goto fail;
	}
	if (version < EA_STORE_SCHEMA_VERSION) {
		seterr(s, "%s: %s (schema version %lld, expected %d)", path,
		       version == 0 ? "not an egressaudit database"
				    : "database schema is older than this egressaudit; open it"
				      " for writing once to migrate it",
		       version, EA_STORE_SCHEMA_VERSION);
		rc = EA_STORE_ERROR;
		goto fail;
	}
	if ((rc = prepare_all(s)) || (rc = load_meta(s)))
		goto fail;
	return EA_STORE_OK;
fail:
	close_db(s);
	return rc;
}

bool ea_store_moved(struct ea_store *s)
{
	int moved = 0;

	if (!s || !s->db ||
	    sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK)
		return false;
	if (moved)
		/* Into the file it became (an archive), not the orphaned WAL
		 * named after the old path; best effort, other processes may
		 * still be reading. */
		sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return moved != 0;
}

void ea_store_close(struct ea_store *s)
{
	if (!s)
		return;
	close_db(s);
	free(s->path);
	free(s);
}

const char *ea_store_errmsg(const struct ea_store *s)
{
	return s ? s->errmsg : EA_ERRMSG_NOMEM;
}

const char *ea_store_proxy_name(const struct ea_store *s)
{
	return s->proxy;
}

unsigned ea_store_bucket_seconds(const struct ea_store *s)
{
	return s->bucket_seconds;
}

void ea_store_set_busy_timeout(struct ea_store *s, unsigned ms)
{
	s->busy_ms = ms;
}

void ea_store_set_abort_flag(struct ea_store *s, const atomic_bool *flag)
{
	s->abort = flag;
}

int ea_store_set_max_bytes(struct ea_store *s, uint64_t max_bytes)
{
	long long page = 0, pages, got = 0;
	char sql[64];
	int rc;

	if ((rc = query_int(s, "PRAGMA page_size", &page)))
		return rc;
	if (page <= 0)
		page = 4096;
	/* 0 restores SQLite's own ceiling (SQLITE_MAX_PAGE_COUNT). */
	pages = max_bytes ? (long long)(max_bytes / (uint64_t)page) : 4294967294LL;
	if (pages < 1)
		pages = 1;
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
	return query_int(s, sql, &got);
}

static time_t bucket_of(time_t when, unsigned size)
{
	long long w = (long long)when, b = (long long)size;
	long long r = w % b;

	if (r < 0)
		r += b;
	return (time_t)(w - r);
}

/* One row's worth of a batch: the hits that share its key. */
struct row_sum {
	const struct ea_hit *h; /* the first of them: the key */
	time_t bucket, first, last;
	uint64_t count;
};

static int write_row(struct ea_store *s, const struct row_sum *r)
{
	sqlite3_stmt *st = s->st[ST_HIT];
	const struct ea_hit *h = r->h;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)r->bucket);
	sqlite3_bind_text(st, 2, h->entry, (int)strnlen(h->entry, sizeof h->entry), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, h->vendor, (int)strnlen(h->vendor, sizeof h->vendor), SQLITE_STATIC);
	sqlite3_bind_text(st, 4, h->host, (int)strnlen(h->host, sizeof h->host), SQLITE_STATIC);
	sqlite3_bind_int(st, 5, h->port);
	sqlite3_bind_text(st, 6, h->client, (int)strnlen(h->client, sizeof h->client), SQLITE_STATIC);
	sqlite3_bind_text(st, 7, h->user, (int)strnlen(h->user, sizeof h->user), SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ea_outcome_name(h->outcome), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, ea_source_name(h->source), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)r->count);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)r->first);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)r->last);
	return step_done(s, ST_HIT, "recording hits");
}

static bool same_row(const struct ea_hit *a, time_t abucket, const struct ea_hit *b, time_t bbucket)
{
	return abucket == bbucket && a->port == b->port && a->outcome == b->outcome &&
	       a->source == b->source && strcmp(a->host, b->host) == 0 &&
	       strcmp(a->entry, b->entry) == 0 && strcmp(a->vendor, b->vendor) == 0 &&
	       strcmp(a->client, b->client) == 0 && strcmp(a->user, b->user) == 0;
}

static uint64_t row_hash(const struct ea_hit *h, time_t bucket)
{
	const char *fields[] = { h->entry, h->vendor, h->host, h->client, h->user };
	uint64_t x = (uint64_t)bucket ^ ((uint64_t)h->port << 32) ^
		     ((uint64_t)h->outcome << 48) ^ ((uint64_t)h->source << 56);

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
		x = ea_hash_bytes(fields[f], strlen(fields[f]), x);
	return x;
}

/* Under load most hits of a batch repeat a key (the same endpoint, client
 * and hour): one UPSERT per key instead of per hit is what lets one writer
 * keep up. Rows keep the order of their first hit. */
static int write_hits(struct ea_store *s, const struct ea_hit *hits, size_t n)
{
	struct row_sum *rows;
	uint32_t *slots;
	size_t nslots = 16, nrows = 0;
	int rc = EA_STORE_OK;

	if (n == 0)
		return EA_STORE_OK;
	while (nslots < 2 * n)
		nslots *= 2;
	rows = malloc(n * sizeof(*rows));
	slots = calloc(nslots, sizeof(*slots)); /* row index + 1; 0 = empty */
	if (!rows || !slots) {
		free(rows);
		free(slots);
		seterr(s, "out of memory aggregating %zu hits", n);
		return EA_STORE_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ea_hit *h = &hits[i];
		time_t bucket = bucket_of(h->when, s->bucket_seconds);
		size_t k = row_hash(h, bucket) & (nslots - 1);

		while (slots[k] && !same_row(rows[slots[k] - 1].h, rows[slots[k] - 1].bucket, h, bucket))
			k = (k + 1) & (nslots - 1);
		if (!slots[k]) {
			rows[nrows] = (struct row_sum){ h, bucket, h->when, h->when, 0 };
			slots[k] = (uint32_t)++nrows;
		}
		struct row_sum *r = &rows[slots[k] - 1];

		r->count++;
		if (h->when < r->first)
			r->first = h->when;
		if (h->when > r->last)
			r->last = h->when;
	}
	for (size_t i = 0; i < nrows && rc == EA_STORE_OK; i++)
		rc = write_row(s, &rows[i]);
	free(rows);
	free(slots);
	return rc;
}

static int write_counter(struct ea_store *s, const struct ea_counter_add *c)
{
	sqlite3_stmt *st = s->st[ST_COUNTER];

	if (!c->value)
		return EA_STORE_OK;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)c->value);
	return step_done(s, ST_COUNTER, "recording counters");
}

static int write_logpos(struct ea_store *s, const struct ea_log_position *p)
{
	sqlite3_stmt *st = s->st[ST_LOGPOS];

	sqlite3_bind_text(st, 1, p->identity, (int)strnlen(p->identity, sizeof p->identity),
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->path, (int)strnlen(p->path, sizeof p->path), SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)p->device);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)p->inode);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)p->offset);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)p->lines);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	return step_done(s, ST_LOGPOS, "recording the log position");
}

/* The compare of the batch's compare-and-swap; BEGIN IMMEDIATE holds the
 * write lock, so no other writer moves the position before the swap. */
static int check_logpos(struct ea_store *s, const struct ea_batch *b)
{
	struct ea_log_position now;
	int rc = ea_store_log_position(s, b->log->identity, &now);

	if (rc < 0)
		return rc;
	if ((rc == 0) == b->log_was_stored && (rc != 0 || now.offset == b->log_was_offset))
		return EA_STORE_OK;
	if (rc == 0)
		seterr(s, "another import of this log committed up to byte %llu first",
		       (unsigned long long)now.offset);
	else
		seterr(s, "the position of this log was removed while importing it");
	return EA_STORE_CONFLICT;
}

int ea_store_write(struct ea_store *s, const struct ea_batch *b)
{
	int rc;

	if ((rc = step_done(s, ST_BEGIN, "starting a transaction")))
		return rc;
	if (b->log && b->log_cas && (rc = check_logpos(s, b)))
		goto out;
	if ((rc = write_hits(s, b->hits, b->nhits)))
		goto out;
	for (size_t i = 0; i < b->ncounters; i++)
		if ((rc = write_counter(s, &b->counters[i])))
			goto out;
	if (b->log && (rc = write_logpos(s, b->log)))
		goto out;
	rc = step_done(s, ST_COMMIT, "committing");
out:
	if (rc)
		rollback(s);
	return rc;
}

int ea_store_expire(struct ea_store *s, time_t now, unsigned days,
		    uint64_t *deleted)
{
	sqlite3_stmt *st = s->st[ST_EXPIRE];
	int rc;

	if (deleted)
		*deleted = 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now - (sqlite3_int64)days * 86400);
	rc = step_done(s, ST_EXPIRE, "deleting old buckets");
	if (rc == EA_STORE_OK && deleted)
		*deleted = (uint64_t)sqlite3_changes(s->db);
	return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

int ea_store_each_hit(struct ea_store *s, time_t since, time_t until,
		      ea_hit_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_EACH_HIT];
	int rc, stop = 0;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 2, until > 0 ? (sqlite3_int64)until : INT64_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ea_hit_row r;

		r.bucket = (time_t)sqlite3_column_int64(st, 0);
		r.entry = col_text(st, 1);
		r.vendor = col_text(st, 2);
		r.host = col_text(st, 3);
		r.port = (unsigned)sqlite3_column_int(st, 4);
		r.client = col_text(st, 5);
		r.user = col_text(st, 6);
		if (ea_outcome_parse(col_text(st, 7), &r.outcome))
			r.outcome = EA_OUTCOME_UNKNOWN;
		if (ea_source_parse(col_text(st, 8), &r.source))
			r.source = EA_SOURCE_ICAP;
		r.count = (uint64_t)sqlite3_column_int64(st, 9);
		r.first_seen = (time_t)sqlite3_column_int64(st, 10);
		r.last_seen = (time_t)sqlite3_column_int64(st, 11);
		if ((stop = fn(&r, ctx)))
			break;
	}
	if (!stop && rc != SQLITE_DONE) {
		rc = fail(s, "reading hits");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return stop;
}

int ea_store_each_counter(struct ea_store *s, ea_counter_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_EACH_COUNTER];
	int rc, stop = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((stop = fn(col_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1), ctx)))
			break;
	if (!stop && rc != SQLITE_DONE) {
		rc = fail(s, "reading counters");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return stop;
}

int ea_store_counter(struct ea_store *s, const char *name, uint64_t *value)
{
	sqlite3_stmt *st = s->st[ST_COUNTER_GET];
	int rc;

	*value = 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = (uint64_t)sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		rc = fail(s, "reading a counter");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? EA_STORE_OK : rc;
}

int ea_store_log_position(struct ea_store *s, const char *identity,
			  struct ea_log_position *pos)
{
	sqlite3_stmt *st = s->st[ST_LOGPOS_GET];
	int rc;

	memset(pos, 0, sizeof *pos);
	ea_copy_str(pos->identity, sizeof pos->identity, identity);
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ea_copy_str(pos->path, sizeof pos->path, col_text(st, 0));
		pos->device = (uint64_t)sqlite3_column_int64(st, 1);
		pos->inode = (uint64_t)sqlite3_column_int64(st, 2);
		pos->offset = (uint64_t)sqlite3_column_int64(st, 3);
		pos->lines = (uint64_t)sqlite3_column_int64(st, 4);
		rc = EA_STORE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = fail(s, "reading a log position");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}
