/* An entry's resolved rule (what it matches and how it is judged) as JSON
 * members, shared by `catalog --format json` and `catalog diff --format
 * json` so that the two name and order these fields the same way. */
#include <stdint.h>

#include "cli.h"
#include "core/json.h"

void cli_json_ports(struct ea_json *j, const char *key, const uint16_t *v, size_t n)
{
	ea_json_key(j, key);
	ea_json_array(j);
	for (size_t i = 0; i < n; i++)
		ea_json_uint(j, v[i]);
	ea_json_end(j);
}

void cli_json_entry_rule(struct ea_json *j, const struct ea_entry *e)
{
	ea_json_member_str(j, "kind", ea_kind_name(e->kind));
	ea_json_member_str(j, "pattern", e->pattern);
	cli_json_ports(j, "ports", e->ports, e->nports);
	ea_json_member_str(j, "level", ea_level_name(e->level));
	ea_json_member_str(j, "condition", e->condition ? e->condition->id : NULL);
	ea_json_member_str(j, "region", e->region);
	ea_json_member_str(j, "valid_until", e->valid_until[0] ? e->valid_until : NULL);
	ea_json_member_str(j, "replaced_by", e->replaced_by);
	ea_json_member_bool(j, "third_party", e->third_party);
	ea_json_member_bool(j, "no_wildcard", e->no_wildcard);
}
