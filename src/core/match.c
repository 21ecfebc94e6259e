/* The compiled matcher: exact hosts in an open-addressing hash table, "*."
 * wildcards and in-label globs in a trie of labels read from the right, and
 * PCRE2 (JIT) only for regex entries. A lookup costs a few hash probes per
 * label of the host, whatever the size of the catalogue; the exceptions are
 * the glob labels hanging at one trie node, tried in turn (catalogues hang
 * a handful at any node), and regex entries, each tried. Built once,
 * immutable afterwards, shared between threads and reference-counted. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "match.h"
#include "hash.h"

/* Set in an edge's parent key when its label is a glob: such edges live in
 * the edge table only so that the build can merge equal ones; lookups probe
 * with plain parent ids and so never meet them. */
#define GLOB_EDGE 0x80000000u
#define MIN_SLOTS 16u
/* Final tables are sized to this load (slots = n * 100 / LOAD_PCT), not to
 * a power of two, so memory per pattern does not jump with the catalogue. */
#define LOAD_PCT 55u

/* Slots keep 24 bits of the hash and the key's length (at most 253) in
 * one word, checked before any string compare: 16-byte slots. */
static inline uint32_t tag_len(uint64_t hash, size_t len)
{
	return ((uint32_t)hash & 0xffffff00u) | (uint32_t)len;
}

static inline size_t tag_length(uint32_t tag)
{
	return tag & 0xff;
}

/* Exact hosts. count == 0 marks an empty slot. */
struct exact_slot {
	uint32_t tag;   /* tag_len() of the name */
	uint32_t str;   /* offset into strings */
	uint32_t first; /* the run of entries in pool, in catalogue order */
	uint32_t count;
};

/* Trie edges for every node, keyed by (parent, label). child == 0 marks an
 * empty slot: the root (node 0) is nobody's child. */
struct edge_slot {
	uint32_t tag;    /* tag_len() of the label */
	uint32_t parent; /* | GLOB_EDGE for a glob label */
	uint32_t child;
	uint32_t str;
};

/* A node stands for a suffix of labels, e.g. "sophos.com". */
struct node {
	uint32_t wild_first, wild_count; /* "*." + this suffix */
	uint32_t term_first, term_count; /* globs whose last label leads here */
	uint32_t glob_first, glob_count; /* glob edges to try at this depth */
	uint32_t vendor : 31;            /* 1 + index of the vendor owning this domain, or 0 */
	uint32_t exact_below : 1;        /* some exact host is one label under this suffix */
};

struct glob_edge {
	uint32_t str, len, child;
};

struct regex {
	pcre2_code *code;
	const struct ea_entry *entry;
	bool jit;
};

struct ea_matcher {
	atomic_ulong refs;
	const struct ea_catalogue *cat;
	struct ea_catalogue *owned; /* freed with the matcher (ea_matcher_adopt_catalogue) */
	char *strings;
	const struct ea_entry **pool;
	struct exact_slot *exact;
	uint32_t exact_slots;
	struct edge_slot *edges;
	uint32_t edge_slots;
	struct node *nodes;
	uint32_t nnodes;
	struct glob_edge *globs;
	struct regex *regex;
	size_t nregex;
	/* A one-probe filter on the host's last two labels: a clear bit means
	 * no name pattern can match, which settles most lookups for the cost
	 * of one hash. NULL when some pattern's last two labels are not plain
	 * (a one-label host, a '*' there), so that the filter cannot speak. */
	uint64_t *filter;
	unsigned filter_shift; /* 64 - log2(bits) */
	char errmsg[EA_ERRMSG_MAX];
};

/* The parent key of the shortcut edges, from the root straight to the node
 * of a pattern's last two labels; no node has this id (see new_node). */
#define SHORTCUT (GLOB_EDGE - 1)


/* Where a probe starts: the hash's high half scaled to the table size
 * (a multiply, not a modulo), so that tables need not be powers of two. */
static inline uint32_t slot_of(uint64_t hash, uint32_t nslots)
{
	return (uint32_t)(((hash >> 32) * nslots) >> 32);
}

static inline uint32_t slot_next(uint32_t i, uint32_t nslots)
{
	return i + 1 == nslots ? 0 : i + 1;
}

/* ---- lookup ------------------------------------------------------------- */

/* The output being assembled: up to max entries, total counts them all. */
struct acc {
	const struct ea_entry **out;
	size_t max, n, total;
	size_t gstart; /* where globs begin in out */
};

