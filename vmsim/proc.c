// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmsim_meminfo, /proc/vmsim_vmstat, /proc/vmsim_zoneinfo and
 * /proc/vmsim_objects (/proc/vmsim_swaps is swap.c's).
 *
 * /proc/vmsim_meminfo prints exactly the lines the running kernel's
 * /proc/meminfo prints, in the same order and byte format, so that tools
 * which parse one parse the other.  The fields that have a meaning for
 * vmsim's pool carry it; the others read 0.  Which lines exist depends on
 * the kernel's configuration, so the same IS_ENABLED() tests decide here.
 * Documentation/admin-guide.rst says what each field means for vmsim.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <asm/cpufeature.h>

#include "lru.h"
#include "policy.h"
#include "object.h"
#include "pool.h"
#include "proc.h"
#include "reclaim.h"
#include "stat.h"
#include "swap.h"

static void vmsim_show_kb(struct seq_file *m, const char *label,
			  unsigned long pages)
{
	seq_printf(m, "%-16s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

static int vmsim_meminfo_show(struct seq_file *m, void *v)
{
	unsigned long total = vmsim_pool.nr_frames;
	unsigned long free = vmsim_nr_free();
	unsigned long tables = atomic_long_read(&vmsim_nr_table_pages);
	unsigned long resident = vmsim_stat_sum(VMSIM_NR_RESIDENT);
	unsigned long dirty = vmsim_stat_sum(VMSIM_NR_DIRTY);
	unsigned long active = vmsim_policy_nr_active();
	unsigned long inactive = vmsim_policy_nr_inactive();
	unsigned long unevictable = vmsim_lru_count(VMSIM_LRU_UNEVICTABLE);
	unsigned long low = READ_ONCE(vmsim_wmark.low);
	unsigned long swapcache = vmsim_stat_sum(VMSIM_NR_SWAPCACHE);
	unsigned long swap_total, swap_free, available;

	vmsim_swap_nr(&swap_total, &swap_free);
	/*
	 * As si_mem_available(): what is free above the low watermark, plus
	 * what reclaim can take without losing data: clean frames (zero, or
	 * with a copy in swap), plus dirty ones as far as swap has room.
	 */
	available = (free > low ? free - low : 0) +
		    (resident > dirty ? resident - dirty : 0) +
		    min(dirty, swap_free);

	vmsim_show_kb(m, "MemTotal:", total);
	vmsim_show_kb(m, "MemFree:", free);
	vmsim_show_kb(m, "MemAvailable:", available);
	vmsim_show_kb(m, "Buffers:", 0);
	vmsim_show_kb(m, "Cached:", 0);
	vmsim_show_kb(m, "SwapCached:", swapcache);
	vmsim_show_kb(m, "Active:", active);
	vmsim_show_kb(m, "Inactive:", inactive);
	vmsim_show_kb(m, "Active(anon):", active);
	vmsim_show_kb(m, "Inactive(anon):", inactive);
	vmsim_show_kb(m, "Active(file):", 0);
	vmsim_show_kb(m, "Inactive(file):", 0);
	vmsim_show_kb(m, "Unevictable:", unevictable);
	vmsim_show_kb(m, "Mlocked:", 0);
	if (IS_ENABLED(CONFIG_HIGHMEM)) {
		vmsim_show_kb(m, "HighTotal:", 0);
		vmsim_show_kb(m, "HighFree:", 0);
		vmsim_show_kb(m, "LowTotal:", total);
		vmsim_show_kb(m, "LowFree:", free);
	}
	vmsim_show_kb(m, "SwapTotal:", swap_total);
	vmsim_show_kb(m, "SwapFree:", swap_free);
	if (IS_ENABLED(CONFIG_ZSWAP)) {
		vmsim_show_kb(m, "Zswap:", 0);
		vmsim_show_kb(m, "Zswapped:", 0);
	}
	vmsim_show_kb(m, "Dirty:", dirty);
	vmsim_show_kb(m, "Writeback:", vmsim_stat_sum(VMSIM_NR_WRITEBACK));
	vmsim_show_kb(m, "AnonPages:", resident);
	vmsim_show_kb(m, "Mapped:", 0);
	vmsim_show_kb(m, "Shmem:", 0);
	vmsim_show_kb(m, "KReclaimable:", 0);
	vmsim_show_kb(m, "Slab:", 0);
	vmsim_show_kb(m, "SReclaimable:", 0);
	vmsim_show_kb(m, "SUnreclaim:", 0);
	vmsim_show_kb(m, "KernelStack:", 0);
	if (IS_ENABLED(CONFIG_SHADOW_CALL_STACK))
		seq_printf(m, "ShadowCallStack:%8lu kB\n", 0UL);
	vmsim_show_kb(m, "PageTables:", tables);
	vmsim_show_kb(m, "SecPageTables:", 0);
	vmsim_show_kb(m, "NFS_Unstable:", 0);
	vmsim_show_kb(m, "Bounce:", 0);
	vmsim_show_kb(m, "WritebackTmp:", 0);
	vmsim_show_kb(m, "CommitLimit:", total);
	vmsim_show_kb(m, "Committed_AS:", resident);
	vmsim_show_kb(m, "VmallocTotal:", 0);
	vmsim_show_kb(m, "VmallocUsed:", 0);
	vmsim_show_kb(m, "VmallocChunk:", 0);
	vmsim_show_kb(m, "Percpu:", 0);
	if (IS_ENABLED(CONFIG_MEMORY_FAILURE))
		seq_printf(m, "HardwareCorrupted: %5lu kB\n", 0UL);
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)) {
		vmsim_show_kb(m, "AnonHugePages:", 0);
		vmsim_show_kb(m, "ShmemHugePages:", 0);
		vmsim_show_kb(m, "ShmemPmdMapped:", 0);
		vmsim_show_kb(m, "FileHugePages:", 0);
		vmsim_show_kb(m, "FilePmdMapped:", 0);
	}
	if (IS_ENABLED(CONFIG_CMA)) {
		vmsim_show_kb(m, "CmaTotal:", 0);
		vmsim_show_kb(m, "CmaFree:", 0);
	}
	if (IS_ENABLED(CONFIG_UNACCEPTED_MEMORY))
		vmsim_show_kb(m, "Unaccepted:", 0);
	if (IS_ENABLED(CONFIG_HUGETLB_PAGE)) {
		seq_printf(m,
			   "HugePages_Total:   %5lu\n"
			   "HugePages_Free:    %5lu\n"
			   "HugePages_Rsvd:    %5lu\n"
			   "HugePages_Surp:    %5lu\n"
			   "Hugepagesize:   %8lu kB\n",
			   0UL, 0UL, 0UL, 0UL, (unsigned long)HPAGE_SIZE / SZ_1K);
		seq_printf(m, "Hugetlb:        %8lu kB\n", 0UL);
	}
	/* vmsim maps every frame with a 4 KiB page table entry. */
	vmsim_show_kb(m, "DirectMap4k:", total);
	vmsim_show_kb(m, "DirectMap2M:", 0);
	if (boot_cpu_has(X86_FEATURE_GBPAGES))
		vmsim_show_kb(m, "DirectMap1G:", 0);
	return 0;
}

/*
 * /proc/vmsim_vmstat: first the lines whose names /proc/vmstat also has,
 * in the order it prints them (the same in 6.1 and 6.12), then vmsim's own
 * counters, each named with a "vmsim_" prefix.  A line is an event counter
 * (enum vmsim_event), a gauge, or a sum of two event counters.
 */
enum vmsim_vmstat_gauge {
	VMSIM_G_FREE = NR_VMSIM_EVENTS,
	VMSIM_G_INACTIVE,
	VMSIM_G_ACTIVE,
	VMSIM_G_UNEVICTABLE,
	VMSIM_G_ANON,
	VMSIM_G_DIRTY,
	VMSIM_G_WRITEBACK,
	VMSIM_G_TABLES,
	VMSIM_G_SWAPCACHE,
	VMSIM_G_PGPGIN,		/* KiB read from swap */
	VMSIM_G_PGPGOUT,	/* KiB written to swap */
	VMSIM_G_ZERO_PENDING,
	VMSIM_G_SWAPPED,
	VMSIM_G_COW_SHARED,
};

struct vmsim_vmstat_line {
	const char *name;
	unsigned short src;	/* an event or a gauge */
	unsigned short plus;	/* an event added to it, or 0 */
};

static const struct vmsim_vmstat_line vmsim_vmstat_lines[] = {
	{ "nr_free_pages",		VMSIM_G_FREE },
	{ "nr_zone_inactive_anon",	VMSIM_G_INACTIVE },
	{ "nr_zone_active_anon",	VMSIM_G_ACTIVE },
	{ "nr_zone_unevictable",	VMSIM_G_UNEVICTABLE },
	{ "nr_inactive_anon",		VMSIM_G_INACTIVE },
	{ "nr_active_anon",		VMSIM_G_ACTIVE },
	{ "nr_unevictable",		VMSIM_G_UNEVICTABLE },
	{ "workingset_refault_anon",	VMSIM_WORKINGSET_REFAULT },
	{ "workingset_activate_anon",	VMSIM_WORKINGSET_ACTIVATE },
	{ "workingset_restore_anon",	VMSIM_WORKINGSET_RESTORE },
	{ "nr_anon_pages",		VMSIM_G_ANON },
	{ "nr_dirty",			VMSIM_G_DIRTY },
	{ "nr_writeback",		VMSIM_G_WRITEBACK },
	{ "nr_page_table_pages",	VMSIM_G_TABLES },
	{ "nr_swapcached",		VMSIM_G_SWAPCACHE },
	{ "pgpgin",			VMSIM_G_PGPGIN },
	{ "pgpgout",			VMSIM_G_PGPGOUT },
	{ "pswpin",			VMSIM_PSWPIN },
	{ "pswpout",			VMSIM_PSWPOUT },
	{ "pgalloc_normal",		VMSIM_PGALLOC },
	{ "allocstall_normal",		VMSIM_ALLOCSTALL },
	{ "pgfree",			VMSIM_PGFREE },
	{ "pgactivate",			VMSIM_PGACTIVATE },
	{ "pgdeactivate",		VMSIM_PGDEACTIVATE },
	{ "pgfault",			VMSIM_PGFAULT },
	{ "pgmajfault",			VMSIM_PGMAJFAULT },
	{ "pgrefill",			VMSIM_PGREFILL },
	{ "pgsteal_kswapd",		VMSIM_PGSTEAL_KSWAPD },
	{ "pgsteal_direct",		VMSIM_PGSTEAL_DIRECT },
	{ "pgscan_kswapd",		VMSIM_PGSCAN_KSWAPD },
	{ "pgscan_direct",		VMSIM_PGSCAN_DIRECT },
	{ "pgscan_anon",		VMSIM_PGSCAN_KSWAPD, VMSIM_PGSCAN_DIRECT },
	{ "pgsteal_anon",		VMSIM_PGSTEAL_KSWAPD, VMSIM_PGSTEAL_DIRECT },
	{ "pageoutrun",			VMSIM_PAGEOUTRUN },
	{ "swap_ra",			VMSIM_SWAP_RA },
	{ "swap_ra_hit",		VMSIM_SWAP_RA_HIT },
	/* vmsim's own */
	{ "vmsim_zero_fill",		VMSIM_ZERO_FILL },
	{ "vmsim_zero_map",		VMSIM_ZERO_MAP },
	{ "vmsim_zero_pending",		VMSIM_G_ZERO_PENDING },
	{ "vmsim_fault_around",		VMSIM_FAULT_AROUND },
	{ "vmsim_oom_sigbus",		VMSIM_OOM },
	{ "vmsim_orphaned",		VMSIM_ORPHANED },
	{ "vmsim_pageout",		VMSIM_PGSTEAL_PAGEOUT },
	{ "vmsim_kswapd_no_progress",	VMSIM_KSWAPD_STUCK },
	{ "vmsim_reclaim_zero",		VMSIM_RECLAIM_ZERO },
	{ "vmsim_unevictable_parked",	VMSIM_UNEVICTABLE },
	{ "vmsim_aging_passes",		VMSIM_AGING_PASSES },
	{ "vmsim_aging_scanned",	VMSIM_AGING_SCANNED },
	{ "vmsim_swapped",		VMSIM_G_SWAPPED },
	{ "vmsim_swap_read_errors",	VMSIM_SWAP_READ_ERRORS },
	{ "vmsim_swap_crc_errors",	VMSIM_SWAP_CRC_ERRORS },
	{ "vmsim_swap_write_errors",	VMSIM_SWAP_WRITE_ERRORS },
	{ "vmsim_swap_full",		VMSIM_SWAP_FULL },
	{ "vmsim_swap_sigbus",		VMSIM_SWAP_SIGBUS },
	{ "vmsim_swap_slots_retired",	VMSIM_SWAP_SLOTS_RETIRED },
	{ "vmsim_swap_failover",	VMSIM_SWAP_FAILOVER },
	{ "vmsim_swap_ra_async",	VMSIM_SWAP_RA_ASYNC },
	{ "vmsim_swap_write_bios",	VMSIM_SWAP_WRITE_BIOS },
	{ "vmsim_swap_read_bios",	VMSIM_SWAP_READ_BIOS },
	{ "vmsim_cow_clones",		VMSIM_COW_CLONES },
	{ "vmsim_cow_copied",		VMSIM_COW_COPIED },
	{ "vmsim_cow_taken",		VMSIM_COW_TAKEN },
	{ "vmsim_nr_cow_shared",	VMSIM_G_COW_SHARED },
};

static unsigned long vmsim_vmstat_value(unsigned int src)
{
	if (src < NR_VMSIM_EVENTS)
		return vmsim_event_sum(src);

	switch ((enum vmsim_vmstat_gauge)src) {
	case VMSIM_G_FREE:
		return vmsim_nr_free();
	case VMSIM_G_INACTIVE:
		return vmsim_policy_nr_inactive();
	case VMSIM_G_ACTIVE:
		return vmsim_policy_nr_active();
	case VMSIM_G_UNEVICTABLE:
		return vmsim_lru_count(VMSIM_LRU_UNEVICTABLE);
	case VMSIM_G_ANON:
		return vmsim_stat_sum(VMSIM_NR_RESIDENT);
	case VMSIM_G_DIRTY:
		return vmsim_stat_sum(VMSIM_NR_DIRTY);
	case VMSIM_G_WRITEBACK:
		return vmsim_stat_sum(VMSIM_NR_WRITEBACK);
	case VMSIM_G_TABLES:
		return atomic_long_read(&vmsim_nr_table_pages);
	case VMSIM_G_SWAPCACHE:
		return vmsim_stat_sum(VMSIM_NR_SWAPCACHE);
	case VMSIM_G_COW_SHARED:
		return vmsim_stat_sum(VMSIM_NR_SHARED);
	case VMSIM_G_PGPGIN:
		return vmsim_event_sum(VMSIM_PSWPIN) << (PAGE_SHIFT - 10);
	case VMSIM_G_PGPGOUT:
		return vmsim_event_sum(VMSIM_PSWPOUT) << (PAGE_SHIFT - 10);
	case VMSIM_G_ZERO_PENDING:
		return vmsim_zero_pending();
	case VMSIM_G_SWAPPED:
		return vmsim_stat_sum(VMSIM_NR_SWAPPED);
	}
	return 0;
}

static int vmsim_vmstat_show(struct seq_file *m, void *v)
{
	const struct vmsim_vmstat_line *l;

	BUILD_BUG_ON(VMSIM_G_SWAPPED > USHRT_MAX);
	for (l = vmsim_vmstat_lines;
	     l < vmsim_vmstat_lines + ARRAY_SIZE(vmsim_vmstat_lines); l++) {
		unsigned long val = vmsim_vmstat_value(l->src);

		if (l->plus)
			val += vmsim_vmstat_value(l->plus);
		seq_printf(m, "%s %lu\n", l->name, val);
	}
	/* Then each replacement policy's own counters. */
	return vmsim_policy_show_stats(m);
}

/*
 * /proc/vmsim_zoneinfo: the pool as one zone, in /proc/zoneinfo's layout,
 * for the watermarks.
 */
static int vmsim_zoneinfo_show(struct seq_file *m, void *v)
{
	unsigned long total = vmsim_pool.nr_frames;

	seq_printf(m, "Node 0, zone %8s\n", "Vmsim");
	seq_printf(m, "  pages free     %lu\n", vmsim_nr_free());
	seq_printf(m, "        boost    %lu\n", 0UL);
	seq_printf(m, "        min      %lu\n", READ_ONCE(vmsim_wmark.min));
	seq_printf(m, "        low      %lu\n", READ_ONCE(vmsim_wmark.low));
	seq_printf(m, "        high     %lu\n", READ_ONCE(vmsim_wmark.high));
	seq_printf(m, "        spanned  %lu\n", total);
	seq_printf(m, "        present  %lu\n", total);
	seq_printf(m, "        managed  %lu\n", total);
	seq_printf(m, "      nr_free_pages %lu\n", vmsim_nr_free());
	seq_printf(m, "      nr_zone_inactive_anon %lu\n",
		   vmsim_policy_nr_inactive());
	seq_printf(m, "      nr_zone_active_anon %lu\n",
		   vmsim_policy_nr_active());
	seq_printf(m, "      nr_zone_unevictable %lu\n",
		   vmsim_lru_count(VMSIM_LRU_UNEVICTABLE));
	return 0;
}

int vmsim_proc_init(void)
{
	if (!proc_create_single("vmsim_meminfo", 0444, NULL,
				vmsim_meminfo_show))
		goto out;
	if (!proc_create_single("vmsim_vmstat", 0444, NULL, vmsim_vmstat_show))
		goto out_remove_meminfo;
	if (!proc_create_single("vmsim_zoneinfo", 0444, NULL,
				vmsim_zoneinfo_show))
		goto out_remove_vmstat;
	if (!proc_create_single("vmsim_swaps", 0444, NULL, vmsim_swaps_show))
		goto out_remove_zoneinfo;
	if (!proc_create_single("vmsim_objects", 0444, NULL,
				vmsim_objects_show))
		goto out_remove_swaps;
	return 0;

out_remove_swaps:
	remove_proc_entry("vmsim_swaps", NULL);
out_remove_zoneinfo:
	remove_proc_entry("vmsim_zoneinfo", NULL);
out_remove_vmstat:
	remove_proc_entry("vmsim_vmstat", NULL);
out_remove_meminfo:
	remove_proc_entry("vmsim_meminfo", NULL);
out:
	return -ENOMEM;
}

void vmsim_proc_exit(void)
{
	remove_proc_entry("vmsim_objects", NULL);
	remove_proc_entry("vmsim_swaps", NULL);
	remove_proc_entry("vmsim_zoneinfo", NULL);
	remove_proc_entry("vmsim_vmstat", NULL);
	remove_proc_entry("vmsim_meminfo", NULL);
}
