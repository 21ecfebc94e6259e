/* egressaudit catalog diff OLD NEW: what changed between two catalogues
 * (core/catalogue_diff.h), the vendors' source dates with a warning when a
 * list is old, and with -d which changes touch the traffic the stores saw
 * (report/diff_traffic.h). Exit status like diff(1). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/catalogue_diff.h"
#include "core/json.h"
#include "core/util.h"
#include "report/diff_traffic.h"
#include "report/profile.h"
#include "report/report.h"

#define DEFAULT_MAX_AGE_DAYS 365

static void diff_usage(FILE *out)
{
	fputs("usage: egressaudit catalog diff [OPTIONS] OLD NEW\n"
	      "  OLD, NEW              catalogue files or directories\n"
	      "  -f, --format FORMAT   text (default) or json\n"
	      "  -d, --database DB     an audit database: say which changes touch its traffic (repeatable)\n"
	      "  -p, --profile FILE    the site profile (scope of the new catalogue's entries)\n"
	      "      --since WHEN      traffic from WHEN (as in egressaudit report)\n"
	      "      --until WHEN      traffic before WHEN\n"
	      "      --as-of DATE      judge dates on DATE (default: today)\n"
	      "      --max-age DAYS    warn when a vendor's list was updated longer ago (default 365)\n"
	      "exit status: 0 the same, 1 different, 2 trouble\n", out);
}

struct diff_args {
	const char *format, *profile, *since, *until, *as_of;
	const char *paths[2];
	struct cli_paths dbs;
	long max_age;
	char today[11];
};

struct diff_run {
	const struct diff_args *a;
	struct ea_catalogue *cat[2];
	struct ea_catalogue_diff *d;
	struct ea_report *rep[2];
	struct ea_diff_impact *impacts;
	size_t nimpacts;
	time_t since, until;
};

/* ---- values of one field, for both formats ---- */

static void ports_text(char *buf, size_t len, const uint16_t *v, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 8 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? "," : "", v[i]);
	if (n == 0)
		snprintf(buf, len, "-");
}

/* The text of one field of an entry ("-" for none) into buf. */
static const char *field_value(const struct ea_entry *e, unsigned field, char *buf, size_t len)
{
	switch (field) {
	case EA_FIELD_HOST:
		snprintf(buf, len, "%s %s", ea_kind_name(e->kind), e->pattern ? e->pattern : "(site-specific)");
		return buf;
	case EA_FIELD_PORTS: ports_text(buf, len, e->ports, e->nports); return buf;
	case EA_FIELD_LEVEL: return ea_level_name(e->level);
	case EA_FIELD_CONDITION: return e->condition ? e->condition->id : "-";
	case EA_FIELD_VALID_UNTIL: return e->valid_until[0] ? e->valid_until : "-";
	case EA_FIELD_REPLACED_BY: return e->replaced_by ? e->replaced_by : "-";
	case EA_FIELD_PRODUCT: return e->product ? e->product->id : "all";
	case EA_FIELD_REGION: return e->region ? e->region : "-";
	case EA_FIELD_VENDOR: return e->vendor->id;
	case EA_FIELD_FLAGS:
		snprintf(buf, len, "%s%s%s", e->third_party ? "third_party" : "",
			 e->third_party && e->no_wildcard ? "," : "", e->no_wildcard ? "no_wildcard" : "");
		return buf[0] ? buf : "-";
	}
	return "";
}

/* ---- text ---- */

static void text_entry(FILE *out, const struct ea_entry_diff *c)
{
	const struct ea_entry *e = c->new ? c->new : c->old;
	char host[512], ports[128];

	if (c->change != EA_CHANGE_CHANGED) {
		fprintf(out, "%c %s  %s  ports %s  %s%s%s\n", c->change == EA_CHANGE_ADDED ? '+' : '-', c->id,
			field_value(e, EA_FIELD_HOST, host, sizeof(host)),
			field_value(e, EA_FIELD_PORTS, ports, sizeof(ports)), ea_level_name(e->level),
			e->valid_until[0] ? "  until " : "", e->valid_until);
		return;
	}
	fprintf(out, "~ %s", c->id);
	for (unsigned f = 0; f < EA_NFIELDS; f++) {
		unsigned bit = 1u << f;
		char b1[512], b2[512];

		if (!(c->fields & bit))
			continue;
		if (bit == EA_FIELD_TEXT) {
			fputs("  text: purpose, impact, note or example", out);
			continue;
		}
		fprintf(out, "  %s: %s -> %s", ea_diff_field_names[f], field_value(c->old, bit, b1, sizeof(b1)),
			field_value(c->new, bit, b2, sizeof(b2)));
		if (bit == EA_FIELD_PORTS) {
			fputs(" (", out);
			for (size_t i = 0; i < c->nports_added; i++)
				fprintf(out, "%s+%u", i ? " " : "", c->ports_added[i]);
			for (size_t i = 0; i < c->nports_removed; i++)
				fprintf(out, "%s-%u", i || c->nports_added ? " " : "", c->ports_removed[i]);
			fputc(')', out);
		}
	}
	fputc('\n', out);
}

