#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check": everything that decides whether a change may land.
#
#   1. scripts/setup.sh          install what is missing; then the debug
#                                kernels start building in the background
#                                (nice 19: on the CPU the test guests leave)
#   2. scripts/lint.sh           W=1, sparse, checkpatch, docs (one test each)
#   3. scripts/packaging.sh      make install and DKMS, for both kernels
#   4. qemu/run.sh -m check      the selftests on each kernel in $KERNELS
#   5. scripts/shell-test.py     make shell, driven through a pseudo-terminal
#   6. the harness self-tests    deliberately broken runs must be judged failed
#
# KERNELS (default "stock-6.1 stock-6.12 debug-6.1 debug-6.12") narrows step 4;
# HARNESS_SELFTEST=0 skips step 6.  The last line is
#   N passed, N failed, N skipped

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

KERNELS=${KERNELS:-stock-6.1 stock-6.12 debug-6.1 debug-6.12}
HARNESS_SELFTEST=${HARNESS_SELFTEST:-1}

"$top/scripts/setup.sh" || exit 1

# The debug kernels take minutes each to build (once; then they are cached).
# Build them while lint, packaging and the stock kernels' runs go on, at the
# lowest priority, so that they take only the CPU the guests leave idle.
# A debug kernel's run waits for its build: qemu/debug-kernel.sh holds a
# lock per version while it builds, and finds the cached tree after.
mkdir -p "$top/out"
prebuild_pid=
prebuild=
for k in $KERNELS; do
	case $k in debug*) prebuild="$prebuild ${k#debug-}" ;; esac
done
if [ -n "$prebuild" ]; then
	(for v in $prebuild; do
		[ "$v" = debug ] && v=6.1
		nice -n 19 "$top/qemu/debug-kernel.sh" "$v" >/dev/null 2>&1
	done) &
	prebuild_pid=$!
fi

pass=0
fail=0
skip=0
lines=()
add() {	# add P F S LINE
	pass=$((pass + $1))
	fail=$((fail + $2))
	skip=$((skip + $3))
	lines+=("$4")
}

start=$(date +%s)
echo "== lint"
lint=$("$top/scripts/lint.sh" 2>&1)
echo "$lint"
read -r p f s <<<"$(echo "$lint" | sed -n 's/^vmsim-lint: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')"
add "${p:-0}" "${f:-1}" "${s:-0}" "lint: ${p:-0} passed, ${f:-1} failed"

echo "== packaging"
pkg=$("$top/scripts/packaging.sh" 2>&1)
echo "$pkg"
read -r p f s <<<"$(echo "$pkg" | sed -n 's/^vmsim-packaging: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')"
add "${p:-0}" "${f:-1}" "${s:-0}" "packaging: ${p:-0} passed, ${f:-1} failed, ${s:-0} skipped"

nrun=0
run() {	# run KERNEL ARGS...: one qemu/run.sh, counted
	local k=$1 dir line
	shift
	nrun=$((nrun + 1))
	dir=$top/out/check/$nrun-$k
	rm -f "$dir/summary"
	echo "== $k $*"
	line=$("$top/qemu/run.sh" -k "$k" -o "$dir" --quiet "$@" 2>&1 |
	       tee /dev/stderr | tail -n 1)
	if [ -f "$dir/summary" ]; then
		read -r p f s _ <"$dir/summary"
	else
		p=0 f=1 s=0
	fi
	add "$p" "$f" "$s" "$line"
	# Name what failed in the summary too: CI may show only its tail.
	if [ "$f" -gt 0 ] && [ -f "$dir/console.log" ]; then
		while IFS= read -r t; do
			lines+=("    $k: $t")
		done < <(grep -aE '(^|: )not ok ' "$dir/console.log" |
			 tr -d '\r' | head -n 8)
	fi
}

rm -rf "$top/out/check"
for k in $KERNELS; do
	run "$k" -m check
done

first=${KERNELS%% *}
echo "== shell on $first (typed into a pseudo-terminal)"
sh_out=$("$top/scripts/shell-test.py" "$first" "$top/out/check/shell" 2>&1)
echo "$sh_out"
read -r p f s <<<"$(echo "$sh_out" | sed -n 's/^vmsim-shell: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')"
add "${p:-0}" "${f:-1}" "${s:-0}" "shell $first: ${p:-0} passed, ${f:-1} failed"

if [ "$HARNESS_SELFTEST" != 0 ]; then
	run "$first" -m harness-warn --faulty --expect-fail
	# One passing test plus one that fails: the run must be judged failed.
	run "$first" -m check -i failtest -T pool_test --expect-fail
	for k in $KERNELS; do
		case $k in
		debug*) run "$k" -m harness-leak --faulty --expect-fail; break ;;
		esac
	done
fi

[ -n "$prebuild_pid" ] && wait "$prebuild_pid"
echo
echo "== summary ($(($(date +%s) - start)) s)"
printf '%s\n' "${lines[@]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
