// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and unload.
 *
 * Each subsystem is set up in order, bottom layer first, and torn down in
 * exactly the reverse order, on the error path of vmsim_init() and in
 * vmsim_exit() alike.  Module parameters live with the code that reads
 * them (param.h).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dev.h"
#include "entry.h"
#include "object.h"
#include "param.h"
#include "pool.h"
#include "proc.h"
#include "reclaim.h"
#include "shadow.h"
#include "swap_io.h"
#include "swapctl.h"

#define CREATE_TRACE_POINTS
#include "vmsim_trace.h"

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
	int err;

	vmsim_shadow_lockdep_init();
	err = vmsim_pool_init();
	if (err)
		return err;
	err = vmsim_objects_init();
	if (err)
		goto out_pool_exit;
	err = vmsim_entry_init();
	if (err)
		goto out_objects_exit;
	err = vmsim_swap_io_init();
	if (err)
		goto out_entry_exit;
	err = vmsim_swapctl_init();
	if (err)
		goto out_swap_io_exit;
	err = vmsim_reclaim_init();
	if (err)
		goto out_swapctl_exit;
	err = vmsim_proc_init();
	if (err)
		goto out_reclaim_exit;
	err = vmsim_dev_init();
	if (err)
		goto out_proc_exit;

	vmsim_harness_selftest();
	vmsim_params_running(true);
	pr_info("loaded: pool of %u MiB (%lu frames), watermarks %lu/%lu/%lu\n",
		vmsim_pool_mb, vmsim_pool.nr_frames, vmsim_wmark.min,
		vmsim_wmark.low, vmsim_wmark.high);
	return 0;

out_proc_exit:
	vmsim_proc_exit();
out_reclaim_exit:
	vmsim_reclaim_exit();
out_swapctl_exit:
	vmsim_swapctl_exit();
out_swap_io_exit:
	vmsim_swap_io_exit();
out_entry_exit:
	vmsim_entry_exit();
out_objects_exit:
	vmsim_objects_exit();
out_pool_exit:
	vmsim_pool_exit();
	return err;
}

static void __exit vmsim_exit(void)
{
	vmsim_params_running(false);
	vmsim_dev_exit();
	vmsim_proc_exit();
	vmsim_reclaim_exit();		/* vmsimd first: it works on all below */
	vmsim_swapctl_exit();
	vmsim_swap_io_exit();
	vmsim_entry_exit();
	vmsim_objects_exit();
	vmsim_pool_exit();
	pr_info("unloaded\n");
}

module_init(vmsim_init);
module_exit(vmsim_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vmsim developers");
MODULE_DESCRIPTION("vmsim: a shadow-paging subsystem with its own frame pool, LRU and swap");
