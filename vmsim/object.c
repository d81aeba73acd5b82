// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space objects (one per open of /dev/vmsim), and the state
 * changes of their shadow entries.
 *
 * An object owns a shadow page table and, through it, the frames that hold
 * its pages.  It lives as long as its file (every VMA that maps it holds
 * the file) plus whatever operation in flight holds a reference.  The last
 * reference releases every page and the tables.
 *
 * An entry is in one of these states (changed only under its entry lock):
 *
 *   empty ---read---> ZERO ---write---> PRESENT (a frame, clean then DIRTY)
 *     |                                   ^  |
 *     +-----------write / WILLNEED--------+  +---DONTNEED---> empty
 *                                         |  |
 *                    refault (read: ZERO) |  | reclaim of a page that is
 *                                         |  v still all zeroes
 *                                         EVICTED (eviction age kept)
 *
 *   PRESENT, DIRTY --reclaim: written to a slot--> SWAPPED (not present)
 *   SWAPPED --fault / WILLNEED / swapoff: read back--> PRESENT + SWAPPED
 *   (the swap cache: clean, the slot still holds it) --first write-->
 *   PRESENT, DIRTY (the slot is let go) or --reclaim--> SWAPPED, no write.
 *
 * ZERO means "never written": every page table that maps the page maps the
 * shared zero frame.  Giving the page a frame takes the zero frame out of
 * all of them at once (unmap_mapping_pages()), so that no process can go
 * on reading zeroes from a page another has written.
 */
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "vmsim.h"
#include "vmsim_trace.h"

/* Every live object, for /proc/vmsim_objects and whole-pool operations. */
DEFINE_MUTEX(vmsim_objects_lock);
LIST_HEAD(vmsim_objects);
static atomic64_t vmsim_next_object_id = ATOMIC64_INIT(0);

/**
 * vmsim_object_create() - make a new, empty object
 *
 * Context: Process context; the object records the current task as owner.
 * Return: the object with one reference, or an ERR_PTR().
 */
struct vmsim_object *vmsim_object_create(void)
{
	struct vmsim_object *obj;
	int err;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	kref_init(&obj->ref);

	obj->inode = vmsim_fs_new_inode();
	if (IS_ERR(obj->inode)) {
		err = PTR_ERR(obj->inode);
		goto out_free_obj;
	}
	err = vmsim_shadow_init(obj);
	if (err)
		goto out_put_inode;

	obj->id = atomic64_inc_return(&vmsim_next_object_id);
	obj->owner_pid = task_tgid_nr(current);
	get_task_comm(obj->owner_comm, current);

	mutex_lock(&vmsim_objects_lock);
	list_add_tail(&obj->node, &vmsim_objects);
	mutex_unlock(&vmsim_objects_lock);
	return obj;

out_put_inode:
	vmsim_fs_put_inode(obj->inode);
out_free_obj:
	kfree(obj);
	return ERR_PTR(err);
}

/**
 * vmsim_entry_populate() - give a never-written page a zero-filled frame
 * @obj: the object
 * @index: the page
 * @sptep: its entry, locked by the caller, not PRESENT
 *
 * The frame starts clean (it is zero).  If the page was ZERO, the zero
 * frame is taken out of every page table that maps it here.
 *
 * Context: Process context; may sleep.
 * Return: the frame (holding only the pool's reference), or NULL if the
 * pool has none.
 */
struct page *vmsim_entry_populate(struct vmsim_object *obj, pgoff_t index,
				  u64 *sptep)
{
	bool active = false;
	struct page *page;
	u64 old;

	page = vmsim_frame_alloc_reclaim(false);
	if (!page)
		return NULL;
	set_page_private(page, (unsigned long)sptep);
	old = vmsim_pte_update(sptep, ~VMSIM_PTE_LOCKED,
			       VMSIM_PTE_PRESENT | VMSIM_PTE_ACCESSED |
			       vmsim_pfn_pte(page_to_pfn(page)));
	vmsim_resident_add(obj, 1);
	if (old & VMSIM_PTE_EVICTED)
		active = vmsim_workingset_refault(old);
	vmsim_lru_add(page, active);
	if (old & VMSIM_PTE_ZERO)
		unmap_mapping_pages(vmsim_object_mapping(obj), index, 1, false);
	return page;
}

