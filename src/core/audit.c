/* Request -> hits, and catalogue loading for long-running processes. */
#include "audit.h"

#include <stdlib.h>

#include "catalogue.h"

int ea_audit_load(const char *const *paths, size_t npaths, struct ea_matcher **out,
		  struct ea_diags *diags)
{
	struct ea_catalogue *cat = NULL;
	struct ea_matcher *m = NULL;

	*out = NULL;
	if (ea_catalogue_load(paths, npaths, &cat, diags) < 0)
		return -1;
	if (ea_matcher_new(cat, &m) < 0) {
		ea_diag_add(diags, EA_ERROR, NULL, 0, 0, NULL, "cannot build the matcher: %s",
			    ea_matcher_errmsg(m));
		ea_matcher_unref(m);
		ea_catalogue_free(cat);
		return -1;
	}
	ea_matcher_adopt_catalogue(m, cat);
	*out = m;
	return 0;
}

size_t ea_audit_hits(const struct ea_matcher *m, const struct ea_target *target,
		     time_t when, const char *client, const char *user,
		     enum ea_outcome outcome, enum ea_source source,
		     struct ea_hit *out, size_t max)
{
	const struct ea_entry *found[EA_AUDIT_MAX_HITS];
	const struct ea_vendor *v;
	uint16_t port = target->port > 0 ? (uint16_t)target->port : 0;
	size_t n = ea_matcher_lookup(m, &target->host, found, sizeof(found) / sizeof(found[0]));

	if (n == 0) {
		v = ea_matcher_vendor_domain(m, &target->host);
		if (!v)
			return 0;
		if (max)
			ea_hit_set(&out[0], when, "", v->id, target->host.name, port,
				   client, user, outcome, source);
		return 1;
	}
	for (size_t i = 0; i < n && i < max && i < sizeof(found) / sizeof(found[0]); i++)
		ea_hit_set(&out[i], when, found[i]->id, found[i]->vendor->id,
			   target->host.name, port, client, user, outcome, source);
	return n;
}
