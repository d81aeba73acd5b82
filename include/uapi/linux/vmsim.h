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
#define VMSIM_FEAT_PTE_QUERY	(1ULL << 1)	/* VMSIM_IOC_PTE_QUERY */
#define VMSIM_FEAT_ADVISE	(1ULL << 2)	/* DONTNEED, WILLNEED, COLD */
#define VMSIM_FEAT_STATS	(1ULL << 3)	/* VMSIM_IOC_STATS */
#define VMSIM_FEAT_FAULT_AROUND	(1ULL << 4)	/* fault_around_pages */
#define VMSIM_FEAT_RECLAIM	(1ULL << 5)	/* LRU, vmsimd, ADV_PAGEOUT */
#define VMSIM_FEAT_SWAP		(1ULL << 6)	/* SWAPON, SWAPOFF, swap-in */
#define VMSIM_FEAT_WRITE_NOTIFY	(1ULL << 7)	/* write_notify=N is allowed */
#define VMSIM_FEAT_CLONE	(1ULL << 8)	/* VMSIM_IOC_CLONE, COW bits */

/*
 * Shadow page table entries.
 *
 * Every page of an object has a 64-bit shadow PTE, laid out like an x86-64
 * PTE so that the two can be read side by side:
 *
 *  63    52 51                                    12 11                        0
 * +--------+---------------------------------------+---------------------------+
 * |  zero  |  PFN (PRESENT) or swap entry          |  flags                    |
 * +--------+---------------------------------------+---------------------------+
 *
 * PRESENT	the page is resident in a pool frame; bits 12-51 are its PFN
 *		(the number /proc/PID/pagemap shows for the mapping), if
 *		the file was opened with CAP_SYS_ADMIN; zero otherwise
 * RW		mapped writable in at least one page table (after a write
 *		fault; a clean page is mapped read-only, unless the mapping
 *		was made with the write_notify parameter N)
 * USER		mapped into at least one user page table
 * ACCESSED	referenced since the last aging: set by faults and folded in
 *		from the hardware accessed bits of the real PTEs
 * DIRTY	written since it was last clean (zero, or written to swap).
 *		In a mapping made with write_notify=N a write sets only the
 *		real PTE's dirty bit; it is folded in when the entry is read
 *		(VMSIM_IOC_PTE_QUERY) and before the page is evicted
 * SWAPPED	a copy of the page is in a swap slot.  Without PRESENT, bits
 *		12-15 are the swap area and 16-43 the slot in it; with
 *		PRESENT the page is in the swap cache (resident, with an
 *		up-to-date copy in its slot)
 * ZERO		never written: reads see the shared zero frame, no frame spent
 *		(not in a mapping made with write_notify=N: there a read
 *		takes a zeroed frame)
 * ACTIVE	on a list the replacement policy counts as active (lru2's
 *		active list, faclock's main clock; never under clock, fifo
 *		or random)
 * COW		not this object's own page: a clone (VMSIM_IOC_CLONE) reads
 *		it, copy-on-write, from the object it was cloned from; the
 *		other bits are that shared page's, and bits 52-63 say how
 *		many objects read it (VMSIM_PTE_SHARERS()).  The first write
 *		gives this object its own copy, and clears COW
 *
 * RW and USER describe the real page tables; they are filled in when the
 * entries are read (VMSIM_IOC_PTE_QUERY) and are not kept in the table.
 * Bits 4, 10-11 and, when not PRESENT, 44-63 are vmsim's own (locks, I/O
 * state, eviction age); VMSIM_IOC_PTE_QUERY reports them as zero (bits
 * 52-63 hold the sharers of a COW entry).
 */
#define VMSIM_PTE_PRESENT	(1ULL << 0)
#define VMSIM_PTE_RW		(1ULL << 1)
#define VMSIM_PTE_USER		(1ULL << 2)
#define VMSIM_PTE_ACCESSED	(1ULL << 5)
#define VMSIM_PTE_DIRTY		(1ULL << 6)
#define VMSIM_PTE_SWAPPED	(1ULL << 7)
#define VMSIM_PTE_ZERO		(1ULL << 8)
#define VMSIM_PTE_ACTIVE	(1ULL << 9)
#define VMSIM_PTE_COW		(1ULL << 3)
#define VMSIM_PTE_SHARERS(e)	(((e) >> 52) & 0xfffULL)

#define VMSIM_PTE_PFN_SHIFT	12
#define VMSIM_PTE_PFN_MASK	(((1ULL << 40) - 1) << VMSIM_PTE_PFN_SHIFT)
#define VMSIM_PTE_SWP_TYPE(e)	(((e) >> 12) & 0xfULL)
#define VMSIM_PTE_SWP_OFFSET(e)	(((e) >> 16) & ((1ULL << 28) - 1))

