// SPDX-License-Identifier: GPL-2.0
/*
 * Every change of a shadow entry's state (entry.h has the state diagram).
 *
 * This is the one file that writes an entry's state.  Each function here
 * takes the entry from one state to the next whole: the entry, the
 * frame's own fields (->private, ->index), the counters, the real page
 * tables when the change needs the page unmapped, the swap slot, and the
 * policy's lists through the vmsim_entry_ops it registered.
 *
 * A page's way from a fault to swap and back, in this file's terms:
 *
 *   vmsim_entry_populate()       a frame for a page never written (or zero)
 *   vmsim_entry_set_dirty()      the first write to it (or, learnt from
 *   vmsim_entry_fold_dirty()       the page tables, later)
 *   vmsim_entry_evict_lock()     reclaim picked it: entry and page locked,
 *   vmsim_entry_evict_unmap()      unmapped everywhere,
 *   vmsim_entry_evict_finish()     dropped, or given a slot and queued;
 *   vmsim_entry_writeback_flush()  the queued pages go to swap_io;
 *   vmsim_entry_write_done()       written: the frame is freed, the entry
 *                                  keeps the slot and the eviction age
 *   vmsim_entry_swapin()         a fault on it reads it back (with its
 *                                  neighbours), into the swap cache
 */
#include <linux/highmem.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/wait_bit.h>

#include "entry.h"
#include "pool.h"
#include "readahead.h"
#include "stat.h"
#include "vmsim_trace.h"

static const struct vmsim_entry_ops *vmsim_ops;

/**
 * vmsim_entry_set_ops() - register the policy's side of entry changes
 * @ops: the policy's operations; they must stay valid until unload
 *
 * Context: Process context, at load, before any object exists.
 */
void vmsim_entry_set_ops(const struct vmsim_entry_ops *ops)
{
	WRITE_ONCE(vmsim_ops, ops);
}

/* ------------------------------------------------------------------------
 * Getting a frame
 */

/**
 * vmsim_entry_populate() - give a never-written page a zero-filled frame
 * @obj: the object
 * @index: the page
 * @sptep: its entry, locked by the caller, not PRESENT
 * @page: a zeroed frame from the pool, for the page
 *
 * The frame starts clean (it is zero).  If the page was ZERO, the zero
 * frame is taken out of every page table that maps it here.
 *
 * Context: Process context; may sleep.
 */
void vmsim_entry_populate(struct vmsim_object *obj, pgoff_t index,
			  u64 *sptep, struct page *page)
{
	u64 old;

	set_page_private(page, (unsigned long)sptep);
	old = vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP,
			       VMSIM_PTE_PRESENT | VMSIM_PTE_ACCESSED |
			       VMSIM_PTE_OWN |
			       vmsim_pfn_pte(page_to_pfn(page)));
	vmsim_resident_add(obj, 1);
	vmsim_ops->resident(page, old, VMSIM_RES_FILL);
	if (old & VMSIM_PTE_ZERO)
		unmap_mapping_pages(vmsim_object_mapping(obj), index, 1, false);
}

/**
 * vmsim_entry_zero_mapped() - a read of an unwritten page mapped the zero frame
 * @obj: the object
 * @sptep: the page's entry, locked by the caller, not PRESENT or SWAPPED
 *
 * Context: Any context.
 */
void vmsim_entry_zero_mapped(struct vmsim_object *obj, u64 *sptep)
{
	u64 old = vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP,
				   VMSIM_PTE_ZERO | VMSIM_PTE_ACCESSED |
				   VMSIM_PTE_OWN);

	if (old & VMSIM_PTE_EVICTED)
		vmsim_ops->refault_zero(old);
}

/**
 * vmsim_entry_touch() - a fault found the page resident
 * @sptep: the page's entry, locked by the caller, PRESENT
 *
 * Context: Any context.
 * Return: true if the page had been read ahead and this is its first use.
 */
bool vmsim_entry_touch(u64 *sptep)
{
	return vmsim_pte_update(sptep, VMSIM_PTE_READAHEAD,
				VMSIM_PTE_ACCESSED) & VMSIM_PTE_READAHEAD;
}

/**
 * vmsim_entry_ra_mapped() - fault-around mapped a page next to a readahead hit
 * @sptep: the page's entry, locked by the caller, PRESENT
 *
 * The page stops being READAHEAD, but is not marked accessed: it was mapped
 * old, and whether it is used is for its PTE's accessed bit to tell.
 *
 * Context: Any context.
 * Return: true if the page had been read ahead and not mapped before.
 */
bool vmsim_entry_ra_mapped(u64 *sptep)
{
	return vmsim_pte_update(sptep, VMSIM_PTE_READAHEAD, 0) &
	       VMSIM_PTE_READAHEAD;
}

/*
 * Mark a resident page dirty (and @extra): its copy in swap, if any, is
 * stale from now on, so the slot is let go (unless a write to it is in
 * flight; the write's completion lets it go).
 */
static void vmsim_entry_mark_dirty(struct vmsim_object *obj, u64 *sptep,
				   u64 extra)
{
	u64 old = vmsim_pte_update(sptep, 0, VMSIM_PTE_DIRTY | extra);

	if (!(old & VMSIM_PTE_DIRTY))
		vmsim_dirty_add(obj, 1);
	if ((old & (VMSIM_PTE_SWAPPED | VMSIM_PTE_WRITEBACK)) ==
	    VMSIM_PTE_SWAPPED) {
		struct page *page = pfn_to_page(vmsim_pte_pfn(old));

		vmsim_swap_free_slot(page->index);
		page->index = 0;
		vmsim_pte_update(sptep, VMSIM_PTE_SWAPPED, 0);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
	}
}

