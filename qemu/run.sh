#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a test kernel in QEMU (TCG) with vmsim, the selftests and the tools in
# an initramfs, run one job in the guest, and judge the run.
#
# Usage: qemu/run.sh [options]
#   -k KERNEL     stock-6.1 (default) | stock-6.12 | debug-6.1 | debug-6.12
#   -m MODE       the guest job: qemu/guest/mode-MODE.sh (default check)
#   -t SECONDS    give up after this long (default 900; 3600 on debug)
#   -o DIR        where the logs go (default out/run/KERNEL-MODE)
#   -i INJECT     harness.inject= for the guest (harness self-test)
#   -a ARGS       extra kernel command line
#   -M SIZE       guest memory (default 1G; 1280M on debug)
#   (VMSIM_SMP=N in the environment: N vCPUs instead of 2; VMSIM_CPU=MODEL:
#   QEMU's -cpu MODEL instead of max, see below)
#   (the bench mode boots with -mem-prealloc: the host backs all guest
#   RAM before boot, so no side of a comparison pays the host's first
#   touch of it; VMSIM_PREALLOC=0 turns that off, =1 turns it on for
#   any mode)
#   -T TESTS      run only these selftests (space-separated names; check mode)
#   --faulty      boot the deliberately faulty vmsim build (harness self-test)
#   --expect-fail the run passes only if it is judged failed (harness self-test)
#   --quiet       do not copy the guest console to stdout; print each
#                 selftest as it starts instead (progress)
#   --show-job    after the run, print what the job printed (no kernel lines)
#   --interactive the guest console on this terminal, both ways (make shell;
#                 Ctrl-A X ends QEMU), still logged to DIR/console.log; no
#                 timeout unless -t
#
# The verdict.  A run passes only if all of these hold:
#   - the guest wrote "vmsim-success TOKEN" to the result port (a second
#     serial line), with the TOKEN this script made up for this run; the
#     guest does that only after the job passed and its health checks
#     (clean rmmod, taint, lockdep, kmemleak) passed;
#   - the console shows no kernel splat (scripts/console-scan.sh);
#   - the run finished before the timeout.
# QEMU's own exit status is never looked at.
#
# The last line printed is
#   KERNEL MODE: PASS|FAIL (why)  P passed, F failed, S skipped  (N s)
# and DIR/summary holds "P F S PASS|FAIL" for scripts.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

kernel=stock-6.1
mode=check
timeout=
out=
inject=none
extra_append=
mem=
only=
faulty=
expect_fail=0
quiet=0
show_job=0
interactive=0
while [ $# -gt 0 ]; do
	case "$1" in
	-k) kernel=$2; shift ;;
	-m) mode=$2; shift ;;
	-t) timeout=$2; shift ;;
	-o) out=$2; shift ;;
	-i) inject=$2; shift ;;
	-a) extra_append=$2; shift ;;
	-M) mem=$2; shift ;;
	-T) only=$2; shift ;;
	--faulty) faulty=--faulty ;;
	--expect-fail) expect_fail=1 ;;
	--quiet) quiet=1 ;;
	--show-job) show_job=1 ;;
	--interactive) interactive=1; quiet=1 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

[ -x "$top/qemu/guest/mode-$mode.sh" ] || {
	echo "run.sh: no job '$mode' (qemu/guest/mode-$mode.sh)" >&2
	exit 2
}

eval "$("$top/scripts/kernel.sh" "$kernel")" || exit 1
label=$KNAME-$mode${faulty:+-faulty}${inject:+}
[ "$inject" != none ] && label=$label-$inject
out=$(realpath -m "${out:-$top/out/run/$label}")
if [ -z "$timeout" ] && [ "$interactive" = 1 ]; then
	timeout=0
elif [ -z "$timeout" ]; then
	timeout=900
	[ "${KNAME%-*}" = debug ] && timeout=3600
fi
if [ -z "$mem" ]; then
	mem=1G
	[ "${KNAME%-*}" = debug ] && mem=1280M
fi

log() { echo "[$KNAME $mode] $*" >&2; }

prealloc=()
if [ "${VMSIM_PREALLOC:-$([ "$mode" = bench ] && echo 1)}" = 1 ]; then
	prealloc=(-mem-prealloc)
