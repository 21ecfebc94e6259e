#!/bin/sh
# egressaudit report: CSV read back by Python's csv module (formula cells
# neutralised), HTML well-formed and escaped (html.parser), Prometheus
# exposition checked by promtool.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

make_proxy1 "$tmp/p1.db" || exit 99
make_proxy2 "$tmp/p2.db" || exit 99
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -p "$rdata/formula.yaml" -f csv >"$tmp/r.csv"
is "$?" 0 "the CSV report is written"
tap_results "$("$PYTHON3" - "$tmp/r.csv" <<'PY' 2>&1
import csv, sys
raw = open(sys.argv[1], newline="").read()
def check(c, n): print("PASS" if c else "FAIL", n)
check(raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", ""), "every CSV line ends with CRLF (RFC 4180)")
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
hdr = next(csv.reader(open(sys.argv[1], newline="")))
check(all(len(r) == len(hdr) and None not in r for r in rows), "every row has as many cells as the header")
by = {(r["entry"], r["port"]): r for r in rows if r["section"] == "entry"}
check(by[("acme-partial", "80")]["port_status"] == "blocked" and by[("acme-partial", "80")]["status"] == "partial", "one row per entry and port, with both statuses")
check(by[("acme-blocked", "443")]["denied"] == "4" and by[("acme-blocked", "443")]["allowed"] == "1", "counts are merged across proxies")
un = [r for r in rows if r["section"] == "uncatalogued"]
pats = [r["pattern"] for r in un]
check("'=HYPERLINK(\"http://evil.test\")" in pats, "a host starting with = is neutralised with an apostrophe, quotes kept")
check("'@SUM(1+1)" in pats, "a host starting with @ is neutralised")
check("<script>alert(1)</script>" in pats, "other hosts are kept as they are")
cells = [c for r in rows for c in r.values() if c]
check(not any(c[0] in "=+-@\t\r" for c in cells), "no cell starts with a formula character")
ack = by[("acme-blocked", "443")]
check(ack["acknowledged_reason"].startswith("'+") and ack["acknowledged_reason"].endswith("cmd|' /C calc'!A0"), "a profile reason starting with + is neutralised, commas and quotes survive")
PY
)"

"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -p "$rdata/formula.yaml" -f html >"$tmp/r.html"
is "$?" 0 "the HTML report is written"
tap_results "$("$PYTHON3" - "$tmp/r.html" <<'PY' 2>&1
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "link", "img", "input", "hr", "col", "area", "base", "source", "wbr", "rect"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.text, self.attrs = [], [], [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag); self.attrs += attrs
        if tag not in VOID: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag); self.attrs += attrs
    def handle_endtag(self, tag):
        if tag in VOID: return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else: self.stack.pop()
    def handle_data(self, d): self.text.append(d)
src = open(sys.argv[1], encoding="utf-8").read()
p = P(); p.feed(src); p.close()
def check(c, n): print("PASS" if c else "FAIL", n)
check(not p.errors and not p.stack, "the HTML is well-formed: every element closed in order " + "; ".join(p.errors[:3] + p.stack[:3]))
check(p.tags.count("script") == 1, "the only script element is the report's own")
check("img" not in p.tags, "a host like \"><img is text, not an element")
text = "".join(p.text)
check("<script>alert(1)</script>" in text and '"><img/src=x/onerror=alert(3)>' in text, "the hostile hosts are shown as text")
check('Acme <Security> & "Co"' in text, "the vendor name is escaped and shown as text")
check("<img" not in src and "<script>alert" not in src, "no hostile markup in the source")
check(not any(k in ("src", "href") for k, v in p.attrs), "no src or href attribute: nothing to fetch")
check("default-src 'none'" in src, "a Content-Security-Policy forbids fetching anything")
check(p.tags.count("svg") >= 1 and "table" in p.tags, "an inline SVG chart and tables")
check('site "><b>x</b>' in text or '"><b>x</b>' in text, "the profile's site name is escaped")
PY
)"

# The catalogue's source dates, and a warning when a list is old.
"$ea" report -c "$rules" -d "$tmp/p1.db" --as-of 2026-12-01 >"$tmp/src.txt" 2>"$tmp/src.err"
is "$?" 0 "a report with an old vendor list is still written"
grep -q '^Catalogue acme: Acme test endpoints, updated 2025-01-01, transcribed 2025-01-01 (699 days old)$' "$tmp/src.txt"
ok $? "text: the report states each vendor list's source dates and age"
grep -q '^  WARNING: the acme list is more than 365 days old' "$tmp/src.txt" &&
	grep -q 'egressaudit report: warning: acme (.*acme.yaml): the vendor.s list was last updated 2025-01-01, 699 days before 2026-12-01 (more than --max-source-age 365)' "$tmp/src.err"
ok $? "a list older than 365 days is warned about, in the report and on stderr"
"$ea" report -c "$rules" -d "$tmp/p1.db" --as-of 2026-12-01 --max-source-age 700 >"$tmp/src2.txt" 2>"$tmp/src2.err"
! grep -q WARNING "$tmp/src2.txt" && ! [ -s "$tmp/src2.err" ]
ok $? "--max-source-age 700: a 699-day-old list is not warned about"
"$ea" report -c "$rules" -d "$tmp/p1.db" --max-source-age soon >/dev/null 2>&1
is "$?" 2 "--max-source-age takes a number of days"
"$ea" report -c "$rules" -d "$tmp/p1.db" --as-of 2026-12-01 -f json >"$tmp/src.json" 2>/dev/null
json_check "$tmp/src.json" '
v = {x["id"]: x for x in r["vendors"]}["acme"]["source"]
check(v == {"title": "Acme test endpoints", "url": None, "updated": "2025-01-01", "transcribed": "2025-01-01", "age_days": 699, "stale": True}, "JSON: vendors[].source has the dates, the age and stale")
check(r["max_source_age_days"] == 365, "JSON: max_source_age_days")
'

