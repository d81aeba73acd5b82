// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page table entries: every bit observed, against the real page
 * tables (/proc/self/pagemap) and the pool's counters.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

#define P	VMSIM_PTE_PRESENT
#define RW	VMSIM_PTE_RW
#define U	VMSIM_PTE_USER
#define A	VMSIM_PTE_ACCESSED
#define D	VMSIM_PTE_DIRTY
#define Z	VMSIM_PTE_ZERO
#define FLAGS	(P | RW | U | A | D | Z | VMSIM_PTE_SWAPPED)

static uint64_t pfn_of(uint64_t e)
{
	return (e & VMSIM_PTE_PFN_MASK) >> VMSIM_PTE_PFN_SHIFT;
}

FIXTURE(shadow) {
	int fd;
	struct vmsim_info info;
	char *p;
	size_t len;
};

FIXTURE_SETUP(shadow)
{
	self->p = MAP_FAILED;
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	if (!(self->info.features & VMSIM_FEAT_PTE_QUERY))
		SETUP_SKIP("no VMSIM_IOC_PTE_QUERY");
	self->len = 8 * page_size;
	self->p = vmsim_map(self->fd, self->len, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(shadow)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, self->len);
	if (self->fd >= 0)
		close(self->fd);
}

/* An untouched page has an empty entry. */
TEST_F(shadow, untouched_is_empty)
{
	EXPECT_EQ(0, vmsim_pte(self->fd, 3));
}

/* A read of a never-written page: ZERO, mapped, accessed; no frame. */
TEST_F(shadow, read_maps_zero)
{
	uint64_t e;

	peek(&self->p[0]);
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(Z | U | A, e & FLAGS) {
		TH_LOG("entry %#llx", (unsigned long long)e);
	}
	EXPECT_EQ(0, pfn_of(e));
}

/*
 * A write: present, dirty, writable, mapped, accessed, and the PFN is the
 * one the real page table maps.
 */
TEST_F(shadow, write_makes_present_dirty)
{
	uint64_t e;

	self->p[page_size] = 1;
	e = vmsim_pte(self->fd, 1);
	EXPECT_EQ(P | RW | U | A | D, e & FLAGS) {
		TH_LOG("entry %#llx", (unsigned long long)e);
	}
	EXPECT_NE(0, pfn_of(e));
	EXPECT_EQ(pagemap_pfn(self->p + page_size), pfn_of(e));
}

/*
 * Dirty only after a write: a resident page read stays clean and is
 * mapped read-only; the first write sets DIRTY and RW.
 */
TEST_F(shadow, dirty_only_after_write)
{
	uint64_t e;

	ASSERT_EQ(1, vmsim_advise(self->fd, 2, 1, VMSIM_ADV_WILLNEED));
	e = vmsim_pte(self->fd, 2);
	EXPECT_EQ(P | A, e & FLAGS);

	peek(&self->p[2 * page_size]);
	e = vmsim_pte(self->fd, 2);
	EXPECT_EQ(P | U | A, e & FLAGS) {
		TH_LOG("after read: %#llx", (unsigned long long)e);
	}

	self->p[2 * page_size] = 7;
	e = vmsim_pte(self->fd, 2);
	EXPECT_EQ(P | RW | U | A | D, e & FLAGS) {
		TH_LOG("after write: %#llx", (unsigned long long)e);
	}
}

/*
 * Accessed after an access, cleared by aging, set again by the next access
 * (the hardware accessed bit, folded in when the entries are read).
 */
