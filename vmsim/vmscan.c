// SPDX-License-Identifier: GPL-2.0
/*
 * Which pages leave the pool.
 *
 * What to reclaim is decided on two lists, as mm/vmscan.c does for
 * anonymous memory: new pages enter the inactive list; a scan of the
 * inactive tail promotes pages referenced twice (or mapped by several
 * processes and referenced) and evicts the others; the active list is aged
 * into the inactive one whenever it holds more than inactive_ratio times
 * the inactive list.  Unlike Linux, the active list is a CLOCK with a small
 * frequency count: a page referenced since the last active scan counts up
 * (to 3), an unreferenced one counts down, and only a page at the bottom
 * is deactivated.  Frequently used pages so outlast pages used in a burst,
 * which brings replacement closer to the optimum on skewed (Zipf) access,
 * and a hot set survives a one-time scan bigger than the pool.
 *
 * "Referenced" is the hardware accessed bit of every real PTE that maps
 * the page (found through the object's i_mmap tree, test-and-cleared) or
 * the shadow ACCESSED bit.  The TLBs are flushed once per batch of scanned
 * pages, so cleared bits are set again by the next access.
 *
 * Pages would enter the first reclaim pass all looking referenced once (by
 * the fault that brought them in), and with one accessed bit there would
 * be no telling a hot page from a page used once.  So, as the pool fills,
 * vmsimd also ages proactively (vmsim_age(), the multi-gen LRU's idea):
 * every pool/8 allocations once the pool is half full, it walks the page
 * tables of every object in bulk, and applies the same second-chance rule
 * to each inactive page it finds; a referenced active page keeps its
 * reference for the next active scan.  By the time reclaim starts, pages
 * used once have spent their reference and hot pages are active.
 *
 * The pages chosen go through the entry layer's eviction (entry.c): a page
 * that is still zero is dropped, a clean page in the swap cache is dropped,
 * anything else is written to swap.  This file never touches I/O.
 */
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "lru.h"
#include "param.h"
#include "pool.h"
#include "rmap.h"
#include "stat.h"
#include "vmscan.h"
#include "vmsim_trace.h"
#include "workingset.h"

/* Pages scanned per batch (and per TLB flush). */
#define VMSIM_SCAN_BATCH	16

static unsigned int vmsim_inactive_ratio = 1;
static struct vmsim_uint_param vmsim_inactive_ratio_param = {
	.value = &vmsim_inactive_ratio, .min = 1, .max = 32,
};
module_param_cb(inactive_ratio, &vmsim_uint_param_ops,
		&vmsim_inactive_ratio_param, 0644);
MODULE_PARM_DESC(inactive_ratio, "Reclaim ages the active list when it holds more than this many times the inactive list (default 1)");

/* ------------------------------------------------------------------------
 * What the entry layer tells the lists
 */

static void vmsim_lru_resident(struct page *page, u64 old,
			       enum vmsim_resident_how how)
{
	unsigned long nr_active = vmsim_lru_count(VMSIM_LRU_ACTIVE);
	bool active = false;

	if (how != VMSIM_RES_READAHEAD && (old & VMSIM_PTE_EVICTED))
		active = vmsim_workingset_refault(old, nr_active);
	vmsim_lru_add(page, active);
}

/* A refault that got the zero frame: counted, nothing to activate. */
static void vmsim_lru_refault_zero(u64 old)
{
	vmsim_count(VMSIM_WORKINGSET_REFAULT);
}

static u64 vmsim_lru_evicted(u64 e)
{
	return vmsim_workingset_eviction(e & VMSIM_PTE_ACTIVE);
}

static void vmsim_lru_putback_page(struct page *page, bool active)
{
	vmsim_lru_putback(page, active ? VMSIM_LRU_ACTIVE : VMSIM_LRU_INACTIVE,
			  false);
}

static const struct vmsim_entry_ops vmsim_lru_ops = {
	.resident	= vmsim_lru_resident,
	.refault_zero	= vmsim_lru_refault_zero,
	.evicted	= vmsim_lru_evicted,
	.putback	= vmsim_lru_putback_page,
	.dropped	= vmsim_lru_del,
};

/**
 * vmsim_vmscan_init() - set up the lists and register them with entry.c
 *
 * Context: Process context, at load.
 */
