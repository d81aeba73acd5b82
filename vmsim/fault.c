// SPDX-License-Identifier: GPL-2.0
/*
 * The fault path: demand paging from the pool.
 *
 * ->fault runs when a process touches a page whose real PTE is empty.  It
 * locks the page's shadow entry and either
 *  - maps the shared zero frame read-only (a read of a never-written page:
 *    no frame is spent), or
 *  - takes a zero-filled frame from the pool (first write), or finds the
 *    resident frame,
 * then hands the frame back to the core locked (VM_FAULT_LOCKED), as
 * filemap_fault() does.  The core maps it with finish_fault(), under the
 * page lock, so a reclaimer that takes the entry lock and then the page
 * lock cannot miss a mapping that is being made.
 *
 * How a page's first write is learnt depends on the VMA's operations,
 * chosen at mmap() by the write_notify parameter:
 *
 *  - vmsim_vm_ops (write_notify=Y, the default) have ->page_mkwrite, so the
 *    VMA has write-notify: pages are mapped read-only first and the first
 *    write to each calls ->page_mkwrite, which sets the shadow DIRTY bit.
 *    Dirtiness is exact at every moment, and a read of a never-written
 *    page can be given the shared zero frame.  A write fault on an empty
 *    PTE costs one trap but two calls: ->fault, then ->page_mkwrite.
 *
 *  - vmsim_vm_ops_pte_dirty (write_notify=N) have none, as tmpfs has
 *    none: pages are mapped writable, and the first write sets the
 *    hardware dirty bit in the PTE, not the shadow entry.  The core moves
 *    that bit to the frame's PG_dirty when it zaps the PTE, and
 *    vmsim_entry_fold_dirty() moves PG_dirty into the entry wherever the
 *    entry's cleanness decides something (eviction, the end of a write to
 *    swap, a query).  A write fault costs one call, fault-around maps
 *    neighbours writable for writes too, and a read of a never-written
 *    page takes a frame (the zero frame may never be mapped writable).
 *
 * A read fault (and, without write-notify, a write fault) also maps up to
 * fault_around_pages resident neighbours (fault-around), marked not
 * accessed.
 *
 * The handlers decide and delegate: the state changes are entry.c's, the
 * frames come from reclaim.c (which reclaims when the pool runs low).
 * Every wait a fault does (for the entry lock, for a frame, for a read
 * from swap) ends on a fatal signal; the fault then returns SIGBUS, which
 * the dying task never sees.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>

#include "cow.h"
#include "entry.h"
#include "fault.h"
#include "param.h"
#include "pool.h"
#include "readahead.h"
#include "reclaim.h"
#include "rmap.h"
#include "stat.h"
#include "vmsim_trace.h"

static unsigned int vmsim_fault_around_pages = 16;
static struct vmsim_uint_param vmsim_fault_around_param = {
	.value = &vmsim_fault_around_pages, .min = 0,
	.max = VMSIM_FAULT_AROUND_MAX,
};
module_param_cb(fault_around_pages, &vmsim_uint_param_ops,
		&vmsim_fault_around_param, 0644);
MODULE_PARM_DESC(fault_around_pages, "Resident pages mapped around a read fault (any fault with write_notify=N), 0 or 1 for none (default 16, at most 64; rounded down to a power of two)");

static bool vmsim_write_notify = true;
module_param_named(write_notify, vmsim_write_notify, bool, 0644);
MODULE_PARM_DESC(write_notify, "Learn of each page's first write by a fault (Y, the default: exact dirty bits, zero frame for reads) or from the page tables' dirty bits (N: fewer faults); for mappings made after a change");

/* Does this VMA learn of writes from the PTEs' dirty bits? */
static bool vmsim_vma_pte_dirty(struct vm_area_struct *vma)
{
	return vma->vm_ops == &vmsim_vm_ops_pte_dirty;
}

/* No frame for the page: SIGBUS, said once in a while (unless dying). */
static vm_fault_t vmsim_oom(struct vmsim_object *obj, pgoff_t index,
			    bool write)
{
	trace_vmsim_fault(obj->id, index, write, VMSIM_FAULT_SIGBUS);
	if (fatal_signal_pending(current))
		return VM_FAULT_SIGBUS;
	vmsim_count(VMSIM_OOM);
	pr_warn_ratelimited("%s[%d]: no free frame for object %llu page %lu: SIGBUS\n",
			    current->comm, task_pid_nr(current), obj->id,
			    index);
	return VM_FAULT_SIGBUS;
}

