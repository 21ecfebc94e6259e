/* The audit engine: catalogue loading with logged diagnostics, request ->
 * hits, and the last-good snapshot a restarted module falls back to. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "icap/last_good.h"
#include "tap.h"

static int errors_logged;
static char last_line[512];

/* Load as the module does, logging every diagnostic it is given. */
static struct ea_matcher *load(const char *path)
{
	const char *paths[] = { path };
	struct ea_matcher *m;
	struct ea_diags diags;
	int rc;

	ea_diags_init(&diags);
	rc = ea_audit_load(paths, 1, &m, &diags);
	if ((rc < 0) != (m == NULL) || (rc < 0 && !ea_diags_errmsg(&diags)[0]))
		errors_logged += 100; /* breaks the convention: fail the next check */
	for (size_t i = 0; i < diags.count; i++) {
		char *line = ea_diag_line(&diags.items[i]);

		errors_logged += diags.items[i].severity == EA_ERROR;
		snprintf(last_line, sizeof(last_line), "%s", line ? line : "");
		free(line);
	}
	ea_diags_clear(&diags);
	return m;
}

static size_t hits_for(const struct ea_matcher *m, const char *input, struct ea_hit *out, size_t max)
{
	struct ea_target t;
	const char *why;

	if (ea_target_parse(input, strlen(input), &t, &why) < 0)
		return (size_t)-1;
	return ea_audit_hits(m, &t, 1000, "192.0.2.7", "alice", EA_OUTCOME_ALLOWED,
			     EA_SOURCE_ICAP, out, max);
}

static int count_files(const char *dir, const char *want_first)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), files = 0, first_ok = 0;

	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			if (files == 0)
				first_ok = strcmp(names[i]->d_name, want_first) == 0;
			files++;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return first_ok ? files : -files;
}

int main(void)
{
	char tmp[] = "/tmp/test_audit.XXXXXX", snap[256];
	struct ea_matcher *m, *again;
	struct ea_hit hits[8];
	const char *why;
	size_t n;

	m = load(RULES_DIR);
	ok(m != NULL && errors_logged == 0, "the shipped catalogue loads with no error logged");
	if (!m)
		return done_testing();
	n = hits_for(m, "http://D1.sophosupd.com/x", hits, 8);
	ok(n == 2 && strcmp(hits[0].entry, "sophos-ep-d1-sophosupd-com") == 0 &&
	   strcmp(hits[1].entry, "sophos-ep-wildcard-sophosupd-com") == 0,
	   "a vendor host makes one hit per matching entry, most specific first");
	ok(n == 2 && hits[0].port == 80 && strcmp(hits[0].host, "d1.sophosupd.com") == 0 &&
	   strcmp(hits[0].client, "192.0.2.7") == 0 && strcmp(hits[0].user, "alice") == 0 &&
	   strcmp(hits[0].vendor, "sophos") == 0 && hits[0].outcome == EA_OUTCOME_ALLOWED,
	   "a hit carries the canonical host, port, client, user, vendor and outcome");
	n = hits_for(m, "unlisted.f-secure.com:443", hits, 8);
	ok(n == 1 && hits[0].entry[0] == '\0' && strcmp(hits[0].vendor, "withsecure") == 0,
	   "a host under a vendor domain that no entry names makes one uncatalogued hit");
	is_int(hits_for(m, "www.example.org", hits, 8), 0, "an ordinary host makes no hit");
	is_int(hits_for(m, "sophos.com.evil.test", hits, 8), 0, "a lookalike makes no hit");
	is_int(hits_for(m, "d1.sophosupd.com", hits, 1), 2, "the count is returned even when max is smaller");

	ok(load(TEST_DATA "/bad/space-pattern.yaml") == NULL, "a broken catalogue gives no matcher");
	ok(errors_logged == 1 && strstr(last_line, "space-pattern.yaml:8:17: error:") != NULL,
	   "its error reaches the log as FILE:LINE:COLUMN: error:");

	if (!mkdtemp(tmp))
		return done_testing();
	snprintf(snap, sizeof(snap), "%s/last-good", tmp);
	ok(ea_last_good_save(m, snap, &why) == 0, "the last good catalogue is saved");
	is_int(count_files(snap, "000-sophos.yaml"), 2, "one file per catalogue file, numbered in load order");
	again = load(snap);
	ok(again && ea_matcher_catalogue(again)->nentries == ea_matcher_catalogue(m)->nentries,
	   "the snapshot loads into the same catalogue");
	n = again ? hits_for(again, "d1.sophosupd.com", hits, 8) : 0;
	is_int(n, 2, "and matches as the original did");
	ea_matcher_unref(again);

	again = load(TEST_DATA "/good/example.yaml");
	ok(again && ea_last_good_save(again, snap, &why) == 0,
	   "saving again replaces the snapshot");
	is_int(count_files(snap, "000-example.yaml"), 1, "nothing of the previous snapshot is left");
	ea_matcher_unref(again);

	ok(ea_last_good_save(m, "/proc/no/such/dir", &why) < 0 && why && why[0] && errno,
	   "a directory that cannot be written is an error with a reason");
	ea_matcher_unref(m);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			diag("could not remove %s", tmp);
	}
	return done_testing();
}
