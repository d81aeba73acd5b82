#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# harness.mode=bench: run the benchmark workloads on vmsim and on the
# kernel's own memory in this same guest.  Results are "BENCH {json}" lines
# (and "BENCH-SERIES {json}" for the samples of the Zipf run on vmsim),
# shown on the console and handed to the host on the result port, where no
# kernel message can land in the middle of one; "BENCH-PROGRESS I/N what"
# says which step of N begins.
#
#   harness.pool_mb=N      vmsim's pool for the speed workloads (default 512)
#   harness.bench=LIST     which groups to run:
#                          meta,speed,remap,scale,traces,swap,far (default
#                          all); traces-vmsim runs the traces on vmsim only
#   harness.seed=N         the seed of every workload (default 1)
#   harness.vmsim_args=A   extra module parameters (comma-separated) for
#                          every group's vmsim, e.g. inactive_ratio=1
#   harness.swaps=LIST     the swap group's passes: seq,rand,mix (default
#                          all three)

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }

# Show what a workload printed, and hand its result lines to the host.
to_host() {
	while IFS= read -r line; do
		echo "$line"
		case $line in
		BENCH\ * | BENCH-INFO\ * | BENCH-SERIES\ *)
			echo "vmsim-bench $line" >"$HARNESS_RESULT" ;;
		esac
	done
}
# vmsim-bench ARGS..., its results to the host too; its exit status.
bench() {
	vmsim-bench "$@" >/tmp/bench.out
	set -- $?
	to_host </tmp/bench.out
	return "$1"
}
POOL_MB=$(arg pool_mb)
POOL_MB=${POOL_MB:-512}
GROUPS=$(arg bench)
GROUPS=${GROUPS:-meta,speed,remap,scale,traces,swap,far}
SEED=$(arg seed)
SEED=${SEED:-1}
fail=0

echo "BENCH-INFO {\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"pool_mb\":$POOL_MB,\"seed\":$SEED}" | to_host

in_groups() {	# in_groups NAME...: is any of them asked for?
	for g in "$@"; do
		case ",$GROUPS," in *,$g,*) return 0 ;; esac
	done
	return 1
}
words() { echo $#; }

# What each group runs, and so how many steps there are.
KERNEL_SIDES="shared private"
TOUCH_BACKENDS="vmsim $KERNEL_SIDES"
# first-touch by several threads or processes: "threads:N" or "procs:N".
# Each preceded by arithmetic alone on as many (vmsim-bench spin): how much
# CPU the guest gets right then, the ceiling of any scaling (the host is
# shared).  One thread's first-touch is the speed group's, if that runs.
SCALE="threads:1 threads:2 threads:4 procs:2 procs:4"
scale_touches=$(words $SCALE)
in_groups speed && scale_touches=$((scale_touches - 1))
# The synthetic traces, and GNU sort's page faults (recorded by
# scripts/record-trace.sh, shipped gzipped in tools/traces/).
TRACES="zipf phase loop hotscan"
[ -f /traces/sort.trace.gz ] && TRACES="$TRACES file:/tmp/sort.trace"
# vmsim with its default policy (faclock), then with each other policy.
OTHER_POLICIES="lru2 clock fifo random"
TRACE_BACKENDS="belady vmsim $(for q in $OTHER_POLICIES; do printf 'vmsim-%s ' $q; done)$KERNEL_SIDES"
in_groups traces-vmsim && TRACE_BACKENDS="vmsim $(for q in $OTHER_POLICIES; do printf 'vmsim-%s ' $q; done)"
# mix: a sequential scan interleaved with Zipf draws that rewrite their page
SWAPS=$(arg swaps | tr , " ")
SWAPS=${SWAPS:-seq rand mix}
FAR_SWAPS="seq rand"
nb=$(words $TOUCH_BACKENDS)
total=0
in_groups meta && total=$((total + 4))
in_groups speed && total=$((total + 2 * nb + 1))
# vmsim-pte: vmsim with write_notify=N (dirty bits from the page tables)
REMAP_BACKENDS="vmsim vmsim-pte tmpfs private"
in_groups remap && total=$((total + 2 * $(words $REMAP_BACKENDS)))
in_groups scale && total=$((total + $(words $SCALE) + scale_touches * nb))
in_groups traces traces-vmsim && total=$((total + 2 + $(words $TRACES) * $(words $TRACE_BACKENDS)))
in_groups swap && total=$((total + 2 + $(words $SWAPS) * nb))
# Far memory: round-trip latencies added on the loopback interface.
FAR_LATENCIES="0 50us 200us 1ms"
FAR_BACKENDS="vmsim private"
in_groups far && total=$((total + 1 + $(words $FAR_LATENCIES) * (1 + $(words $FAR_SWAPS) * $(words $FAR_BACKENDS))))
step=0
progress() {	# progress WHAT...: a step begins
	step=$((step + 1))
	echo "BENCH-PROGRESS $step/$total $*"
}

# The CPU the guest gets from the shared host as a group begins: arithmetic
# alone on one thread and on two.
cpu_check() {	# cpu_check GROUP
	progress "cpu: arithmetic, 1 and 2 threads"
	for n in 1 2; do
		bench spin --threads $n --reps 5 --label "$1" --seed "$SEED" || fail=1
	done
}

# busybox dd prints no timing: time it with /proc/uptime (10 ms ticks,
# under 1% of these runs).
# raw NAME MIB DD-ARGS...: one dd, as a BENCH line in MiB/s (labelled
# $RAW_LABEL, if set)
raw() {
	name=$1 mib=$2
	shift 2
	t0=$(cut -d' ' -f1 /proc/uptime)
	dd "$@" 2>/dev/null || fail=1
	t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v n="$name" -v mib="$mib" -v t0="$t0" -v t1="$t1" -v l="${RAW_LABEL:-}" 'BEGIN {
		s = t1 - t0
		if (s <= 0) s = 0.01
		printf "BENCH {\"workload\":\"%s\",\"backend\":\"dd\",", n
		if (l != "") printf "\"label\":\"%s\",", l
		printf "\"threads\":1,\"pages\":%d,\"seconds\":%.2f,", mib * 256, s
		printf "\"rate\":%.1f,\"unit\":\"MiB/s\"}\n", mib / s
	}' | to_host
}

