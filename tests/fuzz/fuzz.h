/* The libFuzzer entry point every tests/fuzz/fuzz_*.c defines, declared
 * once so the targets build with -Wmissing-prototypes, and the one helper
 * they share. Linked either with libFuzzer (`make fuzz`) or with replay.c
 * (`make check`). */
#ifndef EA_FUZZ_H
#define EA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A part of the input in a heap block of exactly n bytes (n + 1 with a NUL
 * when nul is set), so that ASan catches a parser reading past the length
 * it was given, which it would not inside the larger input. */
static inline char *fuzz_dup(const void *p, size_t n, int nul)
{
	char *s = malloc(n + (nul ? 1 : 0) + (n == 0 && !nul));

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	if (nul)
		s[n] = '\0';
	return s;
}

/* Abort (a crash to libFuzzer and to the replay test) when a property the
 * code promises does not hold. */
#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
