// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters that check their range.  Every one is checked when it
 * is set, at load or through /sys/module/vmsim/parameters, and a bad value
 * is refused (EINVAL) with a message saying what is allowed.  The
 * parameters themselves live with the code that reads them.
 */
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "param.h"

/* Set once the module is up: run-time changes then take effect at once. */
static bool vmsim_running;

/**
 * vmsim_params_running() - say whether changes may be applied now
 * @running: the subsystems the ->apply hooks call are up
 *
 * Context: Process context, at load and unload.
 */
void vmsim_params_running(bool running)
{
	WRITE_ONCE(vmsim_running, running);
}

static int vmsim_param_set_uint(const char *val, const struct kernel_param *kp)
{
	const struct vmsim_uint_param *p = kp->arg;
	unsigned int max = p->max_fn ? p->max_fn() : p->max;
	unsigned int v;

	if (kstrtouint(val, 0, &v)) {
		pr_err_ratelimited("%s: '%s' is not a number\n", kp->name, val);
		return -EINVAL;
	}
	if (v < p->min || v > max) {
		pr_err_ratelimited("%s=%u: must be between %u and %u\n", kp->name, v,
				   p->min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*p->value, v);
	if (p->apply && READ_ONCE(vmsim_running))
		p->apply();
	return 0;
}

static int vmsim_param_get_uint(char *buf, const struct kernel_param *kp)
{
	const struct vmsim_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->value));
}

const struct kernel_param_ops vmsim_uint_param_ops = {
	.set = vmsim_param_set_uint,
	.get = vmsim_param_get_uint,
};
