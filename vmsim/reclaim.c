// SPDX-License-Identifier: GPL-2.0
/*
 * When pages leave the pool, and who does the work.
 *
 * Watermarks (like the kernel's per-zone ones, from min_free_kbytes and
 * watermark_scale_factor) split the free frames into bands:
 *
 *   free >= high         nothing to do
 *   low  <= free < high  vmsimd, once woken, reclaims until free >= high
 *   min  <  free < low   an allocation wakes vmsimd
 *   free <= min          the faulting task reclaims itself (direct reclaim)
 *
 * vmsimd (the pool's kswapd) also runs the proactive aging passes
 * (policy.c's vmsim_policy_age()) as the pool fills.  What to reclaim is
 * the replacement policy's decision (policy.c).
 *
 * Progress is counted in frames really freed.  Pages sent to swap come
 * back as frames when their writes end; if the writes fail (a device
 * returning errors), vmsimd stops and backs off instead of sending more,
 * and a faulting task waits for writes only while they are finishing.
 */
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "param.h"
#include "pool.h"
#include "readahead.h"
#include "reclaim.h"
#include "stat.h"
#include "swap_io.h"
#include "policy.h"
#include "vmsim_trace.h"

/* Pages vmsimd reclaims per call of vmsim_shrink(). */
#define VMSIM_KSWAPD_BATCH	VMSIM_SWAP_IO_MAX
/* ... and a faulting task. */
#define VMSIM_DIRECT_BATCH	16
/* vmsimd waits while this many pages are being written. */
#define VMSIM_MAX_WRITES_IN_FLIGHT 1024
/* Rounds of reclaim a fault tries before it gives up with SIGBUS. */
#define VMSIM_MAX_RECLAIM_RETRIES 16
/* Waits of 100 ms for writes that end nothing before a fault gives up. */
#define VMSIM_MAX_WRITE_WAITS	100

struct vmsim_watermarks vmsim_wmark;
static DEFINE_MUTEX(vmsim_wmark_lock);

static void vmsim_watermarks_update(void);

/* 0 until load, which sets the default: sqrt(16 * pool in kB), as Linux. */
static unsigned int vmsim_min_free_kbytes;
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

static unsigned int vmsim_wmark_scale_factor = 10;
static struct vmsim_uint_param vmsim_wmark_scale_param = {
	.value = &vmsim_wmark_scale_factor, .min = 1, .max = 3000,
	.apply = vmsim_watermarks_update,
};
module_param_cb(watermark_scale_factor, &vmsim_uint_param_ops,
		&vmsim_wmark_scale_param, 0644);
MODULE_PARM_DESC(watermark_scale_factor, "Gap between the watermarks, in 1/10000 of the pool (default 10, at most 3000)");

static struct task_struct *vmsimd_task;
static DECLARE_WAIT_QUEUE_HEAD(vmsimd_wait);
/* Bumped by whatever may make reclaim possible again (see vmsimd()). */
static atomic_t vmsimd_kicks = ATOMIC_INIT(0);

/* Frames allocated while the pool was half full, since the last pass. */
static struct percpu_counter vmsim_age_allocs;

/* ------------------------------------------------------------------------
 * Watermarks
 */

/*
 * Recompute min/low/high from the parameters: min is min_free_kbytes; low
 * and high are min plus one and two steps of max(min / 4, pool *
 * watermark_scale_factor / 10000), as in __setup_per_zone_wmarks().
 */
static void vmsim_watermarks_update(void)
{
	unsigned long pool = vmsim_pool.nr_frames, min, step;

	mutex_lock(&vmsim_wmark_lock);
	min = (unsigned long)READ_ONCE(vmsim_min_free_kbytes) >>
	      (PAGE_SHIFT - 10);
	min = clamp(min, 1UL, pool / 4);
	step = max(min / 4, mult_frac(pool, READ_ONCE(vmsim_wmark_scale_factor),
				      10000));
	WRITE_ONCE(vmsim_wmark.min, min);
	WRITE_ONCE(vmsim_wmark.low, min + step);
	WRITE_ONCE(vmsim_wmark.high, min + 2 * step);
	mutex_unlock(&vmsim_wmark_lock);
	vmsim_reclaim_kick();
}

