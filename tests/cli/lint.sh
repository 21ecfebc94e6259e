#!/bin/sh
# egressaudit lint: exit codes and GCC-style diagnostics, run on the built binary.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
data="$top_srcdir/tests/data"

out=$("$ea" lint -c "$top_srcdir/rules" 2>/dev/null); rc=$?
is "$rc" 0 "the shipped catalogue lints with exit status 0"
is "$out" "" "the shipped catalogue prints no unwaived warning"

out=$("$ea" lint -c "$data/bad/space-pattern.yaml" 2>/dev/null); rc=$?
is "$rc" 1 "a broken catalogue exits 1"
case "$out" in
"$data/bad/space-pattern.yaml:8:17: error: invalid host pattern '* .sophos.com'"*) r=0 ;;
*) r=1; echo "# got: $out" ;;
esac
ok $r "the error reads FILE:LINE:COLUMN: error: message"

"$ea" lint "$data/bad/unknown-key.yaml" >/dev/null 2>&1
is "$?" 1 "paths may also be given without -c"

out=$("$ea" lint -c "$data/warn/unwaived.yaml" 2>/dev/null); rc=$?
is "$rc" 0 "warnings alone exit 0"
echo "$out" | grep -q ': warning: .*\[third-party-wildcard\]$'
ok $? "a warning names its code"
"$ea" lint --werror -c "$data/warn/unwaived.yaml" >/dev/null 2>&1
is "$?" 1 "--werror makes unwaived warnings exit 1"

out=$("$ea" lint -c "$data/warn/waived.yaml" 2>/dev/null)
echo "$out" | grep -q 'waived:'
ok $((! $?)) "waived warnings are hidden by default"
out=$("$ea" lint --verbose -c "$data/warn/waived.yaml" 2>/dev/null)
echo "$out" | grep -q "(waived: The vendor's document lists it.)"
ok $? "--verbose shows a waived warning with the file's reason"

err=$("$ea" lint -c "$data/good/example.yaml" 2>&1 >/dev/null)
echo "$err" | grep -q '^0 errors, 0 warnings (0 waived); 6 entries from 1 vendor$'
ok $? "a summary line counts errors, warnings and entries on stderr"

"$ea" lint >/dev/null 2>&1
is "$?" 2 "lint without a path is a usage error (exit 2)"
"$ea" lint --help | grep -q '^usage: egressaudit lint'
ok $? "lint --help prints its usage"

tap_done
