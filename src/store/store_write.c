/* The store's write path: a batch of hits merged in memory into one row per
 * key of traffic (bucket, host, port, entry, vendor), clients (entry,
 * vendor, client) and users (entry, vendor, user), then one upsert per row.
 * Clients and users keep when they were last seen with each outcome, which
 * changes once a bucket per outcome: a handle remembers what it wrote and
 * skips what would change nothing, so their cost does not grow with the
 * request rate (without that, the upserts over (entry, client) made the
 * writer 5 to 14 times slower in make bench-store). */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum kind { K_TRAFFIC, K_CLIENT, K_USER };

/* One row's worth of a batch: the hits that share its key. */
struct agg {
	const struct ea_hit *h; /* the first of them: the key */
	time_t bucket, first, last;
	uint64_t n[EA_STORE_NCOLS];    /* traffic: counts */
	time_t lastof[EA_OUTCOME_UNKNOWN + 1]; /* clients, users: latest per outcome */
};

/* The handle's memory of clients and users written (store_int.h): a
 * fixed-size table of 64-bit key hashes, so its size is bounded whatever
 * the number of clients; a slot lost to a collision costs one write more. */
#define SEEN_SLOTS (1u << 18)
#define SEEN_PROBES 8

struct seen_slot {
	uint64_t key;     /* 0: empty */
	int64_t bucket;
	unsigned flags;   /* outcomes written in that bucket */
};

struct ea_store_seen {
	struct seen_slot slot[SEEN_SLOTS];
	struct seen_slot *pending; /* written by the open transaction */
	size_t npending, cap;
};

int ea_store_column(enum ea_source src, enum ea_outcome o)
{
	static const int icap[] = { 1, 2, 3, 0 }; /* allowed, denied, failed, unknown */
	static const int log[] = { 4, 5, 6, 7 };

	if ((unsigned)o > EA_OUTCOME_UNKNOWN)
		o = EA_OUTCOME_UNKNOWN;
	return src == EA_SOURCE_LOG ? log[o] : icap[o];
}

static const char *who(const struct ea_hit *h, enum kind k)
{
	return k == K_CLIENT ? h->client : h->user;
}

static bool same_key(enum kind k, const struct agg *a, const struct ea_hit *b, time_t bbucket)
{
	const struct ea_hit *h = a->h;

	if (strcmp(h->entry, b->entry) != 0 || strcmp(h->vendor, b->vendor) != 0)
		return false;
	if (k != K_TRAFFIC)
		return strcmp(who(h, k), who(b, k)) == 0;
	return a->bucket == bbucket && h->port == b->port && strcmp(h->host, b->host) == 0;
}

static uint64_t fnv(uint64_t x, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		x = (x ^ *p) * 1099511628211ull; /* FNV-1a */
	return (x ^ 0xff) * 1099511628211ull;
}

static uint64_t key_hash(enum kind k, const struct ea_hit *h, time_t bucket)
{
	uint64_t x = fnv(fnv(1469598103934665603ull, h->entry), h->vendor);

	if (k != K_TRAFFIC)
		return fnv(x, who(h, k));
	return fnv(x ^ (uint64_t)bucket ^ ((uint64_t)h->port << 40), h->host);
}

static struct seen_slot *seen_find(struct ea_store_seen *sn, uint64_t key, bool claim)
{
	size_t base = (size_t)(key & (SEEN_SLOTS - 1));

	for (size_t i = 0; i < SEEN_PROBES; i++) {
		struct seen_slot *sl = &sn->slot[(base + i) & (SEEN_SLOTS - 1)];

		if (sl->key == key || (claim && sl->key == 0))
			return sl;
	}
	return claim ? &sn->slot[base] : NULL;
}

/* Whether the row already says all that this aggregate would add. */
static bool seen_covers(struct ea_store *s, uint64_t key, const struct agg *r, unsigned flags)
{
	struct seen_slot *sl = s->seen ? seen_find(s->seen, key, false) : NULL;

	return sl && sl->bucket == (int64_t)ea_store_bucket_of(r->first, s->bucket_seconds) &&
	       sl->bucket == (int64_t)ea_store_bucket_of(r->last, s->bucket_seconds) &&
	       (flags & ~sl->flags) == 0;
}

