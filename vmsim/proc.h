/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmsim's files in /proc (proc.c).
 */
#ifndef _VMSIM_PROC_H
#define _VMSIM_PROC_H

#include "vmsim.h"

int vmsim_proc_init(void);
void vmsim_proc_exit(void);

#endif /* _VMSIM_PROC_H */
