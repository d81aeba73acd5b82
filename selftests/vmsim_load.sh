#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading vmsim with good and bad module parameters.
#
# Needs root, insmod/rmmod, and vmsim.ko at $VMSIM_KO (default
# /lib/modules/vmsim.ko).  vmsim must not be loaded when it starts; it is
# left unloaded.

. "$(dirname "$0")/ktap.sh"

KO=${VMSIM_KO:-/lib/modules/vmsim.ko}
PARAMS=/sys/module/vmsim/parameters

ktap_header 26

if [ ! -f "$KO" ] || [ -d /sys/module/vmsim ]; then
	i=0
	while [ $i -lt 26 ]; do
		ktap_skip "load_$i" "no $KO, or vmsim already loaded"
		i=$((i + 1))
	done
	ktap_finish
fi

kb() {	# kb FILE FIELD
	sed -n "s/^$2: *\([0-9]*\) kB/\1/p" "$1"
}

# Free memory in kB, counting the pages parked on per-CPU free lists, which
# MemFree leaves out (they can hold megabytes right after a large free).
free_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	echo $(( $(kb /proc/meminfo MemFree) + pcp * 4 ))
}

# A bad value is refused: insmod fails, nothing is left behind, and the
# kernel log says which parameter was wrong and why.
refused() {	# refused NAME PARAM PATTERN
	dmesg -c >/dev/null
	if insmod "$KO" "$2" 2>/dev/null; then
		rmmod vmsim
		ktap_fail "$1" "insmod $2 succeeded"
	elif [ -e /dev/vmsim ] || [ -e /proc/vmsim_meminfo ] || [ -d /sys/module/vmsim ]; then
		ktap_fail "$1" "a failed load left files behind"
	elif ! dmesg | grep -q "$3"; then
		ktap_fail "$1" "no message matching '$3'"
		dmesg | sed 's/^/# /'
	else
		ktap_ok "$1"
	fi
}

# vmsimctl says clearly that vmsim is not loaded.
if ! command -v vmsimctl >/dev/null; then
	ktap_skip vmsimctl_not_loaded "vmsimctl is not in PATH"
else
	out=$(vmsimctl info 2>&1)
	rc=$?
	if [ $rc = 1 ] && echo "$out" | grep -q "vmsim is not loaded (no /dev/vmsim)"; then
		ktap_ok vmsimctl_not_loaded
	else
		ktap_fail vmsimctl_not_loaded "exit $rc: $out"
	fi
fi

refused refuse_pool_mb_zero pool_mb=0 "pool_mb=0: must be between 1 and"
refused refuse_pool_mb_garbage pool_mb=lots "pool_mb: 'lots' is not a number"
refused refuse_pool_mb_huge pool_mb=99999999 "pool_mb=99999999: must be between 1 and"
refused refuse_max_object_zero max_object_mb=0 "max_object_mb=0: must be between"
refused refuse_dev_mode dev_mode=01000 "dev_mode=512: must be between 0 and 511"
refused refuse_pool_mb_negative pool_mb=-1 "pool_mb: '-1' is not a number"
refused refuse_fault_around fault_around_pages=65 "fault_around_pages=65: must be between 0 and 64"
refused refuse_min_free_small min_free_kbytes=8 "min_free_kbytes=8: must be between 16 and"
refused refuse_min_free_huge min_free_kbytes=99999999 "min_free_kbytes=99999999: must be between 16 and"
refused refuse_wmark_scale_zero watermark_scale_factor=0 "watermark_scale_factor=0: must be between 1 and 3000"
refused refuse_wmark_scale_huge watermark_scale_factor=3001 "watermark_scale_factor=3001: must be between 1 and 3000"
refused refuse_inactive_ratio inactive_ratio=33 "inactive_ratio=33: must be between 1 and 32"
refused refuse_page_cluster page_cluster=6 "page_cluster=6: must be between 0 and 5"
refused refuse_swapdev_missing swapdev=/dev/no-such-disk "swapon /dev/no-such-disk: cannot open it"

# Good values take effect.
if insmod "$KO" pool_mb=8 dev_mode=0640 max_object_mb=16; then
	ktap_ok load_small_pool
	total=$(kb /proc/vmsim_meminfo MemTotal)
	if [ "$total" = 8192 ]; then
		ktap_ok memtotal_is_pool_mb
	else
		ktap_fail memtotal_is_pool_mb "MemTotal $total kB, want 8192"
	fi
	mode=$(stat -c %a /dev/vmsim)
	if [ "$mode" = 640 ]; then
		ktap_ok dev_mode_applied
	else
		ktap_fail dev_mode_applied "/dev/vmsim has mode $mode"
	fi
	# Run-time writes are checked like load-time ones.
	if echo 32 >$PARAMS/max_object_mb && [ "$(cat $PARAMS/max_object_mb)" = 32 ] &&
	   ! echo 0 >$PARAMS/max_object_mb 2>/dev/null &&
	   [ "$(cat $PARAMS/max_object_mb)" = 32 ]; then
		ktap_ok runtime_param_checked
	else
		ktap_fail runtime_param_checked "max_object_mb=$(cat $PARAMS/max_object_mb)"
	fi
	# Every writable parameter refuses a bad value at run time, keeping
	# its value; the read-only ones refuse any write.
	bad=""
	for pv in max_object_mb=0 fault_around_pages=65 min_free_kbytes=8 \
		  min_free_kbytes=4097 watermark_scale_factor=0 \
		  watermark_scale_factor=3001 inactive_ratio=0 inactive_ratio=33 \
		  page_cluster=6 page_cluster=-1 page_cluster=x \
		  pool_mb=16 dev_mode=0666 swapdev=/dev/vdb; do
		p=${pv%%=*}
		old=$(cat $PARAMS/$p)
		if echo "${pv#*=}" >$PARAMS/$p 2>/dev/null || [ "$(cat $PARAMS/$p)" != "$old" ]; then
			bad="$bad $pv"
		fi
	done
	if [ -z "$bad" ]; then
		ktap_ok runtime_bad_values_refused
	else
		ktap_fail runtime_bad_values_refused "taken:$bad"
	fi
	if rmmod vmsim && [ ! -e /dev/vmsim ] && [ ! -e /proc/vmsim_meminfo ]; then
		ktap_ok unload_clean
	else
		ktap_fail unload_clean
	fi
