/* Strings from outside (request headers, log fields, a database from
 * elsewhere) made safe to store and to print: one canonical form, in which
 * every control character (C0, DEL, C1) and every byte that is not part of
 * well-formed UTF-8 is a '?'. Every writer stores it and every text output
 * prints it, so two sources agree on a key and no terminal escape, forged
 * line or invalid UTF-8 reaches a report. */
#ifndef EA_TEXT_H
#define EA_TEXT_H

#include <stdio.h>
#include <stddef.h>

/* The length (1-4) of the well-formed UTF-8 character at p, of at most n
 * bytes, with its code point in *cp; 0 when p does not start one (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, cut). */
size_t ea_utf8_char(const unsigned char *p, size_t n, unsigned long *cp);

/* The canonical form of the first cap - 1 bytes of src (len bytes, NUL
 * bytes included) into dst of cap > 0 bytes, NUL-terminated: cutting
 * before mapping makes the form of a prefix a prefix of the form, so a
 * writer that received the string already truncated stores the same key.
 * Returns the length written. NULL src gives "". */
size_t ea_text_canon(char *dst, size_t cap, const char *src, size_t len);

/* Write the canonical form of the NUL-terminated s to out. */
void ea_text_put(FILE *out, const char *s);

#endif
