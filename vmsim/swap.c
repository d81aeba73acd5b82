// SPDX-License-Identifier: GPL-2.0
/*
 * Swap areas: turning them on and off, slots, checksums, and the I/O.
 *
 * A swap area is a whole block device, opened exclusively, whose first page
 * is a struct vmsim_swap_header (vmsimctl mkswap writes it).  Its other
 * pages are slots.  Up to VMSIM_SWAP_TYPES areas are on at once; the area
 * number (type) and the slot number form a swap entry (vmsim_swp_t), which
 * is what a shadow entry of a swapped-out page holds.
 *
 * Slots are taken from the highest-priority area that has free ones (equal
 * priorities in turn), in runs from a moving cursor, so that pages evicted
 * together land next to each other and go out in multi-page bios.  Each
 * slot has a CRC32C of the page written to it, kept in memory and checked
 * when the page is read back: wrong data is never returned silently.
 *
 * Writes are asynchronous: reclaim unmaps a page, takes a slot, and queues
 * the page; the pages of a batch go out in as few bios as their slots
 * allow, under a plug; completions are finished in process context by a
 * worker (vmsim_io_wq), which decides whether each page can now leave the
 * pool.  Reads are synchronous: the faulting task reads its page and a
 * readahead window of neighbours, and waits.
 */
#include <crypto/hash.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vmsim.h"
#include "vmsim_trace.h"

/*
 * Areas by type; set and cleared under vmsim_swap_mutex, read locklessly
 * by paths that hold an entry referring to the area (it cannot go away
 * while one exists).
 */
struct vmsim_swap_area *vmsim_swap_info[VMSIM_SWAP_TYPES];

/* Areas that take new slots, highest priority first; under vmsim_swap_lock. */
static LIST_HEAD(vmsim_swap_avail);
static DEFINE_SPINLOCK(vmsim_swap_lock);

/* Serialises swapon and swapoff. */
static DEFINE_MUTEX(vmsim_swap_mutex);
static int vmsim_swap_least_prio;

/* Slots of all areas that are on, and of those, the free ones. */
atomic_long_t vmsim_swap_total = ATOMIC_LONG_INIT(0);
atomic_long_t vmsim_swap_free = ATOMIC_LONG_INIT(0);

static struct workqueue_struct *vmsim_io_wq;

/**
 * vmsim_swap_on() - is any swap area on?
 *
 * Context: Any context.
 */
bool vmsim_swap_on(void)
{
	return atomic_long_read(&vmsim_swap_total) > 0;
}

/*
 * ------------------------------------------------------------------------
 * Slots
 *
 */

/* Take one free slot of @a after its cursor; the caller holds a->lock. */
static long vmsim_slot_take(struct vmsim_swap_area *a)
{
	unsigned long off;

	lockdep_assert_held(&a->lock);
	if (a->nr_used + a->nr_bad + 1 >= a->nr_slots)
		return -1;
	off = find_next_zero_bit(a->map, a->nr_slots, a->next);
	if (off >= a->nr_slots)
		off = find_next_zero_bit(a->map, a->nr_slots, 1);
	if (off >= a->nr_slots)
		return -1;
	__set_bit(off, a->map);
	a->nr_used++;
	a->next = off + 1;
	return off;
}

/**
 * vmsim_swap_alloc() - take slots for pages about to be written
 * @n: how many
 * @out: the slots, filled in order
 *
 * All the slots come from one area, the highest-priority one with room,
 * and run on from where that area's last allocation stopped.  Areas of
 * equal priority take turns, a batch each.
 *
 * Context: Any context that may take a spinlock.
 * Return: how many slots were taken (fewer than @n if swap is full).
 */
unsigned int vmsim_swap_alloc(unsigned int n, vmsim_swp_t *out)
{
	struct vmsim_swap_area *a;
	unsigned int got = 0;

	spin_lock(&vmsim_swap_lock);
	list_for_each_entry(a, &vmsim_swap_avail, node) {
		spin_lock(&a->lock);
		while (got < n) {
			long off = vmsim_slot_take(a);

			if (off < 0)
				break;
			out[got++] = vmsim_swp(a->type, off);
		}
		spin_unlock(&a->lock);
		if (got) {
			/* Let the next area of the same priority go first. */
			struct vmsim_swap_area *next;

			next = list_next_entry(a, node);
			if (!list_entry_is_head(next, &vmsim_swap_avail, node) &&
			    next->prio == a->prio) {
				struct vmsim_swap_area *last = next;

				list_for_each_entry_continue(last, &vmsim_swap_avail, node)
					if (last->prio != a->prio)
						break;
				list_move_tail(&a->node, &last->node);
			}
			break;
		}
	}
	spin_unlock(&vmsim_swap_lock);
	atomic_long_sub(got, &vmsim_swap_free);
	if (got < n)
		vmsim_count(VMSIM_SWAP_FULL);
	return got;
}

