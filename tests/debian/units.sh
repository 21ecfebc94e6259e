#!/bin/sh
# The systemd units and timers of contrib/systemd/ (systemd-analyze verify,
# their hardening, installed disabled) and the logrotate snippet, plus the
# import timer's file list against Debian's own Squid rotation (daily,
# delaycompress, rotate 2): across two rotations every line is imported
# once.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

UNITS="egressaudit-import egressaudit-prometheus egressaudit-report"
SYSD=$top_srcdir/contrib/systemd
EA_BIN=${top_builddir:-.}/egressaudit
: "${SQLITE3:=$(command -v sqlite3 2>/dev/null)}"
[ -x "$EA_BIN" ] || e2e_skip_all "egressaudit is not built"
[ -n "$SQLITE3" ] || e2e_skip_all "sqlite3 is not installed"
T=$(mktemp -d "${TMPDIR:-/tmp}/egressaudit-units.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
e2e_plan 10

# --- systemd-analyze verify ------------------------------------------------------
# In a root of its own: the units, the binary their ExecStart names, and
# the host's targets and slices they are ordered against.
if command -v systemd-analyze >/dev/null 2>&1 && [ -d /lib/systemd/system ]; then
    mkdir -p "$T/root/lib/systemd/system" "$T/root/usr/bin"
    cp "$SYSD"/*.service "$SYSD"/*.timer "$T/root/lib/systemd/system/"
    cp /lib/systemd/system/*.target /lib/systemd/system/*.slice "$T/root/lib/systemd/system/" 2>/dev/null
    cp "$EA_BIN" "$T/root/usr/bin/egressaudit"
    for u in $UNITS; do
        systemd-analyze verify --man=no --root="$T/root" \
            "$T/root/lib/systemd/system/$u.service" "$T/root/lib/systemd/system/$u.timer" >"$T/verify.out" 2>&1
        ok=$?
        [ -s "$T/verify.out" ] && ok=1
        [ $ok -eq 0 ] || e2e_diag "$(cat "$T/verify.out")"
        e2e_ok $ok "systemd-analyze verify passes, silently, on $u.service and $u.timer"
    done
else
    for u in $UNITS; do
        E2E_TESTNUM=$((E2E_TESTNUM + 1))
        echo "ok $E2E_TESTNUM # SKIP systemd-analyze is not installed ($u)"
    done
fi

# --- hardening ---------------------------------------------------------------------
ok=0
for u in $UNITS; do
    f=$SYSD/$u.service
    for want in Type=oneshot User=c-icap Group=c-icap NoNewPrivileges=yes ProtectSystem=strict \
                ProtectHome=yes PrivateTmp=yes PrivateNetwork=yes 'ReadWritePaths=/var/lib/egressaudit' \
                EnvironmentFile=/etc/egressaudit/schedule.conf; do
        grep -q "^$want" "$f" || { ok=1; e2e_diag "$u.service lacks $want"; }
    done
done
grep -q '^CapabilityBoundingSet=$' "$SYSD/egressaudit-import.service" &&
grep -q '^CapabilityBoundingSet=$' "$SYSD/egressaudit-report.service" &&
grep -q '^ReadWritePaths=/var/lib/egressaudit /var/lib/prometheus/node-exporter$' "$SYSD/egressaudit-prometheus.service" &&
grep -q '^CapabilityBoundingSet=CAP_DAC_OVERRIDE$' "$SYSD/egressaudit-prometheus.service" || ok=1
e2e_ok $ok "each service is a oneshot (never two at once) as c-icap, read-only but for what it writes, without new privileges or network"

ok=0
for u in $UNITS; do
    grep -q '^WantedBy=timers.target$' "$SYSD/$u.timer" || ok=1
    ! grep -q '^\[Install\]' "$SYSD/$u.service" || ok=1
done
grep -q 'dh_installsystemd --no-enable --no-start' "$top_srcdir/debian/rules" || ok=1
e2e_ok $ok "only the timers can be enabled, and the package installs them disabled and stopped"

# --- logrotate: the daily report -----------------------------------------------------
if command -v logrotate >/dev/null 2>&1; then
    mkdir -p "$T/reports"
    me=$(id -un) mygroup=$(id -gn)
    sed "s,/var/lib/egressaudit/reports,$T/reports,; s,su c-icap c-icap,su $me $mygroup," \
        "$top_srcdir/contrib/logrotate/egressaudit" >"$T/logrotate.conf"
    logrotate -d -s "$T/state" "$T/logrotate.conf" >"$T/lr-d.out" 2>&1 &&
        ! grep -qi 'error' "$T/lr-d.out"
    e2e_ok $? "logrotate -d accepts the snippet"
    echo '<html>day 1</html>' >"$T/reports/daily.html"
    logrotate -f -s "$T/state" "$T/logrotate.conf" >"$T/lr.out" 2>&1 &&
        [ ! -e "$T/reports/daily.html" ] && ls "$T/reports" | grep -q '^daily\.html-[0-9]\{8\}$'
    ok=$?
    [ $ok -eq 0 ] && e2e_diag "$(ls "$T/reports")" || e2e_diag_file "$T/lr.out"
    e2e_ok $ok "a rotation keeps the day's report as daily.html-YYYYMMDD and leaves no empty daily.html"
else
    for s in "logrotate -d" "rotation"; do
        E2E_TESTNUM=$((E2E_TESTNUM + 1))
        echo "ok $E2E_TESTNUM # SKIP logrotate is not installed ($s)"
    done
fi

# --- the import timer across Debian's Squid rotation -----------------------------------
# Debian's /etc/logrotate.d/squid, its scripts left out (they talk to the
# system's Squid).
if command -v logrotate >/dev/null 2>&1; then
    L=$T/squid
    mkdir -p "$L"
    cat >"$T/squid.logrotate" <<EOT
$L/*.log {
	daily
	compress
	delaycompress
	rotate 2
	missingok
	nocreate
	sharedscripts
}
EOT
    n=0
    line() { # squid's native format, one request to a vendor host
        n=$((n + 1))
        printf '%d.%03d      5 127.0.0.1 TCP_MISS/200 512 GET http://d1.sophosupd.com/r%d - HIER_DIRECT/127.0.0.1 text/plain\n' \
            "$((1764780000 + n))" "$n" "$n" >>"$L/access.log"
    }
    # schedule.conf's list, the same order, in $L.
    logs=$(sed -n 's/^EA_SQUID_LOGS="\(.*\)"$/\1/p' "$SYSD/schedule.conf" | sed "s,/var/log/squid,$L,g")
    import() {
        # shellcheck disable=SC2086
        "$EA_BIN" import --missing-ok -c "$top_srcdir/rules" -d "$T/audit.db" -f squid $logs >>"$T/import.out" 2>&1
    }
    total() { "$SQLITE3" -readonly "$T/audit.db" "SELECT sum(count) FROM hits WHERE entry = 'sophos-ep-d1-sophosupd-com'"; }

    line; line; import && [ "$(total)" = 2 ]
    e2e_ok $? "the import timer's file list works before any rotation (access.log.1 and .2.gz skipped)"
    line
    logrotate -f -s "$T/squid.state" "$T/squid.logrotate" >"$T/lr2.out" 2>&1
    line; line
    [ -f "$L/access.log.1" ] && import && [ "$(total)" = 5 ]
    e2e_ok $? "after a rotation, the rest of access.log.1 and the new access.log are imported, nothing twice (5)"
    line
    logrotate -f -s "$T/squid.state" "$T/squid.logrotate" >>"$T/lr2.out" 2>&1
    [ -f "$L/access.log.2.gz" ] && [ -f "$L/access.log.1" ] && import && [ "$(total)" = 6 ]
    ok=$?
    [ $ok -eq 0 ] || { e2e_diag "$(ls "$L")"; e2e_diag_file "$T/import.out"; e2e_diag "total: $(total)"; }
    e2e_ok $ok "after a second rotation (access.log.2.gz compressed), the line written before it is imported and none twice (6)"
else
    for s in 1 2 3; do
        E2E_TESTNUM=$((E2E_TESTNUM + 1))
        echo "ok $E2E_TESTNUM # SKIP logrotate is not installed"
    done
fi
exit "$((E2E_FAILED > 0))"
