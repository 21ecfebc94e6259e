#!/bin/sh
# egressaudit profile sophos-mcs: the Management Communication System host
# read from the installer log, and the example profile in contrib/ loading
# against the shipped catalogue.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/report/lib.sh"

out=$("$ea" profile sophos-mcs -c "$top_srcdir/rules" "$rdata/SophosCloudInstaller.sample.txt")
is "$?" 0 "a host is found in the installer log"
is "$(printf '%s\n' "$out" | grep -c '^    - ')" 1 "the Model::server host is printed once, case folded and without scheme or port"
printf '%s\n' "$out" | grep -qx '    - dzr-api-amzn-eu-west-1-9af7.api-upe.p.hmr.sophos.com'
ok $? "it is the host of the Model::server line"
printf '%s\n' "$out" | grep -qx '  sophos-ep-mcs-server:'
ok $? "it is given for the catalogue's site-specific entry"
out=$(grep 'Opening connection' "$rdata/SophosCloudInstaller.sample.txt" | "$ea" profile sophos-mcs -c "$top_srcdir/rules" -)
is "$?" 0 "standard input is read with '-'"
is "$(printf '%s\n' "$out" | grep -c '^    - ')" 2 "without Model::server lines, the hosts connections were opened to are printed"
echo "nothing here" | "$ea" profile sophos-mcs -c "$top_srcdir/rules" - >/dev/null 2>&1
is "$?" 1 "a log without the lines exits 1"
"$ea" profile sophos-mcs -c "$top_srcdir/rules" "$tmp/none.log" >/dev/null 2>&1
is "$?" 2 "an unreadable log exits 2"

# The printed lines make a profile the report accepts.
{ echo "schema: 1"; "$ea" profile sophos-mcs -c "$top_srcdir/rules" "$rdata/SophosCloudInstaller.sample.txt"; } >"$tmp/p.yaml"
"$fixture" "$tmp/s.db" proxy <<'SPEC'
hit now-60 - sophos dzr-api-amzn-eu-west-1-9af7.api-upe.p.hmr.sophos.com 443 10.0.0.1 - allowed log 1
SPEC
"$ea" report -c "$top_srcdir/rules" -d "$tmp/s.db" -p "$tmp/p.yaml" -f json >"$tmp/s.json"
is "$?" 0 "the printed lines are a valid site profile"
json_check "$tmp/s.json" '
check(e("sophos-ep-mcs-server")["status"] == "ok", "traffic to the host from the log makes the site-specific entry ok")
'
"$ea" report -c "$top_srcdir/rules" -d "$tmp/s.db" -p "$top_srcdir/contrib/site-profile.example.yaml" -f json >"$tmp/ex.json"
is "$?" 0 "contrib/site-profile.example.yaml loads against the shipped catalogue"
json_check "$tmp/ex.json" '
vs = {x["vendor"] for x in r["entries"]}
check(vs == {"sophos", "withsecure"}, "the example keeps both vendors")
check(not any(x["region"] not in (None, "eu-central-1") for x in r["entries"]), "the example keeps only its region")
check(e("ws-bs16-guts2")["acknowledged"]["ports"] == [80], "the example acknowledges one port")
'
tap_done
