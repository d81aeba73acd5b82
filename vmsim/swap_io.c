// SPDX-License-Identifier: GPL-2.0
/*
 * Bios to and from swap slots, with a checksum per slot.
 *
 * Writes are asynchronous: the caller hands over a batch of unmapped pages
 * with their slots; they go out sorted by slot, one bio per run of
 * consecutive slots, under a plug.  Each page's CRC32C is recorded in its
 * area when it is submitted.  Completions are finished in process context
 * by a worker (vmsim_io_wq, per-CPU and high priority: on the CPU the
 * interrupt came to, or on the one where the work item already runs, as
 * a work item never runs twice at once), which calls the caller's done()
 * for every page.
 * Neither the batch's bookkeeping nor its bios can fail to be allocated:
 * both come from mempools (a bio_set and vmsim_write_pool), so reclaim
 * always makes progress, as mm/page_io.c's bios do.
 *
 * Reads are batches the caller owns: submitted here, one bio per run,
 * with a callback when the last bio completes; the caller (or the worker
 * it queues) then checks each page against the checksum written with it,
 * so wrong data is never returned silently.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/llist.h>
#include <linux/mempool.h>
#include <linux/sort.h>

#include "crc.h"
#include "stat.h"
#include "swap_io.h"

/* A bio and what it carries; the bio_set puts this in front of the bio. */
struct vmsim_bio {
	void *batch;			/* a vmsim_write_io or vmsim_swap_read */
	unsigned int first;		/* its first page in the batch */
	unsigned int nr;
	struct bio bio;			/* last: the bio_set's front_pad */
};

static struct bio_set vmsim_bioset;
static struct workqueue_struct *vmsim_io_wq;

static struct vmsim_bio *vmsim_bio(struct bio *bio)
{
	return container_of(bio, struct vmsim_bio, bio);
}

static int vmsim_swap_page_cmp(const void *a, const void *b)
{
	const struct vmsim_swap_page *x = a, *y = b;

	return vmsim_swp_cmp(x->swp, y->swp);
}

/* How many pages from @p on go to consecutive slots of one area. */
static unsigned int vmsim_run(const struct vmsim_swap_page *p, unsigned int nr)
{
	unsigned int n = 1;

	while (n < nr && n < BIO_MAX_VECS &&
	       vmsim_swp_type(p[n].swp) == vmsim_swp_type(p[0].swp) &&
	       vmsim_swp_offset(p[n].swp) == vmsim_swp_offset(p[0].swp) + n)
		n++;
	return n;
}

/* A bio for @n pages from @p on, of a batch. */
static struct bio *vmsim_bio_alloc(const struct vmsim_swap_page *p,
				   unsigned int n, blk_opf_t opf, void *batch,
				   unsigned int first)
{
	struct vmsim_swap_area *a = vmsim_swp_area(p->swp);
	struct vmsim_bio *vb;
	struct bio *bio;
	unsigned int i;

	/* GFP_NOIO from the bio_set's mempool: waits, never fails. */
	bio = bio_alloc_bioset(a->bdev.bdev, n, opf, GFP_NOIO, &vmsim_bioset);
	bio->bi_iter.bi_sector = (sector_t)vmsim_swp_offset(p->swp) <<
				 (PAGE_SHIFT - SECTOR_SHIFT);
	for (i = 0; i < n; i++)
		__bio_add_page(bio, p[i].page, PAGE_SIZE, 0);
	vb = vmsim_bio(bio);
	vb->batch = batch;
	vb->first = first;
	vb->nr = n;
	return bio;
}

/*
 * ------------------------------------------------------------------------
 * Writing
 */

/**
 * struct vmsim_write_io - a batch of pages being written
 * @node: on vmsim_write_done once every bio has completed
 * @pending: bios in flight, plus one while submitting
 * @nr: pages
 * @done: the caller's
 * @pages: cookie, slot and outcome of each page, in slot order
 */
struct vmsim_write_io {
	struct llist_node node;
	atomic_t pending;
	unsigned int nr;
	vmsim_swap_write_done_fn done;
	struct {
		void *cookie;
		vmsim_swp_t swp;
		int err;
	} pages[VMSIM_SWAP_IO_MAX];
};

/* Enough for every batch in flight to progress one at a time. */
#define VMSIM_WRITE_POOL_MIN	4
static mempool_t *vmsim_write_pool;

static LLIST_HEAD(vmsim_write_done);
static void vmsim_write_work_fn(struct work_struct *work);
static DECLARE_WORK(vmsim_write_work, vmsim_write_work_fn);

/* Pages handed to the block layer and not yet finished. */
static atomic_long_t vmsim_writes_in_flight = ATOMIC_LONG_INIT(0);
DECLARE_WAIT_QUEUE_HEAD(vmsim_writeback_wait);

/**
 * vmsim_swap_writes_in_flight() - pages whose write has not finished
 *
 * Context: Any context.
 */
