#!/bin/sh
# egressaudit doctor against a real Squid + c-icap on loopback: the good
# deployment (the module included as the package does, a request recorded,
# the access log imported) says OK everywhere and exits 0; each broken
# deployment, a copy of it with one thing wrong, gets its WARN or FAIL line
# and exit status.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

ea_init doctor
e2e_plan 21
EA=${top_builddir:-.}/egressaudit
ME=$(id -un)
MODDIR=$(cd "$(dirname "$EA_MODULE")" && pwd)
DBDIR=$E2E_DIR/db
mkdir -m 0750 "$DBDIR"
EA_DB=$DBDIR/audit.db

# The c-icap snippet as the package installs it, with this tree's paths.
SNIPPET=$E2E_DIR/egressaudit.conf
sed "s,^egressaudit.Catalogue .*,egressaudit.Catalogue $top_srcdir/rules,; s,^egressaudit.Database .*,egressaudit.Database $EA_DB," \
    "$top_srcdir/contrib/c-icap-egressaudit.conf" >"$SNIPPET"
echo "egressaudit.FlushInterval 100" >>"$SNIPPET"

e2e_hosts_add d1.sophosupd.com
ea_start_web
e2e_start_cicap - "ServicesDir $MODDIR" "Include $SNIPPET"
e2e_ok $? "c-icap starts with the module included from its snippet"
# c-icap here has 1 child x 10 threads: 2 services x max-conn 5.
E2E_SQUID_ICAP_OPTIONS=max-conn=5
ea_start_squid
e2e_ok $? "Squid starts with the service at REQMOD and RESPMOD"
CI=$E2E_CICAP_CONF
SQ=$E2E_SQUID_CONF

e2e_curl -o /dev/null http://d1.sophosupd.com/doctor &&
    ea_wait_q 10 "SELECT count(*) > 0 FROM hits WHERE host = 'd1.sophosupd.com' AND outcome = 'allowed'" 1 &&
    e2e_wait_for 10 grep -q d1.sophosupd.com "$E2E_SQUID_ACCESS_LOG" &&
    "$EA" import -q -c "$top_srcdir/rules" -d "$EA_DB" "$E2E_SQUID_ACCESS_LOG"
e2e_ok $? "a vendor request is recorded and Squid's access log imported"

# doctor NAME [OPTIONS]: runs it on the live configuration unless told
# otherwise; output in $E2E_DIR/NAME.out, status in $rc.
doctor() {
    _n=$1
    shift
    "$EA" doctor --cicap-conf "$CI" --squid-conf "$SQ" -u "$ME" "$@" >"$E2E_DIR/$_n.out" 2>&1
    rc=$?
}
# expect NAME STATUS PATTERN: doctor said PATTERN (a grep -E) and exited STATUS.
expect() {
    if [ "$rc" -eq "$2" ] && grep -Eq "$3" "$E2E_DIR/$1.out"; then
        return 0
    fi
    e2e_diag "exit $rc, wanted $2 and /$3/:"
    e2e_diag "$(cat "$E2E_DIR/$1.out")"
    return 1
}

doctor good
expect good 0 '^doctor: [0-9]+ OK, 0 warning\(s\), 0 failure\(s\)$' &&
    [ "$(grep -c '^OK ' "$E2E_DIR/good.out")" -ge 9 ] && ! grep -q '^WARN\|^FAIL' "$E2E_DIR/good.out"
e2e_ok $? "the good deployment: every line OK, exit 0"
e2e_diag "$(cat "$E2E_DIR/good.out")"

# --- c-icap -----------------------------------------------------------------------
grep -v '^Include ' "$CI" >"$E2E_DIR/no-include.conf"
doctor no-include --cicap-conf "$E2E_DIR/no-include.conf"
expect no-include 2 "^FAIL  c-icap: .*no 'Service \.\.\. srv_egressaudit\.so' line" &&
    grep -q "fix: echo 'Include egressaudit.conf' >> $E2E_DIR/no-include.conf" "$E2E_DIR/no-include.out"
e2e_ok $? "c-icap.conf without the Include: FAIL with the line to add, exit 2"

mkdir "$E2E_DIR/empty"
sed "s,^ServicesDir $MODDIR\$,ServicesDir $E2E_DIR/empty," "$CI" >"$E2E_DIR/no-module.conf"
doctor no-module --cicap-conf "$E2E_DIR/no-module.conf"
expect no-module 2 "^FAIL  c-icap: the module $E2E_DIR/empty/srv_egressaudit.so is missing"
e2e_ok $? "the module missing from ServicesDir: FAIL, reinstall, exit 2"