void vmsim_vmscan_init(void)
{
	vmsim_lru_init();
	vmsim_workingset_init(vmsim_pool.nr_frames);
	vmsim_entry_set_ops(&vmsim_lru_ops);
}

/* ------------------------------------------------------------------------
 * Scanning
 */

struct vmsim_scan {
	enum vmsim_evictor by;
	unsigned long scanned;
	unsigned long reclaimed;	/* frames freed */
	unsigned long queued;		/* pages on their way out */
	struct vmsim_writeback *wb;	/* pages to write, or NULL */
};

/* Update a policy bit of an isolated page, if it is still its entry's. */
static u64 vmsim_iso_update(struct vmsim_isolated *iso, u64 clear, u64 set)
{
	return vmsim_pte_update_present(iso->sptep, page_to_pfn(iso->page),
					clear, set);
}

/*
 * Was an isolated page referenced since the last scan?  Test-and-clear the
 * accessed bits of every real PTE that maps it, and its shadow ACCESSED
 * bit.  Records in @iso->refs how many page tables had it young (the
 * caller flushes the TLBs).
 */
static bool vmsim_page_referenced(struct vmsim_isolated *iso)
{
	bool shadow = vmsim_iso_update(iso, VMSIM_PTE_ACCESSED, 0) &
		      VMSIM_PTE_ACCESSED;
	long young;

	young = vmsim_rmap_walk(vmsim_object_mapping(iso->obj), iso->index, 1,
				NULL, VMSIM_WALK_CLEAR_YOUNG | VMSIM_WALK_NOFLUSH);
	iso->refs = max(young, 0L);
	return iso->refs || shadow;
}

/*
 * vmsim_page_referenced() for each of @n isolated pages, into @referenced,
 * then one TLB flush if any real PTE had its accessed bit cleared (so that
 * the next access sets it again).
 */
static void vmsim_pages_referenced(struct vmsim_isolated *iso, unsigned int n,
				   bool *referenced)
{
	bool flush = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		referenced[i] = vmsim_page_referenced(&iso[i]);
		flush |= iso[i].refs > 0;
	}
	if (flush)
		vmsim_flush_tlb_all();
}

/*
 * Scan up to VMSIM_SCAN_BATCH pages off the inactive tail: promote the
 * referenced ones, evict the others.
 */
static void vmsim_shrink_inactive(struct vmsim_scan *sc)
{
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	struct vmsim_isolated *locked[VMSIM_SCAN_BATCH];
	enum vmsim_evict_result result[VMSIM_SCAN_BATCH];
	bool referenced[VMSIM_SCAN_BATCH];
	unsigned int i, n, nr_locked = 0;

	n = vmsim_lru_isolate(VMSIM_LRU_INACTIVE, VMSIM_SCAN_BATCH, iso);
	if (!n)
		return;
	/* Room for every page of this batch in the write batch. */
	if (sc->wb && vmsim_writeback_full(sc->wb, n))
		vmsim_entry_writeback_flush(sc->wb);
	sc->scanned += n;
	vmsim_count_add(sc->by == VMSIM_BY_DIRECT ? VMSIM_PGSCAN_DIRECT :
			VMSIM_PGSCAN_KSWAPD, n);
	vmsim_pages_referenced(iso, n, referenced);

	/* Lock the pages that go, unmap them together, then finish each. */
	for (i = 0; i < n; i++) {
		if (referenced[i])
			continue;
		vmsim_iso_update(&iso[i], VMSIM_PTE_REFERENCED, 0);
		result[i] = vmsim_entry_evict_lock(&iso[i]);
		if (result[i] == VMSIM_EVICT_LOCKED)
			locked[nr_locked++] = &iso[i];
	}
	if (nr_locked)
		vmsim_entry_evict_unmap(locked, nr_locked);

	for (i = 0; i < n; i++) {
		if (referenced[i]) {
			/*
			 * Referenced twice (now and at an earlier scan), or
			 * young in several page tables: activate.  Once: give
			 * it another trip around the inactive list.
			 */
			if ((vmsim_iso_update(&iso[i], VMSIM_PTE_REFERENCED, 0) &
			     VMSIM_PTE_REFERENCED) || iso[i].refs > 1) {
				vmsim_lru_putback(iso[i].page, VMSIM_LRU_ACTIVE,
						  false);
				vmsim_count(VMSIM_PGACTIVATE);
				vmsim_workingset_activation();
			} else {
				vmsim_iso_update(&iso[i], 0,
						 VMSIM_PTE_REFERENCED);
				vmsim_lru_putback(iso[i].page,
						  VMSIM_LRU_INACTIVE, false);
			}
		} else {
			if (result[i] == VMSIM_EVICT_LOCKED)
				result[i] = vmsim_entry_evict_finish(&iso[i],
								     sc->wb);
			switch (result[i]) {
			case VMSIM_EVICT_DONE:
				sc->reclaimed++;
				vmsim_count_steal(sc->by);
				break;
			case VMSIM_EVICT_WRITE:
				/* The write owns it now, references too. */
				sc->queued++;
				continue;
			case VMSIM_EVICT_BUSY:
			case VMSIM_EVICT_LOCKED:	/* not reached */
				vmsim_lru_putback(iso[i].page,
						  VMSIM_LRU_INACTIVE, false);
				break;
			case VMSIM_EVICT_KEEP:
				/* Data and nowhere to put it: park it. */
				vmsim_lru_putback(iso[i].page,
						  VMSIM_LRU_UNEVICTABLE, false);
				vmsim_count(VMSIM_UNEVICTABLE);
				break;
			}
		}
		vmsim_object_put_async(iso[i].obj);
	}
}

