/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When pages leave the pool, and who does the work (reclaim.c).
 */
#ifndef _VMSIM_RECLAIM_H
#define _VMSIM_RECLAIM_H

#include <linux/mm_types.h>

#include "vmsim.h"

struct vmsim_watermarks {
	unsigned long min;		/* frames; read without a lock */
	unsigned long low;
	unsigned long high;
};

extern struct vmsim_watermarks vmsim_wmark;

int vmsim_reclaim_init(void);
void vmsim_reclaim_exit(void);
void vmsim_reclaim_kick(void);
struct page *vmsim_frame_alloc_reclaim(bool unzeroed);
unsigned int vmsim_reclaim_ra_budget(void);
unsigned int vmsim_reclaim_ra_frames(unsigned int win, bool reclaim);

#endif /* _VMSIM_RECLAIM_H */
