#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# kipc-bench's rows across hosts, in the guest (kipc-bench --remote runs
# this): the rig of selftests/bridge_test.sh's tests 7-9, three "hosts"
# (network, IPC and UTS namespaces on veth) each running a node of a
# JetStream cluster, and streams of 3 replicas. On it, round after round:
#
#   nats-async, nats-sync        kipc-bench-nats publish on host h1:
#                                JetStream's own rates, the yardstick
#   bridge-stream, bridge-latency  kipc-bench-nats bridge: h1's queue
#                                exported, h2's imported, by kipc-bridge
#
# Prints kipc-bench-nats's "result ID key=value..." lines, one per row and
# round, and for a row it could not measure "skip ID reason". Progress,
# and where each row's CPU time went, go to stderr.
#
#   bridge-rig.sh [--quick]
#
# BENCH_BRIDGE_BATCH sets the bridges' --batch (default 64, the most).

set -u

ROWS="nats-async nats-sync bridge-stream bridge-latency"
T=/tmp/bench-rig.$$
PIDS=""
HOLDERS=""
LOADED_VETH=0
NB=$(command -v kipc-bench-nats)
BT=$(command -v kipc-bridge)
NATS=$(command -v nats-server)
BATCH=${BENCH_BRIDGE_BATCH:-64}

# Each repeat: streaming at most COUNT messages or SECS seconds,
# latency at most SAMPLES or SECS; ROUNDS repeats of every row.
COUNT=20000 SAMPLES=500 SECS=6 ROUNDS=3
if [ "${1:-}" = --quick ]; then
	COUNT=2000 SAMPLES=50 SECS=2 ROUNDS=1
fi

say() { echo "bridge-rig: $*" >&2; }

skip() {
	rows=$1
	shift
	for r in $rows; do echo "skip $r $*"; done
}

# Names keep kipc loaded (rmmod fails while any exists), and an IPC
# namespace frees its own only some time after its last process: the
# queues and journals go first, by name, then the hosts.
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	sleep 1
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for h in ${H1:-} ${H2:-}; do
		nsenter -t "$h" -i kipc queue delete bench 2>/dev/null
		nsenter -t "$h" -i kipc region delete kipc-bridge.out:bench 2>/dev/null
		nsenter -t "$h" -i kipc region delete kipc-bridge.in:bench 2>/dev/null
	done
	for p in $HOLDERS; do kill -KILL "$p" 2>/dev/null; done
	for p in $HOLDERS; do wait "$p" 2>/dev/null; done
	for i in 1 2 3; do ip link del "br${i}o" 2>/dev/null; done
	[ $LOADED_VETH -eq 0 ] || { sleep 1; rmmod veth 2>/dev/null; }
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T"

why=""
[ -n "$NB" ] || why="kipc-bench-nats was not built (no libnats on the build host)"
[ -n "$why" ] || [ -n "$NATS" ] || why="nats-server is absent (make deps fetches it)"
[ -n "$why" ] || [ -d /proc/sys/net/ipv4 ] || why="the kernel has no IPv4"
[ -n "$why" ] || [ "$(id -u)" -eq 0 ] || why="needs root for network namespaces"
if [ -z "$why" ] && [ ! -d /sys/module/veth ]; then
	if [ -f /kipc/veth.ko ] && insmod /kipc/veth.ko 2>/dev/null; then
		LOADED_VETH=1
	elif ip link add br.probe type veth 2>/dev/null; then
		ip link del br.probe
	else
		why="the kernel has no veth (no module in the guest and none built in)"
	fi
fi
if [ -n "$why" ]; then
	skip "$ROWS" "$why"
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

# Host i: a holder process in its own net, IPC and UTS namespaces,
# joined to this (router) namespace by veth br<i>o/br<i>i, 10.0.i.0/24.
# busybox ignores "peer name", so the peer is found and renamed.
make_host() {
	i=$1
	unshare -n -i -u sh -c "hostname h$i; exec sleep 100000" &
	h=$!
	HOLDERS="$HOLDERS $h"
	wait_for 5 sh -c "[ \"\$(readlink /proc/$h/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" || return 1
	ip link add "br${i}o" type veth || return 1
	peer=$(ip -o link show dev "br${i}o" | sed -n "s/^[0-9]*: br${i}o@\([^:]*\):.*/\1/p")
	ip link set dev "$peer" name "br${i}i" &&
	ip link set dev "br${i}i" netns "$h" &&
	ip addr add "10.0.$i.1/24" dev "br${i}o" &&
	ip link set "br${i}o" up &&
	nsenter -t "$h" -n ip link set lo up &&
	nsenter -t "$h" -n ip addr add "10.0.$i.2/24" dev "br${i}i" &&
	nsenter -t "$h" -n ip link set "br${i}i" up &&
	nsenter -t "$h" -n ip route add default via "10.0.$i.1" || return 1
	eval "H$i=$h"
}

# Node i of the cluster, on host i. nsenter without -p execs, so $! is
# nats-server itself, whose CPU time counts.
start_node() {
	i=$1
	routes=""
	for j in 1 2 3; do
		[ "$j" -eq "$i" ] || routes="$routes${routes:+, }nats-route://10.0.$j.2:6222"
	done
	cat >"$T/n$i.conf" <<-EOF
	server_name: n$i
	listen: 10.0.$i.2:4222
	jetstream { store_dir: "$T/n$i", max_memory_store: 64MB, max_file_store: 512MB }
	cluster { name: kipc, listen: 10.0.$i.2:6222, routes: [$routes] }
	EOF
	eval "h=\$H$i"
	nsenter -t "$h" -n -u "$NATS" -c "$T/n$i.conf" >"$T/n$i.log" 2>&1 &
	eval "N$i=$!"
	PIDS="$PIDS $!"
}

