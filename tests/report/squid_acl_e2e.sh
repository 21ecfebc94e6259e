#!/bin/sh
# The generated allowlist enforced by a real Squid on loopback: vendor hosts
# on their listed port pass; the bare domain under a wildcard, lookalikes,
# a glob stretched over a dot and an unlisted port are denied.
. "$top_srcdir/tests/e2e/lib.sh"
ea="$top_builddir/egressaudit"

E2E_ICAP_SERVICE=echo
e2e_init squid-acl
e2e_start_origin vendor --body "vendor origin"
port=$E2E_ORIGIN_PORT
e2e_start_origin other --body "other port"
other=$E2E_ORIGIN_PORT

mkdir -p "$E2E_DIR/rules"
cat >"$E2E_DIR/rules/acltest.yaml" <<EOF
schema: 1
vendor: {id: acltest, name: ACL test, domains: [vendor.test]}
source: {title: "Squid ACL test", updated: 2025-01-01, transcribed: 2025-01-01}
products: {agent: Agent}
defaults: {ports: [$port], level: required}
groups:
  - id: g
    product: agent
    entries:
      - {id: acl-exact, host: updates.vendor.test}
      - {id: acl-wild, host: "*.cdn.vendor.test"}
      - {id: acl-glob, host: "bucket-*-eu.store.vendor.test"}
EOF
"$ea" squid-acl -c "$E2E_DIR/rules" >"$E2E_DIR/allow.conf" || e2e_die "squid-acl failed"
e2e_hosts_add updates.vendor.test a.cdn.vendor.test x.y.cdn.vendor.test cdn.vendor.test \
	bucket-42-eu.store.vendor.test bucket-4.2-eu.store.vendor.test \
	evilupdates.vendor.test updates.vendor.test.evil.test
e2e_start_cicap "$E2E_CICAP_LIBDIR/srv_echo.so" || e2e_die "c-icap did not start"
# The allowlist, then deny everything else (before lib.sh's final allow all).
IFS='
'
set -- $(grep -v '^#' "$E2E_DIR/allow.conf" | grep -v '^$') "http_access deny all"
unset IFS
e2e_start_squid "$@" || e2e_die "squid did not start"

e2e_plan 10
expect() { # expect STATUS URL SENTENCE
	got=$(e2e_curl_status "$2")
	[ "$got" = "$1" ]
	e2e_ok $? "$3 (got $got)"
}
expect 200 "http://updates.vendor.test:$port/" "an exact vendor host on its listed port passes"
expect 200 "http://a.cdn.vendor.test:$port/" "a host under the wildcard passes"
expect 200 "http://x.y.cdn.vendor.test:$port/" "a host two labels under the wildcard passes"
expect 403 "http://cdn.vendor.test:$port/" "the wildcard's bare domain is denied (Squid's .cdn.vendor.test would allow it)"
expect 200 "http://bucket-42-eu.store.vendor.test:$port/" "a host matching the glob passes"
expect 403 "http://bucket-4.2-eu.store.vendor.test:$port/" "a glob stretched over a dot is denied"
expect 403 "http://evilupdates.vendor.test:$port/" "a lookalike with a prefix is denied"
expect 403 "http://updates.vendor.test.evil.test:$port/" "a lookalike with the vendor name in front is denied"
expect 403 "http://updates.vendor.test:$other/" "the vendor host on a port it does not list is denied"
e2e_wait_for 5 grep -q 'TCP_DENIED/403 .*http://cdn.vendor.test' "$E2E_SQUID_ACCESS_LOG"
e2e_ok $? "Squid itself logged the denials"
[ "$E2E_FAILED" -eq 0 ]
