/* The catalogue loader: inherited values, every error class reported at its
 * FILE:LINE:COLUMN, warnings and waivers, and all-or-nothing loading. */
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "tap.h"

static struct ea_catalogue *load(const char *path, struct ea_diags *d)
{
	struct ea_catalogue *cat = NULL;
	const char *paths[] = { path };

	ea_diags_init(d);
	ea_catalogue_load(paths, 1, &cat, d);
	return cat;
}

static const struct ea_diag *first_error(const struct ea_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		if (d->items[i].severity == EA_ERROR)
			return &d->items[i];
	return NULL;
}

struct bad_case {
	const char *file;
	unsigned line, column;
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{ "syntax.yaml", 3, 7, "YAML syntax" },
	{ "unknown-key.yaml", 8, 9, "unknown key 'hots' in an entry" },
	{ "wrong-type.yaml", 8, 16, "ports must be a list" },
	{ "bad-date.yaml", 6, 18, "valid_until must be a date YYYY-MM-DD that exists" },
	{ "space-pattern.yaml", 8, 17, "invalid host pattern '* .sophos.com'" },
	{ "empty-label.yaml", 8, 23, "invalid host pattern 'updates..example.com'" },
	{ "double-star.yaml", 8, 17, "invalid host pattern '**.example.com'" },
	{ "non-ascii.yaml", 8, 20, "invalid host pattern" },
	{ "bad-regex.yaml", 8, 37, "regex does not compile at offset 20" },
	{ "unknown-product.yaml", 7, 14, "unknown product 'agnet'" },
	{ "no-ports.yaml", 6, 9, "entry 'p-1' has no ports" },
	{ "port-range.yaml", 8, 22, "a port must be an integer from 1 to 65535" },
	{ "duplicate-key.yaml", 9, 9, "duplicate key 'host' in an entry (first at line 8)" },
	{ "two-targets.yaml", 9, 9, "exactly one of host, regex and site_specific" },
	{ "unknown-waiver.yaml", 9, 3, "unknown warning code 'third-party-wildcards'" },
	{ "wrong-schema.yaml", 1, 9, "schema 2 is not supported" },
};

static void test_every_error_class_is_reported_at_its_position(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char path[512];
		struct ea_diags d;
		struct ea_catalogue *cat;
		const struct ea_diag *e;

		snprintf(path, sizeof(path), "%s/bad/%s", TEST_DATA, c->file);
		cat = load(path, &d);
		ok(cat == NULL, "%s: the load fails and returns no catalogue", c->file);
		e = first_error(&d);
		ok(e && e->file && strcmp(e->file, path) == 0, "%s: the error names the file", c->file);
		if (e && !(e->line == c->line && e->column == c->column))
			diag("got %u:%u: %s", e->line, e->column, e->message);
		ok(e && e->line == c->line && e->column == c->column,
		   "%s: the error is at line %u, column %u", c->file, c->line, c->column);
		ok(e && strstr(e->message, c->message) != NULL,
		   "%s: the message says \"%s\"", c->file, c->message);
		if (e && !strstr(e->message, c->message))
			diag("message: %s", e->message);
		ea_catalogue_free(cat);
		ea_diags_clear(&d);
	}
}

