#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scan a guest console log for signs of a sick kernel: warnings, oopses,
# KASAN/KFENCE/UBSAN reports, lockdep reports, hung tasks, soft lockups,
# kmemleak reports.  Prints each matching line (with its line number) and
# exits 1 if there is any; lines matching qemu/console-allowlist are
# forgiven (each allowlist entry says why).
#
# Usage: scripts/console-scan.sh CONSOLE_LOG

set -u
here=$(cd "$(dirname "$0")/.." && pwd)
log=$1
allow=$here/qemu/console-allowlist

pattern='WARNING:|BUG:|BUG [a-z]|Oops|general protection fault|Kernel panic|'
pattern+='KASAN:|UBSAN:|KFENCE:|unreferenced object|'
pattern+='possible circular locking|possible recursive locking|'
pattern+='inconsistent lock state|suspicious RCU usage|'
pattern+='sleeping function called from invalid context|scheduling while atomic|'
pattern+='list_(add|del) corruption|refcount_t:|Bad page state|bad page map|'
pattern+='blocked for more than|soft lockup|hard LOCKUP|rcu: INFO:|Call Trace:|'
pattern+='INFO: (possible|trying to register|task .* blocked)|DEBUG_LOCKS_WARN_ON|'
pattern+='stack-protector|segfault at'

hits=$(grep -naE "$pattern" "$log" | tr -d '\r')
if [ -n "$hits" ] && [ -f "$allow" ]; then
	hits=$(echo "$hits" | grep -vEf <(grep -vE '^(#|$)' "$allow"))
fi
[ -z "$hits" ] && exit 0
echo "$hits"
# Still a failure; but say what it most likely is (testing.rst, "The test bed").
if echo "$hits" | grep -q 'exc_debug_kernel'; then
	echo "(a single-step #DB in the kernel: if RFLAGS has bits 31..12 set after a" \
	     "cmpxchg16b, most likely QEMU 7.2's cmpxchg16b flags bug; see testing.rst)"
fi
exit 1