/*
 * The kernel's default min_free_kbytes: sqrt(16 * pool in kB), between
 * 128 kB and 64 MiB (calculate_min_free_kbytes()).
 */
static unsigned int vmsim_default_min_free_kbytes(unsigned long frames)
{
	unsigned long kb = frames << (PAGE_SHIFT - 10);

	return clamp(int_sqrt(kb * 16), 128UL, 65536UL);
}

/* Is free memory below @mark?  Exact near the mark, cheap far from it. */
static bool vmsim_free_below(unsigned long mark)
{
	return percpu_counter_compare(&vmsim_pool.nr_free, mark) < 0;
}

/* ------------------------------------------------------------------------
 * vmsimd
 */

/* Is an aging pass due: pool/8 allocations since the last one? */
static bool vmsim_aging_due(void)
{
	return percpu_counter_read(&vmsim_age_allocs) >=
	       (s64)(vmsim_pool.nr_frames / 8);
}

/**
 * vmsim_reclaim_kick() - something changed that may make reclaim possible
 *
 * Ends vmsimd's back-off after a pass that could reclaim nothing.
 *
 * Context: Any context.
 */
void vmsim_reclaim_kick(void)
{
	atomic_inc(&vmsimd_kicks);
	wake_up_interruptible(&vmsimd_wait);
}

static void vmsim_wakeup_vmsimd(void)
{
	if (wq_has_sleeper(&vmsimd_wait)) {
		trace_vmsim_wakeup_vmsimd(vmsim_nr_free(),
					  READ_ONCE(vmsim_wmark.low));
		wake_up_interruptible(&vmsimd_wait);
	}
}

/**
 * vmsim_reclaim_ra_budget() - how many frames readahead may take
 *
 * Readahead (around a swap-in, or ahead of a readahead hit) takes frames
 * without reclaim, down to the min watermark (below it is for faults,
 * which reclaim), as the kernel's swap readahead allocates as the fault
 * does.  What it reads was asked for: the window grows only on readahead
 * hits and shrinks when they stop, so those pages are likely to be used.
 * vmsimd is woken to make room for the pages after, as a fault would wake
 * it (a reader running on readahead makes no fault that allocates).
 * Stopping at the low watermark instead left a reader whose vmsimd lags
 * (its vCPU descheduled by the host) with no readahead at all, a major
 * fault a page.
 *
 * Context: Any context.
 * Return: 0 to VMSIM_MAX_READAHEAD.
 */
unsigned int vmsim_reclaim_ra_budget(void)
{
	unsigned long free = vmsim_nr_free_fast();
	unsigned long min = READ_ONCE(vmsim_wmark.min);

	if (free < READ_ONCE(vmsim_wmark.low) + VMSIM_MAX_READAHEAD)
		vmsim_wakeup_vmsimd();
	if (free <= min)
		return 0;
	return min_t(unsigned long, free - min, VMSIM_MAX_READAHEAD);
}

/* A faulting task reclaims up to @nr frames itself, counted as a stall. */
static void vmsim_shrink_direct(unsigned long nr,
				struct vmsim_shrink_result *res)
{
	vmsim_count(VMSIM_ALLOCSTALL);
	vmsim_shrink(nr, VMSIM_BY_DIRECT, READ_ONCE(vmsim_wmark.high), res);
}

/**
 * vmsim_reclaim_ra_frames() - the frames for a swap-in's readahead window
 * @win: the window wanted (a power of two, the faulting page included)
 * @reclaim: the caller may reclaim (a fault holding no lock but its own
 *	entry's)
 *
 * What vmsim_reclaim_ra_budget() allows; and with @reclaim, when that is
 * less than the window, the faulting task first reclaims the rest itself,
 * as the kernel's swap-in does: each page its readahead reads is charged
 * to the memory cgroup, and a charge over the limit reclaims in the
 * faulting task.  Left to vmsimd alone, a reader whose vmsimd lags (its
 * vCPU descheduled by the host) found free frames at min and read a few
 * pages a fault instead of a window.  Nothing is reclaimed for a fault
 * that reads one page.
 *
 * Context: Any context without @reclaim; with it, process context, may
 * sleep, and the caller may hold one entry lock.
 * Return: the window to read, a power of two from 1 to @win.
 */
