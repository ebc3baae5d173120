#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install from Debian's archive whatever kipc's build and VM tests need.
# Idempotent: quiet and quick when everything is already there.

set -eu

BPO=bookworm-backports
CLOUD_META=linux-image-cloud-amd64

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages: $*; run 'make deps' as root" >&2
		exit 1
	fi
}

have_pkg() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

have_bpo_source() {
	grep -rqs "$BPO" /etc/apt/sources.list /etc/apt/sources.list.d/
}

missing=""
for p in busybox-static cpio kmod libnl-3-dev libnl-genl-3-dev pkg-config \
	 sparse linux-source-6.1 gnuplot-nox bc flex bison libelf-dev libssl-dev \
	 xz-utils; do
	have_pkg "$p" || missing="$missing $p"
done

# QEMU 10 from backports: bookworm's 7.2 crashes booting 6.12 with 2 vCPUs.
qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	qv=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${qv:-0}" -ge 10 ] && qemu_ok=1
fi

# One cloud kernel from bookworm (6.1) and one from backports (6.12).
k61=$(ls /boot/vmlinuz-6.1.*-cloud-amd64 2>/dev/null | head -n1 || true)
k612=$(ls /boot/vmlinuz-6.12.*-cloud-amd64 2>/dev/null | head -n1 || true)
h61=$(ls -d /usr/src/linux-headers-6.1.*-cloud-amd64 2>/dev/null | head -n1 || true)
h612=$(ls -d /usr/src/linux-headers-6.12.*-cloud-amd64 2>/dev/null | head -n1 || true)

if [ -z "$missing" ] && [ $qemu_ok -eq 1 ] && [ -n "$k61" ] && [ -n "$k612" ] &&
   [ -n "$h61" ] && [ -n "$h612" ]; then
	exit 0
fi

need_root "$missing qemu/kernels"
export DEBIAN_FRONTEND=noninteractive

if ! have_bpo_source; then
	cat >/etc/apt/sources.list.d/bookworm-backports.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $BPO
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

apt-get -qq update
APT="apt-get -qq -y --no-install-recommends install"

[ -z "$missing" ] || $APT $missing
[ $qemu_ok -eq 1 ] || $APT -t $BPO qemu-system-x86

# Kernel images are installed as packages but never booted on this host;
# the VM runner reads them from /boot.
if [ -z "$k61" ] || [ -z "$h61" ]; then
	v=$(apt-cache depends "$CLOUD_META/bookworm" 2>/dev/null |
	    sed -n 's/.*Depends: \(linux-image-6\.1[^ ]*\)/\1/p' | head -n1)
	$APT "$v" "$(echo "$v" | sed 's/linux-image/linux-headers/')"
fi
if [ -z "$k612" ] || [ -z "$h612" ]; then
	v=$(apt-cache depends "$CLOUD_META/$BPO" 2>/dev/null |
	    sed -n 's/.*Depends: \(linux-image-6\.12[^ ]*\)/\1/p' | head -n1)
	$APT -t $BPO "$v" "$(echo "$v" | sed 's/linux-image/linux-headers/')"
fi
