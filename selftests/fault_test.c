// SPDX-License-Identifier: GPL-2.0
/*
 * The fault path under every way a program uses a shared mapping: several
 * mappings, fork(), partial munmap, mprotect, mremap, DONTNEED/WILLNEED,
 * fault-around, and many threads at once.  Every test checks the data and
 * that no frame leaks.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

FIXTURE(fault) {
	int fd;
	struct vmsim_info info;
	long free0;
};

FIXTURE_SETUP(fault)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	/* The previous test's objects may still be on their way out. */
	self->free0 = vmsim_free_pages_settle(self->info.pool_pages);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->fd < 0)
		return;
	/* The default again, for the tests that turned it off. */
	vmsim_param_set("write_notify", "Y");
	close(self->fd);
	/* Whatever the test did, every frame comes back with the object. */
	EXPECT_EQ(self->free0, vmsim_free_pages_settle(self->free0));
}

static char *map_rw(int fd, size_t pages, size_t off_pages)
{
	return vmsim_map(fd, pages * page_size, off_pages * page_size,
			 PROT_READ | PROT_WRITE);
}

/* Two mappings of one object share its pages. */
TEST_F(fault, two_mappings_share)
{
	char *a = map_rw(self->fd, 32, 0), *b = map_rw(self->fd, 32, 0);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	pages_fill(a, 32, 100);
	EXPECT_EQ(0, pages_bad(b, 32, 100));
	pages_fill(b, 16, 200);
	EXPECT_EQ(0, pages_bad(a, 16, 200));
	EXPECT_EQ(0, pages_bad(a + 16 * page_size, 16, 116));
	munmap(a, 32 * page_size);
	munmap(b, 32 * page_size);
}

/* A mapping at an offset sees the object's pages from there on. */
TEST_F(fault, offset_mapping)
{
	char *a = map_rw(self->fd, 64, 0), *b = map_rw(self->fd, 8, 40);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	pages_fill(a, 64, 1000);
	EXPECT_EQ(0, pages_bad(b, 8, 1040));
	munmap(a, 64 * page_size);
	munmap(b, 8 * page_size);
}

/*
 * fork(): the child shares the object's pages (each with its own page
 * tables), in both directions, and after the parent faults more in.
 */
TEST_F(fault, fork_shares_pages)
{
	char *p = map_rw(self->fd, 64, 0);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 32, 500);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Pages 0-31 were mapped before fork, 32-63 are new to both. */
		if (pages_bad(p, 32, 500))
			_exit(1);
		pages_fill(p + 32 * page_size, 32, 700);
		pages_fill(p, 8, 900);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, pages_bad(p, 8, 900));
	EXPECT_EQ(0, pages_bad(p + 8 * page_size, 24, 508));
	EXPECT_EQ(0, pages_bad(p + 32 * page_size, 32, 700));
	munmap(p, 64 * page_size);
}

/* munmap of a part keeps the rest mapped and the object keeps it all. */
TEST_F(fault, partial_munmap_keeps_data)
{
	char *p = map_rw(self->fd, 16, 0), *q;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 16, 300);
	ASSERT_EQ(0, munmap(p + 4 * page_size, 4 * page_size));
	EXPECT_EQ(0, pages_bad(p, 4, 300));
	EXPECT_EQ(0, pages_bad(p + 8 * page_size, 8, 308));
	q = map_rw(self->fd, 4, 4);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, pages_bad(q, 4, 304));
	munmap(p, 4 * page_size);
	munmap(p + 8 * page_size, 8 * page_size);
	munmap(q, 4 * page_size);
}

static sigjmp_buf segv_env;

static void segv_handler(int sig)
{
	siglongjmp(segv_env, 1);
}

/* Does writing *p fault (SIGSEGV)? */
static bool write_faults(char *p)
{
	struct sigaction sa = { .sa_handler = segv_handler }, old;
	bool faulted = false;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(segv_env, 1))
		faulted = true;
	else
		poke(p, 1);
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/* mprotect works as on a shared file mapping. */
TEST_F(fault, mprotect)
{
	char *p = map_rw(self->fd, 4, 0);

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 4, 40);
	ASSERT_EQ(0, mprotect(p, 2 * page_size, PROT_READ));
	EXPECT_TRUE(write_faults(p));
	EXPECT_TRUE(write_faults(p + page_size));
	EXPECT_FALSE(write_faults(p + 2 * page_size));
	EXPECT_EQ(0, pages_bad(p, 1, 40));
	ASSERT_EQ(0, mprotect(p, 2 * page_size, PROT_READ | PROT_WRITE));
	EXPECT_FALSE(write_faults(p));
	/* No execution, ever. */
	EXPECT_EQ(-1, mprotect(p, page_size, PROT_READ | PROT_EXEC));
	munmap(p, 4 * page_size);
}

