// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-on-write clones (VMSIM_IOC_CLONE): each side sees its own writes
 * and the pages both had before; unwritten pages stay shared, counted
 * once; pages in swap, reclaim and swapoff of shared pages; clones of
 * clones; either side closed first; a clone made after fork(), as
 * "vmsimctl run" makes one; the counters.
 *
 * The swap tests need a block device for a swap area: VMSIM_SWAPDEV
 * (default /dev/vda), whose contents are destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

static const char *swapdev;

/* A clone of pages [@start, @start + @count) of @fd's object, or -errno. */
static int clone_fd(int fd, uint64_t start, uint64_t count)
{
	struct vmsim_clone c = {
		.start = start, .count = count, .flags = VMSIM_CLONE_CLOEXEC,
	};

	if (ioctl(fd, VMSIM_IOC_CLONE, &c))
		return -errno;
	return c.fd;
}

static long long stat_of(const char *name)
{
	return vmstat_value(VMSIM_VMSTAT, name);
}

static long shared_pages(void)
{
	return vmstat_value(VMSIM_VMSTAT, "vmsim_nr_cow_shared");
}

/*
 * How many of pages [0, @n) of @fd have the bits @mask equal to @want and,
 * with @sharers non-zero, that many sharers; -1 if the query fails.
 */
static long count_ptes(int fd, size_t n, uint64_t mask, uint64_t want,
		       unsigned int sharers)
{
	uint64_t *e = calloc(n, sizeof(*e));
	size_t i;
	long k = 0;

	if (!e || vmsim_query(fd, 0, n, e)) {
		free(e);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((e[i] & mask) == want &&
		    (!sharers || VMSIM_PTE_SHARERS(e[i]) == sharers))
			k++;
	free(e);
	return k;
}

/* How many of pages [0, @n) of @fd show COW with @sharers sharers. */
static size_t cow_pages(int fd, size_t n, unsigned int sharers)
{
	return count_ptes(fd, n, VMSIM_PTE_COW, VMSIM_PTE_COW, sharers);
}

/* How many of pages [0, @n) of @fd are shared and out in swap. */
static long cow_out(int fd, size_t n)
{
	return count_ptes(fd, n,
			  VMSIM_PTE_COW | VMSIM_PTE_SWAPPED | VMSIM_PTE_PRESENT,
			  VMSIM_PTE_COW | VMSIM_PTE_SWAPPED, 0);
}

FIXTURE(cow) {
	int fd;
	struct vmsim_info info;
	size_t pool;
	bool swap;
	char policy[32];
};

FIXTURE_SETUP(cow)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	if (!(self->info.features & VMSIM_FEAT_CLONE))
		SETUP_SKIP("no VMSIM_IOC_CLONE in this vmsim");
	self->pool = self->info.pool_pages;
	ASSERT_EQ(0, vmsim_policy_get(self->policy, sizeof(self->policy)));
	swapdev = getenv("VMSIM_SWAPDEV") ?: "/dev/vda";
}

FIXTURE_TEARDOWN(cow)
{
	if (self->fd < 0)
		return;
	close(self->fd);
	if (self->swap)
		vmsim_swapoff_ioctl(vmsim_open(), swapdev);
	vmsim_param_set("write_notify", "Y");
	vmsim_policy_set(self->policy);
}

/* Lines of /proc/vmsim_objects: one per live object, and a header. */
static int objects_listed(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/vmsim_objects", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Swap on, for the tests whose pages must go out; false to skip. */
static bool cow_swapon(struct __test_metadata *_metadata,
		       struct _test_data_cow *self)
{
	struct stat st;

	if (stat(swapdev, &st) || !S_ISBLK(st.st_mode))
		return false;
	vmsim_swapoff_ioctl(self->fd, swapdev);
	if (vmsim_swap_header_write(swapdev, VMSIM_SWAP_VERSION) ||
	    vmsim_swapon_ioctl(self->fd, swapdev, 0, 0))
		return false;
	self->swap = true;
	return true;
}

/* Bad arguments change nothing and say EINVAL (EFAULT for a bad pointer). */
TEST_F(cow, refusals)
{
	struct vmsim_clone c = { 0 };
	uint64_t max = self->info.max_object_pages;

	c.flags = 2;
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_CLONE, &c));
	EXPECT_EQ(EINVAL, errno);
	c = (struct vmsim_clone){ .fd = 3 };
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_CLONE, &c));
	EXPECT_EQ(EINVAL, errno);
	c = (struct vmsim_clone){ .reserved[1] = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_CLONE, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, clone_fd(self->fd, max, 0));
	EXPECT_EQ(-EINVAL, clone_fd(self->fd, max - 1, 2));
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_CLONE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, stat_of("vmsim_cow_clones") < 0);
}

