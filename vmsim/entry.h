/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state changes of shadow entries (entry.c).
 *
 * An entry is in one of these states (changed only under its entry lock,
 * and only by the functions below):
 *
 *   empty ---read---> ZERO ---write---> PRESENT (a frame, clean then DIRTY)
 *     |                                   ^  |
 *     +-----------write / WILLNEED--------+  +---DONTNEED---> empty
 *                                         |  |
 *                    refault (read: ZERO) |  | reclaim of a page that is
 *                                         |  v still all zeroes
 *                                         EVICTED (eviction age kept)
 *
 *   PRESENT, DIRTY --reclaim: written to a slot--> SWAPPED (not present)
 *   SWAPPED --fault / WILLNEED / swapoff: read back--> PRESENT + SWAPPED
 *   (the swap cache: clean, the slot still holds it) --first write-->
 *   PRESENT, DIRTY (the slot is let go) or --reclaim--> SWAPPED, no write.
 *
 * The callers above decide when; these functions make each change whole
 * (the entry, the frame's state, the counters, the real page tables where
 * the change needs them unmapped) and tell the policy through the
 * vmsim_entry_ops it registered.  A caller that needs a frame for the
 * change allocates it first (with reclaim: reclaim.c) and hands it in.
 */
#ifndef _VMSIM_ENTRY_H
#define _VMSIM_ENTRY_H

#include <linux/mm_types.h>

#include "object.h"
#include "swap_io.h"

/* The swap entry a non-present SWAPPED shadow entry holds, and back. */
static inline vmsim_swp_t vmsim_pte_swp(u64 e)
{
	return (e >> VMSIM_PTE_PFN_SHIFT) & GENMASK_ULL(31, 0);
}

static inline u64 vmsim_swp_pte(vmsim_swp_t swp)
{
	return (u64)swp << VMSIM_PTE_PFN_SHIFT;
}

/* How a page came to have a frame, for the policy. */
enum vmsim_resident_how {
	VMSIM_RES_FILL,			/* a new zero-filled frame */
	VMSIM_RES_SWAPIN,		/* read back for a fault or WILLNEED */
	VMSIM_RES_READAHEAD,		/* read back, nobody asked yet */
};

/**
 * struct vmsim_entry_ops - what the policy learns of entries' changes
 * @resident: @page just got its frame; @old is the entry before (an
 *	EVICTED entry carries the eviction information the policy left in
 *	it).  The page is on no list yet: the policy lists it.  Called with
 *	the entry locked; may take spinlocks only.
 * @refault_zero: an EVICTED page that was all zeroes is read again and
 *	gets the zero frame, not a frame of its own.
 * @evicted: @e, a page the policy isolated, has left the pool: return the
 *	bits its entry keeps (VMSIM_PTE_EVICTION_MASK).
 * @putback: a page the policy isolated stays (its write ended with the
 *	page used again, @wanted, or the write failed); list it again.
 *	Takes over the isolation's page reference.
 * @dropped: @page is being given up (DONTNEED, teardown): take it off its
 *	list.  Spinlocks only.
 */
struct vmsim_entry_ops {
	void (*resident)(struct page *page, u64 old,
			 enum vmsim_resident_how how);
	void (*refault_zero)(u64 old);
	u64 (*evicted)(u64 e);
	void (*putback)(struct page *page, bool wanted);
	void (*dropped)(struct page *page);
};

void vmsim_entry_set_ops(const struct vmsim_entry_ops *ops);

/* A frame taken off an LRU list by reclaim, with what it belongs to. */
struct vmsim_isolated {
	struct page *page;		/* holds a reference */
	struct vmsim_object *obj;	/* holds a reference */
	pgoff_t index;
	u64 *sptep;
	long refs;			/* how referenced it was found */
};

/* Who evicts, for the counters: stolen by vmsimd, a fault, or PAGEOUT. */
enum vmsim_evictor {
	VMSIM_BY_KSWAPD,
	VMSIM_BY_DIRECT,
	VMSIM_BY_PAGEOUT,
};

void vmsim_count_steal(enum vmsim_evictor by);

/* Pages that reclaim is about to write, gathered to go out together. */
struct vmsim_writeback {
	enum vmsim_evictor by;
	unsigned int nr;
	struct vmsim_swap_page pages[VMSIM_SWAP_IO_MAX];
};

static inline bool vmsim_writeback_full(struct vmsim_writeback *wb,
					unsigned int more)
{
	return wb->nr + more > VMSIM_SWAP_IO_MAX;
}

enum vmsim_evict_result {
	VMSIM_EVICT_DONE,		/* the frame is back in the pool */
	VMSIM_EVICT_WRITE,		/* it goes once written to its slot */
	VMSIM_EVICT_BUSY,		/* in use right now: try later */
	VMSIM_EVICT_KEEP,		/* data and no swap: cannot go */
	VMSIM_EVICT_LOCKED,		/* locked, to be unmapped and finished */
};

/* Frames come with reclaim from the caller: the type of its allocator. */
typedef struct page *(*vmsim_frame_alloc_fn)(bool unzeroed);

int vmsim_entry_init(void);
void vmsim_entry_exit(void);

void vmsim_entry_populate(struct vmsim_object *obj, pgoff_t index,
			  u64 *sptep, struct page *page);
void vmsim_entry_zero_mapped(struct vmsim_object *obj, u64 *sptep);
bool vmsim_entry_touch(u64 *sptep);
bool vmsim_entry_ra_mapped(u64 *sptep);
void vmsim_entry_set_dirty(struct vmsim_object *obj, u64 *sptep);
bool vmsim_entry_fold_dirty(struct vmsim_object *obj, u64 *sptep,
			    bool pte_dirty);
struct page *vmsim_entry_swapin(struct vmsim_object *obj, pgoff_t index,
				u64 *sptep, struct page *page,
				unsigned int win, int *err);
unsigned int vmsim_entry_readahead(struct vmsim_object *obj, pgoff_t index,
				   unsigned int win);
int vmsim_entry_drop(struct vmsim_object *obj, pgoff_t index, u64 *sptep);
void vmsim_entry_teardown(struct vmsim_object *obj, u64 *sptep);
int vmsim_entry_unuse(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
		      int type, vmsim_frame_alloc_fn alloc);

int vmsim_wait_writeback(u64 *sptep);
void vmsim_entry_set_own(u64 *sptep);
void vmsim_entry_copied(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
			struct page *page);
int vmsim_entry_forget(struct vmsim_object *obj, pgoff_t index, u64 *sptep);
int vmsim_entry_move(struct vmsim_object *from, pgoff_t index, u64 *fsptep,
		     struct vmsim_object *to, u64 *tsptep);

enum vmsim_evict_result vmsim_entry_evict_lock(struct vmsim_isolated *iso);
void vmsim_entry_evict_unmap(struct vmsim_isolated **isos, unsigned int nr);
enum vmsim_evict_result vmsim_entry_evict_finish(struct vmsim_isolated *iso,
						 struct vmsim_writeback *wb);
struct vmsim_writeback *vmsim_writeback_alloc(enum vmsim_evictor by, gfp_t gfp);
void vmsim_entry_writeback_flush(struct vmsim_writeback *wb);
void vmsim_writeback_free(struct vmsim_writeback *wb);

#endif /* _VMSIM_ENTRY_H */
