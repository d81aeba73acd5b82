// SPDX-License-Identifier: GPL-2.0
/*
 * clock: one CLOCK (second chance) over every resident page.
 *
 * The pages form a ring (one list); the hand is its tail.  A page the hand
 * finds referenced (its accessed bits, or a reference an aging pass
 * noted) loses the reference and gets a second chance: it goes round again.
 * One found unreferenced is evicted.  Corbató's 1968 algorithm, the
 * accessed-bit form of LRU that most VM courses start from.
 *
 * Policy bits: REFERENCED (bit 0), set by aging passes.  No ghost data.
 */
#include "policy.h"

#define CLOCK_RING		0
#define CLOCK_REFERENCED	BIT(0)

enum { CLOCK_SECOND_CHANCES };

static unsigned int clock_place(u64 *sptep, unsigned long pfn, u64 old,
				enum vmsim_resident_how how, bool *tail)
{
	return CLOCK_RING;
}

static unsigned int clock_adopt(u64 *sptep, unsigned long pfn, u64 e)
{
	vmsim_pbits_update(sptep, pfn, 0);
	return CLOCK_RING;
}

static void clock_scan(struct vmsim_scan *sc)
{
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	bool referenced[VMSIM_SCAN_BATCH], evict[VMSIM_SCAN_BATCH];
	unsigned int i, n;

	n = vmsim_scan_take(sc, CLOCK_RING, VMSIM_SCAN_BATCH, iso, referenced);
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		unsigned int bits = vmsim_pte_pbits(vmsim_pte_read(iso[i].sptep));

		evict[i] = !referenced[i] && !(bits & CLOCK_REFERENCED);
		if (evict[i])
			continue;
		vmsim_iso_pbits(&iso[i], 0);
		vmsim_scan_keep(&iso[i], CLOCK_RING, false);
		vmsim_policy_count(&vmsim_policy_clock, CLOCK_SECOND_CHANCES);
	}
	vmsim_scan_evict(sc, iso, n, evict);
}

static void clock_harvest(u64 *sptep, unsigned long pfn, u64 e,
			  bool referenced)
{
	if (referenced)
		vmsim_pbits_update(sptep, pfn, CLOCK_REFERENCED);
}

static u64 clock_evicted(u64 e)
{
	return vmsim_ghost(vmsim_policy_clock.tag, 0);
}

static unsigned int clock_cold(u64 e)
{
	return CLOCK_RING;
}

static unsigned int clock_kept(u64 e, bool wanted)
{
	return CLOCK_RING;
}

struct vmsim_policy vmsim_policy_clock = {
	.name		= "clock",
	.tag		= 2,
	.nr_lists	= 1,
	.list_names	= { "ring" },
	.active_lists	= 0,
	.stat_names	= { "second_chances" },
	.place		= clock_place,
	.adopt		= clock_adopt,
	.scan		= clock_scan,
	.harvest	= clock_harvest,
	.evicted	= clock_evicted,
	.cold		= clock_cold,
	.kept		= clock_kept,
};
