#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a directory holding the few files vmsim takes from Debian's
# linux-source-6.1 package, extracting them on first use:
#   tools/testing/selftests/kselftest.h, kselftest_harness.h (the selftests)
#   scripts/checkpatch.pl and its data files (make lint)
# They are never copied into the repository.

set -euo pipefail

cache=${VMSIM_CACHE:-/var/cache/vmsim}
tarball=/usr/src/linux-source-6.1.tar.xz
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
	echo "linux-source.sh: linux-source-6.1 is not installed (run scripts/setup.sh)" >&2
	exit 1
}
dir=$cache/linux-source-6.1-$ver

if [ ! -f "$dir/.done" ]; then
	mkdir -p "$cache"
	exec 9>"$cache/.linux-source.lock"
	flock 9
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tarball" \
			linux-source-6.1/tools/testing/selftests/kselftest.h \
			linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
			linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
		touch "$dir/.done"
	fi
fi
echo "$dir"
