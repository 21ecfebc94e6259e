#!/bin/sh
# The Debian packages, built from a copy of the source (the tree and the
# machine's installed packages are never touched): their file lists,
# conffiles and maintainer scripts, lintian, then the extracted tree
# serving a private c-icap + Squid on loopback that records a vendor
# request, the timers' commands run as their units run them, and the
# maintainer scripts run in that tree (DPKG_ROOT) through install,
# upgrade, remove and purge.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

ea_init package
for tool in dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps dh deb-systemd-helper; do
    command -v "$tool" >/dev/null 2>&1 ||
        e2e_skip_all "$tool is not installed (contrib/setup.sh --test installs the packaging tools)"
done
[ "$(id -u)" -eq 0 ] || e2e_skip_all "the maintainer scripts chown to c-icap: run as root"
getent passwd c-icap >/dev/null || e2e_skip_all "no user c-icap (the c-icap package makes it)"
e2e_plan 24

SRC=$E2E_DIR/src
OUT=$E2E_DIR
ROOT=$E2E_DIR/root
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
VERSION=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
MOD_DEB=$OUT/libc-icap-mod-egressaudit_${VERSION}_$ARCH.deb
CMD_DEB=$OUT/egressaudit_${VERSION}_$ARCH.deb

# --- build ----------------------------------------------------------------------
# The files git knows (a checkout, new files included), or the whole tree (a
# release tarball, as in make distcheck, even when it was unpacked inside a
# checkout): never the build's own outputs.
mkdir -p "$SRC"
if [ "$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$top_srcdir" && pwd -P)" ]; then
    (cd "$top_srcdir" && { git ls-files; git ls-files --others --exclude-standard; } |
        sort -u | while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
        tar -cf - -T -) | tar -xf - -C "$SRC"
else
    (cd "$top_srcdir" && tar -cf - .) | tar -xf - -C "$SRC"
fi
chmod -R u+w "$SRC"    # distcheck's tree is read-only
if ! (cd "$SRC" && dpkg-checkbuilddeps) >"$E2E_DIR/builddeps.out" 2>&1; then
    e2e_skip_all "build dependencies missing: $(tr '\n' ' ' <"$E2E_DIR/builddeps.out")"
fi
# make check already ran the tests (nocheck); the outer make's job server
# and variables stay out of the package build.
(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u top_srcdir -u top_builddir \
    DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) >"$E2E_DIR/build.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -f "$MOD_DEB" ] && [ -f "$CMD_DEB" ]
e2e_ok $? "dpkg-buildpackage -us -uc -b builds egressaudit and libc-icap-mod-egressaudit from a clean copy"
[ $rc -eq 0 ] || { e2e_diag_file "$E2E_DIR/build.out" 40; exit 1; }

# --- what the packages hold -------------------------------------------------------
dpkg-deb -c "$MOD_DEB" | awk '{print $6}' | sed 's,^\./,/,' | sort >"$E2E_DIR/mod.files"
dpkg-deb -c "$CMD_DEB" | awk '{print $6}' | sed 's,^\./,/,' | sort >"$E2E_DIR/cmd.files"
has() { grep -qx "$2" "$E2E_DIR/$1.files" || { e2e_diag "$1 lacks $2"; return 1; }; }

ok=0
for f in /usr/lib/$MA/c_icap/srv_egressaudit.so /etc/c-icap/egressaudit.conf \
         /usr/share/doc/libc-icap-mod-egressaudit/README.Debian; do
    has mod "$f" || ok=1
done
! grep -q '\.la$\|^/usr/bin\|^/usr/share/egressaudit' "$E2E_DIR/mod.files" || ok=1
e2e_ok $ok "the module package has the module in c-icap's ServicesDir, its /etc/c-icap snippet, no .la and nothing of the command"

ok=0
for f in /usr/bin/egressaudit /usr/sbin/egressaudit-logd \
         /usr/share/egressaudit/rules/sophos.yaml /usr/share/egressaudit/rules/withsecure.yaml \
         /etc/egressaudit/logd.conf /etc/egressaudit/schedule.conf /etc/logrotate.d/egressaudit \
         /usr/share/man/man1/egressaudit.1.gz /usr/share/man/man1/egressaudit-report.1.gz \
         /usr/share/man/man1/egressaudit-doctor.1.gz /usr/share/doc/egressaudit/examples/squid-egressaudit.conf \
         /usr/share/man/man8/egressaudit-logd.8.gz; do
    has cmd "$f" || ok=1
done
for u in import prometheus report; do
    has cmd "/lib/systemd/system/egressaudit-$u.service" || ok=1
    has cmd "/lib/systemd/system/egressaudit-$u.timer" || ok=1
