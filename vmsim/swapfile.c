// SPDX-License-Identifier: GPL-2.0
/*
 * Swap areas: turning them on and off, and their slots.
 *
 * A swap area is a whole block device, opened exclusively, whose first page
 * is a struct vmsim_swap_header (vmsimctl mkswap writes it).  Its other
 * pages are slots.  Up to VMSIM_SWAP_TYPES areas are on at once; the area
 * number (type) and the slot number form a swap entry (vmsim_swp_t).
 *
 * Slots are taken from the highest-priority area that has free ones, from
 * a cursor that moves on through the area, so that pages evicted together
 * land next to each other and go out in multi-page bios.  Areas of equal
 * priority take turns a cluster of VMSIM_SWAP_CLUSTER slots at a time (as
 * Linux's per-CPU swap clusters do), never a slot at a time, which would
 * split every batch into one-page bios.
 *
 * A slot whose write failed is given back, and retired for good only if
 * its next write fails too: a device that fails for a moment (a path
 * lost, a cable pulled) loses no swap space, one with a bad sector stops
 * being asked to write there.  An area whose writes fail is passed over
 * for a while, longer each time it fails again, so that the next area
 * (a local disk behind far memory whose server died) takes the pages; it
 * is used anyway when no other area has room.
 *
 * This layer knows devices and slots; which page is in which slot is the
 * shadow entries' business (entry.c), and the I/O is swap_io.c's.
 */
#include <linux/blkdev.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "stat.h"
#include "swap.h"

/*
 * Areas by type; set and cleared under vmsim_swap_mutex, read locklessly
 * by paths that hold a slot of the area.
 */
struct vmsim_swap_area *vmsim_swap_info[VMSIM_SWAP_TYPES];

/* Areas that take new slots, highest priority first; under vmsim_swap_lock. */
static LIST_HEAD(vmsim_swap_avail);
static DEFINE_SPINLOCK(vmsim_swap_lock);

/* Serialises swapon and swapoff. */
static DEFINE_MUTEX(vmsim_swap_mutex);
static int vmsim_swap_least_prio;

/*
 * Slots of all areas that are on, and of those, the free ones (not those
 * of an area being drained).  swapon adds to the total before the free
 * count, and swapoff takes from the free count before the total, so a
 * reader never sees more free than total for long; readers clamp anyway.
 */
static atomic_long_t vmsim_swap_total = ATOMIC_LONG_INIT(0);
static atomic_long_t vmsim_swap_free = ATOMIC_LONG_INIT(0);

/**
 * vmsim_swap_on() - is any swap area on?
 *
 * Context: Any context.
 */
bool vmsim_swap_on(void)
{
	return atomic_long_read(&vmsim_swap_total) > 0;
}

/**
 * vmsim_swap_nr() - SwapTotal and SwapFree, as one reader may show them
 * @total: out, slots in every area that is on
 * @free: out, free slots that can be given out (not those of an area
 *	being drained), never more than @total
 *
 * The total is read once and the free count clamped to it: a reader that
 * read the total twice could see an area come on between the reads and
 * show more free than total.
 *
 * Context: Any context.
 */
void vmsim_swap_nr(unsigned long *total, unsigned long *free)
{
	long t = max(atomic_long_read(&vmsim_swap_total), 0L);

	*total = t;
	*free = clamp(atomic_long_read(&vmsim_swap_free), 0L, t);
}

/**
 * vmsim_swap_nr_free() - free slots that can be given out (SwapFree)
 *
 * Context: Any context.
 */
unsigned long vmsim_swap_nr_free(void)
{
	unsigned long total, free;

	vmsim_swap_nr(&total, &free);
	return free;
}

/* Slots of @a that are neither used nor retired; the caller holds a->lock. */
static unsigned long vmsim_area_free_locked(struct vmsim_swap_area *a)
{
	lockdep_assert_held(&a->lock);
	return a->nr_slots - 1 - a->nr_used - a->nr_bad;
}

