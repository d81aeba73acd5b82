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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>
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
		"  mkswap DEV                make block device DEV a vmsim swap area\n"
		"                            (erases its first page)\n"
		"  swapon [-p PRIO] DEV      start swapping to DEV (priority 0-32767;\n"
		"                            higher first, equal ones in turn)\n"
		"  swapoff DEV               bring every page back from DEV, stop using it\n"
		"  swaps [SWAPON_ARGS]       the swap areas that are on, as shown by\n"
		"                            util-linux's swapon (default --show; -s for\n"
		"                            the /proc/swaps layout)\n"
		"  free [FREE_ARGS]          procps free(1) on vmsim's pool\n"
		"  vmstat [VMSTAT_ARGS]      procps vmstat(8) on vmsim's pool, e.g.\n"
		"                            \"vmstat 1\" or \"vmstat -s\"\n"
		"  top [-d SECS] [-n COUNT] [-E k|m|g]\n"
		"                            procps top's summary on vmsim's pool, then\n"
		"                            every object by resident pages; every SECS\n"
		"                            (default 1), COUNT times (default: forever)\n"
		"  objects                   every object: owner, size, resident,\n"
		"                            swapped and dirty pages, faults\n"
		"  policy [NAME]             the page replacement policies, the one that\n"
		"                            is on marked; with NAME, switch to it (lru2,\n"
		"                            clock, fifo, random, faclock)\n"
		"  record [-o PNG] [-i MS] (-p PID | -- CMD [ARGS])\n"
		"                            sample the pool, the fault and swap counters\n"
		"                            and the pages of CMD's (or PID's) largest\n"
		"                            mapping of /dev/vmsim every MS ms (default\n"
		"                            200) until it exits; draw them with gnuplot\n"
		"                            into PNG (default vmsim-record.png)\n"
		"  run [-s SIZE] [-a ALLOC] [-v] -- CMD [ARGS]\n"
		"                            run an unmodified program with its heap (its\n"
		"                            private anonymous memory) on vmsim: at most\n"
		"                            SIZE bytes per process (K, M, G suffixes;\n"
		"                            default max_object_mb), behind allocator ALLOC\n"
		"                            (mimalloc, the default, jemalloc or none);\n"
		"                            -v: a summary at exit, as time -v gives\n"
		"  help, --help              this text\n"
		"\n"
		"free, vmstat, swaps and top run the real tools in a private mount\n"
		"namespace where /proc/meminfo, /proc/vmstat and /proc/swaps are\n"
		"vmsim's files; that needs root (CAP_SYS_ADMIN).\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad usage; free, vmstat and\n"
		"swaps exit as the tool does.\n",
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
	printf("features:       %s%s%s%s%s%s%s%s\n",
	       info.features & VMSIM_FEAT_POOL ? " pool" : "",
	       info.features & VMSIM_FEAT_PTE_QUERY ? " pte-query" : "",
	       info.features & VMSIM_FEAT_ADVISE ? " advise" : "",
	       info.features & VMSIM_FEAT_STATS ? " stats" : "",
	       info.features & VMSIM_FEAT_FAULT_AROUND ? " fault-around" : "",
	       info.features & VMSIM_FEAT_RECLAIM ? " reclaim" : "",
	       info.features & VMSIM_FEAT_SWAP ? " swap" : "",
	       info.features & VMSIM_FEAT_CLONE ? " clone" : "");
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
		{ VMSIM_PTE_COW, 'C' },
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
	printf("%-18s %10s  %-9s  %s\n", "ADDRESS", "PAGE", "FLAGS", "FRAME/SLOT");
	for (i = 0; i < q.count; i++) {
		unsigned long long e = ent[i];

		pte_flags(e, flags);
		printf("%#018llx %10llu  %s  ",
		       addr + i * sysconf(_SC_PAGESIZE),
		       (unsigned long long)q.index + i, flags);
		if (e & VMSIM_PTE_PRESENT)
			printf("pfn %#llx",
			       (unsigned long long)((e & VMSIM_PTE_PFN_MASK) >>
					  VMSIM_PTE_PFN_SHIFT));
		else if (e & VMSIM_PTE_SWAPPED)
			printf("swap %llu:%llu",
			       (unsigned long long)VMSIM_PTE_SWP_TYPE(e),
			       (unsigned long long)VMSIM_PTE_SWP_OFFSET(e));
		else if (e & VMSIM_PTE_ZERO)
			printf("zero frame");
		else
			printf("-");
		if (e & VMSIM_PTE_COW)
			printf(", shared by %llu",
			       (unsigned long long)VMSIM_PTE_SHARERS(e));
		putchar('\n');
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

static int cmd_mkswap(int argc, char **argv)
{
	struct vmsim_swap_header *h;
	unsigned long long bytes, pages;
	long pg = sysconf(_SC_PAGESIZE);
	struct stat st;
	char *buf;
	int fd, i;

	if (argc != 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	/* O_EXCL on a block device: refused if mounted or claimed. */
	fd = open(argv[1], O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EBUSY)
			return fail("%s is busy: mounted, or in use", argv[1]);
		return fail("%s: %s", argv[1], strerror(errno));
	}
	if (fstat(fd, &st) || !S_ISBLK(st.st_mode)) {
		close(fd);
		return fail("%s is not a block device", argv[1]);
	}
	if (ioctl(fd, BLKGETSIZE64, &bytes)) {
		close(fd);
		return fail("%s: cannot get its size: %s", argv[1],
			    strerror(errno));
	}
	pages = bytes / pg;
	if (pages < 2) {
		close(fd);
		return fail("%s is too small: %llu bytes", argv[1], bytes);
	}
	buf = calloc(1, pg);
	if (!buf)
		return fail("out of memory");
	h = (struct vmsim_swap_header *)buf;
	memcpy(h->magic, VMSIM_SWAP_MAGIC, sizeof(VMSIM_SWAP_MAGIC));
	h->version = htole32(VMSIM_SWAP_VERSION);
	h->page_size = htole32(pg);
	h->nr_pages = htole64(pages);
	if (getrandom(h->uuid, sizeof(h->uuid), 0) != sizeof(h->uuid)) {
		free(buf);
		close(fd);
		return fail("cannot get random bytes for the UUID");
	}
	if (pwrite(fd, buf, pg, 0) != pg || fsync(fd)) {
		int err = errno;

		free(buf);
		close(fd);
		return fail("%s: cannot write the header: %s", argv[1],
			    strerror(err));
	}
	close(fd);
	printf("vmsim swap area on %s: %llu pages (%llu MiB), UUID ", argv[1],
	       pages - 1, (pages - 1) * pg >> 20);
	for (i = 0; i < 16; i++)
		printf("%02x%s", h->uuid[i],
		       i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
	printf("\n");
	free(buf);
	return 0;
}

static int swap_ioctl(unsigned long cmd, const char *path, int prio,
		      unsigned int flags)
{
	struct vmsim_swapon args = {
		.path = (uintptr_t)path,
		.priority = prio,
		.flags = flags,
	};
	const char *what = cmd == VMSIM_IOC_SWAPON ? "swapon" : "swapoff";
	int fd, err;

	fd = open_vmsim();
	if (fd < 0)
		return EXIT_FAILURE;
	err = ioctl(fd, cmd, &args) ? errno : 0;
	close(fd);
	switch (err) {
	case 0:
		return 0;
	case EPERM:
		return fail("%s %s: not permitted (needs CAP_SYS_ADMIN)", what,
			    path);
	case ENOTBLK:
		return fail("%s %s: not a block device", what, path);
	case EBUSY:
		return fail("%s %s: busy: mounted, or in use by something else",
			    what, path);
	case ENOMEM:
		return fail("%s %s: the pages stored there would not fit in memory",
			    what, path);
	case EIO:
		return fail("%s %s: pages could not be read back; area stays on",
			    what, path);
	case EINVAL:
		if (cmd == VMSIM_IOC_SWAPON)
			return fail("swapon %s: not a vmsim swap area (see mkswap)",
				    path);
		return fail("swapoff %s: not a vmsim swap area that is on",
			    path);
	default:
		return fail("%s %s: %s", what, path, strerror(err));
	}
}

static int cmd_swapon(int argc, char **argv)
{
	unsigned long long prio;

	if (argc == 4 && !strcmp(argv[1], "-p") && !parse_u64(argv[2], &prio) &&
	    prio <= VMSIM_SWAP_PRIO_MAX)
		return swap_ioctl(VMSIM_IOC_SWAPON, argv[3], prio,
				  VMSIM_SWAP_FLAG_PREFER);
	if (argc == 2)
		return swap_ioctl(VMSIM_IOC_SWAPON, argv[1], 0, 0);
	print_help(stderr);
	return EXIT_USAGE;
}

static int cmd_swapoff(int argc, char **argv)
{
	if (argc != 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	return swap_ioctl(VMSIM_IOC_SWAPOFF, argv[1], 0, 0);
}

/*
 * ------------------------------------------------------------------------
 * The familiar tools, on vmsim's pool
 *
 * free, vmstat, swapon and top read /proc/meminfo, /proc/vmstat and
 * /proc/swaps.  In a private mount namespace vmsim's files are bind-mounted
 * over those three, and the real tools then describe vmsim's pool; what
 * they read elsewhere (/proc/stat, /proc/PID) is still the kernel's.
 */

/* The procps or util-linux program @name, never a busybox applet. */
static int find_tool(const char *name, char *path, size_t len)
{
	static const char *const dirs[] = {
		"/usr/bin", "/usr/sbin", "/bin", "/sbin",
	};
	char real[PATH_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, len, "%s/%s", dirs[i], name);
		if (access(path, X_OK) || !realpath(path, real) ||
		    strstr(real, "busybox"))
			continue;
		return 0;
	}
	return fail("%s not found (install %s)", name,
		    strcmp(name, "swapon") ? "procps" : "util-linux");
}

/* Enter a mount namespace in which the kernel's files are vmsim's. */
static int enter_vmsim_namespace(const char *cmd)
{
	static const struct {
		const char *vmsim, *kernel;
	} files[] = {
		{ "/proc/vmsim_meminfo", "/proc/meminfo" },
		{ "/proc/vmsim_vmstat", "/proc/vmstat" },
		{ "/proc/vmsim_swaps", "/proc/swaps" },
	};
	unsigned int i;

	if (access(files[0].vmsim, R_OK))
		return fail("vmsim is not loaded (no %s)", files[0].vmsim);
	if (unshare(CLONE_NEWNS)) {
		if (errno == EPERM)
			return fail("%s needs root (CAP_SYS_ADMIN): %s %s", cmd,
				    "it mounts vmsim's /proc files over the",
				    "kernel's in a private mount namespace");
		return fail("unshare(CLONE_NEWNS): %s", strerror(errno));
	}
	/* Nothing mounted here may propagate back to the real namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return fail("making mounts private: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (mount(files[i].vmsim, files[i].kernel, NULL, MS_BIND, NULL))
			return fail("mount --bind %s %s: %s", files[i].vmsim,
				    files[i].kernel, strerror(errno));
	return 0;
}

/*
 * Start @path with @argv, its file descriptor @fd (standard output or
 * error) going into a pipe; return the pipe's read end, or NULL.
 */
static FILE *spawn_piped(const char *path, char **argv, int fd, pid_t *pid)
{
	int pipefd[2];
	FILE *f;

	if (pipe(pipefd)) {
		fail("pipe: %s", strerror(errno));
		return NULL;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		fail("fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return NULL;
	}
	if (!*pid) {
		dup2(pipefd[1], fd);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(path, argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", prog, path,
			strerror(errno));
		_exit(EXIT_FAILURE);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	if (!f)
		close(pipefd[0]);
	return f;
}

/* Wait for @pid; its exit status, or EXIT_FAILURE. */
static int wait_tool(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return fail("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE;
}

/*
 * Run @path with @argv and its stderr through a pipe, dropping the lines
 * that contain @drop; return its exit status.
 */
static int run_filtered(const char *path, char **argv, const char *drop)
{
	char line[1024];
	pid_t pid;
	FILE *f;

	f = spawn_piped(path, argv, STDERR_FILENO, &pid);
	if (!f)
		return EXIT_FAILURE;
	while (fgets(line, sizeof(line), f))
		if (!strstr(line, drop))
			fputs(line, stderr);
	fclose(f);
	return wait_tool(pid);
}

/*
 * Run @tool with @args on vmsim's files, in place of us; or as a child when
 * @drop names stderr lines to hide.
 */
static int exec_tool(const char *cmd, const char *tool, char **args, int nargs,
		     const char *drop)
{
	char path[PATH_MAX];
	char **argv;
	int i;

	if (find_tool(tool, path, sizeof(path)) || enter_vmsim_namespace(cmd))
		return EXIT_FAILURE;
	argv = calloc(nargs + 2, sizeof(*argv));
	if (!argv)
		return fail("out of memory");
	argv[0] = (char *)tool;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (drop)
		return run_filtered(path, argv, drop);
	fflush(stdout);
	execv(path, argv);
	return fail("cannot run %s: %s", path, strerror(errno));
}

static int cmd_free(int argc, char **argv)
{
	return exec_tool("free", "free", argv + 1, argc - 1, NULL);
}

static int cmd_vmstat(int argc, char **argv)
{
	return exec_tool("vmstat", "vmstat", argv + 1, argc - 1, NULL);
}

/*
 * swapon --show probes each device for a Linux swap signature (for its UUID
 * and LABEL columns) and complains that a vmsim area has none, which is as
 * it should be: drop that line.
 */
static int cmd_swaps(int argc, char **argv)
{
	static const char drop[] = ": not a valid swap partition";
	char show_arg[] = "--show";
	char *show = show_arg;

	if (argc == 1)
		return exec_tool("swaps", "swapon", &show, 1, drop);
	return exec_tool("swaps", "swapon", argv + 1, argc - 1, drop);
}

struct object_line {
	unsigned long long resident;
	char *text;
};

static int cmp_resident(const void *a, const void *b)
{
	const struct object_line *x = a, *y = b;

	return x->resident < y->resident ? 1 : x->resident > y->resident ? -1 : 0;
}

/*
 * Print /proc/vmsim_objects, its rows sorted by resident pages (most
 * first) when @sorted.
 */
static int print_objects(bool sorted)
{
	struct object_line *rows = NULL;
	size_t n = 0, cap = 0, i;
	char line[512];
	FILE *f;

	f = fopen("/proc/vmsim_objects", "r");
	if (!f)
		return fail("vmsim is not loaded (no /proc/vmsim_objects)");
	if (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long resident = 0;

		if (n == cap) {
			struct object_line *r;

			cap = cap ? 2 * cap : 64;
			r = realloc(rows, cap * sizeof(*rows));
			if (!r)
				break;
			rows = r;
		}
		/* id pid comm maps size resident ... (comm has no spaces) */
		sscanf(line, "%*u %*d %*s %*u %*u %llu", &resident);
		rows[n].resident = resident;
		rows[n].text = strdup(line);
		if (rows[n].text)
			n++;
	}
	fclose(f);
	if (sorted)
		qsort(rows, n, sizeof(*rows), cmp_resident);
	for (i = 0; i < n; i++) {
		fputs(rows[i].text, stdout);
		free(rows[i].text);
	}
	free(rows);
	return 0;
}

static int cmd_objects(int argc, char **argv)
{
	if (argc != 1) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	return print_objects(false);
}

#define POLICY_PARAM	"/sys/module/vmsim/parameters/policy"

/* What each policy is, for "vmsimctl policy". */
static const struct {
	const char *name, *what;
} policy_help[] = {
	{ "lru2", "two lists, active and inactive, with refault distance (Linux 6.1)" },
	{ "clock", "one CLOCK: a referenced page gets a second chance" },
	{ "fifo", "the first page in goes first, used or not" },
	{ "random", "a resident page at random" },
	{ "faclock", "a window, then a CLOCK that admits by frequency (default)" },
};

static int cmd_policy(int argc, char **argv)
{
	char line[256], *cur, *end;
	size_t i;
	FILE *f;

	if (argc > 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (argc == 2) {
		f = fopen(POLICY_PARAM, "w");
		if (!f)
			return fail("cannot open %s: %s%s", POLICY_PARAM,
				    strerror(errno), errno == ENOENT ?
				    " (is vmsim loaded?)" : "");
		if (fputs(argv[1], f) < 0 || fclose(f))
			return fail("cannot switch to policy '%s': %s%s", argv[1],
				    strerror(errno), errno == EINVAL ?
				    " (see vmsimctl policy)" : "");
		return 0;
	}
	f = fopen(POLICY_PARAM, "r");
	if (!f)
		return fail("cannot open %s: %s%s", POLICY_PARAM,
			    strerror(errno), errno == ENOENT ?
			    " (is vmsim loaded?)" : "");
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return fail("cannot read %s", POLICY_PARAM);
	}
	fclose(f);
	cur = strchr(line, '[');
	end = cur ? strchr(cur, ']') : NULL;
	if (!end)
		return fail("cannot parse %s: %s", POLICY_PARAM, line);
	*end = 0;
	cur++;
	for (i = 0; i < ARRAY_SIZE(policy_help); i++)
		printf("%c %-8s %s\n", strcmp(cur, policy_help[i].name) ? ' ' : '*',
		       policy_help[i].name, policy_help[i].what);
	return 0;
}

/* top's summary lines: everything up to the first blank line. */
static int top_summary(const char *path, const char *scale)
{
	char line[1024], *argv[9];
	int n = 0;
	pid_t pid;
	FILE *f;

	argv[n++] = "top";
	argv[n++] = "-b";		/* batch: no terminal */
	argv[n++] = "-n";
	argv[n++] = "1";
	argv[n++] = "-w";
	argv[n++] = "200";
	if (scale) {
		argv[n++] = "-E";
		argv[n++] = (char *)scale;
	}
	argv[n] = NULL;

	f = spawn_piped(path, argv, STDOUT_FILENO, &pid);
	if (!f)
		return EXIT_FAILURE;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '\n')
			break;
		fputs(line, stdout);
	}
	fclose(f);	/* top may get SIGPIPE: fine */
	wait_tool(pid);
	return 0;
}

static int cmd_top(int argc, char **argv)
{
	unsigned long long delay = 1, count = 0, i;
	const char *scale = NULL;
	char path[PATH_MAX];
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "d:n:E:")) != -1) {
		switch (opt) {
		case 'd':
			if (parse_u64(optarg, &delay) || !delay)
				return fail("bad delay '%s'", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &count) || !count)
				return fail("bad count '%s'", optarg);
			break;
		case 'E':
			scale = optarg;
			break;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (find_tool("top", path, sizeof(path)) || enter_vmsim_namespace("top"))
		return EXIT_FAILURE;
	/* Batch mode needs no terminal description. */
	setenv("TERM", "dumb", 1);
	for (i = 0; !count || i < count; i++) {
		if (i)
			sleep(delay);
		if (isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		if (top_summary(path, scale))
			return EXIT_FAILURE;
		putchar('\n');
		if (print_objects(true))
			return EXIT_FAILURE;
		fflush(stdout);
	}
	return 0;
}

/*
 * ------------------------------------------------------------------------
 * record: vmsim over time, as a picture
 *
 * Every interval: the pool's lines of /proc/vmsim_meminfo, the fault and
 * swap counters of /proc/vmsim_vmstat, and the shadow PTEs of the largest
 * mapping of /dev/vmsim in the process watched, folded into at most
 * RECORD_COLS columns (each the state most of its pages are in).  Written
 * as FILE.counters and FILE.pages (text, one line per sample) and drawn
 * into FILE with gnuplot, which FILE.gp does again.
 */
#define RECORD_COLS	400
#define RECORD_MAX_PAGES (1024ULL * 1024)	/* the most a row looks at */

enum { ST_NONE, ST_ZERO, ST_CLEAN, ST_ACCESSED, ST_DIRTY, ST_SWAPPED, NR_ST };

static int page_state(unsigned long long e)
{
	if (e & VMSIM_PTE_PRESENT) {
		if (e & VMSIM_PTE_DIRTY)
			return ST_DIRTY;
		return e & VMSIM_PTE_ACCESSED ? ST_ACCESSED : ST_CLEAN;
	}
	if (e & VMSIM_PTE_SWAPPED)
		return ST_SWAPPED;
	return e & VMSIM_PTE_ZERO ? ST_ZERO : ST_NONE;
}

/* The value of @name in a "name value" or "Name: value kB" file; -1 if not. */
static long long proc_value(const char *path, const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) &&
		    (line[n] == ' ' || line[n] == ':')) {
			v = strtoll(line + n + 1 + (line[n] == ':'), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The largest mapping of /dev/vmsim in @pid: 0 and *@start, *@pages. */
static int largest_mapping(int pid, unsigned long long *start,
			   unsigned long long *pages)
{
	unsigned long long s, e, best = 0;
	char path[64], line[512];
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	if (!maps)
		return -1;
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, VMSIM_DEVICE) &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2 && e - s > best) {
			best = e - s;
			*start = s;
		}
	fclose(maps);
	*pages = best / sysconf(_SC_PAGESIZE);
	if (*pages > RECORD_MAX_PAGES)
		*pages = RECORD_MAX_PAGES;
	return best ? 0 : -1;
}

/* One row of the page map: @cols columns, each its pages' usual state. */
static int page_row(int fd, int pid, unsigned long long start,
		    unsigned long long pages, unsigned long long *ent,
		    int *row, unsigned int cols)
{
	struct vmsim_pte_query q = {
		.start = start, .count = pages, .pid = pid,
		.flags = VMSIM_QUERY_ADDR, .entries = (uintptr_t)ent,
	};
	unsigned int c, s;

	if (ioctl(fd, VMSIM_IOC_PTE_QUERY, &q))
		return -1;
	for (c = 0; c < cols; c++) {
		unsigned long long i, lo = c * q.count / cols,
				   hi = (c + 1) * q.count / cols;
		unsigned int n[NR_ST] = { 0 }, best = 0;

		for (i = lo; i < hi || i == lo; i++)
			n[page_state(i < q.count ? ent[i] : 0)]++;
		for (s = 1; s < NR_ST; s++)
			if (n[s] > n[best])
				best = s;
		row[c] = best;
	}
	return 0;
}

static const char record_gp[] =
	"set terminal %s size 1000,1100 font '%s,9' noenhanced\n"
	"set output '%s'\n"
	"set multiplot layout 3,1 title 'vmsimctl record: %s'\n"
	"set key outside right top\n"
	"set grid\n"
	"set xlabel 'seconds'\n"
	"set ylabel 'MiB'\n"
	"set title 'the pool'\n"
	"plot '%s' using 1:2 with lines lw 2 title 'free', \\\n"
	"  '' using 1:3 with lines lw 2 title 'active', \\\n"
	"  '' using 1:4 with lines lw 2 title 'inactive', \\\n"
	"  '' using 1:5 with lines lw 2 title 'swapped'\n"
	"set ylabel 'pages per second'\n"
	"set title 'faults and swap I/O'\n"
	"plot '%s' using 1:6 with lines lw 2 title 'faults', \\\n"
	"  '' using 1:7 with lines lw 2 title 'major faults', \\\n"
	"  '' using 1:8 with lines lw 2 title 'swapped in', \\\n"
	"  '' using 1:9 with lines lw 2 title 'swapped out'\n"
	"set title 'the pages of %s (%llu pages, %u to a column): time goes down'\n"
	"unset grid\n"
	"set xlabel 'page'\n"
	"set ylabel 'seconds'\n"
	"set yrange [*:*] reverse\n"
	"set palette defined (0 'white', 1 '#b8b8b8', 2 '#3b6fd0', 3 '#2ca02c', 4 '#f0a020', 5 '#d62728')\n"
	"set palette maxcolors 6\n"
	"set cbrange [-0.5:5.5]\n"
	"set xrange [0:%llu]\n"
	"set cbtics ('nothing' 0, 'zero frame' 1, 'present' 2, 'accessed' 3, 'dirty' 4, 'swapped' 5)\n"
	"plot '%s' using ($1*%g):2:3 with image notitle\n"
	"unset multiplot\n";

static int cmd_record(int argc, char **argv)
{
	const char *out = "vmsim-record.png", *term = "png";
	const char *font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
	unsigned long long start = 0, pages = 0, *ent = NULL;
	long long prev[4] = { -1, -1, -1, -1 }, now[4];
	char counters[PATH_MAX], map[PATH_MAX], gp[PATH_MAX], what[256] = "";
	unsigned int interval_ms = 200, cols = 0, samples = 0, i, ms;
	int fd, pid = 0, child = 0, opt, status = 0, row[RECORD_COLS];
	int child_gp, gp_status, stop = 0;
	bool has_cmd;
	struct timespec wait;
	sigset_t sigint;
	double t0, t, last = 0;
	struct timespec ts;
	FILE *fc, *fm, *fg;

	optind = 1;
	while ((opt = getopt(argc, argv, "+o:i:p:")) != -1) {
		unsigned long long v;

		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'i':
			if (parse_u64(optarg, &v) || v < 10 || v > 60000)
				return fail("-i: an interval in ms, 10 to 60000");
			interval_ms = v;
			break;
		case 'p':
			if (parse_u64(optarg, &v) || !v || v > INT_MAX)
				return fail("-p: a pid");
			pid = v;
			break;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	/* A pid or a command, not both, not neither. */
	has_cmd = optind < argc;
	if (!!pid == has_cmd) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (pid && kill(pid, 0) && errno == ESRCH)
		return fail("no process %d", pid);
	fd = open_vmsim();
	if (fd < 0)
		return EXIT_FAILURE;
	snprintf(counters, sizeof(counters), "%s.counters", out);
	snprintf(map, sizeof(map), "%s.pages", out);
	snprintf(gp, sizeof(gp), "%s.gp", out);
	fc = fopen(counters, "w");
	fm = fopen(map, "w");
	ent = calloc(RECORD_MAX_PAGES, sizeof(*ent));
	if (!fc || !fm || !ent)
		return fail("cannot write %s and %s: %s", counters, map,
			    strerror(errno));
	fprintf(fc, "# seconds free active inactive swapped (MiB); %s\n",
		"faults majflt pswpin pswpout (/s)");

	/* Ctrl-C ends the recording (and reaches CMD): taken in sigtimedwait. */
	sigemptyset(&sigint);
	sigaddset(&sigint, SIGINT);
	sigprocmask(SIG_BLOCK, &sigint, NULL);
	if (!pid) {
		for (i = optind; i < (unsigned int)argc; i++)
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 "%s%s", i > (unsigned int)optind ? " " : "", argv[i]);
		fflush(NULL);
		child = fork();
		if (child < 0)
			return fail("fork: %s", strerror(errno));
		if (!child) {
			sigprocmask(SIG_UNBLOCK, &sigint, NULL);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "%s: cannot run %s: %s\n", prog,
				argv[optind], strerror(errno));
			_exit(127);
		}
		pid = child;
	} else {
		snprintf(what, sizeof(what), "pid %d", pid);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;

	while (!stop) {
		static const char *const names[4] = {
			"pgfault", "pgmajfault", "pswpin", "pswpout",
		};
		long long free_kb, act, inact, st, sf;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t = ts.tv_sec + ts.tv_nsec / 1e9 - t0;
		/* Counters once an interval, also while looking faster. */
		if (prev[0] >= 0 && t - last < interval_ms / 1000.0 * 0.9)
			goto map;
		free_kb = proc_value("/proc/vmsim_meminfo", "MemFree");
		act = proc_value("/proc/vmsim_meminfo", "Active");
		inact = proc_value("/proc/vmsim_meminfo", "Inactive");
		st = proc_value("/proc/vmsim_meminfo", "SwapTotal");
		sf = proc_value("/proc/vmsim_meminfo", "SwapFree");
		for (i = 0; i < 4; i++)
			now[i] = proc_value("/proc/vmsim_vmstat", names[i]);
		if (prev[0] >= 0 && t > last) {
			fprintf(fc, "%.2f %.1f %.1f %.1f %.1f", t,
				free_kb / 1024.0, act / 1024.0, inact / 1024.0,
				(st - sf) / 1024.0);
			for (i = 0; i < 4; i++)
				fprintf(fc, " %.0f", (now[i] - prev[i]) / (t - last));
			fprintf(fc, "\n");
			fflush(fc);	/* a row as it is taken: tail -f works */
		}
		memcpy(prev, now, sizeof(prev));
		last = t;
map:
		if (!cols && !largest_mapping(pid, &start, &pages))
			cols = pages < RECORD_COLS ? pages : RECORD_COLS;
		if (cols && !page_row(fd, pid, start, pages, ent, row, cols)) {
			for (i = 0; i < cols; i++)
				fprintf(fm, "%u %.2f %d\n", i, t, row[i]);
			fprintf(fm, "\n");
			fflush(fm);
			samples++;
		} else if (!samples) {
			cols = 0;	/* unmapped before a row: look again */
		}

		if (child ? waitpid(child, &status, WNOHANG) == child :
			    kill(pid, 0) && errno == ESRCH)
			break;
		/*
		 * Until the first row, look every 5 ms: a short program
		 * (vmsim-demo 8 lives a few hundred ms under TCG) may map
		 * and unmap between two samples of the interval.
		 */
		ms = samples || interval_ms < 5 ? interval_ms : 5;
		wait.tv_sec = ms / 1000;
		wait.tv_nsec = ms % 1000 * 1000000L;
		stop = sigtimedwait(&sigint, NULL, &wait) == SIGINT;
	}
	if (child && stop) {
		kill(child, SIGINT);
		waitpid(child, &status, 0);
	}
	fclose(fc);
	fclose(fm);
	free(ent);
	close(fd);

	if (!samples)
		fprintf(fm = stderr, "%s: %s never mapped %s: no page map\n",
			prog, what, VMSIM_DEVICE);
	fg = fopen(gp, "w");
	if (!fg)
		return fail("%s: %s", gp, strerror(errno));
	if (access(font, R_OK))
		font = "";
	fprintf(fg, record_gp, term, font, out, what, counters, counters, what,
		pages, cols ? (unsigned int)((pages + cols - 1) / cols) : 0,
		pages ? pages : 1, samples ? map : "/dev/null",
		cols ? (double)pages / cols : 1.0);
	fclose(fg);
	fflush(NULL);
	child_gp = fork();
	if (!child_gp) {
		execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	if (child_gp < 0 || waitpid(child_gp, &gp_status, 0) != child_gp ||
	    !WIFEXITED(gp_status) || WEXITSTATUS(gp_status) || access(out, R_OK))
		return fail("gnuplot could not draw %s (see %s; needs gnuplot-nox)",
			    out, gp);
	printf("%s: %s: %u samples over %.1f s, pages of a %llu-page mapping; data in %s and %s\n",
	       prog, out, samples, last, pages, counters, map);
	if (child && WIFEXITED(status))
		return WEXITSTATUS(status);
	return child ? EXIT_FAILURE : 0;
}

/* ---- run: an unmodified program with its heap on vmsim ------------------- */

static const char *const lib_dirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib",
	"/lib", "/usr/local/lib",
};

static const struct {
	const char *name, *soname, *package;
} allocators[] = {
	{ "mimalloc", "libmimalloc.so.2", "libmimalloc2.0" },
	{ "jemalloc", "libjemalloc.so.2", "libjemalloc2" },
	{ "none", NULL, NULL },
};

/* The preload library: $VMSIM_PRELOAD, else beside vmsimctl or in lib/vmsim. */
static int find_preload(char *buf, size_t size)
{
	const char *env = getenv("VMSIM_PRELOAD");
	char exe[PATH_MAX - 64], *slash;
	ssize_t n;

	if (env) {
		snprintf(buf, size, "%s", env);
		return access(buf, R_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(buf, size, "%s/libvmsim-preload.so", exe);
	if (!access(buf, R_OK))
		return 0;
	snprintf(buf, size, "%s/../lib/vmsim/libvmsim-preload.so", exe);
	return access(buf, R_OK);
}

/* Where the dynamic linker will find @soname, or -1. */
static int find_lib(const char *soname, char *buf, size_t size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lib_dirs); i++) {
		snprintf(buf, size, "%s/%s", lib_dirs[i], soname);
		if (!access(buf, R_OK))
			return 0;
	}
	return -1;
}

/* CMD as execvp() would find it. */
static int find_cmd(const char *cmd, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(cmd, '/')) {
		snprintf(buf, size, "%s", cmd);
		return access(buf, X_OK);
	}
	for (p = path ? path : "/usr/bin:/bin"; *p; p = colon + 1) {
		colon = strchrnul(p, ':');
		snprintf(buf, size, "%.*s/%s", (int)(colon - p), p, cmd);
		if (!access(buf, X_OK))
			return 0;
		if (!*colon)
			break;
	}
	return -1;
}

/*
 * Refuse what LD_PRELOAD cannot reach: a static executable (no PT_INTERP)
 * and a set-user-ID or set-group-ID one (the dynamic linker ignores the
 * preload there).  Scripts are fine: their interpreter is what runs.
 */
static int check_cmd(const char *path)
{
	unsigned char eh[64], ph[56];
	struct stat st;
	unsigned int i, phnum, phentsize;
	unsigned long long phoff;
	int fd;

	if (stat(path, &st))
		return fail("%s: %s", path, strerror(errno));
	/* Secure execution (AT_SECURE) only if the IDs change. */
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && (st.st_mode & 0010) &&
	     st.st_gid != getegid()))
		return fail("%s is set-user-ID or set-group-ID: %s", path,
			    "the dynamic linker ignores LD_PRELOAD for it");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	if (pread(fd, eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh, "\177ELF", 4)) {
		close(fd);
		return 0;	/* a script, say: its interpreter is checked by nobody */
	}
	if (eh[4] != 2 || eh[5] != 1) {
		close(fd);
		return fail("%s is not a 64-bit little-endian ELF executable", path);
	}
	memcpy(&phoff, eh + 32, 8);
	phentsize = eh[54] | eh[55] << 8;
	phnum = eh[56] | eh[57] << 8;
	for (i = 0; i < phnum && phentsize >= 4; i++) {
		unsigned int type;

		if (pread(fd, ph, sizeof(ph), phoff + (unsigned long long)i * phentsize) < 4)
			break;
		memcpy(&type, ph, 4);
		if (type == 3) {	/* PT_INTERP */
			close(fd);
			return 0;
		}
	}
	close(fd);
	return fail("%s is statically linked: %s", path,
		    "LD_PRELOAD cannot reach it, so its heap cannot be put on vmsim");
}

