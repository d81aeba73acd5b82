#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the "debug" test kernel from Debian's linux-source-6.1:
# tinyconfig + qemu/debug.config (KASAN, lockdep, kmemleak, DEBUG_VM, KFENCE
# and what the tests need, built in).
#
# The result is cached in $VMSIM_CACHE/debug-kernel/<key>, where <key> hashes
# the config fragment, this script and the linux-source-6.1 package version;
# a second call with the same key prints the directory and does nothing else.
# The directory holds the built source tree (for M= module builds) and is
# printed on stdout as the last line.
#
# Usage: qemu/debug-kernel.sh [--print-key]

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${VMSIM_CACHE:-/var/cache/vmsim}
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$here/debug.config

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (cat "$fragment" "$0"; echo "$srcver") | sha256sum | cut -c1-16)
if [ "${1:-}" = "--print-key" ]; then
	echo "$key"
	exit 0
fi

dir=$cache/debug-kernel/$key
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache/debug-kernel"
exec 9>"$cache/debug-kernel/.lock"
flock 9
# Someone else may have finished it while we waited for the lock.
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

log=$cache/debug-kernel/build-$key.log
echo "debug-kernel: building $key from linux-source-6.1 $srcver (log: $log)" >&2
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" --strip-components=1 -xf "$tarball"
(
	cd "$dir"
	make -s tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$fragment"
	make -s olddefconfig
	# Every option the fragment sets must have survived olddefconfig.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n)
			opt=${line%%=*}
			if grep -q "^$opt=" .config; then
				echo "debug-kernel: $opt should be off" >&2
				bad=1
			fi
			;;
		CONFIG_*=*)
			if ! grep -qx "$line" .config; then
				echo "debug-kernel: $line did not stick" >&2
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	[ "$bad" -eq 0 ]
	make -j"$(nproc)" all
) >"$log" 2>&1 || {
	echo "debug-kernel: build failed, see $log" >&2
	tail -n 30 "$log" >&2
	exit 1
}
touch "$dir/.done"
echo "debug-kernel: built in $(($(date +%s) - start)) s" >&2
echo "$dir"