/**
 * vmsim_entry_set_dirty() - note that a resident page is being written
 * @obj: the object
 * @sptep: the page's entry, locked by the caller, PRESENT
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_entry_set_dirty(struct vmsim_object *obj, u64 *sptep)
{
	vmsim_entry_mark_dirty(obj, sptep, VMSIM_PTE_ACCESSED);
}

/**
 * vmsim_entry_fold_dirty() - take in a write only the page tables saw
 * @obj: the object
 * @sptep: the page's entry, locked by the caller, PRESENT
 * @pte_dirty: the caller saw a PTE of the page with its dirty bit set
 *
 * In a VMA without write-notify, the first write to a page sets the PTE's
 * dirty bit and nothing else; when the PTE is zapped, the core moves the
 * bit to the frame's PG_dirty.  This moves PG_dirty into the entry.  It
 * is called wherever the entry's cleanness decides something, once the
 * page is unmapped (or its PTEs' dirty bits have been looked at), so that
 * no write is missed.  PG_dirty is clear from then on, until the page is
 * written again.
 *
 * Context: Any context that may take a spinlock.
 * Return: true if the page had been written.
 */
bool vmsim_entry_fold_dirty(struct vmsim_object *obj, u64 *sptep,
			    bool pte_dirty)
{
	struct page *page = pfn_to_page(vmsim_pte_pfn(vmsim_pte_read(sptep)));
	bool pg_dirty = PageDirty(page) && TestClearPageDirty(page);

	if (!pg_dirty && !pte_dirty)
		return false;
	vmsim_entry_mark_dirty(obj, sptep, 0);
	return true;
}

/* ------------------------------------------------------------------------
 * Swap-in
 *
 * A swap-in reads its page and the swapped-out neighbours in its readahead
 * window in one batch.  The entries stay locked while they are read, and
 * the batch, not a task, owns those locks: a task killed while it waits
 * leaves, and the read's completion (vmsim_swapin_work_fn()) finishes
 * every page and unlocks every entry.
 */
enum {
	VMSIM_SWAPIN_WAITING,		/* the faulting task waits for it */
	VMSIM_SWAPIN_DONE,		/* every bio has completed */
	VMSIM_SWAPIN_ABANDONED,		/* nobody waits: the worker finishes */
};

struct vmsim_swapin_req {
	pgoff_t index;
	u64 *sptep;
	u64 old;			/* the entry before */
};

/**
 * struct vmsim_swapin_batch - the pages of one swap-in
 * @rd: the read (its pages' cookies point into @req)
 * @obj: the object, referenced until the batch is finished
 * @state: VMSIM_SWAPIN_*
 * @done: completed when the read is done, for a task waiting
 * @work: finishes the batch when nobody waits
 * @main: the entry of the page the caller asked for, or NULL
 * @pages: the pages of @rd
 * @req: what each page is
 */
struct vmsim_swapin_batch {
	struct vmsim_swap_read rd;
	struct vmsim_object *obj;
	atomic_t state;
	struct completion done;
	struct work_struct work;
	u64 *main;
	struct vmsim_swap_page pages[VMSIM_MAX_READAHEAD];
	struct vmsim_swapin_req req[VMSIM_MAX_READAHEAD];
};

/* Batches in flight progress one at a time with these. */
#define VMSIM_SWAPIN_POOL_MIN	4
static mempool_t *vmsim_swapin_pool;

/*
 * Gather the swapped-out pages of the aligned window of @win pages around
 * @index, but for page @skip (the caller's own, or ULONG_MAX): each is
 * try-locked and given a frame (without reclaim: not for pages that may
 * not be needed).
 */
static void vmsim_ra_gather(struct vmsim_swapin_batch *b, pgoff_t index,
			    unsigned int win, pgoff_t skip)
{
	pgoff_t start = round_down(index, win), j;

	for (j = start; j < start + win && b->rd.nr < VMSIM_MAX_READAHEAD; j++) {
		struct page *page;
		u64 *sptep;
		u64 e;

		if (j == skip)
			continue;
		if (j >> VMSIM_INDEX_BITS)
			break;
		sptep = vmsim_shadow_lookup(&b->obj->shadow, j, false);
		if (!sptep)
			continue;
		e = vmsim_pte_read(sptep);
		if ((e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT)) !=
		    VMSIM_PTE_SWAPPED || !vmsim_entry_trylock(sptep))
			continue;
		e = vmsim_pte_read(sptep);
		page = NULL;
		if ((e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT)) ==
		    VMSIM_PTE_SWAPPED)
			page = vmsim_frame_alloc_unzeroed();
		if (!page) {
			vmsim_entry_unlock(sptep);
			continue;
		}
		/* The read owns this lock now. */
		vmsim_entry_lock_to_io(sptep);
		b->req[b->rd.nr] = (struct vmsim_swapin_req){
			.index = j, .sptep = sptep, .old = e,
		};
		b->pages[b->rd.nr] = (struct vmsim_swap_page){
			.page = page, .swp = vmsim_pte_swp(e),
			.cookie = &b->req[b->rd.nr],
		};
		b->rd.nr++;
	}
}

/*
 * Put the pages of a completed batch where they belong: good ones into the
 * swap cache (PRESENT | SWAPPED, clean), bad ones back to the pool with
 * their entries still SWAPPED.  Every entry the batch owns is unlocked;
 * the caller's (if @owned) stays locked, and its page is returned, or NULL
 * with *@err set.
 */