/**
 * vmsim_swap_free_slot() - give a slot back
 * @swp: the slot, no longer referenced by any entry
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_swap_free_slot(vmsim_swp_t swp)
{
	struct vmsim_swap_area *a = vmsim_swp_area(swp);
	unsigned long off = vmsim_swp_offset(swp);
	bool draining;

	spin_lock(&a->lock);
	__clear_bit(off, a->map);
	a->nr_used--;
	draining = a->draining;
	/*
	 * swapoff waits for a draining area to empty, reading nr_used under
	 * a->lock, and then frees it: wake it before letting go of the lock,
	 * never touch @a after.
	 */
	if (draining && !a->nr_used)
		wake_up_all(&a->wait);
	spin_unlock(&a->lock);
	/* A draining area's free slots are not in vmsim_swap_free. */
	if (!draining)
		atomic_long_inc(&vmsim_swap_free);
}

/*
 * A write to @swp failed: never use the slot again.  It stays taken in the
 * map, and counts as bad rather than used.
 */
static void vmsim_swap_retire(vmsim_swp_t swp)
{
	struct vmsim_swap_area *a = vmsim_swp_area(swp);

	spin_lock(&a->lock);
	a->nr_used--;
	a->nr_bad++;
	spin_unlock(&a->lock);
}

/* ------------------------------------------------------------------------
 * Checksums
 *
 * CRC32C through the crypto API, as libcrc32c computes it, but with the
 * implementation chosen by timing at load, as the kernel chooses its XOR
 * and RAID6 routines: the highest-priority "crc32c" (crc32c-intel on x86)
 * is the fastest on hardware, but under emulation (QEMU TCG, where vmsim
 * is tested) its PCLMULQDQ path can be several times slower than the
 * table-driven generic code.  Both give the same checksums.
 */
static struct crypto_shash *vmsim_crc_tfm;

static noinline_for_stack u32 vmsim_crc(struct crypto_shash *tfm,
					const void *data, size_t len)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u32 *ctx = (u32 *)shash_desc_ctx(desc);
	u32 crc;

	desc->tfm = tfm;
	*ctx = ~0U;
	/* Cannot fail for crc32c: no key, any length. */
	crypto_shash_update(desc, data, len);
	crc = *ctx;
	barrier_data(ctx);
	return crc;
}

static u32 vmsim_page_crc(struct page *page)
{
	void *addr = kmap_local_page(page);
	u32 crc = vmsim_crc(vmsim_crc_tfm, addr, PAGE_SIZE);

	kunmap_local(addr);
	return crc;
}

/* Nanoseconds for @tfm to checksum @buf (a page) 16 times; the best of 3. */
static u64 vmsim_crc_time(struct crypto_shash *tfm, const void *buf)
{
	u64 best = U64_MAX;
	int round, i;

	for (round = 0; round < 3; round++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < 16; i++)
			vmsim_crc(tfm, buf, PAGE_SIZE);
		best = min(best, ktime_get_ns() - t0);
	}
	return best;
}

