// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by vmsim's selftests.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#include "vmsim_util.h"

size_t page_size = 4096;

static void __attribute__((constructor)) vmsim_util_init(void)
{
	page_size = sysconf(_SC_PAGESIZE);
}

int vmsim_open(void)
{
	return open(VMSIM_DEVICE, O_RDWR | O_CLOEXEC);
}

int vmsim_get_info(int fd, struct vmsim_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, VMSIM_IOC_INFO, info))
		return -errno;
	return 0;
}

void *vmsim_map(int fd, size_t len, off_t off, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

int vmsim_query(int fd, uint64_t start, uint64_t n, uint64_t *out)
{
	struct vmsim_pte_query q = {
		.start = start,
		.count = n,
		.entries = (uintptr_t)out,
	};

	if (ioctl(fd, VMSIM_IOC_PTE_QUERY, &q))
		return -errno;
	return q.count == n ? 0 : -EIO;
}

size_t vmsim_resident(int fd, size_t start, size_t n)
{
	uint64_t *e = calloc(n, sizeof(*e));
	size_t i, r = 0;

	if (!e || vmsim_query(fd, start, n, e)) {
		free(e);
		return 0;
	}
	for (i = 0; i < n; i++)
		r += !!(e[i] & VMSIM_PTE_PRESENT);
	free(e);
	return r;
}

uint64_t vmsim_pte(int fd, uint64_t index)
{
	uint64_t e = 0;

	if (vmsim_query(fd, index, 1, &e))
		return 0;
	return e;
}

long vmsim_advise(int fd, uint64_t start, uint64_t n, unsigned int advice)
{
	struct vmsim_advice a = {
		.start = start,
		.count = n,
		.advice = advice,
	};

	if (ioctl(fd, VMSIM_IOC_ADVISE, &a))
		return -errno;
	return a.done;
}

int vmsim_stats(int fd, struct vmsim_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, VMSIM_IOC_STATS, st))
		return -errno;
	return 0;
}

uint64_t pagemap_pfn(const void *addr)
{
	uint64_t e = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / page_size * 8) != 8)
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)))
		return 0;
	return e & ((1ULL << 55) - 1);
}

int vmsim_param_set(const char *name, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/vmsim/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int vmsim_param_get(const char *name, char *val, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/vmsim/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, val, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && val[n - 1] == '\n')
		n--;
	val[n] = 0;
	return 0;
}

long vmsim_free_pages_settle(long want)
{
	long now = vmsim_free_pages();
	int i;

	for (i = 0; i < 500 && now < want; i++) {
		usleep(10 * 1000);
		now = vmsim_free_pages();
	}
	return now;
}

int vmsim_policy_get(char *name, size_t len)
{
	char all[256], *open_b, *close_b;
	int err = vmsim_param_get("policy", all, sizeof(all));

	if (err)
		return err;
	open_b = strchr(all, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b || (size_t)(close_b - open_b) > len)
		return -EINVAL;
	*close_b = 0;
	snprintf(name, len, "%s", open_b + 1);
	return 0;
}

int vmsim_policy_set(const char *name)
{
	return vmsim_param_set("policy", name);
}

