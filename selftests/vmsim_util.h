/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by vmsim's selftests: opening the device, reading vmsim's
 * /proc files, and touching memory in a child so a test can assert that an
 * access raises SIGBUS without dying itself.
 */
#ifndef _VMSIM_UTIL_H
#define _VMSIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vmsim.h>

#define VMSIM_MEMINFO	"/proc/vmsim_meminfo"
#define VMSIM_VMSTAT	"/proc/vmsim_vmstat"

extern size_t page_size;

/* open(/dev/vmsim); -1 with errno set when it cannot be opened */
int vmsim_open(void);
/* VMSIM_IOC_INFO; 0 or -errno */
int vmsim_get_info(int fd, struct vmsim_info *info);
/* mmap(MAP_SHARED) of @len bytes at object offset @off; MAP_FAILED on error */
void *vmsim_map(int fd, size_t len, off_t off, int prot);

/* A "Name:   N kB" field of a meminfo-format file, in kB; -1 if absent */
long meminfo_kb(const char *file, const char *field);
/* A "name value" line of a vmstat-format file; -1 if absent */
long long vmstat_value(const char *file, const char *name);

/* Pages of vmsim's pool that are free right now */
long vmsim_free_pages(void);

/*
 * Run @fn(@arg) in a forked child; return the signal that killed it, 0 if
 * it exited with status 0, or -1 if it exited otherwise.
 */
int run_in_child(void (*fn)(void *arg), void *arg);

/* Write a tag pattern over a page / check it; page_check returns true if ok */
void page_fill(void *page, uint64_t tag);
bool page_check(const void *page, uint64_t tag);
bool page_is_zero(const void *page);

#endif /* _VMSIM_UTIL_H */
