/* Open addressing with linear probing over ea_hash_bytes; the table doubles
 * at half full, so a probe stays short whatever the keys. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct ea_strmap_slot {
	const char *key; /* NULL: empty */
	const void *value;
	uint64_t hash;
};

void ea_strmap_free(struct ea_strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct ea_strmap_slot *probe(struct ea_strmap_slot *slots, size_t cap,
				    const char *key, uint64_t h)
{
	size_t i = (size_t)(h >> 32) & (cap - 1);

	while (slots[i].key && !(slots[i].hash == h && strcmp(slots[i].key, key) == 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct ea_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct ea_strmap_slot *slots;

	if (cap < m->cap || !(slots = calloc(cap, sizeof(*slots))))
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*probe(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int ea_strmap_put(struct ea_strmap *m, const char *key, const void *value, const void **was)
{
	uint64_t h = ea_hash_bytes(key, strlen(key), 0);
	struct ea_strmap_slot *s;

	if ((m->count + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	s = probe(m->slots, m->cap, key, h);
	if (s->key) {
		if (was)
			*was = s->value;
		return 1;
	}
	*s = (struct ea_strmap_slot){ key, value, h };
	m->count++;
	return 0;
}

const void *ea_strmap_get(const struct ea_strmap *m, const char *key)
{
	struct ea_strmap_slot *s;

	if (!m->cap)
		return NULL;
	s = probe(m->slots, m->cap, key, ea_hash_bytes(key, strlen(key), 0));
	return s->key ? s->value : NULL;
}
