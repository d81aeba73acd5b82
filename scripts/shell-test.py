#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive "make shell" the way a person would, through a pseudo-terminal.

Boots the shell job (qemu/run.sh -m shell --interactive) on a pty, waits for
the banner and the prompt, types commands and reads what the screen shows,
presses Ctrl-C on a command that would run for long, and types exit.  Each
step is one result line ("ok shell: ..." or "not ok shell: ..."); the last
line is "vmsim-shell: P passed, F failed, S skipped".

Usage: scripts/shell-test.py KERNEL OUTDIR
"""
import os
import pty
import re
import select
import sys
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
kernel, outdir = sys.argv[1], sys.argv[2]
PROMPT = "vmsim# "
results = []


def result(name, ok, detail=""):
    results.append(ok)
    print("%s shell: %s" % ("ok" if ok else "not ok", name))
    if not ok and detail:
        for line in detail.splitlines()[-15:]:
            print("#   " + line)
    sys.stdout.flush()


pid, fd = pty.fork()
if pid == 0:
    os.chdir(top)
    os.execvp("qemu/run.sh", ["qemu/run.sh", "-k", kernel, "-m", "shell",
                              "-o", outdir, "-t", "900", "--interactive"])

screen = ""


def read_until(pattern, timeout):
    """Read the pty until @pattern (a regex) shows; the text read, or None."""
    global screen
    start = len(screen)
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            screen += data.decode("utf-8", "replace").replace("\r", "")
            m = re.search(pattern, screen[start:])
            if m:
                return screen[start:start + m.end()]
    return None


def type_line(text):
    os.write(fd, (text + "\r").encode())


def command(cmd, expect, name, timeout=120):
    """Type @cmd, then an echo of a marker only the shell can compute."""
    n = len(results) + 1
    type_line("%s; echo DONE-$((%d+0))" % (cmd, n))
    out = read_until(r"\nDONE-%d\n" % n, timeout)
    ok = out is not None and re.search(expect, out) is not None
    result(name, ok, out if out is not None else screen[-2000:])
    return out


banner = read_until(re.escape(PROMPT), 600)
result("boots to a prompt with the banner",
       banner is not None and "Things to try" in banner,
       screen[-3000:])
if banner is None:
    os.kill(pid, 9)
    print("vmsim-shell: 0 passed, 1 failed, 0 skipped")
    sys.exit(1)

command("vmsimctl free -m", r"Mem:\s+\d+", "vmsimctl free shows the pool")
command("vmsimctl swaps", r"/dev/vda", "vmsimctl swaps shows the swap area")
command("vmsim-heap 40000000 >/tmp/heap.out && tail -n 3 /tmp/heap.out",
        r"\S", "a program on /dev/vmsim runs to its end", timeout=400)
command("grep -E '^(pswpout|pgfault) ' /proc/vmsim_vmstat",
        r"pgfault \d+", "/proc/vmsim_vmstat is there")

# Ctrl-C reaches the program in the foreground, not QEMU.
type_line("sleep 300")
time.sleep(2)
os.write(fd, b"\x03")
back = read_until(re.escape(PROMPT), 30)
result("Ctrl-C stops the program in the foreground", back is not None,
       screen[-1000:])

type_line("exit")
verdict = read_until(r"shell: (PASS|FAIL)[^\n]*\n", 300)
result("exit powers off and the run passes",
       verdict is not None and "shell: PASS" in verdict, screen[-3000:])
try:
    os.waitpid(pid, 0)
except ChildProcessError:
    pass

passed = sum(results)
failed = len(results) - passed
print("vmsim-shell: %d passed, %d failed, 0 skipped" % (passed, failed))
sys.exit(1 if failed else 0)
