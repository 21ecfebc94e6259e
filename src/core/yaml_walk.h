/* Typed, position-aware access to a libyaml document: every accessor that
 * rejects a node records a FILE:LINE:COLUMN error naming what was expected. */
#ifndef EA_YAML_WALK_H
#define EA_YAML_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include "diag.h"

/* The most YAML one load reads: a catalogue (all its files together) or a
 * profile. libyaml's document takes about 15 times the file in memory, and
 * the c-icap master holds it while reloading; the shipped catalogues are a
 * few dozen KiB. */
#define EA_YAML_MAX_BYTES (8u << 20)

struct ea_yaml {
	yaml_document_t doc;
	const char *file;
	struct ea_diags *diags;
	size_t bytes;            /* the file's size, once parsed */
};

/* Parse a whole file of at most max_bytes; on a syntax error, a second
 * document or a larger file records it and returns -1. The document is
 * freed with ea_yaml_close. */
int ea_yaml_open(struct ea_yaml *y, const char *file, size_t max_bytes, struct ea_diags *diags);
void ea_yaml_close(struct ea_yaml *y);

yaml_node_t *ea_yaml_root(struct ea_yaml *y);
yaml_node_t *ea_yaml_node(struct ea_yaml *y, int id);

unsigned ea_yaml_line(const yaml_node_t *n);
unsigned ea_yaml_column(const yaml_node_t *n);
/* Column of the first character of a scalar's text (after a quote). */
unsigned ea_yaml_text_column(const yaml_node_t *n);

void ea_yaml_error(struct ea_yaml *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

bool ea_yaml_is_null(const yaml_node_t *n);
int ea_yaml_expect(struct ea_yaml *y, const yaml_node_t *n, yaml_node_type_t type,
		   const char *what);
int ea_yaml_string(struct ea_yaml *y, const yaml_node_t *n, const char *what, const char **out);
int ea_yaml_bool(struct ea_yaml *y, const yaml_node_t *n, const char *what, bool *out);
int ea_yaml_int(struct ea_yaml *y, const yaml_node_t *n, const char *what,
		long min, long max, long *out);
/* An ISO date YYYY-MM-DD that exists in the calendar, copied into out. */
int ea_yaml_date(struct ea_yaml *y, const yaml_node_t *n, const char *what, char out[11]);

/* A mapping whose keys are plain strings, none repeated; -1 after an error. */
int ea_yaml_mapping(struct ea_yaml *y, const yaml_node_t *n, const char *what);
const char *ea_yaml_key(struct ea_yaml *y, const yaml_node_pair_t *p);

#endif
