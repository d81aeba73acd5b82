// SPDX-License-Identifier: GPL-2.0
/*
 * vmsim's /proc files and tracepoints: /proc/vmsim_meminfo has the running
 * kernel's /proc/meminfo lines byte for byte (names, order, padding);
 * /proc/vmsim_vmstat uses /proc/vmstat's names in its order; the figures
 * add up at rest, never go backwards, and match what a workload did;
 * /proc/vmsim_objects describes each object; the vmsim trace events fire
 * with sane fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

#define MAX_LINES	512
#define TRACEFS		"/sys/kernel/tracing"

struct lines {
	int n;
	char *line[MAX_LINES];
};

static int read_lines(const char *path, struct lines *l)
{
	char buf[512];
	FILE *f = fopen(path, "r");

	l->n = 0;
	if (!f)
		return -1;
	while (l->n < MAX_LINES && fgets(buf, sizeof(buf), f))
		l->line[l->n++] = strdup(buf);
	fclose(f);
	return 0;
}

static void free_lines(struct lines *l)
{
	while (l->n > 0)
		free(l->line[--l->n]);
}

/* "Name:   123 kB\n": the label (with its colon) and where the number ends. */
static void meminfo_shape(const char *line, char *label, size_t len,
			  int *end, const char **suffix, int *digits)
{
	const char *colon = strchr(line, ':');
	const char *p;

	snprintf(label, len, "%.*s", colon ? (int)(colon - line + 1) : 0,
		 line);
	p = colon ? colon + 1 : line;
	while (*p == ' ')
		p++;
	*digits = 0;
	while (p[*digits] >= '0' && p[*digits] <= '9')
		(*digits)++;
	*end = (int)(p - line) + *digits;
	*suffix = p + *digits;
}

static long long stat_of(const char *name)
{
	return vmstat_value(VMSIM_VMSTAT, name);
}

static long kb_of(const char *name)
{
	return meminfo_kb(VMSIM_MEMINFO, name);
}

/* Wait (up to 10 s) for writeback to finish and the zeroing to catch up. */
static void settle(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (kb_of("Writeback") == 0 && stat_of("vmsim_zero_pending") == 0)
			return;
		usleep(10 * 1000);
	}
}

/* The /proc/vmsim_objects row of object @id, or -1 fields. */
struct object_row {
	long long id, pid, maps, size, resident, swapped, dirty, faults, major;
	char comm[32];
};

static int object_row(unsigned long long id, struct object_row *r)
{
	char line[512];
	FILE *f = fopen("/proc/vmsim_objects", "r");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lld %lld %31s %lld %lld %lld %lld %lld %lld %lld",
			   &r->id, &r->pid, r->comm, &r->maps, &r->size,
			   &r->resident, &r->swapped, &r->dirty, &r->faults,
			   &r->major) == 10 && r->id == (long long)id) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static unsigned long long object_id(int fd)
{
	struct vmsim_stats st;

	memset(&st, 0, sizeof(st));
	return vmsim_stats(fd, &st) ? 0 : st.id;
}

FIXTURE(proc) {
	int fd;
	struct vmsim_info info;
	const char *swapdev;
	bool swap_on;
};

FIXTURE_SETUP(proc)
{
	self->swap_on = false;
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	self->swapdev = getenv("VMSIM_SWAPDEV") ?: "/dev/vda";
}

FIXTURE_TEARDOWN(proc)
{
	if (self->fd < 0)
		return;
	/* The object's pages go first: they might not fit back in. */
	close(self->fd);
	if (self->swap_on) {
		self->fd = vmsim_open();
		ASSERT_LE(0, self->fd);
		EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, self->swapdev));
		close(self->fd);
	}
}

/*
 * Every line of /proc/vmsim_meminfo has the name, the position and the
 * padding of the same line of /proc/meminfo.
 */