/* mremap: move, shrink and grow keep the data where the object has it. */
TEST_F(fault, mremap)
{
	char *p = map_rw(self->fd, 16, 0), *q, *hole;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 16, 60);

	/* Move to a fixed new place. */
	hole = mmap(NULL, 32 * page_size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	q = mremap(p, 16 * page_size, 16 * page_size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, hole + 8 * page_size);
	ASSERT_EQ(hole + 8 * page_size, q);
	EXPECT_EQ(0, pages_bad(q, 16, 60));

	/* Shrink: the tail leaves the mapping, not the object. */
	ASSERT_EQ(q, mremap(q, 16 * page_size, 8 * page_size, 0));
	EXPECT_EQ(0, pages_bad(q, 8, 60));

	/* Grow again (in place or moved): the old tail is back. */
	p = mremap(q, 8 * page_size, 24 * page_size, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, pages_bad(p, 16, 60));
	EXPECT_TRUE(page_is_zero(p + 20 * page_size));
	pages_fill(p + 16 * page_size, 8, 76);
	EXPECT_EQ(0, pages_bad(p, 24, 60));
	munmap(p, 24 * page_size);
	munmap(hole, 32 * page_size);
}

/*
 * DONTNEED drops the pages: their frames come back, the next touch reads
 * zero; a never-written page is left as it is.
 */
TEST_F(fault, dontneed_zeroes)
{
	char *p = map_rw(self->fd, 32, 0);
	long done;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 16, 80);
	peek(&p[20 * page_size]);
	EXPECT_EQ(self->free0 - 16, vmsim_free_pages());

	done = vmsim_advise(self->fd, 4, 28, VMSIM_ADV_DONTNEED);
	EXPECT_EQ(12, done);
	EXPECT_EQ(self->free0 - 4, vmsim_free_pages());
	EXPECT_EQ(0, pages_bad(p, 4, 80));
	EXPECT_TRUE(page_is_zero(p + 4 * page_size));
	EXPECT_TRUE(page_is_zero(p + 15 * page_size));
	EXPECT_TRUE(page_is_zero(p + 20 * page_size));
	EXPECT_EQ(0, vmsim_pte(self->fd, 10) & VMSIM_PTE_PRESENT);

	/* And the pages work as new. */
	pages_fill(p + 4 * page_size, 4, 1234);
	EXPECT_EQ(0, pages_bad(p + 4 * page_size, 4, 1234));
	munmap(p, 32 * page_size);
}

/*
 * WILLNEED gives pages clean frames now; touching them later takes no
 * further frame.
 */
TEST_F(fault, willneed_makes_resident)
{
	char *p = map_rw(self->fd, 16, 0);
	size_t i;

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(16, vmsim_advise(self->fd, 0, 16, VMSIM_ADV_WILLNEED));
	EXPECT_EQ(self->free0 - 16, vmsim_free_pages());
	for (i = 0; i < 16; i++) {
		uint64_t e = vmsim_pte(self->fd, i);

		EXPECT_EQ(VMSIM_PTE_PRESENT, e & (VMSIM_PTE_PRESENT |
						  VMSIM_PTE_DIRTY));
	}
	for (i = 0; i < 16; i++)
		EXPECT_TRUE(page_is_zero(p + i * page_size));
	pages_fill(p, 16, 33);
	EXPECT_EQ(self->free0 - 16, vmsim_free_pages());
	/* Again: nothing more to do. */
	EXPECT_EQ(0, vmsim_advise(self->fd, 0, 16, VMSIM_ADV_WILLNEED));
	munmap(p, 16 * page_size);
}

/*
 * A write to a page that another mapping has read (and so maps the zero
 * frame) is seen through that mapping too.
 */
TEST_F(fault, zero_frame_replaced_everywhere)
{
	char *a = map_rw(self->fd, 4, 0), *b = map_rw(self->fd, 4, 0);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_TRUE(page_is_zero(a));
	EXPECT_TRUE(page_is_zero(b));
	b[100] = 42;
	EXPECT_EQ(42, a[100]);
	a[200] = 43;
	EXPECT_EQ(43, b[200]);
	munmap(a, 4 * page_size);
	munmap(b, 4 * page_size);
}

/*
 * Fault-around: a sequential read of resident pages through a new mapping
 * takes far fewer faults with it than without it.
 */