static void test_a_good_file_resolves_inherited_values(void)
{
	struct ea_diags d;
	struct ea_catalogue *cat = load(TEST_DATA "/good/example.yaml", &d);
	const struct ea_entry *e;

	ok(cat != NULL, "a valid catalogue loads");
	is_int(d.errors, 0, "a valid catalogue has no errors");
	if (!cat)
		return;
	is_int(cat->nentries, 6, "all six entries are loaded");
	is_int(cat->nvendors, 1, "one vendor is loaded");
	is_int(cat->vendors[0]->ndomains, 2, "the vendor's two owned domains are kept");
	is_str(cat->vendors[0]->updated, "2024-09-06", "the source's updated date is kept");

	e = ea_catalogue_find(cat, "ex-a5-updates");
	ok(e != NULL, "an entry is found by id");
	if (e) {
		is_str(e->pattern, "updates.examplesec.com", "a host is stored lower case without its trailing dot");
		is_int(e->kind, EA_KIND_EXACT, "a plain host is an exact entry");
		is_int(e->nports, 2, "an entry's own ports override the defaults");
		ok(e->nports == 2 && e->ports[0] == 443 && e->ports[1] == 80, "ports keep their order");
		is_str(e->impact, "Security updates stop completely.", "an entry's own impact overrides its group's");
		is_str(e->product ? e->product->id : NULL, "agent-5", "the product is inherited from the group");
		is_int(e->level, EA_LEVEL_REQUIRED, "the level is inherited from defaults");
	}
	e = ea_catalogue_find(cat, "ex-a5-cdn");
	ok(e && e->kind == EA_KIND_WILDCARD && e->level == EA_LEVEL_RECOMMENDED,
	   "a '*.' pattern is a wildcard and keeps its own level");
	ok(e && e->impact && strcmp(e->impact, "Protection stops.") == 0,
	   "an entry without impact inherits its group's");
	ok(e && e->nports == 1 && e->ports[0] == 443, "an entry without ports inherits the defaults'");
	e = ea_catalogue_find(cat, "ex-a5-bucket");
	ok(e && e->kind == EA_KIND_GLOB && e->third_party && e->region &&
	   strcmp(e->region, "eu-west-1") == 0, "an in-label '*' is a glob with its region and third_party flag");
	e = ea_catalogue_find(cat, "ex-a5-regex");
	ok(e && e->kind == EA_KIND_REGEX && e->regex != NULL, "a regex entry is compiled");
	ok(e && e->condition && strcmp(e->condition->id, "licence-key") == 0, "a condition refers to a declared one");
	e = ea_catalogue_find(cat, "ex-a4-legacy");
	ok(e && strcmp(e->valid_until, "2024-09-30") == 0, "valid_until is inherited from the group");
	ok(e && e->replaced_by && strcmp(e->replaced_by, "updates.examplesec.com") == 0, "replaced_by is kept");
	ok(e && e->nports == 1 && e->ports[0] == 80, "a group's ports override the defaults'");
	e = ea_catalogue_find(cat, "ex-a4-site");
	ok(e && e->kind == EA_KIND_SITE && e->pattern == NULL && e->example,
	   "a site-specific entry has no pattern but an example");
	ok(e && e->line == 48 && e->column == 13, "an entry remembers the position of its id");
	ea_catalogue_free(cat);
	ea_diags_clear(&d);
}

static void test_duplicate_ids_across_files_are_errors(void)
{
	struct ea_diags d;
	struct ea_catalogue *cat = load(TEST_DATA "/dup", &d);
	const struct ea_diag *e = first_error(&d);

	ok(cat == NULL, "a duplicate id across two files fails the load");
	ok(e && strstr(e->file, "dup/b.yaml") && e->line == 9 && e->column == 13,
	   "the duplicate is reported where it is defined the second time");
	ok(e && strstr(e->message, "first defined at") && strstr(e->message, "dup/a.yaml:7:13"),
	   "the message points at the first definition");
	ea_catalogue_free(cat);
	ea_diags_clear(&d);
}

static void test_one_bad_file_loads_nothing(void)
{
	const char *paths[] = { TEST_DATA "/good/example.yaml", TEST_DATA "/bad/unknown-key.yaml" };
	struct ea_catalogue *cat = (struct ea_catalogue *)1;
	struct ea_diags d;

	ea_diags_init(&d);
	ok(ea_catalogue_load(paths, 2, &cat, &d) < 0 && cat == NULL,
	   "a good file loaded with a bad one yields no catalogue at all");
	ea_diags_clear(&d);
}

