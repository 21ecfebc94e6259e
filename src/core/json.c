/* The JSON writer (json.h): separators and nesting tracked here, strings
 * escaped and made valid UTF-8. */
#include "json.h"

#include <stddef.h>
#include <string.h>

#include "text.h"

void ea_json_begin(struct ea_json *j, FILE *out)
{
	*j = (struct ea_json){ .out = out };
}

/* Before a key, or a value that is not an object member's: the comma. */
static bool separate(struct ea_json *j, bool is_key)
{
	bool in_object = j->depth > 0 && j->open[j->depth - 1] == '{';

	if (j->after_key) {
		if (is_key) {
			j->misuse = true;
			return false;
		}
		j->after_key = false;
		return true;
	}
	if (in_object != is_key || (j->depth == 0 && j->top_written)) {
		/* a value where a key belongs, a key in an array or at the top,
		 * or a second document */
		j->misuse = true;
		return false;
	}
	if (j->depth > 0 && !j->empty[j->depth - 1])
		fputc(',', j->out);
	if (j->newline)
		fputc('\n', j->out);
	j->newline = false;
	if (j->depth > 0)
		j->empty[j->depth - 1] = false;
	else
		j->top_written = true;
	return true;
}

/* Write s as a JSON string body: short escapes as RFC 8259 spells them,
 * other control characters and DEL as \u00XX, well-formed UTF-8 as is,
 * anything else as U+FFFD. */
static void write_escaped(FILE *out, const unsigned char *p)
{
	const unsigned char *end = p + strlen((const char *)p);

	while (*p) {
		unsigned char c = *p;
		unsigned long cp;
		size_t n = ea_utf8_char(p, (size_t)(end - p), &cp);

		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
		p++;
	}
}

static void open_level(struct ea_json *j, char kind)
{
	if (!separate(j, false))
		return;
	if (j->depth == EA_JSON_MAX_DEPTH) {
		j->misuse = true;
		return;
	}
	fputc(kind, j->out);
	j->open[j->depth] = kind;
	j->empty[j->depth] = true;
	j->depth++;
}

void ea_json_object(struct ea_json *j)
{
	open_level(j, '{');
}

void ea_json_array(struct ea_json *j)
{
	open_level(j, '[');
}

void ea_json_end(struct ea_json *j)
{
	if (j->depth == 0 || j->after_key) {
		j->misuse = true;
		return;
	}
	if (j->newline)
		fputc('\n', j->out);
	j->newline = false;
	j->depth--;
	fputc(j->open[j->depth] == '{' ? '}' : ']', j->out);
}

void ea_json_key(struct ea_json *j, const char *key)
{
	if (!key || !separate(j, true))
		return;
	fputc('"', j->out);
	write_escaped(j->out, (const unsigned char *)key);
	fputs("\":", j->out);
	j->after_key = true;
}

void ea_json_string(struct ea_json *j, const char *s)
{
	if (!s) {
		ea_json_null(j);
		return;
	}
	if (!separate(j, false))
		return;
	fputc('"', j->out);
	write_escaped(j->out, (const unsigned char *)s);
	fputc('"', j->out);
}

void ea_json_uint(struct ea_json *j, unsigned long long v)
{
	if (separate(j, false))
		fprintf(j->out, "%llu", v);
}

void ea_json_int(struct ea_json *j, long long v)
{
	if (separate(j, false))
		fprintf(j->out, "%lld", v);
}

void ea_json_bool(struct ea_json *j, bool v)
{
	if (separate(j, false))
		fputs(v ? "true" : "false", j->out);
}

void ea_json_null(struct ea_json *j)
{
	if (separate(j, false))
		fputs("null", j->out);
}

void ea_json_member_str(struct ea_json *j, const char *key, const char *value)
{
	ea_json_key(j, key);
	ea_json_string(j, value);
}

void ea_json_member_uint(struct ea_json *j, const char *key, unsigned long long value)
{
	ea_json_key(j, key);
	ea_json_uint(j, value);
}

void ea_json_member_bool(struct ea_json *j, const char *key, bool value)
{
	ea_json_key(j, key);
	ea_json_bool(j, value);
}

void ea_json_newline(struct ea_json *j)
{
	j->newline = true;
}

int ea_json_finish(struct ea_json *j)
{
	bool complete = j->depth == 0 && !j->after_key && j->top_written;

	fputc('\n', j->out);
	return complete && !j->misuse && !ferror(j->out) ? 0 : -1;
}
