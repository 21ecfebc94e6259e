/* The database's life under a running writer: moved away (an archive by
 * mv) or deleted (rm of the file and its -wal and -shm) between batches.
 * The writer notices before its next batch, says so once, writes to a new
 * database at the path and counts the event there (db_moved); the moved
 * file keeps what was written to it; no hit written after is lost. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store_log.h"
#include "tap.h"

static int sum_hits(const struct ea_hit_row *row, void *ctx)
{
	*(uint64_t *)ctx += row->count;
	return 0;
}

/* Hits in the database at path (read-only), or -1 when it cannot be read. */
static long long hits_in(const char *path)
{
	struct ea_store *s;
	uint64_t n = 0;
	long long rc = -1;

	if (ea_store_open_readonly(path, &s) == EA_STORE_OK && ea_store_each_hit(s, 0, 0, sum_hits, &n) == 0)
		rc = (long long)n;
	ea_store_close(s);
	return rc;
}

static void push(struct ea_store_queue *q, int n)
{
	struct ea_hit h;

	ea_hit_set(&h, time(NULL), "e", "v", "h.test", 443, "10.0.0.1", "", EA_OUTCOME_UNKNOWN,
		   EA_SOURCE_ICAP);
	for (int i = 0; i < n; i++)
		ea_store_queue_push(q, &h);
}

static void side(const char *db, const char *suffix, char *out, size_t len)
{
	snprintf(out, len, "%s%s", db, suffix);
}

int main(void)
{
	char dir[] = "/tmp/ea-db-life.XXXXXX", db[256], archive[256], f[300];
	struct ea_store_queue_options o = { 0 };
	struct ea_store_queue *q;

	if (!mkdtemp(dir))
		return 99;
	snprintf(db, sizeof(db), "%s/audit.db", dir);
	snprintf(archive, sizeof(archive), "%s/archive.db", dir);
	o.flush_ms = 60000;
	o.log = capture;
	if (ea_store_queue_new(db, &o, &q) != EA_STORE_OK)
		return 99;

	push(q, 5);
	is_int(ea_store_queue_flush(q, 30000), EA_STORE_OK, "5 hits are written");
	/* What an administrator does to archive it, c-icap running. */
	if (rename(db, archive) != 0)
		return 99;
	push(q, 7);
	is_int(ea_store_queue_flush(q, 30000), EA_STORE_OK, "7 more hits are written after the move");
	is_int(count_said("audit.db: the database file was moved or deleted while open"), 1,
	       "the move is said once");
	is_int(hits_in(archive), 5, "the moved file (archive.db) holds the 5 hits written before");
	is_int(hits_in(db), 7, "a new audit.db holds the 7 written after");
	is_int(counter(db, EA_COUNTER_DB_MOVED), 1, "and counts the move (db_moved 1)");

	/* Deleted, with its WAL and shared memory, as rm would. */
	unlink(db);
	side(db, "-wal", f, sizeof(f));
	unlink(f);
	side(db, "-shm", f, sizeof(f));
	unlink(f);
	push(q, 3);
	is_int(ea_store_queue_flush(q, 30000), EA_STORE_OK, "3 hits are written after the delete");
	is_int(count_said("the database file was moved or deleted while open"), 2, "the delete is said once");
	is_int(hits_in(db), 3, "a new audit.db holds the 3 hits");
	is_int(counter(db, EA_COUNTER_DB_MOVED), 1, "and counts the delete");
	is_int(ea_store_queue_dropped(q), 0, "nothing was dropped");
	ea_store_queue_free(q);

	snprintf(f, sizeof(f), "rm -rf %s", dir);
	if (system(f) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
