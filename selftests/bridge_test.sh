#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# kipc-bridge (TAP output, for the VM runner):
#   1 usage errors: exit status 2 and what is wrong
#   2 a queue that does not exist: ENOENT, before any NATS
#   3 a queue the user may not read (export) or write (import): EACCES
#   4 wrong NATS credentials: refused, said so, exit 1
#   5 logging to the journal (JOURNAL_STREAM is stderr): "<N>" level
#     prefixes, no name and pid of its own; to other stderr, both
#   6 one host, one JetStream node on loopback: 200 messages from queue
#     to queue through SIGKILLs of the exporter and of the importer at
#     chosen points; all arrive once, in order within each priority,
#     with prio, type and the Msg-Id and Kipc-Msg headers intact
#   7 one host: a message lost in the middle of a pipelined batch and
#     published again lands in the stream after the ones behind it; the
#     importer puts it back in order
#   8 two hosts (IPC+net+UTS namespaces on veth) and a three-node
#     cluster, replicas 3: 10000 messages, the bridges killed at every
#     crash point and by SIGKILL mid-flow, and the nats-server of a node
#     that does not lead the stream, then the stream leader's,
#     SIGKILLed, at random chunks: all arrive once, in order, source
#     drained
#   9 broadcast: one exporting host, two importing hosts, each with its
#     durable consumer and importer crashes: both get every message once
#   10 a channel's end of file crosses hosts: the remote reader gets the
#     messages, then end of file (ENODATA); the next writer's messages
#     open it again, and end in a second end of file
# Tests 4-10 need nats-server and IPv4 (the debug kernel has none); tests
# 8-10 also need root and veth. Each says why it skips.

n=0
status=0
T=/tmp/bridge_test.$$
PIDS=""
HOLDERS=""
LOADED_VETH=0
BT=$(command -v kipc-bridge)
NATS=$(command -v nats-server)

echo "1..10"

ok() { n=$((n + 1)); echo "ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n $*"
	status=1
}

cleanup() {
	touch "$T/stop" 2>/dev/null
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	sleep 1
	for p in $PIDS $HOLDERS; do kill -KILL "$p" 2>/dev/null; done
	for p in $PIDS $HOLDERS; do wait "$p" 2>/dev/null; done
	for i in 1 2 3; do ip link del "h${i}o" 2>/dev/null; done
	[ $LOADED_VETH -eq 0 ] || { sleep 1; rmmod veth 2>/dev/null; }
	for q in bt.src bt.dst bt.ro bt.wo bt.none bt.r6 bt.d6; do
		kipc queue delete "$q" 2>/dev/null
		kipc region delete "kipc-bridge.out:$q" 2>/dev/null
		kipc region delete "kipc-bridge.in:$q" 2>/dev/null
	done
	rm -rf "$T"
	# The hosts' IPC namespaces, with their queues and journals, go away
	# asynchronously; leave the module as free to unload as it was found,
	# for the tests after this one.
	t=100
	while [ "$(cat /sys/module/kipc/refcnt 2>/dev/null || echo 0)" -gt "$REFCNT0" ] &&
	      [ $t -gt 0 ]; do
		sleep 0.2
		t=$((t - 1))
	done
}
REFCNT0=$(cat /sys/module/kipc/refcnt 2>/dev/null || echo 0)
trap cleanup EXIT
mkdir -p "$T"

if [ -z "$BT" ]; then
	while [ $n -lt 10 ]; do
		skip "kipc-bridge was not built (no libnats-dev on the build host)"
	done
	exit 0
fi

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
	t=$(($1 * 5))
	shift
	while [ $t -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.2
		t=$((t - 1))
	done
	return 1
}

# The pids whose command line holds all of $@, from /proc: busybox has
# no pgrep.
pids_of() {
	for d in /proc/[0-9]*; do
		c=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
		m=1
		for w in "$@"; do
			case $c in *"$w"*) ;; *) m=0 ;; esac
		done
		[ $m -eq 1 ] && [ "${d#/proc/}" != $$ ] && echo "${d#/proc/}"
	done
}

# Runs "$@" and checks status $1 and a message matching $2 on stderr.
expect_fail() {
	want=$1 msg=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne "$want" ] || ! grep -q "$msg" "$T/err"; then
		echo "# $*: status $rc (want $want), stderr:"
		sed 's/^/#   /' "$T/err"
		return 1
	fi
	return 0
}

