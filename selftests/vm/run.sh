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
#   run.sh bench KERNEL      the benchmark (build/bench/kipc-bench), with
#                            $BENCH_ARGS as its options (--filter bridge:
#                            the rows across hosts alone)
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
# The accelerator is chosen once per run: KVM (with -cpu host) only if a
# probe guest, the first kernel with an initramfs that prints a marker
# and powers off, ran under it within 10 s; otherwise software
# emulation (TCG, -cpu max), with one line saying why. A /dev/kvm can
# exist and still fail every guest (a PVM host's does). VM_ACCEL=kvm or
# VM_ACCEL=tcg skips the probe. A guest that QEMU stops (a KVM internal
# error, say) is killed at once and the run fails with the reason.
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
		vethko=""
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
			# scripts/cloud-kernels.sh keeps it, for the bridge test.
			vethko=${root%/}/lib/modules/$rel/veth.ko
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

# What runs NATS in the guest, for the bridge test and for the
# benchmark's rows across hosts: kipc-bridge where libnats let it be
# built, nats-server (it needs libc alone), veth where the kernel has it
# as a module, and in bench mode kipc-bench-nats and its rig script.
# Whatever is missing, the test and the rows skip, saying what. Adds to
# extra_bins, in $root of build_initramfs.
nats_programs() {
	if [ -x "$B"/tools/kipc-bridge ]; then
		cp "$B"/tools/kipc-bridge "$root"/usr/bin/
		extra_bins="$extra_bins $B/tools/kipc-bridge"
	fi
	if nats=$("$TOP"/scripts/nats-server.sh --path 2>/dev/null); then
		cp "$nats" "$root"/usr/bin/nats-server
		extra_bins="$extra_bins $nats"
	fi
	[ -z "${vethko:-}" ] || [ ! -f "$vethko" ] || cp "$vethko" "$root"/kipc/veth.ko
	[ "$mode" = bench ] || return 0
	mkdir -p "$root"/kipc/bench
	cp "$TOP"/tools/bench/bridge-rig.sh "$root"/kipc/bench/
	if [ -x "$B"/bench/kipc-bench-nats ]; then
		cp "$B"/bench/kipc-bench-nats "$root"/usr/bin/
		extra_bins="$extra_bins $B/bench/kipc-bench-nats"
	fi
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
	# The packages' udev and modules-load.d files, for packaging_test.sh.
	cp -R "$TOP"/dist "$root"/kipc/dist

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
	nats_programs
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
		printf "KIPC_BENCH_ARGS='%s'\n" "$(printf '%s' "${BENCH_ARGS:-}" |
			sed "s/'/'\\\\''/g")"
	} >"$root"/etc/kipc-vm.conf

	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
}

# QEMU stops a guest it cannot run (after a KVM internal error, say) and
# then waits, the guest paused, until something kills it: a run would sit
# out its whole timeout. A watcher on QEMU's QMP monitor, a pair of FIFOs
# ($RUN/qmp.in, $RUN/qmp.out) so that no socket tool is needed, asks for
# the status whenever the guest stops; if it is not running any more
# (internal-error, guest-panicked, shutdown, ...) it writes that status to
# $RUN/stopped and kills QEMU at once. Sets qmp_args and watcher.
start_watcher() {
	rm -f "$RUN"/qmp.in "$RUN"/qmp.out "$RUN"/qemu.pid "$RUN"/stopped
	mkfifo "$RUN"/qmp.in "$RUN"/qmp.out
	qmp_args="-chardev pipe,id=qmp,path=$RUN/qmp -mon chardev=qmp,mode=control -pidfile $RUN/qemu.pid"
	(
		# QEMU opens both ends read-write; these opens wait for it.
		exec 3<"$RUN"/qmp.out 4>"$RUN"/qmp.in
		echo '{"execute": "qmp_capabilities"}' >&4
		while IFS= read -r line <&3; do
			case $line in
			*'"event": "STOP"'* | *'"event": "GUEST_PANICKED"'*)
				echo '{"execute": "query-status"}' >&4
				;;
			*'"running": false'*)
				echo "$line" | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p' \
					>"$RUN"/stopped
				kill -KILL "$(cat "$RUN"/qemu.pid)" 2>/dev/null
				exit 0
				;;
			esac
		done
	) &
	watcher=$!
}

stop_watcher() {
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
}

# Why QEMU stopped the guest, in words, from $RUN/stopped.
stop_reason() {
	case $(cat "$RUN"/stopped 2>/dev/null) in
	internal-error) echo "KVM internal error" ;;
	guest-panicked) echo "guest panicked" ;;
	"") return 1 ;;
	*) echo "status $(cat "$RUN"/stopped)" ;;
	esac
}

# How long the probe guest may take: a cloud kernel reaches its init in
# about a second under KVM. A KVM that fails either stops the guest,
# which the watcher sees at once, or leaves it hanging, seen here as
# either: the same PVM host does both.
PROBE_TIMEOUT=10

