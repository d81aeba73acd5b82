// SPDX-License-Identifier: GPL-2.0
/*
 * fifo: the page that came in first goes first, used or not.
 *
 * One list, in the order pages got their frames; reclaim takes the oldest
 * and never asks whether it was referenced.  The textbook baseline (and
 * the one with Belady's anomaly: more frames can mean more faults).
 *
 * No policy bits, no ghost data.
 */
#include "policy.h"

#define FIFO_QUEUE	0

static unsigned int fifo_place(u64 *sptep, unsigned long pfn, u64 old,
			       enum vmsim_resident_how how, bool *tail)
{
	return FIFO_QUEUE;
}

static unsigned int fifo_adopt(u64 *sptep, unsigned long pfn, u64 e)
{
	vmsim_pbits_update(sptep, pfn, 0);
	return FIFO_QUEUE;
}

static void fifo_scan(struct vmsim_scan *sc)
{
	static const bool evict[VMSIM_SCAN_BATCH] = {
		[0 ... VMSIM_SCAN_BATCH - 1] = true,
	};
	struct vmsim_isolated iso[VMSIM_SCAN_BATCH];
	unsigned int n;

	n = vmsim_scan_take(sc, FIFO_QUEUE, VMSIM_SCAN_BATCH, iso, NULL);
	if (!n)
		return;
	vmsim_scan_evict(sc, iso, n, evict);
}

static void fifo_harvest(u64 *sptep, unsigned long pfn, u64 e,
			 bool referenced)
{
}

static u64 fifo_evicted(u64 e)
{
	return vmsim_ghost(vmsim_policy_fifo.tag, 0);
}

static unsigned int fifo_cold(u64 e)
{
	return FIFO_QUEUE;
}

static unsigned int fifo_kept(u64 e, bool wanted)
{
	return FIFO_QUEUE;
}

struct vmsim_policy vmsim_policy_fifo = {
	.name		= "fifo",
	.tag		= 3,
	.nr_lists	= 1,
	.list_names	= { "queue" },
	.active_lists	= 0,
	.place		= fifo_place,
	.adopt		= fifo_adopt,
	.scan		= fifo_scan,
	.harvest	= fifo_harvest,
	.evicted	= fifo_evicted,
	.cold		= fifo_cold,
	.kept		= fifo_kept,
};
