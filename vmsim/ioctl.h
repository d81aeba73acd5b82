/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctls of /dev/vmsim (ioctl.c).
 */
#ifndef _VMSIM_IOCTL_H
#define _VMSIM_IOCTL_H

#include <linux/fs.h>

#include "vmsim.h"

long vmsim_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _VMSIM_IOCTL_H */
