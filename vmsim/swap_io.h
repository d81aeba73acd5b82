/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing pages in swap slots (swap_io.c).
 *
 * The caller names its pages by an opaque cookie and learns the outcome
 * through a function it passes: this layer knows slots and bios, nothing
 * of what the pages belong to.
 */
#ifndef _VMSIM_SWAP_IO_H
#define _VMSIM_SWAP_IO_H

#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "swap.h"

/* The most pages one vmsim_swap_write() or vmsim_swap_read_submit() takes. */
#define VMSIM_SWAP_IO_MAX	64

/**
 * struct vmsim_swap_page - one page to write or read
 * @page: the page
 * @cookie: the caller's, handed back with the outcome
 * @swp: its slot
 * @err: (read) 0, -EIO (the read failed) or -EBADMSG (wrong checksum)
 */
struct vmsim_swap_page {
	struct page *page;
	void *cookie;
	vmsim_swp_t swp;
	int err;
};

/*
 * A page's write finished.  @err: 0 (the slot holds the page), or the
 * error (the slot was given back or retired: the page is not in swap).
 * Called in process context, from vmsim's I/O worker.
 */
typedef void (*vmsim_swap_write_done_fn)(void *cookie, int err);

void vmsim_swap_write(struct vmsim_swap_page *pages, unsigned int nr,
		      vmsim_swap_write_done_fn done);

/**
 * struct vmsim_swap_read - a batch of pages to read, owned by the caller
 * @pages: the pages (->page, ->swp, ->cookie set by the caller)
 * @nr: how many, at most VMSIM_SWAP_IO_MAX
 * @end_io: called once every bio of the batch has completed, from the
 *	block layer's completion context (interrupt or softirq): it may only
 *	wake or queue work (vmsim_swap_queue_work()).  Then the caller calls
 *	vmsim_swap_read_check(), in process context.
 * @pending: bios in flight (the layer's)
 */
struct vmsim_swap_read {
	struct vmsim_swap_page *pages;
	unsigned int nr;
	void (*end_io)(struct vmsim_swap_read *rd);
	atomic_t pending;
};

void vmsim_swap_read_submit(struct vmsim_swap_read *rd);
void vmsim_swap_read_check(struct vmsim_swap_read *rd);
void vmsim_swap_queue_work(struct work_struct *work);

long vmsim_swap_writes_in_flight(void);
extern struct wait_queue_head vmsim_writeback_wait;

int vmsim_swap_io_init(void);
void vmsim_swap_io_exit(void);

#endif /* _VMSIM_SWAP_IO_H */
