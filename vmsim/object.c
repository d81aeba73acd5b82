// SPDX-License-Identifier: GPL-2.0
/*
 * Objects: creation, references, the list of live objects, their counters
 * and /proc/vmsim_objects.
 *
 * An object lives as long as its file (every VMA that maps it holds the
 * file) plus whatever operation in flight holds a reference.  The last
 * reference runs the teardown its creator registered (dev.c's, which
 * gives back every frame and slot): at once when the holder may sleep and
 * run it (vmsim_object_put()), on a workqueue when the holder is reclaim,
 * an I/O completion or another task's fault (vmsim_object_put_async()).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "object.h"
#include "param.h"
#include "rmap.h"
#include "vmsimfs.h"

unsigned int vmsim_max_object_mb = 4096;
static struct vmsim_uint_param vmsim_max_object_mb_param = {
	.value = &vmsim_max_object_mb, .min = 1,
	.max = 1U << (VMSIM_INDEX_BITS + PAGE_SHIFT - 20),
};
module_param_cb(max_object_mb, &vmsim_uint_param_ops,
		&vmsim_max_object_mb_param, 0644);
MODULE_PARM_DESC(max_object_mb, "Largest object (one open of /dev/vmsim) in MiB, checked at mmap (default 4096)");

/* Every live object, for /proc/vmsim_objects and whole-pool operations. */
static DEFINE_MUTEX(vmsim_objects_lock);
static LIST_HEAD(vmsim_objects);
static atomic64_t vmsim_next_object_id = ATOMIC64_INIT(0);

/* Runs teardowns whose last reference was dropped where they cannot run. */
static struct workqueue_struct *vmsim_release_wq;

/**
 * vmsim_object_create() - make a new, empty object
 * @teardown: frees it once the last reference is gone; it must end with
 *	vmsim_object_destroy()
 * @hidden: a backing object for copy-on-write clones (cow.c), with no file
 *
 * Context: Process context; the object records the current task as owner.
 * Return: the object with one reference, or an ERR_PTR().
 */
struct vmsim_object *vmsim_object_create(work_func_t teardown, bool hidden)
{
	struct vmsim_object *obj;
	int err;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	kref_init(&obj->ref);
	INIT_WORK(&obj->release_work, teardown);
	obj->hidden = hidden;
	INIT_LIST_HEAD(&obj->clones);
	INIT_LIST_HEAD(&obj->clone_node);
	obj->release_wq = vmsim_release_wq;

	obj->inode = vmsim_fs_new_inode();
	if (IS_ERR(obj->inode)) {
		err = PTR_ERR(obj->inode);
		goto out_free_obj;
	}
	obj->events = alloc_percpu(struct vmsim_object_events);
	if (!obj->events) {
		err = -ENOMEM;
		goto out_put_inode;
	}
	err = vmsim_shadow_init(&obj->shadow);
	if (err)
		goto out_free_events;

	obj->id = atomic64_inc_return(&vmsim_next_object_id);
	obj->owner_pid = task_tgid_nr(current);
	obj->owner_uid = current_euid();
	get_task_comm(obj->owner_comm, current);

	mutex_lock(&vmsim_objects_lock);
	list_add_tail(&obj->node, &vmsim_objects);
	mutex_unlock(&vmsim_objects_lock);
	return obj;

out_free_events:
	free_percpu(obj->events);
out_put_inode:
	vmsim_fs_put_inode(obj->inode);
out_free_obj:
	kfree(obj);
	return ERR_PTR(err);
}

/**
 * vmsim_object_unlist() - take an object off the list of live objects
 * @obj: an object being torn down
 *
 * Context: Process context; takes vmsim_objects_lock.
 */
void vmsim_object_unlist(struct vmsim_object *obj)
{
	mutex_lock(&vmsim_objects_lock);
	list_del(&obj->node);
	mutex_unlock(&vmsim_objects_lock);
}

/**
 * vmsim_object_destroy() - free an object whose entries are all released
 * @obj: the object, unlisted
 *
 * Context: Process context.
 */
void vmsim_object_destroy(struct vmsim_object *obj)
{
	vmsim_shadow_free(&obj->shadow);
	free_percpu(obj->events);
	vmsim_fs_put_inode(obj->inode);
	kfree(obj);
}

static void vmsim_object_release_now(struct kref *ref)
{
	struct vmsim_object *obj = container_of(ref, struct vmsim_object, ref);

	obj->release_work.func(&obj->release_work);
}

/**
 * vmsim_object_put() - drop a reference; the last one frees the object
 * @obj: the object
 *
 * For the top layer (the file's release, an ioctl), where the teardown may
 * run in the caller's context.
 *
 * Context: Process context; may sleep.
 */
