#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian's cloud kernels that the VM tests boot: 6.1 from bookworm and
# 6.12 from bookworm-backports. They are unpacked into kipc's cache, not
# installed: the linux-image and linux-headers packages pull in
# initramfs-tools and udev, upgrade systemd to match, and add boot
# entries to the host, none of which booting them under QEMU needs.
#
#   cloud-kernels.sh fetch    download and unpack the ones not cached yet
#   cloud-kernels.sh veth     add veth.ko to cached releases that lack it
#   cloud-kernels.sh --kdirs  their header directories (KDIRs), newest of
#                             each series, one per line
#   cloud-kernels.sh --cache  the cache root
#
# $CACHE/cloud-kernels/<release>/ holds the four packages' files as they
# would lie under /: boot/vmlinuz-<release> and boot/config-<release>
# (what QEMU boots), usr/src/linux-headers-<release> (the KDIR), its
# -common tree and kbuild, and of the modules only
# lib/modules/<release>/veth.ko, uncompressed (busybox's insmod takes no
# .xz), for the bridge test's network namespaces. The cache root is $KIPC_CACHE, else
# /var/cache/kipc, else ~/.cache/kipc, as for the debug kernel.

set -eu

SERIES="6.1:bookworm 6.12:bookworm-backports"
META=linux-image-cloud-amd64

die() {
	echo "cloud-kernels: $*" >&2
	exit 1
}

cache_root() {
	if [ -n "${KIPC_CACHE:-}" ]; then
		echo "$KIPC_CACHE"
	elif [ -w /var/cache/kipc ] ||
	     { [ ! -e /var/cache/kipc ] && [ -w /var/cache ]; }; then
		echo /var/cache/kipc
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/kipc"
	fi
}

CACHE=$(cache_root)
DIR=$CACHE/cloud-kernels

# The newest unpacked release of series $1 (6.1, 6.12), if any.
newest() {
	ls -d "$DIR/$1".*-cloud-amd64/.kipc-done 2>/dev/null |
		sed 's|/.kipc-done$||' | sort -V | tail -n1
}

kdirs() {
	for s in $SERIES; do
		d=$(newest "${s%%:*}")
		[ -z "$d" ] || echo "$d/usr/src/linux-headers-$(basename "$d")"
	done
}

# The release the archive's cloud meta-package in $2 points at, for
# series $1: "6.1.0-50-cloud-amd64", say.
release_in() {
	apt-cache depends "$META/$2" 2>/dev/null |
		sed -n "s/.*Depends: linux-image-\($1\.[^ ]*-cloud-amd64\)\$/\1/p" |
		head -n1
}

# Keeps veth.ko of the unpacked image under $1, release $2.
keep_veth() {
	m=$1/lib/modules/$2/kernel/drivers/net
	if [ -f "$m/veth.ko.xz" ]; then
		xz -dc "$m/veth.ko.xz" >"$1/lib/modules/$2/veth.ko"
	elif [ -f "$m/veth.ko" ]; then
		cp "$m/veth.ko" "$1/lib/modules/$2/veth.ko"
	else
		echo "cloud-kernels: $2 has no veth module; the bridge test will skip"
	fi
}

# Releases unpacked before veth was kept get it from their image again.
veth() {
	for d in "$DIR"/*-cloud-amd64; do
		[ -f "$d/.kipc-done" ] || continue
		rel=$(basename "$d")
		[ ! -f "$d/lib/modules/$rel/veth.ko" ] || continue
		echo "cloud-kernels: adding veth.ko to $rel"
		tmp=$DIR/.veth-$rel
		rm -rf "$tmp"
		mkdir -p "$tmp/debs" "$tmp/root"
		(cd "$tmp/debs" &&
		 apt-get -qq -o APT::Sandbox::User="$(id -un)" download \
			"linux-image-$rel=$(cat "$d/.kipc-done")") ||
			die "could not download linux-image-$rel $(cat "$d/.kipc-done")"
		dpkg-deb -x "$tmp"/debs/*.deb "$tmp/root"
		mkdir -p "$d/lib/modules/$rel"
		keep_veth "$tmp/root" "$rel"
		[ ! -f "$tmp/root/lib/modules/$rel/veth.ko" ] ||
			mv "$tmp/root/lib/modules/$rel/veth.ko" "$d/lib/modules/$rel/"
		rm -rf "$tmp"
	done
}

# Downloads and unpacks one release; $1 series, $2 release, $3 suite.
fetch_one() {
	series=$1 rel=$2 suite=$3
	out=$DIR/$rel
	[ ! -f "$out/.kipc-done" ] || return 0
	echo "cloud-kernels: fetching $rel from $suite"
	tmp=$DIR/.fetch-$rel
	rm -rf "$tmp" "$out"
	mkdir -p "$tmp/debs" "$tmp/root"
	# As root, apt would hand the download to its _apt user, which cannot
	# write the cache; the files are checked against the archive's
	# signed lists either way.
	dl="apt-get -qq -o APT::Sandbox::User=$(id -un) download"
	(cd "$tmp/debs" && $dl "linux-image-$rel/$suite" "linux-headers-$rel/$suite") ||
		die "could not download linux-image-$rel and its headers from $suite"
	ver=$(dpkg-deb -f "$tmp"/debs/linux-headers-"$rel"_*.deb Version)
	# The headers' own build trees: their -common half and kbuild.
	extra=$(dpkg-deb -f "$tmp"/debs/linux-headers-"$rel"_*.deb Depends |
		tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common\|linux-kbuild-[^ ]*\).*/\1/p')
	[ -n "$extra" ] || die "linux-headers-$rel names no -common or kbuild package"
	for p in $extra; do
		(cd "$tmp/debs" && $dl "$p=$ver") || die "could not download $p $ver"
	done
	for deb in "$tmp"/debs/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	kdir=usr/src/linux-headers-$rel
	[ -f "$tmp/root/boot/vmlinuz-$rel" ] && [ -f "$tmp/root/$kdir/Makefile" ] ||
		die "$rel: the packages hold no kernel image or headers"
	# The headers' Makefile includes the -common tree by its absolute path
	# under /usr/src; point it at the copy beside it.
	sed -i "s|^include /usr/src/|include $out/usr/src/|" "$tmp/root/$kdir/Makefile"
	# The modules are not booted: kipc's guest loads kipc.ko, and veth
	# for the bridge test.
	keep_veth "$tmp/root" "$rel"
	rm -rf "$tmp/root/lib/modules/$rel/kernel"
	mv "$tmp/root" "$out"
	rm -rf "$tmp"
	echo "$ver" >"$out/.kipc-done"
	# Older releases of the same series only take room.
	for old in "$DIR/$series".*-cloud-amd64; do
		[ "$old" = "$out" ] || [ ! -d "$old" ] || rm -rf "$old"
	done
}

fetch() {
	for s in $SERIES; do
		series=${s%%:*} suite=${s#*:}
		rel=$(release_in "$series" "$suite")
		if [ -z "$rel" ]; then
			# No archive lists (offline): a cached release will do.
			[ -n "$(newest "$series")" ] ||
				die "no $series cloud kernel in $suite's lists; run 'apt-get update'"
			continue
		fi
		fetch_one "$series" "$rel" "$suite"
	done
}

case ${1:-} in
fetch) mkdir -p "$DIR" && fetch ;;
veth) veth ;;
--kdirs) kdirs ;;
--cache) echo "$CACHE" ;;
*) die "usage: $0 fetch|veth|--kdirs|--cache" ;;
esac
