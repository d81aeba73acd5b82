// SPDX-License-Identifier: GPL-2.0
/*
 * libvmsim-preload.so - the heap of an unmodified program on vmsim.
 *
 * "vmsimctl run -- CMD" starts CMD with this library (and an allocator,
 * mimalloc by default) in LD_PRELOAD.  The library interposes mmap(),
 * munmap(), mremap(), madvise() and mprotect(): every private anonymous
 * mapping the program asks for becomes a MAP_SHARED mapping of a range of
 * one vmsim object per process, so its pages are demand-paged from vmsim's
 * pool and swapped through vmsim's swap.  glibc's malloc takes memory with
 * internal calls no preload can see, so an allocator that asks for memory
 * through the dynamic linker goes in front of it (vmsimctl run does that).
 *
 * What it keeps: a table of the regions it mapped (address, length,
 * offset in the object) and the free ranges of the object's offsets, both
 * in fixed arrays, under one mutex.  It never calls malloc (the allocator
 * above it calls it) and makes the real calls as system calls.
 *
 * Semantics kept:
 * - munmap() and MAP_FIXED over a region free its pages and its offsets;
 *   MADV_DONTNEED, MADV_FREE and MADV_REMOVE drop the pages (VMSIM_ADV_
 *   DONTNEED: the next touch reads zero, as the allocator expects);
 *   MADV_COLD, MADV_PAGEOUT and MADV_WILLNEED become vmsim's own advice.
 * - fork(): the child must not share the parent's heap, and a MAP_SHARED
 *   mapping would share it.  A pthread_atfork() handler gives the child
 *   its own object: a copy-on-write clone of the parent's
 *   (VMSIM_IOC_CLONE), mapped over every region at the same offsets,
 *   while the parent waits; no page is copied until one side writes it.
 *   (On a vmsim without clones, the child copies every page that holds
 *   data into a new object instead.)  This is exact for a single-threaded
 *   parent; another thread of the parent that writes the heap during the
 *   clone may be seen by the child.  vfork() and
 *   posix_spawn() share the memory until exec, as they do natively.
 *   MADV_WIPEONFORK ranges come to the child as zeroes; MADV_DONTFORK
 *   ranges not at all.
 * - mprotect(PROT_EXEC) on a region (a JIT) moves that range off vmsim to
 *   ordinary anonymous memory first: vmsim mappings are never executable.
 * - When vmsim cannot serve a mapping (no /dev/vmsim, the object's
 *   max_object_mb used up, the region table full), the mapping is made as
 *   asked, natively, and counted in the report.
 *
 * Environment (set by vmsimctl run):
 *   VMSIM_RUN_SIZE    bytes of heap per process on vmsim at most (default
 *                     and most: max_object_mb); mappings beyond go native
 *   VMSIM_RUN_REPORT  a file to append one line to at exit: pid, command,
 *                     and the object's counters (VMSIM_IOC_STATS)
 *   VMSIM_RUN_QUIET   no warning when /dev/vmsim cannot be opened
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/vmsim.h>

#ifndef MADV_COLD
#define MADV_COLD	20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define MAX_REGIONS	4096
#define MAX_FREE	4096
#define FD_FLOOR	900	/* keep the object's fd out of the program's way */

#define R_WIPEONFORK	1U
#define R_DONTFORK	2U

struct region {
	uintptr_t addr;
	size_t len;
	uint64_t off;		/* byte offset in the object */
	unsigned int flags;
};

struct extent {
	uint64_t off, len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int vm_fd = -1;		/* -1: not tried yet; -2: no vmsim here */
static uint64_t obj_bytes;
static size_t page_size = 4096;	/* sysconf()'s, once the object is open */
static struct region regions[MAX_REGIONS];	/* sorted by address */
static unsigned int nr_regions;	/* read without the lock: only 0 or not */
static struct extent free_ext[MAX_FREE];	/* sorted by offset */
static unsigned int nr_free;
static unsigned long nr_native;	/* mappings vmsim could not serve */
static int fork_pipe[2] = { -1, -1 };

/* ---- the real calls ------------------------------------------------------ */

static void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd,
		      off_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);

	return (void *)r;
}

static int sys_munmap(void *addr, size_t len)
{
	return syscall(SYS_munmap, addr, len);
}

static void *sys_mremap(void *old, size_t old_len, size_t new_len, int flags,
			void *new_addr)
{
	return (void *)syscall(SYS_mremap, old, old_len, new_len, flags,
			       new_addr);
}

