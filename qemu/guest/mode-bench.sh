#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# harness.mode=bench: run the benchmark workloads on vmsim and on the
# kernel's own memory in this same guest.  Results are "BENCH {json}" lines.
#
#   harness.pool_mb=N      vmsim's pool for the speed workloads (default 512)
#   harness.bench=LIST     which groups to run: speed,traces (default both);
#                          traces-vmsim runs the traces on vmsim only
#   harness.vmsim_args=A   extra module parameters for the trace runs
#                          (comma for space), e.g. inactive_ratio=1

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
POOL_MB=$(arg pool_mb)
POOL_MB=${POOL_MB:-512}
GROUPS=$(arg bench)
GROUPS=${GROUPS:-speed,traces}
fail=0

echo "BENCH-INFO {\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"pool_mb\":$POOL_MB}"

# ---- speed: first-touch and re-touch, vmsim vs shared vs private anon ------
case ",$GROUPS," in *,speed,*)
	insmod "$VMSIM_KO" pool_mb="$POOL_MB" || exit 1
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for w in first-touch retouch; do
		vmsim-bench $w --mb 256 --reps 5 || fail=1
	done
	rmmod vmsim || fail=1
	;;
esac

# ---- traces: replacement quality over 4x a 16 MiB pool ----------------------
# vmsim gets a 16 MiB pool; the kernel's private anonymous memory gets a
# cgroup with memory.max = 16 MiB and swap on vdb (a disk identical to vda,
# vmsim's).  Belady's optimum is computed from the same traces.
case ",$GROUPS," in *,traces,*|*,traces-vmsim,*)
	TPOOL=4096
	BACKENDS="belady vmsim private"
	case ",$GROUPS," in *,traces-vmsim,*) BACKENDS=vmsim ;; esac
	insmod "$VMSIM_KO" pool_mb=16 $(arg vmsim_args | tr , ' ') || exit 1
	mkswap /dev/vdb >/dev/null && swapon /dev/vdb || fail=1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/bench
	echo $((TPOOL * 4096)) >/sys/fs/cgroup/bench/memory.max
	for p in zipf loop hotscan; do
		for b in $BACKENDS; do
			vmsim-bench trace --pattern $p --pool-pages $TPOOL \
				--accesses 1048576 --backend $b \
				--cgroup /sys/fs/cgroup/bench || fail=1
		done
	done
	swapoff /dev/vdb
	rmdir /sys/fs/cgroup/bench
	rmmod vmsim || fail=1
	;;
esac

[ $fail = 0 ] && echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
exit $fail