static struct page *vmsim_swapin_finish(struct vmsim_swapin_batch *b,
					bool owned, int *err)
{
	struct vmsim_object *obj = b->obj;
	struct page *ret = NULL;
	unsigned int i;

	vmsim_swap_read_check(&b->rd);
	for (i = 0; i < b->rd.nr; i++) {
		struct vmsim_swap_page *p = &b->pages[i];
		struct vmsim_swapin_req *r = p->cookie;
		bool mine = owned && r->sptep == b->main;

		if (mine)
			trace_vmsim_swap_in(obj->id, r->index,
					    vmsim_swp_type(p->swp),
					    vmsim_swp_offset(p->swp), p->err);
		else
			trace_vmsim_swap_readahead(obj->id, r->index,
						   vmsim_swp_type(p->swp),
						   vmsim_swp_offset(p->swp),
						   p->err);
		if (p->err) {
			/* Unseen, and never mapped: the pool may have it. */
			vmsim_frame_free(p->page);
			if (mine)
				*err = p->err;
			else
				vmsim_entry_unlock_io(r->sptep);
			continue;
		}
		set_page_private(p->page, (unsigned long)r->sptep);
		p->page->index = p->swp;
		vmsim_pte_update(r->sptep, ~VMSIM_PTE_KEEP,
				 VMSIM_PTE_PRESENT | VMSIM_PTE_SWAPPED |
				 vmsim_pfn_pte(page_to_pfn(p->page)) |
				 (mine ? VMSIM_PTE_ACCESSED :
					 VMSIM_PTE_READAHEAD));
		vmsim_resident_add(obj, 1);
		vmsim_swapped_add(obj, -1);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, 1);
		vmsim_ops->resident(p->page, r->old, mine ? VMSIM_RES_SWAPIN :
				    VMSIM_RES_READAHEAD);
		if (mine) {
			ret = p->page;
		} else {
			vmsim_count(VMSIM_SWAP_RA);
			vmsim_entry_unlock_io(r->sptep);
		}
	}
	vmsim_object_put_async(obj);
	mempool_free(b, vmsim_swapin_pool);
	return ret;
}

static void vmsim_swapin_work_fn(struct work_struct *work)
{
	struct vmsim_swapin_batch *b = container_of(work, typeof(*b), work);

	vmsim_swapin_finish(b, false, NULL);
}

/* Every bio of the batch completed (interrupt or softirq context). */
static void vmsim_swapin_end_io(struct vmsim_swap_read *rd)
{
	struct vmsim_swapin_batch *b = container_of(rd, typeof(*b), rd);

	if (atomic_xchg(&b->state, VMSIM_SWAPIN_DONE) == VMSIM_SWAPIN_ABANDONED)
		vmsim_swap_queue_work(&b->work);
	else
		complete(&b->done);
}

/*
 * A new, empty batch for a swap-in of @main's page (its task waits), or,
 * with @main NULL, for a read nobody waits for (it starts out abandoned).
 */
static struct vmsim_swapin_batch *
vmsim_swapin_batch_new(struct vmsim_object *obj, u64 *main, gfp_t gfp)
{
	struct vmsim_swapin_batch *b = mempool_alloc(vmsim_swapin_pool, gfp);

	if (!b)
		return NULL;
	b->obj = obj;
	vmsim_object_get(obj);
	atomic_set(&b->state, main ? VMSIM_SWAPIN_WAITING :
				     VMSIM_SWAPIN_ABANDONED);
	init_completion(&b->done);
	INIT_WORK(&b->work, vmsim_swapin_work_fn);
	b->main = main;
	b->rd.pages = b->pages;
	b->rd.end_io = vmsim_swapin_end_io;
	b->rd.nr = 0;
	return b;
}

/**
 * vmsim_entry_swapin() - read a swapped-out page back
 * @obj: the object
 * @index: the page
 * @sptep: its entry, locked by the caller, SWAPPED and not PRESENT
 * @page: a frame for it (need not be zeroed); this function takes it over
 * @win: the aligned window around @index to read, a power of two (1: the
 *	page alone), with a frame free for each of its other pages
 *	(vmsim_reclaim_ra_frames())
 * @err: out: why it failed
 *
 * The page comes back in the swap cache: resident, clean, still holding
 * its slot.  Neighbours read ahead come back the same way, not marked
 * accessed, with READAHEAD set until they are faulted.  A page whose read
 * fails or whose checksum does not match stays swapped out.  The wait for
 * the read ends early on a fatal signal; the read then finishes without
 * the caller, and the entry is unlocked when it does.
 *
 * Context: Process context; sleeps.
 * Return: @page, or NULL with @err -EIO (read error), -EBADMSG (wrong
 * data) or -EINTR (killed: the entry is no longer the caller's to unlock).
 */
struct page *vmsim_entry_swapin(struct vmsim_object *obj, pgoff_t index,
				u64 *sptep, struct page *page,
				unsigned int win, int *err)
{
	struct vmsim_swapin_batch *b;
	u64 e = vmsim_pte_read(sptep);

	/* GFP_NOIO from a mempool: waits for a batch to finish, never fails. */
	b = vmsim_swapin_batch_new(obj, sptep, GFP_NOIO);
	b->req[0] = (struct vmsim_swapin_req){
		.index = index, .sptep = sptep, .old = e,
	};
	b->pages[0] = (struct vmsim_swap_page){
		.page = page, .swp = vmsim_pte_swp(e), .cookie = &b->req[0],
	};
	b->rd.nr = 1;
	if (win > 1)
		vmsim_ra_gather(b, index, win, index);

	vmsim_swap_read_submit(&b->rd);

	if (wait_for_completion_killable(&b->done)) {
		if (atomic_cmpxchg(&b->state, VMSIM_SWAPIN_WAITING,
				   VMSIM_SWAPIN_ABANDONED) ==
		    VMSIM_SWAPIN_WAITING) {
			vmsim_entry_lock_to_io(sptep);
			*err = -EINTR;
			return NULL;
		}
		/* Done meanwhile: its complete() is on its way. */
		wait_for_completion(&b->done);
	}
	return vmsim_swapin_finish(b, true, err);
}

/**
 * vmsim_entry_readahead() - start reading a window of pages, waiting for none
 * @obj: the object
 * @index: a page of the window
 * @win: the window's size, a power of two
 *
 * The swapped-out pages of the aligned window around @index that are not
 * busy, and for which a frame is free without reclaim, are read as a
 * swap-in's readahead is, and come back the same way (in the swap cache,
 * with READAHEAD set) when the read completes; nobody waits for it.
 *
 * Context: Process context; may wait for a bio (as any swap-in), never
 * for a read.
 * Return: how many pages it started to read.
 */
