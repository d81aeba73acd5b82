/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LRU lists of the pool's in-use frames (lru.c).
 */
#ifndef _VMSIM_LRU_H
#define _VMSIM_LRU_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>

#include "entry.h"

enum vmsim_lru_list {
	VMSIM_LRU_INACTIVE,
	VMSIM_LRU_ACTIVE,
	VMSIM_LRU_UNEVICTABLE,		/* data and no swap: not scanned */
	NR_VMSIM_LRU_LISTS
};

struct vmsim_lru {
	spinlock_t lock;		/* protects the lists and counts */
	struct list_head list[NR_VMSIM_LRU_LISTS];
	unsigned long nr[NR_VMSIM_LRU_LISTS];	/* read without the lock */
};

extern struct vmsim_lru vmsim_lru;

static inline unsigned long vmsim_lru_count(enum vmsim_lru_list lru)
{
	return READ_ONCE(vmsim_lru.nr[lru]);
}

void vmsim_lru_init(void);
void vmsim_lru_add(struct page *page, bool active);
void vmsim_lru_add_locked(struct page *page, enum vmsim_lru_list lru,
			  bool tail);
void vmsim_lru_del_locked(struct page *page);
void vmsim_lru_del(struct page *page);
void vmsim_lru_drain_all(void);
void vmsim_lru_putback(struct page *page, enum vmsim_lru_list lru, bool tail);
bool vmsim_lru_isolate_one(struct page *page, u64 *sptep);
unsigned int vmsim_lru_isolate(enum vmsim_lru_list lru, unsigned int nr,
			       struct vmsim_isolated *out);
bool vmsim_lru_move(struct page *page, u64 *sptep, enum vmsim_lru_list from,
		    enum vmsim_lru_list to, bool tail);
void vmsim_lru_rescue_unevictable(void);

#endif /* _VMSIM_LRU_H */
