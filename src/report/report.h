/* The report model: every catalogue entry in scope, with what the audit
 * stores say about it (per listed port, per host, per proxy), a status, the
 * uncatalogued hosts under vendor domains and the stores' drop counters.
 * Built once from a catalogue, an optional site profile and one or more
 * databases (report.c); each output format is one file (report_*.c, the
 * Nagios result report_check.c) that only prints the model; the time
 * arguments are report_time.c's. doc/report.md documents the statuses and
 * the JSON contract. */
#ifndef EA_REPORT_H
#define EA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/catalogue.h"
#include "profile.h"
#include "core/tally.h"

enum ea_status {
	EA_STATUS_BLOCKED,        /* traffic seen, none allowed, some denied/failed */
	EA_STATUS_PARTIAL,        /* some allowed, some denied or failed */
	EA_STATUS_RETIRED_IN_USE, /* past valid_until and still requested */
	EA_STATUS_NEVER_SEEN,     /* no request at all in the window */
	EA_STATUS_UNVERIFIED,     /* requested, but no outcome recorded */
	EA_STATUS_UNCONFIGURED,   /* site-specific, no host in the profile */
	EA_STATUS_OK,             /* allowed, nothing denied or failed */
	EA_STATUS_RETIRED,        /* past valid_until, not requested */
	EA_STATUS_COUNT
};

/* "blocked", "partial", "retired-in-use", "never-seen", "unverified",
 * "unconfigured", "ok", "retired". The enum order is the severity order. */
const char *ea_status_name(enum ea_status s);

/* The status rule (doc/report.md): from a tally, and whether the entry is
 * past its valid_until date. Never ok without allowed traffic, never
 * blocked without denied or failed traffic. */
enum ea_status ea_status_of(const struct ea_tally *t, bool retired);

/* When an entry or port last worked and whether it is failing now, to the
 * bucket (doc/report.md); 0: none. At most one of failing_since and
 * recovered_at is set. */
struct ea_report_timeline {
	time_t last_allowed, last_refused;
	time_t failing_since;  /* refused, nothing allowed since */
	time_t recovered_at;   /* allowed again after a run of refusals */
	time_t failing_from;   /* the start of that run */
};

struct ea_report_port {
	unsigned port;
	bool listed;        /* in the entry's ports (else: seen on another port) */
	bool acknowledged;  /* an exception in force covers this port */
	enum ea_status status;
	struct ea_tally tally;
	struct ea_report_timeline tl;
};

struct ea_report_host {
	char *host;
	struct ea_tally tally;
};

/* What was seen for one entry or one uncatalogued host. */
struct ea_report_stats {
	struct ea_tally total;       /* entries: listed ports only */
	uint64_t clients;            /* distinct non-empty client addresses */
	struct ea_report_port *ports;
	size_t nports, ports_cap;
	struct ea_report_host *hosts; /* concrete hosts seen, by name: the
					 max_hosts busiest of the window */
	size_t nhosts, hosts_cap;
	uint64_t more_hosts;         /* names beyond that list (an upper bound:
					a name folded in several buckets of the
					store counts once per bucket) */
	struct ea_tally more;        /* and their traffic */
	struct ea_tally *by_proxy;   /* one per database, in the order given */
};

struct ea_report_entry {
	const struct ea_entry *entry;
	const struct ea_profile_site *site; /* for site-specific entries */
	enum ea_status status;
	bool retired;                /* as_of is after valid_until */
	/* For a retired exact-host entry: a current entry in scope that names
	 * the same host, so traffic to it is no retired endpoint in use. */
	const struct ea_entry *covered_by;
	const struct ea_profile_ack *ack; /* an exception in force, or NULL */
	struct ea_report_stats stats;
	struct ea_report_timeline tl; /* over the listed ports counted */
};

struct ea_report_uncatalogued {
	char *vendor;
	char *host;
	struct ea_report_stats stats;
};

/* A vendor's uncatalogued hosts beyond the max_hosts busiest listed. */
struct ea_report_more {
	char *vendor;
	uint64_t hosts;              /* how many (an upper bound, as above) */
	uint64_t clients;            /* distinct clients of all the vendor's
					uncatalogued hosts */
	struct ea_tally tally;
};

/* Named hosts listed per entry and per vendor when the options say 0. */
#define EA_REPORT_DEFAULT_MAX_HOSTS 32

/* Drop counter names, in the order the formats print them. */
#define EA_REPORT_NCOUNTERS 5
extern const char *const ea_report_counter_names[EA_REPORT_NCOUNTERS];

struct ea_report_proxy {
	char *name;                  /* the store's proxy name */
	char *database;              /* the path given */
	uint64_t counters[EA_REPORT_NCOUNTERS];
	uint64_t dropped;            /* their sum, and any other counter */
};

