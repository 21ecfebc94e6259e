# TAP helpers for the shell tests (sourced). Each check is one numbered test
# whose name reads as a sentence; finish with tap_done.
tap_n=0
tap_failed=0

ok() { # ok CONDITION-STATUS NAME...
	local status=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failed=$((tap_failed + 1))
	fi
}

is() { # is GOT WANT NAME...
	local got=$1 want=$2; shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		echo "#   got: '$got'"
		echo "#   expected: '$want'"
	fi
}

tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}


# tap_results TEXT: one test per line "PASS name" or "FAIL name", as printed
# by a checker in another language (no pipe, so the counts stay here).
tap_results() {
	while read -r status name; do
		[ -n "$status" ] || continue
		[ "$status" = PASS ]; ok $? "$name"
	done <<RESULTS
$1
RESULTS
}
