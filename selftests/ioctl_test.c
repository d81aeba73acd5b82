// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input: every ioctl with bad pointers, bad ranges, reserved fields
 * and unknown commands; mmap with bad arguments.  Each must fail with the
 * documented errno and change nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

FIXTURE(ioctl) {
	int fd;
	struct vmsim_info info;
	void *ro;		/* a read-only page */
	void *gone;		/* an address with nothing mapped */
};

FIXTURE_SETUP(ioctl)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	self->ro = mmap(NULL, page_size, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
	self->gone = mmap(NULL, page_size, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->gone);
	munmap(self->gone, page_size);
}

FIXTURE_TEARDOWN(ioctl)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define EXPECT_ERRNO(err, call) do {		\
	errno = 0;				\
	EXPECT_EQ(-1, (long)(call));		\
	EXPECT_EQ(err, errno);			\
} while (0)

/* Unknown commands, whatever their number, size or direction. */
TEST_F(ioctl, unknown_commands)
{
	unsigned int cmds[] = {
		0, 1, 0xffffffff,
		_IO(VMSIM_IOC_MAGIC, 0x10), _IO(VMSIM_IOC_MAGIC, 0xff),
		_IOR(VMSIM_IOC_MAGIC, 0x00, struct vmsim_info),
		_IOW(VMSIM_IOC_MAGIC, 0x01, struct vmsim_pte_query),
		_IOWR(VMSIM_IOC_MAGIC, 0x02, int),
		_IOWR('V', 0x00, struct vmsim_info),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT_ERRNO(ENOTTY, ioctl(self->fd, cmds[i], NULL));
}

/* Every command with pointers that cannot be read or written. */
TEST_F(ioctl, bad_pointers)
{
	unsigned int cmds[] = {
		VMSIM_IOC_INFO, VMSIM_IOC_PTE_QUERY, VMSIM_IOC_ADVISE,
		VMSIM_IOC_STATS,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, cmds[i], NULL));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, cmds[i], self->gone));
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, cmds[i], (void *)-4096L));
	}
	/* Readable (all zeros, so valid input) but not writable. */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VMSIM_IOC_INFO, self->ro));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VMSIM_IOC_STATS, self->ro));
}

static struct vmsim_pte_query good_query(uint64_t *ent)
{
	return (struct vmsim_pte_query){ .start = 0, .count = 1,
					 .entries = (uintptr_t)ent };
}

TEST_F(ioctl, pte_query_refusals)
{
	uint64_t ent[4], max = self->info.max_object_pages;
	struct vmsim_pte_query q;

	q = good_query(ent);
	EXPECT_EQ(0, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));

	q = good_query(ent);
	q.count = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.count = VMSIM_QUERY_MAX + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.start = max;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.start = max - 1;
	q.count = 2;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.start = ~0ULL;
	q.count = 2;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.flags = 0x80;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q = good_query(ent);
	q.pid = getpid();	/* only with VMSIM_QUERY_ADDR */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));

	/* The entries pointer: unmapped, read-only, kernel. */
	q = good_query(ent);
	q.entries = (uintptr_t)self->gone;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q.entries = (uintptr_t)self->ro;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q.entries = -4096ULL;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));

	/* By address: not a vmsim mapping, a kernel address, no such pid. */
	q = good_query(ent);
	q.flags = VMSIM_QUERY_ADDR;
	q.start = (uintptr_t)self->ro;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q.start = -4096ULL;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q.start = (uintptr_t)self->ro;
	q.pid = 0x3ffffff0;
	EXPECT_ERRNO(ESRCH, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	q.pid = -5;
	EXPECT_ERRNO(ESRCH, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
}

static struct vmsim_advice good_advice(void)
{
	return (struct vmsim_advice){ .start = 0, .count = 1,
				      .advice = VMSIM_ADV_COLD };
}

TEST_F(ioctl, advise_refusals)
{
	uint64_t max = self->info.max_object_pages;
	struct vmsim_advice a;

	a = good_advice();
	EXPECT_EQ(0, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));

	a = good_advice();
	a.advice = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a.advice = 99;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a = good_advice();
	a.count = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a = good_advice();
	a.start = max;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a = good_advice();
	a.start = 1;
	a.count = max;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a = good_advice();
	a.start = ~0ULL;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a = good_advice();
	a.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
	a = good_advice();
	a.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_ADVISE, &a));
}

TEST_F(ioctl, info_and_stats_refusals)
{
	struct vmsim_stats st;
	struct vmsim_info info;

	memset(&info, 0, sizeof(info));
	info.reserved[2] = 9;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_INFO, &info));
	memset(&st, 0, sizeof(st));
	st.reserved[4] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VMSIM_IOC_STATS, &st));
	memset(&st, 0, sizeof(st));
	EXPECT_EQ(0, ioctl(self->fd, VMSIM_IOC_STATS, &st));
}

/* mmap: private, executable, out of range, overflowing, odd sizes. */
TEST_F(ioctl, mmap_refusals)
{
	off_t max = (off_t)self->info.max_object_pages * page_size;

	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_EXEC, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ, MAP_SHARED,
				   self->fd, max));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page_size, PROT_READ,
				   MAP_SHARED, self->fd, max - page_size));
	EXPECT_EQ(EINVAL, errno);
	/* Rejected by the core before vmsim sees them. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ, MAP_SHARED,
				   self->fd, 123));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 0, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ, MAP_SHARED,
				   self->fd, (off_t)-page_size));
	EXPECT_NE(0, errno);
}

TEST_HARNESS_MAIN