# Boots $kimage with an initramfs that only prints a marker and powers
# off, under KVM. Succeeds if the marker came back; otherwise leaves the
# reason in $probe_why.
probe_kvm() {
	if [ ! -e /dev/kvm ]; then
		probe_why="no /dev/kvm"
		return 1
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		probe_why="/dev/kvm present but not accessible to $(id -un)"
		return 1
	fi
	proot=$RUN/probe
	mkdir -p "$proot"/bin
	cp /bin/busybox "$proot"/bin/busybox
	cat >"$proot"/init <<-'EOF'
	#!/bin/busybox sh
	/bin/busybox echo KIPC_KVM_PROBE_OK
	/bin/busybox poweroff -f
	EOF
	chmod +x "$proot"/init
	(cd "$proot" && find . | cpio -o -H newc --quiet | gzip -1) >"$RUN"/probe.cpio.gz
	start_watcher
	# Not "rc": that is check_all's, and the probe runs inside its loop.
	probe_rc=0
	# shellcheck disable=SC2086 # qmp_args is a list of words
	timeout "$PROBE_TIMEOUT" qemu-system-x86_64 -accel kvm -cpu host \
		-smp 1 -m 256 -nographic -no-reboot -nodefaults -serial stdio \
		$qmp_args -kernel "$kimage" -initrd "$RUN"/probe.cpio.gz \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init" \
		</dev/null >"$RUN"/probe.log 2>&1 || probe_rc=$?
	stop_watcher
	grep -q '^KIPC_KVM_PROBE_OK' "$RUN"/probe.log && return 0
	# The firmware's escape sequences share lines with QEMU's messages.
	sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r//g' "$RUN"/probe.log \
		>"$RUN"/probe.txt
	if why=$(stop_reason); then
		probe_why="guest stopped: $why"
	elif grep -q 'KVM internal error' "$RUN"/probe.txt; then
		probe_why="guest stopped: KVM internal error"
	elif [ $probe_rc -eq 124 ]; then
		probe_why="a probe guest printed nothing in ${PROBE_TIMEOUT}s"
	elif e=$(grep -m1 '^qemu-system-x86_64: ' "$RUN"/probe.txt); then
		probe_why=${e#qemu-system-x86_64: }
	else
		probe_why="QEMU exited with status $probe_rc before the probe guest answered"
	fi
	cp "$RUN"/probe.log "$VMDIR"/kvm-probe.log
	return 1
}

# Picks the accelerator once per run, into accel and cpu: KVM only when a
# guest ran under it (or VM_ACCEL=kvm says so), with the host's CPU;
# otherwise software emulation with QEMU's fullest model. Says why.
pick_accel() {
	[ -z "${accel:-}" ] || return 0
	case ${VM_ACCEL:-} in
	kvm)
		[ -w /dev/kvm ] || die "VM_ACCEL=kvm, but /dev/kvm is missing or not writable"
		accel=kvm cpu=host
		echo "kvm: VM_ACCEL=kvm; using KVM without a probe"
		;;
	tcg)
		accel=tcg cpu=max
		echo "kvm: VM_ACCEL=tcg; using software emulation"
		;;
	"")
		if probe_kvm; then
			accel=kvm cpu=host
			echo "kvm: a probe guest ran; using KVM"
		else
			accel=tcg cpu=max
			case $probe_why in
			"no /dev/kvm") echo "kvm: no /dev/kvm; using software emulation" ;;
			*) echo "kvm: /dev/kvm present but unusable ($probe_why); using software emulation" ;;
			esac
		fi
		;;
	*)
		die "VM_ACCEL=$VM_ACCEL: use kvm or tcg"
		;;
	esac
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

	pick_accel
	set -- qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$VM_SMP" \
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
	start_watcher
	# shellcheck disable=SC2086 # qmp_args is a list of words
	set -- "$@" $qmp_args
	{ timeout "$tmo" "$@" </dev/null || true; } 2>&1 |
		sed -u 's/\r//g' | tee "$log" | awk -v mode="$mode" '
			/KIPC_VM_BEGIN$/ { on = 1; next }
			/KIPC_VM_EXIT=/ { on = 0 }
			on || (mode == "check" && /Kernel panic|BUG:|Oops|KASAN|UBSAN/) { print; fflush() }'
	stop_watcher

	if [ -s "$outlog" ]; then
		out=${VM_OUT:-$VMDIR/out}
		mkdir -p "$out"
		tr -d '\r' <"$outlog" | base64 -d | tar -C "$out" -xf - ||
			echo "run.sh: could not unpack the guest's /out" >&2
	fi

	cp "$log" "$VMDIR/"
	status=$(sed -n 's/^KIPC_VM_EXIT=\([0-9]*\)$/\1/p' "$log" | tail -n1)
	if [ -z "$status" ]; then
		if why=$(stop_reason); then
			echo "run.sh: $rel: QEMU stopped the guest under $accel ($why), so it was killed; log: $VMDIR/$(basename "$log")" >&2
		else
			echo "run.sh: $rel: the guest did not finish (timeout or panic); log: $VMDIR/$(basename "$log")" >&2
		fi
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
		pick_accel
		echo "=== $rel: booting ($accel)"
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
		summary="$summary$rel: $pass passed, $fail failed, $skip skipped ($(($(date +%s) - t0))s, $accel)
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
