/* The write path for the c-icap module: request threads copy hits into a
 * bounded in-memory ring and never wait on disk; one writer thread per
 * process drains it in batched transactions, survives database errors, and
 * counts (and persists the count of) every hit it could not keep. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define BUSY_ATTEMPTS 3
#define REPORT_EVERY_MS 60000
#define EXTRA_COUNTERS 4 /* counters a program adds (log_malformed) */

enum drop { DROP_QUEUE_FULL, DROP_DB_BUSY, DROP_DB_FULL, DROP_DB_ERROR, DROP_SHUTDOWN, DROP_N };

static const char *const drop_names[DROP_N] = {
	[DROP_QUEUE_FULL] = EA_COUNTER_QUEUE_FULL,
	[DROP_DB_BUSY] = EA_COUNTER_DB_BUSY,
	[DROP_DB_FULL] = EA_COUNTER_DB_FULL,
	[DROP_DB_ERROR] = EA_COUNTER_DB_ERROR,
	[DROP_SHUTDOWN] = EA_COUNTER_SHUTDOWN,
};

struct ea_store_queue {
	char *path;
	char *proxy_name;
	struct ea_store_queue_options opt;

	pthread_mutex_t mu;
	pthread_cond_t wake;       /* the writer waits on it */
	pthread_cond_t done;       /* flushers wait on it */
	struct ea_hit *ring;       /* capacity slots, count used from head */
	size_t head, count;
	size_t take_max;            /* min(batch, capacity) */
	uint64_t enqueued;         /* hits ever accepted */
	uint64_t settled;          /* hits taken and written or counted dropped */
	uint64_t txn_started, txn_finished;
	uint64_t flush_req, open_failed_req;
	int last_rc;
	bool stop;
	pthread_t thread;

	/* Shared without the mutex. */
	atomic_uint_fast64_t unsaved_queue_full; /* push drops not yet in the db */
	atomic_uint_fast64_t dropped;            /* every hit dropped, any reason */
	/* Counters the program adds (ea_store_queue_add_counter); under mu. */
	const char *extra_names[EXTRA_COUNTERS];
	uint64_t extra_unsaved[EXTRA_COUNTERS];
	atomic_bool abort;          /* shutdown ran out of time: stop waiting */
	bool finished;              /* the writer is done; under mu */

	/* The writer thread's own. */
	struct ea_store *store;
	struct ea_hit *batch;
	uint64_t unsaved[DROP_N];
	uint64_t reopen_at, expire_at, reported_at;
	bool failing;
	uint64_t full_unreported, full_reported_at; /* queue_full drops, said once a minute */
	uint64_t extra_taken[EXTRA_COUNTERS];       /* taken from extra_unsaved, not yet written */

	bool started;               /* the writer thread runs: a failed
				       ea_store_queue_new leaves it false */
	char errmsg[EA_ERRMSG_MAX];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct timespec abs_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000 };
	return ts;
}

__attribute__((format(printf, 3, 4)))
static void report(struct ea_store_queue *q, enum ea_store_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!q->opt.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	q->opt.log(q->opt.log_ctx, level, msg);
}

/* A failure is reported when it starts and then at most once a minute, so a
 * full disk does not flood the log with a line per flush. */
static bool should_report_failure(struct ea_store_queue *q)
{
	uint64_t now = now_ms();

	if (q->failing && now - q->reported_at < REPORT_EVERY_MS)
		return false;
	q->failing = true;
	q->reported_at = now;
	return true;
}

static uint64_t total_unsaved(struct ea_store_queue *q)
{
	uint64_t n = 0;

	for (int i = 0; i < DROP_N; i++)
		n += q->unsaved[i];
	return n;
}

/* Push drops happen on request threads, which must not log: the writer
 * says them, with their count, when they start and then at most once a
 * minute (and a last time at shutdown), in the unit the counter has. */
