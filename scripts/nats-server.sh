#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# nats-server, for the bridge test's JetStream cluster in the guest. It is
# unpacked into kipc's cache, not installed: Debian's package enables and
# starts a NATS service on the host, which a test run has no business
# leaving behind. The binary needs libc alone, so run.sh copies it into
# the guest as it is.
#
#   nats-server.sh fetch   download bookworm's package and unpack it into
#                          $CACHE/nats-server/<version>, unless it is there
#   nats-server.sh --path  the binary: the system's where one is installed,
#                          else the cached one; exit 1 if there is neither

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
PKG=nats-server
DIR=$("$TOP"/scripts/cloud-kernels.sh --cache)/nats-server

die() {
	echo "nats-server: $*" >&2
	exit 1
}

cached() {
	ls -d "$DIR"/*/.kipc-done 2>/dev/null | sed 's|/.kipc-done$||' |
		sort -V | tail -n1
}

fetch() {
	ver=$(apt-cache show "$PKG" 2>/dev/null | sed -n 's/^Version: //p' |
		sort -V | tail -n1)
	if [ -z "$ver" ]; then
		# No archive lists (offline): a cached one will do.
		[ -n "$(cached)" ] || die "no $PKG in the apt lists; run 'apt-get update'"
		return 0
	fi
	out=$DIR/$ver
	[ ! -f "$out/.kipc-done" ] || return 0
	echo "nats-server: fetching $PKG $ver"
	tmp=$DIR/.fetch
	rm -rf "$tmp" "$out"
	mkdir -p "$tmp"
	# As root, apt would hand the download to its _apt user, which cannot
	# write the cache; the file is checked against the signed lists
	# either way.
	(cd "$tmp" && apt-get -qq -o APT::Sandbox::User="$(id -un)" download "$PKG=$ver") ||
		die "could not download $PKG $ver"
	dpkg-deb -x "$tmp"/"$PKG"_*.deb "$tmp"/root
	[ -x "$tmp/root/usr/sbin/nats-server" ] || die "$PKG $ver holds no usr/sbin/nats-server"
	mkdir -p "$out"
	mv "$tmp/root/usr/sbin/nats-server" "$out/nats-server"
	rm -rf "$tmp"
	echo "$ver" >"$out/.kipc-done"
	for old in "$DIR"/*/; do
		[ "${old%/}" = "$out" ] || rm -rf "$old"
	done
}

path() {
	if [ -x /usr/sbin/nats-server ]; then
		echo /usr/sbin/nats-server
		return 0
	fi
	d=$(cached)
	[ -n "$d" ] || return 1
	echo "$d/nats-server"
}

case ${1:-} in
fetch) mkdir -p "$DIR" && fetch ;;
--path) path ;;
*) die "usage: $0 fetch|--path" ;;
esac
