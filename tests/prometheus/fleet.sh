#!/bin/sh
# A fleet on a real Prometheus: three proxies' exports (egressaudit report
# --format prometheus from fixture stores) served by node_exporter's
# textfile collector on loopback, scraped by Debian's Prometheus with
# contrib/prometheus/egressaudit-rules.yml loaded. The proxy that blocks a
# required endpoint raises EgressAuditRequiredEndpointFailing, and only
# it; once its export shows the endpoint working again the alert resolves.
# Every wait polls Prometheus's API under a generous bound.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"
. "$top_srcdir/tests/e2e/lib.sh"
[ -z "${EA_E2E_SKIP:-}" ] || tap_skip_all "end-to-end tests skipped in this build ($EA_E2E_SKIP)"
PROMETHEUS=$(command -v prometheus 2>/dev/null)
NODE_EXPORTER=$(PATH=$PATH:/usr/sbin command -v prometheus-node-exporter 2>/dev/null)
[ -n "$PROMETHEUS" ] || tap_skip_all "prometheus (Debian package prometheus) is not installed"
[ -n "$NODE_EXPORTER" ] || tap_skip_all "node_exporter (Debian package prometheus-node-exporter) is not installed"
command -v setsid >/dev/null 2>&1 || tap_skip_all "setsid (util-linux) is not installed"

# The e2e helpers start and stop process groups, with their output in E2E_DIR.
E2E_DIR=$tmp
trap 'E2E_FAILED=$tap_failed; e2e_cleanup' EXIT
: "${FLEET_TIMEOUT:=120}"