static int sys_madvise(void *addr, size_t len, int advice)
{
	return syscall(SYS_madvise, addr, len, advice);
}

static int sys_mprotect(void *addr, size_t len, int prot)
{
	return syscall(SYS_mprotect, addr, len, prot);
}

/* A message on stderr without stdio (which may allocate). */
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(STDERR_FILENO, buf, n < (int)sizeof(buf) ? n :
			   (int)sizeof(buf) - 1) < 0)
		return;
}

/* ---- the object and its offsets ------------------------------------------ */

static int open_object(void)
{
	struct vmsim_info info = { .abi_version = 0 };
	const char *size;
	int fd, hi;

	fd = open(VMSIM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, VMSIM_IOC_INFO, &info) < 0 ||
	    info.abi_version != VMSIM_ABI_VERSION) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	hi = fcntl(fd, F_DUPFD_CLOEXEC, FD_FLOOR);
	if (hi >= 0) {
		close(fd);
		fd = hi;
	}
	obj_bytes = info.max_object_pages * info.page_size;
	size = getenv("VMSIM_RUN_SIZE");
	if (size && strtoull(size, NULL, 0) &&
	    strtoull(size, NULL, 0) < obj_bytes)
		obj_bytes = strtoull(size, NULL, 0) & ~(uint64_t)(info.page_size - 1);
	return fd;
}

/* Under the lock: open the object on first use. */
static int object_fd(void)
{
	if (vm_fd == -1) {
		page_size = sysconf(_SC_PAGESIZE);
		vm_fd = open_object();
		if (vm_fd < 0) {
			if (!getenv("VMSIM_RUN_QUIET"))
				say("libvmsim-preload: cannot use %s (errno %d): %s\n",
				    VMSIM_DEVICE, errno, "the heap stays native");
			vm_fd = -2;
			return -1;
		}
		free_ext[0] = (struct extent){ 0, obj_bytes };
		nr_free = 1;
	}
	return vm_fd >= 0 ? vm_fd : -1;
}

/* First fit; returns the offset, or -1. */
static int64_t ext_alloc(uint64_t len)
{
	unsigned int i;

	for (i = 0; i < nr_free; i++) {
		if (free_ext[i].len < len)
			continue;
		uint64_t off = free_ext[i].off;

		free_ext[i].off += len;
		free_ext[i].len -= len;
		if (!free_ext[i].len) {
			memmove(&free_ext[i], &free_ext[i + 1],
				(nr_free - i - 1) * sizeof(free_ext[0]));
			nr_free--;
		}
		return off;
	}
	return -1;
}

/* Give back [off, off + len), merging with its neighbours. */
static void ext_free(uint64_t off, uint64_t len)
{
	unsigned int i = 0;

	while (i < nr_free && free_ext[i].off < off)
		i++;
	if (i > 0 && free_ext[i - 1].off + free_ext[i - 1].len == off) {
		free_ext[i - 1].len += len;
		if (i < nr_free && off + len == free_ext[i].off) {
			free_ext[i - 1].len += free_ext[i].len;
			memmove(&free_ext[i], &free_ext[i + 1],
				(nr_free - i - 1) * sizeof(free_ext[0]));
			nr_free--;
		}
		return;
	}
	if (i < nr_free && off + len == free_ext[i].off) {
		free_ext[i].off = off;
		free_ext[i].len += len;
		return;
	}
	if (nr_free == MAX_FREE)
		return;		/* lost to reuse, still dropped */
	memmove(&free_ext[i + 1], &free_ext[i],
		(nr_free - i) * sizeof(free_ext[0]));
	free_ext[i] = (struct extent){ off, len };
	nr_free++;
}

static int advise(uint64_t off, uint64_t len, unsigned int advice)
{
	struct vmsim_advice a = {
		.start = off / page_size,
		.count = len / page_size,
		.advice = advice,
	};

	if (!a.count)
		return 0;
	return ioctl(vm_fd, VMSIM_IOC_ADVISE, &a);
}

/* ---- the region table ---------------------------------------------------- */

static void region_insert(const struct region *r)
{
	unsigned int i = 0;

	while (i < nr_regions && regions[i].addr < r->addr)
		i++;
	memmove(&regions[i + 1], &regions[i],
		(nr_regions - i) * sizeof(regions[0]));
	regions[i] = *r;
	nr_regions++;
}

