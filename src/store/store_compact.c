/* Compaction: bound the named hosts of every closed bucket. Per (bucket,
 * entry, vendor) the busiest max_hosts hosts keep their rows; the others
 * are folded into one "other hosts" row per port (host '', folded = how
 * many names), so random names under a wildcard cost a row, not a row each.
 * Counts are never lost; only the quieter names are (doc/store.md). */
#include <stdio.h>
#include <stdlib.h>

#include "store_int.h"

/* A host's weight: the most requests any source saw of it. */
#define WEIGHT "max(icap_requested, icap_allowed + icap_denied + icap_failed," \
	" log_allowed + log_denied + log_failed + log_unknown)"
#define SUM_COLS " sum(icap_requested), sum(icap_allowed), sum(icap_denied)," \
	" sum(icap_failed), sum(log_allowed), sum(log_denied), sum(log_failed)," \
	" sum(log_unknown)"

/* ?1, ?2: the buckets [from, to); ?3: max_hosts. */
static const char *const compact_sql[] = {
	"CREATE TEMP TABLE IF NOT EXISTS fold_hosts (bucket INTEGER, entry TEXT,"
	" vendor TEXT, host TEXT, PRIMARY KEY (bucket, entry, vendor, host)) WITHOUT ROWID",
	"DELETE FROM temp.fold_hosts",
	"INSERT INTO temp.fold_hosts SELECT bucket, entry, vendor, host FROM"
	" (SELECT bucket, entry, vendor, host, row_number() OVER (PARTITION BY bucket,"
	" entry, vendor ORDER BY sum(" WEIGHT ") DESC, host) AS rank"
	" FROM traffic WHERE bucket >= ?1 AND bucket < ?2 AND host <> ''"
	" GROUP BY bucket, entry, vendor, host) WHERE rank > ?3",
	/* WHERE true: an INSERT ... SELECT with an upsert needs a WHERE (the
	 * parser would take ON CONFLICT for a join constraint). */
	"INSERT INTO traffic (bucket, host, port, entry, vendor, " EA_STORE_COLS ","
	" first_seen, last_seen, folded)"
	" SELECT t.bucket, '', t.port, t.entry, t.vendor," SUM_COLS ","
	" min(t.first_seen), max(t.last_seen), count(*)"
	" FROM temp.fold_hosts f JOIN traffic t ON t.bucket = f.bucket AND t.entry = f.entry"
	" AND t.vendor = f.vendor AND t.host = f.host WHERE true"
	" GROUP BY t.bucket, t.entry, t.vendor, t.port"
	" ON CONFLICT (bucket, host, port, entry, vendor) DO UPDATE SET"
	" icap_requested = icap_requested + excluded.icap_requested,"
	" icap_allowed = icap_allowed + excluded.icap_allowed,"
	" icap_denied = icap_denied + excluded.icap_denied,"
	" icap_failed = icap_failed + excluded.icap_failed,"
	" log_allowed = log_allowed + excluded.log_allowed,"
	" log_denied = log_denied + excluded.log_denied,"
	" log_failed = log_failed + excluded.log_failed,"
	" log_unknown = log_unknown + excluded.log_unknown,"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen),"
	" folded = folded + excluded.folded",
	"DELETE FROM traffic WHERE bucket >= ?1 AND bucket < ?2 AND host <> '' AND EXISTS"
	" (SELECT 1 FROM temp.fold_hosts f WHERE f.bucket = traffic.bucket"
	" AND f.entry = traffic.entry AND f.vendor = traffic.vendor AND f.host = traffic.host)",
};

static int run(struct ea_store *s, const char *sql, time_t from, time_t to, uint64_t *changes)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ea_store_fail(s, "preparing compaction");
	if (sqlite3_bind_parameter_count(st) >= 3) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)s->max_hosts);
	} else if (sqlite3_bind_parameter_count(st) == 2) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	}
	rc = sqlite3_step(st);
	if (changes)
		*changes = (uint64_t)sqlite3_changes(s->db);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = ea_store_fail(s, "compacting hosts");
		return rc;
	}
	return EA_STORE_OK;
}

int ea_store_compact(struct ea_store *s, time_t now, uint64_t *folded)
{
	time_t to = ea_store_bucket_of(now, s->bucket_seconds), from, stored;
	char buf[32];
	int rc;

	if (folded)
		*folded = 0;
	/* The common case, every minute in every writer: nothing closed since. */
	if (s->compacted_until >= to && (!s->dirty_from || s->dirty_from >= to))
		return EA_STORE_OK;
	if ((rc = ea_store_step_done(s, ST_BEGIN, "starting compaction")))
		return rc;
	/* Another process may have compacted meanwhile: meta is the truth. */
	if ((rc = ea_store_meta_get(s, "compacted_until", buf, sizeof buf)))
		goto out;
	stored = buf[0] ? (time_t)strtoll(buf, NULL, 10) : 0;
	from = stored;
	if (s->dirty_from && s->dirty_from < from)
		from = s->dirty_from;
	for (size_t i = 0; from < to && i < sizeof compact_sql / sizeof compact_sql[0]; i++) {
		uint64_t n = 0;

		if ((rc = run(s, compact_sql[i], from, to, &n)))
			goto out;
		/* The last statement deletes the folded rows. */
		if (folded && i + 1 == sizeof compact_sql / sizeof compact_sql[0])
			*folded = n;
	}
	if (stored < to) {
		snprintf(buf, sizeof buf, "%lld", (long long)to);
		if ((rc = ea_store_meta_set(s, "compacted_until", buf)))
			goto out;
	}
	rc = ea_store_step_done(s, ST_COMMIT, "committing compaction");
out:
	if (rc) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	s->compacted_until = stored > to ? stored : to;
	s->dirty_from = 0;
	return EA_STORE_OK;
}