/* Take one free slot of @a after its cursor; the caller holds a->lock. */
static long vmsim_slot_take(struct vmsim_swap_area *a)
{
	unsigned long off;

	lockdep_assert_held(&a->lock);
	if (!vmsim_area_free_locked(a))
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

/* A failing area is passed over for VMSIM_SWAP_RETRY << fail_shift. */
#define VMSIM_SWAP_RETRY		(HZ / 4)
#define VMSIM_SWAP_RETRY_SHIFT_MAX	6

/* Does @a rest (its writes failed a moment ago)?  Under a->lock. */
static bool vmsim_area_resting(struct vmsim_swap_area *a)
{
	lockdep_assert_held(&a->lock);
	return a->failing && time_before(jiffies, a->retry_at);
}

/*
 * A write to @a failed: rest it.  The writes of one batch fail together;
 * only a failure after the rest is over (the retry failed too) doubles
 * the next rest.  Under a->lock.  Return whether @a had been healthy.
 */
static bool vmsim_area_write_failed(struct vmsim_swap_area *a)
{
	bool was_healthy = !a->failing;

	lockdep_assert_held(&a->lock);
	if (vmsim_area_resting(a))
		return false;
	if (a->failing && a->fail_shift < VMSIM_SWAP_RETRY_SHIFT_MAX)
		a->fail_shift++;
	a->failing = true;
	a->retry_at = jiffies + (VMSIM_SWAP_RETRY << a->fail_shift);
	return was_healthy;
}

/*
 * @a gave out slots: if it finished a cluster (or is full), let the next
 * area of the same priority go first.
 */
static void vmsim_swap_rotate(struct vmsim_swap_area *a, bool turn_over)
{
	struct vmsim_swap_area *next, *last;

	lockdep_assert_held(&vmsim_swap_lock);
	if (!turn_over)
		return;
	next = list_next_entry(a, node);
	if (list_entry_is_head(next, &vmsim_swap_avail, node) ||
	    next->prio != a->prio)
		return;
	last = next;
	list_for_each_entry_continue(last, &vmsim_swap_avail, node)
		if (last->prio != a->prio)
			break;
	list_move_tail(&a->node, &last->node);
}

/**
 * vmsim_swap_alloc() - take slots for pages about to be written
 * @n: how many
 * @out: the slots, filled in order
 *
 * All the slots come from one area, the highest-priority one with room,
 * and run on from where that area's last allocation stopped.  An area
 * resting after failed writes comes last.
 *
 * Context: Any context that may take a spinlock.
 * Return: how many slots were taken (fewer than @n if the area filled up,
 * 0 if swap is full).
 */
unsigned int vmsim_swap_alloc(unsigned int n, vmsim_swp_t *out)
{
	struct vmsim_swap_area *a;
	unsigned int got = 0;
	bool skipped = false, pass_over = true;

	spin_lock(&vmsim_swap_lock);
again:
	list_for_each_entry(a, &vmsim_swap_avail, node) {
		unsigned long first = 0, last = 0;

		spin_lock(&a->lock);
		if (pass_over && vmsim_area_resting(a)) {
			spin_unlock(&a->lock);
			skipped = true;
			continue;
		}
		while (got < n) {
			long off = vmsim_slot_take(a);

			if (off < 0)
				break;
			if (!got)
				first = off;
			last = off;
			out[got++] = vmsim_swp(a->type, off);
		}
		spin_unlock(&a->lock);
		if (got) {
			vmsim_swap_rotate(a, got < n ||
					  first / VMSIM_SWAP_CLUSTER !=
					  (last + 1) / VMSIM_SWAP_CLUSTER);
			break;
		}
	}
	/* Nothing anywhere else: a resting area is better than none. */
	if (!got && skipped && pass_over) {
		pass_over = false;
		goto again;
	}
	spin_unlock(&vmsim_swap_lock);
	if (got && skipped && pass_over)
		vmsim_count_add(VMSIM_SWAP_FAILOVER, got);
	atomic_long_sub(got, &vmsim_swap_free);
	if (got < n)
		vmsim_count(VMSIM_SWAP_FULL);
	return got;
}

/*
 * Slot @off of @a is free again (or retired): bookkeeping under a->lock.
 * swapoff waits for a draining area to empty, reading nr_used under
 * a->lock, and then frees it: wake it before letting go of the lock, and
 * never touch @a after.  Return whether the slot counts as free swap.
 */
static bool vmsim_slot_put_locked(struct vmsim_swap_area *a, unsigned long off,
				  bool retire)
{
	lockdep_assert_held(&a->lock);
	a->nr_used--;
	if (retire)
		a->nr_bad++;
	else
		__clear_bit(off, a->map);
	if (a->draining && !a->nr_used)
		wake_up_all(&a->wait);
	return !retire && !a->draining;
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
	bool counts;

	if (WARN_ON_ONCE(!a || off >= a->nr_slots))
		return;
	spin_lock(&a->lock);
	if (WARN_ON_ONCE(!test_bit(off, a->map))) {
		spin_unlock(&a->lock);
		return;
	}
	counts = vmsim_slot_put_locked(a, off, false);
	spin_unlock(&a->lock);
	if (counts)
		atomic_long_inc(&vmsim_swap_free);
}

/**
 * vmsim_swap_slot_written() - the write to a slot finished
 * @swp: the slot
 * @err: 0, or the write's error
 *
 * After a failed write the slot holds nothing: it is given back, or, if
 * its previous write failed too, retired (taken for good, counted as bad).
 * The page stays with its owner, and the area rests (vmsim_swap_alloc()
 * passes it over for a while); a write that works ends the rest.
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_swap_slot_written(vmsim_swp_t swp, int err)
{
	struct vmsim_swap_area *a = vmsim_swp_area(swp);
	unsigned long off = vmsim_swp_offset(swp);
	bool retire, counts, rests;

	spin_lock(&a->lock);
	if (!err) {
		__clear_bit(off, a->errmap);
		a->failing = false;
		a->fail_shift = 0;
		spin_unlock(&a->lock);
		return;
	}
	rests = vmsim_area_write_failed(a);
	retire = __test_and_set_bit(off, a->errmap);
	counts = vmsim_slot_put_locked(a, off, retire);
	spin_unlock(&a->lock);
	if (rests)
		pr_warn_ratelimited("swap area %s: writes fail; other areas take pages first for now\n",
				    a->path);
	if (counts)
		atomic_long_inc(&vmsim_swap_free);
	if (retire) {
		vmsim_count(VMSIM_SWAP_SLOTS_RETIRED);
		pr_warn_ratelimited("swap area %s: slot %lu failed twice in a row; retired\n",
				    a->path, off);
	}
}

/* ------------------------------------------------------------------------
 * swapon
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
		pr_warn_ratelimited("swapon %s: cannot read its header: error %d\n", path,
				    err);
		goto out;
	}
	h = page_address(page);
	err = -EINVAL;
	if (memcmp(h->magic, VMSIM_SWAP_MAGIC, sizeof(VMSIM_SWAP_MAGIC))) {
		pr_warn_ratelimited("swapon %s: not a vmsim swap area (make one with: vmsimctl mkswap %s)\n",
				    path, path);
	} else if (le32_to_cpu(h->version) != VMSIM_SWAP_VERSION) {
		pr_warn_ratelimited("swapon %s: swap header version %u, this vmsim reads %u\n",
				    path, le32_to_cpu(h->version), VMSIM_SWAP_VERSION);
	} else if (le32_to_cpu(h->page_size) != PAGE_SIZE) {
		pr_warn_ratelimited("swapon %s: made for %u-byte pages, not %lu\n", path,
				    le32_to_cpu(h->page_size), PAGE_SIZE);
	} else if (le64_to_cpu(h->nr_pages) < 2 ||
		   le64_to_cpu(h->nr_pages) > dev_pages) {
		pr_warn_ratelimited("swapon %s: header says %llu pages, the device has %lu\n",
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

static void vmsim_swap_close(struct vmsim_swap_area *a)
{
	vmsim_bdev_close(&a->bdev);
	kvfree(a->crc);
	kvfree(a->errmap);
	kvfree(a->map);
	kfree(a->path);
	kfree(a);
}

/**
 * vmsim_swap_area_add() - turn a swap area on
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
int vmsim_swap_area_add(const char *path, int prio, bool prefer)
{
	/* Up to 1 GiB of maps for the largest area: fail rather than OOM. */
	const gfp_t gfp = GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	struct vmsim_swap_area *a;
	unsigned long nr_pages;
	int type, err;

	mutex_lock(&vmsim_swap_mutex);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++)
		if (!vmsim_swap_info[type])
			break;
	if (type == VMSIM_SWAP_TYPES) {
		pr_warn_ratelimited("swapon %s: already %d swap areas on\n", path,
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
			pr_warn_ratelimited("swapon %s: not a block device\n", path);
		else if (err == -EBUSY)
			pr_warn_ratelimited("swapon %s: busy: mounted, or claimed by something else\n",
					    path);
		else
			pr_warn_ratelimited("swapon %s: cannot open it: error %d\n", path,
					    err);
		goto out_free_path;
	}
	err = vmsim_check_header(path, a->bdev.bdev, &nr_pages);
	if (err)
		goto out_close;

	a->nr_slots = nr_pages;
	a->map = kvcalloc(BITS_TO_LONGS(nr_pages), sizeof(long), gfp);
	a->errmap = kvcalloc(BITS_TO_LONGS(nr_pages), sizeof(long), gfp);
	a->crc = kvcalloc(nr_pages, sizeof(u32), gfp);
	if (!a->map || !a->errmap || !a->crc) {
		pr_warn_ratelimited("swapon %s: no memory for the maps of %lu slots\n",
				    path, nr_pages);
		err = -ENOMEM;
		goto out_close;
	}
	__set_bit(0, a->map);		/* the header */
	a->next = 1;
	a->type = type;
	a->prio = prefer ? prio : --vmsim_swap_least_prio;
	spin_lock_init(&a->lock);
	init_waitqueue_head(&a->wait);
	atomic_set(&a->inflight, 0);

	/* The total first, then the free slots, then the slots themselves. */
	atomic_long_add(nr_pages - 1, &vmsim_swap_total);
	atomic_long_add(nr_pages - 1, &vmsim_swap_free);
	WRITE_ONCE(vmsim_swap_info[type], a);
	spin_lock(&vmsim_swap_lock);
	vmsim_swap_add_avail(a);
	spin_unlock(&vmsim_swap_lock);
	mutex_unlock(&vmsim_swap_mutex);

	pr_info("swapon %s: %lu pages, priority %d\n", path, nr_pages - 1,
		a->prio);
	return 0;

out_close:
	vmsim_bdev_close(&a->bdev);
	kvfree(a->crc);
	kvfree(a->errmap);
	kvfree(a->map);
out_free_path:
	kfree(a->path);
out_free_area:
	kfree(a);
out_unlock:
	mutex_unlock(&vmsim_swap_mutex);
	return err;
}

