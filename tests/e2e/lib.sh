# tests/e2e/lib.sh: start and stop a private Squid + c-icap + origin stack on
# loopback for the end-to-end tests; sourced by tests/e2e/*.sh (POSIX sh:
# automake runs them with $(SHELL), which is dash on Debian).
#
# Nothing here ever talks to an address other than 127.0.0.1: Squid resolves
# names from a private hosts file and asks DNS only at 127.0.0.1, where
# nothing listens, and curl is always sent through the proxy.  Every wait is
# bounded, and an EXIT trap stops everything started, even when a test fails.
#
#   e2e_init NAME                 temp dir, ports, trap; skips the whole test
#                                 (exit 0, "1..0 # SKIP") when a tool is missing
#   e2e_hosts_add NAME...         point NAME at 127.0.0.1 in Squid's hosts_file
#   e2e_start_origin NAME [--tls] [--status N] [--body TEXT]
#                                 loopback HTTP(S) origin; port in E2E_ORIGIN_PORT
#                                 and from `e2e_port NAME`; requests logged to
#                                 $E2E_DIR/origin-NAME.log
#   e2e_refused_port              sets E2E_REFUSED_PORT: nothing listens there
#   e2e_start_cicap MODULE [LINE...]   c-icap with service $E2E_ICAP_SERVICE
#   e2e_start_squid [LINE...]     Squid; LINEs go before the final
#                                 "http_access allow all" (acl / deny rules)
#   e2e_curl [CURL ARGS...]       curl through the proxy, bounded
#   e2e_curl_status URL [ARGS...] prints the status the client saw
#   e2e_cicap_command CMD [ARG...]   write a command to c-icap's CommandsSocket
#   e2e_stop_squid, e2e_stop_cicap, e2e_stop_origin NAME, e2e_stop_all
#   e2e_plan N, e2e_ok STATUS SENTENCE, e2e_diag TEXT, e2e_skip_all REASON
#   e2e_wait_for SECONDS COMMAND...   retry COMMAND every 0.1 s, bounded
#
# Tunables (set before the call that uses them): E2E_ICAP_SERVICE (default
# egressaudit), E2E_CICAP_START_SERVERS / _MAX_SERVERS / _THREADS / _DEBUG,
# E2E_CURL_MAX_TIME, E2E_SQUID_LOGFORMAT, E2E_SQUID_ICAP_OPTIONS (added to
# the icap_service lines, e.g. max-conn=5), E2E_KEEP (keep the temp dir),
# E2E_SQUID_ICAP_SCOPE (a file of adaptation_access rules for the services
# ea_req and ea_resp, as `egressaudit squid-acl --icap-scope --service ea_req
# --service ea_resp` writes; default: every request), E2E_SQUID_RESPMOD
# (off: REQMOD only, no ea_resp service).

: "${PYTHON3:=$(command -v python3 2>/dev/null)}"
: "${CURL:=$(command -v curl 2>/dev/null)}"
: "${SQUID:=$(PATH=$PATH:/usr/sbin:/sbin command -v squid 2>/dev/null)}"
: "${CICAP:=$(PATH=$PATH:/usr/sbin command -v c-icap 2>/dev/null)}"
: "${OPENSSL:=$(command -v openssl 2>/dev/null)}"
: "${E2E_ICAP_SERVICE:=egressaudit}"
: "${E2E_CURL_MAX_TIME:=10}"
: "${E2E_START_TIMEOUT:=15}"
: "${E2E_STOP_TIMEOUT:=10}"

E2E_LIBDIR=${E2E_LIBDIR:-${top_srcdir:+$top_srcdir/tests/e2e}}
E2E_LIBDIR=${E2E_LIBDIR:-$(dirname "$0")}
E2E_HELPER=$E2E_LIBDIR/e2e_helper.py
# Where Debian keeps c-icap's bundled modules (srv_echo.so, ...).
E2E_CICAP_LIBDIR=$(c-icap-config --modulesdir 2>/dev/null) && [ -d "$E2E_CICAP_LIBDIR" ] || E2E_CICAP_LIBDIR=/usr/lib/x86_64-linux-gnu/c_icap
E2E_CICAP_LIBDIR=${E2E_CICAP_LIBDIR%/}
E2E_DIR=
E2E_GROUPS=         # "name:pid ..." of every process group we started
E2E_TESTNUM=0
E2E_FAILED=0

