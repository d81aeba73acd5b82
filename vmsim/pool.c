// SPDX-License-Identifier: GPL-2.0
/*
 * The pool of physical frames vmsim hands out.
 *
 * All frames are allocated when the module loads and given back when it
 * unloads; in between, vmsim alone decides who holds them.  A free frame
 * is on one of these lists:
 *
 *   per-CPU caches   zeroed frames, refilled VMSIM_PCP_BATCH at a time, so
 *                    that a fault normally takes a frame without a shared
 *                    lock
 *   zeroed           ready to map
 *   dirty            freed by an object, still holding its data
 *
 * A worker moves dirty frames to the zeroed list in the background, so a
 * fault normally takes a frame that is already zero; when no zeroed frame
 * is left the fault zeroes one itself.  Either way no frame reaches a
 * second object with the first one's data.
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "param.h"
#include "pool.h"
#include "stat.h"

/* Allocate the pool in 2 MiB chunks, falling back to smaller ones. */
#define VMSIM_POOL_CHUNK_ORDER	9
/* Frames the zeroing worker handles per lock round trip. */
#define VMSIM_ZERO_BATCH	32
/* A per-CPU cache is refilled this many frames at a time. */
#define VMSIM_PCP_BATCH		16

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

struct vmsim_pool vmsim_pool = {
	.lock = __SPIN_LOCK_UNLOCKED(vmsim_pool.lock),
	.zeroed = LIST_HEAD_INIT(vmsim_pool.zeroed),
	.dirty = LIST_HEAD_INIT(vmsim_pool.dirty),
};

/**
 * struct vmsim_pcp - a CPU's cache of zeroed free frames
 * @lock: protects @list and @count; taken by its own CPU, and by others
 *	only to drain it when the pool runs dry
 * @list: the frames
 * @count: how many
 */
struct vmsim_pcp {
	spinlock_t lock;		/* see above */
	struct list_head list;
	unsigned int count;
};

static DEFINE_PER_CPU(struct vmsim_pcp, vmsim_pcp);

static void vmsim_zero_work_fn(struct work_struct *work);
static DECLARE_WORK(vmsim_zero_work, vmsim_zero_work_fn);

/*
 * Frames an object let go of while something else still held a reference
 * (a pin taken by get_user_pages(), say).  They must not reach another
 * object while that reference exists, so they wait here, under
 * vmsim_pool.lock, until the pin is dropped.
 */
static LIST_HEAD(vmsim_orphans);
static void vmsim_orphan_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(vmsim_orphan_work, vmsim_orphan_work_fn);

/*
 * The pool's frames as runs of consecutive PFNs, in the order they were
 * allocated, for vmsim_pool_random_frame(): frame i of the pool is
 * frame i - start of the run that holds it.
 */
struct vmsim_run {
	unsigned long pfn;
	unsigned long start;		/* index of its first frame */
};

static struct vmsim_run *vmsim_runs;
static unsigned long vmsim_nr_runs;

/* Record the runs of @frames (a list in allocation order); 0 or -ENOMEM. */
static int vmsim_runs_init(struct list_head *frames)
{
	unsigned long n = 0, i = 0, prev = 0;
	struct page *page;

	list_for_each_entry(page, frames, lru) {
		n += !i++ || page_to_pfn(page) != prev + 1;
		prev = page_to_pfn(page);
	}
	vmsim_runs = kvmalloc_array(n, sizeof(*vmsim_runs), GFP_KERNEL);
	if (!vmsim_runs)
		return -ENOMEM;
	n = 0;
	i = 0;
	list_for_each_entry(page, frames, lru) {
		if (!i || page_to_pfn(page) != prev + 1)
			vmsim_runs[n++] = (struct vmsim_run){
				.pfn = page_to_pfn(page), .start = i,
			};
		prev = page_to_pfn(page);
		i++;
	}
	vmsim_nr_runs = n;
	return 0;
}

/**
 * vmsim_pool_random_frame() - a frame of the pool, chosen at random
 *
 * Any frame, free or in use, each as likely as any other.
 *
 * Context: Any context.
 */
struct page *vmsim_pool_random_frame(void)
{
	unsigned long i = ((u64)get_random_u32() * vmsim_pool.nr_frames) >> 32;
	unsigned long lo = 0, hi = vmsim_nr_runs - 1;

	while (lo < hi) {
		unsigned long mid = (lo + hi + 1) / 2;

		if (vmsim_runs[mid].start <= i)
			lo = mid;
		else
			hi = mid - 1;
	}
	return pfn_to_page(vmsim_runs[lo].pfn + i - vmsim_runs[lo].start);
}