static void region_remove(unsigned int i)
{
	memmove(&regions[i], &regions[i + 1],
		(nr_regions - i - 1) * sizeof(regions[0]));
	nr_regions--;
}

static int move_native(uintptr_t s, uintptr_t e);

/*
 * Forget [addr, addr + len) in every region it overlaps, which is no
 * longer mapped (or mapped by something else): its pages are dropped and
 * its offsets freed.  A region cut in the middle becomes two; when the
 * table has no room for the second half, that half moves to ordinary
 * memory.
 */
static void regions_forget(uintptr_t addr, size_t len)
{
	uintptr_t end = addr + len;
	unsigned int i = 0;

	while (i < nr_regions) {
		struct region *r = &regions[i];
		uintptr_t rend = r->addr + r->len;
		uintptr_t s, e;

		if (rend <= addr || r->addr >= end) {
			i++;
			continue;
		}
		s = r->addr > addr ? r->addr : addr;
		e = rend < end ? rend : end;
		advise(r->off + (s - r->addr), e - s, VMSIM_ADV_DONTNEED);
		ext_free(r->off + (s - r->addr), e - s);
		if (s == r->addr && e == rend) {
			region_remove(i);
			continue;
		}
		if (s == r->addr) {		/* the head goes */
			r->off += e - r->addr;
			r->len = rend - e;
			r->addr = e;
		} else if (e == rend) {		/* the tail goes */
			r->len = s - r->addr;
		} else if (nr_regions < MAX_REGIONS) {	/* the middle */
			struct region tail = {
				.addr = e, .len = rend - e,
				.off = r->off + (e - r->addr), .flags = r->flags,
			};

			r->len = s - r->addr;
			region_insert(&tail);
		} else {
			/*
			 * No room for the tail: it goes to ordinary memory,
			 * data and all, rather than stay on vmsim untracked.
			 */
			uint64_t toff = r->off + (e - r->addr);

			r->len = s - r->addr;
			if (!move_native(e, rend)) {
				advise(toff, rend - e, VMSIM_ADV_DONTNEED);
				ext_free(toff, rend - e);
			}
		}
		i++;
	}
}

/* Apply @fn to each part of [addr, addr + len) that lies in a region. */
static void regions_each(uintptr_t addr, size_t len,
			 void (*fn)(struct region *r, uintptr_t s, uintptr_t e,
				    void *data), void *data)
{
	uintptr_t end = addr + len;
	unsigned int i;

	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];
		uintptr_t rend = r->addr + r->len;

		if (rend <= addr || r->addr >= end)
			continue;
		fn(r, r->addr > addr ? r->addr : addr, rend < end ? rend : end,
		   data);
	}
}

static bool overlaps(uintptr_t addr, size_t len)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++)
		if (regions[i].addr < addr + len &&
		    addr < regions[i].addr + regions[i].len)
			return true;
	return false;
}

/* ---- the interposed calls ------------------------------------------------ */

static bool ours(int prot, int flags, int fd)
{
	if (!(flags & MAP_ANONYMOUS) || (flags & MAP_TYPE) != MAP_PRIVATE)
		return false;
	if (flags & (MAP_GROWSDOWN | MAP_HUGETLB | MAP_STACK | MAP_32BIT |
		     MAP_FIXED_NOREPLACE))
		return false;
	return !(prot & PROT_EXEC);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	const int keep = MAP_FIXED | MAP_POPULATE |
			 MAP_NORESERVE | MAP_LOCKED | MAP_NONBLOCK;
	size_t alen = (len + page_size - 1) & ~(page_size - 1);
	int64_t o;
	void *p;

	if (!len || !ours(prot, flags, fd)) {
		if (!(flags & MAP_FIXED) ||
		    !__atomic_load_n(&nr_regions, __ATOMIC_RELAXED))
			return sys_mmap(addr, len, prot, flags, fd, off);
		/* Under the lock, so that no fork() sees the table stale. */
		pthread_mutex_lock(&lock);
		p = sys_mmap(addr, len, prot, flags, fd, off);
		if (p != MAP_FAILED)
			regions_forget((uintptr_t)p,
				       (len + page_size - 1) & ~(page_size - 1));
		pthread_mutex_unlock(&lock);
		return p;
	}

	pthread_mutex_lock(&lock);
	/* Room for this region and for the split a MAP_FIXED may make. */
	if (object_fd() < 0 || nr_regions + 2 > MAX_REGIONS)
		goto native;
	alen = (len + page_size - 1) & ~(page_size - 1);
	o = ext_alloc(alen);
	if (o < 0)
		goto native;
	p = sys_mmap(addr, alen, prot, MAP_SHARED | (flags & keep), vm_fd, o);
	if (p == MAP_FAILED) {
		ext_free(o, alen);
		goto native;
	}
	if (flags & MAP_FIXED)
		regions_forget((uintptr_t)p, alen);
	region_insert(&(struct region){ (uintptr_t)p, alen, o, 0 });
	pthread_mutex_unlock(&lock);
	return p;

native:
	nr_native++;
	p = sys_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && (flags & MAP_FIXED))
		regions_forget((uintptr_t)p, alen);
	pthread_mutex_unlock(&lock);
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

