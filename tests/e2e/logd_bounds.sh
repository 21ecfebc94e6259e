#!/bin/sh
# egressaudit-logd on hostile or unlucky input: a pipe full of rotation
# commands with absurd counts still lets SIGTERM end the daemon (bounded),
# and the summary it prints at exit reconciles with what it was fed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

LOGD=${top_builddir:-.}/egressaudit-logd
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"

e2e_init logd_bounds
[ -x "$LOGD" ] || e2e_skip_all "egressaudit-logd is not built"
[ -n "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed"
e2e_plan 7

D=$E2E_DIR/logd
mkdir -p "$D"
# No configuration: the daemon only writes the log (and says why).
EGRESSAUDIT_LOGD_CONF=$D/absent.conf
export EGRESSAUDIT_LOGD_CONF

# 20,000 "r1000000000" + "R" pairs, then SIGTERM once the daemon is busy
# rotating. Squid's own daemon would rename a billion names per R; ours
# keeps at most a bounded number of files and stops reading DRAIN_MS after
# the signal. The wait for its exit is generous (60 s), not a timing test.
"$PYTHON3" - "$LOGD" "$D/rot.log" "$D/rot.err" <<'EOF'
import os, signal, subprocess, sys, threading, time
logd, log, err = sys.argv[1:4]
p = subprocess.Popen([logd, log], stdin=subprocess.PIPE, stderr=open(err, "wb"))
def feed():
    try:
        p.stdin.write(b"Lfirst line\n" + b"r1000000000\nR\n" * 20000)
        p.stdin.flush()
    except BrokenPipeError:
        pass
t = threading.Thread(target=feed, daemon=True)
t.start()
# Busy once the first rotation has happened (log.0 holds the first line).
for _ in range(600):
    if os.path.exists(log + ".0"):
        break
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    print("# still running 60 s after SIGTERM")
    sys.exit(1)
sys.exit(0 if rc == 0 else 2)
EOF
e2e_ok $? "SIGTERM ends egressaudit-logd in a stream of rotations with a count of 1e9"
[ "$(ls "$D" | grep -c '^rot\.log\.')" -le 1000 ]
e2e_ok $? "at most 1000 rotated files are kept, whatever count Squid sends"
grep -q 'rotate count 1000000000 is more than 1000' "$D/rot.err"
e2e_ok $? "an absurd rotate count is said in cache.log"
[ "$E2E_FAILED" -eq 0 ] || e2e_diag_file "$D/rot.err"

# --- the summary and the counters reconcile ----------------------------------
cp "${top_srcdir:-.}/tests/data/import/testvendor.yaml" "$D/catalogue.yaml"
L1='ea1 1700000000.000 127.0.0.1 - GET vendor.test 80 TCP_MISS/200 HIER_DIRECT/127.0.0.1 - -'
feed() {
    printf 'L%s\n' "$L1" "not a log line" "$L1" "ea1 garbage" "ea1 1700000000.000 x"
}
conf() {
    printf 'catalogue %s/catalogue.yaml\ndatabase %s\nformat egressaudit\n' "$D" "$1" >"$D/logd.conf"
}
EGRESSAUDIT_LOGD_CONF=$D/logd.conf

conf "$D/ok.db"
feed | timeout 60 "$LOGD" "$D/ok.log" 2>"$D/ok.err"
[ "$("$SQLITE3" -readonly "$D/ok.db" "SELECT value FROM counters WHERE name = 'log_malformed'")" = 3 ]
e2e_ok $? "the daemon's 3 malformed lines reach the log_malformed counter, as an import's do"
grep -q 'ok.log: 5 lines written, 2 vendor requests, 2 hits queued, 0 hits dropped, 3 malformed$' "$D/ok.err"
e2e_ok $? "its summary says 2 hits queued, 0 dropped, 3 malformed"

# A database that cannot be opened: the hits are dropped, and said.
conf "$D/missing-dir/no.db"
feed | timeout 60 "$LOGD" "$D/no.log" 2>"$D/no.err"
grep -q 'no.log: 5 lines written, 2 vendor requests, 2 hits queued, 2 hits dropped, 3 malformed$' "$D/no.err"
e2e_ok $? "with no database its summary counts the 2 hits it dropped"
grep -q 'shutdown timed out' "$D/no.err"
e2e_ok $((! $?)) "and does not call that a shutdown timeout"
[ "$E2E_FAILED" -eq 0 ] || { e2e_diag_file "$D/ok.err"; e2e_diag_file "$D/no.err"; }