static void test_a_directory_of_bad_files_reports_each(void)
{
	struct ea_diags d;
	struct ea_catalogue *cat = load(TEST_DATA "/bad", &d);
	size_t files_with_errors = 0;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		for (size_t j = 0; j < d.count; j++) {
			if (d.items[j].severity == EA_ERROR && d.items[j].file &&
			    strstr(d.items[j].file, bad_cases[i].file)) {
				files_with_errors++;
				break;
			}
		}
	}
	ok(cat == NULL, "a directory with broken files fails the load");
	is_int(files_with_errors, sizeof(bad_cases) / sizeof(bad_cases[0]),
	       "every broken file in the directory is reported in one run");
	ea_catalogue_free(cat);
	ea_diags_clear(&d);
}

static size_t count_code(const struct ea_diags *d, const char *code, int waived)
{
	size_t n = 0;

	for (size_t i = 0; i < d->count; i++)
		if (d->items[i].code && strcmp(d->items[i].code, code) == 0 &&
		    (d->items[i].waived != NULL) == waived)
			n++;
	return n;
}

static void test_warnings_and_waivers(void)
{
	struct ea_diags d;
	struct ea_catalogue *cat = load(TEST_DATA "/warn/unwaived.yaml", &d);

	ok(cat != NULL, "warnings alone do not fail a load");
	is_int(count_code(&d, "third-party-wildcard", 0), 2, "each third-party wildcard is warned about");
	is_int(count_code(&d, "covered-by-no-wildcard", 0), 1,
	       "a wildcard covering a never-by-wildcard host is warned about");
	is_int(d.warnings, 3, "unwaived warnings are counted");
	ea_catalogue_free(cat);
	ea_diags_clear(&d);

	cat = load(TEST_DATA "/warn/waived.yaml", &d);
	ok(cat != NULL, "a file with waived warnings loads");
	is_int(count_code(&d, "third-party-wildcard", 1), 1, "a waived warning carries the file's reason");
	is_int(count_code(&d, "unused-waiver", 0), 1, "a waiver that matches nothing is itself a warning");
	is_int(d.warnings, 1, "waived warnings are not counted");
	ea_catalogue_free(cat);
	ea_diags_clear(&d);
}

static void test_missing_path_is_an_error(void)
{
	struct ea_diags d;
	struct ea_catalogue *cat = load(TEST_DATA "/no-such-file.yaml", &d);
	const struct ea_diag *e = first_error(&d);

	ok(cat == NULL && e && strstr(e->message, "cannot open"), "a missing file is an error that says why");
	ea_diags_clear(&d);
}

static void test_the_shipped_catalogue_lints_clean(void)
{
	struct ea_diags d;
	struct ea_catalogue *cat = load(RULES_DIR, &d);

	ok(cat != NULL, "the shipped catalogue loads");
	is_int(d.errors, 0, "the shipped catalogue has no errors");
	is_int(d.warnings, 0, "the shipped catalogue has no unwaived warnings");
	for (size_t i = 0; i < d.count; i++)
		if (!d.items[i].waived)
			diag("%s:%u:%u: %s", d.items[i].file, d.items[i].line, d.items[i].column,
			     d.items[i].message);
	ok(cat && ea_catalogue_vendor(cat, "withsecure") && ea_catalogue_vendor(cat, "sophos"),
	   "the shipped catalogue has the withsecure and sophos vendors");
	ea_catalogue_free(cat);
	ea_diags_clear(&d);
}

int main(void)
{
	test_every_error_class_is_reported_at_its_position();
	test_a_good_file_resolves_inherited_values();
	test_duplicate_ids_across_files_are_errors();
	test_one_bad_file_loads_nothing();
	test_a_directory_of_bad_files_reports_each();
	test_warnings_and_waivers();
	test_missing_path_is_an_error();
	test_the_shipped_catalogue_lints_clean();
	return done_testing();
}
