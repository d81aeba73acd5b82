// SPDX-License-Identifier: GPL-2.0
/*
 * The replacement policy that is on, and switching it at run time.
 *
 * Five policies are built in, each in its own file (policy.h says what a
 * policy is): lru2 (Linux 6.1's two lists with refault distance), clock,
 * fifo, random, and faclock (a window in front of a frequency-ordered
 * CLOCK, the default).  The policy= parameter names the one that is on;
 * writing it at run time switches, under load, with nothing lost: every
 * resident page moves into the new policy's lists (lru.c's
 * vmsim_lru_switch(), asking the new policy to ->adopt() each), pages
 * queued for a list under the old one are placed anew when their batch
 * drains, and pages isolated by a write in flight come back through the
 * new policy's ->kept().  Ghosts of the old policy read as none.
 *
 * This file is also the policy's side of the entry layer (the
 * vmsim_entry_ops it registers) and drives the machinery every policy
 * shares: the reclaim pass (vmsim_shrink()) and the aging walk.  A
 * read-write semaphore keeps reclaim, aging, COLD and PAGEOUT (readers)
 * apart from a switch (the writer); faults only read the policy pointer,
 * and the LRU generation catches a placement a switch overtook.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "object.h"
#include "policy.h"
#include "pool.h"
#include "rmap.h"
#include "stat.h"
#include "vmsim_trace.h"
#include "workingset.h"

static struct vmsim_policy *const vmsim_policies[] = {
	&vmsim_policy_lru2,
	&vmsim_policy_clock,
	&vmsim_policy_fifo,
	&vmsim_policy_random,
	&vmsim_policy_faclock,
};

/* The policy that is on; changed under vmsim_policy_sem (write). */
static struct vmsim_policy *vmsim_policy = &vmsim_policy_faclock;
static DECLARE_RWSEM(vmsim_policy_sem);
static bool vmsim_policy_ready;

static struct vmsim_policy *vmsim_policy_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmsim_policies); i++)
		if (sysfs_streq(name, vmsim_policies[i]->name))
			return vmsim_policies[i];
	return NULL;
}

/**
 * vmsim_policy_current() - the policy that is on
 *
 * Context: Any context.
 */
const struct vmsim_policy *vmsim_policy_current(void)
{
	return READ_ONCE(vmsim_policy);
}

/* Place a frame whose placement is stale, or rescued: the policy adopts it. */
static unsigned int vmsim_policy_replace(struct page *page, u64 *sptep,
					 bool *tail)
{
	struct vmsim_policy *p = READ_ONCE(vmsim_policy);

	return p->adopt(sptep, page_to_pfn(page), vmsim_pte_read(sptep));
}

static void vmsim_policy_switch(struct vmsim_policy *p)
{
	struct vmsim_policy *old;

	down_write(&vmsim_policy_sem);
	old = vmsim_policy;
	if (p != old) {
		if (p->start)
			p->start();
		WRITE_ONCE(vmsim_policy, p);
		vmsim_lru_drain_all();
		vmsim_lru_switch(p->active_lists, vmsim_policy_replace);
	}
	up_write(&vmsim_policy_sem);
	if (p != old)
		pr_info("replacement policy: %s (was %s)\n", p->name, old->name);
}

static int vmsim_policy_param_set(const char *val, const struct kernel_param *kp)
{
	struct vmsim_policy *p = vmsim_policy_find(val);

	if (!p) {
		pr_err("policy=%s: no such policy (lru2, clock, fifo, random, faclock)\n",
		       val);
		return -EINVAL;
	}
	if (READ_ONCE(vmsim_policy_ready))
		vmsim_policy_switch(p);
	else
		WRITE_ONCE(vmsim_policy, p);
	return 0;
}

/* All the policies, the one that is on in brackets (as queue/scheduler). */
static int vmsim_policy_param_get(char *buf, const struct kernel_param *kp)
{
	struct vmsim_policy *cur = READ_ONCE(vmsim_policy);
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(vmsim_policies); i++)
		n += sysfs_emit_at(buf, n, vmsim_policies[i] == cur ? "%s[%s]" :
				   "%s%s", i ? " " : "",
				   vmsim_policies[i]->name);
	return n + sysfs_emit_at(buf, n, "\n");
}

static const struct kernel_param_ops vmsim_policy_param_ops = {
	.set = vmsim_policy_param_set,
	.get = vmsim_policy_param_get,
};
module_param_cb(policy, &vmsim_policy_param_ops, NULL, 0644);
MODULE_PARM_DESC(policy, "Page replacement policy: lru2, clock, fifo, random or faclock (default); writable at run time");

