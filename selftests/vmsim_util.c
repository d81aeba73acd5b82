// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by vmsim's selftests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

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

bool page_is_zero(const void *page)
{
	const uint64_t *p = page;
	size_t i;

	for (i = 0; i < page_size / sizeof(*p); i++)
		if (p[i])
			return false;
	return true;
}
