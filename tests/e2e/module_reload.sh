#!/bin/sh
# Reloading the catalogue without restarting c-icap: `egressaudit:reload` on
# c-icap's command FIFO makes every child load the catalogue again; a
# catalogue with errors is rejected with its FILE:LINE:COLUMN error in the
# server log, and the one in force keeps working. Two c-icap children, so
# the command must reach more than one process.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

E2E_CICAP_START_SERVERS=2
# c-icap's DebugLevel stays at 1 (Debian's default): the FIFO has no reply,
# so a successful reload must show in the server log at that level.
E2E_CICAP_DEBUG=1
EA_SENTINEL_HOST=s.reload.test
EA_SENTINEL_ENTRY=reload-s
ea_init reload
e2e_plan 13

CAT=$E2E_DIR/catalogue
mkdir -p "$CAT"

# write_catalogue ENTRY-LINES: the test vendor, owning reload.test, with
# the given entries (YAML lines).
write_catalogue() {
    cat >"$CAT/reload.yaml.new" <<EOF
schema: 1
vendor:
  id: reloadtest
  name: Reload Test
  domains: [reload.test]
source:
  title: "egressaudit e2e reload test"
  transcribed: 2026-11-25
products:
  agent: "Test agent"
defaults:
  ports: [80]
  level: required
groups:
  - id: agent
    product: agent
    entries:
$1
EOF
    mv "$CAT/reload.yaml.new" "$CAT/reload.yaml"
}

ENTRY_A='      - id: reload-s
        host: s.reload.test
      - id: reload-a
        host: a.reload.test'
ENTRY_B='      - id: reload-b
        host: b.reload.test
      - id: reload-c
        host: c.elsewhere.test'

write_catalogue "$ENTRY_A"
e2e_hosts_add a.reload.test b.reload.test c.elsewhere.test d.elsewhere.test
ea_start_web
e2e_start_cicap "$EA_MODULE" \
    "egressaudit.Catalogue $CAT" \
    "egressaudit.Database $EA_DB" \
    "egressaudit.FlushInterval 100"
e2e_ok $? "c-icap starts with two children and a catalogue naming only a.reload.test"
ea_start_squid
e2e_ok $? "Squid starts"

