/* The audit store in SQLite: schema and forward migrations, opening,
 * drop counters, log positions, retention and the v1-shaped read side.
 * The write path is store_write.c, compaction store_compact.c, the
 * report's queries store_read.c; store_queue.c puts a queue and a thread
 * in front. The schema (version 2) is described in doc/store.md.
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

#include "store_int.h"
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

/* The sums of one group of v1 hits rows, per source and outcome, in the
 * order of EA_STORE_COLS. */
#define V1_SUM(src, out) " sum(CASE WHEN source = '" src "' AND outcome = '" out "' THEN count ELSE 0 END)"
#define V1_SUMS V1_SUM("icap", "unknown") "," V1_SUM("icap", "allowed") "," \
	V1_SUM("icap", "denied") "," V1_SUM("icap", "failed") "," V1_SUM("log", "allowed") "," \
	V1_SUM("log", "denied") "," V1_SUM("log", "failed") "," V1_SUM("log", "unknown")
#define COUNT_COLUMNS \
	" icap_requested INTEGER NOT NULL DEFAULT 0, icap_allowed INTEGER NOT NULL DEFAULT 0," \
	" icap_denied INTEGER NOT NULL DEFAULT 0, icap_failed INTEGER NOT NULL DEFAULT 0," \
	" log_allowed INTEGER NOT NULL DEFAULT 0, log_denied INTEGER NOT NULL DEFAULT 0," \
	" log_failed INTEGER NOT NULL DEFAULT 0, log_unknown INTEGER NOT NULL DEFAULT 0," \
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
#define WHO_COLUMNS \
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL," \
	" last_allowed INTEGER NOT NULL DEFAULT 0, last_denied INTEGER NOT NULL DEFAULT 0," \
	" last_failed INTEGER NOT NULL DEFAULT 0, last_unknown INTEGER NOT NULL DEFAULT 0,"
#define V1_LAST(out) " max(CASE WHEN outcome = '" out "' THEN last_seen ELSE 0 END)"
#define V1_LASTS V1_LAST("allowed") "," V1_LAST("denied") "," V1_LAST("failed") "," V1_LAST("unknown")
#define HITS_VIEW_PART(col, out, src) \
	" SELECT bucket, entry, vendor, host, port, '" out "', '" src "', " col "," \
	" first_seen, last_seen FROM traffic WHERE " col " > 0"

/* v2: counts per (bucket, host, port, entry, vendor) with a column per
 * source and outcome; clients and users apart, one row per entry each;
 * v1's rows folded into them; a view keeps v1's shape for hand queries. */
static const char schema_v2[] =
	"CREATE TABLE traffic ("
	" bucket INTEGER NOT NULL,"
	" host TEXT NOT NULL,"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" entry TEXT NOT NULL,"
	" vendor TEXT NOT NULL,"
	COUNT_COLUMNS
	" folded INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (bucket, host, port, entry, vendor)"
	") WITHOUT ROWID;"
	"CREATE TABLE clients ("
	" entry TEXT NOT NULL, vendor TEXT NOT NULL, client TEXT NOT NULL,"
	WHO_COLUMNS
	" PRIMARY KEY (entry, vendor, client)"
	") WITHOUT ROWID;"
	"CREATE TABLE users ("
	" entry TEXT NOT NULL, vendor TEXT NOT NULL, user TEXT NOT NULL,"
	WHO_COLUMNS
	" PRIMARY KEY (entry, vendor, user)"
	") WITHOUT ROWID;"
	"INSERT INTO traffic (bucket, host, port, entry, vendor, " EA_STORE_COLS ", first_seen, last_seen)"
	" SELECT bucket, host, port, entry, vendor," V1_SUMS ", min(first_seen), max(last_seen)"
	" FROM hits GROUP BY bucket, host, port, entry, vendor;"
	"INSERT INTO clients (entry, vendor, client, " EA_STORE_WHO_COLS ")"
	" SELECT entry, vendor, client, min(first_seen), max(last_seen)," V1_LASTS
	" FROM hits WHERE client <> '' GROUP BY entry, vendor, client;"
	"INSERT INTO users (entry, vendor, user, " EA_STORE_WHO_COLS ")"
	" SELECT entry, vendor, user, min(first_seen), max(last_seen)," V1_LASTS
	" FROM hits WHERE user <> '' GROUP BY entry, vendor, user;"
	"DROP TABLE hits;"
	"CREATE VIEW hits (bucket, entry, vendor, host, port, outcome, source, count,"
	" first_seen, last_seen) AS"
	HITS_VIEW_PART("icap_requested", "unknown", "icap") " UNION ALL"
	HITS_VIEW_PART("icap_allowed", "allowed", "icap") " UNION ALL"
	HITS_VIEW_PART("icap_denied", "denied", "icap") " UNION ALL"
	HITS_VIEW_PART("icap_failed", "failed", "icap") " UNION ALL"
	HITS_VIEW_PART("log_allowed", "allowed", "log") " UNION ALL"
	HITS_VIEW_PART("log_denied", "denied", "log") " UNION ALL"
	HITS_VIEW_PART("log_failed", "failed", "log") " UNION ALL"
	HITS_VIEW_PART("log_unknown", "unknown", "log") ";";

