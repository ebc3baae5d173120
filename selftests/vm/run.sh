#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot Debian's cloud kernels (or any kernel tree) under QEMU with kipc
# loaded.
#
#   run.sh check KDIR...     the selftests on each kernel, then a summary
#                            ending in "N passed, N failed". A KDIR may be
#                            the build tree of a debug kernel from
#                            scripts/debug-kernel.sh (it holds bzImage):
#                            there the fault-injection knobs are set, the
#                            hardening programs run long (KIPC_LONG=0 keeps
#                            them short), kmemleak scans after rmmod, and
#                            lockdep must still be on at the end
#   run.sh check-debug KDIR  the same on that debug kernel alone
#   run.sh run KERNEL        the demo (selftests/vm/demo.sh)
#   run.sh cmd KERNEL        $CMD in the guest, or a shell when CMD is empty
#   run.sh bench KERNEL      the benchmark (build/bench/kipc-bench)
#
# Whatever the guest leaves in /out comes back to $VM_OUT (default
# build/vm/out) through a second serial port.
# KERNEL is 6.1 or 6.12 (from scripts/cloud-kernels.sh), a header
# directory, or the build tree of a debug kernel (then
# init's debug checks run too: "make vm KERNEL=$(scripts/debug-kernel.sh
# --path)"). VM_EXTRA=DIR is copied to /extra in the guest.
# VM_KERNEL_IMAGE boots that image instead of the kernel's own.
# VM_TIMEOUT (seconds) bounds one boot; VM_SMP and VM_MEM size the guest
# (a debug kernel gets more of both by default).
#
# The exit status is the guest's: non-zero on any failed test, kernel
# report, failed rmmod, or a guest that did not finish.

