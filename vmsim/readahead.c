// SPDX-License-Identifier: GPL-2.0
/*
 * The swap-in readahead window: mm/swap_state.c's __swapin_nr_pages()
 * heuristic.  Readahead hits since the last swap-in grow the window
 * (hits + 2, rounded up to a power of two), a miss shrinks it no faster
 * than by half, and with no hits to go by, only a fault next to the
 * previous one gets more than one page.  At most 2^page_cluster.
 *
 * Unlike Linux's, hits count only for swap-ins near where they were (the
 * same object, within two windows of the last hit): a reader that scans
 * one place while it faults at random elsewhere would otherwise read a
 * whole window, grown by the scan's hits, for each of its random faults,
 * and throw most of it away.  A fault away from the hits reads one page,
 * or two next to the previous such fault, and leaves the scan's window
 * and hits as they are.
 *
 * Asynchronous readahead (swap_ra_async) goes further than Linux's swap
 * readahead, as its file readahead does: a hit on a page read ahead
 * starts the read of the window one window further on, waiting for
 * nothing, so that a sequential reader finds its next pages in memory, or
 * on their way, instead of waiting a device's round trip every window.
 */
#include <linux/atomic.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>

#include "param.h"
#include "readahead.h"
#include "stat.h"

static unsigned int vmsim_page_cluster = 5;
static struct vmsim_uint_param vmsim_page_cluster_param = {
	.value = &vmsim_page_cluster, .min = 0, .max = 5,
};
module_param_cb(page_cluster, &vmsim_uint_param_ops,
		&vmsim_page_cluster_param, 0644);
MODULE_PARM_DESC(page_cluster, "Swap-in reads up to 2^page_cluster pages around a fault, as vm.page-cluster (default 5, at most 5)");

static bool vmsim_swap_ra_async = true;
module_param_named(swap_ra_async, vmsim_swap_ra_async, bool, 0644);
MODULE_PARM_DESC(swap_ra_async, "A hit on a page read ahead starts reading the next window, waiting for nothing (default Y)");

/* Readahead hits since the last swap-in, and the last window. */
static atomic_t vmsim_ra_hits = ATOMIC_INIT(0);
static unsigned long vmsim_ra_prev_index;
static unsigned int vmsim_ra_prev_win;

/* Where the last hit was, and the last swap-in away from it. */
static u64 vmsim_ra_hit_obj;
static unsigned long vmsim_ra_hit_index;
static unsigned long vmsim_ra_prev_far;

/**
 * vmsim_ra_hit() - pages that were read ahead have been used
 * @obj_id: their object
 * @index: one of them
 * @nr: how many
 *
 * Context: Any context.
 */
void vmsim_ra_hit(u64 obj_id, pgoff_t index, unsigned int nr)
{
	atomic_add(nr, &vmsim_ra_hits);
	WRITE_ONCE(vmsim_ra_hit_obj, obj_id);
	WRITE_ONCE(vmsim_ra_hit_index, index);
	vmsim_count_add(VMSIM_SWAP_RA_HIT, nr);
}

/* Is a swap-in of @index in object @obj_id near the last readahead hit? */
static bool vmsim_ra_near_hit(u64 obj_id, pgoff_t index)
{
	unsigned long hit = READ_ONCE(vmsim_ra_hit_index);
	unsigned long d = index > hit ? index - hit : hit - index;

	return READ_ONCE(vmsim_ra_hit_obj) == obj_id &&
	       d <= 2 * VMSIM_MAX_READAHEAD;
}

/**
 * vmsim_ra_window() - how many pages to read for a swap-in
 * @obj_id: the object of the page faulted
 * @index: the page faulted
 *
 * Context: Any context.
 * Return: the size of the aligned window around @index to read, a power
 * of two from 1 to VMSIM_MAX_READAHEAD.
 */
unsigned int vmsim_ra_window(u64 obj_id, pgoff_t index)
{
	unsigned int max = min(1U << READ_ONCE(vmsim_page_cluster),
			       (unsigned int)VMSIM_MAX_READAHEAD);
	unsigned int hits, pages, last;
	unsigned long prev;

	if (max <= 1)
		return 1;
	if (!vmsim_ra_near_hit(obj_id, index)) {
		prev = READ_ONCE(vmsim_ra_prev_far);
		WRITE_ONCE(vmsim_ra_prev_far, index);
		return index == prev + 1 || index == prev - 1 ? 2 : 1;
	}
	prev = READ_ONCE(vmsim_ra_prev_index);
	hits = atomic_xchg(&vmsim_ra_hits, 0);
	pages = hits + 2;
	if (pages == 2) {
		if (index != prev + 1 && index != prev - 1)
			pages = 1;
	} else {
		pages = max(roundup_pow_of_two(pages), 4U);
	}
	pages = min(pages, max);
	last = READ_ONCE(vmsim_ra_prev_win) / 2;
	if (pages < last)
		pages = last;
	WRITE_ONCE(vmsim_ra_prev_win, pages);
	WRITE_ONCE(vmsim_ra_prev_index, index);
	return pages;
}

/**
 * vmsim_ra_async_window() - the window to read ahead of a readahead hit
 *
 * Context: Any context.
 * Return: 0 with swap_ra_async off or no readahead going on, else the
 * window of the last swap-in (a power of two, 2 to VMSIM_MAX_READAHEAD).
 */
unsigned int vmsim_ra_async_window(void)
{
	unsigned int win = READ_ONCE(vmsim_ra_prev_win);

	if (!READ_ONCE(vmsim_swap_ra_async) || win < 2)
		return 0;
	return win;
}
