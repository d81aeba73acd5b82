// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim: the active/inactive LRU, the watermarks, vmsimd and direct
 * reclaim, workingset refault detection, COLD and PAGEOUT.
 *
 * Without a swap area only pages that are still all zeroes can leave the
 * pool, so the workloads here write zeroes: each write dirties a page (and
 * takes a frame), and reclaim may drop it.  Pages holding data stay.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

static long long stat_of(const char *name)
{
	return vmstat_value(VMSIM_VMSTAT, name);
}

static long zone_value(const char *name)
{
	char line[128], key[64];
	long v, ret = -1;
	FILE *f = fopen("/proc/vmsim_zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %63s %ld", key, &v) == 2 &&
		    !strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

/* Write a zero into each page: a frame each, all droppable. */
static void write_zeroes(char *p, size_t pages)
{
	size_t i;

	for (i = 0; i < pages; i++)
		poke(p + i * page_size, 0);
}

static void read_pages(char *p, size_t pages)
{
	size_t i;

	for (i = 0; i < pages; i++)
		peek(p + i * page_size);
}

FIXTURE(reclaim) {
	int fd;
	struct vmsim_info info;
	size_t pool;
	char min_kb[16], scale[16], policy[32];
};

FIXTURE_SETUP(reclaim)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	if (!(self->info.features & VMSIM_FEAT_RECLAIM))
		SETUP_SKIP("no reclaim in this vmsim");
	self->pool = self->info.pool_pages;
	ASSERT_EQ(0, vmsim_param_get("min_free_kbytes", self->min_kb,
				     sizeof(self->min_kb)));
	ASSERT_EQ(0, vmsim_param_get("watermark_scale_factor", self->scale,
				     sizeof(self->scale)));
	ASSERT_EQ(0, vmsim_policy_get(self->policy, sizeof(self->policy)));
}

FIXTURE_TEARDOWN(reclaim)
{
	if (self->fd < 0)
		return;
	close(self->fd);
	vmsim_param_set("min_free_kbytes", self->min_kb);
	vmsim_param_set("watermark_scale_factor", self->scale);
	vmsim_policy_set(self->policy);
}

/* Watermarks follow the parameters, and bad values are refused. */
TEST_F(reclaim, watermarks)
{
	long min, low, high;

	ASSERT_EQ(0, vmsim_param_set("min_free_kbytes", "1024"));
	ASSERT_EQ(0, vmsim_param_set("watermark_scale_factor", "100"));
	min = zone_value("min");
	low = zone_value("low");
	high = zone_value("high");
	EXPECT_EQ(1024 / (long)(page_size / 1024), min);
	/* step = max(min / 4, pool * 100 / 10000) */
	EXPECT_EQ(min + (long)(self->pool / 100 > (size_t)min / 4 ?
			       self->pool / 100 : (size_t)min / 4), low);
	EXPECT_EQ(2 * low - min, high);
	EXPECT_EQ(-EINVAL, vmsim_param_set("watermark_scale_factor", "0"));
	EXPECT_EQ(-EINVAL, vmsim_param_set("watermark_scale_factor", "3001"));
	EXPECT_EQ(-EINVAL, vmsim_param_set("min_free_kbytes", "1"));
	EXPECT_EQ(-EINVAL, vmsim_param_set("min_free_kbytes", "999999999"));
	EXPECT_EQ(min, zone_value("min"));
}

struct zero_arg {
	size_t pages;
};

