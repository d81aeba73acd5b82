// SPDX-License-Identifier: GPL-2.0
/*
 * The LRU lists of the pool's in-use frames.
 *
 * As in mm/vmscan.c, a frame that gets a page enters the inactive list;
 * reclaim promotes inactive frames that were referenced again and ages the
 * active list into the inactive one.  A third list holds the frames that
 * cannot be evicted for now (they hold data and no swap area is on), so
 * that reclaim does not scan them again and again; swapon moves them back.
 * A frame is linked through page->lru; the ACTIVE and UNEVICTABLE bits of
 * its shadow entry say which list (changed only under vmsim_lru.lock).
 *
 * Faults do not take the LRU lock for every new frame: like the kernel's
 * per-CPU folio batches, each CPU collects up to VMSIM_LRU_BATCH new frames
 * and adds them in one go.  A frame in a batch holds an extra reference,
 * so it cannot be freed and reused while the batch points at it.
 *
 * Who owns page->lru of an in-use frame: the LRU list it is on, or nobody
 * (it is in an add batch, or isolated by reclaim; then list_empty()).
 * Giving a frame up (vmsim_lru_del()) clears page->private under the LRU
 * lock, so a batch or a reclaimer that still holds the frame sees that it
 * is no longer owned, and does not put it back on a list.
 *
 * These are mechanism only: which list a page should be on is vmscan.c's
 * decision.
 */
#include <linux/mm.h>
#include <linux/percpu.h>

#include "lru.h"

#define VMSIM_LRU_BATCH		15

struct vmsim_lru vmsim_lru = {
	.lock = __SPIN_LOCK_UNLOCKED(vmsim_lru.lock),
	.list = {
		LIST_HEAD_INIT(vmsim_lru.list[VMSIM_LRU_INACTIVE]),
		LIST_HEAD_INIT(vmsim_lru.list[VMSIM_LRU_ACTIVE]),
		LIST_HEAD_INIT(vmsim_lru.list[VMSIM_LRU_UNEVICTABLE]),
	},
};

/**
 * struct vmsim_lru_pcp - a CPU's batch of frames waiting to join the LRU
 * @lock: protects the batch; taken by its CPU, and by others only to drain
 * @nr: frames in @pages
 * @pages: the frames, each holding a reference for the batch
 * @active: which list each joins
 */
struct vmsim_lru_pcp {
	spinlock_t lock;		/* see above */
	unsigned int nr;
	struct page *pages[VMSIM_LRU_BATCH];
	bool active[VMSIM_LRU_BATCH];
};

static DEFINE_PER_CPU(struct vmsim_lru_pcp, vmsim_lru_pcp);

void vmsim_lru_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmsim_lru_pcp *pcp = per_cpu_ptr(&vmsim_lru_pcp, cpu);

		spin_lock_init(&pcp->lock);
		pcp->nr = 0;
	}
}

/* The shadow entry of an owned frame; the caller holds vmsim_lru.lock. */
static u64 *vmsim_lru_sptep(struct page *page)
{
	lockdep_assert_held(&vmsim_lru.lock);
	return (u64 *)page_private(page);
}

/* Which list an entry's bits say its frame is on (or came from). */
static enum vmsim_lru_list vmsim_pte_lru(u64 e)
{
	if (e & VMSIM_PTE_UNEVICTABLE)
		return VMSIM_LRU_UNEVICTABLE;
	return e & VMSIM_PTE_ACTIVE ? VMSIM_LRU_ACTIVE : VMSIM_LRU_INACTIVE;
}

/**
 * vmsim_lru_add_locked() - put an owned, unlisted frame on a list
 * @page: the frame
 * @lru: which list
 * @tail: at the tail (reclaimed first) rather than the head
 *
 * Context: Holds vmsim_lru.lock.
 */
void vmsim_lru_add_locked(struct page *page, enum vmsim_lru_list lru,
			  bool tail)
{
	u64 *sptep = vmsim_lru_sptep(page);

	lockdep_assert_held(&vmsim_lru.lock);
	if (tail)
		list_add_tail(&page->lru, &vmsim_lru.list[lru]);
	else
		list_add(&page->lru, &vmsim_lru.list[lru]);
	WRITE_ONCE(vmsim_lru.nr[lru], vmsim_lru.nr[lru] + 1);
	vmsim_pte_update(sptep, VMSIM_PTE_ACTIVE | VMSIM_PTE_UNEVICTABLE,
			 lru == VMSIM_LRU_ACTIVE ? VMSIM_PTE_ACTIVE :
			 lru == VMSIM_LRU_UNEVICTABLE ? VMSIM_PTE_UNEVICTABLE : 0);
}

