// SPDX-License-Identifier: GPL-2.0
/*
 * The machinery every replacement policy scans with.
 *
 * A policy's ->scan() takes a batch of pages off one of its lists
 * (vmsim_scan_take(): isolated, counted as scanned, and, if it asks,
 * harvested), learns whether each was referenced since it last looked
 * (vmsim_scan_referenced(): the hardware accessed bit of every real
 * PTE that maps the page, found through the object's i_mmap tree and
 * test-and-cleared, and the shadow ACCESSED bit), decides, and hands the
 * pages that go to vmsim_scan_evict(), which takes them out through the
 * entry layer's eviction (entry.c: a page still zero is dropped, a clean
 * page in the swap cache is dropped, anything else is written to swap)
 * and puts back the ones that cannot go now.  The pages it keeps go back
 * on a list of its choosing (vmsim_scan_keep()).  This file never touches
 * I/O, and knows no policy.
 */
#include <linux/mm.h>
#include <linux/rwsem.h>

#include "lru.h"
#include "rmap.h"
#include "stat.h"
#include "vmscan.h"

/*
 * The accessed bits are read and cleared either by scans (each of its own
 * isolated pages, any number at once) or by one aging pass over a leaf
 * table, never both: otherwise a scan could find a bit the aging pass had
 * just cleared and not yet handed to the policy, and evict a hot page.
 */
static DECLARE_RWSEM(vmsim_referenced_sem);

/**
 * vmsim_age_begin() - keep scans off the accessed bits while aging a leaf
 *
 * Context: Process context; may sleep.  Ended by vmsim_age_end().
 */
void vmsim_age_begin(void)
{
	down_write(&vmsim_referenced_sem);
}

/**
 * vmsim_age_end() - end what vmsim_age_begin() began
 *
 * Context: Process context.
 */
void vmsim_age_end(void)
{
	up_write(&vmsim_referenced_sem);
}

/**
 * vmsim_scan_account() - count pages a policy scanned for eviction
 * @sc: the pass
 * @n: how many
 *
 * Context: Any context.
 */
void vmsim_scan_account(struct vmsim_scan *sc, unsigned int n)
{
	sc->scanned += n;
	vmsim_count_add(sc->by == VMSIM_BY_DIRECT ? VMSIM_PGSCAN_DIRECT :
			VMSIM_PGSCAN_KSWAPD, n);
}

/*
 * Was an isolated page referenced since the last scan?  Test-and-clear the
 * accessed bits of every real PTE that maps it, and its shadow ACCESSED
 * bit.  Records in @iso->refs how many page tables had it young, and in
 * @tlb the mms whose bits it cleared (the caller flushes).
 */
static bool vmsim_page_referenced(struct vmsim_isolated *iso,
				  struct vmsim_tlb_batch *tlb)
{
	bool shadow = vmsim_pte_update_present(iso->sptep,
					       page_to_pfn(iso->page),
					       VMSIM_PTE_ACCESSED, 0) &
		      VMSIM_PTE_ACCESSED;
	long young;

	young = vmsim_object_rmap_walk(iso->obj, iso->index, 1, NULL,
				       VMSIM_WALK_CLEAR_YOUNG, tlb);
	iso->refs = max(young, 0L);
	return iso->refs || shadow;
}

/**
 * vmsim_scan_take() - a batch off a list's tail, counted and harvested
 * @sc: the pass to count the pages in, or NULL (the caller counts them)
 * @lru: the list
 * @nr: at most this many
 * @iso: out, the pages isolated
 * @referenced: if not NULL, out: which were referenced
 *	(vmsim_scan_referenced())
 *
 * The step every policy's scan begins with.
 *
 * Context: Process context; may sleep if @referenced.
 * Return: how many pages were isolated.
 */
unsigned int vmsim_scan_take(struct vmsim_scan *sc, unsigned int lru,
			     unsigned int nr, struct vmsim_isolated *iso,
			     bool *referenced)
{
	unsigned int n = vmsim_lru_isolate(lru, nr, iso);

	if (!n)
		return 0;
	if (sc)
		vmsim_scan_account(sc, n);
	if (referenced)
		vmsim_scan_referenced(iso, n, referenced);
	return n;
}

/**
 * vmsim_scan_referenced() - which isolated pages were referenced
 * @iso: the pages
 * @n: how many
 * @referenced: out, one per page
 *
 * Then one TLB flush, of the CPUs that run an mm whose accessed bits were
 * cleared (so that the next access sets them again).  @iso[i].refs says in how many page
 * tables page i was young.
 *
 * Context: Process context; may sleep (the i_mmap walks).
 */
void vmsim_scan_referenced(struct vmsim_isolated *iso, unsigned int n,
			   bool *referenced)
{
	struct vmsim_tlb_batch tlb = { 0 };
	unsigned int i;

	down_read(&vmsim_referenced_sem);
	for (i = 0; i < n; i++)
		referenced[i] = vmsim_page_referenced(&iso[i], &tlb);
	up_read(&vmsim_referenced_sem);
	vmsim_tlb_flush(&tlb);
}

