/* The report's queries: the window aggregated in SQLite and streamed, the
 * ICAP and access-log counts reconciled per row in SQL by the rule of
 * src/core/tally.h (ea_counts_reconcile), so no raw row is held in memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The count columns of one stored row under the names the rule uses. */
#define RAW_AS " icap_requested AS ir, icap_allowed AS ia, icap_denied AS id," \
	" icap_failed AS ifl, log_allowed AS la, log_denied AS ld, log_failed AS lf," \
	" log_unknown AS lu, first_seen AS fs, last_seen AS ls"
/* The same request stored under several entries (a host two entries
 * match) is one set of requests: the largest count of each column. */
#define MAX_AS " max(icap_requested) AS ir, max(icap_allowed) AS ia, max(icap_denied) AS id," \
	" max(icap_failed) AS ifl, max(log_allowed) AS la, max(log_denied) AS ld," \
	" max(log_failed) AS lf, max(log_unknown) AS lu, min(first_seen) AS fs," \
	" max(last_seen) AS ls"
#define REC_INPUT " ir, ia, id, ifl, la, ld, lf, lu, fs, ls, la + ld + lf + lu AS lt," \
	" max(ir, ia + id + ifl) AS iseen"
/* ea_counts_reconcile: when the log saw at least as many requests as ICAP,
 * its outcomes stand; otherwise each outcome is the larger source's and the
 * requests the largest total any source saw. Summed over the rows. */
#define RECONCILED \
	" sum(CASE WHEN lt > 0 AND lt >= iseen THEN lt" \
	" ELSE max(ir, lt, max(ia, la) + max(id, ld) + max(ifl, lf)) END)," \
	" sum(CASE WHEN lt > 0 AND lt >= iseen THEN la ELSE max(ia, la) END)," \
	" sum(CASE WHEN lt > 0 AND lt >= iseen THEN ld ELSE max(id, ld) END)," \
	" sum(CASE WHEN lt > 0 AND lt >= iseen THEN lf ELSE max(ifl, lf) END)," \
	" min(fs), max(ls)"
/* ?1 since, ?2 until, ?3 the earliest bucket start that can hold hits
 * after since: the bucket range lets the primary key narrow the scan. */
#define WINDOW " bucket > ?3 AND bucket < ?2 AND last_seen >= ?1 AND first_seen < ?2"

/* Every query yields: entry, vendor, name, port, folded, requested,
 * allowed, denied, failed, first_seen, last_seen; clients and users then
 * last_allowed, last_denied, last_failed, last_unknown. */
static const char *const view_sql[EA_STORE_NVIEWS] = {
	[EA_STORE_HOSTS] =
		"WITH per AS (SELECT host, port, max(vendor) AS vendor," MAX_AS
		" FROM traffic WHERE" WINDOW " AND host <> '' GROUP BY bucket, host, port),"
		" rec AS (SELECT host, port, vendor," REC_INPUT " FROM per)"
		" SELECT '', max(vendor), host, port, 0," RECONCILED
		" FROM rec GROUP BY host, port ORDER BY host, port",
	[EA_STORE_FOLDED] =
		"WITH raw AS (SELECT entry, vendor, port, folded," RAW_AS
		" FROM traffic WHERE" WINDOW " AND host = ''),"
		" rec AS (SELECT entry, vendor, port, folded," REC_INPUT " FROM raw)"
		" SELECT entry, vendor, '', port, sum(folded)," RECONCILED
		" FROM rec GROUP BY entry, vendor, port ORDER BY entry, vendor, port",
	/* Clients and users: first and last seen, and when last seen with
	 * each outcome (to the bucket); no counts (doc/store.md). */
	[EA_STORE_CLIENTS] =
		"SELECT entry, vendor, client, 0, 0, 0, 0, 0, 0, first_seen, last_seen,"
		" last_allowed, last_denied, last_failed, last_unknown FROM clients"
		" WHERE last_seen >= ?1 AND first_seen < ?2 AND ?3 = ?3 ORDER BY entry, vendor, client",
	[EA_STORE_USERS] =
		"SELECT entry, vendor, user, 0, 0, 0, 0, 0, 0, first_seen, last_seen,"
		" last_allowed, last_denied, last_failed, last_unknown FROM users"
		" WHERE last_seen >= ?1 AND first_seen < ?2 AND ?3 = ?3 ORDER BY entry, vendor, user",
	/* The state over time per (entry, vendor, port), to the bucket: each
	 * bucket with an outcome is allowed (something got through) or
	 * refused (denied or failed only); a run of refused buckets starts
	 * where the previous bucket was not refused. failing_since: the first
	 * refused bucket after the last allowed one; recovered_at (only when
	 * not failing): the last allowed bucket that ended a run, and
	 * failing_from the start of that run. doc/report.md. */
	[EA_STORE_TIMELINE] =
		"WITH raw AS (SELECT entry, vendor, port, bucket," RAW_AS
		" FROM traffic WHERE" WINDOW " AND entry <> ''),"
		" rec AS (SELECT entry, vendor, port, bucket," REC_INPUT " FROM raw),"
		" b AS (SELECT entry, vendor, port, bucket,"
		" sum(CASE WHEN lt > 0 AND lt >= iseen THEN la ELSE max(ia, la) END) AS a,"
		" sum(CASE WHEN lt > 0 AND lt >= iseen THEN ld + lf"
		" ELSE max(id, ld) + max(ifl, lf) END) AS r"
		" FROM rec GROUP BY entry, vendor, port, bucket HAVING a > 0 OR r > 0),"
		" w AS (SELECT *, lag(a > 0) OVER (PARTITION BY entry, vendor, port ORDER BY bucket) AS pok,"
		" max(CASE WHEN a > 0 THEN bucket END) OVER (PARTITION BY entry, vendor, port) AS la_all"
		" FROM b),"
		" s AS (SELECT *, CASE WHEN a = 0 AND (pok IS NULL OR pok) THEN bucket END AS run_start,"
		" CASE WHEN a > 0 AND pok = 0 THEN bucket END AS rec_at FROM w),"
		" t AS (SELECT *, max(run_start) OVER (PARTITION BY entry, vendor, port ORDER BY bucket"
		" ROWS UNBOUNDED PRECEDING) AS run,"
		" max(rec_at) OVER (PARTITION BY entry, vendor, port) AS last_rec FROM s)"
		" SELECT entry, vendor, '', port, 0, 0, 0, 0, 0, 0, 0,"
		" coalesce(max(CASE WHEN a > 0 THEN bucket END), 0),"
		" coalesce(max(CASE WHEN r > 0 THEN bucket END), 0),"
		" coalesce(min(CASE WHEN bucket > coalesce(la_all, -1) THEN bucket END), 0),"
		" CASE WHEN max(bucket) = max(la_all) THEN coalesce(max(rec_at), 0) ELSE 0 END,"
		" CASE WHEN max(bucket) = max(la_all)"
		" THEN coalesce(max(CASE WHEN rec_at = last_rec THEN run END), 0) ELSE 0 END"
		" FROM t GROUP BY entry, vendor, port ORDER BY entry, vendor, port",
};

