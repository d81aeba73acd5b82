/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMSIM_IOC_ADVISE (advise.c) and VMSIM_IOC_PTE_QUERY (query.c).
 */
#ifndef _VMSIM_ADVISE_H
#define _VMSIM_ADVISE_H

#include "object.h"

int vmsim_object_advise(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
			unsigned int advice, unsigned long *done);
int vmsim_object_query(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
		       u64 __user *out, bool show_pfn);

#endif /* _VMSIM_ADVISE_H */
