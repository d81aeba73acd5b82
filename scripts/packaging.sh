#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging checks, one test each, for Debian's 6.1 and 6.12 headers:
#   - "make install" (scripts/install.sh) into a DESTDIR puts vmsim.ko for
#     that kernel, vmsimctl, the uapi header and the udev rule in place;
#   - DKMS: "dkms add" of the source tree as /usr/src/vmsim-VERSION, then
#     "dkms build" for each kernel, gives a vmsim.ko with its vermagic;
#     removed again afterwards.
# The last line is "vmsim-packaging: P passed, F failed, S skipped".

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

pass=0
fail=0
skip=0
result() {	# result NAME OK [DETAILS]
	if [ "$2" = 0 ]; then
		echo "ok packaging: $1"
		pass=$((pass + 1))
	else
		echo "not ok packaging: $1"
		[ -n "${3:-}" ] && echo "$3" | tail -n 20 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

kernels=()
for k in stock-6.1 stock-6.12; do
	eval "$("$top/scripts/kernel.sh" "$k")"
	kernels+=("$KREL")
done

for krel in "${kernels[@]}"; do
	dest=$(mktemp -d)
	out=$(DESTDIR=$dest KDIR=/lib/modules/$krel/build PREFIX=/usr \
	      scripts/install.sh 2>&1)
	ok=$?
	ko=$(ls "$dest/lib/modules/$krel/updates/"vmsim.ko* 2>/dev/null)
	if [ $ok = 0 ]; then
		for f in "$ko" "$dest/usr/sbin/vmsimctl" \
			 "$dest/usr/lib/vmsim/libvmsim-preload.so" \
			 "$dest/usr/include/linux/vmsim.h" \
			 "$dest/etc/udev/rules.d/60-vmsim.rules"; do
			[ -n "$f" ] && [ -s "$f" ] || { ok=1; out+=$'\n'"missing: $f"; }
		done
		[ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$krel" ] ||
			{ ok=1; out+=$'\n'"$ko is not built for $krel"; }
	fi
	result "make install for $krel" $ok "$out"
	rm -rf "$dest"
done

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
if ! command -v dkms >/dev/null; then
	echo "ok packaging: dkms # SKIP dkms is not installed"
	skip=$((skip + 1))
else
	src=/usr/src/vmsim-$ver
	cleanup() {
		dkms remove -m vmsim -v "$ver" --all >/dev/null 2>&1
		rm -rf "$src"
	}
	cleanup
	mkdir -p "$src"
	cp -r Kbuild dkms.conf vmsim include "$src/"
	out=$(dkms add -m vmsim -v "$ver" 2>&1)
	result "dkms add vmsim/$ver" $? "$out"
	for krel in "${kernels[@]}"; do
		out=$(dkms build -m vmsim -v "$ver" -k "$krel" 2>&1)
		ok=$?
		ko=$(ls /var/lib/dkms/vmsim/"$ver"/"$krel"/*/module/vmsim.ko* 2>/dev/null | head -n 1)
		if [ $ok = 0 ] &&
		   [ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" != "$krel" ]; then
			ok=1
			out+=$'\n'"no vmsim.ko for $krel in DKMS's tree (${ko:-none})"
		fi
		result "dkms build for $krel" $ok "$out"
	done
	cleanup
fi

echo "vmsim-packaging: $pass passed, $fail failed, $skip skipped"
