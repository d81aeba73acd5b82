// SPDX-License-Identifier: GPL-2.0
/*
 * vmsim-demo: map /dev/vmsim, touch it, and show what vmsim's
 * /proc/vmsim_meminfo says before, during and after.
 *
 * Usage: vmsim-demo [MiB]     (default 16)
 *
 * Steps: map MiB of an object; read all of it (never-written pages map the
 * shared zero frame and spend nothing); write half of it (each page now
 * takes a frame from the pool); close the object (every frame comes back).
 * A snapshot of /proc/vmsim_meminfo is taken after each step, and every
 * field that is not zero in some snapshot is printed side by side.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vmsim.h>

#define MAX_FIELDS	80
#define NR_SNAPS	4

static const char * const snap_names[NR_SNAPS] = {
	"before", "read all", "wrote half", "after close",
};

struct field {
	char name[64];
	long kb[NR_SNAPS];
};

static struct field fields[MAX_FIELDS];
static int nr_fields;

static void snapshot(int snap)
{
	char line[256], name[64];
	FILE *f;
	long v;
	int i;

	f = fopen("/proc/vmsim_meminfo", "r");
	if (!f) {
		perror("/proc/vmsim_meminfo");
		exit(1);
	}
	for (i = 0; fgets(line, sizeof(line), f) && i < MAX_FIELDS; i++) {
		if (sscanf(line, "%63[^:]: %ld", name, &v) != 2)
			continue;
		if (i >= nr_fields) {
			snprintf(fields[i].name, sizeof(fields[i].name), "%s",
				 name);
			nr_fields = i + 1;
		}
		fields[i].kb[snap] = v;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 16;
	size_t len = mib << 20, pg = sysconf(_SC_PAGESIZE), i;
	char *p;
	unsigned long sum = 0;
	int fd, s, j;

	fd = open(VMSIM_DEVICE, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "vmsim-demo: %s: %s (is vmsim loaded?)\n",
			VMSIM_DEVICE, strerror(errno));
		return 1;
	}
	snapshot(0);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < len; i += pg)
		sum += p[i];
	snapshot(1);

	for (i = 0; i < len / 2; i += pg)
		p[i] = (char)(i / pg);
	snapshot(2);

	munmap(p, len);
	close(fd);
	snapshot(3);

	printf("vmsim-demo: mapped %zu MiB of /dev/vmsim, read it all (sum %lu),\n",
	       mib, sum);
	printf("wrote half of it, closed it\n\n");
	printf("%-16s", "/proc/vmsim_meminfo");
	for (s = 0; s < NR_SNAPS; s++)
		printf(" %14s", snap_names[s]);
	printf("\n");
	for (j = 0; j < nr_fields; j++) {
		int nonzero = 0;

		for (s = 0; s < NR_SNAPS; s++)
			nonzero |= fields[j].kb[s] != 0;
		if (!nonzero)
			continue;
		printf("%-16s", fields[j].name);
		for (s = 0; s < NR_SNAPS; s++)
			printf(" %11ld kB", fields[j].kb[s]);
		printf("\n");
	}
	return 0;
}
