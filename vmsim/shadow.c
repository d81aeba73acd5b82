// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page tables: allocation, lookup, walks, and the
 * per-entry lock.
 *
 * The table of an object is a four-level radix tree of 512-entry pages,
 * indexed like an x86-64 page table (see vmsim.h).  Tables are installed
 * with cmpxchg() and only freed with the object, so lookups run without a
 * lock, concurrently with each other and with installs.
 *
 * Each leaf entry carries its own lock: bit VMSIM_PTE_LOCK_BIT of the
 * entry, taken with wait_on_bit_lock().  It serialises everything that
 * changes which frame or slot an entry points at (fault, reclaim, swap-in,
 * DONTNEED, teardown) and costs no memory.  Bits that only describe the
 * entry (ACCESSED, list membership) are flipped atomically without it.  The
 * lock is visible to lockdep through one lockdep_map for the whole class,
 * so lockdep checks its ordering against every other lock.
 *
 * An entry being read from swap stays locked until the read completes,
 * and the read may outlive the task that started it (a task killed while
 * it waits): such a lock belongs to the I/O, like the page lock of a page
 * under read in the page cache.  vmsim_entry_lock_to_io() hands a lock
 * over (lockdep forgets it), vmsim_entry_unlock_io() is the completion's
 * unlock.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>

#include "shadow.h"

/* Unused when lockdep is off: the lock_map_*() calls compile away. */
static struct lockdep_map vmsim_entry_lockdep_map __maybe_unused;
static struct lock_class_key vmsim_entry_lock_key;

/* Table pages of all objects, for PageTables in /proc/vmsim_meminfo. */
atomic_long_t vmsim_nr_table_pages = ATOMIC_LONG_INIT(0);

void vmsim_shadow_lockdep_init(void)
{
	lockdep_init_map(&vmsim_entry_lockdep_map, "vmsim_entry_lock",
			 &vmsim_entry_lock_key, 0);
}

/**
 * vmsim_entry_lock() - lock a shadow entry
 * @sptep: the entry
 *
 * For kernel threads and workers, which have no signal to wait for; a task
 * acting for user space takes vmsim_entry_lock_killable().
 *
 * Context: Process context; sleeps until the entry is free.  The caller
 * must hold no other entry lock (use vmsim_entry_trylock() for those).
 */
void vmsim_entry_lock(u64 *sptep)
{
	might_sleep();
	lock_map_acquire(&vmsim_entry_lockdep_map);
	wait_on_bit_lock((unsigned long *)sptep, VMSIM_PTE_LOCK_BIT,
			 TASK_UNINTERRUPTIBLE);
}

/**
 * vmsim_entry_lock_killable() - lock a shadow entry, unless killed
 * @sptep: the entry
 *
 * The entry may be locked for a long time by a read from a device that
 * stopped answering; a fatal signal ends the wait.
 *
 * Context: Process context; sleeps until the entry is free.  The caller
 * must hold no other entry lock.
 * Return: 0 with the entry locked, or -EINTR (a fatal signal).
 */
int vmsim_entry_lock_killable(u64 *sptep)
{
	might_sleep();
	lock_map_acquire(&vmsim_entry_lockdep_map);
	if (wait_on_bit_lock((unsigned long *)sptep, VMSIM_PTE_LOCK_BIT,
			     TASK_KILLABLE)) {
		lock_map_release(&vmsim_entry_lockdep_map);
		return -EINTR;
	}
	return 0;
}

/**
 * vmsim_entry_lock_below() - lock the entry of a clone's backing object
 * @sptep: the entry, at the index of an entry the caller holds in an
 *	object this one backs (directly or further down: cow.c)
 * @killable: a fatal signal ends the wait
 *
 * Entries are locked down the clone tree (a clone's before its backing
 * object's at the same index), so holding one entry lock while waiting
 * for one below cannot deadlock; lockdep is told so with a subclass.
 *
 * Context: Process context; sleeps.  The caller holds exactly one entry
 * lock, above this one.
 * Return: 0 with the entry locked, or -EINTR (only if @killable).
 */
int vmsim_entry_lock_below(u64 *sptep, bool killable)
{
	might_sleep();
	lock_acquire_exclusive(&vmsim_entry_lockdep_map, SINGLE_DEPTH_NESTING,
			       0, NULL, _THIS_IP_);
	if (wait_on_bit_lock((unsigned long *)sptep, VMSIM_PTE_LOCK_BIT,
			     killable ? TASK_KILLABLE : TASK_UNINTERRUPTIBLE)) {
		lock_map_release(&vmsim_entry_lockdep_map);
		return -EINTR;
	}
	return 0;
}