# --- TAP --------------------------------------------------------------------

e2e_plan() { echo "1..$1"; }

e2e_diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# e2e_ok STATUS SENTENCE: STATUS is a command's exit status (0 = pass).
e2e_ok() {
    E2E_TESTNUM=$((E2E_TESTNUM + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $E2E_TESTNUM - $2"
    else
        echo "not ok $E2E_TESTNUM - $2"
        E2E_FAILED=$((E2E_FAILED + 1))
    fi
}

e2e_skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

# Print a log file as TAP diagnostics (for failures).
e2e_diag_file() {
    [ -f "$1" ] || return 0
    e2e_diag "--- last lines of $1"
    tail -n "${2:-20}" "$1" | sed 's/^/#   /'
}

# --- small tools --------------------------------------------------------------

e2e_die() {
    e2e_diag "e2e: $*"
    exit 99     # a hard error for automake's TAP driver
}

# e2e_wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds
# or SECONDS have passed; the status says which.
e2e_wait_for() {
    _e2e_n=$(($1 * 10))
    shift
    while [ "$_e2e_n" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        _e2e_n=$((_e2e_n - 1))
    done
    "$@"
}

# A process is alive when /proc has it and it is not a zombie (a dead child
# that sh has not reaped yet still answers kill -0).
e2e_alive() {
    [ -r "/proc/$1/stat" ] || return 1
    _e2e_state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null)
    [ -n "$_e2e_state" ] && [ "$_e2e_state" != Z ]
}

# Is any process of process group $1 still alive (zombies aside)?
e2e_group_alive() {
    ps -e -o pgid= -o stat= 2>/dev/null |
        awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

e2e_free_port() { "$PYTHON3" "$E2E_HELPER" free-port "${1:-1}"; }

# Does something accept TCP connections on 127.0.0.1:$1?
e2e_listening() {
    "$PYTHON3" -c 'import socket,sys
s=socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

# e2e_spawn NAME COMMAND...: start COMMAND in its own session (so its whole
# process tree can be stopped by group id), remember it as NAME.
e2e_spawn() {
    _e2e_name=$1
    shift
    # A non-interactive shell's background job is not a group leader, so
    # setsid execs in place and $! is the new group's id.
    setsid "$@" </dev/null >"$E2E_DIR/$_e2e_name.out" 2>&1 &
    E2E_LAST_PID=$!
    E2E_GROUPS="$E2E_GROUPS $_e2e_name:$E2E_LAST_PID"
}

e2e_pid_of() {
    for _e2e_g in $E2E_GROUPS; do
        [ "${_e2e_g%%:*}" = "$1" ] && { echo "${_e2e_g#*:}"; return 0; }
    done
    return 1
}

# e2e_stop NAME [SIGNAL]: signal NAME's process group, wait (bounded) for the
# whole group to exit, then SIGKILL what is left.  Forget NAME.
e2e_stop() {
    _e2e_pid=$(e2e_pid_of "$1") || return 0
    kill "-${2:-TERM}" "-$_e2e_pid" 2>/dev/null
    if ! e2e_wait_for "$E2E_STOP_TIMEOUT" eval '! e2e_group_alive '"$_e2e_pid"; then
        e2e_diag "e2e: $1 (group $_e2e_pid) ignored SIG${2:-TERM}; killing it"
        kill -KILL "-$_e2e_pid" 2>/dev/null
        e2e_wait_for 2 eval '! e2e_group_alive '"$_e2e_pid"
    fi
    wait "$_e2e_pid" 2>/dev/null
    _e2e_rest=
    for _e2e_g in $E2E_GROUPS; do
        [ "${_e2e_g%%:*}" = "$1" ] || _e2e_rest="$_e2e_rest $_e2e_g"
    done
    E2E_GROUPS=$_e2e_rest
    return 0
}

# Newest first: Squid before c-icap (so no ICAP connection keeps c-icap
# waiting), c-icap before the origins.
e2e_stop_all() {
    _e2e_rev=
    for _e2e_g in $E2E_GROUPS; do
        _e2e_rev="$_e2e_g $_e2e_rev"
    done
    for _e2e_g in $_e2e_rev; do
        e2e_stop "${_e2e_g%%:*}"
    done
}

e2e_cleanup() {
    _e2e_status=$?
    trap - EXIT
    e2e_stop_all
    if [ -n "$E2E_DIR" ] && [ -d "$E2E_DIR" ]; then
        if [ -n "$E2E_KEEP" ] || [ "$E2E_FAILED" -gt 0 ] || [ "$_e2e_status" -ne 0 ]; then
            e2e_diag "e2e: kept $E2E_DIR (removed only when every test passes and E2E_KEEP is unset)"
        else
            rm -rf "$E2E_DIR"
        fi
    fi
    exit "$_e2e_status"
}

# --- setup --------------------------------------------------------------------

e2e_init() {
    # The sanitizer build cannot load an ASan module into a plain c-icap.
    [ -z "${EA_E2E_SKIP:-}" ] || e2e_skip_all "end-to-end tests skipped in this build ($EA_E2E_SKIP)"
    for _e2e_tool in "$SQUID:squid" "$CICAP:c-icap" "$CURL:curl" \
                     "$PYTHON3:python3" "$OPENSSL:openssl"; do
        [ -n "${_e2e_tool%:*}" ] && [ -x "${_e2e_tool%:*}" ] ||
            e2e_skip_all "${_e2e_tool##*:} is not installed (contrib/setup.sh --test installs it)"
    done
    command -v setsid >/dev/null 2>&1 || e2e_skip_all "setsid (util-linux) is not installed"
    command -v ps >/dev/null 2>&1 || e2e_skip_all "ps (procps) is not installed"
    # c-icap looks up its own host name at start-up; if /etc/hosts does not
    # have it, that lookup would go to the system's DNS servers.
    getent -s files hosts "$(hostname)" >/dev/null 2>&1 ||
        e2e_skip_all "this host's name ($(hostname)) is not in /etc/hosts: c-icap would ask DNS for it"

    E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/egressaudit-e2e-${1:-test}.XXXXXX") ||
        e2e_die "cannot create a temporary directory"
    trap e2e_cleanup EXIT
    trap 'exit 130' INT TERM HUP
    # Squid started as root drops to cache_effective_user, which must be
    # able to reach its files in here.
    chmod 755 "$E2E_DIR"

    set -- $(e2e_free_port 2)
    E2E_SQUID_PORT=$1
    E2E_CICAP_PORT=$2
    [ -n "$E2E_CICAP_PORT" ] || e2e_die "cannot find free loopback ports"
    printf '127.0.0.1 localhost\n' >"$E2E_DIR/hosts"
    export E2E_DIR E2E_SQUID_PORT E2E_CICAP_PORT
}

e2e_hosts_add() {
    for _e2e_h in "$@"; do
        printf '127.0.0.1 %s\n' "$_e2e_h" >>"$E2E_DIR/hosts"
    done
}

# --- origins ------------------------------------------------------------------

# A throwaway self-signed certificate, made once per test.
e2e_tls_cert() {
    [ -f "$E2E_DIR/origin.crt" ] && return 0
    "$OPENSSL" req -x509 -newkey rsa:2048 -nodes -days 2 \
        -subj "/CN=egressaudit e2e origin" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$E2E_DIR/origin.key" -out "$E2E_DIR/origin.crt" \
        >"$E2E_DIR/openssl.out" 2>&1 ||
        { e2e_diag_file "$E2E_DIR/openssl.out"; e2e_die "openssl could not make a certificate"; }
}

e2e_start_origin() {
    _e2e_oname=$1
    shift
    [ -n "$_e2e_oname" ] || e2e_die "e2e_start_origin: NAME missing"
    _e2e_portf=$E2E_DIR/origin-$_e2e_oname.port
    rm -f "$_e2e_portf"
    if [ "$1" = --tls ]; then
        shift
        e2e_tls_cert
        set -- --tls "$E2E_DIR/origin.crt" "$E2E_DIR/origin.key" "$@"
    fi
    e2e_spawn "origin-$_e2e_oname" "$PYTHON3" "$E2E_HELPER" origin \
        --port-file "$_e2e_portf" --log "$E2E_DIR/origin-$_e2e_oname.log" \
        --lifetime 600 "$@"
    e2e_wait_for "$E2E_START_TIMEOUT" test -s "$_e2e_portf" || {
        e2e_diag_file "$E2E_DIR/origin-$_e2e_oname.out"
        e2e_die "origin $_e2e_oname did not start"
    }
    E2E_ORIGIN_PORT=$(cat "$_e2e_portf")
}

e2e_port() { cat "$E2E_DIR/origin-$1.port"; }

e2e_stop_origin() { e2e_stop "origin-$1"; }

# A loopback port with nothing listening: connections to it are refused.
e2e_refused_port() {
    E2E_REFUSED_PORT=$(e2e_free_port)
}

# --- c-icap -------------------------------------------------------------------

# e2e_start_cicap MODULE [LINE...]: MODULE is a path to a service module
# (srv_egressaudit.so from the build, or a bundled one such as
# "$E2E_CICAP_LIBDIR/srv_echo.so"), or "-" for no Service line; each LINE
# is appended to c-icap.conf (e.g. "egressaudit.Database $E2E_DIR/a.db").
e2e_start_cicap() {
    _e2e_mod=$1
    shift
    E2E_CICAP_DIR=$E2E_DIR/c-icap
    mkdir -p "$E2E_CICAP_DIR"
    E2E_CICAP_CONF=$E2E_CICAP_DIR/c-icap.conf
    E2E_CICAP_ACCESS_LOG=$E2E_CICAP_DIR/access.log
    E2E_CICAP_SERVER_LOG=$E2E_CICAP_DIR/server.log
    E2E_CICAP_CTL=$E2E_CICAP_DIR/c-icap.ctl
    rm -f "$E2E_CICAP_DIR/c-icap.pid"
    {
        echo "# written by tests/e2e/lib.sh"
        echo "Port 127.0.0.1:$E2E_CICAP_PORT"
        echo "PidFile $E2E_CICAP_DIR/c-icap.pid"
        echo "CommandsSocket $E2E_CICAP_CTL"
        echo "ServerLog $E2E_CICAP_SERVER_LOG"
        # %{X-Client-IP}>ih and friends are the ICAP request headers Squid sent.
        echo "LogFormat e2e \"%ts %a %im %iu %is %{X-Client-IP}>ih %{X-Authenticated-User}>ih\""
        echo "AccessLog $E2E_CICAP_ACCESS_LOG e2e"
        echo "DebugLevel ${E2E_CICAP_DEBUG:-1}"
        echo "TmpDir $E2E_CICAP_DIR"
        echo "StartServers ${E2E_CICAP_START_SERVERS:-1}"
        echo "MaxServers ${E2E_CICAP_MAX_SERVERS:-${E2E_CICAP_START_SERVERS:-1}}"
        echo "ThreadsPerChild ${E2E_CICAP_THREADS:-10}"
        # Spare-thread limits that never make c-icap start or stop children
        # on its own, so a test knows how many there are.
        echo "MinSpareThreads 0"
        echo "MaxSpareThreads 100000"
        echo "MaxRequestsPerChild 0"
        echo "Timeout 30"
        echo "KeepAliveTimeout ${E2E_CICAP_KEEPALIVE:-30}"
        echo "ModulesDir $E2E_CICAP_LIBDIR"
        if [ "$_e2e_mod" != - ]; then
            echo "ServicesDir $(cd "$(dirname "$_e2e_mod")" && pwd)"
            echo "Service $E2E_ICAP_SERVICE $(basename "$_e2e_mod")"
        else
            echo "ServicesDir $E2E_CICAP_LIBDIR"
        fi
        for _e2e_line in "$@"; do
            printf '%s\n' "$_e2e_line"
        done
    } >"$E2E_CICAP_CONF"
    # No User/Group lines: c-icap then keeps the identity it was started
    # with (root in CI, the test user otherwise) and owns its files.
    e2e_spawn cicap "$CICAP" -N -f "$E2E_CICAP_CONF"
    E2E_CICAP_PID=$E2E_LAST_PID
    if ! "$PYTHON3" "$E2E_HELPER" wait-icap "$E2E_CICAP_PORT" "$E2E_ICAP_SERVICE" "$E2E_START_TIMEOUT"; then
        e2e_diag_file "$E2E_DIR/cicap.out"
        e2e_diag_file "$E2E_CICAP_SERVER_LOG"
        e2e_stop cicap
        return 1
    fi
    export E2E_CICAP_DIR E2E_CICAP_ACCESS_LOG E2E_CICAP_SERVER_LOG E2E_CICAP_PID
}

e2e_stop_cicap() { e2e_stop cicap; }

# e2e_cicap_command CMD [ARG...]: c-icap's CommandsSocket is a FIFO read by
# the main process; the command name is the text up to the first space
# (no newline).  Returns once c-icap has read it (bounded).
e2e_cicap_command() {
    [ -p "$E2E_CICAP_CTL" ] || { e2e_diag "e2e: no c-icap command FIFO"; return 1; }
    "$PYTHON3" - "$E2E_CICAP_CTL" "$*" <<'EOF'
import errno, fcntl, os, sys, termios, time, array
try:
    # Non-blocking: with no c-icap reading, this fails instead of hanging.
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
except OSError as e:
    sys.exit("e2e_cicap_command: %s: %s" % (sys.argv[1], e.strerror))
os.write(fd, sys.argv[2].encode())
# c-icap reads whatever is in the FIFO as one command, so wait until it has
# taken this one before anyone writes the next.
buf = array.array("i", [0])
for _ in range(100):
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    if buf[0] == 0:
        sys.exit(0)
    time.sleep(0.05)
sys.exit("e2e_cicap_command: c-icap did not read the command")
EOF
}

# --- Squid --------------------------------------------------------------------

# e2e_start_squid [LINE...]: each LINE is added to squid.conf before the final
# "http_access allow all", e.g. "acl blocked dstdomain .blocked.test" and
# "http_access deny blocked".
e2e_start_squid() {
    E2E_SQUID_DIR=$E2E_DIR/squid
    mkdir -p "$E2E_SQUID_DIR"
    E2E_SQUID_CONF=$E2E_SQUID_DIR/squid.conf
    E2E_SQUID_ACCESS_LOG=$E2E_SQUID_DIR/access.log
    E2E_SQUID_CACHE_LOG=$E2E_SQUID_DIR/cache.log
    E2E_SQUID_DETAIL_LOG=$E2E_SQUID_DIR/detail.log
    _e2e_icap=icap://127.0.0.1:$E2E_CICAP_PORT/$E2E_ICAP_SERVICE
    {
        echo "# written by tests/e2e/lib.sh"
        echo "http_port 127.0.0.1:$E2E_SQUID_PORT"
        echo "visible_hostname egressaudit-e2e.test"
        echo "pid_filename $E2E_SQUID_DIR/squid.pid"
        echo "cache_log $E2E_SQUID_CACHE_LOG"
        echo "access_log stdio:$E2E_SQUID_ACCESS_LOG ${E2E_SQUID_LOGFORMAT:-squid}"
        # A second log with what the assertions need: the error code and
        # whether ICAP took part (adapt=- when it did not).
        echo "logformat e2e_detail %ts.%03tu %>a user=%un %rm %ru %Ss/%03>Hs %Sh/%<a err=%err_code/%err_detail host=%>rd port=%>rP adapt=%adapt::all_trs"
        echo "access_log stdio:$E2E_SQUID_DETAIL_LOG e2e_detail"
        echo "logfile_rotate 0"
        echo "coredump_dir $E2E_SQUID_DIR"
        echo "cache deny all"
        echo "cache_mem 8 MB"
        echo "pinger_enable off"
        echo "netdb_filename none"
        echo "shutdown_lifetime 1 seconds"
        # Names come from our hosts file only; anything else is asked of
        # 127.0.0.1:53, where nothing listens, and fails after dns_timeout.
        echo "hosts_file $E2E_DIR/hosts"
        echo "dns_nameservers 127.0.0.1"
        echo "dns_timeout ${E2E_SQUID_DNS_TIMEOUT:-1} seconds"
        echo "dns_retransmit_interval 1 seconds"
        echo "negative_dns_ttl 1 seconds"
        echo "icap_enable on"
        echo "icap_send_client_ip on"
        echo "icap_send_client_username on"
        echo "icap_client_username_header X-Authenticated-User"
        # Off by default: c-icap finishes idle keep-alive connections before
        # it exits (about 10 s when Squid holds one open), and a connection
        # that c-icap closes just as Squid reuses it would make a request
        # skip ICAP.  Tests that want production behaviour set it to on.
        echo "icap_persistent_connections ${E2E_SQUID_ICAP_PERSISTENT:-off}"
        echo "icap_service ea_req reqmod_precache $_e2e_icap bypass=on${E2E_SQUID_ICAP_OPTIONS:+ $E2E_SQUID_ICAP_OPTIONS}"
        [ "${E2E_SQUID_RESPMOD:-on}" = off ] ||
            echo "icap_service ea_resp respmod_precache $_e2e_icap bypass=on${E2E_SQUID_ICAP_OPTIONS:+ $E2E_SQUID_ICAP_OPTIONS}"
        if [ -n "${E2E_SQUID_ICAP_SCOPE:-}" ]; then
            echo "include $E2E_SQUID_ICAP_SCOPE"
        else
            echo "adaptation_access ea_req allow all"
            [ "${E2E_SQUID_RESPMOD:-on}" = off ] || echo "adaptation_access ea_resp allow all"
        fi
        for _e2e_line in "$@"; do
            printf '%s\n' "$_e2e_line"
        done
        echo "http_access allow all"
    } >"$E2E_SQUID_CONF"
    if [ "$(id -u)" -eq 0 ]; then
        # As root Squid switches to cache_effective_user (proxy on Debian).
        _e2e_suser=proxy
        getent passwd proxy >/dev/null || _e2e_suser=nobody
        echo "cache_effective_user $_e2e_suser" >>"$E2E_SQUID_CONF"
        chown -R "$_e2e_suser" "$E2E_SQUID_DIR"
    fi
    "$SQUID" -k parse -f "$E2E_SQUID_CONF" >"$E2E_DIR/squid-parse.out" 2>&1 || {
        e2e_diag_file "$E2E_DIR/squid-parse.out"
        e2e_die "squid.conf does not parse"
    }
    e2e_spawn squid "$SQUID" -N -f "$E2E_SQUID_CONF"
    E2E_SQUID_PID=$E2E_LAST_PID
    # Readiness from cache.log, not by probing the port: a probe would leave
    # a line in access.log.
    if ! e2e_wait_for "$E2E_START_TIMEOUT" grep -q 'Accepting HTTP Socket connections' "$E2E_SQUID_CACHE_LOG" 2>/dev/null ||
       ! e2e_alive "$E2E_SQUID_PID"; then
        e2e_diag_file "$E2E_DIR/squid.out"
        e2e_diag_file "$E2E_SQUID_CACHE_LOG"
        e2e_stop squid
        return 1
    fi
    export E2E_SQUID_DIR E2E_SQUID_ACCESS_LOG E2E_SQUID_DETAIL_LOG E2E_SQUID_CACHE_LOG E2E_SQUID_PID
}

e2e_stop_squid() { e2e_stop squid; }

# Reread squid.conf and the hosts file (after e2e_hosts_add).
e2e_reconfigure_squid() {
    "$SQUID" -k reconfigure -f "$E2E_SQUID_CONF" >/dev/null 2>&1
}

# --- clients --------------------------------------------------------------------

# e2e_curl [ARGS...]: curl via the proxy only.  -q ignores ~/.curlrc, and
# --noproxy '' overrides any no_proxy in the environment, so curl itself
# never connects anywhere but the proxy.
e2e_curl() {
    env -u no_proxy -u NO_PROXY "$CURL" -q -sS --max-time "$E2E_CURL_MAX_TIME" \
        --proxy "http://127.0.0.1:$E2E_SQUID_PORT" --noproxy '' "$@"
}

# e2e_curl_status URL [ARGS...]: prints the status the client saw: the
# response's, or for a refused CONNECT the proxy's answer to it; 000 when
# there was none.
e2e_curl_status() {
    _e2e_url=$1
    shift
    set -- $(e2e_curl -o /dev/null -w '%{http_code} %{http_connect}\n' "$@" "$_e2e_url" 2>/dev/null)
    if [ "${1:-000}" = 000 ] && [ "${2:-000}" != 000 ]; then
        echo "$2"
    else
        echo "${1:-000}"
    fi
}