/* migrations[i] takes the schema from version i to i + 1. Append only. */
static const char *const migrations[] = {
	schema_v1,
	schema_v2,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == EA_STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
#define UPSERT_COUNTS(key) " ON CONFLICT (" key ") DO UPDATE SET" \
	" icap_requested = icap_requested + excluded.icap_requested," \
	" icap_allowed = icap_allowed + excluded.icap_allowed," \
	" icap_denied = icap_denied + excluded.icap_denied," \
	" icap_failed = icap_failed + excluded.icap_failed," \
	" log_allowed = log_allowed + excluded.log_allowed," \
	" log_denied = log_denied + excluded.log_denied," \
	" log_failed = log_failed + excluded.log_failed," \
	" log_unknown = log_unknown + excluded.log_unknown," \
	" first_seen = min(first_seen, excluded.first_seen)," \
	" last_seen = max(last_seen, excluded.last_seen)"
	[ST_TRAFFIC] =
		"INSERT INTO traffic (bucket, host, port, entry, vendor, " EA_STORE_COLS ","
		" first_seen, last_seen)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
		UPSERT_COUNTS("bucket, host, port, entry, vendor"),
#define UPSERT_WHO(key) " ON CONFLICT (" key ") DO UPDATE SET" \
	" first_seen = min(first_seen, excluded.first_seen)," \
	" last_seen = max(last_seen, excluded.last_seen)," \
	" last_allowed = max(last_allowed, excluded.last_allowed)," \
	" last_denied = max(last_denied, excluded.last_denied)," \
	" last_failed = max(last_failed, excluded.last_failed)," \
	" last_unknown = max(last_unknown, excluded.last_unknown)"
	[ST_CLIENT] =
		"INSERT INTO clients (entry, vendor, client, " EA_STORE_WHO_COLS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" UPSERT_WHO("entry, vendor, client"),
	[ST_USER] =
		"INSERT INTO users (entry, vendor, user, " EA_STORE_WHO_COLS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" UPSERT_WHO("entry, vendor, user"),
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
	[ST_EXPIRE] = "DELETE FROM traffic WHERE bucket < ?1 AND last_seen < ?1",
	/* Clients and users: once a whole history is older than retention. */
	[ST_EXPIRE_CLIENTS] = "DELETE FROM clients WHERE last_seen < ?1",
	[ST_EXPIRE_USERS] = "DELETE FROM users WHERE last_seen < ?1",
	[ST_EACH_HIT] =
		"SELECT bucket, entry, vendor, host, port, outcome,"
		" source, count, first_seen, last_seen FROM hits"
		" WHERE last_seen >= ?1 AND first_seen < ?2"
		" ORDER BY bucket, vendor, entry, host, port, outcome, source",
	[ST_EACH_COUNTER] = "SELECT name, value FROM counters ORDER BY name",
	[ST_COUNTER_GET] = "SELECT value FROM counters WHERE name = ?1",
	[ST_LOGPOS_GET] =
		"SELECT path, device, inode, offset, lines FROM log_files WHERE identity = ?1",
};

