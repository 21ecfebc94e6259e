/* The ICAP scope generated from the catalogue (see squid_acl.h): Squid
 * sends to the egressaudit service only the requests the module can record,
 * so the rest of the proxy's traffic never pays for an ICAP transaction. */
#include "squid_acl.h"

#include <stdlib.h>
#include <string.h>

/* The values already written, so a host two entries name is listed once
 * (Squid warns about duplicates in a dstdomain ACL). */
struct seen {
	char **v;
	size_t n;
};

static bool seen_add(struct seen *s, const char *v)
{
	char **grown;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v) == 0)
			return false;
	grown = realloc(s->v, (s->n + 1) * sizeof(*grown));
	if (grown) {
		s->v = grown;
		if ((grown[s->n] = strdup(v)))
			s->n++;
	}
	return true;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static bool vendor_in_scope(const struct ea_squid_icap_options *opt, const struct ea_vendor *v)
{
	return ea_profile_vendor_in_scope(opt->profile, v->id);
}

/* Is the pattern (an exact host, "*.x" or a glob, canonical) the domain d
 * or under it? The literal suffix ".d" survives any star before it. */
static bool under(const char *pattern, const char *d)
{
	size_t pl = strlen(pattern), dl = strlen(d);

	if (pl == dl)
		return strcmp(pattern, d) == 0;
	return pl > dl && pattern[pl - dl - 1] == '.' && strcmp(pattern + pl - dl, d) == 0;
}

/* The in-scope vendor domain that covers the pattern, or NULL. skip is a
 * domain not to compare with (a domain is not covered by itself). */
static const char *covering_domain(const struct ea_catalogue *cat,
				   const struct ea_squid_icap_options *opt,
				   const char *pattern, const char *skip)
{
	for (size_t i = 0; i < cat->nvendors; i++) {
		const struct ea_vendor *v = cat->vendors[i];

		if (!vendor_in_scope(opt, v))
			continue;
		for (size_t d = 0; d < v->ndomains; d++)
			if (v->domains[d] != skip && under(pattern, v->domains[d]))
				return v->domains[d];
	}
	return NULL;
}

/* As lint defines it: a third-party host given by a pattern that takes in
 * a whole organisation's names (a "*." wildcard or a regex). */
static bool third_party_wildcard(const struct ea_entry *e)
{
	return e->third_party && (e->kind == EA_KIND_WILDCARD || e->kind == EA_KIND_REGEX);
}

struct scope {
	FILE *out;
	const char *prefix;
	struct seen seen;
	bool have_names, have_patterns;
};

/* One host pattern of an entry: nothing when a vendor domain covers it, a
 * dstdomain value for an exact name, an anchored dstdom_regex otherwise. */
static void emit_host(struct scope *sc, const struct ea_catalogue *cat,
		      const struct ea_squid_icap_options *opt, const struct ea_entry *e,
		      const char *pattern, enum ea_kind kind)
{
	const char *d = covering_domain(cat, opt, pattern, NULL);
	char re[1024];

	fprintf(sc->out, "# %s (%s%s): %s", e->id, e->vendor->id, e->third_party ? ", third party" : "",
		pattern);
	if (d) {
		fprintf(sc->out, ", under .%s\n", d);
		return;
	}
	fputc('\n', sc->out);
	if (kind == EA_KIND_EXACT) {
		if (seen_add(&sc->seen, pattern))
			fprintf(sc->out, "acl %s_icap_names dstdomain -n %s\n", sc->prefix, pattern);
		sc->have_names = true;
	} else if (ea_squid_pattern_regex(pattern, re, sizeof(re)) == 0) {
		if (seen_add(&sc->seen, re))
			fprintf(sc->out, "acl %s_icap_patterns dstdom_regex -n -i %s\n", sc->prefix, re);
		sc->have_patterns = true;
	}
}

static void emit_entry(struct scope *sc, const struct ea_catalogue *cat,
		       const struct ea_squid_icap_options *opt, const struct ea_entry *e,
		       struct ea_squid_acl_result *res)
{
	const struct ea_profile_site *site;
	char re[1024];

	switch (e->kind) {
	case EA_KIND_EXACT:
	case EA_KIND_WILDCARD:
	case EA_KIND_GLOB:
		emit_host(sc, cat, opt, e, e->pattern, e->kind);
		res->entries++;
		break;
	case EA_KIND_SITE:
		site = ea_profile_site(opt->profile, e);
		if (site) {
			for (size_t h = 0; h < site->nhosts; h++)
				emit_host(sc, cat, opt, e, site->hosts[h].pattern, site->hosts[h].kind);
			res->entries++;
		} else if (e->vendor->ndomains) {
			fprintf(sc->out, "# %s (%s): site-specific, no host from the profile: in scope when\n"
				"#   it is under the vendor's domains; give it in the profile if it is not\n",
				e->id, e->vendor->id);
			res->entries++;
		} else {
			fprintf(sc->out, "# %s (%s): left out: site-specific, and the profile gives no host for it\n",
				e->id, e->vendor->id);
			res->skipped++;
		}
		break;
	case EA_KIND_REGEX:
		if (!ea_squid_regex_portable(e->pattern) ||
		    snprintf(re, sizeof(re), "^(%s)$", e->pattern) >= (int)sizeof(re)) {
			fprintf(sc->out, "# %s (%s): left out: its PCRE2 regex has syntax Squid's POSIX regex lacks: %s\n",
				e->id, e->vendor->id, e->pattern);
			res->skipped++;
			break;
		}
		fprintf(sc->out, "# %s (%s%s): regex %s\n", e->id, e->vendor->id,
			e->third_party ? ", third party" : "", e->pattern);
		if (seen_add(&sc->seen, re))
			fprintf(sc->out, "acl %s_icap_patterns dstdom_regex -n -i %s\n", sc->prefix, re);
		sc->have_patterns = true;
		res->entries++;
		break;
	}
}