sed "s,^egressaudit.Catalogue .*,egressaudit.Catalogue $top_srcdir/tests/data/bad/syntax.yaml," "$SNIPPET" >"$E2E_DIR/bad-cat.snippet"
sed "s,^Include .*,Include $E2E_DIR/bad-cat.snippet," "$CI" >"$E2E_DIR/bad-cat.conf"
doctor bad-cat --cicap-conf "$E2E_DIR/bad-cat.conf"
expect bad-cat 2 '^FAIL  catalogue: [0-9]+ error\(s\)' && grep -q 'fix: egressaudit lint -c .*syntax.yaml' "$E2E_DIR/bad-cat.out"
e2e_ok $? "a catalogue with an error: FAIL with the lint command, exit 2"

# An Include that includes itself: said, not followed forever.
sed "s,^Include .*,Include $E2E_DIR/loop.conf," "$CI" >"$E2E_DIR/loop.conf"
doctor loop --cicap-conf "$E2E_DIR/loop.conf"
expect loop 2 "^FAIL  c-icap: $E2E_DIR/loop.conf: includes nested more than [0-9]+ deep \\(a loop\\?\\)"
e2e_ok $? "a c-icap.conf that includes itself: FAIL naming the file, exit 2"

# --- database -----------------------------------------------------------------------
chmod 0755 "$DBDIR"
doctor open-dir
chmod 0750 "$DBDIR"
expect open-dir 1 "^WARN  database: $DBDIR is open to every user \(mode 0755\)" && grep -q "fix: chmod o-rwx $DBDIR" "$E2E_DIR/open-dir.out"
e2e_ok $? "a database directory readable by everyone: WARN, chmod o-rwx, exit 1"

if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null; then
    doctor not-writable -u nobody
    expect not-writable 2 "^FAIL  database: $DBDIR is not writable by nobody" && grep -q "fix: chown nobody:" "$E2E_DIR/not-writable.out"
    e2e_ok $? "a database directory the c-icap user cannot write: FAIL with chown, exit 2"
else
    E2E_TESTNUM=$((E2E_TESTNUM + 1))
    echo "ok $E2E_TESTNUM # SKIP needs root and the user nobody"
fi

# --- Squid ------------------------------------------------------------------------------
squid_variant() { # NAME: $E2E_DIR/NAME.squid from stdin, checked by squid -k parse
    cat >"$E2E_DIR/$1.squid"
    "$SQUID" -k parse -f "$E2E_DIR/$1.squid" >"$E2E_DIR/$1.parse" 2>&1 ||
        { e2e_diag_file "$E2E_DIR/$1.parse"; return 1; }
}

grep -v '^icap_service\|^adaptation_access' "$SQ" | squid_variant no-icap &&
    doctor no-icap --squid-conf "$E2E_DIR/no-icap.squid"
expect no-icap 2 '^FAIL  squid: .* sends no request to icap://\.\.\.:[0-9]+/egressaudit and does not use egressaudit-logd'
e2e_ok $? "a Squid that sends nothing to the service: FAIL with the snippet to install, exit 2"

# The ICAP lines in a file that squid.conf includes, as Debian's conf.d/.
mkdir "$E2E_DIR/conf.d"
grep '^icap_\|^adaptation_access' "$SQ" >"$E2E_DIR/conf.d/egressaudit.conf"
{ grep -v '^icap_\|^adaptation_access' "$SQ"; echo "include $E2E_DIR/conf.d/*.conf"; } | squid_variant included &&
    doctor included --squid-conf "$E2E_DIR/included.squid"
expect included 0 '^OK    squid: sends requests to icap://\.\.\.:[0-9]+/egressaudit \(REQMOD and RESPMOD, bypass=on\)'
e2e_ok $? "the ICAP lines in an included conf.d/*.conf file are found: OK, exit 0"

sed 's,^adaptation_access \(ea_[a-z]*\) allow all$,adaptation_access \1 allow ea_scope,' "$SQ" |
    sed '1i acl ea_scope dstdomain .sophosupd.com' | squid_variant scoped &&
    doctor scoped --squid-conf "$E2E_DIR/scoped.squid"
expect scoped 1 '^WARN  squid: [0-9]+ of [0-9]+ catalogue hosts are never sent to the service by adaptation_access: .*central\.sophos\.com'
e2e_ok $? "an ICAP scope ACL narrower than the catalogue: WARN naming the hosts it misses, exit 1"

# The services in an adaptation_service_set that adaptation_access names.
grep -v '^adaptation_access' "$SQ" | sed '$a adaptation_service_set ea_set ea_req\
adaptation_service_set ea_rset ea_resp\
adaptation_access ea_set allow all\
adaptation_access ea_rset allow all' | squid_variant set &&
    doctor set --squid-conf "$E2E_DIR/set.squid"
