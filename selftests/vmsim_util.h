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

/*
 * SKIP() for a FIXTURE_SETUP.  The 6.1 kselftest harness runs the test body
 * even after the setup skipped (later kernels fixed that), so end the test's
 * child here instead: the harness reports exit status 255 as a skip, with
 * the reason SKIP() recorded.  Needs <unistd.h> and kselftest_harness.h.
 */
#define SETUP_SKIP(fmt, ...) SKIP(_exit(255), fmt, ##__VA_ARGS__)

#define VMSIM_MEMINFO	"/proc/vmsim_meminfo"
#define VMSIM_VMSTAT	"/proc/vmsim_vmstat"

extern size_t page_size;

/* open(/dev/vmsim); -1 with errno set when it cannot be opened */
int vmsim_open(void);
/* VMSIM_IOC_INFO; 0 or -errno */
int vmsim_get_info(int fd, struct vmsim_info *info);
/* mmap(MAP_SHARED) of @len bytes at object offset @off; MAP_FAILED on error */
void *vmsim_map(int fd, size_t len, off_t off, int prot);

/* VMSIM_IOC_PTE_QUERY of object pages [start, start + n); 0 or -errno */
int vmsim_query(int fd, uint64_t start, uint64_t n, uint64_t *out);
/* How many of object pages [start, start + n) are present; 0 on error */
size_t vmsim_resident(int fd, size_t start, size_t n);
/* The shadow PTE of one object page; 0 on error (and errno set) */
uint64_t vmsim_pte(int fd, uint64_t index);
/* VMSIM_IOC_ADVISE; returns pages done, or -errno */
long vmsim_advise(int fd, uint64_t start, uint64_t n, unsigned int advice);
/* VMSIM_IOC_STATS; 0 or -errno */
int vmsim_stats(int fd, struct vmsim_stats *st);
/* The PFN /proc/self/pagemap shows for @addr, 0 if not present */
uint64_t pagemap_pfn(const void *addr);
/* Write a module parameter; 0 or -errno.  Read one into *val. */
int vmsim_param_set(const char *name, const char *val);
int vmsim_param_get(const char *name, char *val, size_t len);

/*
 * The replacement policy that is on (the bracketed name of the policy
 * parameter), into @name; 0 or -errno.  Switch to another; 0 or -errno.
 */
int vmsim_policy_get(char *name, size_t len);
int vmsim_policy_set(const char *name);

/* A "Name:   N kB" field of a meminfo-format file, in kB; -1 if absent */
/* VMSIM_IOC_SWAPON / SWAPOFF: 0 or -errno. */
int vmsim_swapon_ioctl(int fd, const char *path, int prio, unsigned int flags);
int vmsim_swapoff_ioctl(int fd, const char *path);
/* Write a vmsim swap header on @path (@version 0: zero its first page). */
int vmsim_swap_header_write(const char *path, unsigned int version);

long meminfo_kb(const char *file, const char *field);
/* A "name value" line of a vmstat-format file; -1 if absent */
long long vmstat_value(const char *file, const char *name);

/* Run a shell command; true if it exited 0. */
bool vmsim_sh(const char *cmd);

/* Used kB of a swap area in /proc/vmsim_swaps; -1 if it is not on. */
long vmsim_swaps_used(const char *path);
/*
 * Wait (up to 10 s) for reclaim to go quiet: no writes in flight and the
 * use of @path unchanged over 200 ms.  Return its use then.
 */
long vmsim_swaps_settle(const char *path);
/*
 * Wait (up to 30 s) for every slot of @path to be freed, as they are once
 * the objects that held them are torn down (on a workqueue, when a reclaim
 * pass or a read held the last reference).  Return its use then: 0, or
 * what was still used when the wait gave up.
 */
long vmsim_swaps_drain(const char *path);
/*
 * Page out object pages [0, @n) of @fd and wait (up to 2 s) until the
 * writes are done: the last page gone and nothing in writeback (writes to
 * two areas complete in any order, and pswpout counts each before it is
 * done).  Returns what VMSIM_ADV_PAGEOUT returned.
 */
long vmsim_pageout_wait(int fd, size_t n);

/* Pages of vmsim's pool that are free right now */
long vmsim_free_pages(void);
/*
 * The free pages once they are back to @want, waiting up to 5 s: an
 * object closed while reclaim or I/O held it is torn down a moment later,
 * on vmsim's release workqueue.
 */
long vmsim_free_pages_settle(long want);

/*
 * Run @fn(@arg) in a forked child; return the signal that killed it, 0 if
 * it exited with status 0, or -1 if it exited otherwise.
 */
int run_in_child(void (*fn)(void *arg), void *arg);

/*
 * Run @fn(@arg) in a forked child as uid and gid 65534 (nobody) and return
 * its exit status (what @fn returned): 2 if it could not drop to nobody,
 * -1 if the fork failed or the child did not exit.
 */
int run_as_nobody(int (*fn)(void *arg), void *arg);

/* Read or write one byte of memory, for the fault it causes */
static inline char peek(const char *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void poke(char *p, char v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Write a tag pattern over a page / check it; page_check returns true if ok */
void page_fill(void *page, uint64_t tag);
bool page_check(const void *page, uint64_t tag);
/* @pages pages from @p, page i with tag @tag + i; how many do not match. */
void pages_fill(char *p, size_t pages, uint64_t tag);
size_t pages_bad(const char *p, size_t pages, uint64_t tag);
bool page_is_zero(const void *page);

/* A child's work: fill @pages of a new object with @tag, check it @rounds times. */
struct vmsim_writer {
	size_t pages;
	uint64_t tag;
	int rounds;
};

/* Do it and _exit(): 0 all read back, 3 the map failed, 4 a page was wrong. */
void vmsim_writer_run(struct vmsim_writer *w);

#endif /* _VMSIM_UTIL_H */
