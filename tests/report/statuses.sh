#!/bin/sh
# egressaudit report: every status reached from real databases, the time
# window, --as-of, two proxies merged, and the text and JSON formats.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

make_proxy1 "$tmp/p1.db" || exit 99
make_proxy2 "$tmp/p2.db" || exit 99

"$ea" report -c "$rules" -d "$tmp/p1.db" -f json >"$tmp/one.json"
is "$?" 0 "a JSON report of one database is written"
json_check "$tmp/one.json" '
check(r["format"] == "egressaudit-report" and r["version"] == 1, "the document names its format and version")
want = {"acme-ok": "ok", "acme-partial": "partial", "acme-blocked": "blocked",
        "acme-never": "never-seen", "acme-unverified": "unverified", "acme-retired": "retired",
        "acme-retired-used": "retired-in-use", "acme-cdn": "ok", "acme-mcs": "unconfigured",
        "acme-edr": "ok", "acme-eu": "ok", "acme-us": "never-seen", "acme-gw": "blocked"}
for k, v in sorted(want.items()):
    check(e(k)["status"] == v, "%s is %s" % (k, v))
ok = e("acme-ok")
check((ok["requested"], ok["allowed"], ok["unknown"]) == (8, 8, 0), "REQMOD and RESPMOD rows of the same requests count once (3 + 5 older)")
check(ok["clients"] == 3, "distinct clients are counted")
check(ok["first_seen"] < ok["last_seen"], "first and last seen are given")
p = {x["port"]: x for x in e("acme-partial")["ports"]}
check(p[443]["status"] == "ok" and p[80]["status"] == "blocked", "partial: one listed port works while another is blocked")
check((p[80]["denied"], p[443]["allowed"]) == (1, 2), "per-port counts are exact")
b = e("acme-blocked")
check((b["denied"], b["allowed"]) == (4, 0), "blocked counts the denials the access log recorded")
u = e("acme-unverified")
check((u["requested"], u["unknown"], u["allowed"], u["denied"]) == (2, 2, 0, 0), "unverified: seen at REQMOD, no outcome, claimed neither ok nor blocked")
check(e("acme-retired-used")["replaced_by"] == "ok.acme.test", "retired-in-use shows what replaces it")
check(sorted(h["host"] for h in e("acme-cdn")["hosts"]) == ["a.cdn.acme.test", "b.cdn.acme.test"], "the concrete hosts seen under a wildcard are listed")
check(e("acme-never")["first_seen"] is None and e("acme-never")["requested"] == 0, "never-seen has no times and no counts")
un = {x["host"]: x for x in r["uncatalogued"]}
check("new.acme.test" in un and un["new.acme.test"]["ports"][0]["port"] == 8443, "an uncatalogued host under a vendor domain is listed with its port")
check("mcs-eu.acme.test" in un, "the site host is uncatalogued while no profile names it")
check(r["proxies"][0]["name"] == "proxy1" and r["proxies"][0]["counters"]["queue_full"] == 2 and r["proxies"][0]["dropped"] == 3, "drop counters are reported per proxy")
check(r["summary"]["by_status"]["blocked"] == 2 and r["summary"]["entries"] == 13, "the summary counts entries by status")
check(r["vendors"][0]["id"] == "acme" and r["vendors"][0]["entries"] == 13, "the per-vendor summary is there")
'

"$ea" report -c "$rules" -d "$tmp/p1.db" --since 7d -f json >"$tmp/week.json"
json_check "$tmp/week.json" '
check(e("acme-ok")["requested"] == 3, "--since 7d leaves out the month-old rows")
check(r["since"] is not None and r["until"] is None, "the window is in the document")
'
"$ea" report -c "$rules" -d "$tmp/p1.db" --until 7d -f json >"$tmp/old.json"
json_check "$tmp/old.json" '
check(e("acme-ok")["requested"] == 5 and e("acme-blocked")["status"] == "never-seen", "--until 7d keeps only the older rows")
'
"$ea" report -c "$rules" -d "$tmp/p1.db" --as-of 2024-06-30 -f json >"$tmp/asof.json"
json_check "$tmp/asof.json" '
check(e("acme-retired")["status"] == "never-seen" and e("acme-retired-used")["status"] == "ok", "on its valid_until day an entry is not retired yet")
check(r["as_of"] == "2024-06-30", "--as-of is in the document")
'