static int parse_size(const char *s, unsigned long long *v)
{
	char *end;
	unsigned int shift = 0;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end && strchr("kKmMgG", *end)) {
		shift = strchr("kK", *end) ? 10 : strchr("mM", *end) ? 20 : 30;
		end++;
	}
	if (*end || !*v || *v > (~0ULL >> shift))
		return -1;
	*v <<= shift;
	return 0;
}

/* Is @pid @root or one of its descendants? */
static bool descends(int pid, int root)
{
	char path[64], buf[512], *p;
	unsigned int depth;
	int ppid;

	for (depth = 0; depth < 64 && pid > 1; depth++) {
		FILE *f;

		if (pid == root)
			return true;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			return false;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
			return false;
		pid = ppid;
	}
	return pid == root;
}

/* Resident pages of the objects of @root and its descendants now. */
static unsigned long long tree_resident(int root)
{
	unsigned long long size, res, total = 0;
	char line[512];
	int id, pid;
	FILE *f = fopen("/proc/vmsim_objects", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d %*s %*u %llu %llu", &id, &pid, &size,
			   &res) == 4 && descends(pid, root))
			total += res;
	fclose(f);
	return total;
}

/* What libvmsim-preload.so appends to $VMSIM_RUN_REPORT at each exit. */
#define REPORT_LINE "pid=%d id=%*u faults=%llu major=%llu resident=%llu " \
		    "swapped=%llu regions=%*u native=%llu comm=%31[^\n]"

