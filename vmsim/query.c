// SPDX-License-Identifier: GPL-2.0
/*
 * Reading shadow entries out (VMSIM_IOC_PTE_QUERY), with what the real
 * page tables say about each page folded in.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "advise.h"
#include "entry.h"
#include "lru.h"
#include "rmap.h"

/* Indices handled per round. */
#define VMSIM_QUERY_CHUNK	4096

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

/*
 * A page written only through PTEs without write-notify: its dirty bit is
 * in a PTE (@bits has VMSIM_WALK_DIRTY) or, once the PTE is gone, in
 * PG_dirty.  Fold it into the entry, so the query shows it dirty.  A dirty
 * PTE seen a moment ago may have been zapped and its page evicted since:
 * then it is no longer PRESENT, or (refaulted) marking it dirty costs one
 * needless write, never data.
 */
static int vmsim_query_fold_dirty(struct vmsim_object *obj, u64 *sptep,
				  u8 bits)
{
	u64 e = vmsim_pte_read(sptep);

	if ((e & (VMSIM_PTE_PRESENT | VMSIM_PTE_DIRTY)) != VMSIM_PTE_PRESENT)
		return 0;
	/* Read ahead, never mapped since: a dirty PTE was another frame's. */
	if (e & VMSIM_PTE_READAHEAD)
		bits &= ~VMSIM_WALK_DIRTY;
	if (!(bits & VMSIM_WALK_DIRTY) &&
	    !PageDirty(pfn_to_page(vmsim_pte_pfn(e))))
		return 0;
	if (vmsim_entry_lock_killable(sptep))
		return -EINTR;
	e = vmsim_pte_read(sptep);
	if ((e & (VMSIM_PTE_PRESENT | VMSIM_PTE_DIRTY)) == VMSIM_PTE_PRESENT)
		vmsim_entry_fold_dirty(obj, sptep, bits & VMSIM_WALK_DIRTY);
	vmsim_entry_unlock(sptep);
	return 0;
}

/*
 * What a query shows for entry @e of page @index: the entry, or, for a
 * clone's page that is its backing object's, that entry with COW and the
 * number of objects that read it.
 */
static u64 vmsim_query_shared(struct vmsim_object *obj, pgoff_t index, u64 e)
{
	unsigned int sharers;
	u64 b;

	if (vmsim_pte_own(e) || !vmsim_object_backing(obj, index))
		return vmsim_pte_visible(e);
	b = vmsim_object_resolve(obj, index, &sharers);
	if (!b)
		return vmsim_pte_visible(e);
	return vmsim_pte_visible(b) | VMSIM_PTE_COW |
	       (u64)min(sharers, 0xfffU) << 52;
}

/**
 * vmsim_object_query() - copy shadow entries out to user space
 * @obj: the object
 * @start: first page index
 * @nr: number of entries (validated by the caller)
 * @out: user array of @nr entries
 * @show_pfn: report the PFNs of present pages (else they read as zero)
 *
 * The hardware accessed and dirty bits of the real PTEs are folded into
 * the entries first, and RW and USER are filled in from the real page
 * tables.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EFAULT, -ENOMEM or -EINTR.
 */
int vmsim_object_query(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
		       u64 __user *out, bool show_pfn)
{
	pgoff_t base, i, n;
	u64 *buf;
	u8 *bits;
	int err = 0;

	/* 32 KiB and 4 KiB: kvmalloc, so fragmentation cannot fail them. */
	buf = kvmalloc_array(VMSIM_QUERY_CHUNK, sizeof(*buf), GFP_KERNEL);
	bits = kvmalloc(VMSIM_QUERY_CHUNK, GFP_KERNEL);
	if (!buf || !bits) {
		err = -ENOMEM;
		goto out_free;
	}
	/* Frames still waiting to join a list show on their list. */
	vmsim_lru_drain_all();
	for (base = start; base < start + nr; base += n) {
		n = min_t(pgoff_t, VMSIM_QUERY_CHUNK, start + nr - base);
		memset(bits, 0, n);
		vmsim_rmap_walk(vmsim_object_mapping(obj), base, n, bits, 0, NULL);
		for (i = 0; i < n; i++) {
			u64 *sptep = NULL;
			u64 e = 0;

			/*
			 * A query by address may reach past the last index a
			 * table can hold: mremap() can grow a mapping there.
			 * Such pages have no entry (touching them is SIGBUS).
			 */
			if (!((base + i) >> VMSIM_INDEX_BITS))
				sptep = vmsim_shadow_lookup(&obj->shadow,
							    base + i, false);
			if (sptep) {
				if (bits[i] & VMSIM_WALK_YOUNG)
					vmsim_pte_set(sptep, VMSIM_PTE_ACCESSED);
				err = vmsim_query_fold_dirty(obj, sptep,
							     bits[i]);
				if (err)
					break;
				e = vmsim_pte_read(sptep);
			}
			e = vmsim_query_shared(obj, base + i, e);
			if (e) {
				if (!show_pfn && (e & VMSIM_PTE_PRESENT))
					e &= ~VMSIM_PTE_PFN_MASK;
			}
			if (bits[i] & VMSIM_WALK_MAPPED)
				e |= VMSIM_PTE_USER;
			if (bits[i] & VMSIM_WALK_WRITE)
				e |= VMSIM_PTE_RW;
			buf[i] = e;
		}
		if (err)
			break;
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
	kvfree(bits);
	kvfree(buf);
	return err;
}
