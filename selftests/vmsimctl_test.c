// SPDX-License-Identifier: GPL-2.0
/*
 * vmsimctl, run as a user would run it: its output, its exit codes and its
 * messages when something is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

/* Read all of @f into @out (@len bytes, NUL-terminated, cut if longer). */
static void read_all(FILE *f, char *out, size_t len)
{
	size_t n = 0;

	while (n + 1 < len && fgets(out + n, len - n, f))
		n += strlen(out + n);
	out[n] = 0;
}

/*
 * Run vmsimctl with @args, as user nobody if @uid >= 0; capture stdout and
 * stderr together into @out; return its exit status, or -1.
 */
static int run_ctl(char *out, size_t len, int uid, const char *args)
{
	char cmd[512];
	int status;
	FILE *f;

	if (uid >= 0)
		snprintf(cmd, sizeof(cmd),
			 "exec su -s /bin/sh nobody -c 'exec vmsimctl %s' 2>&1",
			 args);
	else
		snprintf(cmd, sizeof(cmd), "exec vmsimctl %s 2>&1", args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	read_all(f, out, len);
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

FIXTURE(ctl) {
	int fd;
	char out[16384];
};

FIXTURE_SETUP(ctl)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	if (system("command -v vmsimctl >/dev/null") != 0)
		SETUP_SKIP("vmsimctl is not in PATH");
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ctl, help_and_usage)
{
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "--help"));
	EXPECT_NE(NULL, strstr(self->out, "Usage: vmsimctl COMMAND"));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, ""));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "frobnicate"));
	EXPECT_NE(NULL, strstr(self->out, "unknown command 'frobnicate'"));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "pte"));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "pte x"));
}

TEST_F(ctl, info)
{
	struct vmsim_info info;
	char want[64];

	ASSERT_EQ(0, vmsim_get_info(self->fd, &info));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "info"));
	snprintf(want, sizeof(want), "pool:            %llu frames",
		 (unsigned long long)info.pool_pages);
	EXPECT_NE(NULL, strstr(self->out, want)) {
		TH_LOG("output: %s", self->out);
	}
}

/*
 * The shadow PTEs of another process's mapping, by address and found in
 * /proc/PID/maps.
 */
TEST_F(ctl, pte_of_a_running_program)
{
	char args[128], line[128];
	int sync[2], status;
	char *p;
	pid_t pid;

	p = vmsim_map(self->fd, 4 * page_size, 3 * page_size,
		      PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		p[0] = 1;			/* object page 3: written */
		peek(&p[page_size]);		/* page 4: read, zero frame */
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(sync[0], line, 1));

	snprintf(args, sizeof(args), "pte %d %p 3", pid, p);
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
	snprintf(line, sizeof(line), "%#018lx          3  PWUAD----  pfn 0x",
		 (unsigned long)p);
	EXPECT_NE(NULL, strstr(self->out, line)) {
		TH_LOG("want '%s' in:\n%s", line, self->out);
	}
	snprintf(line, sizeof(line), "%#018lx          4  --UA--Z--  zero frame",
		 (unsigned long)p + page_size);
	EXPECT_NE(NULL, strstr(self->out, line)) {
		TH_LOG("want '%s' in:\n%s", line, self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "          5  ---------  -"));

	/* Without an address: every mapping, found in /proc/PID/maps. */
	snprintf(args, sizeof(args), "pte %d", pid);
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_NE(NULL, strstr(self->out, "pages 3-6 at")) {
		TH_LOG("output: %s", self->out);
	}

	/* Wrong address, no such process. */
	snprintf(args, sizeof(args), "pte %d 0x1000", pid);
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_NE(NULL, strstr(self->out, "has no mapping of /dev/vmsim at"));
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1,
			     "pte 1073741000 0x1000"));
	EXPECT_NE(NULL, strstr(self->out, "no process 1073741000"));

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	munmap(p, 4 * page_size);
	close(sync[0]);
	close(sync[1]);
}

