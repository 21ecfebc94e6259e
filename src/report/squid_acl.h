/* The Squid allowlist generated from the catalogue: ACLs and http_access
 * lines that allow exactly the endpoints in scope on their listed ports.
 * Exact names become dstdomain values without a leading dot (Squid's
 * ".example.com" would also match example.com itself); wildcards and globs
 * become anchored dstdom_regex values, so "*.b.c" never matches b.c. */
#ifndef EA_SQUID_ACL_H
#define EA_SQUID_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/catalogue.h"
#include "profile.h"

struct ea_squid_acl_options {
	const struct ea_profile *profile; /* NULL: every entry */
	const char *as_of;          /* entries retired before it are left out */
	bool optional;              /* include `optional` entries too */
	const char *prefix;         /* ACL name prefix; NULL: "egressaudit" */
};

struct ea_squid_acl_result {
	size_t entries;             /* translated */
	size_t skipped;             /* in scope but not translated (see comments) */
};

/* Which requests Squid sends to the ICAP service: those whose host is
 * under a vendor-owned domain or named by an entry in scope (see
 * squid_icap.c). Ports, levels and retirement do not narrow it: the module
 * records every entry it matches, on any port. */
struct ea_squid_icap_options {
	const struct ea_profile *profile; /* NULL: every vendor and entry */
	bool third_party_wildcards; /* also *.amazonaws.com and the like */
	const char *const *services; /* Squid icap_service names */
	size_t nservices;
	const char *prefix;         /* ACL name prefix; NULL: "egressaudit" */
};

/* Translate a catalogue host pattern to the POSIX extended regex Squid's
 * dstdom_regex uses, anchored; -1 when it does not fit in len. */
int ea_squid_pattern_regex(const char *pattern, char *out, size_t len);

/* The values a generated file already has, so each is written once (Squid
 * warns about duplicates in an ACL): ea_squid_seen says whether v was
 * there, and adds it if not. */
struct ea_squid_seen {
	char **v;
	size_t n, cap;
};
bool ea_squid_seen(struct ea_squid_seen *seen, const char *v);
void ea_squid_seen_clear(struct ea_squid_seen *seen);

/* Can a catalogue regex (PCRE2, whole host) be handed to Squid's POSIX
 * dstdom_regex as it is? */
bool ea_squid_regex_portable(const char *re);

/* Write the configuration; 0, or -1 when writing failed. */
int ea_squid_acl_write(FILE *out, const struct ea_catalogue *cat,
		       const struct ea_squid_acl_options *opt,
		       struct ea_squid_acl_result *res);

/* Write the ICAP scope: ACLs and adaptation_access rules for every service
 * in opt; 0, or -1 when writing failed. res counts as above. */
int ea_squid_icap_write(FILE *out, const struct ea_catalogue *cat,
			const struct ea_squid_icap_options *opt,
			struct ea_squid_acl_result *res);

#endif
