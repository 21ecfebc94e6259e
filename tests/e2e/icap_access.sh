#!/bin/sh
# Who may write the audit: the c-icap lines that contrib/c-icap-egressaudit.conf
# ships (acl egressaudit_proxy / icap_access), loaded into a real c-icap
# with our module, let the proxy's address (127.0.0.1) record hits and refuse
# another address (127.0.0.2, standing in for a host on the network) before
# the module sees the request: a forged X-Client-IP records nothing.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/module_lib.sh"

ea_init icap_access
e2e_plan 5

SNIPPET=${top_srcdir:-.}/contrib/c-icap-egressaudit.conf
# The snippet's access lines, as shipped (the rest names installed paths).
ACCESS=$(grep -E '^(acl|icap_access) ' "$SNIPPET")
[ "$(printf '%s\n' "$ACCESS" | wc -l)" -eq 4 ]
e2e_ok $? "the shipped snippet has its acl and icap_access lines"
cp "${top_srcdir:-.}/tests/data/import/testvendor.yaml" "$E2E_DIR/catalogue.yaml"
_old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2086
set -- $ACCESS
IFS=$_old_ifs
e2e_start_cicap "$EA_MODULE" "egressaudit.Catalogue $E2E_DIR/catalogue.yaml" \
    "egressaudit.Database $EA_DB" "egressaudit.FlushInterval 100" "$@" ||
    e2e_die "c-icap did not start with the shipped access lines"
e2e_ok 0 "c-icap 0.5 loads the shipped access lines"

# reqmod SOURCE CLIENT: one REQMOD for http://vendor.test/ from SOURCE,
# with X-Client-IP CLIENT; prints c-icap's status line.
reqmod() {
    "$PYTHON3" - "$1" "$E2E_CICAP_PORT" "$2" <<'EOF'
import socket, sys
src, port, client = sys.argv[1], int(sys.argv[2]), sys.argv[3]
http = b"GET http://vendor.test/ HTTP/1.1\r\nHost: vendor.test\r\n\r\n"
icap = (b"REQMOD icap://127.0.0.1:%d/egressaudit ICAP/1.0\r\nHost: 127.0.0.1\r\n"
        b"X-Client-IP: %s\r\nAllow: 204\r\nPreview: 0\r\nEncapsulated: req-hdr=0, null-body=%d\r\n\r\n"
        % (port, client.encode(), len(http))) + http
s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
s.sendall(icap)
reply = b""
while b"\r\n" not in reply:
    chunk = s.recv(4096)
    if not chunk:
        break
    reply += chunk
print(reply.split(b"\r\n")[0].decode(errors="replace"))
EOF
}

status=$(reqmod 127.0.0.2 10.66.66.66)
case "$status" in
"ICAP/1.0 204"*) e2e_ok 1 "a REQMOD from another address is refused (got: $status)" ;;
"ICAP/1.0 "*) e2e_ok 0 "a REQMOD from another address is refused ($status)" ;;
*) e2e_ok 1 "a REQMOD from another address is refused (got: '$status')" ;;
esac
status=$(reqmod 127.0.0.1 10.1.1.1)
case "$status" in
"ICAP/1.0 204"*) e2e_ok 0 "the proxy's address (127.0.0.1) is served ($status)" ;;
*) e2e_ok 1 "the proxy's address (127.0.0.1) is served (got: '$status')" ;;
esac
# The proxy's hit is written (FlushInterval 100); the forged one never is.
ea_wait_q 30 "SELECT group_concat(DISTINCT client) FROM clients" "10.1.1.1"
e2e_ok $? "only the proxy's client is in the database; the forged X-Client-IP recorded nothing"