/* A user who may not open /dev/vmsim is told so, clearly. */
TEST_F(ctl, permission_denied)
{
	if (getuid() != 0)
		SKIP(return, "needs root to run as another user");
	if (system("command -v su >/dev/null") != 0)
		SKIP(return, "no su");
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), 65534, "info"));
	EXPECT_NE(NULL, strstr(self->out, "permission denied opening /dev/vmsim (mode 0600")) {
		TH_LOG("output: %s", self->out);
	}
}

/* Does @out ("swapon -s" of /proc/vmsim_swaps) list @path with priority @prio? */
static bool swaps_lists(const char *out, const char *path, long prio)
{
	char buf[16384], name[128], type[32], *line, *save;
	long size, used, p;

	snprintf(buf, sizeof(buf), "%s", out);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%127s %31s %ld %ld %ld", name, type, &size,
			   &used, &p) == 5 && !strcmp(name, path) && p == prio)
			return true;
	return false;
}

/* mkswap, swapon, swaps and swapoff, and what they say when refused. */
TEST_F(ctl, swap_commands)
{
	const char *dev = getenv("VMSIM_SWAPDEV2") ?: "/dev/vdb";
	char args[128];
	FILE *f;

	if (access(dev, R_OK | W_OK))
		SKIP(return, "no block device %s to make a swap area on", dev);
	f = fopen("/tmp/vmsimctl-notblk", "w");
	ASSERT_NE(NULL, f);
	fclose(f);
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1,
			     "mkswap /tmp/vmsimctl-notblk"));
	EXPECT_NE(NULL, strstr(self->out, "is not a block device"));
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1,
			     "swapon /tmp/vmsimctl-notblk"));
	EXPECT_NE(NULL, strstr(self->out, "not a block device"));
	unlink("/tmp/vmsimctl-notblk");

	snprintf(args, sizeof(args), "mkswap %s", dev);
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_NE(NULL, strstr(self->out, "vmsim swap area on ")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "pages ("));
	EXPECT_NE(NULL, strstr(self->out, "UUID "));

	snprintf(args, sizeof(args), "swapon -p 3 %s", dev);
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "swaps -s"));
	EXPECT_NE(NULL, strstr(self->out, "Filename\t\t\t\tType"));
	EXPECT_TRUE(swaps_lists(self->out, dev, 3)) {
		TH_LOG("output: %s", self->out);
	}
	/* On: the device is vmsim's. */
	snprintf(args, sizeof(args), "mkswap %s", dev);
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_NE(NULL, strstr(self->out, "is busy"));
	snprintf(args, sizeof(args), "swapon %s", dev);
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_NE(NULL, strstr(self->out, "busy"));

	snprintf(args, sizeof(args), "swapoff %s", dev);
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "swaps -s"));
	EXPECT_FALSE(swaps_lists(self->out, dev, 3));
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_NE(NULL, strstr(self->out, "not a vmsim swap area that is on"));

	/* Bad usage. */
	snprintf(args, sizeof(args), "swapon -p x %s", dev);
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, args));
	snprintf(args, sizeof(args), "swapon -p 99999 %s", dev);
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, args));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "swapoff"));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "mkswap"));
}

