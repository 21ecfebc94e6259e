/* libyaml document helpers with GCC-style positioned errors. */
#include "yaml_walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strmap.h"

/* libyaml's input, capped: a file past the limit (or a FIFO, or /dev/zero
 * given as a catalogue) stops the parse instead of filling memory. */
struct capped_input {
	FILE *fp;
	size_t left;
	bool over;
};

static int capped_read(void *data, unsigned char *buf, size_t size, size_t *size_read)
{
	struct capped_input *in = data;
	size_t n = fread(buf, 1, size <= in->left ? size : in->left + 1, in->fp);

	*size_read = 0;
	if (n > in->left) {
		in->over = true;
		return 0;
	}
	in->left -= n;
	*size_read = n;
	return !ferror(in->fp);
}

int ea_yaml_open(struct ea_yaml *y, const char *file, size_t max_bytes, struct ea_diags *diags)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	struct capped_input in = { .left = max_bytes };
	struct stat st;
	FILE *fp;
	int rc = -1;

	memset(y, 0, sizeof(*y));
	y->file = file;
	y->diags = diags;
	fp = fopen(file, "rb");
	if (!fp) {
		ea_diag_add(diags, EA_ERROR, file, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes) {
		ea_diag_add(diags, EA_ERROR, file, 0, 0, NULL,
			    "too large: %llu bytes, more than the %zu bytes left of the %u MiB"
			    " that the files of one load may have in all", (unsigned long long)st.st_size,
			    max_bytes, EA_YAML_MAX_BYTES >> 20);
		fclose(fp);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		ea_diag_add(diags, EA_ERROR, file, 0, 0, NULL, "out of memory");
		return -1;
	}
	in.fp = fp;
	yaml_parser_set_input(&parser, capped_read, &in);
	if (!yaml_parser_load(&parser, &y->doc)) {
		if (in.over)
			ea_diag_add(diags, EA_ERROR, file, 0, 0, NULL,
				    "too large: more than the %zu bytes left of the %u MiB"
				    " that the files of one load may have in all", max_bytes,
				    EA_YAML_MAX_BYTES >> 20);
		else
			ea_diag_add(diags, EA_ERROR, file, (unsigned)parser.problem_mark.line + 1,
				    (unsigned)parser.problem_mark.column + 1, NULL,
				    "YAML syntax: %s%s%s",
				    parser.problem ? parser.problem : "malformed document",
				    parser.context ? " " : "", parser.context ? parser.context : "");
		goto out;
	}
	if (!yaml_document_get_root_node(&y->doc)) {
		ea_diag_add(diags, EA_ERROR, file, 0, 0, NULL, "the file is empty");
		yaml_document_delete(&y->doc);
		goto out;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		ea_diag_add(diags, EA_ERROR, file, (unsigned)parser.problem_mark.line + 1,
			    (unsigned)parser.problem_mark.column + 1, NULL,
			    "YAML syntax: %s", parser.problem ? parser.problem : "malformed document");
		yaml_document_delete(&y->doc);
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		yaml_node_t *n = yaml_document_get_root_node(&extra);

		ea_diag_add(diags, EA_ERROR, file, (unsigned)n->start_mark.line + 1,
			    (unsigned)n->start_mark.column + 1, NULL,
			    "a catalogue file holds one YAML document; this is a second one");
		yaml_document_delete(&extra);
		yaml_document_delete(&y->doc);
		goto out;
	}
	yaml_document_delete(&extra);
	y->bytes = max_bytes - in.left;
	rc = 0;
out:
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

void ea_yaml_close(struct ea_yaml *y)
{
	yaml_document_delete(&y->doc);
}

yaml_node_t *ea_yaml_root(struct ea_yaml *y)
{
	return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *ea_yaml_node(struct ea_yaml *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

unsigned ea_yaml_line(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

unsigned ea_yaml_column(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.column + 1;
}

unsigned ea_yaml_text_column(const yaml_node_t *n)
{
	bool quoted = n->type == YAML_SCALAR_NODE &&
		(n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		 n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);

	return ea_yaml_column(n) + (quoted ? 1 : 0);
}

void ea_yaml_error(struct ea_yaml *y, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ea_diag_add(y->diags, EA_ERROR, y->file, n ? ea_yaml_line(n) : 0,
		    n ? ea_yaml_column(n) : 0, NULL, "%s", msg);
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool plain_is(const yaml_node_t *n, const char *word)
{
	return is_plain(n) && strcmp((const char *)n->data.scalar.value, word) == 0;
}

bool ea_yaml_is_null(const yaml_node_t *n)
{
	return plain_is(n, "null") || plain_is(n, "~") || plain_is(n, "Null") ||
	       plain_is(n, "NULL") || plain_is(n, "");
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_SCALAR_NODE: return ea_yaml_is_null(n) ? "null" : "a scalar";
	default: return "nothing";
	}
}

int ea_yaml_expect(struct ea_yaml *y, const yaml_node_t *n, yaml_node_type_t type,
		   const char *what)
{
	static const char *const wanted[] = {
		[YAML_SCALAR_NODE] = "a scalar",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (n->type == type && !(type == YAML_SCALAR_NODE && ea_yaml_is_null(n)))
		return 0;
	ea_yaml_error(y, n, "%s must be %s, not %s", what, wanted[type], type_name(n));
	return -1;
}

int ea_yaml_string(struct ea_yaml *y, const yaml_node_t *n, const char *what, const char **out)
{
	if (ea_yaml_expect(y, n, YAML_SCALAR_NODE, what) < 0)
		return -1;
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		ea_yaml_error(y, n, "%s contains a NUL character", what);
		return -1;
	}
	*out = (const char *)n->data.scalar.value;
	return 0;
}

int ea_yaml_bool(struct ea_yaml *y, const yaml_node_t *n, const char *what, bool *out)
{
	if (plain_is(n, "true")) {
		*out = true;
		return 0;
	}
	if (plain_is(n, "false")) {
		*out = false;
		return 0;
	}
	ea_yaml_error(y, n, "%s must be true or false", what);
	return -1;
}

int ea_yaml_int(struct ea_yaml *y, const yaml_node_t *n, const char *what,
		long min, long max, long *out)
{
	const char *s = (const char *)n->data.scalar.value;
	char *end;
	long v;

	if (!is_plain(n) || !*s || *s == '+' || *s == ' ') {
		ea_yaml_error(y, n, "%s must be an integer from %ld to %ld", what, min, max);
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		ea_yaml_error(y, n, "%s must be an integer from %ld to %ld", what, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static bool date_exists(int year, int month, int day)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month < 1 || month > 12 || day < 1)
		return false;
	return day <= days[month - 1] + (month == 2 && leap);
}

int ea_yaml_date(struct ea_yaml *y, const yaml_node_t *n, const char *what, char out[11])
{
	const char *s = (const char *)n->data.scalar.value;
	int year, month, day;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.length != 10 ||
	    s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d", &year, &month, &day) != 3 ||
	    !date_exists(year, month, day)) {
		ea_yaml_error(y, n, "%s must be a date YYYY-MM-DD that exists", what);
		return -1;
	}
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
			ea_yaml_error(y, n, "%s must be a date YYYY-MM-DD that exists", what);
			return -1;
		}
	}
	memcpy(out, s, 11);
	return 0;
}

int ea_yaml_mapping(struct ea_yaml *y, const yaml_node_t *n, const char *what)
{
	struct ea_strmap seen = { 0 };
	int rc = 0;

	if (ea_yaml_expect(y, n, YAML_MAPPING_NODE, what) < 0)
		return -1;
	for (const yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ea_yaml_node(y, p->key);
		const void *prev;
		int r;

		if (k->type != YAML_SCALAR_NODE || ea_yaml_is_null(k)) {
			ea_yaml_error(y, k, "keys of %s must be plain strings", what);
			rc = -1;
			break;
		}
		r = ea_strmap_put(&seen, (const char *)k->data.scalar.value, k, &prev);
		if (r < 0) {
			ea_yaml_error(y, k, "out of memory");
			rc = -1;
			break;
		}
		if (r == 1) {
			ea_yaml_error(y, k, "duplicate key '%s' in %s (first at line %u)",
				      (const char *)k->data.scalar.value, what, ea_yaml_line(prev));
			rc = -1;
			break;
		}
	}
	ea_strmap_free(&seen);
	return rc;
}

const char *ea_yaml_key(struct ea_yaml *y, const yaml_node_pair_t *p)
{
	return (const char *)ea_yaml_node(y, p->key)->data.scalar.value;
}
