// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-on-write clones (VMSIM_IOC_CLONE): an object that starts as a copy
 * of another and shares its pages until one side writes.
 *
 * vmsim does it with backing objects, as Mach and the BSDs do with shadow
 * objects, rather than with shared frames: a frame still belongs to
 * exactly one entry, so reclaim, swap and the policies stay as they are.
 *
 * A clone of S makes a hidden object H, moves S's pages into H (their
 * frames and slots, not their data: nothing is copied) and gives both S
 * and the new clone C H as their backing:
 *
 *        S   C          a page S or C has not got of its own (no OWN,
 *         \ /           ZERO, PRESENT or SWAPPED in its entry) is H's page
 *          H            at the same index, and H's, if H has none, is its
 *          |            own backing's; at the bottom, none reads zero
 *         (B)
 *
 * H is never written.  A read fault of S or C maps H's frame read-only
 * (a swapped-out page is read back into H first); the write fault that
 * follows copies it into a frame of the writer's own.  When only one
 * object is left reading H (the other was closed: a fork's child that
 * exec()ed), its write takes H's frame over instead of copying it, and
 * its next clone puts its pages back into H rather than making another
 * hidden object, so that a process that forks again and again keeps a
 * chain of one.
 *
 * Reclaim evicts H's pages like anyone's: vmsim_object_unmap() unmaps
 * them from the clones too, and vmsim_object_rmap_walk() reads their
 * accessed bits there.
 *
 * Locks: entries are locked down the tree (the clone's, then its backing
 * object's at the same index: vmsim_entry_lock_below()); vmsim_clone_sem
 * (object.c) is taken for read inside the clone's entry lock by faults,
 * and for write only with no entry lock held; vmsim_clone_mutex makes one
 * clone at a time, around all of it.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/wait_bit.h>

#include "cow.h"
#include "entry.h"
#include "lru.h"
#include "pool.h"
#include "readahead.h"
#include "reclaim.h"
#include "stat.h"

static DEFINE_MUTEX(vmsim_clone_mutex);

/*
 * The most levels of backing objects under a clone.  The walks down the
 * tree (unmap, accessed bits, sharers) recurse once per level, and a
 * fault looks through every level: a clone that would need another level
 * is refused (EMLINK), and vmsimctl run's preload copies instead.  A
 * process that forks while all its children still live adds a level per
 * child alive; one that forks and waits keeps one.
 */
#define VMSIM_MAX_CLONE_DEPTH	32

/* ------------------------------------------------------------------------
 * Making a clone
 */

struct vmsim_clone_move {
	struct vmsim_object *src;
	struct vmsim_object *to;
	int err;
};

/* Make sure @to has the leaf tables @src has, before anything moves. */
static int vmsim_clone_tables(struct vmsim_shadow *shadow, pgoff_t base,
			      u64 *table, void *data)
{
	struct vmsim_clone_move *m = data;

	if (!vmsim_shadow_lookup(&m->to->shadow, base, true))
		return -ENOMEM;
	return 0;
}

/* Wait, unkillably, until @sptep's page is not being written to swap. */
static void vmsim_clone_wait(u64 *sptep)
{
	wait_var_event(sptep, !vmsim_pte_writeback(vmsim_pte_read(sptep)));
}

/*
 * A page of the source pinned for DMA (GUP) stays the source's, and the
 * backing gets a copy: the device's later writes to it must not show in
 * the clone.  -EAGAIN if the page changed meanwhile (the caller retries).
 */
static int vmsim_clone_copy(struct vmsim_clone_move *m, pgoff_t index,
			    u64 *sptep, u64 *tsptep)
{
	struct page *frame = vmsim_frame_alloc_reclaim(true), *page;
	int err = -EAGAIN;
	u64 e;

	if (!frame)
		return -EAGAIN;		/* pressure: try again */
	vmsim_entry_lock(sptep);
	vmsim_entry_lock_below(tsptep, false);
	e = vmsim_pte_read(sptep);
	if ((e & VMSIM_PTE_PRESENT) && !vmsim_pte_writeback(e) &&
	    !vmsim_entry_forget(m->to, index, tsptep)) {
		page = pfn_to_page(vmsim_pte_pfn(e));
		copy_highpage(frame, page);
		vmsim_entry_copied(m->to, index, tsptep, frame);
		frame = NULL;
		err = 0;
	}
	vmsim_entry_unlock(tsptep);
	vmsim_entry_unlock(sptep);
	if (frame)
		vmsim_frame_free(frame);
	return err;
}

/* Move the pages of one leaf table of the source into the backing. */
static int vmsim_clone_leaf(struct vmsim_shadow *shadow, pgoff_t base,
			    u64 *table, void *data)
{
	struct vmsim_clone_move *m = data;
	unsigned int i;

	for (i = 0; i < VMSIM_TABLE_ENTRIES; i++) {
		u64 *sptep = &table[i], *tsptep;
		pgoff_t index = base + i;
		int err;

		if (!vmsim_pte_own(vmsim_pte_read(sptep)))
			continue;
		/* Made after the tables were: the page is newer than the clone. */
		tsptep = vmsim_shadow_lookup(&m->to->shadow, index, false);
		if (!tsptep)
			continue;
		do {
			vmsim_entry_lock(sptep);
			vmsim_entry_lock_below(tsptep, false);
			err = vmsim_entry_move(m->src, index, sptep, m->to,
					       tsptep);
			vmsim_entry_unlock(tsptep);
			vmsim_entry_unlock(sptep);
			if (err == -EBUSY)
				err = vmsim_clone_copy(m, index, sptep, tsptep);
			if (err) {
				/* Not killable: the clone must be whole. */
				vmsim_clone_wait(sptep);
				vmsim_clone_wait(tsptep);
				cond_resched();
			}
		} while (err);
		cond_resched();
	}
	return 0;
}

/*
 * Link @dst under @src's backing (a new hidden object, or the one @src
 * already reads from alone).  Return the backing object.
 */
static struct vmsim_object *vmsim_clone_link(struct vmsim_object *src,
					     struct vmsim_object *dst,
					     struct vmsim_object *hidden,
					     pgoff_t start, pgoff_t end)
{
	struct vmsim_object *b, *to;
	bool reuse;

	down_write(&vmsim_clone_sem);
	b = src->backing;
	/* @src alone reads @b: its pages go back into @b. */
	reuse = b && b->nr_clones == 1 && !src->backing_start &&
		src->backing_end == VMSIM_ALL_INDEXES;
	if (!reuse && b && b->depth >= VMSIM_MAX_CLONE_DEPTH) {
		up_write(&vmsim_clone_sem);
		return ERR_PTR(-EMLINK);
	}
	to = b;
	if (!reuse) {
		/*
		 * A new level: @hidden takes @src's place under @b, and reads
		 * from @b what @src did (in @src's range).  All of @src's own
		 * pages move into @hidden, so @src reads @hidden everywhere.
		 * Faults that find @src's pages gone read the two under
		 * vmsim_clone_sem; a page not moved yet is @src's own.
		 */
		to = hidden;
		vmsim_object_get(to);
		to->backing = b;		/* @src's reference to @b */
		to->backing_start = src->backing_start;
		to->backing_end = src->backing_end;
		if (b)
			list_replace(&src->clone_node, &to->clone_node);
		list_add(&src->clone_node, &to->clones);
		to->nr_clones = 1;
		to->depth = b ? b->depth + 1 : 1;
		WRITE_ONCE(src->backing, to);
		WRITE_ONCE(src->backing_start, 0);
		WRITE_ONCE(src->backing_end, VMSIM_ALL_INDEXES);
	}
	vmsim_object_get(to);
	dst->backing_start = start;
	dst->backing_end = end;
	WRITE_ONCE(dst->backing, to);
	list_add(&dst->clone_node, &to->clones);
	to->nr_clones++;
	up_write(&vmsim_clone_sem);
	return to;
}

/**
 * vmsim_cow_clone() - make @dst a copy-on-write copy of @src
 * @src: the object to copy
 * @dst: a new, empty object that nothing maps yet
 * @hidden: a new hidden object, used if a new level is needed
 * @start: first index @dst reads from @src
 * @end: the index past the last (the others read zero in @dst)
 *
 * Nothing is copied: @src's pages move into the backing object that both
 * read from then.  The clone is of the pages as they are when each is
 * moved: a page @src writes while the clone is being made (another thread)
 * may reach @dst or not.
 *
 * Context: Process context; sleeps.  Holds no entry lock.
 * Return: 0, -ENOMEM, or -EMLINK (VMSIM_MAX_CLONE_DEPTH levels already).
 */
int vmsim_cow_clone(struct vmsim_object *src, struct vmsim_object *dst,
		    struct vmsim_object *hidden, pgoff_t start, pgoff_t end)
{
	struct vmsim_clone_move m = { .src = src };
	struct vmsim_object *b;
	int err;

	mutex_lock(&vmsim_clone_mutex);
	m.to = vmsim_clone_link(src, dst, hidden, start, end);
	if (IS_ERR(m.to)) {
		mutex_unlock(&vmsim_clone_mutex);
		pr_notice_ratelimited("%s[%d]: clone of object %llu: %d levels of clones already (EMLINK)\n",
				      current->comm, task_pid_nr(current),
				      src->id, VMSIM_MAX_CLONE_DEPTH);
		return PTR_ERR(m.to);
	}
	err = vmsim_shadow_walk_leaves(&src->shadow, vmsim_clone_tables, &m);
	if (err) {
		b = vmsim_object_unlink_clone(dst);
		mutex_unlock(&vmsim_clone_mutex);
		vmsim_object_put_async(b);
		return err;
	}
	/*
	 * Its page tables go at once (one flush), writable PTEs with them;
	 * a page mapped again meanwhile is unmapped as it moves.
	 */
	unmap_mapping_pages(vmsim_object_mapping(src), 0, 0, false);
	vmsim_lru_drain_all();
	vmsim_shadow_walk_leaves(&src->shadow, vmsim_clone_leaf, &m);
	mutex_unlock(&vmsim_clone_mutex);
	vmsim_count(VMSIM_COW_CLONES);
	return 0;
}

/* ------------------------------------------------------------------------
 * Faults on pages a clone reads from its backing
 */

/*
 * Find the object below @obj that has page @index, and lock its entry
 * there.  *@alone: every level down to it has one clone (@obj's the only
 * way to it).  NULL: no object has it; it reads zero.
 */
static struct vmsim_object *vmsim_cow_find(struct vmsim_object *obj,
					   pgoff_t index, u64 **sptepp,
					   bool *alone, int *err)
{
	struct vmsim_object *b;

	*alone = true;
	while ((b = vmsim_object_backing(obj, index))) {
		u64 *sptep = vmsim_shadow_lookup(&b->shadow, index, false);

		if (b->nr_clones != 1)
			*alone = false;
		if (sptep && vmsim_pte_own(vmsim_pte_read(sptep))) {
			*err = vmsim_entry_lock_below(sptep, true);
			if (*err)
				return NULL;
			/*
			 * Reclaim and swapoff leave it the object's own; only a
			 * clone taking it over or giving it back, with the entry
			 * above locked, changes that, never under ours.
			 */
			if (vmsim_pte_own(vmsim_pte_read(sptep))) {
				*sptepp = sptep;
				return b;
			}
			vmsim_entry_unlock(sptep);
		}
		obj = b;
	}
	*err = 0;
	return NULL;
}

/*
 * @obj took page @index over from @b, which only @obj reads: what the
 * levels below @b that only @b reads hold there is hidden for good (by
 * @obj's page), so it goes now rather than with the levels.  Busy pages
 * (written to swap right now) stay until then.
 */
static void vmsim_cow_drop_below(struct vmsim_object *b, pgoff_t index)
{
	struct vmsim_object *l;

	while ((l = vmsim_object_backing(b, index)) && l->nr_clones == 1) {
		u64 *sptep = vmsim_shadow_lookup(&l->shadow, index, false);

		if (sptep && vmsim_pte_own(vmsim_pte_read(sptep)) &&
		    !vmsim_entry_lock_below(sptep, false)) {
			vmsim_entry_forget(l, index, sptep);
			vmsim_entry_unlock(sptep);
		}
		b = l;
	}
}

/**
 * vmsim_cow_fault() - a fault on a page a clone reads from its backing
 * @obj: the clone
 * @index: the page
 * @sptep: its entry, locked by the caller, not the object's own
 * @copy: the page is to be written (or mapped writable): give @obj a copy
 * @shared: out: the backing object's frame to map read-only, referenced
 *	and locked as ->fault hands pages back; NULL if @obj now has the page
 *	of its own (a copy, a frame taken over, or zero: the caller goes on
 *	as for any page of @obj)
 * @major: out: the page was read back from swap
 *
 * Context: Process context, in a fault; sleeps.
 * Return: 0, -ENOMEM (no frame), -EINTR (a fatal signal), or -EIO or
 * -EBADMSG (the page cannot be read from swap).  @sptep stays locked.
 */
int vmsim_cow_fault(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
		    bool copy, struct page **shared, bool *major)
{
	struct page *page, *frame = NULL;
	struct vmsim_object *b;
	unsigned int win;
	bool alone;
	u64 *bsptep;
	int err;
	u64 e;

	*shared = NULL;
	down_read(&vmsim_clone_sem);
again:
	b = vmsim_cow_find(obj, index, &bsptep, &alone, &err);
	if (!b) {
		if (!err)
			vmsim_entry_set_own(sptep);	/* zero, from now on */
		goto out;
	}
	e = vmsim_pte_read(bsptep);
	if (!(e & (VMSIM_PTE_PRESENT | VMSIM_PTE_SWAPPED))) {
		vmsim_entry_set_own(sptep);
		goto out_unlock;
	}
	/*
	 * A frame for the read or the copy is taken with the backing's
	 * entry unlocked: reclaim may wait for that entry (a write to swap
	 * completing), and the caller holds one entry lock already.
	 */
	if (!frame && (!(e & VMSIM_PTE_PRESENT) || (copy && !alone))) {
		vmsim_entry_unlock(bsptep);
		frame = vmsim_frame_alloc_reclaim(true);
		if (!frame) {
			err = -ENOMEM;
			goto out;
		}
		goto again;
	}
	if (!(e & VMSIM_PTE_PRESENT)) {
		/* No reclaim for the window: the backing's entry is held. */
		win = vmsim_reclaim_ra_frames(vmsim_ra_window(b->id, index),
					      false);
		page = vmsim_entry_swapin(b, index, bsptep, frame, win, &err);
		frame = NULL;		/* the read's, whatever came of it */
		if (!page) {
			if (err == -EINTR)
				goto out;	/* the read has the entry now */
			goto out_unlock;
		}
		*major = true;
		e = vmsim_pte_read(bsptep);
	}
	page = pfn_to_page(vmsim_pte_pfn(e));

	if (alone) {
		/* Nobody else reads it: no copy, the frame changes hands. */
		while (vmsim_entry_move(b, index, bsptep, obj, sptep) == -EAGAIN) {
			vmsim_entry_unlock(bsptep);
			err = vmsim_wait_writeback(bsptep);
			if (!err)
				err = vmsim_entry_lock_below(bsptep, true);
			if (err)
				goto out;
			if (!vmsim_pte_maps(vmsim_pte_read(bsptep),
					    page_to_pfn(page))) {
				err = -EAGAIN;	/* evicted meanwhile */
				goto out_unlock;
			}
		}
		vmsim_count(VMSIM_COW_TAKEN);
		vmsim_entry_unlock(bsptep);
		vmsim_cow_drop_below(b, index);
		goto out;
	}
	if (vmsim_entry_touch(bsptep))
		vmsim_ra_hit(b->id, index, 1);
	if (!copy) {
		get_page(page);
		lock_page(page);
		*shared = page;
		goto out_unlock;
	}
	if (!frame) {
		vmsim_entry_unlock(bsptep);	/* read back: another frame */
		frame = vmsim_frame_alloc_reclaim(true);
		if (!frame) {
			err = -ENOMEM;
			goto out;
		}
		goto again;
	}
	/*
	 * Under the page lock: a fault of another thread that is mapping
	 * the shared frame here right now finishes first, and its PTE goes
	 * with the unmap in vmsim_entry_copied().
	 */
	lock_page(page);
	copy_highpage(frame, page);
	vmsim_entry_copied(obj, index, sptep, frame);
	unlock_page(page);
	frame = NULL;
	vmsim_count(VMSIM_COW_COPIED);
out_unlock:
	vmsim_entry_unlock(bsptep);
out:
	up_read(&vmsim_clone_sem);
	if (frame)
		vmsim_frame_free(frame);
	return err;
}

/**
 * vmsim_cow_detach() - a clone's page reads zero from now on (DONTNEED)
 * @obj: the clone
 * @index: the page
 * @sptep: its entry, locked by the caller, not the object's own
 *
 * A page nobody else reads becomes @obj's first (its frame or slot, for
 * the caller to give up): it would otherwise stay in the backing object,
 * unreachable, until the clone is gone.  A page others read stays where
 * it is, and its frame leaves @obj's page tables, under its page lock so
 * that a fault mapping it right now cannot leave a mapping behind.
 *
 * Context: Process context; sleeps.
 */
void vmsim_cow_detach(struct vmsim_object *obj, pgoff_t index, u64 *sptep)
{
	struct page *page = NULL;
	struct vmsim_object *b;
	u64 *bsptep;
	bool alone;
	int err;
	u64 e;

	down_read(&vmsim_clone_sem);
	b = vmsim_cow_find(obj, index, &bsptep, &alone, &err);
	if (b && alone && !vmsim_entry_move(b, index, bsptep, obj, sptep)) {
		vmsim_entry_unlock(bsptep);
		vmsim_cow_drop_below(b, index);
		up_read(&vmsim_clone_sem);
		return;
	}
	if (b) {
		e = vmsim_pte_read(bsptep);
		if (e & VMSIM_PTE_PRESENT) {
			page = pfn_to_page(vmsim_pte_pfn(e));
			lock_page(page);
		}
	}
	vmsim_entry_set_own(sptep);
	unmap_mapping_pages(vmsim_object_mapping(obj), index, 1, false);
	if (page)
		unlock_page(page);
	if (b)
		vmsim_entry_unlock(bsptep);
	up_read(&vmsim_clone_sem);
}
