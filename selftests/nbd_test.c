// SPDX-License-Identifier: GPL-2.0
/*
 * Far memory: swap to another machine's RAM through the kernel's NBD
 * client.  The far machine is played by nbdkit's memory plugin in this
 * guest, reached over TCP on the loopback interface (or a UNIX socket on
 * a kernel without TCP, the debug kernels), so that the whole network
 * path runs.  The NBD area has a higher priority than the local disk
 * (VMSIM_SWAPDEV, default /dev/vda), which is the fallback.
 *
 * What is checked: data integrity over a working set four times the pool;
 * a server that dies (killed) or hangs (stopped) gives SIGBUS to the
 * pages that were on it, within the client's timeout, and loses nothing
 * else, with new pages going to the disk; swapoff of the dead area fails
 * cleanly and completes once nothing uses it; swapoff moves pages from
 * NBD to the disk; read errors the server injects (nbdkit's error filter)
 * give SIGBUS to those pages only; a slow server (its delay and rate
 * filters) loses nothing.
 *
 * Needs nbdkit (with its memory plugin and its error, delay and rate
 * filters), nbd-client and /dev/nbd0 (the nbd module): the test skips,
 * saying which is missing.
 * The disk's contents are destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

#define NBD_DEV		"/dev/nbd0"
#define NBD_PIDFILE	"/tmp/vmsim-nbd.pid"
#define NBD_SOCK	"/tmp/vmsim-nbd.sock"
#define NBD_PORT	"10809"
/* While this file exists, the error filter fails every read. */
#define NBD_ERRFILE	"/tmp/vmsim-nbd.rerr"
/* nbd-client -t: seconds before a request the server does not answer fails */
#define NBD_TIMEOUT	10

static const char *disk;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* TCP over the loopback interface where the kernel has TCP. */
static bool have_tcp(void)
{
	return access("/proc/net/tcp", F_OK) == 0;
}