fi

# The guest CPU: TCG's "max".  QEMU 7.2's TCG has a bug in cmpxchg16b:
# its helper computes the flags from a cc_op the translator has not stored
# yet, so after "cmp; cmpxchg16b" in one translation block the flags hold
# the cmp's operand (a pointer's low half, in SLUB's per-CPU fast path).
# Only ZF is right; an interrupt taken right after pushes the rest, TF
# among them, and the iret single-steps the kernel: a #DB WARNING in
# exc_debug_kernel that is the emulator's, not the guest's (seen once, in
# a benchmark under a host CPU hog).  "max,-cx16" avoids it, but makes the
# kernel's own swap about 30% slower (SLUB without cmpxchg16b), which would
# flatter vmsim in the benchmarks; so it is not the default.
# testing.rst, "The test bed".
cpu=${VMSIM_CPU:-max}

# ---- build what goes into the guest -------------------------------------------
mkdir -p "$(dirname "$out")"
ko=$("$top/scripts/build-module.sh" "$KNAME" $faulty 2>"$out.build.log") || {
	cat "$out.build.log" >&2
	echo "$KNAME $mode: FAIL (vmsim.ko does not build)  0 passed, 1 failed, 0 skipped"
	exit 1
}
make -s -C "$top/selftests" >&2 || exit 1
make -s -C "$top/tools" >&2 || exit 1

rm -rf "$out"
mkdir -p "$out"
mv "$out.build.log" "$out/build.log"
root=$out/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/modules,selftests,harness,tools,proc,sys,dev,tmp,etc,root,run}

cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
cp "$top/qemu/guest/init" "$root/init"
cp "$top/qemu/guest/"*.sh "$root/harness/"
cp "$ko" "$root/lib/modules/vmsim.ko"
make -s -C "$top/selftests" install INSTALL_PATH="$root/selftests" >&2
make -s -C "$top/tools" install INSTALL_PATH="$root/tools" >&2
if [ -n "$only" ]; then
	# In the usual order, with the default load before the C tests.
	grep -xF -f <(printf '%s\n' vmsim_insmod.sh $only) \
		"$root/selftests/tests.list" >"$root/selftests/tests.only"
	mv "$root/selftests/tests.only" "$root/selftests/tests.list"
