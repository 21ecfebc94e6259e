#!/bin/sh
# egressaudit check - reads at most 64 KiB of a line: a longer line (here
# 3 MiB, from a pipe) is an error naming the line, read through without
# being held in memory, and the lines after it are still checked.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
rules="$top_srcdir/rules"
: "${PYTHON3:=$(command -v python3 2>/dev/null)}"
[ -n "$PYTHON3" ] || tap_skip_all "python3 not found"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ea-checklim.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

"$PYTHON3" -c 'import sys; sys.stdout.write("evil.test\n" + "a" * (3 << 20) + "\nd1.sophosupd.com\n" + "b" * 65536 + "\n")' |
	"$ea" check -c "$rules" - >"$tmp/out" 2>"$tmp/err"
is "$?" 2 "a line over the limit makes check exit 2, as an invalid input does"
is "$(cat "$tmp/err")" "egressaudit check: standard input:2: line longer than 65536 bytes; skipped" \
	"the error names the line and the limit"
is "$(cut -f1,2 "$tmp/out" | tr '\t\n' ' |')" \
	"evil.test no match|d1.sophosupd.com sophos-ep-d1-sophosupd-com|d1.sophosupd.com sophos-ep-wildcard-sophosupd-com|$(printf 'b%.0s' $(seq 65536)) error: host name longer than 253 characters|" \
	"the lines before and after it are checked, and a line of exactly 65536 bytes is read whole"
tap_done