/*
 * Age up to VMSIM_SCAN_BATCH pages off the active tail: a page referenced
 * since the last scan counts up and goes round again; one that was not
 * counts down, and leaves for the inactive list when it reaches the bottom.
 */
static void vmsim_shrink_active(struct vmsim_scan *sc)
{
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	bool referenced[VMSIM_SCAN_BATCH];
	unsigned int i, n;

	n = vmsim_lru_isolate(VMSIM_LRU_ACTIVE, VMSIM_SCAN_BATCH, iso);
	if (!n)
		return;
	vmsim_count_add(VMSIM_PGREFILL, n);
	vmsim_pages_referenced(iso, n, referenced);
	for (i = 0; i < n; i++) {
		u64 e = vmsim_pte_read(iso[i].sptep);
		unsigned int freq = (e & VMSIM_PTE_FREQ_MASK) >>
				    VMSIM_PTE_FREQ_SHIFT;

		if (referenced[i] || freq > 1) {
			freq = referenced[i] ? min(freq + 1, 3U) : freq - 1;
			vmsim_iso_update(&iso[i], VMSIM_PTE_FREQ_MASK,
					 (u64)freq << VMSIM_PTE_FREQ_SHIFT);
			vmsim_lru_putback(iso[i].page, VMSIM_LRU_ACTIVE, false);
		} else {
			vmsim_iso_update(&iso[i], VMSIM_PTE_FREQ_MASK |
					 VMSIM_PTE_REFERENCED, 0);
			vmsim_lru_putback(iso[i].page, VMSIM_LRU_INACTIVE,
					  false);
			vmsim_count(VMSIM_PGDEACTIVATE);
		}
		vmsim_object_put_async(iso[i].obj);
	}
}

/* mm/vmscan.c's inactive_is_low(), with the ratio a parameter. */
static bool vmsim_inactive_is_low(void)
{
	unsigned long inactive = vmsim_lru_count(VMSIM_LRU_INACTIVE);
	unsigned long active = vmsim_lru_count(VMSIM_LRU_ACTIVE);

	return inactive * READ_ONCE(vmsim_inactive_ratio) < active;
}

/**
 * vmsim_shrink() - reclaim frames
 * @nr: how many to try for
 * @by: who reclaims: vmsimd or a faulting task (counted apart)
 * @res: what was done
 *
 * Scans at most the whole LRU twice over, so it always ends.  Pages that
 * need writing count in @res->queued, not in @res->reclaimed: their frames
 * come back when the writes end (or not, if they fail).
 *
 * Context: Process context; may sleep.  The caller may hold one entry lock.
 */
void vmsim_shrink(unsigned long nr, enum vmsim_evictor by,
		  struct vmsim_shrink_result *res)
{
	struct vmsim_scan sc = { .by = by };
	unsigned long budget;