/* ------------------------------------------------------------------------
 * swapoff: drain an area (the pages are brought back by the caller)
 */

/*
 * Start (@on) or stop draining @a: it leaves (or rejoins) the areas that
 * give out slots, and its free slots leave (or rejoin) vmsim_swap_free.
 * The flag and the count change together under a->lock, which is also what
 * the slot-freeing paths read the flag under.
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
	nr_free = vmsim_area_free_locked(a);
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
 * vmsim_swap_drain_begin() - stop an area from taking new pages
 * @path: the area's block device
 * @fits: asked whether the area's used slots (@need) fit in memory and in
 *	the free slots of the other areas (@other_free); if not, nothing
 *	changes
 *
 * The area leaves the areas that give out slots and its free slots leave
 * SwapFree; it stays listed in /proc/vmsim_swaps, its use going down, until
 * vmsim_swap_drain_end().  vmsim_swap_mutex is not held in between, as
 * Linux does not hold swapon_mutex across try_to_unuse().
 *
 * Context: Process context; takes vmsim_swap_mutex.
 * Return: the area, or an ERR_PTR(): -ENOENT (no such device), -EINVAL
 * (not an area that is on), -EBUSY (already draining), -ENOMEM (@fits said
 * no).
 */
struct vmsim_swap_area *vmsim_swap_drain_begin(const char *path,
					       vmsim_swap_fits_fn fits)
{
	struct vmsim_swap_area *a = NULL;
	unsigned long need = 0, other_free = 0;
	int type, err;
	dev_t dev;

	err = lookup_bdev(path, &dev);
	if (err) {
		pr_warn_ratelimited("swapoff %s: no such block device\n", path);
		return ERR_PTR(err);
	}
	mutex_lock(&vmsim_swap_mutex);
	for (type = 0; type < VMSIM_SWAP_TYPES; type++) {
		struct vmsim_swap_area *t = vmsim_swap_info[type];

		if (t && t->bdev.bdev->bd_dev == dev)
			a = t;
	}
	if (!a) {
		pr_warn_ratelimited("swapoff %s: not a vmsim swap area that is on\n", path);
		err = -EINVAL;
		goto out_unlock;
	}
	if (a->draining) {
		pr_warn_ratelimited("swapoff %s: already being turned off\n", path);
		err = -EBUSY;
		goto out_unlock;
	}
	/* Counted area by area under their locks: nothing can wrap. */
	for (type = 0; type < VMSIM_SWAP_TYPES; type++) {
		struct vmsim_swap_area *t = vmsim_swap_info[type];

		if (!t)
			continue;
		spin_lock(&t->lock);
		if (t == a)
			need = t->nr_used;
		else if (!t->draining)
			other_free += vmsim_area_free_locked(t);
		spin_unlock(&t->lock);
	}
	if (!fits(path, need, other_free)) {
		err = -ENOMEM;
		goto out_unlock;
	}
	vmsim_swap_set_draining(a, true);
	mutex_unlock(&vmsim_swap_mutex);
	return a;

out_unlock:
	mutex_unlock(&vmsim_swap_mutex);
	return ERR_PTR(err);
}

