/* Test helper: write fixture hits and drop counters into an audit database
 * through the real store API (ea_store_open + ea_store_write), so report
 * tests read what the module and the log importer would have written.
 *
 *   ea_fixture DB [PROXY-NAME] < spec
 *
 * spec lines (fields separated by blanks, "-" for an empty string):
 *   hit WHEN ENTRY VENDOR HOST PORT CLIENT USER OUTCOME SOURCE [COUNT]
 *   rawhit (the same fields)
 *   counter NAME VALUE
 * A rawhit's HOST, CLIENT and USER may hold \xNN escapes and are stored as
 * those bytes, past the canonical form every writer applies: what a
 * database from elsewhere (another version, a tampered file) may hold.
 * WHEN is unix time, or "now-N" seconds before now. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

#define MAX_HITS 100000

static const char *dash(const char *s)
{
	return strcmp(s, "-") == 0 ? "" : s;
}

/* Decode \xNN in place into dst (of cap bytes). */
static void raw_copy(char *dst, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 1 < cap; s++) {
		unsigned v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			dst[o++] = (char)v;
			s += 3;
		} else {
			dst[o++] = *s;
		}
	}
	dst[o] = '\0';
}

int main(int argc, char **argv)
{
	struct ea_store_options opt = { 0 };
	struct ea_counter_add counters[16];
	char names[16][64];
	struct ea_batch b = { 0 };
	struct ea_hit *hits;
	struct ea_store *s;
	char line[2048];
	size_t nhits = 0, ncounters = 0;
	unsigned lineno = 0;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: ea_fixture DB [PROXY-NAME] < spec\n");
		return 2;
	}
	opt.proxy_name = argc == 3 ? argv[2] : NULL;
	hits = calloc(MAX_HITS, sizeof(*hits));
	if (!hits)
		return 2;
	while (fgets(line, sizeof(line), stdin)) {
		char when[32], entry[128], vendor[128], host[300], client[128], user[128];
		char outcome[32], source[32], name[64];
		unsigned port;
		unsigned long long count = 1, value;
		bool raw = strncmp(line, "rawhit ", 7) == 0;
		enum ea_outcome o;
		enum ea_source src;
		time_t t;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "counter %63s %llu", name, &value) == 2 && ncounters < 16) {
			snprintf(names[ncounters], sizeof(names[0]), "%s", name);
			counters[ncounters].name = names[ncounters];
			counters[ncounters++].value = value;
			continue;
		}
		if (sscanf(line + raw * 3, "hit %31s %127s %127s %299s %u %127s %127s %31s %31s %llu",
			   when, entry, vendor, host, &port, client, user, outcome, source, &count) < 9 ||
		    ea_outcome_parse(outcome, &o) < 0 || ea_source_parse(source, &src) < 0 ||
		    port > 65535 || count > MAX_HITS - nhits) {
			fprintf(stderr, "ea_fixture: line %u: cannot parse: %s", lineno, line);
			return 2;
		}
		t = strncmp(when, "now-", 4) == 0 ? time(NULL) - atol(when + 4) : (time_t)atoll(when);
		for (unsigned long long i = 0; i < count; i++) {
			struct ea_hit *h = &hits[nhits++];

			ea_hit_set(h, t, dash(entry), dash(vendor), host, (uint16_t)port,
				   dash(client), dash(user), o, src);
			if (raw) {
				raw_copy(h->host, sizeof(h->host), host);
				raw_copy(h->client, sizeof(h->client), dash(client));
				raw_copy(h->user, sizeof(h->user), dash(user));
			}
		}
	}
	if (ea_store_open(argv[1], &opt, &s) != EA_STORE_OK) {
		fprintf(stderr, "ea_fixture: %s\n", ea_store_errmsg(s));
		ea_store_close(s);
		return 2;
	}
	b.hits = hits;
	b.nhits = nhits;
	b.counters = counters;
	b.ncounters = ncounters;
	rc = ea_store_write(s, &b);
	if (rc < 0)
		fprintf(stderr, "ea_fixture: %s\n", ea_store_errmsg(s));
	ea_store_close(s);
	free(hits);
	return rc < 0 ? 2 : 0;
}
