#!/bin/sh
# egressaudit-logd: Squid's logfile-daemon protocol spoken directly (rotate
# with a count, flush, unknown commands, over-long lines, lines still in the
# pipe at SIGTERM), then as the logfile_daemon of a real Squid: its
# access.log has every line Squid logged, across squid -k rotate, and the
# database has the same counts per outcome as an import of the same traffic.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

LOGD=${top_builddir:-.}/egressaudit-logd
EA=${top_builddir:-.}/egressaudit
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"
FORMAT='logformat egressaudit ea1 %ts.%03tu %>a %#un %rm %>rd %>rP %Ss/%03>Hs %Sh/%<a %err_code %#err_detail'

e2e_init logd
[ -x "$LOGD" ] && [ -x "$EA" ] || e2e_skip_all "egressaudit-logd or egressaudit is not built"
[ -n "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed"
e2e_plan 18

is() {
    [ "$1" = "$2" ]
    _st=$?
    e2e_ok $_st "$3"
    [ $_st -eq 0 ] || e2e_diag "got '$1', expected '$2'"
}

# Squid's own copy of the same lines (rotated with it by squid -k rotate).
ref() { cat "$D/reference.log.0" "$D/reference.log" 2>/dev/null; }

outcomes() {
    "$SQLITE3" -readonly -cmd '.timeout 2000' "$1" \
        "SELECT coalesce(sum(count) FILTER (WHERE outcome='allowed'),0), coalesce(sum(count) FILTER (WHERE outcome='denied'),0),
                coalesce(sum(count) FILTER (WHERE outcome='failed'),0), coalesce(sum(count) FILTER (WHERE outcome='unknown'),0)
         FROM hits WHERE source = 'log'" 2>/dev/null | tr '|' ' '
}

# Everything the daemon needs lives in Squid's directory, which lib.sh
# makes Squid's user's (the daemon runs as that user when tests run as root).
D=$E2E_DIR/squid
mkdir -p "$D"
cp "${top_srcdir:-.}/tests/data/import/testvendor.yaml" "$D/catalogue.yaml"
cat >"$D/logd.conf" <<EOF
# written by tests/e2e/logd.sh
catalogue $D/catalogue.yaml
database $D/logd.db
format egressaudit
audit_log $D/daemon.log
EOF
EGRESSAUDIT_LOGD_CONF=$D/logd.conf
export EGRESSAUDIT_LOGD_CONF

# --- the protocol, spoken directly -------------------------------------------
P=$E2E_DIR/proto
mkdir -p "$P"
L1='ea1 1700000000.000 127.0.0.1 - GET vendor.test 80 TCP_MISS/200 HIER_DIRECT/127.0.0.1 - -'
L2='ea1 1700000001.000 127.0.0.1 - GET blocked.vendor.test 80 TCP_DENIED/403 HIER_NONE/- ERR_ACCESS_DENIED -'
printf 'audit_log %s/daemon.log\n' "$P" >>"$D/logd.conf"
long=$("$PYTHON3" -c 'print("x" * 70000)')
{
    printf 'r2\nb0\n'
    printf 'L%s\n' "$L1" "$L2"
    printf 'R\n'
    printf 'L%s\n' "$L1"
    printf 'T\nF\n'
    printf 'L%s\n' "$long"
    printf 'R\n'
    printf 'L%s\n' "$L2"
    printf 'Xunknown command kept\n'
    printf 'R\nL%s\n' "$L1"
} | timeout 20 "$LOGD" "$P/daemon.log" 2>"$P/logd.err"
e2e_ok $? "egressaudit-logd reads Squid's commands and exits at end of input"
# Three rotations with logfile_rotate 2: Squid keeps .0 (newest) and .1,
# the first file is dropped, as Squid's own daemon does.
is "$(cut -c1-20 "$P/daemon.log.1" | tr '\n' '|')" "$(printf '%s\n%s\n' "$L1" "$long" | cut -c1-20 | tr '\n' '|')" \
    "logfile_rotate 2: the second file (one line, then the over-long one; T and F truncate nothing) is daemon.log.1"
is "$(awk '{ print length($0) }' "$P/daemon.log.1" | sed -n 2p)" 70000 "a 70000-byte line is written whole"
is "$(cat "$P/daemon.log.0")" "$L2
Xunknown command kept" "the third file is daemon.log.0; an unknown command is kept in the log, as Squid's own daemon does"
is "$(cat "$P/daemon.log"; ls "$P" | grep -c '^daemon.log.2')" "$L1
0" "the live file has the last line, and no third rotated file is kept"
is "$(outcomes "$D/logd.db")" "3 2 0 0" "the database has the 3 allowed and 2 denied lines; the over-long one is not audited"
# A NUL byte inside a line: written to the log like any line, never
# audited as the vendor host before it.
printf 'Lea1 1700000002.000 127.0.0.1 - GET vendor.test\000.evil.test 80 TCP_MISS/200 HIER_DIRECT/127.0.0.1 - -\n' |
    timeout 20 "$LOGD" "$P/daemon.log" 2>"$P/nul.err"
e2e_ok $? "egressaudit-logd reads a line with a NUL byte and exits at end of input"
is "$(outcomes "$D/logd.db")" "3 2 0 0" "a line with a NUL byte records no hit for the host before the NUL"
grep -q 'control character or binary data' "$P/nul.err"
e2e_ok $? "and is reported as not in the format (control character or binary data)"

# Lines still in the pipe when SIGTERM comes are written.
"$PYTHON3" - "$LOGD" "$P/term.log" <<'EOF'
import signal, subprocess, sys, time
import os
p = subprocess.Popen([sys.argv[1], sys.argv[2]], stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
# The log file exists once the daemon has set up its signal handler.
for _ in range(100):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
p.stdin.write(b"b1\n" + b"".join(b"Lline %d\n" % i for i in range(5000)))
p.stdin.flush()
p.send_signal(signal.SIGTERM)
time.sleep(0.2)
p.stdin.close()
sys.exit(p.wait(timeout=15))
EOF
is "$?:$(wc -l <"$P/term.log")" "0:5000" "5000 lines still in the pipe at SIGTERM are all written"

# --- as Squid's logfile_daemon -------------------------------------------------
e2e_hosts_add vendor.test tls.vendor.test refused.vendor.test blocked.vendor.test other.test
e2e_start_origin plain --body "plain origin body"
PLAIN=$(e2e_port plain)
e2e_start_origin tls --tls --body "tls origin body"
TLS=$(e2e_port tls)
e2e_refused_port
# No c-icap: ICAP is bypassed (bypass=on), so the allowed requests carry
# ERR_ICAP_FAILURE in %err_code, and must still count as allowed.
e2e_start_squid "acl blocked dstdomain blocked.vendor.test" "http_access deny blocked" \
    "$FORMAT" "logfile_daemon $(cd "$(dirname "$LOGD")" && pwd)/$(basename "$LOGD")" \
    "logfile_rotate 2" \
    "access_log daemon:$D/daemon.log egressaudit" \
    "access_log stdio:$D/reference.log egressaudit" || e2e_die "Squid did not start with the logfile daemon"

e2e_curl_status "http://vendor.test:$PLAIN/ok" >/dev/null
e2e_curl_status "http://blocked.vendor.test:$PLAIN/nope" >/dev/null
e2e_curl_status "https://blocked.vendor.test:$TLS/" -k >/dev/null
e2e_curl_status "https://tls.vendor.test:$TLS/" -k >/dev/null
e2e_curl_status "http://refused.vendor.test:$E2E_REFUSED_PORT/" >/dev/null
e2e_curl_status "http://does-not-resolve.vendor.test/" >/dev/null
e2e_curl_status "http://other.test:$PLAIN/" >/dev/null
e2e_wait_for 5 eval '[ "$(ref | wc -l)" -ge 7 ]'
# The daemon's lines arrive at Squid's next flush (at most a second).
e2e_wait_for 10 eval '[ "$(cat "$D"/daemon.log* 2>/dev/null | wc -l)" -ge 7 ]'
e2e_wait_for 10 eval '[ "$(outcomes "$D/logd.db" | awk "{ print \$1 + \$2 + \$3 + \$4 }")" -ge 11 ]'
is "$(outcomes "$D/logd.db")" "5 4 2 0" \
    "the daemon recorded 2 allowed, 2 denied, 2 failed from Squid (on top of the 5 protocol lines)"

"$SQUID" -k rotate -f "$E2E_SQUID_CONF" >/dev/null 2>&1
e2e_wait_for 10 test -s "$D/daemon.log.0"
e2e_ok $? "squid -k rotate makes the daemon rotate: daemon.log.0 holds the lines so far"
e2e_curl_status "http://vendor.test:$PLAIN/after-rotation" >/dev/null
e2e_wait_for 5 grep -q after-rotation "$D/reference.log"

squid_group=$E2E_SQUID_PID
e2e_stop_squid
! e2e_group_alive "$squid_group"
e2e_ok $? "Squid and its logfile daemon stop"
is "$(ref | wc -l)" 8 "Squid logged 8 requests (its own stdio log, rotated too)"
is "$(cat "$D/daemon.log.0" "$D/daemon.log")" "$(ref)" \
    "the daemon's access.log (rotated part + live) has exactly Squid's 8 lines, in order"
is "$(outcomes "$D/logd.db")" "6 4 2 0" "after shutdown the database has the line after rotation too"
"$EA" import -c "$D/catalogue.yaml" -d "$E2E_DIR/import.db" --format egressaudit "$D/reference.log.0" "$D/reference.log" 2>"$E2E_DIR/import.err"
is "$(outcomes "$E2E_DIR/import.db")" "3 2 2 0" \
    "an import of the same traffic gives the counts the daemon recorded from Squid (3 allowed, 2 denied, 2 failed)"
# The daemon's stderr is Squid's cache.log as it was when the daemon
# started, i.e. cache.log.0 once squid -k rotate has rotated it.
cat "$E2E_SQUID_CACHE_LOG"* | grep -q 'egressaudit-logd: .*daemon.log: 8 lines written, 7 vendor requests, 7 hits queued, 0 hits dropped, 0 malformed' 
e2e_ok $? "the daemon's summary in cache.log: 8 lines, 7 vendor requests, nothing dropped or malformed"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag_file "$P/logd.err"
    e2e_diag_file "$E2E_SQUID_CACHE_LOG" 40
    e2e_diag_file "$D/daemon.log"
}
exit 0