TEST_F(fault, fault_around_lowers_faults)
{
	struct vmsim_stats s0, s1, s2;
	char saved[16];
	size_t n = 256, i, w = 16 * page_size;
	unsigned long with, without, windows;
	char *p, *q;

	if (!(self->info.features & VMSIM_FEAT_FAULT_AROUND))
		SKIP(return, "no fault-around");
	ASSERT_EQ(0, vmsim_param_get("fault_around_pages", saved,
				     sizeof(saved)));
	ASSERT_EQ(0, vmsim_param_set("fault_around_pages", "16"));
	p = map_rw(self->fd, n, 0);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 1);
	munmap(p, n * page_size);

	ASSERT_EQ(0, vmsim_stats(self->fd, &s0));
	q = vmsim_map(self->fd, n * page_size, 0, PROT_READ);
	ASSERT_NE(MAP_FAILED, q);
	for (i = 0; i < n; i++)
		peek(&q[i * page_size]);
	ASSERT_EQ(0, vmsim_stats(self->fd, &s1));
	/* One fault per aligned 16-page window the mapping touches. */
	windows = ((uintptr_t)q + n * page_size - 1) / w - (uintptr_t)q / w + 1;
	munmap(q, n * page_size);

	ASSERT_EQ(0, vmsim_param_set("fault_around_pages", "1"));
	q = vmsim_map(self->fd, n * page_size, 0, PROT_READ);
	ASSERT_NE(MAP_FAILED, q);
	for (i = 0; i < n; i++)
		peek(&q[i * page_size]);
	ASSERT_EQ(0, vmsim_stats(self->fd, &s2));
	munmap(q, n * page_size);
	ASSERT_EQ(0, vmsim_param_set("fault_around_pages", saved));

	with = s1.faults - s0.faults;
	without = s2.faults - s1.faults;
	EXPECT_EQ(n, without);
	EXPECT_EQ(windows, with);
	EXPECT_EQ(n - windows, s1.fault_around - s0.fault_around);
	EXPECT_EQ(0, pages_bad(p = map_rw(self->fd, n, 0), n, 1));
	munmap(p, n * page_size);
}

struct thread_arg {
	char *base;
	size_t pages;
	int nthreads;
	int id;
	int fd;
	int bad;
};

/* Each thread writes its own slice of every page, then checks it. */
static void *interleaved_writer(void *argp)
{
	struct thread_arg *a = argp;
	size_t slice = page_size / a->nthreads, i, j;

	for (i = 0; i < a->pages; i++) {
		char *s = a->base + i * page_size + a->id * slice;

		for (j = 0; j < slice; j++)
			s[j] = (char)(i * 7 + a->id + j);
	}
	for (i = 0; i < a->pages; i++) {
		char *s = a->base + i * page_size + a->id * slice;

		for (j = 0; j < slice; j++)
			a->bad += s[j] != (char)(i * 7 + a->id + j);
	}
	return NULL;
}

/* Threads faulting the same pages of one object at the same moment. */
TEST_F(fault, threads_same_pages)
{
	struct thread_arg a[4];
	pthread_t t[4];
	size_t n = 512;
	char *p = map_rw(self->fd, n, 0);
	int i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){ .base = p, .pages = n,
					     .nthreads = 4, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, interleaved_writer,
					    &a[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, a[i].bad);
	}
	EXPECT_EQ(self->free0 - (long)n, vmsim_free_pages());
	munmap(p, n * page_size);
}

/* Each thread fills and checks whole pages of its own part. */
static void *page_writer(void *argp)
{
	struct thread_arg *a = argp;
	char *p = a->base;
	size_t i;

	if (a->fd >= 0) {
		p = map_rw(a->fd, a->pages, 0);
		if (p == MAP_FAILED) {
			a->bad = -1;
			return NULL;
		}
	}
	for (i = 0; i < a->pages; i++)
		page_fill(p + i * page_size, a->id * 100000 + i);
	for (i = 0; i < a->pages; i++)
		a->bad += !page_check(p + i * page_size, a->id * 100000 + i);
	if (a->fd >= 0)
		munmap(p, a->pages * page_size);
	return NULL;
}

/*
 * Threads faulting disjoint parts of one object, and threads on objects
 * of their own, all at once.
 */