static int vmsim_crc_init(void)
{
	static const char * const names[] = { "crc32c", "crc32c-generic" };
	struct crypto_shash *best = NULL;
	u64 best_ns = U64_MAX;
	void *buf;
	int i;

	buf = (void *)__get_free_page(GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	get_random_bytes(buf, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct crypto_shash *tfm = crypto_alloc_shash(names[i], 0, 0);
		u64 ns;

		if (IS_ERR(tfm))
			continue;
		ns = vmsim_crc_time(tfm, buf);
		if (best && (ns >= best_ns ||
			     !strcmp(crypto_shash_driver_name(tfm),
				     crypto_shash_driver_name(best)))) {
			crypto_free_shash(tfm);
			continue;
		}
		if (best)
			crypto_free_shash(best);
		best = tfm;
		best_ns = ns;
	}
	free_page((unsigned long)buf);
	if (!best) {
		pr_err("no crc32c implementation for swap checksums\n");
		return -ENOENT;
	}
	vmsim_crc_tfm = best;
	pr_info("swap checksums: %s, %llu MB/s\n",
		crypto_shash_driver_name(best),
		div64_u64(16ULL * PAGE_SIZE * 1000, max(best_ns, 1ULL)));
	return 0;
}

/*
 * ------------------------------------------------------------------------
 * Reading
 *
 */
struct vmsim_read_bio {
	struct vmsim_read_batch *batch;
	struct vmsim_swapin *reqs;	/* the run this bio reads */
	unsigned int nr;
};

struct vmsim_read_batch {
	atomic_t pending;
	struct completion done;
};

static void vmsim_read_end_io(struct bio *bio)
{
	struct vmsim_read_bio *rb = bio->bi_private;
	int err = blk_status_to_errno(bio->bi_status);
	unsigned int i;

	if (err)
		for (i = 0; i < rb->nr; i++)
			rb->reqs[i].err = err;
	if (atomic_dec_and_test(&rb->batch->pending))
		complete(&rb->batch->done);
	bio_put(bio);
}

static int vmsim_swapin_cmp(const void *a, const void *b)
{
	const struct vmsim_swapin *x = a, *y = b;

	return x->swp < y->swp ? -1 : x->swp > y->swp;
}

/* How many requests from @r on read consecutive slots of one area. */
static unsigned int vmsim_run(const vmsim_swp_t *swp, size_t stride,
			      unsigned int nr)
{
	unsigned int n = 1;

	while (n < nr && n < BIO_MAX_VECS) {
		vmsim_swp_t prev = *(const vmsim_swp_t *)((const char *)swp +
							  (n - 1) * stride);
		vmsim_swp_t cur = *(const vmsim_swp_t *)((const char *)swp +
							 n * stride);

		if (vmsim_swp_type(cur) != vmsim_swp_type(prev) ||
		    vmsim_swp_offset(cur) != vmsim_swp_offset(prev) + 1)
			break;
		n++;
	}
	return n;
}

/**
 * vmsim_swap_read() - read pages back from swap, and check them
 * @reqs: the pages to read (->page, ->swp set; ->err is filled in)
 * @nr: how many, at most VMSIM_MAX_READAHEAD
 *
 * Sorts the requests by slot, reads each run of consecutive slots with one
 * bio, under a plug, and waits.  A page whose read failed gets -EIO; one
 * whose contents do not match the checksum written with it, -EBADMSG.
 *
 * Context: Process context; sleeps.
 */
void vmsim_swap_read(struct vmsim_swapin *reqs, unsigned int nr)
{
	struct vmsim_read_bio rbs[VMSIM_MAX_READAHEAD];
	struct vmsim_read_batch batch;
	struct blk_plug plug;
	unsigned int i, n, nbios = 0;

	sort(reqs, nr, sizeof(*reqs), vmsim_swapin_cmp, NULL);
	atomic_set(&batch.pending, 1);
	init_completion(&batch.done);

	blk_start_plug(&plug);
	for (i = 0; i < nr; i += n) {
		struct vmsim_swap_area *a = vmsim_swp_area(reqs[i].swp);
		struct vmsim_read_bio *rb = &rbs[nbios++];
		struct bio *bio;
		unsigned int j;

		n = vmsim_run(&reqs[i].swp, sizeof(*reqs), nr - i);
		/* GFP_NOIO: from a fault, perhaps under memory pressure. */
		bio = bio_alloc(a->bdev.bdev, n, REQ_OP_READ | REQ_SWAP,
				GFP_NOIO);
		bio->bi_iter.bi_sector = (sector_t)vmsim_swp_offset(reqs[i].swp) <<
					 (PAGE_SHIFT - SECTOR_SHIFT);
		for (j = 0; j < n; j++) {
			reqs[i + j].err = 0;
			__bio_add_page(bio, reqs[i + j].page, PAGE_SIZE, 0);
		}
		rb->batch = &batch;
		rb->reqs = &reqs[i];
		rb->nr = n;
		bio->bi_private = rb;
		bio->bi_end_io = vmsim_read_end_io;
		atomic_inc(&batch.pending);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&batch.pending))
		wait_for_completion_io(&batch.done);

	for (i = 0; i < nr; i++) {
		struct vmsim_swap_area *a = vmsim_swp_area(reqs[i].swp);

		if (reqs[i].err) {
			vmsim_count(VMSIM_SWAP_READ_ERRORS);
			continue;
		}
		if (vmsim_page_crc(reqs[i].page) !=
		    a->crc[vmsim_swp_offset(reqs[i].swp)]) {
			reqs[i].err = -EBADMSG;
			vmsim_count(VMSIM_SWAP_CRC_ERRORS);
			continue;
		}
		vmsim_count(VMSIM_PSWPIN);
	}
}