long vmsim_swap_writes_in_flight(void)
{
	return atomic_long_read(&vmsim_writes_in_flight);
}

static void vmsim_write_io_put(struct vmsim_write_io *io)
{
	if (!atomic_dec_and_test(&io->pending))
		return;
	/* Finished in process context: the caller's done() may sleep. */
	llist_add(&io->node, &vmsim_write_done);
	queue_work(vmsim_io_wq, &vmsim_write_work);
}

static void vmsim_write_end_io(struct bio *bio)
{
	struct vmsim_bio *vb = vmsim_bio(bio);
	struct vmsim_write_io *io = vb->batch;
	int err = blk_status_to_errno(bio->bi_status);
	unsigned int i;

	if (err)
		for (i = vb->first; i < vb->first + vb->nr; i++)
			io->pages[i].err = err;
	bio_put(bio);
	vmsim_write_io_put(io);
}

/*
 * One write to @a is over.  swapoff waits for an area's writes to end,
 * then may free it: wake it under a->lock, and touch @a no more.
 */
static void vmsim_area_write_done(struct vmsim_swap_area *a)
{
	spin_lock(&a->lock);
	if (atomic_dec_and_test(&a->inflight))
		wake_up_all(&a->wait);
	spin_unlock(&a->lock);
}

static void vmsim_write_work_fn(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&vmsim_write_done));
	struct vmsim_write_io *io, *next;

	llist_for_each_entry_safe(io, next, list, node) {
		unsigned int i, failed = 0;
		int err = 0;

		for (i = 0; i < io->nr; i++) {
			vmsim_swp_t swp = io->pages[i].swp;

			if (io->pages[i].err) {
				err = io->pages[i].err;
				failed++;
			} else {
				vmsim_count(VMSIM_PSWPOUT);
			}
			io->done(io->pages[i].cookie, io->pages[i].err);
			vmsim_swap_slot_written(swp, io->pages[i].err);
		}
		if (failed) {
			vmsim_count_add(VMSIM_SWAP_WRITE_ERRORS, failed);
			pr_warn_ratelimited("write error %d on swap area %s: %u pages stay in memory\n",
					    err, vmsim_swp_area(io->pages[0].swp)->path,
					    failed);
		}
		for (i = 0; i < io->nr; i++)
			vmsim_area_write_done(vmsim_swp_area(io->pages[i].swp));
		atomic_long_sub(io->nr, &vmsim_writes_in_flight);
		mempool_free(io, vmsim_write_pool);
	}
	wake_up_all(&vmsim_writeback_wait);
}

/**
 * vmsim_swap_write() - start writing pages to the slots they were given
 * @pages: the pages (->page, ->swp, ->cookie set), unmapped everywhere so
 *	that their contents are stable; sorted here by slot
 * @nr: how many, 1 to VMSIM_SWAP_IO_MAX
 * @done: called with each page's cookie and outcome when its write ends
 *
 * Records each page's checksum, then writes a run of consecutive slots per
 * bio, under a plug.  Every page goes out: nothing here can fail.
 *
 * Context: Process context; may sleep (mempools).
 */