static long vendor_age(const struct diff_run *r, const struct ea_vendor *v, bool *stale)
{
	return ea_vendor_source_age(v, r->a->today, r->a->max_age, stale);
}

static void text_vendor(FILE *out, const struct ea_vendor_diff *v)
{
	if (!v->old || !v->new) {
		fprintf(out, "vendor %s: %s\n", v->id, v->new ? "added" : "removed");
		return;
	}
	if (!v->fields)
		return;
	fprintf(out, "vendor %s: changed", v->id);
	for (unsigned f = 0; f < EA_NVFIELDS; f++)
		if (v->fields & (1u << f))
			fprintf(out, " %s", ea_diff_vendor_field_names[f]);
	if (v->fields & EA_VFIELD_UPDATED)
		fprintf(out, " (updated %s -> %s)", v->old->updated[0] ? v->old->updated : "-",
			v->new->updated[0] ? v->new->updated : "-");
	fputc('\n', out);
}

static void text_tally(FILE *out, const struct ea_tally *t)
{
	char last[32];

	ea_report_time(t->last_seen, last);
	fprintf(out, "%llu requests (%llu allowed, %llu denied, %llu failed, %llu unknown)",
		(unsigned long long)t->requested, (unsigned long long)t->allowed,
		(unsigned long long)t->denied, (unsigned long long)t->failed,
		(unsigned long long)t->unknown);
	if (last[0])
		fprintf(out, ", last %s", last);
}

static void text_proxies(FILE *out, const struct ea_report *rep, const struct ea_report_entry *re)
{
	bool first = true;

	for (size_t i = 0; i < rep->nproxies; i++)
		if (re->stats.by_proxy[i].requested) {
			fprintf(out, "%s%s", first ? " on " : ", ", rep->proxies[i].name);
			first = false;
		}
}

static void text_impact(FILE *out, const struct diff_run *r, const struct ea_diff_impact *im)
{
	const struct ea_entry_diff *c = im->change;

	fprintf(out, "  %-15s %s: ", ea_impact_name(im->kind), c->id);
	switch (im->kind) {
	case EA_IMPACT_REMOVED_IN_USE:
		fprintf(out, "%s %s still requested: ", c->change == EA_CHANGE_REMOVED ? "removed," : "host changed, old",
			c->old->pattern ? c->old->pattern : "site host");
		text_tally(out, &im->tally);
		text_proxies(out, r->rep[0], im->seen);
		break;
	case EA_IMPACT_NEW_NEVER_SEEN:
		fprintf(out, "required %s never requested", c->new->pattern ? c->new->pattern : "site host");
		break;
	case EA_IMPACT_NEW_BLOCKED:
		fprintf(out, "required %s requested but blocked: ", c->new->pattern ? c->new->pattern : "site host");
		text_tally(out, &im->tally);
		text_proxies(out, r->rep[1], im->seen);
		break;
	case EA_IMPACT_PORT_REFUSED:
		fprintf(out, "port %u added, refused: ", im->port);
		text_tally(out, &im->tally);
		break;
	}
	fputc('\n', out);
}

