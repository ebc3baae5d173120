#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The debug kernel of "make check-debug": Debian's linux-source-6.1 built
# from tinyconfig plus scripts/debug-kernel.config (KASAN, kmemleak,
# lockdep, UBSAN, fault injection, ...), just enough to boot the kipc
# guest under QEMU and to build kipc against.
#
#   debug-kernel.sh          build it unless the cache has it; the last
#                            line of output is its build directory
#   debug-kernel.sh --path   print the build directory only (exit 1 if it
#                            is not built yet)
#
# The build directory serves as KDIR for "make modules KDIR=..." and holds
# the image as bzImage. It lives outside the tree, under
# $KIPC_CACHE/debug-kernel/<key> (KIPC_CACHE defaults to /var/cache/kipc,
# or ~/.cache/kipc when that is not writable). The key hashes this script,
# the fragment, the linux-source package version and the compiler, so a
# change to any of them builds anew and an unchanged one builds nothing.
# The extracted source is shared: $KIPC_CACHE/linux-source/<version>.
# The two builds before the current one are kept; older ones are removed.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
SELF=$TOP/scripts/debug-kernel.sh
FRAG=$TOP/scripts/debug-kernel.config
PKG=linux-source-6.1
TAR=/usr/src/$PKG.tar.xz
ARCH=x86_64
export ARCH

die() {
	echo "debug-kernel: $*" >&2
	exit 1
}

cache_root() {
	if [ -n "${KIPC_CACHE:-}" ]; then
		echo "$KIPC_CACHE"
	elif mkdir -p /var/cache/kipc 2>/dev/null && [ -w /var/cache/kipc ]; then
		echo /var/cache/kipc
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/kipc"
	fi
}

ver=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null) ||
	die "$PKG is not installed; run 'make deps'"
[ -f "$TAR" ] || die "$TAR missing; run 'make deps'"
# The kernel's Makefile compiles with gcc, whatever CC says.
key=$({ cat "$SELF" "$FRAG"; echo "$PKG $ver"; gcc --version | head -n1; } |
	sha256sum | cut -c1-16)
CACHE=$(cache_root)
SRC=$CACHE/linux-source/$ver
OUT=$CACHE/debug-kernel/$key

if [ "${1:-}" = --path ]; then
	[ -f "$OUT/.kipc-done" ] || die "not built yet: run $0"
	echo "$OUT"
	exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--path]"

if [ -f "$OUT/.kipc-done" ]; then
	echo "debug-kernel: cached ($(cat "$OUT/.kipc-done"))"
	echo "$OUT"
	exit 0
fi

mkdir -p "$CACHE/linux-source" "$CACHE/debug-kernel"
# One build per key at a time; a second caller waits and then finds it done.
exec 9>"$OUT.lock"
flock 9
if [ -f "$OUT/.kipc-done" ]; then
	echo "$OUT"
	exit 0
fi

start=$(date +%s)

# The whole tree: Kconfig reaches into every directory.
exec 8>"$SRC.lock"
flock 8
if [ ! -f "$SRC/.kipc-extracted" ]; then
	echo "debug-kernel: extracting $TAR to $SRC"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -C "$SRC.tmp" --strip-components=1 -xJf "$TAR"
	mv "$SRC.tmp" "$SRC"
	touch "$SRC/.kipc-extracted"
fi
flock -u 8

echo "debug-kernel: configuring in $OUT"
mkdir -p "$OUT"
KMAKE="make -C $SRC O=$OUT -s"
$KMAKE tinyconfig >"$OUT/config.log" 2>&1 ||
	{ cat "$OUT/config.log"; die "tinyconfig failed"; }
"$SRC"/scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" "$FRAG" \
	>>"$OUT/config.log" 2>&1 ||
	{ cat "$OUT/config.log"; die "merge_config.sh failed"; }
$KMAKE olddefconfig >>"$OUT/config.log" 2>&1 ||
	{ cat "$OUT/config.log"; die "olddefconfig failed"; }

# Every line of the fragment must hold in the final configuration.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$OUT/.config" || {
			got=$(grep "^${line%%=*}=" "$OUT/.config" || echo "not set")
			echo "debug-kernel: wanted $line, got $got" >&2
			bad=1
		}
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" "$OUT/.config"; then
			echo "debug-kernel: wanted $opt unset, got $(grep "^$opt=" "$OUT/.config")" >&2
			bad=1
		fi
		;;
	esac
done <"$FRAG"
[ $bad -eq 0 ] || die "the configuration lacks options above (their dependencies?); see $OUT/.config"

# "modules" also writes Module.symvers (vmlinux's exports), which an
# out-of-tree build checks its symbols against; it implies modules_prepare.
jobs=$(nproc)
echo "debug-kernel: building bzImage and modules_prepare with -j$jobs (log: $OUT/build.log)"
# A line every five minutes, so that a long build does not look hung.
(
	while sleep 300; do
		echo "debug-kernel: still building ($((($(date +%s) - start) / 60)) min)"
	done
) &
beat=$!
rc=0
$KMAKE -j"$jobs" bzImage modules modules_prepare >"$OUT/build.log" 2>&1 || rc=$?
kill $beat
if [ $rc -ne 0 ]; then
	tail -n 60 "$OUT/build.log" >&2
	die "the kernel build failed; log: $OUT/build.log"
fi
# Warnings, if any, for the record.
grep -i 'warning:' "$OUT/build.log" | head -n 20 || true

[ -f "$OUT/Module.symvers" ] || die "no Module.symvers after the build"
grep -q ' genl_register_family$' "$OUT/System.map" ||
	die "the kernel has no generic netlink"
cp "$OUT/arch/x86/boot/bzImage" "$OUT/bzImage"

# Objects are not needed to build modules against the tree or to boot it.
find "$OUT" -name '*.o' ! -path "$OUT/scripts/*" -delete

end=$(date +%s)
took="built in $(((end - start) / 60))m$(((end - start) % 60))s on $(date -u +%Y-%m-%dT%H:%MZ), release $(cat "$OUT/include/config/kernel.release")"
echo "$took" >"$OUT/.kipc-done"
echo "debug-kernel: $took"

# Keep the two most recent other builds; older keys only take room.
ls -dt "$CACHE"/debug-kernel/*/.kipc-done 2>/dev/null | tail -n +4 |
	while read -r done; do
		old=$(dirname "$done")
		echo "debug-kernel: removing the old build $old"
		rm -rf "$old" "$old.lock"
	done
echo "$OUT"
