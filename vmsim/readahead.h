/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How many pages a swap-in reads around its page, and ahead of a hit
 * (readahead.c).
 */
#ifndef _VMSIM_READAHEAD_H
#define _VMSIM_READAHEAD_H

#include <linux/types.h>

#include "vmsim.h"

/* The most pages one swap-in reads (its page and readahead). */
#define VMSIM_MAX_READAHEAD	32

unsigned int vmsim_ra_window(u64 obj_id, pgoff_t index);
unsigned int vmsim_ra_async_window(void);
void vmsim_ra_hit(u64 obj_id, pgoff_t index, unsigned int nr);

#endif /* _VMSIM_READAHEAD_H */