struct ea_report {
	char errmsg[EA_ERRMSG_MAX];  /* why ea_report_build failed */
	const struct ea_catalogue *cat;
	const struct ea_profile *profile;
	char as_of[11];
	time_t since, until;         /* 0: open */
	time_t generated;
	struct ea_report_proxy *proxies;
	size_t nproxies;
	struct ea_report_entry *entries; /* catalogue order */
	size_t nentries;
	struct ea_report_uncatalogued *uncatalogued; /* by vendor, host */
	size_t nuncatalogued, uncatalogued_cap;
	struct ea_report_more *uncatalogued_more; /* per vendor seen */
	size_t nuncatalogued_more, uncatalogued_more_cap;
	size_t max_hosts;
	size_t by_status[EA_STATUS_COUNT];
	size_t required_by_status[EA_STATUS_COUNT];
	size_t acknowledged;         /* entries with an exception in force */
	long max_source_age;         /* days; older vendor lists are stale */
};

struct ea_report_options {
	const struct ea_profile *profile; /* NULL: everything in scope */
	const char *as_of;           /* YYYY-MM-DD; NULL: today (local time) */
	time_t since, until;         /* hits in [since, until); 0: open */
	time_t now;                  /* 0: time(NULL) */
	size_t max_hosts;            /* 0: EA_REPORT_DEFAULT_MAX_HOSTS */
	long max_source_age;         /* days; 0: EA_REPORT_MAX_SOURCE_AGE */
};

/* A vendor list whose source `updated` date is older than this (days
 * before as_of) is reported as stale: vendors change lists without notice. */
#define EA_REPORT_MAX_SOURCE_AGE 365

/* Read every database (read-only) and build the model. 0, or -1 with the
 * reason (naming the database) in ea_report_errmsg(*out). *out is set
 * either way (NULL only when out of memory) and freed by the caller; a
 * report that failed to build is only good for its message. */
int ea_report_build(const struct ea_catalogue *cat, const struct ea_report_options *opt,
		    const char *const *databases, size_t ndatabases,
		    struct ea_report **out);
const char *ea_report_errmsg(const struct ea_report *r);
void ea_report_free(struct ea_report *r);

/* report_time.c. --since/--until: YYYY-MM-DD (UTC midnight; end_of_day moves it to the
 * next midnight, so "--until DATE" includes that day), YYYY-MM-DDTHH:MM[:SS]
 * (UTC, optional Z), @UNIXTIME, or an age N[smhdw] before now. 0 or -1. */
int ea_report_parse_time(const char *text, time_t now, bool end_of_day, time_t *out);

/* report_check.c: the Nagios/Icinga plugin result. Writes "EGRESSAUDIT OK - ...|perfdata"
 * (and lines naming the problems) and returns 0 OK, 1 WARNING, 2 CRITICAL.
 * Judging the present (window false): CRITICAL when a required entry is
 * failing now (refused, nothing allowed since), WARNING when one is never
 * seen, partial now or retired-in-use. Judging the window's totals (window
 * true, --check-window): CRITICAL when one is blocked, WARNING when never
 * seen, partial or retired-in-use. Entries with an exception in force are
 * left out. */
int ea_report_check(FILE *out, const struct ea_report *r, bool window);

/* The formats; each returns 0, or -1 when writing failed. */
int ea_report_write_text(FILE *out, const struct ea_report *r, bool colour);
int ea_report_write_json(FILE *out, const struct ea_report *r);
int ea_report_write_csv(FILE *out, const struct ea_report *r);
int ea_report_write_html(FILE *out, const struct ea_report *r);
/* Prometheus: one report per proxy (each built from that proxy's database
 * alone), every series labelled with its proxy (doc/metrics.md). */
int ea_report_write_prometheus(FILE *out, const struct ea_report *const *reports, size_t n);

/* Days from the vendor's source `updated` date to the report's as_of, or
 * -1 when the catalogue gives none; *stale when older than max_source_age
 * (report_sources.c). */
long ea_report_source_age(const struct ea_report *r, const struct ea_vendor *v, bool *stale);

/* The timeline in words for the text formats and the check (report_time.c):
 * "blocked since 2026-11-28 14:00 (5 days), last allowed 2026-11-28 13:00"
 * or "recovered 2026-11-30 09:00 after 19 h of failures"; 1, or 0 and
 * nothing written when neither applies. */
int ea_report_timeline_words(const struct ea_report *r, const struct ea_report_timeline *tl,
			     char *buf, size_t len);

/* Shared by the formats: "2026-11-25T10:00:00Z", "" for 0. */
void ea_report_time(time_t t, char buf[32]);

#endif
