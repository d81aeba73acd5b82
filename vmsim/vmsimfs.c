// SPDX-License-Identifier: GPL-2.0
/*
 * A private anonymous inode per object, on a small pseudo filesystem, as
 * DRM does.  The inode's address_space becomes the object's file's
 * f_mapping; the core then links every VMA that maps the file into that
 * address_space's i_mmap tree, which is what lets vmsim unmap or inspect
 * one page of one object in every process at once.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "vmsimfs.h"

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
