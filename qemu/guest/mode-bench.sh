#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# harness.mode=bench: run the benchmark workloads on vmsim and on the
# kernel's own memory in this same guest.  Results are "BENCH {json}" lines.
#
#   harness.pool_mb=N      vmsim's pool for the speed workloads (default 512)
#   harness.bench=LIST     which groups to run: speed,traces,swap (default
#                          all); traces-vmsim runs the traces on vmsim only
#   harness.vmsim_args=A   extra module parameters for the trace runs
#                          (comma for space), e.g. inactive_ratio=1

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
POOL_MB=$(arg pool_mb)
POOL_MB=${POOL_MB:-512}
GROUPS=$(arg bench)
GROUPS=${GROUPS:-speed,traces,swap}
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

# ---- swap: throughput over 4x a 64 MiB pool -----------------------------------
# vmsim swaps to vda, the kernel (a cgroup with memory.max = the pool) to vdb,
# an identical disk.  The raw device, written and read with dd O_DIRECT on
# vdb, is the limit.
case ",$GROUPS," in *,swap,*)
	SPOOL_MB=64
	# busybox dd prints no timing: time it with /proc/uptime (10 ms ticks,
	# under 1% of these runs).
	raw() {	# raw NAME MIB DD-ARGS...: one dd, as a BENCH line in MiB/s
		name=$1 mib=$2
		shift 2
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd "$@" 2>/dev/null || fail=1
		t1=$(cut -d' ' -f1 /proc/uptime)
		awk -v n="$name" -v mib="$mib" -v t0="$t0" -v t1="$t1" 'BEGIN {
			s = t1 - t0
			if (s <= 0) s = 0.01
			printf "BENCH {\"workload\":\"%s\",\"backend\":\"dd\",", n
			printf "\"threads\":1,\"pages\":%d,\"seconds\":%.2f,", mib * 256, s
			printf "\"rate\":%.1f,\"unit\":\"MiB/s\"}\n", mib / s
		}'
	}
	raw raw-seq-write-1M 256 if=/dev/zero of=/dev/vdb bs=1M count=256 oflag=direct
	raw raw-seq-read-1M 256 if=/dev/vdb of=/dev/null bs=1M count=256 iflag=direct
	raw raw-seq-write-4k 64 if=/dev/zero of=/dev/vdb bs=4k count=16384 oflag=direct
	raw raw-seq-read-4k 64 if=/dev/vdb of=/dev/null bs=4k count=16384 iflag=direct

	insmod "$VMSIM_KO" pool_mb=$SPOOL_MB || exit 1
	vmsimctl mkswap /dev/vda >/dev/null && vmsimctl swapon /dev/vda || fail=1
	mkswap /dev/vdb >/dev/null && swapon /dev/vdb || fail=1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/bench
	echo $((SPOOL_MB << 20)) >/sys/fs/cgroup/bench/memory.max
	for p in seq rand; do
		for b in vmsim private; do
			# Each run in its own process: the cgroup keeps only it.
			vmsim-bench swap --pattern $p --pool-pages $((SPOOL_MB * 256)) \
				--backend $b --reps 3 --cgroup /sys/fs/cgroup/bench || fail=1
		done
	done
	swapoff /dev/vdb
	vmsimctl swapoff /dev/vda || fail=1
	rmdir /sys/fs/cgroup/bench
	rmmod vmsim || fail=1
	;;
esac

[ $fail = 0 ] && echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
exit $fail
