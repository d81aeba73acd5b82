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
#define VMSIM_WALK_DIRTY	BIT(3)	/* ... with the dirty bit set */

#define VMSIM_WALK_CLEAR_YOUNG	BIT(0)	/* clear the accessed bits found */
#define VMSIM_WALK_TRYLOCK	BIT(1)	/* do not wait for the i_mmap lock */

/*
 * The mms whose accessed bits a batch of walks cleared, each held
 * (mmgrab()) until vmsim_tlb_flush() flushes the CPUs that run them.
 * Zero-initialised; more mms than VMSIM_TLB_MMS flush every CPU.
 */
#define VMSIM_TLB_MMS		8
struct vmsim_tlb_batch {
	struct mm_struct *mm[VMSIM_TLB_MMS];
	unsigned int nr;
	bool all;
};

long vmsim_rmap_walk(struct address_space *mapping, pgoff_t start, pgoff_t nr,
		     u8 *bits, unsigned int flags, struct vmsim_tlb_batch *tlb);
struct vmsim_shadow;
long vmsim_rmap_walk_shadow(struct address_space *mapping,
			    struct vmsim_shadow *shadow, bool own, pgoff_t start,
			    pgoff_t nr, u8 *bits, unsigned int flags,
			    struct vmsim_tlb_batch *tlb);
void vmsim_tlb_flush(struct vmsim_tlb_batch *tlb);
unsigned long vmsim_rmap_nr_vmas(struct address_space *mapping);
void vmsim_mkold_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned int nr, u64 mask);

#endif /* _VMSIM_RMAP_H */