/* The page's data in swap cannot be had: say which, and where. */
static void vmsim_swap_sigbus(struct vmsim_object *obj, pgoff_t index, u64 e,
			      int err)
{
	vmsim_swp_t swp = vmsim_pte_swp(e);

	vmsim_count(VMSIM_SWAP_SIGBUS);
	pr_warn_ratelimited("%s[%d]: object %llu page %lu: swap slot %u:%lu %s: SIGBUS\n",
			    current->comm, task_pid_nr(current), obj->id, index,
			    vmsim_swp_type(swp), vmsim_swp_offset(swp),
			    err == -EBADMSG ? "does not match its checksum" :
			    "cannot be read");
}

/*
 * May fault-around map the page of entry @e?  The zero frame only where
 * PTEs are mapped read-only (@zero_ok: the VMA has write-notify); a page
 * read ahead from swap only next to a readahead hit (@ra_ok).
 */
static bool vmsim_fault_around_ok(u64 e, bool zero_ok, bool ra_ok)
{
	if (e & VMSIM_PTE_PRESENT)
		return ra_ok || !(e & VMSIM_PTE_READAHEAD);
	return zero_ok && (e & VMSIM_PTE_ZERO);
}

/*
 * Map resident neighbours of a fault: the pages of the aligned
 * fault_around_pages window around it that have a frame (or the zero
 * frame) but no PTE in this VMA.  Entries busy elsewhere are skipped.
 * vm_insert_page() maps them with the VMA's protection: read-only with
 * write-notify, writable (and clean) without.
 *
 * Pages read ahead from swap are left to their own first fault, which is
 * how readahead learns it was used (a hit), as in Linux, where anonymous
 * memory has no fault-around at all; except after a hit (@ra_hit): the
 * reader is then going through what was read ahead, and the window's pages
 * already read are mapped in one go, each counted a hit.
 */
static void vmsim_fault_around(struct vm_fault *vmf, struct vmsim_object *obj,
			       bool ra_hit)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned int nr = READ_ONCE(vmsim_fault_around_pages);
	unsigned long addr = vmf->address;
	unsigned long start, end, a;
	bool zero_ok = !vmsim_vma_pte_dirty(vma);
	unsigned int mapped = 0, ra_mapped = 0;
	u64 mask = 0;

	if (nr <= 1)
		return;
	/* An aligned window, as the kernel's fault_around_bytes. */
	nr = rounddown_pow_of_two(nr);
	start = ALIGN_DOWN(addr, (unsigned long)nr << PAGE_SHIFT);
	end = start + ((unsigned long)nr << PAGE_SHIFT);
	start = max3(start, vma->vm_start, addr & PMD_MASK);
	end = min3(end, vma->vm_end, (addr & PMD_MASK) + PMD_SIZE);

	for (a = start; a < end; a += PAGE_SIZE) {
		pgoff_t index = vma->vm_pgoff + ((a - vma->vm_start) >> PAGE_SHIFT);
		struct page *page = NULL;
		u64 *sptep;
		u64 e;

		if (a == addr)
			continue;
		if (index >= vmsim_max_object_pages())
			break;
		sptep = vmsim_shadow_lookup(&obj->shadow, index, false);
		if (!sptep)
			continue;
		e = vmsim_pte_read(sptep);
		if (!vmsim_fault_around_ok(e, zero_ok, ra_hit) ||
		    !vmsim_entry_trylock(sptep))
			continue;
		e = vmsim_pte_read(sptep);
		if (!vmsim_fault_around_ok(e, zero_ok, ra_hit))
			page = NULL;
		else if (e & VMSIM_PTE_PRESENT)
			page = pfn_to_page(vmsim_pte_pfn(e));
		else
			page = vmsim_pool.zero_frame;
		if (page && !vm_insert_page(vma, a, page)) {
			mask |= BIT_ULL((a - start) >> PAGE_SHIFT);
			mapped++;
			if ((e & VMSIM_PTE_READAHEAD) &&
			    vmsim_entry_ra_mapped(sptep))
				ra_mapped++;
		}
		vmsim_entry_unlock(sptep);
	}

	if (ra_mapped)
		vmsim_ra_hit(obj->id, vmf->pgoff, ra_mapped);
	if (mapped) {
		vmsim_mkold_range(vma, start, (end - start) >> PAGE_SHIFT, mask);
		vmsim_object_count(obj, VMSIM_OBJ_FAULT_AROUND, mapped);
		vmsim_count_add(VMSIM_FAULT_AROUND, mapped);
	}
}

/*
 * Page @index, read ahead, has been used: if the page one window further
 * on is still out in swap (and not being read), start reading its window
 * now.  A sequential reader so keeps a window of reads ahead of it.
 */
