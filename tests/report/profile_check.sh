#!/bin/sh
# egressaudit report with a site profile (products, conditions, regions,
# site hosts, acknowledged exceptions) and as a Nagios plugin (--check).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

make_proxy1 "$tmp/p1.db" || exit 99
make_proxy2 "$tmp/p2.db" || exit 99

"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/site.yaml" -f json >"$tmp/site.json"
is "$?" 0 "a report with a site profile is written"
json_check "$tmp/site.json" '
ids = set(E)
check("acme-gw" not in ids, "a product the site does not run is out of scope")
check("acme-edr" in ids, "a condition (feature) the site runs is in scope")
check("acme-eu" in ids and "acme-us" not in ids, "only the site regions are in scope; entries without a region stay")
m = e("acme-mcs")
check(m["status"] == "ok" and m["site_hosts"] == ["mcs-eu.acme.test"] and m["allowed"] == 1, "the site host from the profile gives the site-specific entry its traffic")
check("mcs-eu.acme.test" not in [u["host"] for u in r["uncatalogued"]], "a site host is no longer uncatalogued")
b = e("acme-blocked")
check(b["status"] == "blocked" and b["acknowledged"]["until"] == "2999-12-31" and "CHG-42" in b["acknowledged"]["reason"], "an acknowledged entry keeps its status and carries the reason and expiry")
p = e("acme-partial")
check(p["status"] == "ok" and [x["acknowledged"] for x in p["ports"] if x["port"] == 80] == [True], "an acknowledged port no longer makes the entry partial")
check(e("acme-never")["acknowledged"] is None and e("acme-never")["status"] == "never-seen", "an expired exception has no effect")
check(r["profile"]["site"] == "Test site", "the profile is named in the document")
'
"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/site.yaml" --as-of 2019-12-31 -f json >"$tmp/site2019.json"
json_check "$tmp/site2019.json" '
check(e("acme-never")["acknowledged"] is not None, "an exception holds up to its until date (--as-of)")
'
"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/noedr.yaml" -f json >"$tmp/gw.json"
json_check "$tmp/gw.json" '
check(sorted(E) == ["acme-gw"], "a profile with only the gateway product keeps only its entries (no product-less or conditional ones exist)")
'

"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/bad-product.yaml" >/dev/null 2>"$tmp/err"
is "$?" 2 "a profile naming an unknown product is refused"
grep -q "bad-product.yaml:4:23: error: vendor acme has no product 'gatewya'" "$tmp/err"
ok $? "the error is FILE:LINE:COLUMN and names the product"
"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/bad-ack.yaml" >/dev/null 2>"$tmp/err"
is "$?" 2 "an exception without an expiry date is refused"
grep -q "bad-ack.yaml:3:5: error: an acknowledged exception needs entry, reason and until" "$tmp/err"
ok $? "the error points at the exception"

# --check: the Nagios plugin.
out=$("$ea" report -c "$rules" -d "$tmp/p1.db" --check)
is "$?" 2 "--check exits 2 CRITICAL when required entries are failing now (blocked, and partial with a port refused)"
case $out in "EGRESSAUDIT CRITICAL - 12 required endpoints: 3 failing now"*"|"*"blocked=2;;;0;12"*"failing_now=3;;1;0;12"*) ok 0 "the status line has the counts and perfdata" ;; *) ok 1 "the status line has the counts and perfdata"; echo "# $out" ;; esac
printf '%s\n' "$out" | grep -q "^failing: acme-gw gw.acme.test: blocked since "
ok $? "the long output names the entries failing now and since when"
out=$("$ea" report -c "$rules" -d "$tmp/p1.db" --check-window)
is "$?" 2 "--check-window exits 2 CRITICAL when a required entry is blocked in the window"
case $out in "EGRESSAUDIT CRITICAL - 12 required endpoints: 2 blocked"*"|"*"blocked=2;;;0;12 "*) ok 0 "--check-window keeps the old status line and perfdata" ;; *) ok 1 "--check-window keeps the old status line and perfdata"; echo "# $out" ;; esac
printf '%s\n' "$out" | grep -qx "blocked: acme-gw gw.acme.test"
ok $? "--check-window keeps the old long output"
out=$("$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/site.yaml" --check)
is "$?" 1 "--check exits 1 WARNING with entries never seen and retired-in-use, the blocked one acknowledged"
case $out in "EGRESSAUDIT WARNING - "*"acknowledged"*) ok 0 "the warning line mentions the acknowledged entries" ;; *) ok 1 "the warning line mentions the acknowledged entries"; echo "# $out" ;; esac
"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/quiet.yaml" --check >"$tmp/out"
is "$?" 0 "--check exits 0 OK when every required problem is acknowledged"
grep -q "^EGRESSAUDIT OK - " "$tmp/out"; ok $? "the OK line starts as Nagios expects"
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -p "$rdata/site.yaml" --check >/dev/null
is "$?" 1 "merging proxies with --check works"
out=$("$ea" report -c "$rules" -d "$tmp/nope.db" --check 2>/dev/null)
is "$?" 3 "--check exits 3 UNKNOWN when a database cannot be read"
case $out in "EGRESSAUDIT UNKNOWN - "*) ok 0 "the UNKNOWN line is on standard output" ;; *) ok 1 "the UNKNOWN line is on standard output" ;; esac
"$ea" report -c "$rdata/site.yaml" -d "$tmp/p1.db" --check >/dev/null 2>&1
is "$?" 3 "--check exits 3 UNKNOWN when the catalogue cannot be read"
"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/bad-ack.yaml" --check >/dev/null 2>&1
is "$?" 3 "--check exits 3 UNKNOWN when the profile cannot be read"
"$ea" report -c "$rules" -d "$tmp/p1.db" --check --since nonsense >/dev/null 2>&1
is "$?" 3 "--check exits 3 UNKNOWN on a bad option"
tap_done
