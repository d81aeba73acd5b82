// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space objects: one per open of /dev/vmsim.
 *
 * An object owns a shadow page table and, through it, the frames and swap
 * slots that hold its pages.  It lives as long as its file (every VMA that
 * maps it holds the file) plus whatever operation in flight holds a
 * reference.  The last reference releases every page and the tables.
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include "vmsim.h"

/* Every live object, for /proc/vmsim_objects and whole-pool operations. */
DEFINE_MUTEX(vmsim_objects_lock);
LIST_HEAD(vmsim_objects);
static atomic64_t vmsim_next_object_id = ATOMIC64_INIT(0);

/**
 * vmsim_object_create() - make a new, empty object
 *
 * Context: Process context; the object records the current task as owner.
 * Return: the object with one reference, or an ERR_PTR().
 */
struct vmsim_object *vmsim_object_create(void)
{
	struct vmsim_object *obj;
	int err;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	kref_init(&obj->ref);

	obj->inode = vmsim_fs_new_inode();
	if (IS_ERR(obj->inode)) {
		err = PTR_ERR(obj->inode);
		goto out_free_obj;
	}
	err = vmsim_shadow_init(obj);
	if (err)
		goto out_put_inode;

	obj->id = atomic64_inc_return(&vmsim_next_object_id);
	obj->owner_pid = task_tgid_nr(current);
	get_task_comm(obj->owner_comm, current);

	mutex_lock(&vmsim_objects_lock);
	list_add_tail(&obj->node, &vmsim_objects);
	mutex_unlock(&vmsim_objects_lock);
	return obj;

out_put_inode:
	vmsim_fs_put_inode(obj->inode);
out_free_obj:
	kfree(obj);
	return ERR_PTR(err);
}

/*
 * Give back what one entry holds.  Runs when nothing can reach the object
 * any more: no VMA maps it, no fault or reclaim is working on it.
 */
static int vmsim_object_drop_entry(struct vmsim_object *obj, pgoff_t index,
				   u64 *sptep, void *data)
{
	u64 e = vmsim_pte_read(sptep);

	if (e & VMSIM_PTE_PRESENT) {
		vmsim_frame_release(pfn_to_page(vmsim_pte_pfn(e)));
		atomic_long_dec(&obj->stats.resident);
	}
	WRITE_ONCE(*sptep, 0);
	return 0;
}

static void vmsim_object_release(struct kref *ref)
{
	struct vmsim_object *obj = container_of(ref, struct vmsim_object, ref);

	mutex_lock(&vmsim_objects_lock);
	list_del(&obj->node);
	mutex_unlock(&vmsim_objects_lock);

	vmsim_shadow_walk(obj, 0, ULONG_MAX, vmsim_object_drop_entry, NULL);
	vmsim_shadow_free(obj);
	vmsim_fs_put_inode(obj->inode);
	kfree(obj);
}

/**
 * vmsim_object_put() - drop a reference; the last one frees the object
 * @obj: the object
 *
 * Context: Process context; may sleep.
 */
void vmsim_object_put(struct vmsim_object *obj)
{
	might_sleep();
	kref_put(&obj->ref, vmsim_object_release);
}