on() {
	h=$1
	shift
	nsenter -t "$h" -n -i -u "$@"
}

echo 1 >/proc/sys/net/ipv4/ip_forward
for i in 1 2 3; do
	if ! make_host $i; then
		skip "$ROWS" "host h$i could not be set up (veth, addresses)"
		exit 0
	fi
done
for i in 1 2 3; do start_node $i; done
sleep 2
for i in 1 2 3; do
	eval "np=\$N$i"
	# shellcheck disable=SC2154 # eval sets np
	kill -0 "$np" 2>/dev/null && continue
	say "node n$i did not start:"
	tail -n 5 "$T/n$i.log" >&2
	skip "$ROWS" "nats-server node n$i did not start"
	exit 0
done
srv="-s nats://10.0.1.2:4222 -s nats://10.0.2.2:4222 -s nats://10.0.3.2:4222"
nodes="--cpu-pid $N1 --cpu-pid $N2 --cpu-pid $N3"

# utime + stime of the nodes, in clock ticks (USER_HZ: 100).
nodes_ticks() {
	for p in $N1 $N2 $N3; do
		sed 's/.*) //' "/proc/$p/stat"
	done | awk '{ t += $12 + $13 } END { print t }'
}

# What the idle cluster burns (heartbeats, elections, the Go runtime's
# timers), which every row's CPU per message includes: a yardstick for
# reading them, on stderr.
sleep 3
t0=$(nodes_ticks)
sleep 5
say "the idle cluster: $(( ($(nodes_ticks) - t0) * 10 / 5 )) ms of CPU per second, 3 nodes"

if [ -z "$BT" ]; then
	skip "bridge-stream bridge-latency" "kipc-bridge was not built (no libnats on the build host)"
	BT_WHY=1
else
	BT_WHY=""
	say "kipc-bridge from h1 to h2 (--batch $BATCH)"
	on "$H1" kipc queue create bench --mode 0600 --max-msgs 1024 --msg-size 64
	on "$H2" kipc queue create bench --mode 0600 --max-msgs 1024 --msg-size 64
	common="-S BENCHBR --subject kipc.bench.br $srv --batch $BATCH"
	# One bridge creates the stream, and the other starts once it is
	# there: both creating it at once can leave the loser "subjects
	# overlap". nsenter itself, not the function "on", so that $! is
	# the bridge.
	# shellcheck disable=SC2086 # word lists
	nsenter -t "$H1" -n -i -u "$BT" export bench $common --create --replicas 3 >"$T/export.log" 2>&1 &
	EXP=$!
	PIDS="$PIDS $EXP"
	if ! wait_for 60 grep -q 'exporting queue' "$T/export.log"; then
		sed 's/^/bridge-rig: export: /' "$T/export.log" >&2
		skip "bridge-stream bridge-latency" "the exporter did not start (its log is above)"
		BT_WHY=1
	fi
fi
if [ -z "$BT_WHY" ]; then
	# shellcheck disable=SC2086
	nsenter -t "$H2" -n -i -u "$BT" import bench $common >"$T/import.log" 2>&1 &
	IMP=$!
	PIDS="$PIDS $IMP"
	if ! wait_for 60 grep -q 'importing ' "$T/import.log"; then
		sed 's/^/bridge-rig: import: /' "$T/import.log" >&2
		skip "bridge-stream bridge-latency" "the importer did not start (its log is above)"
		BT_WHY=1
	fi
fi

# The repeats alternate between NATS's rows and the bridge's, so that a
# slow patch of the host (this is two emulated CPUs on a shared machine)
# hits one repeat of each rather than every repeat of one: kipc-bench
# takes the medians, and the ratio of one round is what compares.
r=1
while [ $r -le $ROUNDS ]; do
	say "round $r of $ROUNDS: JetStream's own publish rates (3 nodes, replicas 3)"
	# shellcheck disable=SC2086
	on "$H1" "$NB" publish $srv --stream BENCHPUB --subject kipc.bench.pub \
		--replicas 3 --count $COUNT --samples $SAMPLES --seconds $SECS \
		--window 256 $nodes ||
		say "kipc-bench-nats publish failed with status $?"
	if [ -z "$BT_WHY" ]; then
		say "round $r of $ROUNDS: kipc-bridge from h1 to h2"
		# shellcheck disable=SC2086
		"$NB" bridge --from "$H1" --to "$H2" --queue bench --count $COUNT \
			--samples $SAMPLES --seconds $SECS $nodes \
			--cpu-pid $EXP --cpu-pid $IMP ||
			{
				say "kipc-bench-nats bridge failed with status $?; the bridges' logs:"
				tail -n 20 "$T/export.log" "$T/import.log" >&2
			}
	fi
	r=$((r + 1))
done
if [ -z "$BT_WHY" ]; then
	on "$H1" "$BT" status bench | sed 's/^/bridge-rig: h1 /' >&2
	on "$H2" "$BT" status bench | sed 's/^/bridge-rig: h2 /' >&2
fi
exit 0