expect set 0 '^OK    squid: adaptation_access sends all [0-9]+ catalogue hosts to the service'
e2e_ok $? "adaptation_access naming an adaptation_service_set of the services: OK, exit 0"

# Squid logging through egressaudit-logd, which runs as Squid's user.
if getent passwd proxy >/dev/null && [ "$(id -u)" -eq 0 ]; then
    { cat "$SQ"; echo "logfile_daemon /usr/sbin/egressaudit-logd"
      echo "access_log daemon:$E2E_DIR/squid/egressaudit.log squid"; } | squid_variant logd &&
        printf 'catalogue %s\ndatabase %s\n' "$top_srcdir/rules" "$EA_DB" >"$E2E_DIR/logd-bad.conf" &&
        doctor logd-bad --squid-conf "$E2E_DIR/logd.squid" --logd-conf "$E2E_DIR/logd-bad.conf"
    expect logd-bad 2 "^FAIL  logd: $DBDIR is not writable by proxy, the user Squid runs egressaudit-logd as"
    e2e_ok $? "egressaudit-logd's database in a directory Squid's user cannot write: FAIL, exit 2"
    install -d -o proxy -m 0750 "$E2E_DIR/logd-db"
    printf 'catalogue %s\ndatabase %s\n' "$top_srcdir/rules" "$E2E_DIR/logd-db/audit.db" >"$E2E_DIR/logd-good.conf"
    doctor logd-good --squid-conf "$E2E_DIR/logd.squid" --logd-conf "$E2E_DIR/logd-good.conf"
    expect logd-good 0 "^OK    logd: egressaudit-logd \\(as proxy\\) can write $E2E_DIR/logd-db/audit.db"
    e2e_ok $? "egressaudit-logd's database where Squid's user can write: OK, exit 0"
else
    for t in 1 2; do
        E2E_TESTNUM=$((E2E_TESTNUM + 1))
        echo "ok $E2E_TESTNUM # SKIP needs root and Squid's user proxy"
    done
fi

sed 's,max-conn=5$,max-conn=40,' "$SQ" | squid_variant max-conn &&
    sed 's,^MaxServers .*,MaxServers 2,; s,^ThreadsPerChild .*,ThreadsPerChild 10,' "$CI" >"$E2E_DIR/few-threads.conf" &&
    doctor threads --squid-conf "$E2E_DIR/max-conn.squid" --cicap-conf "$E2E_DIR/few-threads.conf"
expect threads 1 '^WARN  c-icap: 20 threads \(MaxServers x ThreadsPerChild\) for up to 80 connections from Squid' &&
    grep -q 'fix: set MaxServers 8 in' "$E2E_DIR/threads.out"
e2e_ok $? "fewer c-icap threads than Squid's max-conn: WARN with the MaxServers to set, exit 1"

sed 's, max-conn=5$,,' "$SQ" | squid_variant no-max-conn &&
    doctor no-max-conn --squid-conf "$E2E_DIR/no-max-conn.squid"
expect no-max-conn 1 "^WARN  c-icap: Squid's icap_service lines have no max-conn=" &&
    grep -q 'fix: add max-conn=5 to each icap_service line' "$E2E_DIR/no-max-conn.out"
e2e_ok $? "icap_service without max-conn= (c-icap announces no limit): WARN with the max-conn to add, exit 1"

# --- what the database says -------------------------------------------------------------------
# Copies of the live database, each changed as time or trouble would.
db_variant() { # NAME SQL
    "$SQLITE3" -cmd '.timeout 2000' "$EA_DB" ".backup '$DBDIR/$1.db'" && "$SQLITE3" "$DBDIR/$1.db" "$2"
}
db_variant drops "INSERT INTO counters (name, value) VALUES ('queue_full', 7)"
doctor drops -d "$DBDIR/drops.db"
expect drops 1 '^WARN  recording: 7 hits were dropped \(queue_full 7\)'
e2e_ok $? "dropped hits in the counters: WARN, exit 1"

db_variant stale "UPDATE traffic SET first_seen = first_seen - 3 * 86400, last_seen = last_seen - 3 * 86400"
doctor stale -d "$DBDIR/stale.db"
expect stale 1 '^WARN  recording: the newest vendor request in .* was recorded 7[0-9] h ago \(more than 24 h\)'
e2e_ok $? "nothing recorded for three days: WARN, exit 1"

db_variant no-import "DELETE FROM log_files"
doctor no-import -d "$DBDIR/no-import.db"
expect no-import 1 "^WARN  import: Squid's access log was never imported" &&
    grep -q 'fix: systemctl enable --now egressaudit-import.timer' "$E2E_DIR/no-import.out"
e2e_ok $? "an access log never imported: WARN, enable the import timer, exit 1"
exit "$((E2E_FAILED > 0))"
