#!/bin/sh
# contrib/grafana/egressaudit.json: valid JSON with the essentials of
# Grafana's dashboard model (uid, title, schemaVersion, panels with ids,
# types, grid positions, a Prometheus datasource and targets); every query
# parses as PromQL (promtool) and reads only metrics the exporter writes.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"
dashboard="$top_srcdir/contrib/grafana/egressaudit.json"

make_proxy1 "$tmp/p1.db" || exit 99
make_proxy2 "$tmp/p2.db" || exit 99
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -f prometheus >"$tmp/r.prom" || exit 99

tap_results "$("$PYTHON3" - "$dashboard" "$tmp/r.prom" "$tmp/queries.yml" <<'PY' 2>&1
import json, re, sys
def check(c, n): print("PASS" if c else "FAIL", n)
try:
    d = json.load(open(sys.argv[1]))
    check(True, "the dashboard is valid JSON")
except ValueError as e:
    check(False, "the dashboard is valid JSON: %s" % e)
    sys.exit(0)
exported = {l.split("{")[0].split()[0] for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}

check(isinstance(d.get("uid"), str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", d["uid"]), "it has a uid Grafana accepts (at most 40 characters)")
check(isinstance(d.get("title"), str) and d["title"], "it has a title")
check(isinstance(d.get("schemaVersion"), int) and d["schemaVersion"] >= 36, "its schemaVersion is an integer of Grafana 9 or later")
check("id" not in d or d["id"] is None, "it has no database id (so it imports as new)")
panels = d.get("panels")
check(isinstance(panels, list) and len(panels) >= 6, "it has panels")
panels = panels or []
ids = [p.get("id") for p in panels]
check(all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids), "panel ids are unique integers")
KNOWN = {"stat", "table", "timeseries", "state-timeline", "status-history", "bargauge", "gauge", "text", "row"}
check(all(p.get("type") in KNOWN for p in panels), "panel types are Grafana core panels")
check(all(p.get("title") for p in panels), "every panel has a title")
def grid_ok(g):
    return (isinstance(g, dict) and all(isinstance(g.get(k), int) for k in "xywh")
            and g["x"] >= 0 and g["w"] > 0 and g["h"] > 0 and g["x"] + g["w"] <= 24)
check(all(grid_ok(p.get("gridPos")) for p in panels), "every panel has a gridPos inside Grafana's 24 columns")
cells = set()
overlap = False
for p in panels:
    g = p["gridPos"]
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            overlap |= (x, y) in cells
            cells.add((x, y))
check(not overlap, "no two panels overlap")
variables = {v.get("name"): v for v in d.get("templating", {}).get("list", [])}
dsvars = [n for n, v in variables.items() if v.get("type") == "datasource" and v.get("query") == "prometheus"]
check(dsvars, "a datasource variable chooses the Prometheus server")
def ds_ok(ds):
    return isinstance(ds, dict) and ds.get("type") == "prometheus" and ds.get("uid") in ["${%s}" % n for n in dsvars]
targets = [t for p in panels for t in p.get("targets", [])]
check(all(p.get("targets") for p in panels), "every panel has targets")
check(all(ds_ok(p.get("datasource")) for p in panels) and all(ds_ok(t.get("datasource")) for t in targets), "every panel and target uses the Prometheus datasource variable")
check(all(len({t.get("refId") for t in p["targets"]}) == len(p["targets"]) for p in panels), "refIds are unique within a panel")
exprs = [t.get("expr", "") for t in targets]
check(all(exprs), "every target has a PromQL expression")
varqueries = [v["definition"] for v in variables.values() if v.get("type") == "query"]
used_vars = set(re.findall(r"\$(\w+)", " ".join(exprs))) - {"__rate_interval", "__interval", "__range"}
check(used_vars <= set(variables), "the queries use only variables the dashboard defines")
names = set()
for e in exprs + varqueries:
    names |= {m for m in re.findall(r"\b(egressaudit_[a-z_]+)\b(?!:)", e)}
missing = sorted(names - exported)
check(names and not missing, "the queries read only metrics the exporter writes" + (" (not written: %s)" % ", ".join(missing) if missing else ""))
for need, what in (("egressaudit_entry_status", "statuses"), ("egressaudit_dropped_hits_total", "drops"), ("egressaudit_entry_requests", "request timelines")):
    check(any(need in e for e in exprs), "a panel shows the " + what)
# Every query as a recording rule, for promtool's PromQL parser.
subst = lambda e: re.sub(r"\$\w+", ".*", e)
with open(sys.argv[3], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        f.write("      - record: dashboard:query:%d\n        expr: %s\n" % (i, json.dumps(subst(e))))
PY
)"
if command -v promtool >/dev/null 2>&1; then
	promtool check rules "$tmp/queries.yml" >"$tmp/promtool.out" 2>&1
	is "$?" 0 "every panel query parses as PromQL (promtool)"
	sed 's/^/# /' "$tmp/promtool.out"
else
	ok 0 "# SKIP promtool (Debian package prometheus) is not installed"
fi
tap_done
