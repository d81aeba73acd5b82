/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow page tables (shadow.c): the tables, the entry format, the entry
 * lock.
 *
 * Each object has a four-level table of 512-entry pages, indexed by the
 * page offset in the object exactly as x86-64 indexes a virtual address:
 * bits 35-27, 26-18, 17-9 and 8-0 of the page index.  Upper levels hold the
 * kernel address of the next table; the leaf level holds 64-bit shadow PTEs
 * in the format of include/uapi/linux/vmsim.h.  Tables are allocated on
 * first use and freed only with the object, so a lookup needs no lock.
 *
 * A leaf table page's struct page records its owner, as the kernel's own
 * page-table pages do: ->private is the struct vmsim_shadow, ->index the
 * page index of its first entry.  That turns a shadow entry's address back
 * into (table, index) without storing either per frame.
 *
 * Who writes which bits.  The state of an entry (PRESENT, ZERO, SWAPPED,
 * EVICTED, DIRTY, WRITEBACK, READAHEAD, the PFN or slot, the ghost)
 * changes only under its entry lock, and only in entry.c.  The LRU lists
 * and the policy keep their own notes in the bits that describe a resident
 * page (ACCESSED, ACTIVE, and the PRESENT-only LRU and POLICY bits) and
 * flip them atomically without the lock, with vmsim_pte_update_present(),
 * which gives up if the page left meanwhile (those bits are part of the
 * ghost once it has).
 */
#ifndef _VMSIM_SHADOW_H
#define _VMSIM_SHADOW_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/types.h>

#include "vmsim.h"

#define VMSIM_TABLE_SHIFT	9
#define VMSIM_TABLE_ENTRIES	BIT(VMSIM_TABLE_SHIFT)
#define VMSIM_LEVELS		4
#define VMSIM_INDEX_BITS	(VMSIM_LEVELS * VMSIM_TABLE_SHIFT)
/* Every index a table can hold, and one past the last. */
#define VMSIM_ALL_INDEXES	BIT(VMSIM_INDEX_BITS)

/*
 * Internal entry bits, in the bits the uapi leaves to software.  Some
 * exist only while the entry is PRESENT (they share bits with the
 * eviction information of entries that are not).
 *
 *   4        OWN           any state: the page is this object's own, even
 *                          with no frame or slot (a clone's page that was
 *                          given up reads zero, not its backing's page);
 *                          an entry with none of OWN, ZERO, PRESENT and
 *                          SWAPPED is its backing object's (cow.c)
 *   11       LOCKED        the entry lock (any state)
 *   10       EVICTED       not PRESENT: reclaim took the page; bits 44-63
 *                          hold what the policy kept of it (its "ghost")
 *   44-46    GHOST TAG     ... which policy wrote it (1-7; 0: none)
 *   47-63    GHOST DATA    ... its 17 bits (an eviction age, a frequency)
 *   52-53    LRU           PRESENT: which LRU list its frame is on (lru.c)
 *   54       WRITEBACK     PRESENT and SWAPPED: being written to its slot
 *   55       READAHEAD     PRESENT and SWAPPED: read ahead, not faulted yet
 *   56-63    POLICY        PRESENT: the replacement policy's own 8 bits
 *
 * A PRESENT and SWAPPED entry is in the swap cache: its slot is in the
 * frame's page->index, since the PFN takes the bits a slot would use.
 */
#define VMSIM_PTE_LOCK_BIT	11
#define VMSIM_PTE_LOCKED	BIT_ULL(VMSIM_PTE_LOCK_BIT)
#define VMSIM_PTE_EVICTED	BIT_ULL(10)
#define VMSIM_PTE_OWN		BIT_ULL(4)
/* What every change of an entry's state keeps. */
#define VMSIM_PTE_KEEP		(VMSIM_PTE_LOCKED | VMSIM_PTE_OWN)
#define VMSIM_PTE_GHOST_SHIFT	44
#define VMSIM_PTE_GHOST_TAGS	8
#define VMSIM_GHOST_DATA_BITS	17
#define VMSIM_PTE_LRU_SHIFT	52
#define VMSIM_PTE_LRU_MASK	(3ULL << VMSIM_PTE_LRU_SHIFT)
#define VMSIM_PTE_WRITEBACK	BIT_ULL(54)
#define VMSIM_PTE_READAHEAD	BIT_ULL(55)
#define VMSIM_PTE_POLICY_SHIFT	56
#define VMSIM_PTE_POLICY_MASK	(0xffULL << VMSIM_PTE_POLICY_SHIFT)

/* The eviction information of a non-present entry. */
#define VMSIM_PTE_EVICTION_MASK	(VMSIM_PTE_EVICTED | \
				 GENMASK_ULL(63, VMSIM_PTE_GHOST_SHIFT))

/* The ghost a policy (@tag, 1-7) leaves in an evicted entry. */
static inline u64 vmsim_ghost(unsigned int tag, u32 data)
{
	return VMSIM_PTE_EVICTED | (u64)tag << VMSIM_PTE_GHOST_SHIFT |
	       (u64)(data & (BIT(VMSIM_GHOST_DATA_BITS) - 1)) <<
	       (VMSIM_PTE_GHOST_SHIFT + 3);
}