TEST_F(proc, meminfo_mirrors_kernel)
{
	struct lines k, v;
	int i;

	ASSERT_EQ(0, read_lines("/proc/meminfo", &k));
	ASSERT_EQ(0, read_lines(VMSIM_MEMINFO, &v));
	EXPECT_EQ(k.n, v.n);
	for (i = 0; i < k.n && i < v.n; i++) {
		char kl[64], vl[64];
		const char *ks, *vs;
		int ke, ve, kd, vd;

		meminfo_shape(k.line[i], kl, sizeof(kl), &ke, &ks, &kd);
		meminfo_shape(v.line[i], vl, sizeof(vl), &ve, &vs, &vd);
		EXPECT_STREQ(kl, vl);
		EXPECT_STREQ(ks, vs);
		EXPECT_GT(vd, 0);
		/* Right-aligned in the same field unless a number overflows it. */
		if (kd < 8 && vd < 8)
			EXPECT_EQ(ke, ve) {
				TH_LOG("kernel: %sVMSIM:  %s", k.line[i], v.line[i]);
			}
	}
	free_lines(&k);
	free_lines(&v);
}

/*
 * /proc/vmsim_vmstat is "name value" lines; names without the vmsim_
 * prefix are /proc/vmstat's, in its order; each name once; the ones tools
 * read are there.
 */
TEST_F(proc, vmstat_names_and_order)
{
	static const char *const needed[] = {
		"nr_free_pages", "nr_inactive_anon", "nr_active_anon",
		"pgfault", "pgmajfault", "pswpin", "pswpout", "pgpgin",
		"pgpgout", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
		"pgsteal_direct", "pgactivate", "pgdeactivate", "pgrefill",
		"workingset_refault_anon", "workingset_activate_anon",
		"swap_ra", "swap_ra_hit", "allocstall_normal",
	};
	struct lines k, v;
	regex_t re;
	int i, j, last = -1;
	unsigned int n;

	ASSERT_EQ(0, regcomp(&re, "^[a-z0-9_]+ [0-9]+\n$", REG_EXTENDED));
	ASSERT_EQ(0, read_lines("/proc/vmstat", &k));
	ASSERT_EQ(0, read_lines(VMSIM_VMSTAT, &v));
	for (i = 0; i < v.n; i++) {
		char name[64];
		int at = -1;

		EXPECT_EQ(0, regexec(&re, v.line[i], 0, NULL, 0)) {
			TH_LOG("bad line: %s", v.line[i]);
		}
		sscanf(v.line[i], "%63s", name);
		n = strlen(name);
		for (j = 0; j < i; j++)
			EXPECT_FALSE(!strncmp(v.line[j], name, n) &&
				     v.line[j][n] == ' ') {
				TH_LOG("%s twice", name);
			}
		if (!strncmp(name, "vmsim_", 6))
			continue;
		for (j = 0; j < k.n; j++)
			if (!strncmp(k.line[j], name, n) && k.line[j][n] == ' ')
				at = j;
		EXPECT_NE(-1, at) {
			TH_LOG("%s is not in /proc/vmstat", name);
		}
		EXPECT_GT(at, last) {
			TH_LOG("%s is out of /proc/vmstat's order", name);
		}
		last = at;
	}
	for (n = 0; n < ARRAY_SIZE(needed); n++) {
		const char *want = needed[n];

		if (stat_of(want) < 0) {
			TH_LOG("no %s", want);
			EXPECT_TRUE(false);
		}
	}
	regfree(&re);
	free_lines(&k);
	free_lines(&v);
}

/*
 * At rest, every frame is free or holds a page; a workload's pages show
 * up as exactly that many faults, resident, dirty and allocated pages,
 * and go again when it ends.
 */