static void emit_run(struct acc *a, const struct ea_entry *const *run, uint32_t count)
{
	a->total += count;
	for (uint32_t i = 0; i < count && a->n < a->max; i++)
		a->out[a->n++] = run[i];
}

/* Globs may be found at several trie nodes in any order: keep the glob part
 * of out sorted by catalogue position and holding the first ones. */
static void emit_glob(struct acc *a, const struct ea_entry *e)
{
	size_t i;

	a->total++;
	if (a->n < a->max) {
		i = a->n++;
	} else {
		if (a->n == a->gstart || e->index >= a->out[a->n - 1]->index)
			return;
		i = a->n - 1;
	}
	while (i > a->gstart && e->index < a->out[i - 1]->index) {
		a->out[i] = a->out[i - 1];
		i--;
	}
	a->out[i] = e;
}

/* Label i of the host, counted from the left. */
static const char *host_label(const struct ea_host *h, unsigned i, size_t *len)
{
	size_t start = h->label_start[i];
	size_t end = i + 1 < h->nlabels ? (size_t)h->label_start[i + 1] - 1 : h->len;

	*len = end - start;
	return h->name + start;
}

/* Labels are short: a plain loop beats a call to memcmp. */
static inline bool same_label(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline uint32_t edge_probe(const struct ea_matcher *m, uint32_t parent,
				  const char *s, size_t len, uint64_t h)
{
	for (uint32_t i = slot_of(h, m->edge_slots);; i = slot_next(i, m->edge_slots)) {
		const struct edge_slot *e = &m->edges[i];

		if (!e->child)
			return 0;
		if (e->tag == tag_len(h, len) && e->parent == parent &&
		    same_label(m->strings + e->str, s, len))
			return e->child;
	}
}

static inline uint32_t edge_find(const struct ea_matcher *m, uint32_t parent,
				 const char *s, size_t len)
{
	return edge_probe(m, parent, s, len, ea_hash_bytes(s, len, parent));
}

static void walk_globs(const struct ea_matcher *m, const struct ea_host *h,
		       uint32_t id, unsigned depth, bool literal_too, struct acc *a);

static void try_glob_edges(const struct ea_matcher *m, const struct ea_host *h,
			   const struct node *nd, unsigned depth, const char *label,
			   size_t len, struct acc *a)
{
	for (uint32_t g = 0; g < nd->glob_count; g++) {
		const struct glob_edge *ge = &m->globs[nd->glob_first + g];

		if (ea_label_glob(m->strings + ge->str, ge->len, label, len))
			walk_globs(m, h, ge->child, depth + 1, true, a);
	}
}

/* Below a glob edge: the labels left must follow the glob's path exactly
 * (literal or glob labels), and the host must end where a glob ends. */
static void walk_globs(const struct ea_matcher *m, const struct ea_host *h,
		       uint32_t id, unsigned depth, bool literal_too, struct acc *a)
{
	const struct node *nd = &m->nodes[id];
	const char *label;
	size_t len;
	uint32_t child;

	if (depth == h->nlabels) {
		for (uint32_t i = 0; i < nd->term_count; i++)
			emit_glob(a, m->pool[nd->term_first + i]);
		return;
	}
	label = host_label(h, h->nlabels - 1 - depth, &len);
	try_glob_edges(m, h, nd, depth, label, len, a);
	if (literal_too && (child = edge_find(m, id, label, len)) != 0)
		walk_globs(m, h, child, depth + 1, true, a);
}

static void lookup_exact(const struct ea_matcher *m, const struct ea_host *h, struct acc *a)
{
	uint64_t hv = ea_hash_bytes(h->name, h->len, 0);

	for (uint32_t i = slot_of(hv, m->exact_slots);; i = slot_next(i, m->exact_slots)) {
		const struct exact_slot *s = &m->exact[i];

		if (!s->count)
			return;
		if (s->tag == tag_len(hv, h->len) &&
		    memcmp(m->strings + s->str, h->name, h->len) == 0) {
			emit_run(a, m->pool + s->first, s->count);
			return;
		}
	}
}

/* One walk down the literal path, from path[lo] (the root, or the node of
 * the host's last two labels) towards the leftmost label; then the answers
 * in output order: exact hosts (probed only when the host's parent suffix
 * is one under which the catalogue names hosts exactly, so most misses
 * never hash the whole name), globs (branching off the path at nodes with
 * glob labels), and wildcards deepest first (one node per depth, so one
 * run per label count). */
static void lookup_name(const struct ea_matcher *m, const struct ea_host *h, struct acc *a,
			unsigned lo, uint32_t start)
{
	uint32_t path[EA_LABELS_MAX + 1];
	unsigned deepest = lo;
	bool probe_exact;

	path[lo] = start;
	while (deepest < h->nlabels) {
		const char *label;
		size_t len;
		uint32_t child;

		label = host_label(h, h->nlabels - 1 - deepest, &len);
		if (!(child = edge_find(m, path[deepest], label, len)))
			break;
		path[++deepest] = child;
	}
	if (h->nlabels - 1 < lo) /* a two-label host found by its shortcut */
		probe_exact = true;
	else
		probe_exact = deepest + 1 >= h->nlabels && m->nodes[path[h->nlabels - 1]].exact_below;
	if (probe_exact)
		lookup_exact(m, h, a);
	a->gstart = a->n;
	for (unsigned d = lo; d <= deepest && d < h->nlabels; d++) {
		const struct node *nd = &m->nodes[path[d]];
		const char *label;
		size_t len;

		if (!nd->glob_count)
			continue;
		label = host_label(h, h->nlabels - 1 - d, &len);
		try_glob_edges(m, h, nd, d, label, len, a);
	}
	if (deepest == h->nlabels) {
		/* a "glob" without any '*' would end on the literal path */
		const struct node *nd = &m->nodes[path[deepest]];

		for (uint32_t i = 0; i < nd->term_count; i++)
			emit_glob(a, m->pool[nd->term_first + i]);
	}
	/* a wildcard needs at least one label in front of its suffix */
	for (unsigned d = deepest < h->nlabels ? deepest + 1 : h->nlabels; d-- > lo;) {
		const struct node *nd = &m->nodes[path[d]];

		if (nd->wild_count)
			emit_run(a, m->pool + nd->wild_first, nd->wild_count);
	}
}

/* With the filter: one hash of the last two labels tests the filter's bit
 * and finds, in the same edge table, the node where the walk resumes. */
static void lookup_filtered(const struct ea_matcher *m, const struct ea_host *h, struct acc *a)
{
	size_t start, len;
	uint64_t hv, bit;
	uint32_t node;

	if (h->nlabels < 2) /* with a filter, no pattern has fewer than two labels */
		return;
	start = h->label_start[h->nlabels - 2];
	len = h->len - start;
	hv = ea_hash_bytes(h->name + start, len, SHORTCUT);
	bit = hv >> m->filter_shift;
	if (!((m->filter[bit >> 6] >> (bit & 63)) & 1))
		return;
	if ((node = edge_probe(m, SHORTCUT, h->name + start, len, hv)) != 0)
		lookup_name(m, h, a, 2, node);
}

/* ---- per-thread PCRE2 match data ------------------------------------------ */

static once_flag md_once = ONCE_FLAG_INIT;
static tss_t md_key;
static bool md_key_ok;
static _Thread_local pcre2_match_data *md_local;

static void md_destroy(void *p)
{
	pcre2_match_data_free(p);
}

static void md_key_create(void)
{
	md_key_ok = tss_create(&md_key, md_destroy) == thrd_success;
}

/* One match data per thread, made on its first regex lookup and freed at
 * thread exit; NULL only when out of memory. */
static pcre2_match_data *thread_match_data(void)
{
	if (md_local)
		return md_local;
	call_once(&md_once, md_key_create);
	md_local = pcre2_match_data_create(1, NULL);
	if (md_local && md_key_ok)
		tss_set(md_key, md_local);
	return md_local;
}

static void lookup_regex(const struct ea_matcher *m, const struct ea_host *h, struct acc *a)
{
	pcre2_match_data *md = thread_match_data();

	if (!md) /* out of memory: this interface has no way to say so */
		return;
	for (size_t i = 0; i < m->nregex; i++) {
		const struct regex *r = &m->regex[i];
		int rc;

		if (r->jit)
			rc = pcre2_jit_match(r->code, (PCRE2_SPTR)h->name, h->len, 0, 0, md, NULL);
		else
			rc = pcre2_match(r->code, (PCRE2_SPTR)h->name, h->len, 0, 0, md, NULL);
		/* 0: matched, with more captures than the ovector holds */
		if (rc >= 0)
			emit_run(a, &r->entry, 1);
	}
}

size_t ea_matcher_lookup(const struct ea_matcher *m, const struct ea_host *host,
			 const struct ea_entry **out, size_t max)
{
	struct acc a = { .out = out, .max = max };

	if (host->type == EA_HOST_NAME && host->nlabels > 0) {
		if (m->filter)
			lookup_filtered(m, host, &a);
		else
			lookup_name(m, host, &a, 0, 0);
	}
	if (m->nregex)
		lookup_regex(m, host, &a);
	return a.total;
}

const struct ea_vendor *ea_matcher_vendor_domain(const struct ea_matcher *m,
						 const struct ea_host *host)
{
	uint32_t id = 0, owner = 0;

	if (host->type != EA_HOST_NAME)
		return NULL;
	for (unsigned depth = 0; depth < host->nlabels; depth++) {
		const char *label;
		size_t len;

		label = host_label(host, host->nlabels - 1 - depth, &len);
		if (!(id = edge_find(m, id, label, len)))
			break;
		if (m->nodes[id].vendor)
			owner = m->nodes[id].vendor; /* the deepest owned domain wins */
	}
	return owner ? m->cat->vendors[owner - 1] : NULL;
}

/* ---- reference counting and publication ----------------------------------- */

/* Free the tables; what is left matches nothing and keeps its message. */
static void matcher_clear(struct ea_matcher *m)
{
	for (size_t i = 0; i < m->nregex; i++)
		pcre2_code_free(m->regex[i].code);
	free(m->regex);
	free(m->strings);
	free(m->pool);
	free(m->exact);
	free(m->edges);
	free(m->nodes);
	free(m->globs);
	free(m->filter);
	m->regex = NULL;
	m->nregex = 0;
	m->strings = NULL;
	m->pool = NULL;
	m->exact = NULL;
	m->exact_slots = 0;
	m->edges = NULL;
	m->edge_slots = 0;
	m->nodes = NULL;
	m->nnodes = 0;
	m->globs = NULL;
	m->filter = NULL;
}

static void matcher_destroy(struct ea_matcher *m)
{
	matcher_clear(m);
	ea_catalogue_free(m->owned);
	free(m);
}

void ea_matcher_adopt_catalogue(struct ea_matcher *m, struct ea_catalogue *cat)
{
	m->owned = cat;
}

const struct ea_catalogue *ea_matcher_catalogue(const struct ea_matcher *m)
{
	return m->cat;
}

struct ea_matcher *ea_matcher_ref(struct ea_matcher *m)
{
	if (m)
		atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
	return m;
}

void ea_matcher_unref(struct ea_matcher *m)
{
	if (!m)
		return;
	/* acq_rel rather than release plus an acquire fence: the same
	 * guarantee, and ThreadSanitizer understands it */
	if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1)
		matcher_destroy(m);
}

