// SPDX-License-Identifier: GPL-2.0
/*
 * Swap: swapon and its refusals, data integrity over working sets larger
 * than the pool (also across fork()), swapoff (with pages out, when they
 * cannot fit, while a workload runs), priorities, readahead, the swap
 * cache, and I/O errors and corruption on the device.
 *
 * Needs two block devices to make swap areas on: VMSIM_SWAPDEV (default
 * /dev/vda) and VMSIM_SWAPDEV2 (default /dev/vdb).  Their contents are
 * destroyed.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

static const char *dev1, *dev2;

/* The dm-flakey device io_errors makes over dev2. */
#define FLAKY "/dev/mapper/vmsim-flaky"

/* A checksum of the device's first @mb MiB, to see that nothing wrote. */
static unsigned long long dev_sum(const char *path, int mb)
{
	unsigned long long sum = 0;
	uint64_t *buf = aligned_alloc(page_size, 1 << 20);
	int fd = open(path, O_RDONLY | O_DIRECT), i;
	size_t j;

	if (fd < 0 || !buf)
		return 0;
	for (i = 0; i < mb; i++) {
		if (read(fd, buf, 1 << 20) != 1 << 20)
			break;
		for (j = 0; j < (1 << 20) / 8; j++)
			sum = sum * 31 + buf[j];
	}
	close(fd);
	free(buf);
	return sum;
}

static long long stat_of(const char *name)
{
	return vmstat_value(VMSIM_VMSTAT, name);
}

FIXTURE(swap) {
	int fd;
	struct vmsim_info info;
	size_t pool;
};

/* Remove the dm-flakey device, if there is one, and its node. */
static void flaky_remove(void)
{
	if (!system("dmsetup info vmsim-flaky >/dev/null 2>&1") &&
	    system("dmsetup remove --noudevsync vmsim-flaky"))
		fprintf(stderr, "# cannot remove %s\n", FLAKY);
	unlink(FLAKY);
}

/*
 * Turn off every area the tests use, for a clean start: a test that timed
 * out leaves its areas on (and its processes dying, their pages still out
 * there for a moment).
 */
static void swap_reset(struct __test_metadata *_metadata)
{
	const char *const areas[] = { dev1, dev2, FLAKY };
	int fd = vmsim_open(), i, try, err;

	ASSERT_GE(fd, 0);
	for (i = 0; i < 3; i++) {
		for (try = 0; try < 100; try++) {
			err = vmsim_swapoff_ioctl(fd, areas[i]);
			if (err != -ENOMEM && err != -EIO)
				break;
			usleep(100 * 1000);
		}
		EXPECT_TRUE(err == 0 || err == -EINVAL || err == -ENOENT) {
			TH_LOG("swapoff %s: %d", areas[i], err);
		}
	}
	flaky_remove();
	close(fd);
}

FIXTURE_SETUP(swap)
{
	struct stat st;

	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	if (!(self->info.features & VMSIM_FEAT_SWAP))
		SETUP_SKIP("no swap in this vmsim");
	dev1 = getenv("VMSIM_SWAPDEV") ?: "/dev/vda";
	dev2 = getenv("VMSIM_SWAPDEV2") ?: "/dev/vdb";
	if (stat(dev1, &st) || !S_ISBLK(st.st_mode) ||
	    stat(dev2, &st) || !S_ISBLK(st.st_mode))
		SETUP_SKIP("need block devices %s and %s", dev1, dev2);
	self->pool = self->info.pool_pages;
	swap_reset(_metadata);
	ASSERT_EQ(0, vmsim_swap_header_write(dev1, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swap_header_write(dev2, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev1, 0, 0));
}

/* Free the test's object first: its pages out there would not fit back. */
FIXTURE_TEARDOWN(swap)
{
	if (self->fd < 0)
		return;
	close(self->fd);
	vmsim_param_set("write_notify", "Y");
	vmsim_param_set("swap_ra_async", "Y");
	swap_reset(_metadata);
}

/* swapon refuses what is not a vmsim swap area, and writes nothing to it. */
TEST_F(swap, swapon_refusals)
{
	unsigned long long sum;
	int fd, busy;
	struct vmsim_swapon a = { .path = (uintptr_t)dev2 };
	char file[] = "/tmp/vmsim-swap-XXXXXX";
	char *longpath;

	/* No header. */
	ASSERT_EQ(0, vmsim_swap_header_write(dev2, 0));
	sum = dev_sum(dev2, 4);
	EXPECT_EQ(-EINVAL, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
	EXPECT_EQ(sum, dev_sum(dev2, 4));
	/* A Linux swap area is not a vmsim one. */
	if (system("mkswap /dev/vdb >/dev/null 2>&1") == 0 &&
	    !strcmp(dev2, "/dev/vdb")) {
		sum = dev_sum(dev2, 4);
		EXPECT_EQ(-EINVAL, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
		EXPECT_EQ(sum, dev_sum(dev2, 4));
	}
	/* A header of another version. */
	ASSERT_EQ(0, vmsim_swap_header_write(dev2, 99));
	EXPECT_EQ(-EINVAL, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
	/* Busy: someone holds the device exclusively. */
	ASSERT_EQ(0, vmsim_swap_header_write(dev2, VMSIM_SWAP_VERSION));
	busy = open(dev2, O_RDWR | O_EXCL);
	ASSERT_GE(busy, 0);
	EXPECT_EQ(-EBUSY, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
	close(busy);
	/* Already on: the device is ours. */
	EXPECT_EQ(-EBUSY, vmsim_swapon_ioctl(self->fd, dev1, 0, 0));
	/* A regular file, and nothing at all. */
	fd = mkstemp(file);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	EXPECT_EQ(-ENOTBLK, vmsim_swapon_ioctl(self->fd, file, 0, 0));
	unlink(file);
	EXPECT_EQ(-ENOENT, vmsim_swapon_ioctl(self->fd, "/dev/no-such-device", 0, 0));
	/* Bad arguments. */
	EXPECT_EQ(-EINVAL, vmsim_swapon_ioctl(self->fd, dev2, 0, 0x100));
	EXPECT_EQ(-EINVAL, vmsim_swapon_ioctl(self->fd, dev2, -5,
					      VMSIM_SWAP_FLAG_PREFER));
	EXPECT_EQ(-EINVAL, vmsim_swapon_ioctl(self->fd, dev2, 40000,
					      VMSIM_SWAP_FLAG_PREFER));
	a.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_SWAPON, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EFAULT, vmsim_swapon_ioctl(self->fd, (char *)16, 0, 0));
	longpath = malloc(8192);
	ASSERT_NE(NULL, longpath);
	memset(longpath, 'a', 8191);
	longpath[8191] = 0;
	EXPECT_EQ(-ENAMETOOLONG, vmsim_swapon_ioctl(self->fd, longpath, 0, 0));
	free(longpath);
	/* swapoff of what is not on. */
	EXPECT_EQ(-EINVAL, vmsim_swapoff_ioctl(self->fd, dev2));
	EXPECT_EQ(-ENOENT, vmsim_swapoff_ioctl(self->fd, "/dev/no-such-device"));
	/* And now it works. */
	EXPECT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 7, VMSIM_SWAP_FLAG_PREFER));
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev2));
}