static void print_text(FILE *out, const struct diff_run *r)
{
	const struct ea_catalogue_diff *d = r->d;

	fprintf(out, "--- %s\n+++ %s\n", r->a->paths[0], r->a->paths[1]);
	for (size_t i = 0; i < d->nvendors; i++)
		text_vendor(out, &d->vendors[i]);
	for (size_t i = 0; i < d->nentries; i++)
		text_entry(out, &d->entries[i]);
	fprintf(out, "%zu added, %zu removed, %zu changed\n", d->count[EA_CHANGE_ADDED],
		d->count[EA_CHANGE_REMOVED], d->count[EA_CHANGE_CHANGED]);
	fprintf(out, "\nsources of the new catalogue (as of %s):\n", r->a->today);
	for (size_t i = 0; i < r->cat[1]->nvendors; i++) {
		const struct ea_vendor *v = r->cat[1]->vendors[i];
		bool stale;
		long age = vendor_age(r, v, &stale);

		fprintf(out, "  %s: \"%s\", updated %s, transcribed %s", v->id,
			v->source_title ? v->source_title : "no source document",
			v->updated[0] ? v->updated : "unknown", v->transcribed[0] ? v->transcribed : "unknown");
		if (age >= 0)
			fprintf(out, " (%ld days old%s)", age, stale ? ", older than --max-age" : "");
		fputc('\n', out);
	}
	if (!r->a->dbs.n)
		return;
	fprintf(out, "\ntraffic in %zu database%s: %zu change%s touch%s it\n", r->a->dbs.n,
		r->a->dbs.n == 1 ? "" : "s", r->nimpacts, r->nimpacts == 1 ? "" : "s",
		r->nimpacts == 1 ? "es" : "");
	for (size_t i = 0; i < r->nimpacts; i++)
		text_impact(out, r, &r->impacts[i]);
}

/* ---- JSON ---- */

static void json_entry(struct ea_json *j, const char *key, const struct ea_entry *e)
{
	ea_json_key(j, key);
	if (!e) {
		ea_json_null(j);
		return;
	}
	ea_json_object(j);
	ea_json_member_str(j, "vendor", e->vendor->id);
	ea_json_member_str(j, "product", e->product ? e->product->id : NULL);
	cli_json_entry_rule(j, e);
	ea_json_member_str(j, "file", e->file);
	ea_json_member_uint(j, "line", e->line);
	ea_json_end(j);
}

static void json_names(struct ea_json *j, unsigned bits, const char *const *names, unsigned n)
{
	ea_json_key(j, "fields");
	ea_json_array(j);
	for (unsigned f = 0; f < n; f++)
		if (bits & (1u << f))
			ea_json_string(j, names[f]);
	ea_json_end(j);
}

static void json_source(struct ea_json *j, const char *key, const struct ea_vendor *v)
{
	ea_json_key(j, key);
	if (!v) {
		ea_json_null(j);
		return;
	}
	ea_json_object(j);
	ea_json_member_str(j, "title", v->source_title);
	ea_json_member_str(j, "url", v->source_url);
	ea_json_member_str(j, "updated", v->updated[0] ? v->updated : NULL);
	ea_json_member_str(j, "transcribed", v->transcribed[0] ? v->transcribed : NULL);
	ea_json_end(j);
}

static void json_tally(struct ea_json *j, const struct ea_tally *t)
{
	char last[32];

	ea_report_time(t->last_seen, last);
	ea_json_key(j, "traffic");
	ea_json_object(j);
	ea_json_member_uint(j, "requested", t->requested);
	ea_json_member_uint(j, "allowed", t->allowed);
	ea_json_member_uint(j, "denied", t->denied);
	ea_json_member_uint(j, "failed", t->failed);
	ea_json_member_uint(j, "unknown", t->unknown);
	ea_json_member_str(j, "last_seen", last[0] ? last : NULL);
	ea_json_end(j);
}

static void json_impact(struct ea_json *j, const struct diff_run *r, const struct ea_diff_impact *im)
{
	const struct ea_report *rep = im->kind == EA_IMPACT_REMOVED_IN_USE ? r->rep[0] : r->rep[1];

	ea_json_newline(j);
	ea_json_object(j);
	ea_json_member_str(j, "id", im->change->id);
	ea_json_member_str(j, "impact", ea_impact_name(im->kind));
	ea_json_key(j, "port");
	if (im->kind == EA_IMPACT_PORT_REFUSED)
		ea_json_uint(j, im->port);
	else
		ea_json_null(j);
	json_tally(j, &im->tally);
	ea_json_key(j, "proxies");
	ea_json_array(j);
	for (size_t i = 0; i < rep->nproxies; i++)
		if (im->seen->stats.by_proxy[i].requested)
			ea_json_string(j, rep->proxies[i].name);
	ea_json_end(j);
	ea_json_end(j);
}

static void json_vendor(struct ea_json *j, const struct diff_run *r, const struct ea_vendor_diff *v)
{
	bool stale;
	long age = vendor_age(r, v->new, &stale);

	ea_json_newline(j);
	ea_json_object(j);
	ea_json_member_str(j, "id", v->id);
	ea_json_member_str(j, "change", !v->old ? "added" : !v->new ? "removed" : v->fields ? "changed" : "same");
	json_names(j, v->fields, ea_diff_vendor_field_names, EA_NVFIELDS);
	json_source(j, "old_source", v->old);
	json_source(j, "new_source", v->new);
	ea_json_key(j, "age_days");
	if (age >= 0)
		ea_json_int(j, age);
	else
		ea_json_null(j);
	ea_json_member_bool(j, "stale", stale);
	ea_json_end(j);
}

