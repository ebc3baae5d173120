#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The packaging checks of "make check": each prints one line, "ok",
# "FAIL" or "skip" with its reason, and any FAIL fails the script.
#
#   deb      make deb builds the four packages, and kipc-bridge where
#            pkg-config finds libnats (as make deb decides)
#   bridge   kipc-bridge depends on libnats and libkipc0, and no other
#            package on libnats; without libnats, a skip says so
#   lintian  lintian reports no error on them
#   root     the packages installed into a throw-away root (dpkg --root)
#            put their files where they belong, and a program builds and
#            links there through pkg-config alone, then runs; kipc-bridge's
#            postinst makes its user in the root, not on the host
#   units    systemd-analyze verify passes kipc-bridge's template units,
#            as instances, with the package's files over the host's units
#   dkms     dkms builds the packaged source for each kernel tree given
#            as an argument (the test kernels' unpacked headers), with
#            private dkms, source and install trees: nothing under the
#            host's /var/lib/dkms or /lib/modules is written
#
# Usage: check-packaging.sh KDIR...

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
DEB=$B/deb
W=$B/packaging
VERSION=$(sed -n 's/^#define KIPC_MODULE_VERSION_STR[^"]*"\(.*\)"/\1/p' \
	  "$TOP"/kmod/kipc_internal.h)
PACKAGES="kipc-dkms_${VERSION}_all libkipc0_${VERSION}_amd64
	  libkipc-dev_${VERSION}_amd64 kipc-tools_${VERSION}_amd64"
BRIDGE=kipc-bridge_${VERSION}_amd64
failed=0
have_debs=0
# The Makefile's test: make deb packages the bridge where this holds.
have_nats=0
pkg-config --exists libnats 2>/dev/null && have_nats=1
[ $have_nats -eq 0 ] || PACKAGES="$PACKAGES $BRIDGE"

ok() { echo "packaging: ok   $*"; }
skip() { echo "packaging: skip $*"; }
fail() {
	echo "packaging: FAIL $*"
	failed=1
}
have() { command -v "$1" >/dev/null 2>&1; }

check_deb() {
	for t in dpkg-buildpackage dh dh_dkms; do
		have $t || { skip "deb: $t is missing (make deps installs it)"; return; }
	done
	if ! make -C "$TOP" deb >"$W/deb.log" 2>&1; then
		cat "$W/deb.log"
		fail "deb: make deb failed"
		return
	fi
	for p in $PACKAGES; do
		[ -f "$DEB/$p.deb" ] || { fail "deb: $p.deb was not built"; return; }
	done
	have_debs=1
	ok "deb: $(echo $PACKAGES | wc -w) packages in build/deb"
}

# $1's Depends and Pre-Depends, one line.
deps_of() {
	dpkg-deb -f "$DEB/$1.deb" Depends Pre-Depends | tr '\n' ' '
}

check_bridge() {
	[ $have_nats -eq 1 ] || { skip "bridge: pkg-config finds no libnats (libnats-dev is missing; make deps installs it), so make deb left kipc-bridge out"; return; }
	[ $have_debs -eq 1 ] || { skip "bridge: no packages to check"; return; }
	d=$(deps_of "$BRIDGE")
	for want in libnats libkipc0; do
		case $d in
		*"$want"*) ;;
		*) fail "bridge: kipc-bridge does not depend on $want: $d"; return ;;
		esac
	done
	for p in $PACKAGES; do
		[ "$p" = "$BRIDGE" ] && continue
		case $(deps_of "$p") in
		*libnats*) fail "bridge: ${p%%_*} depends on libnats"; return ;;
		esac
	done
	ok "bridge: kipc-bridge depends on libnats and libkipc0, no other package on libnats"
}