/*
 * ------------------------------------------------------------------------
 * Writing
 *
 */

/**
 * struct vmsim_write_io - the pages of one write bio, until it completes
 * @node: on vmsim_write_done
 * @err: the bio's status
 * @direct: written by a faulting task (for the counters)
 * @nr: pages
 * @iso: the pages, isolated by reclaim, in slot order
 */
struct vmsim_write_io {
	struct llist_node node;
	int err;
	bool direct;
	unsigned int nr;
	struct vmsim_isolated iso[];
};

static LLIST_HEAD(vmsim_write_done);
static void vmsim_write_work_fn(struct work_struct *work);
static DECLARE_WORK(vmsim_write_work, vmsim_write_work_fn);

/* Pages handed to the block layer and not yet finished. */
atomic_long_t vmsim_writes_in_flight = ATOMIC_LONG_INIT(0);
DECLARE_WAIT_QUEUE_HEAD(vmsim_writeback_wait);

static void vmsim_write_end_io(struct bio *bio)
{
	struct vmsim_write_io *io = bio->bi_private;

	io->err = blk_status_to_errno(bio->bi_status);
	bio_put(bio);
	/* Finished in process context: entry locks sleep. */
	llist_add(&io->node, &vmsim_write_done);
	queue_work(vmsim_io_wq, &vmsim_write_work);
}

static void vmsim_write_work_fn(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&vmsim_write_done));
	struct vmsim_write_io *io, *next;

	llist_for_each_entry_safe(io, next, list, node) {
		struct vmsim_swap_area *a = vmsim_swp_area(io->iso[0].swp);
		unsigned int i;

		for (i = 0; i < io->nr; i++) {
			if (io->err)
				vmsim_swap_retire(io->iso[i].swp);
			else
				vmsim_count(VMSIM_PSWPOUT);
			vmsim_writeback_done(&io->iso[i], io->err, io->direct);
		}
		if (io->err) {
			vmsim_count_add(VMSIM_SWAP_WRITE_ERRORS, io->nr);
			pr_warn_ratelimited("write error %d on swap area %s: %u pages stay in memory, their slots are retired\n",
					    io->err, a->path, io->nr);
		}
		atomic_long_sub(io->nr, &vmsim_writes_in_flight);
		if (atomic_sub_and_test(io->nr, &a->inflight))
			wake_up_all(&a->wait);
		kfree(io);
	}
	wake_up_all(&vmsim_writeback_wait);
}

/**
 * vmsim_swap_write() - start writing pages to the slots they were given
 * @iso: the pages, isolated by reclaim, each with ->swp set; in any order
 * @nr: how many
 * @direct: a faulting task is writing (for the counters)
 *
 * The pages are sorted by slot and written a run of consecutive slots per
 * bio, under a plug.  When a bio completes, vmsim_writeback_done() is
 * called for each of its pages in process context.  The caller has
 * checksummed each page and marked its entry WRITEBACK.
 *
 * Context: Process context.
 * Return: how many pages went out; the rest (the tail of @iso, after
 * sorting) could not, for want of memory for the bookkeeping.
 */
