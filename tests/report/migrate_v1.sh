#!/bin/sh
# Schema 1 -> 2 in place: a fleet of two v1 databases written by the v1 code
# (tests/data/store/v1-*.sql, dumped from ea_fixture's output before v2) is
# migrated by opening it for writing; the report of the migrated fleet must
# equal the report the v1 code made of it (v1-report*.json), field by field,
# except the fields doc/report.md documents as approximate (clients of
# uncatalogued hosts and of site hosts: an upper bound since v2).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"
[ -n "$SQLITE3" ] || tap_skip_all "sqlite3 is not installed"
sdata="$top_srcdir/tests/data/store"

for p in 1 2; do
	"$SQLITE3" "$tmp/p$p.db" <"$sdata/v1-proxy$p.sql"
	is "$("$SQLITE3" "$tmp/p$p.db" 'PRAGMA user_version')" 1 "the v1 database of proxy $p loads at schema 1"
	"$fixture" "$tmp/p$p.db" </dev/null
	is "$?" 0 "opening it for writing migrates it"
	is "$("$SQLITE3" "$tmp/p$p.db" 'PRAGMA user_version')" 2 "it is at schema 2"
done

window="--since @1795600000 --until @1795651200 --as-of 2026-11-24"
# shellcheck disable=SC2086
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" $window -f json >"$tmp/plain.json"
is "$?" 0 "the migrated fleet reports"
# shellcheck disable=SC2086
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -p "$rdata/site.yaml" $window -f json >"$tmp/profile.json"
is "$?" 0 "the migrated fleet reports with the site profile"

compare() {
	_res=$("$PYTHON3" - "$1" "$2" "$3" <<'PY' 2>"$tmp/python.err"
import json, sys
v1, v2, label = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
site = {e["id"] for e in v1["entries"] if e["kind"] == "site"}
exact, bounded = [], []
def walk(a, b, path):
    if isinstance(a, dict):
        for k in a:
            if k not in b:
                exact.append("%s/%s is missing" % (path, k))
            else:
                walk(a[k], b[k], path + "/" + k)
    elif isinstance(a, list):
        if len(a) != len(b):
            exact.append("%s has %d items, not %d" % (path, len(b), len(a)))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, "%s[%d]" % (path, i))
    elif path in ("/generated",) or (path.startswith("/proxies[") and path.endswith("/database")):
        pass  # when and where: not data
    elif path.endswith("/clients") and (path.startswith("/uncatalogued[") or
            any(path == "/entries[%d]/clients" % i for i, e in enumerate(v1["entries"]) if e["id"] in site)):
        if b < a:
            bounded.append("%s: %r is below v1's %r" % (path, b, a))
    elif a != b:
        exact.append("%s: %r, v1 said %r" % (path, b, a))
print(("PASS" if not exact else "FAIL") + " %s: every exact field equals v1's%s" % (label, "" if not exact else ": " + "; ".join(exact[:5])))
print(("PASS" if not bounded else "FAIL") + " %s: the approximate client counts are upper bounds of v1's%s" % (label, "" if not bounded else ": " + "; ".join(bounded[:5])))
PY
) || _res="FAIL the comparison ran: $(tail -n 1 "$tmp/python.err")"
	tap_results "$_res"
}
compare "$sdata/v1-report.json" "$tmp/plain.json" "without a profile"
compare "$sdata/v1-report-profile.json" "$tmp/profile.json" "with the site profile"
tap_done
