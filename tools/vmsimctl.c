// SPDX-License-Identifier: GPL-2.0
/*
 * vmsimctl - inspect and control vmsim.
 *
 * See Documentation/vmsimctl.rst, or run "vmsimctl --help".
 *
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vmsim.h>

#define EXIT_USAGE	2
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)	__attribute__((__format__(__printf__, a, b)))

static const char *prog = "vmsimctl";

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: %s COMMAND [ARGS]\n"
		"\n"
		"Inspect and control vmsim, the shadow-paging module (/dev/vmsim).\n"
		"\n"
		"Commands:\n"
		"  info                      what the running vmsim is and has\n"
		"  pte PID [ADDR [PAGES]]    shadow PTEs of process PID's mappings of\n"
		"                            /dev/vmsim: the one at ADDR, or all of them;\n"
		"                            at most PAGES pages each (default 64)\n"
		"  help, --help              this text\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n",
		prog);
}

static __printf(1, 2) int fail(const char *fmt, ...);

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

/* Open /dev/vmsim, or say clearly why not; -1 on failure. */
static int open_vmsim(void)
{
	int fd = open(VMSIM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV) {
		fail("vmsim is not loaded (no %s); load it with: insmod vmsim.ko",
		     VMSIM_DEVICE);
	} else if (errno == EACCES || errno == EPERM) {
		struct stat st = { 0 };

		stat(VMSIM_DEVICE, &st);
		fail("permission denied opening %s (mode %04o, owner %u:%u): %s",
		     VMSIM_DEVICE, st.st_mode & 07777, st.st_uid, st.st_gid,
		     "run as root, or load vmsim with dev_mode=0660 and join its group");
	} else {
		fail("%s: %s", VMSIM_DEVICE, strerror(errno));
	}
	return -1;
}

static int parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static int cmd_info(int argc, char **argv)
{
	struct vmsim_info info = { 0 };
	int fd;

	if (argc != 1) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	fd = open_vmsim();
	if (fd < 0)
		return EXIT_FAILURE;
	if (ioctl(fd, VMSIM_IOC_INFO, &info))
		return fail("VMSIM_IOC_INFO: %s", strerror(errno));
	close(fd);
	printf("abi version:     %u\n", info.abi_version);
	printf("page size:       %u\n", info.page_size);
	printf("pool:            %llu frames (%llu MiB)\n",
	       (unsigned long long)info.pool_pages,
	       (unsigned long long)info.pool_pages * info.page_size >> 20);
	printf("largest object:  %llu pages (%llu MiB)\n",
	       (unsigned long long)info.max_object_pages,
	       (unsigned long long)info.max_object_pages * info.page_size >> 20);
	printf("features:       %s%s%s%s%s\n",
	       info.features & VMSIM_FEAT_POOL ? " pool" : "",
	       info.features & VMSIM_FEAT_PTE_QUERY ? " pte-query" : "",
	       info.features & VMSIM_FEAT_ADVISE ? " advise" : "",
	       info.features & VMSIM_FEAT_STATS ? " stats" : "",
	       info.features & VMSIM_FEAT_FAULT_AROUND ? " fault-around" : "");
	return 0;
}

/* One flag letter per bit, '-' when clear. */
static void pte_flags(unsigned long long e, char *buf)
{
	static const struct {
		unsigned long long bit;
		char c;
	} f[] = {
		{ VMSIM_PTE_PRESENT, 'P' }, { VMSIM_PTE_RW, 'W' },
		{ VMSIM_PTE_USER, 'U' }, { VMSIM_PTE_ACCESSED, 'A' },
		{ VMSIM_PTE_DIRTY, 'D' }, { VMSIM_PTE_SWAPPED, 'S' },
		{ VMSIM_PTE_ZERO, 'Z' }, { VMSIM_PTE_ACTIVE, 'a' },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		buf[i] = e & f[i].bit ? f[i].c : '-';
	buf[i] = 0;
}

static int show_ptes(int fd, int pid, unsigned long long addr, unsigned long long pages)
{
	unsigned long long *ent, i;
	struct vmsim_pte_query q = {
		.start = addr,
		.count = pages,
		.pid = pid,
		.flags = VMSIM_QUERY_ADDR,
	};
	char flags[16];

	ent = calloc(pages, sizeof(*ent));
	if (!ent)
		return fail("out of memory");
	q.entries = (uintptr_t)ent;
	if (ioctl(fd, VMSIM_IOC_PTE_QUERY, &q)) {
		int err = errno;

		free(ent);
		if (err == EINVAL)
			return fail("pid %d has no mapping of %s at %#llx",
				    pid, VMSIM_DEVICE, addr);
		if (err == EPERM)
			return fail("not allowed to read pid %d (%s)", pid,
				    "needs CAP_SYS_PTRACE or the same user");
		if (err == ESRCH)
			return fail("no process %d", pid);
		return fail("VMSIM_IOC_PTE_QUERY: %s", strerror(err));
	}

	addr &= ~(unsigned long long)(sysconf(_SC_PAGESIZE) - 1);
	printf("pid %d, object %llu, pages %llu-%llu at %#llx\n",
	       pid, (unsigned long long)q.object_id, (unsigned long long)q.index,
	       (unsigned long long)(q.index + q.count - 1), addr);
	printf("%-18s %10s  %-8s  %s\n", "ADDRESS", "PAGE", "FLAGS", "FRAME/SLOT");
	for (i = 0; i < q.count; i++) {
		unsigned long long e = ent[i];

		pte_flags(e, flags);
		printf("%#018llx %10llu  %s  ",
		       addr + i * sysconf(_SC_PAGESIZE),
		       (unsigned long long)q.index + i, flags);
		if (e & VMSIM_PTE_PRESENT)
			printf("pfn %#llx\n",
			       (unsigned long long)((e & VMSIM_PTE_PFN_MASK) >>
					  VMSIM_PTE_PFN_SHIFT));
		else if (e & VMSIM_PTE_SWAPPED)
			printf("swap %llu:%llu\n",
			       (unsigned long long)VMSIM_PTE_SWP_TYPE(e),
			       (unsigned long long)VMSIM_PTE_SWP_OFFSET(e));
		else if (e & VMSIM_PTE_ZERO)
			printf("zero frame\n");
		else
			printf("-\n");
	}
	free(ent);
	return 0;
}

static int cmd_pte(int argc, char **argv)
{
	unsigned long long pid, addr, pages = 64;
	char path[64], line[512];
	int fd, ret = 0, found = 0;
	FILE *maps;

	if (argc < 2 || argc > 4 || parse_u64(argv[1], &pid) ||
	    (argc > 2 && parse_u64(argv[2], &addr)) ||
	    (argc > 3 && (parse_u64(argv[3], &pages) || !pages))) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	fd = open_vmsim();
	if (fd < 0)
		return EXIT_FAILURE;
	if (argc > 2) {
		ret = show_ptes(fd, pid, addr, pages);
		close(fd);
		return ret;
	}

	/* Every mapping of /dev/vmsim in /proc/PID/maps. */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	if (!maps) {
		close(fd);
		return fail("%s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long start, end;

		if (!strstr(line, VMSIM_DEVICE) ||
		    sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		if (found++)
			printf("\n");
		ret |= show_ptes(fd, pid, start, pages);
	}
	fclose(maps);
	close(fd);
	if (!found)
		return fail("pid %d has no mapping of %s", (int)pid,
			    VMSIM_DEVICE);
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
	{ "pte", cmd_pte },
};

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		print_help(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n\n", prog, argv[1]);
	print_help(stderr);
	return EXIT_USAGE;
}
