// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim: which pages leave the pool, when, and who does the work.
 *
 * Watermarks (like the kernel's per-zone ones, from min_free_kbytes and
 * watermark_scale_factor) split the free frames into bands:
 *
 *   free >= high         nothing to do
 *   low  <= free < high  vmsimd, once woken, reclaims until free >= high
 *   min  <  free < low   an allocation wakes vmsimd
 *   free <= min          the faulting task reclaims itself (direct reclaim)
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
 * every pool/16 allocations once the pool is half full, it walks the page
 * tables of every object in bulk, and applies the same second-chance rule
 * to each inactive page it finds.  By the time reclaim starts, pages used
 * once have spent their reference and hot pages are active.
 *
 * Eviction (vmsim_evict()): a page that is still zero (never written, or
 * written only with zeroes) is dropped; anything else needs swap.  Its
 * shadow entry keeps an eviction age (mm/workingset.c): when the page
 * faults back in and fewer pages were evicted in between than the active
 * list holds, it goes straight to the active list.
 */
#include <linux/freezer.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

#include "vmsim.h"
#include "vmsim_trace.h"

/* Pages scanned per batch (and per TLB flush). */
#define VMSIM_SCAN_BATCH	16
/* How often a fault retries reclaim before it gives up with SIGBUS. */
#define VMSIM_MAX_RECLAIM_RETRIES 16

struct vmsim_watermarks vmsim_wmark;
static DEFINE_MUTEX(vmsim_wmark_lock);

static struct task_struct *vmsimd_task;
static DECLARE_WAIT_QUEUE_HEAD(vmsimd_wait);
/* Bumped by whatever may make reclaim possible again (see vmsimd()). */
static atomic_t vmsimd_kicks = ATOMIC_INIT(0);

/* Evictions and activations so far: the workingset clock. */
static atomic_long_t vmsim_nonresident_age = ATOMIC_LONG_INIT(0);
static unsigned int vmsim_bucket_order;

/* ------------------------------------------------------------------------
 * Watermarks
 */

/**
 * vmsim_watermarks_update() - recompute min/low/high from the parameters
 *
 * min is min_free_kbytes; low and high are min plus one and two steps of
 * max(min / 4, pool * watermark_scale_factor / 10000), as in
 * __setup_per_zone_wmarks().
 *
 * Context: Process context.
 */
void vmsim_watermarks_update(void)
{
	unsigned long pool = vmsim_pool.nr_frames, min, step;

	mutex_lock(&vmsim_wmark_lock);
	min = (unsigned long)READ_ONCE(vmsim_min_free_kbytes) >>
	      (PAGE_SHIFT - 10);
	min = clamp(min, 1UL, pool / 4);
	step = max(min / 4, mult_frac(pool, READ_ONCE(vmsim_wmark_scale_factor),
				      10000));
	WRITE_ONCE(vmsim_wmark.min, min);
	WRITE_ONCE(vmsim_wmark.low, min + step);
	WRITE_ONCE(vmsim_wmark.high, min + 2 * step);
	mutex_unlock(&vmsim_wmark_lock);
	vmsim_reclaim_kick();
}

/*
 * The kernel's default min_free_kbytes: sqrt(16 * pool in kB), between
 * 128 kB and 64 MiB (calculate_min_free_kbytes()).
 */
unsigned int vmsim_default_min_free_kbytes(unsigned long frames)
{
	unsigned long kb = frames << (PAGE_SHIFT - 10);

	return clamp(int_sqrt(kb * 16), 128UL, 65536UL);
}

/* Is free memory below @mark?  Exact near the mark, cheap far from it. */
static bool vmsim_free_below(unsigned long mark)
{
	return percpu_counter_compare(&vmsim_pool.nr_free, mark) < 0;
}

/**
 * vmsim_free_below_low() - are free frames below the low watermark?
 *
 * Context: Any context.
 */
bool vmsim_free_below_low(void)
{
	return vmsim_free_below(READ_ONCE(vmsim_wmark.low));
}

/* ------------------------------------------------------------------------
 * Workingset refault detection
 */
#define VMSIM_EVICTION_MASK	((1UL << VMSIM_EVICTION_BITS) - 1)

/* The shadow bits an evicted page keeps: its eviction age. */
static u64 vmsim_workingset_eviction(bool was_active)
{
	unsigned long age = atomic_long_inc_return(&vmsim_nonresident_age);

	return VMSIM_PTE_EVICTED | (was_active ? VMSIM_PTE_WORKINGSET : 0) |
	       ((u64)((age >> vmsim_bucket_order) & VMSIM_EVICTION_MASK)
		<< VMSIM_PTE_AGE_SHIFT);
}

