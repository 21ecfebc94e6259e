/* What the benches share: a deterministic pseudo-random sequence (the same
 * seed, the same data on every machine) and a monotonic clock. */
#ifndef EA_BENCH_UTIL_H
#define EA_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* SplitMix64's finaliser: a well-mixed 64-bit value from any input. */
uint64_t bench_mix64(uint64_t x);

/* The next number in [0, n) of the sequence whose state is *state. */
uint32_t bench_rnd(uint64_t *state, uint32_t n);

/* A pronounceable label from a number, 2 to 1 + max_syllables syllables
 * of two letters: the same x, the same label. buf holds 2 * max_syllables
 * + 2 bytes. Returns its length. */
size_t bench_word(uint64_t x, unsigned max_syllables, char *buf);

/* Seconds on the monotonic clock. */
double bench_now_s(void);

#endif