unsigned int vmsim_entry_readahead(struct vmsim_object *obj, pgoff_t index,
				   unsigned int win)
{
	struct vmsim_swapin_batch *b;
	unsigned int nr;

	b = vmsim_swapin_batch_new(obj, NULL, GFP_NOWAIT | __GFP_NOWARN);
	if (!b)
		return 0;
	vmsim_ra_gather(b, index, win, ULONG_MAX);
	nr = b->rd.nr;
	if (!nr) {
		vmsim_object_put_async(obj);
		mempool_free(b, vmsim_swapin_pool);
		return 0;
	}
	vmsim_count_add(VMSIM_SWAP_RA_ASYNC, nr);
	vmsim_swap_read_submit(&b->rd);
	return nr;
}

/* ------------------------------------------------------------------------
 * Letting go
 */

/*
 * Take the frame away from a PRESENT entry and give it back to the pool;
 * the entry becomes empty.  The caller holds the entry lock (or the
 * object is being torn down) and has made sure no page table maps it.
 */
static void vmsim_entry_drop_frame(struct vmsim_object *obj, u64 *sptep,
				   u64 e)
{
	struct page *page = pfn_to_page(vmsim_pte_pfn(e));

	if (e & VMSIM_PTE_SWAPPED) {
		vmsim_swap_free_slot(page->index);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
	}
	page->index = 0;
	vmsim_ops->dropped(page);
	vmsim_frame_release(page);
	vmsim_resident_add(obj, -1);
	if (e & VMSIM_PTE_DIRTY)
		vmsim_dirty_add(obj, -1);
	vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP, VMSIM_PTE_OWN);
}

/* Let go of a swapped-out page's slot; the entry becomes empty. */
static void vmsim_entry_drop_slot(struct vmsim_object *obj, u64 *sptep, u64 e)
{
	vmsim_swap_free_slot(vmsim_pte_swp(e));
	vmsim_swapped_add(obj, -1);
	vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP, VMSIM_PTE_OWN);
}

/**
 * vmsim_wait_writeback() - wait until an entry's page is no longer being
 *	written to swap
 * @sptep: the entry, not locked by the caller
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EINTR on a fatal signal.
 */
int vmsim_wait_writeback(u64 *sptep)
{
	return wait_var_event_killable(sptep,
			!vmsim_pte_writeback(vmsim_pte_read(sptep)));
}

/**
 * vmsim_entry_drop() - forget a page (DONTNEED): its frame or slot is freed
 * @obj: the object
 * @index: the page
 * @sptep: its entry (not locked); the caller has unmapped the range
 *
 * A page being written to swap is waited for first.  ZERO entries stay
 * ZERO: they hold no frame, and read as zero already.
 *
 * Context: Process context; sleeps.
 * Return: 1 if a frame or slot was freed, 0 if there was none, -EINTR if a
 * fatal signal ended a wait.
 */
int vmsim_entry_drop(struct vmsim_object *obj, pgoff_t index, u64 *sptep)
{
	struct page *page;
	int ret = 0;
	u64 e;

	e = vmsim_pte_read(sptep);
	/* A clone's page read from its backing object reads zero from now. */
	if (!(e & (VMSIM_PTE_PRESENT | VMSIM_PTE_EVICTED | VMSIM_PTE_SWAPPED)) &&
	    (vmsim_pte_own(e) || !vmsim_object_backing(obj, index)))
		return 0;
again:
	if (vmsim_entry_lock_killable(sptep))
		return -EINTR;
	e = vmsim_pte_read(sptep);
	if (vmsim_pte_writeback(e)) {
		/*
		 * The frame is in a bio: wait for the write to finish.  Not
		 * wait_on_bit(): once the write is done the page may be
		 * evicted, and bit 54 becomes part of its ghost.
		 */
		vmsim_entry_unlock(sptep);
		if (vmsim_wait_writeback(sptep))
			return -EINTR;
		goto again;
	}
	if (e & VMSIM_PTE_PRESENT) {
		page = pfn_to_page(vmsim_pte_pfn(e));
		/*
		 * The page lock waits out a fault that is mapping the page
		 * right now; one that mapped it since the caller's bulk
		 * unmap is undone here.
		 */
		lock_page(page);
		if (folio_mapped(page_folio(page)))
			unmap_mapping_pages(vmsim_object_mapping(obj), index, 1,
					    false);
		/*
		 * Clean from here on, under the page lock: ->page_mkwrite
		 * trusts a DIRTY entry it sees under the page lock alone, and
		 * this one is about to lose its frame.
		 */
		vmsim_pte_update(sptep, VMSIM_PTE_DIRTY, 0);
		unlock_page(page);
		vmsim_entry_drop_frame(obj, sptep, e);
		ret = 1;
	} else if (e & VMSIM_PTE_SWAPPED) {
		vmsim_entry_drop_slot(obj, sptep, e);
		ret = 1;
	} else if (e & VMSIM_PTE_EVICTED) {
		/* Forget the eviction: the page is dropped, not coming back. */
		vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP, VMSIM_PTE_OWN);
	} else if (!vmsim_pte_own(e)) {
		/* Its backing's frame, mapped since the caller's unmap, goes. */
		vmsim_pte_update(sptep, 0, VMSIM_PTE_OWN);
		unmap_mapping_pages(vmsim_object_mapping(obj), index, 1, false);
	}
	vmsim_entry_unlock(sptep);
	return ret;
}

/**
 * vmsim_entry_teardown() - release an entry of an object being freed
 * @obj: the object; nothing can reach it any more (no VMA maps it, no
 *	operation holds it), so no lock is taken
 * @sptep: the entry
 *
 * Context: Process context.
 */
void vmsim_entry_teardown(struct vmsim_object *obj, u64 *sptep)
{
	u64 e = vmsim_pte_read(sptep);

	if (e & VMSIM_PTE_PRESENT)
		vmsim_entry_drop_frame(obj, sptep, e);
	else if (e & VMSIM_PTE_SWAPPED)
		vmsim_entry_drop_slot(obj, sptep, e);
	WRITE_ONCE(*sptep, 0);
}

