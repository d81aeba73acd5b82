/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Swap areas and their slots (swapfile.c).
 *
 * This layer knows block devices and slots, nothing of shadow entries,
 * objects or reclaim (as mm/swapfile.c knows nothing of mm/vmscan.c).
 */
#ifndef _VMSIM_SWAP_H
#define _VMSIM_SWAP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "vmsim.h"

/* A swap entry: an area (type) in the low bits and a slot in it above. */
typedef u32 vmsim_swp_t;

#define VMSIM_SWAP_TYPES	16
#define VMSIM_SWP_TYPE_BITS	4
#define VMSIM_SWP_OFFSET_BITS	28

static inline vmsim_swp_t vmsim_swp(unsigned int type, unsigned long offset)
{
	return type | (offset << VMSIM_SWP_TYPE_BITS);
}

static inline unsigned int vmsim_swp_type(vmsim_swp_t swp)
{
	return swp & (VMSIM_SWAP_TYPES - 1);
}

static inline unsigned long vmsim_swp_offset(vmsim_swp_t swp)
{
	return swp >> VMSIM_SWP_TYPE_BITS;
}

/* Order slots by area, then offset: the order they are laid out on disk. */
static inline int vmsim_swp_cmp(vmsim_swp_t a, vmsim_swp_t b)
{
	if (vmsim_swp_type(a) != vmsim_swp_type(b))
		return vmsim_swp_type(a) < vmsim_swp_type(b) ? -1 : 1;
	return vmsim_swp_offset(a) < vmsim_swp_offset(b) ? -1 :
	       vmsim_swp_offset(a) > vmsim_swp_offset(b);
}

/* Slots an area hands out in a row before an area of equal priority. */
#define VMSIM_SWAP_CLUSTER	64

/**
 * struct vmsim_swap_area - a block device that is on as swap
 * @type: its number, in swap entries (invariant)
 * @prio: its priority (changes only under vmsim_swap_lock)
 * @path: the path given to swapon (invariant)
 * @bdev: the device, open exclusively (invariant)
 * @nr_slots: pages in the area, the header's included (invariant)
 * @lock: protects @map, @errmap, @nr_used, @nr_bad, @next, @draining,
 *	@failing, @retry_at, @fail_shift
 * @map: bit set: slot taken (the header, in use, or retired)
 * @errmap: bit set: the last write to the slot failed
 * @nr_used: slots holding a page (or about to)
 * @nr_bad: slots retired after repeated write errors
 * @next: where the next allocation looks first
 * @draining: swapoff is under way: no new slots
 * @failing: its last write failed: other areas give slots first until
 *	@retry_at (jiffies)
 * @fail_shift: failed windows in a row; each is twice as long as the last
 * @crc: CRC32C of the page written to each slot
 * @inflight: writes in flight
 * @wait: woken when @inflight reaches 0, and when @nr_used of a draining
 *	area does
 * @node: on the list of areas taking slots, under vmsim_swap_lock
 */
struct vmsim_swap_area {
	int type;
	int prio;
	char *path;
	struct vmsim_bdev bdev;
	unsigned long nr_slots;
	spinlock_t lock;		/* see above */
	unsigned long *map;
	unsigned long *errmap;
	unsigned long nr_used;
	unsigned long nr_bad;
	unsigned long next;
	bool draining;
	bool failing;
	unsigned int fail_shift;
	unsigned long retry_at;
	u32 *crc;
	atomic_t inflight;
	wait_queue_head_t wait;
	struct list_head node;
};

extern struct vmsim_swap_area *vmsim_swap_info[VMSIM_SWAP_TYPES];

/*
 * The area of a slot.  Read locklessly by paths that hold a slot of the
 * area (it cannot go away while one is in use).
 */
static inline struct vmsim_swap_area *vmsim_swp_area(vmsim_swp_t swp)
{
	return READ_ONCE(vmsim_swap_info[vmsim_swp_type(swp)]);
}

bool vmsim_swap_on(void);
void vmsim_swap_nr(unsigned long *total, unsigned long *free);
unsigned long vmsim_swap_nr_free(void);
unsigned int vmsim_swap_alloc(unsigned int n, vmsim_swp_t *out);
void vmsim_swap_free_slot(vmsim_swp_t swp);
void vmsim_swap_slot_written(vmsim_swp_t swp, int err);

int vmsim_swap_area_add(const char *path, int prio, bool prefer);

/* What swapoff learns when it starts: is there room for the area's pages? */
typedef bool (*vmsim_swap_fits_fn)(const char *path, unsigned long need,
				   unsigned long other_free);
struct vmsim_swap_area *vmsim_swap_drain_begin(const char *path,
					       vmsim_swap_fits_fn fits);
int vmsim_swap_drain_wait_io(struct vmsim_swap_area *a);
int vmsim_swap_drain_wait_empty(struct vmsim_swap_area *a);
void vmsim_swap_drain_end(struct vmsim_swap_area *a, int err);

int vmsim_swaps_show(struct seq_file *m, void *v);
void vmsim_swapfile_exit(void);

#endif /* _VMSIM_SWAP_H */