static void vmsim_pool_free_list(struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/**
 * vmsim_pool_init() - allocate the pool of pool_mb MiB
 *
 * Context: Process context, at module load.  May sleep.
 * Return: 0, or -ENOMEM with nothing left allocated.
 */
int vmsim_pool_init(void)
{
	unsigned long nr_frames = (unsigned long)vmsim_pool_mb <<
				  (20 - PAGE_SHIFT);
	unsigned int order = VMSIM_POOL_CHUNK_ORDER;
	unsigned long got = 0;
	LIST_HEAD(frames);
	int cpu, err;

	/*
	 * __GFP_RETRY_MAYFAIL: try hard, but fail rather than invoke the OOM
	 * killer for a pool that does not fit; __GFP_NOWARN: that failure is
	 * reported once, by the caller, not as an allocation splat.
	 */
	const gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
			  __GFP_RETRY_MAYFAIL;

	for_each_possible_cpu(cpu) {
		struct vmsim_pcp *pcp = per_cpu_ptr(&vmsim_pcp, cpu);

		spin_lock_init(&pcp->lock);
		INIT_LIST_HEAD(&pcp->list);
		pcp->count = 0;
	}

	while (got < nr_frames) {
		struct page *page;
		unsigned long i, n;

		while ((1UL << order) > nr_frames - got)
			order--;
		page = alloc_pages(gfp, order);
		if (!page) {
			if (order == 0)
				goto out_free;
			order--;
			continue;
		}
		n = 1UL << order;
		if (order)
			split_page(page, order);
		for (i = 0; i < n; i++)
			list_add_tail(&page[i].lru, &frames);
		got += n;
		cond_resched();
	}

	vmsim_pool.zero_frame = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vmsim_pool.zero_frame)
		goto out_free;
	err = percpu_counter_init(&vmsim_pool.nr_free, nr_frames, GFP_KERNEL);
	if (err)
		goto out_free_zero;
	err = vmsim_runs_init(&frames);
	if (err)
		goto out_destroy_counter;

	list_splice(&frames, &vmsim_pool.zeroed);
	vmsim_pool.nr_zeroed = nr_frames;
	vmsim_pool.nr_dirty = 0;
	vmsim_pool.nr_frames = nr_frames;
	return 0;

out_destroy_counter:
	percpu_counter_destroy(&vmsim_pool.nr_free);
out_free_zero:
	__free_page(vmsim_pool.zero_frame);
	vmsim_pool.zero_frame = NULL;
out_free:
	vmsim_pool_free_list(&frames);
	pr_err("cannot allocate a pool of %u MiB (%lu frames)\n",
	       vmsim_pool_mb, nr_frames);
	return -ENOMEM;
}

/* Move every per-CPU cache back to the zeroed list. */
static void vmsim_pcp_drain_all(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmsim_pcp *pcp = per_cpu_ptr(&vmsim_pcp, cpu);

		spin_lock(&pcp->lock);
		if (pcp->count) {
			spin_lock(&vmsim_pool.lock);
			list_splice_init(&pcp->list, &vmsim_pool.zeroed);
			vmsim_pool.nr_zeroed += pcp->count;
			spin_unlock(&vmsim_pool.lock);
			pcp->count = 0;
		}
		spin_unlock(&pcp->lock);
	}
}

/**
 * vmsim_pool_exit() - give every frame back to the page allocator
 *
 * Context: Process context, at module unload, when no object exists.
 */
void vmsim_pool_exit(void)
{
	unsigned long nr_free;
	struct page *page, *next;

	cancel_delayed_work_sync(&vmsim_orphan_work);
	cancel_work_sync(&vmsim_zero_work);
	vmsim_pcp_drain_all();

	/*
	 * Orphans still pinned go to whoever holds the pin: dropping our
	 * reference makes theirs the last, and the page allocator gets the
	 * frame when they let go.
	 */
	list_for_each_entry_safe(page, next, &vmsim_orphans, lru) {
		list_del_init(&page->lru);
		vmsim_pool.nr_orphans--;
		vmsim_pool.nr_frames--;
		put_page(page);
	}

	nr_free = vmsim_pool.nr_zeroed + vmsim_pool.nr_dirty;
	if (nr_free != vmsim_pool.nr_frames)
		pr_err("%lu frames still in use at unload; leaking them\n",
		       vmsim_pool.nr_frames - nr_free);
	vmsim_pool_free_list(&vmsim_pool.zeroed);
	vmsim_pool_free_list(&vmsim_pool.dirty);
	vmsim_pool.nr_zeroed = 0;
	vmsim_pool.nr_dirty = 0;
	percpu_counter_destroy(&vmsim_pool.nr_free);
	__free_page(vmsim_pool.zero_frame);
	vmsim_pool.zero_frame = NULL;
	kvfree(vmsim_runs);
	vmsim_runs = NULL;
}

