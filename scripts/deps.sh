#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install from Debian's archive whatever kipc's build and VM tests need,
# and nothing else: only packages that are missing are installed, QEMU's
# backports are named one by one (never "-t bookworm-backports", which
# moves every package of the transaction to backports), and the cloud
# kernels are unpacked into kipc's cache by scripts/cloud-kernels.sh
# instead of being installed on the host.
# Idempotent: quiet and quick when everything is already there.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BPO=bookworm-backports

die() {
	echo "deps: $*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "missing: $*; run 'make deps' as root"
}

have_pkg() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

have_bpo_source() {
	grep -rqs "$BPO" /etc/apt/sources.list /etc/apt/sources.list.d/
}

# gcc-12 and pahole are what the cloud kernels' header trees build with.
# debhelper, dh-dkms, dkms and lintian: the packaging checks
# (scripts/check-packaging.sh) build the .debs and a DKMS module with them.
# No sparse: bookworm's is too old for 7.3, and scripts/sparse.sh builds
# a newer one from Debian's source package (dpkg-dev unpacks it).
# g++ and python3: check-static compiles the headers as C++98 and proves
# kipc.rst and the uapi header agree (scripts/check-abi.sh).
# libnats-dev: kipc-bridge (tools/kipc-bridge) links the NATS C client.
# Its guest test runs a JetStream cluster with bookworm's nats-server,
# which scripts/nats-server.sh unpacks into the cache instead: the
# package would enable and start a NATS service on this host.
# python3-yaml and python3-jsonschema: the kernel's YNL generator, which
# "make regen" and check-static run on the netlink spec.
missing=""
for p in busybox-static cpio kmod libnl-3-dev libnl-genl-3-dev libsmartcols-dev pkg-config \
	 dpkg-dev linux-source-6.1 gnuplot-nox bc flex bison libelf-dev libssl-dev \
	 xz-utils gcc-12 g++ python3 pahole debhelper dh-dkms dkms lintian \
	 libnats-dev python3-yaml python3-jsonschema; do
	have_pkg "$p" || missing="$missing $p"
done

# QEMU 10 from backports: bookworm's 7.2 crashes booting 6.12 with 2 vCPUs.
qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	qv=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${qv:-0}" -ge 10 ] && qemu_ok=1
fi

kernels_ok=0
[ "$("$TOP"/scripts/cloud-kernels.sh --kdirs | wc -l)" -eq 2 ] && kernels_ok=1

if [ -z "$missing" ] && [ $qemu_ok -eq 1 ]; then
	# Anyone may unpack the kernels: apt-get download needs no root.
	[ $kernels_ok -eq 1 ] || "$TOP"/scripts/cloud-kernels.sh fetch
	"$TOP"/scripts/cloud-kernels.sh veth
	"$TOP"/scripts/nats-server.sh --path >/dev/null || "$TOP"/scripts/nats-server.sh fetch
	exit 0
fi

need_root "$missing$([ $qemu_ok -eq 1 ] || echo ' qemu-system-x86 (10)')"
export DEBIAN_FRONTEND=noninteractive

# Backports are never installed unasked (their priority is 100), so
# adding the source changes no installed package.
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

# Not every package of a source when one of them is needed (apt's default
# would upgrade openssl with libssl3, liblzma5 with xz-utils).
APT_OPTS="-y --no-install-recommends -o APT::Get::Upgrade-By-Source-Package=false"

# The version of $1 in bookworm-backports.
bpo_version() {
	apt-cache madison "$1" | awk -F'|' -v s="$BPO/" '
		index($3, s) { gsub(/ /, "", $2); print $2; exit }'
}

# QEMU 10 and exactly those of its dependencies that must come from
# backports too: each round adds the ones apt says the bookworm versions
# of would not satisfy. Exact versions, not pkg/$BPO, which would take
# backports' version of every new dependency (libbpf1, say).
qemu_pkgs=""
if [ $qemu_ok -eq 0 ]; then
	bpo="qemu-system-x86"
	for _ in 1 2 3 4 5 6; do
		qemu_pkgs=""
		for p in $bpo; do
			v=$(bpo_version "$p")
			[ -n "$v" ] || die "$p is not in $BPO"
			qemu_pkgs="$qemu_pkgs $p=$v"
		done
		# shellcheck disable=SC2086 # a list of package=version
		sim=$(apt-get -s $APT_OPTS install $qemu_pkgs 2>&1) && break
		more=$(echo "$sim" |
		       sed -n 's/.*Depends: \([^ ]*\) (.*) but .* is to be installed.*/\1/p' |
		       sort -u)
		[ -n "$more" ] || { echo "$sim" >&2; die "cannot install QEMU from $BPO"; }
		bpo="$bpo $more"
	done
fi

# A -dev package needs its library at exactly its own version (libssl-dev
# 3.0.22 needs libssl3 3.0.22): where the installed library is older, the
# archive's copy of that older version is taken instead, if it still has
# one, so that the library stays as it is. Each round pins the new
# packages whose version equals that of an installed package the install
# would upgrade.
fit_versions() {
	args=$1
	for _ in 1 2 3 4 5 6 7 8; do
		# shellcheck disable=SC2086
		sim=$(apt-get -s $APT_OPTS install $args 2>&1) ||
			{ echo "$sim" >&2; die "apt cannot install:$args"; }
		olds=$(echo "$sim" | sed -n 's/^Inst [^ ]* \[\([^]]*\)\].*/\1/p' | sort -u)
		[ -n "$olds" ] || break
		news=$(echo "$sim" | sed -n 's/^Inst \([^ ]*\) (.*/\1/p')
		# Every version the archive has of every new package, as
		# "package version", from one apt-cache call: one call per
		# package and upgrade took minutes on a fresh machine.
		# shellcheck disable=SC2086 # a list of package names
		avail=$(apt-cache madison $news |
			awk -F'|' '{ gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2 }')
		pinned=0
		for old in $olds; do
			for y in $(echo "$avail" | awk -v v="$old" '$2 == v { print $1 }' | sort -u); do
				case " $args " in *" $y="*) continue ;; esac
				args=$(echo " $args " | sed "s| $y | |g")
				args="$args $y=$old"
				pinned=1
			done
		done
		[ $pinned -eq 1 ] || break
	done
	echo "$args"
}

if [ -n "$missing$qemu_pkgs" ]; then
	pkgs=$(fit_versions "$missing $qemu_pkgs")
	# What is still upgraded, the new packages require; say so, since it
	# is a change to the host.
	# shellcheck disable=SC2086 # lists of package names
	apt-get -s $APT_OPTS install $pkgs 2>/dev/null |
		sed -n 's/^Inst \([^ ]*\) \[\([^]]*\)\] (\([^ ]*\) .*/\1 \2 -> \3/p' |
		while read -r up; do
			echo "deps: upgrading $up, which a new package requires"
		done
	# shellcheck disable=SC2086
	apt-get -qq $APT_OPTS install $pkgs
fi

"$TOP"/scripts/cloud-kernels.sh fetch
"$TOP"/scripts/cloud-kernels.sh veth
"$TOP"/scripts/nats-server.sh --path >/dev/null || "$TOP"/scripts/nats-server.sh fetch