unsigned int vmsim_reclaim_ra_frames(unsigned int win, bool reclaim)
{
	struct vmsim_shrink_result res;
	unsigned int budget;

	if (win <= 1)
		return 1;
	budget = vmsim_reclaim_ra_budget();
	if (reclaim && budget + 1 < win && current != vmsimd_task) {
		vmsim_shrink_direct(win - 1 - budget, &res);
		budget = vmsim_reclaim_ra_budget();
	}
	return rounddown_pow_of_two(min(win, budget + 1));
}

/*
 * Reclaim until free frames are back above high.  Return false to back
 * off: a pass made no progress at all and no write is bringing frames
 * back, or writes to swap have been failing (sending more would only fail
 * too).
 */
static bool vmsimd_balance(void)
{
	unsigned long errors = vmsim_event_sum(VMSIM_SWAP_WRITE_ERRORS);
	unsigned long high = READ_ONCE(vmsim_wmark.high);
	struct vmsim_shrink_result res;

	while (vmsim_free_below(high) && !kthread_should_stop()) {
		/* Do not queue more than the disk can take. */
		wait_event_timeout(vmsim_writeback_wait,
				   vmsim_swap_writes_in_flight() <
				   VMSIM_MAX_WRITES_IN_FLIGHT, HZ);
		if (vmsim_event_sum(VMSIM_SWAP_WRITE_ERRORS) != errors)
			return false;
		vmsim_shrink(VMSIM_KSWAPD_BATCH, VMSIM_BY_KSWAPD, high, &res);
		if (!res.reclaimed && !res.queued)
			break;
	}
	if (!vmsim_free_below(high))
		return true;
	if (!vmsim_swap_writes_in_flight())
		return false;
	/* Nothing more to take now, but frames are on their way back. */
	wait_event_timeout(vmsim_writeback_wait,
			   !vmsim_swap_writes_in_flight() ||
			   kthread_should_stop(), HZ);
	return vmsim_event_sum(VMSIM_SWAP_WRITE_ERRORS) == errors;
}

/*
 * The kswapd of the pool.  Sleeps until free frames drop below low, then
 * reclaims until they are back above high; it also runs an aging pass
 * whenever pool/8 frames were allocated past the half-full mark.  A pass
 * that cannot get there (every page holds data and there is no swap, or
 * swap writes fail) does not spin: the thread sleeps, doubling the wait up
 * to 8 s, until a kick says something changed.
 */