TEST_F(fault, threads_parts_and_objects)
{
	struct thread_arg a[8];
	pthread_t t[8];
	size_t n = 256;
	char *p = map_rw(self->fd, 4 * n, 0);
	int fds[4], i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		fds[i] = vmsim_open();
		ASSERT_GE(fds[i], 0);
	}
	for (i = 0; i < 8; i++) {
		a[i] = (struct thread_arg){ .pages = n, .id = i, .fd = -1 };
		if (i < 4)
			a[i].base = p + i * n * page_size;
		else
			a[i].fd = fds[i - 4];
		ASSERT_EQ(0, pthread_create(&t[i], NULL, page_writer, &a[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, a[i].bad) {
			TH_LOG("thread %d: %d bad pages", i, a[i].bad);
		}
	}
	for (i = 0; i < 4; i++)
		close(fds[i]);
	EXPECT_EQ(self->free0 - 4 * (long)n, vmsim_free_pages());
	munmap(p, 4 * n * page_size);
}

struct zero_reader {
	char *p;
	size_t n;
	pthread_barrier_t *go;
};

static void *zero_read_all(void *arg)
{
	struct zero_reader *r = arg;
	size_t i;

	pthread_barrier_wait(r->go);
	for (i = 0; i < r->n; i++)
		peek(r->p + i * page_size);
	return NULL;
}

/*
 * Two threads reading the same unwritten pages in step: a page that the
 * other thread mapped first is not counted as a second zero-map.
 */
TEST_F(fault, zero_maps_counted_once)
{
	size_t n = 2048;
	char *p = map_rw(self->fd, n, 0);
	struct zero_reader r[2];
	pthread_barrier_t go;
	struct vmsim_stats st;
	pthread_t t[2];
	char around[16];
	int i;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, vmsim_param_get("fault_around_pages", around,
				     sizeof(around)));
	ASSERT_EQ(0, vmsim_param_set("fault_around_pages", "0"));
	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		r[i] = (struct zero_reader){ .p = p, .n = n, .go = &go };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, zero_read_all, &r[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	vmsim_param_set("fault_around_pages", around);
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, vmsim_stats(self->fd, &st));
	EXPECT_EQ(n, st.zero_maps) {
		TH_LOG("%llu zero-maps for %zu pages (%llu faults)",
		       (unsigned long long)st.zero_maps, n,
		       (unsigned long long)st.faults);
	}
	pthread_barrier_destroy(&go);
	munmap(p, n * page_size);
}

/* Minor faults this process has taken so far. */
static long minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}

/*
 * Without write-notify (write_notify=N) pages are mapped writable and the
 * dirty bit comes from the page tables: a read of a never-written page
 * takes a frame (not the zero frame, which may never be mapped writable),
 * a writer of resident pages takes one fault per fault-around window, not
 * one per page, and the query shows the pages dirty though no fault saw
 * the writes, both while they are mapped and after munmap().
 */
TEST_F(fault, write_notify_off)
{
	size_t n = 256, half = n / 2, i, w = 16 * page_size, clean = 0;
	unsigned long windows;
	char around[16];
	long f0, f1;
	uint64_t e;
	char *p;

	if (!(self->info.features & VMSIM_FEAT_FAULT_AROUND) ||
	    !(self->info.features & VMSIM_FEAT_WRITE_NOTIFY))
		SKIP(return, "no fault-around or no write_notify");
	ASSERT_EQ(0, vmsim_param_get("fault_around_pages", around,
				     sizeof(around)));
	ASSERT_EQ(0, vmsim_param_set("fault_around_pages", "16"));
	ASSERT_EQ(0, vmsim_param_set("write_notify", "N"));

	/* Reads give every page a clean frame of its own. */
	p = map_rw(self->fd, n, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		peek(&p[i * page_size]);
	e = vmsim_pte(self->fd, 0);
	EXPECT_EQ(VMSIM_PTE_PRESENT | VMSIM_PTE_RW,
		  e & (VMSIM_PTE_PRESENT | VMSIM_PTE_ZERO | VMSIM_PTE_RW |
		       VMSIM_PTE_DIRTY));
	munmap(p, n * page_size);

	/* Writes through a new mapping: a fault per window. */
	p = map_rw(self->fd, n, 0);
	ASSERT_NE(MAP_FAILED, p);
	f0 = minflt();
	pages_fill(p, n, 6);
	f1 = minflt();
	windows = ((uintptr_t)p + n * page_size - 1) / w - (uintptr_t)p / w + 1;
	EXPECT_LE(f1 - f0, (long)windows + 2) {
		TH_LOG("%ld faults to write %zu resident pages (%lu windows)",
		       f1 - f0, n, windows);
	}
	EXPECT_EQ(0, pages_bad(p, n, 6));

	/* Dirty while mapped (the PTEs say so)... */
	for (i = 0; i < half; i++)
		clean += !(vmsim_pte(self->fd, i) & VMSIM_PTE_DIRTY);
	EXPECT_EQ(0, clean) {
		TH_LOG("%zu of %zu pages written but clean", clean, half);
	}
	/* ... and after munmap() (the frames say so). */
	munmap(p, n * page_size);
	for (i = half, clean = 0; i < n; i++) {
		e = vmsim_pte(self->fd, i);
		clean += (e & (VMSIM_PTE_DIRTY | VMSIM_PTE_PRESENT)) !=
			 (VMSIM_PTE_DIRTY | VMSIM_PTE_PRESENT);
	}
	EXPECT_EQ(0, clean) {
		TH_LOG("%zu of %zu pages written, unmapped, but clean", clean,
		       n - half);
	}
	vmsim_param_set("fault_around_pages", around);
}

TEST_HARNESS_MAIN