static void zero_writer(void *argp)
{
	struct zero_arg *a = argp;
	char *p;
	int fd;

	fd = vmsim_open();
	p = vmsim_map(fd, a->pages * page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		_exit(3);
	write_zeroes(p, a->pages);
	_exit(0);
}

/* Writing more zero pages than the pool holds works: reclaim drops them. */
TEST_F(reclaim, zero_pages_reclaimed)
{
	struct zero_arg a = { .pages = self->pool + self->pool / 2 };
	long long steal0 = stat_of("pgsteal_kswapd") + stat_of("pgsteal_direct");
	long long zero0 = stat_of("vmsim_reclaim_zero");

	EXPECT_EQ(0, run_in_child(zero_writer, &a));
	EXPECT_GE(stat_of("pgsteal_kswapd") + stat_of("pgsteal_direct") - steal0,
		  (long long)(self->pool / 2));
	EXPECT_GE(stat_of("vmsim_reclaim_zero") - zero0,
		  (long long)(self->pool / 2));
}

/*
 * Pages holding data are not reclaimed without swap: PAGEOUT leaves them,
 * they are parked as unevictable, and their data is intact.
 */
TEST_F(reclaim, data_pages_stay_without_swap)
{
	size_t n = 64, i;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long unev;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		page_fill(p + i * page_size, 77 + i);
	unev = meminfo_kb(VMSIM_MEMINFO, "Unevictable");
	EXPECT_EQ(0, vmsim_advise(self->fd, 0, n, VMSIM_ADV_PAGEOUT));
	EXPECT_EQ(unev + (long)(n * page_size / 1024),
		  meminfo_kb(VMSIM_MEMINFO, "Unevictable"));
	EXPECT_EQ(n, vmsim_resident(self->fd, 0, n));
	for (i = 0; i < n; i++)
		EXPECT_TRUE(page_check(p + i * page_size, 77 + i));
	munmap(p, n * page_size);
}

/* PAGEOUT drops zero pages at once; COLD sends pages to the inactive tail. */
TEST_F(reclaim, pageout_and_cold)
{
	size_t n = 64;
	char *p = vmsim_map(self->fd, 2 * n * page_size, 0,
			    PROT_READ | PROT_WRITE);
	long free0 = vmsim_free_pages();
	uint64_t e;

	ASSERT_NE(MAP_FAILED, p);
	write_zeroes(p, 2 * n);
	EXPECT_EQ(n, vmsim_advise(self->fd, 0, n, VMSIM_ADV_PAGEOUT));
	EXPECT_EQ(0, vmsim_resident(self->fd, 0, n));
	EXPECT_EQ(n, vmsim_resident(self->fd, n, n));
	EXPECT_GE(vmsim_free_pages(), free0 - (long)n - 16);
	/* The pages read as zero, and come back on a write. */
	EXPECT_TRUE(page_is_zero(p));
	poke(p + page_size, 5);
	EXPECT_EQ(5, peek(p + page_size));

	EXPECT_GT(vmsim_advise(self->fd, n, n, VMSIM_ADV_COLD), 0);
	e = vmsim_pte(self->fd, n);
	EXPECT_FALSE(e & VMSIM_PTE_ACTIVE);
	EXPECT_FALSE(e & VMSIM_PTE_ACCESSED);
	munmap(p, 2 * n * page_size);
}

/*
 * Scan resistance: a hot set touched between the chunks of a scan larger
 * than the pool stays resident; the scan itself does not.  (The first wave
 * of reclaim may take some hot pages before they are touched again; their
 * refaults are within the workingset and bring them back active.)
 */
TEST_F(reclaim, hot_set_survives_scan)
{
	size_t hot = self->pool / 4, scan = 2 * self->pool, chunk, i;
	char *h = vmsim_map(self->fd, hot * page_size, 0,
			    PROT_READ | PROT_WRITE);
	char *s = vmsim_map(self->fd, (scan + self->pool) * page_size,
			    hot * page_size, PROT_READ | PROT_WRITE);
	long long act0 = stat_of("pgactivate"), refault0 = 0;
	size_t res_hot, res_scan;

	ASSERT_NE(MAP_FAILED, h);
	ASSERT_NE(MAP_FAILED, s);
	chunk = self->pool / 16;
	for (i = 0; i < scan; i += chunk) {
		write_zeroes(h, hot);
		if (i == scan / 2)
			refault0 = stat_of("workingset_refault_anon");
		write_zeroes(s + i * page_size, chunk);
	}
	/* Over the second half of the scan, the hot set hardly refaulted. */
	EXPECT_LT(stat_of("workingset_refault_anon") - refault0,
		  (long long)hot / 20);
	/* After one more chunk of scan, nearly all of it is resident. */
	write_zeroes(h, hot);
	write_zeroes(s + scan * page_size, chunk);
	res_hot = vmsim_resident(self->fd, 0, hot);
	res_scan = vmsim_resident(self->fd, hot, scan + chunk);
	EXPECT_GE(res_hot, hot * 95 / 100) {
		TH_LOG("hot set: %zu of %zu pages resident; pgactivate +%lld",
		       res_hot, hot, stat_of("pgactivate") - act0);
	}
	EXPECT_LE(res_scan, self->pool - res_hot);
	munmap(h, hot * page_size);
	munmap(s, (scan + self->pool) * page_size);
}

/* A page touched once goes before a page touched again and again. */
TEST_F(reclaim, touched_once_goes_first)
{
	size_t n = self->pool / 4, more = self->pool, i;
	char *once = vmsim_map(self->fd, n * page_size, 0,
			       PROT_READ | PROT_WRITE);
	char *often = vmsim_map(self->fd, n * page_size, n * page_size,
				PROT_READ | PROT_WRITE);
	char *fill = vmsim_map(self->fd, more * page_size, 2 * n * page_size,
			       PROT_READ | PROT_WRITE);
	size_t r_once, r_often;

	ASSERT_NE(MAP_FAILED, once);
	ASSERT_NE(MAP_FAILED, often);
	ASSERT_NE(MAP_FAILED, fill);
	/*
	 * Second access promotes, first access goes first: lru2's rule.
	 * (faclock keeps "once" too and lets the fill go: policy_test.)
	 */
	ASSERT_EQ(0, vmsim_policy_set("lru2"));
	write_zeroes(once, n);
	write_zeroes(often, n);
	/* Pressure in steps, touching "often" between them. */
	for (i = 0; i < more; i += more / 16) {
		read_pages(often, n);
		write_zeroes(fill + i * page_size, more / 16);
	}
	r_once = vmsim_resident(self->fd, 0, n);
	r_often = vmsim_resident(self->fd, n, n);
	EXPECT_GT(r_often, r_once) {
		TH_LOG("touched once: %zu resident, often: %zu", r_once,
		       r_often);
	}
	EXPECT_GE(r_often, n * 9 / 10);
	munmap(once, n * page_size);
	munmap(often, n * page_size);
	munmap(fill, more * page_size);
}

/*
 * A slow allocator: vmsimd keeps the free frames between the low and high
 * watermarks, and no fault has to reclaim directly.
 *
 * "Slow" is relative to vmsimd, which runs on the other vCPU when the host
 * gives it time: a fixed pace (16 pages every 2 ms) failed under host load,
 * with vmsimd descheduled for long enough that faults hit min.  So the
 * allocator also waits whenever free frames are below low, as long as
 * vmsimd takes to bring them back (at most 10 s).  That tests the
 * watermarks, not vmsimd's speed: a vmsimd that did not wake at low, or
 * stopped short of it, leaves the allocator waiting, and the test fails.
 */
TEST_F(reclaim, vmsimd_keeps_free_between_watermarks)
{
	size_t n = 2 * self->pool, i;
	long long stall0, kswapd0;
	long min, low, high, f, lowest = 1L << 40, highest = 0;
	struct timespec pause = { 0, 2 * 1000 * 1000 };
	struct timespec tick = { 0, 1000 * 1000 };
	int waited;
	char *p;

	ASSERT_EQ(0, vmsim_param_set("min_free_kbytes", "512"));
	ASSERT_EQ(0, vmsim_param_set("watermark_scale_factor", "300"));
	min = zone_value("min");
	low = zone_value("low");
	high = zone_value("high");
	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	stall0 = stat_of("allocstall_normal");
	kswapd0 = stat_of("pgsteal_kswapd");
	for (i = 0; i < n; i += 16) {
		write_zeroes(p + i * page_size, 16);
		nanosleep(&pause, NULL);
		f = vmsim_free_pages();
		/* Once the pool has filled up, watch the free frames. */
		if (i >= self->pool) {
			if (f < lowest)
				lowest = f;
			if (f > highest)
				highest = f;
		}
		for (waited = 0; f < low && waited < 10000; waited++) {
			nanosleep(&tick, NULL);
			f = vmsim_free_pages();
		}
		ASSERT_GE(f, low) {
			TH_LOG("free frames stayed below low (%ld < %ld) for 10 s",
			       f, low);
		}
		if (i >= self->pool && f > highest)
			highest = f;
	}
	EXPECT_GT(stat_of("pgsteal_kswapd"), kswapd0);
	EXPECT_EQ(stall0, stat_of("allocstall_normal"));
	EXPECT_GT(lowest, min) {
		TH_LOG("free frames went down to %ld (min %ld)", lowest, min);
	}
	/* vmsimd stops at high; a batch may overshoot it a little. */
	EXPECT_LE(highest, high + 64) {
		TH_LOG("free frames went up to %ld (low %ld high %ld)",
		       highest, low, high);
	}
	munmap(p, n * page_size);
}

/* Many writers at once outrun vmsimd: faults reclaim directly. */
TEST_F(reclaim, direct_reclaim_under_pressure)
{
	struct zero_arg a = { .pages = self->pool };
	long long stall0 = stat_of("allocstall_normal");
	long long direct0 = stat_of("pgscan_direct");
	int i, status, ok = 0;
	pid_t pid[4];

	ASSERT_EQ(0, vmsim_param_set("watermark_scale_factor", "1"));
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0)
			zero_writer(&a);
	}
	for (i = 0; i < 4; i++) {
		waitpid(pid[i], &status, 0);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	EXPECT_EQ(4, ok);
	EXPECT_GT(stat_of("allocstall_normal"), stall0);
	EXPECT_GT(stat_of("pgscan_direct"), direct0);
}