static void run_summary(const char *report, int status, double secs,
			unsigned long long peak)
{
	unsigned long long faults = 0, major = 0, resident = 0, swapped = 0;
	unsigned long long native = 0, v[5];
	unsigned int procs = 0;
	long page = sysconf(_SC_PAGESIZE);
	char line[512], comm[32];
	FILE *f = fopen(report, "r");
	int pid;

	fprintf(stderr, "\n\tvmsim: %s\n", "summary of the run (vmsimctl run -v)");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, REPORT_LINE, &pid, &v[0], &v[1], &v[2], &v[3],
			   &v[4], comm) != 7)
			continue;
		procs++;
		faults += v[0];
		major += v[1];
		resident += v[2];
		swapped += v[3];
		native += v[4];
		fprintf(stderr, "\tprocess %d (%s): %llu faults, %llu major, ",
			pid, comm, v[0], v[1]);
		fprintf(stderr, "%llu kB resident and %llu kB swapped at exit\n",
			v[2] * page / 1024, v[3] * page / 1024);
	}
	if (f)
		fclose(f);
	fprintf(stderr, "\tProcesses that reported (exited through exit()): %u\n", procs);
	fprintf(stderr, "\tPage faults on vmsim: %llu\n", faults);
	fprintf(stderr, "\tMajor (requiring I/O) page faults on vmsim: %llu\n", major);
	fprintf(stderr, "\tMaximum resident on vmsim (kbytes, sampled every 100 ms): %llu\n",
		peak * page / 1024);
	fprintf(stderr, "\tSwapped at exit (kbytes): %llu\n", swapped * page / 1024);
	fprintf(stderr, "\tMappings vmsim could not serve (made natively): %llu\n", native);
	fprintf(stderr, "\tElapsed (wall clock) time (s): %.2f\n", secs);
	if (WIFEXITED(status))
		fprintf(stderr, "\tExit status: %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "\tKilled by signal: %d\n", WTERMSIG(status));
}

