// SPDX-License-Identifier: GPL-2.0
/*
 * The first end-to-end path: open /dev/vmsim, mmap it, fault pages in from
 * the pool, give them back.  Every test states the property it checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

FIXTURE(pool) {
	int fd;
	struct vmsim_info info;
	long free0;
};

FIXTURE_SETUP(pool)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	/* The previous test's objects may still be on their way out. */
	self->free0 = vmsim_free_pages_settle(self->info.pool_pages);
	ASSERT_GT(self->free0, 0);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The device describes itself, and refuses what it does not understand. */
TEST_F(pool, info)
{
	struct vmsim_info info;

	EXPECT_EQ(VMSIM_ABI_VERSION, self->info.abi_version);
	EXPECT_EQ(page_size, self->info.page_size);
	EXPECT_TRUE(self->info.features & VMSIM_FEAT_POOL);
	EXPECT_EQ(meminfo_kb(VMSIM_MEMINFO, "MemTotal"),
		  (long)(self->info.pool_pages * page_size / 1024));

	memset(&info, 0, sizeof(info));
	info.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_INFO, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(VMSIM_IOC_MAGIC, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
}

/* Memory never written reads as zero, and reading it takes no frame. */
TEST_F(pool, fresh_pages_read_zero)
{
	size_t n = 64, i;
	char *p;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(page_is_zero(p + i * page_size));
	EXPECT_EQ(self->free0, vmsim_free_pages());
	ASSERT_EQ(0, munmap(p, n * page_size));
}

/* What is written is read back, through this and through a new mapping. */
TEST_F(pool, write_read_back)
{
	size_t n = 256, i;
	char *p, *q;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		page_fill(p + i * page_size, 0xabc000 + i);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(page_check(p + i * page_size, 0xabc000 + i));
	ASSERT_EQ(0, munmap(p, n * page_size));

	/* The object keeps its pages while the file is open. */
	q = vmsim_map(self->fd, n * page_size, 0, PROT_READ);
	ASSERT_NE(MAP_FAILED, q);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(page_check(q + i * page_size, 0xabc000 + i));
	ASSERT_EQ(0, munmap(q, n * page_size));
}

/* Two opens are two objects: neither sees the other's pages. */
TEST_F(pool, opens_are_isolated)
{
	size_t n = 32, i;
	char *a, *b;
	int fd2;

	fd2 = vmsim_open();
	ASSERT_GE(fd2, 0);
	a = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	b = vmsim_map(fd2, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	for (i = 0; i < n; i++)
		page_fill(a + i * page_size, 0x1111 + i);
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(page_is_zero(b + i * page_size));
		page_fill(b + i * page_size, 0x2222 + i);
	}
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(page_check(a + i * page_size, 0x1111 + i));
		ASSERT_TRUE(page_check(b + i * page_size, 0x2222 + i));
	}
	munmap(a, n * page_size);
	munmap(b, n * page_size);
	close(fd2);
}

struct fill_arg {
	size_t pages;
	uint64_t tag;
};

static void fill_and_exit(void *argp)
{
	struct fill_arg *arg = argp;
	size_t i;
	char *p;
	int fd;

	fd = vmsim_open();
	if (fd < 0)
		_exit(2);
	p = vmsim_map(fd, arg->pages * page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		_exit(3);
	for (i = 0; i < arg->pages; i++)
		page_fill(p + i * page_size, arg->tag + i);
	_exit(0);
}

/*
 * A frame given back by one process and taken by another reads as zero:
 * fill almost the whole pool in a child, let it exit, then read every page
 * of a new object of the same size (which must reuse those frames).
 */
TEST_F(pool, reused_frames_read_zero)
{
	struct fill_arg arg = { .tag = 0x5eed0000 };
	size_t i;
	char *p;

	arg.pages = self->free0 - 8;
	ASSERT_EQ(0, run_in_child(fill_and_exit, &arg));
	ASSERT_EQ(self->free0, vmsim_free_pages_settle(self->free0));

	p = vmsim_map(self->fd, arg.pages * page_size, 0,
		      PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < arg.pages; i++) {
		/* A write fault takes a frame; it must arrive zeroed. */
		p[i * page_size + 1] = 1;
		p[i * page_size + 1] = 0;
		ASSERT_TRUE(page_is_zero(p + i * page_size)) {
			TH_LOG("page %zu of a reused frame is not zero", i);
		}
	}
	/* (Reclaim may have dropped some of these zero pages since.) */
	ASSERT_EQ(0, munmap(p, arg.pages * page_size));
}

/*
 * With the pool exhausted (and no swap), the faulting process gets SIGBUS,
 * and every frame comes back when it exits.
 */
TEST_F(pool, exhaustion_sigbus)
{
	struct fill_arg arg = { .tag = 0xdead0000 };

	arg.pages = self->info.pool_pages + 16;
	EXPECT_EQ(SIGBUS, run_in_child(fill_and_exit, &arg));
	EXPECT_EQ(self->free0, vmsim_free_pages_settle(self->free0));
	EXPECT_GE(vmstat_value(VMSIM_VMSTAT, "vmsim_oom_sigbus"), 1);
}

/* rmmod vmsim; true if it unloaded (then it is loaded again as before). */
static bool try_unload(void)
{
	if (system("rmmod vmsim 2>/dev/null"))
		return false;
	if (system("insmod ${VMSIM_KO:-/lib/modules/vmsim.ko} ${VMSIM_PARAMS:-}"))
		fprintf(stderr, "# cannot load vmsim again\n");
	return true;
}

/*
 * The module cannot go while anything uses it: an open file, or only a
 * mapping whose file is closed.  The data stays readable throughout.
 */
TEST_F(pool, unload_refused_while_in_use)
{
	size_t n = 16;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0x10ad);
	EXPECT_FALSE(try_unload());
	close(self->fd);
	self->fd = -1;
	EXPECT_FALSE(try_unload());
	EXPECT_EQ(0, access(VMSIM_DEVICE, F_OK));
	EXPECT_EQ(0, pages_bad(p, n, 0x10ad));
	munmap(p, n * page_size);
}