/**
 * vmsim_scan_keep() - put a page the policy keeps back on a list
 * @iso: the page, isolated
 * @lru: which list
 * @tail: at its tail
 *
 * Drops the isolation's references.
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_scan_keep(struct vmsim_isolated *iso, unsigned int lru, bool tail)
{
	vmsim_lru_putback(iso->page, lru, tail);
	vmsim_object_put_async(iso->obj);
}

/* Where a page that could not go now goes back: where it came from. */
static void vmsim_scan_putback(struct vmsim_isolated *iso,
			       enum vmsim_evict_result r)
{
	unsigned int lru = vmsim_pte_lru(vmsim_pte_read(iso->sptep));

	if (r == VMSIM_EVICT_KEEP) {
		/* Data and nowhere to put it: park it. */
		lru = VMSIM_LRU_UNEVICTABLE;
		vmsim_count(VMSIM_UNEVICTABLE);
	}
	vmsim_scan_keep(iso, lru, false);
}

/* The result of evicting one page, counted; its references are gone. */
static void vmsim_scan_done(struct vmsim_scan *sc, struct vmsim_isolated *iso,
			    enum vmsim_evict_result r)
{
	switch (r) {
	case VMSIM_EVICT_DONE:
		sc->reclaimed++;
		vmsim_count_steal(sc->by);
		vmsim_object_put_async(iso->obj);
		break;
	case VMSIM_EVICT_WRITE:
		/* The write owns it now, references too. */
		sc->queued++;
		break;
	default:
		vmsim_scan_putback(iso, r);
		break;
	}
}

/**
 * vmsim_scan_evict() - evict the pages a policy chose
 * @sc: the pass
 * @iso: isolated pages, @n of them
 * @n: how many
 * @evict: which of them go (the others are left to the caller)
 *
 * The chosen pages are locked, unmapped together (one TLB flush per run of
 * neighbours), and each taken out of the pool, or queued to be written to
 * swap.  One that cannot go now (busy, pinned, swap full) goes back to the
 * head of the list it came from; one that holds data with no swap on is
 * parked on the unevictable list.  Either way the caller is done with the
 * chosen pages.
 *
 * Context: Process context; may sleep.
 */
void vmsim_scan_evict(struct vmsim_scan *sc, struct vmsim_isolated *iso,
		      unsigned int n, const bool *evict)
{
	struct vmsim_isolated *locked[VMSIM_SCAN_BATCH];
	enum vmsim_evict_result result[VMSIM_SCAN_BATCH];
	unsigned int i, nr = 0, nr_locked = 0;

	if (WARN_ON_ONCE(n > VMSIM_SCAN_BATCH))
		n = VMSIM_SCAN_BATCH;
	for (i = 0; i < n; i++)
		nr += evict[i];
	/* Room for every page that goes in the write batch. */
	if (sc->wb && vmsim_writeback_full(sc->wb, nr))
		vmsim_entry_writeback_flush(sc->wb);

	for (i = 0; i < n; i++) {
		if (!evict[i])
			continue;
		result[i] = vmsim_entry_evict_lock(&iso[i]);
		if (result[i] == VMSIM_EVICT_LOCKED)
			locked[nr_locked++] = &iso[i];
	}
	if (nr_locked)
		vmsim_entry_evict_unmap(locked, nr_locked);
	for (i = 0; i < n; i++) {
		if (!evict[i])
			continue;
		if (result[i] == VMSIM_EVICT_LOCKED)
			result[i] = vmsim_entry_evict_finish(&iso[i], sc->wb);
		vmsim_scan_done(sc, &iso[i], result[i]);
	}
}

/**
 * vmsim_scan_pageout() - evict one page now, whether referenced or not
 * @obj: the object
 * @sptep: the page's entry (not locked)
 * @wb: where a page to write goes, or NULL (then only pages that need no
 *	write go); flushed here when full
 *
 * Context: Process context; may sleep.
 * Return: true if the page left the pool or is on its way out.
 */
bool vmsim_scan_pageout(struct vmsim_object *obj, u64 *sptep,
			struct vmsim_writeback *wb)
{
	struct vmsim_scan sc = { .by = VMSIM_BY_PAGEOUT, .wb = wb };
	struct vmsim_isolated iso;
	static const bool evict = true;
	u64 e = vmsim_pte_read(sptep);

	if (!(e & VMSIM_PTE_PRESENT) ||
	    !vmsim_lru_isolate_page(pfn_to_page(vmsim_pte_pfn(e)), sptep,
				    NR_VMSIM_LRU_LISTS, &iso))
		return false;
	vmsim_scan_evict(&sc, &iso, 1, &evict);
	return sc.reclaimed || sc.queued;
}