/* ------------------------------------------------------------------------
 * What the entry layer tells the policy
 */

static void vmsim_policy_resident(struct page *page, u64 old,
				  enum vmsim_resident_how how)
{
	u64 *sptep = (u64 *)page_private(page);
	unsigned int gen = vmsim_lru_gen(), lru;
	struct vmsim_policy *p = READ_ONCE(vmsim_policy);
	bool tail = false;

	if ((old & VMSIM_PTE_EVICTED) && how != VMSIM_RES_READAHEAD)
		vmsim_count(VMSIM_WORKINGSET_REFAULT);
	lru = p->place(sptep, page_to_pfn(page), old, how, &tail);
	vmsim_lru_add(page, lru, gen);
}

/* A refault that got the zero frame: counted, nothing to place. */
static void vmsim_policy_refault_zero(u64 old)
{
	struct vmsim_policy *p = READ_ONCE(vmsim_policy);

	vmsim_count(VMSIM_WORKINGSET_REFAULT);
	if (p->refault_zero)
		p->refault_zero(old);
}

static u64 vmsim_policy_evicted(u64 e)
{
	return READ_ONCE(vmsim_policy)->evicted(e) & VMSIM_PTE_EVICTION_MASK;
}

/*
 * From the I/O worker, which must not wait for the policy semaphore (a
 * reclaimer holding it may be waiting for this worker): the generation
 * catches a switch instead, as for a new page.
 */
static void vmsim_policy_putback(struct page *page, bool wanted)
{
	unsigned int gen = vmsim_lru_gen(), lru;
	struct vmsim_policy *p = READ_ONCE(vmsim_policy);

	lru = p->kept(vmsim_pte_read((u64 *)page_private(page)), wanted);
	vmsim_lru_putback_gen(page, lru, gen);
}

static const struct vmsim_entry_ops vmsim_policy_entry_ops = {
	.resident	= vmsim_policy_resident,
	.refault_zero	= vmsim_policy_refault_zero,
	.evicted	= vmsim_policy_evicted,
	.putback	= vmsim_policy_putback,
	.dropped	= vmsim_lru_del,
};

/* ------------------------------------------------------------------------
 * What the pool asks of the policy
 */

/* Pages on the policy's lists (not the unevictable one). */
static unsigned long vmsim_policy_nr_listed(void)
{
	unsigned long n = 0;
	unsigned int lru;

	for (lru = 0; lru < VMSIM_POLICY_LISTS; lru++)
		n += vmsim_lru_count(lru);
	return n;
}

/**
 * vmsim_policy_nr_active() - pages on lists the policy counts as active
 *
 * Context: Any context.
 */
unsigned long vmsim_policy_nr_active(void)
{
	unsigned int mask = READ_ONCE(vmsim_policy)->active_lists, lru;
	unsigned long n = 0;

	for (lru = 0; lru < VMSIM_POLICY_LISTS; lru++)
		if (mask & BIT(lru))
			n += vmsim_lru_count(lru);
	return n;
}

/**
 * vmsim_policy_nr_inactive() - pages on the policy's other lists
 *
 * Context: Any context.
 */
unsigned long vmsim_policy_nr_inactive(void)
{
	unsigned long listed = vmsim_policy_nr_listed();
	unsigned long active = vmsim_policy_nr_active();

	return listed > active ? listed - active : 0;
}

/**
 * vmsim_shrink() - reclaim frames
 * @nr: how many to try for
 * @by: who reclaims: vmsimd or a faulting task (counted apart)
 * @reserve: the free frames reclaim keeps (the high watermark), so that the
 *	policy knows how many pages the pool holds
 * @res: what was done
 *
 * Has the policy scan batch after batch, at most the whole LRU twice over,
 * so it always ends.  Pages that need writing count in @res->queued, not
 * in @res->reclaimed: their frames come back when the writes end (or not,
 * if they fail).
 *
 * Context: Process context; may sleep.  The caller may hold one entry lock.
 */
