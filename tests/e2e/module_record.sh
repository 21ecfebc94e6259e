#!/bin/sh
# What the module records for each kind of request, read from the real
# SQLite database: a real Squid and c-icap with the freshly built module and
# the shipped catalogue (rules/), one c-icap child. REQMOD records every
# vendor request that passed http_access as "unknown" (requested); RESPMOD
# records the outcome of responses that came from an origin
# (tests/e2e/FINDINGS.md says which cases reach which).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

ea_init record
[ -x /usr/lib/squid/basic_fake_auth ] ||
    e2e_skip_all "Squid's basic_fake_auth helper is not in /usr/lib/squid"
e2e_plan 17

e2e_hosts_add d1.sophosupd.com corp-reg.fsapi.com guts2.fsapi.com \
    unlisted.f-secure.com aspam.sp.f-secure.com api.doorman.fsapi.com \
    api.disobus.fsapi.com www.example.org
ea_start_web
e2e_start_origin tls --tls --body "tls origin body"
TLS=$(e2e_port tls)
e2e_refused_port
R=$E2E_REFUSED_PORT

e2e_start_cicap "$EA_MODULE" \
    "egressaudit.Catalogue $top_srcdir/rules" \
    "egressaudit.Database $EA_DB" \
    "egressaudit.FlushInterval 100"
e2e_ok $? "c-icap starts with srv_egressaudit.so and the shipped catalogue"

# aspam.sp.f-secure.com is denied outright; api.disobus.fsapi.com needs
# proxy authentication (any user and password: basic_fake_auth).
ea_start_squid \
    "auth_param basic program /usr/lib/squid/basic_fake_auth" \
    "auth_param basic realm egressaudit-e2e" \
    "acl authed proxy_auth REQUIRED" \
    "acl needs_auth dstdomain api.disobus.fsapi.com" \
    "acl blocked dstdomain aspam.sp.f-secure.com" \
    "http_access deny blocked" \
    "http_access deny needs_auth !authed"
e2e_ok $? "Squid starts with the module as its REQMOD and RESPMOD service"

