#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# harness.mode=record: record a real program's page reference trace for the
# bench's traces group (scripts/record-trace.sh runs this and keeps it).
#
# GNU sort sorts about 18 MiB of lines while the kernel's fault tracepoint
# (exceptions:page_fault_user) records every page it faults, up to the
# first ~1.5M faults.  sort runs in a cgroup with memory.max = MAX and swap,
# so that it faults again on every page it comes back to after about MAX
# of other pages: the references that would hit in an LRU of that size are
# left out, and a policy given more frames than that sees nearly the same
# misses from the trace as from the program (stack deletion: A. J. Smith,
# 1977).  Each fault becomes a page number, numbered in the order the pages
# were first touched, one decimal per line; the host packs them
# (scripts/record-trace.sh).
#
#   harness.trace_lines=N  lines to sort (default 400000)
#   harness.trace_max=MIB  the cgroup's memory.max (default 8)

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
LINES=$(arg trace_lines)
LINES=${LINES:-400000}
MAX=$(arg trace_max)
MAX=${MAX:-8}
T=/sys/kernel/tracing

[ -d $T/events ] || mount -t tracefs nodev $T || exit 1
[ -d $T/events/exceptions/page_fault_user ] || {
	echo "record: this kernel has no exceptions:page_fault_user tracepoint"
	exit 1
}
mkswap /dev/vdb >/dev/null && swapon /dev/vdb || exit 1
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/record
echo $((MAX << 20)) >/sys/fs/cgroup/record/memory.max

# The input: numbered lines in a fixed pseudo-random order (awk's own
# generator, seeded), made before tracing starts.
awk -v n="$LINES" 'BEGIN { srand(1)
	for (i = 0; i < n; i++)
		printf "%08d %s line %d of the vmsim sort trace\n", int(rand() * 1e8), i % 7 ? "a" : "b", i
}' >/tmp/input || exit 1
ls -l /tmp/input

echo 0 >$T/tracing_on
echo >$T/trace
echo 65536 >$T/buffer_size_kb
echo 0 >$T/options/overwrite
echo 1 >$T/events/exceptions/page_fault_user/enable
# The traced process: a shell that joins the cgroup, waits to be named in
# set_event_pid, then becomes sort.
mkfifo /tmp/go
sh -c 'echo $$ >/sys/fs/cgroup/record/cgroup.procs; read x </tmp/go;
	exec /usr/bin/sort --parallel=1 -S 64M /tmp/input >/tmp/sorted' &
pid=$!
echo $pid >$T/set_event_pid
echo 1 >$T/tracing_on
echo go >/tmp/go
# Until it ends or the buffer is full (the events it could not keep).
while kill -0 $pid 2>/dev/null; do
	sleep 1
	[ "$(cat $T/per_cpu/cpu*/stats | awk '/^overrun|^dropped/ { s += $NF } END { print s + 0 }')" = 0 ] || break
done
if kill $pid 2>/dev/null; then
	echo "record: sort stopped when the trace buffer filled"
	wait $pid
else
	wait $pid || exit 1
fi
echo 0 >$T/tracing_on
grep -E 'pswp|pgfault|pgmajfault' /proc/vmstat
grep -c . $T/trace

# "address=0x7f...": the page, numbered in order of first touch.
sed -n 's/.*address=\(0x[0-9a-f]*\).*/\1/p' $T/trace | awk '
	{ p = substr($1, 3, length($1) - 5)	# the hex digits above the offset
	  if (!(p in id)) id[p] = n++
	  print id[p] }
	END { printf "%d pages\n", n >"/dev/stderr" }' >/tmp/trace.txt || exit 1
wc -l </tmp/trace.txt
gzip -9 /tmp/trace.txt
base64 /tmp/trace.txt.gz | sed 's/^/vmsim-file sort.trace.txt.gz /' >"$HARNESS_RESULT"
echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