void ea_store_seterr(struct ea_store *s, const char *fmt, ...)
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
int ea_store_fail(struct ea_store *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);

	ea_store_seterr(s, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	rc = map_rc(rc);
	return rc == EA_STORE_OK ? EA_STORE_ERROR : rc;
}

static int exec(struct ea_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ea_store_fail(s, what);
	return EA_STORE_OK;
}

/* Run a one-row statement that yields a single integer. */
static int query_int(struct ea_store *s, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ea_store_fail(s, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return ea_store_fail(s, sql);
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
		rc = ea_store_fail(s, what);
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
		return ea_store_fail(s, "reading meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ea_copy_str(out, outlen, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ea_store_fail(s, "reading meta");
	return EA_STORE_OK;
}

static int meta_set(struct ea_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			       -1, &st, NULL) != SQLITE_OK)
		return ea_store_fail(s, "writing meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ea_store_fail(s, "writing meta");
	return EA_STORE_OK;
}

int ea_store_step_done(struct ea_store *s, enum stmt which, const char *what)
{
	return step_done(s, which, what);
}

int ea_store_meta_get(struct ea_store *s, const char *key, char *out, size_t outlen)
{
	return meta_get(s, key, out, outlen);
}

int ea_store_meta_set(struct ea_store *s, const char *key, const char *value)
{
	return meta_set(s, key, value);
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
				ea_store_seterr(s, "%s: cannot switch to WAL mode (journal mode is %s)",
				       s->path, mode ? mode : "unknown");
				return EA_STORE_ERROR;
			}
			sqlite3_finalize(st);
		}
		if (map_rc(rc) != EA_STORE_BUSY || waited >= busy_ms)
			return ea_store_fail(s, "setting WAL mode");
		usleep(10 * 1000);
		waited += 10;
	}
}

static int prepare_all(struct ea_store *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->st[i], NULL) != SQLITE_OK)
			return ea_store_fail(s, "preparing statements");
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
	s->max_bucket_seconds = s->bucket_seconds;
	if ((rc = meta_get(s, "max_bucket_seconds", buf, sizeof buf)))
		return rc;
	if (buf[0]) {
		long v = strtol(buf, NULL, 10);

		if (v > 0 && v <= INT_MAX && (unsigned)v > s->max_bucket_seconds)
			s->max_bucket_seconds = (unsigned)v;
	}
	if ((rc = meta_get(s, "compacted_until", buf, sizeof buf)))
		return rc;
	s->compacted_until = buf[0] ? (time_t)strtoll(buf, NULL, 10) : 0;
	return EA_STORE_OK;
}

