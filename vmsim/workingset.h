/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workingset refault detection (workingset.c).
 */
#ifndef _VMSIM_WORKINGSET_H
#define _VMSIM_WORKINGSET_H

#include "vmsim.h"

void vmsim_workingset_init(unsigned long pool_frames);
u64 vmsim_workingset_eviction(bool was_active);
bool vmsim_workingset_refault(u64 e, unsigned long active);
void vmsim_workingset_activation(void);

#endif /* _VMSIM_WORKINGSET_H */
