#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load vmsim with its default parameters for the tests that follow, and
# check what a default load gives: /dev/vmsim, mode 0600, the /proc files;
# and that it needs no other module (no crc32c from the crypto API: a test
# kernel's minimal initramfs has none).

. "$(dirname "$0")/ktap.sh"

KO=${VMSIM_KO:-/lib/modules/vmsim.ko}
ktap_header 4

[ -d /sys/module/vmsim ] && rmmod vmsim
crc=$(grep -E '^(crc32c|libcrc32c)' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')
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
# Loaded with no crc32c module present, and none loaded for it since.
now=$(grep -E '^(crc32c|libcrc32c)' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')
if [ -d /sys/module/vmsim ] && [ -z "$crc" ] && [ -z "$now" ]; then
	ktap_ok loads_without_crc32c_module
elif [ -n "$crc" ]; then
	ktap_skip loads_without_crc32c_module "crc32c modules were already loaded: $crc"
else
	ktap_fail loads_without_crc32c_module "loaded: $now"
fi
ktap_finish
