/* The one set of character classes: ASCII only and the same in every
 * locale (<ctype.h> follows the locale and is undefined for negative
 * chars), for parsers of hosts, patterns, ids and log fields. */
#ifndef EA_CHARS_H
#define EA_CHARS_H

#include <stdbool.h>

enum {
	EA_CT_DIGIT = 1,
	EA_CT_LOWER = 2,
	EA_CT_UPPER = 4,
	EA_CT_HEX = 8,     /* a-f, A-F (digits are EA_CT_DIGIT) */
	EA_CT_SPACE = 16,  /* space, \t, \n, \v, \f, \r */
};

extern const unsigned char ea_ctype_table[256];

static inline bool ea_isdigit(unsigned char c) { return ea_ctype_table[c] & EA_CT_DIGIT; }
static inline bool ea_isalpha(unsigned char c) { return ea_ctype_table[c] & (EA_CT_LOWER | EA_CT_UPPER); }
static inline bool ea_isalnum(unsigned char c)
{
	return ea_ctype_table[c] & (EA_CT_DIGIT | EA_CT_LOWER | EA_CT_UPPER);
}
static inline bool ea_islower(unsigned char c) { return ea_ctype_table[c] & EA_CT_LOWER; }
static inline bool ea_isupper(unsigned char c) { return ea_ctype_table[c] & EA_CT_UPPER; }
static inline bool ea_isxdigit(unsigned char c) { return ea_ctype_table[c] & (EA_CT_DIGIT | EA_CT_HEX); }
static inline bool ea_isspace(unsigned char c) { return ea_ctype_table[c] & EA_CT_SPACE; }
static inline unsigned char ea_tolower(unsigned char c)
{
	return ea_isupper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

#endif