static int swap_as_nobody(void *arg)
{
	int fd = *(int *)arg;

	if (vmsim_swapon_ioctl(fd, dev2, 0, 0) != -EPERM ||
	    vmsim_swapoff_ioctl(fd, dev1) != -EPERM)
		return 3;
	return 0;
}

/* Only CAP_SYS_ADMIN may turn swap on or off. */
TEST_F(swap, needs_privilege)
{
	if (getuid() != 0)
		SKIP(return, "needs root to drop to another uid");
	EXPECT_EQ(0, run_as_nobody(swap_as_nobody, &self->fd));
}

/* /proc/vmsim_swaps is laid out as /proc/swaps. */
TEST_F(swap, proc_swaps_format)
{
	char line[256];
	FILE *f = fopen("/proc/vmsim_swaps", "r");
	unsigned long long bytes;
	int fd, n = 0;

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_STREQ("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", line);
	while (fgets(line, sizeof(line), f)) {
		char want[256];

		fd = open(dev1, O_RDONLY);
		ASSERT_EQ(0, ioctl(fd, BLKGETSIZE64, &bytes));
		close(fd);
		/* "%*s%s\t%lu\t%s%lu\t%s%d\n", the path padded to 40 */
		snprintf(want, sizeof(want), "%s%*s%s\t%llu\t\t%lu\t\t%d\n",
			 dev1, (int)(40 - strlen(dev1)), " ", "partition",
			 (bytes / page_size - 1) * (page_size / 1024),
			 vmsim_swaps_used(dev1), -1);
		/* The only area on, with the first automatic priority. */
		EXPECT_STREQ(want, line);
		n++;
	}
	fclose(f);
	EXPECT_EQ(1, n);
}

/*
 * Several processes, each with a working set as large as the pool, write
 * tagged data and read it all back twice: every byte survives swap.
 */
TEST_F_TIMEOUT(swap, data_integrity, 180)
{
	long long out0 = stat_of("pswpout"), in0 = stat_of("pswpin");
	struct vmsim_writer w[3];
	int i, status;
	pid_t pid[3];

	for (i = 0; i < 3; i++) {
		w[i] = (struct vmsim_writer){ .pages = self->pool, .rounds = 2,
					.tag = 1ULL << 40 | (uint64_t)i << 32 };
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0)
			vmsim_writer_run(&w[i]);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("writer %d: status %#x", i, status);
		}
	}
	EXPECT_GT(stat_of("pswpout") - out0, (long long)self->pool);
	EXPECT_GT(stat_of("pswpin") - in0, (long long)self->pool);
	/*
	 * All of it came back: the slots are free again, once every object
	 * is torn down (a reclaim pass or a read in flight that held the
	 * last reference of an exited writer's object ends it on a
	 * workqueue).
	 */
	EXPECT_EQ(0, vmsim_swaps_drain(dev1));
}

/*
 * Across fork(): the child reads what the parent wrote (from swap), writes
 * some, and the parent reads the child's writes.
 */
TEST_F_TIMEOUT(swap, fork_integrity, 180)
{
	size_t n = 2 * self->pool, half = n / 2;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 7000);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (pages_bad(p, n, 7000))
			_exit(1);
		pages_fill(p + half * page_size, half, 9000);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, pages_bad(p, half, 7000));
	EXPECT_EQ(0, pages_bad(p + half * page_size, half, 9000));
	munmap(p, n * page_size);
}

/*
 * swapoff brings every page back; with a second area on, reclaim makes
 * room by writing other pages there.
 */
TEST_F_TIMEOUT(swap, swapoff_with_pages_out, 180)
{
	size_t n = 2 * self->pool;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 123456);
	ASSERT_GT(vmsim_swaps_used(dev1), 0);
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	EXPECT_EQ(-1, vmsim_swaps_used(dev1));
	EXPECT_GT(vmsim_swaps_used(dev2), 0);
	EXPECT_EQ(0, pages_bad(p, n, 123456));
	munmap(p, n * page_size);
	/* The fixture's teardown turns dev2 off. */
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev1, 0, 0));
}

/*
 * A fatal signal stops a swapoff half-way: the area stays on, what came
 * back stays in memory, nothing is lost, and a later swapoff finishes.
 */
TEST_F_TIMEOUT(swap, swapoff_killed, 180)
{
	size_t n = 2 * self->pool;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long before, now = 0;
	int status, i;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 8080);
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
	before = vmsim_swaps_settle(dev1);
	ASSERT_GT(before, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(vmsim_swapoff_ioctl(self->fd, dev1) ? 1 : 0);
	/* Kill it once a tenth of the pages are back. */
	for (i = 0; i < 10000; i++) {
		now = vmsim_swaps_used(dev1);
		if (now < 0 || now < before - before / 10)
			break;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		TH_LOG("swapoff was not killed (status %#x, %ld kB of %ld left)",
		       status, now, before);
	}
	now = vmsim_swaps_used(dev1);
	EXPECT_GT(now, 0);
	EXPECT_LT(now, before);
	EXPECT_EQ(0, pages_bad(p, n, 8080));
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	EXPECT_EQ(0, pages_bad(p, n, 8080));
	munmap(p, n * page_size);
}

/* A swapoff that cannot fit fails with ENOMEM and changes nothing. */
TEST_F_TIMEOUT(swap, swapoff_cannot_fit, 180)
{
	size_t n = 2 * self->pool;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long used;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 55555);
	used = vmsim_swaps_settle(dev1);
	ASSERT_GT(used, (long)(self->pool * page_size / 1024 / 2));
	EXPECT_EQ(-ENOMEM, vmsim_swapoff_ioctl(self->fd, dev1));
	EXPECT_EQ(used, vmsim_swaps_used(dev1));
	EXPECT_EQ(0, pages_bad(p, n, 55555));
	munmap(p, n * page_size);
}

/* swapon and swapoff of a second area while a workload runs. */
TEST_F_TIMEOUT(swap, swapon_swapoff_under_load, 180)
{
	struct vmsim_writer w = { .pages = 2 * self->pool, .rounds = 3,
			    .tag = 3ULL << 40 };
	int i, status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		vmsim_writer_run(&w);
	for (i = 0; i < 4; i++) {
		usleep(100 * 1000);
		EXPECT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
		usleep(100 * 1000);
		/* May fail to fit while the writer holds the pool: fine. */
		int err = vmsim_swapoff_ioctl(self->fd, dev2);

		EXPECT_TRUE(err == 0 || err == -ENOMEM) {
			TH_LOG("swapoff: %d", err);
		}
		if (err)
			break;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("writer: status %#x", status);
	}
}

