#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The debug kernel of "make check-debug": Debian's linux-source-6.1 built
# from tinyconfig plus scripts/debug-kernel.config (KASAN, kmemleak,
# lockdep, UBSAN, fault injection, ...). See scripts/kernel-build.sh for
# the usage, the cache and its key.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
NAME=debug-kernel
SELF=$TOP/scripts/debug-kernel.sh
FRAG=$TOP/scripts/debug-kernel.config
PKG=linux-source-6.1

. "$TOP"/scripts/kernel-build.sh

# Sets ver and TAR, from the installed package ("make deps").
kernel_source() {
	ver=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null) ||
		die "$PKG is not installed; run 'make deps'"
	TAR=/usr/src/$PKG.tar.xz
	[ -f "$TAR" ] || die "$TAR missing; run 'make deps'"
}

kernel_main "$@"
