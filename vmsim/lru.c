// SPDX-License-Identifier: GPL-2.0
/*
 * The LRU lists of the pool's in-use frames.
 *
 * Every frame that holds a page is on one of four lists: three the policy
 * that is on gives a meaning (lru2's inactive and active lists, clock's
 * ring, faclock's window and main clock...) and one for the frames that
 * cannot be evicted for now (they hold data and no swap area is on), so
 * that reclaim does not scan them again and again; swapon moves them back.
 * A frame is linked through page->lru; the LRU bits of its shadow entry
 * say which list (changed only under vmsim_lru.lock), and its ACTIVE bit
 * whether that list counts as active.
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
 */
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "lru.h"

#define VMSIM_LRU_BATCH		15

struct vmsim_lru vmsim_lru = {
	.lock = __SPIN_LOCK_UNLOCKED(vmsim_lru.lock),
	.list = {
		LIST_HEAD_INIT(vmsim_lru.list[0]),
		LIST_HEAD_INIT(vmsim_lru.list[1]),
		LIST_HEAD_INIT(vmsim_lru.list[2]),
		LIST_HEAD_INIT(vmsim_lru.list[3]),
	},
};

/* Places a frame queued under an older policy (set at init). */
static vmsim_lru_place_fn vmsim_lru_replace;

/**
 * struct vmsim_lru_pcp - a CPU's batch of frames waiting to join the LRU
 * @lock: protects the batch; taken by its CPU, and by others only to drain
 * @nr: frames in @pages
 * @pages: the frames, each holding a reference for the batch
 * @lru: which list each joins
 * @gen: vmsim_lru.gen when that was decided
 */
struct vmsim_lru_pcp {
	spinlock_t lock;		/* see above */
	unsigned int nr;
	struct page *pages[VMSIM_LRU_BATCH];
	u8 lru[VMSIM_LRU_BATCH];
	unsigned int gen[VMSIM_LRU_BATCH];
};

static DEFINE_PER_CPU(struct vmsim_lru_pcp, vmsim_lru_pcp);

/**
 * vmsim_lru_init() - set up the per-CPU batches
 * @replace: places a frame whose list was chosen under an older policy
 *
 * Context: Process context, at load.
 */
void vmsim_lru_init(vmsim_lru_place_fn replace)
{
	int cpu;

	vmsim_lru_replace = replace;
	for_each_possible_cpu(cpu) {
		struct vmsim_lru_pcp *pcp = per_cpu_ptr(&vmsim_lru_pcp, cpu);

		spin_lock_init(&pcp->lock);
		pcp->nr = 0;
	}
}

/**
 * vmsim_lru_gen() - the generation a placement is decided under
 *
 * Read before the policy is: a policy switch changes the policy, then the
 * generation.
 *
 * Context: Any context.
 */
unsigned int vmsim_lru_gen(void)
{
	unsigned int gen = READ_ONCE(vmsim_lru.gen);

	smp_rmb();		/* pairs with smp_wmb() in vmsim_lru_switch() */
	return gen;
}

/* The shadow entry of an owned frame; the caller holds vmsim_lru.lock. */
static u64 *vmsim_lru_sptep(struct page *page)
{
	lockdep_assert_held(&vmsim_lru.lock);
	return (u64 *)page_private(page);
}

/* Put an owned, unlisted frame on a list; the caller holds the lock. */
static void vmsim_lru_add_locked(struct page *page, unsigned int lru,
				 bool tail)
{
	u64 *sptep = vmsim_lru_sptep(page);
	bool active = lru < VMSIM_POLICY_LISTS &&
		      (vmsim_lru.active_mask & BIT(lru));

	if (tail)
		list_add_tail(&page->lru, &vmsim_lru.list[lru]);
	else
		list_add(&page->lru, &vmsim_lru.list[lru]);
	WRITE_ONCE(vmsim_lru.nr[lru], vmsim_lru.nr[lru] + 1);
	vmsim_pte_update(sptep, VMSIM_PTE_LRU_MASK | VMSIM_PTE_ACTIVE,
			 ((u64)lru << VMSIM_PTE_LRU_SHIFT) |
			 (active ? VMSIM_PTE_ACTIVE : 0));
}

/*
 * Take a listed frame off its list; the caller holds the lock.  The LRU
 * and ACTIVE bits of its entry are left alone: they say where it came
 * from.
 */
