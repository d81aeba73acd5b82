/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by vmsim's files, and its locking rules.
 *
 * Lock ordering in vmsim (Documentation/design.rst has the reasons; the two
 * are kept in step):
 *
 *   mm->mmap_lock or the per-VMA lock        (page faults, ->mmap)
 *     shadow entry lock                       (VMSIM_PTE_LOCKED bit; sleeps)
 *       page lock of a pool frame             (after the entry lock only)
 *       mapping->i_mmap_rwsem                 (unmap_mapping_pages, PTE walks)
 *         page table lock                     (inside the core's helpers)
 *       per-CPU frame cache lock              (spinlock)
 *         vmsim_pool.lock                     (spinlock: free lists)
 *       per-CPU LRU batch lock                (spinlock)
 *         vmsim_lru.lock                      (spinlock: the LRU lists)
 *   vmsim_objects_lock                        (mutex: the list of objects)
 *
 * Rules:
 * - An entry lock is taken blocking only when the task holds no other
 *   entry lock; further entries (fault-around, readahead, reclaim) are
 *   try-locked.
 * - Nothing in vmsim waits for an mmap lock while holding a vmsim lock:
 *   PTE walks go through the object's i_mmap tree, as the kernel's own
 *   rmap walks do.
 * - Spinlocks are leaves: nothing sleeps under them.
 */
#ifndef _VMSIM_H
#define _VMSIM_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/percpu_counter.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <uapi/linux/vmsim.h>

#include "compat.h"

/*
 * ------------------------------------------------------------------------
 * Module parameters (main.c)
 *
 */
extern unsigned int vmsim_pool_mb;
extern unsigned int vmsim_max_object_mb;
extern unsigned short vmsim_dev_mode;
extern unsigned int vmsim_fault_around_pages;
extern unsigned int vmsim_min_free_kbytes;
extern unsigned int vmsim_wmark_scale_factor;
extern unsigned int vmsim_inactive_ratio;
extern unsigned int vmsim_page_cluster;
extern char *vmsim_swapdev;

/* fault_around_pages may be at most this (the window fits a u64 bitmap). */
#define VMSIM_FAULT_AROUND_MAX	64

/* What VMSIM_IOC_INFO reports in ->features. */
#define VMSIM_FEATURES		(VMSIM_FEAT_POOL | VMSIM_FEAT_PTE_QUERY | \
				 VMSIM_FEAT_ADVISE | VMSIM_FEAT_STATS | \
				 VMSIM_FEAT_FAULT_AROUND | VMSIM_FEAT_RECLAIM | \
				 VMSIM_FEAT_SWAP)

/*
 * ------------------------------------------------------------------------
 * Event counters: per-CPU, summed when read (/proc/vmsim_vmstat).
 *
 */
enum vmsim_event {
	VMSIM_PGFAULT,		/* faults handled by ->fault */
	VMSIM_PGMAJFAULT,	/* faults that waited for swap I/O */
	VMSIM_PGALLOC,		/* frames taken from the free lists */
	VMSIM_PGFREE,		/* frames given back to the free lists */
	VMSIM_ZERO_FILL,	/* frames zeroed on the fault path */
	VMSIM_ZERO_MAP,		/* read faults given the zero frame */
	VMSIM_FAULT_AROUND,	/* pages mapped by fault-around */
	VMSIM_OOM,		/* faults answered with SIGBUS: no frame */
	VMSIM_ORPHANED,		/* frames released while still pinned */
	VMSIM_PGSCAN_KSWAPD,	/* inactive pages scanned by vmsimd */
	VMSIM_PGSCAN_DIRECT,	/* ... by faulting tasks */
	VMSIM_PGSTEAL_KSWAPD,	/* pages evicted by vmsimd */
	VMSIM_PGSTEAL_DIRECT,	/* ... by faulting tasks */
	VMSIM_PGSTEAL_PAGEOUT,	/* ... by VMSIM_ADV_PAGEOUT */
	VMSIM_PGACTIVATE,	/* inactive -> active */
	VMSIM_PGDEACTIVATE,	/* active -> inactive */
	VMSIM_PGREFILL,		/* active pages scanned */
	VMSIM_ALLOCSTALL,	/* faults that reclaimed directly */
	VMSIM_PAGEOUTRUN,	/* vmsimd wakeups */
	VMSIM_KSWAPD_STUCK,	/* vmsimd passes that reclaimed nothing */
	VMSIM_RECLAIM_ZERO,	/* pages evicted by dropping them: all zero */
	VMSIM_UNEVICTABLE,	/* pages parked: data and no swap */
	VMSIM_WORKINGSET_REFAULT, /* evicted pages faulted back */
	VMSIM_WORKINGSET_ACTIVATE, /* ... within the workingset: activated */
	VMSIM_WORKINGSET_RESTORE, /* ... that were active when evicted */
	VMSIM_AGING_PASSES,	/* proactive aging passes of vmsimd */
	VMSIM_AGING_SCANNED,	/* resident pages they looked at */
	VMSIM_PSWPIN,		/* pages read from swap */
	VMSIM_PSWPOUT,		/* pages written to swap */
	VMSIM_SWAP_RA,		/* pages read ahead */
	VMSIM_SWAP_RA_HIT,	/* ... and then faulted */
	VMSIM_SWAP_READ_ERRORS,	/* swap-ins that failed to read */
	VMSIM_SWAP_CRC_ERRORS,	/* swap-ins whose checksum did not match */
	VMSIM_SWAP_WRITE_ERRORS, /* pages whose write failed */
	VMSIM_SWAP_FULL,	/* slot allocations that found swap full */
	VMSIM_SWAP_SIGBUS,	/* faults answered SIGBUS: bad swap data */
	NR_VMSIM_EVENTS
};