/* The number after @label on the line that starts with @start, or -1. */
static long long field_after(const char *out, const char *start,
			     const char *label)
{
	const char *line = out, *at;

	while (line && *line) {
		const char *end = strchr(line, '\n');

		while (*line == ' ')
			line++;
		if (!strncmp(line, start, strlen(start))) {
			at = label ? strstr(line, label) : line + strlen(start);
			if (at && (!end || at < end))
				return strtoll(at + (label ? strlen(label) : 0),
					       NULL, 10);
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

/* The number at the start of the line that ends with @what (vmstat -s). */
static long long vmstat_s(const char *out, const char *what)
{
	const char *at = strstr(out, what);

	if (!at)
		return -1;
	while (at > out && at[-1] != '\n')
		at--;
	return strtoll(at, NULL, 10);
}

/* Is procps @tool there (not busybox's)? */
static bool have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "p=$(command -v %s) && ! readlink -f \"$p\" | grep -q busybox",
		 tool);
	return system(cmd) == 0;
}

/*
 * free, vmstat and top, run by vmsimctl on vmsim's files, show vmsim's
 * figures; and only root may run them so.
 */
TEST_F(ctl, free_vmstat_top)
{
	long total = meminfo_kb(VMSIM_MEMINFO, "MemTotal");
	long swap = meminfo_kb(VMSIM_MEMINFO, "SwapTotal");
	const size_t pages = 300;
	char want[64];
	size_t i;
	char *p;

	if (getuid() != 0)
		SKIP(return, "needs root");
	if (!have_tool("free") || !have_tool("vmstat") || !have_tool("top"))
		SKIP(return, "procps free, vmstat and top are not installed");
	p = vmsim_map(self->fd, pages * page_size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		p[i * page_size] = 1;
	/* The zeroing of frames freed by earlier tests settles. */
	for (i = 0; i < 500 && vmstat_value(VMSIM_VMSTAT, "vmsim_zero_pending"); i++)
		usleep(10 * 1000);

	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "free -k"));
	EXPECT_EQ(total, field_after(self->out, "Mem:", NULL)) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_EQ(swap, field_after(self->out, "Swap:", NULL));
	/* free's third column is MemFree */
	snprintf(want, sizeof(want), " %ld ",
		 meminfo_kb(VMSIM_MEMINFO, "MemFree"));
	EXPECT_NE(NULL, strstr(self->out, want)) {
		TH_LOG("want '%s' in: %s", want, self->out);
	}

	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "vmstat -s"));
	EXPECT_EQ(total, vmstat_s(self->out, "K total memory"));
	EXPECT_EQ(meminfo_kb(VMSIM_MEMINFO, "MemFree"),
		  vmstat_s(self->out, "K free memory"));
	EXPECT_EQ(swap, vmstat_s(self->out, "K total swap"));
	EXPECT_EQ(vmstat_value(VMSIM_VMSTAT, "pswpin"),
		  vmstat_s(self->out, "pages swapped in"));
	EXPECT_EQ(vmstat_value(VMSIM_VMSTAT, "pswpout"),
		  vmstat_s(self->out, "pages swapped out"));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "vmstat 1 2"));
	EXPECT_NE(NULL, strstr(self->out, " si   so ")) {
		TH_LOG("output: %s", self->out);
	}

	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1,
			     "top -n 1 -E k"));
	EXPECT_EQ(total, field_after(self->out, "KiB Mem :", NULL)) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_EQ(swap, field_after(self->out, "KiB Swap:", NULL));
	/* Then the objects, ours among them, most resident first. */
	snprintf(want, sizeof(want), " %7d vmsimctl_test", getpid());
	EXPECT_NE(NULL, strstr(self->out, want)) {
		TH_LOG("want '%s' in: %s", want, self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "resident    swapped"));

	/* Not root: told why. */
	if (system("command -v su >/dev/null") == 0) {
		EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), 65534, "free"));
		EXPECT_NE(NULL, strstr(self->out, "needs root (CAP_SYS_ADMIN)")) {
			TH_LOG("output: %s", self->out);
		}
	}
	/* ... and the real /proc/meminfo was never touched. */
	EXPECT_NE(total, meminfo_kb("/proc/meminfo", "MemTotal"));
	munmap(p, pages * page_size);
}