/*
 * The clone reads what its source had; each side's writes stay its own;
 * no frame is spent by the clone, and pages neither wrote stay shared.
 */
TEST_F(cow, write_after_clone)
{
	size_t n = self->pool / 4, half = n / 2;
	long long clones0 = stat_of("vmsim_cow_clones");
	long long copied0 = stat_of("vmsim_cow_copied");
	char *p, *q;
	long free0;
	int c;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 1000);
	free0 = vmsim_free_pages();
	c = clone_fd(self->fd, 0, 0);
	ASSERT_GE(c, 0);
	EXPECT_EQ(clones0 + 1, stat_of("vmsim_cow_clones"));
	/* Tables only: not one frame per page. */
	EXPECT_GT(vmsim_free_pages(), free0 - (long)n / 8);
	EXPECT_EQ((long)n, shared_pages());

	q = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, pages_bad(q, n, 1000));
	EXPECT_EQ(n, cow_pages(self->fd, n, 2));
	EXPECT_EQ(n, cow_pages(c, n, 2));

	pages_fill(p, half, 2000);		/* the source's first half */
	pages_fill(q + half * page_size, half, 3000);	/* the clone's second */
	EXPECT_EQ(0, pages_bad(p, half, 2000));
	EXPECT_EQ(0, pages_bad(p + half * page_size, half, 1000 + half));
	EXPECT_EQ(0, pages_bad(q, half, 1000));
	EXPECT_EQ(0, pages_bad(q + half * page_size, half, 3000));
	EXPECT_EQ(2 * half, stat_of("vmsim_cow_copied") - copied0);
	/* Each half is shared no more: one side has its own copy. */
	EXPECT_EQ(0, cow_pages(self->fd, n, 2));
	EXPECT_EQ(half, cow_pages(self->fd, n, 1));
	EXPECT_EQ(half, cow_pages(c, n, 1));
	EXPECT_EQ(0, vmsim_pte(c, half) & VMSIM_PTE_COW);
	EXPECT_TRUE(vmsim_pte(self->fd, 0) & VMSIM_PTE_DIRTY);

	munmap(q, n * page_size);
	close(c);
	munmap(p, n * page_size);
}

/* Pages outside the range read zero in the clone; DONTNEED reads zero. */
TEST_F(cow, range_and_dontneed)
{
	size_t n = 64;
	char *p, *q;
	int c;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 500);
	c = clone_fd(self->fd, 16, 16);
	ASSERT_GE(c, 0);
	q = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(page_is_zero(q));
	EXPECT_TRUE(page_is_zero(q + 15 * page_size));
	EXPECT_TRUE(page_is_zero(q + 32 * page_size));
	EXPECT_EQ(0, pages_bad(q + 16 * page_size, 16, 516));
	/* The source keeps all of its pages, shared or not. */
	EXPECT_EQ(0, pages_bad(p, n, 500));

	EXPECT_EQ(0, vmsim_advise(c, 16, 8, VMSIM_ADV_DONTNEED));
	EXPECT_TRUE(page_is_zero(q + 16 * page_size));
	EXPECT_TRUE(page_is_zero(q + 23 * page_size));
	EXPECT_EQ(0, pages_bad(q + 24 * page_size, 8, 524));
	EXPECT_EQ(0, pages_bad(p + 16 * page_size, 16, 516));
	vmsim_advise(self->fd, 0, n, VMSIM_ADV_DONTNEED);
	EXPECT_TRUE(page_is_zero(p + 24 * page_size));
	EXPECT_EQ(0, pages_bad(q + 24 * page_size, 8, 524));
	munmap(q, n * page_size);
	close(c);
	munmap(p, n * page_size);
}