/* Gauges: current amounts, kept as per-CPU deltas and summed when read. */
enum vmsim_stat_item {
	VMSIM_NR_RESIDENT,	/* frames holding object pages */
	VMSIM_NR_DIRTY,		/* of which dirty */
	VMSIM_NR_SWAPCACHE,	/* of which with a copy in a swap slot */
	VMSIM_NR_WRITEBACK,	/* of which being written */
	VMSIM_NR_SWAPPED,	/* pages out in swap, not resident */
	NR_VMSIM_STAT_ITEMS
};

struct vmsim_event_state {
	unsigned long event[NR_VMSIM_EVENTS];
	long stat[NR_VMSIM_STAT_ITEMS];
};

DECLARE_PER_CPU(struct vmsim_event_state, vmsim_event_states);

static inline void vmsim_count(enum vmsim_event item)
{
	this_cpu_inc(vmsim_event_states.event[item]);
}

static inline void vmsim_count_add(enum vmsim_event item, long delta)
{
	this_cpu_add(vmsim_event_states.event[item], delta);
}

unsigned long vmsim_event_sum(enum vmsim_event item);

static inline void vmsim_stat_add(enum vmsim_stat_item item, long delta)
{
	this_cpu_add(vmsim_event_states.stat[item], delta);
}

unsigned long vmsim_stat_sum(enum vmsim_stat_item item);

/*
 * ------------------------------------------------------------------------
 * The frame pool (pool.c)
 *
 * Every frame is an order-0 page allocated at load and owned by vmsim
 * until unload.  A frame's struct page carries vmsim's per-frame state:
 * ->lru      links it on exactly one list: a free list, or (later) an LRU
 * ->private  the address of the shadow entry that maps it (0 when free)
 * Nothing else: ->mapping stays NULL (the core then treats it as a plain
 * driver page: vm_insert_page()/finish_fault() need no ->mapping).
 *
 */
struct vmsim_pool {
	spinlock_t lock;		/* protects the lists and counts below */
	struct list_head zeroed;	/* free frames, known to be zero */
	struct list_head dirty;		/* free frames still to be zeroed */
	unsigned long nr_zeroed;
	unsigned long nr_dirty;
	unsigned long nr_zeroing;	/* off the lists, being zeroed */

	unsigned long nr_orphans;	/* released but still pinned */

	/* MemTotal; shrinks only if pinned orphans outlive the module */
	unsigned long nr_frames;
	/* free frames anywhere: per-CPU caches, lists, being zeroed */
	struct percpu_counter nr_free;
	struct page *zero_frame;	/* shared read-only frame of zeroes */
};

extern struct vmsim_pool vmsim_pool;

int vmsim_pool_init(unsigned long nr_frames);
void vmsim_pool_exit(void);
struct page *vmsim_frame_alloc(void);
struct page *vmsim_frame_alloc_unzeroed(void);
void vmsim_frame_free(struct page *page);
void vmsim_frame_release(struct page *page);
unsigned long vmsim_zero_pending(void);

/* Free frames, exactly (for /proc). */
static inline unsigned long vmsim_nr_free(void)
{
	return percpu_counter_sum_positive(&vmsim_pool.nr_free);
}

