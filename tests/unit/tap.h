/* Minimal TAP producer for the C unit tests (automake's tap-driver reads it).
 * Each assertion is one numbered test whose name reads as a sentence. */
#ifndef EA_TAP_H
#define EA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

/* String equality with both values shown on failure. */
#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__)) \
		printf("#   got: '%s'\n#   expected: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (got), w_ = (want); \
	if (!ok(g_ == w_, __VA_ARGS__)) \
		printf("#   got: %lld\n#   expected: %lld\n", g_, w_); \
} while (0)

__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Test input made printable for a TAP line: a newline in a test name would
 * end the line. Two rotating buffers so one message can show two inputs. */
__attribute__((unused))
static const char *show(const char *s)
{
	static char bufs[2][1200];
	static int which;
	char *b = bufs[which ^= 1];
	size_t o = 0;

	for (; *s && o < sizeof(bufs[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			b[o++] = (char)c;
		else
			o += (size_t)snprintf(b + o, 5, "\\x%02x", c);
	}
	b[o] = '\0';
	return b;
}

static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