static int seen_note(struct ea_store *s, uint64_t key, const struct agg *r, unsigned flags)
{
	struct ea_store_seen *sn = s->seen;

	if (!sn && !(sn = s->seen = calloc(1, sizeof(*sn))))
		return -1;
	if (sn->npending == sn->cap) {
		size_t cap = sn->cap ? sn->cap * 2 : 1024;
		struct seen_slot *v = realloc(sn->pending, cap * sizeof(*v));

		if (!v)
			return -1;
		sn->pending = v;
		sn->cap = cap;
	}
	sn->pending[sn->npending++] = (struct seen_slot){
		key, (int64_t)ea_store_bucket_of(r->last, s->bucket_seconds), flags };
	return 0;
}

void ea_store_write_done(struct ea_store *s, bool committed)
{
	struct ea_store_seen *sn = s->seen;

	if (!sn)
		return;
	for (size_t i = 0; committed && i < sn->npending; i++) {
		const struct seen_slot *p = &sn->pending[i];
		struct seen_slot *sl = seen_find(sn, p->key, true);

		if (sl->key == p->key && sl->bucket == p->bucket) {
			sl->flags |= p->flags;
		} else if (sl->key != p->key || sl->bucket < p->bucket) {
			*sl = *p;
		}
	}
	sn->npending = 0;
}

void ea_store_seen_free(struct ea_store *s)
{
	if (s->seen)
		free(s->seen->pending);
	free(s->seen);
	s->seen = NULL;
}

static void bind_str(sqlite3_stmt *st, int i, const char *v, size_t max)
{
	sqlite3_bind_text(st, i, v, (int)strnlen(v, max), SQLITE_STATIC);
}

static int write_agg(struct ea_store *s, enum kind k, const struct agg *r)
{
	static const enum stmt which[] = { ST_TRAFFIC, ST_CLIENT, ST_USER };
	sqlite3_stmt *st = s->st[which[k]];
	const struct ea_hit *h = r->h;
	int i = 1;

	if (k == K_TRAFFIC) {
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->bucket);
		bind_str(st, i++, h->host, sizeof h->host);
		sqlite3_bind_int(st, i++, h->port);
		bind_str(st, i++, h->entry, sizeof h->entry);
		bind_str(st, i++, h->vendor, sizeof h->vendor);
	} else {
		bind_str(st, i++, h->entry, sizeof h->entry);
		bind_str(st, i++, h->vendor, sizeof h->vendor);
		bind_str(st, i++, who(h, k), k == K_CLIENT ? sizeof h->client : sizeof h->user);
	}
	if (k == K_TRAFFIC) {
		for (int c = 0; c < EA_STORE_NCOLS; c++)
			sqlite3_bind_int64(st, i++, (sqlite3_int64)r->n[c]);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->first);
		sqlite3_bind_int64(st, i, (sqlite3_int64)r->last);
	} else {
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->first);
		sqlite3_bind_int64(st, i++, (sqlite3_int64)r->last);
		for (int o = 0; o <= EA_OUTCOME_UNKNOWN; o++)
			sqlite3_bind_int64(st, i++, (sqlite3_int64)r->lastof[o]);
	}
	return ea_store_step_done(s, which[k], k == K_TRAFFIC ? "recording hits"
				  : k == K_CLIENT ? "recording clients" : "recording users");
}

static int cmp_who(const struct agg *a, const struct agg *b, enum kind k)
{
	int c = strcmp(a->h->entry, b->h->entry);

	if (!c)
		c = strcmp(a->h->vendor, b->h->vendor);
	return c ? c : strcmp(who(a->h, k), who(b->h, k));
}

static int cmp_client(const void *a, const void *b)
{
	return cmp_who(a, b, K_CLIENT);
}

static int cmp_user(const void *a, const void *b)
{
	return cmp_who(a, b, K_USER);
}

/* Under load most hits of a batch repeat a key (the same endpoint and hour,
 * the same client): one upsert per key instead of per hit is what lets one
 * writer keep up. Rows keep the order of their first hit. */