unsigned int vmsim_swap_write(struct vmsim_isolated *iso, unsigned int nr,
			      bool direct)
{
	struct blk_plug plug;
	unsigned int i, n;

	sort(iso, nr, sizeof(*iso), vmsim_isolated_cmp, NULL);
	blk_start_plug(&plug);
	for (i = 0; i < nr; i += n) {
		struct vmsim_swap_area *a = vmsim_swp_area(iso[i].swp);
		struct vmsim_write_io *io;
		struct bio *bio;
		unsigned int j;

		n = vmsim_run(&iso[i].swp, sizeof(*iso), nr - i);
		/* GFP_NOIO: reclaim must not recurse into I/O. */
		io = kmalloc(struct_size(io, iso, n), GFP_NOIO | __GFP_NOWARN);
		if (!io)
			break;
		io->direct = direct;
		io->nr = n;
		memcpy(io->iso, &iso[i], n * sizeof(*iso));

		bio = bio_alloc(a->bdev.bdev, n, REQ_OP_WRITE | REQ_SWAP,
				GFP_NOIO);
		bio->bi_iter.bi_sector = (sector_t)vmsim_swp_offset(iso[i].swp) <<
					 (PAGE_SHIFT - SECTOR_SHIFT);
		for (j = 0; j < n; j++) {
			struct vmsim_isolated *w = &iso[i + j];

			__bio_add_page(bio, w->page, PAGE_SIZE, 0);
			trace_vmsim_swap_out(w->obj->id, w->index,
					     vmsim_swp_type(w->swp),
					     vmsim_swp_offset(w->swp), 0);
		}
		bio->bi_private = io;
		bio->bi_end_io = vmsim_write_end_io;
		atomic_add(n, &a->inflight);
		atomic_long_add(n, &vmsim_writes_in_flight);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	return i;
}

/**
 * vmsim_swap_set_crc() - record the checksum of a page about to be written
 * @swp: its slot
 * @page: the page, unmapped everywhere (its contents are stable)
 *
 * Context: Any context.
 */
void vmsim_swap_set_crc(vmsim_swp_t swp, struct page *page)
{
	vmsim_swp_area(swp)->crc[vmsim_swp_offset(swp)] = vmsim_page_crc(page);
}

/*
 * ------------------------------------------------------------------------
 * swapon and swapoff
 *
 */

/* Read the first page of the device into @page, synchronously. */
static int vmsim_read_header(struct block_device *bdev, struct page *page)
{
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_READ | REQ_SYNC,
				    GFP_KERNEL);
	int err;

	bio->bi_iter.bi_sector = 0;
	__bio_add_page(bio, page, PAGE_SIZE, 0);
	err = submit_bio_wait(bio);
	bio_put(bio);
	return err;
}

static int vmsim_check_header(const char *path, struct block_device *bdev,
			      unsigned long *nr_pages)
{
	struct vmsim_swap_header *h;
	unsigned long dev_pages = bdev_nr_bytes(bdev) >> PAGE_SHIFT;
	struct page *page;
	int err;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	err = vmsim_read_header(bdev, page);
	if (err) {
		pr_warn("swapon %s: cannot read its header: error %d\n", path,
			err);
		goto out;
	}
	h = page_address(page);
	err = -EINVAL;
	if (memcmp(h->magic, VMSIM_SWAP_MAGIC, sizeof(VMSIM_SWAP_MAGIC))) {
		pr_warn("swapon %s: not a vmsim swap area (make one with: vmsimctl mkswap %s)\n",
			path, path);
	} else if (le32_to_cpu(h->version) != VMSIM_SWAP_VERSION) {
		pr_warn("swapon %s: swap header version %u, this vmsim reads %u\n",
			path, le32_to_cpu(h->version), VMSIM_SWAP_VERSION);
	} else if (le32_to_cpu(h->page_size) != PAGE_SIZE) {
		pr_warn("swapon %s: made for %u-byte pages, not %lu\n", path,
			le32_to_cpu(h->page_size), PAGE_SIZE);
	} else if (le64_to_cpu(h->nr_pages) < 2 ||
		   le64_to_cpu(h->nr_pages) > dev_pages) {
		pr_warn("swapon %s: header says %llu pages, the device has %lu\n",
			path, le64_to_cpu(h->nr_pages), dev_pages);
	} else {
		*nr_pages = min_t(u64, le64_to_cpu(h->nr_pages),
				  1UL << VMSIM_SWP_OFFSET_BITS);
		err = 0;
	}
out:
	__free_page(page);
	return err;
}

/* Put @a on the list of areas taking slots, by priority; under the lock. */
static void vmsim_swap_add_avail(struct vmsim_swap_area *a)
{
	struct vmsim_swap_area *pos;

	lockdep_assert_held(&vmsim_swap_lock);
	list_for_each_entry(pos, &vmsim_swap_avail, node)
		if (pos->prio < a->prio)
			break;
	list_add_tail(&a->node, &pos->node);
}

