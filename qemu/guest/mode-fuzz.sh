#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=fuzz: the ioctl and mmap fuzzers alone (after the default
# load), once per seed, with as many calls as asked.
#   harness.fuzz_calls=N       calls per fuzzer and seed (default 50000)
#   harness.fuzz_seeds=A,B,..  the seeds (default 1,...,10)
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
calls=$(arg fuzz_calls)
seeds=$(arg fuzz_seeds)
cd /selftests || exit 1
# One copy of the fuzzer per seed, so each counts as its own test.
list=vmsim_insmod.sh
for s in $(echo "${seeds:-1,2,3,4,5,6,7,8,9,10}" | tr , ' '); do
	printf '#!/bin/sh\nVMSIM_FUZZ_SEED=%s VMSIM_FUZZ_CALLS=%s exec ./fuzz_test\n' \
		"$s" "${calls:-50000}" >"fuzz_seed_$s"
	chmod +x "fuzz_seed_$s"
	list="$list fuzz_seed_$s"
done
printf '%s\n' $list >tests.list
echo "timeout=1800" >settings
./vmsim_run.sh /selftests
