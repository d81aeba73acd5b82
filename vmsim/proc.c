// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmsim_meminfo and /proc/vmsim_vmstat.
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

#include "vmsim.h"

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

	vmsim_show_kb(m, "MemTotal:", total);
	vmsim_show_kb(m, "MemFree:", free);
	vmsim_show_kb(m, "MemAvailable:", free);
	vmsim_show_kb(m, "Buffers:", 0);
	vmsim_show_kb(m, "Cached:", 0);
	vmsim_show_kb(m, "SwapCached:", 0);
	vmsim_show_kb(m, "Active:", 0);
	vmsim_show_kb(m, "Inactive:", 0);
	vmsim_show_kb(m, "Active(anon):", 0);
	vmsim_show_kb(m, "Inactive(anon):", 0);
	vmsim_show_kb(m, "Active(file):", 0);
	vmsim_show_kb(m, "Inactive(file):", 0);
	vmsim_show_kb(m, "Unevictable:", 0);
	vmsim_show_kb(m, "Mlocked:", 0);
	if (IS_ENABLED(CONFIG_HIGHMEM)) {
		vmsim_show_kb(m, "HighTotal:", 0);
		vmsim_show_kb(m, "HighFree:", 0);
		vmsim_show_kb(m, "LowTotal:", total);
		vmsim_show_kb(m, "LowFree:", free);
	}
	vmsim_show_kb(m, "SwapTotal:", 0);
	vmsim_show_kb(m, "SwapFree:", 0);
	if (IS_ENABLED(CONFIG_ZSWAP)) {
		vmsim_show_kb(m, "Zswap:", 0);
		vmsim_show_kb(m, "Zswapped:", 0);
	}
	vmsim_show_kb(m, "Dirty:", dirty);
	vmsim_show_kb(m, "Writeback:", 0);
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

static const char * const vmsim_event_names[NR_VMSIM_EVENTS] = {
	[VMSIM_PGFAULT]		= "pgfault",
	[VMSIM_PGMAJFAULT]	= "pgmajfault",
	[VMSIM_PGALLOC]		= "pgalloc_normal",
	[VMSIM_PGFREE]		= "pgfree",
	[VMSIM_ZERO_FILL]	= "vmsim_zero_fill",
	[VMSIM_ZERO_MAP]	= "vmsim_zero_map",
	[VMSIM_FAULT_AROUND]	= "vmsim_fault_around",
	[VMSIM_OOM]		= "vmsim_oom_sigbus",
	[VMSIM_ORPHANED]	= "vmsim_orphaned",
};

static int vmsim_vmstat_show(struct seq_file *m, void *v)
{
	int i;

	seq_printf(m, "nr_free_pages %lu\n", vmsim_nr_free());
	seq_printf(m, "nr_anon_pages %lu\n", vmsim_stat_sum(VMSIM_NR_RESIDENT));
	seq_printf(m, "nr_dirty %lu\n", vmsim_stat_sum(VMSIM_NR_DIRTY));
	seq_printf(m, "nr_page_table_pages %ld\n",
		   atomic_long_read(&vmsim_nr_table_pages));
	seq_printf(m, "vmsim_zero_pending %lu\n", vmsim_zero_pending());
	for (i = 0; i < NR_VMSIM_EVENTS; i++)
		seq_printf(m, "%s %lu\n", vmsim_event_names[i],
			   vmsim_event_sum(i));
	return 0;
}

int vmsim_proc_init(void)
{
	if (!proc_create_single("vmsim_meminfo", 0444, NULL,
				vmsim_meminfo_show))
		goto out;
	if (!proc_create_single("vmsim_vmstat", 0444, NULL, vmsim_vmstat_show))
		goto out_remove_meminfo;
	return 0;

out_remove_meminfo:
	remove_proc_entry("vmsim_meminfo", NULL);
out:
	return -ENOMEM;
}

void vmsim_proc_exit(void)
{
	remove_proc_entry("vmsim_vmstat", NULL);
	remove_proc_entry("vmsim_meminfo", NULL);
}