# 1: usage
u=1
expect_fail 2 "required" "$BT" export bt.src || u=0
expect_fail 2 "not a number in 1..64" "$BT" export bt.src -S X --batch 0 || u=0
expect_fail 2 "needs --password-file" "$BT" import bt.src -S X --user u || u=0
expect_fail 2 "unknown command" "$BT" move bt.src || u=0
expect_fail 2 "1..255 bytes" "$BT" export "" -S X || u=0
if [ $u -eq 1 ]; then ok "usage errors: status 2 and the reason"; else not_ok "usage errors"; fi

# 2: no such queue (the queue is opened before NATS is dialled)
if expect_fail 1 "No such file or directory" "$BT" export bt.none -S X -s nats://127.0.0.1:1 &&
   expect_fail 1 "No such file or directory" "$BT" import bt.none -S X -s nats://127.0.0.1:1; then
	ok "a missing queue: ENOENT, named"
else
	not_ok "a missing queue"
fi

# 3: the bridge has its user's rights, no more
p=1
if [ "$(id -u)" -eq 0 ]; then
	# root's own queue, mode 0600: kipcuser's bridge may not touch it.
	kipc queue create bt.src --mode 0600 --max-msgs 4 --msg-size 128 && kipc queue create bt.dst --mode 0600 --max-msgs 4 --msg-size 128 || p=0
	expect_fail 1 "cannot open for reading: Permission denied" \
		su -s /bin/sh kipcuser -c "$BT export bt.src -S X -s nats://127.0.0.1:1" || p=0
	expect_fail 1 "cannot open for writing: Permission denied" \
		su -s /bin/sh kipcuser -c "$BT import bt.dst -S X -s nats://127.0.0.1:1" || p=0
	kipc queue delete bt.src
	kipc queue delete bt.dst
else
	# The owner's own mode bits bind it too.
	kipc queue create bt.wo --mode 0200 --max-msgs 4 --msg-size 128 && kipc queue create bt.ro --mode 0400 --max-msgs 4 --msg-size 128 || p=0
	expect_fail 1 "cannot open for reading: Permission denied" \
		"$BT" export bt.wo -S X -s nats://127.0.0.1:1 || p=0
	expect_fail 1 "cannot open for writing: Permission denied" \
		"$BT" import bt.ro -S X -s nats://127.0.0.1:1 || p=0
fi
if [ $p -eq 1 ]; then ok "no more rights than its user: EACCES"; else not_ok "permissions"; fi

nats_why=""
[ -n "$NATS" ] || nats_why="nats-server is absent"
[ -n "$nats_why" ] || [ -d /proc/sys/net/ipv4 ] || nats_why="the kernel has no IPv4 (CONFIG_INET)"

# Starts a nats-server with the rest as its options; its pid in NPID.
nats_start() {
	log=$1
	shift
	"$NATS" "$@" >"$log" 2>&1 &
	NPID=$!
	PIDS="$PIDS $NPID"
}

# 4, 5: wrong credentials; the log format under systemd
if [ -n "$nats_why" ]; then
	skip "$nats_why"
	skip "$nats_why"
else
	nats_start "$T/auth.log" -a 127.0.0.1 -p 4333 --user bt --pass right
	printf 'wrong\n' >"$T/pw"
	kipc queue create bt.src --mode 0600 --max-msgs 4 --msg-size 128
	if expect_fail 1 "refused these credentials" "$BT" export bt.src -S X \
	       -s nats://127.0.0.1:4333 --user bt --password-file "$T/pw" &&
	   grep -q "Permission denied" "$T/err"; then
		ok "wrong NATS credentials: refused, EACCES"
	else
		not_ok "wrong NATS credentials"
	fi
	# Under systemd, stderr is the journal's (JOURNAL_STREAM names it):
	# the level goes in a "<N>" prefix, and the journal adds name and pid.
	: >"$T/jerr"
	js=$(stat -c '%d:%i' "$T/jerr")
	JOURNAL_STREAM=$js "$BT" export bt.src -S X -s nats://127.0.0.1:4333 \
		--user bt --password-file "$T/pw" 2>>"$T/jerr"
	JOURNAL_STREAM=1:1 "$BT" export bt.src -S X -s nats://127.0.0.1:4333 \
		--user bt --password-file "$T/pw" 2>"$T/jerr_other"
	if grep -q '^<3>export bt.src: giving up: Permission denied$' "$T/jerr" &&
	   ! grep -q 'kipc-bridge\[' "$T/jerr" &&
	   grep -q '^kipc-bridge\[[0-9]*\]: export bt.src: giving up' "$T/jerr_other"; then
		ok "logs to the journal with a level prefix, to other stderr with name and pid"
	else
		not_ok "journal log format"
		sed 's/^/# journal: /' "$T/jerr"
		sed 's/^/# other: /' "$T/jerr_other"
	fi
	kill -KILL "$NPID"
	wait "$NPID" 2>/dev/null
	kipc queue delete bt.src
	kipc region delete "kipc-bridge.out:bt.src" 2>/dev/null