	/*
	 * GFP_NOIO: this may run in a fault under memory pressure.  Without
	 * the batch, reclaim only drops pages that need no write.
	 */
	if (vmsim_swap_on())
		sc.wb = vmsim_writeback_alloc(by, GFP_NOIO);
	vmsim_lru_drain_all();
	budget = 2 * (vmsim_lru_count(VMSIM_LRU_ACTIVE) +
		      vmsim_lru_count(VMSIM_LRU_INACTIVE)) + VMSIM_SCAN_BATCH;
	while (sc.reclaimed + sc.queued < nr && sc.scanned < budget) {
		unsigned long before = sc.scanned;

		if (vmsim_inactive_is_low())
			vmsim_shrink_active(&sc);
		vmsim_shrink_inactive(&sc);
		if (sc.scanned == before &&
		    !vmsim_lru_count(VMSIM_LRU_ACTIVE))
			break;
		if (sc.scanned == before)
			sc.scanned += VMSIM_SCAN_BATCH;	/* only aged */
		cond_resched();
	}
	vmsim_writeback_free(sc.wb);
	trace_vmsim_reclaim(nr, sc.scanned, sc.reclaimed,
			    by == VMSIM_BY_DIRECT);
	res->reclaimed = sc.reclaimed;
	res->queued = sc.queued;
	res->scanned = sc.scanned;
}

/**
 * vmsim_pageout() - evict one page now, whether referenced or not
 * @obj: the object
 * @sptep: the page's entry (not locked)
 * @wb: where a page to write goes, or NULL (then only pages that need no
 *	write go); flushed here when full
 *
 * Context: Process context; may sleep.
 * Return: true if the page left the pool or is on its way out.
 */
bool vmsim_pageout(struct vmsim_object *obj, u64 *sptep,
		   struct vmsim_writeback *wb)
{
	struct vmsim_isolated iso = { .obj = obj, .sptep = sptep };
	struct vmsim_isolated *p = &iso;
	enum vmsim_evict_result r;
	u64 e;

	e = vmsim_pte_read(sptep);
	if (!(e & VMSIM_PTE_PRESENT))
		return false;
	iso.page = pfn_to_page(vmsim_pte_pfn(e));
	if (!vmsim_lru_isolate_one(iso.page, sptep))
		return false;
	vmsim_entry_object(sptep, &iso.index);
	vmsim_object_get(obj);

	if (wb && vmsim_writeback_full(wb, 1))
		vmsim_entry_writeback_flush(wb);
	r = vmsim_entry_evict_lock(&iso);
	if (r == VMSIM_EVICT_LOCKED) {
		vmsim_entry_evict_unmap(&p, 1);
		r = vmsim_entry_evict_finish(&iso, wb);
	}
	switch (r) {
	case VMSIM_EVICT_WRITE:
		return true;		/* counted when the write ends */
	case VMSIM_EVICT_DONE:
		vmsim_count_steal(VMSIM_BY_PAGEOUT);
		vmsim_object_put_async(obj);
		return true;
	case VMSIM_EVICT_KEEP:
		vmsim_lru_putback(iso.page, VMSIM_LRU_UNEVICTABLE, false);
		break;
	default:
		vmsim_lru_putback(iso.page, e & VMSIM_PTE_ACTIVE ?
				  VMSIM_LRU_ACTIVE : VMSIM_LRU_INACTIVE, false);
		break;
	}
	vmsim_object_put_async(obj);
	return false;
}

/**
 * vmsim_deactivate() - move a page to the inactive tail, to go first
 * @sptep: the page's entry (not locked)
 *
 * Context: Any context that may take a spinlock.
 * Return: true if the page was on a list and moved.
 */
bool vmsim_deactivate(u64 *sptep)
{
	u64 e = vmsim_pte_read(sptep);
	struct page *page;

	if (!(e & VMSIM_PTE_PRESENT))
		return false;
	page = pfn_to_page(vmsim_pte_pfn(e));
	e = vmsim_pte_update_present(sptep, page_to_pfn(page),
				     VMSIM_PTE_REFERENCED | VMSIM_PTE_FREQ_MASK,
				     0);
	if (!e || !vmsim_lru_move(page, sptep, NR_VMSIM_LRU_LISTS,
				  VMSIM_LRU_INACTIVE, true))
		return false;
	if (e & VMSIM_PTE_ACTIVE)
		vmsim_count(VMSIM_PGDEACTIVATE);
	return true;
}

