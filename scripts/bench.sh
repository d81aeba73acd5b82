#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": boot each kernel in $KERNELS (default stock-6.1), run the
# benchmark workloads on vmsim and on the kernel's own memory in that same
# guest, and report the figures side by side.
#
# Results: out/bench/<kernel>.jsonl (raw, one JSON object per line),
# out/bench/results.json (all kernels, with ratios), and a table on stdout.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KERNELS=${KERNELS:-stock-6.1}
POOL_MB=${POOL_MB:-512}
BENCH=${BENCH:-speed,traces,swap}
out=$top/out/bench
mkdir -p "$out"

"$top/scripts/setup.sh" || exit 1
status=0
for k in $KERNELS; do
	echo "== bench on $k (pool $POOL_MB MiB)"
	"$top/qemu/run.sh" -k "$k" -m bench -M 2G -o "$out/run-$k" --quiet \
		-t 3600 -a "harness.pool_mb=$POOL_MB harness.bench=$BENCH" || status=1
	tr -d '\r' <"$out/run-$k/console.log" |
		sed -n 's/^BENCH\(-INFO\)\? \({.*}\)$/\2/p' >"$out/$k.jsonl"
done
python3 "$top/scripts/bench-report.py" "$out" $KERNELS || status=1
exit $status