fi
cp -r "$top/tools/traces" "$root/traces"
for t in "$root"/tools/*; do ln -s "/tools/$(basename "$t")" "$root/usr/bin/"; done

# Programs from the host that the tests run (dynamically linked): copied
# with their libraries and the loader, at the same paths, in place of any
# busybox applet link there; so are shared objects (plugins) with theirs.
# Other files (data) are copied as they are.
copy_prog() {	# copy_prog PATH
	local lib
	[ -e "$1" ] || return 0
	mkdir -p "$root$(dirname "$1")"
	rm -f "$root$1"
	cp -L "$1" "$root$1"
	case "$1" in *.so) ;; *) [ -x "$1" ] || return 0 ;; esac
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
for prog in $(grep -vE '^(#|$)' "$top/qemu/progs.list"); do
	copy_prog "$prog"
done

# The kernel's own modules the tests use, with their dependencies, in load
# order, decompressed (6.12 ships .ko.xz).  The debug kernel has them built in.
if [ -n "$MODDIR" ]; then
	: >"$root/lib/modules/kmods.list"
	mkdir -p "$root/lib/modules/kernel"
	for m in $(grep -vE '^(#|$)' "$top/qemu/kmods.list"); do
		modprobe -S "$KREL" -d / --show-depends "$m" 2>/dev/null |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | awk '!seen[$0]++' | while read -r path; do
		base=$(basename "$path")
		case "$base" in
		*.xz) xz -dc "$path" >"$root/lib/modules/kernel/${base%.xz}"; base=${base%.xz} ;;
		*.zst) zstd -qdc "$path" >"$root/lib/modules/kernel/${base%.zst}"; base=${base%.zst} ;;
		*) cp "$path" "$root/lib/modules/kernel/$base" ;;
		esac
		echo "kernel/$base" >>"$root/lib/modules/kmods.list"
	done
fi

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out/initrd.gz"

# Two identical disks: vda for vmsim's swap, vdb for the kernel's own swap
# (benchmarks compare the two on the same emulated hardware).
truncate -s 1G "$out/disk0.img"
truncate -s 1G "$out/disk1.img"

# ---- boot --------------------------------------------------------------------------
token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
append="console=ttyS0 loglevel=7 panic=-1 oops=panic panic_on_warn=1"
append+=" softlockup_panic=1 hung_task_panic=1 nmi_watchdog=0"
append+=" harness.mode=$mode harness.token=$token harness.result=ttyS1"
append+=" harness.inject=$inject"
# The debug kernels run about 5x slower: the tests, which size their working
# sets by the pool, get an eighth of the default pool there.
[ "${KNAME%-*}" = debug ] && append+=" slub_debug=FZPU harness.vmsim_params=pool_mb=8"
[ -n "$extra_append" ] && append+=" $extra_append"

log "booting ($mem${prealloc:+ preallocated}, timeout ${timeout}s), logs in $out"
# One boot.  A kernel that panics while it boots, before init has begun the
# job (so before vmsim is loaded), is not vmsim's doing: the one looked at
# (stock 6.12, on a host running several guests) was an int3 of
# text_poke_bp() (a static key being switched) executed after the patching
# had ended, most likely TCG's multi-threaded cross-modifying code.  Such a
# boot is kept as console.bootN.log and the guest booted again, once; the
# verdict line says so.
if [ "$interactive" = 1 ]; then
	# stdio, logged; Ctrl-C goes to the guest, Ctrl-A X ends QEMU.
	console=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$out/console.log"
		 -serial chardev:con)
	stdin=/dev/stdin
	qemu_out=/dev/stdout
else
	console=(-serial file:"$out/console.log")
	stdin=/dev/null
	qemu_out=$out/qemu.log
fi
boot_guest() {
	: >"$out/console.log"
	: >"$out/result"
	# The console followers end when this boot's guard does.
	sleep infinity &
	guard=$!
	if [ "$quiet" = 0 ]; then
		tail -n +1 -f "$out/console.log" --pid=$guard 2>/dev/null &
	elif [ "$interactive" = 0 ]; then
		# Progress: each selftest as it starts ("# ---- NAME" from
		# vmsim_run.sh); on a terminal one line, rewritten.
		tail -n +1 -f "$out/console.log" --pid=$guard 2>/dev/null |
			sed -un 's/\r$//; s/^# ---- \([^ :]*\)$/\1/p' |
			while read -r t; do
				if [ -t 2 ]; then
					printf '\r\033[K[%s %s] %s (%d s)' "$KNAME" "$mode" "$t" \
						$(($(date +%s) - start)) >&2
				else
					echo "[$KNAME $mode] $t ($(($(date +%s) - start)) s)" >&2
				fi
			done &
	fi
	timeout --foreground -k 10 "$timeout" \
		qemu-system-x86_64 -nodefaults -nographic -no-reboot -monitor none \
		-machine q35 -accel tcg,thread=multi -cpu "$cpu" -smp "${VMSIM_SMP:-2}" -m "$mem" \
		"${prealloc[@]}" "${console[@]}" -serial file:"$out/result" \
		-kernel "$VMLINUZ" -initrd "$out/initrd.gz" -append "$append" \
		-drive file="$out/disk0.img",if=virtio,format=raw,cache=unsafe \
		-drive file="$out/disk1.img",if=virtio,format=raw,cache=unsafe \
		<"$stdin" >"$qemu_out" 2>&1
	qemu_status=$?
	[ "$interactive" = 1 ] && [ -t 0 ] && stty sane
	sleep 0.5
	kill "$guard" 2>/dev/null
	wait 2>/dev/null
	[ "$quiet" = 1 ] && [ "$interactive" = 0 ] && [ -t 2 ] && printf '\r\033[K' >&2
}

start=$(date +%s)
boots=0
reboot_note=
while :; do
	boots=$((boots + 1))
	boot_guest
	if [ "$boots" -lt 2 ] && [ "$interactive" = 0 ] &&
	   ! grep -q "^\[harness\] job '" "$out/console.log" &&
	   grep -q "Kernel panic" "$out/console.log"; then
		mv "$out/console.log" "$out/console.boot$boots.log"
		log "the kernel panicked while booting, before the job (console.boot$boots.log); booting again"
		reboot_note="; booted twice: the first boot panicked before the job (console.boot1.log)"
		continue
	fi
	break
done
elapsed=$(($(date +%s) - start))

# ---- verdict -------------------------------------------------------------------------
tr -d '\r' <"$out/result" >"$out/result.txt" 2>/dev/null
# Files the job handed over ("vmsim-file NAME BASE64-LINE"), into DIR/NAME.
for f in $(sed -n 's/^vmsim-file \([A-Za-z0-9._-]*\) .*/\1/p' "$out/result.txt" | sort -u); do
	sed -n "s/^vmsim-file $f //p" "$out/result.txt" | base64 -d >"$out/$f" ||
		echo "run.sh: the guest's $f did not decode" >&2
