/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which pages leave the pool (vmscan.c).
 */
#ifndef _VMSIM_VMSCAN_H
#define _VMSIM_VMSCAN_H

#include "entry.h"

/**
 * struct vmsim_shrink_result - what one vmsim_shrink() did
 * @reclaimed: frames freed
 * @queued: pages whose write to swap started (freed when it ends)
 * @scanned: inactive pages looked at
 */
struct vmsim_shrink_result {
	unsigned long reclaimed;
	unsigned long queued;
	unsigned long scanned;
};

void vmsim_vmscan_init(void);
void vmsim_shrink(unsigned long nr, enum vmsim_evictor by,
		  struct vmsim_shrink_result *res);
void vmsim_age(void);
bool vmsim_pageout(struct vmsim_object *obj, u64 *sptep,
		   struct vmsim_writeback *wb);
bool vmsim_deactivate(u64 *sptep);

#endif /* _VMSIM_VMSCAN_H */
