// SPDX-License-Identifier: GPL-2.0
/*
 * The swap-in readahead window: mm/swap_state.c's __swapin_nr_pages()
 * heuristic.  Readahead hits since the last swap-in grow the window
 * (hits + 2, rounded up to a power of two), a miss shrinks it no faster
 * than by half, and with no hits to go by, only a fault next to the
 * previous one gets more than one page.  At most 2^page_cluster.
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

/**
 * vmsim_ra_hit() - pages that were read ahead have been used
 * @nr: how many
 *
 * Context: Any context.
 */
void vmsim_ra_hit(unsigned int nr)
{
	atomic_add(nr, &vmsim_ra_hits);
	vmsim_count_add(VMSIM_SWAP_RA_HIT, nr);
}

/**
 * vmsim_ra_window() - how many pages to read for a swap-in
 * @index: the page faulted
 *
 * Context: Any context.
 * Return: the size of the aligned window around @index to read, a power
 * of two from 1 to VMSIM_MAX_READAHEAD.
 */
unsigned int vmsim_ra_window(pgoff_t index)
{
	unsigned int max = min(1U << READ_ONCE(vmsim_page_cluster),
			       (unsigned int)VMSIM_MAX_READAHEAD);
	unsigned int hits, pages, last;
	unsigned long prev = READ_ONCE(vmsim_ra_prev_index);

	if (max <= 1)
		return 1;
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
