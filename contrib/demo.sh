#!/bin/sh
# make demo: the whole product on loopback. Starts a private Squid and
# c-icap with the freshly built module (the end-to-end tests' harness,
# tests/e2e/lib.sh), sends a bounded sample of vendor traffic through Squid
# (some allowed, some denied by this demo's Squid ACLs, some refused
# upstream, some failing), imports Squid's access log for what ICAP cannot
# see, prints `egressaudit report` (written to demo-out/report.txt with the
# database), and stops everything.
# Nothing leaves 127.0.0.1: vendor names resolve from a private hosts file.
#
# Environment (set by `make demo`): top_srcdir, EA_BIN (the egressaudit
# program), EA_MODULE (.libs/srv_egressaudit.so), EA_DEMO_OUT (demo-out).

top_srcdir=${top_srcdir:-${srcdir:-.}}
EA_BIN=${EA_BIN:-./egressaudit}
EA_MODULE=${EA_MODULE:-.libs/srv_egressaudit.so}
OUT=${EA_DEMO_OUT:-demo-out}
export top_srcdir EA_MODULE

# The vendors' real ports 80 and 443: inside a private network namespace
# (a loopback of its own, brought up here) the demo binds them without
# touching the host's. unshare -n needs root (CAP_SYS_ADMIN); elsewhere the
# demo runs as before, on random loopback ports, and says so.
if [ -z "${EA_DEMO_NETNS:-}" ]; then
    why=
    if [ "$(id -u)" -ne 0 ]; then
        why="not root"
    elif ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
        why="unshare or ip is missing (contrib/setup.sh installs util-linux and iproute2)"
    elif ! unshare -n true 2>/dev/null; then
        why="this system does not allow network namespaces here"
    fi
    if [ -z "$why" ]; then
        EA_DEMO_NETNS=1
        export EA_DEMO_NETNS
        exec unshare -n sh -c 'ip link set lo up && exec sh "$0"' "$0"
    fi
    echo "demo: no private network namespace ($why): the TLS origin listens on a random" \
        "loopback port instead of 443, and the report shows that port as unlisted" >&2
    EA_DEMO_NETNS=0
fi

. "$top_srcdir/tests/e2e/module_lib.sh"

# lib.sh is written for tests, which skip when a tool is missing; the demo
# must fail instead.
e2e_skip_all() {
    echo "demo: cannot run: $*" >&2
    exit 1
}

say() { printf '%s\n' "$*"; }

# `make demo | head` must not kill the script before its EXIT trap stops
# what it started: with SIGPIPE ignored, writes to a closed pipe just fail.
trap '' PIPE