static int too_new(struct ea_store *s, long long version)
{
	ea_store_seterr(s, "%s: database schema version %lld is newer than this egressaudit"
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
			ea_store_seterr(s, "%s: not an egressaudit database (it has tables but"
			       " no schema version); refusing to add ours to it", s->path);
			rc = EA_STORE_ERROR;
			goto out;
		}
	}
	if (version < 0) {
		ea_store_seterr(s, "%s: not an egressaudit database (schema version %lld)",
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
	if (s->bucket_seconds > s->max_bucket_seconds)
		s->max_bucket_seconds = s->bucket_seconds;
	snprintf(buf, sizeof buf, "%u", s->max_bucket_seconds);
	if ((rc = meta_set(s, "max_bucket_seconds", buf)))
		goto out;
	s->max_hosts = opt && opt->max_hosts ? opt->max_hosts : EA_STORE_DEFAULT_MAX_HOSTS;
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
			rc = ea_store_fail(s, "opening");
		} else {
			ea_store_seterr(s, "%s: out of memory", path);
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
	if (opt && opt->cache_mb) {
		char sql[64];

		snprintf(sql, sizeof sql, "PRAGMA cache_size = -%u", opt->cache_mb * 1024);
		if ((rc = exec(s, sql, "setting the page cache")))
			goto fail;
	}
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
			ea_store_seterr(s, "%s: %s", path, why);
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
			rc = ea_store_fail(s, "opening read-only");
		} else {
			ea_store_seterr(s, "%s: out of memory", path);
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
		ea_store_seterr(s, "%s: %s (schema version %lld, expected %d)", path,
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
	ea_store_seen_free(s);
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

time_t ea_store_bucket_of(time_t when, unsigned size)
{
	long long w = (long long)when, b = (long long)size;
	long long r = w % b;

	if (r < 0)
		r += b;
	return (time_t)(w - r);
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
		ea_store_seterr(s, "%s: another import of this log committed up to byte %llu first",
		       s->path, (unsigned long long)now.offset);
	else
		ea_store_seterr(s, "%s: the position of this log was removed while importing it", s->path);
	return EA_STORE_CONFLICT;
}

int ea_store_write(struct ea_store *s, const struct ea_batch *b)
{
	int rc;

	if ((rc = step_done(s, ST_BEGIN, "starting a transaction")))
		return rc;
	if (b->log && b->log_cas && (rc = check_logpos(s, b)))
		goto out;
	if ((rc = ea_store_write_hits(s, b->hits, b->nhits)))
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
	ea_store_write_done(s, rc == EA_STORE_OK);
	return rc;
}

int ea_store_expire(struct ea_store *s, time_t now, unsigned days,
		    uint64_t *deleted)
{
	static const enum stmt which[] = { ST_EXPIRE, ST_EXPIRE_CLIENTS, ST_EXPIRE_USERS };
	sqlite3_int64 cutoff = (sqlite3_int64)now - (sqlite3_int64)days * 86400;
	uint64_t n = 0;
	int rc = EA_STORE_OK;

	if (deleted)
		*deleted = 0;
	for (size_t i = 0; i < sizeof which / sizeof which[0] && rc == EA_STORE_OK; i++) {
		sqlite3_bind_int64(s->st[which[i]], 1, cutoff);
		rc = step_done(s, which[i], "deleting old rows");
		if (rc == EA_STORE_OK)
			n += (uint64_t)sqlite3_changes(s->db);
	}
	if (deleted)
		*deleted = n;
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
		r.client = "";
		r.user = "";
		if (ea_outcome_parse(col_text(st, 5), &r.outcome))
			r.outcome = EA_OUTCOME_UNKNOWN;
		if (ea_source_parse(col_text(st, 6), &r.source))
			r.source = EA_SOURCE_ICAP;
		r.count = (uint64_t)sqlite3_column_int64(st, 7);
		r.first_seen = (time_t)sqlite3_column_int64(st, 8);
		r.last_seen = (time_t)sqlite3_column_int64(st, 9);
		if ((stop = fn(&r, ctx)))
			break;
	}
	if (!stop && rc != SQLITE_DONE) {
		rc = ea_store_fail(s, "reading hits");
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
		rc = ea_store_fail(s, "reading counters");
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
		rc = ea_store_fail(s, "reading a counter");
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
		rc = ea_store_fail(s, "reading a log position");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* One integer from a one-row query; *value 0 when the result is NULL. */
static int query_int64(struct ea_store *s, const char *sql, const char *what, int64_t *value)
{
	sqlite3_stmt *st;
	int rc;

	*value = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ea_store_fail(s, what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		rc = ea_store_fail(s, what);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? EA_STORE_OK : rc;
}

int ea_store_last_hit(struct ea_store *s, const char *source, time_t *when)
{
	int64_t v;
	int rc;

	/* source is one of two constants, never user input. */
	rc = query_int64(s, strcmp(source, "log") == 0
			 ? "SELECT max(last_seen) FROM traffic"
			   " WHERE log_allowed + log_denied + log_failed + log_unknown > 0"
			 : "SELECT max(last_seen) FROM traffic"
			   " WHERE icap_requested + icap_allowed + icap_denied + icap_failed > 0",
			 "reading the last hit", &v);
	*when = (time_t)v;
	return rc;
}

int ea_store_last_import(struct ea_store *s, time_t *when)
{
	int64_t v;
	int rc = query_int64(s, "SELECT max(updated) FROM log_files", "reading the last import", &v);

	*when = (time_t)v;
	return rc;
}
