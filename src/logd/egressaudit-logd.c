/* egressaudit-logd: a Squid logfile_daemon. Squid starts it with the log
 * path as its only argument and writes commands on its stdin (L line, R
 * rotate, F flush, r<n> rotate count, b<n> buffering, O reopen, T truncate).
 * Every line goes to the file first, exactly as Squid's own log_file_daemon
 * writes it; vendor hits are then queued for the store's writer thread.
 * Settings come from a small file (EGRESSAUDIT_LOGD_CONF, else
 * $sysconfdir/egressaudit/logd.conf), since Squid passes no options. */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import/accesslog.h"
#include "import/import.h"
#include "core/audit.h"
#include "core/match.h"
#include "store/store.h"

#ifndef EA_SYSCONFDIR
#define EA_SYSCONFDIR "/etc"
#endif
#define CONF_ENV "EGRESSAUDIT_LOGD_CONF"
#define MAX_PATHS 32
#define BUF_SIZE (EA_LOG_LINE_MAX + 2)   /* command byte, line, newline */
#define DRAIN_MS 3000                    /* reading what is left after SIGTERM */
/* Rotated files kept at most: each R renames this many, so an r<n> with a
 * huge n (a typo, or a hostile pipe) cannot make one R run for hours. */
#define ROTATE_MAX 1000

struct conf {
	char *catalogue[MAX_PATHS];
	size_t ncatalogue;
	char *audit_log[MAX_PATHS];      /* empty: audit every log */
	size_t naudit_log;
	char *database;
	char *proxy_name;
	enum ea_log_format format;
};

struct logd {
	const char *path;
	FILE *fp;
	int rotate_count;    /* Squid's daemon starts at 10; Squid sends r<n> */
	bool buffered;
	bool audit;          /* this log's lines are parsed and recorded */
	struct conf conf;
	struct ea_matcher *matcher;
	struct ea_store_queue *queue;
	uint64_t lines, vendor, hits, malformed, dropped, write_errors;
	struct timespec drain_start; /* when SIGTERM came; zero before */
};

static volatile sig_atomic_t stopping;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* stderr is Squid's cache.log (ipcCreate hands the helper Squid's debug
 * log), so every message names the program. */
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("egressaudit-logd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* ---- configuration ------------------------------------------------------ */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->ncatalogue; i++)
		free(c->catalogue[i]);
	for (size_t i = 0; i < c->naudit_log; i++)
		free(c->audit_log[i]);
	free(c->database);
	free(c->proxy_name);
	memset(c, 0, sizeof(*c));
}

/* "key value" lines, '#' comments. -1 when the file cannot be used; every
 * problem is said with FILE:LINE. */