/* ------------------------------------------------------------------------
 * Proactive aging
 */

/* vmsimd's buffer for one leaf table's worth of PTE bits. */
static u8 vmsim_age_bits[VMSIM_TABLE_ENTRIES];

struct vmsim_aging {
	unsigned long young;		/* hardware accessed bits cleared */
	unsigned long scanned;
};

/*
 * The second-chance rule applied to a resident page outside reclaim.  An
 * inactive page referenced in two passes in a row is activated; in this
 * one, remembered; not referenced, its earlier reference is forgotten.  An
 * active page that was referenced keeps the reference (the shadow
 * ACCESSED bit) for the next active scan, which would otherwise never
 * learn of it: this pass has just cleared the hardware bits.
 */
static void vmsim_age_entry(u64 *sptep, bool referenced)
{
	u64 e = vmsim_pte_read(sptep);
	unsigned long pfn = vmsim_pte_pfn(e);
	u64 old;

	if (e & VMSIM_PTE_UNEVICTABLE)
		return;
	if (e & VMSIM_PTE_ACTIVE) {
		if (referenced)
			vmsim_pte_update_present(sptep, pfn, 0,
						 VMSIM_PTE_ACCESSED);
		return;
	}
	if (!referenced) {
		vmsim_pte_update_present(sptep, pfn, VMSIM_PTE_REFERENCED, 0);
		return;
	}
	old = vmsim_pte_update_present(sptep, pfn, VMSIM_PTE_REFERENCED, 0);
	if (!old)
		return;
	if (!(old & VMSIM_PTE_REFERENCED)) {
		vmsim_pte_update_present(sptep, pfn, 0, VMSIM_PTE_REFERENCED);
		return;
	}
	if (vmsim_lru_move(pfn_to_page(pfn), sptep, VMSIM_LRU_INACTIVE,
			   VMSIM_LRU_ACTIVE, false)) {
		vmsim_count(VMSIM_PGACTIVATE);
		vmsim_workingset_activation();
	}
}

static int vmsim_age_leaf(struct vmsim_shadow *shadow, pgoff_t base,
			  u64 *table, void *data)
{
	struct vmsim_object *obj = vmsim_shadow_object(shadow);
	struct vmsim_aging *ag = data;
	unsigned int i;
	long young;

	memset(vmsim_age_bits, 0, sizeof(vmsim_age_bits));
	young = vmsim_rmap_walk(vmsim_object_mapping(obj), base,
				VMSIM_TABLE_ENTRIES, vmsim_age_bits,
				VMSIM_WALK_CLEAR_YOUNG | VMSIM_WALK_NOFLUSH);
	if (young > 0)
		ag->young += young;
	for (i = 0; i < VMSIM_TABLE_ENTRIES; i++) {
		u64 *sptep = &table[i];
		u64 e = vmsim_pte_read(sptep);
		bool referenced;

		if (!(e & VMSIM_PTE_PRESENT))
			continue;
		ag->scanned++;
		referenced = vmsim_pte_update_present(sptep, vmsim_pte_pfn(e),
						      VMSIM_PTE_ACCESSED, 0) &
			     VMSIM_PTE_ACCESSED;
		if (vmsim_age_bits[i] & VMSIM_WALK_YOUNG)
			referenced = true;
		vmsim_age_entry(sptep, referenced);
	}
	cond_resched();
	return kthread_should_stop() ? -EINTR : 0;
}

static int vmsim_age_object(struct vmsim_object *obj, void *data)
{
	return vmsim_shadow_walk_leaves(&obj->shadow, vmsim_age_leaf, data);
}

/**
 * vmsim_age() - one aging pass over every resident page
 *
 * Folds the hardware accessed bits in (a bulk walk per leaf table, one TLB
 * flush at the end), and applies the second-chance rule.
 *
 * Context: vmsimd (it uses a buffer of its own).
 */
void vmsim_age(void)
{
	struct vmsim_aging ag = { 0 };

	vmsim_lru_drain_all();
	vmsim_walk_objects(vmsim_age_object, &ag);
	if (ag.young)
		vmsim_flush_tlb_all();
	vmsim_count(VMSIM_AGING_PASSES);
	vmsim_count_add(VMSIM_AGING_SCANNED, ag.scanned);
}