/* Free frames, cheaply, within a few per-CPU batches (for decisions). */
static inline unsigned long vmsim_nr_free_fast(void)
{
	return percpu_counter_read_positive(&vmsim_pool.nr_free);
}

static inline bool vmsim_is_zero_frame(struct page *page)
{
	return page == vmsim_pool.zero_frame;
}

/*
 * ------------------------------------------------------------------------
 * Shadow page tables (shadow.c)
 *
 * Each object has a four-level table of 512-entry pages, indexed by the
 * page offset in the object exactly as x86-64 indexes a virtual address:
 * bits 35-27, 26-18, 17-9 and 8-0 of the page index.  Upper levels hold the
 * kernel address of the next table; the leaf level holds 64-bit shadow PTEs
 * in the format of include/uapi/linux/vmsim.h.  Tables are allocated on
 * first use and freed only with the object, so a lookup needs no lock.
 *
 * A leaf table page's struct page records its owner, as the kernel's own
 * page-table pages do: ->private is the object, ->index the page index of
 * its first entry.  That turns a shadow entry's address back into
 * (object, index) without storing either per frame.
 *
 */
#define VMSIM_TABLE_SHIFT	9
#define VMSIM_TABLE_ENTRIES	BIT(VMSIM_TABLE_SHIFT)
#define VMSIM_LEVELS		4
#define VMSIM_INDEX_BITS	(VMSIM_LEVELS * VMSIM_TABLE_SHIFT)

/*
 * Internal entry bits, in the bits the uapi leaves to software.  Some
 * exist only while the entry is PRESENT (they share bits with the
 * eviction age of entries that are not).
 *
 *   11       LOCKED        the entry lock (any state)
 *   10       EVICTED       not PRESENT: reclaim took the page; bits 45-63
 *                          hold its eviction age, bit 44 WORKINGSET
 *   44       WORKINGSET    ... it was on the active list when evicted
 *   45-63    eviction age  ... (VMSIM_EVICTION_BITS of the workingset clock)
 *   52       REFERENCED    PRESENT: referenced at the last inactive scan
 *   53       UNEVICTABLE   PRESENT: on the unevictable list
 *   54-55    FREQ          PRESENT, active: in how many of the last active
 *                          scans it was referenced (0-3)
 *   56       WRITEBACK     PRESENT and SWAPPED: being written to its slot
 *   57       READAHEAD     PRESENT and SWAPPED: read ahead, not faulted yet
 *
 * A PRESENT and SWAPPED entry is in the swap cache: its slot is in the
 * frame's page->index, since the PFN takes the bits a slot would use.
 */
#define VMSIM_PTE_LOCK_BIT	11
#define VMSIM_PTE_LOCKED	BIT_ULL(VMSIM_PTE_LOCK_BIT)
#define VMSIM_PTE_EVICTED	BIT_ULL(10)
#define VMSIM_PTE_WORKINGSET	BIT_ULL(44)
#define VMSIM_PTE_AGE_SHIFT	45
#define VMSIM_EVICTION_BITS	19
#define VMSIM_PTE_REFERENCED	BIT_ULL(52)
#define VMSIM_PTE_UNEVICTABLE	BIT_ULL(53)
#define VMSIM_PTE_FREQ_SHIFT	54
#define VMSIM_PTE_FREQ_MASK	(3ULL << VMSIM_PTE_FREQ_SHIFT)
#define VMSIM_PTE_WRITEBACK_BIT	56
#define VMSIM_PTE_WRITEBACK	BIT_ULL(VMSIM_PTE_WRITEBACK_BIT)
#define VMSIM_PTE_READAHEAD	BIT_ULL(57)

struct vmsim_object;

struct vmsim_shadow {
	u64 *root;			/* top-level table, set at create */
	atomic_long_t nr_tables;	/* table pages, for PageTables */
};

typedef int (*vmsim_entry_fn)(struct vmsim_object *obj, pgoff_t index,
			      u64 *sptep, void *data);
typedef int (*vmsim_leaf_fn)(struct vmsim_object *obj, pgoff_t base,
			     u64 *table, void *data);

void vmsim_shadow_lockdep_init(void);
int vmsim_shadow_init(struct vmsim_object *obj);
void vmsim_shadow_free(struct vmsim_object *obj);
u64 *vmsim_shadow_lookup(struct vmsim_object *obj, pgoff_t index, bool alloc);
int vmsim_shadow_walk(struct vmsim_object *obj, pgoff_t start, pgoff_t end,
		      vmsim_entry_fn fn, void *data);
