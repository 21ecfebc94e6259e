#!/bin/sh
# egressaudit lint on large and hostile catalogues: a catalogue of 50,000
# products and 20,000 groups loads (duplicate checks are hash lookups, not
# comparisons with every earlier key), a duplicate among them is found at
# its line, and a catalogue past EA_YAML_MAX_BYTES (8 MiB) is refused with
# a clear error instead of being parsed into memory.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
: "${PYTHON3:=$(command -v python3 2>/dev/null)}"
[ -n "$PYTHON3" ] || tap_skip_all "python3 is not installed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ea-catlimits.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# gen FILE PRODUCTS GROUPS [DUPLICATE-PRODUCT] [PADDING-BYTES]
gen() {
	"$PYTHON3" - "$@" <<'EOF'
import sys
path, nprod, ngroups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dup = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
pad = int(sys.argv[5]) if len(sys.argv) > 5 else 0
with open(path, "w") as f:
    f.write("schema: 1\nvendor:\n  id: big\n  name: Big\n  domains: [big.test]\n")
    f.write("products:\n")
    for i in range(nprod):
        f.write("  p%d: \"Product %d\"\n" % (i, i))
    if dup:
        f.write("  %s: \"Again\"\n" % dup)
    f.write("groups:\n")
    for i in range(ngroups):
        f.write("  - id: g%d\n    product: p%d\n    entries:\n"
                "      - {id: e%d, host: h%d.big.test, ports: [443], level: required}\n"
                % (i, i % 10, i, i))
    f.write("# " + "x" * pad + "\n" if pad else "")
EOF
}

gen "$tmp/big.yaml" 50000 20000
err=$("$ea" lint -c "$tmp/big.yaml" 2>&1); rc=$?
is "$rc" 0 "a catalogue of 50,000 products and 20,000 groups lints"
echo "$err" | grep -q '; 20000 entries from 1 vendor$'
ok $? "all 20,000 entries are counted"

gen "$tmp/dup.yaml" 50000 10 p123
err=$("$ea" lint -c "$tmp/dup.yaml" 2>&1); rc=$?
is "$rc" 1 "a duplicate product id after 50,000 others is an error"
echo "$err" | grep -q "^$tmp/dup.yaml:50007:3: error: duplicate key 'p123' in products (first at line 130)$"
ok $? "the duplicate is reported at its line and names the first one"

# One file just past the limit, and two files that pass it only together.
gen "$tmp/huge.yaml" 10 10 "" 8400000
err=$("$ea" lint -c "$tmp/huge.yaml" 2>&1); rc=$?
is "$rc:$(echo "$err" | grep -c "^$tmp/huge.yaml: error: too large: [0-9]* bytes, more than the 8388608 bytes left of the 8 MiB that the files of one load may have in all$")" \
	"1:1" "a catalogue file of more than 8 MiB is refused with a clear error"
mkdir "$tmp/dir"
gen "$tmp/dir/a.yaml" 10 10 "" 5000000
gen "$tmp/dir/b.yaml" 10 10 "" 5000000
sed -i 's/id: big/id: big2/; s/big.test/big2.test/g; s/id: e\([0-9]\)/id: f\1/' "$tmp/dir/b.yaml"
err=$("$ea" lint -c "$tmp/dir" 2>&1); rc=$?
is "$rc:$(echo "$err" | grep -c "^$tmp/dir/b.yaml: error: too large: ")" "1:1" \
	"the limit holds for all the files of one load together"
# Not a regular file (a pipe, a FIFO): the read itself is capped.
err=$(yes '# a comment' | "$ea" lint -c /dev/stdin 2>&1); rc=$?
is "$rc:$(echo "$err" | grep -c '^/dev/stdin: error: too large: more than the 8388608 bytes left')" "1:1" \
	"an endless input (a pipe) stops at the limit with the same error"
tap_done
