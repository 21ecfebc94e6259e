/* Who owns the database: a root-run writer (the documented `egressaudit
 * import`, a cron job) must not leave a root-owned file that the module,
 * running as c-icap, can then never write. The rules: the database belongs
 * to the owner of its directory, which the deployment guide creates for
 * the writing user; and in a group-writable directory (the module and
 * egressaudit-logd sharing one database, as c-icap and proxy) it is
 * group-writable too. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_owner.h"

/* In a group-writable directory, make path group-writable (its owner
 * only). Run as root: hand path (and its -wal and -shm, which SQLite, run as
 * root, gives the database's owner when it creates them) to the owner of
 * its directory when root owns it and the directory is someone else's.
 * Best effort: a failure leaves the file as it was, and the other user's
 * open then says why. */
void ea_store_owner_adopt(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char *copy, name[4096];
	struct stat dir, st;
	int rc;

	if (!(copy = strdup(path)))
		return;
	rc = stat(dirname(copy), &dir);
	free(copy);
	if (rc != 0)
		return;
	/* SQLite creates the database 0644 and gives the -wal and -shm the
	 * database's mode: one chmod here makes all three group-writable. */
	if ((dir.st_mode & S_IWGRP) && stat(path, &st) == 0 && st.st_uid == geteuid() &&
	    !(st.st_mode & S_IWGRP))
		chmod(path, (st.st_mode & 07777) | S_IWGRP);
	if (geteuid() != 0 || dir.st_uid == 0)
		return;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffix[i]) >= sizeof(name))
			return;
		if (lstat(name, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    chown(name, dir.st_uid, dir.st_gid) != 0)
			return;
	}
}

/* Why a writer that is not root cannot write path, when it is the owner
 * question; NULL otherwise. */
const char *ea_store_owner_problem(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (access(path, W_OK) == 0 || errno != EACCES || stat(path, &st) != 0 ||
	    st.st_uid == geteuid())
		return NULL;
	snprintf(buf, len, "not writable by this process (uid %u), the file is owned by uid %u"
		 " with mode %03o: chown it to the user that writes it (the directory's owner;"
		 " egressaudit run as root gives new databases to that owner)",
		 (unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
	return buf;
}
