#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The newest kernel "make check" boots: Debian's linux-source-7.3 from
# trixie-backports, built from tinyconfig plus scripts/kernel-7.3.config
# (no debugging options: it is there for its API, not its checks). See
# scripts/kernel-build.sh for the usage, the cache and its key.
#
# The package comes from trixie, which this bookworm host must not take
# packages from, so it is never installed: apt fetches it through private
# lists under $KIPC_CACHE/apt/trixie-backports (scripts/private-apt.sh),
# and dpkg-deb unpacks only its tarball. Offline, the newest package
# already fetched is used.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
NAME=kernel-7.3
SELF=$TOP/scripts/kernel-7.3.sh
FRAG=$TOP/scripts/kernel-7.3.config
PKG=linux-source-7.3
SUITE=trixie-backports

. "$TOP"/scripts/kernel-build.sh
. "$TOP"/scripts/private-apt.sh

PKGS=$CACHE/packages

# The newest version already unpacked under $PKGS, if any.
cached_version() {
	ls -d "$PKGS/$PKG"_*/.kipc-done 2>/dev/null | sed "s|.*/${PKG}_||; s|/.kipc-done\$||" |
		sort -V | tail -n1
}

# Updates the private lists and unpacks the candidate version of $PKG,
# unless it is unpacked already; prints nothing, sets ver.
fetch() {
	private_apt "$SUITE" deb "$SUITE" || {
		cat "$APT"/update.log >&2
		ver=$(cached_version)
		[ -n "$ver" ] || die "could not update the $SUITE lists"
		echo "$NAME: offline; using the cached $PKG $ver" >&2
		return 0
	}
	# shellcheck disable=SC2086
	ver=$(apt-cache $apt show "$PKG" 2>/dev/null | sed -n 's/^Version: //p' |
		sort -V | tail -n1)
	[ -n "$ver" ] || die "no $PKG in $SUITE"
	[ ! -f "$PKGS/${PKG}_$ver/.kipc-done" ] || return 0

	echo "$NAME: fetching $PKG $ver from $SUITE" >&2
	tmp=$PKGS/.fetch-$PKG
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get -qq $apt download "$PKG=$ver") ||
		die "could not download $PKG $ver"
	dpkg-deb -x "$tmp"/"$PKG"_*.deb "$tmp"/root
	[ -f "$tmp/root/usr/src/$PKG.tar.xz" ] || die "$PKG holds no /usr/src/$PKG.tar.xz"
	rm -rf "$PKGS/${PKG}_$ver"
	mv "$tmp"/root "$PKGS/${PKG}_$ver"
	rm -rf "$tmp"
	touch "$PKGS/${PKG}_$ver/.kipc-done"
	# Older versions only take room.
	for old in "$PKGS/$PKG"_*; do
		[ "$old" = "$PKGS/${PKG}_$ver" ] || rm -rf "$old"
	done
}

# Sets ver and TAR; fetches only when asked to build ($1 is 0).
kernel_source() {
	if [ "$1" -eq 0 ]; then
		fetch
	else
		ver=$(cached_version)
		[ -n "$ver" ] || die "$PKG not fetched yet: run $SELF"
	fi
	TAR=$PKGS/${PKG}_$ver/usr/src/$PKG.tar.xz
}

kernel_main "$@"