/**
 * vmsim_entry_trylock() - lock a shadow entry if it is free
 * @sptep: the entry
 *
 * Context: Any context.
 * Return: true if the entry is now locked by the caller.
 */
bool vmsim_entry_trylock(u64 *sptep)
{
	if (test_and_set_bit_lock(VMSIM_PTE_LOCK_BIT, (unsigned long *)sptep))
		return false;
	lock_map_acquire_try(&vmsim_entry_lockdep_map);
	return true;
}

/**
 * vmsim_entry_unlock() - unlock a shadow entry and wake its waiters
 * @sptep: the entry, locked by the caller
 *
 * Context: Any context.
 */
void vmsim_entry_unlock(u64 *sptep)
{
	lock_map_release(&vmsim_entry_lockdep_map);
	clear_and_wake_up_bit(VMSIM_PTE_LOCK_BIT, (unsigned long *)sptep);
}

/**
 * vmsim_entry_lock_to_io() - hand a locked entry over to a read in flight
 * @sptep: the entry, locked by the caller
 *
 * The entry stays locked; from now on the lock belongs to the I/O, and
 * vmsim_entry_unlock_io() releases it.
 *
 * Context: Any context.
 */
void vmsim_entry_lock_to_io(u64 *sptep)
{
	lock_map_release(&vmsim_entry_lockdep_map);
}

/**
 * vmsim_entry_unlock_io() - unlock an entry whose lock the I/O held
 * @sptep: the entry, handed over with vmsim_entry_lock_to_io()
 *
 * Context: Any context.
 */
void vmsim_entry_unlock_io(u64 *sptep)
{
	clear_and_wake_up_bit(VMSIM_PTE_LOCK_BIT, (unsigned long *)sptep);
}

static inline unsigned int vmsim_level_index(pgoff_t index, int level)
{
	return (index >> (level * VMSIM_TABLE_SHIFT)) &
	       (VMSIM_TABLE_ENTRIES - 1);
}

static u64 *vmsim_table_alloc(struct vmsim_shadow *shadow, pgoff_t base,
			      bool leaf)
{
	struct page *page;

	/* Charged to the faulting task's memcg, as page tables are. */
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return NULL;
	if (leaf) {
		set_page_private(page, (unsigned long)shadow);
		page->index = base;
	}
	atomic_long_inc(&shadow->nr_tables);
	atomic_long_inc(&vmsim_nr_table_pages);
	return page_address(page);
}

static void vmsim_table_free(struct vmsim_shadow *shadow, u64 *table)
{
	struct page *page = virt_to_page(table);

	set_page_private(page, 0);
	page->index = 0;
	__free_page(page);
	atomic_long_dec(&shadow->nr_tables);
	atomic_long_dec(&vmsim_nr_table_pages);
}

/**
 * vmsim_shadow_init() - make an empty shadow table
 * @shadow: the table, in an object being created
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int vmsim_shadow_init(struct vmsim_shadow *shadow)
{
	atomic_long_set(&shadow->nr_tables, 0);
	shadow->root = vmsim_table_alloc(shadow, 0, false);
	return shadow->root ? 0 : -ENOMEM;
}

/**
 * vmsim_shadow_lookup() - find the shadow entry of a page
 * @shadow: the table
 * @index: page index in the object, below 2^VMSIM_INDEX_BITS
 * @alloc: allocate missing tables on the way
 *
 * Context: Process context if @alloc (may sleep); any context otherwise.
 * Return: the entry; NULL if a table is missing and @alloc is false, or if
 * a table could not be allocated.
 */
u64 *vmsim_shadow_lookup(struct vmsim_shadow *shadow, pgoff_t index,
			 bool alloc)
{
	u64 *table = shadow->root;
	int level;

	if (WARN_ON_ONCE(index >> VMSIM_INDEX_BITS))
		return NULL;

	for (level = VMSIM_LEVELS - 1; level > 0; level--) {
		u64 *slot = &table[vmsim_level_index(index, level)];
		/* Pairs with the cmpxchg() that installed the table. */
		u64 next = smp_load_acquire(slot);

		if (!next) {
			pgoff_t base;
			u64 *new;

			if (!alloc)
				return NULL;
			base = index & ~((1UL << (level * VMSIM_TABLE_SHIFT)) - 1);
			new = vmsim_table_alloc(shadow, base, level == 1);
			if (!new)
				return NULL;
			/* Full barrier on success: publishes the zeroed table. */
			next = cmpxchg(slot, 0, (u64)(unsigned long)new);
			if (next)
				vmsim_table_free(shadow, new);
			else
				next = (u64)(unsigned long)new;
		}
		table = (u64 *)(unsigned long)next;
	}
	return &table[vmsim_level_index(index, 0)];
}

