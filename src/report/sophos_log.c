/* SophosCloudInstaller.log: the lines that name the Sophos Management
 * Communication System host, for `egressaudit profile sophos-mcs`. */
#include "sophos_log.h"

#include <string.h>

static const char *find_in(const char *s, size_t len, const char *what)
{
	size_t wl = strlen(what);

	for (size_t i = 0; i + wl <= len; i++)
		if (memcmp(s + i, what, wl) == 0)
			return s + i + wl;
	return NULL;
}

int ea_sophos_mcs_line(const char *line, size_t len, struct ea_host *out)
{
	static const char *const marks[] = { "Model::server value changed to:", "Opening connection to" };
	struct ea_target t;
	const char *why;

	for (int m = 0; m < 2; m++) {
		const char *v = find_in(line, len, marks[m]), *end = line + len, *e;

		if (!v)
			continue;
		while (v < end && (*v == ' ' || *v == '\t' || *v == '"' || *v == '\''))
			v++;
		for (e = v; e < end && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n' &&
			    *e != '"' && *e != '\'' && *e != ','; e++)
			;
		while (e > v && (e[-1] == '.' || e[-1] == ';'))
			e--;
		if (e > v && ea_target_parse(v, (size_t)(e - v), &t, &why) == 0 &&
		    t.host.type == EA_HOST_NAME && t.host.nlabels >= 2) {
			*out = t.host;
			return m + 1;
		}
	}
	return 0;
}
