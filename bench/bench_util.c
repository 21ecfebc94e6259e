/* What the benches share: a deterministic pseudo-random sequence and a
 * monotonic clock (see bench_util.h). */
#include <time.h>

#include "bench_util.h"

uint64_t bench_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

uint32_t bench_rnd(uint64_t *state, uint32_t n)
{
	*state += 0x9e3779b97f4a7c15ull;
	return (uint32_t)(bench_mix64(*state) % n);
}

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t bench_word(uint64_t x, unsigned max_syllables, char *buf)
{
	static const char cons[] = "bcdfgklmnprstvz", vow[] = "aeiou";
	unsigned syl = 2 + (unsigned)(x % max_syllables);
	size_t n = 0;

	x = bench_mix64(x);
	for (unsigned i = 0; i < syl; i++) {
		buf[n++] = cons[x % 15];
		x /= 15;
		buf[n++] = vow[x % 5];
		x /= 5;
	}
	buf[n] = '\0';
	return n;
}