# --- allowed ----------------------------------------------------------------
ok=0
for i in 1 2 3; do
    [ "$(e2e_curl "http://d1.sophosupd.com/x$i")" = "vendor origin body" ] || ok=1
done
e2e_ok $ok "three GETs to a vendor host on port 80 are served by the origin"

ea_wait_q 10 "$(ea_rows_sql d1.sophosupd.com)" "\
sophos-ep-d1-sophosupd-com|80|allowed|3
sophos-ep-d1-sophosupd-com|80|unknown|3
sophos-ep-wildcard-sophosupd-com|80|allowed|3
sophos-ep-wildcard-sophosupd-com|80|unknown|3"
e2e_ok $? "each matching entry gets exactly 3 requested and 3 allowed, with port 80"

# --- an origin's (upstream's) 403 reaches RESPMOD: denied ---------------------
status=$(e2e_curl_status "http://corp-reg.fsapi.com/status/403")
ea_wait_q 10 "$(ea_rows_sql corp-reg.fsapi.com)" "\
ws-all-fsapi-com-wildcard|80|denied|1
ws-all-fsapi-com-wildcard|80|unknown|1
ws-bs16-corp-reg|80|denied|1
ws-bs16-corp-reg|80|unknown|1" && [ "$status" = 403 ]
e2e_ok $? "an upstream 403 is recorded as requested once and denied once (client saw $status)"

# --- CONNECT: REQMOD only -----------------------------------------------------
status=$(e2e_curl_status "https://guts2.fsapi.com:$TLS/" -k)
ea_wait_q 10 "$(ea_rows_sql guts2.fsapi.com)" "\
ws-all-fsapi-com-wildcard|$TLS|unknown|1
ws-atlant319-guts2|$TLS|unknown|1
ws-bs16-guts2|$TLS|unknown|1" && [ "$status" = 200 ]
e2e_ok $? "a CONNECT to a TLS origin is one requested row per entry with the tunnel's port, and no outcome"

# --- failures: Squid's own error pages never reach RESPMOD --------------------
status=$(e2e_curl_status "http://api.doorman.fsapi.com:$R/")
ea_wait_q 10 "$(ea_rows_sql api.doorman.fsapi.com)" "\
ws-all-fsapi-com-wildcard|$R|unknown|1
ws-bs15-api-doorman|$R|unknown|1
ws-bs16-api-doorman|$R|unknown|1" && [ "$status" = 503 ]
e2e_ok $? "a refused connection is requested only (Squid's 503, got $status)"

status=$(e2e_curl_status "http://nx.sophosupd.com:$R/")
ea_wait_q 10 "$(ea_rows_sql nx.sophosupd.com)" "\
sophos-ep-wildcard-sophosupd-com|$R|unknown|1" && [ "$status" = 502 ]
e2e_ok $? "a name that does not resolve is requested only (Squid 5.7's 502, got $status)"

# --- an uncatalogued host under a vendor-owned domain --------------------------
body=$(e2e_curl "http://unlisted.f-secure.com/")
ea_wait_q 10 "SELECT entry, vendor, port, outcome, count FROM hits
              WHERE host = 'unlisted.f-secure.com' ORDER BY outcome" "\
|withsecure|80|allowed|1
|withsecure|80|unknown|1" && [ "$body" = "vendor origin body" ]
e2e_ok $? "an uncatalogued host under a vendor's domain is recorded with entry '' and the vendor"

# --- what is not recorded -----------------------------------------------------
status_blocked=$(e2e_curl_status "http://aspam.sp.f-secure.com/")
status_noauth=$(e2e_curl_status "http://api.disobus.fsapi.com/")
body_other=$(e2e_curl "http://www.example.org/")
ea_sentinel
e2e_ok $? "a later request is recorded (so the writer has flushed what came before)"

[ "$status_blocked" = 403 ] && [ -z "$(ea_rows aspam.sp.f-secure.com)" ]
e2e_ok $? "a vendor host denied by http_access gets 403 and no row: ICAP never sees it (the access log does)"

[ "$status_noauth" = 407 ] && [ -z "$(ea_rows api.disobus.fsapi.com)" ]
e2e_ok $? "a request refused for missing proxy credentials gets 407 and no row"

[ "$body_other" = "vendor origin body" ] && [ -z "$(ea_rows www.example.org)" ]
e2e_ok $? "a non-vendor host is served and not recorded"

[ "$(ea_q "SELECT count(*) FROM hits WHERE outcome <> 'unknown' AND host IN
           ('guts2.fsapi.com', 'api.doorman.fsapi.com', 'nx.sophosupd.com')")" = 0 ]
e2e_ok $? "the CONNECT, the refused and the unresolved requests still have no outcome row once the writer has caught up"

# --- the authenticated user -------------------------------------------------
body=$(e2e_curl --proxy-user alice:secret "http://api.disobus.fsapi.com/")
ea_wait_q 10 "SELECT DISTINCT user, last_unknown > 0, last_allowed > 0 FROM users WHERE entry IN
              (SELECT entry FROM hits WHERE host = 'api.disobus.fsapi.com')" "\
alice|1|1" && [ "$body" = "vendor origin body" ] &&
    [ "$(ea_q "SELECT count(*) FROM users WHERE entry IN
              (SELECT entry FROM hits WHERE host = 'api.disobus.fsapi.com')")" = 5 ] &&
    [ "$(ea_q "SELECT count(*) FROM hits WHERE host = 'api.disobus.fsapi.com'")" = 10 ]
e2e_ok $? "with proxy authentication the user is recorded, one row per matching entry"

# --- nothing else, nothing lost -------------------------------------------------
[ "$(ea_q "SELECT DISTINCT client FROM clients")" = 127.0.0.1 ] &&
    [ "$(ea_q "SELECT count(*) FROM clients")" = "$(ea_q "SELECT count(DISTINCT entry) FROM hits")" ] &&
    [ "$(ea_q "SELECT DISTINCT source FROM hits")" = icap ] &&
    [ "$(ea_q "SELECT group_concat(DISTINCT host) FROM (SELECT host FROM hits ORDER BY host)")" = \
      "api.disobus.fsapi.com,api.doorman.fsapi.com,corp-reg.fsapi.com,d1.sophosupd.com,dci.sophosupd.net,guts2.fsapi.com,nx.sophosupd.com,unlisted.f-secure.com" ]
e2e_ok $? "every entry has one client row with the client address, every row source icap, and only the vendor hosts requested have rows"

[ "$(ea_q "SELECT count(*) FROM counters WHERE value > 0")" = 0 ] &&
    ! grep -q 'egressaudit:.*error' "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "nothing was dropped and the module logged no error"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag "$(ea_q 'SELECT * FROM hits')"
    e2e_diag_file "$E2E_SQUID_DETAIL_LOG" 40
    e2e_diag_file "$E2E_CICAP_SERVER_LOG"
}
exit 0
