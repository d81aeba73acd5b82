#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=demo: the whole story in about a minute, with the real tools:
# vmsim loaded with a small pool and a swap area, free and swaps before, a
# program whose memory is 3x the pool (vmsim-demo) following its first
# pages from zero-mapped to swapped and back while vmstat prints a line a
# second; GNU sort, unmodified, sorting through vmsim (vmsimctl run); free
# and swaps after.
#   harness.pool_mb=N   the pool (default 32)
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
pool=$(arg pool_mb)
# The story, not the kernel's log lines, on the console.
dmesg -n 1
show() { echo; echo "\$ $*"; "$@"; }

insmod "$VMSIM_KO" pool_mb="${pool:-32}" || exit 1
show vmsimctl mkswap /dev/vda || exit 1
show vmsimctl swapon /dev/vda || exit 1
show vmsimctl free -m || exit 1
show vmsimctl swaps || exit 1

echo
echo "\$ vmsimctl vmstat 1 &    # a line a second while the program runs"
echo "\$ vmsimctl record -o vmsim-demo.png -- vmsim-demo"
vmsimctl vmstat -n 1 >/tmp/vmstat.out 2>&1 &
vmstat=$!
# The same run, recorded: the picture goes to the host (out/run/.../).
vmsimctl record -o /tmp/vmsim-demo.png -- vmsim-demo >/tmp/demo.out 2>&1
status=$?
sed '$d' /tmp/demo.out
rec=$(tail -n 1 /tmp/demo.out)
kill "$vmstat"
wait "$vmstat" 2>/dev/null
echo
echo "vmstat 1, while it ran (si/so: KiB/s in and out of swap; bi/bo: the disk):"
cat /tmp/vmstat.out
echo "(Debian 12's vmstat, procps-ng 4.0.2, reads the memory columns swpd, free,"
echo " buff and cache only once, for any /proc/meminfo: a procps bug.  free and"
echo " /proc/vmsim_meminfo are always current.)"

echo
echo "\$ vmsimctl record -o vmsim-demo.png -- vmsim-demo    # ran it, and drew it"
echo "$rec"
[ -s /tmp/vmsim-demo.png ] &&
	base64 /tmp/vmsim-demo.png | sed 's/^/vmsim-file vmsim-demo.png /' >"$HARNESS_RESULT"

# An unmodified program on vmsim: GNU sort, with its heap (mimalloc's
# mappings) in vmsim's pool, 1.5x the pool of it, so that it swaps.
if [ -x /usr/bin/sort ] && [ -x /usr/bin/mawk ]; then
	mawk 'BEGIN { srand(1); for (i = 0; i < 1000000; i++) print int(rand() * 1e9), i }' >/tmp/words
	echo
	echo "# An unmodified program: GNU sort of $(($(wc -c </tmp/words) >> 20)) MiB of lines, its heap on vmsim"
	echo "\$ vmsimctl run -v -- sort -S 64M /tmp/words >/tmp/sorted.vmsim"
	vmsimctl run -v -- /usr/bin/sort -S 64M /tmp/words >/tmp/sorted.vmsim || status=1
	/usr/bin/sort -S 64M /tmp/words >/tmp/sorted.native
	if cmp -s /tmp/sorted.native /tmp/sorted.vmsim; then
		echo "(the same bytes as sort without vmsim)"
	else
		echo "(NOT the same bytes as sort without vmsim)"
		status=1
	fi
	rm -f /tmp/words /tmp/sorted.native /tmp/sorted.vmsim
fi

show vmsimctl free -m || exit 1
show vmsimctl swaps || exit 1
show grep -E '^(pgfault|pgmajfault|pswpin|pswpout|pgsteal_kswapd|pgsteal_direct|workingset_refault_anon) ' /proc/vmsim_vmstat
echo
rmmod vmsim || exit 1
if [ "$status" = 0 ]; then
	echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
else
	echo "vmsim-selftests: 0 passed, 1 failed, 0 skipped"
fi
