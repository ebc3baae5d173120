#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The bash completion's answers for a few command lines, on the host (the
# test guest has no bash). Live names come from a stand-in "kipc" on PATH
# that prints what "kipc -j queue list" would; the completion's object and
# command lists are checked against the real CLI's help, so neither can
# drift from the other. Usage: completion_test.sh KIPC_BINARY

set -u
KIPC=$1
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0

cat >"$TMP/kipc" <<'EOF'
#!/bin/sh
# The stand-in: two plain names, and one that needed escaping.
case "$*" in
"-j queue list") printf '[{"name":"jobs"},{"name":"jobs-done"},{"name":"odd\\x1bname","name_hex":"6f64641b6e616d65"}]\n' ;;
"-j region list") printf '[{"name":"frames"}]\n' ;;
"-j ring list") printf '[{"name":"trace"}]\n' ;;
esac
EOF
chmod +x "$TMP/kipc"
PATH=$TMP:$PATH
# shellcheck source=kipc.bash-completion
. "$HERE/kipc.bash-completion"

# check "WORDS..." "EXPECTED": completes the last word of WORDS.
check() {
	local line=$1 want=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_kipc
	got="${COMPREPLY[*]}"
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
		echo "ok - '$line' -> $got"
	else
		fail=$((fail + 1))
		echo "not ok - '$line': got '$got', want '$want'"
	fi
}

check "kipc " "queue region ring stats monitor version purge help"
check "kipc q" "queue"
check "kipc r" "region ring"
check "kipc ri " "create list show delete help"
check "kipc ring create x --sl" "--slots --slot-size"
check "kipc ring create x --slots " ""
check "kipc --v" "--version"
check "kipc queue " "create send recv watch list show top chmod chown delete help"
check "kipc queue s" "send show"
check "kipc -j q sh " "jobs jobs-done"
check "kipc queue send jobs-" "jobs-done"
check "kipc queue send jobs " ""
check "kipc queue create " ""
check "kipc queue recv jobs --n" "--nonblock"
check "kipc queue list -o " "NAME MODE OWNER UID GID CTIME MSGS MSGSIZE SENT RECEIVED HANDLES BYTES FAILED DROPPED TYPE RWAIT SWAIT ID"
check "kipc queue list -o MS" "MSGS MSGSIZE"
check "kipc region show " "frames"
check "kipc ring delete " "trace"
check "kipc ring " "create list show delete help"
check "kipc ring show " "trace"
check "kipc ring list -o P" "PRODUCERS"
check "kipc monitor " "queue region ring"
check "kipc nosuch " ""

# The lists against the CLI's own help.
objects=$("$KIPC" --help | sed -n '/^Objects:/,$p' | awk 'NR > 1 { print $1 }' | xargs)
# shellcheck disable=SC2154
[ "$objects" = "$_kipc_objects" ] && pass=$((pass + 1)) ||
	{ fail=$((fail + 1)); echo "not ok - objects: help says '$objects'"; }
for o in queue region ring; do
	cmds=$("$KIPC" "$o" help | sed -n '/^Commands:/,$p' | awk 'NR > 1 { print $1 }' | xargs)
	var=_kipc_${o}_cmds
	[ "$cmds" = "${!var}" ] && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "not ok - $o commands: help says '$cmds'"; }
	cols=$("$KIPC" "$o" list --help | sed -n '/^Columns/,$p' | awk 'NR > 1 { print ($1 == "*" ? $2 : $1) }' | xargs)
	[ "$cols" = "$(_kipc_columns "$o")" ] && pass=$((pass + 1)) ||
		{ fail=$((fail + 1)); echo "not ok - $o columns: help says '$cols'"; }
done

echo "completion: $pass passed, $fail failed"
[ $fail -eq 0 ]