struct ea_store_cursor {
	struct ea_store *s;
	sqlite3_stmt *st;
	enum ea_store_view view;
};

int ea_store_cursor_open(struct ea_store *s, enum ea_store_view view, time_t since,
			 time_t until, struct ea_store_cursor **out)
{
	struct ea_store_cursor *c;
	sqlite3_int64 lo = (sqlite3_int64)since - (sqlite3_int64)s->max_bucket_seconds;

	*out = NULL;
	if ((unsigned)view >= EA_STORE_NVIEWS) {
		ea_store_seterr(s, "%s: no such view %d", s->path, (int)view);
		return EA_STORE_ERROR;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		ea_store_seterr(s, "%s: out of memory", s->path);
		return EA_STORE_NOMEM;
	}
	c->s = s;
	c->view = view;
	if (sqlite3_prepare_v2(s->db, view_sql[view], -1, &c->st, NULL) != SQLITE_OK) {
		int rc = ea_store_fail(s, "preparing the report's query");

		free(c);
		return rc;
	}
	sqlite3_bind_int64(c->st, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(c->st, 2, until > 0 ? (sqlite3_int64)until : INT64_MAX);
	sqlite3_bind_int64(c->st, 3, lo);
	*out = c;
	return EA_STORE_OK;
}

static const char *text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

static uint64_t u64(sqlite3_stmt *st, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);

	return v > 0 ? (uint64_t)v : 0;
}

int ea_store_cursor_next(struct ea_store_cursor *c, struct ea_store_row *row)
{
	sqlite3_stmt *st = c->st;
	struct ea_tally *t = &row->tally;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return ea_store_fail(c->s, "reading the report's rows");
	row->entry = text(st, 0);
	row->vendor = text(st, 1);
	row->name = text(st, 2);
	row->port = (unsigned)sqlite3_column_int(st, 3);
	row->folded = u64(st, 4);
	t->requested = u64(st, 5);
	t->allowed = u64(st, 6);
	t->denied = u64(st, 7);
	t->failed = u64(st, 8);
	/* requested >= allowed + denied + failed by the rule's construction. */
	t->unknown = t->requested - t->allowed - t->denied - t->failed;
	t->first_seen = (time_t)sqlite3_column_int64(st, 9);
	t->last_seen = (time_t)sqlite3_column_int64(st, 10);
	for (int o = 0; o < 4; o++)
		row->last_of[o] = c->view == EA_STORE_CLIENTS || c->view == EA_STORE_USERS
				  ? (time_t)sqlite3_column_int64(st, 11 + o) : 0;
	for (int k = 0; k < EA_STORE_NTIMES; k++)
		row->times[k] = c->view == EA_STORE_TIMELINE
				? (time_t)sqlite3_column_int64(st, 11 + k) : 0;
	return 1;
}

void ea_store_cursor_close(struct ea_store_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	free(c);
}
