/* The report's status rule and time arguments, and a model built from a
 * real database written through the store API. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "store/store.h"
#include "tap.h"

static enum ea_status st(uint64_t allowed, uint64_t denied, uint64_t failed, uint64_t unknown,
			 bool retired)
{
	struct ea_tally t = { 0 };

	t.allowed = allowed;
	t.denied = denied;
	t.failed = failed;
	t.unknown = unknown;
	t.requested = allowed + denied + failed + unknown;
	return ea_status_of(&t, retired);
}

static void test_status_rule(void)
{
	is_str(ea_status_name(st(5, 0, 0, 0, false)), "ok", "allowed traffic only is ok");
	is_str(ea_status_name(st(5, 0, 0, 3, false)), "ok", "allowed traffic plus some without outcome is still ok");
	is_str(ea_status_name(st(5, 1, 0, 0, false)), "partial", "allowed and denied traffic is partial");
	is_str(ea_status_name(st(5, 0, 1, 0, false)), "partial", "allowed and failed traffic is partial");
	is_str(ea_status_name(st(0, 2, 0, 0, false)), "blocked", "denied traffic only is blocked");
	is_str(ea_status_name(st(0, 0, 2, 0, false)), "blocked", "failed traffic only is blocked");
	is_str(ea_status_name(st(0, 0, 0, 4, false)), "unverified", "traffic with no outcome recorded is unverified, neither ok nor blocked");
	is_str(ea_status_name(st(0, 0, 0, 0, false)), "never-seen", "no traffic is never-seen");
	is_str(ea_status_name(st(0, 0, 0, 0, true)), "retired", "a retired entry with no traffic is retired");
	is_str(ea_status_name(st(1, 0, 0, 0, true)), "retired-in-use", "a retired entry still requested is retired-in-use");
	is_str(ea_status_name(st(0, 0, 0, 1, true)), "retired-in-use", "a retired entry requested with no outcome is retired-in-use too");
}

static void test_times(void)
{
	time_t now = 1764000000, t = 0;

	ok(ea_report_parse_time("7d", now, false, &t) == 0 && t == now - 7 * 86400, "7d is seven days before now");
	ok(ea_report_parse_time("12h", now, false, &t) == 0 && t == now - 12 * 3600, "12h is twelve hours before now");
	ok(ea_report_parse_time("2w", now, false, &t) == 0 && t == now - 14 * 86400, "2w is two weeks before now");
	ok(ea_report_parse_time("2025-11-24", now, false, &t) == 0 && t == 1763942400, "a date is its UTC midnight");
	ok(ea_report_parse_time("2025-11-24", now, true, &t) == 0 && t == 1763942400 + 86400, "a date as an end includes the whole day");
	ok(ea_report_parse_time("2025-11-24T10:30:00Z", now, false, &t) == 0 && t == 1763942400 + 37800, "an ISO time in UTC is read");
	ok(ea_report_parse_time("2025-11-24T10:30", now, false, &t) == 0 && t == 1763942400 + 37800, "seconds may be left out");
	ok(ea_report_parse_time("@1700000000", now, false, &t) == 0 && t == 1700000000, "@UNIXTIME is read");
	ok(ea_report_parse_time("yesterday", now, false, &t) < 0, "a word is refused");
	ok(ea_report_parse_time("2025-13-01", now, false, &t) < 0, "month 13 is refused");
	ok(ea_report_parse_time("7x", now, false, &t) < 0, "an unknown unit is refused");
	ok(ea_report_parse_time("2025-11-24T25:00", now, false, &t) < 0, "hour 25 is refused");
}

static void test_model(void)
{
	const char *paths[] = { RULES_DIR };
	char dir[] = "/tmp/ea-test-report.XXXXXX", db[64];
	struct ea_store_options opt = { .proxy_name = "unit-proxy" };
	struct ea_catalogue *cat = NULL;
	struct ea_report_options ropt = { .as_of = "2026-01-01", .now = 1764000000 };
	struct ea_report *r = NULL;
	struct ea_diags diags;
	struct ea_hit hits[4];
	struct ea_batch b = { .hits = hits, .nhits = 4 };
	struct ea_store *s;
	const char *dbs[1];
	int rc;

	ea_diags_init(&diags);
	if (!ok(ea_catalogue_load(paths, 1, &cat, &diags) == 0, "the shipped catalogue loads"))
		return;
	if (!mkdtemp(dir))
		return;
	snprintf(db, sizeof(db), "%s/a.db", dir);
	rc = ea_store_open(db, &opt, &s);
	ok(rc == EA_STORE_OK, "a fixture database opens for writing (%s)", ea_store_errmsg(s));
	/* One request to guts2 seen by ICAP at REQMOD and RESPMOD, stored under
	 * two entries (as a host matching two entries is): it must count once. */
	ea_hit_set(&hits[0], 1763990000, "ws-bs16-guts2", "withsecure", "guts2.fsapi.com", 443, "10.0.0.1", "", EA_OUTCOME_UNKNOWN, EA_SOURCE_ICAP);
	ea_hit_set(&hits[1], 1763990001, "ws-bs16-guts2", "withsecure", "guts2.fsapi.com", 443, "10.0.0.1", "", EA_OUTCOME_ALLOWED, EA_SOURCE_ICAP);
	ea_hit_set(&hits[2], 1763990000, "other-entry-id", "withsecure", "guts2.fsapi.com", 443, "10.0.0.1", "", EA_OUTCOME_UNKNOWN, EA_SOURCE_ICAP);
	ea_hit_set(&hits[3], 1763990001, "other-entry-id", "withsecure", "guts2.fsapi.com", 443, "10.0.0.1", "", EA_OUTCOME_ALLOWED, EA_SOURCE_ICAP);
	ok(rc == EA_STORE_OK && ea_store_write(s, &b) == 0, "fixture hits are written");
	ea_store_close(s);
	dbs[0] = db;
	rc = ea_report_build(cat, &ropt, dbs, 1, &r);
	ok(rc == 0, "the report builds (%s)", ea_report_errmsg(r));
	for (size_t i = 0; rc == 0 && i < r->nentries; i++)
		if (strcmp(r->entries[i].entry->id, "ws-bs16-guts2") == 0) {
			is_str(ea_status_name(r->entries[i].status), "ok", "guts2 is ok");
			is_int(r->entries[i].stats.total.requested, 1, "one request counts once across sources and stored entries");
			is_int(r->entries[i].stats.clients, 1, "one distinct client");
		}
	if (rc == 0)
		is_str(r->proxies[0].name, "unit-proxy", "the proxy is named from the store");
	ea_report_free(r);
	ea_catalogue_free(cat);
	ea_diags_clear(&diags);
	unlink(db);
	snprintf(db, sizeof(db), "%s/a.db-wal", dir);
	unlink(db);
	snprintf(db, sizeof(db), "%s/a.db-shm", dir);
	unlink(db);
	rmdir(dir);
}

