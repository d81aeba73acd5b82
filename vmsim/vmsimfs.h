/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pseudo filesystem that gives every object an inode (vmsimfs.c).
 */
#ifndef _VMSIM_VMSIMFS_H
#define _VMSIM_VMSIMFS_H

#include <linux/fs.h>

#include "vmsim.h"

struct inode *vmsim_fs_new_inode(void);
void vmsim_fs_put_inode(struct inode *inode);

#endif /* _VMSIM_VMSIMFS_H */
