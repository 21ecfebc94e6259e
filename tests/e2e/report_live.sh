#!/bin/sh
# From live traffic to the report: requests through a real Squid + c-icap
# with the module, Squid's access log imported into the same database, then
# `egressaudit report` must give each entry the status its traffic earned,
# counting every request once across the two sources.
EA_SENTINEL_HOST=sentinel.live.test
EA_SENTINEL_ENTRY=live-sentinel
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

ea_init report-live
EA=$top_builddir/egressaudit
[ -x "$EA" ] || e2e_skip_all "egressaudit is not built"
e2e_plan 14

CAT=$E2E_DIR/live.yaml
cat >"$CAT" <<'YAML'
schema: 1
vendor: {id: livetest, name: Live test vendor, domains: [live.test]}
defaults: {ports: [80], level: required}
groups:
  - id: live
    entries:
      - {id: live-sentinel, host: sentinel.live.test}
      - {id: live-ok, host: ok.live.test}
      - {id: live-blocked, host: blocked.live.test}
      - {id: live-failed, host: failed.live.test}
      - {id: live-partial, host: partial.live.test}
      - {id: live-never, host: never.live.test}
      - {id: live-retired, host: retired.live.test, valid_until: 2020-01-01, replaced_by: ok.live.test}
      - {id: live-wild, host: "*.cdn.live.test", level: optional}
YAML
e2e_hosts_add ok.live.test blocked.live.test failed.live.test partial.live.test \
    retired.live.test a.cdn.live.test b.cdn.live.test other.live.test

ea_start_web
e2e_start_cicap "$EA_MODULE" "egressaudit.Catalogue $CAT" "egressaudit.Database $EA_DB" \
    "egressaudit.ProxyName live-proxy" "egressaudit.FlushInterval 100"
e2e_ok $? "c-icap starts with the module"
ea_start_squid "acl ea_blocked dstdomain blocked.live.test" "http_access deny ea_blocked"
e2e_ok $? "Squid starts, denying blocked.live.test by http_access"

# The traffic: counts chosen so that no two entries share a number.
get() { # get URL N: N requests, statuses ignored (some are refusals)
    _n=0
    while [ "$_n" -lt "$2" ]; do
        e2e_curl -o /dev/null "$1" || return 1
        _n=$((_n + 1))
    done
}
get http://ok.live.test/ 3 &&
    get http://blocked.live.test/ 2 &&
    get http://failed.live.test/status/502 4 &&
    get http://partial.live.test/ 5 && get http://partial.live.test/status/504 1 &&
    get http://retired.live.test/ 2 &&
    get http://a.cdn.live.test/ 1 && get http://b.cdn.live.test/ 1 &&
    get http://other.live.test/ 1 &&
    ea_sentinel
e2e_ok $? "the sample traffic was sent and the module's writer caught up"

e2e_stop_squid
e2e_stop_cicap
"$EA" import -c "$CAT" -d "$EA_DB" "$E2E_SQUID_ACCESS_LOG" 2>"$E2E_DIR/import.err"
e2e_ok $? "Squid's access log imports into the module's database"

JSON=$E2E_DIR/report.json
"$EA" report -c "$CAT" -d "$EA_DB" --format json -o "$JSON" 2>"$E2E_DIR/report.err"
e2e_ok $? "egressaudit report writes JSON"

results=$("$PYTHON3" - "$JSON" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
e = {x["id"]: x for x in doc["entries"]}
def check(cond, name):
    print("PASS" if cond else "FAIL", name)
    if not cond:
        print("DIAG", json.dumps({k: v["status"] for k, v in e.items()}))
def counts(i):
    x = e[i]
    return (x["status"], x["requested"], x["allowed"], x["denied"], x["failed"], x["unknown"])
check(counts("live-ok") == ("ok", 3, 3, 0, 0, 0), "3 allowed requests, seen by ICAP and the log, count 3 and make ok")
check(counts("live-blocked") == ("blocked", 2, 0, 2, 0, 0), "2 requests denied by http_access (the log alone saw them) make blocked")
check(counts("live-failed") == ("blocked", 4, 0, 0, 4, 0), "4 upstream 502s are failed, never allowed: blocked")
check(counts("live-partial") == ("partial", 6, 5, 0, 1, 0), "5 allowed and 1 failed make partial")
check(counts("live-never")[:2] == ("never-seen", 0), "an endpoint nobody asked for is never-seen")
r = e["live-retired"]
check(r["status"] == "retired-in-use" and r["requested"] == 2 and r["replaced_by"] == "ok.live.test",
      "an endpoint past its end date and still used is retired-in-use, with its replacement")
w = e["live-wild"]
check(w["status"] == "ok" and sorted(h["host"] for h in w["hosts"]) == ["a.cdn.live.test", "b.cdn.live.test"],
      "a wildcard lists the concrete hosts seen under it")
u = {x["host"]: x for x in doc["uncatalogued"]}
check("other.live.test" in u and u["other.live.test"]["requested"] == 1,
      "a host under the vendor's domain that no entry names is reported uncatalogued")
PY
)
# e2e_ok keeps the numbering; feed it each result.
printf '%s\n' "$results" | grep -E '^(PASS|FAIL) ' >"$E2E_DIR/results"
while read -r st name; do
    [ "$st" = PASS ]
    e2e_ok $? "$name"
done <"$E2E_DIR/results"
printf '%s\n' "$results" | sed -n 's/^DIAG /# /p'

"$EA" report -c "$CAT" -d "$EA_DB" --check >"$E2E_DIR/check.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && grep -q '^EGRESSAUDIT CRITICAL' "$E2E_DIR/check.out"
e2e_ok $? "--check says CRITICAL (exit 2) with required endpoints blocked (exit $rc)"