# A cgroup v2 with memory.max = BYTES for the kernel's side, and swap on
# vdb (a disk identical to vda, vmsim's).
kernel_side_up() {	# kernel_side_up BYTES
	mkswap /dev/vdb >/dev/null && swapon /dev/vdb || fail=1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/bench
	echo "$1" >/sys/fs/cgroup/bench/memory.max
}
kernel_side_down() {
	swapoff /dev/vdb
	rmdir /sys/fs/cgroup/bench
}

# ---- meta: the memory vmsim's metadata takes ------------------------------
# The kernel's free memory (with the per-CPU lists) and the like, before
# and after loading pools of two sizes (what a pool page costs beyond
# itself), populating most of the larger pool (what a mapped page costs),
# and turning on a swap area (what a swap slot costs).
case ",$GROUPS," in *,meta,*)
	snap() { bench meminfo --label "$1" --mb "$2" --seed "$SEED" || fail=1; }
	# A first load leaves caches behind (slabs, sysfs): not measured.
	insmod "$VMSIM_KO" pool_mb=16 && rmmod vmsim || exit 1
	for mb in 128 512; do
		progress "metadata: load a $mb MiB pool"
		snap load-before $mb
		insmod "$VMSIM_KO" pool_mb=$mb || exit 1
		snap load-after $mb
		[ $mb = 512 ] || rmmod vmsim || fail=1
	done
	progress "metadata: populate 448 MiB"
	bench meta --mb 448 --seed "$SEED" || fail=1
	progress "metadata: swapon"
	vmsimctl mkswap /dev/vda >/dev/null || fail=1
	snap swapon-before 512
	vmsimctl swapon /dev/vda || fail=1
	snap swapon-after 512
	vmsimctl swapoff /dev/vda || fail=1
	rmmod vmsim || fail=1
	;;
esac

