// SPDX-License-Identifier: GPL-2.0
/*
 * Workingset refault detection, as mm/workingset.c does it.
 *
 * A clock (vmsim_nonresident_age) counts evictions and activations.  An
 * evicted page's ghost keeps the clock's value at its eviction
 * (VMSIM_EVICTION_BITS of it, in buckets of 2^bucket_order for large
 * pools) and whether it was active.  When the page faults back, the
 * refault distance (the clock now minus then) says how many pages left or
 * were promoted meanwhile: if no more than the active list holds, the page
 * would have stayed resident had it been active, so it is part of the
 * workingset and goes straight to the active list.
 */
#include <linux/atomic.h>
#include <linux/log2.h>

#include "stat.h"
#include "workingset.h"

#define VMSIM_EVICTION_MASK	((1UL << VMSIM_EVICTION_BITS) - 1)

/* Evictions and activations so far: the workingset clock. */
static atomic_long_t vmsim_nonresident_age = ATOMIC_LONG_INIT(0);
static unsigned int vmsim_bucket_order;

/**
 * vmsim_workingset_init() - size the clock's buckets for the pool
 * @pool_frames: frames in the pool
 *
 * Context: Process context, at load.
 */
void vmsim_workingset_init(unsigned long pool_frames)
{
	vmsim_bucket_order = max_t(int, 0, fls_long(pool_frames * 2) -
					   VMSIM_EVICTION_BITS);
}

/**
 * vmsim_workingset_eviction() - the ghost data of a page being evicted
 * @was_active: it was on the active list
 *
 * Context: Any context.
 * Return: the eviction age, and VMSIM_GHOST_WORKINGSET if @was_active.
 */
u32 vmsim_workingset_eviction(bool was_active)
{
	unsigned long age = atomic_long_inc_return(&vmsim_nonresident_age);

	return ((age >> vmsim_bucket_order) & VMSIM_EVICTION_MASK) |
	       (was_active ? VMSIM_GHOST_WORKINGSET : 0);
}

/**
 * vmsim_workingset_activation() - a page was promoted to the active list
 *
 * Context: Any context.
 */
void vmsim_workingset_activation(void)
{
	atomic_long_inc(&vmsim_nonresident_age);
}

/**
 * vmsim_workingset_refault() - an evicted page is coming back
 * @ghost: what vmsim_workingset_eviction() gave at its eviction
 * @active: pages on the active list now
 *
 * Counts the refault, and whether it is within the workingset.
 *
 * Context: Any context.
 * Return: true to activate the page.
 */
bool vmsim_workingset_refault(u32 ghost, unsigned long active)
{
	unsigned long now = atomic_long_read(&vmsim_nonresident_age);
	unsigned long eviction = ghost & VMSIM_EVICTION_MASK;
	unsigned long distance;

	distance = (((now >> vmsim_bucket_order) - eviction) &
		    VMSIM_EVICTION_MASK) << vmsim_bucket_order;
	if (distance > active)
		return false;
	vmsim_count(VMSIM_WORKINGSET_ACTIVATE);
	if (ghost & VMSIM_GHOST_WORKINGSET)
		vmsim_count(VMSIM_WORKINGSET_RESTORE);
	vmsim_workingset_activation();
	return true;
}
