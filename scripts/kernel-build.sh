# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# Sourced by the scripts that build a kernel for kipc's VM tests from a
# Debian linux-source tarball (debug-kernel.sh, kernel-7.3.sh): tinyconfig
# plus the caller's fragment, just enough to boot the kipc guest under
# QEMU and to build kipc against.
#
# The caller sets NAME (the cache directory and the messages' prefix),
# SELF (its own path), FRAG (the fragment), PKG (the linux-source package)
# and defines kernel_source, which sets ver (the package's version) and
# TAR (its tarball), and then runs kernel_main "$@":
#
#   NAME.sh          build it unless the cache has it; the last line of
#                    output is its build directory
#   NAME.sh --path   print the build directory only (exit 1 if it is not
#                    built yet)
#
# The build directory serves as KDIR for "make modules KDIR=..." and holds
# the image as bzImage. It lives outside the tree, under
# $KIPC_CACHE/NAME/<key> (KIPC_CACHE defaults to /var/cache/kipc, or
# ~/.cache/kipc when that is not writable). The key hashes the caller,
# this file, the fragment, the package version and the compiler, so a
# change to any of them builds anew and an unchanged one builds nothing.
# The extracted source is shared: $KIPC_CACHE/linux-source/<version>.
# The two builds before the current one are kept; older ones are removed.

ARCH=x86_64
export ARCH
KERNEL_BUILD=$TOP/scripts/kernel-build.sh

die() {
	echo "$NAME: $*" >&2
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

CACHE=$(cache_root)

# Every line of the fragment must hold in the configuration of $1.
check_config() {
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$1/.config" || {
				got=$(grep "^${line%%=*}=" "$1/.config" || echo "not set")
				echo "$NAME: wanted $line, got $got" >&2
				bad=1
			}
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -q "^$opt=" "$1/.config"; then
				echo "$NAME: wanted $opt unset, got $(grep "^$opt=" "$1/.config")" >&2
				bad=1
			fi
			;;
		esac
	done <"$FRAG"
	[ $bad -eq 0 ] || die "the configuration lacks options above (their dependencies?); see $1/.config"
}

kernel_main() {
	case ${1:-} in
	--path) ;;
	"") ;;
	*) die "usage: $SELF [--path]" ;;
	esac
	[ "${1:-}" = --path ] && path_only=1 || path_only=0
	kernel_source "$path_only"
	# The kernel's Makefile compiles with gcc, whatever CC says.
	# shellcheck disable=SC2154 # kernel_source sets ver
	key=$({ cat "$SELF" "$KERNEL_BUILD" "$FRAG"; echo "$PKG $ver"; gcc --version | head -n1; } |
		sha256sum | cut -c1-16)
	SRC=$CACHE/linux-source/$ver
	OUT=$CACHE/$NAME/$key

	if [ "$path_only" -eq 1 ]; then
		[ -f "$OUT/.kipc-done" ] || die "not built yet: run $SELF"
		echo "$OUT"
		exit 0
	fi
	if [ -f "$OUT/.kipc-done" ]; then
		echo "$NAME: cached ($(cat "$OUT/.kipc-done"))"
		echo "$OUT"
		exit 0
	fi

	mkdir -p "$CACHE/linux-source" "$CACHE/$NAME"
	# One build per key at a time; a second caller waits and then finds
	# it done.
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
		echo "$NAME: extracting $TAR to $SRC"
		rm -rf "$SRC" "$SRC.tmp"
		mkdir -p "$SRC.tmp"
		tar -C "$SRC.tmp" --strip-components=1 -xJf "$TAR"
		mv "$SRC.tmp" "$SRC"
		touch "$SRC/.kipc-extracted"
	fi
	flock -u 8

	echo "$NAME: configuring in $OUT"
	mkdir -p "$OUT"
	KMAKE="make -C $SRC O=$OUT -s"
	$KMAKE tinyconfig >"$OUT/config.log" 2>&1 ||
		{ cat "$OUT/config.log"; die "tinyconfig failed"; }
	"$SRC"/scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" "$FRAG" \
		>>"$OUT/config.log" 2>&1 ||
		{ cat "$OUT/config.log"; die "merge_config.sh failed"; }
	$KMAKE olddefconfig >>"$OUT/config.log" 2>&1 ||
		{ cat "$OUT/config.log"; die "olddefconfig failed"; }
	check_config "$OUT"

	# "modules" also writes Module.symvers (vmlinux's exports), which an
	# out-of-tree build checks its symbols against; it implies
	# modules_prepare.
	jobs=$(nproc)
	echo "$NAME: building bzImage and modules_prepare with -j$jobs (log: $OUT/build.log)"
	# A line every five minutes, so that a long build does not look hung.
	(
		while sleep 300; do
			echo "$NAME: still building ($((($(date +%s) - start) / 60)) min)"
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

	# Objects are not needed to build modules against the tree or to
	# boot it.
	find "$OUT" -name '*.o' ! -path "$OUT/scripts/*" -delete

	end=$(date +%s)
	took="built in $(((end - start) / 60))m$(((end - start) % 60))s on $(date -u +%Y-%m-%dT%H:%MZ), release $(cat "$OUT/include/config/kernel.release")"
	echo "$took" >"$OUT/.kipc-done"
	echo "$NAME: $took"

	# Keep the two most recent other builds; older keys only take room.
	ls -dt "$CACHE/$NAME"/*/.kipc-done 2>/dev/null | tail -n +4 |
		while read -r stamp; do
			old=$(dirname "$stamp")
			echo "$NAME: removing the old build $old"
			rm -rf "$old" "$old.lock"
		done
	echo "$OUT"
}