int munmap(void *addr, size_t len)
{
	int ret;

	if (!__atomic_load_n(&nr_regions, __ATOMIC_RELAXED))
		return sys_munmap(addr, len);
	pthread_mutex_lock(&lock);
	ret = sys_munmap(addr, len);
	if (!ret)
		regions_forget((uintptr_t)addr,
			       (len + page_size - 1) & ~(page_size - 1));
	pthread_mutex_unlock(&lock);
	return ret;
}

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *new_addr = NULL, *p;
	size_t olen, nlen;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (!__atomic_load_n(&nr_regions, __ATOMIC_RELAXED))
		return sys_mremap(old, old_len, new_len, flags, new_addr);

	pthread_mutex_lock(&lock);
	olen = (old_len + page_size - 1) & ~(page_size - 1);
	nlen = (new_len + page_size - 1) & ~(page_size - 1);
	if (!overlaps((uintptr_t)old, olen ? olen : 1)) {
		p = sys_mremap(old, old_len, new_len, flags, new_addr);
		if (p != MAP_FAILED && (flags & MREMAP_FIXED))
			regions_forget((uintptr_t)p, nlen);
		pthread_mutex_unlock(&lock);
		return p;
	}
	if (!olen || !nlen || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((uintptr_t)old & (page_size - 1))) {
		pthread_mutex_unlock(&lock);
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (msync(old, olen, MS_ASYNC)) {
		/* Not all of it is mapped (ENOMEM), as mremap() says too. */
		pthread_mutex_unlock(&lock);
		errno = EFAULT;
		return MAP_FAILED;
	}
	if (nlen <= olen && !(flags & MREMAP_FIXED)) {
		/* Shrinking in place: the tail is unmapped. */
		if (nlen < olen && sys_munmap((char *)old + nlen, olen - nlen)) {
			pthread_mutex_unlock(&lock);
			return MAP_FAILED;
		}
		regions_forget((uintptr_t)old + nlen, olen - nlen);
		pthread_mutex_unlock(&lock);
		return old;
	}
	if ((flags & MREMAP_FIXED) && (uintptr_t)new_addr < (uintptr_t)old + olen &&
	    (uintptr_t)old < (uintptr_t)new_addr + nlen) {
		pthread_mutex_unlock(&lock);
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!(flags & MREMAP_MAYMOVE)) {
		/* Growing in place would need the offsets after the region. */
		pthread_mutex_unlock(&lock);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	pthread_mutex_unlock(&lock);

	/* Moving: a new region, the data copied, the old one unmapped. */
	p = mmap(new_addr, nlen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | (flags & MREMAP_FIXED ? MAP_FIXED : 0),
		 -1, 0);
	if (p == MAP_FAILED)
		return p;
	sys_mprotect(old, olen, PROT_READ);	/* it goes anyway */
	memcpy(p, old, olen < nlen ? olen : nlen);
	munmap(old, olen);
	return p;
}

static void drop_range(struct region *r, uintptr_t s, uintptr_t e, void *data)
{
	int *err = data;

	if (advise(r->off + (s - r->addr), e - s, VMSIM_ADV_DONTNEED) < 0) {
		/* The allocator counts on zeroes: give it zeroes anyway. */
		*err = errno;
		memset((void *)s, 0, e - s);
	}
}

static void advise_range(struct region *r, uintptr_t s, uintptr_t e,
			 void *data)
{
	advise(r->off + (s - r->addr), e - s, *(unsigned int *)data);
}

/*
 * Split the region that holds @addr there, so that a flag can cover part
 * of it; false if the table is full.
 */
static bool region_split(uintptr_t addr)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];

		if (r->addr < addr && addr < r->addr + r->len) {
			struct region tail = {
				.addr = addr, .len = r->addr + r->len - addr,
				.off = r->off + (addr - r->addr),
				.flags = r->flags,
			};

			if (nr_regions == MAX_REGIONS)
				return false;
			r->len = addr - r->addr;
			region_insert(&tail);
			return true;
		}
	}
	return true;
}

