#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The sparse that "make sparse" runs on every kernel it builds for.
# Prints the path of one that understands __typeof_unqual__: from 6.14
# on, the kernel's build runs sparse only if it does
# (scripts/checker-valid.sh), and bookworm's sparse 0.6.4 does not, so
# on 7.3 it would check nothing; forced to run, it errs on the kernel's
# own headers. The system's sparse is used if it passes the same test.
# Otherwise Debian unstable's source package (0.6.5~rc1 when this was
# written, which checks 6.1, 6.12 and 7.3 cleanly) is fetched through
# private lists (scripts/private-apt.sh), and its sparse alone is built
# (seconds: it needs only gcc and make) into $KIPC_CACHE/sparse/<version>.
# Offline, the newest one already built is used.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
NAME=sparse
SUITE=unstable

die() {
	echo "$NAME: $*" >&2
	exit 1
}

# The cache root is the one every kipc script shares.
CACHE=$("$TOP"/scripts/cloud-kernels.sh --cache)
DIR=$CACHE/sparse

. "$TOP"/scripts/private-apt.sh

# Whether sparse $1 parses __typeof_unqual__, the test 7.3's
# scripts/checker-valid.sh makes: sparse exits 0 even on an error, so
# stderr says.
understands_typeof_unqual() {
	[ -x "$1" ] || return 1
	# sh has no locals: these names are the test's own.
	tu_file=$(mktemp --suffix=.c)
	printf '%s\n' 'static inline int u(const int *q)' '{' \
		'	__typeof_unqual__(*q) v = *q;' '	return v;' '}' >"$tu_file"
	tu_err=$("$1" "$tu_file" 2>&1) || true
	rm -f "$tu_file"
	! printf '%s\n' "$tu_err" | grep -q error
}

newest_built() {
	ls -d "$DIR"/*/.kipc-done 2>/dev/null | sed 's|/.kipc-done$||' |
		sort -V | tail -n1
}

system=$(command -v sparse || true)
if [ -n "$system" ] && understands_typeof_unqual "$system"; then
	echo "$system"
	exit 0
fi

mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9

if ! private_apt "$SUITE-src" deb-src "$SUITE"; then
	old=$(newest_built)
	[ -n "$old" ] || { cat "$APT"/update.log >&2; die "could not update the $SUITE source lists"; }
	echo "$NAME: offline; using $old/sparse" >&2
	echo "$old/sparse"
	exit 0
fi
# shellcheck disable=SC2086 # $apt is a list of options
ver=$(apt-cache $apt showsrc sparse 2>/dev/null | sed -n 's/^Version: //p' |
	sort -V | tail -n1)
[ -n "$ver" ] || die "no sparse source package in $SUITE"
out=$DIR/$ver
if [ ! -f "$out/.kipc-done" ]; then
	echo "$NAME: building Debian's sparse $ver from $SUITE's source into $out" >&2
	rm -rf "$out"
	mkdir -p "$out/src"
	# shellcheck disable=SC2086
	(cd "$out/src" && apt-get -qq $apt source "sparse=$ver") \
		>"$out/fetch.log" 2>&1 ||
		{ cat "$out/fetch.log" >&2; die "could not fetch the sparse $ver source"; }
	src=$(find "$out/src" -mindepth 1 -maxdepth 1 -type d -name 'sparse-*' | head -n1)
	[ -n "$src" ] || die "the sparse $ver source unpacked to no sparse-* directory"
	# Debian's packaging pins unstable's compiler (CC = gcc-16); sparse
	# takes the system header paths from CC, so build with this host's.
	make -C "$src" -j"$(nproc)" CC=gcc sparse >"$out/build.log" 2>&1 ||
		{ tail -n 30 "$out/build.log" >&2; die "building sparse $ver failed; log: $out/build.log"; }
	install -m 755 "$src/sparse" "$out/sparse"
	rm -rf "$out/src"
	understands_typeof_unqual "$out/sparse" ||
		die "sparse $ver does not understand __typeof_unqual__ either"
	touch "$out/.kipc-done"
	# Older versions only take room.
	for o in "$DIR"/*/; do
		[ "${o%/}" = "$out" ] || rm -rf "$o"
	done
fi
echo "$out/sparse"