static void vmsim_lru_del_locked(struct page *page)
{
	unsigned int lru = vmsim_pte_lru(vmsim_pte_read(vmsim_lru_sptep(page)));

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
		unsigned int lru = pcp->lru[i];
		bool tail = false;

		/* Given up while it waited here: no list for it. */
		if (!page_private(page))
			continue;
		if (pcp->gen[i] != vmsim_lru.gen)
			lru = vmsim_lru_replace(page, vmsim_lru_sptep(page),
						&tail);
		vmsim_lru_add_locked(page, lru, tail);
	}
	spin_unlock(&vmsim_lru.lock);
	/* Never the last reference: the pool holds one. */
	for (i = 0; i < n; i++)
		put_page(pcp->pages[i]);
	pcp->nr = 0;
}

/**
 * vmsim_lru_add() - a frame just got a page: queue it for a list
 * @page: the frame, owned (page->private set), on no list
 * @lru: the list, as the policy chose it
 * @gen: vmsim_lru_gen() before the policy chose it
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_add(struct page *page, unsigned int lru, unsigned int gen)
{
	struct vmsim_lru_pcp *pcp;

	get_page(page);
	pcp = get_cpu_ptr(&vmsim_lru_pcp);
	spin_lock(&pcp->lock);
	pcp->lru[pcp->nr] = lru;
	pcp->gen[pcp->nr] = gen;
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
 * vmsim_lru_putback() - return an isolated frame to a list
 * @page: the frame, isolated with vmsim_lru_isolate() or
 *	vmsim_lru_isolate_page()
 * @lru: which list
 * @tail: at the tail instead of the head
 *
 * Drops the isolation's reference.  A frame disowned meanwhile is not
 * listed again.  A frame parked as unevictable (data, no swap) goes to
 * list 0 instead if swap came on since the caller looked: swapon's rescue
 * of the unevictable list takes this lock after swap is on, so either it
 * finds the frame there or this finds swap on.
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_putback(struct page *page, unsigned int lru, bool tail)
{
	spin_lock(&vmsim_lru.lock);
	if (page_private(page)) {
		if (lru == VMSIM_LRU_UNEVICTABLE && vmsim_swap_on())
			lru = vmsim_lru_replace(page, vmsim_lru_sptep(page),
						&tail);
		vmsim_lru_add_locked(page, lru, tail);
	}
	spin_unlock(&vmsim_lru.lock);
	put_page(page);
}

/**
 * vmsim_lru_putback_gen() - vmsim_lru_putback(), for a list chosen unlocked
 * @page: the frame, isolated
 * @lru: the list, as the policy chose it
 * @gen: vmsim_lru_gen() before the policy chose it
 *
 * For a caller that does not hold the policy semaphore: if the policy
 * changed since, the frame is placed anew.
 *
 * Context: Any context that may take a spinlock.
 */
void vmsim_lru_putback_gen(struct page *page, unsigned int lru,
			   unsigned int gen)
{
	bool tail = false;

	spin_lock(&vmsim_lru.lock);
	if (page_private(page)) {
		if (gen != vmsim_lru.gen ||
		    (lru == VMSIM_LRU_UNEVICTABLE && vmsim_swap_on()))
			lru = vmsim_lru_replace(page, vmsim_lru_sptep(page),
						&tail);
		vmsim_lru_add_locked(page, lru, tail);
	}
	spin_unlock(&vmsim_lru.lock);
	put_page(page);
}

/* Isolate listed, owned @page into @out, if its object is not going. */
static bool vmsim_lru_isolate_locked(struct page *page,
				     struct vmsim_isolated *out)
{
	u64 *sptep = vmsim_lru_sptep(page);
	struct vmsim_object *obj;
	pgoff_t index;

	obj = vmsim_entry_object(sptep, &index);
	if (!vmsim_object_tryget(obj))
		return false;
	vmsim_lru_del_locked(page);
	get_page(page);
	*out = (struct vmsim_isolated){
		.page = page, .obj = obj, .index = index, .sptep = sptep,
	};
	return true;
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
unsigned int vmsim_lru_isolate(unsigned int lru, unsigned int nr,
			       struct vmsim_isolated *out)
{
	struct list_head *list = &vmsim_lru.list[lru];
	unsigned int n = 0, tries = 0;

