#!/bin/sh
# Fail open: whatever goes wrong inside the module (no database, a file that
# is not a database, no catalogue, a catalogue that does not exist, c-icap
# down), Squid keeps serving every request, and the module still answers
# 204 itself (c-icap's access log) rather than being bypassed, and says what
# is wrong in the server log. Hits that cannot be kept are counted.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

ea_init failopen
e2e_plan 19

e2e_hosts_add d1.sophosupd.com
ea_start_web

# get N: N GETs to a vendor host; succeeds when the origin served them all.
get() {
    _n=0
    _ok=0
    while [ "$_n" -lt "$1" ]; do
        [ "$(e2e_curl "http://d1.sophosupd.com/f$_n")" = "vendor origin body" ] || _ok=1
        _n=$((_n + 1))
    done
    return $_ok
}

# Transactions the module itself answered with 204 (not bypassed by Squid).
answered() {
    grep -c "MOD $E2E_ICAP_SERVICE 204 " "$E2E_CICAP_ACCESS_LOG" 2>/dev/null || true
}

# served_by_module N: N requests served, and c-icap answered 2N more
# transactions (REQMOD and RESPMOD each) than before.
served_by_module() {
    _want=$(($(answered) + 2 * $1))
    get "$1" &&
        e2e_wait_for 5 eval '[ "$(answered)" -eq $_want ]'
}

restart_cicap() {
    e2e_stop_cicap
    e2e_start_cicap "$EA_MODULE" "$@"
}

# --- the database directory does not exist; the queue holds 4 hits -------------
MISSING=$E2E_DIR/not-yet
e2e_start_cicap "$EA_MODULE" \
    "egressaudit.Catalogue $top_srcdir/rules" \
    "egressaudit.Database $MISSING/audit.db" \
    "egressaudit.QueueSize 4" \
    "egressaudit.FlushInterval 100"
e2e_ok $? "c-icap starts although the database's directory does not exist"
ea_start_squid
e2e_ok $? "Squid starts"

# 5 requests: 10 transactions x 2 matching entries = 20 hits; 4 fit.
served_by_module 5
e2e_ok $? "every request is served, and answered by the module (10 transactions)"

grep -q "egressaudit: .*$MISSING/audit.db" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log names the database that cannot be opened"
grep "egressaudit: .*$MISSING/audit.db" "$E2E_CICAP_SERVER_LOG" | head -n 1 | sed 's/^/# /'

# The writer retries every 5 s; once the directory exists, what the queue
# held is written, and what did not fit is counted.
mkdir "$MISSING"
EA_DB=$MISSING/audit.db
ea_wait_q 15 "SELECT sum(count) FROM hits; SELECT name, value FROM counters" "\
4
queue_full|16"
e2e_ok $? "when the directory appears the 4 queued hits are written and the 16 that did not fit are counted as queue_full"

grep -q "egressaudit: $MISSING/audit.db: writing again" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log says the database is written again (at DebugLevel 1)"

# --- a file that is not a database ------------------------------------------------
NOTADB=$E2E_DIR/not-a-database
head -c 8192 /dev/urandom >"$NOTADB"
restart_cicap \
    "egressaudit.Catalogue $top_srcdir/rules" \
    "egressaudit.Database $NOTADB"
e2e_ok $? "c-icap starts with a database file that is not SQLite"
served_by_module 3
e2e_ok $? "every request is served and answered by the module"
e2e_wait_for 5 grep -q "egressaudit: .*$NOTADB" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log names the file that is not a database"
grep "egressaudit: .*$NOTADB" "$E2E_CICAP_SERVER_LOG" | head -n 1 | sed 's/^/# /'

# --- no catalogue at all -------------------------------------------------------------
EA_DB=$E2E_DIR/audit.db
restart_cicap "egressaudit.Database $EA_DB"
e2e_ok $? "c-icap starts with the module and no egressaudit.Catalogue line"
served_by_module 3
e2e_ok $? "every request is served and answered by the module"
grep -q "egressaudit: no egressaudit.Catalogue configured" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log says no catalogue is configured"

# --- a catalogue path that does not exist ----------------------------------------------
# The phase with a file that is not a database loaded the real catalogue,
# and the module kept a copy of it beside that database, in
# $E2E_DIR/catalogue.last-good: the one egressaudit.Database $EA_DB also
# points to. So the documented fallback applies (doc/deploy.md): the errors
# are logged, then the last good catalogue records.
restart_cicap \
    "egressaudit.Catalogue $E2E_DIR/no-such-rules" \
    "egressaudit.Database $EA_DB"
e2e_ok $? "c-icap starts with a catalogue path that does not exist"
# c-icap without a catalogue has stopped (its queue flushed on the way out):
# nothing it saw could have been recorded.
[ "$(ea_q 'SELECT count(*) FROM hits')" = 0 ]
e2e_ok $? "without any catalogue configured nothing was recorded"
served_by_module 3
e2e_ok $? "every request is served and answered by the module"
grep -q "egressaudit: .*$E2E_DIR/no-such-rules" "$E2E_CICAP_SERVER_LOG" &&
    grep -q "start: the catalogue has errors" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log names the missing catalogue"
grep "egressaudit: .*$E2E_DIR/no-such-rules" "$E2E_CICAP_SERVER_LOG" | head -n 1 | sed 's/^/# /'
grep -q "start: using the last good catalogue, saved in $E2E_DIR/catalogue.last-good" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log says the last good catalogue, saved beside the database, is used"

# 3 requests: 6 transactions x 2 matching entries = 12 hits, recorded with
# the last good catalogue (waited for: the writer flushes every second).
ea_wait_q 15 "SELECT sum(count) FROM hits" 12
e2e_ok $? "the 3 requests are recorded with the last good catalogue (12 hits)"

# --- c-icap down: Squid's bypass=on ---------------------------------------------------
e2e_stop_cicap
get 2
e2e_ok $? "with c-icap stopped, Squid (bypass=on) still serves"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag_file "$E2E_CICAP_SERVER_LOG" 40
    e2e_diag_file "$E2E_SQUID_DETAIL_LOG" 20
}
exit 0