/**
 * vmsim_entry_set_dirty() - note that a resident page is being written
 * @obj: the object
 * @sptep: the page's entry, locked by the caller, PRESENT
 *
 * Context: Any context.
 */
void vmsim_entry_set_dirty(struct vmsim_object *obj, u64 *sptep)
{
	u64 old = vmsim_pte_update(sptep, 0, VMSIM_PTE_DIRTY |
					     VMSIM_PTE_ACCESSED);

	if (!(old & VMSIM_PTE_DIRTY))
		vmsim_dirty_add(obj, 1);
	/*
	 * Its copy in swap is stale from now on: let the slot go (unless a
	 * write to it is in flight; the write's completion lets it go).
	 */
	if ((old & (VMSIM_PTE_SWAPPED | VMSIM_PTE_WRITEBACK)) ==
	    VMSIM_PTE_SWAPPED) {
		struct page *page = pfn_to_page(vmsim_pte_pfn(old));

		vmsim_swap_free_slot(page->index);
		page->index = 0;
		vmsim_pte_update(sptep, VMSIM_PTE_SWAPPED, 0);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
	}
}

/*
 * Take the frame away from a PRESENT entry and give it back to the pool;
 * the entry becomes empty.  The caller holds the entry lock and has made
 * sure no page table maps the frame.
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
	vmsim_frame_release(page);
	vmsim_resident_add(obj, -1);
	if (e & VMSIM_PTE_DIRTY)
		vmsim_dirty_add(obj, -1);
	vmsim_pte_update(sptep, ~VMSIM_PTE_LOCKED, 0);
}

/* Let go of a swapped-out page's slot; the entry becomes empty. */
static void vmsim_entry_drop_slot(struct vmsim_object *obj, u64 *sptep, u64 e)
{
	vmsim_swap_free_slot(vmsim_pte_swp(e));
	vmsim_swapped_add(obj, -1);
	vmsim_pte_update(sptep, ~VMSIM_PTE_LOCKED, 0);
}

/*
 * Teardown: nothing can reach the object any more (no VMA maps it, no
 * operation holds it), so entries are dropped without their locks.
 */
static int vmsim_object_drop_entry(struct vmsim_object *obj, pgoff_t index,
				   u64 *sptep, void *data)
{
	u64 e = vmsim_pte_read(sptep);

	if (e & VMSIM_PTE_PRESENT)
		vmsim_entry_drop_frame(obj, sptep, e);
	else if (e & VMSIM_PTE_SWAPPED)
		vmsim_entry_drop_slot(obj, sptep, e);
	WRITE_ONCE(*sptep, 0);
	return 0;
}

static void vmsim_object_release(struct kref *ref)
{
	struct vmsim_object *obj = container_of(ref, struct vmsim_object, ref);

	mutex_lock(&vmsim_objects_lock);
	list_del(&obj->node);
	mutex_unlock(&vmsim_objects_lock);

	/* Frames waiting to join the LRU hold a reference: let them go. */
	vmsim_lru_drain_all();
	vmsim_shadow_walk(obj, 0, ULONG_MAX, vmsim_object_drop_entry, NULL);
	vmsim_shadow_free(obj);
	vmsim_fs_put_inode(obj->inode);
	kfree(obj);
}

/**
 * vmsim_walk_objects() - call @fn for each live object
 * @fn: called with a reference held and no lock; may sleep; a non-zero
 *	return stops the walk
 * @data: passed to @fn
 *
 * The reference on the current object keeps it on the list while @fn
 * runs without vmsim_objects_lock, so the walk can go on from it.
 *
 * Context: Process context; takes and releases vmsim_objects_lock.
 * Return: 0, or what @fn returned.
 */