static void report_queue_full(struct ea_store_queue *q, bool final)
{
	uint64_t now = now_ms();

	if (!q->full_unreported)
		return;
	if (!final && q->full_reported_at && now - q->full_reported_at < REPORT_EVERY_MS)
		return;
	report(q, EA_STORE_LOG_ERROR, "%s: %llu hits dropped%s: the queue of %zu hits was full"
	       " (counted as %s)", q->path, (unsigned long long)q->full_unreported,
	       q->full_reported_at ? " since the last message" : "", q->opt.capacity,
	       EA_COUNTER_QUEUE_FULL);
	q->full_unreported = 0;
	q->full_reported_at = now;
}

/* Move what ea_store_queue_add_counter added into this thread's hands, to
 * go with the next transaction; mutex held. */
static void take_extra(struct ea_store_queue *q)
{
	for (int i = 0; i < EXTRA_COUNTERS; i++) {
		q->extra_taken[i] += q->extra_unsaved[i];
		q->extra_unsaved[i] = 0;
	}
}

static bool extra_pending(struct ea_store_queue *q)
{
	for (int i = 0; i < EXTRA_COUNTERS; i++)
		if (q->extra_taken[i])
			return true;
	return false;
}

static void recovered(struct ea_store_queue *q)
{
	if (!q->failing)
		return;
	q->failing = false;
	report(q, EA_STORE_LOG_INFO, "%s: writing again", q->path);
}

static void try_open(struct ea_store_queue *q)
{
	struct ea_store_options so = q->opt.store;
	int rc;

	so.proxy_name = q->proxy_name;
	if (atomic_load(&q->abort))
		return;
	rc = ea_store_open(q->path, &so, &q->store);
	if (rc != EA_STORE_OK) {
		q->reopen_at = now_ms() + q->opt.reopen_ms;
		q->last_rc = rc;
		if (should_report_failure(q))
			report(q, EA_STORE_LOG_ERROR, "%s; hits are queued in memory and"
			       " counted when dropped; retrying every %u ms",
			       ea_store_errmsg(q->store), q->opt.reopen_ms);
		ea_store_close(q->store);
		q->store = NULL;
		return;
	}
	ea_store_set_abort_flag(q->store, &q->abort);
	q->expire_at = now_ms();
	recovered(q);
}

static void close_store(struct ea_store_queue *q)
{
	ea_store_close(q->store);
	q->store = NULL;
	q->reopen_at = now_ms() + q->opt.reopen_ms;
}

/* Persist the drop counters alone, after a batch failed: a row update may
 * still fit where new hits did not. Kept for the next flush otherwise. */
static int write_counters(struct ea_store_queue *q, struct ea_counter_add *c, size_t nc)
{
	struct ea_batch b = { .counters = c, .ncounters = nc };
	int rc;

	if (!nc || !q->store)
		return EA_STORE_OK;
	rc = ea_store_write(q->store, &b);
	if (rc == EA_STORE_OK) {
		memset(q->unsaved, 0, sizeof q->unsaved);
		memset(q->extra_taken, 0, sizeof q->extra_taken);
	}
	return rc;
}

/* Every unsaved count, drops and the program's own, as counter rows. */
static size_t counter_rows(struct ea_store_queue *q, struct ea_counter_add *c)
{
	size_t n = 0;

	for (int i = 0; i < DROP_N; i++)
		if (q->unsaved[i])
			c[n++] = (struct ea_counter_add){ drop_names[i], q->unsaved[i] };
	for (int i = 0; i < EXTRA_COUNTERS; i++)
		if (q->extra_taken[i])
			c[n++] = (struct ea_counter_add){ q->extra_names[i], q->extra_taken[i] };
	return n;
}

/* Before each batch: a database moved or deleted under us (an archive by
 * mv, an rm) is noticed, said, left to whoever moved it, and a new one is
 * created at the path; the event is counted there (db_moved). */
