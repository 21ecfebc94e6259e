/* Replays fuzzing inputs without libFuzzer: every file of each directory
 * (or each file) named on the command line goes through the target's
 * LLVMFuzzerTestOneInput once, in name order, one TAP line per file. This
 * is how `make check` keeps the corpus -- crashes found by `make fuzz`
 * included -- as regression tests, under ASan/UBSan in the sanitizer build.
 * A crash kills the program, which the TAP driver reports as a failure. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int count, failed;

/* The input goes into a buffer of exactly its size, so that ASan sees any
 * read past its end, as it would under libFuzzer. */
static void replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat st;
	size_t n = 0;

	count++;
	if (!f || fstat(fileno(f), &st) < 0) {
		failed++;
		printf("not ok %d - replays %s\n# cannot open: %s\n", count, path, strerror(errno));
		if (f)
			fclose(f);
		return;
	}
	if (st.st_size > 0) {
		buf = malloc((size_t)st.st_size);
		if (!buf || (n = fread(buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size) {
			failed++;
			printf("not ok %d - replays %s\n# cannot read it\n", count, path);
			free(buf);
			fclose(f);
			return;
		}
	}
	fclose(f);
	/* Flushed first: if the input crashes the target, the log shows
	 * which file did it. */
	printf("# %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	printf("ok %d - replays %s\n", count, path);
	fflush(stdout);
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		replay(path);
		return;
	}
	n = scandir(path, &names, skip_dots, alphasort);
	if (n < 0) {
		count++;
		failed++;
		printf("not ok %d - replays %s\n# cannot read directory: %s\n", count, path,
		       strerror(errno));
		return;
	}
	if (n == 0) {
		count++;
		failed++;
		printf("not ok %d - replays %s\n# empty corpus directory\n", count, path);
	}
	for (int i = 0; i < n; i++) {
		char *file;

		if (asprintf(&file, "%s/%s", path, names[i]->d_name) < 0) {
			count++;
			failed++;
			printf("not ok %d - replays %s/%s\n# out of memory\n", count, path,
			       names[i]->d_name);
		} else {
			replay(file);
			free(file);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
#ifdef FUZZ_CORPUS
		/* As a `make check` test: the target's own corpus. */
		replay_path(FUZZ_CORPUS);
#else
		fprintf(stderr, "usage: %s DIRECTORY-OR-FILE...\n", argv[0]);
		return 2;
#endif
	}
	for (int i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
