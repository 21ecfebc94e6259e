#!/bin/sh
# The ICAP scope that `egressaudit squid-acl --icap-scope` generates, in a
# real Squid in front of a real c-icap with the module: Squid parses it,
# every request to a vendor host (under a vendor domain, or named by an
# entry) reaches the module and is recorded, and no request to an ordinary
# host, a lookalike or a host only a third-party wildcard names ever makes
# an ICAP transaction.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

EA=${top_builddir:-.}/egressaudit
EA_SENTINEL_HOST=updates.vendor.test
EA_SENTINEL_ENTRY=scope-updates
ea_init icap-scope
[ -x "$EA" ] || e2e_skip_all "egressaudit is not built"
e2e_plan 12

mkdir -p "$E2E_DIR/rules"
cat >"$E2E_DIR/rules/scopetest.yaml" <<'EOF'
schema: 1
vendor: {id: scopetest, name: Scope test, domains: [vendor.test, vendor-cdn.test]}
source: {title: "ICAP scope test", updated: 2025-01-01, transcribed: 2025-01-01}
products: {agent: Agent}
defaults: {ports: [80], level: required}
groups:
  - id: own
    product: agent
    entries:
      - {id: scope-updates, host: updates.vendor.test}
      - {id: scope-partner, host: api.partner.test}
      - {id: scope-numbered, regex: "api[0-9]+\\.numbered\\.test"}
  - id: third
    product: agent
    third_party: true
    entries:
      - {id: scope-ocsp, host: ocsp.ca.test}
      - {id: scope-bucket, host: "bucket-*-x.store.cloud.test"}
      - {id: scope-cloud, host: "*.cloud.test"}
EOF

# Hosts the module must see (one request each), and hosts it must not.
VENDOR="updates.vendor.test other.vendor.test vendor.test a.b.vendor-cdn.test
api.partner.test api7.numbered.test ocsp.ca.test bucket-7-x.store.cloud.test"
ORDINARY="www.ordinary.test evilvendor.test vendor.test.evil.test partner.test
apix.numbered.test x.cloud.test bucket-7-y.store.cloud.test"
# shellcheck disable=SC2086
e2e_hosts_add $VENDOR $ORDINARY

SCOPE=$E2E_DIR/icap-scope.conf
"$EA" squid-acl --icap-scope -c "$E2E_DIR/rules" --service ea_req --service ea_resp >"$SCOPE"
e2e_ok $? "squid-acl --icap-scope writes the scope of the test catalogue"
grep -qx '#   scope-cloud (scopetest): \*\.cloud\.test' "$SCOPE" &&
    ! grep -qF '([^.]+\.)+cloud\.test$' "$SCOPE"
e2e_ok $? "the third-party wildcard *.cloud.test is left out, and the file says so"

# A Squid of its own parses each variant: the default, with the third-party
# wildcards, and REQMOD only (one service).
parse() { # parse SCOPEFILE SERVICE...
    _f=$1
    shift
    {
        echo "http_port 127.0.0.1:$E2E_SQUID_PORT"
        echo "pid_filename $E2E_DIR/parse.pid"
        echo "icap_enable on"
        for _s in "$@"; do
            echo "icap_service $_s reqmod_precache icap://127.0.0.1:$E2E_CICAP_PORT/egressaudit bypass=on"
        done
        echo "include $_f"
        echo "http_access allow all"
    } >"$E2E_DIR/parse.conf"
    "$SQUID" -k parse -f "$E2E_DIR/parse.conf" >"$E2E_DIR/parse.out" 2>&1 &&
        ! grep -E 'ERROR|WARNING|FATAL' "$E2E_DIR/parse.out"
}
"$EA" squid-acl --icap-scope --third-party-wildcards -c "$E2E_DIR/rules" \
    --service ea_req --service ea_resp >"$E2E_DIR/scope-tp.conf" &&
    grep -qxF 'acl egressaudit_icap_patterns dstdom_regex -n -i ^([^.]+\.)+cloud\.test$' "$E2E_DIR/scope-tp.conf"
