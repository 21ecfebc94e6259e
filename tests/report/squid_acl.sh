#!/bin/sh
# egressaudit squid-acl: faithful translation of exact names, wildcards and
# globs, scope from the profile, and a real `squid -k parse` of the result
# for the shipped catalogue.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"
: "${SQUID:=$(PATH=$PATH:/usr/sbin:/sbin command -v squid 2>/dev/null)}"

out=$("$ea" squid-acl -c "$rules" -p "$rdata/site.yaml" --as-of 2026-01-01)
is "$?" 0 "an allowlist for the test catalogue and profile is written"
printf '%s\n' "$out" | grep -qx 'acl egressaudit_names_443 dstdomain -n ok.acme.test'
ok $? "an exact name is a dstdomain value without a leading dot"
printf '%s\n' "$out" | grep -qxF 'acl egressaudit_patterns_443 dstdom_regex -n -i ^([^.]+\.)+cdn\.acme\.test$'
ok $? "a wildcard is an anchored regex that needs at least one label in front"
printf '%s\n' "$out" | grep -qx 'acl egressaudit_ports_80_443 port 80 443'
ok $? "entries are grouped by their listed ports"
printf '%s\n' "$out" | grep -qx 'http_access allow egressaudit_names_80_443 egressaudit_ports_80_443'
ok $? "each group is allowed on its own ports only"
printf '%s\n' "$out" | grep -qx 'acl egressaudit_names_443 dstdomain -n mcs-eu.acme.test'
ok $? "a site-specific entry gets its host from the profile"
printf '%s\n' "$out" | grep -q 'gw.acme.test\|us.acme.test\|legacy.acme.test'
ok $((!$?)) "products, regions the site does not run and retired entries are left out"
printf '%s\n' "$out" | grep -q '^acl [^ ]* dstdomain -n \.'
ok $((!$?)) "no dstdomain value has a leading dot"
"$ea" squid-acl -c "$rules" >/dev/null 2>"$tmp/err"
is "$?" 1 "without a profile the site-specific entry cannot be translated (exit 1)"
grep -q "1 entries in scope were left out" "$tmp/err"; ok $? "and says so"

# --icap-scope: the service sees vendor domains and the entries in scope.
out=$("$ea" squid-acl --icap-scope -c "$rules" -p "$rdata/site.yaml")
is "$?" 0 "an ICAP scope for the test catalogue and profile is written"
printf '%s\n' "$out" | grep -qx 'acl egressaudit_icap_names dstdomain -n mcs-eu.acme.test' ||
	printf '%s\n' "$out" | grep -q '^# acme-mcs (acme): mcs-eu.acme.test, under \.'
ok $? "a site-specific entry's host from the profile is in scope"
printf '%s\n' "$out" | grep -q 'gw.acme.test\|us.acme.test'
ok $((!$?)) "products and regions the site does not run stay out of the ICAP scope"
printf '%s\n' "$out" | grep -qx 'adaptation_access egressaudit_req allow egressaudit_icap' &&
	printf '%s\n' "$out" | grep -qx 'adaptation_access egressaudit_resp deny all'
ok $? "the default services are contrib/squid-egressaudit.conf's egressaudit_req and egressaudit_resp"
"$ea" squid-acl --service x -c "$rules" >/dev/null 2>"$tmp/err"
is "$?" 2 "--service without --icap-scope is an error"
"$ea" squid-acl --icap-scope --service 'bad name' -c "$rules" >/dev/null 2>"$tmp/err"
is "$?" 2 "a service name Squid would split is refused"

# The regex translation on its own: what Squid's POSIX regex will see.
tap_results "$("$PYTHON3" - "$ea" "$tmp" <<'PY' 2>&1
import re, subprocess, sys, os
ea, tmp = sys.argv[1], sys.argv[2]
cat = os.path.join(tmp, "glob")
os.makedirs(cat, exist_ok=True)
open(os.path.join(cat, "g.yaml"), "w").write("""schema: 1
vendor: {id: globtest, name: Glob test, domains: [vendor.test]}
source: {title: t, updated: 2025-01-01, transcribed: 2025-01-01}
products: {p: P}
defaults: {ports: [443], level: required}
groups:
  - id: g
    product: p
    entries:
      - {id: g-glob, host: "bucket-*-eu.store.vendor.test"}
      - {id: g-wild, host: "*.cdn.vendor.test"}
      - {id: g-re, regex: "^(api|www)[0-9]+\\\\.vendor\\\\.test$"}
      - {id: g-pcre, regex: "^\\\\d+\\\\.vendor\\\\.test$"}
""")
p = subprocess.run([ea, "squid-acl", "-c", cat], capture_output=True, text=True)
def check(c, n): print("PASS" if c else "FAIL", n)
regexes = [l.split()[-1] for l in p.stdout.splitlines() if "dstdom_regex" in l]
check(p.returncode == 1 and "g-pcre" in p.stdout and "left out" in p.stdout, "a PCRE2-only regex (\\d) is left out with a comment, exit 1")
def matches(host): return any(re.search(r, host, re.I) for r in regexes)
check(matches("bucket-42-eu.store.vendor.test") and matches("bucket--eu.store.vendor.test"), "a glob matches any characters but dots in its label")
check(not matches("bucket-4.2-eu.store.vendor.test"), "a glob never crosses a dot")
check(matches("a.cdn.vendor.test") and matches("a.b.cdn.vendor.test"), "a wildcard matches one or more labels")
check(not matches("cdn.vendor.test") and not matches("xcdn.vendor.test"), "a wildcard matches neither the bare domain nor a lookalike")
check(matches("api12.vendor.test") and not matches("api.vendor.test.evil.test"), "a POSIX-compatible catalogue regex is passed on anchored")
PY
)"

