// SPDX-License-Identifier: GPL-2.0
/*
 * random: reclaim takes a resident page at random.
 *
 * Victims are frames of the pool chosen uniformly at random
 * (vmsim_pool_random_frame()); one that holds a page on the policy's list
 * goes.  The baseline every other policy must beat, and the one no access
 * pattern can trap: a loop slightly larger than memory, which makes LRU
 * miss every time, costs random only a fraction.
 *
 * No policy bits, no ghost data.
 */
#include <linux/prandom.h>

#include "policy.h"
#include "pool.h"

#define RANDOM_ALL	0

static unsigned int random_place(u64 *sptep, unsigned long pfn, u64 old,
				 enum vmsim_resident_how how, bool *tail)
{
	return RANDOM_ALL;
}

static unsigned int random_adopt(u64 *sptep, unsigned long pfn, u64 e)
{
	vmsim_pbits_update(sptep, pfn, 0);
	return RANDOM_ALL;
}

static void random_scan(struct vmsim_scan *sc)
{
	static const bool evict[VMSIM_SCAN_BATCH] = {
		[0 ... VMSIM_SCAN_BATCH - 1] = true,
	};
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	unsigned int n = 0, tries;

	/* Most frames hold a page when the pool is short: few tries. */
	for (tries = 0; tries < 4 * VMSIM_SCAN_BATCH && n < VMSIM_SCAN_BATCH;
	     tries++)
		n += vmsim_lru_isolate_page(vmsim_pool_random_frame(), NULL,
					    RANDOM_ALL, &iso[n]);
	if (!n)
		n = vmsim_lru_isolate(RANDOM_ALL, VMSIM_SCAN_BATCH, iso);
	if (!n)
		return;
	vmsim_scan_account(sc, n);
	vmsim_scan_evict(sc, iso, n, evict);
}

static void random_harvest(u64 *sptep, unsigned long pfn, u64 e,
			   bool referenced)
{
}

static u64 random_evicted(u64 e)
{
	return vmsim_ghost(vmsim_policy_random.tag, 0);
}

static unsigned int random_cold(u64 e)
{
	return RANDOM_ALL;
}

static unsigned int random_kept(u64 e, bool wanted)
{
	return RANDOM_ALL;
}

struct vmsim_policy vmsim_policy_random = {
	.name		= "random",
	.tag		= 4,
	.nr_lists	= 1,
	.list_names	= { "all" },
	.active_lists	= 0,
	.place		= random_place,
	.adopt		= random_adopt,
	.scan		= random_scan,
	.harvest	= random_harvest,
	.evicted	= random_evicted,
	.cold		= random_cold,
	.kept		= random_kept,
};