static void vmsim_fault_readahead_next(struct vmsim_object *obj,
				       pgoff_t index)
{
	unsigned int win = vmsim_ra_async_window(), budget;
	pgoff_t next = index + win;
	u64 *sptep;

	if (!win || next >= vmsim_max_object_pages())
		return;
	sptep = vmsim_shadow_lookup(&obj->shadow, next, false);
	if (!sptep || (vmsim_pte_read(sptep) & (VMSIM_PTE_SWAPPED |
						VMSIM_PTE_PRESENT |
						VMSIM_PTE_LOCKED)) !=
		      VMSIM_PTE_SWAPPED)
		return;
	budget = vmsim_reclaim_ra_budget();
	if (budget)
		vmsim_entry_readahead(obj, next,
				      rounddown_pow_of_two(min(win, budget)));
}

/* A read of a page never written (or evicted while still zero). */
static vm_fault_t vmsim_fault_zero(struct vm_fault *vmf,
				   struct vmsim_object *obj, u64 *sptep)
{
	pgoff_t index = vmf->pgoff;
	int err;

	err = vm_insert_page(vmf->vma, vmf->address, vmsim_pool.zero_frame);
	if (!err) {
		vmsim_entry_zero_mapped(obj, sptep);
		vmsim_count(VMSIM_ZERO_MAP);
		vmsim_object_count(obj, VMSIM_OBJ_ZERO_MAPS, 1);
		vmsim_object_count(obj, VMSIM_OBJ_MINOR, 1);
		trace_vmsim_fault(obj->id, index, false, VMSIM_FAULT_ZERO_MAP);
	}
	vmsim_entry_unlock(sptep);
	if (err == -EBUSY)		/* another thread mapped it first */
		return VM_FAULT_NOPAGE;
	if (err) {
		trace_vmsim_fault(obj->id, index, false, VMSIM_FAULT_SIGBUS);
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	}
	vmsim_fault_around(vmf, obj, false);
	return VM_FAULT_NOPAGE;
}

/*
 * The end of a fault on a page a clone reads from its backing object
 * (cow.c), when it has not become the clone's own: the backing object's
 * frame goes back to the core to map read-only (write-notify: the write
 * that may follow calls ->page_mkwrite, which copies), or an error.
 */
static vm_fault_t vmsim_fault_shared(struct vm_fault *vmf,
				     struct vmsim_object *obj, u64 *sptep,
				     struct page *page, int err, bool major)
{
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pgoff_t index = vmf->pgoff;

	vmsim_entry_unlock(sptep);
	if (err == -ENOMEM)
		return vmsim_oom(obj, index, write);
	if (err == -EAGAIN)		/* it moved meanwhile: fault again */
		return VM_FAULT_NOPAGE;
	if (err) {
		trace_vmsim_fault(obj->id, index, write, VMSIM_FAULT_SIGBUS);
		if (err != -EINTR) {
			vmsim_count(VMSIM_SWAP_SIGBUS);
			pr_warn_ratelimited("%s[%d]: object %llu page %lu: its shared copy cannot be read from swap (error %d): SIGBUS\n",
					    current->comm, task_pid_nr(current),
					    obj->id, index, err);
		}
		return VM_FAULT_SIGBUS;
	}
	if (major) {
		vmsim_count(VMSIM_PGMAJFAULT);
		vmsim_object_count(obj, VMSIM_OBJ_MAJOR, 1);
	} else {
		vmsim_object_count(obj, VMSIM_OBJ_MINOR, 1);
	}
	trace_vmsim_fault(obj->id, index, write,
			  major ? VMSIM_FAULT_MAJOR : VMSIM_FAULT_MINOR);
	vmf->page = page;
	return VM_FAULT_LOCKED | (major ? VM_FAULT_MAJOR : 0);
}

