/* Request -> hits, and catalogue loading for long-running processes. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "catalogue.h"

struct ea_matcher *ea_audit_load(const char *const *paths, size_t npaths,
				 ea_audit_log_fn log, void *ctx)
{
	struct ea_catalogue *cat = NULL;
	struct ea_matcher *m = NULL;
	struct ea_diags diags;
	char err[256];

	ea_diags_init(&diags);
	ea_catalogue_load(paths, npaths, &cat, &diags);
	for (size_t i = 0; log && i < diags.count; i++) {
		const struct ea_diag *dg = &diags.items[i];
		char *line = NULL;
		size_t len = 0;
		FILE *mem;

		if (dg->waived)
			continue;
		mem = open_memstream(&line, &len);
		if (!mem)
			continue;
		ea_diag_print(mem, dg);
		fclose(mem);
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		log(ctx, dg->severity == EA_ERROR, line);
		free(line);
	}
	ea_diags_clear(&diags);
	if (!cat)
		return NULL;
	m = ea_matcher_new(cat, err, sizeof(err));
	if (!m) {
		if (log) {
			char line[320];

			snprintf(line, sizeof(line), "cannot build the matcher: %s", err);
			log(ctx, 1, line);
		}
		ea_catalogue_free(cat);
		return NULL;
	}
	ea_matcher_adopt_catalogue(m, cat);
	return m;
}

size_t ea_audit_hits(const struct ea_matcher *m, const struct ea_target *target,
		     time_t when, const char *client, const char *user,
		     enum ea_outcome outcome, enum ea_source source,
		     struct ea_hit *out, size_t max)
{
	const struct ea_entry *found[64];
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