e2e_ok $? "--third-party-wildcards puts *.cloud.test in, as an anchored regex"
"$EA" squid-acl --icap-scope -c "$E2E_DIR/rules" --service ea_req >"$E2E_DIR/scope-req.conf"
parse "$SCOPE" ea_req ea_resp && parse "$E2E_DIR/scope-tp.conf" ea_req ea_resp &&
    parse "$E2E_DIR/scope-req.conf" ea_req
st=$?
e2e_ok $st "squid -k parse accepts the three variants without an error or a warning"
[ $st -eq 0 ] || e2e_diag_file "$E2E_DIR/parse.out"

ea_start_web
# A second access log with the HTTP URL of each ICAP transaction the
# module answered, so the test sees what reached it and not only what it
# recorded.
e2e_start_cicap "$EA_MODULE" "egressaudit.Catalogue $E2E_DIR/rules" \
    "egressaudit.Database $EA_DB" "egressaudit.FlushInterval 100" \
    "LogFormat scope \"%im %{egressaudit:entry}Sa\"" \
    "AccessLog $E2E_DIR/c-icap/scope.log scope"
e2e_ok $? "c-icap starts with the module and the test catalogue"
E2E_SQUID_ICAP_SCOPE=$SCOPE ea_start_squid
e2e_ok $? "Squid starts with the generated scope instead of 'adaptation_access ... allow all'"

ok=0
for h in $VENDOR $ORDINARY; do
    [ "$(e2e_curl "http://$h/")" = "vendor origin body" ] || { ok=1; e2e_diag "no body from $h"; }
done
e2e_ok $ok "every host is served by the origin, in scope or not"

nv=$(echo $VENDOR | wc -w)
no=$(echo $ORDINARY | wc -w)
e2e_wait_for 10 eval '[ "$(wc -l <"$E2E_SQUID_DETAIL_LOG")" -ge $((nv + no)) ]'
bad=
for h in $ORDINARY; do
    grep -q "GET http://$h/ .* adapt=-\$" "$E2E_SQUID_DETAIL_LOG" || bad="$bad $h"
done
[ -z "$bad" ]
e2e_ok $? "Squid made no ICAP transaction for any ordinary host${bad:+ (it did for:$bad)}"
bad=
for h in $VENDOR; do
    grep "GET http://$h/ " "$E2E_SQUID_DETAIL_LOG" | grep -qv ' adapt=-$' || bad="$bad $h"
done
[ -z "$bad" ]
e2e_ok $? "Squid sent every vendor host to the service${bad:+ (not:$bad)}"

e2e_wait_for 10 eval '[ "$(grep -c "^REQMOD " "$E2E_DIR/c-icap/scope.log")" -ge $nv ]'
got="$(grep -c '^REQMOD ' "$E2E_DIR/c-icap/scope.log") $(grep -c '^RESPMOD ' "$E2E_DIR/c-icap/scope.log")"
[ "$got" = "$nv $nv" ]
e2e_ok $? "c-icap's access log has exactly one REQMOD and one RESPMOD per vendor request, none more (got $got, want $nv $nv)"

want=$(for h in $VENDOR; do echo "$h|1|1"; done | sort)
# One entry per host (bucket-7-x.store.cloud.test matches two).
ea_wait_q 10 "SELECT host, sum(count) FILTER (WHERE outcome = 'unknown'),
                     sum(count) FILTER (WHERE outcome = 'allowed')
              FROM hits WHERE entry = (SELECT min(entry) FROM hits AS h WHERE h.host = hits.host)
              GROUP BY host ORDER BY host" "$want"
e2e_ok $? "the database has every vendor host once requested and once allowed, and no other host"

is_none() { [ "$(ea_q "SELECT count(*) FROM hits WHERE host = '$1'")" = 0 ]; }
is_none x.cloud.test && is_none bucket-7-y.store.cloud.test
e2e_ok $? "hosts only the left-out wildcard names are not recorded (their evidence comes from the access log)"

[ "$E2E_FAILED" -eq 0 ]