static void json_change(struct ea_json *j, const struct ea_entry_diff *c)
{
	ea_json_newline(j);
	ea_json_object(j);
	ea_json_member_str(j, "id", c->id);
	ea_json_member_str(j, "change", ea_change_name(c->change));
	json_names(j, c->fields, ea_diff_field_names, EA_NFIELDS);
	cli_json_ports(j, "ports_added", c->ports_added, c->nports_added);
	cli_json_ports(j, "ports_removed", c->ports_removed, c->nports_removed);
	json_entry(j, "old", c->old);
	json_entry(j, "new", c->new);
	ea_json_end(j);
}

static int print_json(FILE *out, const struct diff_run *r)
{
	const struct ea_catalogue_diff *d = r->d;
	struct ea_json j;

	ea_json_begin(&j, out);
	ea_json_object(&j);
	ea_json_member_str(&j, "format", "egressaudit-catalog-diff");
	ea_json_member_uint(&j, "version", 1);
	ea_json_member_str(&j, "old", r->a->paths[0]);
	ea_json_member_str(&j, "new", r->a->paths[1]);
	ea_json_member_str(&j, "as_of", r->a->today);
	ea_json_key(&j, "max_age_days");
	ea_json_int(&j, r->a->max_age);
	ea_json_key(&j, "summary");
	ea_json_object(&j);
	for (int c = 0; c < 3; c++)
		ea_json_member_uint(&j, ea_change_name((enum ea_change)c), d->count[c]);
	ea_json_member_uint(&j, "vendors_changed", d->vendors_changed);
	ea_json_end(&j);
	ea_json_key(&j, "vendors");
	ea_json_array(&j);
	for (size_t i = 0; i < d->nvendors; i++)
		json_vendor(&j, r, &d->vendors[i]);
	ea_json_end(&j);
	ea_json_key(&j, "entries");
	ea_json_array(&j);
	for (size_t i = 0; i < d->nentries; i++)
		json_change(&j, &d->entries[i]);
	ea_json_end(&j);
	ea_json_key(&j, "traffic");
	if (r->a->dbs.n) {
		ea_json_array(&j);
		for (size_t i = 0; i < r->nimpacts; i++)
			json_impact(&j, r, &r->impacts[i]);
		ea_json_end(&j);
	} else {
		ea_json_null(&j);
	}
	ea_json_end(&j);
	return ea_json_finish(&j);
}

/* ---- running it ---- */

static int parse_args(int argc, char **argv, struct diff_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "database", required_argument, NULL, 'd' },
		{ "profile", required_argument, NULL, 'p' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "max-age", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	a->format = "text";
	a->max_age = DEFAULT_MAX_AGE_DAYS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:d:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->format = optarg; break;
		case 'd': cli_paths_add(&a->dbs, optarg); break;
		case 'p': a->profile = optarg; break;
		case 'S': a->since = optarg; break;
		case 'U': a->until = optarg; break;
		case 'A': a->as_of = optarg; break;
		case 'M':
			a->max_age = strtol(optarg, &end, 10);
			if (*end || end == optarg || a->max_age < 0) {
				cli_error("catalog diff", "--max-age '%s': not a number of days", optarg);
				return -1;
			}
			break;
		case 'h': diff_usage(stdout); return 1;
		default: diff_usage(stderr); return -1;
		}
	}
	if (argc - optind != 2) {
		cli_error("catalog diff", "name two catalogues, OLD and NEW");
		diff_usage(stderr);
		return -1;
	}
	a->paths[0] = argv[optind];
	a->paths[1] = argv[optind + 1];
	if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0) {
		cli_error("catalog diff", "unknown format '%s' (text or json)", a->format);
		return -1;
	}
	return 0;
}