/*
 * A clone of a range clone: the first clone's pages outside its range
 * (its own) stay its own, and reach the second clone too.
 */
TEST_F(cow, clone_of_a_range_clone)
{
	size_t n = 32;
	char *p, *q, *r;
	int c, d;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 600);
	c = clone_fd(self->fd, 0, 10);
	ASSERT_GE(c, 0);
	q = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	pages_fill(q + 15 * page_size, 1, 650);	/* outside the range */
	d = clone_fd(c, 0, 0);
	ASSERT_GE(d, 0);
	r = vmsim_map(d, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, r);
	EXPECT_EQ(0, pages_bad(q, 10, 600));
	EXPECT_EQ(0, pages_bad(q + 15 * page_size, 1, 650));
	EXPECT_TRUE(page_is_zero(q + 20 * page_size));
	EXPECT_EQ(0, pages_bad(r, 10, 600));
	EXPECT_EQ(0, pages_bad(r + 15 * page_size, 1, 650));
	EXPECT_TRUE(page_is_zero(r + 20 * page_size));
	munmap(r, n * page_size);
	munmap(q, n * page_size);
	munmap(p, n * page_size);
	close(d);
	close(c);
}

/*
 * Clones of an object while its earlier clones stay open: each adds a
 * level, each sees the page as it was when it was made; the 33rd level
 * is refused (EMLINK), and nothing changes for the others.
 */
TEST_F(cow, depth_limit)
{
	int c[33], i, k;
	char *p;

	p = vmsim_map(self->fd, page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 32; i++) {
		page_fill(p, 100 + i);
		c[i] = clone_fd(self->fd, 0, 0);
		ASSERT_GE(c[i], 0);
	}
	page_fill(p, 200);
	EXPECT_EQ(-EMLINK, clone_fd(self->fd, 0, 0));
	for (k = 0; k < 32; k += 31) {
		char *q = vmsim_map(c[k], page_size, 0, PROT_READ);

		ASSERT_NE(MAP_FAILED, q);
		EXPECT_TRUE(page_check(q, 100 + k));
		EXPECT_EQ(1, VMSIM_PTE_SHARERS(vmsim_pte(c[k], 0)));
		munmap(q, page_size);
	}
	EXPECT_TRUE(page_check(p, 200));
	for (i = 0; i < 32; i++)
		close(c[i]);
	munmap(p, page_size);
}

/*
 * Closing either side first: the other keeps every page, and its writes
 * take the frames over instead of copying them.
 */
TEST_F(cow, close_either_side_first)
{
	size_t n = 64;
	int side;

	for (side = 0; side < 2; side++) {
		long long taken0, copied0;
		int fd = vmsim_open(), c, keep, gone;
		char *p, *q, *k;

		ASSERT_GE(fd, 0);
		p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, p);
		pages_fill(p, n, 700);
		c = clone_fd(fd, 0, 0);
		ASSERT_GE(c, 0);
		q = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, q);
		keep = side ? c : fd;
		gone = side ? fd : c;
		k = side ? q : p;
		munmap(side ? p : q, n * page_size);
		close(gone);
		EXPECT_EQ(n, cow_pages(keep, n, 1));
		taken0 = stat_of("vmsim_cow_taken");
		copied0 = stat_of("vmsim_cow_copied");
		/* The first touch, a read, takes each frame over. */
		EXPECT_EQ(0, pages_bad(k, n, 700));
		pages_fill(k, n, 800);
		EXPECT_EQ((long long)n, stat_of("vmsim_cow_taken") - taken0);
		EXPECT_EQ(0, stat_of("vmsim_cow_copied") - copied0);
		EXPECT_EQ(0, pages_bad(k, n, 800));
		EXPECT_EQ(0, cow_pages(keep, n, 1));
		EXPECT_EQ(0, shared_pages());
		munmap(k, n * page_size);
		close(keep);
	}
}