/**
 * vmsim_workingset_refault() - an evicted page is coming back
 * @e: its shadow entry (EVICTED)
 *
 * Counts the refault, and decides whether the page goes straight to the
 * active list: if its refault distance (evictions and activations since it
 * left) is no larger than the active list, it would have stayed resident
 * had it been active, so it is part of the workingset.
 *
 * Context: Any context.
 * Return: true to activate the page.
 */
bool vmsim_workingset_refault(u64 e)
{
	unsigned long now = atomic_long_read(&vmsim_nonresident_age);
	unsigned long eviction = (e >> VMSIM_PTE_AGE_SHIFT) & VMSIM_EVICTION_MASK;
	unsigned long distance;

	distance = (((now >> vmsim_bucket_order) - eviction) &
		    VMSIM_EVICTION_MASK) << vmsim_bucket_order;
	vmsim_count(VMSIM_WORKINGSET_REFAULT);
	if (distance > READ_ONCE(vmsim_lru.nr[VMSIM_LRU_ACTIVE]))
		return false;
	vmsim_count(VMSIM_WORKINGSET_ACTIVATE);
	if (e & VMSIM_PTE_WORKINGSET)
		vmsim_count(VMSIM_WORKINGSET_RESTORE);
	atomic_long_inc(&vmsim_nonresident_age);
	return true;
}

/* ------------------------------------------------------------------------
 * Deciding and evicting
 */
/* Pages written per batch of bios, at most. */
#define VMSIM_WRITE_BATCH	64
/* vmsimd waits while this many pages are being written. */
#define VMSIM_MAX_WRITES_IN_FLIGHT 1024

struct vmsim_scan {
	bool direct;			/* a faulting task, not vmsimd */
	unsigned long scanned;
	unsigned long reclaimed;	/* freed, or on their way out */
	struct vmsim_isolated *wb;	/* pages to write, or NULL */
	unsigned int nr_wb;
};

/*
 * Was an isolated page referenced since the last scan?  Test-and-clear the
 * accessed bits of every real PTE that maps it, and its shadow ACCESSED
 * bit.  Records in @iso->refs how many page tables had it young (the
 * caller flushes the TLBs).
 */