# ---- speed and scale: first-touch and re-touch, vmsim vs shared vs private --
if in_groups speed remap scale; then
	insmod "$VMSIM_KO" pool_mb="$POOL_MB" $(arg vmsim_args | tr , ' ') ||
		exit 1
	sync
	echo 3 >/proc/sys/vm/drop_caches
	touch_run() {	# touch_run WHAT WORKLOAD ARGS...: each backend in turn
		what=$1
		shift
		for b in $TOUCH_BACKENDS; do
			progress "$what $b"
			bench "$@" --mb 256 --reps 5 --backend $b --seed "$SEED" || fail=1
		done
	}
	if in_groups speed; then
		for w in first-touch retouch; do
			touch_run "$w" $w
		done
		# vmsim's zeroing worker given no idle time before each pass:
		# what first touch costs when the pool's frames are still dirty.
		progress "first-touch vmsim, no settle"
		bench first-touch --mb 256 --reps 5 --backend vmsim --settle 0 \
			--seed "$SEED" || fail=1
	fi
	# page_fault3's loop (will-it-scale): map a resident object, write
	# every page, unmap; 1 and 2 processes, each with its own object.
	if in_groups remap; then
		for n in 1 2; do
			for b in $REMAP_BACKENDS; do
				progress "remap $b, $n processes"
				wn=Y
				[ $b = vmsim-pte ] && wn=N && b=vmsim
				echo $wn >/sys/module/vmsim/parameters/write_notify
				bench remap --mb 128 --reps 10 --procs $n --backend $b \
					--seed "$SEED" || fail=1
			done
			echo Y >/sys/module/vmsim/parameters/write_notify
		done
	fi
	if in_groups scale; then
		for c in $SCALE; do
			how="--${c%:*} ${c#*:}"
			progress "cpu: arithmetic, ${c#*:} ${c%:*}"
			bench spin $how --reps 5 --label scale --seed "$SEED" || fail=1
			[ $c = threads:1 ] && in_groups speed && continue
			touch_run "first-touch ${c#*:} ${c%:*}" first-touch $how
		done
	fi
	rmmod vmsim || fail=1
fi

# ---- traces: replacement quality over 4x a 16 MiB pool ----------------------
# vmsim gets a 16 MiB pool; the kernel's shared and private anonymous memory
# a cgroup with memory.max = 16 MiB.  Belady's optimum is computed from the
# same traces.  The Zipf run on vmsim samples /proc/vmsim_meminfo every
# 50 ms.
if in_groups traces traces-vmsim; then
	TPOOL=4096
	cpu_check traces
	case $TRACES in *sort.trace*) gunzip -c /traces/sort.trace.gz >/tmp/sort.trace || exit 1 ;; esac
	insmod "$VMSIM_KO" pool_mb=16 $(arg vmsim_args | tr , ' ') || exit 1
	kernel_side_up $((TPOOL * 4096))
	for p in $TRACES; do
		for b in $TRACE_BACKENDS; do
			progress "trace $p $b"
			sample=
			[ $p/$b = zipf/vmsim ] && sample="--sample 50"
			case $b in
			vmsim-*) pol="--policy ${b#vmsim-}"; b=vmsim ;;
			*) pol= ;;
			esac
			bench trace --pattern $p --pool-pages $TPOOL \
				--accesses 1048576 --backend $b --seed "$SEED" $sample \
				$pol --cgroup /sys/fs/cgroup/bench || fail=1
			[ -n "$pol" ] && echo faclock >/sys/module/vmsim/parameters/policy
		done
	done
	in_groups traces && {
		progress "trace zipf a0"
		bench trace --pattern zipf --pool-pages $TPOOL \
			--accesses 1048576 --backend a0 --seed "$SEED" || fail=1
	}
	kernel_side_down
	rmmod vmsim || fail=1
fi

# ---- swap: throughput over 4x a 64 MiB pool -----------------------------------
# vmsim swaps to vda, the kernel (a cgroup with memory.max = the pool) to vdb,
# an identical disk.  The raw device, written and read with dd O_DIRECT on
# vdb, is the limit.
case ",$GROUPS," in *,swap,*)
	SPOOL_MB=64
	cpu_check swap
	progress "swap: raw device (dd O_DIRECT)"
	raw raw-seq-write-1M 256 if=/dev/zero of=/dev/vdb bs=1M count=256 oflag=direct
	raw raw-seq-read-1M 256 if=/dev/vdb of=/dev/null bs=1M count=256 iflag=direct
	raw raw-seq-write-4k 64 if=/dev/zero of=/dev/vdb bs=4k count=16384 oflag=direct
	raw raw-seq-read-4k 64 if=/dev/vdb of=/dev/null bs=4k count=16384 iflag=direct

	insmod "$VMSIM_KO" pool_mb=$SPOOL_MB $(arg vmsim_args | tr , ' ') || exit 1
	vmsimctl mkswap /dev/vda >/dev/null && vmsimctl swapon /dev/vda || fail=1
	kernel_side_up $((SPOOL_MB << 20))
	for p in $SWAPS; do
		for b in $TOUCH_BACKENDS; do
			progress "swap $p $b"
			# Each run in its own process: the cgroup keeps only it.
			bench swap --pattern $p --pool-pages $((SPOOL_MB * 256)) \
				--backend $b --reps 3 --seed "$SEED" \
				--cgroup /sys/fs/cgroup/bench || fail=1
		done
	done
	kernel_side_down
	vmsimctl swapoff /dev/vda || fail=1
	rmmod vmsim || fail=1
	;;