fi

# $1 messages in chunks of 100, prio 3 and 7 in turn, to queue $2 with
# kipc ($3: a prefix that runs it on a host). Payload "prio:i:checksum";
# type is 1000 + prio.
send_msgs() {
	local total=$1 q=$2 pre=$3 k=0 i=0 pr
	while [ $i -lt "$total" ]; do
		pr=$((k % 2 == 0 ? 3 : 7))
		awk -v p=$pr -v s=$i 'BEGIN { for (j = s; j < s + 100; j++)
			printf "%d:%d:%d\n", p, j, (j * 7919 + p * 104729) % 1000003 }' |
			$pre kipc queue send "$q" --lines --prio $pr --type $((1000 + pr)) ||
			return 1
		i=$((i + 100))
		k=$((k + 1))
		[ -z "${SEND_HOOK:-}" ] || $SEND_HOOK $k
	done
}

# Checks what "kipc queue recv" printed ($1) against $2 messages: each
# once, prio and type as sent, checksum right, in order within a prio.
check_msgs() {
	awk -v want="$2" '
		{
			d = $0; sub(/^.* len [0-9]*: /, "", d)
			split(d, f, ":")
			if ($4 != f[1] || $6 != 1000 + f[1]) { print "# bad prio/type: " $0; bad++ }
			if (f[3] != (f[2] * 7919 + f[1] * 104729) % 1000003) { print "# bad checksum: " $0; bad++ }
			if (seen[d]++) { print "# twice: " d; bad++ }
			if ((f[1] in last) && f[2] <= last[f[1]]) { print "# out of order: " d " after " last[f[1]]; bad++ }
			last[f[1]] = f[2]
			got++
		}
		END {
			if (got != want) { print "# got " got " of " want; bad++ }
			exit bad > 0
		}' "$1"
}

# The origin's identity, as the importer's -v log saw the headers.
check_headers() {
	log=$1 host=$2
	d=$(grep -c ' delivered ' "$log")
	[ "$d" -gt 0 ] || { echo "# no deliveries logged"; return 1; }
	bad=$(grep ' delivered ' "$log" | grep -vc "origin=$host seq=[1-9][0-9]* export=[1-9][0-9]*/[1-9][0-9]* batch=[1-9][0-9]* prio=[37] type=100[37] pid=[1-9][0-9]* uid=$(id -u) gid=$(id -g) time=[1-9]")
	[ "$bad" -eq 0 ] || { echo "# $bad deliveries with wrong headers:"; grep ' delivered ' "$log" | head -n 3 | sed 's/^/#   /'; return 1; }
	return 0
}

# A bridge under a supervisor: first runs with each crash point in $2
# until one dies by SIGKILL (status 137), then restarted whenever it
# dies, until $T/stop.
supervise() {
	log=$1 crashes=$2
	shift 2
	(
		for c in $crashes; do
			rc=0
			while [ $rc -ne 137 ]; do
				[ -e "$T/stop" ] && exit 0
				KIPC_BRIDGE_CRASH=$c "$@" >>"$log" 2>&1
				rc=$?
				[ $rc -eq 137 ] || sleep 0.2
			done
		done
		while [ ! -e "$T/stop" ]; do
			"$@" >>"$log" 2>&1
			sleep 0.2
		done
	) &
	PIDS="$PIDS $!"
}

stop_bridges() {
	touch "$T/stop"
	for p in $(pids_of kipc-bridge "$1"); do kill -TERM "$p"; done
	t=50
	while [ $t -gt 0 ] && [ -n "$(pids_of kipc-bridge "$1")" ]; do
		sleep 0.2
		t=$((t - 1))
	done
}

# 6: one host, loopback
if [ -n "$nats_why" ]; then
	skip "$nats_why"
