/* egressaudit doctor: reading c-icap.conf and squid.conf as directive
 * lines, following their Include/include lines as c-icap and Squid do. */
#include "doctor.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/chars.h"

#define DR_MAX_DEPTH 16    /* includes nested deeper are taken for a loop */
#define DR_LINE_MAX 65536

bool dr_eqn(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ea_tolower((unsigned char)a[i]) != ea_tolower((unsigned char)b[i]))
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

bool dr_eq(const char *a, const char *b)
{
	size_t la = strlen(a);

	return la == strlen(b) && dr_eqn(a, b, la);
}

/* Words separated by blanks; a "double-quoted" word keeps its blanks. */
static int split(char *s, struct dr_line *l)
{
	size_t cap = 0;
	char **slot;

	for (;;) {
		char *w;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		if (*s == '"') {
			w = ++s;
			while (*s && *s != '"')
				s++;
		} else {
			w = s;
			while (*s && *s != ' ' && *s != '\t')
				s++;
		}
		if (*s)
			*s++ = '\0';
		if (!(slot = ea_vec_push(&l->argv, &l->argc, &cap, sizeof(*l->argv))) ||
		    !(*slot = strdup(w)))
			return -1;
	}
}

static int add_line(struct dr_conf *c, const char *file, unsigned lineno, char *text)
{
	struct dr_line l = { .file = file, .lineno = lineno };
	struct dr_line *slot;

	if (split(text, &l) < 0)
		goto oom;
	if (l.argc == 0)
		return 0;
	if (!(slot = ea_vec_push(&c->lines, &c->nlines, &c->lines_cap, sizeof(*c->lines))))
		goto oom;
	*slot = l;
	return 0;
oom:
	for (size_t i = 0; i < l.argc; i++)
		free(l.argv[i]);
	free(l.argv);
	return -1;
}

static const char *add_file(struct dr_conf *c, const char *path)
{
	char **slot = ea_vec_push(&c->files, &c->nfiles, &c->files_cap, sizeof(*c->files));

	if (!slot)
		return NULL;
	if (!(*slot = strdup(path)))
		c->nfiles--;
	return *slot;
}

static int read_file(struct dr_conf *c, const char *path, const char *base_dir,
		     const char *include_word, int depth);

static int include(struct dr_conf *c, const char *pattern, const char *base_dir, const char *from,
		   unsigned lineno, const char *include_word, int depth)
{
	char full[4096];
	glob_t g;
	int rc = 0;

	if (pattern[0] == '/')
		snprintf(full, sizeof(full), "%s", pattern);
	else if (snprintf(full, sizeof(full), "%s/%s", base_dir, pattern) >= (int)sizeof(full)) {
		ea_errmsg_set(c->errmsg, "%s:%u: included name too long", from, lineno);
		return -1;
	}
	/* A pattern that matches nothing is no error for Squid (conf.d/ empty). */
	if (glob(full, 0, NULL, &g) != 0) {
		if (!strpbrk(full, "*?[")) {
			ea_errmsg_set(c->errmsg, "%s:%u: cannot read %s: %s", from, lineno, full, strerror(ENOENT));
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = read_file(c, g.gl_pathv[i], base_dir, include_word, depth + 1);
	globfree(&g);
	return rc;
}

static int read_file(struct dr_conf *c, const char *path, const char *base_dir,
		     const char *include_word, int depth)
{
	char *buf = NULL, *line;
	const char *name;
	unsigned lineno = 0, start = 0;
	size_t used = 0;
	FILE *f;
	int rc = 0;

	if (depth > DR_MAX_DEPTH) {
		ea_errmsg_set(c->errmsg, "%s: includes nested more than %d deep (a loop?)", path, DR_MAX_DEPTH);
		return -1;
	}
	if (!(f = fopen(path, "r"))) {
		ea_errmsg_set(c->errmsg, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (!(name = add_file(c, path)) || !(buf = malloc(DR_LINE_MAX)) || !(line = malloc(DR_LINE_MAX))) {
		free(buf);
		fclose(f);
		ea_errmsg_set(c->errmsg, "out of memory");
		return -1;
	}
	while (rc == 0 && fgets(line, DR_LINE_MAX, f)) {
		size_t len = strcspn(line, "\r\n");
		bool more;
		char *s;

		lineno++;
		line[len] = '\0';
		more = len > 0 && line[len - 1] == '\\';
		if (more)
			line[--len] = '\0';
		if (used == 0)
			start = lineno;
		if (used + len + 2 > DR_LINE_MAX) {
			ea_errmsg_set(c->errmsg, "%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		memcpy(buf + used, line, len);
		used += len;
		buf[used] = '\0';
		if (more) {
			buf[used++] = ' ';
			buf[used] = '\0';
			continue;
		}
		used = 0;
		s = buf + strspn(buf, " \t");
		if (*s == '#' || *s == '\0')
			continue;
		{
			size_t wl = strcspn(s, " \t");

			if (wl == strlen(include_word) && dr_eqn(s, include_word, wl)) {
				struct dr_line tmp = { 0 };

				if (split(s + wl, &tmp) < 0) {
					ea_errmsg_set(c->errmsg, "out of memory");
					rc = -1;
				}
				for (size_t i = 0; i < tmp.argc; i++) {
					if (rc == 0)
						rc = include(c, tmp.argv[i], base_dir, name, start, include_word,
							     depth);
					free(tmp.argv[i]);
				}
				free(tmp.argv);
				continue;
			}
		}
		if (add_line(c, name, start, s) < 0) {
			ea_errmsg_set(c->errmsg, "out of memory");
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		ea_errmsg_set(c->errmsg, "reading %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	free(buf);
	fclose(f);
	return rc;
}

int dr_conf_read(struct dr_conf *c, const char *path, const char *include_word)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	memset(c, 0, sizeof(*c));
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "/");
	return read_file(c, path, dir, include_word, 0);
}

void dr_conf_free(struct dr_conf *c)
{
	for (size_t i = 0; i < c->nlines; i++) {
		for (size_t j = 0; j < c->lines[i].argc; j++)
			free(c->lines[i].argv[j]);
		free(c->lines[i].argv);
	}
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->lines);
	free(c->files);
	c->lines = NULL;
	c->files = NULL;
	c->nlines = c->lines_cap = c->nfiles = c->files_cap = 0;
}

const struct dr_line *dr_conf_last(const struct dr_conf *c, const char *name)
{
	for (size_t i = c->nlines; i-- > 0;)
		if (dr_eq(c->lines[i].argv[0], name))
			return &c->lines[i];
	return NULL;
}

void dr_say(struct dr_report *r, enum dr_level level, const char *area, const char *fix,
	    const char *fmt, ...)
{
	static const char *const tag[] = { "OK", "WARN", "FAIL" };
	va_list ap;

	r->count[level]++;
	if (r->quiet && level == DR_OK)
		return;
	printf("%-5s %s: ", tag[level], area);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fix)
		printf("      fix: %s\n", fix);
}
