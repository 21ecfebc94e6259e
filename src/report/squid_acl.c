/* Squid allowlist generation (see squid_acl.h). Entries are grouped by
 * their set of listed ports, so each group is one port ACL and at most two
 * name ACLs (dstdomain for exact names, dstdom_regex for patterns). */
#include "squid_acl.h"

#include <stdlib.h>
#include <string.h>

#include "core/chars.h"
#include "core/util.h"

int ea_squid_pattern_regex(const char *pattern, char *out, size_t len)
{
	size_t o = 0;
	const char *p = pattern;

#define PUT(s) do { size_t l_ = strlen(s); if (o + l_ >= len) return -1; memcpy(out + o, s, l_); o += l_; } while (0)
	PUT("^");
	if (strncmp(p, "*.", 2) == 0) {
		/* One or more whole labels in front: never the bare suffix. */
		PUT("([^.]+\\.)+");
		p += 2;
	}
	for (; *p; p++) {
		char c[2] = { *p, 0 };

		if (*p == '.')
			PUT("\\.");
		else if (*p == '*')
			PUT("[^.]*");
		else
			PUT(c);
	}
	PUT("$");
#undef PUT
	out[o] = '\0';
	return 0;
}

/* A catalogue regex (PCRE2, whole host, caseless) passes to Squid's POSIX
 * regex only when it uses nothing PCRE2-specific: no \d-style escapes,
 * no (? groups, no lazy quantifiers. Anything else is left out, loudly. */
bool ea_squid_regex_portable(const char *re)
{
	for (const char *s = re; *s; s++) {
		if (*s == '\\' && s[1] && ea_isalnum((unsigned char)s[1]))
			return false;
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '(' && s[1] == '?')
			return false;
		if (strchr("*+?}", *s) && (s[1] == '?' || s[1] == '+'))
			return false;
		if (*s == ' ' || *s == '\t')
			return false; /* Squid splits ACL values on blanks */
	}
	return true;
}

struct group {
	char key[256];              /* "80_443" */
	const struct ea_entry **entries;
	size_t n, cap;
};

static int port_key(const struct ea_entry *e, char *buf, size_t len)
{
	unsigned ports[64];
	size_t n = e->nports < 64 ? e->nports : 64, used = 0;

	for (size_t i = 0; i < n; i++)
		ports[i] = e->ports[i];
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && ports[j - 1] > ports[j]; j--) {
			unsigned t = ports[j];

			ports[j] = ports[j - 1];
			ports[j - 1] = t;
		}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%u", i ? "_" : "", ports[i]);

		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

bool ea_squid_seen(struct ea_squid_seen *seen, const char *v)
{
	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i], v) == 0)
			return true;
	if (ea_vec_reserve(&seen->v, &seen->cap, seen->n + 1, sizeof(*seen->v)) == 0 &&
	    (seen->v[seen->n] = strdup(v)))
		seen->n++;
	return false;
}

void ea_squid_seen_clear(struct ea_squid_seen *seen)
{
	for (size_t i = 0; i < seen->n; i++)
		free(seen->v[i]);
	free(seen->v);
	memset(seen, 0, sizeof(*seen));
}

static void emit_value(FILE *out, const char *prefix, const char *key, const char *pattern,
		       enum ea_kind kind, struct ea_squid_seen *seen, bool *have_names, bool *have_regex)
{
	char re[1024];

	if (kind == EA_KIND_EXACT) {
		if (!ea_squid_seen(seen, pattern))
			fprintf(out, "acl %s_names_%s dstdomain -n %s\n", prefix, key, pattern);
		*have_names = true;
	} else if (ea_squid_pattern_regex(pattern, re, sizeof(re)) == 0) {
		if (!ea_squid_seen(seen, re))
			fprintf(out, "acl %s_patterns_%s dstdom_regex -n -i %s\n", prefix, key, re);
		*have_regex = true;
	}
}