else
	rm -f "$T/stop"
	nats_start "$T/n0.log" -a 127.0.0.1 -p 4334 -js -sd "$T/n0"
	kipc queue create bt.src --mode 0600 --max-msgs 256 --msg-size 128
	kipc queue create bt.dst --mode 0600 --max-msgs 256 --msg-size 128
	common="-S BT5 --subject kipc.bt5 -s nats://127.0.0.1:4334 --create --batch 8"
	# shellcheck disable=SC2086 # word lists
	supervise "$T/out5.log" "export-taken:3 export-published:20 export-published:7" \
		"$BT" export bt.src $common --host a
	# shellcheck disable=SC2086
	supervise "$T/in5.log" "import-recorded:5 import-sent:11 import-delivered:4 import-sent:30" \
		"$BT" import bt.dst $common --host b -v
	kipc queue recv bt.dst --count 200 --timeout 180000 >"$T/recv5" 2>"$T/recv5.err" &
	RPID=$!
	send_msgs 200 bt.src ""
	wait "$RPID"
	rc=$?
	stop_bridges bt.
	r=1
	[ $rc -eq 0 ] || { echo "# recv exited $rc: $(cat "$T/recv5.err")"; r=0; }
	check_msgs "$T/recv5" 200 || r=0
	check_headers "$T/in5.log" a || r=0
	kills=$(grep -c 'killing myself' "$T/out5.log" "$T/in5.log" | awk -F: '{ s += $2 } END { print s }')
	rec=$(grep -c 'recovered' "$T/out5.log" "$T/in5.log" | awk -F: '{ s += $2 } END { print s }')
	echo "# $kills crash points hit, $rec recoveries"
	[ "$kills" -eq 7 ] || { echo "# want 7 crash points hit"; r=0; }
	grep -q 'it happened' "$T/in5.log" || { echo "# no send found done after a crash"; r=0; }
	grep -q 'it did not happen' "$T/in5.log" || { echo "# no send found undone after a crash"; r=0; }
	grep -q 'already stored (dedup)' "$T/out5.log" || r=0
	"$BT" status bt.src | sed 's/^/# /'
	"$BT" status bt.dst | sed 's/^/# /'
	if [ $r -eq 1 ]; then
		ok "one host: 200 of 200 once, in order, through 7 bridge crashes"
	else
		not_ok "one host"
		sed 's/^/# out: /' "$T/out5.log" | head -n 20
		sed 's/^/# in: /' "$T/in5.log" | grep -v ' delivered ' | head -n 20
	fi
	kill -KILL "$NPID"
	wait "$NPID" 2>/dev/null
fi

# 7: a pipelined batch put back in order
if [ -n "$nats_why" ]; then
	skip "$nats_why"
else
	nats_start "$T/n_re.log" -a 127.0.0.1 -p 4335 -js -sd "$T/n_re"
	kipc queue create bt.r6 --mode 0600 --max-msgs 64 --msg-size 128
	kipc queue create bt.d6 --mode 0600 --max-msgs 64 --msg-size 128
	# The queue is full before the exporter starts: its first batch is
	# 16, and the third of them is "lost" once on the way.
	awk 'BEGIN { for (j = 0; j < 64; j++)
		printf "%d:%d:%d\n", 3, j, (j * 7919 + 3 * 104729) % 1000003 }' |
		kipc queue send bt.r6 --lines --prio 3 --type 1003
	common="-S RE6 --subject kipc.re6 -s nats://127.0.0.1:4335 --create --batch 16"
	# shellcheck disable=SC2086
	KIPC_BRIDGE_DROP=export-publish:3 "$BT" export bt.r6 $common --host a >"$T/out_re.log" 2>&1 &
	PIDS="$PIDS $!"
	# shellcheck disable=SC2086
	"$BT" import bt.d6 $common --host b -v >"$T/in_re.log" 2>&1 &
	PIDS="$PIDS $!"
	kipc queue recv bt.d6 --count 64 --timeout 120000 >"$T/recv_re" 2>"$T/recv_re.err"
	rc=$?
	stop_bridges bt.
	r=1
	[ $rc -eq 0 ] || { echo "# recv exited $rc: $(cat "$T/recv_re.err")"; r=0; }
	check_msgs "$T/recv_re" 64 || r=0
	"$BT" status bt.r6 >"$T/st_re"
	"$BT" status bt.d6 >>"$T/st_re"
	sed 's/^/# /' "$T/st_re"
	grep -q 'KIPC_BRIDGE_DROP=export-publish:3' "$T/out_re.log" || { echo "# the drop never happened"; r=0; }
	grep -q 'stored out of order)' "$T/st_re" && ! grep -q '(0 stored out of order)' "$T/st_re" ||
		{ echo "# the exporter saw nothing stored out of order"; r=0; }
	grep -q 'out of order: *[1-9][0-9]* held and put back, 0 never came' "$T/st_re" ||
		{ echo "# the importer held nothing back"; r=0; }
	if [ $r -eq 1 ]; then
		ok "a message lost mid-batch and published again: put back in order"
	else
		not_ok "reorder"
		sed 's/^/# out: /' "$T/out_re.log" | head -n 20
		sed 's/^/# in: /' "$T/in_re.log" | grep -v ' delivered ' | head -n 20
	fi
	kill -KILL "$NPID"
	wait "$NPID" 2>/dev/null