/**
 * vmsim_swap_drain_wait_io() - wait for the writes to a draining area
 * @a: the area, from vmsim_swap_drain_begin()
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EINTR if a fatal signal came first.
 */
int vmsim_swap_drain_wait_io(struct vmsim_swap_area *a)
{
	return wait_event_killable(a->wait, !atomic_read(&a->inflight)) ?
	       -EINTR : 0;
}

static unsigned long vmsim_swap_used(struct vmsim_swap_area *a)
{
	unsigned long used;

	spin_lock(&a->lock);
	used = a->nr_used;
	spin_unlock(&a->lock);
	return used;
}

/**
 * vmsim_swap_drain_wait_empty() - wait until no slot of the area is used
 * @a: the area, from vmsim_swap_drain_begin()
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EINTR if a fatal signal came first.
 */
int vmsim_swap_drain_wait_empty(struct vmsim_swap_area *a)
{
	return wait_event_killable(a->wait, !vmsim_swap_used(a)) ? -EINTR : 0;
}

/**
 * vmsim_swap_drain_end() - turn a drained area off, or give up draining
 * @a: the area, from vmsim_swap_drain_begin()
 * @err: 0: the area is empty, close it; otherwise it stays on and takes
 *	pages again
 *
 * Context: Process context; takes vmsim_swap_mutex.
 */
