#!/bin/sh
# make demo: what egressaudit does today, on sample inputs. (The loopback
# Squid + c-icap demo replaces this when the module lands.)
set -eu
ea=${EA_BIN:-./egressaudit}
srcdir=${srcdir:-.}
echo "== egressaudit lint -c $srcdir/rules"
"$ea" lint -c "$srcdir/rules"
echo
echo "== egressaudit check -c $srcdir/rules - < contrib/demo-hosts.txt"
"$ea" check -c "$srcdir/rules" - < "$srcdir/contrib/demo-hosts.txt" || [ $? -eq 1 ]
