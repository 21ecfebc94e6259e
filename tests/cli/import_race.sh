#!/bin/sh
# Two `egressaudit import` processes of the same log started together (cron
# overlapping itself) never count a line twice: the position is a
# compare-and-swap inside the write transaction, so one of them stores each
# chunk and the other stops with an error. Raced many times, bounded.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
rules="$top_srcdir/tests/data/import"
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"
[ -n "$SQLITE3" ] || tap_skip_all "sqlite3 is not installed"
dir=$(mktemp -d "${TMPDIR:-/tmp}/import_race.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

# N lines, every one a vendor request (one hit each: vendor.test is one entry).
make_log() { # make_log FILE N
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "%d.%03d      3 10.0.0.%d TCP_MISS/200 245 GET http://vendor.test/%d - HIER_DIRECT/192.0.2.7 text/plain\n",
			1700000000 + i, i % 1000, i % 250, i }' > "$1"
}

# race LOG DB: start two imports at the same instant (each blocked reading
# a line from a FIFO this shell holds open, released together), wait for
# both; prints "STATUS1 STATUS2 HITS LINES".
race() {
	rm -f "$2" "$2-wal" "$2-shm" "$dir/gate"
	mkfifo "$dir/gate"
	exec 3<>"$dir/gate"
	(read -r _ <&3; exec 3>&-; exec "$ea" import -q -c "$rules" -d "$2" "$1" 2>>"$dir/errors") &
	p1=$!
	(read -r _ <&3; exec 3>&-; exec "$ea" import -q -c "$rules" -d "$2" "$1" 2>>"$dir/errors") &
	p2=$!
	printf 'go\ngo\n' >&3
	exec 3>&-
	wait "$p1"; s1=$?
	wait "$p2"; s2=$?
	echo "$s1 $s2 $("$SQLITE3" -readonly "$2" "SELECT coalesce(sum(count), 0) FROM hits WHERE source = 'log'") $("$SQLITE3" -readonly "$2" "SELECT coalesce(sum(lines), 0) FROM log_files")"
}

# trials LOG N ROUNDS: every round must store exactly N hits and N lines,
# with at least one import succeeding.
trials() {
	bad=0 losers=0 i=0
	while [ "$i" -lt "$3" ]; do
		set -- "$1" "$2" "$3" $(race "$1" "$dir/race.db")
		if [ "$6" != "$2" ] || [ "$7" != "$2" ] || { [ "$4" -ne 0 ] && [ "$5" -ne 0 ]; }; then
			bad=$((bad + 1))
			echo "# round $i: exit $4 and $5, $6 hits and $7 lines stored (want $2)" >&2
		fi
		[ "$4" -ne 0 ] || [ "$5" -ne 0 ] && losers=$((losers + 1))
		i=$((i + 1))
	done
	echo "$bad $losers"
}

make_log "$dir/small.log" 300
set -- $(trials "$dir/small.log" 300 40)
is "$1" 0 "40 races of two imports of a 300-line log (one chunk) store exactly 300 hits each time"
echo "# $2 of 40 rounds had a losing import that stopped with an error"

make_log "$dir/big.log" 12000
set -- $(trials "$dir/big.log" 12000 10)
is "$1" 0 "10 races of two imports of a 12000-line log (three chunks) store exactly 12000 hits each time"

if [ -s "$dir/errors" ]; then
	grep -v 'another import of this log committed' "$dir/errors" | head -5 | sed 's/^/# /'
	! grep -qv 'another import of this log committed' "$dir/errors"
	ok $? "a losing import says another import of the log committed first, and nothing else goes wrong"
else
	ok 0 "no import lost a race (each finished before the other started)"
fi

# The documented way to run them never loses: one after the other.
rm -f "$dir/seq.db"
"$ea" import -q -c "$rules" -d "$dir/seq.db" "$dir/small.log" &&
	"$ea" import -q -c "$rules" -d "$dir/seq.db" "$dir/small.log"
ok $? "two imports one after the other both succeed"
is "$("$SQLITE3" -readonly "$dir/seq.db" "SELECT sum(count) FROM hits")" 300 "and count the 300 lines once"
tap_done