static int set_dates(struct diff_args *a, time_t now, time_t *since, time_t *until)
{
	struct tm tm;
	time_t t;

	if (a->as_of) {
		if (strlen(a->as_of) != 10 || ea_report_parse_time(a->as_of, now, false, &t) < 0) {
			cli_error("catalog diff", "--as-of '%s': not a date YYYY-MM-DD", a->as_of);
			return -1;
		}
		snprintf(a->today, sizeof(a->today), "%s", a->as_of);
	} else {
		localtime_r(&now, &tm);
		strftime(a->today, sizeof(a->today), "%Y-%m-%d", &tm);
	}
	if (a->since && ea_report_parse_time(a->since, now, false, since) < 0) {
		cli_error("catalog diff", "--since '%s': not a date, time or age like 7d", a->since);
		return -1;
	}
	if (a->until && ea_report_parse_time(a->until, now, true, until) < 0) {
		cli_error("catalog diff", "--until '%s': not a date, time or age like 7d", a->until);
		return -1;
	}
	return 0;
}

/* The two reports over the same databases: the old catalogue judged
 * without a profile (a removed entry may be named by none), the new one
 * with the site's. */
static int traffic(struct diff_run *r, time_t now)
{
	struct ea_report_options opt = { .as_of = r->a->today, .since = r->since,
					 .until = r->until, .now = now };
	struct ea_profile *profile = NULL;
	int rc = -1;

	if (r->a->profile) {
		struct ea_diags diags;

		ea_diags_init(&diags);
		ea_profile_load(r->a->profile, r->cat[1], &profile, &diags);
		for (size_t i = 0; i < diags.count; i++)
			ea_diag_print(stderr, &diags.items[i]);
		ea_diags_clear(&diags);
		if (!profile)
			return -1;
	}
	for (int k = 0; k < 2; k++) {
		opt.profile = k ? profile : NULL;
		if (ea_report_build(r->cat[k], &opt, r->a->dbs.v, r->a->dbs.n, &r->rep[k]) < 0) {
			cli_error("catalog diff", "%s", ea_report_errmsg(r->rep[k]));
			goto out;
		}
	}
	if (ea_diff_impacts(r->d, r->rep[0], r->rep[1], &r->impacts, &r->nimpacts) < 0) {
		cli_error("catalog diff", "out of memory");
		goto out;
	}
	rc = 0;
out:
	ea_profile_free(profile);
	return rc;
}

static void warn_stale(const struct diff_run *r)
{
	for (size_t i = 0; i < r->cat[1]->nvendors; i++) {
		const struct ea_vendor *v = r->cat[1]->vendors[i];
		bool stale;
		long age = vendor_age(r, v, &stale);

		if (stale)
			cli_error("catalog diff", "warning: %s (%s): the vendor's list was last updated %s, "
				  "%ld days before %s (more than %ld): check the source for changes",
				  v->id, v->file, v->updated, age, r->a->today, r->a->max_age);
	}
}

int ea_cmd_catalog_diff(int argc, char **argv)
{
	struct diff_args a = { 0 };
	struct diff_run r = { 0 };
	time_t now = time(NULL);
	int rc = parse_args(argc, argv, &a);

	if (rc != 0) {
		cli_paths_free(&a.dbs);
		return rc > 0 ? EA_EXIT_OK : EA_EXIT_ERROR;
	}
	rc = EA_EXIT_ERROR;
	r.a = &a;
	if (set_dates(&a, now, &r.since, &r.until) < 0)
		goto out;
	for (int k = 0; k < 2; k++) {
		struct cli_paths one = { 0 };

		if (cli_paths_add(&one, a.paths[k]) < 0)
			goto out;
		r.cat[k] = cli_load_catalogue(&one, true);
		cli_paths_free(&one);
		if (!r.cat[k]) {
			cli_error("catalog diff", "%s: the catalogue does not load", a.paths[k]);
			goto out;
		}
	}
	if (ea_catalogue_diff(r.cat[0], r.cat[1], &r.d) < 0) {
		cli_error("catalog diff", "out of memory");
		goto out;
	}
	if (a.dbs.n && traffic(&r, now) < 0)
		goto out;
	warn_stale(&r);
	if (a.format[0] == 'j') {
		if (print_json(stdout, &r) < 0) {
			cli_error("catalog diff", "cannot write the JSON output");
			goto out;
		}
	} else {
		print_text(stdout, &r);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("catalog diff", "cannot write the output");
		goto out;
	}
	rc = r.d->nentries || r.d->vendors_changed ? EA_EXIT_NOMATCH : EA_EXIT_OK;
out:
	free(r.impacts);
	ea_catalogue_diff_free(r.d);
	for (int k = 0; k < 2; k++) {
		ea_report_free(r.rep[k]);
		ea_catalogue_free(r.cat[k]);
	}
	cli_paths_free(&a.dbs);
	return rc;
}