/* The data of the ghost in @e, if policy @tag left it. */
static inline bool vmsim_ghost_data(u64 e, unsigned int tag, u32 *data)
{
	if (!(e & VMSIM_PTE_EVICTED) ||
	    ((e >> VMSIM_PTE_GHOST_SHIFT) & 7) != tag)
		return false;
	*data = e >> (VMSIM_PTE_GHOST_SHIFT + 3);
	return true;
}

/* The policy's own bits of a resident entry, and back. */
static inline unsigned int vmsim_pte_pbits(u64 e)
{
	return e >> VMSIM_PTE_POLICY_SHIFT;
}

static inline u64 vmsim_pbits_pte(unsigned int bits)
{
	return (u64)(bits & 0xff) << VMSIM_PTE_POLICY_SHIFT;
}

/**
 * struct vmsim_shadow - an object's shadow page table
 * @root: the top-level table, set at init
 * @nr_tables: table pages, for PageTables
 */
struct vmsim_shadow {
	u64 *root;
	atomic_long_t nr_tables;
};

typedef int (*vmsim_entry_fn)(struct vmsim_shadow *shadow, pgoff_t index,
			      u64 *sptep, void *data);
typedef int (*vmsim_leaf_fn)(struct vmsim_shadow *shadow, pgoff_t base,
			     u64 *table, void *data);

void vmsim_shadow_lockdep_init(void);
int vmsim_shadow_init(struct vmsim_shadow *shadow);
void vmsim_shadow_free(struct vmsim_shadow *shadow);
u64 *vmsim_shadow_lookup(struct vmsim_shadow *shadow, pgoff_t index,
			 bool alloc);
int vmsim_shadow_walk(struct vmsim_shadow *shadow, pgoff_t start, pgoff_t end,
		      vmsim_entry_fn fn, void *data);
int vmsim_shadow_walk_leaves(struct vmsim_shadow *shadow, vmsim_leaf_fn fn,
			     void *data);
struct vmsim_shadow *vmsim_entry_shadow(u64 *sptep, pgoff_t *index);

extern atomic_long_t vmsim_nr_table_pages;

void vmsim_entry_lock(u64 *sptep);
int vmsim_entry_lock_killable(u64 *sptep);
int vmsim_entry_lock_below(u64 *sptep, bool killable);
bool vmsim_entry_trylock(u64 *sptep);
void vmsim_entry_unlock(u64 *sptep);
void vmsim_entry_lock_to_io(u64 *sptep);
void vmsim_entry_unlock_io(u64 *sptep);

static inline u64 vmsim_pte_read(u64 *sptep)
{
	return READ_ONCE(*sptep);
}

/*
 * Replace the bits of @clear with those of @set, atomically with respect
 * to the bits that other paths flip without the entry lock; return the
 * old value.
 */
static inline u64 vmsim_pte_update(u64 *sptep, u64 clear, u64 set)
{
	u64 old = READ_ONCE(*sptep), new;

	do {
		new = (old & ~clear) | set;
	} while (!try_cmpxchg64(sptep, &old, new));
	return old;
}

/* Set one flag bit of an entry, atomically. */
static inline void vmsim_pte_set(u64 *sptep, u64 flag)
{
	set_bit(__ffs64(flag), (unsigned long *)sptep);
}

/* Clear one flag bit of an entry, atomically; return whether it was set. */
static inline bool vmsim_pte_test_and_clear(u64 *sptep, u64 flag)
{
	return test_and_clear_bit(__ffs64(flag), (unsigned long *)sptep);
}

static inline unsigned long vmsim_pte_pfn(u64 pte)
{
	return (pte & VMSIM_PTE_PFN_MASK) >> VMSIM_PTE_PFN_SHIFT;
}

static inline u64 vmsim_pfn_pte(unsigned long pfn)
{
	return ((u64)pfn << VMSIM_PTE_PFN_SHIFT) & VMSIM_PTE_PFN_MASK;
}

/* Does @e map frame @pfn? */
static inline bool vmsim_pte_maps(u64 e, unsigned long pfn)
{
	return (e & VMSIM_PTE_PRESENT) && vmsim_pte_pfn(e) == pfn;
}

/*
 * Update the policy's bits of a resident page without the entry lock: only
 * while the entry still maps frame @pfn.  Return the old value, or 0 if
 * the page is no longer there (nothing is changed then).
 */
static inline u64 vmsim_pte_update_present(u64 *sptep, unsigned long pfn,
					   u64 clear, u64 set)
{
	u64 old = READ_ONCE(*sptep), new;

	do {
		if (!vmsim_pte_maps(old, pfn))
			return 0;
		new = (old & ~clear) | set;
	} while (!try_cmpxchg64(sptep, &old, new));
	return old;
}

/*
 * Has the object a page of its own in @e (else it reads its backing
 * object's, if it has one, or zero)?
 */
static inline bool vmsim_pte_own(u64 e)
{
	return e & (VMSIM_PTE_OWN | VMSIM_PTE_ZERO | VMSIM_PTE_PRESENT |
		    VMSIM_PTE_SWAPPED);
}

/*
 * Is @e a page in the swap cache whose write is in flight?  (Bit 54 is
 * part of the ghost of an entry that is not PRESENT.)
 */
static inline bool vmsim_pte_writeback(u64 e)
{
	return (e & (VMSIM_PTE_PRESENT | VMSIM_PTE_WRITEBACK)) ==
	       (VMSIM_PTE_PRESENT | VMSIM_PTE_WRITEBACK);
}

#endif /* _VMSIM_SHADOW_H */
