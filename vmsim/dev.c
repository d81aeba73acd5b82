// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmsim: open, mmap, ioctl, release.
 *
 * Every open creates an object and gives the file a private anonymous
 * inode (on a small pseudo filesystem, as DRM does), whose address_space
 * becomes file->f_mapping.  The core then links every VMA that maps the
 * file into that address_space's i_mmap tree, which is what lets vmsim
 * unmap or inspect one page of one object in every process at once.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "vmsim.h"

#define VMSIM_FS_MAGIC	0x766d7369	/* "vmsi" */

/* Mounted while any object exists (simple_pin_fs), as DRM does. */
static struct vfsmount *vmsim_mnt;
static int vmsim_mnt_count;

static int vmsim_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VMSIM_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type vmsim_fs_type = {
	.name		 = "vmsim",
	.owner		 = THIS_MODULE,
	.init_fs_context = vmsim_fs_init_fs_context,
	.kill_sb	 = kill_anon_super,
};

/**
 * vmsim_fs_new_inode() - a new anonymous inode for an object
 *
 * Context: Process context.
 * Return: the inode or an ERR_PTR().
 */
struct inode *vmsim_fs_new_inode(void)
{
	struct inode *inode;
	int err;

	err = simple_pin_fs(&vmsim_fs_type, &vmsim_mnt, &vmsim_mnt_count);
	if (err)
		return ERR_PTR(err);
	inode = alloc_anon_inode(vmsim_mnt->mnt_sb);
	if (IS_ERR(inode))
		simple_release_fs(&vmsim_mnt, &vmsim_mnt_count);
	return inode;
}

/**
 * vmsim_fs_put_inode() - release an object's inode
 * @inode: from vmsim_fs_new_inode()
 *
 * Context: Process context.
 */
void vmsim_fs_put_inode(struct inode *inode)
{
	iput(inode);
	simple_release_fs(&vmsim_mnt, &vmsim_mnt_count);
}

static int vmsim_open(struct inode *inode, struct file *file)
{
	struct vmsim_object *obj;

	obj = vmsim_object_create();
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

	if (!(vma->vm_flags & VM_SHARED)) {
		pr_info_ratelimited("%s[%d]: only MAP_SHARED mappings are supported\n",
				    current->comm, task_pid_nr(current));
		return -EINVAL;
	}
	if (vma->vm_flags & VM_EXEC) {
		pr_info_ratelimited("%s[%d]: PROT_EXEC mappings are not allowed\n",
				    current->comm, task_pid_nr(current));
		return -EPERM;
	}
	if (vma->vm_pgoff >= max || pages > max - vma->vm_pgoff) {
		pr_info_ratelimited("%s[%d]: mapping pages [%lu, %lu) exceeds max_object_mb=%u\n",
				    current->comm, task_pid_nr(current),
				    vma->vm_pgoff, vma->vm_pgoff + pages,
				    vmsim_max_object_mb);
		return -EINVAL;
	}

	/*
	 * VM_MIXEDMAP: vmsim inserts its own frames (vm_insert_page()); the
	 * VMA is then never merged, mlocked, or scanned by khugepaged, KSM or
	 * NUMA balancing.  No VM_DONTCOPY: fork() shares the object, as for
	 * MAP_SHARED anonymous memory.  No VM_MAYEXEC: mprotect(PROT_EXEC)
	 * fails too.
	 */
	vmsim_vm_flags_mod(vma, VM_MIXEDMAP, VM_MAYEXEC);
	vma->vm_ops = &vmsim_vm_ops;
	vma->vm_private_data = obj;
	vmsim_object_note_span(obj, vma->vm_pgoff + pages);
	return 0;
}

static const struct file_operations vmsim_fops = {
	.owner		= THIS_MODULE,
	.open		= vmsim_open,
	.release	= vmsim_release,
	.mmap		= vmsim_mmap,
	.unlocked_ioctl	= vmsim_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

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
