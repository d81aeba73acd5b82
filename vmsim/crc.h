/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRC32C of a page (crc.c), for the checksums of swap slots.
 */
#ifndef _VMSIM_CRC_H
#define _VMSIM_CRC_H

#include <linux/mm_types.h>

#include "vmsim.h"

void vmsim_crc_init(void);
u32 vmsim_crc_page(struct page *page);

#endif /* _VMSIM_CRC_H */