/*
 * The ioctl magic: 0xF7 is unused in the kernel's ioctl-number.rst.
 */
#define VMSIM_IOC_MAGIC		0xF7

/**
 * struct vmsim_info - what this vmsim is and has (VMSIM_IOC_INFO)
 * @abi_version:	(out) VMSIM_ABI_VERSION of the running module
 * @page_size:		(out) bytes per page
 * @features:		(out) VMSIM_FEAT_* bits
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

/* VMSIM_IOC_PTE_QUERY flags */
#define VMSIM_QUERY_ADDR	(1U << 0)	/* @start is a virtual address */

/* The most entries one VMSIM_IOC_PTE_QUERY returns. */
#define VMSIM_QUERY_MAX		(1ULL << 24)

/**
 * struct vmsim_pte_query - copy out shadow PTEs (VMSIM_IOC_PTE_QUERY)
 * @start:	(in) first page index in this file's object; or, with
 *		VMSIM_QUERY_ADDR, a virtual address in a mapping of
 *		/dev/vmsim in process @pid (rounded down to a page)
 * @count:	(in) entries wanted, 1 to VMSIM_QUERY_MAX;
 *		(out) entries written (with VMSIM_QUERY_ADDR, clamped to the
 *		end of that mapping)
 * @entries:	(in) user address of a __u64[@count] array
 * @pid:	(in) with VMSIM_QUERY_ADDR: the process, 0 for the caller;
 *		reading another process needs ptrace read access to it
 * @flags:	(in) VMSIM_QUERY_* flags
 * @index:	(out) page index in the object of the first entry
 * @object_id:	(out) id of the object the entries belong to
 * @reserved:	must be zero
 *
 * Like /proc/PID/pagemap, with vmsim's bits: entry i describes object page
 * @index + i.  Reading the entries first folds the hardware accessed bits
 * of the real PTEs into them and fills in RW and USER from the real page
 * tables, so what is returned agrees with the hardware at that moment.
 */
struct vmsim_pte_query {
	__u64 start;
	__u64 count;
	__u64 entries;
	__s32 pid;
	__u32 flags;
	__u64 index;
	__u64 object_id;
	__u64 reserved[2];
};

#define VMSIM_IOC_PTE_QUERY	_IOWR(VMSIM_IOC_MAGIC, 0x01, struct vmsim_pte_query)

/*
 * VMSIM_IOC_ADVISE advice:
 * DONTNEED	drop the pages: their frames (and swap) are freed, and the
 *		next touch reads zero
 * WILLNEED	make the pages resident now: swapped pages are read back,
 *		never-written ones get a zero-filled frame
 * COLD		age now: clear the accessed bits, shadow and hardware, and
 *		move the pages to the inactive tail, to be reclaimed first
 * PAGEOUT	reclaim the pages now, referenced or not (pages that hold
 *		data need a swap area; without one only zero pages go)
 */
#define VMSIM_ADV_DONTNEED	1
#define VMSIM_ADV_WILLNEED	2
#define VMSIM_ADV_COLD		3
#define VMSIM_ADV_PAGEOUT	4

/**
 * struct vmsim_advice - advice about a range of this file's object
 * @start:	(in) first page index
 * @count:	(in) number of pages, at least 1; the range must lie within
 *		max_object_mb
 * @advice:	(in) VMSIM_ADV_*
 * @flags:	(in) must be zero
 * @done:	(out) pages the advice changed
 * @reserved:	must be zero
 */
struct vmsim_advice {
	__u64 start;
	__u64 count;
	__u32 advice;
	__u32 flags;
	__u64 done;
	__u64 reserved[2];
};

#define VMSIM_IOC_ADVISE	_IOWR(VMSIM_IOC_MAGIC, 0x02, struct vmsim_advice)

/**
 * struct vmsim_stats - counters of this file's object (VMSIM_IOC_STATS)
 * @faults:		(out) page faults handled for the object
 * @minor_faults:	(out) of which served from memory
 * @major_faults:	(out) of which waited for swap I/O
 * @zero_maps:		(out) read faults given the shared zero frame
 * @fault_around:	(out) pages mapped by fault-around
 * @resident:		(out) pages resident in pool frames now
 * @dirty:		(out) resident pages that are dirty now
 * @swapped:		(out) pages out in swap now, not resident (a page in
 *			the swap cache counts as resident)
 * @table_pages:	(out) pages of shadow page table now
 * @id:			(out) the object's number, as /proc/vmsim_objects and
 *			the vmsim tracepoints show it
 * @size:		(out) pages up to the end of the furthest mapping made
 * @reserved:		must be zero on input
 */