int vmsim_shadow_walk_leaves(struct vmsim_object *obj, vmsim_leaf_fn fn,
			     void *data);
struct vmsim_object *vmsim_entry_object(u64 *sptep, pgoff_t *index);

extern atomic_long_t vmsim_nr_table_pages;

void vmsim_entry_lock(u64 *sptep);
bool vmsim_entry_trylock(u64 *sptep);
void vmsim_entry_unlock(u64 *sptep);

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

/*
 * Is @e a page in the swap cache whose write is in flight?  (Bit 56 is
 * part of the eviction age of an entry that is not PRESENT.)
 */
static inline bool vmsim_pte_writeback(u64 e)
{
	return (e & (VMSIM_PTE_PRESENT | VMSIM_PTE_WRITEBACK)) ==
	       (VMSIM_PTE_PRESENT | VMSIM_PTE_WRITEBACK);
}

static inline unsigned long vmsim_pte_pfn(u64 pte)
{
	return (pte & VMSIM_PTE_PFN_MASK) >> VMSIM_PTE_PFN_SHIFT;
}

static inline u64 vmsim_pfn_pte(unsigned long pfn)
{
	return ((u64)pfn << VMSIM_PTE_PFN_SHIFT) & VMSIM_PTE_PFN_MASK;
}

/*
 * ------------------------------------------------------------------------
 * Objects (object.c): one per open of /dev/vmsim.
 *
 */
struct vmsim_object_stats {
	atomic_long_t faults;		/* ->fault calls */
	atomic_long_t minor;		/* of which served from memory */
	atomic_long_t major;		/* of which waited for swap I/O */
	atomic_long_t zero_maps;	/* read faults given the zero frame */
	atomic_long_t fault_around;	/* pages mapped by fault-around */
	atomic_long_t resident;		/* frames held (PRESENT entries) */
	atomic_long_t dirty;		/* of which DIRTY */
	atomic_long_t swapped;		/* entries with a swap copy */
	atomic_long_t span;		/* end of the furthest mapping, pages */
};

/**
 * struct vmsim_object - an address space: what one open of /dev/vmsim owns
 * @ref:	holders: the open file, and operations in flight on it
 * @id:		number shown in /proc/vmsim_objects (invariant)
 * @inode:	private anonymous inode; its i_mapping is the object's
 *		address_space, whose i_mmap tree lists every VMA mapping it
 * @shadow:	the shadow page table
 * @node:	on vmsim_objects, under vmsim_objects_lock
 * @owner_pid:	tgid of the opener (invariant)
 * @owner_comm:	command name of the opener (invariant)
 * @stats:	per-object counters
 */
struct vmsim_object {
	struct kref ref;
	u64 id;
	struct inode *inode;
	struct vmsim_shadow shadow;
	struct list_head node;
	pid_t owner_pid;
	char owner_comm[TASK_COMM_LEN];
	struct vmsim_object_stats stats;
};

extern struct mutex vmsim_objects_lock;
extern struct list_head vmsim_objects;

struct vmsim_object *vmsim_object_create(void);
void vmsim_object_put(struct vmsim_object *obj);
int vmsim_walk_objects(int (*fn)(struct vmsim_object *obj, void *data),
		       void *data);
struct page *vmsim_entry_populate(struct vmsim_object *obj, pgoff_t index,
				  u64 *sptep);
void vmsim_entry_set_dirty(struct vmsim_object *obj, u64 *sptep);
struct page *vmsim_entry_swapin(struct vmsim_object *obj, pgoff_t index,
				u64 *sptep, bool readahead, int *err);
int vmsim_swapoff_entry(struct vmsim_object *obj, pgoff_t index, u64 *sptep,
			void *data);
int vmsim_object_advise(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
			unsigned int advice, unsigned long *done);
int vmsim_object_query(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
		       u64 __user *out, bool show_pfn);
void vmsim_object_get_stats(struct vmsim_object *obj, struct vmsim_stats *st);
void vmsim_object_note_span(struct vmsim_object *obj, unsigned long end);
int vmsim_objects_show(struct seq_file *m, void *v);

static inline void vmsim_resident_add(struct vmsim_object *obj, long delta)
{
	atomic_long_add(delta, &obj->stats.resident);
	vmsim_stat_add(VMSIM_NR_RESIDENT, delta);
}

static inline void vmsim_dirty_add(struct vmsim_object *obj, long delta)
{
	atomic_long_add(delta, &obj->stats.dirty);
	vmsim_stat_add(VMSIM_NR_DIRTY, delta);
}