/*
 * Workingset refault detection: a page evicted and faulted back before
 * more pages were evicted than the active list holds goes straight to the
 * active list; one that comes back later does not.
 */
TEST_F(reclaim, refault_distance)
{
	size_t hot = self->pool / 4, scan = self->pool, n = 32, i;
	char *h = vmsim_map(self->fd, hot * page_size, 0,
			    PROT_READ | PROT_WRITE);
	char *s = vmsim_map(self->fd, scan * page_size, hot * page_size,
			    PROT_READ | PROT_WRITE);
	char *b = vmsim_map(self->fd, n * page_size, (hot + scan) * page_size,
			    PROT_READ | PROT_WRITE);
	long long refault0, activate0;
	size_t active = 0;
	uint64_t *e = calloc(n, sizeof(*e));

	ASSERT_NE(MAP_FAILED, h);
	ASSERT_NE(MAP_FAILED, s);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_NE(NULL, e);
	/* Refault distance is lru2's (Linux's workingset). */
	ASSERT_EQ(0, vmsim_policy_set("lru2"));

	/* Build an active list: a hot set referenced across reclaim passes. */
	write_zeroes(h, hot);
	for (i = 0; i < scan; i += scan / 8) {
		write_zeroes(s + i * page_size, scan / 8);
		read_pages(h, hot);
	}
	ASSERT_GE(meminfo_kb(VMSIM_MEMINFO, "Active(anon)"),
		  (long)(n * 4 * page_size / 1024));

	/* Evicted and back at once: a short distance, activated. */
	write_zeroes(b, n);
	ASSERT_EQ(n, vmsim_advise(self->fd, hot + scan, n, VMSIM_ADV_PAGEOUT));
	refault0 = stat_of("workingset_refault_anon");
	activate0 = stat_of("workingset_activate_anon");
	write_zeroes(b, n);
	EXPECT_EQ(n, stat_of("workingset_refault_anon") - refault0);
	EXPECT_EQ(n, stat_of("workingset_activate_anon") - activate0);
	ASSERT_EQ(0, vmsim_query(self->fd, hot + scan, n, e));
	for (i = 0; i < n; i++)
		active += !!(e[i] & VMSIM_PTE_ACTIVE);
	EXPECT_EQ(n, active);

	/* Evicted, then many more evictions, then back: not activated. */
	ASSERT_EQ(n, vmsim_advise(self->fd, hot + scan, n, VMSIM_ADV_PAGEOUT));
	write_zeroes(s, scan);
	vmsim_advise(self->fd, hot, scan, VMSIM_ADV_PAGEOUT);
	write_zeroes(s, scan);
	vmsim_advise(self->fd, hot, scan, VMSIM_ADV_PAGEOUT);
	refault0 = stat_of("workingset_refault_anon");
	activate0 = stat_of("workingset_activate_anon");
	write_zeroes(b, n);
	EXPECT_EQ(n, stat_of("workingset_refault_anon") - refault0);
	EXPECT_EQ(0, stat_of("workingset_activate_anon") - activate0);

	free(e);
	munmap(h, hot * page_size);
	munmap(s, scan * page_size);
	munmap(b, n * page_size);
}

