#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package vmsim needs, when it is missing.
#
# Idempotent: when everything is present it only runs dpkg-query and exits.
# It runs "apt-get update" at most once, and only when something is missing.
# Used by "make demo", "make check" and the other top-level targets, so each
# works on a fresh Debian 12 machine as root.
#
# Usage: scripts/setup.sh [--check]
#   --check  only report what is missing; exit 1 if anything is.

set -euo pipefail

PACKAGES=(
	# building the module and the user-space programs
	build-essential bc bison flex kmod cpio xz-utils gzip
	libelf-dev libssl-dev sparse pahole
	# the two target kernels: images to boot, headers to build against
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	# checkpatch.pl, kselftest headers and the two debug kernels
	linux-source-6.1 linux-source-6.12
	# the test bed
	qemu-system-x86 busybox-static
	# tools run inside the guest (copied in with their libraries)
	procps util-linux dmsetup
	# far memory: an NBD server and client, and tc (netem) for the bench
	nbdkit nbd-client iproute2
	# "vmsimctl run": the allocators put in front of glibc's malloc, and the
	# Debian programs its tests run on vmsim
	libmimalloc2.0 libjemalloc2 coreutils gzip xz-utils sqlite3 mawk
	# benchmark plots, documentation, packaging
	gnuplot-nox python3-sphinx dkms
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "${1:-}" = "--check" ]; then
	echo "missing packages: ${missing[*]}"
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: need root to install: ${missing[*]}" >&2
	exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
