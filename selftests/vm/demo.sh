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

say "four processes share a counter in a region, under its robust lock"
step region-counter 4 20000