[ -x "$EA_BIN" ] || e2e_skip_all "$EA_BIN is not built (run make)"
[ -f "$EA_MODULE" ] || e2e_skip_all "$EA_MODULE is not built (run make)"
ea_init demo
[ -x "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed (contrib/setup.sh installs it)"
mkdir -p "$OUT" || exit 1
REPORT=$OUT/report.txt

# --- the stack ----------------------------------------------------------------
# Every vendor name the sample uses, plus some ordinary hosts. Names not
# listed here do not resolve (Squid asks 127.0.0.1:53, where nothing answers).
e2e_hosts_add d1.sophosupd.com d2.sophosupd.com dci.sophosupd.com \
    central.sophos.com cloud.sophos.com downloads.sophos.com \
    t1.sophosupd.com live-terminal-eu-west-1.prod.hydra.sophos.com \
    4.sophosxl.net samples.sophosxl.net \
    guts2.fsapi.com guts2.sp.f-secure.com corp-reg.fsapi.com \
    api.doorman.fsapi.com aspam.sp.f-secure.com unlisted.f-secure.com \
    www.example.org intranet.example.com sophos.com.evil.test
if [ "$EA_DEMO_NETNS" = 1 ]; then
    e2e_start_origin web --port 80 --body "vendor origin body"
    EA_WEB=$E2E_ORIGIN_PORT
    e2e_start_origin tls --tls --port 443 --body "tls origin body"
    TLSP=
else
    ea_start_web
    e2e_start_origin tls --tls --body "tls origin body"
    TLSP=:$(e2e_port tls)
fi
TLS=$(e2e_port tls)
e2e_refused_port
REFUSED=$E2E_REFUSED_PORT

say "== starting c-icap with srv_egressaudit.so and the catalogue in $top_srcdir/rules"
e2e_start_cicap "$EA_MODULE" \
    "egressaudit.Catalogue $top_srcdir/rules" \
    "egressaudit.Database $EA_DB" \
    "egressaudit.ProxyName demo-proxy" \
    "egressaudit.FlushInterval 100" || e2e_die "c-icap did not start"
say "== starting Squid; its ACLs deny .sophosxl.net and corp-reg.fsapi.com"
# Vendor URLs keep their real port 80: Squid sends them to the loopback
# origin as an origin-server peer, except t1.sophosupd.com (its peer
# refuses connections) and d3.sophosupd.net (Squid must resolve it itself,
# and cannot). TLS goes direct, to the TLS origin's port.
e2e_start_squid \
    "acl demo_blocked dstdomain .sophosxl.net corp-reg.fsapi.com" \
    "http_access deny demo_blocked" \
    "acl demo_port80 port 80" \
    "acl demo_refused dstdomain t1.sophosupd.com" \
    "acl demo_nx dstdomain d3.sophosupd.net" \
    "cache_peer 127.0.0.1 parent $EA_WEB 0 no-query no-digest originserver name=web" \
    "cache_peer 127.0.0.1 parent $REFUSED 0 no-query no-digest originserver name=dead" \
    "cache_peer_access dead allow demo_refused" \
    "cache_peer_access dead deny all" \
    "cache_peer_access web allow demo_port80 !demo_refused !demo_nx" \
    "cache_peer_access web deny all" \
    "always_direct allow demo_nx" \
    "never_direct allow demo_port80" || e2e_die "Squid did not start"

# --- the traffic ---------------------------------------------------------------
# req COUNT URL [what to expect]: COUNT requests, one line of output.
req() {
    _count=$1
    _url=$2
    shift 2
    _codes=
    _i=0
    while [ "$_i" -lt "$_count" ]; do
        _codes="$_codes $(e2e_curl_status "$_url" -k)"
        _i=$((_i + 1))
    done
    printf '  %-62s x%-2s ->%s   %s\n' "$_url" "$_count" "$_codes" "$*"
}

say "== sending sample traffic through Squid (127.0.0.1:$E2E_SQUID_PORT)"
if [ "$EA_DEMO_NETNS" = 1 ]; then
    say "   (in a private network namespace: the local origins listen on the vendors' ports 80 and 443)"
else
    say "   (TLS endpoints are tunnelled to a local TLS origin on port $TLS)"
fi
req 5 "http://d1.sophosupd.com/update/sdds3.ini" "Sophos updates: allowed"
req 3 "http://d2.sophosupd.com/update/catalogue" "allowed"
req 2 "http://dci.sophosupd.com/update/cidsync" "allowed"
req 2 "http://central.sophos.com/" "allowed"
req 1 "http://cloud.sophos.com/" "allowed"
req 2 "https://live-terminal-eu-west-1.prod.hydra.sophos.com$TLSP/" "CONNECT: allowed tunnel (ICAP sees the request only)"
req 2 "http://downloads.sophos.com/status/403" "refused by an upstream (403)"
req 2 "http://4.sophosxl.net/lookup" "denied by this Squid's http_access"
req 1 "http://samples.sophosxl.net/" "denied by this Squid's http_access"
req 1 "http://t1.sophosupd.com/" "connection refused"
req 1 "http://d3.sophosupd.net/" "name does not resolve"
req 4 "http://guts2.fsapi.com/" "WithSecure: allowed"
req 2 "http://guts2.sp.f-secure.com/" "allowed"
req 2 "https://corp-reg.fsapi.com$TLSP/" "CONNECT denied by this Squid's http_access"
req 2 "https://api.doorman.fsapi.com$TLSP/" "CONNECT: allowed tunnel"
req 1 "http://aspam.sp.f-secure.com/status/403" "refused by an upstream (403)"
req 1 "https://update.sebe.fsapi.com/" "CONNECT, name does not resolve"
req 1 "http://unlisted.f-secure.com/" "a vendor host no catalogue entry names"
req 3 "http://www.example.org/" "not a vendor: not recorded"
req 2 "http://intranet.example.com/wiki" "not a vendor: not recorded"
req 1 "http://sophos.com.evil.test/" "a lookalike: not recorded"

# Stopping c-icap makes every child's writer flush what it still holds.
say "== stopping Squid and c-icap (the writers flush)"
e2e_stop_squid
e2e_stop_cicap
# A self-contained copy (rollback journal, no -wal/-shm files beside it).
rm -f "$OUT/audit.db" "$OUT/audit.db-wal" "$OUT/audit.db-shm"
"$SQLITE3" "$EA_DB" ".backup '$OUT/audit.db'" >/dev/null &&
    "$SQLITE3" "$OUT/audit.db" "PRAGMA journal_mode = DELETE" >/dev/null ||
    e2e_die "cannot copy the database to $OUT/audit.db"

# --- the report -------------------------------------------------------------------
# ICAP never sees what Squid's http_access denies, nor how tunnels and
# failures end: Squid's access log has them. Import it into the same
# database (each request counts once: src/core/tally.h), then report.
say "== egressaudit import: Squid's access log"
"$EA_BIN" import -c "$top_srcdir/rules" -d "$OUT/audit.db" "$E2E_SQUID_ACCESS_LOG" ||
    e2e_die "egressaudit import failed"
# Scoped by the example site profile (the products, licences and region one
# site runs), as an administrator would: the full catalogue is 111 entries.
PROFILE=$top_srcdir/contrib/site-profile.example.yaml
say "== egressaudit report -c $top_srcdir/rules -d $OUT/audit.db --profile $PROFILE"
"$EA_BIN" report -c "$top_srcdir/rules" -d "$OUT/audit.db" --profile "$PROFILE" \
    --colour never -o "$REPORT" ||
    e2e_die "egressaudit report failed"
say
cat "$REPORT"
say
say "== report written to $REPORT; the database is $OUT/audit.db"
if [ "$EA_DEMO_NETNS" != 1 ]; then
    say "   (no private network namespace: TLS endpoints were tunnelled on port $TLS,"
    say "   not 443, so they count against no listed port; run make demo as root.)"
fi