if command -v promtool >/dev/null 2>&1; then
	"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -f prometheus >"$tmp/r.prom"
	is "$?" 0 "the Prometheus report is written"
	promtool check metrics <"$tmp/r.prom" >"$tmp/promtool.out" 2>&1
	is "$?" 0 "promtool check metrics accepts it (names, types, _total only on the counter)"
	sed 's/^/# /' "$tmp/promtool.out"
	grep -q '^egressaudit_entry_status{proxy="proxy1",vendor="acme",entry="acme-gw",level="required",status="blocked"} 1$' "$tmp/r.prom"
	ok $? "an entry's status is a 1 in its state set, labelled with the proxy"
	grep -q '^egressaudit_entry_status{proxy="proxy1",vendor="acme",entry="acme-blocked",level="required",status="blocked"} 1$' "$tmp/r.prom" &&
		grep -q '^egressaudit_entry_status{proxy="proxy2",vendor="acme",entry="acme-blocked",level="required",status="ok"} 1$' "$tmp/r.prom"
	ok $? "each proxy has its own status: blocked on proxy1, ok on proxy2"
	grep -q '^egressaudit_entry_requests{proxy="proxy1",vendor="acme",entry="acme-blocked",level="required",port="443",outcome="denied"} 4$' "$tmp/r.prom"
	ok $? "per-proxy, per-port counts by outcome"
	grep -q '^egressaudit_dropped_hits_total{proxy="proxy2",reason="db_full"} 3$' "$tmp/r.prom"
	ok $? "drop counters per proxy, as a counter"
	grep -q '^# TYPE egressaudit_dropped_hits_total counter$' "$tmp/r.prom"
	ok $? "the drop counters are typed counter"
	grep -q 'host="\\"><img/src=x/onerror=alert(3)>"' "$tmp/r.prom"
	ok $? "label values are escaped"
	last=$(sed -n 's/^egressaudit_exporter_last_success_timestamp_seconds{proxy="proxy2"} //p' "$tmp/r.prom")
	now=$(date +%s)
	[ -n "$last" ] && [ "$last" -le "$now" ] && [ "$last" -gt $((now - 3600)) ]
	ok $? "the export's last success is the time it was written"
	grep -q '^egressaudit_catalogue_source_updated_timestamp_seconds{proxy="proxy2",vendor="acme"} 1735689600$' "$tmp/r.prom"
	ok $? "the vendor list's updated date, per proxy, as a timestamp"
	grep -q '^egressaudit_uncatalogued_hosts{proxy="proxy1",vendor="acme"} 6$' "$tmp/r.prom"
	ok $? "uncatalogued hosts are counted per proxy and vendor"

	"$ea" report -c "$rules" -d "$tmp/p1.db" -p "$rdata/site.yaml" -f prometheus >"$tmp/rs.prom"
	grep -q '^egressaudit_entry_acknowledged{proxy="proxy1",vendor="acme",entry="acme-blocked",level="required"} 1$' "$tmp/rs.prom" &&
		grep -q '^egressaudit_entry_acknowledged{proxy="proxy1",vendor="acme",entry="acme-partial",level="required"} 0$' "$tmp/rs.prom"
	ok $? "acknowledged is 1 for an exception on the whole entry, 0 for one naming ports (they already left the status)"
	grep -q '^egressaudit_entry_status{proxy="proxy1",vendor="acme",entry="acme-partial",level="required",status="ok"} 1$' "$tmp/rs.prom"
	ok $? "a port closed on purpose leaves the entry ok"

	# Many uncatalogued hosts: only the 20 busiest get a series of their own.
	i=0
	while [ $i -lt 30 ]; do
		echo "hit now-60 - acme h$i.acme.test 443 10.0.0.1 - allowed log $((i + 1))"
		i=$((i + 1))
	done | "$fixture" "$tmp/p3.db" proxy3 || exit 99
	"$ea" report -c "$rules" -d "$tmp/p3.db" -f prometheus >"$tmp/r3.prom"
	is "$(grep -c '^egressaudit_uncatalogued_requests{proxy="proxy3"' "$tmp/r3.prom")" 20 \
		"uncatalogued hosts are capped at 20 series per proxy and vendor"
	grep -q '^egressaudit_uncatalogued_requests{proxy="proxy3",vendor="acme",host="h29.acme.test"} 30$' "$tmp/r3.prom" &&
		! grep -q 'host="h9.acme.test"' "$tmp/r3.prom"
	ok $? "the busiest are kept, the quietest left out"
	grep -q '^egressaudit_uncatalogued_hosts{proxy="proxy3",vendor="acme"} 30$' "$tmp/r3.prom"
	ok $? "the host count still says how many there were"
	promtool check metrics <"$tmp/r3.prom" >/dev/null 2>&1
	is "$?" 0 "promtool check metrics accepts a single proxy's export"
else
	ok 0 "# SKIP promtool (Debian package prometheus) is not installed"
fi
tap_done