api() { # api PATH: GET from this test's Prometheus, never through a proxy
	"$PYTHON3" -c 'import sys, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
sys.stdout.write(o.open("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5).read().decode())' \
		"$prom_port" "$1"
}

# alerts_are STATE PROXIES: EgressAuditRequiredEndpointFailing is in STATE
# for exactly the proxies named (space-separated; "" for none) and in no
# other state for any proxy.
alerts_are() {
	api /api/v1/alerts >"$tmp/alerts.json" 2>/dev/null || return 1
	"$PYTHON3" - "$tmp/alerts.json" "$1" "$2" <<'PY'
import json, sys
a = [x for x in json.load(open(sys.argv[1]))["data"]["alerts"]
     if x["labels"].get("alertname") == "EgressAuditRequiredEndpointFailing"]
want = sorted(sys.argv[3].split())
got = sorted(x["labels"]["proxy"] for x in a if x["state"] == sys.argv[2])
sys.exit(0 if got == want and len(a) == len(want) else 1)
PY
}

# make_export NAME SPEC-FILE: a store for proxy NAME, and its export
# written into NAME's textfile directory the way doc/metrics.md says (a
# temporary file renamed into place).
make_export() {
	mkdir -p "$tmp/text-$1"
	rm -f "$tmp/$1.db"
	"$fixture" "$tmp/$1.db" "$1" <"$2" || exit 99
	"$ea" report -c "$rules" -d "$tmp/$1.db" --since 1d -f prometheus \
		-o "$tmp/text-$1/egressaudit.prom.tmp" || exit 99
	mv "$tmp/text-$1/egressaudit.prom.tmp" "$tmp/text-$1/egressaudit.prom"
}

# Every proxy reaches the agent's endpoints; branch-a's firewall denies
# acme-blocked (the access log saw the denials).
cat >"$tmp/works.spec" <<'SPEC'
hit now-600 acme-ok acme ok.acme.test 443 10.0.0.1 - allowed log 3
hit now-600 acme-partial acme partial.acme.test 443 10.0.0.1 - allowed log 1
hit now-600 acme-partial acme partial.acme.test 80 10.0.0.1 - allowed log 1
hit now-600 acme-blocked acme blocked.acme.test 443 10.0.0.2 - allowed log 2
hit now-600 - acme new.acme.test 443 10.0.0.3 - allowed log 1
SPEC
grep -v blocked.acme.test "$tmp/works.spec" >"$tmp/blocks.spec"
echo 'hit now-600 acme-blocked acme blocked.acme.test 443 10.0.0.2 - denied log 4' >>"$tmp/blocks.spec"
make_export branch-a "$tmp/blocks.spec"
make_export branch-b "$tmp/works.spec"
make_export branch-c "$tmp/works.spec"

set -- $(e2e_free_port 4)
[ -n "$4" ] || exit 99
prom_port=$1
targets=
for name in branch-a branch-b branch-c; do
	shift
	e2e_spawn "node-$name" "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$1" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$tmp/text-$name"
	targets="$targets${targets:+, }'127.0.0.1:$1'"
done

# The shipped rules with every for: shortened to 2s, so the test waits
# seconds rather than minutes; rules.test.yml checks the real durations.
sed 's/^\( *for:\) .*/\1 2s/' "$top_srcdir/contrib/prometheus/egressaudit-rules.yml" >"$tmp/rules.yml"
cat >"$tmp/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $tmp/rules.yml
scrape_configs:
  - job_name: egressaudit
    static_configs:
      - targets: [$targets]
CONFIG
e2e_spawn prometheus "$PROMETHEUS" --config.file="$tmp/prometheus.yml" \
	--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$prom_port" \
	--log.level=warn
ready() { api /-/ready >/dev/null 2>&1; }
e2e_wait_for "$FLEET_TIMEOUT" ready
ok $? "Prometheus starts on loopback with the rules loaded"
if [ "$tap_failed" -ne 0 ]; then
	e2e_diag_file "$tmp/prometheus.out"
	tap_done
	exit 1
fi

api /api/v1/rules >"$tmp/rules.json"
"$PYTHON3" -c 'import json, sys
g = json.load(open(sys.argv[1]))["data"]["groups"]
sys.exit(0 if sum(len(x["rules"]) for x in g) == 10 and all(r["health"] != "err" for x in g for r in x["rules"]) else 1)' "$tmp/rules.json"
ok $? "Prometheus loaded the ten rules of contrib/prometheus/egressaudit-rules.yml"

three_up() {
	api '/api/v1/query?query=count(up%7Bjob%3D%22egressaudit%22%7D%3D%3D1)' 2>/dev/null |
		grep -q '"value":\[[0-9.]*,"3"\]'
}
e2e_wait_for "$FLEET_TIMEOUT" three_up
ok $? "the three node_exporters are scraped"

e2e_wait_for "$FLEET_TIMEOUT" alerts_are firing branch-a
ok $? "EgressAuditRequiredEndpointFailing fires for branch-a, the proxy that blocks acme-blocked, and for no other proxy"
"$PYTHON3" - "$tmp/alerts.json" <<'PY'
import json, sys
a = [x for x in json.load(open(sys.argv[1]))["data"]["alerts"]
     if x["labels"].get("alertname") == "EgressAuditRequiredEndpointFailing"]
l = a[0]["labels"] if a else {}
sys.exit(0 if (l.get("vendor"), l.get("entry"), l.get("level"), l.get("status"), l.get("severity")) ==
         ("acme", "acme-blocked", "required", "blocked", "critical") else 1)
PY
ok $? "the alert names the vendor, entry, level and status, with severity critical"

api '/api/v1/query?query=egressaudit_entry:proxies_failing:count' >"$tmp/rec.json"
grep -q '"entry":"acme-blocked"' "$tmp/rec.json" && grep -q '"value":\[[0-9.]*,"1"\]' "$tmp/rec.json"
ok $? "the recording rule counts one proxy failing acme-blocked"

api /api/v1/alerts >"$tmp/all.json"
"$PYTHON3" -c 'import json, sys
a = json.load(open(sys.argv[1]))["data"]["alerts"]
sys.exit(any(x["labels"]["alertname"] in ("EgressAuditExportStale", "EgressAuditHitsDropped") for x in a))' "$tmp/all.json"
ok $? "fresh exports without drops raise neither the stale nor the drop alert"

# Every dashboard query runs on this Prometheus, with the variables at All.
"$PYTHON3" - "$top_srcdir/contrib/grafana/egressaudit.json" "$prom_port" <<'PY' >"$tmp/dash.out" 2>&1
import json, re, sys, urllib.parse, urllib.request
o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
d = json.load(open(sys.argv[1]))
bad = []
for p in d["panels"]:
    for t in p["targets"]:
        q = re.sub(r"\$\w+", ".*", t["expr"])
        r = json.loads(o.open("http://127.0.0.1:%s/api/v1/query?%s" % (sys.argv[2], urllib.parse.urlencode({"query": q})), timeout=5).read())
        if r["status"] != "success" or not r["data"]["result"]:
            bad.append(p["title"])
        if p["title"] == "Per-vendor status across proxies":
            proxies = {x["metric"]["proxy"] for x in r["data"]["result"]}
            if proxies != {"branch-a", "branch-b", "branch-c"}:
                bad.append("per-vendor status: " + repr(proxies))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "every dashboard panel's query returns data from the fleet $(tr '\n' ' ' <"$tmp/dash.out")"

# branch-a's firewall is fixed: its next export shows the endpoint working.
make_export branch-a "$tmp/works.spec"
e2e_wait_for "$FLEET_TIMEOUT" alerts_are firing ""
ok $? "the alert resolves once branch-a's export shows the endpoint reached"

# branch-c starts blocking: the alert follows the traffic.
make_export branch-c "$tmp/blocks.spec"
e2e_wait_for "$FLEET_TIMEOUT" alerts_are firing branch-c
ok $? "a new blocking proxy raises the alert for that proxy alone"

e2e_stop prometheus
! e2e_listening "$prom_port"
ok $? "Prometheus is stopped: nothing listens on its port any more"
tap_done
