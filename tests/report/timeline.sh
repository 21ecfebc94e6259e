#!/bin/sh
# egressaudit report: the timeline of an entry (last allowed, last refused,
# failing since, recovered at, to the hourly bucket) from fixture databases
# with known histories, in JSON and text, and --check judging the present.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

# One required entry on two ports: every history is a database of its own.
cat >"$tmp/tl.yaml" <<'YAML'
schema: 1
vendor:
  id: tl
  name: "Timeline"
  domains: [tl.test]
source:
  title: "Timeline test"
  updated: 2026-11-01
  transcribed: 2026-11-01
defaults:
  ports: [443]
  level: required
groups:
  - id: all
    entries:
      - id: tl-a
        host: a.tl.test
        ports: [443, 80]
YAML

# Hours from 2026-11-25T00:00:00Z (1795564800); minutes inside an hour are
# in its bucket.
T0=1795564800
h() { echo $((T0 + $1 * 3600 + ${2:-0} * 60)); }
db() {
	_name=$1
	shift
	while [ $# -gt 0 ]; do
		echo "hit $(h "$1" 10) tl-a tl a.tl.test ${4:-443} 10.0.0.1 - $2 log $3"
		shift 4
	done | "$fixture" "$tmp/$_name.db" proxy1 || exit 99
}
# db NAME HOUR OUTCOME COUNT PORT ...
# worked, then blocked from hour 5 on
db worked_blocked 0 allowed 3 443  1 allowed 2 443  3 allowed 1 443  5 denied 4 443  6 failed 1 443  6 denied 2 443
# blocked (denied and failed) for hours 1 to 3, working again at 4
db recovered 1 denied 2 443  2 failed 1 443  3 denied 1 443  4 allowed 5 443  5 allowed 1 443  1 allowed 1 80
# flapping, ending refused: allowed 0, denied 1, allowed 2, denied 3-4
db flap_failing 0 allowed 1 443  1 denied 1 443  2 allowed 1 443  3 denied 1 443  4 denied 1 443
# flapping, ending allowed: the last recovery counts
db flap_ok 0 allowed 1 443  1 denied 1 443  2 allowed 1 443  3 denied 1 443  4 allowed 1 443
# allowed and denied in the last bucket: partial now
db partial_now 0 allowed 1 443  6 allowed 1 443  6 denied 1 443
# only unknown outcomes (CONNECT tunnels without the access log)
db unknown 0 unknown 2 443  1 unknown 1 443
# never allowed in the window: refused on 80 only, 443 works
db port80 0 allowed 1 443  2 denied 1 80  3 allowed 1 443

iso() { date -u -d "@$(h "$1")" +%Y-%m-%dT%H:%M:%SZ; }
win="--since @$T0 --until @$(h 24) --as-of 2026-11-25"
report() { "$ea" report -c "$tmp/tl.yaml" -d "$tmp/$1.db" $win -f json >"$tmp/$1.json"; }
for n in worked_blocked recovered flap_failing flap_ok partial_now unknown port80; do
	report "$n" || exit 99
done

json_check "$tmp/worked_blocked.json" '
a = e("tl-a")
check(a["status"] == "partial", "worked then blocked is partial over the window")
check(a["last_allowed"] == "'"$(iso 3)"'", "last_allowed is the start of the last bucket with allowed requests")
check(a["last_refused"] == "'"$(iso 6)"'", "last_refused counts failed as well as denied")
check(a["failing_since"] == "'"$(iso 5)"'", "failing_since is the first refused bucket after the last allowed one")
check(a["recovered_at"] is None and a["failing_from"] is None, "a failing entry has no recovered_at")
p = {x["port"]: x for x in a["ports"]}
check(p[443]["failing_since"] == "'"$(iso 5)"'", "the listed port has the same timeline")
check(p[80]["last_allowed"] is None and p[80]["failing_since"] is None, "a listed port never seen has an empty timeline")
'
json_check "$tmp/recovered.json" '
a = e("tl-a")
check(a["failing_since"] is None, "blocked then recovered is not failing")
check(a["recovered_at"] == "'"$(iso 4)"'", "recovered_at is the first allowed bucket after the refusals")
check(a["failing_from"] == "'"$(iso 1)"'", "failing_from is where the run of refusals began")
check(a["last_refused"] == "'"$(iso 3)"'" and a["last_allowed"] == "'"$(iso 5)"'", "last refused and last allowed")
'
json_check "$tmp/flap_failing.json" '
a = e("tl-a")
check(a["failing_since"] == "'"$(iso 3)"'", "flapping: failing since the refusals after the last allowed bucket")
check(a["last_allowed"] == "'"$(iso 2)"'" and a["recovered_at"] is None, "flapping then failing: no recovery reported")
'
json_check "$tmp/flap_ok.json" '
a = e("tl-a")
check(a["failing_since"] is None and a["recovered_at"] == "'"$(iso 4)"'", "flapping then allowed: the last recovery")
check(a["failing_from"] == "'"$(iso 3)"'", "flapping: the last run of refusals began at its first refused bucket")
'
json_check "$tmp/partial_now.json" '
a = e("tl-a")
check(a["last_allowed"] == a["last_refused"] == "'"$(iso 6)"'", "allowed and refused in the same bucket")
check(a["failing_since"] is None and a["recovered_at"] is None, "a bucket with allowed requests is not failing")
'
json_check "$tmp/unknown.json" '
a = e("tl-a")
check(a["status"] == "unverified", "only unknown outcomes: unverified")
check([a[k] for k in ("last_allowed", "last_refused", "failing_since", "recovered_at", "failing_from")] == [None] * 5, "only unknown outcomes: no timeline at all")
'
json_check "$tmp/port80.json" '
a = e("tl-a")
p = {x["port"]: x for x in a["ports"]}
check(p[80]["failing_since"] == "'"$(iso 2)"'" and p[80]["last_allowed"] is None, "a port never allowed is failing since its first refusal")
check(p[443]["failing_since"] is None and p[443]["last_allowed"] == "'"$(iso 3)"'", "the other port works")
check(a["failing_since"] == "'"$(iso 2)"'", "the entry is failing while one of its listed ports is")
'

# Text: the timeline in words for the entries that are not ok.
"$ea" report -c "$tmp/tl.yaml" -d "$tmp/worked_blocked.db" $win --colour never >"$tmp/wb.txt"
grep -q "blocked since 2026-11-25 05:00 (19 h), last allowed 2026-11-25 03:00" "$tmp/wb.txt"
is "$?" 0 "the text report says since when an entry is blocked and when it last worked"
"$ea" report -c "$tmp/tl.yaml" -d "$tmp/recovered.db" $win --colour never >"$tmp/rec.txt"
grep -q "recovered 2026-11-25 04:00 after 3 h of failures" "$tmp/rec.txt"
is "$?" 0 "the text report says when an entry recovered and after how long"
"$ea" report -c "$tmp/tl.yaml" -d "$tmp/worked_blocked.db" --since @$T0 --until @$(h 144) --as-of 2026-11-25 --colour never >"$tmp/wb6.txt"
grep -q "blocked since 2026-11-25 05:00 (5 days)" "$tmp/wb6.txt"
is "$?" 0 "a long outage is said in days"

# --check judges the present; --check-window the window's totals.
check_is() {
	"$ea" report -c "$tmp/tl.yaml" -d "$tmp/$1.db" $win $2 >"$tmp/check.out"
	is "$?" "$3" "$4"
}
check_is worked_blocked --check 2 "--check is CRITICAL for an endpoint failing now"
grep -q "^failing: tl-a a.tl.test: blocked since 2026-11-25 05:00" "$tmp/check.out"
is "$?" 0 "the long output says since when it fails"
check_is recovered --check 0 "--check is OK for an endpoint that recovered"
grep -q "^recovered: tl-a a.tl.test: recovered 2026-11-25 04:00 after 3 h" "$tmp/check.out"
is "$?" 0 "the long output keeps the window's history"
check_is recovered --check-window 1 "--check-window still warns about a partial window"
check_is worked_blocked --check-window 1 "--check-window judges the totals: partial is a warning"
check_is flap_failing --check 2 "--check is CRITICAL for flapping that ends refused"
check_is flap_ok --check 0 "--check is OK for flapping that ends allowed"
check_is partial_now --check 1 "--check warns when the last bucket had refusals"
check_is unknown --check 0 "--check is OK with only unknown outcomes (unverified)"
check_is port80 --check 2 "--check is CRITICAL when one listed port is failing now"
"$fixture" "$tmp/empty.db" proxy1 </dev/null || exit 99
check_is empty --check 1 "--check warns about a required endpoint never seen"
"$ea" report -c "$tmp/tl.yaml" -d "$tmp/worked_blocked.db" $win --check >"$tmp/check.out"
grep -q "failing_now=1;;1;0;1" "$tmp/check.out"
is "$?" 0 "the perfdata counts the endpoints failing now"

# Prometheus: when last allowed, and since when failing while it fails.
"$ea" report -c "$tmp/tl.yaml" -d "$tmp/worked_blocked.db" $win -f prometheus >"$tmp/wb.prom"
grep -qx 'egressaudit_entry_last_allowed_timestamp_seconds{proxy="proxy1",vendor="tl",entry="tl-a",level="required"} '"$(h 3)" "$tmp/wb.prom"
is "$?" 0 "Prometheus: the entry's last allowed bucket"
grep -qx 'egressaudit_entry_failing_since_timestamp_seconds{proxy="proxy1",vendor="tl",entry="tl-a",level="required"} '"$(h 5)" "$tmp/wb.prom"
is "$?" 0 "Prometheus: since when the entry fails"
"$ea" report -c "$tmp/tl.yaml" -d "$tmp/recovered.db" $win -f prometheus >"$tmp/rec.prom"
grep -q '^egressaudit_entry_failing_since_timestamp_seconds{' "$tmp/rec.prom"
is "$?" 1 "Prometheus: no failing_since series for an entry that recovered"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$tmp/wb.prom" >"$tmp/promtool.out" 2>&1
	is "$?" 0 "promtool check metrics accepts the timeline series"
	sed 's/^/# /' "$tmp/promtool.out"
else
	ok 0 "# SKIP promtool (Debian package prometheus) is not installed"
fi

tap_done
