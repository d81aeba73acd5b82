#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A test that always fails: the harness self-test proves such a run is judged failed.
echo "TAP version 13"
echo "1..1"
echo "not ok 1 injected_failure"
exit 1