/* Refill a per-CPU cache from the zeroed list; the caller holds pcp->lock. */
static void vmsim_pcp_refill(struct vmsim_pcp *pcp)
{
	unsigned int n = 0;

	lockdep_assert_held(&pcp->lock);
	spin_lock(&vmsim_pool.lock);
	while (n < VMSIM_PCP_BATCH && vmsim_pool.nr_zeroed) {
		list_move(vmsim_pool.zeroed.next, &pcp->list);
		vmsim_pool.nr_zeroed--;
		n++;
	}
	spin_unlock(&vmsim_pool.lock);
	pcp->count += n;
}

/* Take a frame from this CPU's cache, refilling it first if empty. */
static struct page *vmsim_pcp_alloc(void)
{
	struct vmsim_pcp *pcp = get_cpu_ptr(&vmsim_pcp);
	struct page *page = NULL;

	spin_lock(&pcp->lock);
	if (!pcp->count)
		vmsim_pcp_refill(pcp);
	if (pcp->count) {
		page = list_first_entry(&pcp->list, struct page, lru);
		list_del_init(&page->lru);
		pcp->count--;
	}
	spin_unlock(&pcp->lock);
	put_cpu_ptr(&vmsim_pcp);
	return page;
}

/*
 * No zeroed frame anywhere near: take a dirty one and zero it here, or wait
 * for the zeroing worker's batch, or pull back what other CPUs cache.
 */
static struct page *vmsim_frame_alloc_slow(void)
{
	bool drained = false;
	struct page *page;

	for (;;) {
		unsigned long in_flight;

		spin_lock(&vmsim_pool.lock);
		page = list_first_entry_or_null(&vmsim_pool.zeroed,
						struct page, lru);
		if (page) {
			list_del_init(&page->lru);
			vmsim_pool.nr_zeroed--;
			spin_unlock(&vmsim_pool.lock);
			return page;
		}
		page = list_first_entry_or_null(&vmsim_pool.dirty,
						struct page, lru);
		if (page) {
			list_del_init(&page->lru);
			vmsim_pool.nr_dirty--;
			spin_unlock(&vmsim_pool.lock);
			clear_highpage(page);
			vmsim_count(VMSIM_ZERO_FILL);
			return page;
		}
		in_flight = vmsim_pool.nr_zeroing;
		spin_unlock(&vmsim_pool.lock);

		if (in_flight) {
			/*
			 * The last free frames are being zeroed: wait for a
			 * batch to reach the list (the worker wakes us after
			 * each), not for the worker to be idle, which it may
			 * never be while frees keep coming.
			 */
			wait_var_event(&vmsim_pool.nr_zeroing,
				       READ_ONCE(vmsim_pool.nr_zeroed) ||
				       !READ_ONCE(vmsim_pool.nr_zeroing));
		} else if (!drained) {
			vmsim_pcp_drain_all();
			drained = true;
		} else {
			return NULL;
		}
	}
}

/**
 * vmsim_zero_pending() - free frames still to be zeroed
 *
 * Context: Any context.
 * Return: frames on the dirty list or being zeroed.
 */
unsigned long vmsim_zero_pending(void)
{
	return READ_ONCE(vmsim_pool.nr_dirty) + READ_ONCE(vmsim_pool.nr_zeroing);
}

/**
 * vmsim_frame_alloc() - take a zero-filled frame from the pool
 *
 * Context: Process context; may sleep (to zero a frame).
 * Return: the frame, holding the pool's single reference, or NULL when the
 * pool has no free frame.
 */
struct page *vmsim_frame_alloc(void)
{
	struct page *page;

	page = vmsim_pcp_alloc();
	if (!page)
		page = vmsim_frame_alloc_slow();
	if (!page)
		return NULL;
	percpu_counter_dec(&vmsim_pool.nr_free);
	vmsim_count(VMSIM_PGALLOC);
	return page;
}

/**
 * vmsim_frame_alloc_unzeroed() - take a frame about to be overwritten whole
 *
 * For a page read from swap: a freed frame not yet zeroed is taken first,
 * which spares the zeroing (the read overwrites all of it, and a frame
 * whose read fails goes back to the pool unseen).
 *
 * Context: Process context; may sleep.
 * Return: the frame, holding the pool's single reference, or NULL when the
 * pool has no free frame.
 */
