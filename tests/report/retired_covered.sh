#!/bin/sh
# A retired entry whose host a current entry in scope still requires (a
# vendor lists the endpoint under an old product and its successor) is
# `retired`, not `retired-in-use`, and the report names the current entry;
# an endpoint only a retired entry needs stays retired-in-use.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

# WithSecure's Business Suite 15 (valid until 2024-09-30) and 16 both list
# a.karma.sc2.fsapi.com, api.doorman.fsapi.com and restmc.mind.sc2.fsapi.com.
"$fixture" "$tmp/ws.db" proxy1 <<'SPEC' || exit 99
hit now-3600 ws-bs16-a-karma-sc2 withsecure a.karma.sc2.fsapi.com 443 10.0.0.1 - allowed log 3
hit now-3600 ws-bs16-api-doorman withsecure api.doorman.fsapi.com 443 10.0.0.1 - allowed log 2
hit now-3600 ws-bs16-restmc-mind-sc2 withsecure restmc.mind.sc2.fsapi.com 443 10.0.0.2 - allowed log 1
hit now-3600 ws-bs15-guts2-sp withsecure guts2.sp.f-secure.com 443 10.0.0.3 - allowed log 1
SPEC

"$ea" report -c "$top_srcdir/rules/withsecure.yaml" -d "$tmp/ws.db" --as-of 2025-01-01 -f json >"$tmp/ws.json"
is "$?" 0 "a JSON report of the WithSecure catalogue after 2024-09-30 is written"
json_check "$tmp/ws.json" '
for old, new in (("ws-bs15-a-karma-sc2", "ws-bs16-a-karma-sc2"), ("ws-bs15-api-doorman", "ws-bs16-api-doorman"),
                 ("ws-bs15-restmc-mind-sc2", "ws-bs16-restmc-mind-sc2")):
    check(e(old)["status"] == "retired" and e(old)["covered_by"] == new,
          "%s is retired, not retired-in-use: %s still requires its host" % (old, new))
    check(e(old)["requested"] > 0 and e(new)["status"] == "ok", "%s saw the traffic, and %s is ok" % (old, new))
g = e("ws-bs15-guts2-sp")
check(g["status"] == "retired-in-use" and g["covered_by"] is None, "a host only a retired entry needs is still retired-in-use")
check(e("ws-bs16-guts2")["covered_by"] is None, "a current entry is covered by nothing")
'

out=$("$ea" report -c "$top_srcdir/rules/withsecure.yaml" -d "$tmp/ws.db" --as-of 2025-01-01 --colour never)
printf '%s\n' "$out" | grep -q '^  ws-bs15-a-karma-sc2 (a.karma.sc2.fsapi.com): the host is required by ws-bs16-a-karma-sc2'
ok $? "the text report says which current entry covers the retired entry's host"

# Just the two entries and their traffic: nothing for --check to warn about.
cat >"$tmp/two.yaml" <<'YAML'
schema: 1
vendor:
  id: withsecure
  name: WithSecure
  domains: [fsapi.com]
source:
  title: "Two entries sharing a host"
  updated: 2024-01-01
  transcribed: 2024-01-01
products:
  bs15: "Business Suite 15"
  bs16: "Business Suite 16"
defaults:
  ports: [443]
  level: required
groups:
  - id: bs16
    product: bs16
    entries:
      - id: ws-bs16-a-karma-sc2
        host: a.karma.sc2.fsapi.com
  - id: bs15
    product: bs15
    valid_until: 2024-09-30
    entries:
      - id: ws-bs15-a-karma-sc2
        host: a.karma.sc2.fsapi.com
YAML
out=$("$ea" report -c "$tmp/two.yaml" -d "$tmp/ws.db" --as-of 2025-01-01 --check)
is "$?" 0 "report --check is OK: the retired entry's host is required by the current one, which is ok"
printf '%s\n' "$out" | grep -q 'retired-in-use'
[ $? -ne 0 ]; ok $? "and names no retired-in-use entry"
"$ea" report -c "$tmp/two.yaml" -d "$tmp/ws.db" --as-of 2024-09-30 -f json >"$tmp/before.json"
json_check "$tmp/before.json" '
check(e("ws-bs15-a-karma-sc2")["status"] == "ok" and e("ws-bs15-a-karma-sc2")["covered_by"] is None, "before its valid_until the old entry is simply ok")
'
tap_done
