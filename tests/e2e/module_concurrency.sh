#!/bin/sh
# Concurrent clients, several c-icap children, one database: 8 clients (each
# its own loopback source address) send 40 requests each at the same time;
# three c-icap children, each with its own queue and writer thread, write
# the same SQLite file. Every request must be counted exactly once per
# matching entry, per client: nothing lost to a locked database, nothing
# counted twice.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

CLIENTS=8
D1=25       # requests per client to d1.sophosupd.com (2 entries match)
GUTS=15     # requests per client to guts2.fsapi.com (3 entries match)

E2E_CICAP_START_SERVERS=3
E2E_CICAP_THREADS=8
ea_init concurrency
e2e_plan 7

e2e_hosts_add d1.sophosupd.com guts2.fsapi.com
ea_start_web
e2e_start_cicap "$EA_MODULE" \
    "egressaudit.Catalogue $top_srcdir/rules" \
    "egressaudit.Database $EA_DB" \
    "egressaudit.FlushInterval 100"
e2e_ok $? "c-icap starts with $E2E_CICAP_START_SERVERS children and the module"
ea_start_squid
e2e_ok $? "Squid starts"

# Each child opens the database in its writer thread when it starts.
writers() {
    n=0
    for p in $(ps -e -o pid= -o pgid= | awk -v g="$E2E_CICAP_PID" '$2 == g { print $1 }'); do
        ls -l "/proc/$p/fd" 2>/dev/null | grep -q " $EA_DB\$" && n=$((n + 1))
    done
    [ "$n" -eq "$E2E_CICAP_START_SERVERS" ]
}
e2e_wait_for 10 writers
e2e_ok $? "each of the $E2E_CICAP_START_SERVERS c-icap children has its own connection to the database"

# One curl per client, its requests one after the other on one connection
# to Squid; the clients run in parallel.
i=1
pids=
while [ "$i" -le "$CLIENTS" ]; do
    e2e_curl --interface "127.0.0.$((10 + i))" -w '%{http_code}\n' \
        -o /dev/null "http://d1.sophosupd.com/c$i/[1-$D1]" \
        -o /dev/null "http://guts2.fsapi.com/c$i/[1-$GUTS]" \
        >"$E2E_DIR/client-$i.codes" 2>"$E2E_DIR/client-$i.err" &
    pids="$pids $!"
    i=$((i + 1))
done
for p in $pids; do
    wait "$p"
done
total=$((CLIENTS * (D1 + GUTS)))
served=$(cat "$E2E_DIR"/client-*.codes | grep -c '^200$')
[ "$served" -eq "$total" ]
e2e_ok $? "all $total concurrent requests are served ($served got 200)"

# Per entry and outcome: D1 or GUTS requests from each client; and each
# client has its row per entry, seen allowed and at REQMOD, nothing else.
want=$(
    for e in sophos-ep-d1-sophosupd-com sophos-ep-wildcard-sophosupd-com; do
        echo "$e|allowed|$((CLIENTS * D1))"
        echo "$e|unknown|$((CLIENTS * D1))"
    done
    for e in ws-all-fsapi-com-wildcard ws-atlant319-guts2 ws-bs16-guts2; do
        echo "$e|allowed|$((CLIENTS * GUTS))"
        echo "$e|unknown|$((CLIENTS * GUTS))"
    done
)
want_clients=$(
    i=1
    while [ "$i" -le "$CLIENTS" ]; do
        for e in sophos-ep-d1-sophosupd-com sophos-ep-wildcard-sophosupd-com \
                 ws-all-fsapi-com-wildcard ws-atlant319-guts2 ws-bs16-guts2; do
            echo "$e|127.0.0.$((10 + i))|1|1|0"
        done
        i=$((i + 1))
    done | sort
)
ea_wait_q 20 "SELECT entry, outcome, sum(count) FROM hits GROUP BY entry, outcome ORDER BY 1, 2" \
    "$(echo "$want" | sort)" &&
    ea_wait_q 5 "SELECT entry, client, last_allowed > 0, last_unknown > 0, last_denied + last_failed
                 FROM clients ORDER BY 1, 2" "$want_clients"
e2e_ok $? "every request is counted exactly once per matching entry and outcome, and every client has its row per entry ($((total * 2)) ICAP transactions)"

[ "$(ea_q "SELECT sum(count) FROM hits")" -eq $((CLIENTS * (D1 * 2 + GUTS * 3) * 2)) ] &&
    [ "$(ea_q "SELECT count(*) FROM counters WHERE value > 0")" = 0 ]
e2e_ok $? "the totals add up and no hit was dropped (no queue_full, db_busy, db_error)"

e2e_stop_squid
e2e_stop_cicap
[ "$(ea_q "SELECT sum(count) FROM hits")" -eq $((CLIENTS * (D1 * 2 + GUTS * 3) * 2)) ] &&
    [ "$(ea_q "SELECT count(*) FROM counters WHERE value > 0")" = 0 ] &&
    [ "$(ea_q "PRAGMA integrity_check")" = ok ]
e2e_ok $? "after c-icap stops, the database is intact and holds the same counts"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag "$(ea_q 'SELECT * FROM counters')"
    e2e_diag "$(cat "$E2E_DIR"/client-*.err)"
    e2e_diag_file "$E2E_CICAP_SERVER_LOG"
}
exit 0
