#!/bin/sh
# The HTML report in headless Chromium (Debian's chromium), driven through
# the DevTools protocol on 127.0.0.1 (tests/report/cdp.py): it renders with
# no console error and no network request, and sorting a column works.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"
CHROMIUM=${CHROMIUM:-$(command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)}
[ -n "$CHROMIUM" ] || tap_skip_all "chromium is not installed"
command -v setsid >/dev/null 2>&1 || tap_skip_all "setsid (util-linux) is not installed"

make_proxy1 "$tmp/p1.db" || exit 99
make_proxy2 "$tmp/p2.db" || exit 99
"$ea" report -c "$rules" -d "$tmp/p1.db" -d "$tmp/p2.db" -p "$rdata/formula.yaml" -f html -o "$tmp/report.html"
is "$?" 0 "the HTML report is written"

mkdir "$tmp/profile"
# Its own session, so the whole browser (zygote, renderers) stops with it.
setsid "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
	--no-default-browser-check --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 \
	--user-data-dir="$tmp/profile" about:blank </dev/null >"$tmp/chromium.out" 2>&1 &
browser=$!
trap 'kill -KILL -- -$browser 2>/dev/null; rm -rf "$tmp"' EXIT
tap_results "$(timeout 90 "$PYTHON3" "$top_srcdir/tests/report/cdp.py" "$tmp/profile" "$tmp/report.html" 2>"$tmp/cdp.err" || echo "FAIL the DevTools session ran to the end: $(tail -n 1 "$tmp/cdp.err")")"
kill -TERM -- -"$browser" 2>/dev/null
n=0
while kill -0 "$browser" 2>/dev/null && [ "$n" -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
tap_done
