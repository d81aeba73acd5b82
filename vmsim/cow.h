/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copy-on-write clones (cow.c).
 */
#ifndef _VMSIM_COW_H
#define _VMSIM_COW_H

#include "object.h"

int vmsim_cow_clone(struct vmsim_object *src, struct vmsim_object *dst,
		    struct vmsim_object *hidden, pgoff_t start, pgoff_t end);
int vmsim_cow_fault(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
		    bool copy, struct page **shared, bool *major);

void vmsim_cow_detach(struct vmsim_object *obj, pgoff_t index, u64 *sptep);

#endif /* _VMSIM_COW_H */