void vmsim_swap_write(struct vmsim_swap_page *pages, unsigned int nr,
		      vmsim_swap_write_done_fn done)
{
	struct vmsim_write_io *io;
	struct blk_plug plug;
	unsigned int i, n;

	if (WARN_ON_ONCE(!nr || nr > VMSIM_SWAP_IO_MAX))
		return;
	sort(pages, nr, sizeof(*pages), vmsim_swap_page_cmp, NULL);
	/* GFP_NOIO: reclaim must not recurse into I/O; the pool waits. */
	io = mempool_alloc(vmsim_write_pool, GFP_NOIO);
	io->nr = nr;
	io->done = done;
	atomic_set(&io->pending, 1);
	for (i = 0; i < nr; i++) {
		struct vmsim_swap_area *a = vmsim_swp_area(pages[i].swp);

		io->pages[i].cookie = pages[i].cookie;
		io->pages[i].swp = pages[i].swp;
		io->pages[i].err = 0;
		a->crc[vmsim_swp_offset(pages[i].swp)] =
			vmsim_crc_page(pages[i].page);
		atomic_inc(&a->inflight);
	}
	atomic_long_add(nr, &vmsim_writes_in_flight);

	blk_start_plug(&plug);
	for (i = 0; i < nr; i += n) {
		struct bio *bio;

		n = vmsim_run(&pages[i], nr - i);
		bio = vmsim_bio_alloc(&pages[i], n, REQ_OP_WRITE | REQ_SWAP,
				      io, i);
		bio->bi_end_io = vmsim_write_end_io;
		atomic_inc(&io->pending);
		vmsim_count(VMSIM_SWAP_WRITE_BIOS);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	vmsim_write_io_put(io);
}

/*
 * ------------------------------------------------------------------------
 * Reading
 */

static void vmsim_read_put(struct vmsim_swap_read *rd)
{
	if (atomic_dec_and_test(&rd->pending))
		rd->end_io(rd);
}

static void vmsim_read_end_io(struct bio *bio)
{
	struct vmsim_bio *vb = vmsim_bio(bio);
	struct vmsim_swap_read *rd = vb->batch;
	int err = blk_status_to_errno(bio->bi_status);
	unsigned int i;

	if (err)
		for (i = vb->first; i < vb->first + vb->nr; i++)
			rd->pages[i].err = err;
	bio_put(bio);
	vmsim_read_put(rd);
}

/**
 * vmsim_swap_read_submit() - start reading pages back from swap
 * @rd: the batch; its pages are sorted here by slot
 *
 * Each run of consecutive slots is read with one bio, under a plug.
 * @rd->end_io is called when all are done (it may be called before this
 * returns).
 *
 * Context: Process context; may sleep (mempools).
 */
void vmsim_swap_read_submit(struct vmsim_swap_read *rd)
{
	struct blk_plug plug;
	unsigned int i, n;

	sort(rd->pages, rd->nr, sizeof(*rd->pages), vmsim_swap_page_cmp, NULL);
	atomic_set(&rd->pending, 1);
	blk_start_plug(&plug);
	for (i = 0; i < rd->nr; i += n) {
		struct bio *bio;
		unsigned int j;

		n = vmsim_run(&rd->pages[i], rd->nr - i);
		for (j = i; j < i + n; j++)
			rd->pages[j].err = 0;
		bio = vmsim_bio_alloc(&rd->pages[i], n,
				      REQ_OP_READ | REQ_SWAP | REQ_SYNC, rd, i);
		bio->bi_end_io = vmsim_read_end_io;
		atomic_inc(&rd->pending);
		vmsim_count(VMSIM_SWAP_READ_BIOS);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	vmsim_read_put(rd);
}

/**
 * vmsim_swap_read_check() - check what a read batch brought back
 * @rd: the batch, after its ->end_io
 *
 * A page whose read failed keeps -EIO (or the bio's error); one whose
 * contents do not match the checksum written with it gets -EBADMSG.
 *
 * Context: Any context (process context, normally).
 */
void vmsim_swap_read_check(struct vmsim_swap_read *rd)
{
	unsigned int i;

	for (i = 0; i < rd->nr; i++) {
		struct vmsim_swap_page *p = &rd->pages[i];
		struct vmsim_swap_area *a = vmsim_swp_area(p->swp);

		if (p->err) {
			vmsim_count(VMSIM_SWAP_READ_ERRORS);
			continue;
		}
		if (vmsim_crc_page(p->page) != a->crc[vmsim_swp_offset(p->swp)]) {
			p->err = -EBADMSG;
			vmsim_count(VMSIM_SWAP_CRC_ERRORS);
			continue;
		}
		vmsim_count(VMSIM_PSWPIN);
	}
}

/**
 * vmsim_swap_queue_work() - run work on vmsim's I/O workqueue
 * @work: the work, typically the end of a read batch nobody waits for
 *
 * Context: Any context.
 */
void vmsim_swap_queue_work(struct work_struct *work)
{
	queue_work(vmsim_io_wq, work);
}

int vmsim_swap_io_init(void)
{
	int err;

	vmsim_crc_init();
	err = bioset_init(&vmsim_bioset, BIO_POOL_SIZE,
			  offsetof(struct vmsim_bio, bio), BIOSET_NEED_BVECS);
	if (err)
		return err;
	vmsim_write_pool = mempool_create_kmalloc_pool(VMSIM_WRITE_POOL_MIN,
						       sizeof(struct vmsim_write_io));
	if (!vmsim_write_pool) {
		err = -ENOMEM;
		goto out_bioset;
	}
	/*
	 * WQ_MEM_RECLAIM: finishing I/O is how reclaim makes progress.
	 * Per-CPU and WQ_HIGHPRI: a completion is finished on the CPU its
	 * interrupt came to, ahead of the tasks there, as the kernel's own
	 * completions are in softirq context.  An unbound worker is a
	 * wakeup on another CPU, which under a host that deschedules vCPUs
	 * waits for that vCPU's turn: with one, a sequential swap pass fell
	 * 3x under a host CPU hog, against 2x per-CPU (performance.rst).
	 */
	vmsim_io_wq = alloc_workqueue("vmsim_io", WQ_MEM_RECLAIM | WQ_HIGHPRI,
				      0);
	if (!vmsim_io_wq) {
		err = -ENOMEM;
		goto out_mempool;
	}
	return 0;

out_mempool:
	mempool_destroy(vmsim_write_pool);
out_bioset:
	bioset_exit(&vmsim_bioset);
	return err;
}

void vmsim_swap_io_exit(void)
{
	destroy_workqueue(vmsim_io_wq);
	mempool_destroy(vmsim_write_pool);
	bioset_exit(&vmsim_bioset);
}