static int cmd_run(int argc, char **argv)
{
	char preload[PATH_MAX], lib[PATH_MAX], cmd[PATH_MAX];
	char report[] = "/tmp/vmsim-run.XXXXXX", *env;
	const char *alloc = "mimalloc", *old;
	unsigned long long size = 0, peak = 0, now;
	bool verbose = false;
	struct timespec t0, t1;
	int opt, fd, status = 0;
	unsigned int i;
	pid_t child;

	optind = 1;
	while ((opt = getopt(argc, argv, "+s:a:v")) != -1) {
		switch (opt) {
		case 's':
			if (parse_size(optarg, &size))
				return fail("-s: a size in bytes, with K, M or G");
			break;
		case 'a':
			alloc = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(allocators); i++)
		if (!strcmp(alloc, allocators[i].name))
			break;
	if (i == ARRAY_SIZE(allocators))
		return fail("-a: mimalloc, jemalloc or none, not '%s'", alloc);
	if (allocators[i].soname && find_lib(allocators[i].soname, lib, sizeof(lib)))
		return fail("%s not found: install Debian's %s (or pick another with -a)",
			    allocators[i].soname, allocators[i].package);
	if (find_preload(preload, sizeof(preload)))
		return fail("libvmsim-preload.so is neither beside %s nor in %s",
			    prog, "../lib/vmsim (or set VMSIM_PRELOAD)");
	fd = open_vmsim();
	if (fd < 0)
		return EXIT_FAILURE;
	close(fd);
	if (find_cmd(argv[optind], cmd, sizeof(cmd)))
		return fail("%s: command not found", argv[optind]);
	if (check_cmd(cmd))
		return EXIT_FAILURE;

	old = getenv("LD_PRELOAD");
	/*
	 * The allocator first: the dynamic linker runs the preload's
	 * constructor before it, so the preload's fork handlers are
	 * registered first and its prepare handler runs last, after the
	 * allocator has taken its own locks (which it holds when it calls
	 * mmap()).
	 */
	if (asprintf(&env, "%s%s%s%s%s", allocators[i].soname ? lib : "",
		     allocators[i].soname ? " " : "", preload,
		     old && *old ? " " : "", old ? old : "") < 0)
		return fail("out of memory");
	setenv("LD_PRELOAD", env, 1);
	free(env);
	if (size) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%llu", size);
		setenv("VMSIM_RUN_SIZE", buf, 1);
	}
	if (!verbose) {
		execv(cmd, argv + optind);
		return fail("%s: %s", cmd, strerror(errno));
	}

	fd = mkstemp(report);
	if (fd < 0)
		return fail("%s: %s", report, strerror(errno));
	close(fd);
	setenv("VMSIM_RUN_REPORT", report, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(NULL);
	child = fork();
	if (child < 0)
		return fail("fork: %s", strerror(errno));
	if (!child) {
		execv(cmd, argv + optind);
		fprintf(stderr, "%s: %s: %s\n", prog, cmd, strerror(errno));
		_exit(127);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	for (;;) {
		pid_t r = waitpid(child, &status, WNOHANG);

		if (r == child)
			break;
		if (r < 0 && errno != EINTR)
			break;
		now = tree_resident(child);
		if (now > peak)
			peak = now;
		usleep(100000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run_summary(report, status, t1.tv_sec - t0.tv_sec +
		    (t1.tv_nsec - t0.tv_nsec) / 1e9, peak);
	unlink(report);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
	{ "pte", cmd_pte },
	{ "mkswap", cmd_mkswap },
	{ "swapon", cmd_swapon },
	{ "swapoff", cmd_swapoff },
	{ "swaps", cmd_swaps },
	{ "free", cmd_free },
	{ "vmstat", cmd_vmstat },
	{ "top", cmd_top },
	{ "objects", cmd_objects },
	{ "policy", cmd_policy },
	{ "record", cmd_record },
	{ "run", cmd_run },
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