done
! grep -q 'c_icap\|^/etc/c-icap' "$E2E_DIR/cmd.files" || ok=1
e2e_ok $ok "egressaudit has the command, the log daemon, the catalogues, man pages, /etc/egressaudit, three services and their timers, the logrotate snippet"

ctl() { dpkg-deb --ctrl-tarfile "$1" | tar -xOf - "./$2" 2>/dev/null; }
[ "$(ctl "$MOD_DEB" conffiles)" = /etc/c-icap/egressaudit.conf ] &&
[ "$(ctl "$CMD_DEB" conffiles | sort | tr '\n' ' ')" = "/etc/egressaudit/logd.conf /etc/egressaudit/schedule.conf /etc/logrotate.d/egressaudit " ]
e2e_ok $? "the conffiles are the c-icap snippet and /etc/egressaudit's two files and the logrotate snippet"

dep=$(dpkg-deb -f "$MOD_DEB" Depends)
case "$dep" in *"c-icap"*"egressaudit (= $VERSION)"*) ok=0 ;; *) ok=1; e2e_diag "Depends: $dep" ;; esac
[ "$(dpkg-deb -f "$MOD_DEB" Provides)" = libc-icap-module ] || ok=1
e2e_ok $ok "the module depends on c-icap and the same egressaudit, and provides libc-icap-module as Debian's c-icap modules do"

ok=0
for deb in "$MOD_DEB" "$CMD_DEB"; do
    for s in preinst postinst prerm postrm; do
        ctl "$deb" "$s" >"$E2E_DIR/script" || continue
        sh -n "$E2E_DIR/script" || { ok=1; e2e_diag "$deb: $s: syntax error"; }
        # Nothing started, enabled, restarted or reconfigured for the admin.
        # dh's own snippets may stop the units before an upgrade and
        # re-enable a timer only where the administrator had enabled it.
        if grep -En 'systemctl (start|restart|reload|enable)|deb-systemd-invoke (start|restart|reload)|invoke-rc\.d [^ ]+ (start|restart)|>>? *[^ ]*(c-icap|squid)\.conf|sed -i.*(c-icap|squid)\.conf|squid -k' "$E2E_DIR/script" |
           grep -v "^[0-9]*:[[:space:]]*#" >"$E2E_DIR/grep.out" ||
           [ "$(grep -c 'deb-systemd-helper enable' "$E2E_DIR/script")" != "$(grep -c 'deb-systemd-helper --quiet was-enabled' "$E2E_DIR/script")" ]; then
            ok=1
            e2e_diag "$(basename "$deb") $s:"
            e2e_diag "$(cat "$E2E_DIR/grep.out")"
        fi
    done
done
e2e_ok $ok "no maintainer script starts, restarts or enables a service, or edits c-icap.conf or squid.conf"

ctl "$MOD_DEB" postinst | grep -q 'install -d -o c-icap -g c-icap -m 0750'
e2e_ok $? "the module's postinst creates the database directory for c-icap, mode 0750"

if command -v lintian >/dev/null 2>&1; then
    lintian --pedantic --fail-on error,warning "$OUT"/egressaudit_*.changes >"$E2E_DIR/lintian.out" 2>&1
    ok=$?
    [ $ok -eq 0 ] || e2e_diag_file "$E2E_DIR/lintian.out" 40
    e2e_ok $ok "lintian reports no error and no warning"
else
    echo "ok $((E2E_TESTNUM + 1)) # SKIP lintian is not installed (contrib/setup.sh --test installs it)"
    E2E_TESTNUM=$((E2E_TESTNUM + 1))
fi

# --- the extracted packages serve ---------------------------------------------------
mkdir -p "$ROOT"
dpkg-deb -x "$CMD_DEB" "$ROOT" && dpkg-deb -x "$MOD_DEB" "$ROOT"
e2e_ok $? "both packages extract with dpkg-deb -x into a temporary root"
find "$ROOT" ! -type d | sort >"$E2E_DIR/unpacked.list"

# The maintainer scripts as dpkg runs them, in $ROOT.
maint() { # PACKAGE SCRIPT ARGS...
    _deb=$MOD_DEB
    [ "$1" = egressaudit ] && _deb=$CMD_DEB
    ctl "$_deb" "$2" >"$E2E_DIR/$1.$2" || return 0
    _p=$1 _s=$2
    shift 2
    DPKG_ROOT=$ROOT DPKG_MAINTSCRIPT_PACKAGE=$_p DPKG_MAINTSCRIPT_NAME=$_s \
        sh -e "$E2E_DIR/$_p.$_s" "$@" >>"$E2E_DIR/maint.out" 2>&1
}