/* Site scale: random names under *.sophosxl.net, in two databases (one
 * compacted), listed at most max_hosts per entry; the rest is "N more
 * hosts" with its traffic; totals are whole. */
static void test_bounded_hosts(void)
{
	enum { NAMES = 300 };
	const char *paths[] = { RULES_DIR };
	char dir[] = "/tmp/ea-test-report.XXXXXX", db[2][64], host[64];
	struct ea_store_options opt = { .proxy_name = "p", .max_hosts = 10 };
	struct ea_catalogue *cat = NULL;
	struct ea_report_options ropt = { .as_of = "2026-01-01", .now = 1764000000, .max_hosts = 5 };
	struct ea_report *r = NULL;
	struct ea_diags diags;
	static struct ea_hit hits[NAMES + 10];
	const char *dbs[2];
	uint64_t listed = 0, folded = 0;
	int rc;

	ea_diags_init(&diags);
	if (ea_catalogue_load(paths, 1, &cat, &diags) != 0 || !mkdtemp(dir))
		return;
	for (int d = 0; d < 2; d++) {
		struct ea_batch b = { .hits = hits };
		struct ea_store *s;

		snprintf(db[d], sizeof(db[d]), "%s/%d.db", dir, d);
		if (ea_store_open(db[d], &opt, &s) != EA_STORE_OK) {
			ea_store_close(s);
			continue;
		}
		for (int i = 0; i < NAMES; i++) {
			snprintf(host, sizeof(host), "r%d.sophosxl.net", i);
			ea_hit_set(&hits[b.nhits++], 1763990000, "sophos-ep-wildcard-sophosxl-net", "sophos",
				   host, 443, "10.0.0.1", "", EA_OUTCOME_ALLOWED, EA_SOURCE_LOG);
		}
		/* One busy name, three requests. */
		for (int k = 0; k < 3; k++)
			ea_hit_set(&hits[b.nhits++], 1763990000, "sophos-ep-wildcard-sophosxl-net", "sophos",
				   "busy.sophosxl.net", 443, "10.0.0.2", "", EA_OUTCOME_DENIED, EA_SOURCE_LOG);
		ok(ea_store_write(s, &b) == 0, "database %d: 300 random names written", d);
		if (d == 1) {
			ok(ea_store_compact(s, 1764000000, &folded) == 0 && folded == NAMES + 1 - 10,
			   "database 1 is compacted to 10 names (%llu folded)", (unsigned long long)folded);
		}
		ea_store_close(s);
		dbs[d] = db[d];
	}
	rc = ea_report_build(cat, &ropt, dbs, 2, &r);
	ok(rc == 0, "the fleet's report builds (%s)", ea_report_errmsg(r));
	for (size_t i = 0; rc == 0 && i < r->nentries; i++) {
		const struct ea_report_stats *st = &r->entries[i].stats;

		if (strcmp(r->entries[i].entry->id, "sophos-ep-wildcard-sophosxl-net") != 0)
			continue;
		is_int(st->nhosts, 5, "the entry lists its 5 busiest names");
		ok(st->nhosts && strcmp(st->hosts[0].host, "busy.sophosxl.net") == 0 &&
		   st->hosts[0].tally.requested == 6,
		   "the busiest name is among them, its requests from both databases added");
		for (size_t h = 0; h < st->nhosts; h++)
			listed += st->hosts[h].tally.requested;
		is_int(st->total.requested, 2 * (NAMES + 3), "every request is in the entry's total");
		is_int(listed + st->more.requested, st->total.requested,
		       "listed names and \"more hosts\" add up to the total");
		ok(st->more_hosts >= NAMES - 4, "the names not listed are counted (%llu, an upper bound)",
		   (unsigned long long)st->more_hosts);
		is_int(st->clients, 2, "distinct clients are merged across the databases");
		is_int(st->by_proxy[0].requested + st->by_proxy[1].requested, 2 * (NAMES + 3),
		       "each database's share is kept per proxy");
	}
	ea_report_free(r);
	ea_catalogue_free(cat);
	ea_diags_clear(&diags);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
}

int main(void)
{
	test_status_rule();
	test_times();
	test_model();
	test_bounded_hosts();
	return done_testing();
}
