#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Record the real program's trace for the bench's traces group: boot a
# guest in harness.mode=record (qemu/guest/mode-record.sh: GNU sort under
# the kernel's fault tracepoint) and keep what it recorded as
# tools/traces/sort.trace.gz, in vmsim-bench's trace format (native-endian
# 32-bit page numbers, one per access), gzipped.
#
# Usage: scripts/record-trace.sh [KERNEL]   (default stock-6.12)
#
# The trace is committed: a bench must replay the same accesses every time,
# and recording takes a few minutes.  Record again only to change it.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${1:-stock-6.12}
out=$top/out/record

"$top/qemu/run.sh" -k "$kernel" -m record -o "$out" --quiet -t 1800
python3 - "$out/sort.trace.txt.gz" "$top/tools/traces/sort.trace" <<'EOF'
import gzip, struct, sys
with gzip.open(sys.argv[1], "rt") as f:
    pages = [int(line) for line in f]
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("=%dI" % len(pages), *pages))
print("record-trace: %d accesses, %d pages" % (len(pages), max(pages) + 1))
EOF
gzip -9nf "$top/tools/traces/sort.trace"
ls -l "$top/tools/traces/sort.trace.gz"
