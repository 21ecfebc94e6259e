/* Unit tests of the catalogue comparison (core/catalogue_diff.c) on the
 * catalogues of tests/data/diff and on the shipped rules against
 * themselves, and of the date arithmetic behind --max-age. */
#include <stdlib.h>
#include <string.h>

#include "core/catalogue_diff.h"
#include "core/util.h"
#include "tap.h"

static struct ea_catalogue *load(const char *path)
{
	struct ea_catalogue *cat = NULL;
	struct ea_diags diags;

	ea_diags_init(&diags);
	ea_catalogue_load(&path, 1, &cat, &diags);
	ea_diags_clear(&diags);
	return cat;
}

static const struct ea_entry_diff *find(const struct ea_catalogue_diff *d, const char *id)
{
	for (size_t i = 0; i < d->nentries; i++)
		if (strcmp(d->entries[i].id, id) == 0)
			return &d->entries[i];
	return NULL;
}

static void test_kinds(void)
{
	struct ea_catalogue *old = load(TEST_DATA "/diff/old"), *new = load(TEST_DATA "/diff/new");
	struct ea_catalogue_diff *d = NULL;
	const struct ea_entry_diff *c;

	if (!ok(old && new, "the test catalogues load"))
		return;
	ok(ea_catalogue_diff(old, new, &d) == 0 && d, "the diff is made");
	is_int(d->count[EA_CHANGE_ADDED], 5, "five entries added");
	is_int(d->count[EA_CHANGE_REMOVED], 2, "two removed");
	is_int(d->count[EA_CHANGE_CHANGED], 8, "eight changed");
	ok(!find(d, "acme-same"), "an entry with equal values is not a change");
	for (size_t i = 1; i < d->nentries; i++)
		if (strcmp(d->entries[i - 1].id, d->entries[i].id) >= 0)
			ok(0, "entries are in id order (%s before %s)", d->entries[i - 1].id, d->entries[i].id);
	c = find(d, "acme-removed");
	ok(c && c->change == EA_CHANGE_REMOVED && c->old && !c->new, "a removed entry has its old values only");
	c = find(d, "acme-added");
	ok(c && c->change == EA_CHANGE_ADDED && !c->old && c->new, "an added entry has its new values only");
	c = find(d, "acme-ports");
	ok(c && c->fields == EA_FIELD_PORTS && c->nports_added == 1 && c->ports_added[0] == 8443 &&
	   c->nports_removed == 0, "a port added is named");
	c = find(d, "acme-host");
	ok(c && c->fields == EA_FIELD_HOST, "a host change");
	c = find(d, "acme-level");
	ok(c && c->fields == EA_FIELD_LEVEL, "a level change");
	c = find(d, "acme-condition");
	ok(c && c->fields == EA_FIELD_CONDITION, "a condition change");
	c = find(d, "acme-dates");
	ok(c && c->fields == (EA_FIELD_VALID_UNTIL | EA_FIELD_REPLACED_BY), "an end date and a replacement");
	c = find(d, "acme-product");
	ok(c && c->fields == EA_FIELD_PRODUCT, "an entry moved to another product's group");
	c = find(d, "acme-text");
	ok(c && c->fields == EA_FIELD_TEXT, "a change of words only");
	is_int(d->nvendors, 2, "both catalogues' vendors are listed");
	ok(d->vendors_changed == 2 && d->vendors[0].fields == (EA_VFIELD_UPDATED | EA_VFIELD_TRANSCRIBED) &&
	   !d->vendors[1].old, "a vendor's new source dates, and a vendor added");
	ea_catalogue_diff_free(d);

	/* Reversed, every addition is a removal. */
	ok(ea_catalogue_diff(new, old, &d) == 0 && d->count[EA_CHANGE_ADDED] == 2 &&
	   d->count[EA_CHANGE_REMOVED] == 5 && find(d, "acme-ports")->nports_removed == 1,
	   "the reverse diff swaps additions and removals");
	ea_catalogue_diff_free(d);
	ea_catalogue_free(old);
	ea_catalogue_free(new);
}

static void test_identical(void)
{
	struct ea_catalogue *a = load(RULES_DIR), *b = load(RULES_DIR);
	struct ea_catalogue_diff *d = NULL;

	if (!ok(a && b, "the shipped rules load twice"))
		return;
	ok(ea_catalogue_diff(a, b, &d) == 0 && d->nentries == 0 && d->vendors_changed == 0 &&
	   d->nvendors == a->nvendors, "two loads of the shipped rules do not differ");
	ea_catalogue_diff_free(d);
	ea_catalogue_free(a);
	ea_catalogue_free(b);
}

static void test_dates(void)
{
	long days = -7;

	ok(ea_date_days_between("2024-02-28", "2024-03-01", &days) == 0 && days == 2, "2024 is a leap year");
	ok(ea_date_days_between("2025-01-01", "2026-12-01", &days) == 0 && days == 699, "699 days");
	ok(ea_date_days_between("2026-12-01", "2025-01-01", &days) == 0 && days == -699, "negative when the date is later");
	days = 5;
	ok(ea_date_days_between("", "2025-01-01", &days) < 0 && days == 5, "an empty date is not a date");
	ok(ea_date_days_between("2025-1-01", "2025-01-01", &days) < 0, "a short date is not a date");
	ok(ea_date_days_between("2025-01-01x", "2025-01-01", &days) < 0, "trailing text is not a date");
}

int main(void)
{
	test_kinds();
	test_identical();
	test_dates();
	return done_testing();
}