	spin_lock(&vmsim_lru.lock);
	while (n < nr && tries++ < 2 * nr && !list_empty(list)) {
		struct page *page = list_last_entry(list, struct page, lru);

		if (vmsim_lru_isolate_locked(page, &out[n]))
			n++;
		else
			list_move(&page->lru, list);
	}
	spin_unlock(&vmsim_lru.lock);
	return n;
}

/**
 * vmsim_lru_isolate_page() - take one given frame off its list
 * @page: the frame
 * @sptep: the entry the caller found it through, or NULL for any owner
 * @lru: only if it is on this list (NR_VMSIM_LRU_LISTS: any but the
 *	unevictable one)
 * @out: filled as vmsim_lru_isolate() does
 *
 * Context: Any context that may take a spinlock.
 * Return: true if the frame was on the list (and @sptep's): it is now
 * isolated.
 */
bool vmsim_lru_isolate_page(struct page *page, u64 *sptep, unsigned int lru,
			    struct vmsim_isolated *out)
{
	unsigned int on;
	bool ok = false;

	spin_lock(&vmsim_lru.lock);
	if (!page_private(page) || list_empty(&page->lru) ||
	    (sptep && page_private(page) != (unsigned long)sptep))
		goto out_unlock;
	on = vmsim_pte_lru(vmsim_pte_read(vmsim_lru_sptep(page)));
	if (lru == NR_VMSIM_LRU_LISTS ? on == VMSIM_LRU_UNEVICTABLE : on != lru)
		goto out_unlock;
	ok = vmsim_lru_isolate_locked(page, out);
out_unlock:
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
bool vmsim_lru_move(struct page *page, u64 *sptep, unsigned int from,
		    unsigned int to, bool tail)
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

/* Frames moved per round of the lock by the whole-list operations. */
#define VMSIM_RELIST_BATCH	256

/*
 * Take every frame of the lists in @lists off, and place each anew with
 * @place, a batch per round of the lock, so that a large pool does not
 * hold the lock (and preemption off) for long.  The frames waiting stay
 * counted on their old lists and "on a list" for vmsim_lru_del(), which
 * may take them off meanwhile: they are only touched under the lock.
 * Called with the lock held; returns with it released.
 */
static void vmsim_lru_relist(unsigned int lists, vmsim_lru_place_fn place)
	__releases(&vmsim_lru.lock)
{
	LIST_HEAD(waiting);
	unsigned int lru, n;

	lockdep_assert_held(&vmsim_lru.lock);
	for (lru = 0; lru < NR_VMSIM_LRU_LISTS; lru++)
		if (lists & BIT(lru))
			list_splice_init(&vmsim_lru.list[lru], &waiting);
	while (!list_empty(&waiting)) {
		for (n = 0; n < VMSIM_RELIST_BATCH && !list_empty(&waiting); n++) {
			struct page *page = list_first_entry(&waiting,
							     struct page, lru);
			bool tail = false;

			vmsim_lru_del_locked(page);
			lru = place(page, vmsim_lru_sptep(page), &tail);
			vmsim_lru_add_locked(page, lru, tail);
		}
		spin_unlock(&vmsim_lru.lock);
		cond_resched();
		spin_lock(&vmsim_lru.lock);
	}
	spin_unlock(&vmsim_lru.lock);
}

/**
 * vmsim_lru_rescue_unevictable() - make every parked frame evictable again
 * @place: where each goes now
 *
 * Called when a swap area comes on (after it is on): pages holding data
 * can go now.
 *
 * Context: Process context; may sleep between batches.
 */
void vmsim_lru_rescue_unevictable(vmsim_lru_place_fn place)
{
	spin_lock(&vmsim_lru.lock);
	vmsim_lru_relist(BIT(VMSIM_LRU_UNEVICTABLE), place);
}

/**
 * vmsim_lru_switch() - the policy changed: place every listed frame anew
 * @active_mask: the lists of the new policy that count as active
 * @place: where each frame goes under it
 *
 * The caller has made the new policy the one that is on; from here on,
 * frames queued in the add batches under the old one are placed anew when
 * they drain.  Parked (unevictable) frames stay parked.
 *
 * Context: Process context; may sleep between batches.
 */
void vmsim_lru_switch(unsigned int active_mask, vmsim_lru_place_fn place)
{
	smp_wmb();		/* the policy before the generation */
	spin_lock(&vmsim_lru.lock);
	WRITE_ONCE(vmsim_lru.gen, vmsim_lru.gen + 1);
	vmsim_lru.active_mask = active_mask;
	vmsim_lru_relist(GENMASK(VMSIM_POLICY_LISTS - 1, 0), place);
}