/* Set or clear a fork flag on exactly [addr, addr + len). */
static int flag_regions(uintptr_t addr, size_t len, unsigned int flag,
			bool set)
{
	unsigned int i;

	if (!region_split(addr) || !region_split(addr + len))
		return -ENOMEM;
	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];

		if (r->addr < addr || r->addr + r->len > addr + len)
			continue;
		if (set)
			r->flags |= flag;
		else
			r->flags &= ~flag;
	}
	return 0;
}

/* The real madvise() on each part of [addr, addr + len) outside regions. */
static void gaps_advise(uintptr_t addr, size_t len, int advice, int *err)
{
	uintptr_t at = addr, end = addr + len;
	unsigned int i;

	for (i = 0; i <= nr_regions && at < end; i++) {
		uintptr_t next = i < nr_regions ? regions[i].addr : end;

		if (i < nr_regions && regions[i].addr + regions[i].len <= at)
			continue;
		if (next > end)
			next = end;
		if (next > at && sys_madvise((void *)at, next - at, advice) &&
		    !*err)
			*err = errno;
		if (i < nr_regions)
			at = regions[i].addr + regions[i].len;
	}
}

int madvise(void *addr, size_t len, int advice)
{
	unsigned int a;
	int err = 0;

	if (!__atomic_load_n(&nr_regions, __ATOMIC_RELAXED))
		return sys_madvise(addr, len, advice);
	pthread_mutex_lock(&lock);
	if (!overlaps((uintptr_t)addr, len)) {
		pthread_mutex_unlock(&lock);
		return sys_madvise(addr, len, advice);
	}
	if ((uintptr_t)addr & (page_size - 1)) {
		pthread_mutex_unlock(&lock);
		errno = EINVAL;
		return -1;
	}
	len = (len + page_size - 1) & ~(page_size - 1);
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
		regions_each((uintptr_t)addr, len, drop_range, &err);
		/* The parts that are not ours, as the kernel would. */
		gaps_advise((uintptr_t)addr, len, advice, &err);
		break;
	case MADV_WILLNEED:
	case MADV_COLD:
	case MADV_PAGEOUT:
		a = advice == MADV_WILLNEED ? VMSIM_ADV_WILLNEED :
		    advice == MADV_COLD ? VMSIM_ADV_COLD : VMSIM_ADV_PAGEOUT;
		regions_each((uintptr_t)addr, len, advise_range, &a);
		break;
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		err = -flag_regions((uintptr_t)addr, len, R_WIPEONFORK,
				   advice == MADV_WIPEONFORK);
		break;
	case MADV_DONTFORK:
	case MADV_DOFORK:
		err = -flag_regions((uintptr_t)addr, len, R_DONTFORK,
				   advice == MADV_DONTFORK);
		if (!err && sys_madvise(addr, len, advice))
			err = errno;
		break;
	default:
		/* Hints about huge pages, dumps, merging: nothing to do. */
		break;
	}
	pthread_mutex_unlock(&lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Move [s, e) of a region to ordinary anonymous memory, data and all. */
static int move_native(uintptr_t s, uintptr_t e)
{
	size_t len = e - s;
	void *tmp;

	tmp = sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED)
		return -1;
	sys_mprotect((void *)s, len, PROT_READ);
	memcpy(tmp, (void *)s, len);
	if (sys_mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		       (void *)s) == MAP_FAILED) {
		sys_munmap(tmp, len);
		return -1;
	}
	return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	unsigned int i;

	if (!(prot & PROT_EXEC) || !__atomic_load_n(&nr_regions, __ATOMIC_RELAXED))
		return sys_mprotect(addr, len, prot);
	pthread_mutex_lock(&lock);
	len = (len + page_size - 1) & ~(page_size - 1);
	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];
		uintptr_t s = r->addr > (uintptr_t)addr ? r->addr : (uintptr_t)addr;
		uintptr_t e = r->addr + r->len < (uintptr_t)addr + len ?
			      r->addr + r->len : (uintptr_t)addr + len;

		if (s >= e)
			continue;
		if (move_native(s, e)) {
			pthread_mutex_unlock(&lock);
			errno = ENOMEM;
			return -1;
		}
	}
	regions_forget((uintptr_t)addr, len);
	pthread_mutex_unlock(&lock);
	return sys_mprotect(addr, len, prot);
}