else
	ktap_fail load_small_pool "insmod pool_mb=8 failed"
	ktap_skip memtotal_is_pool_mb "not loaded"
	ktap_skip dev_mode_applied "not loaded"
	ktap_skip runtime_param_checked "not loaded"
	ktap_skip runtime_bad_values_refused "not loaded"
	ktap_skip unload_clean "not loaded"
fi

# Load and unload a few times in a row.
ok=1
for i in 1 2 3; do
	insmod "$KO" pool_mb=4 && rmmod vmsim || ok=0
done
if [ $ok = 1 ]; then
	ktap_ok load_unload_cycles
else
	ktap_fail load_unload_cycles
fi

# A swap area at load (swapdev=): refused without a vmsim swap header; on
# with one, and turned off by the unload, which lets go of the device (a
# second load can claim it again).
SWAPDEV=${VMSIM_SWAPDEV2:-/dev/vdb}
if [ ! -b "$SWAPDEV" ] || ! command -v vmsimctl >/dev/null; then
	ktap_skip refuse_swapdev_unformatted "no $SWAPDEV or no vmsimctl"
	ktap_skip swapdev_at_load "no $SWAPDEV or no vmsimctl"
else
	dd if=/dev/zero of="$SWAPDEV" bs=4096 count=1 conv=notrunc 2>/dev/null
	refused refuse_swapdev_unformatted swapdev="$SWAPDEV" \
		"swapon $SWAPDEV: not a vmsim swap area"
	ok=1
	vmsimctl mkswap "$SWAPDEV" >/dev/null || ok=0
	for i in 1 2; do
		dmesg -c >/dev/null
		insmod "$KO" pool_mb=4 swapdev="$SWAPDEV" || { ok=0; break; }
		grep -q "^$SWAPDEV  *partition" /proc/vmsim_swaps || ok=0
		rmmod vmsim || ok=0
		dmesg | grep -q "swapoff $SWAPDEV: at unload" || ok=0
	done
	if [ $ok = 1 ]; then
		ktap_ok swapdev_at_load
	else
		ktap_fail swapdev_at_load "mkswap, load with swapdev= or unload failed"
		dmesg | sed 's/^/# /'
	fi
fi

# A pool that cannot be had: fill most of the guest's memory with a tmpfs
# file, then ask for more than is left.  The load fails with a message, and
# everything it allocated before failing comes back.
mkdir -p /tmp/hog
mount -t tmpfs -o size=100% hog /tmp/hog
total=$(kb /proc/meminfo MemTotal)
free=$(kb /proc/meminfo MemFree)
hog_mb=$(( (free - total / 4) / 1024 ))
# fallocate: the pages without copying zeroes into them (a third of dd's
# time, which matters on the debug kernels).
fallocate -l ${hog_mb}M /tmp/hog/fill 2>/dev/null ||
	dd if=/dev/zero of=/tmp/hog/fill bs=1M count=$hog_mb 2>/dev/null
before=$(free_kb)
cp /proc/meminfo /tmp/meminfo.before
want_mb=$(( before / 1024 + 16 ))
max_mb=$(( total * 3 / 4 / 1024 ))
[ $want_mb -gt $max_mb ] && want_mb=$max_mb
dmesg -c >/dev/null
if insmod "$KO" pool_mb=$want_mb 2>/dev/null; then
	rmmod vmsim
	ktap_skip pool_cannot_be_had "a $want_mb MiB pool fit after all"
	ktap_skip failed_load_frees_all "the load did not fail"
else
	if dmesg | grep -q "cannot allocate a pool of $want_mb MiB"; then
		ktap_ok pool_cannot_be_had
	else
		ktap_fail pool_cannot_be_had "no 'cannot allocate' message"
	fi
	sleep 1
	after=$(free_kb)
	# The pool took all the free memory it could get before it failed
	# (__GFP_RETRY_MAYFAIL, page by page at the end): one not freed shows
	# as most of $before gone.  Allow a quarter of it for what the kernel
	# itself moved meanwhile, which on a debug kernel (slab, KASAN and
	# kmemleak metadata under the pressure of the attempt) was seen at
	# 5 MiB less and 8 MiB more; at least 4 MiB.
	slack=$(( before / 4 ))
	[ $slack -lt 4096 ] && slack=4096
	echo "# free memory $before kB before, $after kB after (slack $slack kB)"
	if [ $((before - after)) -lt $slack ]; then
		ktap_ok failed_load_frees_all
	else
		ktap_fail failed_load_frees_all "free memory $before kB before, $after kB after"
		# Which of the kernel's counters took it.
		awk 'NR == FNR { b[$1] = $2; next }
		     $2 - b[$1] > 1024 || b[$1] - $2 > 1024 {
			print "# " $1 " " b[$1] " -> " $2 " kB"
		     }' /tmp/meminfo.before /proc/meminfo
	fi
fi
rm -f /tmp/hog/fill /tmp/meminfo.before
umount /tmp/hog

ktap_finish
