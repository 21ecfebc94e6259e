#!/bin/sh
# REQMOD only, scoped (doc/deploy.md): Squid sends vendor requests to the
# module at REQMOD and never at RESPMOD, so the module records each as
# requested ("unknown"); the outcomes come from Squid's access log, imported
# into the same database, and the two reconcile to one count per request.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

EA=${top_builddir:-.}/egressaudit
TALLY=${top_builddir:-.}/tests/e2e/tally_dump
MODULE=${top_builddir:-.}/.libs/srv_egressaudit.so
CAT=${top_srcdir:-.}/tests/data/import/testvendor.yaml
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"
EA_LOGFORMAT='logformat egressaudit ea1 %ts.%03tu %>a %#un %rm %>rd %>rP %Ss/%03>Hs %Sh/%<a %err_code %#err_detail'

e2e_init reqmod-only
[ -x "$EA" ] && [ -x "$TALLY" ] || e2e_skip_all "egressaudit or tests/e2e/tally_dump is not built"
[ -f "$MODULE" ] || e2e_skip_all "the module is not built ($MODULE)"
[ -n "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed"
e2e_plan 7

is() {
    [ "$1" = "$2" ]
    _st=$?
    e2e_ok $_st "$3"
    [ $_st -eq 0 ] || e2e_diag "got '$1', expected '$2'"
}
total() { "$TALLY" "$DB" 2>/dev/null | awk '$1 == "total" { print $3, $4, $5, $6, $7 }'; }

e2e_hosts_add vendor.test blocked.vendor.test refused.vendor.test other.test
e2e_start_origin plain --body "plain origin body"
PLAIN=$(e2e_port plain)
e2e_start_origin forbid --status 403 --body "upstream says no"
FORBID=$(e2e_port forbid)
e2e_refused_port
EALOG=$E2E_DIR/squid/egressaudit.log
DB=$E2E_DIR/audit.db

"$EA" squid-acl --icap-scope -c "$CAT" --service ea_req >"$E2E_DIR/scope.conf"
e2e_start_cicap "$MODULE" "egressaudit.Catalogue $CAT" "egressaudit.Database $DB" \
    "egressaudit.FlushInterval 100" || e2e_die "c-icap with the module did not start"
E2E_SQUID_RESPMOD=off E2E_SQUID_ICAP_SCOPE=$E2E_DIR/scope.conf \
    e2e_start_squid "acl blocked dstdomain blocked.vendor.test" "http_access deny blocked" \
    "$EA_LOGFORMAT" "access_log stdio:$EALOG egressaudit"
e2e_ok $? "Squid starts with one REQMOD service, scoped by squid-acl --icap-scope --service ea_req"

s1=$(e2e_curl_status "http://vendor.test:$PLAIN/ok")
s2=$(e2e_curl_status "http://blocked.vendor.test:$PLAIN/")
s3=$(e2e_curl_status "http://vendor.test:$FORBID/")
s4=$(e2e_curl_status "http://refused.vendor.test:$E2E_REFUSED_PORT/")
s5=$(e2e_curl_status "http://other.test:$PLAIN/")
is "$s1 $s2 $s3 $s4 $s5" "200 403 403 503 200" \
    "the clients saw allowed, denied by http_access, denied upstream, refused, and another host"

# What passed http_access and is a vendor's: 3 REQMOD, no RESPMOD at all.
e2e_wait_for 10 eval '[ "$(grep -c " REQMOD " "$E2E_CICAP_ACCESS_LOG")" -ge 3 ]'
is "$(grep -c ' REQMOD ' "$E2E_CICAP_ACCESS_LOG") $(grep -c ' RESPMOD ' "$E2E_CICAP_ACCESS_LOG")" "3 0" \
    "c-icap answered 3 REQMOD (the vendor requests past http_access) and no RESPMOD"
e2e_wait_for 10 eval '[ "$(total)" = "3 0 0 0 3" ]'
is "$(total)" "3 0 0 0 3" "the module recorded the 3 as requested, outcome unknown: REQMOD cannot know it"

e2e_wait_for 10 eval '[ "$(grep -c "" "$EALOG")" -ge 5 ]'
"$EA" import -c "$CAT" -d "$DB" --format egressaudit "$EALOG" 2>"$E2E_DIR/import.err"
e2e_ok $? "egressaudit import reads Squid's log into the module's database"
is "$(total)" "4 1 2 1 0" \
    "module + log reconcile to the 4 vendor requests: 1 allowed, 2 denied (http_access, upstream 403), 1 failed, none unknown"
is "$("$SQLITE3" -readonly "$DB" "SELECT count(*) FROM hits WHERE host = 'other.test'")" 0 \
    "the other host is recorded by neither"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag_file "$E2E_DIR/import.err"
    "$TALLY" --raw "$DB" 2>&1 | sed 's/^/# /'
    e2e_diag_file "$EALOG"
}
[ "$E2E_FAILED" -eq 0 ]
