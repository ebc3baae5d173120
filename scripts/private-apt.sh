# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# Sourced by the scripts that take something from a Debian suite this
# bookworm host must not take packages from (kernel-7.3.sh, sparse.sh):
# apt with a private source list and private lists under $CACHE/apt/,
# checked against bookworm's debian-archive-keyring (which holds the
# keys of the newer suites). Nothing is installed, and the system's apt
# sources and package state are not touched.
#
# The caller sets CACHE and defines die.

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# private_apt DIR TYPES SUITE: lists for TYPES (deb or deb-src) of SUITE
# in $CACHE/apt/DIR. Sets APT (that directory) and apt (the options that
# point apt-get and apt-cache at it); returns non-zero, with the log in
# $APT/update.log, if the lists could not be updated (offline).
private_apt() {
	APT=$CACHE/apt/$1
	mkdir -p "$APT"/sources "$APT"/lists/partial "$APT"/cache/archives/partial
	cat >"$APT"/sources/"$3".sources <<-SRC
	Types: $2
	URIs: http://deb.debian.org/debian
	Suites: $3
	Components: main
	Signed-By: $KEYRING
	SRC
	# As root, apt would hand the download to its _apt user, which cannot
	# write the cache; the files are checked against the signed lists
	# either way.
	apt="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$APT/sources
	     -o Dir::State::Lists=$APT/lists -o Dir::Cache=$APT/cache
	     -o APT::Sandbox::User=$(id -un)"
	# shellcheck disable=SC2086 # $apt is a list of options
	apt-get -qq $apt update >"$APT"/update.log 2>&1
}