static int conf_load(const char *file, struct conf *c)
{
	FILE *f = fopen(file, "r");
	char line[4096];
	unsigned n = 0;
	int rc = 0;

	if (!f) {
		say("cannot read the configuration %s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *key, *val;

		n++;
		if (*s == '\0' || *s == '#')
			continue;
		key = s;
		val = s + strcspn(s, " \t");
		if (*val)
			*val++ = '\0';
		val = trim(val);
		if (*val == '\0') {
			say("%s:%u: '%s' needs a value", file, n, key);
			rc = -1;
		} else if (strcmp(key, "catalogue") == 0 || strcmp(key, "audit_log") == 0) {
			bool cat = strcmp(key, "catalogue") == 0;
			size_t *cnt = cat ? &c->ncatalogue : &c->naudit_log;

			if (*cnt == MAX_PATHS) {
				say("%s:%u: more than %d '%s' lines", file, n, MAX_PATHS, key);
				rc = -1;
			} else if (!((cat ? c->catalogue : c->audit_log)[*cnt] = strdup(val))) {
				rc = -1;
			} else {
				++*cnt;
			}
		} else if (strcmp(key, "database") == 0) {
			free(c->database);
			c->database = strdup(val);
		} else if (strcmp(key, "proxy_name") == 0) {
			free(c->proxy_name);
			c->proxy_name = strdup(val);
		} else if (strcmp(key, "format") == 0) {
			if (ea_log_format_parse(val, &c->format) < 0) {
				say("%s:%u: unknown format '%s' (squid, common, combined or egressaudit)", file, n, val);
				rc = -1;
			}
		} else {
			say("%s:%u: unknown setting '%s' (catalogue, database, format, proxy_name, audit_log)", file, n, key);
			rc = -1;
		}
	}
	fclose(f);
	if (rc == 0 && (!c->ncatalogue || !c->database)) {
		say("%s: needs 'catalogue' and 'database'", file);
		rc = -1;
	}
	return rc;
}

/* ---- audit side ----------------------------------------------------------- */


static void queue_log(void *ctx, enum ea_store_log_level level, const char *msg)
{
	(void)ctx;
	say("%s%s", level == EA_STORE_LOG_ERROR ? "error: " : "", msg);
}

/* (Re)load the catalogue; a catalogue with errors leaves the old one. */
static void load_catalogue(struct logd *d)
{
	struct ea_matcher *m;
	struct ea_diags diags;

	ea_diags_init(&diags);
	ea_audit_load((const char *const *)d->conf.catalogue, d->conf.ncatalogue, &m, &diags);
	for (size_t i = 0; i < diags.count; i++) {
		char *line;

		if (diags.items[i].severity != EA_ERROR || !(line = ea_diag_line(&diags.items[i])))
			continue;
		say("%s", line);
		free(line);
	}
	ea_diags_clear(&diags);
	if (!m) {
		say("%s; %s", "the catalogue has errors",
		    d->matcher ? "keeping the one loaded before" : "recording nothing until it loads");
		return;
	}
	if (d->matcher)
		ea_matcher_unref(d->matcher);
	d->matcher = m;
}

static void audit_start(struct logd *d)
{
	const char *file = getenv(CONF_ENV);
	struct ea_store_queue_options qo = { 0 };

	if (!file || !*file)
		file = EA_SYSCONFDIR "/egressaudit/logd.conf";
	if (conf_load(file, &d->conf) < 0) {
		say("%s: writing the log without recording hits", d->path);
		return;
	}
	d->audit = d->conf.naudit_log == 0;
	for (size_t i = 0; i < d->conf.naudit_log; i++)
		if (strcmp(d->conf.audit_log[i], d->path) == 0)
			d->audit = true;
	if (!d->audit)
		return;
	load_catalogue(d);
	qo.store.proxy_name = d->conf.proxy_name;
	qo.log = queue_log;
	if (ea_store_queue_new(d->conf.database, &qo, &d->queue) != EA_STORE_OK) {
		say("%s; writing the log without recording hits", ea_store_queue_errmsg(d->queue));
		ea_store_queue_free(d->queue);
		d->queue = NULL;
		d->audit = false;
	}
}

static void audit_line(struct logd *d, const char *line, size_t len)
{
	struct ea_log_record rec;
	struct ea_hit hits[EA_AUDIT_MAX_HITS];
	const char *why;
	size_t n;

	if (ea_log_parse(d->conf.format, line, len, &rec, &why) < 0) {
		/* Not a hit, but never silent: counted in the database as the
		 * importer counts it, and the first few said, since the usual
		 * cause is a format mismatch. */
		ea_store_queue_add_counter(d->queue, EA_COUNTER_LOG_MALFORMED, 1);
		if (d->malformed++ < 5)
			say("%s: line %llu since start is not in the %s format (%s)", d->path,
			    (unsigned long long)d->lines, ea_log_format_name(d->conf.format), why);
		return;
	}
	if (!rec.has_target || !d->matcher)
		return;
	n = ea_audit_hits(d->matcher, &rec.target, rec.when, rec.client, rec.user, rec.outcome,
			  EA_SOURCE_LOG, hits, sizeof(hits) / sizeof(hits[0]));
	if (n == 0)
		return;
	d->vendor++;
	if (n > sizeof(hits) / sizeof(hits[0]))
		n = sizeof(hits) / sizeof(hits[0]);
	for (size_t i = 0; i < n; i++) {
		if (ea_store_queue_push(d->queue, &hits[i]) == 0)
			d->hits++; /* a failed push is counted by the queue */
	}
}

/* ---- the log file ------------------------------------------------------------ */

static int log_open(struct logd *d)
{
	d->fp = fopen(d->path, "a");
	if (!d->fp) {
		say("cannot open %s: %s", d->path, strerror(errno));
		return -1;
	}
	return 0;
}

static void log_write(struct logd *d, const char *p, size_t n)
{
	if (!d->fp && log_open(d) < 0) {
		d->write_errors++;
		return;
	}
	if (fwrite(p, 1, n, d->fp) != n || ferror(d->fp)) {
		if (d->write_errors++ < 5)
			say("cannot write %s: %s", d->path, strerror(errno));
		clearerr(d->fp);
	}
}

/* Squid's rotate(): PATH.(n-2) -> PATH.(n-1) ... PATH -> PATH.0, for
 * logfile_rotate n; with 0 nothing is renamed (an external logrotate has
 * moved the file) and the file is only reopened. */
static void log_rotate(struct logd *d)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (d->fp) {
		fclose(d->fp);
		d->fp = NULL;
	}
	for (int i = d->rotate_count; i > 1;) {
		--i;
		snprintf(from, sizeof(from), "%s.%d", d->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", d->path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			say("cannot rename %s to %s: %s", from, to, strerror(errno));
	}
	if (d->rotate_count > 0) {
		snprintf(to, sizeof(to), "%s.0", d->path);
		if (rename(d->path, to) < 0 && errno != ENOENT)
			say("cannot rename %s to %s: %s", d->path, to, strerror(errno));
	}
	log_open(d);
}

/* One complete command line (newline included, when there was one). */
static void command(struct logd *d, const char *p, size_t n)
{
	switch (p[0]) {
	case 'L':
		if (n > 1) {
			size_t len = n - 1;

			log_write(d, p + 1, len);
			if (!d->buffered && d->fp)
				fflush(d->fp);
			d->lines++;
			if (d->audit) {
				if (p[n - 1] == '\n')
					len--;
				audit_line(d, p + 1, len);
			}
		}
		break;
	case 'R':
		if (d->fp)
			fflush(d->fp);
		log_rotate(d);
		if (d->audit)
			load_catalogue(d);
		break;
	case 'O':
		if (d->fp) {
			fclose(d->fp);
			d->fp = NULL;
		}
		log_open(d);
		break;
	case 'T':
		break; /* as Squid's own daemon: truncating would lose lines */
	case 'F':
		if (d->fp)
			fflush(d->fp);
		break;
	case 'r': {
		long count = strtol(p + 1, NULL, 10);

		if (count < 0)
			count = 0;
		if (count > ROTATE_MAX && d->rotate_count != ROTATE_MAX) {
			say("%s: rotate count %ld is more than %d; keeping %d rotated files",
			    d->path, count, ROTATE_MAX, ROTATE_MAX);
		}
		if (count > ROTATE_MAX)
			count = ROTATE_MAX;
		d->rotate_count = (int)count;
		break;
	}
	case 'b':
		d->buffered = n > 1 && p[1] == '1';
		break;
	default:
		/* What Squid's daemon does with anything else: keep it. */
		log_write(d, p, n);
		break;
	}
}

/* After SIGTERM: what is left of DRAIN_MS since it came (0: over). Checked
 * between commands too, so a pipe full of slow commands (rotations) cannot
 * hold the daemon past the bound. */
static long drain_left_ms(struct logd *d)
{
	struct timespec now;
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!d->drain_start.tv_sec && !d->drain_start.tv_nsec)
		d->drain_start = now;
	waited = (now.tv_sec - d->drain_start.tv_sec) * 1000 +
		 (now.tv_nsec - d->drain_start.tv_nsec) / 1000000;
	return waited >= DRAIN_MS ? 0 : DRAIN_MS - waited;
}

