#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": boot each kernel in $KERNELS (default stock-6.1), run the
# benchmark workloads on vmsim and on the kernel's own memory in that same
# guest, and report the figures side by side.
#
#   KERNELS="stock-6.1 stock-6.12"   the kernels (make bench BENCH_KERNELS=)
#   BENCH=meta,speed,remap,scale,traces,swap,far   the groups (default all;
#                                    see qemu/guest/mode-bench.sh)
#   POOL_MB=512                      vmsim's pool for speed and scale
#   SEED=1                           the seed of every workload
#   VMSIM_ARGS=                      extra module parameters, comma-separated
#                                    (e.g. write_notify=N,fault_around_pages=64)
#   SWAPS=seq,rand,mix               the passes of the swap group (default
#                                    all three)
#   HOG=1                            run each kernel a second time while a
#                                    busy loop, pinned to host CPU 0, competes
#                                    with QEMU; results as KERNEL+hog, and a
#                                    table of how far each side's figures fell
#
# While a guest runs, a progress line says which step it is at (from the
# "BENCH-PROGRESS i/N what" lines on its console).
#
# Results: out/bench/<kernel>.jsonl (raw, one JSON object per line),
# out/bench/results.json (all kernels, with ratios), PNG plots in
# out/bench/*.png, and a table on stdout.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KERNELS=${KERNELS:-stock-6.1}
POOL_MB=${POOL_MB:-512}
BENCH=${BENCH:-meta,speed,remap,scale,traces,swap,far}
SEED=${SEED:-1}
VMSIM_ARGS=${VMSIM_ARGS:-}
HOG=${HOG:-0}
out=$top/out/bench
mkdir -p "$out"

# Follow a guest's console until PID exits and show the step it is at (its
# last "BENCH-PROGRESS i/N what" line): on a terminal one line, rewritten
# every poll with the time so far; otherwise a line per step.
progress() {	# progress CONSOLE_LOG PID
	local log=$1 pid=$2 last= line start=$SECONDS
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		line=$(tail -n 200 "$log" 2>/dev/null | tr -d '\r' |
		       sed -n 's/^BENCH-PROGRESS \([0-9]*\/[0-9]*\) \(.*\)$/[\1] \2/p' | tail -n 1)
		line=${line:-${last:-[booting]}}
		if [ -t 1 ]; then
			printf '\r\033[K%s  (%dm%02ds)' "$line" $(((SECONDS - start) / 60)) \
				$(((SECONDS - start) % 60))
		elif [ "$line" != "$last" ]; then
			echo "$line  ($((SECONDS - start)) s)"
		fi
		last=$line
	done
	if [ -t 1 ]; then printf '\r\033[K'; fi
}

"$top/scripts/setup.sh" || exit 1
# A host CPU hog: a busy loop on host CPU 0, for as long as it is wanted.
hog_pid=
hog_start() {
	if command -v taskset >/dev/null; then
		taskset -c 0 bash -c 'while :; do :; done' &
	else
		bash -c 'while :; do :; done' &
	fi
	hog_pid=$!
}
hog_stop() {
	[ -n "$hog_pid" ] && kill "$hog_pid" 2>/dev/null && wait "$hog_pid" 2>/dev/null
	hog_pid=
}
trap hog_stop EXIT

status=0
labels=
for k in $KERNELS; do
	for hog in 0 $([ "$HOG" = 1 ] && echo 1); do
		label=$k
		[ $hog = 1 ] && label=$k+hog
		labels="$labels $label"
		echo "== bench on $k (pool $POOL_MB MiB, groups $BENCH, seed $SEED$([ $hog = 1 ] && echo ", host CPU hog"))"
		run=$out/run-$label
		rm -rf "$run"	# no stale console.log for the progress line to read
		[ $hog = 1 ] && hog_start
		# run.sh's own lines (its verdict, what failed) after the progress line.
		"$top/qemu/run.sh" -k "$k" -m bench -M 2G -o "$run" --quiet -t 3600 \
			-a "harness.pool_mb=$POOL_MB harness.bench=$BENCH harness.seed=$SEED${VMSIM_ARGS:+ harness.vmsim_args=$VMSIM_ARGS}${SWAPS:+ harness.swaps=$SWAPS}" \
			>"$out/$label.run.log" 2>&1 &
		pid=$!
		progress "$run/console.log" $pid
		wait $pid || status=1
		hog_stop
		cat "$out/$label.run.log"
		# The result lines from the result port (on the console, a kernel
		# message can land in the middle of one).
		sed -n 's/^vmsim-bench //p' "$run/result.txt" | tr -d '\r' |
			sed -n 's/^BENCH\(-INFO\|-SERIES\)\? \({.*}\)$/\2/p' >"$out/$label.jsonl"
	done
done
python3 "$top/scripts/bench-report.py" "$out" $labels || status=1
exit $status