TEST_F(proc, figures_add_up)
{
	long total = kb_of("MemTotal"), unit = page_size / 1024;
	size_t pages = self->info.pool_pages / 4, i;
	long long fault0, alloc0, free0;
	long anon0, dirty0, lru;
	char *p;

	settle();
	EXPECT_EQ(total, kb_of("MemFree") + kb_of("AnonPages"));
	anon0 = kb_of("AnonPages");
	dirty0 = kb_of("Dirty");
	fault0 = stat_of("pgfault");
	alloc0 = stat_of("pgalloc_normal");
	free0 = stat_of("pgfree");

	p = vmsim_map(self->fd, pages * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		p[i * page_size] = 1;
	settle();
	EXPECT_EQ((long long)pages, stat_of("pgfault") - fault0);
	EXPECT_LE((long long)pages, stat_of("pgalloc_normal") - alloc0);
	EXPECT_EQ((long)pages * unit, kb_of("AnonPages") - anon0);
	EXPECT_EQ((long)pages * unit, kb_of("Dirty") - dirty0);
	EXPECT_EQ(total, kb_of("MemFree") + kb_of("AnonPages"));
	/* Up to 15 new frames per CPU wait in a batch to join the lists. */
	lru = kb_of("Active(anon)") + kb_of("Inactive(anon)") +
	      kb_of("Unevictable");
	EXPECT_LE(lru, kb_of("AnonPages"));
	EXPECT_GE(lru + 15 * unit * sysconf(_SC_NPROCESSORS_ONLN),
		  kb_of("AnonPages"));
	EXPECT_EQ(kb_of("Active"), kb_of("Active(anon)"));
	EXPECT_EQ(kb_of("Inactive"), kb_of("Inactive(anon)"));
	EXPECT_EQ(stat_of("nr_free_pages") * unit, kb_of("MemFree"));

	/* Dropping the pages frees exactly those frames. */
	EXPECT_EQ((long)pages,
		  vmsim_advise(self->fd, 0, pages, VMSIM_ADV_DONTNEED));
	settle();
	EXPECT_EQ(anon0, kb_of("AnonPages"));
	EXPECT_EQ(dirty0, kb_of("Dirty"));
	EXPECT_LE((long long)pages, stat_of("pgfree") - free0);
	EXPECT_EQ(total, kb_of("MemFree") + kb_of("AnonPages"));
	munmap(p, pages * page_size);
}

static void churn(void *arg)
{
	int fd = vmsim_open();
	size_t pages = *(size_t *)arg, i;
	int round;
	char *p;

	if (fd < 0)
		_exit(1);
	p = vmsim_map(fd, pages * page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		_exit(1);
	for (round = 0; round < 40; round++) {
		for (i = 0; i < pages; i++)
			if (i % 3)
				p[i * page_size] = (char)round;
			else
				peek(&p[i * page_size]);
		vmsim_advise(fd, 0, pages, round % 2 ? VMSIM_ADV_PAGEOUT :
						       VMSIM_ADV_DONTNEED);
	}
	_exit(0);
}

/* Event counters never go backwards, whatever runs meanwhile. */
TEST_F(proc, counters_never_go_backwards)
{
	size_t pages = self->info.pool_pages / 2;
	struct lines prev, cur;
	int sample, i, status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		churn(&pages);

	ASSERT_EQ(0, read_lines(VMSIM_VMSTAT, &prev));
	for (sample = 0; sample < 200; sample++) {
		usleep(5 * 1000);
		ASSERT_EQ(0, read_lines(VMSIM_VMSTAT, &cur));
		ASSERT_EQ(prev.n, cur.n);
		for (i = 0; i < cur.n; i++) {
			char name[64];
			unsigned long long a, b;

			int got = sscanf(prev.line[i], "%63s %llu", name, &a);

			ASSERT_EQ(2, got);
			got = sscanf(cur.line[i], "%*s %llu", &b);
			ASSERT_EQ(1, got);
			/* Gauges (amounts now) may go down. */
			if (!strncmp(name, "nr_", 3) ||
			    !strcmp(name, "vmsim_zero_pending") ||
			    !strcmp(name, "vmsim_swapped"))
				continue;
			EXPECT_LE(a, b) {
				TH_LOG("%s went from %llu to %llu", name, a, b);
			}
		}
		free_lines(&prev);
		prev = cur;
	}
	free_lines(&prev);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Pages written to swap and read back are counted once each, in pages
 * (pswpout, pswpin) and in KiB (pgpgout, pgpgin), and shown in SwapFree,
 * SwapCached and the object's row.
 */
TEST_F(proc, swap_figures_match)
{
	const size_t pages = 64;
	long long out0, in0, pgout0, pgin0, maj0;
	long unit = page_size / 1024, swapfree0;
	struct object_row r;
	unsigned long long id;
	struct stat st;
	size_t i;
	char *p;
	int tries;

	if (!(self->info.features & VMSIM_FEAT_SWAP))
		SKIP(return, "no swap in this vmsim");
	if (stat(self->swapdev, &st) || !S_ISBLK(st.st_mode))
		SKIP(return, "no block device %s", self->swapdev);
	ASSERT_EQ(0, vmsim_swap_header_write(self->swapdev, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, self->swapdev, 0, 0));
	self->swap_on = true;
	id = object_id(self->fd);
	ASSERT_NE(0, id);

	p = vmsim_map(self->fd, pages * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		page_fill(p + i * page_size, i);
	settle();
	out0 = stat_of("pswpout");
	in0 = stat_of("pswpin");
	pgout0 = stat_of("pgpgout");
	pgin0 = stat_of("pgpgin");
	maj0 = stat_of("pgmajfault");
	swapfree0 = kb_of("SwapFree");

	EXPECT_EQ((long)pages,
		  vmsim_advise(self->fd, 0, pages, VMSIM_ADV_PAGEOUT));
	for (tries = 0; tries < 500; tries++) {
		ASSERT_EQ(0, object_row(id, &r));
		if (r.swapped == (long long)pages)
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ((long long)pages, r.swapped);
	EXPECT_EQ(0, r.resident);
	EXPECT_EQ(0, r.dirty);
	EXPECT_EQ((long long)pages, stat_of("pswpout") - out0);
	EXPECT_EQ((long long)pages * unit, stat_of("pgpgout") - pgout0);
	EXPECT_EQ((long)pages * unit, swapfree0 - kb_of("SwapFree"));
	EXPECT_EQ((long long)pages, stat_of("vmsim_swapped"));

	for (i = 0; i < pages; i++)
		EXPECT_TRUE(page_check(p + i * page_size, i));
	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ((long long)pages, r.resident);
	EXPECT_EQ(0, r.swapped);
	EXPECT_LE(1, r.major);
	EXPECT_EQ(r.major, stat_of("pgmajfault") - maj0);
	EXPECT_EQ((long long)pages, stat_of("pswpin") - in0);
	EXPECT_EQ((long long)pages * unit, stat_of("pgpgin") - pgin0);
	/* Read back and clean: each keeps its slot (the swap cache). */
	EXPECT_EQ((long)pages * unit, kb_of("SwapCached"));
	EXPECT_EQ((long)pages * unit, swapfree0 - kb_of("SwapFree"));
	munmap(p, pages * page_size);
}

/*
 * Does @s hold something shaped like a kernel address: 12 or more hex
 * digits (with or without 0x) starting with ffff, or a decimal number that
 * large?
 */
static bool looks_like_kernel_address(const char *s)
{
	regex_t hex, dec;
	bool found;

	if (regcomp(&hex, "(0x)?ffff[0-9a-f]{8,12}", REG_EXTENDED | REG_ICASE | REG_NOSUB) ||
	    regcomp(&dec, "[0-9]{19,}", REG_EXTENDED | REG_NOSUB))
		return true;
	found = !regexec(&hex, s, 0, NULL, 0) || !regexec(&dec, s, 0, NULL, 0);
	regfree(&hex);
	regfree(&dec);
	return found;
}

/*
 * No /proc file of vmsim's, and no module parameter, shows a kernel
 * address (with objects, swap and resident pages present, so that every
 * row is there).
 */
TEST_F(proc, no_kernel_addresses)
{
	static const char * const files[] = {
		VMSIM_MEMINFO, VMSIM_VMSTAT, "/proc/vmsim_zoneinfo",
		"/proc/vmsim_swaps", "/proc/vmsim_objects",
		"/sys/module/vmsim/parameters/pool_mb",
		"/sys/module/vmsim/parameters/min_free_kbytes",
		"/sys/module/vmsim/parameters/swapdev",
	};
	char line[512];
	size_t i, lines = 0;
	char *p = vmsim_map(self->fd, 64 * page_size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, 64, 5);
	/* The check itself can fail. */
	ASSERT_TRUE(looks_like_kernel_address("at ffff8880012345a0\n"));
	ASSERT_TRUE(looks_like_kernel_address("18446612682083632544\n"));
	ASSERT_FALSE(looks_like_kernel_address("MemTotal:      65536 kB\n"));
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f = fopen(files[i], "r");

		ASSERT_NE(NULL, f) {
			TH_LOG("%s: %s", files[i], strerror(errno));
		}
		while (fgets(line, sizeof(line), f)) {
			lines++;
			EXPECT_FALSE(looks_like_kernel_address(line)) {
				TH_LOG("%s: %s", files[i], line);
			}
		}
		fclose(f);
	}
	EXPECT_LT(50, lines);
	munmap(p, 64 * page_size);
}

/* /proc/vmsim_objects: its header, and a row per object that is true. */
TEST_F(proc, objects_file)
{
	char header[160];
	const size_t pages = 37;
	unsigned long long id = object_id(self->fd);
	struct object_row r;
	int sync[2], status;
	char line[256];
	size_t i;
	pid_t pid;
	FILE *f;
	char *p;

	snprintf(header, sizeof(header),
		 "%6s %7s %-16s %5s %10s %10s %10s %10s %10s %10s\n", "id",
		 "pid", "comm", "maps", "size", "resident", "swapped", "dirty",
		 "faults", "majflt");
	f = fopen("/proc/vmsim_objects", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_STREQ(header, line);
	fclose(f);

	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(0, r.maps);
	EXPECT_EQ(0, r.size);

	/* 64 pages mapped at page 16: the object reaches page 80. */
	p = vmsim_map(self->fd, 64 * page_size, 16 * page_size,
		      PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		p[i * page_size] = 1;
	peek(&p[40 * page_size]);		/* a read: the zero frame */
	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ(1, r.maps);
	EXPECT_EQ(80, r.size);
	EXPECT_EQ((long long)pages, r.resident);
	EXPECT_EQ((long long)pages, r.dirty);
	EXPECT_EQ((long long)pages + 1, r.faults);
	EXPECT_EQ(0, r.major);
	EXPECT_EQ(0, r.swapped);

	/* A child's copy of the mapping is a second one. */
	ASSERT_EQ(0, pipe(sync));
	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(sync[1]);
		if (read(sync[0], line, 1) < 0)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ(2, r.maps);
	close(sync[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(sync[0]);
	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ(1, r.maps);

	munmap(p, 64 * page_size);
	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ(0, r.maps);
	EXPECT_EQ((long long)pages, r.resident);	/* the object keeps them */
	close(self->fd);
	self->fd = vmsim_open();
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(-1, object_row(id, &r));		/* gone with its file */
	EXPECT_LT(id, object_id(self->fd));
}

static int tracefs_write(const char *file, const char *val)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* Count the trace's events of @event for object @id, checking each. */
static int trace_count(struct __test_metadata *_metadata, const char *event,
		       unsigned long long id, unsigned long max_index)
{
	char pat[64], line[512];
	FILE *f = fopen(TRACEFS "/trace", "r");
	int n = 0;

	if (!f)
		return -1;
	snprintf(pat, sizeof(pat), " %s: ", event);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long obj;
		unsigned long index;
		char *at = strstr(line, pat);

		if (!at || sscanf(at + strlen(pat), "obj=%llu index=%lu",
				  &obj, &index) != 2 || obj != id)
			continue;
		EXPECT_LT(index, max_index) {
			TH_LOG("%s", line);
		}
		n++;
	}
	fclose(f);
	return n;
}

/*
 * The vmsim trace events fire where they should, naming the object and
 * page: faults of each kind, reclaim passes, and swap-out and swap-in
 * when swap is on.
 */
TEST_F(proc, tracepoints)
{
	size_t pages = self->info.pool_pages + self->info.pool_pages / 2, i;
	const size_t data = 32;
	unsigned long long id = object_id(self->fd);
	bool swap = false;
	struct stat st;
	char line[512];
	int reclaims = 0;
	FILE *f;
	char *p;

	if (access(TRACEFS "/trace", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events/vmsim", F_OK))
		SKIP(return, "no vmsim events in " TRACEFS " (%s)",
		     strerror(errno));
	if ((self->info.features & VMSIM_FEAT_SWAP) &&
	    !stat(self->swapdev, &st) && S_ISBLK(st.st_mode)) {
		ASSERT_EQ(0, vmsim_swap_header_write(self->swapdev,
						     VMSIM_SWAP_VERSION));
		ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, self->swapdev, 0, 0));
		self->swap_on = true;
		swap = true;
	}
	ASSERT_EQ(0, tracefs_write("buffer_size_kb", "8192"));
	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write("events/vmsim/enable", "1"));

	p = vmsim_map(self->fd, pages * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	/* Data that must go to swap, then zeroes (dropped) past the pool. */
	for (i = 0; i < data; i++)
		page_fill(p + i * page_size, i);
	vmsim_advise(self->fd, 0, data, VMSIM_ADV_PAGEOUT);
	peek(&p[data * page_size]);
	for (i = data + 1; i < pages; i++)
		p[i * page_size] = 0;
	settle();
	for (i = 0; i < data; i++)
		EXPECT_TRUE(page_check(p + i * page_size, i));
	ASSERT_EQ(0, tracefs_write("events/vmsim/enable", "0"));

	EXPECT_LE((int)(pages - data - 1),
		  trace_count(_metadata, "vmsim_fault", id, pages));
	f = fopen(TRACEFS "/trace", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long scanned, reclaimed;
		char how[16];
		char *at;

		at = strstr(line, " vmsim_fault: ");
		if (at && sscanf(at, " vmsim_fault: obj=%*u index=%*u write=%*d how=%15s",
				 how) == 1)
			EXPECT_TRUE(!strcmp(how, "zero_map") ||
				    !strcmp(how, "fill") ||
				    !strcmp(how, "minor") ||
				    !strcmp(how, "major")) {
				TH_LOG("%s", line);
			}
		at = strstr(line, " vmsim_reclaim: ");
		if (at && sscanf(at, " vmsim_reclaim: nr_to_reclaim=%*u scanned=%lu reclaimed=%lu",
				 &scanned, &reclaimed) == 2) {
			EXPECT_LE(reclaimed, scanned + 1);
			reclaims++;
		}
	}
	fclose(f);
	EXPECT_LT(0, reclaims);
	if (swap) {
		EXPECT_LE((int)data, trace_count(_metadata, "vmsim_swap_out",
						 id, data));
		EXPECT_LE((int)data, trace_count(_metadata,
						 "vmsim_swap_out_done", id,
						 data));
		EXPECT_LE(1, trace_count(_metadata, "vmsim_swap_in", id, data));
	}
	tracefs_write("trace", "");
	munmap(p, pages * page_size);
}

/* As nobody: the row of object @arg (root's) shows no owner. */
static int objects_as_nobody(void *arg)
{
	unsigned long long id = *(unsigned long long *)arg;
	struct object_row r;

	if (object_row(id, &r))
		return 3;
	if (r.pid != 0 || strcmp(r.comm, "-"))
		return 4;
	return 0;
}

/*
 * /proc/vmsim_objects shows who opened an object only to that user (and
 * to CAP_SYS_PTRACE); anyone sees the counters.
 */
TEST_F(proc, objects_owner_hidden_from_others)
{
	unsigned long long id = object_id(self->fd);
	struct object_row r;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to another uid");
	ASSERT_EQ(0, object_row(id, &r));
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(0, run_as_nobody(objects_as_nobody, &id)) {
		TH_LOG("nobody saw the owner of root's object");
	}
}

/*
 * PAGEOUT is counted once, as vmsim_pageout, however the page goes
 * (dropped, or written first); not also as a steal by vmsimd.
 */
TEST_F(proc, pageout_counted_once)
{
	size_t n = 64;
	long long po0, kswapd0, direct0;
	char *p;
	int i;

	if (vmsim_swapon_ioctl(self->fd, self->swapdev, 0, 0)) {
		if (vmsim_swap_header_write(self->swapdev, VMSIM_SWAP_VERSION) ||
		    vmsim_swapon_ioctl(self->fd, self->swapdev, 0, 0))
			SKIP(return, "no swap area on %s", self->swapdev);
	}
	self->swap_on = true;
	p = vmsim_map(self->fd, 2 * n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 99);				/* to be written */
	for (i = 0; i < (int)n; i++)
		p[(n + i) * page_size] = 0;		/* zero: dropped */
	po0 = vmstat_value(VMSIM_VMSTAT, "vmsim_pageout");
	kswapd0 = vmstat_value(VMSIM_VMSTAT, "pgsteal_kswapd");
	direct0 = vmstat_value(VMSIM_VMSTAT, "pgsteal_direct");
	ASSERT_EQ((long)(2 * n), vmsim_advise(self->fd, 0, 2 * n,
					      VMSIM_ADV_PAGEOUT));
	for (i = 0; i < 300 && meminfo_kb(VMSIM_MEMINFO, "Writeback"); i++)
		usleep(10 * 1000);
	EXPECT_EQ(po0 + (long long)(2 * n),
		  vmstat_value(VMSIM_VMSTAT, "vmsim_pageout"));
	EXPECT_EQ(kswapd0, vmstat_value(VMSIM_VMSTAT, "pgsteal_kswapd"));
	EXPECT_EQ(direct0, vmstat_value(VMSIM_VMSTAT, "pgsteal_direct"));
	EXPECT_EQ(0, pages_bad(p, n, 99));
	munmap(p, 2 * n * page_size);
}

/*
 * A page evicted while it was all zeroes and then read is a refault (it
 * was wanted again) but activates nothing: it gets the zero frame.
 */
TEST_F(proc, zero_refault_activates_nothing)
{
	size_t n = 32, i;
	long long ref0, act0;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < n; i++)
		p[i * page_size] = 0;			/* written, but zero */
	ASSERT_EQ((long)n, vmsim_advise(self->fd, 0, n, VMSIM_ADV_PAGEOUT));
	ASSERT_EQ(0, vmsim_pte(self->fd, 0) & VMSIM_PTE_PRESENT);
	ref0 = vmstat_value(VMSIM_VMSTAT, "workingset_refault_anon");
	act0 = vmstat_value(VMSIM_VMSTAT, "workingset_activate_anon");
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, peek(p + i * page_size));
	EXPECT_EQ(ref0 + (long long)n,
		  vmstat_value(VMSIM_VMSTAT, "workingset_refault_anon"));
	EXPECT_EQ(act0, vmstat_value(VMSIM_VMSTAT, "workingset_activate_anon"));
	munmap(p, n * page_size);
}

TEST_HARNESS_MAIN