struct vmsim_stats {
	__u64 faults;
	__u64 minor_faults;
	__u64 major_faults;
	__u64 zero_maps;
	__u64 fault_around;
	__u64 resident;
	__u64 dirty;
	__u64 swapped;
	__u64 table_pages;
	__u64 id;
	__u64 size;
	__u64 reserved[5];
};

#define VMSIM_IOC_STATS		_IOWR(VMSIM_IOC_MAGIC, 0x03, struct vmsim_stats)

/*
 * Swap areas.
 *
 * A vmsim swap area is a whole block device whose first page is this
 * header (written by "vmsimctl mkswap DEV"); the other pages are slots.
 * swapon refuses a device without it, and never writes to a device before
 * it has checked it.
 */
#define VMSIM_SWAP_MAGIC	"VMSIMSWAP1"
#define VMSIM_SWAP_VERSION	1

/**
 * struct vmsim_swap_header - the first page of a vmsim swap area
 * @magic:	VMSIM_SWAP_MAGIC, NUL padded
 * @version:	VMSIM_SWAP_VERSION
 * @page_size:	the page size it was made for
 * @nr_pages:	pages in the area, the header's included; no larger than
 *		the device
 * @uuid:	random, to tell areas apart
 * @reserved:	zero
 *
 * Numbers are little-endian on disk.
 */
struct vmsim_swap_header {
	char magic[16];
	__le32 version;
	__le32 page_size;
	__le64 nr_pages;
	__u8 uuid[16];
	__le64 reserved[8];
};

/* struct vmsim_swapon flags */
#define VMSIM_SWAP_FLAG_PREFER	(1U << 0)	/* use @priority */

/* Priorities given with VMSIM_SWAP_FLAG_PREFER: 0 to this. */
#define VMSIM_SWAP_PRIO_MAX	32767

/**
 * struct vmsim_swapon - turn a swap area on or off (needs CAP_SYS_ADMIN)
 * @path:	(in) user address of the block device's path, NUL-terminated
 * @priority:	(in) with VMSIM_SWAP_FLAG_PREFER, 0 to VMSIM_SWAP_PRIO_MAX;
 *		higher is used first, equal ones in turn.  Without it, the
 *		area gets -1, -2, ... in the order areas come on.
 * @flags:	(in) VMSIM_SWAP_FLAG_*; for SWAPOFF, must be zero
 * @reserved:	must be zero
 */
struct vmsim_swapon {
	__u64 path;
	__s32 priority;
	__u32 flags;
	__u64 reserved[2];
};

#define VMSIM_IOC_SWAPON	_IOW(VMSIM_IOC_MAGIC, 0x04, struct vmsim_swapon)
#define VMSIM_IOC_SWAPOFF	_IOW(VMSIM_IOC_MAGIC, 0x05, struct vmsim_swapon)

/* struct vmsim_clone flags */
#define VMSIM_CLONE_CLOEXEC	(1U << 0)	/* the new fd is O_CLOEXEC */

/**
 * struct vmsim_clone - a copy-on-write copy of this file's object
 *	(VMSIM_IOC_CLONE)
 * @start:	(in) first page index the copy takes from this object
 * @count:	(in) pages from there; 0: up to the object's limit.  The
 *		copy's other pages start empty (they read zero)
 * @flags:	(in) VMSIM_CLONE_* flags
 * @fd:		(out) a new file descriptor for the copy, to mmap() as
 *		/dev/vmsim (must be zero on input)
 * @object_id:	(out) its id in /proc/vmsim_objects
 * @reserved:	must be zero
 *
 * No page is copied and no frame is spent: the pages of both objects are
 * shared until one of them writes one (it then gets its own copy, or the
 * frame itself when nobody else reads it any more), and a page in swap
 * stays one slot.  Both objects show their shared pages with
 * VMSIM_PTE_COW; /proc/vmsim_meminfo counts the frames once (in AnonPages),
 * and /proc/vmsim_vmstat's vmsim_nr_cow_shared says how many are shared.
 * The copy is taken page by page: a page written by another thread during
 * the call may reach it or not.  EMLINK: the object has 32 levels of
 * clones under it already (each clone made while an earlier one is still
 * open adds one).
 */
struct vmsim_clone {
	__u64 start;
	__u64 count;
	__u32 flags;
	__s32 fd;
	__u64 object_id;
	__u64 reserved[2];
};

#define VMSIM_IOC_CLONE		_IOWR(VMSIM_IOC_MAGIC, 0x06, struct vmsim_clone)

#endif /* _UAPI_LINUX_VMSIM_H */
