/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame pool (pool.c).
 *
 * Every frame is an order-0 page allocated at load and owned by vmsim
 * until unload.  A frame's struct page carries vmsim's per-frame state:
 * ->lru      links it on exactly one list: a free list, or an LRU list
 * ->private  the address of the shadow entry that maps it (0 when free)
 * ->index    its swap slot while it is in the swap cache
 * Nothing else: ->mapping stays NULL (the core then treats it as a plain
 * driver page: vm_insert_page()/finish_fault() need no ->mapping).
 */
#ifndef _VMSIM_POOL_H
#define _VMSIM_POOL_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/percpu_counter.h>
#include <linux/spinlock.h>

#include "vmsim.h"

struct vmsim_pool {
	spinlock_t lock;		/* protects the lists and counts below */
	struct list_head zeroed;	/* free frames, known to be zero */
	struct list_head dirty;		/* free frames still to be zeroed */
	unsigned long nr_zeroed;
	unsigned long nr_dirty;
	unsigned long nr_zeroing;	/* off the lists, being zeroed */

	unsigned long nr_orphans;	/* released but still pinned */

	/* MemTotal; shrinks only if pinned orphans outlive the module */
	unsigned long nr_frames;
	/* free frames anywhere: per-CPU caches, lists, being zeroed */
	struct percpu_counter nr_free;
	struct page *zero_frame;	/* shared read-only frame of zeroes */
};

extern struct vmsim_pool vmsim_pool;
extern unsigned int vmsim_pool_mb;

int vmsim_pool_init(void);
void vmsim_pool_exit(void);
struct page *vmsim_frame_alloc(void);
struct page *vmsim_frame_alloc_unzeroed(void);
void vmsim_frame_free(struct page *page);
void vmsim_frame_release(struct page *page);
unsigned long vmsim_zero_pending(void);
struct page *vmsim_pool_random_frame(void);

/* Free frames, exactly (for /proc). */
static inline unsigned long vmsim_nr_free(void)
{
	return percpu_counter_sum_positive(&vmsim_pool.nr_free);
}

/* Free frames, cheaply, within a few per-CPU batches (for decisions). */
static inline unsigned long vmsim_nr_free_fast(void)
{
	return percpu_counter_read_positive(&vmsim_pool.nr_free);
}

static inline bool vmsim_is_zero_frame(struct page *page)
{
	return page == vmsim_pool.zero_frame;
}

#endif /* _VMSIM_POOL_H */
