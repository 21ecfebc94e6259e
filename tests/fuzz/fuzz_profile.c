/* Fuzz target: the two readers of site input in profile.c. Every input goes
 * through both:
 *  - ea_profile_load on the input as a .yaml file, checked against the
 *    shipped catalogue (rules/, loaded once per process). It must never
 *    crash or leak, must fail whole (no profile, at least one error) or
 *    succeed whole; a profile it accepts is walked with the scope queries
 *    the report and squid-acl make, then freed.
 *  - ea_sophos_mcs_line on every newline-separated line, without its
 *    newline and not NUL-terminated, as `egressaudit profile sophos-mcs`
 *    reads SophosCloudInstaller.log. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/catalogue.h"
#include "fuzz.h"
#include "core/host.h"
#include "report/profile.h"
#include "report/sophos_log.h"

#ifndef RULES_DIR
#error "RULES_DIR: the shipped catalogue directory (fuzz.am defines it)"
#endif

/* One file per process, rewritten for every input, as in fuzz_catalogue.c. */
static char path[64];
static int fd = -1;
static struct ea_catalogue *cat;

static void cleanup(void)
{
	if (fd >= 0)
		unlink(path);
	ea_catalogue_free(cat);
	cat = NULL;
}

static void setup(void)
{
	const char *paths[] = { RULES_DIR };
	const char *tmp = getenv("TMPDIR");
	struct ea_diags diags;

	ea_diags_init(&diags);
	if (ea_catalogue_load(paths, 1, &cat, &diags) != 0) {
		for (size_t i = 0; i < diags.count; i++)
			ea_diag_print(stderr, &diags.items[i]);
		fprintf(stderr, "fuzz_profile: cannot load the catalogue in %s\n", RULES_DIR);
		abort();
	}
	ea_diags_clear(&diags);
	if (!tmp || strlen(tmp) > sizeof(path) - 32)
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/ea-fuzz-XXXXXX.yaml", tmp);
	fd = mkstemps(path, 5);
	FUZZ_CHECK(fd >= 0);
	atexit(cleanup);
}

static void write_input(const uint8_t *data, size_t size)
{
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size);
}

/* Is p one of the n names of v (a pointer into the catalogue's array)? */
static bool one_of(const struct ea_named *p, const struct ea_named *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p == &v[i])
			return true;
	return false;
}

/* What the loader promises of a profile it accepted, and the queries the
 * report and squid-acl make of it. */
static void exercise(const struct ea_profile *p)
{
	FUZZ_CHECK(p->file && strcmp(p->file, path) == 0);
	for (size_t i = 0; i < p->nvendors; i++) {
		const struct ea_profile_vendor *pv = &p->vendors[i];
		const struct ea_vendor *v = pv->vendor;

		FUZZ_CHECK(v && ea_catalogue_vendor(cat, v->id) == v);
		FUZZ_CHECK(!pv->all_products || pv->nproducts == 0);
		for (size_t j = 0; j < pv->nproducts; j++)
			FUZZ_CHECK(one_of(pv->products[j], v->products, v->nproducts));
		for (size_t j = 0; j < pv->nconditions; j++)
			FUZZ_CHECK(one_of(pv->conditions[j], v->conditions, v->nconditions));
		FUZZ_CHECK(ea_profile_vendor_in_scope(p, v->id));
	}
	for (size_t i = 0; i < p->nregions; i++)
		FUZZ_CHECK(p->regions[i] != NULL);
	for (size_t i = 0; i < p->nsites; i++) {
		const struct ea_profile_site *s = &p->sites[i];

		FUZZ_CHECK(s->entry && s->entry->kind == EA_KIND_SITE && s->nhosts > 0);
		for (size_t j = 0; j < s->nhosts; j++)
			FUZZ_CHECK(memchr(s->hosts[j].pattern, '\0', sizeof(s->hosts[j].pattern)) &&
				   s->hosts[j].pattern[0] != '\0');
		FUZZ_CHECK(ea_profile_site(p, s->entry) != NULL);
	}
	for (size_t i = 0; i < p->nacks; i++) {
		const struct ea_profile_ack *a = &p->acks[i];

		FUZZ_CHECK(a->entry && ea_catalogue_find(cat, a->entry->id) == a->entry);
		FUZZ_CHECK(a->reason && a->reason[0] != '\0');
		FUZZ_CHECK(strlen(a->until) == 10 && a->until[4] == '-' && a->until[7] == '-');
		FUZZ_CHECK((a->ports == NULL) == (a->nports == 0));
	}
	for (size_t i = 0; i < cat->nentries; i++)
		(void)ea_profile_in_scope(p, cat->entries[i]);
	(void)ea_profile_vendor_in_scope(p, "no-such-vendor");
}

static void load(const uint8_t *data, size_t size)
{
	struct ea_profile *p = NULL;
	struct ea_diags diags;
	int rc;

	write_input(data, size);
	ea_diags_init(&diags);
	rc = ea_profile_load(path, cat, &p, &diags);
	if (rc != 0) {
		/* All or nothing, and never silently. */
		FUZZ_CHECK(p == NULL && diags.errors > 0);
	} else {
		FUZZ_CHECK(p != NULL && diags.errors == 0);
		exercise(p);
		ea_profile_free(p);
	}
	ea_diags_clear(&diags);
}

static void mcs_line(const char *line, size_t len)
{
	struct ea_host h;
	int rc;

	memset(&h, 0xa5, sizeof(h));
	rc = ea_sophos_mcs_line(line, len, &h);
	FUZZ_CHECK(rc >= 0 && rc <= 2);
	if (rc) {
		/* A host name of two labels or more, NUL-terminated and of its
		 * stated length, ready to be written into a profile. */
		FUZZ_CHECK(h.type == EA_HOST_NAME && h.nlabels >= 2);
		FUZZ_CHECK(h.len > 0 && h.len < sizeof(h.name) && h.name[h.len] == '\0' &&
			   strlen(h.name) == h.len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (!cat)
		setup();
	load(data, size);
	if (size == 0) {
		mcs_line("", 0);
		return 0;
	}
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fuzz_dup(p, n, 0);

		mcs_line(line, n);
		free(line);
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}