/* vmsimctl swaps shows the areas through util-linux swapon. */
TEST_F(ctl, swaps_through_swapon)
{
	const char *dev = getenv("VMSIM_SWAPDEV2") ?: "/dev/vdb";
	char args[128];

	if (getuid() != 0)
		SKIP(return, "needs root");
	if (!have_tool("swapon"))
		SKIP(return, "util-linux swapon is not installed");
	if (access(dev, R_OK | W_OK))
		SKIP(return, "no block device %s to make a swap area on", dev);
	snprintf(args, sizeof(args), "mkswap %s", dev);
	ASSERT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
	snprintf(args, sizeof(args), "swapon -p 7 %s", dev);
	ASSERT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));

	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "swaps"));
	EXPECT_NE(NULL, strstr(self->out, "NAME")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, dev));
	EXPECT_EQ(NULL, strstr(self->out, "not a valid swap partition"));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1,
			     "swaps --show=NAME,SIZE,PRIO --bytes --noheadings --raw"));
	snprintf(args, sizeof(args), "%s %lld 7", dev,
		 (long long)meminfo_kb(VMSIM_MEMINFO, "SwapTotal") * 1024);
	EXPECT_NE(NULL, strstr(self->out, args)) {
		TH_LOG("want '%s' in: %s", args, self->out);
	}
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "swaps -s"));
	EXPECT_TRUE(swaps_lists(self->out, dev, 7));

	snprintf(args, sizeof(args), "swapoff %s", dev);
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, args));
}

/* vmsimctl objects: the header and this process's object. */
TEST_F(ctl, objects)
{
	char want[64];

	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "objects"));
	EXPECT_EQ(0, strncmp(self->out, "    id     pid comm ", 20)) {
		TH_LOG("output: %s", self->out);
	}
	snprintf(want, sizeof(want), " %7d vmsimctl_test", getpid());
	EXPECT_NE(NULL, strstr(self->out, want));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "objects x"));
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "top -x"));
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1, "top -d 0"));
}

/* policy: lists the policies with the one on marked; switches; refuses. */
TEST_F(ctl, policy)
{
	char cur[32];

	ASSERT_EQ(0, vmsim_policy_get(cur, sizeof(cur)));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "policy"));
	EXPECT_NE(NULL, strstr(self->out, "  lru2 ")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "* faclock ")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "policy clock"));
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1, "policy"));
	EXPECT_NE(NULL, strstr(self->out, "* clock ")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1, "policy lru9"));
	EXPECT_NE(NULL, strstr(self->out, "cannot switch to policy 'lru9'")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "policy a b"));
	/* As nobody: the list, but no switch. */
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), 65534, "policy"));
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), 65534, "policy fifo"));
	EXPECT_EQ(0, vmsim_policy_set(cur));
}

/*
 * The example of the API (tools/examples/vmsim-heap.c) computes with
 * /dev/vmsim as its heap and reports what that did.
 */
TEST_F(ctl, heap_example)
{
	FILE *f;

	if (system("command -v vmsim-heap >/dev/null") != 0)
		SKIP(return, "vmsim-heap is not in PATH");
	f = popen("vmsim-heap 1000000 2>&1", "r");
	ASSERT_NE(NULL, f);
	read_all(f, self->out, sizeof(self->out));
	EXPECT_EQ(0, pclose(f));
	/* pi(10^6) = 78498; the sieve's 245 pages were all written. */
	EXPECT_NE(NULL, strstr(self->out, "78498 primes below 1000000")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out,
			       "sieve  pages 0-244: present 245, dirty 245"));
	/* The array only read took no frame. */
	EXPECT_NE(NULL, strstr(self->out, "read   pages 245-489: present 0,"));
	EXPECT_NE(NULL, strstr(self->out, "resident 245, dirty 245"));
}

/* Page-map rows with a dirty page (state 4), and counter rows, so far. */
static void record_rows(const char *png, int *dirty, int *counters)
{
	char path[256], line[256];
	FILE *f;

	*dirty = 0;
	*counters = 0;
	snprintf(path, sizeof(path), "%s.pages", png);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned int col, st;
			double t;

			if (sscanf(line, "%u %lf %u", &col, &t, &st) == 3 &&
			    st == 4)
				(*dirty)++;
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s.counters", png);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			*counters += line[0] != '#';
		fclose(f);
	}
}