void vmsim_object_put(struct vmsim_object *obj)
{
	might_sleep();
	kref_put(&obj->ref, vmsim_object_release_now);
}

/**
 * vmsim_walk_objects() - call @fn for each live object
 * @fn: called with a reference held and no lock; may sleep; a non-zero
 *	return stops the walk
 * @data: passed to @fn
 *
 * The reference on the current object keeps it on the list while @fn
 * runs without vmsim_objects_lock, so the walk can go on from it.
 *
 * Context: Process context; takes and releases vmsim_objects_lock.
 * Return: 0, or what @fn returned.
 */
int vmsim_walk_objects(int (*fn)(struct vmsim_object *obj, void *data),
		       void *data)
{
	struct vmsim_object *obj, *prev = NULL;
	int ret = 0;

	mutex_lock(&vmsim_objects_lock);
	list_for_each_entry(obj, &vmsim_objects, node) {
		if (!vmsim_object_tryget(obj))
			continue;
		mutex_unlock(&vmsim_objects_lock);
		if (prev)
			vmsim_object_put_async(prev);
		prev = obj;
		ret = fn(obj, data);
		mutex_lock(&vmsim_objects_lock);
		if (ret)
			break;
	}
	mutex_unlock(&vmsim_objects_lock);
	if (prev)
		vmsim_object_put_async(prev);
	return ret;
}

/**
 * vmsim_object_get_stats() - the counters of an object
 * @obj: the object
 * @st: filled in (reserved fields zeroed)
 *
 * Context: Any context.
 */
void vmsim_object_get_stats(struct vmsim_object *obj, struct vmsim_stats *st)
{
	unsigned long ev[NR_VMSIM_OBJ_EVENTS] = { 0 };
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < NR_VMSIM_OBJ_EVENTS; i++)
			ev[i] += per_cpu_ptr(obj->events, cpu)->event[i];
	memset(st, 0, sizeof(*st));
	st->faults = ev[VMSIM_OBJ_FAULTS];
	st->minor_faults = ev[VMSIM_OBJ_MINOR];
	st->major_faults = ev[VMSIM_OBJ_MAJOR];
	st->zero_maps = ev[VMSIM_OBJ_ZERO_MAPS];
	st->fault_around = ev[VMSIM_OBJ_FAULT_AROUND];
	st->resident = atomic_long_read(&obj->stats.resident);
	st->dirty = atomic_long_read(&obj->stats.dirty);
	st->swapped = atomic_long_read(&obj->stats.swapped);
	st->table_pages = atomic_long_read(&obj->shadow.nr_tables);
	st->id = obj->id;
	st->size = atomic_long_read(&obj->stats.span);
}

/**
 * vmsim_object_note_span() - record how far a new mapping reaches
 * @obj: the object
 * @end: the page offset just past the mapping
 *
 * Context: Any context.
 */
void vmsim_object_note_span(struct vmsim_object *obj, unsigned long end)
{
	long old = atomic_long_read(&obj->stats.span);

	do {
		if (old >= (long)end)
			return;
	} while (!atomic_long_try_cmpxchg(&obj->stats.span, &old, end));
}

/*
 * Who opened an object is shown only to its own user and to a reader with
 * CAP_SYS_PTRACE, as /proc/PID is to ptrace: the others see the counters
 * with pid 0 and "-".
 */
static bool vmsim_may_see_owner(struct seq_file *m, struct vmsim_object *obj)
{
	return uid_eq(m->file->f_cred->euid, obj->owner_uid) ||
	       file_ns_capable(m->file, &init_user_ns, CAP_SYS_PTRACE);
}

static int vmsim_object_show_one(struct vmsim_object *obj, void *data)
{
	struct seq_file *m = data;
	bool owner = vmsim_may_see_owner(m, obj);
	struct vmsim_stats st;

	vmsim_object_get_stats(obj, &st);
	seq_printf(m, "%6llu %7d %-16s %5lu %10llu %10llu %10llu %10llu %10llu %10llu\n",
		   st.id, owner ? obj->owner_pid : 0,
		   obj->hidden ? "[shared]" : owner ? obj->owner_comm : "-",
		   vmsim_rmap_nr_vmas(vmsim_object_mapping(obj)), st.size,
		   st.resident, st.swapped, st.dirty, st.faults,
		   st.major_faults);
	return 0;
}

/**
 * vmsim_objects_show() - /proc/vmsim_objects: one line per live object
 * @m: the seq_file
 * @v: unused
 *
 * Sizes are in pages.  Documentation/admin-guide.rst describes the columns.
 *
 * Context: Process context; takes vmsim_objects_lock, then each object's
 * i_mmap_rwsem with it released.
 * Return: 0.
 */