/**
 * vmsim_swapon() - turn a swap area on
 * @path: the block device
 * @prio: its priority, if @prefer
 * @prefer: use @prio (else -1, -2, ... in the order areas come on)
 *
 * Refuses (and writes nothing to) anything that is not a block device, a
 * device that is mounted or claimed by someone else, and a device without
 * a valid vmsim swap header.
 *
 * Context: Process context; sleeps.  Takes vmsim_swap_mutex.
 * Return: 0 or a negative errno, with a message in the kernel log.
 */
int vmsim_swapon(const char *path, int prio, bool prefer)
{
	struct vmsim_swap_area *a;
	unsigned long nr_pages;
	int type, err;

	mutex_lock(&vmsim_swap_mutex);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++)
		if (!vmsim_swap_info[type])
			break;
	if (type == VMSIM_SWAP_TYPES) {
		pr_warn("swapon %s: already %d swap areas on\n", path,
			VMSIM_SWAP_TYPES);
		err = -EPERM;
		goto out_unlock;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a) {
		err = -ENOMEM;
		goto out_unlock;
	}
	a->path = kstrdup(path, GFP_KERNEL);
	if (!a->path) {
		err = -ENOMEM;
		goto out_free_area;
	}
	err = vmsim_bdev_open(&a->bdev, path, a);
	if (err) {
		if (err == -ENOTBLK)
			pr_warn("swapon %s: not a block device\n", path);
		else if (err == -EBUSY)
			pr_warn("swapon %s: busy: mounted, or claimed by something else\n",
				path);
		else
			pr_warn("swapon %s: cannot open it: error %d\n", path,
				err);
		goto out_free_path;
	}
	err = vmsim_check_header(path, a->bdev.bdev, &nr_pages);
	if (err)
		goto out_close;

	a->nr_slots = nr_pages;
	a->map = vzalloc(BITS_TO_LONGS(nr_pages) * sizeof(long));
	a->crc = vzalloc(nr_pages * sizeof(u32));
	if (!a->map || !a->crc) {
		err = -ENOMEM;
		goto out_free_maps;
	}
	__set_bit(0, a->map);		/* the header */
	a->next = 1;
	a->type = type;
	a->prio = prefer ? prio : --vmsim_swap_least_prio;
	spin_lock_init(&a->lock);
	init_waitqueue_head(&a->wait);
	atomic_set(&a->inflight, 0);

	WRITE_ONCE(vmsim_swap_info[type], a);
	spin_lock(&vmsim_swap_lock);
	vmsim_swap_add_avail(a);
	spin_unlock(&vmsim_swap_lock);
	atomic_long_add(nr_pages - 1, &vmsim_swap_total);
	atomic_long_add(nr_pages - 1, &vmsim_swap_free);
	mutex_unlock(&vmsim_swap_mutex);

	pr_info("swapon %s: %lu pages, priority %d\n", path, nr_pages - 1,
		a->prio);
	/* Pages parked for want of swap can go now. */
	vmsim_lru_rescue_unevictable();
	vmsim_reclaim_kick();
	return 0;

out_free_maps:
	vfree(a->crc);
	vfree(a->map);
out_close:
	vmsim_bdev_close(&a->bdev);
out_free_path:
	kfree(a->path);
out_free_area:
	kfree(a);
out_unlock:
	mutex_unlock(&vmsim_swap_mutex);
	return err;
}

/* Bring every page of object @obj that is on the area back into memory. */
static int vmsim_swapoff_object(struct vmsim_object *obj, void *data)
{
	return vmsim_shadow_walk(obj, 0, ULONG_MAX, vmsim_swapoff_entry, data);
}

static void vmsim_swap_close(struct vmsim_swap_area *a)
{
	vmsim_bdev_close(&a->bdev);
	vfree(a->crc);
	vfree(a->map);
	kfree(a->path);
	kfree(a);
}

static unsigned long vmsim_swap_used(struct vmsim_swap_area *a)
{
	unsigned long used;

	spin_lock(&a->lock);
	used = a->nr_used;
	spin_unlock(&a->lock);
	return used;
}

/* Slots of @a that are neither used nor retired. */
static unsigned long vmsim_swap_area_free(struct vmsim_swap_area *a)
{
	unsigned long nr_free;

	spin_lock(&a->lock);
	nr_free = a->nr_slots - 1 - a->nr_used - a->nr_bad;
	spin_unlock(&a->lock);
	return nr_free;
}

