/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmsim's layers and its lock order.  Every vmsim header includes this one;
 * Documentation/design.rst has the reasons, and the two are kept in step.
 *
 * Layers, bottom up.  A file calls only files above it in this list (a
 * lower line); nothing calls back up except through a callback the upper
 * layer registers or passes down.  "make lint" checks it from the object
 * files' symbols (scripts/layers.sh, which holds the same list).
 *
 *  1 leaves     stat.c      event counters and gauges
 *               param.c     range-checked module parameters
 *               crc.c       CRC32C of a page
 *               pool.c      the frames: free lists, zeroing, orphans
 *               shadow.c    shadow page tables, entry format, entry lock
 *               rmap.c      the real PTEs that map an address_space
 *               vmsimfs.c   the pseudo filesystem of object inodes
 *               object.c    objects: lifecycle, references, the walk over
 *                           all of them, /proc/vmsim_objects
 *  2 swap       swapfile.c  swap areas and their slots
 *               swap_io.c   bios to and from slots, checksummed;
 *                           completions call the caller's done()
 *  3 entries    readahead.c the swap-in window
 *               entry.c     every change of a shadow entry's state:
 *                           populate, zero-map, swap-in, set-dirty, evict,
 *                           writeback completion, drop; it tells the
 *                           policy through the ops the policy registers
 *  4 policy     lru.c       the LRU lists and their per-CPU add batches
 *               workingset.c refault distance
 *               vmscan.c    the scan machinery: harvest, evict, PAGEOUT
 *               lru2.c clock.c fifo.c random.c faclock.c
 *                           the replacement policies, one per file
 *               policy.c    the policy that is on, switching it, aging,
 *                           the reclaim pass; it registers the
 *                           vmsim_entry_ops
 *               reclaim.c   when and who: watermarks, vmsimd, direct
 *                           reclaim, allocation with reclaim
 *  5 top        cow.c       copy-on-write clones: making one, and the
 *                           faults on the pages they share
 *               advise.c    VMSIM_IOC_ADVISE
 *               query.c     VMSIM_IOC_PTE_QUERY
 *               fault.c     ->fault, ->page_mkwrite, fault-around
 *               swapctl.c   swapon and swapoff as a whole
 *               ioctl.c, dev.c, proc.c, main.c
 *
 * Lock order (outermost first):
 *
 *   vmsim_clone_mutex                         (mutex: one clone at a time)
 *   mm->mmap_lock or the per-VMA lock        (page faults, ->mmap)
 *     shadow entry lock                       (VMSIM_PTE_LOCKED bit; sleeps)
 *       vmsim_clone_sem                       (rwsem: the clone tree; read
 *                                              by faults and walks, write
 *                                              with no entry lock held)
 *         entry lock of a backing object      (the same index, below)
 *       vmsim_policy_sem                      (rwsem: read to reclaim, age
 *                                              or move; write to switch)
 *         vmsim_referenced_sem                (rwsem: read by scans, write
 *                                              by aging, per leaf table)
 *           mapping->i_mmap_rwsem             (the accessed-bit walks)
 *       page lock of a pool frame             (after the entry lock only)
 *       mapping->i_mmap_rwsem                 (unmap_mapping_pages, PTE walks)
 *         page table lock                     (inside the core's helpers)
 *       per-CPU frame cache lock              (spinlock)
 *         vmsim_pool.lock                     (spinlock: free lists)
 *       per-CPU LRU batch lock                (spinlock)
 *         vmsim_lru.lock                      (spinlock: the LRU lists)
 *       vmsim_swap_lock                       (spinlock: the avail list)
 *         area->lock                          (spinlock: slots, counts)
 *   vmsim_objects_lock                        (mutex: the list of objects)
 *   vmsim_swap_mutex                          (mutex: swapon, swapoff)
 *
 * Rules:
 * - An entry lock is taken blocking only when the task holds no other
 *   entry lock, or holds one of a clone and takes its backing object's at
 *   the same index (vmsim_entry_lock_below()); further entries
 *   (fault-around, readahead, reclaim) are try-locked.  Reclaim, holding
 *   entry locks, only try-locks vmsim_clone_sem.  An entry locked for a
 *   read from swap belongs to the I/O, not to a task: the read's
 *   completion unlocks it.
 * - Eviction holds several entry and page locks (all try-locked) while it
 *   unmaps, so page lock -> i_mmap_rwsem, as in the kernel.
 * - Nothing in vmsim waits for an mmap lock while holding a vmsim lock:
 *   PTE walks go through the object's i_mmap tree, as the kernel's own
 *   rmap walks do.
 * - Spinlocks are leaves: nothing sleeps under them.
 * - The mutexes are never held across an object walk or across I/O to
 *   pages: swapoff drops vmsim_swap_mutex while it brings pages back.
 */
#ifndef _VMSIM_H
#define _VMSIM_H

#include <linux/types.h>
#include <uapi/linux/vmsim.h>

#include "compat.h"

/* What VMSIM_IOC_INFO reports in ->features. */
#define VMSIM_FEATURES		(VMSIM_FEAT_POOL | VMSIM_FEAT_PTE_QUERY | \
				 VMSIM_FEAT_ADVISE | VMSIM_FEAT_STATS | \
				 VMSIM_FEAT_FAULT_AROUND | VMSIM_FEAT_RECLAIM | \
				 VMSIM_FEAT_SWAP | VMSIM_FEAT_WRITE_NOTIFY | \
				 VMSIM_FEAT_CLONE)

#endif /* _VMSIM_H */