/* Priority of an area in /proc/vmsim_swaps; 99999 if it is not on. */
static long swaps_prio(const char *path)
{
	char line[256], name[128], type[32];
	long size, used, prio, ret = 99999;
	FILE *f = fopen("/proc/vmsim_swaps", "r");

	if (!f)
		return ret;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %31s %ld %ld %ld", name, type, &size,
			   &used, &prio) == 5 && !strcmp(name, path))
			ret = prio;
	fclose(f);
	return ret;
}

/*
 * Priorities: automatic ones count down from -1 and close up when an area
 * goes, as in Linux; the higher area fills first; equal ones share.
 */
TEST_F_TIMEOUT(swap, priorities, 180)
{
	size_t n = 2 * self->pool;
	char *p;

	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
	EXPECT_EQ(-1, swaps_prio(dev1));
	EXPECT_EQ(-2, swaps_prio(dev2));
	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	EXPECT_EQ(-1, swaps_prio(dev2));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev1, 0, 0));
	EXPECT_EQ(-2, swaps_prio(dev1));
	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev2));
	EXPECT_EQ(-1, swaps_prio(dev1));

	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev1, 10, VMSIM_SWAP_FLAG_PREFER));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 5, VMSIM_SWAP_FLAG_PREFER));
	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 1);
	EXPECT_GT(vmsim_swaps_used(dev1), 0);
	EXPECT_EQ(0, vmsim_swaps_used(dev2));
	munmap(p, n * page_size);
	ASSERT_EQ(0, vmsim_advise(self->fd, 0, n, VMSIM_ADV_DONTNEED) < 0);

	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev2));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 10, VMSIM_SWAP_FLAG_PREFER));
	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 2);
	EXPECT_GT(vmsim_swaps_used(dev1), 0);
	EXPECT_GT(vmsim_swaps_used(dev2), 0);
	EXPECT_EQ(0, pages_bad(p, n, 2));
	munmap(p, n * page_size);
}

/* Readahead cuts the major faults of a sequential read of swapped pages. */
TEST_F_TIMEOUT(swap, readahead_lowers_major_faults, 180)
{
	size_t n = 2 * self->pool, i;
	unsigned long major[2];
	struct vmsim_stats s0, s1;
	char saved[16];
	int pass;

	ASSERT_EQ(0, vmsim_param_get("page_cluster", saved, sizeof(saved)));
	for (pass = 0; pass < 2; pass++) {
		int fd = vmsim_open();
		char *p = vmsim_map(fd, n * page_size, 0,
				    PROT_READ | PROT_WRITE);

		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, vmsim_param_set("page_cluster", pass ? "3" : "0"));
		pages_fill(p, n, 40);
		/*
		 * The first half out, whatever the policy kept (faclock keeps
		 * what came first): read it in order.
		 */
		EXPECT_LE(0, vmsim_advise(fd, 0, n / 2, VMSIM_ADV_PAGEOUT));
		for (i = 0; i < 300 && vmsim_resident(fd, 0, n / 2); i++)
			usleep(10000);
		/* A few may be busy (isolated by reclaim) and stay. */
		EXPECT_LE(vmsim_resident(fd, 0, n / 2), n / 200);
		ASSERT_EQ(0, vmsim_stats(fd, &s0));
		for (i = 0; i < n / 2; i++)
			peek(p + i * page_size);
		ASSERT_EQ(0, vmsim_stats(fd, &s1));
		major[pass] = s1.major_faults - s0.major_faults;
		EXPECT_EQ(0, pages_bad(p, n / 2, 40));
		munmap(p, n * page_size);
		close(fd);
	}
	vmsim_param_set("page_cluster", saved);
	EXPECT_GT(major[0], self->pool / 4);
	EXPECT_LT(major[1] * 3, major[0]) {
		TH_LOG("major faults: %lu without readahead, %lu with",
		       major[0], major[1]);
	}
	EXPECT_GT(stat_of("swap_ra_hit"), 0);
}

/*
 * Asynchronous readahead: a hit on a page read ahead starts reading the
 * next window, so a sequential read of swapped pages waits for the device
 * about once, not once a window.  Off (swap_ra_async=N), each window is a
 * major fault.
 */
TEST_F_TIMEOUT(swap, async_readahead_keeps_ahead, 180)
{
	size_t n = self->pool / 2, i;
	long long async[2];
	unsigned long major[2];
	struct vmsim_stats s0, s1;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		int fd = vmsim_open();
		char *p = vmsim_map(fd, n * page_size, 0,
				    PROT_READ | PROT_WRITE);

		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, vmsim_param_set("swap_ra_async", pass ? "Y" : "N"));
		pages_fill(p, n, 4100);
		EXPECT_LE(0, vmsim_pageout_wait(fd, n));
		EXPECT_LE(vmsim_resident(fd, 0, n), n / 200);
		async[pass] = stat_of("vmsim_swap_ra_async");
		ASSERT_EQ(0, vmsim_stats(fd, &s0));
		for (i = 0; i < n; i++)
			peek(p + i * page_size);
		ASSERT_EQ(0, vmsim_stats(fd, &s1));
		major[pass] = s1.major_faults - s0.major_faults;
		async[pass] = stat_of("vmsim_swap_ra_async") - async[pass];
		EXPECT_EQ(0, pages_bad(p, n, 4100));
		munmap(p, n * page_size);
		close(fd);
	}
	TH_LOG("major faults: %lu without async readahead, %lu with (%lld pages)",
	       major[0], major[1], async[1]);
	EXPECT_EQ(0, async[0]);
	EXPECT_GT(async[1], (long long)n / 2);
	/* Without: a fault a window (32 pages, or fewer while it grows). */
	EXPECT_GE(major[0], n / 32);
	EXPECT_LT(major[1] * 4, major[0]);
}

/*
 * After a readahead hit, fault-around maps the window's pages already read
 * in one go, each counted a hit: a sequential reader takes a fault per
 * fault_around_pages, not one a page.  With fault_around_pages=0, each
 * page read ahead is a fault of its own.
 */