/**
 * vmsim_entry_shadow() - which table and page an entry belongs to
 * @sptep: a leaf shadow entry
 * @index: out: its page index
 *
 * Context: Any context.
 * Return: the table that holds it.
 */
struct vmsim_shadow *vmsim_entry_shadow(u64 *sptep, pgoff_t *index)
{
	struct page *leaf = virt_to_page(sptep);
	u64 *first = page_address(leaf);

	*index = leaf->index + (sptep - first);
	return (struct vmsim_shadow *)page_private(leaf);
}

static int vmsim_walk_level(struct vmsim_shadow *shadow, u64 *table, int level,
			    pgoff_t base, pgoff_t start, pgoff_t end,
			    vmsim_entry_fn fn, void *data)
{
	unsigned int shift = level * VMSIM_TABLE_SHIFT;
	unsigned int i = vmsim_level_index(start, level);
	pgoff_t index = base + ((pgoff_t)i << shift);
	int ret;

	for (; i < VMSIM_TABLE_ENTRIES && index < end;
	     i++, index = base + ((pgoff_t)i << shift)) {
		u64 e = READ_ONCE(table[i]);

		if (!e)
			continue;
		if (level == 0) {
			ret = fn(shadow, index, &table[i], data);
		} else {
			pgoff_t sub_start = max(start, index);

			ret = vmsim_walk_level(shadow, (u64 *)(unsigned long)e,
					       level - 1, index, sub_start, end,
					       fn, data);
			if (level == 1)
				cond_resched();
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vmsim_shadow_walk() - call @fn for each non-empty entry in a range
 * @shadow: the table
 * @start: first page index
 * @end: page index after the last one
 * @fn: called with the table, the index and the entry; a non-zero
 *	return stops the walk and is returned
 * @data: passed to @fn
 *
 * Entries are visited in index order.  Absent tables and zero entries are
 * skipped.  @fn runs without any lock held.
 *
 * Context: Process context; may sleep between leaf tables.
 * Return: 0, or what @fn returned.
 */
int vmsim_shadow_walk(struct vmsim_shadow *shadow, pgoff_t start, pgoff_t end,
		      vmsim_entry_fn fn, void *data)
{
	end = min_t(pgoff_t, end, 1UL << VMSIM_INDEX_BITS);
	if (start >= end)
		return 0;
	return vmsim_walk_level(shadow, shadow->root, VMSIM_LEVELS - 1, 0,
				start, end, fn, data);
}

static int vmsim_leaves_level(struct vmsim_shadow *shadow, u64 *table, int level,
			      pgoff_t base, vmsim_leaf_fn fn, void *data)
{
	unsigned int i;
	int ret;

	for (i = 0; i < VMSIM_TABLE_ENTRIES; i++) {
		u64 e = READ_ONCE(table[i]);
		pgoff_t index = base + ((pgoff_t)i << (level * VMSIM_TABLE_SHIFT));

		if (!e)
			continue;
		if (level == 1)
			ret = fn(shadow, index, (u64 *)(unsigned long)e, data);
		else
			ret = vmsim_leaves_level(shadow, (u64 *)(unsigned long)e,
						 level - 1, index, fn, data);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vmsim_shadow_walk_leaves() - call @fn for each leaf table
 * @shadow: the table
 * @fn: called with the table, the index of the table's first entry and
 *	the table (VMSIM_TABLE_ENTRIES entries); a non-zero return stops
 * @data: passed to @fn
 *
 * Context: Process context; @fn may sleep.
 * Return: 0, or what @fn returned.
 */
int vmsim_shadow_walk_leaves(struct vmsim_shadow *shadow, vmsim_leaf_fn fn,
			     void *data)
{
	return vmsim_leaves_level(shadow, shadow->root, VMSIM_LEVELS - 1, 0,
				  fn, data);
}

static void vmsim_free_level(struct vmsim_shadow *shadow, u64 *table,
			     int level)
{
	unsigned int i;

	if (level > 0) {
		for (i = 0; i < VMSIM_TABLE_ENTRIES; i++) {
			u64 e = table[i];

			if (e)
				vmsim_free_level(shadow, (u64 *)(unsigned long)e,
						 level - 1);
		}
	}
	vmsim_table_free(shadow, table);
}

/**
 * vmsim_shadow_free() - free every table
 * @shadow: a table whose entries have all been released
 *
 * Context: Process context.
 */
void vmsim_shadow_free(struct vmsim_shadow *shadow)
{
	if (!shadow->root)
		return;
	vmsim_free_level(shadow, shadow->root, VMSIM_LEVELS - 1);
	shadow->root = NULL;
}
