#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's hygiene checks, each reported as one test:
#   - vmsim.ko builds with W=1 and sparse (C=2) against Debian's 6.1 and
#     6.12 headers with zero warnings in vmsim's own files;
#   - checkpatch.pl --strict (from linux-source-6.1) is clean on the module,
#     the uapi header, and user space (where the kernel's own types and
#     attribute macros such as u64 and __printf do not exist, so those two
#     preferences are not applied);
#   - the documentation builds with Sphinx without a warning;
#   - no LINUX_VERSION_CODE outside vmsim/compat.h;
#   - no file of the module calls a file of a layer above it
#     (scripts/layers.sh, from the object files of the W=1 build).
# The last line is "vmsim-lint: P passed, F failed, S skipped".
#
# Usage: scripts/lint.sh [KERNEL...]   (default: stock-6.1 stock-6.12)

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

pass=0
fail=0
result() {	# result NAME OK [DETAILS]
	if [ "$2" = 0 ]; then
		echo "ok lint: $1"
		pass=$((pass + 1))
	else
		echo "not ok lint: $1"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

kernels=("$@")
[ ${#kernels[@]} -eq 0 ] && kernels=(stock-6.1 stock-6.12)

for k in "${kernels[@]}"; do
	eval "$(scripts/kernel.sh "$k")" || { result "W=1 C=2 $k" 1 "no kernel"; continue; }
	dir=$top/out/lint/$KNAME
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -rsf "$top/Kbuild" "$top/vmsim" "$top/include" "$dir/"
	log=$(make -C "$KDIR" M="$dir" W=1 C=2 modules 2>&1)
	st=$?
	warn=$(echo "$log" | grep -E "^$dir/.*(warning|error):")
	if [ $st -ne 0 ]; then
		result "W=1 C=2 $KNAME" 1 "$(echo "$log" | tail -n 20)"
	else
		[ -z "$warn" ]
		result "W=1 C=2 $KNAME" $? "${warn//$dir\//}"
	fi
done

out=$(scripts/layers.sh "$top/out/lint/${KNAME:-stock-6.1}" 2>&1)
result "layers: no file calls a layer above it (scripts/layers.sh)" $? "$out"

cp=$(scripts/linux-source.sh)/scripts/checkpatch.pl
cp_run() {
	perl "$cp" --no-tree --strict --terse --show-types --max-line-length=100 -f "$@" 2>&1 |
		grep -vE '^total: 0 errors, 0 warnings, 0 checks' | grep -v '^$'
}
# The trace header has the layout of every TRACE_EVENT() in the kernel
# (include/trace/events/), which --strict's alignment checks do not know.
out=$(cp_run $(ls vmsim/*.[ch] | grep -vE 'compat.h|vmsim_trace.h') include/uapi/linux/vmsim.h
      cp_run --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON vmsim/compat.h
      cp_run --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT vmsim/vmsim_trace.h)
[ -z "$out" ]
result "checkpatch --strict (module, uapi)" $? "$out"

out=$(cp_run --ignore PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO $(ls selftests/*.[ch] tools/*.c tools/*/*.c 2>/dev/null))
[ -z "$out" ]
result "checkpatch --strict (selftests, tools)" $? "$out"

out=$(sphinx-build -W -q -b html Documentation out/docs 2>&1)
result "documentation builds with Sphinx, no warnings" $? "$out"

out=$(grep -rn LINUX_VERSION_CODE vmsim include selftests tools | grep -v '^vmsim/compat.h:')
[ -z "$out" ]
result "LINUX_VERSION_CODE only in vmsim/compat.h" $? "$out"

echo "vmsim-lint: $pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
