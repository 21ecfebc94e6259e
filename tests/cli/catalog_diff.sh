#!/bin/sh
# egressaudit catalog diff: every kind of entry change found by stable id,
# in text and JSON, diff's exit status, the vendors' source dates and the
# --max-age warning, and with -d each traffic consequence (from fixture
# stores written through the real store API).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"
old="$top_srcdir/tests/data/diff/old"
new="$top_srcdir/tests/data/diff/new"

"$ea" catalog diff "$old" "$old" >"$tmp/same.txt" 2>&1
is "$?" 0 "identical catalogues: exit 0"
grep -q '^0 added, 0 removed, 0 changed$' "$tmp/same.txt"
ok $? "identical catalogues: nothing added, removed or changed"

"$ea" catalog diff --as-of 2026-12-01 --max-age 1000 "$old" "$new" >"$tmp/diff.txt" 2>"$tmp/diff.err"
is "$?" 1 "different catalogues: exit 1, as diff does"
grep -q '^+ acme-added  exact added.acme.test  ports 443  required$' "$tmp/diff.txt"
ok $? "text: an added entry is a + line with its host, ports and level"
grep -q '^- acme-removed  exact removed.acme.test  ports 443  required$' "$tmp/diff.txt"
ok $? "text: a removed entry is a - line"
grep -q '^~ acme-ports  ports: 443 -> 443,8443 (+8443)$' "$tmp/diff.txt"
ok $? "text: a changed entry is a ~ line naming the field, old -> new, and the ports added"
grep -q '^~ acme-host  host: exact oldhost.acme.test -> exact newhost.acme.test$' "$tmp/diff.txt"
ok $? "text: a changed host"
! grep -q 'acme-same' "$tmp/diff.txt"
ok $? "text: an unchanged entry is not listed"
grep -q '^vendor acme: changed updated transcribed (updated 2024-01-01 -> 2025-01-01)$' "$tmp/diff.txt" &&
	grep -q '^vendor beta: added$' "$tmp/diff.txt"
ok $? "text: vendors added and vendors whose source dates changed"
grep -q '^  acme: "Acme endpoints", updated 2025-01-01, transcribed 2025-01-02 (699 days old)$' "$tmp/diff.txt"
ok $? "text: the new catalogue's source dates are stated, with their age"
grep -q 'warning: beta (.*beta.yaml): the vendor.s list was last updated 2020-01-01, 2526 days before 2026-12-01 (more than 1000)' "$tmp/diff.err" &&
	! grep -q 'warning: acme' "$tmp/diff.err"
ok $? "a vendor file updated longer ago than --max-age is warned about, a newer one is not"
"$ea" catalog diff --as-of 2026-12-01 "$old" "$new" 2>&1 >/dev/null | grep -q 'warning: acme'
ok $? "--max-age defaults to 365 days"
"$ea" catalog diff --as-of 2026-12-01 --max-age 3000 "$old" "$new" 2>&1 >/dev/null | grep -q warning
is "$?" 1 "no warning when every list is younger than --max-age"

"$ea" catalog diff -f json --as-of 2026-12-01 "$old" "$new" >"$tmp/diff.json" 2>/dev/null
is "$?" 1 "JSON: exit 1 too"
tap_results "$("$PYTHON3" - "$tmp/diff.json" <<'PY' 2>&1
import json, sys
def check(c, n): print("PASS" if c else "FAIL", n)
d = json.load(open(sys.argv[1]))
E = {e["id"]: e for e in d["entries"]}
check(d["format"] == "egressaudit-catalog-diff" and d["version"] == 1, "JSON: format and version")
check(d["summary"] == {"added": 5, "removed": 2, "changed": 8, "vendors_changed": 2}, "JSON: the summary counts")
check(sorted(i for i, e in E.items() if e["change"] == "added") == ["acme-added", "acme-added-blocked", "acme-added-optional", "acme-added-seen", "beta-api"], "JSON: the added entries, by id")
check(sorted(i for i, e in E.items() if e["change"] == "removed") == ["acme-removed", "acme-removed-quiet"], "JSON: the removed entries, by id")
check(E["acme-removed"]["new"] is None and E["acme-removed"]["old"]["pattern"] == "removed.acme.test", "JSON: a removed entry keeps its old values")
want = {"acme-ports": ["ports"], "acme-ports-ok": ["ports"], "acme-level": ["level"], "acme-host": ["host"],
        "acme-condition": ["condition"], "acme-dates": ["valid_until", "replaced_by"],
        "acme-product": ["product"], "acme-text": ["text"]}
check({i: e["fields"] for i, e in E.items() if e["change"] == "changed"} == want, "JSON: each changed entry names the fields that changed (hosts, ports, level, conditions, dates, replacements, product, text)")
check(E["acme-ports"]["ports_added"] == [8443] and E["acme-ports"]["ports_removed"] == [], "JSON: ports added and removed")
check(E["acme-dates"]["old"]["valid_until"] is None and E["acme-dates"]["new"]["valid_until"] == "2026-06-30" and E["acme-dates"]["new"]["replaced_by"] == "same.acme.test", "JSON: old and new values of a changed entry")
check(E["acme-level"]["old"]["level"] == "recommended" and E["acme-level"]["new"]["level"] == "required", "JSON: a level change")
check("acme-same" not in E, "JSON: unchanged entries are left out")
V = {v["id"]: v for v in d["vendors"]}
check(V["acme"]["change"] == "changed" and V["acme"]["old_source"]["updated"] == "2024-01-01" and V["acme"]["new_source"]["updated"] == "2025-01-01", "JSON: the vendors' source dates, old and new")
check(V["acme"]["age_days"] == 699 and V["acme"]["stale"] and V["beta"]["stale"], "JSON: age in days and stale against --max-age")
check(d["traffic"] is None, "JSON: traffic is null without -d")
PY
)"

