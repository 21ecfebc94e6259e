#!/bin/sh
# egressaudit import on real Squid logs: a real Squid (with the module on a
# real c-icap) serves allowed, denied (GET and CONNECT), tunnelled, refused
# and unresolvable vendor requests; the native and the egressaudit-format
# logs are imported and counted exactly per outcome; a second import, a
# rotated .gz after its live file and a corrupted log add nothing twice;
# and the module's rows plus the imported ones reconcile (tally.h) to the
# number of requests sent.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

EA=${top_builddir:-.}/egressaudit
TALLY=${top_builddir:-.}/tests/e2e/tally_dump
MODULE=${top_builddir:-.}/.libs/srv_egressaudit.so
CAT=${top_srcdir:-.}/tests/data/import/testvendor.yaml
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"
EA_LOGFORMAT='logformat egressaudit ea1 %ts.%03tu %>a %#un %rm %>rd %>rP %Ss/%03>Hs %Sh/%<a %err_code %#err_detail'

e2e_init import
[ -x "$EA" ] && [ -x "$TALLY" ] || e2e_skip_all "egressaudit or tests/e2e/tally_dump is not built"
[ -f "$MODULE" ] || e2e_skip_all "the module is not built ($MODULE)"
[ -n "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed"
e2e_plan 18

e2e_hosts_add vendor.test tls.vendor.test refused.vendor.test blocked.vendor.test other.test
e2e_start_origin plain --body "plain origin body"
PLAIN=$(e2e_port plain)
e2e_start_origin tls --tls --body "tls origin body"
TLS=$(e2e_port tls)
e2e_refused_port
EALOG=$E2E_DIR/squid/egressaudit.log

# "allowed denied failed unknown" of the log rows in DB (0 where none).
outcomes() {
    "$SQLITE3" -readonly -cmd '.timeout 2000' "$1" \
        "SELECT coalesce(sum(count) FILTER (WHERE outcome='allowed'),0), coalesce(sum(count) FILTER (WHERE outcome='denied'),0),
                coalesce(sum(count) FILTER (WHERE outcome='failed'),0), coalesce(sum(count) FILTER (WHERE outcome='unknown'),0)
         FROM hits WHERE source = '${2:-log}'" 2>/dev/null | tr '|' ' '
}

# is GOT WANT SENTENCE
is() {
    [ "$1" = "$2" ]
    _st=$?
    e2e_ok $_st "$3"
    [ $_st -eq 0 ] || e2e_diag "got '$1', expected '$2'"
}

e2e_start_cicap "$MODULE" "egressaudit.Catalogue $CAT" "egressaudit.Database $E2E_DIR/icap.db" \
    "egressaudit.FlushInterval 200" || e2e_die "c-icap with the module did not start"
e2e_start_squid "acl blocked dstdomain blocked.vendor.test" "http_access deny blocked" \
    "$EA_LOGFORMAT" "access_log stdio:$EALOG egressaudit" || e2e_die "Squid did not start"

# Six vendor requests and one to another host.
s1=$(e2e_curl_status "http://vendor.test:$PLAIN/ok")
s2=$(e2e_curl_status "http://blocked.vendor.test:$PLAIN/nope")
s3=$(e2e_curl_status "https://blocked.vendor.test:$TLS/" -k)
s4=$(e2e_curl_status "https://tls.vendor.test:$TLS/" -k)
s5=$(e2e_curl_status "http://refused.vendor.test:$E2E_REFUSED_PORT/")
s6=$(e2e_curl_status "http://does-not-resolve.vendor.test/")
s7=$(e2e_curl_status "http://other.test:$PLAIN/")
is "$s1 $s2 $s3 $s4 $s5 $s6 $s7" "200 403 403 200 503 502 200" \
    "the clients saw allowed, denied GET and CONNECT, a tunnel, refused, unresolvable, and another host"
e2e_wait_for 5 eval '[ "$(wc -l <"$E2E_SQUID_ACCESS_LOG")" -ge 7 ] && [ "$(wc -l <"$EALOG")" -ge 7 ]'
e2e_ok $? "Squid logged the 7 requests in its native access.log and in the egressaudit log"

"$EA" import -c "$CAT" -d "$E2E_DIR/native.db" "$E2E_SQUID_ACCESS_LOG" 2>"$E2E_DIR/import1.err"
e2e_ok $? "egressaudit import reads Squid's native access.log"
is "$(outcomes "$E2E_DIR/native.db")" "2 2 2 0" \
    "native format: 2 allowed (GET, tunnel), 2 denied (GET, CONNECT), 2 failed (refused, DNS), none unknown"
is "$("$SQLITE3" -readonly "$E2E_DIR/native.db" "SELECT count(*) FROM hits WHERE host = 'other.test'")" 0 \
    "the request to another host is not stored"
grep -q ': 7 lines read, 6 vendor requests (6 hits stored), 1 other, 0 malformed, 0 skipped' "$E2E_DIR/import1.err"
e2e_ok $? "the summary counts 7 lines, 6 vendor requests, 1 other"

"$EA" import -c "$CAT" -d "$E2E_DIR/ea.db" --format egressaudit "$EALOG" 2>"$E2E_DIR/import2.err"
is "$(outcomes "$E2E_DIR/ea.db")" "2 2 2 0" "egressaudit format: the same 2 allowed, 2 denied, 2 failed"
is "$("$SQLITE3" -readonly "$E2E_DIR/ea.db" "SELECT host || ':' || port FROM hits WHERE outcome = 'allowed' ORDER BY host")" \
    "tls.vendor.test:$TLS
vendor.test:$PLAIN" "egressaudit format: hosts and ports come from %>rd and %>rP, CONNECT included"

"$EA" import -c "$CAT" -d "$E2E_DIR/native.db" "$E2E_SQUID_ACCESS_LOG" 2>"$E2E_DIR/import3.err"
is "$(outcomes "$E2E_DIR/native.db")" "2 2 2 0" "importing the same log twice counts nothing twice"
grep -q ': 0 lines read, .* 7 skipped as already imported' "$E2E_DIR/import3.err"
e2e_ok $? "the second import says 7 lines were skipped as already imported"

# One more request, then rotation the logrotate way: move, squid -k rotate
# (logfile_rotate 0 reopens), one request into the new file, gzip the old.
s8=$(e2e_curl_status "http://vendor.test:$PLAIN/before-rotation")
e2e_wait_for 5 grep -q before-rotation "$E2E_SQUID_ACCESS_LOG"
mv "$E2E_SQUID_ACCESS_LOG" "$E2E_SQUID_ACCESS_LOG.1"
"$SQUID" -k rotate -f "$E2E_SQUID_CONF" >/dev/null 2>&1
e2e_wait_for 5 test -f "$E2E_SQUID_ACCESS_LOG"
s9=$(e2e_curl_status "http://vendor.test:$PLAIN/after-rotation")
e2e_wait_for 5 grep -q after-rotation "$E2E_SQUID_ACCESS_LOG"
gzip "$E2E_SQUID_ACCESS_LOG.1"
"$EA" import -c "$CAT" -d "$E2E_DIR/native.db" "$E2E_SQUID_ACCESS_LOG" "$E2E_SQUID_ACCESS_LOG.1.gz" 2>"$E2E_DIR/import4.err"
is "$s8 $s9 $(outcomes "$E2E_DIR/native.db")" "200 200 4 2 2 0" \
    "after rotation, the new live log and the rotated .gz add exactly the 2 new requests"
"$EA" import -c "$CAT" -d "$E2E_DIR/native.db" "$E2E_SQUID_ACCESS_LOG.1.gz" "$E2E_SQUID_ACCESS_LOG" 2>"$E2E_DIR/import5.err"
is "$(outcomes "$E2E_DIR/native.db")" "4 2 2 0" "importing both again, in the other order, adds nothing"

# A corrupted copy of the egressaudit log: a truncated line, binary
# garbage and a 70000-byte line among the real ones.
{
    sed -n 1,2p "$EALOG"
    sed -n 3p "$EALOG" | cut -c1-40
    printf '\001\002\377\376garbage\000more\n'
    sed -n 3,5p "$EALOG"
    "$PYTHON3" -c 'print("ea1 " + "x" * 70000)'
    sed -n '6,$p' "$EALOG"
} >"$E2E_DIR/corrupt.log"
"$EA" import -c "$CAT" -d "$E2E_DIR/corrupt.db" --format egressaudit "$E2E_DIR/corrupt.log" 2>"$E2E_DIR/import6.err"
e2e_ok $? "a corrupted log imports without failing"
is "$(outcomes "$E2E_DIR/corrupt.db")" "$(outcomes "$E2E_DIR/ea.db" | awk '{ print $1 + 2, $2, $3, $4 }')" \
    "every valid line of the corrupted log is imported"
is "$(grep -o 'corrupt.log:[0-9]*: malformed line' "$E2E_DIR/import6.err" | cut -d: -f2 | tr '\n' ' ')" "3 4 8 " \
    "the truncated line, the garbage and the over-long line are reported with their line numbers"
[ "$("$SQLITE3" -readonly "$E2E_DIR/corrupt.db" "SELECT value FROM counters WHERE name = 'log_malformed'")" = 3 ]
e2e_ok $? "the 3 malformed lines are counted in the database"

# Reconciliation: the module saw what passed http_access; import the
# egressaudit log (8 vendor requests) into the module's own database.
e2e_wait_for 10 eval '[ "$("$TALLY" "$E2E_DIR/icap.db" 2>/dev/null | awk '"'"'$1 == "total" { print $3 }'"'"')" = 6 ]'
e2e_ok $? "the module recorded the 6 requests that passed http_access"
"$EA" import -c "$CAT" -d "$E2E_DIR/icap.db" --format egressaudit "$EALOG" 2>"$E2E_DIR/import7.err"
is "$("$TALLY" "$E2E_DIR/icap.db" | awk '$1 == "total" { print $3, $4, $5, $6, $7 }')" "8 4 2 2 0" \
    "module + log reconcile to the 8 vendor requests sent: 4 allowed, 2 denied, 2 failed, none unknown (not 14)"

[ "$E2E_FAILED" -eq 0 ] || {
    for f in "$E2E_DIR"/import*.err; do e2e_diag_file "$f"; done
    "$TALLY" --raw "$E2E_DIR/icap.db" 2>&1 | sed 's/^/# /'
    e2e_diag_file "$E2E_SQUID_ACCESS_LOG"
    e2e_diag_file "$EALOG"
}
exit 0
