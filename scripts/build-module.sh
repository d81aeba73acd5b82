#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build vmsim.ko for one kernel, out of tree, in out/module/<kernel>/, and
# print the path of the .ko.  The build directory mirrors the sources as
# symlinks, so builds for several kernels never share object files.
#
# Usage: scripts/build-module.sh KERNEL [--faulty] [MAKE ARGS...]
#   KERNEL    stock-6.1 | stock-6.12 | debug (or 6.1 / 6.12); with KDIR set
#             in the environment, that tree is used and KERNEL is a label
#   --faulty  the harness self-test build (VMSIM_HARNESS_SELFTEST=1)
#   MAKE ARGS passed to kbuild, e.g. W=1 C=2

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

name=$1
shift
suffix=
args=()
if [ "${1:-}" = --faulty ]; then
	suffix=-faulty
	args+=(VMSIM_HARNESS_SELFTEST=y)
	shift
fi
args+=("$@")

if [ -n "${KDIR:-}" ]; then
	kdir=$KDIR
	label=custom-$(echo "$kdir" | sha256sum | cut -c1-8)
else
	eval "$("$top/scripts/kernel.sh" "$name")"
	kdir=$KDIR
	label=$KNAME
fi

dir=$top/out/module/$label$suffix
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
# Mirror the sources; drop links to files that no longer exist.
find "$dir" -xtype l -delete
cp -rsf "$top/Kbuild" "$top/vmsim" "$top/include" "$dir/"
make -C "$kdir" M="$dir" "${args[@]}" modules >&2
echo "$dir/vmsim.ko"
