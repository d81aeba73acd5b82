/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/vmsim (dev.c).
 */
#ifndef _VMSIM_DEV_H
#define _VMSIM_DEV_H

#include "vmsim.h"

int vmsim_dev_init(void);
void vmsim_dev_exit(void);

#endif /* _VMSIM_DEV_H */
