#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a debug test kernel from Debian's linux-source-6.1 or
# linux-source-6.12: tinyconfig + qemu/debug.config (KASAN, lockdep,
# kmemleak, DEBUG_VM, KFENCE, failslab and what the tests need, built in).
#
# The result is cached in $VMSIM_CACHE/debug-kernel/<key>, where <key> hashes
# the config fragment, RECIPE (bump it when the build steps below change),
# the version and the source package's version; a second call with the same
# key prints the directory and does nothing else.  The directory holds the built source tree (for M= module
# builds) and is printed on stdout as the last line.  While it builds, a
# progress line on stderr counts the objects compiled.
#
# Usage: qemu/debug-kernel.sh [6.1|6.12] [--print-key]   (default 6.1)

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${VMSIM_CACHE:-/var/cache/vmsim}
ver=6.1
case "${1:-}" in
6.1 | 6.12) ver=$1; shift ;;
esac
tarball=/usr/src/linux-source-$ver.tar.xz
fragment=$here/debug.config
# The build steps' version: part of the cache key.
RECIPE="tinyconfig + merge_config -m + olddefconfig + checked + make all, v3"

srcver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
key=$( (cat "$fragment"; echo "$RECIPE"; echo "$ver $srcver") | sha256sum | cut -c1-16)
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
exec 9>"$cache/debug-kernel/.lock-$ver"
flock 9
# Someone else may have finished it while we waited for the lock.
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

log=$cache/debug-kernel/build-$key.log
echo "debug-kernel: building $ver ($key) from linux-source-$ver $srcver (log: $log)" >&2
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" --strip-components=1 -xf "$tarball"

# A progress line while make runs: objects built so far, against the
# number the last build of this version made (or a guess).
expect_file=$cache/debug-kernel/objects-$ver
expect=$(cat "$expect_file" 2>/dev/null || echo 2600)
progress() {
	local n
	[ -t 2 ] || return 0
	while sleep 5; do
		n=$(grep -c '^  CC ' "$log" 2>/dev/null || true)
		printf '\rdebug-kernel %s: %d/~%d objects, %d s ' "$ver" "$n" "$expect" \
			$(($(date +%s) - start)) >&2
	done
}
progress &
progress_pid=$!
trap 'kill $progress_pid 2>/dev/null || true' EXIT

(
	cd "$dir"
	make -s tinyconfig || exit 1
	scripts/kconfig/merge_config.sh -m .config "$fragment" || exit 1
	make -s olddefconfig || exit 1
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
	# An explicit exit: set -e does not apply in this subshell (it is the
	# left side of ||), and a kernel without its checkers must not pass.
	[ "$bad" -eq 0 ] || exit 1
	make -j"$(nproc)" all || exit 1
) >"$log" 2>&1 || {
	kill $progress_pid 2>/dev/null || true
	echo >&2
	echo "debug-kernel: build failed, see $log" >&2
	tail -n 30 "$log" >&2
	exit 1
}
kill $progress_pid 2>/dev/null || true
grep -c '^  CC ' "$log" >"$expect_file" || true
touch "$dir/.done"
if [ -t 2 ]; then echo >&2; fi
echo "debug-kernel: $ver built in $(($(date +%s) - start)) s" >&2
echo "$dir"