static inline void vmsim_swapped_add(struct vmsim_object *obj, long delta)
{
	atomic_long_add(delta, &obj->stats.swapped);
	vmsim_stat_add(VMSIM_NR_SWAPPED, delta);
}

/* What a swapoff walk carries along. */
struct vmsim_swapoff {
	int type;			/* the area being emptied */
	unsigned long bad;		/* pages that could not be read back */
};

void vmsim_ra_hit(void);

static inline struct address_space *vmsim_object_mapping(struct vmsim_object *obj)
{
	return obj->inode->i_mapping;
}

static inline unsigned long vmsim_max_object_pages(void)
{
	return (unsigned long)vmsim_max_object_mb << (20 - PAGE_SHIFT);
}

/*
 * ------------------------------------------------------------------------
 * LRU lists (lru.c) and reclaim (reclaim.c)
 *
 */
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

/*
 * ------------------------------------------------------------------------
 * Swap entries: an area (type) and a slot in it
 *
 */
typedef u32 vmsim_swp_t;

#define VMSIM_SWAP_TYPES	16
#define VMSIM_SWP_TYPE_BITS	4
#define VMSIM_SWP_OFFSET_BITS	28

static inline vmsim_swp_t vmsim_swp(unsigned int type, unsigned long offset)
{
	return type | (offset << VMSIM_SWP_TYPE_BITS);
}

static inline unsigned int vmsim_swp_type(vmsim_swp_t swp)
{
	return swp & (VMSIM_SWAP_TYPES - 1);
}

static inline unsigned long vmsim_swp_offset(vmsim_swp_t swp)
{
	return swp >> VMSIM_SWP_TYPE_BITS;
}

/* The swap entry a non-present SWAPPED shadow entry holds, and back. */
static inline vmsim_swp_t vmsim_pte_swp(u64 e)
{
	return (e >> VMSIM_PTE_PFN_SHIFT) & GENMASK_ULL(31, 0);
}

static inline u64 vmsim_swp_pte(vmsim_swp_t swp)
{
	return (u64)swp << VMSIM_PTE_PFN_SHIFT;
}

/**
 * struct vmsim_swap_area - a block device that is on as swap
 * @type: its number, in swap entries (invariant)
 * @prio: its priority (invariant)
 * @path: the path given to swapon (invariant)
 * @bdev: the device, open exclusively (invariant)
 * @nr_slots: pages in the area, the header's included (invariant)
 * @lock: protects @map, @nr_used, @nr_bad and @next
 * @map: bit set: slot taken (the header, in use, or retired)
 * @nr_used: slots holding a page
 * @nr_bad: slots retired after a write error
 * @next: where the next allocation looks first
 * @draining: swapoff is under way: no new slots (set under @lock and
 *	vmsim_swap_mutex)
 * @crc: CRC32C of the page written to each slot
 * @inflight: writes in flight
 * @wait: woken when @inflight reaches 0, and when @nr_used of a draining
 *	area does
 * @node: on the list of areas taking slots, under vmsim_swap_lock
 */
struct vmsim_swap_area {
	int type;
	int prio;
	char *path;
	struct vmsim_bdev bdev;
	unsigned long nr_slots;
	spinlock_t lock;		/* see above */
	unsigned long *map;
	unsigned long nr_used;
	unsigned long nr_bad;
	unsigned long next;
	bool draining;
	u32 *crc;
	atomic_t inflight;
	wait_queue_head_t wait;
	struct list_head node;
};

extern struct vmsim_swap_area *vmsim_swap_info[VMSIM_SWAP_TYPES];
extern atomic_long_t vmsim_swap_total;
extern atomic_long_t vmsim_swap_free;
extern atomic_long_t vmsim_writes_in_flight;
extern struct wait_queue_head vmsim_writeback_wait;

static inline struct vmsim_swap_area *vmsim_swp_area(vmsim_swp_t swp)
{
	return READ_ONCE(vmsim_swap_info[vmsim_swp_type(swp)]);
}

/* The most pages one swap-in reads (its page and readahead). */
#define VMSIM_MAX_READAHEAD	32

/* One page to read back from swap. */
struct vmsim_swapin {
	struct page *page;
	vmsim_swp_t swp;
	int err;			/* 0, -EIO (read), -EBADMSG (checksum) */
	pgoff_t index;
	u64 *sptep;
	u64 old;			/* the entry before */
};

