// SPDX-License-Identifier: GPL-2.0
/*
 * "vmsimctl run": unmodified Debian programs with their heaps on vmsim, in
 * a pool smaller than their working sets so that they swap, each output
 * byte-identical to the same command run without vmsim; fork() giving the
 * child a heap of its own; and the refusals.
 *
 * Needs the guest's copies of GNU sort, xz, gzip, sqlite3, mawk and bash,
 * Debian's libmimalloc2.0 and libjemalloc2, and a swap area at
 * VMSIM_SWAPDEV (default /dev/vda), whose contents are destroyed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

#define DIR		"/tmp/vmsim-run"
#define INPUT		DIR "/input"	/* half the pool */
#define SMALL		DIR "/small"	/* an eighth of it */
#define HELPER		"/selftests/run_helper"

static const char *const needed[] = {
	"/usr/bin/sort", "/usr/bin/xz", "/usr/bin/gzip", "/usr/bin/sqlite3",
	"/usr/bin/mawk", "/bin/bash", HELPER,
	"/usr/lib/x86_64-linux-gnu/libmimalloc.so.2",
	"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
};

FIXTURE(run) {
	int fd;
	struct vmsim_info info;
	size_t pool_mb;
	bool reloaded;
};

/*
 * Load vmsim again, with a pool of @pool_mb (0: as the runner loaded it).
 * A quarter of the usual pool lets small inputs, quick to run, make
 * working sets larger than the pool.
 */
static bool reload(size_t pool_mb)
{
	char cmd[256];

	if (system("rmmod vmsim 2>/dev/null"))
		return false;
	if (pool_mb)
		snprintf(cmd, sizeof(cmd),
			 "insmod ${VMSIM_KO:-/lib/modules/vmsim.ko} ${VMSIM_PARAMS:-} pool_mb=%zu",
			 pool_mb);
	else
		snprintf(cmd, sizeof(cmd),
			 "insmod ${VMSIM_KO:-/lib/modules/vmsim.ko} ${VMSIM_PARAMS:-}");
	if (system(cmd)) {
		fprintf(stderr, "# cannot load vmsim again\n");
		return false;
	}
	return true;
}

/* Lines of random text, @mb MiB in all, the same every time. */
static int make_input(size_t mb)
{
	FILE *f = fopen(INPUT, "w");
	unsigned long long x = 88172645463325252ULL;
	size_t n = 0;

	if (!f)
		return -1;
	while (n < mb << 20) {
		char line[64];
		int len = 8 + (x >> 59), i;

		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			line[i] = 'a' + x % 26;
		}
		line[i++] = '\n';
		fwrite(line, 1, i, f);
		n += i;
	}
	return fclose(f);
}

/* Swapoff, waiting out the pages of processes still exiting. */
static void swap_off(int fd, const char *dev)
{
	int i;

	for (i = 0; i < 100; i++) {
		int err = vmsim_swapoff_ioctl(fd, dev);

		if (err != -ENOMEM && err != -EIO)
			break;
		usleep(100 * 1000);
	}
}

FIXTURE_SETUP(run)
{
	const char *dev = getenv("VMSIM_SWAPDEV") ?: "/dev/vda";
	unsigned int i;
	struct stat st;
	FILE *f;

	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(needed); i++)
		if (access(needed[i], R_OK))
			SETUP_SKIP("%s is not in the guest", needed[i]);
	if (system("command -v vmsimctl >/dev/null") != 0)
		SETUP_SKIP("vmsimctl is not in PATH");
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	if (!(self->info.features & VMSIM_FEAT_SWAP))
		SETUP_SKIP("no swap in this vmsim");
	if (stat(dev, &st) || !S_ISBLK(st.st_mode))
		SETUP_SKIP("need a block device at %s", dev);
	/* A quarter of the runner's pool, kept for the tests after this one. */
	mkdir(DIR, 0755);
	f = fopen(DIR "/pool_mb", "r");
	if (!f || fscanf(f, "%zu", &self->pool_mb) != 1) {
		self->pool_mb = self->info.pool_pages * self->info.page_size >> 20;
		self->pool_mb = self->pool_mb / 4 > 4 ? self->pool_mb / 4 : 4;
		if (f)
			fclose(f);
		f = fopen(DIR "/pool_mb", "w");
		ASSERT_NE(NULL, f);
		fprintf(f, "%zu\n", self->pool_mb);
	}
	fclose(f);
	close(self->fd);
	self->reloaded = reload(self->pool_mb);
	ASSERT_TRUE(self->reloaded);
	self->fd = vmsim_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	ASSERT_EQ(self->pool_mb << 20, self->info.pool_pages * self->info.page_size);
	swap_off(self->fd, dev);
	ASSERT_EQ(0, vmsim_swap_header_write(dev, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, dev, 0, 0));
	if (access(INPUT, R_OK) || access(SMALL, R_OK)) {
		char cmd[128];

		ASSERT_EQ(0, make_input(self->pool_mb / 2));
		snprintf(cmd, sizeof(cmd), "head -c %zu " INPUT " >" SMALL,
			 self->pool_mb << 17);
		ASSERT_TRUE(vmsim_sh(cmd));
	}
}