/*
 * Start (@on) or stop draining @a: it leaves (or rejoins) the areas that
 * give out slots, and its free slots leave (or rejoin) vmsim_swap_free.
 * The flag and the count change together under a->lock, which is also what
 * vmsim_swap_free_slot() reads the flag under.
 */
static void vmsim_swap_set_draining(struct vmsim_swap_area *a, bool on)
{
	long nr_free;

	spin_lock(&vmsim_swap_lock);
	if (on)
		list_del(&a->node);
	else
		vmsim_swap_add_avail(a);
	spin_lock(&a->lock);
	a->draining = on;
	nr_free = a->nr_slots - 1 - a->nr_used - a->nr_bad;
	spin_unlock(&a->lock);
	spin_unlock(&vmsim_swap_lock);
	atomic_long_add(on ? -nr_free : nr_free, &vmsim_swap_free);
}

/*
 * @a, gone, had an automatic priority: move the automatic priorities below
 * it up by one, as Linux does, so that they stay -1, -2, ... with no gaps.
 * Their order does not change, nor does the order of the avail list.
 */
static void vmsim_swap_renumber(struct vmsim_swap_area *a)
{
	int type;

	lockdep_assert_held(&vmsim_swap_mutex);
	if (a->prio >= 0)
		return;
	spin_lock(&vmsim_swap_lock);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++) {
		struct vmsim_swap_area *t = vmsim_swap_info[type];

		if (t && t->prio < a->prio)
			t->prio++;
	}
	spin_unlock(&vmsim_swap_lock);
	vmsim_swap_least_prio++;
}

/**
 * vmsim_swapoff() - turn a swap area off
 * @path: the block device
 *
 * Brings every page stored on the area back into the pool (reclaim may push
 * other pages out to other areas meanwhile).  Fails with -ENOMEM, changing
 * nothing, when the pages would not fit; with -EINTR if a fatal signal
 * arrives, and with -EIO if some page cannot be read back correctly (it
 * keeps its slot, so that touching it gives SIGBUS): both leave the area
 * on, and the pages already back stay in memory.  -EBUSY if another
 * swapoff of the area is under way.
 *
 * As in Linux, the mutex is not held while the pages come back: the area
 * is marked draining (no new slots, no second swapoff) and stays listed in
 * /proc/vmsim_swaps, its use going down, until it is gone.
 *
 * Context: Process context; sleeps.  Takes vmsim_swap_mutex.
 * Return: 0 or a negative errno, with a message in the kernel log.
 */
int vmsim_swapoff(const char *path)
{
	struct vmsim_swap_area *a = NULL;
	unsigned long need, room, other_free;
	struct vmsim_swapoff so = { 0 };
	int type, err;
	dev_t dev;

	err = lookup_bdev(path, &dev);
	if (err) {
		pr_warn("swapoff %s: no such block device\n", path);
		return err;
	}
	mutex_lock(&vmsim_swap_mutex);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++) {
		struct vmsim_swap_area *t = vmsim_swap_info[type];

		if (t && t->bdev.bdev->bd_dev == dev)
			a = t;
	}
	if (!a) {
		pr_warn("swapoff %s: not a vmsim swap area that is on\n", path);
		err = -EINVAL;
		goto out_unlock;
	}
	if (a->draining) {
		pr_warn("swapoff %s: already being turned off\n", path);
		err = -EBUSY;
		goto out_unlock;
	}

	/* Will its pages fit: in free frames, or in the other areas? */
	need = vmsim_swap_used(a);
	other_free = atomic_long_read(&vmsim_swap_free) -
		     vmsim_swap_area_free(a);
	room = vmsim_nr_free() + other_free;
	room = room > READ_ONCE(vmsim_wmark.high) ?
	       room - READ_ONCE(vmsim_wmark.high) : 0;
	if (need > room) {
		pr_warn("swapoff %s: %lu pages are out there and only %lu would fit\n",
			path, need, room);
		err = -ENOMEM;
		goto out_unlock;
	}

	/* No new slots here; its free ones no longer count. */
	vmsim_swap_set_draining(a, true);
	mutex_unlock(&vmsim_swap_mutex);

	/* Wait for the writes already under way, then bring everything back. */
	wait_event(a->wait, !atomic_read(&a->inflight));
	so.type = a->type;
	err = vmsim_walk_objects(vmsim_swapoff_object, &so);
	if (!err && so.bad) {
		pr_warn("swapoff %s: %lu pages could not be read back correctly\n",
			path, so.bad);
		err = -EIO;
	}
	/*
	 * The walk skips objects being torn down; they free their slots
	 * themselves, and must be done before the area goes.
	 */
	if (!err && wait_event_killable(a->wait, !vmsim_swap_used(a)))
		err = -EINTR;

	mutex_lock(&vmsim_swap_mutex);
	if (err) {
		/* Leave the area on; what came back stays in memory. */
		vmsim_swap_set_draining(a, false);
		pr_warn("swapoff %s: stopped (error %d); the area stays on\n",
			path, err);
		goto out_unlock;
	}
	WRITE_ONCE(vmsim_swap_info[a->type], NULL);
	atomic_long_sub(a->nr_slots - 1, &vmsim_swap_total);
	vmsim_swap_renumber(a);
	/*
	 * The write completion work may still be waking a->wait after the
	 * last write to the area finished: let it finish with @a first.
	 */
	flush_workqueue(vmsim_io_wq);
	pr_info("swapoff %s: done\n", path);
	vmsim_swap_close(a);
