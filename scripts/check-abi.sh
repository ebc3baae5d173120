#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The host-side checks of kipc's ABI, run by "make check-static" after the
# build:
#   - uapi/linux/kipc.h and lib/libkipc.h compile alone as C99 and as
#     C++98, -pedantic, warnings as errors: a program in either language
#     and any standard from those on must be able to include them;
#   - Documentation/userspace-api/kipc.rst shows the header's structs and
#     names its flags, ioctls and feature bits (check-uapi-doc.py);
#   - the built libkipc.so still exports every name@version of release
#     0.3.0 (selftests/abi/0.3/libkipc.map), so binaries built against it
#     load;
#   - every name lib/libkipc.map exports has its page in
#     Documentation/man (a page of its own, or a .so of its group's), so
#     that "man NAME" answers for each.
#
# usage: check-abi.sh TOP LIBRARY

set -eu

TOP=$1
LIB=$2
CC=${CC:-cc}
CXX=${CXX:-c++}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0

for h in linux/kipc.h libkipc.h; do
	printf '#include <%s>\nint kipc_header_check;\n' "$h" >"$W/t.c"
	cp "$W/t.c" "$W/t.cc"
	for std in "$CC -std=c99 $W/t.c" "$CXX -std=c++98 $W/t.cc"; do
		# shellcheck disable=SC2086 # $std is a command and its arguments
		if ! $std -pedantic -Wall -Wextra -Werror -fsyntax-only \
		     -I"$TOP"/uapi -I"$TOP"/lib 2>"$W/err"; then
			echo "check-abi: <$h> as ${std%% *} ${std#* }:"
			sed 's/^/  /' "$W/err"
			fail=1
		fi
	done
done

python3 "$TOP"/scripts/check-uapi-doc.py "$TOP"/uapi/linux/kipc.h \
	"$TOP"/Documentation/userspace-api/kipc.rst || fail=1

# "name@NODE" for every name each node of the 0.3.0 map lists.
awk '/^LIBKIPC_[0-9.]+ *\{/ { node = $1 }
     /^[[:space:]]+kipc_[a-z_]+;/ { gsub(/[[:space:];]/, ""); print $0 "@" node }' \
	"$TOP"/selftests/abi/0.3/libkipc.map | sort >"$W/want"
objdump -T "$LIB" | awk '$NF ~ /^kipc_/ { v = $(NF - 1); gsub(/[()]/, "", v);
	print $NF "@" v }' | sort >"$W/have"
missing=$(comm -23 "$W/want" "$W/have")
if [ -n "$missing" ]; then
	echo "check-abi: $LIB no longer exports what 0.3.0 did:"
	echo "$missing" | sed 's/^/  /'
	fail=1
fi
nopage=$(sed -n 's/^[[:space:]]*\(kipc_[a-z_]*\);$/\1/p' "$TOP"/lib/libkipc.map |
	sort -u | while read -r n; do
		[ -f "$TOP/Documentation/man/$n.3" ] || echo "$n"
	done)
if [ -n "$nopage" ]; then
	echo "check-abi: exported, and no page in Documentation/man:"
	echo "$nopage" | sed 's/^/  /'
	fail=1
fi
[ $fail -ne 0 ] ||
	echo "check-abi: headers C99/C++98 clean; $(wc -l <"$W/want") symbols of 0.3.0 still exported; every exported name has a man page"
exit $fail