static void emit_group(FILE *out, const struct group *g, const char *prefix,
		       const struct ea_squid_acl_options *opt, struct ea_squid_acl_result *res)
{
	bool have_names = false, have_regex = false;
	struct ea_squid_seen seen = { 0 };

	fprintf(out, "\n# Ports %s\nacl %s_ports_%s port", g->key, prefix, g->key);
	for (const char *k = g->key; *k;) {
		size_t l = strcspn(k, "_");

		fprintf(out, " %.*s", (int)l, k);
		k += l + (k[l] == '_');
	}
	fputc('\n', out);
	for (size_t i = 0; i < g->n; i++) {
		const struct ea_entry *e = g->entries[i];
		const struct ea_profile_site *site;
		char re[1024];

		fprintf(out, "# %s (%s, %s)\n", e->id, e->vendor->id, ea_level_name(e->level));
		switch (e->kind) {
		case EA_KIND_EXACT:
		case EA_KIND_WILDCARD:
		case EA_KIND_GLOB:
			emit_value(out, prefix, g->key, e->pattern, e->kind, &seen,
				   &have_names, &have_regex);
			res->entries++;
			break;
		case EA_KIND_SITE:
			site = ea_profile_site(opt->profile, e);
			if (!site) {
				fputs("#   left out: site-specific, and the profile gives no host for it\n", out);
				res->skipped++;
				break;
			}
			for (size_t h = 0; h < site->nhosts; h++)
				emit_value(out, prefix, g->key, site->hosts[h].pattern, site->hosts[h].kind,
					   &seen, &have_names, &have_regex);
			res->entries++;
			break;
		case EA_KIND_REGEX:
			if (!ea_squid_regex_portable(e->pattern) ||
			    snprintf(re, sizeof(re), "^(%s)$", e->pattern) >= (int)sizeof(re)) {
				fprintf(out, "#   left out: its PCRE2 regex has syntax Squid's POSIX regex lacks: %s\n",
					e->pattern);
				res->skipped++;
				break;
			}
			if (!ea_squid_seen(&seen, re))
				fprintf(out, "acl %s_patterns_%s dstdom_regex -n -i %s\n", prefix, g->key, re);
			have_regex = true;
			res->entries++;
			break;
		}
	}
	if (have_names)
		fprintf(out, "http_access allow %s_names_%s %s_ports_%s\n", prefix, g->key, prefix, g->key);
	if (have_regex)
		fprintf(out, "http_access allow %s_patterns_%s %s_ports_%s\n", prefix, g->key, prefix, g->key);
	ea_squid_seen_clear(&seen);
}

int ea_squid_acl_write(FILE *out, const struct ea_catalogue *cat,
		       const struct ea_squid_acl_options *opt,
		       struct ea_squid_acl_result *res)
{
	const char *prefix = opt->prefix ? opt->prefix : "egressaudit";
	struct group *groups = NULL;
	size_t ngroups = 0, groups_cap = 0, retired = 0;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < cat->nentries; i++) {
		const struct ea_entry *e = cat->entries[i];
		struct group *g = NULL;
		const struct ea_entry **v;
		char key[256];

		if (!ea_profile_in_scope(opt->profile, e) ||
		    (e->level == EA_LEVEL_OPTIONAL && !opt->optional))
			continue;
		if (opt->as_of && e->valid_until[0] && strcmp(opt->as_of, e->valid_until) > 0) {
			retired++;
			continue;
		}
		if (port_key(e, key, sizeof(key)) < 0)
			goto out;
		for (size_t k = 0; k < ngroups && !g; k++)
			if (strcmp(groups[k].key, key) == 0)
				g = &groups[k];
		if (!g) {
			if (!(g = ea_vec_push(&groups, &ngroups, &groups_cap, sizeof(*g))))
				goto out;
			snprintf(g->key, sizeof(g->key), "%s", key);
		}
		if (!(v = ea_vec_push(&g->entries, &g->n, &g->cap, sizeof(*v))))
			goto out;
		*v = e;
	}
	fprintf(out, "# Squid allowlist generated by egressaudit squid-acl from the catalogue%s%s.\n"
		"# Include it before your final \"http_access deny all\", e.g.\n"
		"#   include /etc/squid/conf.d/egressaudit-allow.conf\n"
		"# Exact names are dstdomain values without a leading dot (\".example.com\"\n"
		"# would also allow example.com itself); \"*.example.com\" and in-label globs\n"
		"# are anchored dstdom_regex values that never match the bare domain.\n"
		"# -n: no reverse DNS lookups for requests by IP address.\n"
		"# A CONNECT to a port other than 443 is still refused by Debian's default\n"
		"# \"http_access deny CONNECT !SSL_ports\" if your squid.conf keeps it first.\n",
		opt->profile ? " and the site profile " : "", opt->profile ? opt->profile->file : "");
	if (opt->as_of)
		fprintf(out, "# Entries retired before %s are left out (%zu).\n", opt->as_of, retired);
	if (!opt->optional)
		fputs("# Optional entries (the vendor's broader or narrower alternatives) are left out.\n", out);
	for (size_t k = 0; k < ngroups; k++)
		emit_group(out, &groups[k], prefix, opt, res);
	rc = ferror(out) ? -1 : 0;
out:
	for (size_t k = 0; k < ngroups; k++)
		free(groups[k].entries);
	free(groups);
	return rc;
}