/* ---- fork ---------------------------------------------------------------- */

/*
 * The protections of the regions' mappings as the kernel has them, from
 * /proc/self/maps (read without stdio), to put back after the move.
 */
struct prot_range {
	uintptr_t s, e;
	int prot;
};

#define MAX_PROT MAX_REGIONS
static struct prot_range prot_ranges[MAX_PROT];
static unsigned int nr_prot;

static void read_prots(void)
{
	static char buf[8192];
	size_t have = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	nr_prot = 0;
	if (fd < 0)
		return;
	for (;;) {
		char *nl, *line = buf;

		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += n;
		buf[have] = '\0';
		while ((nl = strchr(line, '\n'))) {
			unsigned long s, e;
			char *p;

			*nl = '\0';
			s = strtoul(line, &p, 16);
			e = *p == '-' ? strtoul(p + 1, &p, 16) : 0;
			const char *perm = *p == ' ' ? p + 1 : "----";

			if (e > s && strlen(perm) >= 4 && perm[3] == 's' &&
			    nr_prot < MAX_PROT && overlaps(s, e - s)) {
				prot_ranges[nr_prot++] = (struct prot_range){
					s, e,
					(perm[0] == 'r' ? PROT_READ : 0) |
					(perm[1] == 'w' ? PROT_WRITE : 0),
				};
			}
			line = nl + 1;
		}
		have = buf + have - line;
		memmove(buf, line, have);
	}
	close(fd);
}

/* Copy the pages of @r that hold data from the old mapping to @dst. */
static int copy_region(int old_fd, const struct region *r, char *dst)
{
	static __u64 e[4096];
	uint64_t first = r->off / page_size, n = r->len / page_size, i = 0;

	while (i < n) {
		struct vmsim_pte_query q = {
			.start = first + i,
			.count = n - i < 4096 ? n - i : 4096,
			.entries = (uintptr_t)e,
		};
		uint64_t j;

		if (ioctl(old_fd, VMSIM_IOC_PTE_QUERY, &q) < 0)
			return -1;
		for (j = 0; j < q.count; j++) {
			bool data = (e[j] & VMSIM_PTE_SWAPPED) ||
				    ((e[j] & VMSIM_PTE_PRESENT) &&
				     !(e[j] & VMSIM_PTE_ZERO));
			size_t at = (i + j) * page_size;

			if (data)
				memcpy(dst + at, (char *)r->addr + at, page_size);
		}
		i += q.count;
	}
	return 0;
}

/* Put the protections read_prots() found back. */
static void restore_prots(void)
{
	unsigned int k;

	for (k = 0; k < nr_prot; k++)
		sys_mprotect((void *)prot_ranges[k].s,
			     prot_ranges[k].e - prot_ranges[k].s,
			     prot_ranges[k].prot);
}

/* Forget the regions the child does not inherit (MADV_DONTFORK). */
static void forget_dontfork(void)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++)
		if (regions[i].flags & R_DONTFORK)
			region_remove(i--);
}

/*
 * In the child: a copy-on-write clone of the object (VMSIM_IOC_CLONE),
 * mapped over every region at the same offsets: no page is copied, and
 * each side's writes stay its own.  false if the clone cannot be made
 * (nothing changed then).
 */
static bool child_clone_heap(void)
{
	struct vmsim_clone c = { .flags = VMSIM_CLONE_CLOEXEC };
	int old_fd = vm_fd;
	unsigned int i;

	if (ioctl(old_fd, VMSIM_IOC_CLONE, &c) < 0)
		return false;
	read_prots();
	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];

		if (r->flags & R_DONTFORK)
			continue;
		if (sys_mmap((void *)r->addr, r->len, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, c.fd, r->off) == MAP_FAILED) {
			say("libvmsim-preload: fork: %s (errno %d); exiting\n",
			    "cannot map the child's heap", errno);
			_exit(127);
		}
		if (r->flags & R_WIPEONFORK) {
			struct vmsim_advice adv = {
				.start = r->off / page_size,
				.count = r->len / page_size,
				.advice = VMSIM_ADV_DONTNEED,
			};

			ioctl(c.fd, VMSIM_IOC_ADVISE, &adv);
		}
	}
	restore_prots();
	forget_dontfork();
	if (dup3(c.fd, old_fd, O_CLOEXEC) < 0) {
		say("libvmsim-preload: fork: dup3 failed; exiting\n");
		_exit(127);
	}
	close(c.fd);
	return true;
}

