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
