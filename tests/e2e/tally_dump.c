/* tally_dump DB: the store's hits reconciled with tally.h, one line per
 * host and port: "host port requested allowed denied failed unknown", then
 * "total ..." -- what the end-to-end tests compare with what they sent.
 * Rows are keyed by (entry, host, port, client, user) across buckets, so a
 * test that happens to straddle a bucket boundary still counts each request
 * once; --raw prints the rows by source and outcome instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "core/tally.h"

struct key {
	char entry[EA_HIT_ID_MAX], host[EA_HIT_HOST_MAX], client[EA_HIT_CLIENT_MAX], user[EA_HIT_USER_MAX];
	unsigned port;
	struct ea_counts c;
};

struct keys {
	struct key *v;
	size_t n, cap;
	int raw;
};

static int same(const struct key *k, const struct ea_hit_row *r)
{
	return k->port == r->port && strcmp(k->entry, r->entry) == 0 && strcmp(k->host, r->host) == 0 &&
	       strcmp(k->client, r->client) == 0 && strcmp(k->user, r->user) == 0;
}

static int add_row(const struct ea_hit_row *r, void *ctx)
{
	struct keys *ks = ctx;
	struct key *k = NULL;

	if (ks->raw)
		printf("%s %u %s %s %llu\n", r->host, r->port, ea_source_name(r->source),
		       ea_outcome_name(r->outcome), (unsigned long long)r->count);
	for (size_t i = 0; i < ks->n && !k; i++)
		if (same(&ks->v[i], r))
			k = &ks->v[i];
	if (!k) {
		if (ks->n == ks->cap) {
			size_t cap = ks->cap ? ks->cap * 2 : 16;
			struct key *v = realloc(ks->v, cap * sizeof(*v));

			if (!v)
				return 1;
			ks->v = v;
			ks->cap = cap;
		}
		k = &ks->v[ks->n++];
		memset(k, 0, sizeof(*k));
		snprintf(k->entry, sizeof(k->entry), "%s", r->entry);
		snprintf(k->host, sizeof(k->host), "%s", r->host);
		snprintf(k->client, sizeof(k->client), "%s", r->client);
		snprintf(k->user, sizeof(k->user), "%s", r->user);
		k->port = r->port;
	}
	ea_counts_add(&k->c, r);
	return 0;
}

int main(int argc, char **argv)
{
	struct keys ks = { 0 };
	struct ea_tally total = { 0 };
	struct ea_store *s;

	if (argc == 3 && strcmp(argv[1], "--raw") == 0) {
		ks.raw = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: tally_dump [--raw] DB\n");
		return 2;
	}
	if (ea_store_open_readonly(argv[1], &s) != EA_STORE_OK) {
		fprintf(stderr, "tally_dump: %s\n", ea_store_errmsg(s));
		ea_store_close(s);
		return 2;
	}
	if (ea_store_each_hit(s, 0, 0, add_row, &ks) != 0) {
		fprintf(stderr, "tally_dump: %s\n", ea_store_errmsg(s));
		ea_store_close(s);
		free(ks.v);
		return 2;
	}
	for (size_t i = 0; !ks.raw && i < ks.n; i++) {
		struct ea_tally t;

		ea_counts_reconcile(&ks.v[i].c, &t);
		ea_tally_add(&total, &t);
		printf("%s %u %llu %llu %llu %llu %llu\n", ks.v[i].host, ks.v[i].port,
		       (unsigned long long)t.requested, (unsigned long long)t.allowed,
		       (unsigned long long)t.denied, (unsigned long long)t.failed,
		       (unsigned long long)t.unknown);
	}
	if (!ks.raw)
		printf("total - %llu %llu %llu %llu %llu\n", (unsigned long long)total.requested,
		       (unsigned long long)total.allowed, (unsigned long long)total.denied,
		       (unsigned long long)total.failed, (unsigned long long)total.unknown);
	ea_store_close(s);
	free(ks.v);
	return 0;
}
