/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real page tables that map an address_space (rmap.c).
 */
#ifndef _VMSIM_RMAP_H
#define _VMSIM_RMAP_H

#include <linux/fs.h>
#include <linux/mm_types.h>

#include "vmsim.h"

#define VMSIM_WALK_MAPPED	BIT(0)	/* a present PTE maps the page */
#define VMSIM_WALK_WRITE	BIT(1)	/* ... writable */
#define VMSIM_WALK_YOUNG	BIT(2)	/* ... with the accessed bit set */

#define VMSIM_WALK_CLEAR_YOUNG	BIT(0)	/* clear the accessed bits found */
#define VMSIM_WALK_TRYLOCK	BIT(1)	/* do not wait for the i_mmap lock */
#define VMSIM_WALK_NOFLUSH	BIT(2)	/* the caller flushes the TLBs */

long vmsim_rmap_walk(struct address_space *mapping, pgoff_t start, pgoff_t nr,
		     u8 *bits, unsigned int flags);
unsigned long vmsim_rmap_nr_vmas(struct address_space *mapping);
void vmsim_mkold_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned int nr, u64 mask);
void vmsim_flush_tlb_all(void);

#endif /* _VMSIM_RMAP_H */