static int write_kind(struct ea_store *s, enum kind k, const struct ea_hit *hits, size_t n,
		      struct agg *rows, uint32_t *slots, size_t nslots)
{
	time_t open_bucket = ea_store_bucket_of(time(NULL), s->bucket_seconds);
	size_t nrows = 0;
	int rc = EA_STORE_OK;

	memset(slots, 0, nslots * sizeof(*slots));
	for (size_t i = 0; i < n; i++) {
		const struct ea_hit *h = &hits[i];
		time_t bucket = k == K_TRAFFIC ? ea_store_bucket_of(h->when, s->bucket_seconds) : 0;
		size_t j;

		if (k != K_TRAFFIC && !who(h, k)[0])
			continue;
		j = key_hash(k, h, bucket) & (nslots - 1);
		while (slots[j] && !same_key(k, &rows[slots[j] - 1], h, bucket))
			j = (j + 1) & (nslots - 1);
		if (!slots[j]) {
			rows[nrows] = (struct agg){ .h = h, .bucket = bucket, .first = h->when,
						    .last = h->when };
			slots[j] = (uint32_t)++nrows;
			/* A closed bucket written again must be compacted again. */
			if (k == K_TRAFFIC && bucket < open_bucket &&
			    (!s->dirty_from || bucket < s->dirty_from))
				s->dirty_from = bucket;
		}
		struct agg *r = &rows[slots[j] - 1];

		r->n[ea_store_column(h->source, h->outcome)]++;
		if ((unsigned)h->outcome <= EA_OUTCOME_UNKNOWN && h->when > r->lastof[h->outcome])
			r->lastof[h->outcome] = h->when;
		if (h->when < r->first)
			r->first = h->when;
		if (h->when > r->last)
			r->last = h->when;
	}
	/* Clients and users are keyed by entry, vendor and name all over a
	 * large table: in key order, each page is visited once per batch. */
	if (k == K_CLIENT)
		qsort(rows, nrows, sizeof(*rows), cmp_client);
	else if (k == K_USER)
		qsort(rows, nrows, sizeof(*rows), cmp_user);
	for (size_t i = 0; i < nrows && rc == EA_STORE_OK; i++) {
		const struct agg *r = &rows[i];
		unsigned flags = 0;
		uint64_t key;

		if (k == K_TRAFFIC) {
			rc = write_agg(s, k, r);
			continue;
		}
		for (int o = 0; o <= EA_OUTCOME_UNKNOWN; o++)
			if (r->lastof[o])
				flags |= 1u << o;
		key = key_hash(k, r->h, 0) * 2 + (k == K_USER);
		key += !key; /* 0 marks an empty slot */
		if (seen_covers(s, key, r, flags))
			continue;
		if ((rc = write_agg(s, k, r)) == EA_STORE_OK && seen_note(s, key, r, flags) < 0) {
			ea_store_seterr(s, "%s: out of memory", s->path);
			rc = EA_STORE_NOMEM;
		}
	}
	return rc;
}

int ea_store_write_hits(struct ea_store *s, const struct ea_hit *hits, size_t n)
{
	struct agg *rows;
	uint32_t *slots;
	size_t nslots = 16;
	int rc = EA_STORE_OK;

	if (n == 0)
		return EA_STORE_OK;
	while (nslots < 2 * n)
		nslots *= 2;
	rows = malloc(n * sizeof(*rows));
	slots = malloc(nslots * sizeof(*slots)); /* row index + 1; 0 = empty */
	if (!rows || !slots) {
		free(rows);
		free(slots);
		ea_store_seterr(s, "%s: out of memory aggregating %zu hits", s->path, n);
		return EA_STORE_NOMEM;
	}
	for (enum kind k = K_TRAFFIC; k <= (getenv("NOCL") && *getenv("NOCL") ? K_TRAFFIC : K_USER) && rc == EA_STORE_OK; k++)
		rc = write_kind(s, k, hits, n, rows, slots, nslots);
	free(rows);
	free(slots);
	return rc;
}