TEST_F(shadow, accessed_bit_follows_hardware)
{
	long done;

	self->p[0] = 1;
	self->p[page_size] = 1;
	EXPECT_TRUE(vmsim_pte(self->fd, 0) & A);

	done = vmsim_advise(self->fd, 0, 8, VMSIM_ADV_COLD);
	EXPECT_EQ(2, done);
	EXPECT_FALSE(vmsim_pte(self->fd, 0) & A);
	EXPECT_FALSE(vmsim_pte(self->fd, 1) & A);
	/* Aging changes nothing else. */
	EXPECT_EQ(P | RW | U | D, vmsim_pte(self->fd, 0) & FLAGS);

	peek(&self->p[0]);
	EXPECT_TRUE(vmsim_pte(self->fd, 0) & A);
	EXPECT_FALSE(vmsim_pte(self->fd, 1) & A);

	self->p[page_size + 8] = 2;
	EXPECT_TRUE(vmsim_pte(self->fd, 1) & A);
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Aging reaches the TLB of another CPU that runs a process mapping the
 * page: a child on CPU 1 reads the page without pause (its translation
 * stays cached), the parent on CPU 0 clears the accessed bits, and the
 * child's next reads must set the bit again.  Fails if the flush after
 * clearing reaches only the CPU that cleared, or none.
 */
TEST_F(shadow, accessed_bit_set_again_on_another_cpu)
{
	int *flag;	/* [0] the child runs, [1] it may stop; __atomic */
	int status, i;
	bool seen = false;
	pid_t pid;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	flag = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, flag);
	self->p[0] = 1;
	pin_to_cpu(0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pin_to_cpu(1);
		while (!__atomic_load_n(&flag[1], __ATOMIC_ACQUIRE)) {
			(void)peek(&self->p[0]);
			__atomic_store_n(&flag[0], 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
	while (!__atomic_load_n(&flag[0], __ATOMIC_ACQUIRE))
		;
	EXPECT_LE(1, vmsim_advise(self->fd, 0, 1, VMSIM_ADV_COLD));
	/* The parent does not touch the page again: only the child can. */
	for (i = 0; i < 100 && !seen; i++) {
		struct timespec ms = { 0, 10 * 1000 * 1000 };

		nanosleep(&ms, NULL);
		seen = vmsim_pte(self->fd, 0) & A;
	}
	__atomic_store_n(&flag[1], 1, __ATOMIC_RELEASE);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(seen);
	munmap(flag, page_size);
}

/*
 * The frame number does not change while the page is resident, whatever
 * is done to the mappings.
 */
TEST_F(shadow, pfn_stable_while_resident)
{
	uint64_t pfn, e;
	char *q;

	self->p[0] = 1;
	pfn = pfn_of(vmsim_pte(self->fd, 0));
	ASSERT_NE(0, pfn);

	vmsim_advise(self->fd, 0, 1, VMSIM_ADV_COLD);
	ASSERT_EQ(0, mprotect(self->p, page_size, PROT_READ));
	ASSERT_EQ(0, mprotect(self->p, page_size, PROT_READ | PROT_WRITE));
	q = vmsim_map(self->fd, page_size, 0, PROT_READ);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(1, q[0]);
	EXPECT_EQ(pfn, pagemap_pfn(q));
	munmap(q, page_size);
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(pfn, pfn_of(e));
	EXPECT_EQ(pfn, pagemap_pfn(self->p));
}

/*
 * USER and RW follow the real page tables: mprotect(PROT_READ) drops RW,
 * munmap drops USER, and the page stays resident and dirty.
 */
TEST_F(shadow, user_and_rw_follow_page_tables)
{
	uint64_t e;

	self->p[0] = 1;
	ASSERT_EQ(0, mprotect(self->p, page_size, PROT_READ));
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(P | U | D, e & (P | U | D | RW));

	ASSERT_EQ(0, munmap(self->p, self->len));
	self->p = MAP_FAILED;
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(P | D, e & (P | U | D | RW)) {
		TH_LOG("after munmap: %#llx", (unsigned long long)e);
	}
}

/* Query by address, in this process and in another one. */
TEST_F(shadow, query_by_address)
{
	uint64_t ent[16] = { 0 };
	struct vmsim_pte_query q = {
		.start = (uintptr_t)self->p + 2 * page_size + 123,
		.count = 16,
		.entries = (uintptr_t)ent,
		.flags = VMSIM_QUERY_ADDR,
	};
	int sync[2], status;
	char *c;
	pid_t pid;

	self->p[2 * page_size] = 5;
	ASSERT_EQ(0, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	EXPECT_EQ(2, q.index);
	EXPECT_EQ(6, q.count);		/* clamped to the mapping's end */
	EXPECT_EQ(self->info.object_id, q.object_id);
	EXPECT_EQ(P | RW | U | A | D, ent[0] & FLAGS);

	/* A child maps the object elsewhere and writes page 5; read it. */
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		c = vmsim_map(self->fd, page_size, 5 * page_size,
			      PROT_READ | PROT_WRITE);
		c[0] = 1;
		if (write(sync[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(sizeof(c), read(sync[0], &c, sizeof(c)));
	memset(ent, 0, sizeof(ent));
	q.start = (uintptr_t)c;
	q.count = 4;
	q.pid = pid;
	EXPECT_EQ(0, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	EXPECT_EQ(5, q.index);
	EXPECT_EQ(1, q.count);
	EXPECT_EQ(P | RW | U | A | D, ent[0] & FLAGS);

	/* An address that is not a vmsim mapping. */
	q.start = (uintptr_t)&status;
	q.pid = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VMSIM_IOC_PTE_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(sync[0]);
	close(sync[1]);
}

/*
 * Without the right to ptrace it, another process's mappings are not
 * readable.
 */
struct query_arg {
	int fd;
	struct vmsim_pte_query q;
};

static int query_other_as_nobody(void *arg)
{
	struct query_arg *a = arg;

	if (ioctl(a->fd, VMSIM_IOC_PTE_QUERY, &a->q) == 0)
		return 3;
	return errno == EPERM ? 0 : 4;
}

TEST_F(shadow, query_other_needs_permission)
{
	uint64_t ent[1];
	struct query_arg a = {
		.fd = self->fd,
		.q = {
			.start = (uintptr_t)self->p,
			.count = 1,
			.entries = (uintptr_t)ent,
			.flags = VMSIM_QUERY_ADDR,
			.pid = getpid(),
		},
	};

	if (getuid() != 0)
		SKIP(return, "needs root to drop to another uid");
	EXPECT_EQ(0, run_as_nobody(query_other_as_nobody, &a));
}

/*
 * PFNs are physical addresses: an opener without CAP_SYS_ADMIN sees the
 * entry with its PFN zeroed (as /proc/PID/pagemap does); root sees it.
 */
static int query_as_nobody(void *arg)
{
	uint64_t e;
	char *p;
	int fd;

	fd = vmsim_open();
	if (fd < 0)
		return 3;
	p = vmsim_map(fd, page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		return 4;
	p[0] = 1;
	e = vmsim_pte(fd, 0);
	if (!(e & VMSIM_PTE_PRESENT) || !(e & VMSIM_PTE_DIRTY))
		return 5;
	return e & VMSIM_PTE_PFN_MASK ? 6 : 0;
}

TEST_F(shadow, pfn_hidden_without_cap_sys_admin)
{
	struct stat st;
	int ret;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to another uid");
	self->p[0] = 1;
	EXPECT_NE(0, vmsim_pte(self->fd, 0) & VMSIM_PTE_PFN_MASK);
	ASSERT_EQ(0, stat(VMSIM_DEVICE, &st));
	ASSERT_EQ(0, chmod(VMSIM_DEVICE, 0666));
	ret = run_as_nobody(query_as_nobody, NULL);
	chmod(VMSIM_DEVICE, st.st_mode & 07777);
	EXPECT_EQ(0, ret) {
		TH_LOG("child step %d failed (6: the PFN was shown)", ret);
	}
}

/*
 * Fault-around maps resident neighbours, but does not mark them accessed:
 * only the page that faulted was used.
 */
TEST_F(shadow, fault_around_maps_old)
{
	size_t n = 64, i, w = 16 * page_size, first, fault;
	uint64_t ent[64];
	char *p, *q;

	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		p[i * page_size] = 1;
	munmap(p, n * page_size);
	vmsim_advise(self->fd, 0, n, VMSIM_ADV_COLD);

	q = vmsim_map(self->fd, n * page_size, 0, PROT_READ);
	ASSERT_NE(MAP_FAILED, q);
	/* Fault in the middle of the second full 16-page window. */
	first = (((uintptr_t)q + w - 1) / w * w - (uintptr_t)q) / page_size;
	fault = first + 16 + 5;
	peek(&q[fault * page_size]);
	ASSERT_EQ(0, vmsim_query(self->fd, 0, n, ent));
	for (i = first + 16; i < first + 32; i++) {
		EXPECT_TRUE(ent[i] & U) {
			TH_LOG("page %zu not mapped by fault-around", i);
		}
		EXPECT_EQ(i == fault, !!(ent[i] & A)) {
			TH_LOG("page %zu: %#llx", i, (unsigned long long)ent[i]);
		}
	}
	EXPECT_FALSE(ent[first + 32] & U);
	munmap(q, n * page_size);
}

/* Shadow tables are accounted: per object and in PageTables. */
TEST_F(shadow, page_tables_accounted)
{
	struct vmsim_stats st0, st1;
	long kb0, kb1;
	char *far;

	/* Page 0's path: the root and three tables below it. */
	self->p[0] = 1;
	ASSERT_EQ(0, vmsim_stats(self->fd, &st0));
	EXPECT_EQ(4, st0.table_pages);
	kb0 = meminfo_kb(VMSIM_MEMINFO, "PageTables");
	/* Page 2^18 shares the root and the next level, and needs two more. */
	far = vmsim_map(self->fd, page_size, (off_t)page_size << 18,
			PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, far);
	far[0] = 1;
	ASSERT_EQ(0, vmsim_stats(self->fd, &st1));
	kb1 = meminfo_kb(VMSIM_MEMINFO, "PageTables");
	EXPECT_EQ(st0.table_pages + 2, st1.table_pages);
	EXPECT_EQ(kb0 + 2 * (long)page_size / 1024, kb1);
	munmap(far, page_size);
}

/*
 * Another process of the same user is not readable without
 * CAP_SYS_PTRACE either: a module cannot ask the LSMs (Yama's
 * ptrace_scope, SELinux) what ptrace would allow, so vmsim allows less.
 */
static int query_same_user_as_nobody(void *arg)
{
	int sync[2], fd, ret;
	uint64_t ent[1];
	char *p, c;
	pid_t pid;
	struct vmsim_pte_query q = {
		.count = 1, .entries = (uintptr_t)ent, .flags = VMSIM_QUERY_ADDR,
	};

	/* Dumpable, as a process of its own user that never changed uid. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 10;
	fd = vmsim_open();
	if (fd < 0)
		return 3;
	p = vmsim_map(fd, page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED || pipe(sync))
		return 4;
	pid = fork();
	if (pid < 0)
		return 5;
	if (pid == 0) {
		p[0] = 1;
		if (write(sync[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(sync[0], &c, 1) != 1)
		return 6;
	q.start = (uintptr_t)p;
	q.pid = pid;
	ret = ioctl(fd, VMSIM_IOC_PTE_QUERY, &q) == 0 ? 7 :
	      errno == EPERM ? 0 : 8;
	/* Its own mapping, by pid 0, still reads. */
	q.pid = 0;
	if (!ret && ioctl(fd, VMSIM_IOC_PTE_QUERY, &q))
		ret = 9;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ret;
}

TEST_F(shadow, query_same_user_needs_cap_sys_ptrace)
{
	struct stat st;
	int ret;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to another uid");
	ASSERT_EQ(0, stat(VMSIM_DEVICE, &st));
	ASSERT_EQ(0, chmod(VMSIM_DEVICE, 0666));
	ret = run_as_nobody(query_same_user_as_nobody, NULL);
	chmod(VMSIM_DEVICE, st.st_mode & 07777);
	EXPECT_EQ(0, ret) {
		TH_LOG("child step %d failed (7: another process was readable)",
		       ret);
	}
}

/*
 * A range whose page table has holes (pages never touched between touched
 * ones): every mapped page shows USER, however many empty PTEs come
 * before it in its page table (kernels before 6.1.135 / 6.12.25 skipped
 * the rest of the table after the first empty PTE).
 */
TEST_F(shadow, query_range_with_holes)
{
	const size_t touched[] = { 0, 1, 100, 300, 301, 511 };
	size_t n = 512, i, j;
	uint64_t *ent = calloc(n, sizeof(*ent));
	char *p;
	int fd = vmsim_open();

	ASSERT_TRUE(ent && fd >= 0);
	ASSERT_EQ(0, vmsim_param_set("fault_around_pages", "0"));
	/* One PMD's worth, aligned, so that it is one page table. */
	p = mmap(NULL, 2 * n * page_size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	p = (char *)(((uintptr_t)p + n * page_size - 1) & ~(n * page_size - 1));
	ASSERT_EQ(p, mmap(p, n * page_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED, fd, 0));
	for (i = 0; i < ARRAY_SIZE(touched); i++)
		p[touched[i] * page_size] = 1;
	ASSERT_EQ(0, vmsim_query(fd, 0, n, ent));
	for (i = 0, j = 0; i < n; i++) {
		bool want = j < ARRAY_SIZE(touched) && touched[j] == i;

		EXPECT_EQ(want, !!(ent[i] & VMSIM_PTE_USER)) {
			TH_LOG("page %zu: entry %#llx", i,
			       (unsigned long long)ent[i]);
		}
		j += want;
	}
	vmsim_param_set("fault_around_pages", "16");
	munmap(p, n * page_size);
	close(fd);
	free(ent);
}

TEST_HARNESS_MAIN
