/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects: one per open of /dev/vmsim (object.c).
 *
 * An object is an address space: a shadow table, an address_space whose
 * i_mmap tree lists the VMAs that map it, counters.  object.c keeps the
 * list of live objects and their references; what it takes to free one
 * (every frame and slot its entries hold) is the teardown function that
 * dev.c, at the top, registers when it creates it.  A reference taken in
 * a lower layer (reclaim, an I/O in flight) is dropped with
 * vmsim_object_put_async(), which never runs the teardown in that context.
 */
#ifndef _VMSIM_OBJECT_H
#define _VMSIM_OBJECT_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#include "rmap.h"
#include "shadow.h"
#include "stat.h"

/*
 * An object's events, counted per CPU (every thread and forked child of
 * its users faults on them) and summed when read.
 */
enum vmsim_object_event {
	VMSIM_OBJ_FAULTS,		/* ->fault calls */
	VMSIM_OBJ_MINOR,		/* of which served from memory */
	VMSIM_OBJ_MAJOR,		/* of which waited for swap I/O */
	VMSIM_OBJ_ZERO_MAPS,		/* read faults given the zero frame */
	VMSIM_OBJ_FAULT_AROUND,		/* pages mapped by fault-around */
	NR_VMSIM_OBJ_EVENTS
};

struct vmsim_object_events {
	unsigned long event[NR_VMSIM_OBJ_EVENTS];
};

/* An object's gauges: current amounts, changed far less often. */
struct vmsim_object_stats {
	atomic_long_t resident;		/* frames held (PRESENT entries) */
	atomic_long_t dirty;		/* of which DIRTY */
	atomic_long_t swapped;		/* entries with a swap copy, not resident */
	atomic_long_t span;		/* end of the furthest mapping, pages */
};

/**
 * struct vmsim_object - an address space: what one open of /dev/vmsim owns
 * @ref:	holders: the open file, and operations in flight on it
 * @release_work: the teardown, queued on @release_wq when the last
 *		reference goes (both set by object.c at create)
 * @release_wq:	the workqueue that runs it
 * @id:		number shown in /proc/vmsim_objects (invariant)
 * @inode:	private anonymous inode; its i_mapping is the object's
 *		address_space, whose i_mmap tree lists every VMA mapping it
 * @shadow:	the shadow page table
 * @node:	on vmsim_objects, under vmsim_objects_lock
 * @owner_pid:	tgid of the opener (invariant)
 * @owner_uid:	effective uid of the opener (invariant)
 * @owner_comm:	command name of the opener (invariant)
 * @events:	per-object event counters, per CPU
 * @stats:	per-object gauges
 * @hidden:	a backing object: made by a clone to hold the pages its
 *		clones share, with no file of its own (invariant)
 * @backing:	copy-on-write: where this object's pages that are not its
 *		own (vmsim_pte_own()) come from, or NULL; referenced
 * @backing_start, @backing_end: the indexes that do; the others read zero
 * @clones:	the objects this one backs (their @clone_node)
 * @nr_clones:	how many
 * @depth:	levels of backing objects from here down (0 for none)
 *
 * @backing, its range, @clones and @nr_clones change only under
 * vmsim_clone_sem held for write (object.c).
 */
struct vmsim_object {
	struct kref ref;
	struct work_struct release_work;
	struct workqueue_struct *release_wq;
	u64 id;
	struct inode *inode;
	struct vmsim_shadow shadow;
	struct list_head node;
	pid_t owner_pid;
	kuid_t owner_uid;
	char owner_comm[TASK_COMM_LEN];
	struct vmsim_object_events __percpu *events;
	struct vmsim_object_stats stats;
	bool hidden;
	struct vmsim_object *backing;
	pgoff_t backing_start, backing_end;
	struct list_head clones;
	struct list_head clone_node;
	unsigned int nr_clones;
	unsigned int depth;
};