static pid_t server_pid(void)
{
	FILE *f = fopen(NBD_PIDFILE, "r");
	int pid = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

/* Kill the server, if there is one, and wait until it is gone. */
static void server_kill(void)
{
	pid_t pid = server_pid();
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	kill(pid, SIGCONT);
	for (i = 0; i < 500 && !kill(pid, 0); i++)
		usleep(10000);
	unlink(NBD_PIDFILE);
	/* Killed, it leaves its socket behind, and a new one could not bind. */
	unlink(NBD_SOCK);
}

/*
 * Start nbdkit's memory plugin (@mb MiB), with @filters (--filter=NAME
 * options) and their @params, and connect NBD_DEV to it.  False if either
 * cannot be done.
 */
static bool nbd_up(const char *filters, const char *params, size_t mb)
{
	char cmd[512];
	int i;

	unlink(NBD_PIDFILE);
	snprintf(cmd, sizeof(cmd),
		 "nbdkit -P %s %s %s memory size=%zuM %s",
		 NBD_PIDFILE,
		 have_tcp() ? "-i 127.0.0.1 -p " NBD_PORT : "-U " NBD_SOCK,
		 filters, mb, params);
	if (!vmsim_sh(cmd))
		return false;
	/* nbdkit writes its pid file once it accepts connections. */
	for (i = 0; i < 500 && server_pid() <= 0; i++)
		usleep(10000);
	if (server_pid() <= 0)
		return false;
	snprintf(cmd, sizeof(cmd),
		 "nbd-client %s %s -t %d -b 4096 >/dev/null",
		 have_tcp() ? "127.0.0.1 " NBD_PORT : "-unix " NBD_SOCK,
		 NBD_DEV, NBD_TIMEOUT);
	return vmsim_sh(cmd);
}

static void nbd_down(void)
{
	vmsim_sh("nbd-client -d " NBD_DEV " >/dev/null 2>&1");
	server_kill();
	unlink(NBD_ERRFILE);
}

/* swapoff @path, waiting out a moment's ENOMEM or EIO; 0 or -errno. */
static int swapoff_retry(int fd, const char *path, int tries)
{
	int err = 0, i;

	for (i = 0; i < tries; i++) {
		err = vmsim_swapoff_ioctl(fd, path);
		if (err != -ENOMEM && err != -EIO && err != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	return err;
}

static void touch_page(void *arg)
{
	peek(arg);
}

FIXTURE(nbd) {
	int fd;
	size_t pool;
	long long werr0;	/* vmsim_swap_write_errors at the start */
};

FIXTURE_SETUP(nbd)
{
	struct vmsim_info info;
	struct stat st;
	int err;

	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &info));
	if (!(info.features & VMSIM_FEAT_SWAP))
		SETUP_SKIP("no swap in this vmsim");
	self->pool = info.pool_pages;
	self->werr0 = vmstat_value(VMSIM_VMSTAT, "vmsim_swap_write_errors");
	disk = getenv("VMSIM_SWAPDEV") ?: "/dev/vda";
	if (stat(disk, &st) || !S_ISBLK(st.st_mode))
		SETUP_SKIP("need a block device %s", disk);
	if (!vmsim_sh("command -v nbdkit >/dev/null && command -v nbd-client >/dev/null"))
		SETUP_SKIP("needs nbdkit and nbd-client");
	if (stat(NBD_DEV, &st) || !S_ISBLK(st.st_mode))
		SETUP_SKIP("no %s (the nbd module)", NBD_DEV);
	err = swapoff_retry(self->fd, NBD_DEV, 100);
	ASSERT_TRUE(!err || err == -EINVAL || err == -ENOENT);
	err = swapoff_retry(self->fd, disk, 100);
	ASSERT_TRUE(!err || err == -EINVAL || err == -ENOENT);
	nbd_down();
	/* An error filter that does nothing until NBD_ERRFILE exists. */
	ASSERT_TRUE(nbd_up("--filter=error",
			   "error-pread-rate=100% error-pread-file=" NBD_ERRFILE,
			   8 * self->pool * page_size >> 20));
	ASSERT_EQ(0, vmsim_swap_header_write(NBD_DEV, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swap_header_write(disk, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, disk, 0, VMSIM_SWAP_FLAG_PREFER));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, NBD_DEV, 10,
					VMSIM_SWAP_FLAG_PREFER));
}

FIXTURE_TEARDOWN(nbd)
{
	int err, fd;

	if (self->fd < 0)
		return;
	close(self->fd);
	/* The test's objects are torn down; their slots go a moment later. */
	fd = vmsim_open();
	ASSERT_GE(fd, 0);
	err = swapoff_retry(fd, NBD_DEV, 100);
	EXPECT_TRUE(!err || err == -EINVAL) TH_LOG("swapoff nbd: %d", err);
	err = swapoff_retry(fd, disk, 100);
	EXPECT_TRUE(!err || err == -EINVAL) TH_LOG("swapoff %s: %d", disk, err);
	close(fd);
	nbd_down();
}

/*
 * A working set four times the pool: most of it goes to the NBD area
 * (the higher priority), none to the disk, and every byte comes back.
 */
TEST_F_TIMEOUT(nbd, integrity_4x_pool, 600)
{
	size_t n = 4 * self->pool;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long long out0 = vmstat_value(VMSIM_VMSTAT, "pswpout");

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0xfa40);
	EXPECT_GT(vmsim_swaps_settle(NBD_DEV), (long)(2 * self->pool * page_size / 1024));
	EXPECT_EQ(0, vmsim_swaps_used(disk));
	EXPECT_EQ(0, pages_bad(p, n, 0xfa40));
	EXPECT_GT(vmstat_value(VMSIM_VMSTAT, "pswpout") - out0, (long long)(2 * self->pool));
	munmap(p, n * page_size);
}

/*
 * The far side fails with pages on it: pages of object @far (paged out to
 * NBD) give SIGBUS, within @limit seconds; pages of @near (paged out to the
 * disk before the NBD area came on) and new pages (which go to the disk)
 * are all intact.  swapoff of the dead area fails cleanly while @far holds
 * slots there, and completes once it is closed.
 */