/*
 * A clone of a clone, and two clones of one object: every object sees
 * what it had when it was cloned, and its own writes.
 */
TEST_F(cow, clone_chains)
{
	size_t n = 32;
	int a = self->fd, b, c, d;
	char *pa, *pb, *pc, *pd;
	long free0 = vmsim_free_pages();

	pa = vmsim_map(a, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, pa);
	pages_fill(pa, n, 100);
	b = clone_fd(a, 0, 0);
	ASSERT_GE(b, 0);
	pb = vmsim_map(b, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, pb);
	pages_fill(pb, n / 2, 200);		/* b: 200.. then 100+16.. */
	c = clone_fd(b, 0, 0);			/* a clone of the clone */
	ASSERT_GE(c, 0);
	pages_fill(pa + 8 * page_size, 8, 300);	/* a: 100.., 300 at 8 */
	d = clone_fd(a, 0, 0);			/* a's second clone */
	ASSERT_GE(d, 0);
	pc = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
	pd = vmsim_map(d, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, pc);
	ASSERT_NE(MAP_FAILED, pd);
	pages_fill(pb + 24 * page_size, 8, 400);	/* after c was made */

	EXPECT_EQ(0, pages_bad(pa, 8, 100));
	EXPECT_EQ(0, pages_bad(pa + 8 * page_size, 8, 300));
	EXPECT_EQ(0, pages_bad(pa + 16 * page_size, 16, 116));
	EXPECT_EQ(0, pages_bad(pb, 16, 200));
	EXPECT_EQ(0, pages_bad(pb + 16 * page_size, 8, 116));
	EXPECT_EQ(0, pages_bad(pb + 24 * page_size, 8, 400));
	EXPECT_EQ(0, pages_bad(pc, 16, 200));
	EXPECT_EQ(0, pages_bad(pc + 16 * page_size, 16, 116));
	EXPECT_EQ(0, pages_bad(pd, 8, 100));
	EXPECT_EQ(0, pages_bad(pd + 8 * page_size, 8, 300));
	EXPECT_EQ(0, pages_bad(pd + 16 * page_size, 16, 116));
	/* Pages 16-23 are one frame, read by all four. */
	EXPECT_EQ(4, VMSIM_PTE_SHARERS(vmsim_pte(c, 20)));

	munmap(pa, n * page_size);
	munmap(pb, n * page_size);
	munmap(pc, n * page_size);
	munmap(pd, n * page_size);
	close(b);
	close(c);
	close(d);
	/* The fixture's object keeps its pages; the rest are freed. */
	EXPECT_EQ(0, vmsim_advise(a, 0, n, VMSIM_ADV_DONTNEED) < 0);
	EXPECT_GE(vmsim_free_pages_settle(free0), free0);
	EXPECT_EQ(0, shared_pages());
}

/*
 * A mapping made with write_notify=N maps pages writable at once: a
 * clone's read there takes a copy, and nothing leaks between the sides.
 */
TEST_F(cow, without_write_notify)
{
	size_t n = 32;
	char *p, *q;
	int c;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 900);
	c = clone_fd(self->fd, 0, 0);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, vmsim_param_set("write_notify", "N"));
	q = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, pages_bad(q, n, 900));
	pages_fill(q, n, 950);
	EXPECT_EQ(0, pages_bad(p, n, 900));
	EXPECT_EQ(0, pages_bad(q, n, 950));
	munmap(q, n * page_size);
	close(c);
	munmap(p, n * page_size);
}

/*
 * fork(), then the child clones the object it shares with its parent and
 * maps the clone over it (what vmsimctl run's preload does): parent and
 * child write the same pages and each reads its own.
 */
