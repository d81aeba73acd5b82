// SPDX-License-Identifier: GPL-2.0
/*
 * faclock: a small admission window in front of a frequency-ordered CLOCK,
 * vmsim's default.
 *
 * Every page that gets a frame lands at the head of a window, a FIFO of
 * what the main CLOCK leaves of the pool (about 2% of it).  Reclaim takes
 * from the window's tail whenever it holds a batch, and there a page
 * either enters the main clock or is evicted:
 *  - while the main clock is short of its size (the pool is filling, or
 *    its hand evicted on its own because the window was nearly empty), it
 *    enters;
 *  - otherwise it enters only if it is used more often than what the main
 *    clock evicts: its frequency at least the recent victims' plus
 *    FACLOCK_MARGIN (hysteresis, as TinyLFU's admission, against churn).
 * The main clock is a CLOCK with a two-bit count: a page found referenced
 * when the hand passes counts up (to 3), one not referenced counts down,
 * and the hand evicts the first page it finds at 0 and unreferenced.
 *
 * A page's frequency is a 4-bit saturating count of the references the
 * harvests found (reclaim's and the aging passes', one per accessed bit
 * found set), halved once per epoch (5 pools' worth of references) so that
 * old popularity fades.  It lives in the entry's policy bits while the
 * page is resident and in its ghost when it is not, so a page evicted from
 * the window returns with its history: nothing is kept per page beyond
 * the shadow entry.  A one-time scan therefore never displaces a reused
 * set (its pages arrive with no history and leave from the window), and a
 * loop slightly larger than the pool keeps most of itself in the main
 * clock instead of evicting each page just before its next use.
 *
 * Policy bits: FREQ (0-3), EPOCH (4-5, when FREQ was last brought up to
 * date), and COUNT (6-7, the main clock's count).  Ghost: FREQ and EPOCH.
 */
#include <linux/percpu_counter.h>

#include "policy.h"
#include "pool.h"
#include "stat.h"

#define FA_WINDOW		0
#define FA_MAIN			1

#define FA_FREQ_MASK		0x0fU
#define FA_EPOCH_SHIFT		4
#define FA_EPOCH_MASK		(3U << FA_EPOCH_SHIFT)
#define FA_COUNT_SHIFT		6
#define FA_COUNT_MASK		(3U << FA_COUNT_SHIFT)
#define FA_FREQ_MAX		15U

/* The window, in 1/1000 of the pool (at least FACLOCK_WINDOW_MIN pages). */
#define FACLOCK_WINDOW_PERMILLE	20
#define FACLOCK_WINDOW_MIN	32
/* How much more often than the victims a window page must be used. */
#define FACLOCK_MARGIN		2
/* An epoch: this many pools' worth of references. */
#define FACLOCK_EPOCH_POOLS	5

enum {
	FA_ADMITTED,		/* window -> main while main filled */
	FA_ADMITTED_FREQ,	/* window -> main on frequency */
	FA_WINDOW_EVICTED,	/* evicted from the window */
	FA_MAIN_EVICTED,	/* evicted by the main clock */
};

static struct percpu_counter fa_refs;	/* references counted this epoch */
static atomic_t fa_epoch = ATOMIC_INIT(0);

static unsigned int fa_epoch_now(void)
{
	return atomic_read(&fa_epoch) & 3;
}

/* A frequency as of now: halved once per epoch since it was stamped. */
static unsigned int fa_freq(unsigned int bits)
{
	unsigned int age = (fa_epoch_now() - ((bits & FA_EPOCH_MASK) >>
					      FA_EPOCH_SHIFT)) & 3;

	return (bits & FA_FREQ_MASK) >> age;
}

static unsigned int fa_bits(unsigned int freq, unsigned int count)
{
	return min(freq, FA_FREQ_MAX) | fa_epoch_now() << FA_EPOCH_SHIFT |
	       count << FA_COUNT_SHIFT;
}

static unsigned int fa_count(unsigned int bits)
{
	return (bits & FA_COUNT_MASK) >> FA_COUNT_SHIFT;
}

/* A reference found: one more for the frequency, and for the epoch. */
static void fa_referenced(void)
{
	percpu_counter_add_batch(&fa_refs, 1, 64);
}

static int faclock_init(void)
{
	return percpu_counter_init(&fa_refs, 0, GFP_KERNEL);
}

static void faclock_exit(void)
{
	percpu_counter_destroy(&fa_refs);
}

static unsigned int faclock_place(u64 *sptep, unsigned long pfn, u64 old,
				  enum vmsim_resident_how how, bool *tail)
{
	unsigned int freq = 0;
	u32 ghost;