int vmsim_objects_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%6s %7s %-16s %5s %10s %10s %10s %10s %10s %10s\n",
		   "id", "pid", "comm", "maps", "size", "resident", "swapped",
		   "dirty", "faults", "majflt");
	return vmsim_walk_objects(vmsim_object_show_one, m);
}

/* ------------------------------------------------------------------------
 * The clone tree
 *
 * A copy-on-write clone (cow.c) reads the pages it has not got of its own
 * from its backing object, at the same index; a backing object is hidden
 * (no file) and may have a backing of its own.  The tree changes only
 * under vmsim_clone_sem held for write, by a task that holds no entry
 * lock; whoever walks it down (to the clones, from a backing object)
 * holds it for read.  Walks up (obj->backing) need no lock: a backing
 * object lives as long as the clones that reference it.
 */
DECLARE_RWSEM(vmsim_clone_sem);

/* Is @l a backing object nobody reads, still counted by its own backing? */
static bool vmsim_object_unread(struct vmsim_object *l)
{
	return l && l->hidden && !l->nr_clones && l->backing &&
	       !list_empty(&l->clone_node);
}

/**
 * vmsim_object_unlink_clone() - take a dying object out of the clone tree
 * @obj: the object, being torn down (its entries already released)
 *
 * Context: Process context; takes vmsim_clone_sem for write.
 * Return: its backing object, whose reference the caller now drops, or
 * NULL.
 */
struct vmsim_object *vmsim_object_unlink_clone(struct vmsim_object *obj)
{
	struct vmsim_object *b, *l;

	down_write(&vmsim_clone_sem);
	b = obj->backing;
	if (b && !list_empty(&obj->clone_node)) {
		list_del_init(&obj->clone_node);
		b->nr_clones--;
	}
	/*
	 * A backing object nobody reads any more leaves the tree at once,
	 * not when its teardown runs (on a workqueue): the levels below
	 * then count one clone fewer, and a last reader's faults take
	 * their pages over now.  Its teardown still drops its reference.
	 */
	for (l = b; vmsim_object_unread(l); l = l->backing) {
		list_del_init(&l->clone_node);
		l->backing->nr_clones--;
	}
	WRITE_ONCE(obj->backing, NULL);
	up_write(&vmsim_clone_sem);
	return b;
}

/*
 * Which part [*@s, *@e) of [@start, @end) clone @c reads from its backing
 * object; false if none.
 */
static bool vmsim_clone_reads(struct vmsim_object *c, pgoff_t start,
			      pgoff_t end, pgoff_t *s, pgoff_t *e)
{
	*s = max(start, c->backing_start);
	*e = min(end, c->backing_end);
	return *s < *e;
}

/* Unmap [@start, @end) from every clone of @obj that reads it from @obj. */
static void vmsim_clones_unmap(struct vmsim_object *obj, pgoff_t start,
			       pgoff_t end)
{
	struct vmsim_object *c;

	list_for_each_entry(c, &obj->clones, clone_node) {
		pgoff_t s, e;

		if (!vmsim_clone_reads(c, start, end, &s, &e))
			continue;
		if (c->hidden)
			vmsim_clones_unmap(c, s, e);
		else
			unmap_mapping_pages(vmsim_object_mapping(c), s, e - s,
					    false);
	}
}

/**
 * vmsim_object_unmap() - unmap pages of an object from every page table
 * @obj: the object
 * @start: first index
 * @nr: how many
 * @wait: wait for vmsim_clone_sem; else, when a clone is being made right
 *	then, clones keep their mappings (the caller checks the references)
 *
 * The pages of a backing object are mapped, read-only, by the clones that
 * read them: those go too, in every clone whose range covers them (and
 * their own pages there with them: they fault back in).
 *
 * Context: Process context; may take vmsim_clone_sem for read, and each
 * mapping's i_mmap_rwsem.
 */
void vmsim_object_unmap(struct vmsim_object *obj, pgoff_t start, pgoff_t nr,
			bool wait)
{
	unmap_mapping_pages(vmsim_object_mapping(obj), start, nr, false);
	if (!READ_ONCE(obj->nr_clones))
		return;
	if (wait)
		down_read(&vmsim_clone_sem);
	else if (!down_read_trylock(&vmsim_clone_sem))
		return;
	vmsim_clones_unmap(obj, start, start + nr);
	up_read(&vmsim_clone_sem);
}

static long vmsim_clones_rmap_walk(struct vmsim_object *obj, pgoff_t start,
				   pgoff_t end, u8 *bits, pgoff_t base,
				   unsigned int flags,
				   struct vmsim_tlb_batch *tlb)
{
	struct vmsim_object *c;
	long young = 0, y;