esac

# ---- far: swap to far memory over NBD -------------------------------------
# The far machine is two nbdkit memory servers in this guest, reached over
# TCP on the loopback interface: nbd0 is vmsim's area, nbd1 the kernel's
# (a cgroup with memory.max = the pool, as above).  Each latency is added
# with netem on lo, half each way: a request and its reply both cross lo.
# The raw device is dd O_DIRECT on nbd1 at the same latency.
case ",$GROUPS," in *,far,*)
	FPOOL_MB=16
	# iproute2's tc (netem), not busybox's applet of that name
	TC=/usr/sbin/tc
	cpu_check far
	for i in 0 1; do
		nbdkit -P /tmp/nbd$i.pid -i 127.0.0.1 -p $((10809 + i)) \
			memory size=256M || fail=1
		while [ ! -s /tmp/nbd$i.pid ]; do sleep 0.1; done
		nbd-client 127.0.0.1 $((10809 + i)) /dev/nbd$i -t 60 -b 4096 \
			>/dev/null || fail=1
	done
	insmod "$VMSIM_KO" pool_mb=$FPOOL_MB $(arg vmsim_args | tr , ' ') || exit 1
	vmsimctl mkswap /dev/nbd0 >/dev/null && vmsimctl swapon /dev/nbd0 || fail=1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/bench
	echo $((FPOOL_MB << 20)) >/sys/fs/cgroup/bench/memory.max
	for lat in $FAR_LATENCIES; do
		label=nbd-$lat
		if [ "$lat" = 0 ]; then
			$TC qdisc del dev lo root 2>/dev/null
		else
			half=$(echo "$lat" | awk '{ n = $0 + 0; u = $0; sub(/[0-9.]+/, "", u)
				printf "%g%s", n / 2, u }')
			$TC qdisc replace dev lo root netem delay "$half" || fail=1
		fi
		progress "far: raw nbd1 (dd O_DIRECT), latency $lat"
		# Written first: the memory plugin reads holes faster than data.
		export RAW_LABEL=$label
		raw raw-seq-write-1M 64 if=/dev/zero of=/dev/nbd1 bs=1M count=64 oflag=direct
		raw raw-seq-read-1M 64 if=/dev/nbd1 of=/dev/null bs=1M count=64 iflag=direct
		raw raw-seq-read-4k 16 if=/dev/nbd1 of=/dev/null bs=4k count=4096 iflag=direct
		unset RAW_LABEL
		mkswap /dev/nbd1 >/dev/null && swapon /dev/nbd1 || fail=1
		for p in $FAR_SWAPS; do
			for b in $FAR_BACKENDS; do
				progress "far: swap $p $b, latency $lat"
				bench swap --pattern $p --pool-pages $((FPOOL_MB * 256)) \
					--backend $b --reps 1 --seed "$SEED" --label "$label" \
					--cgroup /sys/fs/cgroup/bench || fail=1
			done
		done
		swapoff /dev/nbd1 || fail=1
	done
	$TC qdisc del dev lo root 2>/dev/null
	rmdir /sys/fs/cgroup/bench
	vmsimctl swapoff /dev/nbd0 || fail=1
	rmmod vmsim || fail=1
	for i in 0 1; do
		nbd-client -d /dev/nbd$i >/dev/null
		kill "$(cat /tmp/nbd$i.pid)"
	done
	;;
esac

[ $fail = 0 ] && echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
exit $fail