done
read -r pass fail skip <<<"$(sed -n 's/^vmsim-counts //p' "$out/result.txt" | tail -n 1)"
pass=${pass:-0}
fail=${fail:-0}
skip=${skip:-0}

why=()
grep -qx "vmsim-success $token" "$out/result.txt" || why+=("no success token")
[ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ] && why+=("timed out after ${timeout}s")
for c in $(sed -n 's/^vmsim-check \([^ ]*\) FAIL$/\1/p' "$out/result.txt"); do
	why+=("check $c failed")
done
[ "$fail" -gt 0 ] && why+=("$fail tests failed")
splats=$("$top/scripts/console-scan.sh" "$out/console.log")
if [ -n "$splats" ]; then
	why+=("kernel splat on the console")
	echo "$splats" >"$out/splats.txt"
fi
grep -q "Kernel panic" "$out/console.log" && why+=("kernel panic")

if [ "${#why[@]}" -eq 0 ]; then
	verdict=PASS
	reason=${reboot_note:+ (${reboot_note#; })}
else
	verdict=FAIL
	reason=" ($(IFS=';'; echo "${why[*]}" | sed 's/;/; /g')$reboot_note)"
fi

if [ "$verdict" = FAIL ] && [ "$expect_fail" = 0 ]; then
	echo "---- what failed (from $out/console.log):" >&2
	grep -aE '(^|: )not ok |: # |^\[harness\]' "$out/console.log" | tr -d '\r' | head -n 60 >&2
fi

if [ "$expect_fail" = 1 ]; then
	# The self-test run must have failed, and for the right reasons: no
	# token, and (with --faulty) a splat the console scan saw.
	if [ "$verdict" = FAIL ] && ! grep -qx "vmsim-success $token" "$out/result.txt" &&
	   { [ -z "$faulty" ] || [ -n "$splats" ]; }; then
		reason=" (judged failed as it should be: ${reason:2:${#reason}-3})"
		verdict=PASS
	else
		reason=" (a deliberately broken run was not judged failed${reason})"
		verdict=FAIL
	fi
	pass=0 fail=0 skip=0
	[ "$verdict" = PASS ] && pass=1 || fail=1
elif [ "$verdict" = FAIL ] && [ "$fail" -eq 0 ]; then
	# The tests passed but the run did not: count the run as a failure.
	fail=1
fi

if [ "$verdict" = FAIL ] && [ "$expect_fail" = 0 ] && [ -n "$splats" ]; then
	echo "---- kernel splats (from $out/console.log):" >&2
	echo "$splats" | head -n 20 >&2
	first=$(echo "$splats" | head -n 1 | cut -d: -f1)
	echo "---- console around line $first:" >&2
	sed -n "$((first > 10 ? first - 10 : 1)),$((first + 40))p" "$out/console.log" >&2
fi

if [ "$show_job" = 1 ]; then
	tr -d '\r' <"$out/console.log" |
		sed -n "/^\[harness\] job '$mode' begins/,/^\[harness\] job '$mode' exited/p" |
		sed '1d;$d' | grep -v '^\[ *[0-9]*\.[0-9]*\] ' | grep -v '^vmsim-selftests: '
fi

echo "$pass $fail $skip $verdict" >"$out/summary"
echo "$KNAME $mode${faulty:+ (faulty build)}: $verdict$reason  $pass passed, $fail failed, $skip skipped  (${elapsed} s)"
[ "$verdict" = PASS ]