static bool vmsim_page_referenced(struct vmsim_isolated *iso)
{
	bool shadow = vmsim_pte_test_and_clear(iso->sptep, VMSIM_PTE_ACCESSED);
	long young;

	young = vmsim_rmap_walk(iso->obj, iso->index, 1, NULL,
				VMSIM_WALK_CLEAR_YOUNG | VMSIM_WALK_NOFLUSH);
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

/* Can this dirty page be dropped without losing data? */
static bool vmsim_page_zero(struct page *page)
{
	void *addr = kmap_local_page(page);
	bool zero = !memchr_inv(addr, 0, PAGE_SIZE);

	kunmap_local(addr);
	return zero;
}

static void vmsim_isolated_done(struct vmsim_isolated *iso)
{
	vmsim_object_put(iso->obj);
}

/* Drop the frame of an evicted page; the entry already says where it went. */
static void vmsim_evict_frame(struct vmsim_isolated *iso)
{
	vmsim_lru_del(iso->page);
	iso->page->index = 0;
	put_page(iso->page);
	vmsim_frame_free(iso->page);
}

/*
 * Eviction comes in three steps, so that reclaim can unmap a batch of pages
 * with one TLB flush per run of neighbours instead of one per page:
 * vmsim_evict_lock() takes the entry and page locks (or gives up),
 * vmsim_evict_unmap() unmaps the locked pages everywhere, and
 * vmsim_evict_finish() decides where each page goes.  vmsim_evict() does
 * all three for one page.
 */

/*
 * Try-lock an isolated page's entry and page for eviction, after the cheap
 * checks.  Return VMSIM_EVICT_LOCKED, or VMSIM_EVICT_BUSY / VMSIM_EVICT_KEEP
 * with nothing held.
 */
static enum vmsim_evict_result vmsim_evict_lock(struct vmsim_isolated *iso)
{
	struct page *page = iso->page;
	u64 e;

	if (!vmsim_entry_trylock(iso->sptep))
		return VMSIM_EVICT_BUSY;
	e = vmsim_pte_read(iso->sptep);
	if (!(e & VMSIM_PTE_PRESENT) ||
	    vmsim_pte_pfn(e) != page_to_pfn(page)) {
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
		if (!atomic_long_read(&vmsim_swap_free)) {
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

/*
 * Unmap @nr locked pages everywhere: sorted by object and index, one
 * unmap_mapping_pages() (so one TLB flush) per run of consecutive pages.
 */
static void vmsim_evict_unmap(struct vmsim_isolated **isos, unsigned int nr)
{
	unsigned int i, n;

	sort(isos, nr, sizeof(*isos), vmsim_isolated_ptr_cmp, NULL);
	for (i = 0; i < nr; i += n) {
		for (n = 1; i + n < nr; n++)
			if (isos[i + n]->obj != isos[i]->obj ||
			    isos[i + n]->index != isos[i]->index + n)
				break;
		unmap_mapping_pages(vmsim_object_mapping(isos[i]->obj),
				    isos[i]->index, n, false);
	}
}

/**
 * vmsim_evict_finish() - take a locked, unmapped page out of the pool
 * @iso: the page, isolated, with its entry and page locked by
 *	vmsim_evict_lock() and unmapped by vmsim_evict_unmap()
 * @can_write: the caller can write the page out (it has a write batch)
 *
 * Checks that nobody else holds the page (a fault in progress, a GUP pin)
 * before it goes.  Where it goes:
 *  - a clean page in the swap cache: nowhere, its slot has it already;
 *  - a page that is still all zeroes: nowhere;
 *  - a dirty page: to a new swap slot.  Its entry is marked WRITEBACK and
 *    the caller writes it; vmsim_writeback_done() finishes the eviction.
 *    Without swap (or with swap full) it stays.
 * Either way the locks are released.
 *
 * Context: Process context.
 * Return: VMSIM_EVICT_DONE (the frame is back in the pool and the
 * isolation's references are gone but for the object's), VMSIM_EVICT_WRITE
 * (@iso->swp is set; the caller must write the page), VMSIM_EVICT_BUSY
 * (try later) or VMSIM_EVICT_KEEP (it cannot go while there is no swap).
 */
static enum vmsim_evict_result vmsim_evict_finish(struct vmsim_isolated *iso,
						  bool can_write)
{
	struct page *page = iso->page;
	u64 e = vmsim_pte_read(iso->sptep);
	bool zero;

	/* The pool's reference and the isolation's: anything more is a pin. */
	if (page_ref_count(page) != 2)
		goto busy;

	if (e & VMSIM_PTE_SWAPPED) {
		/* Clean in the swap cache: the slot has it. */
		vmsim_swp_t swp = page->index;

		vmsim_pte_update(iso->sptep, ~VMSIM_PTE_LOCKED,
				 VMSIM_PTE_SWAPPED | vmsim_swp_pte(swp) |
				 vmsim_workingset_eviction(e & VMSIM_PTE_ACTIVE));
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
		vmsim_swapped_add(iso->obj, 1);
		goto evicted;
	}

	/* Unmapped, so stable now: look again. */
	zero = !(e & VMSIM_PTE_DIRTY) || vmsim_page_zero(page);
	if (zero) {
		vmsim_pte_update(iso->sptep, ~VMSIM_PTE_LOCKED,
				 vmsim_workingset_eviction(e & VMSIM_PTE_ACTIVE));
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
	if (!can_write || vmsim_swap_alloc(1, &iso->swp) != 1)
		goto busy;
	/*
	 * The checksum is of what goes out now; if the page is written again
	 * while the write is in flight it becomes DIRTY, and its slot is let
	 * go when the write completes.
	 */
	vmsim_swap_set_crc(iso->swp, page);
	page->index = iso->swp;
	vmsim_pte_update(iso->sptep, VMSIM_PTE_DIRTY,
			 VMSIM_PTE_SWAPPED | VMSIM_PTE_WRITEBACK);
	vmsim_dirty_add(iso->obj, -1);
	vmsim_stat_add(VMSIM_NR_SWAPCACHE, 1);
	vmsim_stat_add(VMSIM_NR_WRITEBACK, 1);
	unlock_page(page);
	vmsim_entry_unlock(iso->sptep);
	return VMSIM_EVICT_WRITE;

evicted:
	vmsim_resident_add(iso->obj, -1);
	unlock_page(page);
	vmsim_entry_unlock(iso->sptep);
	vmsim_evict_frame(iso);
	return VMSIM_EVICT_DONE;

busy:
	unlock_page(page);
	vmsim_entry_unlock(iso->sptep);
	return VMSIM_EVICT_BUSY;
}

/* All three steps for one page. */
static enum vmsim_evict_result vmsim_evict(struct vmsim_isolated *iso,
					   bool can_write)
{
	enum vmsim_evict_result r = vmsim_evict_lock(iso);

	if (r != VMSIM_EVICT_LOCKED)
		return r;
	vmsim_evict_unmap(&iso, 1);
	return vmsim_evict_finish(iso, can_write);
}

int vmsim_isolated_cmp(const void *a, const void *b)
{
	const struct vmsim_isolated *x = a, *y = b;

	return x->swp < y->swp ? -1 : x->swp > y->swp;
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

/**
 * vmsim_writeback_done() - a page's write to swap has finished
 * @iso: the page, still isolated by the reclaim that wrote it
 * @err: 0, the write's error, or -ENOMEM if it never went out
 * @direct: it was written by a faulting task (for the counters)
 *
 * If the page is still unmapped, clean and unreferenced, it leaves the
 * pool: its entry now points at the slot.  If it was faulted in again
 * meanwhile it stays, in the swap cache (clean) or dirty (its slot is
 * stale and let go).  If the write failed it stays dirty and the slot is
 * not used again.
 *
 * Context: Process context (the I/O worker, or reclaim undoing a batch).
 * Takes the entry lock.
 */
void vmsim_writeback_done(struct vmsim_isolated *iso, int err, bool direct)
{
	struct page *page = iso->page;
	enum vmsim_lru_list lru = VMSIM_LRU_INACTIVE;
	u64 e;

	trace_vmsim_swap_out_done(iso->obj->id, iso->index,
				  vmsim_swp_type(iso->swp),
				  vmsim_swp_offset(iso->swp), err);
	vmsim_entry_lock(iso->sptep);
	e = vmsim_pte_read(iso->sptep);
	vmsim_stat_add(VMSIM_NR_WRITEBACK, -1);
	if (!(e & VMSIM_PTE_PRESENT) || vmsim_pte_pfn(e) != page_to_pfn(page)) {
		/* Cannot happen: the page was isolated and its object held. */
		pr_err("object %llu page %lu changed under writeback\n",
		       iso->obj->id, iso->index);
		goto out_unlock;
	}

	if (err) {
		/* Not written (or badly): it stays, dirty, with no slot. */
		if (err == -ENOMEM)
			vmsim_swap_free_slot(iso->swp);
		vmsim_pte_update(iso->sptep, VMSIM_PTE_SWAPPED |
				 VMSIM_PTE_WRITEBACK, 0);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
		vmsim_entry_set_dirty(iso->obj, iso->sptep);
		page->index = 0;
		goto out_putback;
	}
	if (e & VMSIM_PTE_DIRTY) {
		/* Written again while it went out: the copy is stale. */
		vmsim_swap_free_slot(iso->swp);
		vmsim_pte_update(iso->sptep, VMSIM_PTE_SWAPPED |
				 VMSIM_PTE_WRITEBACK, 0);
		vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
		page->index = 0;
		lru = VMSIM_LRU_ACTIVE;
		goto out_putback;
	}
	if (folio_mapped(page_folio(page)) || page_ref_count(page) != 2) {
		/* Faulted in again (read): keep it, in the swap cache. */
		vmsim_pte_update(iso->sptep, VMSIM_PTE_WRITEBACK, 0);
		lru = VMSIM_LRU_ACTIVE;
		goto out_putback;
	}

	/* Out: the entry points at the slot now. */
	vmsim_pte_update(iso->sptep, ~VMSIM_PTE_LOCKED,
			 VMSIM_PTE_SWAPPED | vmsim_swp_pte(iso->swp) |
			 vmsim_workingset_eviction(e & VMSIM_PTE_ACTIVE));
	vmsim_stat_add(VMSIM_NR_SWAPCACHE, -1);
	vmsim_resident_add(iso->obj, -1);
	vmsim_swapped_add(iso->obj, 1);
	vmsim_entry_unlock(iso->sptep);
	vmsim_writeback_wake(iso->sptep);
	vmsim_evict_frame(iso);
	vmsim_count(direct ? VMSIM_PGSTEAL_DIRECT : VMSIM_PGSTEAL_KSWAPD);
	vmsim_isolated_done(iso);
	return;

out_putback:
	vmsim_entry_unlock(iso->sptep);
	vmsim_writeback_wake(iso->sptep);
	vmsim_lru_putback(page, lru, false);
	vmsim_isolated_done(iso);
	return;
out_unlock:
	vmsim_entry_unlock(iso->sptep);
	put_page(page);
	vmsim_isolated_done(iso);
}

/* Send the pages waiting in the write batch to the block layer. */
static void vmsim_flush_writes(struct vmsim_scan *sc)
{
	unsigned int i, sent;

	if (!sc->nr_wb)
		return;
	sent = vmsim_swap_write(sc->wb, sc->nr_wb, sc->direct);
	/* No memory for the bookkeeping: these stay, as if never picked. */
	for (i = sent; i < sc->nr_wb; i++)
		vmsim_writeback_done(&sc->wb[i], -ENOMEM, sc->direct);
	sc->nr_wb = 0;
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
	if (sc->wb && sc->nr_wb + n > VMSIM_WRITE_BATCH)
		vmsim_flush_writes(sc);
	sc->scanned += n;
	vmsim_count_add(sc->direct ? VMSIM_PGSCAN_DIRECT : VMSIM_PGSCAN_KSWAPD,
			n);
	vmsim_pages_referenced(iso, n, referenced);

	/* Lock the pages that go, unmap them together, then finish each. */
	for (i = 0; i < n; i++) {
		if (referenced[i])
			continue;
		vmsim_pte_test_and_clear(iso[i].sptep, VMSIM_PTE_REFERENCED);
		result[i] = vmsim_evict_lock(&iso[i]);
		if (result[i] == VMSIM_EVICT_LOCKED)
			locked[nr_locked++] = &iso[i];
	}
	if (nr_locked)
		vmsim_evict_unmap(locked, nr_locked);

	for (i = 0; i < n; i++) {
		u64 *sptep = iso[i].sptep;

		if (referenced[i]) {
			/*
			 * Referenced twice (now and at an earlier scan), or
			 * young in several page tables: activate.  Once: give
			 * it another trip around the inactive list.
			 */
			if (vmsim_pte_test_and_clear(sptep,
						     VMSIM_PTE_REFERENCED) ||
			    iso[i].refs > 1) {
				vmsim_lru_putback(iso[i].page, VMSIM_LRU_ACTIVE,
						  false);
				vmsim_count(VMSIM_PGACTIVATE);
				atomic_long_inc(&vmsim_nonresident_age);
			} else {
				vmsim_pte_set(sptep, VMSIM_PTE_REFERENCED);
				vmsim_lru_putback(iso[i].page,
						  VMSIM_LRU_INACTIVE, false);
			}
		} else {
			if (result[i] == VMSIM_EVICT_LOCKED)
				result[i] = vmsim_evict_finish(&iso[i], sc->wb);
			switch (result[i]) {
			case VMSIM_EVICT_DONE:
				sc->reclaimed++;
				vmsim_count(sc->direct ? VMSIM_PGSTEAL_DIRECT :
					    VMSIM_PGSTEAL_KSWAPD);
				break;
			case VMSIM_EVICT_WRITE:
				/* The write batch owns it now, references too. */
				sc->wb[sc->nr_wb++] = iso[i];
				sc->reclaimed++;
				continue;
			case VMSIM_EVICT_BUSY:
				vmsim_lru_putback(iso[i].page,
						  VMSIM_LRU_INACTIVE, false);
				break;
			case VMSIM_EVICT_KEEP:
				/* Data and nowhere to put it: park it. */
				vmsim_lru_putback(iso[i].page,
						  VMSIM_LRU_UNEVICTABLE, false);
				vmsim_count(VMSIM_UNEVICTABLE);
				break;
			case VMSIM_EVICT_LOCKED:
				break;	/* cannot happen: finished above */
			}
		}
		vmsim_isolated_done(&iso[i]);
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
		u64 *sptep = iso[i].sptep;
		u64 e = vmsim_pte_read(sptep);
		unsigned int freq = (e & VMSIM_PTE_FREQ_MASK) >>
				    VMSIM_PTE_FREQ_SHIFT;

		if (referenced[i] || freq > 1) {
			freq = referenced[i] ? min(freq + 1, 3U) : freq - 1;
			vmsim_pte_update(sptep, VMSIM_PTE_FREQ_MASK,
					 (u64)freq << VMSIM_PTE_FREQ_SHIFT);
			vmsim_lru_putback(iso[i].page, VMSIM_LRU_ACTIVE, false);
		} else {
			vmsim_pte_update(sptep, VMSIM_PTE_FREQ_MASK |
					 VMSIM_PTE_REFERENCED, 0);
			vmsim_lru_putback(iso[i].page, VMSIM_LRU_INACTIVE,
					  false);
			vmsim_count(VMSIM_PGDEACTIVATE);
		}
		vmsim_isolated_done(&iso[i]);
	}
}

/* mm/vmscan.c's inactive_is_low(), with the ratio a parameter. */
static bool vmsim_inactive_is_low(void)
{
	unsigned long inactive = READ_ONCE(vmsim_lru.nr[VMSIM_LRU_INACTIVE]);
	unsigned long active = READ_ONCE(vmsim_lru.nr[VMSIM_LRU_ACTIVE]);

	return inactive * READ_ONCE(vmsim_inactive_ratio) < active;
}

/**
 * vmsim_shrink() - reclaim frames
 * @nr: how many to try for
 * @direct: the caller is a faulting task (counted apart from vmsimd)
 *
 * Scans at most the whole LRU twice over, so it always ends.
 *
 * Context: Process context; may sleep.  The caller may hold one entry lock.
 * Return: frames reclaimed.
 */
unsigned long vmsim_shrink(unsigned long nr, bool direct)
{
	struct vmsim_scan sc = { .direct = direct };
	unsigned long budget;

	/*
	 * GFP_NOIO: this may run in a fault under memory pressure.  Without
	 * the batch, reclaim only drops pages that need no write.
	 */
	if (vmsim_swap_on())
		sc.wb = kmalloc_array(VMSIM_WRITE_BATCH, sizeof(*sc.wb),
				      GFP_NOIO | __GFP_NOWARN);
	vmsim_lru_drain_all();
	budget = 2 * (READ_ONCE(vmsim_lru.nr[VMSIM_LRU_ACTIVE]) +
		      READ_ONCE(vmsim_lru.nr[VMSIM_LRU_INACTIVE])) +
		 VMSIM_SCAN_BATCH;
	while (sc.reclaimed < nr && sc.scanned < budget) {
		unsigned long before = sc.scanned;

		if (vmsim_inactive_is_low())
			vmsim_shrink_active(&sc);
		vmsim_shrink_inactive(&sc);
		if (sc.scanned == before &&
		    !READ_ONCE(vmsim_lru.nr[VMSIM_LRU_ACTIVE]))
			break;
		if (sc.scanned == before)
			sc.scanned += VMSIM_SCAN_BATCH;	/* only aged */
		cond_resched();
	}
	if (sc.wb) {
		vmsim_flush_writes(&sc);
		kfree(sc.wb);
	}
	trace_vmsim_reclaim(nr, sc.scanned, sc.reclaimed, direct);
	return sc.reclaimed;
}

/**
 * vmsim_pageout() - evict one page now, whether referenced or not
 * @obj: the object
 * @sptep: the page's entry (not locked)
 *
 * Context: Process context; may sleep.
 * Return: true if the page left the pool.
 */
bool vmsim_pageout(struct vmsim_object *obj, u64 *sptep)
{
	struct vmsim_isolated iso;
	enum vmsim_evict_result r;
	struct page *page;
	u64 e;

	e = vmsim_pte_read(sptep);
	if (!(e & VMSIM_PTE_PRESENT))
		return false;
	page = pfn_to_page(vmsim_pte_pfn(e));

	/* Isolate it, if it is on a list and still this entry's. */
	spin_lock(&vmsim_lru.lock);
	if (list_empty(&page->lru) || page_private(page) != (unsigned long)sptep) {
		spin_unlock(&vmsim_lru.lock);
		return false;
	}
	vmsim_lru_del_locked(page);
	get_page(page);
	spin_unlock(&vmsim_lru.lock);

	iso.page = page;
	iso.obj = vmsim_entry_object(sptep, &iso.index);
	iso.sptep = sptep;
	kref_get(&iso.obj->ref);
	r = vmsim_evict(&iso, true);
	if (r == VMSIM_EVICT_WRITE) {
		if (!vmsim_swap_write(&iso, 1, false))
			vmsim_writeback_done(&iso, -ENOMEM, false);
		vmsim_count(VMSIM_PGSTEAL_PAGEOUT);
		return true;
	}
	if (r == VMSIM_EVICT_DONE) {
		vmsim_isolated_done(&iso);
		vmsim_count(VMSIM_PGSTEAL_PAGEOUT);
		return true;
	}
	vmsim_isolated_done(&iso);
	if (r == VMSIM_EVICT_KEEP)
		vmsim_lru_putback(page, VMSIM_LRU_UNEVICTABLE, false);
	else
		vmsim_lru_putback(page, e & VMSIM_PTE_ACTIVE ?
				  VMSIM_LRU_ACTIVE : VMSIM_LRU_INACTIVE, false);
	return false;
}

/**
 * vmsim_deactivate() - move a page to the inactive tail, to go first
 * @sptep: the page's entry (not locked)
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_deactivate(u64 *sptep)
{
	u64 e = vmsim_pte_read(sptep);
	struct page *page;

	if (!(e & VMSIM_PTE_PRESENT))
		return;
	page = pfn_to_page(vmsim_pte_pfn(e));
	vmsim_pte_update(sptep, VMSIM_PTE_REFERENCED | VMSIM_PTE_FREQ_MASK, 0);
	spin_lock(&vmsim_lru.lock);
	if (!list_empty(&page->lru) &&
	    page_private(page) == (unsigned long)sptep) {
		if (e & VMSIM_PTE_ACTIVE)
			vmsim_count(VMSIM_PGDEACTIVATE);
		vmsim_lru_del_locked(page);
		vmsim_lru_add_locked(page, VMSIM_LRU_INACTIVE, true);
	}
	spin_unlock(&vmsim_lru.lock);
}

/* ------------------------------------------------------------------------
 * Proactive aging
 */

/* Frames allocated while the pool was half full, since the last pass. */
static struct percpu_counter vmsim_age_allocs;

/* vmsimd's buffer for one leaf table's worth of PTE bits. */
static u8 vmsim_age_bits[VMSIM_TABLE_ENTRIES];

struct vmsim_aging {
	unsigned long young;		/* hardware accessed bits cleared */
	unsigned long scanned;
};

/*
 * The second-chance rule applied to an inactive page outside reclaim:
 * referenced in two passes in a row: activate; in this one: remember it;
 * not referenced: forget the earlier reference.
 */
static void vmsim_age_entry(u64 *sptep, bool referenced)
{
	u64 e = vmsim_pte_read(sptep);
	struct page *page;

	if (e & (VMSIM_PTE_ACTIVE | VMSIM_PTE_UNEVICTABLE))
		return;
	if (!referenced) {
		vmsim_pte_test_and_clear(sptep, VMSIM_PTE_REFERENCED);
		return;
	}
	if (!vmsim_pte_test_and_clear(sptep, VMSIM_PTE_REFERENCED)) {
		vmsim_pte_set(sptep, VMSIM_PTE_REFERENCED);
		return;
	}
	page = pfn_to_page(vmsim_pte_pfn(e));
	spin_lock(&vmsim_lru.lock);
	/* Still this entry's frame, on the inactive list? */
	if (!list_empty(&page->lru) &&
	    page_private(page) == (unsigned long)sptep &&
	    !(vmsim_pte_read(sptep) & (VMSIM_PTE_ACTIVE |
				       VMSIM_PTE_UNEVICTABLE))) {
		vmsim_lru_del_locked(page);
		vmsim_lru_add_locked(page, VMSIM_LRU_ACTIVE, false);
		vmsim_count(VMSIM_PGACTIVATE);
		atomic_long_inc(&vmsim_nonresident_age);
	}
	spin_unlock(&vmsim_lru.lock);
}

static int vmsim_age_leaf(struct vmsim_object *obj, pgoff_t base, u64 *table,
			  void *data)
{
	struct vmsim_aging *ag = data;
	unsigned int i;
	long young;

	memset(vmsim_age_bits, 0, sizeof(vmsim_age_bits));
	young = vmsim_rmap_walk(obj, base, VMSIM_TABLE_ENTRIES, vmsim_age_bits,
				VMSIM_WALK_CLEAR_YOUNG | VMSIM_WALK_NOFLUSH);
	if (young > 0)
		ag->young += young;
	for (i = 0; i < VMSIM_TABLE_ENTRIES; i++) {
		u64 *sptep = &table[i];
		bool referenced;

		if (!(vmsim_pte_read(sptep) & VMSIM_PTE_PRESENT))
			continue;
		ag->scanned++;
		referenced = vmsim_pte_test_and_clear(sptep,
						      VMSIM_PTE_ACCESSED);
		if (vmsim_age_bits[i] & VMSIM_WALK_YOUNG)
			referenced = true;
		vmsim_age_entry(sptep, referenced);
	}
	cond_resched();
	return kthread_should_stop() ? -EINTR : 0;
}

static int vmsim_age_object(struct vmsim_object *obj, void *data)
{
	return vmsim_shadow_walk_leaves(obj, vmsim_age_leaf, data);
}

/*
 * One aging pass over every resident page: fold the hardware accessed bits
 * in (a bulk walk per leaf table, one TLB flush at the end), and apply the
 * second-chance rule.
 */
static void vmsim_age(void)
{
	struct vmsim_aging ag = { 0 };

	vmsim_lru_drain_all();
	vmsim_walk_objects(vmsim_age_object, &ag);
	if (ag.young)
		vmsim_flush_tlb_all();
	vmsim_count(VMSIM_AGING_PASSES);
	vmsim_count_add(VMSIM_AGING_SCANNED, ag.scanned);
}

/* Is an aging pass due: pool/8 allocations since the last one? */
static bool vmsim_aging_due(void)
{
	return percpu_counter_read(&vmsim_age_allocs) >=
	       (s64)(vmsim_pool.nr_frames / 8);
}

/* ------------------------------------------------------------------------
 * Who reclaims: vmsimd and the faulting task
 */

/**
 * vmsim_reclaim_kick() - something changed that may make reclaim possible
 *
 * Ends vmsimd's back-off after a pass that could reclaim nothing.
 *
 * Context: Any context.
 */
void vmsim_reclaim_kick(void)
{
	atomic_inc(&vmsimd_kicks);
	wake_up_interruptible(&vmsimd_wait);
}

static void vmsim_wakeup_vmsimd(void)
{
	if (wq_has_sleeper(&vmsimd_wait)) {
		trace_vmsim_wakeup_vmsimd(vmsim_nr_free(),
					  READ_ONCE(vmsim_wmark.low));
		wake_up_interruptible(&vmsimd_wait);
	}
}

/*
 * The kswapd of the pool.  Sleeps until free frames drop below low, then
 * reclaims until they are back above high; it also runs an aging pass
 * whenever pool/8 frames were allocated past the half-full mark.  A pass that
 * reclaims nothing (every page holds data and there is no swap) does not
 * spin: the thread sleeps, doubling the wait up to 8 s, until a kick says
 * something changed.
 */
static int vmsimd(void *unused)
{
	unsigned long backoff = HZ / 10;
	int kicks;

	set_freezable();
	while (!kthread_should_stop()) {
		wait_event_freezable(vmsimd_wait, kthread_should_stop() ||
				     vmsim_free_below(READ_ONCE(vmsim_wmark.low)) ||
				     vmsim_aging_due());
		if (kthread_should_stop())
			break;
		if (vmsim_aging_due()) {
			percpu_counter_set(&vmsim_age_allocs, 0);
			vmsim_age();
		}
		if (!vmsim_free_below(READ_ONCE(vmsim_wmark.low)))
			continue;

		vmsim_count(VMSIM_PAGEOUTRUN);
		kicks = atomic_read(&vmsimd_kicks);
		while (vmsim_free_below(READ_ONCE(vmsim_wmark.high)) &&
		       !kthread_should_stop()) {
			/* Do not queue more than the disk can take. */
			wait_event_timeout(vmsim_writeback_wait,
					   atomic_long_read(&vmsim_writes_in_flight) <
					   VMSIM_MAX_WRITES_IN_FLIGHT, HZ);
			if (!vmsim_shrink(VMSIM_WRITE_BATCH, false))
				break;
		}
		if (!vmsim_free_below(READ_ONCE(vmsim_wmark.high))) {
			backoff = HZ / 10;
			continue;
		}
		/* No progress: wait for a change, or try again later. */
		vmsim_count(VMSIM_KSWAPD_STUCK);
		wait_event_freezable_timeout(vmsimd_wait,
					     kthread_should_stop() ||
					     atomic_read(&vmsimd_kicks) != kicks,
					     backoff);
		backoff = min(backoff * 2, 8UL * HZ);
	}
	return 0;
}

/* Count an allocation towards the next aging pass (once half full). */
static void vmsim_note_alloc(void)
{
	if (!vmsim_free_below(vmsim_pool.nr_frames / 2))
		return;
	percpu_counter_add_batch(&vmsim_age_allocs, 1, 32);
	if (vmsim_aging_due())
		vmsim_wakeup_vmsimd();
}

/**
 * vmsim_frame_alloc_reclaim() - a frame for a page, reclaiming if need be
 * @unzeroed: the caller overwrites the whole frame (a swap-in): a frame not
 *	yet zeroed will do
 *
 * Wakes vmsimd when free frames are below low; reclaims directly when they
 * are at or below min, or when there is none at all.  Gives up (and the
 * fault gets SIGBUS) only when there is no free frame and reclaim, tried
 * again and again, made no progress.
 *
 * Context: Process context; may sleep.  The caller may hold one entry lock.
 * Return: a frame (zero-filled unless @unzeroed), or NULL.
 */
struct page *vmsim_frame_alloc_reclaim(bool unzeroed)
{
	unsigned int tries = 0, stalled = 0;
	struct page *page;

	for (;;) {
		bool below_min = vmsim_free_below(READ_ONCE(vmsim_wmark.min) + 1);

		if (vmsim_free_below(READ_ONCE(vmsim_wmark.low)))
			vmsim_wakeup_vmsimd();
		if (below_min && current != vmsimd_task) {
			vmsim_count(VMSIM_ALLOCSTALL);
			stalled = vmsim_shrink(VMSIM_SCAN_BATCH, true) ? 0 :
				  stalled + 1;
		}
		page = unzeroed ? vmsim_frame_alloc_unzeroed() :
				  vmsim_frame_alloc();
		if (page) {
			vmsim_note_alloc();
			return page;
		}
		/* Nothing free at all: reclaim before trying again. */
		if (!below_min) {
			vmsim_count(VMSIM_ALLOCSTALL);
			stalled = vmsim_shrink(VMSIM_SCAN_BATCH, true) ? 0 :
				  stalled + 1;
		}
		if (fatal_signal_pending(current))
			return NULL;
		/* Frames are on their way back from swap writes: wait for them. */
		if (atomic_long_read(&vmsim_writes_in_flight)) {
			wait_event_timeout(vmsim_writeback_wait,
					   !vmsim_free_below(1) ||
					   !atomic_long_read(&vmsim_writes_in_flight),
					   HZ / 10);
			continue;
		}
		if (stalled >= 2 || ++tries > VMSIM_MAX_RECLAIM_RETRIES)
			return NULL;
		cond_resched();
	}
}

int vmsim_reclaim_init(void)
{
	unsigned long frames = vmsim_pool.nr_frames;
	int err;

	vmsim_bucket_order = max_t(int, 0, fls_long(frames * 2) -
					   VMSIM_EVICTION_BITS);
	err = percpu_counter_init(&vmsim_age_allocs, 0, GFP_KERNEL);
	if (err)
		return err;
	vmsim_watermarks_update();
	vmsimd_task = kthread_run(vmsimd, NULL, "vmsimd");
	if (IS_ERR(vmsimd_task)) {
		percpu_counter_destroy(&vmsim_age_allocs);
		return PTR_ERR(vmsimd_task);
	}
	return 0;
}

void vmsim_reclaim_exit(void)
{
	kthread_stop(vmsimd_task);
	vmsimd_task = NULL;
	percpu_counter_destroy(&vmsim_age_allocs);
}
