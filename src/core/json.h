/* The one JSON writer: it tracks nesting and separators itself, so callers
 * never write a comma, a bracket or a quote, and it escapes every string
 * (RFC 8259: quotes, backslash, control characters; bytes that are not
 * valid UTF-8 become U+FFFD), so what it writes is always valid JSON. A
 * misuse (a value without a key in an object, a key in an array, an end
 * that does not match, a document left open) is not written and makes
 * ea_json_finish fail. Used by every JSON output: the report, check
 * --format jsonl, catalog --format json. */
#ifndef EA_JSON_H
#define EA_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define EA_JSON_MAX_DEPTH 32

struct ea_json {
	FILE *out;
	int depth;
	char open[EA_JSON_MAX_DEPTH];   /* '{' or '[' per level */
	bool empty[EA_JSON_MAX_DEPTH];  /* nothing written at that level yet */
	bool after_key;                 /* a key was written: its value is next */
	bool newline;                   /* put a line break before the next token */
	bool top_written;               /* the document's one value is begun */
	bool misuse;
};

/* One document (or, for JSON Lines, one line) written to out. */
void ea_json_begin(struct ea_json *j, FILE *out);
/* Ends the document with a newline: 0, or -1 after a misuse, an
 * unfinished document or a write error. */
int ea_json_finish(struct ea_json *j);

void ea_json_object(struct ea_json *j);
void ea_json_array(struct ea_json *j);
void ea_json_end(struct ea_json *j);               /* closes the innermost */
void ea_json_key(struct ea_json *j, const char *key);

void ea_json_string(struct ea_json *j, const char *s); /* null for NULL */
void ea_json_uint(struct ea_json *j, unsigned long long v);
void ea_json_int(struct ea_json *j, long long v);
void ea_json_bool(struct ea_json *j, bool v);
void ea_json_null(struct ea_json *j);

/* An object member: the key and its value in one call. */
void ea_json_member_str(struct ea_json *j, const char *key, const char *value);
void ea_json_member_uint(struct ea_json *j, const char *key, unsigned long long value);
void ea_json_member_bool(struct ea_json *j, const char *key, bool value);

/* A line break before the next value, key or end: for humans reading
 * long arrays; insignificant to parsers. */
void ea_json_newline(struct ea_json *j);

#endif
