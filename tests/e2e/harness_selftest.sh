#!/bin/sh
# The end-to-end harness itself: a real Squid and a real c-icap (with the
# bundled echo service, so this runs before our module exists) on loopback,
# driven by curl; checks that lib.sh starts, observes and stops everything.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

E2E_ICAP_SERVICE='echo'
e2e_init selftest
[ -f "$E2E_CICAP_LIBDIR/srv_echo.so" ] ||
    e2e_skip_all "c-icap's bundled srv_echo.so is not in $E2E_CICAP_LIBDIR"
e2e_plan 15

e2e_hosts_add vendor.test tls.vendor.test blocked.test refused.vendor.test
e2e_start_origin plain --body "plain origin body"
PLAIN=$(e2e_port plain)
e2e_start_origin tls --tls --body "tls origin body"
TLS=$(e2e_port tls)
e2e_refused_port

# How many lines of c-icap's access log match an ICAP method.
icap_count() {
    grep -c " $1 " "$E2E_CICAP_ACCESS_LOG" 2>/dev/null || true
}

e2e_start_cicap "$E2E_CICAP_LIBDIR/srv_echo.so"
e2e_ok $? "c-icap starts on a free loopback port and answers OPTIONS for the echo service"

e2e_start_squid "acl blocked dstdomain .blocked.test" "http_access deny blocked"
e2e_ok $? "Squid starts on a free loopback port with ICAP enabled"

body=$(e2e_curl "http://vendor.test:$PLAIN/first")
[ "$body" = "plain origin body" ]
e2e_ok $? "a GET through Squid returns the loopback origin's body"

grep -q '^GET /first HTTP/1.1 200 vendor.test' "$E2E_DIR/origin-plain.log"
e2e_ok $? "the origin saw the request for vendor.test, resolved from the private hosts file"

e2e_wait_for 5 grep -q ' REQMOD echo 204 127.0.0.1 ' "$E2E_CICAP_ACCESS_LOG"
e2e_ok $? "c-icap's access log shows the REQMOD, with Squid's X-Client-IP"

e2e_wait_for 5 grep -q ' RESPMOD echo ' "$E2E_CICAP_ACCESS_LOG"
e2e_ok $? "c-icap's access log shows the RESPMOD"

e2e_wait_for 5 grep -q "TCP_MISS/200 .* GET http://vendor.test:$PLAIN/first " "$E2E_SQUID_ACCESS_LOG"
e2e_ok $? "Squid's access log records the request as TCP_MISS/200"

before=$(icap_count REQMOD)
status=$(e2e_curl_status "http://blocked.test:$PLAIN/denied")
e2e_wait_for 5 grep -q "TCP_DENIED/403 .* http://blocked.test:$PLAIN/denied" "$E2E_SQUID_ACCESS_LOG"
[ "$status" = 403 ] && [ "$(icap_count REQMOD)" = "$before" ]
e2e_ok $? "a host denied by http_access gets 403 and never reaches c-icap"

status=$(e2e_curl_status "https://tls.vendor.test:$TLS/" -k)
[ "$status" = 200 ]
e2e_ok $? "CONNECT to the self-signed TLS origin tunnels and the request succeeds"

status=$(e2e_curl_status "http://refused.vendor.test:$E2E_REFUSED_PORT/")
[ "$status" = 503 ] &&
    e2e_wait_for 5 grep -q "err=ERR_CONNECT_FAIL/" "$E2E_SQUID_DETAIL_LOG"
e2e_ok $? "a port with nothing listening gives Squid's 503 ERR_CONNECT_FAIL"

# Squid 5.7 reports an unresolvable name as 502 ERR_READ_ERROR (Squid bug
# 5294), after dns_timeout since nothing answers on 127.0.0.1:53.
# No real DNS server can be asked: the only one Squid knows is 127.0.0.1.
# (How long the failure takes is not asserted: speed is not a test's
# business; it is printed for whoever reads the log.)
start=$(date +%s)
status=$(e2e_curl_status "http://does-not-resolve.vendor.test/")
elapsed=$(($(date +%s) - start))
[ "$status" = 502 ] &&
    [ "$(grep '^dns_nameservers' "$E2E_SQUID_CONF")" = "dns_nameservers 127.0.0.1" ]
e2e_ok $? "a name that does not resolve fails with 502, Squid asking no DNS server but 127.0.0.1 (took ${elapsed}s)"

e2e_cicap_command test selftest-marker &&
    e2e_wait_for 5 grep -q 'main proc, selftest-marker,' "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "a command written to c-icap's CommandsSocket reaches c-icap"

cicap_group=$E2E_CICAP_PID
e2e_stop_cicap
! e2e_group_alive "$cicap_group" && ! e2e_listening "$E2E_CICAP_PORT"
e2e_ok $? "stopping c-icap ends all its processes and closes its port"

body=$(e2e_curl "http://vendor.test:$PLAIN/bypassed")
[ "$body" = "plain origin body" ]
e2e_ok $? "with c-icap stopped, Squid (bypass=on) still serves"

groups=$E2E_GROUPS
e2e_stop_all
left=
for g in $groups; do
    e2e_group_alive "${g#*:}" && left="$left ${g%%:*}"
done
for p in "$E2E_SQUID_PORT" "$PLAIN" "$TLS"; do
    e2e_listening "$p" && left="$left port:$p"
done
[ -z "$left" ]
e2e_ok $? "everything the test started is stopped at the end${left:+ (still running:$left)}"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag_file "$E2E_SQUID_CACHE_LOG"
    e2e_diag_file "$E2E_CICAP_SERVER_LOG"
}
exit 0