FIXTURE_TEARDOWN(run)
{
	if (self->fd < 0)
		return;
	swap_off(self->fd, getenv("VMSIM_SWAPDEV") ?: "/dev/vda");
	close(self->fd);
	if (self->reloaded)
		reload(0);
}

/*
 * Run @cmd natively into DIR/native and under "vmsimctl run" (with @opts)
 * into DIR/vmsim; both must succeed with the same bytes.  Returns the
 * pages vmsim swapped out meanwhile.
 */
static long long same_output(struct __test_metadata *_metadata,
			     const char *opts, const char *cmd)
{
	char line[1024];
	long long out0 = vmstat_value("/proc/vmsim_vmstat", "pswpout");
	struct timespec t0, t1, t2;

	snprintf(line, sizeof(line), "export LC_ALL=C; %s >" DIR "/native", cmd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_TRUE(vmsim_sh(line));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(line, sizeof(line),
		 "export LC_ALL=C; vmsimctl run %s -- %s >" DIR "/vmsim 2>" DIR "/stderr",
		 opts, cmd);
	EXPECT_TRUE(vmsim_sh(line)) {
		vmsim_sh("cat " DIR "/stderr >&2");
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	EXPECT_TRUE(vmsim_sh("cmp " DIR "/native " DIR "/vmsim"));
	TH_LOG("%.1f s natively, %.1f s on vmsim, %lld pages swapped out: %s",
	       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       t2.tv_sec - t1.tv_sec + (t2.tv_nsec - t1.tv_nsec) / 1e9,
	       vmstat_value("/proc/vmsim_vmstat", "pswpout") - out0, cmd);
	return vmstat_value("/proc/vmsim_vmstat", "pswpout") - out0;
}

/* The summary's figure on the line that starts with @label. */
static long long summary_value(const char *label)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen(DIR "/stderr", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, label) ? strrchr(line, ':') : NULL;

		if (p)
			v = atoll(p + 1);
	}
	fclose(f);
	return v;
}

/*
 * GNU sort holding all of its input in its heap: half a pool of text, with
 * sort's line table more than the pool.
 */
TEST_F_TIMEOUT(run, sort_bigger_than_pool, 300)
{
	char cmd[256];
	long long out;

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/sort --parallel=2 -S %zuM " INPUT,
		 self->pool_mb * 2);
	out = same_output(_metadata, "-v", cmd);
	EXPECT_GT(out, 0) {
		TH_LOG("sort's heap never went to vmsim's swap");
	}
	EXPECT_GT(summary_value("Major (requiring I/O) page faults on vmsim"), 0);
	EXPECT_GT(summary_value("Maximum resident on vmsim"), 0);
	EXPECT_EQ(0, summary_value("Mappings vmsim could not serve"));
}

/* xz, behind jemalloc this time, and gzip. */
TEST_F_TIMEOUT(run, xz_and_gzip, 300)
{
	/* -1 needs 9 MiB, -0 3 MiB: a random working set of twice a pool thrashes. */
	same_output(_metadata, "-a jemalloc", self->pool_mb >= 12 ?
		    "/usr/bin/xz -T1 -1 -c " SMALL : "/usr/bin/xz -T1 -0 -c " SMALL);
	same_output(_metadata, "", "/usr/bin/gzip -c " SMALL);
}

/* sqlite3 builds a table (about the pool) and an index in memory, and queries them. */
TEST_F_TIMEOUT(run, sqlite3_index, 300)
{
	size_t rows = self->pool_mb * 6144;
	FILE *f = fopen(DIR "/index.sql", "w");

	ASSERT_NE(NULL, f);
	fprintf(f, "PRAGMA cache_size=-%zu;\n", self->pool_mb * 4096);
	fprintf(f, "CREATE TABLE t(k TEXT, v INTEGER, p TEXT);\n");
	fprintf(f, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%zu)\n",
		rows);
	fprintf(f, "INSERT INTO t SELECT printf('%%08x', (i * 2654435761) %% 4294967296) || i,\n");
	fprintf(f, "       i, hex(zeroblob(64)) FROM c;\n");
	fprintf(f, "CREATE INDEX tk ON t(k);\n");
	fprintf(f, "SELECT count(*), sum(v), count(DISTINCT substr(k, 1, 3)) FROM t;\n");
	fprintf(f, "SELECT sum(v) FROM t WHERE k > '8';\n");
	ASSERT_EQ(0, fclose(f));
	EXPECT_GT(same_output(_metadata, "-v",
			      "/usr/bin/sqlite3 :memory: <" DIR "/index.sql"), 0);
	EXPECT_GT(summary_value("Page faults on vmsim"), 0);
}

