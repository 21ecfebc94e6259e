#!/bin/sh
# contrib/prometheus/egressaudit-rules.yml: promtool accepts the rules, its
# unit tests (rules.test.yml: every alert firing and silent) pass, and every
# metric the rules read is one the exporter really writes.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"
command -v promtool >/dev/null 2>&1 || tap_skip_all "promtool (Debian package prometheus) is not installed"
rulesfile="$top_srcdir/contrib/prometheus/egressaudit-rules.yml"

promtool check rules "$rulesfile" >"$tmp/check.out" 2>&1
is "$?" 0 "promtool check rules accepts the rules file"
sed 's/^/# /' "$tmp/check.out"

# promtool resolves rule_files relative to the test file; run it where the
# sources are (distcheck builds elsewhere, read-only sources are fine).
(cd "$top_srcdir/tests/prometheus" && promtool test rules rules.test.yml) >"$tmp/test.out" 2>&1
is "$?" 0 "promtool test rules: every alert fires where it should and nowhere else"
sed 's/^/# /' "$tmp/test.out"

make_proxy1 "$tmp/p1.db" || exit 99
make_proxy2 "$tmp/p2.db" || exit 99
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -f prometheus >"$tmp/r.prom" || exit 99
tap_results "$("$PYTHON3" - "$rulesfile" "$tmp/r.prom" "$top_srcdir/tests/prometheus/rules.test.yml" <<'PY' 2>&1
import re, sys
def check(c, n): print("PASS" if c else "FAIL", n)
rules = open(sys.argv[1]).read()
exported = {l.split("{")[0].split()[0] for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}
# Metric names in the rule expressions: egressaudit_ names without a colon
# (names with a colon are the rules' own recordings).
used = set(re.findall(r"\b(egressaudit_[a-z_]+)\b(?!:)", rules)) - {n for n in re.findall(r"record: (\S+)", rules)}
used = {u for u in used if ":" not in u}
missing = sorted(used - exported)
check(used and not missing, "the rules read only metrics the exporter writes" + (" (not written: %s)" % ", ".join(missing) if missing else ""))
alerts = re.findall(r"- alert: (\S+)", rules)
check(set(alerts) == {"EgressAuditRequiredEndpointFailing", "EgressAuditRequiredEndpointNeverSeen",
                      "EgressAuditRetiredEndpointInUse", "EgressAuditExportStale", "EgressAuditHitsDropped"},
      "the five alerts of the issue are there")
blocks = re.split(r"\n      - alert: ", rules)[1:]
check(all(re.search(r"\n        for: \d+[smh]\n", b) for b in blocks), "every alert has a for: duration")
check(all(re.search(r"severity: (critical|warning)", b) for b in blocks), "every alert has a severity")
tests = open(sys.argv[3]).read()
check(all(("alertname: " + a) in tests for a in set(alerts)), "every alert has unit tests")
for a in set(alerts):
    silent = re.findall(r"alertname: " + a + r"\n(?!\s+exp_alerts)", tests)
    fired = re.findall(r"alertname: " + a + r"\n\s+exp_alerts:", tests)
    check(silent and fired, a + " is tested both firing and silent")
PY
)"
tap_done
