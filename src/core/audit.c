/* Request -> hits, and catalogue loading for long-running processes. */
#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogue.h"

struct ea_matcher *ea_audit_load(const char *const *paths, size_t npaths,
				 ea_audit_log_fn log, void *ctx)
{
	struct ea_catalogue *cat = NULL;
	struct ea_matcher *m = NULL;
	struct ea_diags diags;
	char err[256];

	ea_diags_init(&diags);
	ea_catalogue_load(paths, npaths, &cat, &diags);
	for (size_t i = 0; log && i < diags.count; i++) {
		const struct ea_diag *dg = &diags.items[i];
		char *line = NULL;
		size_t len = 0;
		FILE *mem;

		if (dg->waived)
			continue;
		mem = open_memstream(&line, &len);
		if (!mem)
			continue;
		ea_diag_print(mem, dg);
		fclose(mem);
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		log(ctx, dg->severity == EA_ERROR, line);
		free(line);
	}
	ea_diags_clear(&diags);
	if (!cat)
		return NULL;
	m = ea_matcher_new(cat, err, sizeof(err));
	if (!m) {
		if (log) {
			char line[320];

			snprintf(line, sizeof(line), "cannot build the matcher: %s", err);
			log(ctx, 1, line);
		}
		ea_catalogue_free(cat);
		return NULL;
	}
	ea_matcher_adopt_catalogue(m, cat);
	return m;
}

size_t ea_audit_hits(const struct ea_matcher *m, const struct ea_target *target,
		     time_t when, const char *client, const char *user,
		     enum ea_outcome outcome, enum ea_source source,
		     struct ea_hit *out, size_t max)
{
	const struct ea_entry *found[64];
	const struct ea_vendor *v;
	uint16_t port = target->port > 0 ? (uint16_t)target->port : 0;
	size_t n = ea_matcher_lookup(m, &target->host, found, sizeof(found) / sizeof(found[0]));

	if (n == 0) {
		v = ea_matcher_vendor_domain(m, &target->host);
		if (!v)
			return 0;
		if (max)
			ea_hit_set(&out[0], when, "", v->id, target->host.name, port,
				   client, user, outcome, source);
		return 1;
	}
	for (size_t i = 0; i < n && i < max && i < sizeof(found) / sizeof(found[0]); i++)
		ea_hit_set(&out[i], when, found[i]->id, found[i]->vendor->id,
			   target->host.name, port, client, user, outcome, source);
	return n;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;
	int rc = 0;

	if (!in) {
		snprintf(err, errlen, "cannot read %s: %s", from, strerror(errno));
		return -1;
	}
	out = fopen(to, "wb");
	if (!out) {
		snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, out) != n) {
			rc = -1;
			break;
		}
	}
	if (ferror(in))
		rc = -1;
	if (fclose(out) != 0)
		rc = -1;
	fclose(in);
	if (rc < 0)
		snprintf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
	return rc;
}

/* Remove a snapshot directory: only the files we put there. */
static void remove_snapshot(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int ea_audit_save_last_good(const struct ea_matcher *m, const char *dir, char *err, size_t errlen)
{
	const struct ea_catalogue *cat = ea_matcher_catalogue(m);
	char tmp[PATH_MAX], old[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s.new-%ld", dir, (long)getpid()) >= (int)sizeof(tmp) ||
	    snprintf(old, sizeof(old), "%s.old-%ld", dir, (long)getpid()) >= (int)sizeof(old)) {
		snprintf(err, errlen, "path too long: %s", dir);
		return -1;
	}
	remove_snapshot(tmp);
	if (mkdir(tmp, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	/* Every file of a catalogue defines one vendor; numbering keeps the
	 * load order, which decides the order of equally specific matches. */
	for (size_t i = 0; i < cat->nvendors; i++) {
		const char *file = cat->vendors[i]->file;
		const char *base = strrchr(file, '/');
		char to[PATH_MAX];

		base = base ? base + 1 : file;
		if (snprintf(to, sizeof(to), "%s/%03zu-%s", tmp, i, base) >= (int)sizeof(to)) {
			snprintf(err, errlen, "path too long: %s/%s", tmp, base);
			remove_snapshot(tmp);
			return -1;
		}
		if (copy_file(file, to, err, errlen) < 0) {
			remove_snapshot(tmp);
			return -1;
		}
	}
	remove_snapshot(old);
	if (rename(dir, old) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot move %s aside: %s", dir, strerror(errno));
		remove_snapshot(tmp);
		return -1;
	}
	if (rename(tmp, dir) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
		rename(old, dir);
		remove_snapshot(tmp);
		return -1;
	}
	remove_snapshot(old);
	return 0;
}
