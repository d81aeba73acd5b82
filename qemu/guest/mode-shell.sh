#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=shell: vmsim loaded with a swap area on, and an interactive
# shell on the console for a person (make shell).  The job passes when the
# shell exits; the harness's health checks follow as after any job.
#   harness.pool_mb=N   the pool (default 64)
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^harness\.$1=//p" | tail -n 1; }
pool=$(arg pool_mb)

insmod "$VMSIM_KO" pool_mb="${pool:-64}" || exit 1
vmsimctl mkswap /dev/vda >/dev/null && vmsimctl swapon /dev/vda || exit 1
# Kernel messages would land in the middle of what is typed: dmesg has them.
dmesg -n 1

cat >/etc/profile <<'PROFILE'
export PS1='vmsim# '
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:/tools
cd /root
PROFILE
cat >/etc/motd <<MOTD

  vmsim on Linux $(uname -r): a ${pool:-64} MiB pool, swap on /dev/vda.
  Things to try:
    vmsimctl free -m            the pool, as free(1) shows memory
    vmsimctl swaps              the swap areas, as swapon(8) shows them
    vmsim-heap 200000000 &      a sieve on a heap 3x the pool: it faults,
                                reclaims and swaps for a minute or so
    vmsimctl vmstat 1 5         ... vmstat(8) while it runs
    vmsimctl pte \$!            ... the shadow PTEs of its pages
    vmsimctl top -n 1           every object by resident pages
    vmsimctl policy clock       another replacement policy, at run time
    vmsimctl run -v -- mawk 'BEGIN { for (i = 0; i < 6e5; i++) a[i] = i }'
                                an unmodified program, its heap on vmsim
    cat /proc/vmsim_meminfo     the files behind them
  Tools: vmsimctl, vmsim-demo, vmsim-bench, vmsim-heap (--help).
  Documentation/ in the source tree says more.  exit or Ctrl-D powers off.

MOTD
cat /etc/motd
# A shell with the console as its controlling terminal (job control and
# Ctrl-C work), whatever the harness did with our output.
setsid cttyhack sh -l
echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