int vmsim_walk_objects(int (*fn)(struct vmsim_object *obj, void *data),
		       void *data)
{
	struct vmsim_object *obj, *prev = NULL;
	int ret = 0;

	mutex_lock(&vmsim_objects_lock);
	list_for_each_entry(obj, &vmsim_objects, node) {
		if (!kref_get_unless_zero(&obj->ref))
			continue;
		mutex_unlock(&vmsim_objects_lock);
		if (prev)
			vmsim_object_put(prev);
		prev = obj;
		ret = fn(obj, data);
		mutex_lock(&vmsim_objects_lock);
		if (ret)
			break;
	}
	mutex_unlock(&vmsim_objects_lock);
	if (prev)
		vmsim_object_put(prev);
	return ret;
}

/**
 * vmsim_object_put() - drop a reference; the last one frees the object
 * @obj: the object
 *
 * Context: Process context; may sleep.
 */
void vmsim_object_put(struct vmsim_object *obj)
{
	might_sleep();
	kref_put(&obj->ref, vmsim_object_release);
}

/* ------------------------------------------------------------------------
 * Advice
 */
static int vmsim_dontneed_entry(struct vmsim_object *obj, pgoff_t index,
				u64 *sptep, void *data)
{
	unsigned long *done = data;
	struct page *page;
	u64 e;

	if (!(vmsim_pte_read(sptep) & (VMSIM_PTE_PRESENT | VMSIM_PTE_EVICTED |
				       VMSIM_PTE_SWAPPED)))
		return 0;
again:
	vmsim_entry_lock(sptep);
	e = vmsim_pte_read(sptep);
	if (vmsim_pte_writeback(e)) {
		/*
		 * The frame is in a bio: wait for the write to finish.  Not
		 * wait_on_bit(): once the write is done the page may be
		 * evicted, and bit 56 becomes part of its eviction age.
		 */
		vmsim_entry_unlock(sptep);
		wait_var_event(sptep,
			       !vmsim_pte_writeback(vmsim_pte_read(sptep)));
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
		unlock_page(page);
		vmsim_entry_drop_frame(obj, sptep, e);
		(*done)++;
	} else if (e & VMSIM_PTE_SWAPPED) {
		vmsim_entry_drop_slot(obj, sptep, e);
		(*done)++;
	} else if (e & VMSIM_PTE_EVICTED) {
		/* Forget the eviction: the page is dropped, not coming back. */
		vmsim_pte_update(sptep, ~VMSIM_PTE_LOCKED, 0);
	}
	vmsim_entry_unlock(sptep);
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * DONTNEED: unmap the whole range at once, then give back each frame.
 * ZERO entries stay ZERO: they hold no frame, and read as zero already.
 */
static int vmsim_advise_dontneed(struct vmsim_object *obj, pgoff_t start,
				 pgoff_t nr, unsigned long *done)
{
	unmap_mapping_pages(vmsim_object_mapping(obj), start, nr, false);
	/* Frames waiting to join the LRU hold a reference: let them go. */
	vmsim_lru_drain_all();
	return vmsim_shadow_walk(obj, start, start + nr, vmsim_dontneed_entry,
				 done);
}

/* WILLNEED: give every page of the range a frame now. */
static int vmsim_advise_willneed(struct vmsim_object *obj, pgoff_t start,
				 pgoff_t nr, unsigned long *done)
{
	pgoff_t index;

	for (index = start; index < start + nr; index++) {
		u64 *sptep = vmsim_shadow_lookup(obj, index, true);
		int err = 0;

		if (!sptep)
			return -ENOMEM;
		vmsim_entry_lock(sptep);
		if (vmsim_pte_read(sptep) & VMSIM_PTE_PRESENT) {
			/* Resident already. */
		} else if (vmsim_pte_read(sptep) & VMSIM_PTE_SWAPPED) {
			/* Unreadable pages stay out, for a fault to report. */
			if (vmsim_entry_swapin(obj, index, sptep, false, &err))
				(*done)++;
			if (err != -ENOMEM)
				err = 0;
		} else if (vmsim_entry_populate(obj, index, sptep)) {
			(*done)++;
		} else {
			err = -ENOMEM;
		}
		vmsim_entry_unlock(sptep);
		if (err)
			return *done ? 0 : err;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Swap-in
 */

/* Readahead hits since the last swap-in, and the last window. */
static atomic_t vmsim_ra_hits = ATOMIC_INIT(0);
static unsigned long vmsim_ra_prev_index;
static unsigned int vmsim_ra_prev_win;

/**
 * vmsim_ra_hit() - a page that was read ahead has been used
 *
 * Context: Any context.
 */
void vmsim_ra_hit(void)
{
	atomic_inc(&vmsim_ra_hits);
	vmsim_count(VMSIM_SWAP_RA_HIT);
}

/*
 * How many pages to read around a swap-in: mm/swap_state.c's
 * __swapin_nr_pages() heuristic.  Readahead hits since the last swap-in
 * grow the window (hits + 2, rounded up to a power of two), a miss shrinks
 * it no faster than by half, and with no hits to go by, only an adjacent
 * fault gets more than one page.  At most 2^page_cluster.
 */
static unsigned int vmsim_ra_window(pgoff_t index)
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

/*
 * Gather the swapped-out neighbours of @index in its aligned window of
 * @win pages: each is try-locked and given a frame (without reclaim: not
 * for pages that may not be needed).
 */
static unsigned int vmsim_ra_gather(struct vmsim_object *obj, pgoff_t index,
				    unsigned int win,
				    struct vmsim_swapin *req, unsigned int nr)
{
	pgoff_t start = round_down(index, win), j;

	for (j = start; j < start + win && nr < VMSIM_MAX_READAHEAD; j++) {
		struct page *page;
		u64 *sptep;
		u64 e;

		if (j == index)
			continue;
		if (j >= vmsim_max_object_pages() ||
		    vmsim_free_below_low())
			break;
		sptep = vmsim_shadow_lookup(obj, j, false);
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
		req[nr++] = (struct vmsim_swapin){
			.page = page, .swp = vmsim_pte_swp(e), .index = j,
			.sptep = sptep, .old = e,
		};
	}
	return nr;
}

/**
 * vmsim_entry_swapin() - read a swapped-out page back
 * @obj: the object
 * @index: the page
 * @sptep: its entry, locked by the caller, SWAPPED and not PRESENT
 * @readahead: also read swapped-out neighbours (a fault)
 * @err: out: why it failed
 *
 * The page comes back in the swap cache: resident, clean, still holding
 * its slot.  Neighbours read ahead come back the same way, not marked
 * accessed, with READAHEAD set until they are faulted.  A page whose read
 * fails or whose checksum does not match stays swapped out.
 *
 * Context: Process context; sleeps (I/O, reclaim).
 * Return: the frame (holding only the pool's reference), or NULL with @err
 * -ENOMEM (no frame), -EIO (read error) or -EBADMSG (wrong data).
 */
struct page *vmsim_entry_swapin(struct vmsim_object *obj, pgoff_t index,
				u64 *sptep, bool readahead, int *err)
{
	struct vmsim_swapin one, *req = NULL;
	struct page *page, *ret = NULL;
	u64 e = vmsim_pte_read(sptep);
	unsigned int i, nr = 0;

	page = vmsim_frame_alloc_reclaim(true);
	if (!page) {
		*err = -ENOMEM;
		return NULL;
	}
	/* No room for readahead bookkeeping: read the one page. */
	if (readahead)
		req = kmalloc_array(VMSIM_MAX_READAHEAD, sizeof(*req),
				    GFP_NOIO | __GFP_NOWARN);
	if (!req) {
		req = &one;
		readahead = false;
	}
	req[nr++] = (struct vmsim_swapin){
		.page = page, .swp = vmsim_pte_swp(e), .index = index,
		.sptep = sptep, .old = e,
	};
	if (readahead)
		nr = vmsim_ra_gather(obj, index, vmsim_ra_window(index), req,
				     nr);

	vmsim_swap_read(req, nr);

	for (i = 0; i < nr; i++) {
		struct vmsim_swapin *r = &req[i];
		bool main = r->index == index, active = false;

		if (main)
			trace_vmsim_swap_in(obj->id, r->index,
					    vmsim_swp_type(r->swp),
					    vmsim_swp_offset(r->swp), r->err);
		else
			trace_vmsim_swap_readahead(obj->id, r->index,
						   vmsim_swp_type(r->swp),
						   vmsim_swp_offset(r->swp),
						   r->err);
		if (r->err) {
			vmsim_frame_free(r->page);
			if (main)
				*err = r->err;
			else
				vmsim_entry_unlock(r->sptep);
			continue;
		}
		set_page_private(r->page, (unsigned long)r->sptep);
		r->page->index = r->swp;
		vmsim_pte_update(r->sptep, ~VMSIM_PTE_LOCKED,
				 VMSIM_PTE_PRESENT | VMSIM_PTE_SWAPPED |
				 vmsim_pfn_pte(page_to_pfn(r->page)) |
				 (main ? VMSIM_PTE_ACCESSED :
					 VMSIM_PTE_READAHEAD));
		vmsim_resident_add(obj, 1);
		vmsim_swapped_add(obj, -1);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, 1);
		if (main && (r->old & VMSIM_PTE_EVICTED))
			active = vmsim_workingset_refault(r->old);
		vmsim_lru_add(r->page, active);
		if (main) {
			ret = r->page;
		} else {
			vmsim_count(VMSIM_SWAP_RA);
			vmsim_entry_unlock(r->sptep);
		}
	}
	if (req != &one)
		kfree(req);
	return ret;
}

/**
 * vmsim_swapoff_entry() - bring one page off the swap area being emptied
 * @obj: the object
 * @index: the page
 * @sptep: its entry (not locked)
 * @data: the struct vmsim_swapoff of the swapoff
 *
 * A swapped-out page on the area is read back (dirty: the area is going);
 * a page in the swap cache with a slot there lets the slot go.  A page
 * that cannot be read back correctly keeps its slot, and the swapoff fails.
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EINTR if a fatal signal arrived, -ENOMEM if no frame.
 */
int vmsim_swapoff_entry(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
			void *data)
{
	struct vmsim_swapoff *so = data;
	struct page *page;
	int err = 0;
	u64 e;

	e = vmsim_pte_read(sptep);
	if (!(e & VMSIM_PTE_SWAPPED))
		return 0;
	vmsim_entry_lock(sptep);
	e = vmsim_pte_read(sptep);
	if (!(e & VMSIM_PTE_SWAPPED))
		goto out_unlock;
	if (e & VMSIM_PTE_PRESENT) {
		page = pfn_to_page(vmsim_pte_pfn(e));
		if (vmsim_swp_type(page->index) != so->type)
			goto out_unlock;
		/* In the swap cache: the page is the only copy from now on. */
		vmsim_entry_set_dirty(obj, sptep);
		goto out_unlock;
	}
	if (vmsim_swp_type(vmsim_pte_swp(e)) != so->type)
		goto out_unlock;
	page = vmsim_entry_swapin(obj, index, sptep, false, &err);
	if (page) {
		vmsim_entry_set_dirty(obj, sptep);
	} else if (err != -ENOMEM) {
		so->bad++;
		pr_warn_ratelimited("swapoff: object %llu page %lu cannot be read back (error %d); it stays on the area\n",
				    obj->id, index, err);
		err = 0;
	}
out_unlock:
	vmsim_entry_unlock(sptep);
	if (!err && fatal_signal_pending(current))
		err = -EINTR;
	cond_resched();
	return err;
}

/* Indices handled per round of COLD and PTE queries. */
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

	bits = kmalloc(VMSIM_CHUNK, GFP_KERNEL);
	if (!bits)
		return -ENOMEM;
	vmsim_lru_drain_all();
	for (base = start; base < start + nr; base += n) {
		n = min_t(pgoff_t, VMSIM_CHUNK, start + nr - base);
		memset(bits, 0, n);
		vmsim_rmap_walk(obj, base, n, bits, VMSIM_WALK_CLEAR_YOUNG);
		for (i = 0; i < n; i++) {
			u64 *sptep = vmsim_shadow_lookup(obj, base + i, false);
			bool young = bits[i] & VMSIM_WALK_YOUNG;

			if (!sptep)
				continue;
			if (vmsim_pte_test_and_clear(sptep, VMSIM_PTE_ACCESSED))
				young = true;
			if (young)
				(*done)++;
			vmsim_deactivate(sptep);
		}
		if (fatal_signal_pending(current)) {
			kfree(bits);
			return -EINTR;
		}
	}
	kfree(bits);
	return 0;
}

static int vmsim_pageout_entry(struct vmsim_object *obj, pgoff_t index,
			       u64 *sptep, void *data)
{
	unsigned long *done = data;

	if (vmsim_pageout(obj, sptep))
		(*done)++;
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/* PAGEOUT: evict the pages of the range now, referenced or not. */
static int vmsim_advise_pageout(struct vmsim_object *obj, pgoff_t start,
				pgoff_t nr, unsigned long *done)
{
	vmsim_lru_drain_all();
	return vmsim_shadow_walk(obj, start, start + nr, vmsim_pageout_entry,
				 done);
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

/* ------------------------------------------------------------------------
 * Reading entries out
 */

/* What VMSIM_IOC_PTE_QUERY shows of an entry kept in the table. */
static u64 vmsim_pte_visible(u64 e)
{
	u64 flags = VMSIM_PTE_PRESENT | VMSIM_PTE_ACCESSED | VMSIM_PTE_DIRTY |
		    VMSIM_PTE_SWAPPED | VMSIM_PTE_ZERO | VMSIM_PTE_ACTIVE;

	if (e & VMSIM_PTE_PRESENT)
		return e & (flags | VMSIM_PTE_PFN_MASK);
	if (e & VMSIM_PTE_SWAPPED)
		return e & (flags | GENMASK_ULL(43, 12));
	return e & flags;
}

/**
 * vmsim_object_query() - copy shadow entries out to user space
 * @obj: the object
 * @start: first page index
 * @nr: number of entries (validated by the caller)
 * @out: user array of @nr entries
 * @show_pfn: report the PFNs of present pages (else they read as zero)
 *
 * The hardware accessed bits of the real PTEs are folded into the entries
 * first, and RW and USER are filled in from the real page tables.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EFAULT or -ENOMEM.
 */
int vmsim_object_query(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
		       u64 __user *out, bool show_pfn)
{
	pgoff_t base, i, n;
	u64 *buf;
	u8 *bits;
	int err = 0;

	buf = kmalloc_array(VMSIM_CHUNK, sizeof(*buf), GFP_KERNEL);
	bits = kmalloc(VMSIM_CHUNK, GFP_KERNEL);
	if (!buf || !bits) {
		err = -ENOMEM;
		goto out_free;
	}
	/* Frames still waiting to join a list show on their list. */
	vmsim_lru_drain_all();
	for (base = start; base < start + nr; base += n) {
		n = min_t(pgoff_t, VMSIM_CHUNK, start + nr - base);
		memset(bits, 0, n);
		vmsim_rmap_walk(obj, base, n, bits, 0);
		for (i = 0; i < n; i++) {
			u64 *sptep = NULL;
			u64 e = 0;

			/*
			 * A query by address may reach past the last index a
			 * table can hold: mremap() can grow a mapping there.
			 * Such pages have no entry (touching them is SIGBUS).
			 */
			if (!((base + i) >> VMSIM_INDEX_BITS))
				sptep = vmsim_shadow_lookup(obj, base + i, false);
			if (sptep) {
				if (bits[i] & VMSIM_WALK_YOUNG)
					vmsim_pte_set(sptep, VMSIM_PTE_ACCESSED);
				e = vmsim_pte_visible(vmsim_pte_read(sptep));
				if (!show_pfn && (e & VMSIM_PTE_PRESENT))
					e &= ~VMSIM_PTE_PFN_MASK;
			}
			if (bits[i] & VMSIM_WALK_MAPPED)
				e |= VMSIM_PTE_USER;
			if (bits[i] & VMSIM_WALK_WRITE)
				e |= VMSIM_PTE_RW;
			buf[i] = e;
		}
		if (copy_to_user(out + (base - start), buf, n * sizeof(*buf))) {
			err = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
	}
out_free:
	kfree(bits);
	kfree(buf);
	return err;
}

/**
 * vmsim_object_get_stats() - the counters of an object
 * @obj: the object
 * @st: filled in (reserved fields zeroed)
 *
 * Context: Any context.
 */
void vmsim_object_get_stats(struct vmsim_object *obj, struct vmsim_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->faults = atomic_long_read(&obj->stats.faults);
	st->minor_faults = atomic_long_read(&obj->stats.minor);
	st->major_faults = atomic_long_read(&obj->stats.major);
	st->zero_maps = atomic_long_read(&obj->stats.zero_maps);
	st->fault_around = atomic_long_read(&obj->stats.fault_around);
	st->resident = atomic_long_read(&obj->stats.resident);
	st->dirty = atomic_long_read(&obj->stats.dirty);
	st->swapped = atomic_long_read(&obj->stats.swapped);
	st->table_pages = atomic_long_read(&obj->shadow.nr_tables);
	st->id = obj->id;
	st->size = atomic_long_read(&obj->stats.span);
}

/**
 * vmsim_object_note_span() - record how far a new mapping reaches
 * @obj: the object
 * @end: the page offset just past the mapping
 *
 * Context: Any context.
 */
void vmsim_object_note_span(struct vmsim_object *obj, unsigned long end)
{
	long old = atomic_long_read(&obj->stats.span);

	do {
		if (old >= (long)end)
			return;
	} while (!atomic_long_try_cmpxchg(&obj->stats.span, &old, end));
}

/* The VMAs mapping @obj now, in every process. */
static unsigned long vmsim_object_nr_maps(struct vmsim_object *obj)
{
	struct address_space *mapping = vmsim_object_mapping(obj);
	unsigned long n = 0;
	struct rb_node *node;

	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node;
	     node = rb_next(node))
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}

static int vmsim_object_show_one(struct vmsim_object *obj, void *data)
{
	struct seq_file *m = data;
	struct vmsim_stats st;

	vmsim_object_get_stats(obj, &st);
	seq_printf(m, "%6llu %7d %-16s %5lu %10llu %10llu %10llu %10llu %10llu %10llu\n",
		   st.id, obj->owner_pid, obj->owner_comm,
		   vmsim_object_nr_maps(obj), st.size,
		   st.resident, st.swapped, st.dirty, st.faults,
		   st.major_faults);
	return 0;
}

/**
 * vmsim_objects_show() - /proc/vmsim_objects: one line per live object
 * @m: the seq_file
 * @v: unused
 *
 * Sizes are in pages.  Documentation/admin-guide.rst describes the columns.
 *
 * Context: Process context; takes vmsim_objects_lock, then each object's
 * i_mmap_rwsem with it released.
 * Return: 0.
 */
int vmsim_objects_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%6s %7s %-16s %5s %10s %10s %10s %10s %10s %10s\n",
		   "id", "pid", "comm", "maps", "size", "resident", "swapped",
		   "dirty", "faults", "majflt");
	return vmsim_walk_objects(vmsim_object_show_one, m);
}