bool vmsim_swap_on(void);
int vmsim_swap_init(void);
void vmsim_swap_exit(void);
int vmsim_swapon(const char *path, int prio, bool prefer);
int vmsim_swapoff(const char *path);
unsigned int vmsim_swap_alloc(unsigned int n, vmsim_swp_t *out);
void vmsim_swap_free_slot(vmsim_swp_t swp);
void vmsim_swap_set_crc(vmsim_swp_t swp, struct page *page);
void vmsim_swap_read(struct vmsim_swapin *reqs, unsigned int nr);
int vmsim_swaps_show(struct seq_file *m, void *v);

/* A frame taken off an LRU list by reclaim, with what it belongs to. */
struct vmsim_isolated {
	struct page *page;		/* holds a reference */
	struct vmsim_object *obj;	/* holds a reference */
	pgoff_t index;
	u64 *sptep;
	long refs;			/* how referenced it was found */
	vmsim_swp_t swp;		/* its slot, when it is written */
};

unsigned int vmsim_swap_write(struct vmsim_isolated *iso, unsigned int nr,
			      bool direct);
int vmsim_isolated_cmp(const void *a, const void *b);
void vmsim_writeback_done(struct vmsim_isolated *iso, int err, bool direct);

void vmsim_lru_init(void);
void vmsim_lru_add(struct page *page, bool active);
void vmsim_lru_add_locked(struct page *page, enum vmsim_lru_list lru,
			  bool tail);
void vmsim_lru_del_locked(struct page *page);
void vmsim_lru_del(struct page *page);
void vmsim_lru_drain_all(void);
void vmsim_lru_putback(struct page *page, enum vmsim_lru_list lru, bool tail);
unsigned int vmsim_lru_isolate(enum vmsim_lru_list lru, unsigned int nr,
			       struct vmsim_isolated *out);
void vmsim_lru_rescue_unevictable(void);

enum vmsim_evict_result {
	VMSIM_EVICT_DONE,		/* the frame is back in the pool */
	VMSIM_EVICT_WRITE,		/* it goes once written to its slot */
	VMSIM_EVICT_BUSY,		/* in use right now: try later */
	VMSIM_EVICT_KEEP,		/* data and no swap: cannot go */
	VMSIM_EVICT_LOCKED,		/* locked, to be unmapped and finished */
};

struct vmsim_watermarks {
	unsigned long min;		/* frames; read without a lock */
	unsigned long low;
	unsigned long high;
};

extern struct vmsim_watermarks vmsim_wmark;

void vmsim_watermarks_update(void);
unsigned int vmsim_default_min_free_kbytes(unsigned long frames);
int vmsim_reclaim_init(void);
void vmsim_reclaim_exit(void);
void vmsim_reclaim_kick(void);
unsigned long vmsim_shrink(unsigned long nr, bool direct);
struct page *vmsim_frame_alloc_reclaim(bool unzeroed);
bool vmsim_workingset_refault(u64 e);
bool vmsim_free_below_low(void);
bool vmsim_pageout(struct vmsim_object *obj, u64 *sptep);
void vmsim_deactivate(u64 *sptep);

/*
 * ------------------------------------------------------------------------
 * The real page tables (rmap.c)
 *
 */
#define VMSIM_WALK_MAPPED	BIT(0)	/* a present PTE maps the page */
#define VMSIM_WALK_WRITE	BIT(1)	/* ... writable */
#define VMSIM_WALK_YOUNG	BIT(2)	/* ... with the accessed bit set */

#define VMSIM_WALK_CLEAR_YOUNG	BIT(0)	/* clear the accessed bits found */
#define VMSIM_WALK_TRYLOCK	BIT(1)	/* do not wait for the i_mmap lock */
#define VMSIM_WALK_NOFLUSH	BIT(2)	/* the caller flushes the TLBs */

long vmsim_rmap_walk(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
		     u8 *bits, unsigned int flags);
void vmsim_mkold_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned int nr, u64 mask);
void vmsim_flush_tlb_all(void);

/*
 * ------------------------------------------------------------------------
 * The device (dev.c, ioctl.c), faults (fault.c), /proc (proc.c)
 *
 */
long vmsim_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
int vmsim_dev_init(void);
void vmsim_dev_exit(void);
struct inode *vmsim_fs_new_inode(void);
void vmsim_fs_put_inode(struct inode *inode);

extern const struct vm_operations_struct vmsim_vm_ops;

int vmsim_proc_init(void);
void vmsim_proc_exit(void);

#endif /* _VMSIM_H */
