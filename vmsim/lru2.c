// SPDX-License-Identifier: GPL-2.0
/*
 * lru2: two lists, active and inactive, with workingset refault distance:
 * Linux 6.1's shape for anonymous memory, with a CLOCK frequency count on
 * the active list.
 *
 * New pages enter the inactive list (or the active one, after a refault
 * within the workingset distance: workingset.c).  A scan of the inactive
 * tail promotes pages referenced twice (now and at an earlier scan or
 * aging pass, remembered in a REFERENCED bit) or young in several page
 * tables; one referenced once goes round again; the others are evicted.
 * The active list is aged into the inactive one whenever it holds more
 * than inactive_ratio times the inactive list.  Unlike Linux, which
 * deactivates even referenced anonymous pages, the active list is a CLOCK
 * with a two-bit frequency count: referenced since the last active scan
 * counts up (to 3), not referenced counts down, and only a page at the
 * bottom is deactivated, so frequently used pages outlast pages used in a
 * burst.
 *
 * Aging passes (policy.c, every pool/8 allocations once the pool is half
 * full) apply the inactive rule without moving pages off the lists, and
 * keep a referenced active page's reference for the next active scan; by
 * the time reclaim starts, pages used once have spent their reference and
 * hot pages are active.
 *
 * Policy bits: REFERENCED (bit 0) and FREQ (bits 1-2).  Ghost: the
 * eviction age and whether the page was active.
 */
#include <linux/module.h>

#include "param.h"
#include "policy.h"
#include "stat.h"
#include "workingset.h"

#define LRU2_INACTIVE		0
#define LRU2_ACTIVE		1

#define LRU2_REFERENCED		BIT(0)
#define LRU2_FREQ_SHIFT		1
#define LRU2_FREQ_MASK		(3U << LRU2_FREQ_SHIFT)

static unsigned int lru2_inactive_ratio = 1;
static struct vmsim_uint_param lru2_inactive_ratio_param = {
	.value = &lru2_inactive_ratio, .min = 1, .max = 32,
};
module_param_cb(inactive_ratio, &vmsim_uint_param_ops,
		&lru2_inactive_ratio_param, 0644);
MODULE_PARM_DESC(inactive_ratio, "lru2: age the active list when it holds more than this many times the inactive list (default 1)");

static unsigned int lru2_place(u64 *sptep, unsigned long pfn, u64 old,
			       enum vmsim_resident_how how, bool *tail)
{
	u32 ghost;

	if (how != VMSIM_RES_READAHEAD &&
	    vmsim_ghost_data(old, vmsim_policy_lru2.tag, &ghost) &&
	    vmsim_workingset_refault(ghost, vmsim_lru_count(LRU2_ACTIVE)))
		return LRU2_ACTIVE;
	return LRU2_INACTIVE;
}

static unsigned int lru2_adopt(u64 *sptep, unsigned long pfn, u64 e)
{
	vmsim_pbits_update(sptep, pfn, 0);
	return e & VMSIM_PTE_ACTIVE ? LRU2_ACTIVE : LRU2_INACTIVE;
}

/* mm/vmscan.c's inactive_is_low(), with the ratio a parameter. */
static bool lru2_inactive_is_low(void)
{
	unsigned long inactive = vmsim_lru_count(LRU2_INACTIVE);
	unsigned long active = vmsim_lru_count(LRU2_ACTIVE);

	return inactive * READ_ONCE(lru2_inactive_ratio) < active;
}

/*
 * Age a batch off the active tail: a page referenced since the last scan
 * counts up and goes round again; one that was not counts down, and
 * leaves for the inactive list when it reaches the bottom.
 */
static void lru2_scan_active(void)
{
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	bool referenced[VMSIM_SCAN_BATCH];
	unsigned int i, n;

	n = vmsim_scan_take(NULL, LRU2_ACTIVE, VMSIM_SCAN_BATCH, iso,
			    referenced);
	if (!n)
		return;
	vmsim_count_add(VMSIM_PGREFILL, n);
	for (i = 0; i < n; i++) {
		unsigned int bits = vmsim_pte_pbits(vmsim_pte_read(iso[i].sptep));
		unsigned int freq = (bits & LRU2_FREQ_MASK) >> LRU2_FREQ_SHIFT;

		if (referenced[i] || freq > 1) {
			freq = referenced[i] ? min(freq + 1, 3U) : freq - 1;
			vmsim_iso_pbits(&iso[i], freq << LRU2_FREQ_SHIFT);
			vmsim_scan_keep(&iso[i], LRU2_ACTIVE, false);
		} else {
			vmsim_iso_pbits(&iso[i], 0);
			vmsim_scan_keep(&iso[i], LRU2_INACTIVE, false);
			vmsim_count(VMSIM_PGDEACTIVATE);
		}
	}
}

