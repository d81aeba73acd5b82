// SPDX-License-Identifier: GPL-2.0
/*
 * swapon and swapoff as a user sees them, across the layers: the swap
 * layer turns an area on or drains it (swapfile.c), the policy learns that
 * parked pages can go (lru.c, reclaim.c), and swapoff brings every page on
 * the area back through each object's entries (entry.c), as Linux's
 * try_to_unuse() walks every mm.
 */
#include <linux/module.h>
#include <linux/sched/signal.h>

#include "entry.h"
#include "policy.h"
#include "pool.h"
#include "reclaim.h"
#include "swap.h"
#include "swapctl.h"

static char *vmsim_swapdev;
module_param_named(swapdev, vmsim_swapdev, charp, 0444);
MODULE_PARM_DESC(swapdev, "A block device to swap to from load on (made with vmsimctl mkswap)");

/**
 * vmsim_swapon() - turn a swap area on
 * @path: the block device
 * @prio: its priority, if @prefer
 * @prefer: use @prio (else -1, -2, ... in the order areas come on)
 *
 * Context: Process context; sleeps.
 * Return: 0 or a negative errno, with a message in the kernel log.
 */
int vmsim_swapon(const char *path, int prio, bool prefer)
{
	int err = vmsim_swap_area_add(path, prio, prefer);

	if (err)
		return err;
	/* Pages parked for want of swap can go now. */
	vmsim_policy_rescue_unevictable();
	vmsim_reclaim_kick();
	return 0;
}

/* Will @need pages fit: in free frames above high, or in other areas? */
static bool vmsim_swapoff_fits(const char *path, unsigned long need,
			       unsigned long other_free)
{
	unsigned long high = READ_ONCE(vmsim_wmark.high);
	unsigned long room = vmsim_nr_free() + other_free;

	room = room > high ? room - high : 0;
	if (need <= room)
		return true;
	pr_warn_ratelimited("swapoff %s: %lu pages are out there and only %lu would fit\n",
			    path, need, room);
	return false;
}

struct vmsim_swapoff {
	int type;			/* the area being emptied */
	unsigned long bad;		/* pages that could not be read back */
};

static int vmsim_swapoff_entry(struct vmsim_shadow *shadow, pgoff_t index,
			       u64 *sptep, void *data)
{
	struct vmsim_swapoff *so = data;
	int ret;

	ret = vmsim_entry_unuse(vmsim_shadow_object(shadow), index, sptep,
				so->type, vmsim_frame_alloc_reclaim);
	if (ret == 1) {
		so->bad++;
		ret = 0;
	}
	if (!ret && fatal_signal_pending(current))
		ret = -EINTR;
	cond_resched();
	return ret;
}

/* Bring every page of object @obj that is on the area back into memory. */
static int vmsim_swapoff_object(struct vmsim_object *obj, void *data)
{
	return vmsim_shadow_walk(&obj->shadow, 0, ULONG_MAX,
				 vmsim_swapoff_entry, data);
}

/**
 * vmsim_swapoff() - turn a swap area off
 * @path: the block device
 *
 * Brings every page stored on the area back into the pool (reclaim may push
 * other pages out to other areas meanwhile).  Objects already closed whose
 * teardown is queued are freed first.  Fails with -ENOMEM, changing
 * nothing, when the pages would not fit; with -EINTR if a fatal signal
 * arrives, and with -EIO if some page cannot be read back correctly (it
 * keeps its slot, so that touching it gives SIGBUS): both leave the area
 * on, and the pages already back stay in memory.  -EBUSY if another
 * swapoff of the area is under way.
 *
 * Context: Process context; sleeps.
 * Return: 0 or a negative errno, with a message in the kernel log.
 */
int vmsim_swapoff(const char *path)
{
	struct vmsim_swapoff so = { 0 };
	struct vmsim_swap_area *a;
	int err, pass;

	/* A file closed while reclaim held its object: its frames first. */
	vmsim_objects_flush_teardowns();
	a = vmsim_swap_drain_begin(path, vmsim_swapoff_fits);
	if (IS_ERR(a))
		return PTR_ERR(a);

	/* Wait for the writes already under way, then bring everything back. */
	err = vmsim_swap_drain_wait_io(a);
	so.type = a->type;
	/*
	 * A clone's fault may hand a page with a slot here from an object
	 * not walked yet to one walked already (cow.c): walk again while
	 * pages are left and the walks get some back.
	 */
	for (pass = 0; !err && pass < 4; pass++) {
		unsigned long left = READ_ONCE(a->nr_used);

		so.bad = 0;
		err = vmsim_walk_objects(vmsim_swapoff_object, &so);
		if (READ_ONCE(a->nr_used) <= so.bad ||
		    READ_ONCE(a->nr_used) >= left)
			break;
	}
	if (!err && so.bad) {
		pr_warn("swapoff %s: %lu pages could not be read back correctly\n",
			path, so.bad);
		err = -EIO;
	}
	/*
	 * The walk skips objects being torn down; they free their slots
	 * themselves, and must be done before the area goes.
	 */
	if (!err)
		err = vmsim_swap_drain_wait_empty(a);
	vmsim_swap_drain_end(a, err);
	return err;
}

int vmsim_swapctl_init(void)
{
	if (vmsim_swapdev && *vmsim_swapdev)
		return vmsim_swapon(vmsim_swapdev, 0, false);
	return 0;
}

void vmsim_swapctl_exit(void)
{
	vmsim_swapfile_exit();
}
