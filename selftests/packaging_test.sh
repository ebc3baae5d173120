#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The packaged module's companion files, honoured as far as the test
# guest allows (TAP output, for the VM runner):
#   - modules-load.d/kipc.conf: each name it lists, loaded the way
#     systemd-modules-load loads it (modprobe NAME), gives kipc;
#   - an open of /dev/kipc through libkipc with the module unloaded (and
#     installed in /lib/modules) loads it, through the netlink alias;
#   - udev/60-kipc.rules: the guest has no udevd (busybox's mdev reads no
#     udev rules), so the rule is applied by hand: its match keys must
#     match the device's uevent and sysfs subsystem, and its MODE then set
#     on the node must let an unprivileged user open it.
# The module is installed under /lib/modules only while the test runs;
# the guest is left as the test found it, the module loaded, no names.

DIST=${KIPC_DIST:-/kipc/dist}
KO=${KIPC_MODULE_PATH:-}
n=0
status=0

echo "1..3"

ok() {
	n=$((n + 1))
	echo "ok $n $*"
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n $*"
	status=1
}

skip_all() {
	while [ $n -lt 3 ]; do
		n=$((n + 1))
		echo "ok $n # SKIP $*"
	done
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root to load and unload modules"
[ -n "$KO" ] && [ -f "$KO" ] || skip_all "KIPC_MODULE_PATH names no module"
[ -d "$DIST" ] || skip_all "no packaged files at $DIST"

rel=$(uname -r)
moddir=/lib/modules/$rel
old_modprobe=$(cat /proc/sys/kernel/modprobe)
made_moddir=0
[ -d /lib/modules ] || made_moddir=1

cleanup() {
	grep -q '^kipc ' /proc/modules || insmod "$KO"
	echo "$old_modprobe" >/proc/sys/kernel/modprobe
	[ $made_moddir -eq 0 ] || rm -rf /lib/modules
}
trap cleanup EXIT

# As a package's postinst and depmod would leave it.
mkdir -p "$moddir"/updates
cp "$KO" "$moddir"/updates/kipc.ko
depmod "$rel"
# The kernel runs modprobe by path; busybox sh's "command -v" names an
# applet without one.
modprobe=$(which modprobe)
[ -x "$modprobe" ] || skip_all "no modprobe to load modules with"
echo "$modprobe" >/proc/sys/kernel/modprobe

unload() {
	rmmod kipc 2>/dev/null || ! grep -q '^kipc ' /proc/modules
}

# 1: modules-load.d
if ! unload; then
	not_ok "modules-load.d: kipc would not unload (a name left behind?)"
else
	names=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$DIST"/modules-load.d/kipc.conf | grep .)
	for m in $names; do
		modprobe "$m" || echo "# modprobe $m failed"
	done
	if [ "$names" = kipc ] && [ -d /sys/module/kipc ] && [ -c /dev/kipc ]; then
		ok "modules-load.d: \"$names\" loads kipc and makes /dev/kipc"
	else
		not_ok "modules-load.d: \"$names\" did not load kipc"
	fi
fi

# 2: libkipc's autoload, as the unprivileged user
if ! unload; then
	not_ok "autoload: kipc would not unload"
elif ! su -s /bin/sh kipcuser -c 'kipc queue create kt_autoload' ||
     ! su -s /bin/sh kipcuser -c 'kipc queue delete kt_autoload'; then
	not_ok "autoload: kipc queue create did not load the module"
elif [ -d /sys/module/kipc ]; then
	ok "autoload: opening /dev/kipc through libkipc loaded the module"
else
	not_ok "autoload: the queue was made, yet no module is listed"
fi

# 3: the udev rule, applied by hand. Every rule line that names kipc must
# match the device, and its MODE is what the node gets.
grep -q '^kipc ' /proc/modules || insmod "$KO"
rule=$(grep -v '^[[:space:]]*#' "$DIST"/udev/60-kipc.rules | grep 'KERNEL=="kipc"')
kernel=$(sed -n 's/^DEVNAME=//p' /sys/class/misc/kipc/uevent)
subsystem=$(basename "$(readlink /sys/class/misc/kipc/subsystem)")
mode=$(echo "$rule" | sed -n 's/.*MODE="\([0-7]*\)".*/\1/p')
if [ "$(echo "$rule" | wc -l)" -ne 1 ] || [ -z "$mode" ]; then
	not_ok "udev: want one kipc rule with a MODE, got: $rule"
elif ! echo "$rule" | grep -q "SUBSYSTEM==\"$subsystem\"" ||
     [ "$kernel" != kipc ]; then
	not_ok "udev: the rule does not match the device ($kernel, $subsystem)"
else
	chmod 0600 /dev/kipc
	chmod "$mode" /dev/kipc
	got=$(stat -c %a /dev/kipc)
	if [ "$got" != "${mode#0}" ]; then
		not_ok "udev: /dev/kipc is $got after MODE=\"$mode\""
	elif ! su -s /bin/sh kipcuser -c 'kipc queue create kt_udev && kipc queue delete kt_udev'; then
		not_ok "udev: with MODE=\"$mode\" kipcuser cannot reach the module"
	else
		ok "udev: rule matches kipc/$subsystem; MODE=\"$mode\" lets users open it # udevd absent, applied by hand"
	fi
fi

exit $status
