/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault handlers (fault.c).
 */
#ifndef _VMSIM_FAULT_H
#define _VMSIM_FAULT_H

#include <linux/mm.h>

#include "vmsim.h"

/* fault_around_pages may be at most this (the window fits a u64 bitmap). */
#define VMSIM_FAULT_AROUND_MAX	64

extern const struct vm_operations_struct vmsim_vm_ops;
extern const struct vm_operations_struct vmsim_vm_ops_pte_dirty;

const struct vm_operations_struct *vmsim_vma_ops(void);
bool vmsim_vma_is_ours(struct vm_area_struct *vma);

#endif /* _VMSIM_FAULT_H */