fi

# 8-10: two or three hosts, three nodes
why6=$nats_why
[ -n "$why6" ] || [ "$(id -u)" -eq 0 ] || why6="needs root for network namespaces"
if [ -z "$why6" ] && [ ! -d /sys/module/veth ]; then
	if [ -f /kipc/veth.ko ] && insmod /kipc/veth.ko 2>/dev/null; then
		LOADED_VETH=1
	elif ! ip link add bt.probe type veth 2>/dev/null; then
		why6="the kernel has no veth (no module in the guest and none built in)"
	else
		ip link del bt.probe
	fi
fi
if [ -n "$why6" ]; then
	while [ $n -lt 10 ]; do skip "$why6"; done
	exit $status
fi

# Host i: a holder process in its own net, IPC and UTS namespaces,
# joined to this (router) namespace by veth h<i>o/h<i>i, 10.0.i.0/24.
# busybox ignores "peer name", so the peer is found and renamed.
# The node that last logged becoming the stream BT6's leader, or nothing.
stream_leader() {
	grep -H "new stream leader for '\$G > BT6'" "$T"/n[123].log |
		awk '{ print $2, $3, $1 }' | sort | tail -n1 |
		sed -n 's/.*n\([123]\)\.log:.*/\1/p'
}

make_host() {
	local i=$1 h peer
	unshare -n -i -u sh -c "hostname h$i; exec sleep 100000" &
	h=$!
	HOLDERS="$HOLDERS $h"
	wait_for 5 sh -c "[ \"\$(readlink /proc/$h/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" || return 1
	ip link add "h${i}o" type veth || return 1
	peer=$(ip -o link show dev "h${i}o" | sed -n "s/^[0-9]*: h${i}o@\([^:]*\):.*/\1/p")
	ip link set dev "$peer" name "h${i}i" &&
	ip link set dev "h${i}i" netns "$h" &&
	ip addr add "10.0.$i.1/24" dev "h${i}o" &&
	ip link set "h${i}o" up &&
	nsenter -t "$h" -n ip link set lo up &&
	nsenter -t "$h" -n ip addr add "10.0.$i.2/24" dev "h${i}i" &&
	nsenter -t "$h" -n ip link set "h${i}i" up &&
	nsenter -t "$h" -n ip route add default via "10.0.$i.1" || return 1
	eval "H$i=$h"
}

# Node i of the cluster, on host i.
node_conf() {
	local i=$1 j routes
	routes=""
	for j in 1 2 3; do
		[ "$j" -eq "$i" ] || routes="$routes${routes:+, }nats-route://10.0.$j.2:6222"
	done
	cat >"$T/n$i.conf" <<-EOF
	server_name: n$i
	listen: 10.0.$i.2:4222
	jetstream { store_dir: "$T/n$i", max_memory_store: 64MB, max_file_store: 256MB }
	cluster { name: kipc, listen: 10.0.$i.2:6222, routes: [$routes] }
	EOF
}

start_node() {
	local i=$1 h
	eval "h=\$H$i"
	nsenter -t "$h" -n -u "$NATS" -c "$T/n$i.conf" >>"$T/n$i.log" 2>&1 &
	eval "N$i=$!"
	PIDS="$PIDS $!"
}

on() {
	local h=$1
	shift
	nsenter -t "$h" -n -i -u "$@"
}

r=1
echo 1 >/proc/sys/net/ipv4/ip_forward
for i in 1 2 3; do
	make_host $i || { echo "# host h$i: setup failed"; r=0; }
	node_conf $i