	list_for_each_entry(c, &obj->clones, clone_node) {
		pgoff_t s, e;

		if (!vmsim_clone_reads(c, start, end, &s, &e))
			continue;
		if (c->hidden)
			y = vmsim_clones_rmap_walk(c, s, e, bits, base, flags,
						   tlb);
		else
			y = vmsim_rmap_walk_shadow(vmsim_object_mapping(c),
						   &c->shadow, false, s, e - s,
						   bits ? bits + (s - base) :
						   NULL, flags, tlb);
		if (y > 0)
			young += y;
	}
	return young;
}

/**
 * vmsim_object_rmap_walk() - vmsim_rmap_walk() over an object's pages,
 *	wherever they are mapped
 * @obj: the object
 * @start: as for vmsim_rmap_walk()
 * @nr: as for vmsim_rmap_walk()
 * @bits: as for vmsim_rmap_walk()
 * @flags: as for vmsim_rmap_walk()
 * @tlb: as for vmsim_rmap_walk()
 *
 * A backing object's pages are mapped by its clones, where they have no
 * page of their own: those PTEs are walked too, and not as the clone's.  If a clone is being made
 * right then, they are not (the accessed bits wait for the next walk).
 *
 * Context: Process context; may sleep.
 * Return: as vmsim_rmap_walk().
 */
long vmsim_object_rmap_walk(struct vmsim_object *obj, pgoff_t start,
			    pgoff_t nr, u8 *bits, unsigned int flags,
			    struct vmsim_tlb_batch *tlb)
{
	/* A clone's PTEs of its backing's frames are that object's to walk. */
	long young = vmsim_rmap_walk_shadow(vmsim_object_mapping(obj),
					    READ_ONCE(obj->backing) ?
					    &obj->shadow : NULL, true, start,
					    nr, bits, flags, tlb);

	if (young < 0 || !READ_ONCE(obj->nr_clones) ||
	    !down_read_trylock(&vmsim_clone_sem))
		return young;
	young += vmsim_clones_rmap_walk(obj, start, start + nr, bits, start,
					flags, tlb);
	up_read(&vmsim_clone_sem);
	return young;
}

/* How many objects that have files read page @index of @obj. */
static unsigned int vmsim_clones_sharing(struct vmsim_object *obj,
					 pgoff_t index)
{
	struct vmsim_object *c;
	unsigned int n = 0;

	list_for_each_entry(c, &obj->clones, clone_node) {
		u64 *sptep;

		if (index < c->backing_start || index >= c->backing_end)
			continue;
		sptep = vmsim_shadow_lookup(&c->shadow, index, false);
		if (sptep && vmsim_pte_own(vmsim_pte_read(sptep)))
			continue;
		n += c->hidden ? vmsim_clones_sharing(c, index) : 1;
	}
	return n;
}

/**
 * vmsim_object_resolve() - the entry a clone reads for a page it has not
 * @obj: the object
 * @index: the page, which @obj has not got of its own
 * @sharers: out: how many objects with files read that entry's page
 *
 * A snapshot, for reporting (VMSIM_IOC_PTE_QUERY): no entry is locked.
 *
 * Context: Process context; takes vmsim_clone_sem for read.
 * Return: the entry of the backing object that has the page, or 0 (the
 * page reads zero).
 */
u64 vmsim_object_resolve(struct vmsim_object *obj, pgoff_t index,
			 unsigned int *sharers)
{
	struct vmsim_object *b;
	u64 e = 0;

	*sharers = 0;
	down_read(&vmsim_clone_sem);
	while ((b = vmsim_object_backing(obj, index))) {
		u64 *sptep = vmsim_shadow_lookup(&b->shadow, index, false);

		e = sptep ? vmsim_pte_read(sptep) : 0;
		if (vmsim_pte_own(e)) {
			*sharers = vmsim_clones_sharing(b, index);
			break;
		}
		obj = b;
	}
	up_read(&vmsim_clone_sem);
	return vmsim_pte_own(e) ? e : 0;
}

/**
 * vmsim_objects_flush_teardowns() - wait for the teardowns already queued
 *
 * An object whose last reference went in reclaim or in an I/O completion
 * is torn down on vmsim_release_wq a moment later; until then its frames
 * and slots are not free.  For a caller about to count them (swapoff), so
 * that a file closed just before does not count against it.
 *
 * Context: Process context; sleeps.  No entry lock or vmsim lock held.
 */
void vmsim_objects_flush_teardowns(void)
{
	flush_workqueue(vmsim_release_wq);
}

int vmsim_objects_init(void)
{
	vmsim_release_wq = alloc_workqueue("vmsim_release", WQ_UNBOUND, 0);
	return vmsim_release_wq ? 0 : -ENOMEM;
}

/* At unload no object exists; a teardown may still be finishing. */
void vmsim_objects_exit(void)
{
	destroy_workqueue(vmsim_release_wq);
}
