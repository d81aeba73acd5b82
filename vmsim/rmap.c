// SPDX-License-Identifier: GPL-2.0
/*
 * Reaching the real page tables that map an object.
 *
 * Every VMA that maps an object is linked into the i_mmap tree of the
 * object's address_space.  Holding that tree's lock for read keeps every
 * VMA in it, and the page tables under it, from going away (free_pgtables()
 * unlinks a VMA from the tree before freeing its tables), which is how the
 * kernel's own rmap walks reach page tables without any mmap lock.  vmsim
 * does the same, and walks the PTEs with apply_to_existing_page_range(),
 * which takes each page table's lock and skips what is not populated.
 *
 * From the PTEs it learns, per object page: is it mapped, mapped writable,
 * and was it accessed (the hardware accessed bit).  Aging clears those
 * accessed bits.  A CPU that still caches the translation will not set the
 * bit again, so after clearing, vmsim flushes the TLBs of the CPUs that run
 * the mms whose bits it cleared, once per batch of walks (struct
 * vmsim_tlb_batch: one IPI round, not one per page, and none to a CPU that
 * runs another process).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>
#include <asm/tlbflush.h>

#include "rmap.h"
#include "shadow.h"

struct vmsim_walk {
	struct vm_area_struct *vma;
	struct vmsim_shadow *shadow;	/* if set, only the pages ... */
	bool own;			/* ... its own (or not: borrowed) */
	pgoff_t start;			/* first index of the window */
	u8 *bits;			/* per index of the window, or NULL */
	bool clear_young;
	unsigned long young;		/* accessed PTEs seen */
	unsigned long cleared;		/* accessed bits cleared */
};

static int vmsim_walk_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct vmsim_walk *w = data;
	pte_t pte = ptep_get(ptep);
	pgoff_t index;
	bool young;

	if (!pte_present(pte))
		return 0;
	index = w->vma->vm_pgoff + ((addr - w->vma->vm_start) >> PAGE_SHIFT);
	if (w->shadow) {
		u64 *sptep = vmsim_shadow_lookup(w->shadow, index, false);

		/* Not the kind of page looked for: its own, or borrowed. */
		if ((sptep && vmsim_pte_own(vmsim_pte_read(sptep))) != w->own)
			return 0;
	}

	young = pte_young(pte);
	/* What ptep_test_and_clear_young() does on x86; it is not exported. */
	if (young && w->clear_young) {
		young = test_and_clear_bit(_PAGE_BIT_ACCESSED,
					   (unsigned long *)&ptep->pte);
		w->cleared += young;
	}
	if (young)
		w->young++;
	if (w->bits)
		w->bits[index - w->start] |= VMSIM_WALK_MAPPED |
			(pte_write(pte) ? VMSIM_WALK_WRITE : 0) |
			(pte_dirty(pte) ? VMSIM_WALK_DIRTY : 0) |
			(young ? VMSIM_WALK_YOUNG : 0);
	return 0;
}

static void vmsim_flush_tlb_local(void *unused)
{
	__flush_tlb_all();
}

static void vmsim_flush_tlb_all(void)
{
	on_each_cpu(vmsim_flush_tlb_local, NULL, 1);
}

/* Remember @mm (held) to be flushed; with no room, flush every CPU. */
static void vmsim_tlb_batch_add(struct vmsim_tlb_batch *tlb,
				struct mm_struct *mm)
{
	unsigned int i;

	if (tlb->all)
		return;
	for (i = 0; i < tlb->nr; i++)
		if (tlb->mm[i] == mm)
			return;
	if (tlb->nr == VMSIM_TLB_MMS) {
		tlb->all = true;
		return;
	}
	mmgrab(mm);
	tlb->mm[tlb->nr++] = mm;
}