void ea_matcher_slot_init(struct ea_matcher_slot *slot, struct ea_matcher *m)
{
	atomic_init(&slot->current, m);
	atomic_init(&slot->acquiring, 0);
}

/* Announce the acquire before reading the pointer, withdraw it after the
 * reference is taken: a swap that sees no acquire under way after its
 * exchange knows that everyone who read the old pointer holds a reference. */
struct ea_matcher *ea_matcher_acquire(struct ea_matcher_slot *slot)
{
	struct ea_matcher *m;

	atomic_fetch_add(&slot->acquiring, 1);
	m = ea_matcher_ref(atomic_load(&slot->current));
	atomic_fetch_sub(&slot->acquiring, 1);
	return m;
}

void ea_matcher_swap(struct ea_matcher_slot *slot, struct ea_matcher *m)
{
	struct ea_matcher *old = atomic_exchange(&slot->current, m);

	while (atomic_load(&slot->acquiring) != 0)
		thrd_yield();
	ea_matcher_unref(old);
}

/* ---- build ---------------------------------------------------------------- */

struct pair {
	uint32_t node;
	const struct ea_entry *entry;
};

struct builder {
	struct ea_matcher *m;
	size_t strings_len, strings_cap;
	size_t nodes_cap;
	size_t nedges;
	struct pair *wild, *term;
	size_t nwild, wild_cap, nterm, term_cap;
	const struct ea_entry **exact;
	size_t nexact, exact_cap;
	size_t nglobs;
	uint64_t *keys; /* filter hashes of every pattern's last two labels */
	size_t nkeys, keys_cap;
	bool no_filter;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct builder *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->m->errmsg, sizeof b->m->errmsg, fmt, ap);
	va_end(ap);
	return -1;
}

