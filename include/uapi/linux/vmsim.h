/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmsim: a shadow-paging subsystem in a module, for watching, tuning and
 * teaching virtual memory on a real kernel.
 *
 * User programs open /dev/vmsim and mmap(MAP_SHARED) it.  Each open file is
 * one object (an address space of up to max_object_mb MiB) whose pages come
 * from vmsim's own pool of physical frames and are mapped through the real
 * page tables.  The ioctls below query and steer that machinery.
 *
 * Conventions: every struct is made of __u64/__u32 fields with explicit
 * padding; pointers travel as __u64; fields marked (in) are read by the
 * kernel, (out) are written by it; reserved fields and unknown flag bits
 * must be zero (EINVAL otherwise), so the ABI can grow.
 */
#ifndef _UAPI_LINUX_VMSIM_H
#define _UAPI_LINUX_VMSIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMSIM_DEVICE		"/dev/vmsim"

/* Bumped on any incompatible change; additions only set a feature bit. */
#define VMSIM_ABI_VERSION	1

/* Feature bits reported by VMSIM_IOC_INFO, so tests can skip cleanly. */
#define VMSIM_FEAT_POOL		(1ULL << 0)	/* demand paging from the pool */

/*
 * Shadow page table entries.
 *
 * Every page of an object has a 64-bit shadow PTE, laid out like an x86-64
 * PTE so that the two can be read side by side:
 *
 *  63     52 51                                  12 11  10 9 8 7 6 5 4 3 2 1 0
 * +---------+--------------------------------------+----------------------------+
 * | software|  PFN (PRESENT) or swap entry         |       flags                |
 * +---------+--------------------------------------+----------------------------+
 *
 * PRESENT	the page is resident in a pool frame; bits 12-51 are its PFN
 *		(the same number /proc/PID/pagemap shows for the mapping)
 * RW		mapped writable in at least one page table (after a write
 *		fault; a clean page is always mapped read-only)
 * USER		mapped into at least one user page table
 * ACCESSED	referenced since the last aging: set by faults and folded
 *		in from the hardware accessed bits of the real PTEs
 * DIRTY	written since it was last clean (zero, or written to swap)
 * ZERO		never written: reads see the shared zero frame, no frame spent
 *
 * RW and USER describe the real page tables; they are filled in when the
 * entries are read (VMSIM_IOC_PTE_QUERY) and are not kept in the table.
 * Bits 9-11 and 52-63 are vmsim's own (list membership, locks, eviction
 * age) and may change meaning between versions.
 */
#define VMSIM_PTE_PRESENT	(1ULL << 0)
#define VMSIM_PTE_RW		(1ULL << 1)
#define VMSIM_PTE_USER		(1ULL << 2)
#define VMSIM_PTE_ACCESSED	(1ULL << 5)
#define VMSIM_PTE_DIRTY		(1ULL << 6)
#define VMSIM_PTE_ZERO		(1ULL << 8)

#define VMSIM_PTE_PFN_SHIFT	12
#define VMSIM_PTE_PFN_MASK	(((1ULL << 40) - 1) << VMSIM_PTE_PFN_SHIFT)

/*
 * The ioctl magic: 0xF7 is unused in the kernel's ioctl-number.rst.
 */
#define VMSIM_IOC_MAGIC		0xF7

/**
 * struct vmsim_info - what this vmsim is and has (VMSIM_IOC_INFO)
 * @abi_version:	(out) VMSIM_ABI_VERSION of the running module
 * @features:		(out) VMSIM_FEAT_* bits
 * @page_size:		(out) bytes per page
 * @pool_pages:		(out) frames in the pool (MemTotal)
 * @max_object_pages:	(out) largest object size, in pages (max_object_mb)
 * @object_id:		(out) id of the object behind this file descriptor,
 *			as shown in /proc/vmsim_objects
 * @reserved:		must be zero on input
 */
struct vmsim_info {
	__u32 abi_version;
	__u32 page_size;
	__u64 features;
	__u64 pool_pages;
	__u64 max_object_pages;
	__u64 object_id;
	__u64 reserved[3];
};

#define VMSIM_IOC_INFO		_IOWR(VMSIM_IOC_MAGIC, 0x00, struct vmsim_info)

#endif /* _UAPI_LINUX_VMSIM_H */
