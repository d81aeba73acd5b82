#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=harness-warn: load the deliberately faulty build, which WARNs
# at load.  The run must be judged failed: with panic_on_warn the kernel
# panics before any token is written, and the console scan sees the WARNING.
insmod "$VMSIM_KO" harness_fault=1
echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