/*
 * Does @cpu run one of the batch's mms (is it in the mm's cpumask: running
 * it, or lending it to a kernel thread)?  A CPU that switched away is left
 * alone: with PCID it may keep a translation cached under the mm's ASID
 * and not set the accessed bit through it until that entry is evicted or
 * the mm is flushed for another reason.  That page looks colder than it
 * is for a while: the imprecision x86 Linux accepts for every accessed bit
 * it clears (it flushes nothing).  x86's own flush_tlb_mm_range(), which
 * would reach those too, is not for modules.
 */
static bool vmsim_tlb_cpu_runs(int cpu, void *info)
{
	struct vmsim_tlb_batch *tlb = info;
	unsigned int i;

	for (i = 0; i < tlb->nr; i++)
		if (cpumask_test_cpu(cpu, mm_cpumask(tlb->mm[i])))
			return true;
	return false;
}

/**
 * vmsim_tlb_flush() - flush what a batch of walks left in the TLBs
 * @tlb: the batch (see vmsim_rmap_walk()); empty afterwards
 *
 * Flushes the CPUs that run one of the batch's mms, or every CPU if the
 * batch overflowed.  The barrier orders the walks' PTE writes before the
 * reads of mm_cpumask(), as switch_mm() sets a CPU's bit before it loads
 * the page tables.
 *
 * Context: Process context, interrupts enabled.
 */
void vmsim_tlb_flush(struct vmsim_tlb_batch *tlb)
{
	unsigned int i;

	smp_mb();	/* the cleared bits before mm_cpumask() is read */
	if (tlb->all)
		vmsim_flush_tlb_all();
	else if (tlb->nr)
		on_each_cpu_cond(vmsim_tlb_cpu_runs, vmsim_flush_tlb_local,
				 tlb, true);
	for (i = 0; i < tlb->nr; i++)
		mmdrop(tlb->mm[i]);
	tlb->nr = 0;
	tlb->all = false;
}

/**
 * vmsim_rmap_walk() - visit the real PTEs that map part of an address_space
 * @mapping: the address_space (an object's)
 * @start: first page index
 * @nr: number of pages
 * @bits: if not NULL, an array of @nr bytes: VMSIM_WALK_* bits are ORed
 *	into bits[i] for page @start + i
 * @flags: VMSIM_WALK_CLEAR_YOUNG to clear the accessed bits it finds;
 *	VMSIM_WALK_TRYLOCK to give up rather than wait for the i_mmap lock
 * @tlb: with VMSIM_WALK_CLEAR_YOUNG, where to remember the mms whose
 *	accessed bits it cleared, for the caller's vmsim_tlb_flush(); if
 *	NULL, the walk flushes them itself before it returns
 *
 * Context: Process context; may sleep.  Takes @mapping's i_mmap_rwsem for
 * read, and page table locks.
 * Return: how many accessed PTEs it saw, or -EAGAIN if VMSIM_WALK_TRYLOCK
 * and the lock was busy.
 */
long vmsim_rmap_walk(struct address_space *mapping, pgoff_t start, pgoff_t nr,
		     u8 *bits, unsigned int flags, struct vmsim_tlb_batch *tlb)
{
	return vmsim_rmap_walk_shadow(mapping, NULL, false, start, nr, bits,
				      flags, tlb);
}

/**
 * vmsim_rmap_walk_shadow() - vmsim_rmap_walk(), for a clone's own pages or
 *	for those it reads from its backing object
 * @mapping: the clone's address_space
 * @shadow: the clone's shadow table, or NULL (every PTE)
 * @own: with @shadow, look only at PTEs where the clone has a page of its
 *	own (vmsim_pte_own()), or only where it has not
 * @start: as for vmsim_rmap_walk()
 * @nr: as for vmsim_rmap_walk()
 * @bits: as for vmsim_rmap_walk()
 * @flags: as for vmsim_rmap_walk()
 * @tlb: as for vmsim_rmap_walk()
 *
 * Context: as vmsim_rmap_walk().
 * Return: as vmsim_rmap_walk().
 */
