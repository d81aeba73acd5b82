// SPDX-License-Identifier: GPL-2.0
/*
 * Advice about a range of an object (VMSIM_IOC_ADVISE): DONTNEED,
 * WILLNEED, COLD and PAGEOUT, in terms of the layers below: entry changes
 * (entry.c), frames with reclaim (reclaim.c), the policy's lists
 * (vmscan.c) and the real page tables (rmap.c).
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "advise.h"
#include "cow.h"
#include "entry.h"
#include "lru.h"
#include "reclaim.h"
#include "rmap.h"
#include "policy.h"

/*
 * DONTNEED of a page a clone reads from its backing object: it reads zero
 * from now on; a page nobody else reads becomes the clone's first, for the
 * walk to give up.
 */
static int vmsim_dontneed_shared(struct vmsim_object *obj, pgoff_t index)
{
	u64 *sptep;

	if (!vmsim_object_backing(obj, index))
		return 0;
	sptep = vmsim_shadow_lookup(&obj->shadow, index, true);
	if (!sptep)
		return -ENOMEM;
	if (vmsim_pte_own(vmsim_pte_read(sptep)))
		return 0;
	if (vmsim_entry_lock_killable(sptep))
		return -EINTR;
	if (!vmsim_pte_own(vmsim_pte_read(sptep)))
		vmsim_cow_detach(obj, index, sptep);
	vmsim_entry_unlock(sptep);
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

static int vmsim_dontneed_entry(struct vmsim_shadow *shadow, pgoff_t index,
				u64 *sptep, void *data)
{
	struct vmsim_object *obj = vmsim_shadow_object(shadow);
	unsigned long *done = data;
	int ret;

	ret = vmsim_entry_drop(obj, index, sptep);
	if (ret < 0)
		return ret;
	*done += ret;
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/* DONTNEED: unmap the whole range at once, then give back each frame. */
static int vmsim_advise_dontneed(struct vmsim_object *obj, pgoff_t start,
				 pgoff_t nr, unsigned long *done)
{
	pgoff_t index;

	int err;

	/*
	 * A clone's pages read from its backing object read zero from now
	 * on: they need entries of their own to say so (before the unmap,
	 * which takes the backing's frames out of the clone's page tables).
	 * The walk below visits only entries that are not empty.
	 */
	if (READ_ONCE(obj->backing)) {
		for (index = start; index < start + nr; index++) {
			err = vmsim_dontneed_shared(obj, index);
			if (err)
				return err;
		}
	}
	unmap_mapping_pages(vmsim_object_mapping(obj), start, nr, false);
	/* Frames waiting to join the LRU hold a reference: let them go. */
	vmsim_lru_drain_all();
	return vmsim_shadow_walk(&obj->shadow, start, start + nr,
				 vmsim_dontneed_entry, done);
}

/* WILLNEED: give a page a frame now; 1 if it got one. */
static int vmsim_willneed_one(struct vmsim_object *obj, pgoff_t index)
{
	u64 *sptep = vmsim_shadow_lookup(&obj->shadow, index, true);
	struct page *page;
	int ret = 0, err;
	u64 e;

	if (!sptep)
		return -ENOMEM;
	if (vmsim_entry_lock_killable(sptep))
		return -EINTR;
	e = vmsim_pte_read(sptep);
	if (!vmsim_pte_own(e) && vmsim_object_backing(obj, index)) {
		bool major = false;

		/* Resident where the clone reads it (or its own, if zero). */
		ret = vmsim_cow_fault(obj, index, sptep, false, &page, &major);
		if (page) {
			unlock_page(page);
			put_page(page);
		}
		if (ret == -EAGAIN)
			ret = 0;
		if (ret == -EINTR || ret == -ENOMEM)
			goto out_unlock;
		ret = major;
		e = vmsim_pte_read(sptep);
		if (!vmsim_pte_own(e) || (e & VMSIM_PTE_PRESENT))
			goto out_unlock;
	}
	if (e & VMSIM_PTE_PRESENT)
		goto out_unlock;		/* resident already */
	page = vmsim_frame_alloc_reclaim(e & VMSIM_PTE_SWAPPED);
	if (!page) {
		ret = fatal_signal_pending(current) ? -EINTR : -ENOMEM;
		goto out_unlock;
	}
	if (!(e & VMSIM_PTE_SWAPPED)) {
		vmsim_entry_populate(obj, index, sptep, page);
		ret = 1;
	} else if (vmsim_entry_swapin(obj, index, sptep, page, 1, &err)) {
		ret = 1;
	} else if (err == -EINTR) {
		return err;		/* the read owns the entry now */
	}
	/* Unreadable pages stay out, for a fault to report. */
out_unlock:
	vmsim_entry_unlock(sptep);
	return ret;
}

/* WILLNEED: give every page of the range a frame now. */
static int vmsim_advise_willneed(struct vmsim_object *obj, pgoff_t start,
				 pgoff_t nr, unsigned long *done)
{
	pgoff_t index;

	for (index = start; index < start + nr; index++) {
		int ret = vmsim_willneed_one(obj, index);

		if (ret == -ENOMEM)
			return 0;	/* as far as the pool goes */
		if (ret < 0)
			return ret;
		*done += ret;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* Indices handled per round of COLD. */
#define VMSIM_CHUNK	4096

/*
 * COLD: clear the accessed bits of the range, hardware and shadow, and move
 * its pages to the inactive tail, to be reclaimed first.
 */
static int vmsim_advise_cold(struct vmsim_object *obj, pgoff_t start,
			     pgoff_t nr, unsigned long *done)
{
	pgoff_t base, i, n;
	u8 *bits;

	bits = kvmalloc(VMSIM_CHUNK, GFP_KERNEL);
	if (!bits)
		return -ENOMEM;
	vmsim_lru_drain_all();
	for (base = start; base < start + nr; base += n) {
		n = min_t(pgoff_t, VMSIM_CHUNK, start + nr - base);
		memset(bits, 0, n);
		vmsim_rmap_walk(vmsim_object_mapping(obj), base, n, bits,
				VMSIM_WALK_CLEAR_YOUNG, NULL);
		for (i = 0; i < n; i++) {
			u64 *sptep = vmsim_shadow_lookup(&obj->shadow, base + i,
							 false);
			bool young = bits[i] & VMSIM_WALK_YOUNG;

			if (!sptep)
				continue;
			if (vmsim_pte_test_and_clear(sptep, VMSIM_PTE_ACCESSED))
				young = true;
			if (young)
				(*done)++;
			vmsim_policy_deactivate(sptep);
		}
		if (fatal_signal_pending(current)) {
			kvfree(bits);
			return -EINTR;
		}
	}
	kvfree(bits);
	return 0;
}

struct vmsim_pageout_walk {
	struct vmsim_writeback *wb;
	unsigned long done;
};

static int vmsim_pageout_entry(struct vmsim_shadow *shadow, pgoff_t index,
			       u64 *sptep, void *data)
{
	struct vmsim_pageout_walk *pw = data;

	if (vmsim_policy_pageout(vmsim_shadow_object(shadow), sptep, pw->wb))
		pw->done++;
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/* PAGEOUT: evict the pages of the range now, referenced or not. */
static int vmsim_advise_pageout(struct vmsim_object *obj, pgoff_t start,
				pgoff_t nr, unsigned long *done)
{
	struct vmsim_pageout_walk pw = {
		/* Without it, only pages that need no write go. */
		.wb = vmsim_writeback_alloc(VMSIM_BY_PAGEOUT, GFP_KERNEL),
	};
	int ret;

	vmsim_lru_drain_all();
	ret = vmsim_shadow_walk(&obj->shadow, start, start + nr,
				vmsim_pageout_entry, &pw);
	vmsim_writeback_free(pw.wb);
	*done = pw.done;
	return ret;
}

/**
 * vmsim_object_advise() - act on advice about a range of an object
 * @obj: the object
 * @start: first page index
 * @nr: number of pages (validated by the caller)
 * @advice: VMSIM_ADV_*
 * @done: out: pages the advice changed
 *
 * Context: Process context; may sleep.
 * Return: 0 or a negative errno.
 */
int vmsim_object_advise(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
			unsigned int advice, unsigned long *done)
{
	*done = 0;
	switch (advice) {
	case VMSIM_ADV_DONTNEED:
		return vmsim_advise_dontneed(obj, start, nr, done);
	case VMSIM_ADV_WILLNEED:
		return vmsim_advise_willneed(obj, start, nr, done);
	case VMSIM_ADV_COLD:
		return vmsim_advise_cold(obj, start, nr, done);
	case VMSIM_ADV_PAGEOUT:
		return vmsim_advise_pageout(obj, start, nr, done);
	default:
		return -EINVAL;
	}
}