check_lintian() {
	[ $have_debs -eq 1 ] || { skip "lintian: no packages to check"; return; }
	have lintian || { skip "lintian: lintian is missing (make deps installs it)"; return; }
	lintian --pedantic -I "$DEB"/*.changes >"$W/lintian.log" 2>&1
	grep -v 'running with root privileges' "$W/lintian.log"
	if grep -q '^E:' "$W/lintian.log"; then
		fail "lintian: errors (above)"
	else
		ok "lintian: no errors ($(grep -c '^W:' "$W/lintian.log") warnings)"
	fi
}

# The one file the packages must each put in place, package by package.
expect_file() {
	[ -e "$R$1" ] || { fail "root: $1 is missing"; return 1; }
}

check_root() {
	[ $have_debs -eq 1 ] || { skip "root: no packages to install"; return; }
	[ "$(id -u)" -eq 0 ] || { skip "root: dpkg --root needs root"; return; }
	have pkg-config || { skip "root: pkg-config is missing"; return; }

	R=$W/root
	rm -rf "$R"
	# /etc as any root has it: systemd-sysusers takes its lock there.
	mkdir -p "$R"/var/lib/dpkg/info "$R"/var/lib/dpkg/updates \
		 "$R"/var/lib/dpkg/triggers "$R"/etc
	: >"$R"/var/lib/dpkg/status
	: >"$R"/var/lib/dpkg/available
	# The root holds only these packages, so their dependencies (libc,
	# libnl, dkms) are forced; kipc-dkms is unpacked, not configured: its
	# postinst runs dkms, which the dkms check does on its own terms.
	# kipc-bridge's postinst runs the host's systemd-sysusers with
	# --root="$DPKG_ROOT", which must make the user in the root alone.
	d="dpkg --root=$R --log=/dev/null --force-depends --force-script-chrootless"
	bridge=""
	[ $have_nats -eq 0 ] || bridge="$DEB/$BRIDGE.deb"
	host_users=$(cut -d: -f1 /etc/passwd)
	if ! $d -i "$DEB"/libkipc0_${VERSION}_amd64.deb \
		 "$DEB"/libkipc-dev_${VERSION}_amd64.deb \
		 "$DEB"/kipc-tools_${VERSION}_amd64.deb $bridge >"$W/root.log" 2>&1 ||
	   ! $d --unpack "$DEB"/kipc-dkms_${VERSION}_all.deb >>"$W/root.log" 2>&1; then
		cat "$W/root.log"
		fail "root: dpkg --root could not install the packages"
		return
	fi
	if [ "$(cut -d: -f1 /etc/passwd)" != "$host_users" ]; then
		fail "root: installing into the root changed the host's /etc/passwd"
		return
	fi

	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	for f in /usr/lib/$ma/libkipc.so.0 /usr/lib/$ma/libkipc.so \
		 /usr/lib/$ma/libkipc.a /usr/lib/$ma/pkgconfig/libkipc.pc \
		 /usr/include/kipc/libkipc.h /usr/include/kipc/linux/kipc.h \
		 /usr/include/kipc/linux/kipc_netlink.h \
		 /usr/share/man/man3/kipc_queue_open.3.gz /usr/bin/kipc \
		 /usr/share/man/man8/kipc.8.gz /usr/share/man/man7/kipc.7.gz \
		 /usr/src/kipc-$VERSION/dkms.conf \
		 /usr/src/kipc-$VERSION/kmod/Kbuild \
		 /usr/src/kipc-$VERSION/uapi/linux/kipc.h \
		 /usr/src/kipc-$VERSION/uapi/linux/kipc_netlink.h \
		 /usr/lib/udev/rules.d/60-kipc.rules \
		 /usr/lib/modules-load.d/kipc.conf; do
		expect_file $f || return
	done
	if [ -n "$bridge" ]; then
		for f in /usr/bin/kipc-bridge /usr/share/man/man8/kipc-bridge.8.gz \
			 /lib/systemd/system/kipc-bridge-export@.service \
			 /lib/systemd/system/kipc-bridge-import@.service \
			 /usr/lib/sysusers.d/kipc-bridge.conf \
			 /usr/share/doc/kipc-bridge/examples/kipc-bridge.conf.example; do
			expect_file $f || return
		done
		if ! grep -q '^kipc-bridge:' "$R"/etc/passwd 2>/dev/null; then
			cat "$W/root.log"
			fail "root: kipc-bridge's postinst made no kipc-bridge user in the root"
			return
		fi
	fi
	if [ -e "$R"/usr/include/libkipc.h ] || [ -e "$R"/usr/include/linux/kipc.h ]; then
		fail "root: a header is outside /usr/include/kipc"
		return
	fi
	if ! grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$R"/usr/src/kipc-$VERSION/dkms.conf; then
		fail "root: dkms.conf does not carry version $VERSION"
		return
	fi

	# Only the root's .pc files: the host's libnl-genl-3.0.pc must not be
	# needed, since libkipc.h includes no libnl header.
	export PKG_CONFIG_SYSROOT_DIR="$R"
	export PKG_CONFIG_LIBDIR="$R/usr/lib/$ma/pkgconfig"
	cat >"$W/prog.c" <<-'EOF'
	#include <stdio.h>
	#include <libkipc.h>

	int main(void)
	{
		struct kipc_queue_attr a = { .size = sizeof(a) };

		(void)a;
		if (kipc_lib_version() != KIPC_VERSION_CODE(KIPC_LIB_VERSION_MAJOR,
							     KIPC_LIB_VERSION_MINOR,
							     KIPC_LIB_VERSION_PATCH))
			return 1;
		printf("%d\n", kipc_lib_version());
		return 0;
	}
	EOF
	cflags=$(pkg-config --cflags libkipc) || { fail "root: pkg-config --cflags libkipc failed"; return; }
	libs=$(pkg-config --libs libkipc) || { fail "root: pkg-config --libs libkipc failed"; return; }
	# -nostdinc is too much; the host's /usr/include holds libc, and the
	# root's kipc headers come first through the .pc's -I.
	if ! cc -Wall -Wextra -Werror $cflags -o "$W/prog" "$W/prog.c" $libs \
		-Wl,-rpath-link,"$R/usr/lib/$ma" 2>"$W/prog.log"; then
		cat "$W/prog.log"
		fail "root: the program did not build against the root"
		return
	fi
	if ! LD_LIBRARY_PATH="$R/usr/lib/$ma" "$W/prog" >/dev/null; then
		fail "root: the program did not run against the root's libkipc.so.0"
		return
	fi
	if ! LD_LIBRARY_PATH="$R/usr/lib/$ma" "$R"/usr/bin/kipc --help >/dev/null; then
		fail "root: the root's kipc --help failed"
		return
	fi
	unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
	if [ -n "$bridge" ]; then
		if ! LD_LIBRARY_PATH="$R/usr/lib/$ma" "$R"/usr/bin/kipc-bridge --help >/dev/null; then
			fail "root: the root's kipc-bridge --help failed"
			return
		fi
		ok "root: files in place; a program built with \"$cflags $libs\" and ran; kipc-bridge runs, its user is made"
	else
		ok "root: files in place; a program built with \"$cflags $libs\" and ran"
	fi
}

# The template units as instances: a queue name of letters, and one
# with a "-", escaped. systemd-analyze verify fails on a missing
# ExecStart binary and on a unit it cannot find (sysinit.target, say),
# so it runs on a root that holds the package's files over a copy of this
# host's own units: the one thing not checked is that the host's systemd
# is the one the package will meet. The man page is the root check's.
check_units() {
	[ $have_nats -eq 1 ] || { skip "units: no kipc-bridge package (pkg-config finds no libnats)"; return; }
	[ $have_debs -eq 1 ] || { skip "units: no packages to check"; return; }
	have systemd-analyze || { skip "units: systemd-analyze is missing (package systemd)"; return; }
	sys=""
	for dir in /usr/lib/systemd/system /lib/systemd/system; do
		[ -e $dir/sysinit.target ] && { sys=$dir; break; }
	done
	[ -n "$sys" ] || { skip "units: this host has no systemd units to verify against"; return; }

	U=$W/units
	rm -rf "$U"
	mkdir -p "$U"/usr/lib/systemd/system
	cp -R "$sys"/. "$U"/usr/lib/systemd/system/
	rm -f "$U"/usr/lib/systemd/system/kipc-bridge-*
	dpkg-deb -x "$DEB/$BRIDGE.deb" "$U"
	units="kipc-bridge-export@jobs.service kipc-bridge-import@jobs.service
	       kipc-bridge-export@my\\x2dqueue.service"
	# shellcheck disable=SC2086 # a list of unit names
	systemd-analyze --root="$U" verify --man=no $units >"$W/units.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$W/units.log" ]; then
		cat "$W/units.log"
		fail "units: systemd-analyze verify failed (status $rc)"
		return
	fi
	ok "units: systemd-analyze verify clean on $(echo $units | wc -w) instances ($(systemd-analyze --version | sed -n '1s/ (.*//p'))"
}

