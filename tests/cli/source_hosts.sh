#!/bin/sh
# Every host and wildcard of the two vendor documents is in the catalogue,
# spelled exactly (not merely covered by a broader wildcard).
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
[ -n "$PYTHON3" ] || tap_skip_all "python3 not found"

results=$("$ea" catalog -c "$top_srcdir/rules" --format json |
	"$PYTHON3" -c '
import json, sys
doc = json.load(sys.stdin)
have = {e["pattern"] for e in doc["entries"]} | {e["example"] for e in doc["entries"] if e["example"]}
for line in open(sys.argv[1]):
    h = line.strip()
    if h and not h.startswith("#"):
        print("PASS" if h in have else "FAIL", h, "is in the catalogue")
' "$top_srcdir/tests/data/source-hosts.txt")
tap_results "$results"
tap_done
