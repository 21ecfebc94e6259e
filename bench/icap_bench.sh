#!/bin/sh
# make bench-icap: does the module stay out of the proxy's way under load?
# REQMOD transactions straight to c-icap on loopback (as Squid sends them:
# Preview 0, Allow 204), side by side in one run against the same c-icap:
#   ordinary  hosts no catalogue entry names: parse and a ~20 ns matcher
#             miss, so this is c-icap's own cost, the floor
#   vendor    vendor hosts: matched, queued, written to SQLite by the
#             children's writer threads while the load runs
# (c-icap 0.5.10's bundled srv_echo cannot answer 204 only, so it is no
# floor.) Then it checks that the database holds every vendor transaction,
# or counts it as dropped. Bounded: a fixed count per connection, a deadline.
. "$top_srcdir/tests/e2e/lib.sh"

CONNECTIONS=${CONNECTIONS:-8}
COUNT=${COUNT:-2500}
MODULE=$top_builddir/.libs/srv_egressaudit.so
[ -f "$MODULE" ] || { echo "bench-icap: build the module first" >&2; exit 1; }

e2e_init bench-icap >/dev/null
E2E_CICAP_START_SERVERS=2 E2E_CICAP_THREADS=$((CONNECTIONS + 2))
export E2E_CICAP_START_SERVERS E2E_CICAP_THREADS

VENDOR=d1.sophosupd.com,guts2.fsapi.com,central.sophos.com,live-terminal-eu-west-1.prod.hydra.sophos.com,tf-presigned-url-eu-west-1-prod-7-bucket.s3.eu-west-1.amazonaws.com,corp-reg.fsapi.com
ORDINARY=www.example.org,cdn.example.net,sophos.com.evil.test,evilsophos.com,api.example.com,static.example.org

run() { # run SERVICE HOSTS: one load, one JSON line
    "$PYTHON3" "$top_srcdir/bench/icap_load.py" --port "$E2E_CICAP_PORT" --service "$1" \
        --hosts "$2" --connections "$CONNECTIONS" --count "$COUNT" --seconds 30
}

E2E_ICAP_SERVICE=egressaudit
DB=$E2E_DIR/bench.db
e2e_start_cicap "$MODULE" "egressaudit.Catalogue $top_srcdir/rules" "egressaudit.Database $DB" \
    "egressaudit.BucketSeconds 86400" "MaxKeepAliveRequests 0" >/dev/null ||
    { echo "bench-icap: c-icap with the module did not start" >&2; exit 1; }
ordinary_r=$(run egressaudit "$ORDINARY")
vendor_r=$(run egressaudit "$VENDOR")
e2e_stop_cicap # the writers flush at child stop

# Each vendor transaction makes one REQMOD row per matching entry: compare
# the transactions answered for d1.sophosupd.com with its exact entry's rows.
per_host=$(printf '%s' "$vendor_r" | "$PYTHON3" -c "import json,sys; print(json.load(sys.stdin)['by_host']['d1.sophosupd.com'])")
stored=$(sqlite3 -readonly "$DB" "SELECT coalesce(sum(count),0) FROM hits WHERE entry = 'sophos-ep-d1-sophosupd-com' AND outcome = 'unknown'")
dropped=$(sqlite3 -readonly "$DB" "SELECT coalesce(sum(value),0) FROM counters")

"$PYTHON3" - "$ordinary_r" "$vendor_r" <<'PY'
import json, sys
rows = [("ordinary hosts (floor)", json.loads(sys.argv[1])),
        ("vendor hosts, recorded", json.loads(sys.argv[2]))]
floor = rows[0][1]["per_second"]
print("%-24s %12s %10s %10s %10s" % ("ICAP REQMOD", "per second", "vs floor", "p50 us", "p99 us"))
for name, r in rows:
    print("%-24s %12.0f %9.2fx %10.0f %10.0f%s" % (name, r["per_second"], r["per_second"] / floor,
          r["p50_us"], r["p99_us"], "  ERRORS: %s" % r["errors"] if r["errors"] else ""))
PY
echo "vendor transactions for d1.sophosupd.com: sent $per_host, stored $stored; drop counters total $dropped"
[ "$stored" -eq "$per_host" ] || [ "$dropped" -gt 0 ] || {
    echo "bench-icap: hits were lost without being counted" >&2
    exit 1
}