struct mixed_arg {
	size_t data, zero;
	uint64_t tag;
};

static void mixed_writer(void *argp)
{
	struct mixed_arg *a = argp;
	char *d, *z;
	size_t i;
	int fd;

	fd = vmsim_open();
	d = vmsim_map(fd, a->data * page_size, 0, PROT_READ | PROT_WRITE);
	z = vmsim_map(fd, a->zero * page_size, a->data * page_size,
		      PROT_READ | PROT_WRITE);
	if (d == MAP_FAILED || z == MAP_FAILED)
		_exit(3);
	for (i = 0; i < a->data; i++)
		page_fill(d + i * page_size, a->tag + i);
	write_zeroes(z, a->zero);
	for (i = 0; i < a->data; i++)
		if (!page_check(d + i * page_size, a->tag + i))
			_exit(4);
	_exit(0);
}

/* Several processes under reclaim at once: data intact, no SIGBUS. */
TEST_F(reclaim, processes_under_pressure)
{
	struct mixed_arg a[4];
	int i, status, ok = 0;
	pid_t pid[4];

	for (i = 0; i < 4; i++) {
		a[i] = (struct mixed_arg){ .data = self->pool / 16,
					    .zero = self->pool / 2,
					    .tag = 1000000ULL * (i + 1) };
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0)
			mixed_writer(&a[i]);
	}
	for (i = 0; i < 4; i++) {
		waitpid(pid[i], &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("writer %d: status %#x", i, status);
		}
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	EXPECT_EQ(4, ok);
}