	/* The fault's own access is counted by the first harvest. */
	if (vmsim_ghost_data(old, vmsim_policy_faclock.tag, &ghost))
		freq = fa_freq(ghost);
	vmsim_pbits_update(sptep, pfn, fa_bits(freq, 0));
	return FA_WINDOW;
}

static unsigned int faclock_adopt(u64 *sptep, unsigned long pfn, u64 e)
{
	bool active = e & VMSIM_PTE_ACTIVE;

	vmsim_pbits_update(sptep, pfn, fa_bits(active ? 2 : 0, active));
	return active ? FA_MAIN : FA_WINDOW;
}

static unsigned long fa_window_target(unsigned long capacity)
{
	return max_t(unsigned long, FACLOCK_WINDOW_MIN,
		     capacity * FACLOCK_WINDOW_PERMILLE / 1000);
}

/* Begin a new epoch once enough references were counted. */
static void fa_maybe_new_epoch(void)
{
	if (percpu_counter_read(&fa_refs) <
	    (s64)(FACLOCK_EPOCH_POOLS * vmsim_pool.nr_frames))
		return;
	percpu_counter_set(&fa_refs, 0);
	atomic_inc(&fa_epoch);
}

/* Pages per batch: two batches (window and main) fit on the stack. */
#define FA_BATCH		(VMSIM_SCAN_BATCH / 2)

/* A batch off a list's tail, harvested: which were referenced, and how. */
struct fa_batch {
	struct vmsim_isolated iso[FA_BATCH];
	bool referenced[FA_BATCH];
	bool evict[FA_BATCH];
	u8 freq[FA_BATCH];
	unsigned int n;
};

static void fa_take(struct vmsim_scan *sc, unsigned int lru, struct fa_batch *b)
{
	unsigned int i;

	b->n = vmsim_scan_take(sc, lru, FA_BATCH, b->iso, b->referenced);
	for (i = 0; i < b->n; i++) {
		unsigned int bits = vmsim_pte_pbits(vmsim_pte_read(b->iso[i].sptep));

		b->freq[i] = fa_freq(bits) + b->referenced[i];
		if (b->referenced[i])
			fa_referenced();
		b->evict[i] = false;
	}
}

/*
 * The main clock's hand over a batch: referenced pages count up, others
 * down, and go round again; a page at 0 and unreferenced is a victim,
 * left in @m (evict[] still false) for the caller.  Return how many.
 */
static unsigned int fa_hand(struct fa_batch *m, unsigned int *victim)
{
	unsigned int i, nv = 0;

	for (i = 0; i < m->n; i++) {
		unsigned int bits = vmsim_pte_pbits(vmsim_pte_read(m->iso[i].sptep));
		unsigned int count = fa_count(bits);

		if (m->referenced[i]) {
			count = min(count + 1, 3U);
		} else if (count) {
			count--;
		} else {
			victim[nv++] = i;
			continue;
		}
		vmsim_iso_pbits(&m->iso[i], fa_bits(m->freq[i], count));
		vmsim_scan_keep(&m->iso[i], FA_MAIN, false);
	}
	return nv;
}

/*
 * The main clock has room: the window's tail enters it unopposed.  Nothing
 * is harvested (the accessed bits are left for the hand), so this costs no
 * rmap walk and no TLB flush: when the pool filled up with no reclaim, the
 * whole pool sits in the window, and the first reclaim must move nearly
 * all of it before anything can go; done a harvest at a time, that took a
 * KASAN guest long enough for a steady writer to stall on direct reclaim.
 */
static void faclock_admit(struct vmsim_scan *sc)
{
	struct vmsim_isolated iso[FA_BATCH];
	unsigned int i, n;

	n = vmsim_scan_take(sc, FA_WINDOW, FA_BATCH, iso, NULL);
	for (i = 0; i < n; i++) {
		unsigned int bits = vmsim_pte_pbits(vmsim_pte_read(iso[i].sptep));

		vmsim_iso_pbits(&iso[i], fa_bits(fa_freq(bits), 1));
		vmsim_scan_keep(&iso[i], FA_MAIN, false);
		vmsim_policy_count(&vmsim_policy_faclock, FA_ADMITTED);
		vmsim_count(VMSIM_PGACTIVATE);
	}
}

/*
 * Reclaim from the window: each page at its tail enters the main clock
 * unopposed while the main clock is short of its size; after that it
 * competes with the main clock's next victim, and the one used less
 * often leaves (the window page must be used FACLOCK_MARGIN more often).
 */