TEST_F_TIMEOUT(swap, readahead_mapped_in_one_go, 180)
{
	size_t n = self->pool / 2, i;
	unsigned long faults[2];
	long long hits[2];
	struct vmsim_stats s0, s1;
	char saved[16];
	int pass;

	ASSERT_EQ(0, vmsim_param_get("fault_around_pages", saved,
				     sizeof(saved)));
	for (pass = 0; pass < 2; pass++) {
		int fd = vmsim_open();
		char *p = vmsim_map(fd, n * page_size, 0,
				    PROT_READ | PROT_WRITE);

		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, vmsim_param_set("fault_around_pages",
					     pass ? "16" : "0"));
		pages_fill(p, n, 4200);
		EXPECT_LE(0, vmsim_pageout_wait(fd, n));
		EXPECT_LE(vmsim_resident(fd, 0, n), n / 200);
		hits[pass] = stat_of("swap_ra_hit");
		ASSERT_EQ(0, vmsim_stats(fd, &s0));
		for (i = 0; i < n; i++)
			peek(p + i * page_size);
		ASSERT_EQ(0, vmsim_stats(fd, &s1));
		faults[pass] = s1.faults - s0.faults;
		hits[pass] = stat_of("swap_ra_hit") - hits[pass];
		EXPECT_EQ(0, pages_bad(p, n, 4200));
		munmap(p, n * page_size);
		close(fd);
	}
	vmsim_param_set("fault_around_pages", saved);
	TH_LOG("faults: %lu a page at a time, %lu in one go; readahead hits %lld and %lld",
	       faults[0], faults[1], hits[0], hits[1]);
	EXPECT_GE(faults[0], n * 3 / 4);
	EXPECT_LT(faults[1] * 4, faults[0]);
	/* Hits are still counted: most pages come from readahead either way. */
	EXPECT_GT(hits[0], (long long)n / 2);
	EXPECT_GT(hits[1], (long long)n / 2);
}

/*
 * Readahead hits count only near where they were: a reader that scans one
 * region while it faults at random in another reads one page for each
 * random fault, not a window grown by the scan's hits.
 */
TEST_F_TIMEOUT(swap, readahead_not_for_faults_away_from_hits, 180)
{
	size_t n = 2 * self->pool, seq = self->pool / 2, far0 = seq + 256, k;
	long long in0, in;
	size_t far = 0;
	int fd = vmsim_open();
	char *p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 4300);
	EXPECT_LE(0, vmsim_pageout_wait(fd, n));
	EXPECT_LE(vmsim_resident(fd, 0, n), n / 200);
	srandom(1);
	in0 = stat_of("pswpin");
	for (k = 0; k < seq; k++) {
		peek(p + k * page_size);
		if (k % 4 == 3) {
			peek(p + (far0 + random() % (n - far0)) * page_size);
			far++;
		}
	}
	in = stat_of("pswpin") - in0;
	TH_LOG("%zu pages scanned, %zu random faults elsewhere: %lld pages read",
	       seq, far, in);
	EXPECT_GE(in, (long long)seq);
	/* The scan's pages, one or two for each random fault, some slack. */
	EXPECT_LT(in, (long long)(seq + 2 * far + 64));
	EXPECT_EQ(0, pages_bad(p, seq, 4300));
	munmap(p, n * page_size);
	close(fd);
}

/* vmsim_pageout_wait(), and every one of the @n pages was taken. */
static void pageout_all(struct __test_metadata *_metadata, int fd, size_t n)
{
	ASSERT_EQ(n, vmsim_pageout_wait(fd, n));
}

/*
 * A page read back from swap keeps its slot while clean: reclaiming it
 * again costs no write.  Writing to it lets the slot go.
 */
TEST_F(swap, clean_swapin_reclaimed_without_write)
{
	size_t n = 64;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long long out0;
	uint64_t e;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 777);
	pageout_all(_metadata, self->fd, n);
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(VMSIM_PTE_SWAPPED, e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT));
	EXPECT_EQ(0, pages_bad(p, n, 777));
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT,
		  e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT | VMSIM_PTE_DIRTY));
	EXPECT_GE(meminfo_kb(VMSIM_MEMINFO, "SwapCached"),
		  (long)(n * page_size / 1024));

	out0 = stat_of("pswpout");
	ASSERT_EQ(n, vmsim_advise(self->fd, 0, n, VMSIM_ADV_PAGEOUT));
	EXPECT_EQ(out0, stat_of("pswpout"));
	EXPECT_EQ(0, vmsim_pte(self->fd, 0) & VMSIM_PTE_PRESENT);
	EXPECT_EQ(0, pages_bad(p, n, 777));

	/* A write makes the swap copy stale: dirty, no slot. */
	p[0] = 1;
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(VMSIM_PTE_PRESENT | VMSIM_PTE_DIRTY,
		  e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT | VMSIM_PTE_DIRTY));
	munmap(p, n * page_size);
}

/*
 * Swap slots freed by one object are never read back by another: a new
 * object's pages read zero, even where it gets the same slots, and its own
 * data comes back from them.
 */
TEST_F(swap, freed_slots_not_read_by_others)
{
	size_t n = 256, i, shared = 0;
	uint64_t *slots = calloc(n, sizeof(*slots)), e;
	int a = vmsim_open(), b = vmsim_open();
	char *p, *q;

	ASSERT_TRUE(slots && a >= 0 && b >= 0);
	p = vmsim_map(a, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0xa11ce);
	pageout_all(_metadata, a, n);
	for (i = 0; i < n; i++) {
		e = vmsim_pte(a, i);
		ASSERT_EQ(VMSIM_PTE_SWAPPED, e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT));
		slots[i] = e & ~0xfffULL;
	}
	munmap(p, n * page_size);
	close(a);

	q = vmsim_map(b, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(page_is_zero(q + i * page_size)) {
			TH_LOG("page %zu of a new object shows old data", i);
		}
	pages_fill(q, n, 0xb0b);
	pageout_all(_metadata, b, n);
	for (i = 0; i < n; i++) {
		e = vmsim_pte(b, i) & ~0xfffULL;
		shared += e && memmem(slots, n * sizeof(*slots), &e, sizeof(e));
	}
	TH_LOG("%zu of %zu slots used again by the second object", shared, n);
	EXPECT_EQ(0, pages_bad(q, n, 0xb0b));
	munmap(q, n * page_size);
	close(b);
	free(slots);
}

/* utime and stime, from the ')' that ends comm in /proc/PID/stat */
#define VMSIMD_STAT_TIMES ") %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu"

/* CPU time vmsimd has used, in clock ticks; -1 if it is not found. */
static long vmsimd_ticks(void)
{
	char path[64], comm[32], stat[512];
	unsigned long ut, st;
	long ticks = -1;
	int pid;
	FILE *f;

	for (pid = 2; pid < 4096 && ticks < 0; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "vmsimd\n")) {
			snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			fclose(f);
			f = fopen(path, "r");
			if (f && fgets(stat, sizeof(stat), f) &&
			    sscanf(strrchr(stat, ')'), VMSIMD_STAT_TIMES, &ut, &st) == 2)
				ticks = ut + st;
		}
		if (f)
			fclose(f);
	}
	return ticks;
}

static int sigbus_pipe = -1;

