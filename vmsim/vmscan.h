/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machinery every policy scans with (vmscan.c).
 */
#ifndef _VMSIM_VMSCAN_H
#define _VMSIM_VMSCAN_H

#include "entry.h"

/* Pages a policy scans per batch (and per TLB flush). */
#define VMSIM_SCAN_BATCH	16

/**
 * struct vmsim_shrink_result - what one vmsim_shrink() did
 * @reclaimed: frames freed
 * @queued: pages whose write to swap started (freed when it ends)
 * @scanned: pages looked at
 */
struct vmsim_shrink_result {
	unsigned long reclaimed;
	unsigned long queued;
	unsigned long scanned;
};

/**
 * struct vmsim_scan - one reclaim pass, as a policy's ->scan() sees it
 * @by: who reclaims (vmsimd, a faulting task), for the counters
 * @scanned: pages looked at so far
 * @reclaimed: frames freed so far
 * @queued: pages on their way out (being written)
 * @wb: where pages to write go, or NULL (then only pages that need no
 *	write can go)
 * @capacity: the pages the pool holds when reclaim keeps its reserve free:
 *	what a policy may size its lists by
 */
struct vmsim_scan {
	enum vmsim_evictor by;
	unsigned long capacity;
	unsigned long scanned;
	unsigned long reclaimed;
	unsigned long queued;
	struct vmsim_writeback *wb;
};

/* Update an isolated page's policy bits, if it is still its entry's. */
static inline u64 vmsim_iso_pbits(struct vmsim_isolated *iso,
				  unsigned int bits)
{
	return vmsim_pte_update_present(iso->sptep, page_to_pfn(iso->page),
					VMSIM_PTE_POLICY_MASK,
					vmsim_pbits_pte(bits));
}

void vmsim_age_begin(void);
void vmsim_age_end(void);
void vmsim_scan_referenced(struct vmsim_isolated *iso, unsigned int n,
			   bool *referenced);
void vmsim_scan_evict(struct vmsim_scan *sc, struct vmsim_isolated *iso,
		      unsigned int n, const bool *evict);
void vmsim_scan_keep(struct vmsim_isolated *iso, unsigned int lru, bool tail);
bool vmsim_scan_pageout(struct vmsim_object *obj, u64 *sptep,
			struct vmsim_writeback *wb);
void vmsim_scan_account(struct vmsim_scan *sc, unsigned int n);
unsigned int vmsim_scan_take(struct vmsim_scan *sc, unsigned int lru,
			     unsigned int nr, struct vmsim_isolated *iso,
			     bool *referenced);

#endif /* _VMSIM_VMSCAN_H */
