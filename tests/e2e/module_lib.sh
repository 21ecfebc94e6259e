# tests/e2e/module_lib.sh: what the module's end-to-end tests share, on top
# of lib.sh: the freshly built srv_egressaudit.so, a Squid that sends vendor
# names on port 80 to one loopback origin, and queries on the real database.
#
#   ea_init NAME                  e2e_init, plus skips when the module or
#                                 sqlite3 is missing; sets EA_DB
#   ea_start_web                  the origin "web"; sets EA_WEB (its port)
#   ea_peer_lines                 Squid lines (one per output line) that send
#                                 every port-80 request to the "web" origin
#   ea_start_squid [LINE...]      e2e_start_squid with ea_peer_lines first
#   ea_q SQL                      run SQL on $EA_DB (read-only), print rows
#   ea_wait_q SECONDS SQL WANT    until ea_q SQL prints WANT (bounded); on
#                                 failure prints what it got as diagnostics
#   ea_rows HOST                  "entry|port|client|user|outcome|count" rows
#                                 of HOST, sorted
#   ea_sentinel                   a request to $EA_SENTINEL_HOST (ea_init
#                                 adds it to the hosts file), waited for in the database:
#                                 with one c-icap child, every earlier
#                                 transaction has then been written too (one
#                                 queue, flushed in order)

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

# A vendor host that the tests use for nothing else, and its entry (a test
# with its own catalogue sets both before ea_init).
: "${EA_SENTINEL_HOST:=dci.sophosupd.net}"
: "${EA_SENTINEL_ENTRY:=sophos-ep-dci-sophosupd-net}"
EA_MODULE=${EA_MODULE:-${top_builddir:-.}/.libs/srv_egressaudit.so}
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"

ea_init() {
    e2e_init "$1"
    [ -f "$EA_MODULE" ] || e2e_skip_all "the module is not built ($EA_MODULE)"
    [ -n "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed"
    EA_DB=$E2E_DIR/audit.db
    EA_SENTINELS=0
    e2e_hosts_add "$EA_SENTINEL_HOST"
}

ea_start_web() {
    e2e_start_origin web --body "vendor origin body"
    EA_WEB=$E2E_ORIGIN_PORT
}

# Vendor URLs keep their real port (80) and still reach the loopback
# origin: Squid forwards port-80 requests to it as an origin-server peer.
# Other ports (the TLS origin, a refused port) go direct, by the hosts file.
# no-digest: Squid would otherwise fetch the peer's cache digest, an extra
# request (and RESPMOD) that no client made.
ea_peer_lines() {
    echo "acl ea_port80 port 80"
    echo "cache_peer 127.0.0.1 parent $EA_WEB 0 no-query no-digest originserver name=web"
    echo "cache_peer_access web allow ea_port80"
    echo "cache_peer_access web deny all"
    echo "never_direct allow ea_port80"
}

ea_start_squid() {
    _ea_peer=$(ea_peer_lines)
    _ea_old_ifs=$IFS
    IFS='
'
    # shellcheck disable=SC2086
    set -- $_ea_peer "$@"
    IFS=$_ea_old_ifs
    e2e_start_squid "$@"
}

ea_q() {
    "$SQLITE3" -readonly -cmd '.timeout 2000' "$EA_DB" "$1" 2>/dev/null
}

ea_wait_q() {
    _ea_secs=$1
    _ea_sql=$2
    _ea_want=$3
    if e2e_wait_for "$_ea_secs" eval '[ "$(ea_q "$_ea_sql")" = "$_ea_want" ]'; then
        return 0
    fi
    e2e_diag "query: $_ea_sql"
    e2e_diag "wanted:"
    e2e_diag "$_ea_want"
    e2e_diag "got:"
    e2e_diag "$(ea_q "$_ea_sql")"
    return 1
}

# A host's rows: entry, port, outcome, count (clients and users are in
# their own tables since schema 2).
ea_rows_sql() {
    echo "SELECT entry, port, outcome, sum(count) FROM hits
          WHERE host = '$1' GROUP BY entry, port, outcome
          ORDER BY entry, port, outcome"
}

ea_rows() {
    ea_q "$(ea_rows_sql "$1")"
}

# The web origin must be running.
ea_sentinel() {
    EA_SENTINELS=$((EA_SENTINELS + 1))
    e2e_curl -o /dev/null "http://$EA_SENTINEL_HOST/sentinel" || return 1
    ea_wait_q 10 "SELECT sum(count) FROM hits WHERE host = '$EA_SENTINEL_HOST'
                  AND entry = '$EA_SENTINEL_ENTRY' AND outcome = 'allowed'" \
        "$EA_SENTINELS"
}
