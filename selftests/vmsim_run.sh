#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run vmsim's selftests (inside the QEMU guest, or any machine with vmsim
# loaded) and count the results.
#
# Usage: vmsim_run.sh [DIR]   DIR holds the tests and tests.list
#
# Every test's KTAP output goes to stdout, each line prefixed with the test's
# name.  Results are counted from the top-level "ok"/"not ok" lines; a test
# that exits non-zero without reporting a failure (it crashed, or timed out)
# counts as one failure.  The last line is
#   vmsim-selftests: P passed, F failed, S skipped
# and the exit status is 0 only if nothing failed.

dir=${1:-$(dirname "$0")}
timeout=300
[ -f "$dir/settings" ] && . "$dir/settings"

pass=0
fail=0
skip=0
failed=""

for t in $(cat "$dir/tests.list"); do
	echo "# ---- $t"
	log=/tmp/ktap.$t.log
	t0=$(date +%s)
	( cd "$dir" && timeout "$timeout" "./$t" ) >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	sed "s/^/$t: /" "$log"
	p=$(grep -c '^ok .*' "$log" | tr -d ' ')
	s=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		echo "$t: not ok - exited with status $rc without reporting a failure"
		f=1
	fi
	if [ "$rc" -eq 4 ] && [ "$p" -eq 0 ] && [ "$s" -eq 0 ]; then
		s=1
	fi
	echo "# ---- $t: $((t1 - t0)) s"
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	[ "$f" -gt 0 ] && failed="$failed $t"
done

[ -n "$failed" ] && echo "# failed:$failed"
echo "vmsim-selftests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
