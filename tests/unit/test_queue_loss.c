/* Loss an administrator can reconcile: the writer says queue_full drops
 * (with their count, in hits, the counter's unit) as it says every other
 * drop; a queue whose database never opened does not claim a shutdown
 * timeout; a program's own counter (the log daemon's log_malformed) and
 * its drop total come out of the queue exactly. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store_log.h"
#include "tap.h"

int main(void)
{
	char dir[] = "/tmp/ea-queue-loss.XXXXXX", db[256], nowhere[256];
	struct ea_store_queue_options o = { 0 };
	struct ea_store_queue *q;
	struct ea_hit h;
	int rejected = 0;

	if (!mkdtemp(dir))
		return 99;
	snprintf(db, sizeof(db), "%s/a.db", dir);
	snprintf(nowhere, sizeof(nowhere), "%s/missing-dir/a.db", dir);
	ea_hit_set(&h, time(NULL), "e", "v", "h.test", 443, "10.0.0.1", "", EA_OUTCOME_UNKNOWN,
		   EA_SOURCE_ICAP);

	/* A queue of 4 hits and a writer that waits a minute: 6 of 10 pushes
	 * find it full. */
	o.capacity = 4;
	o.batch = 1000;
	o.flush_ms = 60000;
	o.log = capture;
	if (ea_store_queue_new(db, &o, &q) != EA_STORE_OK)
		return 99;
	for (int i = 0; i < 10; i++)
		rejected += ea_store_queue_push(q, &h) != EA_STORE_OK;
	is_int(rejected, 6, "6 of 10 pushes find the queue of 4 full");
	ea_store_queue_add_counter(q, "log_malformed", 3);
	ea_store_queue_add_counter(q, "log_malformed", 2);
	is_int(ea_store_queue_flush(q, 30000), EA_STORE_OK, "the flush writes the 4 hits and the counts");
	is_int(counter(db, EA_COUNTER_QUEUE_FULL), 6, "the queue_full counter is 6");
	if (!ok(said("a.db: 6 hits dropped: the queue of 4 hits was full (counted as queue_full)"),
		"the writer says the 6 queue_full drops, in hits, as the counter counts them"))
		diag("logged: %s", logged);
	is_int(counter(db, "log_malformed"), 5, "a program's own counter (log_malformed) is written: 5");
	is_int(ea_store_queue_dropped(q), 6, "the queue's drop total is 6");
	ea_store_queue_stop(q);
	is_int(ea_store_queue_dropped(q), 6, "and still 6 once stopped");
	ea_store_queue_free(q);

	/* A database that cannot be opened, then shutdown. */
	logged[0] = '\0';
	o.capacity = 0;
	o.shutdown_ms = 500;
	if (ea_store_queue_new(nowhere, &o, &q) != EA_STORE_OK)
		return 99;
	for (int i = 0; i < 3; i++)
		ea_store_queue_push(q, &h);
	ea_store_queue_stop(q);
	ok(!said("shutdown timed out"), "a database that never opened is not called a shutdown timeout");
	if (!ok(said("missing-dir/a.db: stopping without a database; 3 queued hits dropped"),
		"it says that the 3 queued hits were dropped without a database"))
		diag("logged: %s", logged);
	is_int(ea_store_queue_dropped(q), 3, "the queue's drop total is 3");
	ea_store_queue_free(q);

	unlink(db);
	snprintf(nowhere, sizeof(nowhere), "rm -rf %s", dir);
	if (system(nowhere) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
