#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=bench: run the benchmark workloads on vmsim and on the
# kernel's own memory in this same guest.  Results are "BENCH {json}" lines.
POOL_MB=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^harness\.pool_mb=//p')
insmod "$VMSIM_KO" pool_mb="${POOL_MB:-512}" || exit 1
echo "BENCH-INFO {\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"pool_mb\":${POOL_MB:-512}}"
# Keep the caches of earlier runs out of the way.
sync
echo 3 >/proc/sys/vm/drop_caches
fail=0
for w in first-touch retouch; do
	vmsim-bench $w --mb 256 --reps 5 || fail=1
done
rmmod vmsim || fail=1
[ $fail = 0 ] && echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
exit $fail