static inline struct address_space *vmsim_object_mapping(struct vmsim_object *obj)
{
	return obj->inode->i_mapping;
}

/* The object that owns shadow table @shadow. */
static inline struct vmsim_object *vmsim_shadow_object(struct vmsim_shadow *shadow)
{
	return container_of(shadow, struct vmsim_object, shadow);
}

/* Which object and page a shadow entry belongs to (no reference taken). */
static inline struct vmsim_object *vmsim_entry_object(u64 *sptep,
						      pgoff_t *index)
{
	return vmsim_shadow_object(vmsim_entry_shadow(sptep, index));
}

static inline void vmsim_object_get(struct vmsim_object *obj)
{
	kref_get(&obj->ref);
}

static inline bool vmsim_object_tryget(struct vmsim_object *obj)
{
	return kref_get_unless_zero(&obj->ref);
}

static inline void vmsim_object_queue_release(struct kref *ref)
{
	struct vmsim_object *obj = container_of(ref, struct vmsim_object, ref);

	queue_work(obj->release_wq, &obj->release_work);
}

/*
 * Drop a reference from a context that must not run the teardown (reclaim,
 * the I/O completion worker, another task's fault): the last one queues it.
 */
static inline void vmsim_object_put_async(struct vmsim_object *obj)
{
	kref_put(&obj->ref, vmsim_object_queue_release);
}

static inline void vmsim_object_count(struct vmsim_object *obj,
				      enum vmsim_object_event item,
				      unsigned long n)
{
	this_cpu_add(obj->events->event[item], n);
}

static inline void vmsim_resident_add(struct vmsim_object *obj, long delta)
{
	atomic_long_add(delta, &obj->stats.resident);
	vmsim_stat_add(VMSIM_NR_RESIDENT, delta);
	if (obj->hidden)
		vmsim_stat_add(VMSIM_NR_SHARED, delta);
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

/* ------------------------------------------------------------------------
 * object.c
 */
extern unsigned int vmsim_max_object_mb;

static inline unsigned long vmsim_max_object_pages(void)
{
	return (unsigned long)READ_ONCE(vmsim_max_object_mb) <<
	       (20 - PAGE_SHIFT);
}

struct vmsim_object *vmsim_object_create(work_func_t teardown, bool hidden);
void vmsim_object_put(struct vmsim_object *obj);
void vmsim_object_unlist(struct vmsim_object *obj);
void vmsim_object_destroy(struct vmsim_object *obj);
int vmsim_walk_objects(int (*fn)(struct vmsim_object *obj, void *data),
		       void *data);
void vmsim_object_get_stats(struct vmsim_object *obj, struct vmsim_stats *st);
void vmsim_object_note_span(struct vmsim_object *obj, unsigned long end);
int vmsim_objects_show(struct seq_file *m, void *v);

/* Copy-on-write clones: the tree of objects and their backing objects. */
extern struct rw_semaphore vmsim_clone_sem;

/* Does @obj read page @index from a backing object when it has none? */
static inline struct vmsim_object *vmsim_object_backing(struct vmsim_object *obj,
							pgoff_t index)
{
	struct vmsim_object *b = READ_ONCE(obj->backing);

	if (b && index >= READ_ONCE(obj->backing_start) &&
	    index < READ_ONCE(obj->backing_end))
		return b;
	return NULL;
}

struct vmsim_object *vmsim_object_unlink_clone(struct vmsim_object *obj);
void vmsim_object_unmap(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
			bool wait);
long vmsim_object_rmap_walk(struct vmsim_object *obj, pgoff_t start,
			    pgoff_t nr, u8 *bits, unsigned int flags,
			    struct vmsim_tlb_batch *tlb);
u64 vmsim_object_resolve(struct vmsim_object *obj, pgoff_t index,
			 unsigned int *sharers);
void vmsim_objects_flush_teardowns(void);
int vmsim_objects_init(void);
void vmsim_objects_exit(void);

#endif /* _VMSIM_OBJECT_H */
