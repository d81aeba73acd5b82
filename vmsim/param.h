/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Range-checked module parameters (param.c).  Each parameter is defined in
 * the file that reads it, as zram's are:
 *
 *	static struct vmsim_uint_param foo_param = {
 *		.value = &vmsim_foo, .min = 1, .max = 32,
 *	};
 *	module_param_cb(foo, &vmsim_uint_param_ops, &foo_param, 0644);
 */
#ifndef _VMSIM_PARAM_H
#define _VMSIM_PARAM_H

#include <linux/moduleparam.h>

#include "vmsim.h"

/**
 * struct vmsim_uint_param - an unsigned int parameter and its range
 * @value: where it is kept (read with READ_ONCE())
 * @min: the smallest value allowed
 * @max: the largest value allowed, unless @max_fn is set
 * @max_fn: computes the largest value allowed when it is set
 * @apply: run after a change made once the module is up
 */
struct vmsim_uint_param {
	unsigned int *value;
	unsigned int min;
	unsigned int max;
	unsigned int (*max_fn)(void);
	void (*apply)(void);
};

extern const struct kernel_param_ops vmsim_uint_param_ops;

void vmsim_params_running(bool running);

#endif /* _VMSIM_PARAM_H */