long vmsim_rmap_walk_shadow(struct address_space *mapping,
			    struct vmsim_shadow *shadow, bool own, pgoff_t start,
			    pgoff_t nr, u8 *bits, unsigned int flags,
			    struct vmsim_tlb_batch *tlb)
{
	struct vmsim_tlb_batch own_tlb = { 0 };
	struct vmsim_walk w = {
		.shadow = shadow,
		.own = own,
		.start = start,
		.bits = bits,
		.clear_young = flags & VMSIM_WALK_CLEAR_YOUNG,
	};
	pgoff_t end = start + nr;
	struct rb_node *node;

	might_sleep();
	if (!tlb)
		tlb = &own_tlb;
	if (flags & VMSIM_WALK_TRYLOCK) {
		if (!i_mmap_trylock_read(mapping))
			return -EAGAIN;
	} else {
		i_mmap_lock_read(mapping);
	}

	for (node = rb_first_cached(&mapping->i_mmap); node;
	     node = rb_next(node)) {
		struct vm_area_struct *vma;
		pgoff_t first, last;

		vma = rb_entry(node, struct vm_area_struct, shared.rb);
		first = max(start, vma->vm_pgoff);
		last = min(end, vma->vm_pgoff + vma_pages(vma));
		if (first >= last)
			continue;
		w.vma = vma;
		w.cleared = 0;
		apply_to_existing_page_range(vma->vm_mm, vma->vm_start +
					     ((first - vma->vm_pgoff) << PAGE_SHIFT),
					     (last - first) << PAGE_SHIFT,
					     vmsim_walk_pte, &w);
		/* The VMA, and so its mm, lives while the lock is held. */
		if (w.cleared)
			vmsim_tlb_batch_add(tlb, vma->vm_mm);
	}
	i_mmap_unlock_read(mapping);

	if (tlb == &own_tlb)
		vmsim_tlb_flush(&own_tlb);
	return w.young;
}

/**
 * vmsim_rmap_nr_vmas() - how many VMAs map an address_space now
 * @mapping: the address_space
 *
 * Context: Process context; takes @mapping's i_mmap_rwsem for read.
 * Return: the number of VMAs, in every process.
 */
unsigned long vmsim_rmap_nr_vmas(struct address_space *mapping)
{
	unsigned long n = 0;
	struct rb_node *node;

	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node;
	     node = rb_next(node))
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}

struct vmsim_old_walk {
	unsigned long start;
	u64 mask;			/* bit i: the page at start + i pages */
};

static int vmsim_mkold_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct vmsim_old_walk *w = data;
	unsigned long i = (addr - w->start) >> PAGE_SHIFT;

	if ((w->mask & BIT_ULL(i)) && pte_present(ptep_get(ptep)))
		clear_bit(_PAGE_BIT_ACCESSED, (unsigned long *)&ptep->pte);
	return 0;
}

/**
 * vmsim_mkold_range() - clear the accessed bits of freshly mapped PTEs
 * @vma: the VMA, held by the caller (a fault in progress)
 * @start: address of the first page of the window
 * @nr: pages in the window, at most 64
 * @mask: bit i set: the page at @start + i pages was just mapped
 *
 * vm_insert_page() maps pages young, as if the access that faulted them in
 * had used them.  Pages mapped by fault-around were not accessed, and must
 * not look so to reclaim.  No flush follows: another thread of the process
 * may have used one of them between its mapping and now, and its CPU may
 * then cache the translation and not set the bit again until the entry
 * leaves its TLB.  That page looks colder than it is for a while, which is
 * the imprecision x86 Linux accepts for every accessed bit it clears.
 *
 * Context: Process context, in a fault (mmap or VMA lock held).
 */
void vmsim_mkold_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned int nr, u64 mask)
{
	struct vmsim_old_walk w = { .start = start, .mask = mask };

	apply_to_existing_page_range(vma->vm_mm, start,
				     (unsigned long)nr << PAGE_SHIFT,
				     vmsim_mkold_pte, &w);
}