/* Read stdin until EOF (Squid closed the pipe) or a signal; after a signal
 * keep reading what Squid already wrote, for at most DRAIN_MS. A line
 * longer than the buffer is written through in pieces and not parsed. */
static void run(struct logd *d)
{
	static char buf[BUF_SIZE];
	size_t have = 0;
	bool overlong = false;     /* inside an L line longer than buf */

	for (;;) {
		ssize_t r;
		size_t start = 0;
		char *nl;

		if (stopping) {
			struct pollfd pfd = { .fd = 0, .events = POLLIN };
			long left = drain_left_ms(d);

			if (left == 0 || poll(&pfd, 1, (int)left) <= 0)
				break;
		}
		r = read(0, buf + have, sizeof(buf) - have);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			say("reading from Squid: %s", strerror(errno));
			break;
		}
		if (r == 0)
			break;
		have += (size_t)r;
		while ((nl = memchr(buf + start, '\n', have - start))) {
			size_t n = (size_t)(nl - (buf + start)) + 1;

			if (stopping && drain_left_ms(d) == 0) {
				say("%s: still reading %d ms after the signal; the commands"
				    " left in the pipe are not written", d->path, DRAIN_MS);
				have = start = 0;
				break;
			}
			if (overlong) {
				log_write(d, buf + start, n);
				overlong = false;
			} else {
				command(d, buf + start, n);
			}
			start += n;
		}
		if (start == 0 && have == sizeof(buf)) {
			/* No newline in a full buffer: an over-long line. */
			if (!overlong && buf[0] == 'L') {
				log_write(d, buf + 1, have - 1);
				d->lines++;
				if (d->audit)
					ea_store_queue_add_counter(d->queue, EA_COUNTER_LOG_MALFORMED, 1);
				if (d->audit && d->malformed++ < 5)
					say("%s: line %llu since start is longer than %d bytes; written, not audited",
					    d->path, (unsigned long long)d->lines, EA_LOG_LINE_MAX);
			} else {
				log_write(d, buf, have);
			}
			overlong = true;
			have = 0;
			continue;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (have) {
		/* A last line without newline: still the administrator's. */
		if (overlong)
			log_write(d, buf, have);
		else
			command(d, buf, have);
	}
}

int main(int argc, char **argv)
{
	struct logd d = { .rotate_count = 10, .buffered = true };
	struct sigaction sa;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s LOGFILE\n"
			"  a Squid logfile_daemon; settings in $" CONF_ENV " or "
			EA_SYSCONFDIR "/egressaudit/logd.conf (man egressaudit-logd)\n", argv[0]);
		return 2;
	}
	d.path = argv[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Open the log before anything else can fail: it is the
	 * administrator's, the audit comes second. */
	if (log_open(&d) < 0)
		return 1;
	audit_start(&d);
	run(&d);
	if (d.fp && fclose(d.fp) != 0)
		say("cannot write %s: %s", d.path, strerror(errno));
	if (d.queue) {
		ea_store_queue_stop(d.queue); /* flushes, bounded */
		/* Every hit lost, whatever the reason (a full queue, a
		 * database that failed or never opened, the shutdown bound):
		 * the sum of the database's drop counters for this run. */
		d.dropped = ea_store_queue_dropped(d.queue);
		ea_store_queue_free(d.queue);
	}
	if (d.matcher)
		ea_matcher_unref(d.matcher);
	say("%s: %llu lines written, %llu vendor requests, %llu hits queued, %llu hits dropped, %llu malformed",
	    d.path, (unsigned long long)d.lines, (unsigned long long)d.vendor,
	    (unsigned long long)d.hits, (unsigned long long)d.dropped, (unsigned long long)d.malformed);
	conf_free(&d.conf);
	return 0;
}