/* Say so, then keep what was filled until killed. */
static void sigbus_hold(int sig)
{
	char c = 'B';

	if (write(sigbus_pipe, &c, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * A pool too small for the working set, with swap full: the process that
 * faults gets SIGBUS, promptly; while it holds everything vmsimd does not
 * spin, and all comes back when it dies.
 */
TEST_F_TIMEOUT(swap, swap_full_sigbus, 600)
{
	size_t swap_pages = 4096, n = self->pool + swap_pages + 256, i;
	long long sigbus0 = stat_of("vmsim_oom_sigbus");
	long free0 = vmsim_free_pages(), t0, t1;
	struct pollfd pfd;
	int pipefd[2], status;
	char c = 0, cmd[512];
	pid_t pid;

	if (!vmsim_sh("command -v dmsetup >/dev/null"))
		SKIP(return, "no dmsetup");
	/* A small area: 16 MiB of dev2. */
	snprintf(cmd, sizeof(cmd),
		 "dmsetup create --noudevsync vmsim-flaky --table '0 %zu linear %s 0'",
		 swap_pages * 8, dev2);
	if (!vmsim_sh(cmd) || !vmsim_sh("dmsetup mknodes vmsim-flaky"))
		SKIP(return, "cannot create a dm-linear device");
	ASSERT_EQ(0, vmsim_swap_header_write(FLAKY, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, FLAKY, 0, 0));
	ASSERT_EQ(0, pipe(pipefd));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = vmsim_open();
		char *p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);

		sigbus_pipe = pipefd[1];
		signal(SIGBUS, sigbus_hold);
		if (p == MAP_FAILED)
			_exit(2);
		for (i = 0; i < n; i++)
			page_fill(p + i * page_size, i + 1);
		_exit(3);	/* all of it fitted: not what this test is about */
	}
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 300 * 1000)) {
		TH_LOG("no SIGBUS within 300 s");
	}
	if (pfd.revents & POLLIN)
		EXPECT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ('B', c);
	EXPECT_LT(sigbus0, stat_of("vmsim_oom_sigbus"));

	/* Everything held, nothing to reclaim: vmsimd must not spin. */
	t0 = vmsimd_ticks();
	sleep(2);
	t1 = vmsimd_ticks();
	ASSERT_GE(t0, 0);
	EXPECT_LT(t1 - t0, sysconf(_SC_CLK_TCK) / 2) {
		TH_LOG("vmsimd used %ld ticks in 2 s", t1 - t0);
	}

	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(pipefd[0]);
	close(pipefd[1]);
	for (i = 0; i < 100 && vmsim_free_pages() < free0; i++)
		usleep(100 * 1000);
	EXPECT_LE(free0, vmsim_free_pages());
	EXPECT_EQ(0, vmsim_swaps_drain(FLAKY));
	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, FLAKY));
}

static void touch_page(void *p)
{
	peek(p);
}

/*
 * Bytes overwritten on the device behind vmsim's back: the process that
 * touches that page gets SIGBUS, every other page reads back right.
 */
TEST_F(swap, corruption_detected)
{
	size_t n = 32, i;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long long crc0 = stat_of("vmsim_swap_crc_errors");
	char *garbage = aligned_alloc(page_size, page_size);
	unsigned long slot;
	uint64_t e;
	int fd;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 31337);
	pageout_all(_metadata, self->fd, n);
	e = vmsim_pte(self->fd, 5);
	ASSERT_EQ(VMSIM_PTE_SWAPPED, e & (VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT));
	slot = VMSIM_PTE_SWP_OFFSET(e);

	memset(garbage, 0x5a, page_size);
	fd = open(dev1, O_RDWR | O_DIRECT);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)page_size, pwrite(fd, garbage, page_size,
					     slot * page_size));
	close(fd);

	EXPECT_EQ(SIGBUS, run_in_child(touch_page, p + 5 * page_size));
	EXPECT_EQ(crc0 + 1, stat_of("vmsim_swap_crc_errors"));
	/* Every other page is fine, and page 5 stays bad, not wrong. */
	for (i = 0; i < n; i++)
		if (i != 5)
			EXPECT_TRUE(page_check(p + i * page_size, 31337 + i));
	EXPECT_EQ(SIGBUS, run_in_child(touch_page, p + 5 * page_size));
	/* DONTNEED lets go of it. */
	EXPECT_EQ(1, vmsim_advise(self->fd, 5, 1, VMSIM_ADV_DONTNEED));
	EXPECT_TRUE(page_is_zero(p + 5 * page_size));
	free(garbage);
	munmap(p, n * page_size);
}

/*
 * I/O errors from the device (dm-flakey over the second disk): pages whose
 * read fails give SIGBUS and stay out; pages whose write fails stay in
 * memory; all other data is intact.
 */
TEST_F(swap, io_errors)
{
	size_t n = 64, i;
	char *p = vmsim_map(self->fd, 2 * n * page_size, 0,
			    PROT_READ | PROT_WRITE);
	long long rerr0 = stat_of("vmsim_swap_read_errors");
	long long werr0 = stat_of("vmsim_swap_write_errors");
	char table[256], cmd[512];
	unsigned long long bytes;
	int fd;

	if (!vmsim_sh("command -v dmsetup >/dev/null"))
		SKIP(return, "no dmsetup");
	fd = open(dev2, O_RDONLY);
	ASSERT_EQ(0, ioctl(fd, BLKGETSIZE64, &bytes));
	close(fd);
	/* Up (no errors) for a day, then down (all I/O fails). */
	snprintf(table, sizeof(table), "0 %llu flakey %s 0 86400 1", bytes / 512,
		 dev2);
	snprintf(cmd, sizeof(cmd),
		 "dmsetup create --noudevsync vmsim-flaky --table '%s' && dmsetup mknodes vmsim-flaky",
		 table);
	if (!vmsim_sh(cmd))
		SKIP(return, "cannot create a dm-flakey device");
	ASSERT_EQ(0, vmsim_swap_header_write(FLAKY, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, FLAKY, 0, 0));

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 2 * n, 4242);
	/* Pages 0-63 go out while the device works. */
	pageout_all(_metadata, self->fd, n);
	ASSERT_EQ(0, vmsim_pte(self->fd, 0) & VMSIM_PTE_PRESENT);

	/* Now every I/O fails. */
	snprintf(table, sizeof(table), "0 %llu flakey %s 0 0 86400", bytes / 512,
		 dev2);
	snprintf(cmd, sizeof(cmd),
		 "dmsetup reload --noudevsync vmsim-flaky --table '%s' && dmsetup resume --noudevsync vmsim-flaky",
		 table);
	ASSERT_TRUE(vmsim_sh(cmd));

	/* A read fails: SIGBUS, counted, and the page stays out. */
	EXPECT_EQ(SIGBUS, run_in_child(touch_page, p));
	EXPECT_GT(stat_of("vmsim_swap_read_errors"), rerr0);
	/* A write fails: the pages stay, dirty, with their data. */
	EXPECT_EQ(0, vmsim_advise(self->fd, n, n, VMSIM_ADV_PAGEOUT) < 0);
	for (i = 0; i < 200 && stat_of("vmsim_swap_write_errors") == werr0; i++)
		usleep(10000);
	EXPECT_GT(stat_of("vmsim_swap_write_errors"), werr0);
	for (i = 0; i < 200 && meminfo_kb(VMSIM_MEMINFO, "Writeback"); i++)
		usleep(10000);
	EXPECT_EQ(0, pages_bad(p + n * page_size, n, 4242 + n));

	/* Back up: what went out reads back fine. */
	snprintf(table, sizeof(table), "0 %llu flakey %s 0 86400 1", bytes / 512,
		 dev2);
	snprintf(cmd, sizeof(cmd),
		 "dmsetup reload --noudevsync vmsim-flaky --table '%s' && dmsetup resume --noudevsync vmsim-flaky",
		 table);
	ASSERT_TRUE(vmsim_sh(cmd));
	EXPECT_EQ(0, pages_bad(p, n, 4242));
	munmap(p, 2 * n * page_size);
	EXPECT_EQ(0, vmsim_advise(self->fd, 0, 2 * n, VMSIM_ADV_DONTNEED) < 0);
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, FLAKY));
}

