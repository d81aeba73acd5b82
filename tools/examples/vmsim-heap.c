// SPDX-License-Identifier: GPL-2.0
/*
 * vmsim-heap - use /dev/vmsim as the heap of a real computation, then show
 * what it did to vmsim: the shadow PTEs and the counters.
 *
 * The computation is a sieve of Eratosthenes over [0, N) (default 10^7),
 * one byte per number, in memory taken from a bump allocator over a
 * MAP_SHARED mapping of /dev/vmsim.  Each page of the sieve is demand
 * paged: a zero-filled frame on its first write.  A second array, read but
 * never written, shows the shared zero frame: reading costs no frame.
 *
 * Usage: vmsim-heap [N]
 * Build: part of "make tools"; see Documentation/uapi.rst for the API.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vmsim.h>

/* A heap: a mapping of /dev/vmsim, handed out from the bottom up. */
struct heap {
	int fd;
	char *base;
	size_t size, used;
};

static int heap_init(struct heap *h, size_t size)
{
	h->fd = open(VMSIM_DEVICE, O_RDWR | O_CLOEXEC);
	if (h->fd < 0) {
		fprintf(stderr, "vmsim-heap: cannot open %s: %s\n",
			VMSIM_DEVICE, strerror(errno));
		return -1;
	}
	h->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
	if (h->base == MAP_FAILED) {
		fprintf(stderr, "vmsim-heap: mmap: %s\n", strerror(errno));
		return -1;
	}
	h->size = size;
	h->used = 0;
	return 0;
}

/* Page-aligned blocks, so that each array starts on its own page. */
static void *heap_alloc(struct heap *h, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	len = (len + page - 1) & ~(page - 1);
	if (len > h->size - h->used)
		return NULL;
	p = h->base + h->used;
	h->used += len;
	return p;
}

static unsigned long sieve(unsigned char *composite, unsigned long n)
{
	unsigned long i, j, primes = 0;

	/* The memory is zero-filled: every number starts as a candidate. */
	for (i = 2; i < n; i++) {
		if (composite[i])
			continue;
		primes++;
		for (j = i * i; j < n; j += i)
			composite[j] = 1;
	}
	return primes;
}

/* Count the flags of the shadow PTEs of pages [start, start + n). */
static int show_ptes(int fd, uint64_t start, uint64_t n, const char *what)
{
	unsigned long present = 0, dirty = 0, zero = 0, accessed = 0;
	unsigned long swapped = 0, none = 0;
	struct vmsim_pte_query q;
	uint64_t *e, i;

	e = calloc(n, sizeof(*e));
	if (!e)
		return -1;
	memset(&q, 0, sizeof(q));
	q.start = start;
	q.count = n;
	q.entries = (uintptr_t)e;
	if (ioctl(fd, VMSIM_IOC_PTE_QUERY, &q)) {
		fprintf(stderr, "vmsim-heap: VMSIM_IOC_PTE_QUERY: %s\n",
			strerror(errno));
		free(e);
		return -1;
	}
	for (i = 0; i < q.count; i++) {
		present += !!(e[i] & VMSIM_PTE_PRESENT);
		dirty += !!(e[i] & VMSIM_PTE_DIRTY);
		zero += !!(e[i] & VMSIM_PTE_ZERO);
		accessed += !!(e[i] & VMSIM_PTE_ACCESSED);
		swapped += !!(e[i] & VMSIM_PTE_SWAPPED);
		none += !e[i];
	}
	printf("%-6s pages %llu-%llu: present %lu, dirty %lu, accessed %lu,\n",
	       what, (unsigned long long)start,
	       (unsigned long long)(start + q.count - 1), present, dirty,
	       accessed);
	printf("       zero-frame %lu, swapped %lu, empty %lu\n", zero, swapped,
	       none);
	printf("       first entry %#018llx: pfn %#llx%s%s%s\n",
	       (unsigned long long)e[0],
	       (unsigned long long)((e[0] & VMSIM_PTE_PFN_MASK) >>
				    VMSIM_PTE_PFN_SHIFT),
	       e[0] & VMSIM_PTE_PRESENT ? " present" : "",
	       e[0] & VMSIM_PTE_DIRTY ? " dirty" : "",
	       e[0] & VMSIM_PTE_ZERO ? " zero-frame" : "");
	free(e);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000000UL;
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *sieve_mem, *untouched;
	unsigned long primes, i, sum = 0;
	struct vmsim_stats st;
	struct heap h;

	if (n < 2 || n > (1UL << 30)) {
		fprintf(stderr, "usage: vmsim-heap [N]   (2 <= N <= 2^30)\n");
		return 2;
	}
	if (heap_init(&h, 2 * n + 4 * page))
		return 1;
	sieve_mem = heap_alloc(&h, n);
	untouched = heap_alloc(&h, n);
	if (!sieve_mem || !untouched)
		return 1;

	primes = sieve(sieve_mem, n);
	for (i = 0; i < n; i += page)	/* read, never written */
		sum += untouched[i];
	printf("%lu primes below %lu\n", primes, n);
	printf("sieve: %lu pages of /dev/vmsim written; %s (sum %lu)\n",
	       (n + page - 1) / page, "an array as large beside it only read",
	       sum);

	if (show_ptes(h.fd, 0, (n + page - 1) / page, "sieve") ||
	    show_ptes(h.fd, ((char *)untouched - h.base) / page,
		      (n + page - 1) / page, "read"))
		return 1;

	memset(&st, 0, sizeof(st));
	if (ioctl(h.fd, VMSIM_IOC_STATS, &st)) {
		fprintf(stderr, "vmsim-heap: VMSIM_IOC_STATS: %s\n",
			strerror(errno));
		return 1;
	}
	printf("object %llu: faults %llu (minor %llu, major %llu),\n",
	       (unsigned long long)st.id, (unsigned long long)st.faults,
	       (unsigned long long)st.minor_faults,
	       (unsigned long long)st.major_faults);
	printf("  zero-frame maps %llu, fault-around %llu\n",
	       (unsigned long long)st.zero_maps,
	       (unsigned long long)st.fault_around);
	printf("  resident %llu, dirty %llu, swapped %llu, shadow table pages %llu\n",
	       (unsigned long long)st.resident,
	       (unsigned long long)st.dirty, (unsigned long long)st.swapped,
	       (unsigned long long)st.table_pages);
	munmap(h.base, h.size);
	close(h.fd);
	return 0;
}
