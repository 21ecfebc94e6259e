/* The last good catalogue the c-icap module keeps beside its database: a
 * copy of the files of the catalogue in force, so that a module started
 * afresh while the configured catalogue is broken still has one to load. */
#include "last_good.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/catalogue.h"

/* Failures here are the stateless kind of the error convention: -1 with a
 * fixed reason in *why and the cause in errno. */
static int fail(const char **why, const char *reason, int e)
{
	*why = reason;
	errno = e;
	return -1;
}

static int copy_file(const char *from, const char *to, const char **why)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;
	int rc = 0, e;

	if (!in)
		return fail(why, "cannot read a catalogue file", errno);
	out = fopen(to, "wb");
	if (!out) {
		e = errno;
		fclose(in);
		return fail(why, "cannot write into the new snapshot", e);
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
	e = errno;
	fclose(in);
	return rc < 0 ? fail(why, "cannot copy a catalogue file into the new snapshot", e) : 0;
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

int ea_last_good_save(const struct ea_matcher *m, const char *dir, const char **why)
{
	const struct ea_catalogue *cat = ea_matcher_catalogue(m);
	char tmp[PATH_MAX], old[PATH_MAX];
	int e;

	if (snprintf(tmp, sizeof(tmp), "%s.new-%ld", dir, (long)getpid()) >= (int)sizeof(tmp) ||
	    snprintf(old, sizeof(old), "%s.old-%ld", dir, (long)getpid()) >= (int)sizeof(old))
		return fail(why, "path too long", ENAMETOOLONG);
	remove_snapshot(tmp);
	if (mkdir(tmp, 0755) < 0)
		return fail(why, "cannot create the new snapshot directory", errno);
	/* Every file of a catalogue defines one vendor; numbering keeps the
	 * load order, which decides the order of equally specific matches. */
	for (size_t i = 0; i < cat->nvendors; i++) {
		const char *file = cat->vendors[i]->file;
		const char *base = strrchr(file, '/');
		char to[PATH_MAX];

		base = base ? base + 1 : file;
		if (snprintf(to, sizeof(to), "%s/%03zu-%s", tmp, i, base) >= (int)sizeof(to)) {
			remove_snapshot(tmp);
			return fail(why, "path too long", ENAMETOOLONG);
		}
		if (copy_file(file, to, why) < 0) {
			e = errno;
			remove_snapshot(tmp);
			errno = e;
			return -1;
		}
	}
	remove_snapshot(old);
	if (rename(dir, old) < 0 && errno != ENOENT) {
		e = errno;
		remove_snapshot(tmp);
		return fail(why, "cannot move the previous snapshot aside", e);
	}
	if (rename(tmp, dir) < 0) {
		e = errno;
		rename(old, dir);
		remove_snapshot(tmp);
		return fail(why, "cannot rename the new snapshot into place", e);
	}
	remove_snapshot(old);
	return 0;
}