/*
 * Scan a batch off the inactive tail: promote the referenced ones, evict
 * the others.
 */
static void lru2_scan_inactive(struct vmsim_scan *sc)
{
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	bool referenced[VMSIM_SCAN_BATCH], evict[VMSIM_SCAN_BATCH];
	unsigned int i, n;

	n = vmsim_scan_take(sc, LRU2_INACTIVE, VMSIM_SCAN_BATCH, iso,
			    referenced);
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		unsigned int bits = vmsim_pte_pbits(vmsim_pte_read(iso[i].sptep));

		evict[i] = !referenced[i];
		if (evict[i]) {
			vmsim_iso_pbits(&iso[i], 0);
		} else if ((bits & LRU2_REFERENCED) || iso[i].refs > 1) {
			/*
			 * Referenced twice (now and at an earlier scan), or
			 * young in several page tables: activate.
			 */
			vmsim_iso_pbits(&iso[i], 0);
			vmsim_scan_keep(&iso[i], LRU2_ACTIVE, false);
			vmsim_count(VMSIM_PGACTIVATE);
			vmsim_workingset_activation();
		} else {
			/* Once: another trip around the inactive list. */
			vmsim_iso_pbits(&iso[i], LRU2_REFERENCED);
			vmsim_scan_keep(&iso[i], LRU2_INACTIVE, false);
		}
	}
	vmsim_scan_evict(sc, iso, n, evict);
}

static void lru2_scan(struct vmsim_scan *sc)
{
	if (lru2_inactive_is_low())
		lru2_scan_active();
	lru2_scan_inactive(sc);
}

/*
 * The inactive rule applied by an aging pass: referenced in two passes in
 * a row: activate; in this one: remember it; not referenced: forget the
 * earlier reference.  An active page that was referenced keeps the
 * reference (the shadow ACCESSED bit) for the next active scan, which
 * would otherwise never learn of it: the pass has just cleared the
 * hardware bits.
 */
static void lru2_harvest(u64 *sptep, unsigned long pfn, u64 e, bool referenced)
{
	unsigned int bits = vmsim_pte_pbits(e);

	if (vmsim_pte_lru(e) == LRU2_ACTIVE) {
		if (referenced)
			vmsim_pte_update_present(sptep, pfn, 0,
						 VMSIM_PTE_ACCESSED);
		return;
	}
	if (!referenced) {
		vmsim_pbits_update(sptep, pfn, bits & ~LRU2_REFERENCED);
		return;
	}
	if (!(bits & LRU2_REFERENCED)) {
		vmsim_pbits_update(sptep, pfn, bits | LRU2_REFERENCED);
		return;
	}
	vmsim_pbits_update(sptep, pfn, 0);
	if (vmsim_lru_move(pfn_to_page(pfn), sptep, LRU2_INACTIVE, LRU2_ACTIVE,
			   false)) {
		vmsim_count(VMSIM_PGACTIVATE);
		vmsim_workingset_activation();
	}
}

static u64 lru2_evicted(u64 e)
{
	return vmsim_ghost(vmsim_policy_lru2.tag,
			   vmsim_workingset_eviction(e & VMSIM_PTE_ACTIVE));
}

static unsigned int lru2_cold(u64 e)
{
	if (e & VMSIM_PTE_ACTIVE)
		vmsim_count(VMSIM_PGDEACTIVATE);
	return LRU2_INACTIVE;
}

static unsigned int lru2_kept(u64 e, bool wanted)
{
	return wanted ? LRU2_ACTIVE : LRU2_INACTIVE;
}

struct vmsim_policy vmsim_policy_lru2 = {
	.name		= "lru2",
	.tag		= 1,
	.nr_lists	= 2,
	.list_names	= { "inactive", "active" },
	.active_lists	= BIT(LRU2_ACTIVE),
	.place		= lru2_place,
	.adopt		= lru2_adopt,
	.scan		= lru2_scan,
	.harvest	= lru2_harvest,
	.evicted	= lru2_evicted,
	.cold		= lru2_cold,
	.kept		= lru2_kept,
};
