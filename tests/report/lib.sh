# Shared by the report tests (sourced after tests/lib/tap.sh): the built
# binary, the test catalogue, and fixture databases written through the
# real store API by tests/report/ea_fixture.
ea="$top_builddir/egressaudit"
fixture="$top_builddir/tests/report/ea_fixture"
rdata="$top_srcdir/tests/data/report"
rules="$rdata/rules"
[ -n "$PYTHON3" ] || PYTHON3=$(command -v python3 2>/dev/null)
[ -n "$PYTHON3" ] || tap_skip_all "python3 not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/egressaudit-report.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Proxy 1: every status of doc/report.md reached from stored rows. Times
# are seconds before now, so --since 7d has an old row to leave out.
make_proxy1() {
	"$fixture" "$1" proxy1 <<'SPEC'
# ok: 3 requests seen at REQMOD and RESPMOD (counted once), 2 clients
hit now-3600 acme-ok acme ok.acme.test 443 10.0.0.1 alice unknown icap 2
hit now-3600 acme-ok acme ok.acme.test 443 10.0.0.1 alice allowed icap 2
hit now-3000 acme-ok acme ok.acme.test 443 10.0.0.2 - unknown icap 1
hit now-3000 acme-ok acme ok.acme.test 443 10.0.0.2 - allowed icap 1
# the same host a month ago: outside --since 7d
hit now-2592000 acme-ok acme ok.acme.test 443 10.0.0.9 - allowed log 5
# partial: 443 allowed, 80 denied (from the access log)
hit now-3600 acme-partial acme partial.acme.test 443 10.0.0.1 - allowed log 2
hit now-3600 acme-partial acme partial.acme.test 80 10.0.0.1 - denied log 1
# blocked: denied by http_access, only the log saw it
hit now-3600 acme-blocked acme blocked.acme.test 443 10.0.0.3 - denied log 4
# unverified: CONNECT tunnels seen at REQMOD, no log imported
hit now-3600 acme-unverified acme tunnel.acme.test 443 10.0.0.1 - unknown icap 2
# retired-in-use
hit now-3600 acme-retired-used acme legacy.acme.test 443 10.0.0.4 - allowed log 1
# wildcard: two concrete hosts
hit now-3600 acme-cdn acme a.cdn.acme.test 443 10.0.0.1 - allowed log 2
hit now-3600 acme-cdn acme b.cdn.acme.test 443 10.0.0.2 - allowed log 1
# the site-specific host: uncatalogued unless the profile names it
hit now-3600 - acme mcs-eu.acme.test 443 10.0.0.1 - allowed log 1
# conditional and regional entries
hit now-3600 acme-edr acme edr.acme.test 443 10.0.0.1 - allowed log 1
hit now-3600 acme-eu acme eu.acme.test 443 10.0.0.1 - allowed log 1
# another product's entry, failing
hit now-3600 acme-gw acme gw.acme.test 443 10.0.0.5 - failed log 1
# uncatalogued hosts, some made to break HTML and spreadsheets
hit now-3600 - acme new.acme.test 8443 10.0.0.1 - allowed log 1
hit now-3600 - acme <script>alert(1)</script> 443 "><img/src=x/onerror=alert(2)> - denied log 1
hit now-3600 - acme "><img/src=x/onerror=alert(3)> 443 10.0.0.1 - denied log 1
hit now-3600 - acme =HYPERLINK("http://evil.test") 443 10.0.0.1 - denied log 1
hit now-3600 - acme @SUM(1+1) 443 10.0.0.1 - denied log 1
counter queue_full 2
counter db_busy 1
SPEC
}

# Proxy 2: the blocked entry works here; a client also seen by proxy 1.
make_proxy2() {
	"$fixture" "$1" proxy2 <<'SPEC'
hit now-1800 acme-blocked acme blocked.acme.test 443 10.1.0.1 - allowed log 1
hit now-1800 acme-ok acme ok.acme.test 443 10.0.0.1 - allowed log 1
counter db_full 3
SPEC
}

# json_check FILE PYTHON-BODY: run checks on the parsed report `r`, with
# `e(id)` the entry and `check(cond, name)` printing PASS/FAIL lines.
json_check() {
	_f=$1
	shift
	_res=$("$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
E = {x["id"]: x for x in r["entries"]}
def e(i): return E[i]
def check(cond, name): print("PASS" if cond else "FAIL", name)
'"$1" "$_f" 2>"$tmp/python.err") ||
		_res="$_res
FAIL the checks ran to the end: $(tail -n 1 "$tmp/python.err")"
	tap_results "$_res"
}
