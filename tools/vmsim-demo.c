// SPDX-License-Identifier: GPL-2.0
/*
 * vmsim-demo: the life of a page on vmsim, told with vmsim's own tools.
 *
 * Usage: vmsim-demo [MiB]     (default: 3 x the pool)
 *
 * Maps an object of MiB of /dev/vmsim (larger than the pool, so that it
 * must swap), and follows its first pages through every state, printing
 * their shadow PTEs with "vmsimctl pte" after each step:
 *   1. read:  never written, they map the shared zero frame (Z)
 *   2. write: each takes a frame from the pool, present and dirty (P D)
 *   3. write all the rest, a tag in every page: the pool fills, vmsimd
 *      and direct reclaim write the oldest pages to swap (S, a slot)
 *   4. read everything back, last page first, and check every tag: the
 *      first pages come back from swap, present again and clean, their
 *      copy still in swap (P S) until they are written
 *   5. close: every frame and slot returns
 * and /proc/vmsim_meminfo's main lines after each step.  Exit status 0
 * only if every page read back what was written.
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

#define SHOWN	4	/* pages followed */

static size_t page_size;

static long meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/vmsim_meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void step(int n, const char *what, const char *p)
{
	char cmd[128];

	printf("\n== %d. %s\n", n, what);
	printf("   MemFree %ld kB, Active %ld kB, Inactive %ld kB, SwapFree %ld of %ld kB\n",
	       meminfo_kb("MemFree"), meminfo_kb("Active"),
	       meminfo_kb("Inactive"), meminfo_kb("SwapFree"),
	       meminfo_kb("SwapTotal"));
	if (!p)
		return;
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "vmsimctl pte %d %p %d", (int)getpid(),
		 (void *)p, SHOWN);
	if (system(cmd))
		printf("   (vmsimctl pte failed)\n");
}

static uint64_t tag(size_t i)
{
	return i * 0x9e3779b97f4a7c15ULL + 1;
}

int main(int argc, char **argv)
{
	struct vmsim_info info = { 0 };
	size_t len, pages, i, bad = 0;
	unsigned long sum = 0;
	char *p;
	int fd;

	page_size = sysconf(_SC_PAGESIZE);
	fd = open(VMSIM_DEVICE, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "vmsim-demo: %s: %s (is vmsim loaded?)\n",
			VMSIM_DEVICE, strerror(errno));
		return 1;
	}
	if (ioctl(fd, VMSIM_IOC_INFO, &info)) {
		perror("vmsim-demo: VMSIM_IOC_INFO");
		return 1;
	}
	len = argc > 1 ? strtoul(argv[1], NULL, 0) << 20 :
			 3 * info.pool_pages * page_size;
	pages = len / page_size;
	if (pages < SHOWN) {
		fprintf(stderr, "vmsim-demo: too small\n");
		return 2;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("vmsim-demo: mmap");
		return 1;
	}
	printf("vmsim-demo: pid %d mapped %zu MiB of /dev/vmsim (%zu pages; the pool has %llu)\n",
	       (int)getpid(), len >> 20, pages,
	       (unsigned long long)info.pool_pages);

	step(0, "mapped, nothing touched: no page has anything", p);

	for (i = 0; i < SHOWN; i++)
		sum += p[i * page_size];
	step(1, "read the first pages: the zero frame, no pool frame spent", p);

	for (i = 0; i < SHOWN; i++)
		*(uint64_t *)(p + i * page_size) = tag(i);
	step(2, "wrote them: each has a frame of its own, dirty", p);

	for (i = SHOWN; i < pages; i++)
		*(uint64_t *)(p + i * page_size) = tag(i);
	step(3, "wrote every page, 3 pools' worth: the oldest went to swap", p);

	/* Last page first, so that the first pages are the last to come back. */
	for (i = pages; i-- > 0;)
		if (*(uint64_t *)(p + i * page_size) != tag(i))
			bad++;
	step(4, "read every page back and checked it: the first came back from swap", p);

	munmap(p, len);
	close(fd);
	step(5, "closed: every frame and slot is free again", NULL);

	printf("\nvmsim-demo: %zu pages written, swapped and read back: %zu bad",
	       pages, bad);
	printf(" (sum of zero reads %lu)\n", sum);
	return bad ? 1 : 0;
}