static vm_fault_t vmsim_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_object *obj = vma->vm_private_data;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool pte_dirty = vmsim_vma_pte_dirty(vma);
	int how = VMSIM_FAULT_MINOR;
	vm_fault_t major = 0;
	pgoff_t index = vmf->pgoff;
	bool ra_hit = false;
	struct page *page;
	unsigned int win;
	u64 *sptep;
	u64 e;
	int err;

	/* mremap() may have grown the mapping past the object's limit. */
	if (index >= vmsim_max_object_pages()) {
		trace_vmsim_fault(obj->id, index, write, VMSIM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}

	sptep = vmsim_shadow_lookup(&obj->shadow, index, true);
	if (!sptep)
		return VM_FAULT_OOM;

	vmsim_count(VMSIM_PGFAULT);
	vmsim_object_count(obj, VMSIM_OBJ_FAULTS, 1);

	if (vmsim_entry_lock_killable(sptep))
		return VM_FAULT_SIGBUS;
	e = vmsim_pte_read(sptep);
	if (!vmsim_pte_own(e) && vmsim_object_backing(obj, index)) {
		bool cow_major = false;

		/* Without write-notify a read maps writable: copy it now. */
		err = vmsim_cow_fault(obj, index, sptep, write || pte_dirty,
				      &page, &cow_major);
		if (err || page)
			return vmsim_fault_shared(vmf, obj, sptep, page, err,
						  cow_major);
		if (cow_major) {
			major = VM_FAULT_MAJOR;
			how = VMSIM_FAULT_MAJOR;
		}
		e = vmsim_pte_read(sptep);
	}
	if (!(e & (VMSIM_PTE_PRESENT | VMSIM_PTE_SWAPPED)) && !write &&
	    !pte_dirty)
		return vmsim_fault_zero(vmf, obj, sptep);

	if (e & VMSIM_PTE_PRESENT) {
		page = pfn_to_page(vmsim_pte_pfn(e));
		ra_hit = vmsim_entry_touch(sptep);
		if (ra_hit)
			vmsim_ra_hit(obj->id, index, 1);
	} else if (e & VMSIM_PTE_SWAPPED) {
		page = vmsim_frame_alloc_reclaim(true);
		if (!page) {
			vmsim_entry_unlock(sptep);
			return vmsim_oom(obj, index, write);
		}
		win = vmsim_reclaim_ra_frames(vmsim_ra_window(obj->id, index),
					      true);
		page = vmsim_entry_swapin(obj, index, sptep, page, win, &err);
		if (!page) {
			trace_vmsim_fault(obj->id, index, write,
					  VMSIM_FAULT_SIGBUS);
			/* Killed while it read: the read has the entry now. */
			if (err == -EINTR)
				return VM_FAULT_SIGBUS;
			vmsim_entry_unlock(sptep);
			vmsim_swap_sigbus(obj, index, e, err);
			return VM_FAULT_SIGBUS;
		}
		major = VM_FAULT_MAJOR;
		how = VMSIM_FAULT_MAJOR;
	} else {
		page = vmsim_frame_alloc_reclaim(false);
		if (!page) {
			vmsim_entry_unlock(sptep);
			return vmsim_oom(obj, index, write);
		}
		vmsim_entry_populate(obj, index, sptep, page);
		how = VMSIM_FAULT_FILL;
	}
	/*
	 * Without write-notify the core maps a write fault's page writable
	 * and dirty with no ->page_mkwrite: this is its first write.
	 */
	if (write && pte_dirty)
		vmsim_entry_set_dirty(obj, sptep);

	/*
	 * Hand the frame to the core referenced and locked; it stays locked
	 * until the core has mapped it.
	 */
	get_page(page);
	lock_page(page);
	vmsim_entry_unlock(sptep);
	if (ra_hit)
		vmsim_fault_readahead_next(obj, index);

	if (major) {
		vmsim_count(VMSIM_PGMAJFAULT);
		vmsim_object_count(obj, VMSIM_OBJ_MAJOR, 1);
	} else {
		vmsim_object_count(obj, VMSIM_OBJ_MINOR, 1);
	}
	trace_vmsim_fault(obj->id, index, write, how);
	if (!write || pte_dirty)
		vmsim_fault_around(vmf, obj, ra_hit);
	vmf->page = page;
	return VM_FAULT_LOCKED | major;
}

/* Is @sptep's entry dirty, with @page as its frame? */
static bool vmsim_pte_dirty_maps(u64 *sptep, struct page *page)
{
	u64 e = vmsim_pte_read(sptep);

	return (e & VMSIM_PTE_DIRTY) && vmsim_pte_maps(e, page_to_pfn(page));
}

/*
 * The first write to a page mapped read-only.  For the zero frame, give the
 * page a frame of its own and retry; for a real frame, mark it dirty.
 */
