#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# kipc(8) and --help must say the same things: for the program and for
# every command, the long options that --help lists are exactly those
# that the man page's synopsis and section for it name, and the commands
# of each object are exactly the man page's. Runs on the host (help needs
# no module). Usage: doc_test.sh KIPC_BINARY MAN_PAGE

set -u
KIPC=$1
MAN=$2
pass=0 fail=0

# The long options in text, sorted, one a line; man escapes "-" as "\-".
opts() {
	sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z-]*' | grep -vx -- '--help' |
		sort -u
}

# The man page's text about "kipc OBJ CMD": its synopsis (.SY to .YS)
# and its section (.SS to the next .SS or .SH).
man_part() {
	awk -v sy=".SY \"kipc $1\"" -v ss=".SS kipc $1" '
		$0 == sy { on = 1 }
		on && /^\.YS/ { on = 0 }
		index($0, ".SS ") == 1 { sec = ($0 == ss) }
		/^\.SH/ { sec = 0 }
		on || sec' "$MAN"
}

compare() {
	what=$1 help=$2 man=$3
	if [ "$help" = "$man" ]; then
		pass=$((pass + 1))
		echo "ok - $what"
	else
		fail=$((fail + 1))
		echo "not ok - $what"
		echo "  --help: $(echo "$help" | xargs)"
		echo "  kipc.8: $(echo "$man" | xargs)"
	fi
}

# The program's own options: --help against OPTIONS.
help=$("$KIPC" --help | opts)
man=$(awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$MAN" | opts)
compare "kipc options" "$help" "$man"

for obj in queue region ring; do
	cmds=$("$KIPC" "$obj" help | awk '/^Commands:/ { on = 1; next } on { print $1 }' |
		grep -vx help | sort)
	man=$(grep -oE "^\.SS kipc $obj [a-z]+" "$MAN" | awk '{ print $4 }' | sort -u)
	# "kipc region chmod, kipc region chown" is one section.
	man=$( (echo "$man"; grep -oE "^\.SS kipc $obj [a-z]+, kipc $obj [a-z]+" "$MAN" |
		awk '{ print $7 }') | sort -u)
	compare "$obj commands" "$cmds" "$man"
	for c in $cmds; do
		compare "$obj $c options" "$("$KIPC" "$obj" "$c" --help | opts)" \
			"$(man_part "$obj $c" | opts)"
	done
done
compare "monitor options" "$("$KIPC" monitor --help | opts)" \
	"$(awk '/^\.SH MONITOR/ { on = 1; next } /^\.SH/ { on = 0 } on' "$MAN" | opts)"

echo "doc: $pass passed, $fail failed"
[ $fail -eq 0 ]
