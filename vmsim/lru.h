/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LRU lists of the pool's in-use frames (lru.c).
 *
 * The lists are mechanism: the policy that is on (policy.c) says what
 * each of its lists means, which page goes on which, and which lists count
 * as "active" (the ACTIVE bit of the shadow PTE, Active in meminfo).
 */
#ifndef _VMSIM_LRU_H
#define _VMSIM_LRU_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>

#include "entry.h"

/* Lists a policy may use, and the one for pages that cannot go for now. */
#define VMSIM_POLICY_LISTS	3
#define VMSIM_LRU_UNEVICTABLE	3
#define NR_VMSIM_LRU_LISTS	4

/**
 * struct vmsim_lru - the lists
 * @lock: protects the lists, the counts, @active_mask and @gen
 * @list: the frames of each list, linked through page->lru
 * @nr: how many on each (read without the lock)
 * @active_mask: bit n set: list n counts as active
 * @gen: bumped when the policy changes: a frame queued for a list under an
 *	older one is placed anew when its batch drains
 */
struct vmsim_lru {
	spinlock_t lock;	/* the lists, counts, mask and gen */
	struct list_head list[NR_VMSIM_LRU_LISTS];
	unsigned long nr[NR_VMSIM_LRU_LISTS];
	unsigned int active_mask;
	unsigned int gen;
};

extern struct vmsim_lru vmsim_lru;

/* Place a frame (the policy's choice): its list; *@tail to go at the tail. */
typedef unsigned int (*vmsim_lru_place_fn)(struct page *page, u64 *sptep,
					   bool *tail);

static inline unsigned long vmsim_lru_count(unsigned int lru)
{
	return READ_ONCE(vmsim_lru.nr[lru]);
}

/* Which list an entry's bits say its frame is on (or came from). */
static inline unsigned int vmsim_pte_lru(u64 e)
{
	return (e & VMSIM_PTE_LRU_MASK) >> VMSIM_PTE_LRU_SHIFT;
}

void vmsim_lru_init(vmsim_lru_place_fn replace);
unsigned int vmsim_lru_gen(void);
void vmsim_lru_add(struct page *page, unsigned int lru, unsigned int gen);
void vmsim_lru_del(struct page *page);
void vmsim_lru_drain_all(void);
void vmsim_lru_putback(struct page *page, unsigned int lru, bool tail);
void vmsim_lru_putback_gen(struct page *page, unsigned int lru,
			   unsigned int gen);
unsigned int vmsim_lru_isolate(unsigned int lru, unsigned int nr,
			       struct vmsim_isolated *out);
bool vmsim_lru_isolate_page(struct page *page, u64 *sptep, unsigned int lru,
			    struct vmsim_isolated *out);
bool vmsim_lru_move(struct page *page, u64 *sptep, unsigned int from,
		    unsigned int to, bool tail);
void vmsim_lru_rescue_unevictable(vmsim_lru_place_fn place);
void vmsim_lru_switch(unsigned int active_mask, vmsim_lru_place_fn place);

#endif /* _VMSIM_LRU_H */
