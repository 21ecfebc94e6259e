/* Helpers for unit tests of the store queue's writer thread: a log callback
 * that keeps what the writer said, and a counter read back from a database.
 * Header-only, as tap.h, for the tests that include it. */
#ifndef EA_TEST_STORE_LOG_H
#define EA_TEST_STORE_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"

/* The writer thread logs while the test reads: one lock for both. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char logged[8192];

__attribute__((unused))
static void capture(void *ctx, enum ea_store_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	pthread_mutex_lock(&log_mu);
	if (strlen(logged) + strlen(msg) + 2 < sizeof(logged)) {
		strcat(logged, msg);
		strcat(logged, "\n");
	}
	pthread_mutex_unlock(&log_mu);
}

/* How many times the log says `what` so far. */
__attribute__((unused))
static int count_said(const char *what)
{
	int n = 0;

	pthread_mutex_lock(&log_mu);
	for (const char *p = logged; (p = strstr(p, what)); p++)
		n++;
	pthread_mutex_unlock(&log_mu);
	return n;
}

__attribute__((unused))
static bool said(const char *what)
{
	return count_said(what) > 0;
}

/* A counter of the database at path, read-only; (uint64_t)-1 when it cannot
 * be read. */
__attribute__((unused))
static uint64_t counter(const char *path, const char *name)
{
	struct ea_store *s;
	uint64_t v = (uint64_t)-1;

	if (ea_store_open_readonly(path, &s) == EA_STORE_OK)
		ea_store_counter(s, name, &v);
	ea_store_close(s);
	return v;
}

#endif