static void check_moved(struct ea_store_queue *q)
{
	if (!q->store || !ea_store_moved(q->store))
		return;
	report(q, EA_STORE_LOG_ERROR, "%s: the database file was moved or deleted while open;"
	       " writing to a new database at that path (counted as %s)", q->path,
	       EA_COUNTER_DB_MOVED);
	ea_store_close(q->store);
	q->store = NULL;
	try_open(q);
	pthread_mutex_lock(&q->mu);
	for (int i = 0; i < EXTRA_COUNTERS; i++) {
		if (!q->extra_names[i])
			q->extra_names[i] = EA_COUNTER_DB_MOVED;
		if (strcmp(q->extra_names[i], EA_COUNTER_DB_MOVED) == 0) {
			q->extra_taken[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&q->mu);
}

/* One transaction: n hits from q->batch plus every unsaved drop count. */
static int write_batch(struct ea_store_queue *q, size_t n, uint64_t deadline)
{
	struct ea_counter_add c[DROP_N + EXTRA_COUNTERS];
	struct ea_batch b = { .hits = q->batch, .nhits = n, .counters = c };
	enum drop why;
	uint64_t full;
	int rc = EA_STORE_BUSY;

	full = atomic_exchange(&q->unsaved_queue_full, 0);
	q->unsaved[DROP_QUEUE_FULL] += full;
	q->full_unreported += full;
	report_queue_full(q, false);
	check_moved(q);
	b.ncounters = counter_rows(q, c);
	if (!q->store) {
		/* Moved, and a new database could not be made (said). */
		q->unsaved[DROP_DB_ERROR] += n;
		atomic_fetch_add(&q->dropped, n);
		return EA_STORE_BROKEN;
	}

	/* Each attempt waits up to the busy timeout inside SQLite; a batch is
	 * dropped only when the lock stays taken for several of them. */
	for (int attempt = 0; attempt < BUSY_ATTEMPTS; attempt++) {
		rc = ea_store_write(q->store, &b);
		if (rc != EA_STORE_BUSY || now_ms() >= deadline || atomic_load(&q->abort))
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
	}
	if (rc == EA_STORE_OK) {
		memset(q->unsaved, 0, sizeof q->unsaved);
		memset(q->extra_taken, 0, sizeof q->extra_taken);
		recovered(q);
		return rc;
	}

	why = rc == EA_STORE_BUSY ? DROP_DB_BUSY : rc == EA_STORE_FULL ? DROP_DB_FULL
									 : DROP_DB_ERROR;
	q->unsaved[why] += n;
	atomic_fetch_add(&q->dropped, n);
	if (should_report_failure(q))
		report(q, EA_STORE_LOG_ERROR, "%s; %zu hits dropped and counted as %s"
		       " (%llu drops not yet recorded)", ea_store_errmsg(q->store), n, drop_names[why],
		       (unsigned long long)total_unsaved(q));
	if (rc == EA_STORE_BROKEN) {
		close_store(q);
		return rc;
	}
	if (n)
		write_counters(q, c, counter_rows(q, c));
	return rc;
}

/* The writer's maintenance after each transaction: compaction of the
 * buckets that closed (an in-memory check until one has), and retention
 * once an interval. */
static void maybe_expire(struct ea_store_queue *q)
{
	uint64_t deleted;

	if (q->store && ea_store_compact(q->store, time(NULL), NULL))
		report(q, EA_STORE_LOG_WARNING, "%s (compaction will be retried)",
		       ea_store_errmsg(q->store));
	if (!q->store || !q->opt.retention_days || now_ms() < q->expire_at)
		return;
	q->expire_at = now_ms() + (uint64_t)q->opt.expire_interval_s * 1000;
	if (ea_store_expire(q->store, time(NULL), q->opt.retention_days, &deleted))
		report(q, EA_STORE_LOG_WARNING, "%s (retention will be retried)",
		       ea_store_errmsg(q->store));
}

/* Take up to a batch from the ring; with the mutex held. */
static size_t take(struct ea_store_queue *q)
{
	size_t n = q->count < q->take_max ? q->count : q->take_max;

	for (size_t i = 0; i < n; i++)
		q->batch[i] = q->ring[(q->head + i) % q->opt.capacity];
	q->head = (q->head + n) % q->opt.capacity;
	q->count -= n;
	return n;
}

/* Count what is still queued when shutdown ran out of time; mutex held. */
static void drop_remaining(struct ea_store_queue *q)
{
	size_t n = q->count;

	if (!n)
		return;
	q->count = 0;
	q->settled += n;
	q->unsaved[DROP_SHUTDOWN] += n;
	atomic_fetch_add(&q->dropped, n);
	if (!q->store)
		/* Not a timeout: the database never opened (said already). */
		report(q, EA_STORE_LOG_ERROR, "%s: stopping without a database; %zu queued"
		       " hits dropped (as %s)", q->path, n, EA_COUNTER_SHUTDOWN);
	else
		report(q, EA_STORE_LOG_ERROR, "%s: shutdown timed out; %zu queued hits dropped"
		       " and counted as %s", q->path, n, EA_COUNTER_SHUTDOWN);
}

static bool counters_pending(struct ea_store_queue *q)
{
	return total_unsaved(q) || atomic_load(&q->unsaved_queue_full) || extra_pending(q);
}

/* Write batches until the queue is empty, a write fails (then wait for the
 * next interval rather than spin), or shutdown runs out of time. Called and
 * returns with the mutex held. */
static int drain(struct ea_store_queue *q, bool flushing, uint64_t stop_deadline)
{
	int rc = EA_STORE_OK;

	do {
		uint64_t id, deadline = now_ms() + (uint64_t)q->opt.store.busy_timeout_ms * BUSY_ATTEMPTS;
		bool stopping;
		size_t n;

		if (q->stop && now_ms() >= stop_deadline)
			break;
		take_extra(q);
		if (!q->count && !flushing && !counters_pending(q))
			break;
		flushing = false;
		n = take(q);
		id = ++q->txn_started;
		stopping = q->stop;
		pthread_mutex_unlock(&q->mu);
		if (stopping) {
			/* Bound each transaction by what is left of the shutdown. */
			uint64_t now = now_ms(), left = stop_deadline > now ? stop_deadline - now : 1;

			if (left < deadline - now)
				deadline = now + left;
			ea_store_set_busy_timeout(q->store, (unsigned)(deadline - now));
		}
		rc = write_batch(q, n, deadline);
		maybe_expire(q);
		pthread_mutex_lock(&q->mu);
		q->settled += n;
		q->txn_finished = id;
		q->last_rc = rc;
		pthread_cond_broadcast(&q->done);
	} while (rc == EA_STORE_OK && q->store && q->count);
	return rc;
}

/* Shutdown: whatever is still queued is counted, and one last short
 * attempt is made to record the counts. Mutex held. */
static void finish(struct ea_store_queue *q)
{
	drop_remaining(q);
	take_extra(q);
	pthread_mutex_unlock(&q->mu);
	if (q->store && counters_pending(q)) {
		ea_store_set_busy_timeout(q->store, 500);
		if (write_batch(q, 0, now_ms() + 500) != EA_STORE_OK || counters_pending(q))
			report(q, EA_STORE_LOG_ERROR, "%s: %llu dropped hits could not be"
			       " recorded in the database", q->path,
			       (unsigned long long)total_unsaved(q));
	} else if (counters_pending(q)) {
		uint64_t full = atomic_exchange(&q->unsaved_queue_full, 0);

		q->unsaved[DROP_QUEUE_FULL] += full;
		q->full_unreported += full;
		report(q, EA_STORE_LOG_ERROR, "%s: %llu dropped hits could not be recorded"
		       " in the database", q->path, (unsigned long long)total_unsaved(q));
	}
	report_queue_full(q, true);
	ea_store_close(q->store);
	q->store = NULL;
	pthread_mutex_lock(&q->mu);
	q->settled = q->enqueued;
	q->finished = true;
	pthread_cond_broadcast(&q->done);
}

static void *writer(void *arg)
{
	struct ea_store_queue *q = arg;
	uint64_t flush_at, stop_deadline = 0, seen = 0;
	bool backoff = false; /* the last write failed: wait for the interval */

	try_open(q);
	maybe_expire(q);
	flush_at = now_ms() + q->opt.flush_ms;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		uint64_t now, req;
		int rc;

		/* Sleep until the batch fills, the interval ends, someone
		 * flushes or stops us, or it is time to reopen. */
		for (;;) {
			uint64_t wake_at = q->store ? flush_at : q->reopen_at;
			struct timespec ts;

			now = now_ms();
			if (q->stop || q->flush_req != seen || now >= wake_at)
				break;
			if (q->store && q->count >= q->opt.batch && !backoff)
				break;
			ts = abs_ms(wake_at);
			pthread_cond_timedwait(&q->wake, &q->mu, &ts);
		}
		req = q->flush_req;
		if (q->stop && !stop_deadline)
			stop_deadline = now + q->opt.shutdown_ms;

		if (!q->store) {
			pthread_mutex_unlock(&q->mu);
			try_open(q);
			maybe_expire(q);
			pthread_mutex_lock(&q->mu);
			if (!q->store) {
				q->open_failed_req = req;
				seen = req;
				pthread_cond_broadcast(&q->done);
				if (q->stop)
					break;
				continue;
			}
		}
		rc = drain(q, req != seen, stop_deadline);
		backoff = rc != EA_STORE_OK;
		seen = req;
		flush_at = now_ms() + q->opt.flush_ms;
		if (q->stop && (!q->count || now_ms() >= stop_deadline || rc != EA_STORE_OK))
			break;
	}
	finish(q);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static size_t or_default(size_t v, size_t def)
{
	return v ? v : def;
}

int ea_store_queue_new(const char *path, const struct ea_store_queue_options *opt,
		       struct ea_store_queue **out)
{
	struct ea_store_queue *q = calloc(1, sizeof *q);
	pthread_condattr_t ca;
	int e;

	if (!(*out = q))
		return EA_STORE_NOMEM;
	if (opt)
		q->opt = *opt;
	q->opt.capacity = or_default(q->opt.capacity, 8192);
	q->opt.batch = or_default(q->opt.batch, 512);
	/* A batch larger than the queue never fills: the writer then runs on
	 * the interval only. Transactions still hold at most a queueful. */
	q->take_max = q->opt.batch < q->opt.capacity ? q->opt.batch : q->opt.capacity;
	q->opt.flush_ms = (unsigned)or_default(q->opt.flush_ms, 1000);
	q->opt.reopen_ms = (unsigned)or_default(q->opt.reopen_ms, 5000);
	q->opt.shutdown_ms = (unsigned)or_default(q->opt.shutdown_ms, 5000);
	q->opt.expire_interval_s = (unsigned)or_default(q->opt.expire_interval_s, 3600);
	q->opt.store.busy_timeout_ms = (unsigned)or_default(q->opt.store.busy_timeout_ms, 5000);
	q->path = strdup(path);
	q->proxy_name = q->opt.store.proxy_name ? strdup(q->opt.store.proxy_name) : NULL;
	q->opt.store.proxy_name = NULL;
	q->ring = calloc(q->opt.capacity, sizeof *q->ring);
	q->batch = calloc(q->take_max, sizeof *q->batch);
	if (!q->path || !q->ring || !q->batch || (opt && opt->store.proxy_name && !q->proxy_name)) {
		ea_errmsg_set(q->errmsg, "%s: out of memory for the hit queue", path);
		return EA_STORE_NOMEM;
	}

	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->wake, &ca);
	pthread_cond_init(&q->done, &ca);
	pthread_condattr_destroy(&ca);
	if ((e = pthread_create(&q->thread, NULL, writer, q)) != 0) {
		ea_errmsg_set(q->errmsg, "%s: cannot start the writer thread: %s", path, strerror(e));
		pthread_cond_destroy(&q->wake);
		pthread_cond_destroy(&q->done);
		pthread_mutex_destroy(&q->mu);
		return EA_STORE_ERROR;
	}
	q->started = true;
	return EA_STORE_OK;
}

const char *ea_store_queue_errmsg(const struct ea_store_queue *q)
{
	return q ? q->errmsg : EA_ERRMSG_NOMEM;
}

int ea_store_queue_push(struct ea_store_queue *q, const struct ea_hit *hit)
{
	pthread_mutex_lock(&q->mu);
	if (q->count == q->opt.capacity || q->stop) {
		pthread_mutex_unlock(&q->mu);
		atomic_fetch_add(&q->unsaved_queue_full, 1);
		atomic_fetch_add(&q->dropped, 1);
		return EA_STORE_FULL;
	}
	q->ring[(q->head + q->count) % q->opt.capacity] = *hit;
	if (++q->count == q->opt.batch)
		pthread_cond_signal(&q->wake);
	q->enqueued++;
	pthread_mutex_unlock(&q->mu);
	return EA_STORE_OK;
}

int ea_store_queue_flush(struct ea_store_queue *q, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms, target, need, me;
	int rc;

	pthread_mutex_lock(&q->mu);
	target = q->enqueued;
	need = q->txn_started + 1;
	me = ++q->flush_req;
	pthread_cond_signal(&q->wake);
	for (;;) {
		struct timespec ts;

		if (q->settled >= target && q->txn_finished >= need) {
			rc = q->last_rc;
			break;
		}
		if (q->open_failed_req >= me) {
			rc = q->last_rc ? q->last_rc : EA_STORE_ERROR;
			break;
		}
		if (now_ms() >= deadline) {
			rc = EA_STORE_BUSY;
			break;
		}
		ts = abs_ms(deadline);
		pthread_cond_timedwait(&q->done, &q->mu, &ts);
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int ea_store_queue_add_counter(struct ea_store_queue *q, const char *name, uint64_t n)
{
	int rc = EA_STORE_ERROR;

	pthread_mutex_lock(&q->mu);
	for (int i = 0; i < EXTRA_COUNTERS; i++) {
		if (!q->extra_names[i])
			q->extra_names[i] = name;
		if (strcmp(q->extra_names[i], name) == 0) {
			q->extra_unsaved[i] += n;
			rc = EA_STORE_OK;
			break;
		}
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

uint64_t ea_store_queue_dropped(const struct ea_store_queue *q)
{
	return atomic_load(&q->dropped);
}

void ea_store_queue_stop(struct ea_store_queue *q)
{
	uint64_t deadline;

	if (!q || !q->started)
		return;
	q->started = false;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->wake);
	/* The writer watches the deadline between transactions; a wait for a
	 * lock inside one is cut short from here. */
	deadline = now_ms() + q->opt.shutdown_ms;
	while (!q->finished && now_ms() < deadline) {
		struct timespec ts = abs_ms(deadline);

		pthread_cond_timedwait(&q->done, &q->mu, &ts);
	}
	if (!q->finished)
		atomic_store(&q->abort, true);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->done);
	pthread_mutex_destroy(&q->mu);
}

void ea_store_queue_free(struct ea_store_queue *q)
{
	if (!q)
		return;
	ea_store_queue_stop(q);
	free(q->path);
	free(q->proxy_name);
	free(q->ring);
	free(q->batch);
	free(q);
}
