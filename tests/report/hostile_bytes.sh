#!/bin/sh
# A database from elsewhere (another version, a tampered file, a fleet
# member) with ESC/OSC/BEL, newlines, C1 controls and invalid UTF-8 in
# hosts, clients, users and the proxy name: text and CSV carry no control
# byte and no forged line, JSON parses, promtool accepts the Prometheus
# output; `check` echoes hostile input without its escapes.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

# Stored past the canonical form (rawhit), as a tampered file would be.
"$fixture" "$tmp/h.db" proxyh <<'SPEC' || exit 99
rawhit now-3600 acme-ok acme ok.acme.test 443 10.0.0.1\x1b]0;pwned\x07 al\x1b[2Jice\xff allowed log 2
rawhit now-3600 - acme evil\x1b[31m\x0aProxy\x20forged:\x20x.acme.test 443 10.0.0.1 bob\xc2\x9b31m denied log 1
rawhit now-3600 - acme bad\xff\xfe.acme.test 443 10.0.0.2 - allowed log 1
rawhit now-3600 acme-cdn acme z\x07\x0d\x0a.cdn.acme.test 443 10.0.0.3 - allowed log 1
SPEC
sqlite3 "$tmp/h.db" "UPDATE meta SET value = 'px' || char(27) || ']0;t' || char(7) || char(10) || 'Proxy forged: y' || cast(x'ff' as text) WHERE key = 'proxy'" ||
	exit 99
# The fixture itself is what it claims: the bytes are in the database.
is "$(sqlite3 "$tmp/h.db" "SELECT count(*) FROM meta WHERE key = 'proxy' AND instr(value, char(27)) > 0")" 1 \
	"the fixture database holds an ESC in its proxy name"

# clean FILE [ALLOWED-CONTROLS]: valid UTF-8, and no C0 (but the allowed
# ones), DEL or C1 control.
clean() {
	"$PYTHON3" - "$@" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
allowed = {int(c) for c in sys.argv[2].split(",")} if len(sys.argv) > 2 else {10}
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("# not UTF-8:", e); sys.exit(1)
bad = [hex(ord(c)) for c in text if (ord(c) < 0x20 and ord(c) not in allowed) or 0x7f <= ord(c) <= 0x9f]
if bad:
    print("# control characters:", bad[:10]); sys.exit(1)
PY
}

"$ea" report -c "$rules" -d "$tmp/h.db" -f text >"$tmp/r.txt"
is "$?" 0 "the text report is written"
clean "$tmp/r.txt"
ok $? "the text report is valid UTF-8 with no control character but newlines"
grep -q '^Proxy forged' "$tmp/r.txt"
ok $((! $?)) "no line is forged by a newline in the proxy name or a host"
grep -q 'evil?\[31m?Proxy forged: x\.acme\.test' "$tmp/r.txt"
ok $? "the hostile host is shown in its canonical form"

"$ea" report -c "$rules" -d "$tmp/h.db" -f csv >"$tmp/r.csv"
is "$?" 0 "the CSV report is written"
clean "$tmp/r.csv" 10,13
ok $? "the CSV is valid UTF-8 with no control character but CRLF"
tap_results "$("$PYTHON3" - "$tmp/r.csv" <<'PY' 2>&1
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
def check(c, n): print("PASS" if c else "FAIL", n)
check(all(len(r) == len(rows[0]) for r in rows), "every CSV row has as many cells as the header")
check(not any(r[0] not in ("section", "entry", "uncatalogued") for r in rows), "no row is forged")
PY
)"

"$ea" report -c "$rules" -d "$tmp/h.db" -f json >"$tmp/r.json"
is "$?" 0 "the JSON report is written"
"$PYTHON3" -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$tmp/r.json"
ok $? "the JSON report parses"

"$ea" report -c "$rules" -d "$tmp/h.db" -f prometheus >"$tmp/r.prom"
is "$?" 0 "the Prometheus report is written"
clean "$tmp/r.prom"
ok $? "the Prometheus output is valid UTF-8 with no control character but newlines"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$tmp/r.prom" >"$tmp/promtool.out" 2>&1
	is "$?" 0 "promtool check metrics accepts it"
	sed 's/^/# /' "$tmp/promtool.out" | head -5
else
	ok 0 "# SKIP promtool (Debian package prometheus) is not installed"
fi

printf 'a\033]0;x\007.acme.test\nok.acme.test\033[2J\n\302\233\377\n' |
	"$ea" check -c "$rules" - >"$tmp/check.txt"
clean "$tmp/check.txt" 9,10
ok $? "check's text output echoes hostile input with no control character (tabs and newlines its own)"
tap_done
