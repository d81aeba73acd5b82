// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload, and the module parameters.
 *
 * Each subsystem is set up in order and torn down in exactly the reverse
 * order, on the error path of vmsim_init() and in vmsim_exit() alike.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "vmsim.h"

#define CREATE_TRACE_POINTS
#include "vmsim_trace.h"

DEFINE_PER_CPU(struct vmsim_event_state, vmsim_event_states);

unsigned long vmsim_event_sum(enum vmsim_event item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(vmsim_event_states.event[item], cpu);
	return sum;
}

unsigned long vmsim_stat_sum(enum vmsim_stat_item item)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(vmsim_event_states.stat[item], cpu);
	return max(sum, 0L);
}

/* ------------------------------------------------------------------------
 * Module parameters.  Every one is range-checked when it is set, at load
 * or through /sys/module/vmsim/parameters, and a bad value is refused with
 * a message saying what is allowed.
 */
struct vmsim_uint_param {
	unsigned int *value;
	unsigned int min;
	unsigned int max;
	unsigned int (*max_fn)(void);	/* overrides @max when set */
	void (*apply)(void);		/* run after a change at run time */
};

/* Set once the module is up: run-time changes then take effect at once. */
static bool vmsim_running;

static int vmsim_param_set_uint(const char *val, const struct kernel_param *kp)
{
	const struct vmsim_uint_param *p = kp->arg;
	unsigned int max = p->max_fn ? p->max_fn() : p->max;
	unsigned int v;

	if (kstrtouint(val, 0, &v)) {
		pr_err("%s: '%s' is not a number\n", kp->name, val);
		return -EINVAL;
	}
	if (v < p->min || v > max) {
		pr_err("%s=%u: must be between %u and %u\n", kp->name, v,
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

static const struct kernel_param_ops vmsim_uint_param_ops = {
	.set = vmsim_param_set_uint,
	.get = vmsim_param_get_uint,
};

/* The pool may take at most three quarters of the machine's memory. */
static unsigned int vmsim_pool_mb_max(void)
{
	return min_t(unsigned long, UINT_MAX,
		     (totalram_pages() / 4 * 3) >> (20 - PAGE_SHIFT));
}

unsigned int vmsim_pool_mb = 64;
static struct vmsim_uint_param vmsim_pool_mb_param = {
	.value = &vmsim_pool_mb, .min = 1, .max_fn = vmsim_pool_mb_max,
};
module_param_cb(pool_mb, &vmsim_uint_param_ops, &vmsim_pool_mb_param, 0444);
MODULE_PARM_DESC(pool_mb, "Size of the frame pool in MiB, allocated at load (default 64)");

unsigned int vmsim_max_object_mb = 4096;
static struct vmsim_uint_param vmsim_max_object_mb_param = {
	.value = &vmsim_max_object_mb, .min = 1,
	.max = 1U << (VMSIM_INDEX_BITS + PAGE_SHIFT - 20),
};
module_param_cb(max_object_mb, &vmsim_uint_param_ops,
		&vmsim_max_object_mb_param, 0644);
MODULE_PARM_DESC(max_object_mb, "Largest object (one open of /dev/vmsim) in MiB, checked at mmap (default 4096)");

unsigned int vmsim_fault_around_pages = 16;
static struct vmsim_uint_param vmsim_fault_around_param = {
	.value = &vmsim_fault_around_pages, .min = 0,
	.max = VMSIM_FAULT_AROUND_MAX,
};
module_param_cb(fault_around_pages, &vmsim_uint_param_ops,
		&vmsim_fault_around_param, 0644);
MODULE_PARM_DESC(fault_around_pages, "Resident pages mapped around a read fault, 0 or 1 for none (default 16, at most 64)");

/* 0 until load, which sets the default: sqrt(16 * pool in kB), as Linux. */
unsigned int vmsim_min_free_kbytes;
static unsigned int vmsim_min_free_kbytes_max(void)
{
	unsigned long mb = vmsim_pool.nr_frames ?
			   vmsim_pool.nr_frames >> (20 - PAGE_SHIFT) :
			   vmsim_pool_mb;

	return mb * 1024 / 4;
}

static struct vmsim_uint_param vmsim_min_free_param = {
	.value = &vmsim_min_free_kbytes, .min = 16,
	.max_fn = vmsim_min_free_kbytes_max, .apply = vmsim_watermarks_update,
};
module_param_cb(min_free_kbytes, &vmsim_uint_param_ops,
		&vmsim_min_free_param, 0644);
MODULE_PARM_DESC(min_free_kbytes, "The min watermark in kB: below it faults reclaim directly (default: sqrt(16 * pool kB))");

unsigned int vmsim_wmark_scale_factor = 10;
static struct vmsim_uint_param vmsim_wmark_scale_param = {
	.value = &vmsim_wmark_scale_factor, .min = 1, .max = 3000,
	.apply = vmsim_watermarks_update,
};
module_param_cb(watermark_scale_factor, &vmsim_uint_param_ops,
		&vmsim_wmark_scale_param, 0644);
MODULE_PARM_DESC(watermark_scale_factor, "Gap between the watermarks, in 1/10000 of the pool (default 10, at most 3000)");

unsigned int vmsim_inactive_ratio = 1;
static struct vmsim_uint_param vmsim_inactive_ratio_param = {
	.value = &vmsim_inactive_ratio, .min = 1, .max = 32,
};
module_param_cb(inactive_ratio, &vmsim_uint_param_ops,
		&vmsim_inactive_ratio_param, 0644);
MODULE_PARM_DESC(inactive_ratio, "Reclaim ages the active list when it holds more than this many times the inactive list (default 1)");

unsigned int vmsim_page_cluster = 5;
static struct vmsim_uint_param vmsim_page_cluster_param = {
	.value = &vmsim_page_cluster, .min = 0, .max = 5,
};
module_param_cb(page_cluster, &vmsim_uint_param_ops,
		&vmsim_page_cluster_param, 0644);
MODULE_PARM_DESC(page_cluster, "Swap-in reads up to 2^page_cluster pages around a fault, as vm.page-cluster (default 5, at most 5)");

char *vmsim_swapdev;
module_param_named(swapdev, vmsim_swapdev, charp, 0444);
MODULE_PARM_DESC(swapdev, "A block device to swap to from load on (made with vmsimctl mkswap)");

/* The mode of /dev/vmsim: only root may use vmsim unless told otherwise. */
static unsigned int vmsim_dev_mode_param = 0600;
unsigned short vmsim_dev_mode;
static struct vmsim_uint_param vmsim_dev_mode_param_range = {
	.value = &vmsim_dev_mode_param, .min = 0, .max = 0777,
};
module_param_cb(dev_mode, &vmsim_uint_param_ops, &vmsim_dev_mode_param_range,
		0444);
MODULE_PARM_DESC(dev_mode, "Mode of /dev/vmsim, e.g. 0660 (default 0600)");

/*
 * A deliberately faulty build, used only by the test bed's self-test to
 * prove that a broken module fails the run.  Built with
 * VMSIM_HARNESS_SELFTEST=1; never in a normal build.
 */
#ifdef VMSIM_HARNESS_SELFTEST
static int vmsim_harness_fault;
module_param_named(harness_fault, vmsim_harness_fault, int, 0444);
MODULE_PARM_DESC(harness_fault, "Test bed self-test: 1 = WARN at load, 2 = leak memory at load");
static void *vmsim_harness_leak;

static void vmsim_harness_selftest(void)
{
	if (vmsim_harness_fault == 1)
		WARN(1, "vmsim: harness self-test: deliberate warning\n");
	if (vmsim_harness_fault == 2) {
		vmsim_harness_leak = kmalloc(128, GFP_KERNEL);
		vmsim_harness_leak = NULL;
	}
}
#else
static void vmsim_harness_selftest(void)
{
}
#endif

static int __init vmsim_init(void)
{
	unsigned long nr_frames = (unsigned long)vmsim_pool_mb <<
				  (20 - PAGE_SHIFT);
	int err;

	vmsim_dev_mode = vmsim_dev_mode_param;
	vmsim_shadow_lockdep_init();

	vmsim_lru_init();

	err = vmsim_pool_init(nr_frames);
	if (err) {
		pr_err("cannot allocate a pool of %u MiB (%lu frames)\n",
		       vmsim_pool_mb, nr_frames);
		return err;
	}
	if (!vmsim_min_free_kbytes)
		vmsim_min_free_kbytes = vmsim_default_min_free_kbytes(nr_frames);
	err = vmsim_reclaim_init();
	if (err)
		goto out_pool_exit;
	err = vmsim_swap_init();
	if (err)
		goto out_reclaim_exit;
	err = vmsim_proc_init();
	if (err)
		goto out_swap_exit;
	err = vmsim_dev_init();
	if (err)
		goto out_proc_exit;

	vmsim_harness_selftest();
	WRITE_ONCE(vmsim_running, true);
	pr_info("loaded: pool of %u MiB (%lu frames), watermarks %lu/%lu/%lu, /dev/vmsim mode %04o\n",
		vmsim_pool_mb, nr_frames, vmsim_wmark.min, vmsim_wmark.low,
		vmsim_wmark.high, vmsim_dev_mode);
	return 0;

out_proc_exit:
	vmsim_proc_exit();
out_swap_exit:
	vmsim_swap_exit();
out_reclaim_exit:
	vmsim_reclaim_exit();
out_pool_exit:
	vmsim_pool_exit();
	return err;
}

static void __exit vmsim_exit(void)
{
	WRITE_ONCE(vmsim_running, false);
	vmsim_dev_exit();
	vmsim_proc_exit();
	vmsim_swap_exit();
	vmsim_reclaim_exit();
	vmsim_pool_exit();
	pr_info("unloaded\n");
}

module_init(vmsim_init);
module_exit(vmsim_exit);

MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: crc32c");
MODULE_AUTHOR("vmsim developers");
MODULE_DESCRIPTION("vmsim: a shadow-paging subsystem with its own frame pool, LRU and swap");