/**
 * vmsim_entry_unuse() - bring one page off a swap area being emptied
 * @obj: the object
 * @index: the page
 * @sptep: its entry (not locked)
 * @type: the area being emptied
 * @alloc: gives a frame, with reclaim
 *
 * A swapped-out page on the area is read back (dirty: the area is going);
 * a page in the swap cache with a slot there lets the slot go.
 *
 * Context: Process context; sleeps.
 * Return: 0; 1 if the page is on the area and cannot be read back
 * correctly (it keeps its slot); -ENOMEM if no frame; -EINTR on a fatal
 * signal.
 */
int vmsim_entry_unuse(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
		      int type, vmsim_frame_alloc_fn alloc)
{
	struct page *page;
	int err = 0;
	u64 e;

	e = vmsim_pte_read(sptep);
	if (!(e & VMSIM_PTE_SWAPPED))
		return 0;
	if (vmsim_entry_lock_killable(sptep))
		return -EINTR;
	e = vmsim_pte_read(sptep);
	if (!(e & VMSIM_PTE_SWAPPED))
		goto out_unlock;
	if (e & VMSIM_PTE_PRESENT) {
		page = pfn_to_page(vmsim_pte_pfn(e));
		/* In the swap cache: the page is the only copy from now on. */
		if (vmsim_swp_type(page->index) == type)
			vmsim_entry_set_dirty(obj, sptep);
		goto out_unlock;
	}
	if (vmsim_swp_type(vmsim_pte_swp(e)) != type)
		goto out_unlock;
	page = alloc(true);
	if (!page) {
		err = -ENOMEM;
		goto out_unlock;
	}
	if (!vmsim_entry_swapin(obj, index, sptep, page, 1, &err)) {
		if (err == -EINTR)
			return err;	/* the read owns the entry now */
		pr_warn_ratelimited("swapoff: object %llu page %lu cannot be read back (error %d); it stays on the area\n",
				    obj->id, index, err);
		err = 1;
		goto out_unlock;
	}
	vmsim_entry_set_dirty(obj, sptep);
out_unlock:
	vmsim_entry_unlock(sptep);
	return err;
}

/* ------------------------------------------------------------------------
 * Copy-on-write (cow.c decides; these change the entries)
 */

/**
 * vmsim_entry_set_own() - a clone's page reads zero, not its backing's
 * @sptep: the entry, locked by the caller, not the object's own yet
 *
 * Context: Any context.
 */
void vmsim_entry_set_own(u64 *sptep)
{
	vmsim_pte_update(sptep, 0, VMSIM_PTE_OWN);
}

/**
 * vmsim_entry_copied() - a clone's page gets a frame with a copy of the
 *	page it read from its backing object
 * @obj: the clone
 * @index: the page
 * @sptep: its entry, locked by the caller, not the object's own
 * @page: a frame holding the copy
 *
 * The page is dirty from the start: its data is nowhere else for this
 * object.  The backing object's page, which the clone's page tables may
 * map read-only here, is unmapped from them.
 *
 * Context: Process context; may sleep.
 */
void vmsim_entry_copied(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
			struct page *page)
{
	u64 old;

	set_page_private(page, (unsigned long)sptep);
	old = vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP,
			       VMSIM_PTE_PRESENT | VMSIM_PTE_ACCESSED |
			       VMSIM_PTE_DIRTY | VMSIM_PTE_OWN |
			       vmsim_pfn_pte(page_to_pfn(page)));
	vmsim_resident_add(obj, 1);
	vmsim_dirty_add(obj, 1);
	vmsim_ops->resident(page, old, VMSIM_RES_FILL);
	unmap_mapping_pages(vmsim_object_mapping(obj), index, 1, false);
}

/**
 * vmsim_entry_forget() - give up a page nobody can read any more
 * @obj: the object (a backing object, or a clone's backing being reused)
 * @index: the page
 * @sptep: its entry, locked by the caller
 *
 * Its frame or slot is freed.  Unlike DONTNEED, it does not wait: a page
 * being written to swap, or still mapped somewhere, stays.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EBUSY (nothing changed).
 */
int vmsim_entry_forget(struct vmsim_object *obj, pgoff_t index, u64 *sptep)
{
	u64 e = vmsim_pte_read(sptep);

	if (vmsim_pte_writeback(e))
		return -EBUSY;

	if (e & VMSIM_PTE_PRESENT) {
		struct page *page = pfn_to_page(vmsim_pte_pfn(e));

		lock_page(page);
		if (folio_mapped(page_folio(page)))
			vmsim_object_unmap(obj, index, 1, false);
		if (folio_mapped(page_folio(page))) {
			unlock_page(page);
			return -EBUSY;
		}
		vmsim_pte_update(sptep, VMSIM_PTE_DIRTY, 0);
		unlock_page(page);
		vmsim_entry_drop_frame(obj, sptep, e);
	} else if (e & VMSIM_PTE_SWAPPED) {
		vmsim_entry_drop_slot(obj, sptep, e);
	}
	return 0;
}

/**
 * vmsim_entry_move() - hand a page from one object to another, at the
 *	same index, with its frame or slot and everything its entry says
 * @from: the object that has the page
 * @index: the page
 * @fsptep: its entry there, locked by the caller
 * @to: the object that gets it (a clone's backing object, or the one
 *	clone left that reads it: cow.c)
 * @tsptep: its entry there, locked by the caller; what it held is given
 *	up first (nobody reads it any more)
 *
 * A frame keeps its list, its policy bits and its swap cache slot; only
 * the entry it belongs to changes (->private), under the page lock.  An
 * object with files (not hidden) has the page unmapped first: its PTEs may
 * be writable.  A hidden one's frame stays mapped, read-only, by the clone
 * it goes to.  A page that is the object's own but has no frame or slot
 * (zero) leaves @from as it is and makes the page read zero in @to too.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EAGAIN if either page is being written to swap or @to's is
 * still mapped (the caller unlocks both, waits with vmsim_wait_writeback()
 * and tries again); -EBUSY if @from is not hidden and its frame is pinned
 * (GUP for DMA): the caller copies it instead.
 */
