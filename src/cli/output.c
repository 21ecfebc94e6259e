/* Output files the CLI replaces atomically (report -o): a temporary file
 * beside the target, renamed over it once complete. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void output_clear(struct cli_output *o)
{
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

int cli_output_open(struct cli_output *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	mode_t mask;
	int fd, saved;

	memset(o, 0, sizeof(*o));
	/* A dot name: node_exporter reads only *.prom, shells skip it. */
	if (!(o->path = strdup(path)) || !(o->tmp = malloc(dirlen + strlen(path + dirlen) + 10))) {
		output_clear(o);
		errno = ENOMEM;
		return -1;
	}
	sprintf(o->tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		saved = errno;
		output_clear(o);
		errno = saved;
		return -1;
	}
	/* mkstemp makes 0600; the file gets the mode fopen would give it. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || !(o->fp = fdopen(fd, "w"))) {
		saved = errno;
		close(fd);
		unlink(o->tmp);
		output_clear(o);
		errno = saved;
		return -1;
	}
	return 0;
}

int cli_output_commit(struct cli_output *o)
{
	int rc = 0, saved = 0;

	if (fflush(o->fp) != 0 || fsync(fileno(o->fp)) != 0) {
		rc = -1;
		saved = errno;
	}
	if (fclose(o->fp) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	o->fp = NULL;
	if (rc == 0 && rename(o->tmp, o->path) != 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0)
		unlink(o->tmp);
	output_clear(o);
	errno = saved;
	return rc;
}

void cli_output_abort(struct cli_output *o)
{
	if (o->fp)
		fclose(o->fp);
	if (o->tmp)
		unlink(o->tmp);
	output_clear(o);
}
