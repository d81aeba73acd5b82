/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replacement policies (policy.c, and one file per policy).
 *
 * A policy decides which page leaves the pool.  It sees a page when it
 * gets a frame (place), when reclaim or an aging pass finds whether it was
 * referenced (the harvest of the accessed bits, as the kernel's rmap walks
 * do: no hook per access), when it leaves (the ghost it keeps in the
 * non-present entry, and reads back on a refault), and it picks victims
 * (scan).  It keeps its state in the LRU lists (lru.c: up to three lists
 * of its own, plus the unevictable one), in 8 bits of each resident
 * entry, and in the 17 bits of a ghost: no memory of its own per page.
 *
 * The machinery around it is shared: the scan batches, the harvest of
 * accessed bits and the eviction (vmscan.c), the aging walk and vmsimd
 * (policy.c, reclaim.c).  The entry and swap layers do not change when a
 * policy is added.
 */
#ifndef _VMSIM_POLICY_H
#define _VMSIM_POLICY_H

#include <linux/percpu.h>

#include "lru.h"
#include "vmscan.h"

/* The most counters of its own a policy shows in /proc/vmsim_vmstat. */
#define VMSIM_POLICY_MAX_STATS	4

/**
 * struct vmsim_policy - a replacement policy
 * @name: as the policy= parameter names it
 * @tag: 1-7, marks the ghosts it leaves (a ghost of another policy reads
 *	as none)
 * @nr_lists: lists it uses (1 to VMSIM_POLICY_LISTS)
 * @list_names: what each is (for the documentation and vmsimctl)
 * @active_lists: bit n set: list n counts as Active in meminfo and sets
 *	the ACTIVE bit of the PTE
 * @stat_names: its counters, shown as vmsim_<name>_<stat>
 * @stats: their values (per CPU), allocated by policy.c
 * @init: set up at load (may be NULL); @exit undoes it at unload
 * @start: it is becoming the policy (reset its state); may be NULL
 * @place: @sptep's page (frame @pfn) just got its frame; @old is the entry
 *	before (a ghost if it was EVICTED), @how why.  Return its list and
 *	set *@tail to add it at the tail.  Spinlocks only.
 * @adopt: a resident page placed by another policy, or rescued from the
 *	unevictable list: return its list (its entry's ACTIVE bit says
 *	whether it was active).  Under vmsim_lru.lock.
 * @scan: reclaim: scan one batch (a few pages), through vmscan.c's
 *	helpers.  Under the policy lock (read).
 * @harvest: an aging pass found @sptep's page referenced or not (the
 *	hardware accessed bits and the shadow ACCESSED bit, now cleared).
 *	Under the policy lock (read).
 * @evicted: a page whose entry was @e left the pool: return its ghost
 *	(from vmsim_ghost()), or 0 to keep none.
 * @refault_zero: an evicted page that was all zero is read again (it
 *	gets the zero frame, not a frame of its own); may be NULL
 * @cold: VMSIM_ADV_COLD: the list to move the page to, at its tail
 * @kept: a page whose write to swap ended without it leaving stays: its
 *	list (@wanted: it was used meanwhile; else the write failed)
 */
struct vmsim_policy {
	const char *name;
	unsigned int tag;
	unsigned int nr_lists;
	const char *list_names[VMSIM_POLICY_LISTS];
	unsigned int active_lists;
	const char *stat_names[VMSIM_POLICY_MAX_STATS];
	unsigned long __percpu *stats;
	int (*init)(void);
	void (*exit)(void);
	void (*start)(void);
	unsigned int (*place)(u64 *sptep, unsigned long pfn, u64 old,
			      enum vmsim_resident_how how, bool *tail);
	unsigned int (*adopt)(u64 *sptep, unsigned long pfn, u64 e);
	void (*scan)(struct vmsim_scan *sc);
	void (*harvest)(u64 *sptep, unsigned long pfn, u64 e, bool referenced);
	u64 (*evicted)(u64 e);
	void (*refault_zero)(u64 old);
	unsigned int (*cold)(u64 e);
	unsigned int (*kept)(u64 e, bool wanted);
};

static inline void vmsim_policy_count(struct vmsim_policy *p, unsigned int i)
{
	this_cpu_inc(*(p->stats + i));
}

/* Update a resident entry's policy bits, if it still maps frame @pfn. */
static inline u64 vmsim_pbits_update(u64 *sptep, unsigned long pfn,
				     unsigned int bits)
{
	return vmsim_pte_update_present(sptep, pfn, VMSIM_PTE_POLICY_MASK,
					vmsim_pbits_pte(bits));
}

extern struct vmsim_policy vmsim_policy_lru2;
extern struct vmsim_policy vmsim_policy_clock;
extern struct vmsim_policy vmsim_policy_fifo;
extern struct vmsim_policy vmsim_policy_random;
extern struct vmsim_policy vmsim_policy_faclock;

/* policy.c */
int vmsim_policy_init(void);
void vmsim_policy_exit(void);
const struct vmsim_policy *vmsim_policy_current(void);
unsigned long vmsim_policy_nr_active(void);
unsigned long vmsim_policy_nr_inactive(void);
void vmsim_policy_age(void);
void vmsim_policy_rescue_unevictable(void);
bool vmsim_policy_deactivate(u64 *sptep);
bool vmsim_policy_pageout(struct vmsim_object *obj, u64 *sptep,
			  struct vmsim_writeback *wb);
void vmsim_shrink(unsigned long nr, enum vmsim_evictor by,
		  unsigned long reserve, struct vmsim_shrink_result *res);
int vmsim_policy_show_stats(struct seq_file *m);

#endif /* _VMSIM_POLICY_H */