out_unlock:
	mutex_unlock(&vmsim_swap_mutex);
	return err;
}

/*
 * ------------------------------------------------------------------------
 * /proc/vmsim_swaps, in /proc/swaps format
 *
 */
/**
 * vmsim_swaps_show() - /proc/vmsim_swaps, byte for byte as /proc/swaps
 * @m: the seq_file
 * @v: unused
 *
 * Context: Process context.  Takes vmsim_swap_mutex.
 * Return: 0.
 */
int vmsim_swaps_show(struct seq_file *m, void *v)
{
	int type;

	seq_puts(m, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	mutex_lock(&vmsim_swap_mutex);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++) {
		struct vmsim_swap_area *a = vmsim_swap_info[type];
		unsigned long kb, used_kb;
		size_t start = m->count;
		int len;

		if (!a)
			continue;
		spin_lock(&a->lock);
		used_kb = (a->nr_used + a->nr_bad) << (PAGE_SHIFT - 10);
		spin_unlock(&a->lock);
		kb = (a->nr_slots - 1) << (PAGE_SHIFT - 10);
		/* As seq_file_path() escapes the path in swap_show(). */
		seq_escape(m, a->path, " \t\n\\");
		len = m->count - start;
		seq_printf(m, "%*s%s\t%lu\t%s%lu\t%s%d\n",
			   len < 40 ? 40 - len : 1, " ", "partition",
			   kb, kb < 10000000 ? "\t" : "",
			   used_kb, used_kb < 10000000 ? "\t" : "", a->prio);
	}
	mutex_unlock(&vmsim_swap_mutex);
	return 0;
}

int vmsim_swap_init(void)
{
	int err;

	err = vmsim_crc_init();
	if (err)
		return err;
	/* WQ_MEM_RECLAIM: finishing writes is how reclaim makes progress. */
	vmsim_io_wq = alloc_workqueue("vmsim_io", WQ_MEM_RECLAIM | WQ_UNBOUND,
				      0);
	if (!vmsim_io_wq) {
		err = -ENOMEM;
		goto out_free_crc;
	}
	if (vmsim_swapdev && *vmsim_swapdev) {
		err = vmsim_swapon(vmsim_swapdev, 0, false);
		if (err)
			goto out_destroy_wq;
	}
	return 0;

out_destroy_wq:
	destroy_workqueue(vmsim_io_wq);
out_free_crc:
	crypto_free_shash(vmsim_crc_tfm);
	return err;
}

/* At unload no object exists, so no slot is in use: closing is all. */
void vmsim_swap_exit(void)
{
	int type;

	flush_workqueue(vmsim_io_wq);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++) {
		struct vmsim_swap_area *a = vmsim_swap_info[type];

		if (!a)
			continue;
		WRITE_ONCE(vmsim_swap_info[type], NULL);
		list_del(&a->node);
		pr_info("swapoff %s: at unload\n", a->path);
		vmsim_swap_close(a);
	}
	atomic_long_set(&vmsim_swap_total, 0);
	atomic_long_set(&vmsim_swap_free, 0);
	destroy_workqueue(vmsim_io_wq);
	crypto_free_shash(vmsim_crc_tfm);
}