static void faclock_scan_window(struct vmsim_scan *sc, unsigned long main_target)
{
	struct fa_batch w, m;
	unsigned int victim[FA_BATCH], nv, v = 0, i;

	if (vmsim_lru_count(FA_MAIN) < main_target) {
		faclock_admit(sc);
		return;
	}
	fa_take(sc, FA_WINDOW, &w);
	if (!w.n)
		return;
	fa_take(sc, FA_MAIN, &m);
	nv = fa_hand(&m, victim);
	for (i = 0; i < w.n; i++) {
		if (v < nv && w.freq[i] >= m.freq[victim[v]] + FACLOCK_MARGIN) {
			m.evict[victim[v++]] = true;
			vmsim_policy_count(&vmsim_policy_faclock,
					   FA_ADMITTED_FREQ);
			vmsim_policy_count(&vmsim_policy_faclock,
					   FA_MAIN_EVICTED);
		} else {
			vmsim_iso_pbits(&w.iso[i], fa_bits(w.freq[i], 0));
			w.evict[i] = true;
			vmsim_policy_count(&vmsim_policy_faclock,
					   FA_WINDOW_EVICTED);
			continue;
		}
		vmsim_iso_pbits(&w.iso[i], fa_bits(w.freq[i], 1));
		vmsim_scan_keep(&w.iso[i], FA_MAIN, false);
		vmsim_count(VMSIM_PGACTIVATE);
	}
	/* The victims that were not needed stay where the hand is. */
	for (; v < nv; v++) {
		i = victim[v];
		vmsim_iso_pbits(&m.iso[i], fa_bits(m.freq[i], 0));
		vmsim_scan_keep(&m.iso[i], FA_MAIN, true);
	}
	for (i = 0; i < m.n; i++)
		if (m.evict[i])
			vmsim_iso_pbits(&m.iso[i], fa_bits(m.freq[i], 0));
	vmsim_scan_evict(sc, w.iso, w.n, w.evict);
	if (m.n)
		vmsim_scan_evict(sc, m.iso, m.n, m.evict);
}

/*
 * Reclaim with the window nearly empty: the main clock's hand evicts, and
 * the window's next pages enter in the victims' place unopposed.
 */
static void faclock_scan_main(struct vmsim_scan *sc)
{
	unsigned int victim[FA_BATCH], nv, i;
	struct fa_batch m;

	fa_take(sc, FA_MAIN, &m);
	nv = fa_hand(&m, victim);
	for (i = 0; i < nv; i++) {
		m.evict[victim[i]] = true;
		vmsim_iso_pbits(&m.iso[victim[i]], fa_bits(m.freq[victim[i]], 0));
		vmsim_policy_count(&vmsim_policy_faclock, FA_MAIN_EVICTED);
	}
	if (m.n)
		vmsim_scan_evict(sc, m.iso, m.n, m.evict);
}

static void faclock_scan(struct vmsim_scan *sc)
{
	unsigned long window = fa_window_target(sc->capacity);
	unsigned long main_target = sc->capacity > window ?
				    sc->capacity - window : 0;

	fa_maybe_new_epoch();
	/* Every fault lands in the window: it competes once it holds a batch. */
	if (vmsim_lru_count(FA_WINDOW) > FA_BATCH || !vmsim_lru_count(FA_MAIN))
		faclock_scan_window(sc, main_target);
	else
		faclock_scan_main(sc);
}

static void faclock_harvest(u64 *sptep, unsigned long pfn, u64 e,
			    bool referenced)
{
	unsigned int bits = vmsim_pte_pbits(e), count = fa_count(bits);

	if (!referenced)
		return;
	fa_referenced();
	if (vmsim_pte_lru(e) == FA_MAIN)
		count = min(count + 1, 3U);
	vmsim_pbits_update(sptep, pfn, fa_bits(fa_freq(bits) + 1, count));
}

static u64 faclock_evicted(u64 e)
{
	unsigned int bits = vmsim_pte_pbits(e);

	return vmsim_ghost(vmsim_policy_faclock.tag,
			   fa_bits(fa_freq(bits), 0));
}

static unsigned int faclock_cold(u64 e)
{
	return FA_WINDOW;
}

static unsigned int faclock_kept(u64 e, bool wanted)
{
	return wanted ? FA_MAIN : FA_WINDOW;
}

struct vmsim_policy vmsim_policy_faclock = {
	.name		= "faclock",
	.tag		= 5,
	.nr_lists	= 2,
	.list_names	= { "window", "main" },
	.active_lists	= BIT(FA_MAIN),
	.stat_names	= { "admitted", "admitted_by_frequency",
			    "window_evicted", "main_evicted" },
	.init		= faclock_init,
	.exit		= faclock_exit,
	.place		= faclock_place,
	.adopt		= faclock_adopt,
	.scan		= faclock_scan,
	.harvest	= faclock_harvest,
	.evicted	= faclock_evicted,
	.cold		= faclock_cold,
	.kept		= faclock_kept,
};