static vm_fault_t vmsim_page_mkwrite(struct vm_fault *vmf)
{
	struct vmsim_object *obj = vmf->vma->vm_private_data;
	struct page *page = vmf->page;
	pgoff_t index = vmf->pgoff;
	u64 *sptep;
	u64 e;

	sptep = vmsim_shadow_lookup(&obj->shadow, index, false);
	if (!sptep)
		return VM_FAULT_NOPAGE;

	/*
	 * Already dirty (a re-fault of a page written before): nothing to
	 * change, so no entry lock.  The page lock is enough to keep DIRTY
	 * and the frame: DIRTY is cleared only with the page locked
	 * (eviction, and DONTNEED before it drops the frame), and a frame
	 * is taken from a DIRTY entry only after that, so if both hold
	 * under the page lock they hold until the core has mapped the page
	 * and unlocked it; whoever comes next unmaps it first.
	 */
	if (!vmsim_is_zero_frame(page) && vmsim_pte_dirty_maps(sptep, page)) {
		lock_page(page);
		if (vmsim_pte_dirty_maps(sptep, page))
			return VM_FAULT_LOCKED;
		unlock_page(page);
	}

	if (vmsim_entry_lock_killable(sptep))
		return VM_FAULT_SIGBUS;
	e = vmsim_pte_read(sptep);

	/*
	 * A clone's write to the page it reads from its backing object: it
	 * gets a copy (its PTE goes, and the retry maps the copy), or takes
	 * the frame over when nobody else reads it (and goes on below).
	 */
	if (!vmsim_pte_own(e) && vmsim_object_backing(obj, index)) {
		struct page *shared;
		bool major = false;
		int err;

		err = vmsim_cow_fault(obj, index, sptep, true, &shared, &major);
		if (err) {
			vmsim_entry_unlock(sptep);
			if (err == -ENOMEM)
				return vmsim_oom(obj, index, true);
			return err == -EAGAIN ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;
		}
		e = vmsim_pte_read(sptep);
	}

	if (vmsim_is_zero_frame(page)) {
		/*
		 * Populating takes the zero frame out of every page table
		 * that maps it here, this one included; the retried access
		 * then faults the new frame in.  If the entry was populated
		 * meanwhile, that already happened.
		 */
		if (!(e & VMSIM_PTE_PRESENT)) {
			struct page *frame = vmsim_frame_alloc_reclaim(false);

			if (!frame) {
				vmsim_entry_unlock(sptep);
				return vmsim_oom(obj, index, true);
			}
			vmsim_entry_populate(obj, index, sptep, frame);
			trace_vmsim_fault(obj->id, index, true,
					  VMSIM_FAULT_FILL);
		}
		vmsim_entry_unlock(sptep);
		return VM_FAULT_NOPAGE;
	}

	/*
	 * The entry may have moved on (DONTNEED, reclaim) since the page was
	 * found; then the PTE is gone too, and the retry faults afresh.
	 */
	if (!vmsim_pte_maps(e, page_to_pfn(page))) {
		/*
		 * A clone's PTE may still map the backing object's frame it
		 * read before it got a copy (another thread mapped it while
		 * the copy was made): it goes, or the write would come back
		 * here for ever.
		 */
		if (READ_ONCE(obj->backing))
			unmap_mapping_pages(vmsim_object_mapping(obj), index, 1,
					    false);
		vmsim_entry_unlock(sptep);
		return VM_FAULT_NOPAGE;
	}

	lock_page(page);
	vmsim_entry_set_dirty(obj, sptep);
	vmsim_entry_unlock(sptep);
	return VM_FAULT_LOCKED;
}

/*
 * ->map_pages is the core's fault-around hook.  On 6.12 it runs under RCU
 * and may not sleep, and no exported helper maps a page without possibly
 * allocating a page table, so vmsim does its fault-around in ->fault
 * instead and this hook maps nothing.  It still matters: on 6.12 a VMA
 * without ->map_pages has every ->fault retried under the mmap lock
 * (vmf_can_call_fault()); with it, faults run under the per-VMA lock.
 */
static vm_fault_t vmsim_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	return 0;
}

const struct vm_operations_struct vmsim_vm_ops = {
	.fault		= vmsim_fault,
	.map_pages	= vmsim_map_pages,
	.page_mkwrite	= vmsim_page_mkwrite,
};

const struct vm_operations_struct vmsim_vm_ops_pte_dirty = {
	.fault		= vmsim_fault,
	.map_pages	= vmsim_map_pages,
};

/**
 * vmsim_vma_ops() - the operations for a new mapping (write_notify's choice)
 *
 * Context: Any context.
 */
const struct vm_operations_struct *vmsim_vma_ops(void)
{
	return READ_ONCE(vmsim_write_notify) ? &vmsim_vm_ops :
					       &vmsim_vm_ops_pte_dirty;
}

/**
 * vmsim_vma_is_ours() - is @vma a mapping of /dev/vmsim?
 * @vma: a VMA, held by the caller
 *
 * Context: Any context.
 */
bool vmsim_vma_is_ours(struct vm_area_struct *vma)
{
	return vma->vm_ops == &vmsim_vm_ops ||
	       vma->vm_ops == &vmsim_vm_ops_pte_dirty;
}
