#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolve a test kernel name to the files that go with it, as shell
# assignments on stdout (for eval):
#
#   KNAME    stock-6.1 | stock-6.12 | debug-6.1 | debug-6.12
#   KREL     the kernel release (uname -r in the guest)
#   KDIR     the tree to build vmsim.ko against
#   VMLINUZ  the kernel image to boot
#   MODDIR   the kernel's own modules (empty for debug: all built in)
#
# Usage: scripts/kernel.sh NAME   (6.1 and 6.12 are accepted for stock-*)
#
# The stock kernels are Debian's packages (installed by scripts/setup.sh);
# the release is read from the meta packages' dependencies, so the headers
# and the image always match.  The debug kernels are built on first use
# (qemu/debug-kernel.sh, about 7-9 minutes each) and cached; "debug" is
# debug-6.1.

set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

stock_release() {
	# linux-headers-amd64 depends on "linux-headers-6.1.0-56-amd64 (= ...)"
	dpkg-query -W -f='${Depends}\n' "$1" |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1
}

name=${1:-stock-6.1}
case "$name" in
6.1 | stock-6.1)
	KNAME=stock-6.1
	KREL=$(stock_release linux-headers-amd64)
	;;
6.12 | stock-6.12)
	KNAME=stock-6.12
	KREL=$(stock_release linux-headers-6.12-amd64)
	;;
debug | debug-6.1)
	KNAME=debug-6.1
	;;
debug-6.12)
	KNAME=debug-6.12
	;;
*)
	echo "kernel.sh: unknown kernel '$name' (stock-6.1, stock-6.12, debug-6.1, debug-6.12)" >&2
	exit 2
	;;
esac

if [ "${KNAME%-*}" = debug ]; then
	KDIR=$("$here/qemu/debug-kernel.sh" "${KNAME#debug-}" | tail -n 1)
	KREL=$(cat "$KDIR/include/config/kernel.release")
	VMLINUZ=$KDIR/arch/x86/boot/bzImage
	MODDIR=
else
	if [ -z "$KREL" ]; then
		echo "kernel.sh: headers for $KNAME are not installed (run scripts/setup.sh)" >&2
		exit 1
	fi
	KDIR=/lib/modules/$KREL/build
	VMLINUZ=/boot/vmlinuz-$KREL
	MODDIR=/lib/modules/$KREL
fi

for f in "$KDIR/Makefile" "$VMLINUZ"; do
	if [ ! -e "$f" ]; then
		echo "kernel.sh: $f is missing (run scripts/setup.sh)" >&2
		exit 1
	fi
done

printf 'KNAME=%q\nKREL=%q\nKDIR=%q\nVMLINUZ=%q\nMODDIR=%q\n' \
	"$KNAME" "$KREL" "$KDIR" "$VMLINUZ" "$MODDIR"