/* An awk associative array about one and a half times the pool. */
TEST_F_TIMEOUT(run, awk_array, 300)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/mawk 'BEGIN { for (i = 0; i < %zu; i++) a[\"k\" i] = i;"
		 " for (k in a) s += a[k]; print s, length(a) }'",
		 self->pool_mb * 12288);
	EXPECT_GT(same_output(_metadata, "-v", cmd), 0);
	EXPECT_GT(summary_value("Page faults on vmsim"), 0);
}

/* bash forks and execs a pipeline; every process gets its own heap. */
TEST_F_TIMEOUT(run, shell_pipeline, 300)
{
	same_output(_metadata, "-v",
		    "/bin/bash -c '/usr/bin/sort " SMALL
		    " | /usr/bin/gzip -1 | /usr/bin/gzip -dc | /usr/bin/mawk \"{ n += length(\\$0) } END { print NR, n }\"'");
	/* bash, sort, two gzips and mawk, each through exit(). */
	EXPECT_GE(summary_value("Processes that reported"), 4);
}

/* Parent and child write the same heap pages after fork(). */
TEST_F_TIMEOUT(run, fork_heaps_are_private, 300)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "vmsimctl run -- " HELPER " fork %zu",
		 self->pool_mb);
	EXPECT_TRUE(vmsim_sh(cmd));
	snprintf(cmd, sizeof(cmd), "vmsimctl run -a jemalloc -- " HELPER " fork %zu",
		 self->pool_mb / 4);
	EXPECT_TRUE(vmsim_sh(cmd));
}

/* mmap, munmap of a hole, MAP_FIXED, mremap, MADV_DONTNEED, mprotect. */
TEST_F_TIMEOUT(run, memory_calls, 300)
{
	EXPECT_TRUE(vmsim_sh("vmsimctl run -- " HELPER " calls 8"));
	EXPECT_TRUE(vmsim_sh("vmsimctl run -a none -- " HELPER " calls 8"));
	/* Without vmsimctl run the helper's heap is not on vmsim. */
	EXPECT_TRUE(vmsim_sh("test \"$(" HELPER " objects)\" = 0"));
	EXPECT_TRUE(vmsim_sh("test \"$(vmsimctl run -- " HELPER " objects)\" = 1"));
	/* --size caps what goes to vmsim: the rest is made natively. */
	EXPECT_TRUE(vmsim_sh("vmsimctl run -v -s 1M -- " HELPER " calls 8 2>" DIR "/stderr"));
	EXPECT_GT(summary_value("Mappings vmsim could not serve"), 0);
}

TEST_F_TIMEOUT(run, refusals, 300)
{
	/* A static program: the preload would never be loaded. */
	EXPECT_FALSE(vmsim_sh("vmsimctl run -- /bin/busybox true 2>" DIR "/stderr"));
	EXPECT_TRUE(vmsim_sh("grep -q 'statically linked' " DIR "/stderr"));
	/* A set-user-ID program: the dynamic linker ignores the preload. */
	EXPECT_TRUE(vmsim_sh("cp " HELPER " " DIR "/suid && chown nobody " DIR "/suid"));
	EXPECT_TRUE(vmsim_sh("chmod u+s " DIR "/suid"));
	EXPECT_FALSE(vmsim_sh("vmsimctl run -- " DIR "/suid objects 2>" DIR "/stderr"));
	EXPECT_TRUE(vmsim_sh("grep -q 'set-user-ID' " DIR "/stderr"));
	EXPECT_FALSE(vmsim_sh("vmsimctl run -a tcmalloc -- /bin/bash -c true 2>/dev/null"));
	EXPECT_FALSE(vmsim_sh("vmsimctl run -s 12Q -- /bin/bash -c true 2>/dev/null"));
	EXPECT_FALSE(vmsim_sh("vmsimctl run -- /nonexistent 2>/dev/null"));
	/* The command's own exit status comes back. */
	EXPECT_FALSE(vmsim_sh("vmsimctl run -- /bin/bash -c 'exit 3'"));
	EXPECT_TRUE(vmsim_sh("vmsimctl run -- /bin/bash -c 'exit 3'; test $? = 3"));
}

TEST_HARNESS_MAIN
