#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Generates the netlink code from Documentation/netlink/specs/kipc.yaml
# with the kernel's own YNL generator (tools/net/ynl/pyynl/ynl_gen_c.py):
#
#   uapi/linux/kipc_netlink.h   the family's uapi enums
#   kmod/netlink_gen.h          the op table and handler declarations
#   kmod/netlink_gen.c          the request policies and the op table
#
#   ynl-gen.sh [OUTDIR]   write them under OUTDIR (default: the tree)
#
# The generator is taken from Debian's linux-source-7.3, which
# scripts/kernel-7.3.sh fetches and unpacks for "make check" anyway (a
# no-op once cached): it is the newest generator at hand, 6.1's source has
# none, and 6.12's would be one more download. Its output builds on every
# supported kernel; what 6.1 lacks (split ops) kmod/compat.h fills in.
#
# The generator finds its JSON schema beside the spec's directory and
# names the spec by its path below the nearest MAINTAINERS, so it runs on
# a staging copy laid out as a kernel tree: build/ynl/Documentation/
# netlink/{specs/kipc.yaml,genetlink-c.yaml} and an empty MAINTAINERS.
# Nothing of the kernel's is copied into kipc's tree.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP}
PYTHON=${PYTHON:-python3}
STAGE=$TOP/build/ynl

die() {
	echo "ynl-gen: $*" >&2
	exit 1
}

ksrc=$("$TOP"/scripts/kernel-7.3.sh | tail -n1)/source
gen=$ksrc/tools/net/ynl/pyynl/ynl_gen_c.py
schema=$ksrc/Documentation/netlink/genetlink-c.yaml
[ -f "$gen" ] && [ -f "$schema" ] || die "no YNL generator in $ksrc"

rm -rf "$STAGE"
mkdir -p "$STAGE"/Documentation/netlink/specs
: >"$STAGE"/MAINTAINERS
cp "$TOP"/Documentation/netlink/specs/kipc.yaml "$STAGE"/Documentation/netlink/specs/
ln -s "$schema" "$STAGE"/Documentation/netlink/genetlink-c.yaml
spec=$STAGE/Documentation/netlink/specs/kipc.yaml

mkdir -p "$OUT"/uapi/linux "$OUT"/kmod
run() {
	# The generator prints its errors on stdout and may exit 0 after a
	# traceback; an output that is missing or empty is the failure sign.
	out=$1
	shift
	rm -f "$out"
	"$PYTHON" "$gen" --spec "$spec" "$@" -o "$out" >"$STAGE"/log 2>&1 || true
	[ -s "$out" ] || { cat "$STAGE"/log >&2; die "generating $out failed"; }
}
run "$OUT"/uapi/linux/kipc_netlink.h --mode uapi --header
run "$OUT"/kmod/netlink_gen.h --mode kernel --header
run "$OUT"/kmod/netlink_gen.c --mode kernel --source
