/* The canonical form of outside strings (text.h): well-formed UTF-8 kept,
 * control characters and anything else one '?' a byte or a character. */
#include "text.h"

#include <string.h>

size_t ea_utf8_char(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned char c;
	size_t len;
	unsigned long v;

	if (n == 0)
		return 0;
	c = p[0];
	len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	v = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* How many bytes at p make one unit of the canonical form, and whether it
 * is kept (else it becomes one '?'). */
static size_t unit(const unsigned char *p, size_t n, int *keep)
{
	unsigned long cp;
	size_t len = ea_utf8_char(p, n, &cp);

	if (len == 0) {
		*keep = 0;
		return 1;
	}
	*keep = !(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f));
	return len;
}

size_t ea_text_canon(char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0;

	if (cap == 0)
		return 0;
	if (!src)
		len = 0;
	if (len > cap - 1)
		len = cap - 1;
	for (size_t i = 0; i < len;) {
		int keep;
		size_t n = unit(p + i, len - i, &keep);

		if (keep) {
			memcpy(dst + o, p + i, n);
			o += n;
		} else {
			dst[o++] = '?';
		}
		i += n;
	}
	dst[o] = '\0';
	return o;
}

void ea_text_put(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	if (!s)
		return;
	len = strlen(s);
	for (size_t i = 0; i < len;) {
		int keep;
		size_t n = unit(p + i, len - i, &keep);

		if (keep)
			fwrite(p + i, 1, n, out);
		else
			fputc('?', out);
		i += n;
	}
}