"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -f json >"$tmp/two.json"
is "$?" 0 "two databases are merged"
json_check "$tmp/two.json" '
b = e("acme-blocked")
check(b["status"] == "partial" and (b["allowed"], b["denied"]) == (1, 4), "merged: denied on one proxy, allowed on the other is partial")
px = {x["proxy"]: x for x in b["proxies"]}
check(px["proxy1"]["denied"] == 4 and px["proxy2"]["allowed"] == 1, "the entry names which proxy saw what")
check(e("acme-ok")["requested"] == 9 and e("acme-ok")["clients"] == 3, "counts add up across proxies; a client seen by both counts once")
check([p["name"] for p in r["proxies"]] == ["proxy1", "proxy2"] and r["proxies"][1]["counters"]["db_full"] == 3, "each proxy keeps its own drop counters")
'

out=$("$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" --colour never)
is "$?" 0 "the text report is written"
printf '%s\n' "$out" | grep -q '^partial  *required  *acme  *acme-blocked  *blocked.acme.test  *443  *1  *4 '
ok $? "the text table is aligned, one row per entry"
printf '%s\n' "$out" | grep -q 'proxy proxy2: 1 requested, 1 allowed'
ok $? "the text details name the proxy"
printf '%s\n' "$out" | grep -q '  proxy1: 3 dropped (queue_full 2, db_busy 1'
ok $? "the text report has the drop counters"
printf '%s\n' "$out" | grep -q 'a.cdn.acme.test: 2 requested'
ok $? "the text report lists hosts seen under wildcards"
case $out in *"$(printf '\033')"*) ok 1 "no colour when not on a terminal" ;; *) ok 0 "no colour when not on a terminal" ;; esac
"$ea" report -c "$rules" -d "$tmp/p1.db" --colour always | grep -q "$(printf '\033')\\[1;31mblocked"
ok $? "--colour always colours the status"

"$ea" report -c "$rules" -d "$tmp/missing.db" >/dev/null 2>"$tmp/err"
is "$?" 2 "a missing database is an error"
grep -q "missing.db" "$tmp/err"; ok $? "the error names the database"
"$ea" report -c "$rules" -d "$tmp/p1.db" --since yesterday >/dev/null 2>&1
is "$?" 2 "a bad --since is an error"
"$ea" report -c "$rules" -d "$tmp/p1.db" -f pdf >/dev/null 2>&1
is "$?" 2 "an unknown format is an error"
"$ea" report -c "$rules" -d "$tmp/p1.db" -f json -o "$tmp/out.json" && "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out.json"
ok $? "-o writes the report to a file"

# Bounded host lists: --hosts 1 keeps the busiest of acme-cdn's two hosts.
"$ea" report -c "$rules" -d "$tmp/p1.db" --hosts 1 -f json >"$tmp/hosts1.json"
is "$?" 0 "--hosts 1 is accepted"
json_check "$tmp/hosts1.json" '
cdn = e("acme-cdn")
check([h["host"] for h in cdn["hosts"]] == ["a.cdn.acme.test"], "one host is listed, the busiest")
check(cdn["more_hosts"]["hosts"] == 1 and cdn["more_hosts"]["requested"] == 1, "the other is counted with its requests")
check(cdn["requested"] == 3, "the entry total still counts both")
check(e("acme-ok")["more_hosts"]["hosts"] == 0, "an entry with one host has no more hosts")
check(len(r["uncatalogued"]) == 1 + 0 and r["uncatalogued_more"][0]["vendor"] == "acme", "uncatalogued hosts are bounded per vendor too")
'
"$ea" report -c "$rules" -d "$tmp/p1.db" --hosts 1 --colour never >"$tmp/hosts1.txt"
grep -q '^      and 1 more host (1 requests)$' "$tmp/hosts1.txt"
ok $? "the text report says how many more hosts there are"
"$ea" report -c "$rules" -d "$tmp/p1.db" --hosts 0 >/dev/null 2>"$tmp/hosts0.err"
is "$?" 2 "--hosts 0 is refused"
tap_done
