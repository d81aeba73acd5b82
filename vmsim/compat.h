/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how Debian's 6.1 and 6.12
 * kernels differ.  No other file tests LINUX_VERSION_CODE; they call the
 * vmsim_*() wrappers below, which read the same on both kernels.
 *
 * Supported: 6.1.y and 6.12.y.  Anything between uses APIs this header
 * does not cover (blk_mode_t arrived in 6.5, bdev files in 6.9, ...), so it
 * is refused at build time rather than half-supported.
 */
#ifndef _VMSIM_COMPAT_H
#define _VMSIM_COMPAT_H

#include <linux/version.h>
#include <linux/blkdev.h>
#include <linux/mm.h>

/* Debian clamps the sublevel at 255: compare major and minor only. */
#define VMSIM_KERNEL_IS(major, minor) \
	((LINUX_VERSION_CODE >> 8) == ((major) << 8 | (minor)))

#if VMSIM_KERNEL_IS(6, 12)
#define VMSIM_K612 1
#elif VMSIM_KERNEL_IS(6, 1)
#define VMSIM_K612 0
#else
#error "vmsim supports Linux 6.1.y and 6.12.y only"
#endif

/*
 * Before "mm: fix apply_to_existing_page_range()" (upstream a995199384347,
 * in 6.1.135 and 6.12.25), the walk vmsim reads real PTEs with skipped the
 * rest of a page table after its first empty PTE: queries, COLD and aging
 * silently missed pages.  Debian clamps the sublevel at 255, which is
 * above both.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 135) || \
	(VMSIM_K612 && LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 25))
#error "vmsim needs Linux 6.1.135 or 6.12.25 or later (apply_to_existing_page_range() fix)"
#endif

#ifndef CONFIG_X86_64
#error "vmsim reads x86-64 page table bits; other architectures are not supported"
#endif

/*
 * vm_flags became read-only behind helpers in 6.3 (vm_flags_set() and
 * friends, which assert the mmap lock is held for write).  Call only from
 * ->mmap.
 */
static inline void vmsim_vm_flags_mod(struct vm_area_struct *vma,
				      vm_flags_t set, vm_flags_t clear)
{
#if VMSIM_K612
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/*
 * Opening a block device exclusively by path: blkdev_get_by_path() with
 * FMODE_EXCL on 6.1; a struct file from bdev_file_open_by_path() on 6.12
 * (a holder implies exclusive), closed with bdev_fput().
 */
struct vmsim_bdev {
	struct block_device *bdev;
#if VMSIM_K612
	struct file *file;
#endif
};

static inline int vmsim_bdev_open(struct vmsim_bdev *h, const char *path,
				  void *holder)
{
#if VMSIM_K612
	struct file *f = bdev_file_open_by_path(path, BLK_OPEN_READ |
						BLK_OPEN_WRITE, holder, NULL);

	if (IS_ERR(f))
		return PTR_ERR(f);
	h->file = f;
	h->bdev = file_bdev(f);
#else
	struct block_device *b;

	b = blkdev_get_by_path(path, FMODE_READ | FMODE_WRITE | FMODE_EXCL,
			       holder);
	if (IS_ERR(b))
		return PTR_ERR(b);
	h->bdev = b;
#endif
	return 0;
}

static inline void vmsim_bdev_close(struct vmsim_bdev *h)
{
#if VMSIM_K612
	bdev_fput(h->file);
#else
	blkdev_put(h->bdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
#endif
	h->bdev = NULL;
}

#endif /* _VMSIM_COMPAT_H */