# get HOST N: N GETs to http://HOST/; succeeds when all were served.
get() {
    _n=0
    _ok=0
    while [ "$_n" -lt "$2" ]; do
        [ "$(e2e_curl "http://$1/r$_n")" = "vendor origin body" ] || _ok=1
        _n=$((_n + 1))
    done
    return $_ok
}

# How many "NAME: catalogue loaded" / "has errors" lines the server log has.
log_count() {
    grep -c "egressaudit: $1" "$E2E_CICAP_SERVER_LOG" 2>/dev/null || true
}

get a.reload.test 2 && get b.reload.test 2 && get c.elsewhere.test 2 && ea_sentinel
ea_wait_q 10 "SELECT host, entry, outcome, sum(count) FROM hits WHERE host <> '$EA_SENTINEL_HOST'
              GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" "\
a.reload.test|reload-a|allowed|2
a.reload.test|reload-a|unknown|2
b.reload.test||allowed|2
b.reload.test||unknown|2"
e2e_ok $? "before the reload: a.reload.test is an entry, b.reload.test uncatalogued, c.elsewhere.test not recorded"

# --- a good reload ---------------------------------------------------------------
loaded=$(log_count 'egressaudit:reload: catalogue loaded')
write_catalogue "$ENTRY_A
$ENTRY_B"
e2e_cicap_command egressaudit:reload &&
    e2e_wait_for 10 eval '[ "$(log_count "egressaudit:reload: catalogue loaded")" -ge $((loaded + 2)) ]'
e2e_ok $? "egressaudit:reload is logged as loaded by the children, at DebugLevel 1 ($(log_count 'egressaudit:reload: catalogue loaded') times)"

# Twenty requests each, so that both children very likely serve some:
# every one must be recorded under the new entries.
get b.reload.test 20 && get c.elsewhere.test 20
ea_wait_q 10 "SELECT host, entry, outcome, sum(count) FROM hits
              WHERE host IN ('b.reload.test', 'c.elsewhere.test')
              GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" "\
b.reload.test||allowed|2
b.reload.test||unknown|2
b.reload.test|reload-b|allowed|20
b.reload.test|reload-b|unknown|20
c.elsewhere.test|reload-c|allowed|20
c.elsewhere.test|reload-c|unknown|20"
e2e_ok $? "after the reload every request to the newly catalogued hosts is recorded under their entries"

# --- a broken catalogue is rejected -------------------------------------------------
errors=$(log_count 'egressaudit:reload: the catalogue has errors')
write_catalogue "$ENTRY_A
$ENTRY_B
      - id: reload-d
        host: d.elsewhere.test
        ports: [eighty]"
e2e_cicap_command egressaudit:reload &&
    e2e_wait_for 10 eval '[ "$(log_count "egressaudit:reload: the catalogue has errors")" -ge $((errors + 2)) ]'
e2e_ok $? "a reload of a catalogue with an error is refused"

grep -q "egressaudit: $CAT/reload.yaml:[0-9]*:[0-9]*: error: " "$E2E_CICAP_SERVER_LOG" &&
    grep -q "the previous catalogue stays in force" "$E2E_CICAP_SERVER_LOG"
e2e_ok $? "the server log names the error as FILE:LINE:COLUMN and says the previous catalogue stays in force"
grep "$CAT/reload.yaml:[0-9]*:[0-9]*:" "$E2E_CICAP_SERVER_LOG" | head -n 1 | sed 's/^/# /'

get d.elsewhere.test 10 && get c.elsewhere.test 10
ea_sentinel
ea_wait_q 10 "SELECT entry, outcome, sum(count) FROM hits WHERE host = 'c.elsewhere.test'
              GROUP BY 1, 2 ORDER BY 1, 2" "\
reload-c|allowed|30
reload-c|unknown|30"
e2e_ok $? "the catalogue in force keeps recording (c.elsewhere.test: 10 more)"

[ -z "$(ea_rows d.elsewhere.test)" ]
e2e_ok $? "the broken catalogue's new entry (d.elsewhere.test) is not in force"

# --- c-icap's own reconfigure ------------------------------------------------------
# c-icap unloads and reloads every module on reconfigure, so nothing survives
# in memory: the module falls back to the copy of the last catalogue that
# loaded, kept beside the database, and keeps recording with it.
[ -n "$(ls "$E2E_DIR"/catalogue.last-good/*.yaml 2>/dev/null)" ]
e2e_ok $? "a copy of the last good catalogue is kept beside the database"
before=$(ea_q "SELECT sum(count) FROM hits WHERE host = 'c.elsewhere.test'")
e2e_cicap_command reconfigure &&
    e2e_wait_for 10 eval '[ "$(log_count "start: using the last good catalogue")" -ge 1 ]' &&
    e2e_wait_for 10 "$PYTHON3" "$E2E_HELPER" wait-icap "$E2E_CICAP_PORT" "$E2E_ICAP_SERVICE" 1 &&
    get c.elsewhere.test 3 &&
    ea_wait_q 10 "SELECT sum(count) FROM hits WHERE host = 'c.elsewhere.test'" "$((before + 6))"
e2e_ok $? "after c-icap's reconfigure with a broken catalogue, the last good one records (was $before, +3 requests)"
[ -z "$(ea_rows d.elsewhere.test)" ] && [ "$(log_count "start: the catalogue has errors")" -ge 1 ]
e2e_ok $? "the broken catalogue is still refused after the reconfigure, with its error logged"

write_catalogue "$ENTRY_A
$ENTRY_B"
e2e_cicap_command egressaudit:reload
e2e_wait_for 10 eval '[ "$(log_count "egressaudit:reload: catalogue loaded")" -ge $((loaded + 4)) ]'
before=$(ea_q "SELECT sum(count) FROM hits WHERE host = 'c.elsewhere.test'")
get c.elsewhere.test 5
ea_wait_q 10 "SELECT sum(count) FROM hits WHERE host = 'c.elsewhere.test'" "$((before + 10))"
e2e_ok $? "once fixed, egressaudit:reload brings recording back without a restart (was $before, +5 requests, requested and allowed)"

[ "$E2E_FAILED" -eq 0 ] || {
    e2e_diag "$(ea_q 'SELECT * FROM hits')"
    e2e_diag_file "$E2E_CICAP_SERVER_LOG" 40
}
exit 0