/* MemFree goes down by what is written, and back up at close. */
TEST_F(pool, memfree_accounting)
{
	size_t n = 100, i;
	char *p;
	int fd;

	fd = vmsim_open();
	ASSERT_GE(fd, 0);
	p = vmsim_map(fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		p[i * page_size] = 1;
	EXPECT_EQ(self->free0 - (long)n, vmsim_free_pages());

	/* munmap keeps the pages: they belong to the object, not the VMA. */
	ASSERT_EQ(0, munmap(p, n * page_size));
	EXPECT_EQ(self->free0 - (long)n, vmsim_free_pages());

	close(fd);
	EXPECT_EQ(self->free0, vmsim_free_pages_settle(self->free0));
}

/* Only shared, non-executable mappings within max_object_mb are allowed. */
TEST_F(pool, mmap_refusals)
{
	off_t beyond = self->info.max_object_pages * page_size;
	void *p;

	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, page_size, PROT_READ | PROT_EXEC, MAP_SHARED,
		 self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);

	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, self->fd, beyond);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, 2 * page_size, PROT_READ, MAP_SHARED, self->fd,
		 beyond - page_size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* The last page of the largest object is fine. */
	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, self->fd,
		 beyond - page_size);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(page_is_zero(p));
	munmap(p, page_size);
}

/* MemTotal and MemFree are printed exactly as /proc/meminfo prints them. */
TEST_F(pool, meminfo_format)
{
	char line[256];
	regex_t re;
	FILE *f;
	int n = 0;

	ASSERT_EQ(0, regcomp(&re, "^[A-Za-z0-9_()]+: *[0-9]+( kB)?\n$",
			     REG_EXTENDED));
	f = fopen(VMSIM_MEMINFO, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		EXPECT_EQ(0, regexec(&re, line, 0, NULL, 0)) {
			TH_LOG("bad line: %s", line);
		}
		if (!strncmp(line, "MemTotal:", 9) ||
		    !strncmp(line, "MemFree:", 8)) {
			/* "%-16s%8lu kB\n": the number ends at column 24 */
			EXPECT_EQ(28, (int)strlen(line)) {
				TH_LOG("bad width: %s", line);
			}
			EXPECT_EQ(' ', line[15]);
			n++;
		}
	}
	fclose(f);
	regfree(&re);
	EXPECT_EQ(2, n);
}

/* Lines of the kernel log that contain @what. */
static int klog_count(const char *what)
{
	int len = klogctl(10, NULL, 0), n = 0;
	char *buf, *q;

	if (len <= 0)
		return -1;
	buf = malloc(len + 1);
	if (!buf)
		return -1;
	len = klogctl(3, buf, len);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = 0;
	for (q = buf; (q = strstr(q, what)); q++)
		n++;
	free(buf);
	return n;
}

/* A refused mmap is an errno, not a line in the log each time. */
TEST_F(pool, refused_mmap_logged_once)
{
	const char *what = "only MAP_SHARED mappings";
	int before, i;
	void *p;

	/* Once since load, at most. */
	p = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	before = klog_count(what);
	if (before < 0)
		SKIP(return, "cannot read the kernel log");
	for (i = 0; i < 200; i++) {
		p = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, self->fd, 0);
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EINVAL, errno);
		p = mmap(NULL, page_size, PROT_READ | PROT_EXEC, MAP_SHARED,
			 self->fd, 0);
		EXPECT_EQ(MAP_FAILED, p);
	}
	EXPECT_LE(klog_count(what), before);
}

TEST_HARNESS_MAIN