done
if [ $r -eq 1 ]; then
	for i in 1 2 3; do start_node $i; done
	sleep 2
	for i in 1 2 3; do
		eval "np=\$N$i"
		kill -0 "$np" 2>/dev/null && continue
		echo "# node n$i did not start:"
		tail -n 5 "$T/n$i.log" | sed 's/^/#   /'
		r=0
	done
fi
if [ $r -eq 1 ]; then
	rm -f "$T/stop"
	M6=10000
	T6=$(date +%s)
	# The chunks (of 100) after which the chaos steps come: the first
	# at random among the first 15, the rest 5 to 14 chunks apart.
	c=$((RANDOM % 15 + 1))
	CHAOS=""
	for step in 1 2 4 5 6; do
		CHAOS="$CHAOS $c:$step"
		c=$((c + RANDOM % 10 + 5))
	done
	echo "# chaos (chunk:step):$CHAOS"
	on "$H1" kipc queue create jobs --mode 0600 --max-msgs 1024 --msg-size 128
	on "$H2" kipc queue create jobs --mode 0600 --max-msgs 1024 --msg-size 128
	srv="-s nats://10.0.1.2:4222 -s nats://10.0.2.2:4222 -s nats://10.0.3.2:4222"
	common="-S BT6 --subject kipc.bt6.jobs $srv --create --replicas 3 --dup-window 600 --batch 16"
	# shellcheck disable=SC2086
	supervise "$T/out6.log" "export-taken:2 export-published:9 export-taken:5 export-published:40" \
		nsenter -t "$H1" -n -i -u "$BT" export jobs $common
	# shellcheck disable=SC2086
	supervise "$T/in6.log" "import-recorded:7 import-sent:13 import-delivered:5 import-recorded:60 import-sent:90 import-delivered:30" \
		nsenter -t "$H2" -n -i -u "$BT" import jobs $common -v
	on "$H2" kipc queue recv jobs --count $M6 --timeout 600000 >"$T/recv6" 2>"$T/recv6.err" &
	RPID=$!

	# Between chunks: real SIGKILLs of each bridge, of a node that does
	# not lead the stream, and of the stream leader's node, while
	# messages flow; each node is started again before the next is
	# killed, and has a chunk to catch up in.
	chaos() {
		local step=""
		for cs in $CHAOS; do
			[ "${cs%%:*}" -eq "$1" ] && step=${cs#*:}
		done
		[ -n "$step" ] || return 0
		case $step in
		1) for w in 1 2 3 4 5; do
			leader=$(stream_leader)
			[ -z "$leader" ] || break
			sleep 1
		   done
		   nl=$(( ${leader:-1} % 3 + 1 ))
		   eval "kill -KILL \$N$nl"
		   if [ -n "$leader" ]; then
			OTHER_WAS="not the stream leader (n$leader)"
		   else
			OTHER_WAS="no node had logged leading the stream yet, so leader or not"
		   fi
		   echo "# SIGKILLed node n$nl; $OTHER_WAS"
		   KILLED_OTHER=$nl ;;
		2) for p in $(pids_of kipc-bridge export jobs); do kill -KILL "$p" 2>/dev/null; done
		   start_node "$KILLED_OTHER" ;;
		4) li=$(stream_leader)
		   leader=$li
		   li=${li:-1}
		   eval "kill -KILL \$N$li"
		   echo "# SIGKILLed node n$li (stream leader: ${leader:-not found, n1 taken})"
		   KILLED_NODE=$li ;;
		5) for p in $(pids_of kipc-bridge import jobs); do kill -KILL "$p" 2>/dev/null; done ;;
		6) start_node "$KILLED_NODE" ;;
		esac
		sleep 2
	}
	SEND_HOOK=chaos send_msgs $M6 jobs "on $H1" || r=0
	wait "$RPID"
	rc=$?
	stop_bridges jobs
	[ $rc -eq 0 ] || { echo "# recv exited $rc: $(cat "$T/recv6.err")"; r=0; }
	check_msgs "$T/recv6" $M6 || r=0
	check_headers "$T/in6.log" h1 || r=0
	if on "$H1" kipc queue recv jobs --nonblock >/dev/null 2>&1; then
		echo "# h1's queue still holds messages"
		r=0
	fi
	# A crash run that a real SIGKILL ended first never reaches its
	# point, so each kind of point must have been hit, not all nine.
	kills=$(grep -c 'killing myself' "$T/out6.log" "$T/in6.log" | awk -F: '{ s += $2 } END { print s }')
	echo "# $kills crash points hit, 2 bridges, node n${KILLED_OTHER:-?} ($OTHER_WAS) and leader node n${KILLED_NODE:-?} SIGKILLed; $M6 messages in $(( $(date +%s) - T6 )) s"
	for c in export-taken export-published import-recorded import-sent import-delivered; do
		grep -q "CRASH=$c:.*killing myself" "$T/out6.log" "$T/in6.log" ||
			{ echo "# crash point $c never hit"; r=0; }
	done
	on "$H1" "$BT" status jobs | sed 's/^/# h1 /'
	on "$H2" "$BT" status jobs | sed 's/^/# h2 /'
