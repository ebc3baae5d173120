#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# kipc at work, run inside the guest by "make run".

set -e

step() {
	printf '\n$ %s\n' "$*"
	"$@"
}

step grep -w kipc /proc/modules
step ls -l /dev/kipc
step kipc version
step kipc -p version
