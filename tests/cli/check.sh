#!/bin/sh
# egressaudit check: inputs, JSON lines, match order and grep-like exit codes.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
rules="$top_srcdir/rules"
[ -n "$PYTHON3" ] || tap_skip_all "python3 not found"

"$ea" check -c "$rules" d1.sophosupd.com >/dev/null; is "$?" 0 "a vendor host exits 0"
"$ea" check -c "$rules" evilsophos.com >/dev/null; is "$?" 1 "a lookalike exits 1"
"$ea" check -c "$rules" 'bad host!' >/dev/null; is "$?" 2 "an invalid host exits 2"
"$ea" check -c "$rules" d1.sophosupd.com 'bad host!' >/dev/null; is "$?" 2 "an error wins over a match, as with grep"

inputs='d1.sophosupd.com
sophos.com.evil.test
evilsophos.com
xsophosupd.com
sophosupd.com
D1.SophosUPD.com.
https://user:pw@guts2.fsapi.com:8443/path?q#f
http://guts2.fsapi.com/
corp-reg.fsapi.com:80
tf-presigned-url-eu-west-1-prod-42-bucket.s3.eu-west-1.amazonaws.com
tf-presigned-url-eu-west-1-prod-4.2-bucket.s3.eu-west-1.amazonaws.com
unlisted.f-secure.com
[::1]:443
127.0.0.1
a..b
'"$(printf 'x%.0s' $(seq 64))"'.sophos.com'

out=$(printf '%s\n' "$inputs" | "$ea" check -c "$rules" --format jsonl -)
is "$?" 2 "reading standard input with '-' works (exit 2: some inputs are invalid)"

results=$(printf '%s\n' "$out" | "$PYTHON3" -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
by = {r["input"]: r for r in rows}
def check(cond, name):
    print("PASS" if cond else "FAIL", name)
def ids(i): return [m["pattern"] for m in by[i]["matches"]]
check(len(rows) == 16, "one JSON object per input line, in order")
check(rows[0]["input"] == "d1.sophosupd.com", "the first object is the first input")
d1 = ids("d1.sophosupd.com")
check(d1 and d1[0] == "d1.sophosupd.com" and "*.sophosupd.com" in d1, "a host matches its exact entry and its wildcard")
check(d1.index("d1.sophosupd.com") < d1.index("*.sophosupd.com"), "the exact entry comes before the wildcard")
check(by["sophos.com.evil.test"]["matches"] == [], "sophos.com.evil.test matches nothing")
check(by["evilsophos.com"]["matches"] == [], "evilsophos.com matches nothing")
check(by["xsophosupd.com"]["matches"] == [], "xsophosupd.com matches nothing")
check("*.sophosupd.com" not in ids("sophosupd.com"), "the apex does not match its *. wildcard")
u = by["D1.SophosUPD.com."]
check(u["host"] == "d1.sophosupd.com" and ids("D1.SophosUPD.com.") == d1, "case and one trailing dot are ignored")
g = by["https://user:pw@guts2.fsapi.com:8443/path?q#f"]
check(g["host"] == "guts2.fsapi.com" and g["port"] == 8443, "a URL gives its host and explicit port")
check(g["matches"] and all(m["port_listed"] is False for m in g["matches"]), "a port the entry does not list is port_listed false")
h = by["http://guts2.fsapi.com/"]
check(h["port"] == 80 and any(m["port_listed"] for m in h["matches"]), "an http URL gets port 80, listed for guts2 (TCP/80 too)")
c = by["corp-reg.fsapi.com:80"]
check(c["port"] == 80 and any(m["pattern"] == "corp-reg.fsapi.com" and m["port_listed"] is False for m in c["matches"]), "corp-reg.fsapi.com lists 443 only")
t = by["tf-presigned-url-eu-west-1-prod-42-bucket.s3.eu-west-1.amazonaws.com"]
check(any(m["kind"] == "glob" for m in t["matches"]), "the AD Sync bucket matches its in-label glob")
check(t["matches"][0]["kind"] == "glob", "the glob comes before the wildcard")
t2 = by["tf-presigned-url-eu-west-1-prod-4.2-bucket.s3.eu-west-1.amazonaws.com"]
check(not any(m["kind"] == "glob" for m in t2["matches"]), "an in-label * never crosses a dot")
check(by["unlisted.f-secure.com"]["matches"] == [] and by["unlisted.f-secure.com"]["vendor_domain"] == "withsecure", "a host under a vendor domain that no entry names is flagged uncatalogued")
check(by["[::1]:443"]["host"] == "::1" and by["[::1]:443"]["matches"] == [], "an IPv6 literal is valid and matches nothing")
check(by["127.0.0.1"]["matches"] == [] and "error" not in by["127.0.0.1"], "an IPv4 literal is valid and matches nothing")
check("error" in by["a..b"] and by["a..b"]["host"] is None, "an empty label is an error")
long = [r for r in rows if r["input"].startswith("xxxx")][0]
check("error" in long, "a 64-character label is an error")
check(all(set(m) >= {"id", "vendor", "product", "kind", "pattern", "level", "port_listed"} for r in rows for m in r["matches"]), "every match carries the documented fields")
')
tap_results "$results"

out=$("$ea" check -c "$rules" d1.sophosupd.com:443)
echo "$out" | grep -q "^d1.sophosupd.com:443	.*	exact	d1.sophosupd.com	sophos/.*	port-listed$"
ok $? "the text format prints one tab-separated line per match"
"$ea" --version | grep -q '^egressaudit [0-9]'
ok $? "--version prints the version"
"$ea" check --help | grep -q '^usage: egressaudit check'
ok $? "check --help prints its usage"
"$ea" check -c "$rules" >/dev/null 2>&1; is "$?" 2 "check without input is a usage error"

# A NUL byte inside a line read from a stream: an invalid input, never the
# vendor host before it.
out=$(printf 'd1.sophosupd.com\000.evil.test\n' | "$ea" check -c "$rules" -)
is "$?" 2 "a line with a NUL byte is an error (exit 2), not a match"
is "$out" "$(printf 'd1.sophosupd.com\\0.evil.test\terror: a NUL byte in the input')" \
    "the text output shows the whole line, its NUL written \\0, and the error"
out=$(printf 'd1.sophosupd.com\000.evil.test\nd1.sophosupd.com\n' | "$ea" check -c "$rules" --format jsonl -)
results=$(printf '%s\n' "$out" | "$PYTHON3" -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
def check(cond, name): print("PASS" if cond else "FAIL", name)
check(len(rows) == 2, "jsonl: one object per line, the NUL line included")
check(rows[0].get("error") == "a NUL byte in the input" and rows[0]["matches"] == [] and rows[0]["host"] is None,
      "jsonl: the NUL line has an error, no host and no match")
check(rows[1]["matches"] and "error" not in rows[1], "jsonl: the next line is read normally")
')
tap_results "$results"
tap_done
