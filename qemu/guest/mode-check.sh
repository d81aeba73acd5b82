#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness.mode=check: run every selftest (selftests/tests.list, in order).
# harness.inject=failtest adds a test that fails, for the harness self-test.
cd /selftests || exit 1
if [ "$HARNESS_INJECT" = failtest ]; then
	cp /harness/inject_fail.sh . && echo inject_fail.sh >>tests.list
fi
./vmsim_run.sh /selftests
