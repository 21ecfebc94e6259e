#!/bin/sh
# Deployment order: the guide's `egressaudit import` run by root before
# c-icap ever wrote must not leave a root-owned database the c-icap user
# cannot write. A database root creates belongs to its directory's owner;
# a writer that still finds a file it cannot write says whose it is.
# Run as root (it changes users with setpriv), skipped otherwise.
. "$top_srcdir/tests/lib/tap.sh"
ea="$top_builddir/egressaudit"
cat="$top_srcdir/tests/data/import/testvendor.yaml"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (to create files as one user and write them as another)"
command -v setpriv >/dev/null 2>&1 || tap_skip_all "setpriv (util-linux) is not installed"
id nobody >/dev/null 2>&1 || tap_skip_all "no user 'nobody'"
U=$(id -u nobody)
G=$(id -g nobody)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ea-dbowner.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

as_nobody() { setpriv --reuid="$U" --regid="$G" --clear-groups "$@"; }
printf '%s\n' 'ea1 1700000000.000 10.0.0.1 - GET vendor.test 443 TCP_TUNNEL/200 HIER_DIRECT/127.0.0.1 - -' >"$tmp/a.log"
printf '%s\n' 'ea1 1700000001.000 10.0.0.2 - GET vendor.test 443 TCP_TUNNEL/200 HIER_DIRECT/127.0.0.1 - -' >"$tmp/b.log"
chmod 644 "$tmp/a.log" "$tmp/b.log"

# The guide's directory: the writing user's, 0750.
install -d -o "$U" -g "$G" -m 0750 "$tmp/lib"
"$ea" import -c "$cat" -d "$tmp/lib/audit.db" --format egressaudit "$tmp/a.log" 2>"$tmp/root.err"
is "$?" 0 "root imports first, creating the database"
is "$(stat -c %u:%g "$tmp/lib/audit.db")" "$U:$G" "the new database belongs to its directory's owner, not root"
as_nobody "$ea" import -c "$cat" -d "$tmp/lib/audit.db" --format egressaudit "$tmp/b.log" 2>"$tmp/user.err"
is "$?" 0 "the directory's owner then writes to it"

# A root-owned database where the directory gives no owner to adopt.
mkdir -m 0755 "$tmp/rootdir"
"$ea" import -c "$cat" -d "$tmp/rootdir/audit.db" --format egressaudit "$tmp/a.log" 2>/dev/null
as_nobody "$ea" import -c "$cat" -d "$tmp/rootdir/audit.db" --format egressaudit "$tmp/b.log" 2>"$tmp/ro.err"
is "$?" 2 "another user cannot write a root-owned database"
grep -q "audit.db: not writable by this process (uid $U), the file is owned by uid 0 with mode 644: chown it" "$tmp/ro.err"
ok $? "and the error says whose it is and what to do"
# One database for the module (c-icap) and egressaudit-logd (proxy): a
# setgid directory of the shared group, 2770; here nobody stands in for
# c-icap and daemon (in nobody's group) for proxy.
D2=$(id -u daemon 2>/dev/null) || D2=1
install -d -o "$U" -g "$G" -m 2770 "$tmp/shared"
as_nobody "$ea" import -c "$cat" -d "$tmp/shared/audit.db" --format egressaudit "$tmp/a.log" 2>"$tmp/s1.err"
is "$?" 0 "the first user creates the shared database"
is "$(stat -c %a "$tmp/shared/audit.db")" 664 "in a group-writable directory the new database is group-writable"
setpriv --reuid="$D2" --regid="$D2" --groups="$G" "$ea" import -c "$cat" -d "$tmp/shared/audit.db" \
	--format egressaudit "$tmp/b.log" 2>"$tmp/s2.err"
is "$?" 0 "a second user of the group writes to it"
[ "$tap_failed" -eq 0 ] || sed 's/^/# /' "$tmp/root.err" "$tmp/user.err" "$tmp/ro.err" "$tmp/s1.err" "$tmp/s2.err"
tap_done