static int vmsimd(void *unused)
{
	unsigned long backoff = HZ / 10;
	int kicks;

	set_freezable();
	while (!kthread_should_stop()) {
		wait_event_freezable(vmsimd_wait, kthread_should_stop() ||
				     vmsim_free_below(READ_ONCE(vmsim_wmark.low)) ||
				     vmsim_aging_due());
		if (kthread_should_stop())
			break;
		if (vmsim_aging_due()) {
			percpu_counter_set(&vmsim_age_allocs, 0);
			vmsim_policy_age();
		}
		if (!vmsim_free_below(READ_ONCE(vmsim_wmark.low)))
			continue;

		vmsim_count(VMSIM_PAGEOUTRUN);
		kicks = atomic_read(&vmsimd_kicks);
		if (vmsimd_balance()) {
			backoff = HZ / 10;
			continue;
		}
		/* No progress: wait for a change, or try again later. */
		vmsim_count(VMSIM_KSWAPD_STUCK);
		wait_event_freezable_timeout(vmsimd_wait,
					     kthread_should_stop() ||
					     atomic_read(&vmsimd_kicks) != kicks,
					     backoff);
		backoff = min(backoff * 2, 8UL * HZ);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Allocating with reclaim
 */

/* Count an allocation towards the next aging pass (once half full). */
static void vmsim_note_alloc(void)
{
	if (!vmsim_free_below(vmsim_pool.nr_frames / 2))
		return;
	percpu_counter_add_batch(&vmsim_age_allocs, 1, 32);
	if (vmsim_aging_due())
		vmsim_wakeup_vmsimd();
}

/*
 * Direct reclaim: return whether it got anything back, or under way with
 * writes that are not failing (no write error since @errors).
 */
static bool vmsim_reclaim_direct(unsigned long errors)
{
	struct vmsim_shrink_result res;

	vmsim_shrink_direct(VMSIM_DIRECT_BATCH, &res);
	return res.reclaimed ||
	       (res.queued &&
		vmsim_event_sum(VMSIM_SWAP_WRITE_ERRORS) == errors);
}

/**
 * vmsim_frame_alloc_reclaim() - a frame for a page, reclaiming if need be
 * @unzeroed: the caller overwrites the whole frame (a swap-in): a frame not
 *	yet zeroed will do
 *
 * Wakes vmsimd when free frames are below low; reclaims directly when they
 * are at or below min, or when there is none at all.  Gives up (and the
 * fault gets SIGBUS) when there is no free frame and reclaim made no
 * progress twice in a row, or frees nothing in VMSIM_MAX_RECLAIM_RETRIES
 * rounds, or when writes to swap end nothing for 10 s, or on a fatal
 * signal.  Writes that fail are no progress: the fault does not wait for
 * more of them.
 *
 * Context: Process context; may sleep.  The caller may hold one entry lock.
 * Return: a frame (zero-filled unless @unzeroed), or NULL.
 */
struct page *vmsim_frame_alloc_reclaim(bool unzeroed)
{
	unsigned long errors = vmsim_event_sum(VMSIM_SWAP_WRITE_ERRORS);
	unsigned int tries = 0, stalled = 0, waits = 0;
	struct page *page;

	for (;;) {
		bool below_min = vmsim_free_below(READ_ONCE(vmsim_wmark.min) + 1);
		long in_flight;

		if (vmsim_free_below(READ_ONCE(vmsim_wmark.low)))
			vmsim_wakeup_vmsimd();
		if (below_min && current != vmsimd_task)
			stalled = vmsim_reclaim_direct(errors) ? 0 : stalled + 1;
		page = unzeroed ? vmsim_frame_alloc_unzeroed() :
				  vmsim_frame_alloc();
		if (page) {
			vmsim_note_alloc();
			return page;
		}
		/* Nothing free at all: reclaim before trying again. */
		if (!below_min)
			stalled = vmsim_reclaim_direct(errors) ? 0 : stalled + 1;
		if (fatal_signal_pending(current))
			return NULL;
		/* Frames are on their way back from swap writes: wait for them. */
		in_flight = vmsim_swap_writes_in_flight();
		if (in_flight &&
		    vmsim_event_sum(VMSIM_SWAP_WRITE_ERRORS) == errors) {
			wait_event_timeout(vmsim_writeback_wait,
					   !vmsim_free_below(1) ||
					   vmsim_swap_writes_in_flight() < in_flight,
					   HZ / 10);
			if (vmsim_swap_writes_in_flight() >= in_flight &&
			    vmsim_free_below(1) && ++waits > VMSIM_MAX_WRITE_WAITS)
				return NULL;
			continue;
		}
		if (stalled >= 2 || ++tries > VMSIM_MAX_RECLAIM_RETRIES)
			return NULL;
		cond_resched();
	}
}

int vmsim_reclaim_init(void)
{
	int err;

	if (!vmsim_min_free_kbytes)
		vmsim_min_free_kbytes =
			vmsim_default_min_free_kbytes(vmsim_pool.nr_frames);
	err = vmsim_policy_init();
	if (err)
		return err;
	err = percpu_counter_init(&vmsim_age_allocs, 0, GFP_KERNEL);
	if (err)
		goto out_policy_exit;
	vmsim_watermarks_update();
	vmsimd_task = kthread_run(vmsimd, NULL, "vmsimd");
	if (IS_ERR(vmsimd_task)) {
		err = PTR_ERR(vmsimd_task);
		goto out_destroy_counter;
	}
	return 0;

out_destroy_counter:
	percpu_counter_destroy(&vmsim_age_allocs);
out_policy_exit:
	vmsim_policy_exit();
	return err;
}

void vmsim_reclaim_exit(void)
{
	kthread_stop(vmsimd_task);
	vmsimd_task = NULL;
	percpu_counter_destroy(&vmsim_age_allocs);
	vmsim_policy_exit();
}
