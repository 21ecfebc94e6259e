/* Fuzz target: the catalogue loader (catalogue.c, yaml_walk.c, libyaml and
 * PCRE2 underneath) on arbitrary file contents. It must never crash or
 * leak, must fail whole (no catalogue, at least one error) or succeed
 * whole; and a catalogue it accepts must compile into a matcher that finds
 * what the linear reference finds, for hosts made from its own patterns. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/catalogue.h"
#include "fuzz.h"
#include "core/host.h"
#include "core/match.h"

#define MAX_HOSTS 32
#define MAX_OUT 8

/* One file per process, rewritten for every input: creating one per input
 * would spend the fuzzer's time in the file system. */
static char path[64];
static int fd = -1;

static void remove_file(void)
{
	if (fd >= 0)
		unlink(path);
}

static void write_input(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		const char *tmp = getenv("TMPDIR");

		if (!tmp || strlen(tmp) > sizeof(path) - 32)
			tmp = "/tmp";
		snprintf(path, sizeof(path), "%s/ea-fuzz-XXXXXX.yaml", tmp);
		fd = mkstemps(path, 5);
		FUZZ_CHECK(fd >= 0);
		atexit(remove_file);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size);
}

/* A host a pattern should match: every '*' made "x". */
static bool host_from_pattern(const char *pattern, struct ea_host *h)
{
	char buf[2 * EA_HOST_MAX + 3];
	size_t o = 0;
	const char *why;

	for (const char *p = pattern; *p && o + 1 < sizeof(buf); p++)
		buf[o++] = *p == '*' ? 'x' : *p;
	return ea_host_parse(buf, o, h, &why) == 0;
}

static void lookup(const struct ea_catalogue *cat, const struct ea_matcher *m,
		   const struct ea_host *h)
{
	const struct ea_entry *got[MAX_OUT], *want[MAX_OUT];
	size_t ng = ea_matcher_lookup(m, h, got, MAX_OUT);
	size_t nw = ea_linear_lookup(cat, h, want, MAX_OUT);

	if (ng != nw || memcmp(got, want, (ng < MAX_OUT ? ng : MAX_OUT) * sizeof(got[0])) != 0) {
		fprintf(stderr, "host '%s': matcher found %zu, linear %zu\n", h->name, ng, nw);
		FUZZ_CHECK(ng == nw);
		FUZZ_CHECK(!"the same entries in the same order");
	}
	(void)ea_matcher_vendor_domain(m, h);
}

static void exercise(struct ea_catalogue *cat)
{
	static const char *const fixed[] = { "example.com", "a.b.c.d.e.f.g", "127.0.0.1", "::1" };
	struct ea_matcher *m;
	struct ea_host h;
	const char *why;
	size_t tried = 0;

	if (ea_matcher_new(cat, &m) < 0) {
		/* A catalogue the loader accepted must compile. */
		fprintf(stderr, "ea_matcher_new: %s\n", ea_matcher_errmsg(m));
		FUZZ_CHECK(0);
	}
	ea_matcher_adopt_catalogue(m, cat); /* freed with the matcher */
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (ea_host_parse(fixed[i], strlen(fixed[i]), &h, &why) == 0)
			lookup(cat, m, &h);
	for (size_t i = 0; i < cat->nentries && tried < MAX_HOSTS; i++) {
		const struct ea_entry *e = cat->entries[i];

		FUZZ_CHECK(ea_catalogue_find(cat, e->id) != NULL);
		if (e->pattern && e->kind != EA_KIND_REGEX && host_from_pattern(e->pattern, &h)) {
			lookup(cat, m, &h);
			tried++;
		}
		if (e->example && ea_host_parse(e->example, strlen(e->example), &h, &why) == 0) {
			lookup(cat, m, &h);
			tried++;
		}
	}
	for (size_t i = 0; i < cat->nvendors; i++) {
		FUZZ_CHECK(ea_catalogue_vendor(cat, cat->vendors[i]->id) == cat->vendors[i]);
		for (size_t d = 0; d < cat->vendors[i]->ndomains && tried < MAX_HOSTS; d++, tried++)
			if (host_from_pattern(cat->vendors[i]->domains[d], &h))
				lookup(cat, m, &h);
	}
	ea_matcher_unref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ea_catalogue *cat = NULL;
	struct ea_diags diags;
	const char *paths[1];
	int rc;

	write_input(data, size);
	paths[0] = path;
	ea_diags_init(&diags);
	rc = ea_catalogue_load(paths, 1, &cat, &diags);
	if (rc != 0) {
		/* All or nothing, and never silently. */
		FUZZ_CHECK(cat == NULL && diags.errors > 0);
	} else {
		FUZZ_CHECK(cat != NULL && diags.errors == 0);
		exercise(cat);
	}
	ea_diags_clear(&diags);
	return 0;
}