if [ -z "$SQUID" ] || [ ! -x "$SQUID" ]; then
	ok 0 "# SKIP squid is not installed"
	tap_done
	exit
fi
for args in "" "--optional"; do
	"$ea" squid-acl -c "$top_srcdir/rules" $args >"$tmp/acl.conf" 2>/dev/null
	{
		echo "http_port 127.0.0.1:1"
		echo "pid_filename $tmp/squid.pid"
		echo "cache_log $tmp/cache.log"
		echo "access_log none"
		[ "$(id -u)" -ne 0 ] || echo "cache_effective_user $(getent passwd proxy >/dev/null && echo proxy || echo nobody)"
		cat "$tmp/acl.conf"
		echo "http_access deny all"
	} >"$tmp/squid.conf"
	"$SQUID" -k parse -f "$tmp/squid.conf" >"$tmp/parse.out" 2>&1
	is "$?" 0 "squid -k parse accepts the allowlist for the shipped catalogue ${args:-(required and recommended)}"
	grep -iE 'warning|error|fatal' "$tmp/parse.out" | sed 's/^/# /'
	grep -qiE 'warning|error|fatal' "$tmp/parse.out"
	ok $((!$?)) "squid has no warning about it ${args:-(required and recommended)}"
done
for args in "" "--third-party-wildcards"; do
	"$ea" squid-acl --icap-scope -c "$top_srcdir/rules" $args >"$tmp/scope.conf" 2>/dev/null
	{
		echo "http_port 127.0.0.1:1"
		echo "pid_filename $tmp/squid.pid"
		echo "cache_log $tmp/cache.log"
		echo "access_log none"
		[ "$(id -u)" -ne 0 ] || echo "cache_effective_user $(getent passwd proxy >/dev/null && echo proxy || echo nobody)"
		echo "icap_enable on"
		echo "icap_service egressaudit_req reqmod_precache icap://127.0.0.1:1/egressaudit bypass=on"
		echo "icap_service egressaudit_resp respmod_precache icap://127.0.0.1:1/egressaudit bypass=on"
		cat "$tmp/scope.conf"
		echo "http_access allow all"
	} >"$tmp/squid.conf"
	"$SQUID" -k parse -f "$tmp/squid.conf" >"$tmp/parse.out" 2>&1
	is "$?" 0 "squid -k parse accepts the ICAP scope of the shipped catalogue ${args:-(default)}"
	grep -iE 'warning|error|fatal' "$tmp/parse.out" | sed 's/^/# /'
	grep -qiE 'warning|error|fatal' "$tmp/parse.out"
	ok $((!$?)) "squid has no warning about the ICAP scope ${args:-(default)}"
done
# The shipped Squid snippet, as doc/deploy.md installs it, with the scope
# it includes (and for REQMOD only, without its egressaudit_resp line).
"$ea" squid-acl --icap-scope -c "$top_srcdir/rules" >"$tmp/scope.conf" 2>/dev/null
"$ea" squid-acl --icap-scope --service egressaudit_req -c "$top_srcdir/rules" >"$tmp/scope-req.conf" 2>/dev/null
for variant in both reqmod; do
	{
		echo "http_port 127.0.0.1:1"
		echo "pid_filename $tmp/squid.pid"
		echo "cache_log $tmp/cache.log"
		echo "access_log none"
		[ "$(id -u)" -ne 0 ] || echo "cache_effective_user $(getent passwd proxy >/dev/null && echo proxy || echo nobody)"
		if [ $variant = both ]; then
			sed "s|/etc/squid/egressaudit-icap-scope.conf|$tmp/scope.conf|" "$top_srcdir/contrib/squid-egressaudit.conf"
		else
			sed -e "s|/etc/squid/egressaudit-icap-scope.conf|$tmp/scope-req.conf|" -e '/^icap_service egressaudit_resp /d' \
				"$top_srcdir/contrib/squid-egressaudit.conf"
		fi
		echo "http_access allow all"
	} >"$tmp/squid.conf"
	"$SQUID" -k parse -f "$tmp/squid.conf" >"$tmp/parse.out" 2>&1 && ! grep -qiE 'warning|error|fatal' "$tmp/parse.out"
	ok $? "contrib/squid-egressaudit.conf with the generated scope parses cleanly ($variant)"
	grep -iE 'warning|error|fatal' "$tmp/parse.out" | sed 's/^/# /'
done
tap_done