static int add_string(struct builder *b, const char *s, size_t len, uint32_t *off)
{
	if (b->strings_len + len > UINT32_MAX)
		return fail(b, "matcher: too much text in the catalogue");
	if (ea_vec_reserve(&b->m->strings, &b->strings_cap, b->strings_len + len + 1, 1) < 0)
		return fail(b, "out of memory");
	memcpy(b->m->strings + b->strings_len, s, len);
	b->m->strings[b->strings_len + len] = '\0';
	*off = (uint32_t)b->strings_len;
	b->strings_len += len + 1;
	return 0;
}

static int new_node(struct builder *b, uint32_t *id)
{
	if (b->m->nnodes >= GLOB_EDGE - 1)
		return fail(b, "matcher: too many trie nodes");
	if (ea_vec_reserve(&b->m->nodes, &b->nodes_cap, b->m->nnodes + 1, sizeof(struct node)) < 0)
		return fail(b, "out of memory");
	memset(&b->m->nodes[b->m->nnodes], 0, sizeof(struct node));
	*id = b->m->nnodes++;
	return 0;
}

static int edges_rehash(struct builder *b, uint32_t nslots)
{
	struct ea_matcher *m = b->m;
	struct edge_slot *t = calloc(nslots, sizeof(*t));

	if (!t)
		return fail(b, "out of memory");
	for (uint32_t i = 0; m->edges && i < m->edge_slots; i++) {
		const struct edge_slot *e = &m->edges[i];
		uint64_t h;
		uint32_t j;

		if (!e->child)
			continue;
		h = ea_hash_bytes(m->strings + e->str, tag_length(e->tag), e->parent);
		for (j = slot_of(h, nslots); t[j].child; j = slot_next(j, nslots))
			;
		t[j] = *e;
	}
	free(m->edges);
	m->edges = t;
	m->edge_slots = nslots;
	return 0;
}