long meminfo_kb(const char *file, const char *field)
{
	size_t n = strlen(field);
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen(file, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			val = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

long long vmstat_value(const char *file, const char *name)
{
	size_t n = strlen(name);
	char line[256];
	long long val = -1;
	FILE *f;

	f = fopen(file, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ' ') {
			val = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

long vmsim_free_pages(void)
{
	long kb = meminfo_kb(VMSIM_MEMINFO, "MemFree");

	return kb < 0 ? -1 : kb / (long)(page_size / 1024);
}

int run_as_nobody(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int run_in_child(void (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void page_fill(void *page, uint64_t tag)
{
	uint64_t *p = page;
	size_t i;

	for (i = 0; i < page_size / sizeof(*p); i++)
		p[i] = tag ^ (i * 0x9e3779b97f4a7c15ULL);
}

bool page_check(const void *page, uint64_t tag)
{
	const uint64_t *p = page;
	size_t i;

	for (i = 0; i < page_size / sizeof(*p); i++)
		if (p[i] != (tag ^ (i * 0x9e3779b97f4a7c15ULL)))
			return false;
	return true;
}

void pages_fill(char *p, size_t pages, uint64_t tag)
{
	size_t i;

	for (i = 0; i < pages; i++)
		page_fill(p + i * page_size, tag + i);
}

size_t pages_bad(const char *p, size_t pages, uint64_t tag)
{
	size_t i, bad = 0;

	for (i = 0; i < pages; i++)
		bad += !page_check(p + i * page_size, tag + i);
	return bad;
}

bool page_is_zero(const void *page)
{
	const uint64_t *p = page;
	size_t i;

	for (i = 0; i < page_size / sizeof(*p); i++)
		if (p[i])
			return false;
	return true;
}

int vmsim_swapon_ioctl(int fd, const char *path, int prio, unsigned int flags)
{
	struct vmsim_swapon a = {
		.path = (uintptr_t)path, .priority = prio, .flags = flags,
	};

	return ioctl(fd, VMSIM_IOC_SWAPON, &a) ? -errno : 0;
}

int vmsim_swapoff_ioctl(int fd, const char *path)
{
	struct vmsim_swapon a = { .path = (uintptr_t)path };

	return ioctl(fd, VMSIM_IOC_SWAPOFF, &a) ? -errno : 0;
}

/* Write a vmsim swap header (or, with @version 0, zero the first page). */
int vmsim_swap_header_write(const char *path, unsigned int version)
{
	struct vmsim_swap_header *h;
	unsigned long long bytes;
	char *buf;
	int fd, ret = 0;

	buf = aligned_alloc(page_size, page_size);
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0 || !buf || ioctl(fd, BLKGETSIZE64, &bytes))
		return -1;
	memset(buf, 0, page_size);
	if (version) {
		h = (struct vmsim_swap_header *)buf;
		memcpy(h->magic, VMSIM_SWAP_MAGIC, sizeof(VMSIM_SWAP_MAGIC));
		h->version = htole32(version);
		h->page_size = htole32(page_size);
		h->nr_pages = htole64(bytes / page_size);
	}
	if (pwrite(fd, buf, page_size, 0) != (ssize_t)page_size)
		ret = -1;
	close(fd);
	free(buf);
	return ret;
}

void vmsim_writer_run(struct vmsim_writer *w)
{
	char *p;
	int fd, r;

	fd = vmsim_open();
	p = vmsim_map(fd, w->pages * page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		_exit(3);
	pages_fill(p, w->pages, w->tag);
	for (r = 0; r < w->rounds; r++)
		if (pages_bad(p, w->pages, w->tag))
			_exit(4);
	_exit(0);
}

long vmsim_swaps_used(const char *path)
{
	char line[256], name[128], type[32];
	long size, used, prio, ret = -1;
	FILE *f = fopen("/proc/vmsim_swaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %31s %ld %ld %ld", name, type, &size,
			   &used, &prio) == 5 && !strcmp(name, path))
			ret = used;
	fclose(f);
	return ret;
}

long vmsim_swaps_drain(const char *path)
{
	long used = vmsim_swaps_used(path);
	int i;

	for (i = 0; i < 300 && used > 0; i++) {
		usleep(100 * 1000);
		used = vmsim_swaps_used(path);
	}
	return used;
}

long vmsim_swaps_settle(const char *path)
{
	long used = vmsim_swaps_used(path), now;
	int i;

	for (i = 0; i < 50; i++) {
		usleep(200 * 1000);
		now = vmsim_swaps_used(path);
		if (now == used && !meminfo_kb(VMSIM_MEMINFO, "Writeback"))
			break;
		used = now;
	}
	return used;
}

long vmsim_pageout_wait(int fd, size_t n)
{
	long done = vmsim_advise(fd, 0, n, VMSIM_ADV_PAGEOUT);
	int i;

	for (i = 0; i < 200 && (vmsim_pte(fd, n - 1) & VMSIM_PTE_PRESENT ||
				meminfo_kb(VMSIM_MEMINFO, "Writeback") > 0); i++)
		usleep(10000);
	return done;
}

bool vmsim_sh(const char *cmd)
{
	return system(cmd) == 0;
}
