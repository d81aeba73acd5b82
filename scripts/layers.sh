#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check vmsim's layering from the object files: each vmsim/*.o may use
# only symbols defined by files earlier in LAYERS (the order of
# vmsim/vmsim.h and of Kbuild, bottom layer first).  Tracepoints, defined
# in main.o by CREATE_TRACE_POINTS, are used from everywhere and are not
# calls.  Prints the file graph ("file: the files it calls") and, for each
# call against the order, "UP: file -> file (symbol)".
#
# Usage: scripts/layers.sh DIR [--graph]   DIR holds the built vmsim/*.o
# Exit status 0 if nothing calls up.

set -euo pipefail

LAYERS=(
	stat param crc pool shadow rmap vmsimfs object	# 1 leaves
	swapfile swap_io				# 2 swap
	readahead entry					# 3 entries
	lru workingset vmscan				# 4 policy
	lru2 clock fifo random faclock policy reclaim
	cow advise query fault swapctl ioctl dev proc main	# 5 top
)

dir=$1
graph=${2:-}
declare -A rank owner
for i in "${!LAYERS[@]}"; do
	rank[${LAYERS[$i]}]=$i
done

for o in "$dir"/vmsim/*.o; do
	f=$(basename "$o" .o)
	if [ -z "${rank[$f]+x}" ]; then
		echo "UP: $f is not in the list of layers (scripts/layers.sh)"
		exit 1
	fi
	for s in $(nm --defined-only -g "$o" | awk '{print $3}'); do
		owner[$s]=$f
	done
done

bad=0
for f in "${LAYERS[@]}"; do
	o=$dir/vmsim/$f.o
	[ -f "$o" ] || continue
	calls=()
	for s in $(nm -u "$o" | awk '{print $2}'); do
		case $s in
		__tracepoint_* | __traceiter_* | __SCK__tp_func_* | __SCT__tp_func_* | \
		__probestub_* | __bpf_trace_* | trace_event_raw_event_*)
			continue ;;
		esac
		d=${owner[$s]:-}
		[ -z "$d" ] && continue		# the kernel's
		[ "$d" = "$f" ] && continue
		calls+=("$d")
		if [ "${rank[$d]}" -gt "${rank[$f]}" ]; then
			echo "UP: $f -> $d ($s)"
			bad=1
		fi
	done
	if [ "$graph" = --graph ]; then
		printf '%s:' "$f"
		printf '%s\n' "${calls[@]}" | sort -u | tr '\n' ' ' | sed 's/^ *//;s/^/ /'
		echo
	fi
done
exit $bad