maint egressaudit preinst install && maint libc-icap-mod-egressaudit preinst install &&
maint egressaudit postinst configure && maint libc-icap-mod-egressaudit postinst configure
ok=$?
[ "$(stat -c '%U:%G %a' "$ROOT/var/lib/egressaudit" 2>/dev/null)" = "c-icap:c-icap 750" ] || ok=1
[ $ok -eq 0 ] || e2e_diag_file "$E2E_DIR/maint.out"
e2e_ok $ok "postinst configure (a first install) creates /var/lib/egressaudit as c-icap:c-icap 0750"

[ ! -e "$ROOT/etc/systemd/system/timers.target.wants" ] &&
    ! ls "$ROOT/var/lib/systemd/deb-systemd-helper-enabled"/*.wants 2>/dev/null | grep -q egressaudit
e2e_ok $? "no timer is enabled by the installation"

# The packaged c-icap snippet, included as Debian's c-icap modules are; its
# /usr and /var paths point into the root, nothing else is changed.
SNIPPET=$ROOT/etc/c-icap/egressaudit.conf
grep -q '^egressaudit.Catalogue /usr/share/egressaudit/rules$' "$SNIPPET" &&
    grep -q '^Service egressaudit srv_egressaudit.so$' "$SNIPPET"
e2e_ok $? "the snippet loads srv_egressaudit.so and the packaged catalogue"
sed -i "s,/usr/share/egressaudit,$ROOT/usr/share/egressaudit,; s,/var/lib/egressaudit,$ROOT/var/lib/egressaudit," "$SNIPPET"
sed -i "s,/usr/share/egressaudit,$ROOT/usr/share/egressaudit,; s,/var/lib/egressaudit,$ROOT/var/lib/egressaudit," \
    "$ROOT/etc/egressaudit/schedule.conf"
EA_DB=$ROOT/var/lib/egressaudit/audit.db

e2e_hosts_add d1.sophosupd.com
ea_start_web
E2E_ICAP_SERVICE=egressaudit
e2e_start_cicap - "ServicesDir $ROOT/usr/lib/$MA/c_icap" "Include $SNIPPET"
e2e_ok $? "c-icap starts with 'Include egressaudit.conf' of the extracted package"
# c-icap here has 1 child x 10 threads: 2 services x max-conn 5.
E2E_SQUID_ICAP_OPTIONS=max-conn=5
ea_start_squid "access_log stdio:$E2E_DIR/squid/access.log squid"
e2e_ok $? "Squid starts with the module as its REQMOD and RESPMOD service"

[ "$(e2e_curl http://d1.sophosupd.com/pkg)" = "vendor origin body" ] &&
ea_wait_q 15 "SELECT sum(count) FROM hits WHERE host = 'd1.sophosupd.com' AND entry = 'sophos-ep-d1-sophosupd-com' AND outcome = 'allowed'" 1
e2e_ok $? "a request to a vendor host through Squid is recorded by the packaged module in /var/lib/egressaudit/audit.db"

# --- the timers' commands, as their services run them ----------------------------------
# ExecStart with schedule.conf's variables, as systemd expands them
# (${VAR} one word, $VAR split on blanks); output paths redirected to $ROOT.
run_unit() { # UNIT
    _cmd=$(sed -n 's/^ExecStart=//p' "$ROOT/lib/systemd/system/$1.service")
    _cmd=$(printf '%s\n' "$_cmd" | sed "s,/usr/bin/egressaudit,$ROOT/usr/bin/egressaudit,; s, /var/lib/, $ROOT/var/lib/,g")
    (set -a; . "$ROOT/etc/egressaudit/schedule.conf"; set +a
     eval "$_cmd") >"$E2E_DIR/unit-$1.out" 2>&1
}
sed -i "s,^EA_SQUID_LOGS=.*,EA_SQUID_LOGS=\"$E2E_DIR/squid/access.log.1 $E2E_DIR/squid/access.log\"," \
    "$ROOT/etc/egressaudit/schedule.conf"
e2e_wait_for 10 grep -q d1.sophosupd.com "$E2E_DIR/squid/access.log"
run_unit egressaudit-import && grep -q 'access.log: .* [1-9][0-9]* vendor requests' "$E2E_DIR/unit-egressaudit-import.out"
ok=$?
[ $ok -eq 0 ] || e2e_diag_file "$E2E_DIR/unit-egressaudit-import.out"
e2e_ok $ok "egressaudit-import.service's command imports Squid's log (access.log.1 not there yet: skipped)"

mkdir -p "$ROOT/var/lib/prometheus/node-exporter"
run_unit egressaudit-prometheus &&
    grep -q '^egressaudit_.*sophos-ep-d1-sophosupd-com' \
        "$ROOT/var/lib/prometheus/node-exporter/egressaudit.prom" &&
    [ "$(stat -c %a "$ROOT/var/lib/prometheus/node-exporter/egressaudit.prom")" = 644 ] &&
    ! ls -A "$ROOT/var/lib/prometheus/node-exporter" | grep -q '^\.'
ok=$?
[ $ok -eq 0 ] || e2e_diag_file "$E2E_DIR/unit-egressaudit-prometheus.out"
e2e_ok $ok "egressaudit-prometheus.service's command writes egressaudit.prom (0644, no temporary file left) into the textfile directory"

mkdir -p "$ROOT/var/lib/egressaudit/reports"
run_unit egressaudit-report && grep -q 'd1.sophosupd.com' "$ROOT/var/lib/egressaudit/reports/daily.html"
ok=$?
[ $ok -eq 0 ] || e2e_diag_file "$E2E_DIR/unit-egressaudit-report.out"
e2e_ok $ok "egressaudit-report.service's command writes the daily HTML report"

# The doctor of the extracted package on this deployment (c-icap runs as
# the test's user here, not c-icap).
"$ROOT/usr/bin/egressaudit" doctor --cicap-conf "$E2E_CICAP_CONF" --squid-conf "$E2E_SQUID_CONF" \
    -u "$(id -un)" >"$E2E_DIR/doctor.out" 2>&1
ok=$?
[ $ok -eq 0 ] || e2e_diag_file "$E2E_DIR/doctor.out"
e2e_ok $ok "egressaudit doctor says OK on every line for the packaged deployment"

e2e_stop_squid
e2e_stop_cicap

# --- upgrade, remove, purge ---------------------------------------------------------
# An administrator's change to the directory survives an upgrade.
chmod 0700 "$ROOT/var/lib/egressaudit"
maint libc-icap-mod-egressaudit prerm upgrade "$VERSION" && maint egressaudit prerm upgrade "$VERSION" &&
maint libc-icap-mod-egressaudit preinst upgrade "$VERSION" && maint egressaudit preinst upgrade "$VERSION" &&
maint libc-icap-mod-egressaudit postrm upgrade "$VERSION" && maint egressaudit postrm upgrade "$VERSION" &&
maint egressaudit postinst configure "$VERSION" && maint libc-icap-mod-egressaudit postinst configure "$VERSION"
ok=$?
[ "$(stat -c '%a' "$ROOT/var/lib/egressaudit")" = 700 ] && [ -s "$EA_DB" ] || ok=1
e2e_ok $ok "an upgrade keeps the database and the administrator's mode on its directory"

# dpkg removes a package's files but its conffiles, then runs postrm remove.
remove_files() { # DEB
    dpkg-deb -c "$1" | awk '{print $6}' | sed 's,^\./,,' | while IFS= read -r f; do
        case "$f" in etc/*) continue ;; esac
        [ -d "$ROOT/$f" ] || rm -f "$ROOT/$f"
    done
}
maint libc-icap-mod-egressaudit prerm remove && remove_files "$MOD_DEB" &&
maint libc-icap-mod-egressaudit postrm remove &&
maint egressaudit prerm remove && remove_files "$CMD_DEB" && maint egressaudit postrm remove
ok=$?
[ -s "$EA_DB" ] && [ -f "$ROOT/etc/c-icap/egressaudit.conf" ] && [ -f "$ROOT/etc/egressaudit/schedule.conf" ] || ok=1
e2e_ok $ok "remove keeps the conffiles and the audit database"

for c in $(ctl "$MOD_DEB" conffiles) $(ctl "$CMD_DEB" conffiles); do rm -f "$ROOT$c"; done
maint libc-icap-mod-egressaudit postrm purge && maint egressaudit postrm purge
e2e_ok $? "postrm purge runs for both packages"
[ ! -e "$ROOT/var/lib/egressaudit" ] && [ ! -e "$ROOT/var/lib/prometheus/node-exporter/egressaudit.prom" ]
e2e_ok $? "purge removes the database directory and the Prometheus textfile"

# What remains: directories only (dpkg removes those left empty).
find "$ROOT" -depth -type d -empty -delete 2>/dev/null
left=$(find "$ROOT" ! -type d 2>/dev/null)
[ -z "$left" ] || e2e_diag "left behind: $left"
[ -z "$left" ]
e2e_ok $? "after purge nothing is left in the root: no file, no systemd state, no empty directory"
exit "$((E2E_FAILED > 0))"
