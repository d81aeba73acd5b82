/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workingset refault detection (workingset.c), for the policies that use
 * it (lru2).
 */
#ifndef _VMSIM_WORKINGSET_H
#define _VMSIM_WORKINGSET_H

#include "vmsim.h"

/* Bits of a ghost the eviction age takes; the bit above: was active. */
#define VMSIM_EVICTION_BITS	16
#define VMSIM_GHOST_WORKINGSET	BIT(VMSIM_EVICTION_BITS)

void vmsim_workingset_init(unsigned long pool_frames);
u32 vmsim_workingset_eviction(bool was_active);
bool vmsim_workingset_refault(u32 ghost, unsigned long active);
void vmsim_workingset_activation(void);

#endif /* _VMSIM_WORKINGSET_H */