struct page *vmsim_frame_alloc_unzeroed(void)
{
	struct page *page;

	spin_lock(&vmsim_pool.lock);
	page = list_first_entry_or_null(&vmsim_pool.dirty, struct page, lru);
	if (page) {
		list_del_init(&page->lru);
		vmsim_pool.nr_dirty--;
	}
	spin_unlock(&vmsim_pool.lock);
	if (!page)
		return vmsim_frame_alloc();
	percpu_counter_dec(&vmsim_pool.nr_free);
	vmsim_count(VMSIM_PGALLOC);
	return page;
}

/**
 * vmsim_frame_free() - give a frame back to the pool
 * @page: a frame no page table maps and nobody else references
 *
 * The frame keeps its contents until the zeroing worker clears it.
 *
 * Context: Process context.
 */
void vmsim_frame_free(struct page *page)
{
	set_page_private(page, 0);
	ClearPageDirty(page);

	spin_lock(&vmsim_pool.lock);
	list_add_tail(&page->lru, &vmsim_pool.dirty);
	vmsim_pool.nr_dirty++;
	spin_unlock(&vmsim_pool.lock);
	percpu_counter_inc(&vmsim_pool.nr_free);
	vmsim_count(VMSIM_PGFREE);

	queue_work(system_unbound_wq, &vmsim_zero_work);
}

/**
 * vmsim_frame_release() - give back a frame an object no longer uses
 * @page: the frame, on no list; no shadow entry and no page table points
 *	at it any more, so its reference count only drops from here on
 *
 * The frame goes to the free lists at once if vmsim holds the only
 * reference, and waits on the orphan list otherwise.
 *
 * Context: Process context.
 */
void vmsim_frame_release(struct page *page)
{
	if (page_ref_count(page) == 1) {
		vmsim_frame_free(page);
		return;
	}
	spin_lock(&vmsim_pool.lock);
	list_add_tail(&page->lru, &vmsim_orphans);
	vmsim_pool.nr_orphans++;
	spin_unlock(&vmsim_pool.lock);
	vmsim_count(VMSIM_ORPHANED);
	queue_delayed_work(system_unbound_wq, &vmsim_orphan_work, HZ / 10);
}

static void vmsim_orphan_work_fn(struct work_struct *work)
{
	struct page *page, *next;
	LIST_HEAD(freed);
	bool more;

	spin_lock(&vmsim_pool.lock);
	list_for_each_entry_safe(page, next, &vmsim_orphans, lru) {
		if (page_ref_count(page) == 1) {
			list_move(&page->lru, &freed);
			vmsim_pool.nr_orphans--;
		}
	}
	more = vmsim_pool.nr_orphans;
	spin_unlock(&vmsim_pool.lock);

	list_for_each_entry_safe(page, next, &freed, lru) {
		list_del_init(&page->lru);
		vmsim_frame_free(page);
	}
	if (more)
		queue_delayed_work(system_unbound_wq, &vmsim_orphan_work, HZ);
}

/*
 * Move dirty free frames to the zeroed list, a batch at a time.  The frames
 * are off both lists while being cleared (counted in nr_zeroing); an
 * allocation that finds both lists empty meanwhile waits for the batch.
 */
static void vmsim_zero_work_fn(struct work_struct *work)
{
	struct page *batch[VMSIM_ZERO_BATCH];

	for (;;) {
		unsigned int i, n = 0;

		spin_lock(&vmsim_pool.lock);
		while (n < VMSIM_ZERO_BATCH && vmsim_pool.nr_dirty) {
			struct page *page;

			page = list_first_entry(&vmsim_pool.dirty, struct page,
						lru);
			list_del_init(&page->lru);
			vmsim_pool.nr_dirty--;
			batch[n++] = page;
		}
		vmsim_pool.nr_zeroing += n;
		spin_unlock(&vmsim_pool.lock);
		if (!n)
			return;

		for (i = 0; i < n; i++)
			clear_highpage(batch[i]);

		spin_lock(&vmsim_pool.lock);
		for (i = 0; i < n; i++)
			list_add_tail(&batch[i]->lru, &vmsim_pool.zeroed);
		vmsim_pool.nr_zeroed += n;
		vmsim_pool.nr_zeroing -= n;
		spin_unlock(&vmsim_pool.lock);
		wake_up_var(&vmsim_pool.nr_zeroing);
		cond_resched();
	}
}