fi
if [ $r -eq 1 ]; then
	ok "two hosts, R3 cluster: $M6 of $M6 once, in order, through crashes at every point, 2 bridge SIGKILLs, a SIGKILL of node n$KILLED_OTHER ($OTHER_WAS) and one of the stream leader's node"
else
	not_ok "two hosts"
	for i in 1 2 3; do
		grep -E 'ERR|FTL|WRN' "$T/n$i.log" 2>/dev/null | tail -n 5 | sed "s/^/# n$i: /"
	done
	sed 's/^/# out: /' "$T/out6.log" 2>/dev/null | head -n 40
	sed 's/^/# in: /' "$T/in6.log" 2>/dev/null | grep -v ' delivered ' | head -n 40
fi

# Every node is up again after 7; 8 and 9 need them (a leader).
for i in 1 2 3; do
	eval "np=\$N$i"
	kill -0 "$np" 2>/dev/null || start_node $i
done

# 9: a broadcast queue on h1 to two importing hosts, h2 (into a
# broadcast queue, with a reader bound) and h3 (into a plain queue).
# Each importer has its own durable consumer and crashes twice; the
# exporter is not killed, since what a broadcast queue holds for a
# reader goes with the reader (kipc-bridge(8), LIMITS).
if [ $r -eq 1 ]; then
	rm -f "$T/stop"
	M8=500
	on "$H1" kipc queue create news --broadcast --mode 0600 --max-msgs 256 --msg-size 128
	on "$H2" kipc queue create news --broadcast --mode 0600 --max-msgs 256 --msg-size 128
	on "$H3" kipc queue create news --mode 0600 --max-msgs 256 --msg-size 128
	common="-S BT8 --subject kipc.bt8.news $srv --create --replicas 3 --dup-window 600 --batch 16"
	# shellcheck disable=SC2086
	supervise "$T/out8.log" "" nsenter -t "$H1" -n -i -u "$BT" export news $common
	# shellcheck disable=SC2086
	supervise "$T/in8b.log" "import-sent:40 import-recorded:200" \
		nsenter -t "$H2" -n -i -u "$BT" import news $common -v
	# shellcheck disable=SC2086
	supervise "$T/in8c.log" "import-recorded:70 import-delivered:300" \
		nsenter -t "$H3" -n -i -u "$BT" import news $common -v
	on "$H2" kipc queue recv news --count $M8 --timeout 300000 >"$T/recv8b" 2>"$T/recv8b.err" &
	RB=$!
	on "$H3" kipc queue recv news --count $M8 --timeout 300000 >"$T/recv8c" 2>"$T/recv8c.err" &
	RC=$!
	# A broadcast reader gets what is sent after it bound: wait for the
	# exporter to be bound, that is, to run.
	wait_for 60 sh -c "nsenter -t $H1 -n -i -u $BT status news | grep -q 'bridge pid:.*(running)'" ||
		echo "# the exporter did not start"
	sleep 1
	send_msgs $M8 news "on $H1" || r=0
	r8=1
	wait "$RB" || { echo "# h2 recv: $(cat "$T/recv8b.err")"; r8=0; }
	wait "$RC" || { echo "# h3 recv: $(cat "$T/recv8c.err")"; r8=0; }
	stop_bridges news
	check_msgs "$T/recv8b" $M8 || { echo "# (h2)"; r8=0; }
	check_msgs "$T/recv8c" $M8 || { echo "# (h3)"; r8=0; }
	kills=$(grep -c 'killing myself' "$T/in8b.log" "$T/in8c.log" | awk -F: '{ s += $2 } END { print s }')
	[ "$kills" -eq 4 ] || { echo "# $kills importer crash points hit, want 4"; r8=0; }
	on "$H2" "$BT" status news | sed 's/^/# h2 /'
	on "$H3" "$BT" status news | sed 's/^/# h3 /'
	if [ $r8 -eq 1 ]; then
		ok "broadcast: $M8 messages to two importing hosts, each once and in order, through 4 importer crashes"
	else
		not_ok "broadcast to two hosts"
		sed 's/^/# out: /' "$T/out8.log" | head -n 20
		sed 's/^/# in h2: /' "$T/in8b.log" | grep -v ' delivered ' | head -n 20
		sed 's/^/# in h3: /' "$T/in8c.log" | grep -v ' delivered ' | head -n 20
	fi