int vmsim_entry_move(struct vmsim_object *from, pgoff_t index, u64 *fsptep,
		     struct vmsim_object *to, u64 *tsptep)
{
	u64 e = vmsim_pte_read(fsptep), old;
	struct page *page = NULL;

	if (!vmsim_pte_own(e))
		return 0;
	if (vmsim_pte_writeback(e) ||
	    vmsim_pte_writeback(vmsim_pte_read(tsptep)) ||
	    vmsim_entry_forget(to, index, tsptep))
		return -EAGAIN;
	if (!(e & (VMSIM_PTE_PRESENT | VMSIM_PTE_SWAPPED))) {
		vmsim_pte_update(tsptep, ~VMSIM_PTE_KEEP, VMSIM_PTE_OWN);
		return 0;
	}

	if (e & VMSIM_PTE_PRESENT) {
		page = pfn_to_page(vmsim_pte_pfn(e));
		lock_page(page);
		/* Pinned for DMA: its later writes must not reach a clone. */
		if (!from->hidden && folio_maybe_dma_pinned(page_folio(page))) {
			unlock_page(page);
			return -EBUSY;
		}
		if (!from->hidden) {
			if (folio_mapped(page_folio(page)))
				unmap_mapping_pages(vmsim_object_mapping(from),
						    index, 1, false);
			/* Writes only the page tables saw are in PG_dirty. */
			vmsim_entry_fold_dirty(from, fsptep, false);
		}
		/* The policy's bits may have changed while it slept. */
		e = vmsim_pte_read(fsptep);
		vmsim_resident_add(from, -1);
		vmsim_resident_add(to, 1);
		if (e & VMSIM_PTE_DIRTY) {
			vmsim_dirty_add(from, -1);
			vmsim_dirty_add(to, 1);
		}
	} else {
		vmsim_swapped_add(from, -1);
		vmsim_swapped_add(to, 1);
	}
	/*
	 * The new entry first, then the frame's owner, then the old entry
	 * emptied: the LRU and the policy, which flip their bits through
	 * ->private without the entry lock, find a whole entry throughout;
	 * what they flipped in the old one meanwhile is carried over.
	 */
	vmsim_pte_update(tsptep, ~VMSIM_PTE_LOCKED,
			 (e & ~VMSIM_PTE_LOCKED) | VMSIM_PTE_OWN);
	if (page) {
		smp_wmb();	/* the entry before the frame points at it */
		set_page_private(page, (unsigned long)tsptep);
	}
	old = xchg(fsptep, VMSIM_PTE_LOCKED);
	if (page) {
		u64 bits = VMSIM_PTE_ACCESSED | VMSIM_PTE_ACTIVE |
			   VMSIM_PTE_LRU_MASK | VMSIM_PTE_POLICY_MASK;

		vmsim_pte_update(tsptep, bits, old & bits);
	}
	if (page)
		unlock_page(page);
	return 0;
}

/* ------------------------------------------------------------------------
 * Eviction
 *
 * Eviction comes in three steps, so that reclaim can unmap a batch of pages
 * with one TLB flush per run of neighbours instead of one per page:
 * vmsim_entry_evict_lock() takes the entry and page locks (or gives up),
 * vmsim_entry_evict_unmap() unmaps the locked pages everywhere, and
 * vmsim_entry_evict_finish() decides where each page goes.
 */

/* Can this dirty page be dropped without losing data? */
static bool vmsim_page_zero(struct page *page)
{
	void *addr = kmap_local_page(page);
	bool zero = !memchr_inv(addr, 0, PAGE_SIZE);

	kunmap_local(addr);
	return zero;
}

/**
 * vmsim_count_steal() - count a page evicted, by who evicted it
 * @by: vmsimd, a faulting task or PAGEOUT
 *
 * Context: Any context.
 */
void vmsim_count_steal(enum vmsim_evictor by)
{
	static const enum vmsim_event steal[] = {
		[VMSIM_BY_KSWAPD] = VMSIM_PGSTEAL_KSWAPD,
		[VMSIM_BY_DIRECT] = VMSIM_PGSTEAL_DIRECT,
		[VMSIM_BY_PAGEOUT] = VMSIM_PGSTEAL_PAGEOUT,
	};

	vmsim_count(steal[by]);
}

/* The frame of an evicted page goes back; the entry says where it went. */
static void vmsim_evict_frame(struct page *page)
{
	set_page_private(page, 0);
	page->index = 0;
	put_page(page);			/* the isolation's */
	vmsim_frame_free(page);
}

/**
 * vmsim_entry_evict_lock() - lock an isolated page for eviction
 * @iso: the page, isolated by reclaim
 *
 * Try-locks the entry and the page, after the cheap checks.
 *
 * Context: Any context.
 * Return: VMSIM_EVICT_LOCKED, or VMSIM_EVICT_BUSY / VMSIM_EVICT_KEEP with
 * nothing held.
 */
enum vmsim_evict_result vmsim_entry_evict_lock(struct vmsim_isolated *iso)
{
	struct page *page = iso->page;
	u64 e;

	if (!vmsim_entry_trylock(iso->sptep))
		return VMSIM_EVICT_BUSY;
	e = vmsim_pte_read(iso->sptep);
	if (!vmsim_pte_maps(e, page_to_pfn(page))) {
		/* Given up by its object meanwhile; nothing to do. */
		vmsim_entry_unlock(iso->sptep);
		return VMSIM_EVICT_BUSY;
	}
	/* Cheap checks first, while it may still be written. */
	if ((e & VMSIM_PTE_DIRTY) && !vmsim_page_zero(page)) {
		if (!vmsim_swap_on()) {
			vmsim_entry_unlock(iso->sptep);
			return VMSIM_EVICT_KEEP;
		}
		if (!vmsim_swap_nr_free()) {
			vmsim_entry_unlock(iso->sptep);
			return VMSIM_EVICT_BUSY;
		}
	}
	if (!trylock_page(page)) {
		vmsim_entry_unlock(iso->sptep);
		return VMSIM_EVICT_BUSY;
	}
	return VMSIM_EVICT_LOCKED;
}

