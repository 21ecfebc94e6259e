/* Diagnostics collected by the loader; printed only by the caller. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void ea_diags_init(struct ea_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void ea_diags_clear(struct ea_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].code);
		free(d->items[i].message);
		free(d->items[i].waived);
	}
	free(d->items);
	ea_diags_init(d);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int ea_diag_add(struct ea_diags *d, enum ea_severity sev, const char *file,
		unsigned line, unsigned column, const char *code,
		const char *fmt, ...)
{
	struct ea_diag *dg;
	va_list ap;
	char *msg;

	if (ea_vec_reserve(&d->items, &d->capacity, d->count + 1, sizeof(*d->items)) < 0)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return -1;
	dg = &d->items[d->count++];
	dg->severity = sev;
	dg->file = dup_or_null(file);
	dg->line = line;
	dg->column = column;
	dg->code = dup_or_null(code);
	dg->message = msg;
	dg->waived = NULL;
	if (sev == EA_ERROR && d->errors++ == 0) {
		char *text = ea_diag_line(dg);

		ea_copy_str(d->errmsg, sizeof d->errmsg, text ? text : msg);
		free(text);
	} else if (sev != EA_ERROR)
		d->warnings++;
	return 0;
}

void ea_diag_print(FILE *out, const struct ea_diag *dg)
{
	const char *sev = dg->severity == EA_ERROR ? "error" : "warning";

	if (dg->file && dg->line)
		fprintf(out, "%s:%u:%u: ", dg->file, dg->line, dg->column);
	else if (dg->file)
		fprintf(out, "%s: ", dg->file);
	fprintf(out, "%s: %s", dg->waived ? "note" : sev, dg->message);
	if (dg->code)
		fprintf(out, " [%s]", dg->code);
	if (dg->waived)
		fprintf(out, " (waived: %s)", dg->waived);
	fputc('\n', out);
}

char *ea_diag_line(const struct ea_diag *dg)
{
	char *line = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&line, &len);

	if (!mem)
		return NULL;
	ea_diag_print(mem, dg);
	if (fclose(mem) != 0) {
		free(line);
		return NULL;
	}
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	return line;
}

const char *ea_diags_errmsg(const struct ea_diags *d)
{
	return d->errmsg;
}
