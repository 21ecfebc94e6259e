/* The canonical form of outside strings (core/text.h): control characters,
 * C1 controls and bytes outside well-formed UTF-8 become '?', the rest is
 * kept; a hit stores it whichever writer filled it, so the module (raw
 * header) and the importer (URL-encoded log field) agree on the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hit.h"
#include "core/text.h"
#include "import/accesslog.h"
#include "tap.h"

static const char *canon(const char *s, size_t len, size_t cap)
{
	static char buf[512];

	ea_text_canon(buf, cap, s, len);
	return buf;
}

static const char *put(const char *s)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ea_text_put(f, s);
	fclose(f);
	return buf;
}

int main(void)
{
	static const char esc[] = "a\033]0;title\007b\nc\td\x7f";
	char longer[EA_HIT_USER_MAX + 8], line[1024];
	struct ea_log_record rec;
	struct ea_hit module, logged;
	const char *why;

	is_str(canon("alice", 5, 64), "alice", "plain ASCII is kept");
	is_str(canon("J\xc3\xb6rg \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 17, 64),
	       "J\xc3\xb6rg \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "well-formed UTF-8 is kept");
	is_str(canon(esc, sizeof(esc) - 1, 64), "a?]0;title?b?c?d?",
	       "ESC, BEL, newline, tab and DEL become '?'");
	is_str(canon("x\xc2\x9b" "31m", 6, 64), "x?31m", "a C1 control (U+009B, CSI) becomes one '?'");
	is_str(canon("\xff\xfe" "a\xc0\xaf" "b\xed\xa0\x80" "c\xf4\x90\x80\x80", 14, 64),
	       "??a??b???c????", "invalid bytes, overlong forms, surrogates and code points past U+10FFFF become '?' each");
	is_str(canon("a\0b", 3, 64), "a?b", "a NUL byte inside the length becomes '?'");
	is_str(canon("abcdef", 6, 4), "abc", "the form is cut to cap - 1 bytes");
	is_str(canon("ab\xc3\xb6", 4, 4), "ab?", "a character cut by the cap is a '?', as in a writer that got it cut");
	is_str(canon(NULL, 3, 8), "", "NULL is the empty string");
	is_str(put(esc), "a?]0;title?b?c?d?", "ea_text_put prints the same form");

	/* The module's path: the raw header value into ea_hit_set. */
	ea_hit_set(&module, 1700000000, "e", "v", "vendor.test", 443, "10.0.0.1",
		   "dom\\ali\033[2Jce\xff", EA_OUTCOME_UNKNOWN, EA_SOURCE_ICAP);
	is_str(module.user, "dom\\ali?[2Jce?", "a hit stores the user in its canonical form");
	/* The importer's path: Squid logs %#un URL-encoded. */
	snprintf(line, sizeof(line), "ea1 1700000000.000 10.0.0.1 %s GET vendor.test 443"
		 " TCP_MISS/200 HIER_DIRECT/127.0.0.1 - -", "dom%5Cali%1B[2Jce%FF");
	if (!ok(ea_log_parse(EA_LOG_EGRESSAUDIT, line, strlen(line), &rec, &why) == 0,
		"the access-log line with an escaped user parses"))
		diag("why: %s", why);
	ea_hit_set(&logged, rec.when, "e", "v", "vendor.test", 443, rec.client, rec.user,
		   EA_OUTCOME_ALLOWED, EA_SOURCE_LOG);
	is_str(logged.user, module.user, "the importer stores the same key as the module for that user");

	/* Over-long: the importer's field is cut at the same cap. */
	memset(longer, 'u', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer + EA_HIT_USER_MAX - 3, "\xc3\xb6", 2);
	ea_hit_set(&module, 0, "e", "v", "h", 1, "c", longer, EA_OUTCOME_UNKNOWN, EA_SOURCE_ICAP);
	snprintf(line, sizeof(line), "ea1 1700000000.000 10.0.0.1 %s GET vendor.test 443"
		 " TCP_MISS/200 HIER_DIRECT/127.0.0.1 - -", longer);
	ok(ea_log_parse(EA_LOG_EGRESSAUDIT, line, strlen(line), &rec, &why) == 0,
	   "a line with an over-long user parses");
	ea_hit_set(&logged, 0, "e", "v", "h", 1, "c", rec.user, EA_OUTCOME_UNKNOWN, EA_SOURCE_LOG);
	is_str(logged.user, module.user, "an over-long user cut inside a character is the same key from both");
	return done_testing();
}