void vmsim_swap_drain_end(struct vmsim_swap_area *a, int err)
{
	mutex_lock(&vmsim_swap_mutex);
	if (err) {
		vmsim_swap_set_draining(a, false);
		pr_warn("swapoff %s: stopped (error %d); the area stays on\n",
			a->path, err);
		mutex_unlock(&vmsim_swap_mutex);
		return;
	}
	WRITE_ONCE(vmsim_swap_info[a->type], NULL);
	atomic_long_sub(a->nr_slots - 1, &vmsim_swap_total);
	vmsim_swap_renumber(a);
	/*
	 * Whoever woke a->wait last did so under a->lock and touches @a no
	 * more once it lets go: wait for that.
	 */
	spin_lock(&a->lock);
	spin_unlock(&a->lock);
	mutex_unlock(&vmsim_swap_mutex);
	pr_info("swapoff %s: done\n", a->path);
	vmsim_swap_close(a);
}

/* ------------------------------------------------------------------------
 * /proc/vmsim_swaps, in /proc/swaps format
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
		int len, prio;

		if (!a)
			continue;
		spin_lock(&a->lock);
		used_kb = (a->nr_used + a->nr_bad) << (PAGE_SHIFT - 10);
		spin_unlock(&a->lock);
		spin_lock(&vmsim_swap_lock);
		prio = a->prio;
		spin_unlock(&vmsim_swap_lock);
		kb = (a->nr_slots - 1) << (PAGE_SHIFT - 10);
		/* As seq_file_path() escapes the path in swap_show(). */
		seq_escape(m, a->path, " \t\n\\");
		len = m->count - start;
		seq_printf(m, "%*s%s\t%lu\t%s%lu\t%s%d\n",
			   len < 40 ? 40 - len : 1, " ", "partition",
			   kb, kb < 10000000 ? "\t" : "",
			   used_kb, used_kb < 10000000 ? "\t" : "", prio);
	}
	mutex_unlock(&vmsim_swap_mutex);
	return 0;
}

/**
 * vmsim_swapfile_exit() - close every area, at unload
 *
 * No object exists then, so no slot is in use and no I/O is in flight.
 *
 * Context: Process context, at module unload.
 */
void vmsim_swapfile_exit(void)
{
	int type;

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
}