else
	skip "the hosts or the cluster did not come up (test 7)"
fi

# 10: a channel from h1 to h2: its writer's end of file crosses, and the
# next writer opens it again.
if [ $r -eq 1 ]; then
	rm -f "$T/stop"
	on "$H1" kipc queue create pipe --channel --mode 0600 --max-msgs 64 --msg-size 128
	on "$H2" kipc queue create pipe --channel --mode 0600 --max-msgs 64 --msg-size 128
	common="-S BT9 --subject kipc.bt9.pipe $srv --create --replicas 3 --dup-window 600 --batch 16"
	# shellcheck disable=SC2086
	supervise "$T/out9.log" "" nsenter -t "$H1" -n -i -u "$BT" export pipe $common
	# shellcheck disable=SC2086
	supervise "$T/in9.log" "" nsenter -t "$H2" -n -i -u "$BT" import pipe $common
	wait_for 60 sh -c "nsenter -t $H2 -n -i -u $BT status pipe | grep -q 'bridge pid:.*(running)'" ||
		echo "# the importer did not start"
	r9=1
	# One writer's session: $1 messages of prio 3.
	one_writer() {
		awk -v n="$1" 'BEGIN { for (j = 0; j < n; j++)
			printf "%d:%d:%d\n", 3, j, (j * 7919 + 3 * 104729) % 1000003 }' |
			on "$H1" kipc queue send pipe --lines --prio 3 --type 1003
	}
	# Session 1: 200 messages, then the writer closes.
	on "$H2" kipc queue recv pipe --count 100000 --timeout 300000 >"$T/recv9a" 2>"$T/recv9a.err" &
	RA=$!
	one_writer 200 || r9=0
	wait "$RA"
	rc=$?
	check_msgs "$T/recv9a" 200 || r9=0
	if [ $rc -eq 0 ] || ! grep -q "No data available" "$T/recv9a.err"; then
		echo "# session 1: recv exited $rc, not at end of file: $(cat "$T/recv9a.err")"
		r9=0
	fi
	# Session 2: a new writer, 100 more. The importer opens the remote
	# channel again and, its reader gone (EPIPE), waits for the next;
	# a reader bound before that would see the first end of file still.
	one_writer 100 || r9=0
	wait_for 120 sh -c "nsenter -t $H2 -n -i -u $BT status pipe | grep -q 'no reader (EPIPE); waiting'" ||
		{ echo "# the importer did not wait for a reader"; r9=0; }
	on "$H2" kipc queue recv pipe --count 100000 --timeout 60000 >"$T/recv9b" 2>"$T/recv9b.err"
	rc=$?
	on "$H2" "$BT" status pipe | grep -q 'end of file: *2 passed on' ||
		{ echo "# the second end of file did not cross"; r9=0; }
	check_msgs "$T/recv9b" 100 || r9=0
	if [ $rc -eq 0 ] || ! grep -q "No data available" "$T/recv9b.err"; then
		echo "# session 2: recv exited $rc, not at end of file: $(cat "$T/recv9b.err")"
		r9=0
	fi
	stop_bridges pipe
	on "$H1" "$BT" status pipe | sed 's/^/# h1 /'
	on "$H2" "$BT" status pipe | sed 's/^/# h2 /'
	if [ $r9 -eq 1 ]; then
		ok "a channel across hosts: 200 messages then end of file, then 100 more from a new writer and end of file again"
	else
		not_ok "channel end of file across hosts"
		sed 's/^/# out: /' "$T/out9.log" | head -n 20
		sed 's/^/# in: /' "$T/in9.log" | head -n 20
	fi
else
	skip "the hosts or the cluster did not come up (test 7)"
fi
exit $status
