/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event counters and gauges (stat.c): per-CPU, summed when read.
 */
#ifndef _VMSIM_STAT_H
#define _VMSIM_STAT_H

#include <linux/percpu.h>

#include "vmsim.h"

enum vmsim_event {
	VMSIM_PGFAULT,		/* faults handled by ->fault */
	VMSIM_PGMAJFAULT,	/* faults that waited for swap I/O */
	VMSIM_PGALLOC,		/* frames taken from the free lists */
	VMSIM_PGFREE,		/* frames given back to the free lists */
	VMSIM_ZERO_FILL,	/* frames zeroed on the fault path */
	VMSIM_ZERO_MAP,		/* read faults given the zero frame */
	VMSIM_FAULT_AROUND,	/* pages mapped by fault-around */
	VMSIM_OOM,		/* faults answered with SIGBUS: no frame */
	VMSIM_ORPHANED,		/* frames released while still pinned */
	VMSIM_PGSCAN_KSWAPD,	/* inactive pages scanned by vmsimd */
	VMSIM_PGSCAN_DIRECT,	/* ... by faulting tasks */
	VMSIM_PGSTEAL_KSWAPD,	/* pages evicted by vmsimd */
	VMSIM_PGSTEAL_DIRECT,	/* ... by faulting tasks */
	VMSIM_PGSTEAL_PAGEOUT,	/* ... by VMSIM_ADV_PAGEOUT */
	VMSIM_PGACTIVATE,	/* inactive -> active */
	VMSIM_PGDEACTIVATE,	/* active -> inactive */
	VMSIM_PGREFILL,		/* active pages scanned */
	VMSIM_ALLOCSTALL,	/* faults that reclaimed directly */
	VMSIM_PAGEOUTRUN,	/* vmsimd wakeups */
	VMSIM_KSWAPD_STUCK,	/* vmsimd passes that reclaimed nothing */
	VMSIM_RECLAIM_ZERO,	/* pages evicted by dropping them: all zero */
	VMSIM_UNEVICTABLE,	/* pages parked: data and no swap */
	VMSIM_WORKINGSET_REFAULT, /* evicted pages faulted back */
	VMSIM_WORKINGSET_ACTIVATE, /* ... within the workingset: activated */
	VMSIM_WORKINGSET_RESTORE, /* ... that were active when evicted */
	VMSIM_AGING_PASSES,	/* proactive aging passes of vmsimd */
	VMSIM_AGING_SCANNED,	/* resident pages they looked at */
	VMSIM_PSWPIN,		/* pages read from swap */
	VMSIM_PSWPOUT,		/* pages written to swap */
	VMSIM_SWAP_RA,		/* pages read ahead */
	VMSIM_SWAP_RA_HIT,	/* ... and then faulted */
	VMSIM_SWAP_RA_ASYNC,	/* ... of which ahead of a hit, unwaited for */
	VMSIM_SWAP_READ_ERRORS,	/* swap-ins that failed to read */
	VMSIM_SWAP_CRC_ERRORS,	/* swap-ins whose checksum did not match */
	VMSIM_SWAP_WRITE_ERRORS, /* pages whose write failed */
	VMSIM_SWAP_SLOTS_RETIRED, /* slots retired after repeated write errors */
	VMSIM_SWAP_FULL,	/* slot allocations that found swap full */
	VMSIM_SWAP_FAILOVER,	/* slots taken past an area whose writes fail */
	VMSIM_SWAP_SIGBUS,	/* faults answered SIGBUS: bad swap data */
	VMSIM_SWAP_WRITE_BIOS,	/* write bios submitted */
	VMSIM_SWAP_READ_BIOS,	/* read bios submitted */
	VMSIM_COW_CLONES,	/* VMSIM_IOC_CLONE calls that made a clone */
	VMSIM_COW_COPIED,	/* pages a clone's write copied */
	VMSIM_COW_TAKEN,	/* pages a clone's write took over, uncopied */
	NR_VMSIM_EVENTS
};

/* Gauges: current amounts, kept as per-CPU deltas and summed when read. */
enum vmsim_stat_item {
	VMSIM_NR_RESIDENT,	/* frames holding object pages */
	VMSIM_NR_DIRTY,		/* of which dirty */
	VMSIM_NR_SWAPCACHE,	/* of which with a copy in a swap slot */
	VMSIM_NR_WRITEBACK,	/* of which being written */
	VMSIM_NR_SWAPPED,	/* pages out in swap, not resident */
	VMSIM_NR_SHARED,	/* resident, held by backing objects (clones) */
	NR_VMSIM_STAT_ITEMS
};

struct vmsim_event_state {
	unsigned long event[NR_VMSIM_EVENTS];
	long stat[NR_VMSIM_STAT_ITEMS];
};

DECLARE_PER_CPU(struct vmsim_event_state, vmsim_event_states);

static inline void vmsim_count(enum vmsim_event item)
{
	this_cpu_inc(vmsim_event_states.event[item]);
}

static inline void vmsim_count_add(enum vmsim_event item, long delta)
{
	this_cpu_add(vmsim_event_states.event[item], delta);
}

static inline void vmsim_stat_add(enum vmsim_stat_item item, long delta)
{
	this_cpu_add(vmsim_event_states.stat[item], delta);
}

unsigned long vmsim_event_sum(enum vmsim_event item);
unsigned long vmsim_stat_sum(enum vmsim_stat_item item);

#endif /* _VMSIM_STAT_H */
