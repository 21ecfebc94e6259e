/* The hashes, one of each kind: ea_hash_bytes for in-memory tables (the
 * matcher's, the store's batch aggregation; in a header so that `make
 * bench` measures its hash-lookup floor with the very same function), and
 * FNV-1a for identities written to disk, which must never change. */
#ifndef EA_HASH_H
#define EA_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t ea_hash_read8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t ea_hash_read4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* 64x64->128 multiply, folded: the mixing step of wyhash. */
static inline uint64_t ea_hash_mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* A string hash after wyhash (public domain): labels and host names are
 * short, so keys up to 16 bytes are read as a few overlapping words with no
 * loop and no byte-by-byte tail. The high half picks the slot, the low half
 * is kept in the slot to skip most string compares. */
static inline uint64_t ea_hash_bytes(const char *s, size_t n, uint64_t seed)
{
	const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
	uint64_t a, b, h = seed ^ k0;

	if (n <= 16) {
		if (n >= 4) {
			size_t q = (n >> 3) << 2;

			a = (ea_hash_read4(s) << 32) | ea_hash_read4(s + q);
			b = (ea_hash_read4(s + n - 4) << 32) | ea_hash_read4(s + n - 4 - q);
		} else if (n > 0) {
			a = ((uint64_t)(unsigned char)s[0] << 16) |
			    ((uint64_t)(unsigned char)s[n >> 1] << 8) | (unsigned char)s[n - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t i = n;

		for (; i > 16; i -= 16, s += 16)
			h = ea_hash_mum(ea_hash_read8(s) ^ k1, ea_hash_read8(s + 8) ^ h);
		a = ea_hash_read8(s + i - 16);
		b = ea_hash_read8(s + i - 8);
	}
	return ea_hash_mum(k1 ^ n, ea_hash_mum(a ^ k1, b ^ h));
}

/* 64-bit FNV-1a over n bytes, continuing from h (EA_FNV_OFFSET to start).
 * Stable across versions and machines: the importer's log identities are
 * stored in databases, so this function may never change. */
#define EA_FNV_OFFSET 0xcbf29ce484222325ULL
static inline uint64_t ea_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

#endif
