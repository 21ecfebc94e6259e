/* Fuzz target: what the ICAP module reads off the wire (http_msg.c). The
 * input is "REQUEST-LINE[\nHOST-HEADER]"; the whole input is also read as a
 * status line. The request line is not NUL-terminated, as in the module;
 * the Host header is, as c-icap hands it over. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "core/http_msg.h"

static void request(const char *line, size_t len, const char *host_header)
{
	static const int ports[] = { 80, 443, -1 };
	char method[16], tiny[1];
	struct ea_target t;
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		if (ea_request_target(line, len, host_header, ports[i], &t, &why) != 0) {
			FUZZ_CHECK(why != NULL);
			continue;
		}
		FUZZ_CHECK(t.port == -1 || (t.port >= 1 && t.port <= 65535));
		FUZZ_CHECK(t.host.len > 0 && t.host.len == strlen(t.host.name));
	}
	ea_request_method(line, len, method, sizeof(method));
	FUZZ_CHECK(strlen(method) < sizeof(method));
	ea_request_method(line, len, tiny, sizeof(tiny));
	FUZZ_CHECK(tiny[0] == '\0');
	ea_request_method(line, len, tiny, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = size ? memchr(data, '\n', size) : NULL;
	size_t llen = nl ? (size_t)(nl - (const char *)data) : size;
	char *line = fuzz_dup(data, llen, 0), *all = fuzz_dup(data, size, 0);
	char *host = nl ? fuzz_dup(nl + 1, size - llen - 1, 1) : NULL;
	int status;

	request(line, llen, host);
	request(line, llen, NULL);
	status = ea_response_status(all, size);
	FUZZ_CHECK(status == -1 || (status >= 100 && status <= 999));
	(void)ea_outcome_classify(status, host);
	(void)ea_outcome_classify(status, NULL);
	free(line);
	free(all);
	free(host);
	return 0;
}
