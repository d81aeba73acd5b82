#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=stress: vmsim's stress test alone (after the default load),
# for as long as asked.
#   harness.stress_seconds=N   how long (default 600)
#   harness.stress_seed=N      the seed (default 1)
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
secs=$(arg stress_seconds)
seed=$(arg stress_seed)
cd /selftests || exit 1
printf '%s\n' vmsim_insmod.sh stress_test >tests.list
echo "timeout=$(( ${secs:-600} + 600 ))" >settings
VMSIM_STRESS_SECONDS=${secs:-600} VMSIM_STRESS_SEED=${seed:-1} \
	VMSIM_STRESS_OPS=4000000000 ./vmsim_run.sh /selftests