/* Write @val to the file @path; true if it all went. */
static bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* Size of @path in 512-byte sectors; 0 on error. */
static unsigned long long dev_sectors(const char *path)
{
	unsigned long long bytes = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (ioctl(fd, BLKGETSIZE64, &bytes))
		bytes = 0;
	close(fd);
	return bytes / 512;
}

/* Make (or reload) the dm device FLAKY over dev2 with @target's table. */
static bool flaky_table(bool create, const char *fmt, ...)
{
	char table[256], cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(table, sizeof(table), fmt, ap);
	va_end(ap);
	if (create)
		snprintf(cmd, sizeof(cmd),
			 "dmsetup create --noudevsync vmsim-flaky --table '%s' && dmsetup mknodes vmsim-flaky",
			 table);
	else
		snprintf(cmd, sizeof(cmd),
			 "dmsetup reload --noudevsync vmsim-flaky --table '%s' && dmsetup resume --noudevsync vmsim-flaky",
			 table);
	return vmsim_sh(cmd);
}

/* Turn dev1 off and FLAKY (made by the caller) on, as the only area. */
static void flaky_swapon(struct __test_metadata *_metadata, int fd)
{
	ASSERT_EQ(0, vmsim_swap_header_write(FLAKY, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapoff_ioctl(fd, dev1));
	ASSERT_EQ(0, vmsim_swapon_ioctl(fd, FLAKY, 0, 0));
}

static void writer_until_sigbus(void *arg)
{
	size_t n = *(size_t *)arg, i;
	int fd = vmsim_open();
	char *p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);

	if (p == MAP_FAILED)
		_exit(2);
	for (i = 0; i < n; i++)
		page_fill(p + i * page_size, i);
	_exit(0);
}

/*
 * A burst of write errors (the device fails for a while, then works):
 * no slot is lost for good, vmsimd backs off instead of spinning while
 * the device fails, and afterwards swap works and SwapFree is back.
 */
TEST_F_TIMEOUT(swap, write_error_burst_recovers, 300)
{
	unsigned long long sectors = dev_sectors(dev2);
	long long retired0 = stat_of("vmsim_swap_slots_retired");
	long long werr0 = stat_of("vmsim_swap_write_errors");
	size_t n = self->pool / 2, big = 2 * self->pool, i;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long free0, t0, t1;
	pid_t pid;
	int status;

	ASSERT_LE(0, retired0);
	if (!vmsim_sh("command -v dmsetup >/dev/null"))
		SKIP(return, "no dmsetup");
	ASSERT_GT(sectors, 0);
	if (!flaky_table(true, "0 %llu flakey %s 0 86400 1", sectors, dev2))
		SKIP(return, "cannot create a dm-flakey device");
	flaky_swapon(_metadata, self->fd);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0xbad0);
	free0 = meminfo_kb(VMSIM_MEMINFO, "SwapFree");

	/* The burst: every write fails. */
	ASSERT_TRUE(flaky_table(false, "0 %llu flakey %s 0 0 86400", sectors,
				dev2));
	EXPECT_LE(0, vmsim_advise(self->fd, 0, n, VMSIM_ADV_PAGEOUT));
	for (i = 0; i < 300 && stat_of("vmsim_swap_write_errors") == werr0; i++)
		usleep(10000);
	EXPECT_GT(stat_of("vmsim_swap_write_errors"), werr0);
	/* Pressure while it fails: a writer of twice the pool. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		writer_until_sigbus(&big);
	sleep(2);
	t0 = vmsimd_ticks();
	sleep(3);
	t1 = vmsimd_ticks();
	ASSERT_GE(t0, 0);
	EXPECT_LT(t1 - t0, sysconf(_SC_CLK_TCK)) {
		TH_LOG("vmsimd used %ld ticks in 3 s while writes failed",
		       t1 - t0);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	/* Healthy again: the pages go out, and nothing was lost for good. */
	ASSERT_TRUE(flaky_table(false, "0 %llu flakey %s 0 86400 1", sectors,
				dev2));
	EXPECT_EQ(0, pages_bad(p, n, 0xbad0));
	pageout_all(_metadata, self->fd, n);
	EXPECT_EQ(0, vmsim_pte(self->fd, n - 1) & VMSIM_PTE_PRESENT);
	EXPECT_EQ(0, pages_bad(p, n, 0xbad0));
	EXPECT_EQ(retired0, stat_of("vmsim_swap_slots_retired"));
	munmap(p, n * page_size);
	EXPECT_EQ(0, vmsim_advise(self->fd, 0, n, VMSIM_ADV_DONTNEED) < 0);
	vmsim_swaps_settle(FLAKY);
	EXPECT_EQ(free0, meminfo_kb(VMSIM_MEMINFO, "SwapFree")) {
		TH_LOG("SwapFree %ld kB after the burst, %ld kB before",
		       meminfo_kb(VMSIM_MEMINFO, "SwapFree"), free0);
	}
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, FLAKY));
}

/*
 * Two areas of equal priority take turns a cluster of slots at a time:
 * a batch of pages goes out in a few multi-page bios, not one per page,
 * and both areas get pages.
 */
