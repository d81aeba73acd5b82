#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=demo: load vmsim and run the demo program.
insmod "$VMSIM_KO" || exit 1
echo
vmsim-demo 16 || exit 1
echo
rmmod vmsim || exit 1
echo "vmsim-selftests: 1 passed, 0 failed, 0 skipped"
