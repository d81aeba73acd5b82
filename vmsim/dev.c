// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmsim: open, mmap, ioctl, release, and the teardown of the object
 * an open created.
 *
 * Every open creates an object (object.c) and points file->f_mapping at
 * the object's address_space, so that the core links every VMA that maps
 * the file into that address_space's i_mmap tree.  VMSIM_IOC_CLONE makes
 * another object and file the same way, an anonymous-inode file whose
 * f_mapping is the clone's.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "cow.h"
#include "dev.h"
#include "entry.h"
#include "fault.h"
#include "ioctl.h"
#include "lru.h"
#include "param.h"
#include "vmsim_trace.h"

/* The mode of /dev/vmsim: only root may use vmsim unless told otherwise. */
static unsigned int vmsim_dev_mode = 0600;
static struct vmsim_uint_param vmsim_dev_mode_param = {
	.value = &vmsim_dev_mode, .min = 0, .max = 0777,
};
module_param_cb(dev_mode, &vmsim_uint_param_ops, &vmsim_dev_mode_param, 0444);
MODULE_PARM_DESC(dev_mode, "Mode of /dev/vmsim, e.g. 0660 (default 0600)");

static int vmsim_teardown_entry(struct vmsim_shadow *shadow, pgoff_t index,
				u64 *sptep, void *data)
{
	vmsim_entry_teardown(vmsim_shadow_object(shadow), sptep);
	return 0;
}

/*
 * The last reference to an object is gone: give back every frame and slot
 * its entries hold, then the object.  Runs where the last reference was
 * dropped (closing the file, an ioctl) or, when that was reclaim or I/O,
 * on object.c's workqueue.
 */
static void vmsim_object_teardown(struct work_struct *work)
{
	struct vmsim_object *obj = container_of(work, struct vmsim_object,
						release_work);
	struct vmsim_object *backing;

	trace_vmsim_object_free(obj->id, current_work() == work);
	vmsim_object_unlist(obj);
	/* Frames waiting to join the LRU hold a reference: let them go. */
	vmsim_lru_drain_all();
	vmsim_shadow_walk(&obj->shadow, 0, ULONG_MAX, vmsim_teardown_entry,
			  NULL);
	backing = vmsim_object_unlink_clone(obj);
	vmsim_object_destroy(obj);
	/* On the workqueue if last: no recursion down a chain of clones. */
	if (backing)
		vmsim_object_put_async(backing);
}

static int vmsim_open(struct inode *inode, struct file *file)
{
	struct vmsim_object *obj;

	obj = vmsim_object_create(vmsim_object_teardown, false);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	file->private_data = obj;
	file->f_mapping = obj->inode->i_mapping;
	return 0;
}

static int vmsim_release(struct inode *inode, struct file *file)
{
	vmsim_object_put(file->private_data);
	return 0;
}

static int vmsim_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmsim_object *obj = file->private_data;
	unsigned long max = vmsim_max_object_pages();
	unsigned long pages = vma_pages(vma);

	/* Plain errnos: a bad mmap is the caller's to report, not the log's. */
	if (!(vma->vm_flags & VM_SHARED)) {
		pr_notice_once("%s[%d]: only MAP_SHARED mappings of /dev/vmsim are supported (EINVAL; said once)\n",
			       current->comm, task_pid_nr(current));
		return -EINVAL;
	}
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (vma->vm_pgoff >= max || pages > max - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * VM_MIXEDMAP: vmsim inserts its own frames (vm_insert_page()); the
	 * VMA is then never merged, mlocked, or scanned by khugepaged, KSM or
	 * NUMA balancing.  No VM_DONTCOPY: fork() shares the object, as for
	 * MAP_SHARED anonymous memory.  No VM_MAYEXEC: mprotect(PROT_EXEC)
	 * fails too.
	 */
	vmsim_vm_flags_mod(vma, VM_MIXEDMAP, VM_MAYEXEC);
	vma->vm_ops = vmsim_vma_ops();
	vma->vm_private_data = obj;
	vmsim_object_note_span(obj, vma->vm_pgoff + pages);
	return 0;
}

static long vmsim_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg);

static const struct file_operations vmsim_fops = {
	.owner		= THIS_MODULE,
	.open		= vmsim_open,
	.release	= vmsim_release,
	.mmap		= vmsim_mmap,
	.unlocked_ioctl	= vmsim_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * VMSIM_IOC_CLONE: a new object, copy-on-write from this file's (cow.c),
 * behind a new file descriptor, as an open of /dev/vmsim would give.
 */
static long vmsim_ioctl_clone(struct file *file, void __user *argp)
{
	struct vmsim_object *src = file->private_data, *dst, *hidden;
	unsigned long max = vmsim_max_object_pages();
	struct vmsim_clone c;
	struct file *f;
	bool count0;
	int fd, err;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.flags & ~VMSIM_CLONE_CLOEXEC || c.fd ||
	    memchr_inv(c.reserved, 0, sizeof(c.reserved)) || c.start >= max ||
	    c.count > max - c.start)
		return -EINVAL;
	count0 = !c.count;

	dst = vmsim_object_create(vmsim_object_teardown, false);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	hidden = vmsim_object_create(vmsim_object_teardown, true);
	if (IS_ERR(hidden)) {
		vmsim_object_put(dst);
		return PTR_ERR(hidden);
	}
	/* It holds the source's pages: shown as the source's owner's. */
	hidden->owner_pid = src->owner_pid;
	hidden->owner_uid = src->owner_uid;
	memcpy(hidden->owner_comm, src->owner_comm, sizeof(hidden->owner_comm));
	/* To the end: indexes past max_object_mb have no pages to read. */
	err = vmsim_cow_clone(src, dst, hidden, c.start,
			      count0 ? VMSIM_ALL_INDEXES : c.start + c.count);
	/* The clone tree holds it if it became a level of it. */
	vmsim_object_put(hidden);
	if (err) {
		vmsim_object_put(dst);
		return err;
	}

	fd = get_unused_fd_flags(O_RDWR |
				 (c.flags & VMSIM_CLONE_CLOEXEC ? O_CLOEXEC : 0));
	if (fd < 0) {
		vmsim_object_put(dst);
		return fd;
	}
	f = anon_inode_getfile("[vmsim]", &vmsim_fops, dst, O_RDWR);
	if (IS_ERR(f)) {
		put_unused_fd(fd);
		vmsim_object_put(dst);
		return PTR_ERR(f);
	}
	f->f_mapping = dst->inode->i_mapping;
	c.fd = fd;
	c.object_id = dst->id;
	if (copy_to_user(argp, &c, sizeof(c))) {
		put_unused_fd(fd);
		fput(f);		/* its release drops @dst */
		return -EFAULT;
	}
	fd_install(fd, f);
	return 0;
}

static long vmsim_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	if (cmd == VMSIM_IOC_CLONE)
		return vmsim_ioctl_clone(file, (void __user *)arg);
	return vmsim_ioctl(file, cmd, arg);
}

static struct miscdevice vmsim_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmsim",
	.fops	= &vmsim_fops,
};

int vmsim_dev_init(void)
{
	vmsim_misc.mode = vmsim_dev_mode;
	return misc_register(&vmsim_misc);
}

void vmsim_dev_exit(void)
{
	misc_deregister(&vmsim_misc);
}