/* The child of key by label, or 0 with *slot set to the free slot where
 * it belongs (the table grown first, so that the slot stays valid). */
static int edge_slot(struct builder *b, uint32_t key, const char *s, size_t len,
		     uint32_t *child, uint32_t *slot, uint64_t *hash)
{
	struct ea_matcher *m = b->m;
	uint64_t h;
	uint32_t i;

	/* while building, at most half full: doubling keeps inserts cheap */
	if ((b->nedges + 1) * 2 > m->edge_slots) {
		if (m->edge_slots >= UINT32_MAX / 4)
			return fail(b, "matcher: too many trie edges");
		if (edges_rehash(b, m->edge_slots * 2) < 0)
			return -1;
	}
	h = ea_hash_bytes(s, len, key);
	for (i = slot_of(h, m->edge_slots); m->edges[i].child; i = slot_next(i, m->edge_slots)) {
		const struct edge_slot *e = &m->edges[i];

		if (e->tag == tag_len(h, len) && e->parent == key &&
		    memcmp(m->strings + e->str, s, len) == 0) {
			*child = e->child;
			return 0;
		}
	}
	*child = 0;
	*slot = i;
	*hash = h;
	return 0;
}

static int edge_put(struct builder *b, uint32_t key, const char *s, size_t len,
		    uint32_t slot, uint64_t h, uint32_t child)
{
	uint32_t off;

	if (add_string(b, s, len, &off) < 0)
		return -1;
	b->m->edges[slot] = (struct edge_slot){ .tag = tag_len(h, len), .parent = key,
						.child = child, .str = off };
	b->nedges++;
	return 0;
}

/* The child of parent by label (a glob edge when glob), made if missing. */
static int edge_get(struct builder *b, uint32_t parent, const char *s, size_t len,
		    bool glob, uint32_t *child)
{
	uint32_t key = parent | (glob ? GLOB_EDGE : 0), slot, id;
	uint64_t h;

	if (edge_slot(b, key, s, len, child, &slot, &h) < 0)
		return -1;
	if (*child)
		return 0;
	if (new_node(b, &id) < 0 || edge_put(b, key, s, len, slot, h, id) < 0)
		return -1;
	if (glob)
		b->nglobs++;
	*child = id;
	return 0;
}

/* An edge from key to an existing node (the shortcuts). */
static int edge_link(struct builder *b, uint32_t key, const char *s, size_t len, uint32_t node)
{
	uint32_t child, slot;
	uint64_t h;

	if (edge_slot(b, key, s, len, &child, &slot, &h) < 0)
		return -1;
	return child ? 0 : edge_put(b, key, s, len, slot, h, node);
}

/* Walk (making them where missing) the nodes for the labels of
 * text[start..end), from the right; *node is where the walk ends. */
