/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapon and swapoff, the whole operations (swapctl.c).
 */
#ifndef _VMSIM_SWAPCTL_H
#define _VMSIM_SWAPCTL_H

#include "vmsim.h"

int vmsim_swapon(const char *path, int prio, bool prefer);
int vmsim_swapoff(const char *path);
int vmsim_swapctl_init(void);
void vmsim_swapctl_exit(void);

#endif /* _VMSIM_SWAPCTL_H */