TEST_F_TIMEOUT(swap, equal_priorities_write_runs, 180)
{
	size_t n = 512;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long long wbios0, rbios0, out0, in0, wbios, rbios;

	ASSERT_EQ(0, vmsim_swapoff_ioctl(self->fd, dev1));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev1, 5, VMSIM_SWAP_FLAG_PREFER));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 5, VMSIM_SWAP_FLAG_PREFER));
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0xe9a1);
	wbios0 = stat_of("vmsim_swap_write_bios");
	ASSERT_LE(0, wbios0);
	out0 = stat_of("pswpout");
	pageout_all(_metadata, self->fd, n);
	wbios = stat_of("vmsim_swap_write_bios") - wbios0;
	EXPECT_EQ((long long)n, stat_of("pswpout") - out0);
	EXPECT_LE(wbios * 8, (long long)n) {
		TH_LOG("%lld write bios for %zu pages", wbios, n);
	}
	EXPECT_GT(vmsim_swaps_used(dev1), 0);
	EXPECT_GT(vmsim_swaps_used(dev2), 0);

	/* Sequential swap-in reads runs back with readahead. */
	rbios0 = stat_of("vmsim_swap_read_bios");
	in0 = stat_of("pswpin");
	EXPECT_EQ(0, pages_bad(p, n, 0xe9a1));
	rbios = stat_of("vmsim_swap_read_bios") - rbios0;
	EXPECT_LE(rbios * 4, stat_of("pswpin") - in0) {
		TH_LOG("%lld read bios for %lld pages", rbios,
		       stat_of("pswpin") - in0);
	}
	munmap(p, n * page_size);
}

struct hung_reader {
	char *p;
};

static void *hung_touch(void *arg)
{
	struct hung_reader *r = arg;

	peek(r->p);
	return NULL;
}

/*
 * A device that stops answering (a suspended dm device): a task whose
 * swap-in is stuck on it and a second thread waiting for the same page
 * both die at once on SIGKILL; no hung task.
 */
TEST_F_TIMEOUT(swap, stuck_device_killable, 180)
{
	unsigned long long sectors = dev_sectors(dev2);
	int ready[2], go[2], status = 0;
	size_t n = 64, i;
	char c;
	pid_t pid;

	if (!vmsim_sh("command -v dmsetup >/dev/null"))
		SKIP(return, "no dmsetup");
	ASSERT_GT(sectors, 0);
	if (!flaky_table(true, "0 %llu linear %s 0", sectors, dev2))
		SKIP(return, "cannot create a dm-linear device");
	flaky_swapon(_metadata, self->fd);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct hung_reader r;
		pthread_t t[2];
		int fd = vmsim_open();

		r.p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);
		if (r.p == MAP_FAILED)
			_exit(2);
		pages_fill(r.p, n, 0x57ac);
		pageout_all(_metadata, fd, n);
		if (vmsim_pte(fd, 0) & VMSIM_PTE_PRESENT)
			_exit(3);
		c = 'R';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(4);
		/* Suspended now: both threads block on page 0. */
		pthread_create(&t[0], NULL, hung_touch, &r);
		usleep(200 * 1000);
		pthread_create(&t[1], NULL, hung_touch, &r);
		pthread_join(t[0], NULL);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_TRUE(vmsim_sh("dmsetup suspend --noudevsync vmsim-flaky"));
	c = 'G';
	ASSERT_EQ(1, write(go[1], &c, 1));
	sleep(2);
	/* Stuck: the child is still there. */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	kill(pid, SIGKILL);
	for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
		usleep(100 * 1000);
	EXPECT_LT(i, 100) {
		TH_LOG("the killed process was still there 10 s later");
	}
	ASSERT_TRUE(vmsim_sh("dmsetup resume --noudevsync vmsim-flaky"));
	if (i == 100)
		waitpid(pid, &status, 0);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	/* The read finished without it: its object is freed, slots too. */
	for (i = 0; i < 100 && vmsim_swaps_used(FLAKY) > 0; i++)
		usleep(100 * 1000);
	EXPECT_EQ(0, vmsim_swaps_used(FLAKY));
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, FLAKY));
}

static int sampling;

/* SwapTotal and SwapFree from one read of /proc/vmsim_meminfo. */
static bool swap_total_free(long *total, long *free)
{
	char line[128];
	FILE *f = fopen(VMSIM_MEMINFO, "r");
	int got = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		got += sscanf(line, "SwapTotal: %ld kB", total) == 1;
		got += sscanf(line, "SwapFree: %ld kB", free) == 1;
	}
	fclose(f);
	return got == 2;
}

static void *swapfree_sampler(void *arg)
{
	long *bad = arg, total, free;

	while (__atomic_load_n(&sampling, __ATOMIC_RELAXED))
		if (!swap_total_free(&total, &free) || free > total)
			(*bad)++;
	return NULL;
}

/*
 * SwapFree never exceeds SwapTotal (nor wraps to a huge number) in any
 * read of /proc/vmsim_meminfo, while areas come and go and pages go out
 * and come back.
 */
TEST_F_TIMEOUT(swap, swapfree_consistent, 180)
{
	struct vmsim_writer w = { .pages = 2 * self->pool, .rounds = 2,
			    .tag = 5ULL << 40 };
	long bad = 0;
	pthread_t t;
	int i, status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		vmsim_writer_run(&w);
	__atomic_store_n(&sampling, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_create(&t, NULL, swapfree_sampler, &bad));
	for (i = 0; i < 40; i++) {
		EXPECT_EQ(0, vmsim_swapon_ioctl(self->fd, dev2, 0, 0));
		usleep(20 * 1000);
		while (vmsim_swapoff_ioctl(self->fd, dev2) == -ENOMEM)
			usleep(20 * 1000);
	}
	__atomic_store_n(&sampling, 0, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, bad);
}

/*
 * A process that exits while its pages are being written: the last
 * reference to its object goes when the writes end, in vmsim's I/O
 * worker, which must not run the teardown itself (it would stall every
 * completion behind it): the teardown is deferred, and still happens.
 */