static int insert_path(struct builder *b, const char *text, size_t start, size_t end,
		       bool globs_allowed, const char *what, uint32_t *node)
{
	uint32_t id = 0;
	size_t e = end;

	while (e > start) {
		size_t s = e;
		bool glob;

		while (s > start && text[s - 1] != '.')
			s--;
		if (s == e || e - s > EA_LABEL_MAX)
			return fail(b, "matcher: %s: empty or over-long label", what);
		glob = memchr(text + s, '*', e - s) != NULL;
		if (glob && !globs_allowed)
			return fail(b, "matcher: %s: '*' where a plain name belongs", what);
		if (edge_get(b, id, text + s, e - s, glob, &id) < 0)
			return -1;
		if (s == start)
			break;
		e = s - 1;
		if (e == start) /* a leading dot */
			return fail(b, "matcher: %s: empty label", what);
	}
	*node = id;
	return 0;
}

static int add_pair(struct builder *b, struct pair **v, size_t *n, size_t *cap,
		    uint32_t node, const struct ea_entry *e)
{
	if (ea_vec_reserve(v, cap, *n + 1, sizeof(**v)) < 0)
		return fail(b, "out of memory");
	(*v)[(*n)++] = (struct pair){ node, e };
	return 0;
}

static int add_regex(struct builder *b, const struct ea_entry *e, size_t *cap)
{
	struct ea_matcher *m = b->m;
	pcre2_code *code;

	if (!e->regex) /* the loader never leaves one out; a hand-made catalogue might */
		return 0;
	if (ea_vec_reserve(&m->regex, cap, m->nregex + 1, sizeof(*m->regex)) < 0)
		return fail(b, "out of memory");
	/* Our own copy, so JIT-compiling it leaves the catalogue untouched. */
	if (!(code = pcre2_code_copy(e->regex)))
		return fail(b, "out of memory");
	m->regex[m->nregex++] = (struct regex){
		.code = code, .entry = e,
		/* without JIT (no executable memory) the interpreter answers the same */
		.jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0,
	};
	return 0;
}

/* Note the last two labels of a name pattern for the filter and give them
 * a shortcut edge, or give the filter up when they are not plain labels. */
static int add_filter_key(struct builder *b, const char *pattern, const char *id)
{
	size_t len = strlen(pattern), start = len, dots = 0;
	uint32_t node;

	while (start > 0 && !(pattern[start - 1] == '.' && ++dots == 2))
		start--;
	if (dots < 1 || memchr(pattern + start, '*', len - start)) {
		b->no_filter = true;
		return 0;
	}
	if (ea_vec_reserve(&b->keys, &b->keys_cap, b->nkeys + 1, sizeof(*b->keys)) < 0)
		return fail(b, "out of memory");
	b->keys[b->nkeys++] = ea_hash_bytes(pattern + start, len - start, SHORTCUT);
	if (insert_path(b, pattern, start, len, false, id, &node) < 0)
		return -1;
	return edge_link(b, SHORTCUT, pattern + start, len - start, node);
}

/* About 16 bits a pattern: one false pass in sixteen for unknown suffixes. */
static int build_filter(struct builder *b)
{
	struct ea_matcher *m = b->m;
	unsigned log2 = 10;

	if (b->no_filter)
		return 0;
	while (log2 < 40 && ((size_t)1 << log2) < b->nkeys * 16)
		log2++;
	if (!(m->filter = calloc(((size_t)1 << log2) / 64, sizeof(*m->filter))))
		return fail(b, "out of memory");
	m->filter_shift = 64 - log2;
	for (size_t i = 0; i < b->nkeys; i++) {
		uint64_t bit = b->keys[i] >> m->filter_shift;

		m->filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
	}
	return 0;
}