/* Allocate @n zero pages at @p and wait for the aging pass that follows. */
static bool age_once(int fd, char *p, size_t n, size_t off)
{
	long long passes = stat_of("vmsim_aging_passes");
	int i;

	write_zeroes(p, n);
	for (i = 0; i < 500 && stat_of("vmsim_aging_passes") == passes; i++)
		usleep(10 * 1000);
	vmsim_advise(fd, off, n, VMSIM_ADV_DONTNEED);
	return stat_of("vmsim_aging_passes") != passes;
}

/*
 * An aging pass clears the hardware accessed bits of every resident page;
 * for an active page it keeps the reference in the shadow entry, so that
 * the active list's frequency count still sees it (the pass must not throw
 * it away).
 */
TEST_F(reclaim, active_reference_survives_aging)
{
	size_t x = 16, fill = self->pool / 2 + self->pool / 16;
	size_t step = self->pool / 8 + 16, i;
	char *p = vmsim_map(self->fd, (x + fill + step) * page_size, 0,
			    PROT_READ | PROT_WRITE);
	char *g = p + (x + fill) * page_size;
	uint64_t e[16];
	int round;

	ASSERT_NE(MAP_FAILED, p);
	/* Activation by aging passes is lru2's rule. */
	ASSERT_EQ(0, vmsim_policy_set("lru2"));
	pages_fill(p, x, 0xac);
	write_zeroes(p + x * page_size, fill);
	/* Referenced in two passes in a row: active. */
	for (round = 0; round < 6; round++) {
		read_pages(p, x);
		ASSERT_TRUE(age_once(self->fd, g, step, x + fill));
		ASSERT_EQ(0, vmsim_query(self->fd, 0, x, e));
		if (e[0] & VMSIM_PTE_ACTIVE)
			break;
	}
	ASSERT_NE(0, e[0] & VMSIM_PTE_ACTIVE);
	/* Used once more, then a pass: the use is remembered. */
	read_pages(p, x);
	ASSERT_TRUE(age_once(self->fd, g, step, x + fill));
	ASSERT_EQ(0, vmsim_query(self->fd, 0, x, e));
	for (i = 0; i < x; i++) {
		EXPECT_EQ(VMSIM_PTE_ACTIVE | VMSIM_PTE_ACCESSED,
			  e[i] & (VMSIM_PTE_ACTIVE | VMSIM_PTE_ACCESSED)) {
			TH_LOG("page %zu: %#llx", i, (unsigned long long)e[i]);
		}
	}
	EXPECT_EQ(0, pages_bad(p, x, 0xac));
	munmap(p, (x + fill + step) * page_size);
}

TEST_HARNESS_MAIN
