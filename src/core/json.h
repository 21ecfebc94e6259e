/* Just enough JSON output for the CLI's machine-readable formats: strings
 * escaped per RFC 8259 (control characters, quotes, backslash; bytes >= 0x80
 * passed through since every string we emit is validated ASCII or UTF-8). */
#ifndef EA_JSON_H
#define EA_JSON_H

#include <stdio.h>

void ea_json_string(FILE *out, const char *s);   /* writes null for NULL */
void ea_json_key(FILE *out, const char *key, int first);  /* ,"key": */

#endif