static void emit_header(FILE *out, const struct ea_catalogue *cat,
			const struct ea_squid_icap_options *opt)
{
	size_t left_out = 0;

	fprintf(out, "# Squid ICAP scope generated by egressaudit squid-acl --icap-scope from the\n"
		"# catalogue%s%s.\n"
		"# Only requests whose host is under a vendor-owned domain or named by a\n"
		"# catalogue entry go to the egressaudit service; every other request skips\n"
		"# ICAP entirely, so ordinary traffic costs the proxy nothing. Include this\n"
		"# file after the icap_service lines it names, e.g.\n"
		"#   include /etc/squid/egressaudit-icap-scope.conf\n"
		"# -n: no reverse DNS lookups for requests by IP address.\n",
		opt->profile ? " and the site profile " : "", opt->profile ? opt->profile->file : "");
	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *e = cat->entries[i];

		if (!ea_profile_in_scope(opt->profile, e) || !third_party_wildcard(e) ||
		    opt->third_party_wildcards)
			continue;
		if (left_out++ == 0)
			fputs("#\n# Left out: third-party wildcards. They name another organisation's whole\n"
			      "# namespace (cloud storage, CDNs), which carries much of any site's ordinary\n"
			      "# traffic; sending it all through ICAP would cost the proxy more than the\n"
			      "# audit is worth. Their evidence comes from Squid's access log instead:\n"
			      "# egressaudit-logd as Squid's logfile daemon, or egressaudit import.\n"
			      "# egressaudit squid-acl --icap-scope --third-party-wildcards puts them in.\n",
			      out);
		fprintf(out, "#   %s (%s): %s\n", e->id, e->vendor->id, e->pattern);
	}
}

int ea_squid_icap_write(FILE *out, const struct ea_catalogue *cat,
			const struct ea_squid_icap_options *opt,
			struct ea_squid_acl_result *res)
{
	struct scope sc = { .out = out, .prefix = opt->prefix ? opt->prefix : "egressaudit" };
	bool any_domain = false;
	int rc;

	memset(res, 0, sizeof(*res));
	emit_header(out, cat, opt);
	/* Vendor-owned domains with a leading dot: the domain and every name
	 * under it, as the module records them ("uncatalogued" when no entry
	 * names the host). A domain under another vendor's is listed once. */
	for (size_t i = 0; i < cat->nvendors; i++) {
		const struct ea_vendor *v = cat->vendors[i];
		bool first = true;

		if (!vendor_in_scope(opt, v))
			continue;
		for (size_t d = 0; d < v->ndomains; d++) {
			char value[EA_HOST_MAX + 2];

			if (covering_domain(cat, opt, v->domains[d], v->domains[d]))
				continue;
			snprintf(value, sizeof(value), ".%s", v->domains[d]);
			if (!seen_add(&sc.seen, value))
				continue;
			if (first)
				fprintf(out, "\n# %s's own domains\n", v->name);
			first = false;
			fprintf(out, "acl %s_icap_names dstdomain -n %s\n", sc.prefix, value);
			any_domain = true;
		}
	}
	sc.have_names = any_domain;
	fputs("\n# Entries in scope; a host under a vendor domain above needs no line of its own\n", out);
	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *e = cat->entries[i];

		if (!ea_profile_in_scope(opt->profile, e))
			continue;
		if (third_party_wildcard(e) && !opt->third_party_wildcards)
			continue;
		emit_entry(&sc, cat, opt, e, res);
	}
	fputs("\n", out);
	/* One name for both kinds of ACL, so each service needs one rule. */
	if (sc.have_names || sc.have_patterns) {
		fprintf(out, "acl %s_icap any-of", sc.prefix);
		if (sc.have_names)
			fprintf(out, " %s_icap_names", sc.prefix);
		if (sc.have_patterns)
			fprintf(out, " %s_icap_patterns", sc.prefix);
		fputc('\n', out);
	}
	for (size_t s = 0; s < opt->nservices; s++) {
		if (sc.have_names || sc.have_patterns)
			fprintf(out, "adaptation_access %s allow %s_icap\n", opt->services[s], sc.prefix);
		fprintf(out, "adaptation_access %s deny all\n", opt->services[s]);
	}
	rc = ferror(out) ? -1 : 0;
	seen_free(&sc.seen);
	return rc;
}
