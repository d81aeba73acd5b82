// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C of a page.
 *
 * Two implementations, both built into every kernel vmsim runs on, so that
 * the module loads without any crypto module present (a test kernel's
 * minimal initramfs has none): the kernel's table-driven __crc32c_le()
 * (lib/crc32.c, CONFIG_CRC32=y), and the SSE4.2 crc32 instruction where the
 * CPU has it.  The faster is chosen by timing at load, as the kernel
 * chooses its XOR and RAID6 routines: on hardware the instruction is many
 * times faster; under emulation (QEMU TCG, where vmsim is tested) it may
 * not be.  Both give the same value.
 */
#include <linux/crc32.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <asm/cpufeature.h>

#include "crc.h"

static u32 vmsim_crc_table(const void *data, size_t len)
{
	return __crc32c_le(~0U, data, len);
}

/* The crc32 instruction, eight bytes at a time: len is a multiple of 8. */
static u32 vmsim_crc_sse42(const void *data, size_t len)
{
	const u64 *p = data;
	u64 crc = ~0U;
	size_t i;

	for (i = 0; i < len / sizeof(u64); i++)
		asm("crc32q %1, %0" : "+r" (crc) : "rm" (p[i]));
	return crc;
}

static u32 (*vmsim_crc_fn)(const void *data, size_t len) = vmsim_crc_table;

/**
 * vmsim_crc_page() - CRC32C of a page's contents
 * @page: the page
 *
 * Context: Any context.
 * Return: the checksum.
 */
u32 vmsim_crc_page(struct page *page)
{
	void *addr = kmap_local_page(page);
	u32 crc = vmsim_crc_fn(addr, PAGE_SIZE);

	kunmap_local(addr);
	return crc;
}

/* Nanoseconds for @fn to checksum @buf (a page) 16 times; the best of 3. */
static u64 vmsim_crc_time(u32 (*fn)(const void *, size_t), const void *buf)
{
	u64 best = U64_MAX;
	int round, i;

	for (round = 0; round < 3; round++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < 16; i++)
			barrier_data((void *)(unsigned long)fn(buf, PAGE_SIZE));
		best = min(best, ktime_get_ns() - t0);
	}
	return best;
}

/**
 * vmsim_crc_init() - choose the faster implementation
 *
 * Context: Process context, at load.
 */
void vmsim_crc_init(void)
{
	const char *name = "table";
	u64 ns_table, ns;
	void *buf;

	buf = (void *)__get_free_page(GFP_KERNEL);
	if (!buf) {
		pr_info("swap checksums: table-driven crc32c (no page to time them)\n");
		return;
	}
	get_random_bytes(buf, PAGE_SIZE);
	ns_table = vmsim_crc_time(vmsim_crc_table, buf);
	ns = ns_table;
	if (boot_cpu_has(X86_FEATURE_XMM4_2)) {
		u64 ns_sse = vmsim_crc_time(vmsim_crc_sse42, buf);

		if (vmsim_crc_sse42(buf, PAGE_SIZE) !=
		    vmsim_crc_table(buf, PAGE_SIZE)) {
			/* Never expected: keep the table, the reference. */
			pr_err("swap checksums: the crc32 instruction disagrees with the table; not using it\n");
		} else if (ns_sse < ns_table) {
			vmsim_crc_fn = vmsim_crc_sse42;
			name = "sse4.2";
			ns = ns_sse;
		}
	}
	free_page((unsigned long)buf);
	pr_info("swap checksums: crc32c (%s), %llu MB/s\n", name,
		div64_u64(16ULL * PAGE_SIZE * 1000, max(ns, 1ULL)));
}
