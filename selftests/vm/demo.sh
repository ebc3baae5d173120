#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# kipc at work, run inside the guest by "make run".

set -e

step() {
	printf '\n$'
	for arg in "$@"; do
		case $arg in
		*" "*) printf " '%s'" "$arg" ;;
		*) printf ' %s' "$arg" ;;
		esac
	done
	printf '\n'
	"$@"
}

say() {
	printf '\n# %s\n' "$*"
}

say "the module is loaded and offers /dev/kipc"
step grep -w kipc /proc/modules
step ls -l /dev/kipc
step kipc version

say "two programs exchange messages through a queue"
step kipc queue create jobs --max-msgs 16 --mode 0660
printf '\n$ kipc queue recv jobs --count 3 --timeout 5000 &   # a consumer waits\n'
kipc queue recv jobs --count 3 --timeout 5000 >/tmp/consumer.out &
consumer=$!
step kipc queue send jobs "build the kernel"
step kipc queue send jobs "run the selftests"
step kipc queue send --prio 7 --type 2 jobs "page the on-call engineer"
wait $consumer
say "what the consumer received, with the metadata the kernel stamped"
cat /tmp/consumer.out
step kipc queue send --prio 1 jobs "left for later"
step kipc queue show jobs
step kipc -j queue recv jobs
step kipc queue delete jobs

say "a watcher is told of arrivals by a signal, as with mq_notify()"
step kipc queue create alerts
kipc queue watch alerts --count 2 &
watcher=$!
sleep 1
step kipc queue send alerts "disk 91% full"
step kipc queue send --prio 3 alerts "disk 99% full"
wait $watcher
step kipc queue delete alerts

say "a channel between two programs: a parent reads its child until end of file"
step pipe-pair 3

say "a broadcast queue reaches three readers with every message"
step kipc queue create news --broadcast --max-msgs 8
for reader in 1 2 3; do
	kipc queue recv news --count 2 --timeout 10000 >/tmp/reader$reader.out &
done
# Readers receive only what is sent after they bound: wait for all three.
while [ "$(kipc -j queue show news | sed -n 's/.*"handles":\([0-9]*\).*/\1/p')" != 3 ]; do
	sleep 0.2
done
step kipc queue send news "release 1.0 is out"
step kipc queue send news "the mirrors are synced"
wait
for reader in 1 2 3; do
	printf '\n# reader %s got:\n' "$reader"
	cat /tmp/reader$reader.out
done
step kipc queue delete news

say "what kipc holds now, over netlink, with a monitor listening"
printf '\n$ kipc monitor --count 5 &\n'
kipc monitor --count 5 >/tmp/monitor.out &
monitor=$!
while [ "$(kipc -j stats | sed -n 's/.*"listeners":\([0-9]*\).*/\1/p')" != 1 ]; do
	sleep 0.2
done
step kipc queue create jobs --max-msgs 4
step kipc region create frames --size 1M
step kipc queue list
step kipc region list
step kipc stats
step kipc queue chmod jobs 0640
step kipc queue delete jobs
step kipc region delete frames
wait $monitor
say "the monitor's events"
cat /tmp/monitor.out

say "four processes share a counter in a region, under its robust lock"
step region-counter 4 20000

say "a message crosses from one host to another, over NATS JetStream"
# Two "hosts": network, IPC and UTS namespaces joined by a veth pair,
# each with its own kipc queues. A one-node JetStream server runs on a.
# What runs in the background is started with nsenter itself, not
# through on(), so that $! is the program and kill reaches it.
why=""
command -v kipc-bridge >/dev/null || why="kipc-bridge was not built (no libnats-dev)"
[ -n "$why" ] || command -v nats-server >/dev/null || why="no nats-server in the guest"
[ -n "$why" ] || [ -d /proc/sys/net/ipv4 ] || why="the kernel has no IPv4"
if [ -z "$why" ] && [ ! -d /sys/module/veth ]; then
	insmod /kipc/veth.ko 2>/dev/null || why="the kernel has no veth"
fi
if [ -n "$why" ]; then
	say "skipped: $why"
	exit 0
fi
host() {
	unshare -n -i -u sh -c "hostname $1; exec sleep 100000" &
	eval "$2=$!"
}
host a HA
host b HB
eval "NAME_$HA=a NAME_$HB=b"
sleep 0.5
on() {
	h=$1
	shift
	nsenter -t "$h" -n -i -u "$@"
}
# step, on host $1 (a or b): the command shows as it would be typed there.
step_on() {
	eval "h=\$H$(echo "$1" | tr ab AB)"
	shift
	printf '\n%s$' "$(eval "echo \$NAME_$h")"
	for arg in "$@"; do
		case $arg in
		*" "*) printf " '%s'" "$arg" ;;
		*) printf ' %s' "$arg" ;;
		esac
	done
	printf '\n'
	on "$h" "$@"
}
ip link add demo-a type veth
peer=$(ip -o link show dev demo-a | sed -n 's/^[0-9]*: demo-a@\([^:]*\):.*/\1/p')
ip link set dev "$peer" name demo-b
ip link set demo-a netns "$HA"
ip link set demo-b netns "$HB"
on "$HA" ip addr add 10.9.0.1/24 dev demo-a
on "$HA" ip link set demo-a up
on "$HA" ip link set lo up
on "$HB" ip addr add 10.9.0.2/24 dev demo-b
on "$HB" ip link set demo-b up
nsenter -t "$HA" -n -i -u nats-server -a 10.9.0.1 -p 4222 -js -sd /tmp/demo-js >/tmp/demo-nats.log 2>&1 &
NATS_PID=$!
sleep 1
step_on a kipc queue create orders --mode 0600
step_on b kipc queue create orders --mode 0600
printf '\na$ kipc-bridge export orders -S ORDERS --create -s nats://10.9.0.1:4222 &\n'
nsenter -t "$HA" -n -i -u kipc-bridge export orders -S ORDERS --create -s nats://10.9.0.1:4222 2>/tmp/demo-out.log &
OUT_PID=$!
printf 'b$ kipc-bridge import orders -S ORDERS --create -s nats://10.9.0.1:4222 -v &\n'
nsenter -t "$HB" -n -i -u kipc-bridge import orders -S ORDERS --create -s nats://10.9.0.1:4222 -v 2>/tmp/demo-in.log &
IN_PID=$!
step_on a kipc queue send --prio 5 --type 42 orders "2 pizzas to host b"
say "host b receives it; the kernel-stamped sender is b's importing bridge"
if ! step_on b kipc queue recv orders --timeout 60000; then
	for f in /tmp/demo-out.log /tmp/demo-in.log /tmp/demo-nats.log; do
		printf '\n# %s:\n' "$f"
		tail -n 20 "$f"
	done
	exit 1
fi
say "the origin's identity, as the importer read it from the headers"
sed -n 's/.*delivered /delivered /p' /tmp/demo-in.log
step_on a kipc-bridge status orders
step_on b kipc-bridge status orders
kill "$OUT_PID" "$IN_PID"
wait "$OUT_PID" "$IN_PID" || true
kill "$NATS_PID" "$HA" "$HB"
wait 2>/dev/null || true
# The hosts' IPC namespaces, with their queues, go away asynchronously;
# the module can be unloaded once they have.
t=50
while [ "$(cat /sys/module/kipc/refcnt)" != 0 ] && [ $t -gt 0 ]; do
	sleep 0.2
	t=$((t - 1))
done