TEST_F_TIMEOUT(swap, teardown_deferred_from_writeback, 180)
{
	const char *ev = "/sys/kernel/tracing/events/vmsim/vmsim_object_free/enable";
	unsigned long long sectors = dev_sectors(dev2);
	long free0 = vmsim_free_pages();
	struct vmsim_info info;
	size_t n = 256, i;
	char line[512];
	bool seen = false;
	int status, fd;
	FILE *f;
	pid_t pid;

	if (access("/sys/kernel/tracing/events/vmsim", F_OK))
		SKIP(return, "no vmsim tracepoints in tracefs");
	ASSERT_EQ(0, access(ev, W_OK));
	if (!vmsim_sh("command -v dmsetup >/dev/null"))
		SKIP(return, "no dmsetup");
	if (!flaky_table(true, "0 %llu linear %s 0", sectors, dev2))
		SKIP(return, "cannot create a dm-linear device");
	flaky_swapon(_metadata, self->fd);
	ASSERT_TRUE(vmsim_sh("echo > /sys/kernel/tracing/trace"));
	ASSERT_TRUE(vmsim_sh("echo 1 > /sys/kernel/tracing/events/vmsim/vmsim_object_free/enable"));
	ASSERT_TRUE(vmsim_sh("dmsetup suspend --noudevsync vmsim-flaky"));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *p;

		fd = vmsim_open();
		p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED || vmsim_get_info(fd, &info))
			_exit(2);
		pages_fill(p, n, 0xdef);
		/* The writes wait in the suspended device. */
		if (vmsim_advise(fd, 0, n, VMSIM_ADV_PAGEOUT) != (long)n)
			_exit(3);
		_exit(info.object_id & 0x7f);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) > 3);
	usleep(200 * 1000);
	ASSERT_TRUE(vmsim_sh("dmsetup resume --noudevsync vmsim-flaky"));
	for (i = 0; i < 100 && vmsim_free_pages() < free0; i++)
		usleep(100 * 1000);
	EXPECT_LE(free0, vmsim_free_pages());
	ASSERT_TRUE(vmsim_sh("echo 0 > /sys/kernel/tracing/events/vmsim/vmsim_object_free/enable"));
	f = fopen("/sys/kernel/tracing/trace", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		char *obj = strstr(line, "obj=");

		if (obj && (strtoull(obj + 4, NULL, 10) & 0x7f) ==
		    (unsigned int)WEXITSTATUS(status)) {
			seen = true;
			EXPECT_NE(NULL, strstr(line, "deferred=1")) {
				TH_LOG("teardown not deferred: %s", line);
			}
		}
	}
	fclose(f);
	EXPECT_TRUE(seen);
	EXPECT_EQ(0, vmsim_swaps_drain(FLAKY));
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, FLAKY));
}

/*
 * Fault injection (the debug kernels' failslab): swap-out while half of
 * the faulting task's slab allocations fail.  Reclaim must make progress
 * and take no second entry lock blocking (lockdep is watching), and
 * every byte must survive.
 */
TEST_F_TIMEOUT(swap, failslab_during_swapout, 600)
{
	static const char *const set[][2] = {
		{ "probability", "50" }, { "interval", "1" }, { "times", "-1" },
		{ "space", "0" }, { "verbose", "0" }, { "task-filter", "Y" },
		{ "ignore-gfp-wait", "N" },
	};
	const char *d = "/sys/kernel/debug/failslab";
	char path[128];
	int status;
	size_t i;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/probability", d);
	if (access(path, W_OK))
		SKIP(return, "no failslab in this kernel (CONFIG_FAILSLAB)");
	for (i = 0; i < ARRAY_SIZE(set); i++) {
		snprintf(path, sizeof(path), "%s/%s", d, set[i][0]);
		ASSERT_TRUE(write_file(path, set[i][1])) {
			TH_LOG("cannot set %s", path);
		}
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t n = 2 * self->pool;
		int fd = vmsim_open(), mf;
		char *p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);

		if (p == MAP_FAILED)
			_exit(2);
		mf = open("/proc/self/make-it-fail", O_WRONLY);
		if (mf < 0 || write(mf, "1", 1) != 1)
			_exit(3);
		close(mf);
		pages_fill(p, n, 0xfa11);
		if (pages_bad(p, n, 0xfa11))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	snprintf(path, sizeof(path), "%s/probability", d);
	write_file(path, "0");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("writer status %#x", status);
	}
}

/*
 * Without write-notify (write_notify=N) a write to a page mapped by a read
 * fault reaches only the PTE's dirty bit.  Eviction must still write the
 * page: while it is mapped, after munmap() (the bit went to the frame),
 * and when it was clean in the swap cache (its slot is stale).  Nothing
 * queries the pages before they go, which would mark them dirty itself.
 */
TEST_F_TIMEOUT(swap, write_notify_off_writes_reach_swap, 180)
{
	size_t n = 64, i;
	long long out0;
	char *p;
	int round;

	if (!(self->info.features & VMSIM_FEAT_WRITE_NOTIFY))
		SKIP(return, "no write_notify parameter");
	ASSERT_EQ(0, vmsim_param_set("write_notify", "N"));
	for (round = 0; round < 3; round++) {
		p = vmsim_map(self->fd, n * page_size, 0,
			      PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, p);
		/* Round 2: every page comes back clean, in the swap cache. */
		for (i = 0; i < n; i++)
			peek(&p[i * page_size]);
		pages_fill(p, n, 900 + round);
		/* Round 1: the PTEs are gone before reclaim looks. */
		if (round == 1)
			munmap(p, n * page_size);
		out0 = stat_of("pswpout");
		pageout_all(_metadata, self->fd, n);
		for (i = 0; i < 200 && stat_of("pswpout") < out0 + (long long)n;
		     i++)
			usleep(10000);
		EXPECT_EQ(out0 + (long long)n, stat_of("pswpout")) {
			TH_LOG("round %d: written pages not all written out",
			       round);
		}
		if (round == 1)
			p = vmsim_map(self->fd, n * page_size, 0,
				      PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(0, pages_bad(p, n, 900 + round)) {
			TH_LOG("round %d: data lost", round);
		}
		munmap(p, n * page_size);
	}
}

/*
 * Without write-notify, a page faulted back in while its write to swap
 * waits in a suspended device is mapped writable and clean.  Written and
 * unmapped before the write completes, its new data is only in PG_dirty:
 * the completion must keep the page (its slot is stale), not point the
 * entry back at the slot.
 */
TEST_F_TIMEOUT(swap, write_notify_off_write_during_writeback, 180)
{
	unsigned long long sectors = dev_sectors(dev2);
	size_t n = 64, i;
	char *p;

	if (!(self->info.features & VMSIM_FEAT_WRITE_NOTIFY))
		SKIP(return, "no write_notify parameter");
	if (!vmsim_sh("command -v dmsetup >/dev/null"))
		SKIP(return, "no dmsetup");
	if (!flaky_table(true, "0 %llu linear %s 0", sectors, dev2))
		SKIP(return, "cannot create a dm-linear device");
	flaky_swapon(_metadata, self->fd);
	ASSERT_EQ(0, vmsim_param_set("write_notify", "N"));
	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0xa00);
	ASSERT_TRUE(vmsim_sh("dmsetup suspend --noudevsync vmsim-flaky"));
	/* The writes wait in the suspended device, the pages unmapped. */
	EXPECT_EQ(n, vmsim_advise(self->fd, 0, n, VMSIM_ADV_PAGEOUT));
	for (i = 0; i < n; i++)
		peek(&p[i * page_size]);
	pages_fill(p, n, 0xb00);
	munmap(p, n * page_size);
	ASSERT_TRUE(vmsim_sh("dmsetup resume --noudevsync vmsim-flaky"));
	vmsim_swaps_settle(FLAKY);

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, pages_bad(p, n, 0xb00)) {
		TH_LOG("writes made during writeback lost");
	}
	/* And they go to swap, and come back, when the pages are evicted. */
	pageout_all(_metadata, self->fd, n);
	EXPECT_EQ(0, pages_bad(p, n, 0xb00));
	munmap(p, n * page_size);
}

TEST_HARNESS_MAIN