/**
 * vmsim_lru_del_locked() - take a listed frame off its list
 * @page: the frame, on a list
 *
 * The ACTIVE bit of its entry is left alone: it says where it came from.
 *
 * Context: Holds vmsim_lru.lock.
 */
void vmsim_lru_del_locked(struct page *page)
{
	enum vmsim_lru_list lru;

	lockdep_assert_held(&vmsim_lru.lock);
	lru = vmsim_pte_lru(vmsim_pte_read(vmsim_lru_sptep(page)));
	list_del_init(&page->lru);
	WRITE_ONCE(vmsim_lru.nr[lru], vmsim_lru.nr[lru] - 1);
}

static void vmsim_lru_drain_pcp(struct vmsim_lru_pcp *pcp)
{
	unsigned int i, n = pcp->nr;

	lockdep_assert_held(&pcp->lock);
	if (!n)
		return;
	spin_lock(&vmsim_lru.lock);
	for (i = 0; i < n; i++) {
		struct page *page = pcp->pages[i];

		/* Given up while it waited here: no list for it. */
		if (page_private(page))
			vmsim_lru_add_locked(page, pcp->active[i] ?
					     VMSIM_LRU_ACTIVE :
					     VMSIM_LRU_INACTIVE, false);
	}
	spin_unlock(&vmsim_lru.lock);
	/* Never the last reference: the pool holds one. */
	for (i = 0; i < n; i++)
		put_page(pcp->pages[i]);
	pcp->nr = 0;
}

/**
 * vmsim_lru_add() - a frame just got a page: queue it for an LRU list
 * @page: the frame, owned (page->private set), on no list
 * @active: join the active list (a refault within the workingset)
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_add(struct page *page, bool active)
{
	struct vmsim_lru_pcp *pcp;

	get_page(page);
	pcp = get_cpu_ptr(&vmsim_lru_pcp);
	spin_lock(&pcp->lock);
	pcp->active[pcp->nr] = active;
	pcp->pages[pcp->nr++] = page;
	if (pcp->nr == VMSIM_LRU_BATCH)
		vmsim_lru_drain_pcp(pcp);
	spin_unlock(&pcp->lock);
	put_cpu_ptr(&vmsim_lru_pcp);
}

/**
 * vmsim_lru_drain_all() - put every CPU's waiting frames on their lists
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_drain_all(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmsim_lru_pcp *pcp = per_cpu_ptr(&vmsim_lru_pcp, cpu);

		spin_lock(&pcp->lock);
		vmsim_lru_drain_pcp(pcp);
		spin_unlock(&pcp->lock);
	}
}

/**
 * vmsim_lru_del() - a frame's page is going away: disown it
 * @page: the frame
 *
 * Clears page->private and takes the frame off its list if it is on one.
 * A batch or a reclaimer holding it then leaves it alone.
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_del(struct page *page)
{
	spin_lock(&vmsim_lru.lock);
	if (!list_empty(&page->lru))
		vmsim_lru_del_locked(page);
	set_page_private(page, 0);
	spin_unlock(&vmsim_lru.lock);
}

/**
 * vmsim_lru_putback() - return a frame isolated by reclaim
 * @page: the frame, isolated with vmsim_lru_isolate()
 * @lru: which list
 * @tail: at the tail instead of the head
 *
 * Drops the isolation's reference.  A frame disowned meanwhile is not
 * listed again.  A frame parked as unevictable (data, no swap) goes to the
 * inactive list instead if swap came on since the caller looked: swapon's
 * rescue of the unevictable list takes this lock after swap is on, so
 * either it finds the frame there or this finds swap on.
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_putback(struct page *page, enum vmsim_lru_list lru, bool tail)
{
	spin_lock(&vmsim_lru.lock);
	if (lru == VMSIM_LRU_UNEVICTABLE && vmsim_swap_on())
		lru = VMSIM_LRU_INACTIVE;
	if (page_private(page))
		vmsim_lru_add_locked(page, lru, tail);
	spin_unlock(&vmsim_lru.lock);
	put_page(page);
}

/**
 * vmsim_lru_isolate() - take frames off the tail of a list for reclaim
 * @lru: which list
 * @nr: at most this many
 * @out: filled with the frames and their objects
 *
 * Each isolated frame holds a page reference and a reference on its object
 * (so neither is freed while reclaim looks at it).  Frames whose object is
 * already going away are left for its teardown.
 *
 * Context: Any context that may take a spinlock.
 * Return: how many frames were isolated.
 */