static int add_entry(struct builder *b, const struct ea_entry *e, size_t *regex_cap)
{
	size_t len;
	uint32_t node;

	if (e->pattern && (e->kind == EA_KIND_EXACT || e->kind == EA_KIND_WILDCARD ||
			   e->kind == EA_KIND_GLOB) && add_filter_key(b, e->pattern, e->id) < 0)
		return -1;

	switch (e->kind) {
	case EA_KIND_EXACT:
		if (!e->pattern)
			return 0;
		/* mark the parent suffix, so lookups know when to probe */
		len = strlen(e->pattern);
		{
			const char *dot = memchr(e->pattern, '.', len);
			size_t from = dot ? (size_t)(dot - e->pattern) + 1 : len;

			if (insert_path(b, e->pattern, from, len, false, e->id, &node) < 0)
				return -1;
			b->m->nodes[node].exact_below = 1;
		}
		if (ea_vec_reserve(&b->exact, &b->exact_cap, b->nexact + 1, sizeof(*b->exact)) < 0)
			return fail(b, "out of memory");
		b->exact[b->nexact++] = e;
		return 0;
	case EA_KIND_WILDCARD:
		if (!e->pattern)
			return 0;
		len = strlen(e->pattern);
		if (len < 3 || e->pattern[0] != '*' || e->pattern[1] != '.')
			return fail(b, "matcher: %s: a wildcard must start with \"*.\"", e->id);
		if (insert_path(b, e->pattern, 2, len, false, e->id, &node) < 0)
			return -1;
		return add_pair(b, &b->wild, &b->nwild, &b->wild_cap, node, e);
	case EA_KIND_GLOB:
		if (!e->pattern)
			return 0;
		if (insert_path(b, e->pattern, 0, strlen(e->pattern), true, e->id, &node) < 0)
			return -1;
		return add_pair(b, &b->term, &b->nterm, &b->term_cap, node, e);
	case EA_KIND_REGEX:
		return add_regex(b, e, regex_cap);
	case EA_KIND_SITE:
		return 0; /* the site profile supplies the host */
	}
	return 0;
}

static int cmp_pair(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;

	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->entry->index < b->entry->index ? -1 : a->entry->index > b->entry->index;
}

static int cmp_exact(const void *pa, const void *pb)
{
	const struct ea_entry *a = *(const struct ea_entry *const *)pa;
	const struct ea_entry *b = *(const struct ea_entry *const *)pb;
	int c = strcmp(a->pattern, b->pattern);

	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_regex(const void *pa, const void *pb)
{
	const struct regex *a = pa, *b = pb;

	return a->entry->index < b->entry->index ? -1 : a->entry->index > b->entry->index;
}

static uint32_t slots_for(size_t n)
{
	size_t s = n * 100 / LOAD_PCT + 1;

	return s < MIN_SLOTS ? MIN_SLOTS : (uint32_t)s;
}

/* Exact hosts: sort so that equal names are neighbours, then one slot per
 * name pointing at its run of entries in catalogue order. */
static int build_exact(struct builder *b, size_t *pool_n)
{
	struct ea_matcher *m = b->m;
	uint32_t nslots;

	if (b->nexact >= UINT32_MAX / 4)
		return fail(b, "matcher: too many exact hosts");
	nslots = slots_for(b->nexact);
	if (!(m->exact = calloc(nslots, sizeof(*m->exact))))
		return fail(b, "out of memory");
	m->exact_slots = nslots;
	if (b->nexact)
		qsort(b->exact, b->nexact, sizeof(*b->exact), cmp_exact);
	for (size_t i = 0, j; i < b->nexact; i = j) {
		const char *name = b->exact[i]->pattern;
		size_t len = strlen(name);
		uint64_t h = ea_hash_bytes(name, len, 0);
		uint32_t k, off;

		for (j = i + 1; j < b->nexact && strcmp(b->exact[j]->pattern, name) == 0; j++)
			;
		if (len > EA_HOST_MAX)
			return fail(b, "matcher: %s: host longer than %d characters",
				    b->exact[i]->id, EA_HOST_MAX);
		if (add_string(b, name, len, &off) < 0)
			return -1;
		for (k = slot_of(h, nslots); m->exact[k].count; k = slot_next(k, nslots))
			;
		m->exact[k] = (struct exact_slot){ .tag = tag_len(h, len), .str = off,
						   .first = (uint32_t)*pool_n,
						   .count = (uint32_t)(j - i) };
		for (size_t x = i; x < j; x++)
			m->pool[(*pool_n)++] = b->exact[x];
	}
	return 0;
}

/* Runs of wildcards or glob terminals per node, in catalogue order. */
static void build_runs(struct builder *b, struct pair *v, size_t n, bool wild, size_t *pool_n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_pair);
	for (size_t i = 0; i < n; i++) {
		struct node *nd = &b->m->nodes[v[i].node];

		if (i == 0 || v[i - 1].node != v[i].node) {
			if (wild)
				nd->wild_first = (uint32_t)*pool_n;
			else
				nd->term_first = (uint32_t)*pool_n;
		}
		if (wild)
			nd->wild_count++;
		else
			nd->term_count++;
		b->m->pool[(*pool_n)++] = v[i].entry;
	}
}

/* Glob edges grouped by parent (a counting sort), so that a lookup tries
 * every glob label of a node from one contiguous list. */