"$ea" catalog diff "$old/acme.yaml" "$new/acme.yaml" >"$tmp/files.txt" 2>/dev/null
is "$?" 1 "files as well as directories"
! grep -q beta "$tmp/files.txt" && grep -q '^4 added, 2 removed, 8 changed$' "$tmp/files.txt"
ok $? "comparing two files leaves out the other files of the directory"

"$ea" catalog diff "$old" "$tmp/nonexistent" >/dev/null 2>"$tmp/err"
is "$?" 2 "a catalogue that does not exist: exit 2"
grep -q 'nonexistent' "$tmp/err"
ok $? "the error names it"
"$ea" catalog diff "$old" "$top_srcdir/tests/data/bad/syntax.yaml" >/dev/null 2>&1
is "$?" 2 "a catalogue with errors: exit 2"
"$ea" catalog diff "$old" >/dev/null 2>&1
is "$?" 2 "one catalogue only: exit 2"
"$ea" catalog diff -f xml "$old" "$new" >/dev/null 2>&1
is "$?" 2 "an unknown format: exit 2"
"$ea" catalog diff -d "$tmp/missing.db" "$old" "$new" >/dev/null 2>&1
is "$?" 2 "a database that cannot be read: exit 2"

# Traffic: one proxy's store under the old catalogue's names.
"$fixture" "$tmp/a.db" branch-a <<'SPEC' || exit 99
hit now-3600 - acme removed.acme.test 443 10.0.0.1 - allowed log 3
hit now-3600 - acme ports.acme.test 443 10.0.0.1 - allowed log 1
hit now-3600 - acme ports.acme.test 8443 10.0.0.1 - denied log 2
hit now-3600 - acme portsok.acme.test 80 10.0.0.1 - allowed log 1
hit now-3600 - acme oldhost.acme.test 443 10.0.0.2 - allowed log 2
hit now-3600 - acme blocked.acme.test 443 10.0.0.2 - denied log 4
hit now-3600 - acme seen.acme.test 443 10.0.0.2 - allowed log 1
SPEC
"$ea" catalog diff -f json -d "$tmp/a.db" "$old" "$new" >"$tmp/traffic.json" 2>/dev/null
is "$?" 1 "with -d the exit status still says whether the catalogues differ"
"$ea" catalog diff -f json -d "$tmp/a.db" --since 30m "$old" "$new" >"$tmp/recent.json" 2>/dev/null
printf 'schema: 1\nvendors:\n  acme:\n    products: [gateway]\n' >"$tmp/gateway.yaml"
"$ea" catalog diff -f json -d "$tmp/a.db" -p "$tmp/gateway.yaml" "$old" "$new" >"$tmp/scoped.json" 2>/dev/null
tap_results "$("$PYTHON3" - "$tmp/traffic.json" "$tmp/recent.json" "$tmp/scoped.json" <<'PY' 2>&1
import json, sys
def check(c, n): print("PASS" if c else "FAIL", n)
T = [(t["id"], t["impact"]) for t in json.load(open(sys.argv[1]))["traffic"]]
by = {(t["id"], t["impact"]): t for t in json.load(open(sys.argv[1]))["traffic"]}
r = by.get(("acme-removed", "removed-in-use"))
check(r and r["traffic"]["requested"] == 3 and r["proxies"] == ["branch-a"], "a removed host still in use: its requests and the proxy that saw them")
check(("acme-removed-quiet", "removed-in-use") not in by, "a removed host nobody uses is no concern")
check(("acme-host", "removed-in-use") in by and ("acme-host", "new-never-seen") in by, "a changed host: the old one still in use, the new one never seen")
check(("acme-added", "new-never-seen") in by, "a new required host never seen")
check(("acme-level", "new-never-seen") in by, "an entry now required and never seen")
check(("acme-added-optional", "new-never-seen") not in by, "a new optional host never seen is no concern")
check(not any(i == "acme-added-seen" for i, _ in T), "a new required host already reached is no concern")
b = by.get(("acme-added-blocked", "new-blocked"))
check(b and b["traffic"]["denied"] == 4, "a new required host requested but blocked")
p = by.get(("acme-ports", "port-refused"))
check(p and p["port"] == 8443 and p["traffic"]["denied"] == 2 and p["traffic"]["allowed"] == 0, "a port added that the proxy refuses")
check(not any(i == "acme-ports-ok" for i, _ in T), "a port added that the proxy lets through is no concern")
check(len(T) == 7, "seven consequences in all, no others: %r" % T)
R = {(t["id"], t["impact"]) for t in json.load(open(sys.argv[2]))["traffic"]}
check(("acme-removed", "removed-in-use") not in R and ("acme-removed", "new-never-seen") not in R and ("acme-added", "new-never-seen") in R, "--since: traffic before the window does not count")
S = {(t["id"], t["impact"]) for t in json.load(open(sys.argv[3]))["traffic"]}
check(("acme-added", "new-never-seen") not in S and ("acme-removed", "removed-in-use") in S, "-p: new entries outside the site's scope are no concern; removed hosts in use still are")
PY
)"
"$ea" catalog diff -d "$tmp/a.db" "$old" "$new" >"$tmp/traffic.txt" 2>/dev/null
grep -q '^  port-refused    acme-ports: port 8443 added, refused: 2 requests (0 allowed, 2 denied, 0 failed, 0 unknown)' "$tmp/traffic.txt" &&
	grep -q '^  removed-in-use  acme-removed: removed, removed.acme.test still requested: 3 requests .* on branch-a$' "$tmp/traffic.txt"
ok $? "text: each consequence on a line, with the traffic and the proxies"
tap_done