static void far_side_fails(struct __test_metadata *_metadata, int fd,
			   size_t pool, int sig, double limit)
{
	/* near and far pages, and new ones: more than the pool holds */
	size_t nn = pool / 4, nf = pool / 2, nq = pool + pool / 2, i;
	int near = vmsim_open(), far = vmsim_open(), err;
	char *np, *fp, *q;
	long long failover0;
	double t0, dt;

	ASSERT_TRUE(near >= 0 && far >= 0);
	np = vmsim_map(near, nn * page_size, 0, PROT_READ | PROT_WRITE);
	fp = vmsim_map(far, nf * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(np != MAP_FAILED && fp != MAP_FAILED);

	/* The near object out to the disk, the far one out to NBD. */
	ASSERT_EQ(0, swapoff_retry(fd, NBD_DEV, 100));
	pages_fill(np, nn, 0x7ea0);
	ASSERT_LT(0, vmsim_pageout_wait(near, nn));
	ASSERT_EQ(0, vmsim_swap_header_write(NBD_DEV, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapon_ioctl(fd, NBD_DEV, 10, VMSIM_SWAP_FLAG_PREFER));
	pages_fill(fp, nf, 0xfa70);
	ASSERT_LT(0, vmsim_pageout_wait(far, nf));
	ASSERT_GT(vmsim_swaps_used(NBD_DEV), (long)(nf * page_size / 2048));

	ASSERT_EQ(0, kill(server_pid(), sig));
	t0 = now_s();
	EXPECT_EQ(SIGBUS, run_in_child(touch_page, fp + nf / 2 * page_size));
	dt = now_s() - t0;
	EXPECT_LT(dt, limit) TH_LOG("SIGBUS after %.1f s", dt);
	TH_LOG("a page of the dead server: SIGBUS after %.2f s", dt);
	t0 = now_s();
	EXPECT_EQ(SIGBUS, run_in_child(touch_page, fp));
	EXPECT_LT(now_s() - t0, limit);

	/* Nothing else lost: the disk's pages, and new ones, which go there. */
	EXPECT_EQ(0, pages_bad(np, nn, 0x7ea0));
	failover0 = vmstat_value(VMSIM_VMSTAT, "vmsim_swap_failover");
	q = vmsim_map(fd, nq * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, q);
	pages_fill(q, nq, 0x9e30);
	EXPECT_EQ(0, pages_bad(q, nq, 0x9e30));
	EXPECT_GT(vmsim_swaps_used(disk), (long)(pool / 4 * page_size / 1024));
	EXPECT_GT(vmstat_value(VMSIM_VMSTAT, "vmsim_swap_failover"), failover0);
	EXPECT_EQ(0, pages_bad(np, nn, 0x7ea0));

	/* swapoff of the dead area: fails (the far pages cannot come back). */
	t0 = now_s();
	err = vmsim_swapoff_ioctl(fd, NBD_DEV);
	EXPECT_EQ(-EIO, err);
	EXPECT_LT(now_s() - t0, 2 * limit);
	TH_LOG("swapoff of the dead area: %d after %.2f s", err, now_s() - t0);
	for (i = 0; i < nf; i++)
		if (vmsim_pte(far, i) & VMSIM_PTE_PRESENT)
			break;
	EXPECT_EQ(nf, i) TH_LOG("far page %zu came back from a dead server", i);
	/* Once the far object is gone, it completes. */
	munmap(fp, nf * page_size);
	close(far);
	EXPECT_EQ(0, swapoff_retry(fd, NBD_DEV, 50));
	EXPECT_EQ(-1, vmsim_swaps_used(NBD_DEV));
	EXPECT_EQ(0, pages_bad(q, nq, 0x9e30));
	munmap(q, nq * page_size);
	munmap(np, nn * page_size);
	close(near);
}

/*
 * The server is killed: its socket closes, but the client still waits out
 * its timeout before it fails what was queued.
 */
TEST_F_TIMEOUT(nbd, server_killed, 600)
{
	far_side_fails(_metadata, self->fd, self->pool, SIGKILL,
		       NBD_TIMEOUT + 10);
}

/*
 * The server hangs (stopped): nothing answers, and the client's timeout
 * (-t) fails its requests; no fault waits longer than that.
 */
TEST_F_TIMEOUT(nbd, server_hung_times_out, 600)
{
	far_side_fails(_metadata, self->fd, self->pool, SIGSTOP,
		       NBD_TIMEOUT + 10);
}

/*
 * swapoff of the NBD area with more pages on it than the pool holds:
 * they move to the disk as they come back, and all of them survive.
 */
TEST_F_TIMEOUT(nbd, swapoff_moves_pages_to_disk, 600)
{
	size_t n = 2 * self->pool;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0x5a40);
	ASSERT_GT(vmsim_swaps_settle(NBD_DEV), (long)(self->pool * page_size / 1024));
	EXPECT_EQ(0, vmsim_swapoff_ioctl(self->fd, NBD_DEV));
	EXPECT_EQ(-1, vmsim_swaps_used(NBD_DEV));
	EXPECT_GT(vmsim_swaps_used(disk), (long)(self->pool * page_size / 1024));
	EXPECT_EQ(0, pages_bad(p, n, 0x5a40));
	munmap(p, n * page_size);
}

/*
 * Reads that the server fails (nbdkit's error filter, an NBD error reply
 * rather than a dead connection): SIGBUS for those pages; once reads work
 * again, everything reads back right.
 */
TEST_F_TIMEOUT(nbd, server_read_errors, 300)
{
	size_t n = 256;
	char *p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	long long rerr0 = vmstat_value(VMSIM_VMSTAT, "vmsim_swap_read_errors");
	int fd;

	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0xe440);
	ASSERT_EQ(n, vmsim_pageout_wait(self->fd, n));
	ASSERT_EQ(0, vmsim_pte(self->fd, 0) & VMSIM_PTE_PRESENT);
	fd = open(NBD_ERRFILE, O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(SIGBUS, run_in_child(touch_page, p + 7 * page_size));
	EXPECT_GT(vmstat_value(VMSIM_VMSTAT, "vmsim_swap_read_errors"), rerr0);
	ASSERT_EQ(0, unlink(NBD_ERRFILE));
	EXPECT_EQ(0, pages_bad(p, n, 0xe440));
	munmap(p, n * page_size);
}

/*
 * A slow far side (nbdkit's delay and rate filters: 2 ms a request, 128
 * Mbit/s): pages still go out and come back intact, and no write fails.
 */
TEST_F_TIMEOUT(nbd, slow_server, 600)
{
	size_t n = self->pool + self->pool / 4;
	char *p;

	ASSERT_EQ(0, swapoff_retry(self->fd, NBD_DEV, 100));
	nbd_down();
	ASSERT_TRUE(nbd_up("--filter=delay --filter=rate",
			   "delay-read=2ms delay-write=2ms rate=128M",
			   4 * self->pool * page_size >> 20));
	ASSERT_EQ(0, vmsim_swap_header_write(NBD_DEV, VMSIM_SWAP_VERSION));
	ASSERT_EQ(0, vmsim_swapon_ioctl(self->fd, NBD_DEV, 10,
					VMSIM_SWAP_FLAG_PREFER));
	p = vmsim_map(self->fd, n * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pages_fill(p, n, 0x510e);
	EXPECT_GT(vmsim_swaps_settle(NBD_DEV), (long)(self->pool / 8 * page_size / 1024));
	EXPECT_EQ(0, vmsim_swaps_used(disk));
	EXPECT_EQ(0, pages_bad(p, n, 0x510e));
	EXPECT_EQ(0, vmstat_value(VMSIM_VMSTAT, "vmsim_swap_write_errors") -
		     self->werr0);
	munmap(p, n * page_size);
}

TEST_HARNESS_MAIN
