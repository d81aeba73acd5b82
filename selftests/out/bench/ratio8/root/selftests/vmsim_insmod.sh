#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load vmsim with its default parameters for the tests that follow, and
# check what a default load gives: /dev/vmsim, mode 0600, the /proc files.

. "$(dirname "$0")/ktap.sh"

KO=${VMSIM_KO:-/lib/modules/vmsim.ko}
ktap_header 3

[ -d /sys/module/vmsim ] && rmmod vmsim
if insmod "$KO" ${VMSIM_PARAMS:-}; then
	ktap_ok load_defaults
else
	ktap_fail load_defaults "insmod $KO failed"
fi
mode=$(stat -c %a /dev/vmsim 2>/dev/null)
if [ "$mode" = 600 ] && [ -c /dev/vmsim ]; then
	ktap_ok dev_node_0600
else
	ktap_fail dev_node_0600 "/dev/vmsim mode '$mode'"
fi
if [ -r /proc/vmsim_meminfo ] && [ -r /proc/vmsim_vmstat ]; then
	ktap_ok proc_files
else
	ktap_fail proc_files
fi
ktap_finish