static int build_globs(struct builder *b)
{
	struct ea_matcher *m = b->m;
	uint32_t at = 0;

	if (!b->nglobs)
		return 0;
	if (!(m->globs = malloc(b->nglobs * sizeof(*m->globs))))
		return fail(b, "out of memory");
	for (uint32_t i = 0; i < m->edge_slots; i++)
		if (m->edges[i].child && (m->edges[i].parent & GLOB_EDGE))
			m->nodes[m->edges[i].parent & ~GLOB_EDGE].glob_count++;
	for (uint32_t i = 0; i < m->nnodes; i++) {
		m->nodes[i].glob_first = at;
		at += m->nodes[i].glob_count;
		m->nodes[i].glob_count = 0;
	}
	for (uint32_t i = 0; i < m->edge_slots; i++) {
		const struct edge_slot *e = &m->edges[i];
		struct node *nd;

		if (!e->child || !(e->parent & GLOB_EDGE))
			continue;
		nd = &m->nodes[e->parent & ~GLOB_EDGE];
		m->globs[nd->glob_first + nd->glob_count++] =
			(struct glob_edge){ .str = e->str, .len = (uint32_t)tag_length(e->tag),
					    .child = e->child };
	}
	return 0;
}

static int add_vendor_domains(struct builder *b, const struct ea_catalogue *cat)
{
	for (size_t v = 0; v < cat->nvendors; v++) {
		const struct ea_vendor *vd = cat->vendors[v];

		for (size_t d = 0; d < vd->ndomains; d++) {
			const char *dom = vd->domains[d];
			uint32_t node;

			if (!dom || !*dom)
				continue;
			if (insert_path(b, dom, 0, strlen(dom), false, vd->id, &node) < 0)
				return -1;
			if (!b->m->nodes[node].vendor) /* two owners: the first vendor keeps it */
				b->m->nodes[node].vendor = (uint32_t)v + 1;
		}
	}
	return 0;
}

static int build(struct builder *b, const struct ea_catalogue *cat)
{
	struct ea_matcher *m = b->m;
	size_t regex_cap = 0, pool_n = 0;
	uint32_t root;

	if (new_node(b, &root) < 0 || edges_rehash(b, MIN_SLOTS) < 0)
		return -1;
	for (size_t i = 0; i < cat->nentries; i++)
		if (add_entry(b, cat->entries[i], &regex_cap) < 0)
			return -1;
	if (add_vendor_domains(b, cat) < 0)
		return -1;
	if (!(m->pool = malloc((b->nexact + b->nwild + b->nterm + 1) * sizeof(*m->pool))))
		return fail(b, "out of memory");
	if (build_exact(b, &pool_n) < 0)
		return -1;
	build_runs(b, b->wild, b->nwild, true, &pool_n);
	build_runs(b, b->term, b->nterm, false, &pool_n);
	if (build_globs(b) < 0 || build_filter(b) < 0)
		return -1;
	if (m->nregex)
		qsort(m->regex, m->nregex, sizeof(*m->regex), cmp_regex);
	/* Give back what growth by doubling left over: the edge table at its
	 * final load, the arrays at their final lengths. */
	if (edges_rehash(b, slots_for(b->nedges)) < 0)
		return -1;
	if (b->strings_len) {
		char *s = realloc(m->strings, b->strings_len);

		if (s)
			m->strings = s;
	}
	if (m->nnodes) {
		struct node *nd = realloc(m->nodes, m->nnodes * sizeof(*nd));

		if (nd)
			m->nodes = nd;
	}
	return 0;
}

int ea_matcher_new(const struct ea_catalogue *cat, struct ea_matcher **out)
{
	struct builder b = { 0 };
	int rc;

	if (!(*out = b.m = calloc(1, sizeof(*b.m))))
		return -1;
	atomic_init(&b.m->refs, 1);
	b.m->cat = cat;
	rc = build(&b, cat);
	free(b.wild);
	free(b.term);
	free(b.exact);
	free(b.keys);
	if (rc < 0)
		matcher_clear(b.m);
	return rc;
}

int ea_matcher_lookup_all(const struct ea_matcher *m, const struct ea_host *host,
			  const struct ea_entry ***found, size_t *cap, size_t *n)
{
	*n = ea_matcher_lookup(m, host, *found, *cap);
	if (*n <= *cap)
		return 0;
	if (ea_vec_reserve(found, cap, *n, sizeof(**found)) < 0) {
		*n = 0;
		return -1;
	}
	*n = ea_matcher_lookup(m, host, *found, *cap);
	return 0;
}

const char *ea_matcher_errmsg(const struct ea_matcher *m)
{
	return m ? m->errmsg : EA_ERRMSG_NOMEM;
}