set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
VMDIR=$B/vm
# Each run works in its own directory, so runs can go on side by side;
# the logs of the latest run are also copied to $VMDIR.
mkdir -p "$VMDIR"
RUN=$(mktemp -d "$VMDIR/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
VM_SMP=${VM_SMP:-2}

die() {
	echo "run.sh: $*" >&2
	exit 1
}

# The image of a kernel build tree, if it is one (a header directory
# has no image).
image_of() {
	for i in "$1"/bzImage "$1"/arch/x86/boot/bzImage; do
		[ -f "$i" ] && { echo "$i"; return 0; }
	done
	return 1
}

# Picks the kernel for a header directory, a short version (6.1, 6.12) or
# a kernel build tree (one with a bzImage, as scripts/debug-kernel.sh
# makes): sets rel (its release), kimage (what QEMU boots), ko (kipc built
# for it, where "make modules KDIR=" puts it), kdebug (1 when the kernel
# has kmemleak: init then runs its debug checks) and long (1 for the
# hardening programs' long runs).
select_kernel() {
	case $1 in
	*/*)
		if kimage=$(image_of "$1"); then
			rel=$(cat "$1"/include/config/kernel.release) ||
				die "$1: not a kernel build tree"
			ko=$B/kmod/$(basename "$(realpath "$1")")/kipc.ko
		else
			# A header tree's image lies in boot/ of the same root:
			# the root that scripts/cloud-kernels.sh unpacked into,
			# or / for headers installed at /usr/src.
			kd=$(realpath "$1")
			rel=$(basename "$kd" | sed 's/^linux-headers-//')
			root=$(dirname "$(dirname "$(dirname "$kd")")")
			kimage=${root%/}/boot/vmlinuz-$rel
			ko=$B/kmod/linux-headers-$rel/kipc.ko
		fi
		config=$1/.config
		;;
	*)
		kd=$("$TOP"/scripts/cloud-kernels.sh --kdirs |
		     grep "/linux-headers-$1\.[^/]*\$" | tail -n1 || true)
		[ -n "$kd" ] || die "no cloud kernel $1; run 'make deps'"
		select_kernel "$kd"
		return 0
		;;
	esac
	kdebug=0
	grep -qs '^CONFIG_DEBUG_KMEMLEAK=y' "$config" && kdebug=1
	# The hardening programs' long runs belong to the debug kernel.
	long=${KIPC_LONG:-$kdebug}
	return 0
}

# Copy a program and every shared object it loads, at the same paths.
copy_with_libs() {
	root=$1
	shift
	for f in "$@"; do
		LD_LIBRARY_PATH=$B/lib ldd "$f" 2>/dev/null |
			sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'
	done | sort -u | while read -r lib; do
		case $lib in
		"$B"/lib/*) continue ;; # installed below as a real system library
		esac
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Uses rel, ko, kdebug and long from select_kernel.
build_initramfs() {
	mode=$1 out=$2
	root=$RUN/root-$rel

	[ -f "$ko" ] || die "no module built for $rel ($ko); run 'make'"
	[ "$mode" != bench ] || [ -x "$B"/bench/kipc-bench ] ||
		die "no benchmark built; run 'make bench'"
	rm -rf "$root"
	mkdir -p "$root"/bin "$root"/etc "$root"/usr/lib "$root"/usr/bin \
		 "$root"/kipc/tests "$root"/proc "$root"/sys "$root"/dev \
		 "$root"/tmp "$root"/root "$root"/home/kipcuser

	cp /bin/busybox "$root"/bin/busybox
	cp "$TOP"/selftests/vm/init "$root"/init
	cp "$TOP"/selftests/vm/demo.sh "$root"/kipc/demo.sh
	cp "$ko" "$root"/kipc/kipc.ko

	# The library goes where the system's libraries live, so the CLI and
	# tests load it through the dynamic linker as any program would.
	cp -P "$B"/lib/libkipc.so* "$root"/usr/lib/
	cp "$B"/tools/kipc "$root"/usr/bin/kipc
	cp "$B"/examples/* "$root"/usr/bin/
	tests=""
	[ ! -d "$B"/selftests ] ||
		tests=$(find "$B"/selftests -maxdepth 1 -type f -perm -u+x | sort)
	for t in $tests; do
		cp "$t" "$root"/kipc/tests/
	done
	extra_bins=""
	if [ "$mode" = bench ]; then
		cp "$B"/bench/kipc-bench "$root"/usr/bin/
		extra_bins="$B/bench/kipc-bench"
	fi
	copy_with_libs "$root" "$B"/tools/kipc "$B"/examples/* $tests $extra_bins
	mkdir -p "$root"/lib64
	cp -L /lib64/ld-linux-x86-64.so.2 "$root"/lib64/

	cat >"$root"/etc/passwd <<-EOF
	root:x:0:0:root:/root:/bin/sh
	kipcuser:x:1000:1000:kipc test user:/home/kipcuser:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$root"/etc/group <<-EOF
	root:x:0:
	kipcuser:x:1000:
	nogroup:x:65534:
	EOF
	chown 1000:1000 "$root"/home/kipcuser

	if [ -n "${VM_EXTRA:-}" ]; then
		[ -d "$VM_EXTRA" ] || die "VM_EXTRA=$VM_EXTRA is not a directory"
		cp -a "$VM_EXTRA" "$root"/extra
	fi

	{
		echo "KIPC_MODE='$mode'"
		echo "KIPC_DEBUG='$kdebug'"
		echo "KIPC_LONG='$long'"
		printf "KIPC_CMD='%s'\n" "$(printf '%s' "${CMD:-}" |
			sed "s/'/'\\\\''/g")"
	} >"$root"/etc/kipc-vm.conf

	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
}

# Boot the kernel select_kernel picked. Interactive shells get the
# terminal; everything else is logged, and the guest's final status line
# decides the result.
boot() {
	mode=$1
	log=$RUN/$rel-$mode.log
	initrd=$RUN/initramfs-$rel-$mode.cpio.gz
	outlog=$RUN/$rel-$mode.out

	build_initramfs "$mode" "$initrd"
	kimage=${VM_KERNEL_IMAGE:-$kimage}
	[ -f "$kimage" ] || die "no kernel image $kimage"

	# A debug kernel (KASAN, lockdep, kmemleak) is several times slower
	# and needs more memory (KASAN's shadow is an eighth of it).
	if [ "$kdebug" = 1 ]; then
		mem=${VM_MEM:-3072} tmo=${VM_TIMEOUT:-4800}
		# Readable pointers in reports; ACPI for its CPU tables only.
		args="no_hash_pointers acpi=ht"
	else
		mem=${VM_MEM:-2048} tmo=${VM_TIMEOUT:-1200}
		args=""
	fi

	accel=tcg
	[ -w /dev/kvm ] && accel=kvm
	set -- qemu-system-x86_64 -accel "$accel" -cpu max -smp "$VM_SMP" \
		-m "$mem" -nographic -no-reboot -nodefaults \
		-serial mon:stdio -serial file:"$outlog" \
		-kernel "$kimage" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init${args:+ $args}"

	if [ "$mode" = shell ]; then
		"$@"
		return 0
	fi

	# The pipeline's status is the filter's; the guest's status line,
	# not QEMU's, is what counts.
	{ timeout "$tmo" "$@" </dev/null || true; } 2>&1 |
		sed -u 's/\r//g' | tee "$log" | awk -v mode="$mode" '
			/KIPC_VM_BEGIN$/ { on = 1; next }
			/KIPC_VM_EXIT=/ { on = 0 }
			on || (mode == "check" && /Kernel panic|BUG:|Oops|KASAN|UBSAN/) { print; fflush() }'

	if [ -s "$outlog" ]; then
		out=${VM_OUT:-$VMDIR/out}
		mkdir -p "$out"
		tr -d '\r' <"$outlog" | base64 -d | tar -C "$out" -xf - ||
			echo "run.sh: could not unpack the guest's /out" >&2
	fi

	cp "$log" "$VMDIR/"
	status=$(sed -n 's/^KIPC_VM_EXIT=\([0-9]*\)$/\1/p' "$log" | tail -n1)
	if [ -z "$status" ]; then
		echo "run.sh: $rel: the guest did not finish (timeout or panic); log: $VMDIR/$(basename "$log")" >&2
		return 1
	fi
	return "$status"
}

# Boots each kernel in turn, runs the selftests there and prints the
# summary; "$@" are select_kernel's arguments, one per kernel.
check_all() {
	total_pass=0 total_fail=0 rc=0
	summary=""
	for k in "$@"; do
		select_kernel "$k"
		echo "=== $rel: booting"
		t0=$(date +%s)
		boot check || rc=1
		log=$RUN/$rel-check.log
		line=$(grep '^KIPC_TOTALS ' "$log" | tail -n1 || true)
		pass=$(echo "$line" | sed -n 's/.*pass=\([0-9]*\).*/\1/p')
		fail=$(echo "$line" | sed -n 's/.*fail=\([0-9]*\).*/\1/p')
		skip=$(echo "$line" | sed -n 's/.*skip=\([0-9]*\).*/\1/p')
		if [ -z "$line" ]; then
			pass=0 fail=1 skip=0
		fi
		# A failure outside the tests (rmmod, kernel report, no
		# finish) counts as one more failed check.
		if [ "$(sed -n 's/^KIPC_VM_EXIT=//p' "$log" | tail -n1)" != 0 ] &&
		   [ "$fail" -eq 0 ]; then
			fail=1
		fi
		total_pass=$((total_pass + pass))
		total_fail=$((total_fail + fail))
		summary="$summary$rel: $pass passed, $fail failed, $skip skipped ($(($(date +%s) - t0))s)
"
	done
	echo "=== summary"
	printf '%s' "$summary"
	echo "$total_pass passed, $total_fail failed"
	[ "$total_fail" -eq 0 ] && [ $rc -eq 0 ]
}

mode=${1:-}
[ $# -ge 2 ] || die "usage: run.sh check|check-debug|run|cmd|bench KERNEL..."
shift
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing; run 'make deps'"

case $mode in
check)
	check_all "$@"
	;;
check-debug)
	[ $# -eq 1 ] || die "usage: run.sh check-debug KDIR"
	image_of "$1" >/dev/null ||
		die "$1: no bzImage; build it with scripts/debug-kernel.sh"
	check_all "$1"
	;;
run | bench)
	select_kernel "$1"
	boot "$mode"
	;;
cmd)
	select_kernel "$1"
	if [ -z "${CMD:-}" ]; then
		[ -t 0 ] || die "no CMD and no terminal for a shell"
		echo "kipc VM shell on $rel; leave with 'poweroff' or Ctrl-A X"
		boot shell
	else
		boot cmd
	fi
	;;
*)
	die "unknown mode '$mode'"
	;;
esac