TEST_F(cow, fork_then_clone)
{
	size_t n = self->pool / 4;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	int status, pipefd[2];
	char x;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(pipefd));
	pages_fill(p, n, 4000);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int c = clone_fd(self->fd, 0, 0);

		if (c < 0 || mmap(p, n * page_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, c, 0) != p)
			_exit(2);
		close(pipefd[0]);
		close(pipefd[1]);		/* the parent may go on */
		pages_fill(p, n, 5000);
		usleep(100 * 1000);
		_exit(pages_bad(p, n, 5000) ? 3 : 0);
	}
	close(pipefd[1]);
	EXPECT_EQ(0, read(pipefd[0], &x, 1));	/* EOF: the child cloned */
	close(pipefd[0]);
	pages_fill(p, n / 2, 6000);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, pages_bad(p, n / 2, 6000));
	EXPECT_EQ(0, pages_bad(p + n / 2 * page_size, n - n / 2, 4000 + n / 2));
	munmap(p, n * page_size);
}

/*
 * A clone of an object with pages out in swap: the slots are shared, not
 * read, and each side reads them back; then shared pages are reclaimed
 * (written once) and brought back by swapoff, with nothing lost.
 */
TEST_F_TIMEOUT(cow, swap_reclaim_and_swapoff, 180)
{
	size_t n = self->pool / 4, m = self->pool * 3 / 2;
	long long out0, in0;
	int c, other, listed, i;
	char *p, *q, *r;

	if (!cow_swapon(_metadata, self))
		SKIP(return, "no swap area on %s", swapdev);
	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 10000);
	ASSERT_EQ(n, vmsim_pageout_wait(self->fd, n));
	ASSERT_GE(vmsim_swaps_used(swapdev), (long)n);
	in0 = stat_of("pswpin");
	c = clone_fd(self->fd, 0, 0);
	ASSERT_GE(c, 0);
	/* Cloning read nothing back, and the slots are shared, not copied. */
	EXPECT_EQ(in0, stat_of("pswpin"));
	EXPECT_EQ(n, cow_pages(c, n, 2));
	EXPECT_TRUE(vmsim_pte(c, 0) & VMSIM_PTE_SWAPPED);
	q = vmsim_map(c, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, pages_bad(q, n, 10000));
	pages_fill(p, n / 4, 20000);
	EXPECT_EQ(0, pages_bad(p + n / 4 * page_size, n - n / 4,
			       10000 + n / 4));

	/*
	 * Another object's pages push the shared ones out: under fifo, the
	 * oldest first, however recently both objects read them.
	 */
	ASSERT_EQ(0, vmsim_policy_set("fifo"));
	out0 = stat_of("pswpout");
	listed = objects_listed();
	other = vmsim_open();
	ASSERT_GE(other, 0);
	r = vmsim_map(other, m * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, r);
	pages_fill(r, m, 30000);
	EXPECT_GT(stat_of("pswpout") - out0, (long long)n);
	/* Shared pages went out once: both objects show the same slot. */
	EXPECT_GT(cow_out(c, n), 0) {
		TH_LOG("shared resident %ld", shared_pages());
	}
	EXPECT_EQ(0, vmsim_policy_set(self->policy));
	EXPECT_EQ(0, pages_bad(q, n, 10000));
	EXPECT_EQ(0, pages_bad(p, n / 4, 20000));
	EXPECT_EQ(0, pages_bad(p + n / 4 * page_size, n - n / 4,
			       10000 + n / 4));

	/* swapoff brings the shared pages back into memory, once. */
	munmap(r, m * page_size);
	close(other);
	/*
	 * If reclaim held the other object when it was closed, it goes a
	 * moment later, and its frames with it: wait for that (swapoff
	 * waits for teardowns already queued, not for references held).
	 */
	for (i = 0; i < 1000 && objects_listed() > listed; i++)
		usleep(10 * 1000);
	EXPECT_EQ(listed, objects_listed());
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, swapdev)) {
		TH_LOG("free %ld shared %ld resident %ld kB swapfree %ld kB",
		       vmsim_free_pages(), shared_pages(),
		       meminfo_kb(VMSIM_MEMINFO, "AnonPages"),
		       meminfo_kb(VMSIM_MEMINFO, "SwapFree"));
	}
	self->swap = false;
	EXPECT_EQ(0, pages_bad(q, n, 10000));
	EXPECT_EQ(0, pages_bad(p + n / 4 * page_size, n - n / 4,
			       10000 + n / 4));
	munmap(p, n * page_size);
	munmap(q, n * page_size);
	close(c);
}

TEST_HARNESS_MAIN