/*
 * In the child, without VMSIM_IOC_CLONE: a new object with the same
 * offsets, the data copied, the new mappings moved over the old ones with
 * the old protections.  On failure the heap goes to native memory
 * instead; if even that fails the child cannot go on without sharing its
 * parent's heap, and exits.
 */
static void child_copy_heap(void)
{
	int old_fd = vm_fd, fd = open_object();
	unsigned int i;

	read_prots();
	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];
		char *dst = MAP_FAILED;

		if (r->flags & R_DONTFORK)
			continue;
		if (fd >= 0)
			dst = sys_mmap(NULL, r->len, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, r->off);
		if (dst == MAP_FAILED)
			goto native;
		sys_mprotect((void *)r->addr, r->len, PROT_READ);
		if (!(r->flags & R_WIPEONFORK) && copy_region(old_fd, r, dst))
			goto native_unmap;
		if (sys_mremap(dst, r->len, r->len, MREMAP_MAYMOVE | MREMAP_FIXED,
			       (void *)r->addr) == MAP_FAILED)
			goto native_unmap;
		continue;
native_unmap:
		sys_munmap(dst, r->len);
native:
		say("libvmsim-preload: fork: %s (errno %d); %s\n",
		    "cannot give the child its own vmsim heap", errno,
		    "copying it to native memory");
		if (move_native(r->addr, r->addr + r->len)) {
			say("libvmsim-preload: fork: %s; exiting\n",
			    "the child would share its parent's heap");
			_exit(127);
		}
		region_remove(i--);
	}
	/* The old protections, and the child's own object in the old fd. */
	restore_prots();
	forget_dontfork();
	if (fd >= 0) {
		if (dup3(fd, old_fd, O_CLOEXEC) < 0) {
			say("libvmsim-preload: fork: dup3 failed; exiting\n");
			_exit(127);
		}
		close(fd);
	} else {
		close(old_fd);
		vm_fd = -2;
	}
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
	if (vm_fd >= 0 && pipe2(fork_pipe, O_CLOEXEC)) {
		fork_pipe[0] = -1;
		fork_pipe[1] = -1;
	}
}

static void fork_parent(void)
{
	char c;

	if (fork_pipe[0] >= 0) {
		/* Wait until the child has its copy: EOF when it closes. */
		close(fork_pipe[1]);
		while (read(fork_pipe[0], &c, 1) < 0 && errno == EINTR)
			;
		close(fork_pipe[0]);
		fork_pipe[0] = -1;
		fork_pipe[1] = -1;
	}
	pthread_mutex_unlock(&lock);
}

static void fork_child(void)
{
	/* Even with no region: the offsets must not be handed out twice. */
	if (vm_fd >= 0 && !child_clone_heap())
		child_copy_heap();
	if (fork_pipe[0] >= 0) {
		close(fork_pipe[0]);
		close(fork_pipe[1]);
		fork_pipe[0] = -1;
		fork_pipe[1] = -1;
	}
	pthread_mutex_unlock(&lock);
}

/* ---- start and exit ------------------------------------------------------ */

static void report(void)
{
	const char *path = getenv("VMSIM_RUN_REPORT");
	struct vmsim_stats st = { .faults = 0 };
	char comm[17] = "?", line[512];
	int fd, n;

	if (!path || vm_fd < 0 || ioctl(vm_fd, VMSIM_IOC_STATS, &st) < 0)
		return;
	prctl(PR_GET_NAME, comm);
	n = snprintf(line, sizeof(line),
		     "pid=%d id=%llu faults=%llu major=%llu resident=%llu swapped=%llu regions=%u native=%lu comm=%s\n",
		     (int)getpid(), (unsigned long long)st.id,
		     (unsigned long long)st.faults,
		     (unsigned long long)st.major_faults,
		     (unsigned long long)st.resident,
		     (unsigned long long)st.swapped, nr_regions, nr_native, comm);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, line, n) < 0)
		n = 0;
	close(fd);
}

__attribute__((constructor)) static void preload_init(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	atexit(report);
}
