#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make install": vmsim.ko into /lib/modules/<kernel>/updates (kbuild's
# modules_install), vmsimctl into $PREFIX/sbin and its preload library
# into $PREFIX/lib/vmsim, the uapi header into
# $PREFIX/include/linux, and the udev rule into /etc/udev/rules.d; then
# depmod.  Everything goes under $DESTDIR when it is set (for packaging),
# and depmod then runs on that tree.
#
# Environment: KDIR (default: the running kernel's build tree), PREFIX
# (default /usr/local), DESTDIR (default: none).

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${KDIR:-/lib/modules/$(uname -r)/build}
prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}

if [ ! -e "$kdir/Makefile" ]; then
	echo "install: no kernel build tree at $kdir (install the headers, or set KDIR)" >&2
	exit 1
fi
krel=$(make -s -C "$kdir" kernelrelease 2>/dev/null)
ko=$(KDIR=$kdir "$top/scripts/build-module.sh" "$krel")
make -C "$kdir" M="$(dirname "$ko")" INSTALL_MOD_PATH="${dest:-/}" \
	INSTALL_MOD_DIR=updates modules_install >&2
make -s -C "$top/tools" >&2
install -D -m 0755 "$top/out/tools/vmsimctl" "$dest$prefix/sbin/vmsimctl"
# "vmsimctl run" finds its preload library at ../lib/vmsim from its own path.
install -D -m 0644 "$top/out/tools/libvmsim-preload.so" \
	"$dest$prefix/lib/vmsim/libvmsim-preload.so"
install -D -m 0644 "$top/include/uapi/linux/vmsim.h" \
	"$dest$prefix/include/linux/vmsim.h"
install -D -m 0644 "$top/scripts/60-vmsim.rules" \
	"$dest/etc/udev/rules.d/60-vmsim.rules"
# With DESTDIR, the package manager runs depmod when it installs.
[ -n "$dest" ] || depmod "$krel"
echo "installed vmsim for $krel${dest:+ under $dest}"
