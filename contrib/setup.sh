#!/bin/sh
# Set up a build of egressaudit on Debian bookworm: install the Debian
# packages that are missing, generate and run configure when needed, build.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Environment: CI=true (or EA_WERROR=1) builds with -Werror;
# EA_CONFIGURE_FLAGS adds ./configure options.
set -eu

cd "$(dirname "$0")/.."

# Build: the compiler, autotools and the -dev packages configure checks.
# Tests: the real Squid and c-icap, curl, python3 (origins and parsers),
# openssl (a throwaway TLS origin), promtool (prometheus) and chromium;
# unshare (util-linux) and ip (iproute2): make demo's private network
# namespace, where it binds the vendors' ports 80 and 443
# (the HTML report rendered headless); clang for `make fuzz` (libFuzzer).
packages="gcc make pkg-config autoconf automake libtool
libyaml-dev libpcre2-dev libsqlite3-dev libicapapi-dev zlib1g-dev clang
c-icap squid curl python3 openssl sqlite3 procps util-linux iproute2
prometheus chromium"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "setup: installing Debian packages:$missing"
	if [ "$(id -u)" -eq 0 ]; then
		as_root=""
	elif command -v sudo >/dev/null 2>&1; then
		as_root="sudo"
	else
		echo "setup: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
	$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# The squid package starts a system Squid where systemd runs; the
	# project never uses it (tests and the demo run their own on loopback).
	$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	echo "setup: autoreconf -fi"
	autoreconf -fi
fi

flags="${EA_CONFIGURE_FLAGS:-}"
if [ "${CI:-}" = "true" ] || [ "${EA_WERROR:-}" = "1" ]; then
	flags="--enable-werror $flags"
fi
if [ ! -f Makefile ] || [ ! -f config.status ] || [ configure -nt config.status ] ||
   [ "$(cat .setup-flags 2>/dev/null)" != "$flags" ]; then
	echo "setup: ./configure $flags"
	# shellcheck disable=SC2086
	./configure $flags
	echo "$flags" > .setup-flags
fi

make -j"$(nproc 2>/dev/null || echo 2)"