check_dkms() {
	[ $have_debs -eq 1 ] || { skip "dkms: no packages to build from"; return; }
	have dkms || { skip "dkms: dkms is missing (make deps installs it)"; return; }
	[ $# -gt 0 ] || { skip "dkms: no test kernel headers (make deps unpacks them)"; return; }

	src=$W/dkms-src
	rm -rf "$src" "$W/dkms-tree" "$W/dkms-install"
	mkdir -p "$src" "$W/dkms-tree" "$W/dkms-install"
	dpkg-deb -x "$DEB"/kipc-dkms_${VERSION}_all.deb "$src"
	# The dkms package ships /var/lib/dkms; a build that used it, or made
	# a signing key there, would change what it holds.
	host_before=$(ls -A /var/lib/dkms 2>/dev/null)
	mods_before=$(ls -A /lib/modules 2>/dev/null)
	trees="--dkmstree $W/dkms-tree --sourcetree $src/usr/src --installtree $W/dkms-install"

	if ! dkms add -m kipc -v "$VERSION" $trees >"$W/dkms.log" 2>&1; then
		cat "$W/dkms.log"
		fail "dkms: dkms add failed"
		return
	fi
	for kdir in "$@"; do
		# vermagic's release, which kernel.release need not be
		kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		       "$kdir"/include/generated/utsrelease.h)
		if ! dkms build -m kipc -v "$VERSION" -k "$kver" $trees \
			--kernelsourcedir "$kdir" >>"$W/dkms.log" 2>&1; then
			cat "$W/dkms.log"
			find "$W/dkms-tree" -name make.log -exec cat {} \;
			fail "dkms: build for $kver failed"
			continue
		fi
		if ls "$W/dkms-tree/kipc/$VERSION/$kver"/*/module/kipc.ko* >/dev/null 2>&1; then
			ok "dkms: built kipc.ko for $kver"
		else
			fail "dkms: no kipc.ko for $kver"
		fi
	done
	if [ "$(ls -A /var/lib/dkms 2>/dev/null)" != "$host_before" ]; then
		fail "dkms: the build wrote into the host's /var/lib/dkms"
	fi
	if [ "$(ls -A /lib/modules 2>/dev/null)" != "$mods_before" ]; then
		fail "dkms: the build wrote into the host's /lib/modules"
	fi
}

mkdir -p "$W"
check_deb
check_bridge
check_lintian
check_root
check_units
check_dkms "$@"
exit $failed
