#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=harness-leak: load the deliberately faulty build, which leaks
# a kmalloc() at load.  On the debug kernel the kmemleak check must catch it
# and the run must be judged failed.
insmod "$VMSIM_KO" harness_fault=2 && rmmod vmsim
echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