/*
 * record runs a program, samples it and draws a PNG: a real picture (PNG
 * signature, the size asked of gnuplot, not a few bytes), and the
 * program's exit status.  (What the samples saw is the next test's: how
 * many a short program gets depends on how fast the host runs the guest.)
 */
TEST_F(ctl, record_draws_a_png)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char head[24];
	long size;
	FILE *f;

	if (system("command -v vmsim-demo >/dev/null && command -v gnuplot >/dev/null"))
		SKIP(return, "vmsim-demo or gnuplot is not in PATH");
	unlink("/tmp/rec.png");
	EXPECT_EQ(0, run_ctl(self->out, sizeof(self->out), -1,
			     "record -o /tmp/rec.png -i 50 -- vmsim-demo 8")) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "/tmp/rec.png: "));
	f = fopen("/tmp/rec.png", "rb");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fread(head, sizeof(head), 1, f));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	EXPECT_EQ(0, memcmp(head, sig, sizeof(sig)));
	/* IHDR: width and height, big-endian, as the script asked. */
	EXPECT_EQ(1000, head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19]);
	EXPECT_EQ(1100, head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23]);
	EXPECT_GT(size, 8000);
	/* The program's failure is record's. */
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1,
			     "record -o /tmp/rec3.png -i 50 -- false"));
	EXPECT_NE(NULL, strstr(self->out, "never mapped /dev/vmsim"));

	/* Wrong use: no command, a pid that does not exist. */
	EXPECT_EQ(2, run_ctl(self->out, sizeof(self->out), -1, "record"));
	EXPECT_EQ(1, run_ctl(self->out, sizeof(self->out), -1,
			     "record -p 999999 -o /tmp/rec2.png"));
	EXPECT_NE(NULL, strstr(self->out, "no process 999999"));
}

/*
 * record -p follows a process that is already running: while a child
 * holds 64 dirty pages of /dev/vmsim, the page map shows them dirty and
 * the counters gain a row an interval, written as they are taken; the
 * recording ends when the child does.  The child lives until the test has
 * seen the rows (at most 60 s), so the host's speed does not matter.
 */
TEST_F(ctl, record_follows_a_process)
{
	size_t page = sysconf(_SC_PAGESIZE), len = 64 * page;
	int go[2], ready[2], dirty = 0, counters = 0, tries, status;
	char cmd[256], c;
	pid_t child;
	FILE *f;

	if (system("command -v gnuplot >/dev/null"))
		SKIP(return, "gnuplot is not in PATH");
	/* O_CLOEXEC: vmsimctl must not hold the child's pipe open. */
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char *p;

		close(go[1]);
		close(ready[0]);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x5a, len);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		/* Until the test closes its end. */
		while (read(go[0], &c, 1) > 0)
			;
		munmap(p, len);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);

	unlink("/tmp/recp.png");
	unlink("/tmp/recp.png.pages");
	unlink("/tmp/recp.png.counters");
	snprintf(cmd, sizeof(cmd),
		 "exec vmsimctl record -o /tmp/recp.png -i 50 -p %d 2>&1",
		 (int)child);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	for (tries = 0; tries < 6000; tries++) {
		record_rows("/tmp/recp.png", &dirty, &counters);
		if (dirty > 0 && counters >= 2)
			break;
		usleep(10 * 1000);
	}
	close(go[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
	read_all(f, self->out, sizeof(self->out));
	status = pclose(f);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("output: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "/tmp/recp.png: "));
	EXPECT_NE(NULL, strstr(self->out, "pages of a 64-page mapping"));
	EXPECT_GT(dirty, 0) {
		TH_LOG("no dirty page in 60 s of rows; output: %s", self->out);
	}
	EXPECT_GE(counters, 2);
	EXPECT_EQ(0, access("/tmp/recp.png", R_OK));
}

TEST_HARNESS_MAIN