static int vmsim_isolated_ptr_cmp(const void *a, const void *b)
{
	const struct vmsim_isolated *x = *(struct vmsim_isolated * const *)a;
	const struct vmsim_isolated *y = *(struct vmsim_isolated * const *)b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/**
 * vmsim_entry_evict_unmap() - unmap locked pages everywhere
 * @isos: the pages, locked by vmsim_entry_evict_lock(); sorted here
 * @nr: how many
 *
 * One unmap_mapping_pages() (so one TLB flush) per run of consecutive
 * pages of an object.
 *
 * Context: Process context; takes each object's i_mmap_rwsem.
 */
void vmsim_entry_evict_unmap(struct vmsim_isolated **isos, unsigned int nr)
{
	unsigned int i, n;

	sort(isos, nr, sizeof(*isos), vmsim_isolated_ptr_cmp, NULL);
	for (i = 0; i < nr; i += n) {
		for (n = 1; i + n < nr; n++)
			if (isos[i + n]->obj != isos[i]->obj ||
			    isos[i + n]->index != isos[i]->index + n)
				break;
		vmsim_object_unmap(isos[i]->obj, isos[i]->index, n, false);
	}
}

/**
 * vmsim_entry_evict_finish() - take a locked, unmapped page out of the pool
 * @iso: the page, isolated, locked by vmsim_entry_evict_lock() and unmapped
 *	by vmsim_entry_evict_unmap()
 * @wb: where a page that must be written goes (with room for it), or NULL
 *	if the caller cannot write
 *
 * Checks that nobody else holds the page (a fault in progress, a GUP pin)
 * before it goes.  Where it goes:
 *  - a clean page in the swap cache: nowhere, its slot has it already;
 *  - a page that is still all zeroes: nowhere;
 *  - a dirty page: to a new swap slot.  Its entry is marked WRITEBACK and
 *    it joins @wb; the write's completion finishes the eviction.  Without
 *    swap (or with swap full) it stays.
 * Either way the locks are released.
 *
 * Context: Process context.
 * Return: VMSIM_EVICT_DONE (the frame is back in the pool and the
 * isolation's page reference is gone; the caller still holds the
 * object's), VMSIM_EVICT_WRITE (@wb owns both references now),
 * VMSIM_EVICT_BUSY (try later) or VMSIM_EVICT_KEEP (it cannot go while
 * there is no swap).
 */
enum vmsim_evict_result vmsim_entry_evict_finish(struct vmsim_isolated *iso,
						 struct vmsim_writeback *wb)
{
	struct page *page = iso->page;
	u64 e = vmsim_pte_read(iso->sptep);
	vmsim_swp_t swp;

	/* The pool's reference and the isolation's: anything more is a pin. */
	if (page_ref_count(page) != 2)
		goto busy;

	/*
	 * Unmapped, and no zap still holds it: every write the PTEs saw is
	 * in PG_dirty now.
	 */
	smp_rmb();	/* the references before PG_dirty */
	if (vmsim_entry_fold_dirty(iso->obj, iso->sptep, false))
		e = vmsim_pte_read(iso->sptep);

	if (e & VMSIM_PTE_SWAPPED) {
		/* Clean in the swap cache: the slot has it. */
		vmsim_pte_update(iso->sptep, ~VMSIM_PTE_KEEP,
				 VMSIM_PTE_SWAPPED | vmsim_swp_pte(page->index) |
				 vmsim_ops->evicted(e));
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
		vmsim_swapped_add(iso->obj, 1);
		goto evicted;
	}

	/* Unmapped, so stable now: look again. */
	if (!(e & VMSIM_PTE_DIRTY) || vmsim_page_zero(page)) {
		vmsim_pte_update(iso->sptep, ~VMSIM_PTE_KEEP,
				 vmsim_ops->evicted(e));
		if (e & VMSIM_PTE_DIRTY)
			vmsim_dirty_add(iso->obj, -1);
		vmsim_count(VMSIM_RECLAIM_ZERO);
		goto evicted;
	}

	if (!vmsim_swap_on()) {
		unlock_page(page);
		vmsim_entry_unlock(iso->sptep);
		return VMSIM_EVICT_KEEP;
	}
	if (!wb || vmsim_swap_alloc(1, &swp) != 1)
		goto busy;
	/*
	 * If the page is written again while the write is in flight it
	 * becomes DIRTY, and its slot is let go when the write completes.
	 */
	page->index = swp;
	vmsim_pte_update(iso->sptep, VMSIM_PTE_DIRTY,
			 VMSIM_PTE_SWAPPED | VMSIM_PTE_WRITEBACK);
	vmsim_dirty_add(iso->obj, -1);
	vmsim_stat_add(VMSIM_NR_SWAPCACHE, 1);
	vmsim_stat_add(VMSIM_NR_WRITEBACK, 1);
	trace_vmsim_swap_out(iso->obj->id, iso->index, vmsim_swp_type(swp),
			     vmsim_swp_offset(swp), 0);
	/* The cookie: the entry, and who evicts in its low bits. */
	wb->pages[wb->nr++] = (struct vmsim_swap_page){
		.page = page, .swp = swp,
		.cookie = (void *)((unsigned long)iso->sptep | wb->by),
	};
	unlock_page(page);
	vmsim_entry_unlock(iso->sptep);
	return VMSIM_EVICT_WRITE;

evicted:
	vmsim_resident_add(iso->obj, -1);
	unlock_page(page);
	vmsim_entry_unlock(iso->sptep);
	vmsim_evict_frame(page);
	return VMSIM_EVICT_DONE;

busy:
	unlock_page(page);
	vmsim_entry_unlock(iso->sptep);
	return VMSIM_EVICT_BUSY;
}

/*
 * Wake whoever waits for the write of @sptep's page to finish
 * (wait_var_event() on the entry).  WRITEBACK was cleared under the entry
 * lock, whose release (a full barrier) orders it before the waitqueue check.
 */
static void vmsim_writeback_wake(u64 *sptep)
{
	wake_up_var(sptep);
}

/*
 * A page's write to swap has finished (swap_io's done(), in its worker).
 *
 * If the page is still unmapped, clean and unreferenced, it leaves the
 * pool: its entry now points at the slot.  If it was faulted in again
 * meanwhile it stays, in the swap cache (clean) or dirty (its slot is
 * stale and let go).  If the write failed it stays dirty; swap_io has
 * dealt with the slot.
 */
static void vmsim_entry_write_done(void *cookie, int err)
{
	u64 *sptep = (u64 *)((unsigned long)cookie & ~7UL);
	enum vmsim_evictor by = (unsigned long)cookie & 7UL;
	struct vmsim_object *obj;
	bool wanted = false, unused;
	struct page *page;
	vmsim_swp_t swp;
	pgoff_t index;
	u64 e;

	obj = vmsim_entry_object(sptep, &index);
	vmsim_entry_lock(sptep);
	e = vmsim_pte_read(sptep);
	vmsim_stat_add(VMSIM_NR_WRITEBACK, -1);
	/* Isolated and its object held: nothing else changes it. */
	if (WARN_ON_ONCE(!vmsim_pte_writeback(e))) {
		vmsim_entry_unlock(sptep);
		vmsim_object_put_async(obj);
		return;
	}
	page = pfn_to_page(vmsim_pte_pfn(e));
	swp = page->index;
	trace_vmsim_swap_out_done(obj->id, index, vmsim_swp_type(swp),
				  vmsim_swp_offset(swp), err);

	if (err) {
		/* Not written (or badly): it stays, dirty, with no slot. */
		vmsim_pte_update(sptep, VMSIM_PTE_SWAPPED | VMSIM_PTE_WRITEBACK,
				 0);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
		page->index = 0;
		vmsim_entry_set_dirty(obj, sptep);
		goto out_putback;
	}
	/*
	 * Faulted in again while it went out (without write-notify a read
	 * fault maps it writable), written, and unmapped again: the write
	 * is in PG_dirty.  Looked at only once the page is unmapped and
	 * unreferenced, because a zap sets PG_dirty before it lets its
	 * reference go; a page still in use has it folded at its eviction.
	 */
	unused = !folio_mapped(page_folio(page)) && page_ref_count(page) == 2;
	smp_rmb();	/* the references before PG_dirty */
	if (unused && vmsim_entry_fold_dirty(obj, sptep, false))
		e = vmsim_pte_read(sptep);
	if (e & VMSIM_PTE_DIRTY) {
		/* Written again while it went out: the copy is stale. */
		vmsim_swap_free_slot(swp);
		vmsim_pte_update(sptep, VMSIM_PTE_SWAPPED | VMSIM_PTE_WRITEBACK,
				 0);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
		page->index = 0;
		wanted = true;
		goto out_putback;
	}
	if (!unused) {
		/* Faulted in again (read): keep it, in the swap cache. */
		vmsim_pte_update(sptep, VMSIM_PTE_WRITEBACK, 0);
		wanted = true;
		goto out_putback;
	}

	/* Out: the entry points at the slot now. */
	vmsim_pte_update(sptep, ~VMSIM_PTE_KEEP,
			 VMSIM_PTE_SWAPPED | vmsim_swp_pte(swp) |
			 vmsim_ops->evicted(e));
	vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
	vmsim_resident_add(obj, -1);
	vmsim_swapped_add(obj, 1);
	vmsim_entry_unlock(sptep);
	vmsim_writeback_wake(sptep);
	vmsim_evict_frame(page);
	vmsim_count_steal(by);
	vmsim_object_put_async(obj);
	return;

out_putback:
	vmsim_entry_unlock(sptep);
	vmsim_writeback_wake(sptep);
	vmsim_ops->putback(page, wanted);
	vmsim_object_put_async(obj);
}

/**
 * vmsim_entry_writeback_flush() - send the pages gathered for writing
 * @wb: the batch; empty afterwards
 *
 * Context: Process context; may sleep.
 */
void vmsim_entry_writeback_flush(struct vmsim_writeback *wb)
{
	if (!wb->nr)
		return;
	vmsim_swap_write(wb->pages, wb->nr, vmsim_entry_write_done);
	wb->nr = 0;
}

/**
 * vmsim_writeback_alloc() - a batch for pages to write
 * @by: who evicts them (for the counters)
 * @gfp: how to allocate it (GFP_NOIO in reclaim)
 *
 * Context: Process context, or any context @gfp allows.
 * Return: the batch, or NULL (the caller then evicts only pages that need
 * no write).
 */
struct vmsim_writeback *vmsim_writeback_alloc(enum vmsim_evictor by, gfp_t gfp)
{
	struct vmsim_writeback *wb = kmalloc(sizeof(*wb), gfp | __GFP_NOWARN);

	if (wb) {
		wb->by = by;
		wb->nr = 0;
	}
	return wb;
}

/**
 * vmsim_writeback_free() - send what is left in a batch, and free it
 * @wb: the batch, or NULL
 *
 * Context: Process context; may sleep.
 */
void vmsim_writeback_free(struct vmsim_writeback *wb)
{
	if (!wb)
		return;
	vmsim_entry_writeback_flush(wb);
	kfree(wb);
}

int vmsim_entry_init(void)
{
	vmsim_swapin_pool = mempool_create_kmalloc_pool(VMSIM_SWAPIN_POOL_MIN,
							sizeof(struct vmsim_swapin_batch));
	return vmsim_swapin_pool ? 0 : -ENOMEM;
}

void vmsim_entry_exit(void)
{
	mempool_destroy(vmsim_swapin_pool);
}