void vmsim_shrink(unsigned long nr, enum vmsim_evictor by,
		  unsigned long reserve, struct vmsim_shrink_result *res)
{
	struct vmsim_scan sc = { .by = by };
	unsigned long budget, listed;

	/*
	 * GFP_NOIO: this may run in a fault under memory pressure.  Without
	 * the batch, reclaim only drops pages that need no write.
	 */
	if (vmsim_swap_on())
		sc.wb = vmsim_writeback_alloc(by, GFP_NOIO);
	down_read(&vmsim_policy_sem);
	vmsim_lru_drain_all();
	listed = vmsim_policy_nr_listed();
	sc.capacity = listed + vmsim_nr_free_fast();
	sc.capacity = sc.capacity > reserve ? sc.capacity - reserve : listed;
	budget = 2 * listed + VMSIM_SCAN_BATCH;
	while (sc.reclaimed + sc.queued < nr && sc.scanned < budget) {
		unsigned long before = sc.scanned;

		vmsim_policy->scan(&sc);
		if (sc.scanned == before) {
			/* It only aged its lists, or found nothing. */
			if (!vmsim_policy_nr_listed())
				break;
			sc.scanned += VMSIM_SCAN_BATCH;
		}
		cond_resched();
	}
	up_read(&vmsim_policy_sem);
	vmsim_writeback_free(sc.wb);
	trace_vmsim_reclaim(nr, sc.scanned, sc.reclaimed,
			    by == VMSIM_BY_DIRECT);
	res->reclaimed = sc.reclaimed;
	res->queued = sc.queued;
	res->scanned = sc.scanned;
}

/**
 * vmsim_policy_pageout() - evict one page now (VMSIM_ADV_PAGEOUT)
 * @obj: the object
 * @sptep: the page's entry (not locked)
 * @wb: where a page to write goes, or NULL
 *
 * Context: Process context; may sleep.
 * Return: true if the page left the pool or is on its way out.
 */
bool vmsim_policy_pageout(struct vmsim_object *obj, u64 *sptep,
			  struct vmsim_writeback *wb)
{
	bool ret;

	down_read(&vmsim_policy_sem);
	ret = vmsim_scan_pageout(obj, sptep, wb);
	up_read(&vmsim_policy_sem);
	return ret;
}

/**
 * vmsim_policy_deactivate() - move a page where it goes first (COLD)
 * @sptep: the page's entry (not locked)
 *
 * Its policy bits are cleared, and it goes to the tail of the list the
 * policy names.
 *
 * Context: Process context.
 * Return: true if the page was on a list and moved.
 */
bool vmsim_policy_deactivate(u64 *sptep)
{
	u64 e = vmsim_pte_read(sptep);
	unsigned long pfn = vmsim_pte_pfn(e);
	bool moved = false;

	if (!(e & VMSIM_PTE_PRESENT))
		return false;
	down_read(&vmsim_policy_sem);
	e = vmsim_pte_update_present(sptep, pfn, VMSIM_PTE_POLICY_MASK, 0);
	if (e)
		moved = vmsim_lru_move(pfn_to_page(pfn), sptep,
				       NR_VMSIM_LRU_LISTS,
				       vmsim_policy->cold(e), true);
	up_read(&vmsim_policy_sem);
	return moved;
}

/**
 * vmsim_policy_rescue_unevictable() - swap came on: parked pages can go
 *
 * Context: Process context; may sleep.
 */
void vmsim_policy_rescue_unevictable(void)
{
	down_read(&vmsim_policy_sem);
	vmsim_lru_rescue_unevictable(vmsim_policy_replace);
	up_read(&vmsim_policy_sem);
}

/* ------------------------------------------------------------------------
 * Aging: the harvest of accessed bits in bulk
 */

/* vmsimd's buffer for one leaf table's worth of PTE bits. */
static u8 vmsim_age_bits[VMSIM_TABLE_ENTRIES];

struct vmsim_aging {
	struct vmsim_tlb_batch tlb;	/* whose accessed bits it cleared */
	unsigned long scanned;
};

static int vmsim_age_leaf(struct vmsim_shadow *shadow, pgoff_t base,
			  u64 *table, void *data)
{
	struct vmsim_object *obj = vmsim_shadow_object(shadow);
	struct vmsim_policy *p = vmsim_policy;
	struct vmsim_aging *ag = data;
	unsigned int i;

	memset(vmsim_age_bits, 0, sizeof(vmsim_age_bits));
	vmsim_age_begin();
	vmsim_object_rmap_walk(obj, base, VMSIM_TABLE_ENTRIES, vmsim_age_bits,
			       VMSIM_WALK_CLEAR_YOUNG, &ag->tlb);
	for (i = 0; i < VMSIM_TABLE_ENTRIES; i++) {
		u64 *sptep = &table[i];
		u64 e = vmsim_pte_read(sptep);
		unsigned long pfn = vmsim_pte_pfn(e);
		bool referenced;

		if (!(e & VMSIM_PTE_PRESENT) ||
		    vmsim_pte_lru(e) == VMSIM_LRU_UNEVICTABLE)
			continue;
		ag->scanned++;
		e = vmsim_pte_update_present(sptep, pfn, VMSIM_PTE_ACCESSED, 0);
		if (!e)
			continue;
		referenced = (e & VMSIM_PTE_ACCESSED) ||
			     (vmsim_age_bits[i] & VMSIM_WALK_YOUNG);
		p->harvest(sptep, pfn, e, referenced);
	}
	vmsim_age_end();
	cond_resched();
	return kthread_should_stop() ? -EINTR : 0;
}

