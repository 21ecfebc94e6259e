#!/bin/sh
# egressaudit catalog: the JSON contract other tools rely on.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
[ -n "$PYTHON3" ] || tap_skip_all "python3 not found"
json=$(mktemp)
trap 'rm -f "$json"' EXIT

"$ea" catalog -c "$top_srcdir/rules" --format json > "$json"
is "$?" 0 "catalog --format json exits 0"

results=$("$PYTHON3" - "$json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
entries = doc["entries"]
n = 0
def check(cond, name):
    global n
    n += 1
    print("PASS" if cond else "FAIL", name)
need = {"id", "vendor", "product", "kind", "pattern", "ports", "level", "condition",
        "region", "valid_until", "replaced_by", "third_party", "impact"}
check(all(need <= set(e) for e in entries), "every entry carries the documented fields")
check({e["vendor"] for e in entries} == {"withsecure", "sophos"}, "vendor ids are withsecure and sophos")
check(all(e["kind"] in ("exact", "wildcard", "glob", "regex", "site") for e in entries), "kinds are from the documented set")
check(all(isinstance(p, int) for e in entries for p in e["ports"]), "ports are integers")
by = {}
for e in entries:
    by.setdefault(e["pattern"], []).append(e)
check(any(e["kind"] == "wildcard" for e in by.get("*.sophosupd.com", [])), "*.sophosupd.com is a wildcard")
check(any(e["kind"] == "glob" for e in by.get("tf-presigned-url-eu-west-1-prod-*-bucket.s3.eu-west-1.amazonaws.com", [])), "the AD Sync bucket pattern is an in-label glob")
g = by.get("guts2.fsapi.com", [])
check(g and all(sorted(e["ports"]) == [80, 443] for e in g), "guts2.fsapi.com (TCP/80 too) lists ports 80 and 443")
c = by.get("corp-reg.fsapi.com", [])
check(c and all(e["ports"] == [443] for e in c), "corp-reg.fsapi.com inherits the default port 443 only")
b = by.get("corp-reg.f-secure.com", [])
check(b and all(e["valid_until"] == "2024-09-30" for e in b), "Business Suite 15 entries inherit valid_until 2024-09-30")
a = [e for e in by.get("aspam.sp.f-secure.com", []) if e["replaced_by"]]
check(a and all(e["replaced_by"] == "aspam.fsapi.com" for e in a), "aspam.sp.f-secure.com is replaced by aspam.fsapi.com")
o = by.get("ocsp.globalsign.com", [])
check(o and all(e["third_party"] and e["kind"] == "exact" for e in o), "OCSP hosts are exact third-party entries")
check(len({e["id"] for e in entries}) == len(entries), "ids are unique")
PY
)
tap_results "$results"

"$ea" catalog -c "$top_srcdir/rules" | grep -q 'sophos-'
ok $? "the text format lists entries by id"
"$ea" catalog -c "$top_srcdir/tests/data/bad/syntax.yaml" >/dev/null 2>&1
is "$?" 2 "catalog exits 2 when the catalogue does not load"
tap_done
