/* What the benches share: a deterministic pseudo-random sequence (the same
 * seed, the same data on every machine) and a monotonic clock. */
#ifndef EA_BENCH_UTIL_H
#define EA_BENCH_UTIL_H

#include <stdint.h>

/* SplitMix64's finaliser: a well-mixed 64-bit value from any input. */
uint64_t bench_mix64(uint64_t x);

/* The next number in [0, n) of the sequence whose state is *state. */
uint32_t bench_rnd(uint64_t *state, uint32_t n);

/* Seconds on the monotonic clock. */
double bench_now_s(void);

#endif