static int vmsim_age_object(struct vmsim_object *obj, void *data)
{
	return vmsim_shadow_walk_leaves(&obj->shadow, vmsim_age_leaf, data);
}

/**
 * vmsim_policy_age() - one aging pass over every resident page
 *
 * Folds the hardware accessed bits in (a bulk walk per leaf table, one TLB
 * flush at the end) and tells the policy which pages were referenced.
 *
 * Context: vmsimd (it uses a buffer of its own).
 */
void vmsim_policy_age(void)
{
	struct vmsim_aging ag = { 0 };

	down_read(&vmsim_policy_sem);
	vmsim_lru_drain_all();
	vmsim_walk_objects(vmsim_age_object, &ag);
	up_read(&vmsim_policy_sem);
	vmsim_tlb_flush(&ag.tlb);
	vmsim_count(VMSIM_AGING_PASSES);
	vmsim_count_add(VMSIM_AGING_SCANNED, ag.scanned);
}

/* ------------------------------------------------------------------------
 * Counters and setup
 */

/**
 * vmsim_policy_show_stats() - the policies' own lines of /proc/vmsim_vmstat
 * @m: the seq_file
 *
 * One "vmsim_<policy>_<counter> <value>" line per counter of every policy,
 * whether it is on or not, so the lines are the same at every read.
 *
 * Context: Process context.
 * Return: 0.
 */
int vmsim_policy_show_stats(struct seq_file *m)
{
	unsigned int i, s;
	int cpu;

	for (i = 0; i < ARRAY_SIZE(vmsim_policies); i++) {
		struct vmsim_policy *p = vmsim_policies[i];

		for (s = 0; s < VMSIM_POLICY_MAX_STATS && p->stat_names[s]; s++) {
			unsigned long sum = 0;

			for_each_possible_cpu(cpu)
				sum += *per_cpu_ptr(p->stats + s, cpu);
			seq_printf(m, "vmsim_%s_%s %lu\n", p->name,
				   p->stat_names[s], sum);
		}
	}
	return 0;
}

static void vmsim_policies_free(unsigned int n)
{
	while (n--) {
		if (vmsim_policies[n]->exit)
			vmsim_policies[n]->exit();
		free_percpu(vmsim_policies[n]->stats);
		vmsim_policies[n]->stats = NULL;
	}
}

/**
 * vmsim_policy_init() - set up the policies and the lists
 *
 * Context: Process context, at load, before any object exists.
 * Return: 0 or -ENOMEM.
 */
int vmsim_policy_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(vmsim_policies); i++) {
		struct vmsim_policy *p = vmsim_policies[i];

		p->stats = __alloc_percpu(sizeof(unsigned long) *
					  VMSIM_POLICY_MAX_STATS,
					  sizeof(unsigned long));
		err = p->stats ? 0 : -ENOMEM;
		if (!err && p->init)
			err = p->init();
		if (err) {
			free_percpu(p->stats);
			p->stats = NULL;
			vmsim_policies_free(i);
			return err;
		}
	}
	vmsim_lru_init(vmsim_policy_replace);
	vmsim_workingset_init(vmsim_pool.nr_frames);
	if (vmsim_policy->start)
		vmsim_policy->start();
	vmsim_lru_switch(vmsim_policy->active_lists, vmsim_policy_replace);
	vmsim_entry_set_ops(&vmsim_policy_entry_ops);
	WRITE_ONCE(vmsim_policy_ready, true);
	pr_info("replacement policy: %s\n", vmsim_policy->name);
	return 0;
}

/**
 * vmsim_policy_exit() - undo vmsim_policy_init(), at unload
 *
 * Context: Process context, when no object exists.
 */
void vmsim_policy_exit(void)
{
	WRITE_ONCE(vmsim_policy_ready, false);
	vmsim_policies_free(ARRAY_SIZE(vmsim_policies));
}