unsigned int vmsim_lru_isolate(enum vmsim_lru_list lru, unsigned int nr,
			       struct vmsim_isolated *out)
{
	struct list_head *list = &vmsim_lru.list[lru];
	unsigned int n = 0, tries = 0;

	spin_lock(&vmsim_lru.lock);
	while (n < nr && tries++ < 2 * nr && !list_empty(list)) {
		struct page *page = list_last_entry(list, struct page, lru);
		u64 *sptep = vmsim_lru_sptep(page);
		struct vmsim_object *obj;
		pgoff_t index;

		obj = vmsim_entry_object(sptep, &index);
		if (!vmsim_object_tryget(obj)) {
			list_move(&page->lru, list);
			continue;
		}
		vmsim_lru_del_locked(page);
		get_page(page);
		out[n].page = page;
		out[n].obj = obj;
		out[n].index = index;
		out[n].sptep = sptep;
		n++;
	}
	spin_unlock(&vmsim_lru.lock);
	return n;
}

/**
 * vmsim_lru_isolate_one() - take one listed frame off its list
 * @page: the frame
 * @sptep: the entry the caller found it through
 *
 * Context: Any context that may take a spinlock.
 * Return: true if the frame was on a list and still @sptep's: it is now
 * isolated and holds a page reference for the caller.
 */
bool vmsim_lru_isolate_one(struct page *page, u64 *sptep)
{
	bool ok;

	spin_lock(&vmsim_lru.lock);
	ok = !list_empty(&page->lru) &&
	     page_private(page) == (unsigned long)sptep;
	if (ok) {
		vmsim_lru_del_locked(page);
		get_page(page);
	}
	spin_unlock(&vmsim_lru.lock);
	return ok;
}

/**
 * vmsim_lru_move() - move a listed frame from one list to another
 * @page: the frame
 * @sptep: the entry the caller found it through
 * @from: only if it is on this list (NR_VMSIM_LRU_LISTS: any list)
 * @to: the list it goes to
 * @tail: to its tail (reclaimed first) rather than its head
 *
 * Context: Any context that may take a spinlock.
 * Return: true if it moved.
 */
bool vmsim_lru_move(struct page *page, u64 *sptep, enum vmsim_lru_list from,
		    enum vmsim_lru_list to, bool tail)
{
	bool ok;

	spin_lock(&vmsim_lru.lock);
	ok = !list_empty(&page->lru) &&
	     page_private(page) == (unsigned long)sptep &&
	     (from == NR_VMSIM_LRU_LISTS ||
	      vmsim_pte_lru(vmsim_pte_read(sptep)) == from);
	if (ok) {
		vmsim_lru_del_locked(page);
		vmsim_lru_add_locked(page, to, tail);
	}
	spin_unlock(&vmsim_lru.lock);
	return ok;
}

/* Frames moved per round of the lock when the unevictable list is rescued. */
#define VMSIM_RESCUE_BATCH	256

/**
 * vmsim_lru_rescue_unevictable() - make every parked frame evictable again
 *
 * Called when a swap area comes on (after it is on): pages holding data
 * can go now.  They join the inactive list.  The list is taken off whole,
 * then moved a batch per round of the lock, so that a large pool does not
 * hold the lock (and preemption off) for long.
 *
 * Context: Process context; may sleep between batches.
 */
void vmsim_lru_rescue_unevictable(void)
{
	LIST_HEAD(parked);
	unsigned int n;

	spin_lock(&vmsim_lru.lock);
	/*
	 * Still counted as unevictable, and still "on a list" for
	 * vmsim_lru_del(), which may take frames off @parked meanwhile: it
	 * is only ever touched under the lock.
	 */
	list_splice_init(&vmsim_lru.list[VMSIM_LRU_UNEVICTABLE], &parked);
	while (!list_empty(&parked)) {
		for (n = 0; n < VMSIM_RESCUE_BATCH && !list_empty(&parked); n++) {
			struct page *page = list_first_entry(&parked,
							     struct page, lru);

			vmsim_lru_del_locked(page);
			vmsim_lru_add_locked(page, VMSIM_LRU_INACTIVE, false);
		}
		spin_unlock(&vmsim_lru.lock);
		cond_resched();
		spin_lock(&vmsim_lru.lock);
	}
	spin_unlock(&vmsim_lru.lock);
}
