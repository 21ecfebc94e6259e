/* Fuzz target: Squid access-log lines (accesslog.c), every input read in
 * every format, as `egressaudit import --format` and egressaudit-logd would.
 * Each newline-separated line is parsed on its own, without its newline and
 * not NUL-terminated, as the importer hands lines over. */
#include <stdbool.h>
#include <string.h>

#include "import/accesslog.h"
#include "fuzz.h"

static const enum ea_log_format formats[] = {
	EA_LOG_SQUID, EA_LOG_COMMON, EA_LOG_COMBINED, EA_LOG_EGRESSAUDIT,
};

/* Every string field is NUL-terminated within its array. */
#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static void parse_line(const char *line, size_t len)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct ea_log_record rec;
		const char *why = NULL;

		if (ea_log_parse(formats[i], line, len, &rec, &why) != 0) {
			FUZZ_CHECK(why != NULL);
			continue;
		}
		FUZZ_CHECK(TERMINATED(rec.client) && TERMINATED(rec.user) &&
			   TERMINATED(rec.method) && TERMINATED(rec.result) &&
			   TERMINATED(rec.hier) && TERMINATED(rec.err_code) &&
			   TERMINATED(rec.err_detail) && TERMINATED(rec.sni));
		FUZZ_CHECK(rec.status == 0 || (rec.status >= 100 && rec.status <= 599));
		FUZZ_CHECK(rec.when >= EA_LOG_TIME_MIN && rec.when < EA_LOG_TIME_MAX);
		FUZZ_CHECK(!rec.peer_query || !rec.has_target);
		if (rec.has_target) {
			FUZZ_CHECK(rec.target.host.len > 0 &&
				   rec.target.host.len == strlen(rec.target.host.name));
			FUZZ_CHECK(rec.target.port == -1 ||
				   (rec.target.port >= 1 && rec.target.port <= 65535));
		}
		FUZZ_CHECK(rec.outcome == ea_log_outcome(rec.result, rec.status, rec.hier,
							 rec.no_server, rec.has_err, rec.err_code));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (size == 0) {
		parse_line("", 0);
		return 0;
	}
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fuzz_dup(p, n, 0);

		parse_line(line, n);
		free(line);
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}
