// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/vmsim: argument checking and dispatch.
 *
 * Every argument struct is copied in whole, its reserved fields and
 * unknown flags must be zero, and ranges are checked against the object's
 * limit before anything is done; a bad argument gets EINVAL (or EFAULT for
 * a bad pointer) and changes nothing.
 */
#include <linux/capability.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "advise.h"
#include "fault.h"
#include "ioctl.h"
#include "object.h"
#include "pool.h"
#include "swapctl.h"

static bool vmsim_range_ok(u64 start, u64 count, u64 limit)
{
	return count && start < limit && count <= limit - start;
}

static long vmsim_ioctl_info(struct vmsim_object *obj, void __user *argp)
{
	struct vmsim_info info;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.abi_version = VMSIM_ABI_VERSION;
	info.page_size = PAGE_SIZE;
	info.features = VMSIM_FEATURES;
	info.pool_pages = vmsim_pool.nr_frames;
	info.max_object_pages = vmsim_max_object_pages();
	info.object_id = obj->id;
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/*
 * May the caller read the vmsim mappings of @task?  Its own process, or
 * with CAP_SYS_PTRACE.  ptrace_may_access() is not exported to modules,
 * so vmsim cannot ask the LSMs (Yama's ptrace_scope, SELinux, AppArmor)
 * what they allow; rather than allow more than they might, it allows less
 * than ptrace would: a process of the same user needs the capability too.
 */
static bool vmsim_may_read_task(struct task_struct *task)
{
	return same_thread_group(task, current) || capable(CAP_SYS_PTRACE);
}

/*
 * Find the object mapped at @addr in process @pid, and the page index and
 * number of pages from there to the end of the mapping.
 */
static struct vmsim_object *vmsim_object_at(pid_t pid, unsigned long addr,
					    pgoff_t *index, u64 *count)
{
	struct vmsim_object *obj = ERR_PTR(-EINVAL);
	struct vm_area_struct *vma;
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;

	if (pid) {
		p = find_get_pid(pid);
		task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
		put_pid(p);
		if (!task)
			return ERR_PTR(-ESRCH);
	} else {
		task = current;
		get_task_struct(task);
	}
	mm = get_task_mm(task);
	if (!mm) {
		obj = ERR_PTR(-ESRCH);
		goto out_put_task;
	}
	if (!vmsim_may_read_task(task)) {
		obj = ERR_PTR(-EPERM);
		goto out_put_mm;
	}
	if (mmap_read_lock_killable(mm)) {
		obj = ERR_PTR(-EINTR);
		goto out_put_mm;
	}
	vma = vma_lookup(mm, addr);
	if (vma && vmsim_vma_is_ours(vma)) {
		obj = vma->vm_private_data;
		vmsim_object_get(obj);
		*index = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
		*count = min_t(u64, *count, (vma->vm_end - addr) >> PAGE_SHIFT);
	}
	mmap_read_unlock(mm);
out_put_mm:
	mmput(mm);
out_put_task:
	put_task_struct(task);
	return obj;
}

/*
 * PFNs are physical addresses: like /proc/PID/pagemap, show them only to
 * an opener with CAP_SYS_ADMIN (a frame number helps attacks such as
 * Rowhammer); others see zero there, and every other bit.
 */
static long vmsim_ioctl_pte_query(struct file *file, struct vmsim_object *obj,
				  void __user *argp)
{
	struct vmsim_pte_query q;
	pgoff_t index;
	long err;

	if (copy_from_user(&q, argp, sizeof(q)))
		return -EFAULT;
	if (q.flags & ~VMSIM_QUERY_ADDR ||
	    memchr_inv(q.reserved, 0, sizeof(q.reserved)) ||
	    !q.count || q.count > VMSIM_QUERY_MAX ||
	    (!(q.flags & VMSIM_QUERY_ADDR) && q.pid))
		return -EINVAL;

	if (q.flags & VMSIM_QUERY_ADDR) {
		if (q.start > TASK_SIZE_MAX)
			return -EINVAL;
		obj = vmsim_object_at(q.pid, q.start & PAGE_MASK, &index,
				      &q.count);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
	} else {
		if (!vmsim_range_ok(q.start, q.count, vmsim_max_object_pages()))
			return -EINVAL;
		index = q.start;
		vmsim_object_get(obj);
	}

	err = vmsim_object_query(obj, index, q.count, u64_to_user_ptr(q.entries),
				 file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN));
	q.index = index;
	q.object_id = obj->id;
	vmsim_object_put(obj);
	if (!err && copy_to_user(argp, &q, sizeof(q)))
		err = -EFAULT;
	return err;
}

static long vmsim_ioctl_advise(struct vmsim_object *obj, void __user *argp)
{
	struct vmsim_advice adv;
	unsigned long done;
	long err;

	if (copy_from_user(&adv, argp, sizeof(adv)))
		return -EFAULT;
	if (adv.flags || memchr_inv(adv.reserved, 0, sizeof(adv.reserved)) ||
	    !vmsim_range_ok(adv.start, adv.count, vmsim_max_object_pages()))
		return -EINVAL;
	if (adv.advice < VMSIM_ADV_DONTNEED || adv.advice > VMSIM_ADV_PAGEOUT)
		return -EINVAL;

	err = vmsim_object_advise(obj, adv.start, adv.count, adv.advice, &done);
	adv.done = done;
	if (copy_to_user(argp, &adv, sizeof(adv)))
		return -EFAULT;
	return err;
}

static long vmsim_ioctl_stats(struct vmsim_object *obj, void __user *argp)
{
	struct vmsim_stats st;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (memchr_inv(st.reserved, 0, sizeof(st.reserved)))
		return -EINVAL;
	vmsim_object_get_stats(obj, &st);
	if (copy_to_user(argp, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static long vmsim_ioctl_swap(unsigned int cmd, void __user *argp)
{
	struct vmsim_swapon args;
	char *path;
	long err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (cmd == VMSIM_IOC_SWAPOFF && (args.flags || args.priority))
		return -EINVAL;
	if (args.flags & ~VMSIM_SWAP_FLAG_PREFER)
		return -EINVAL;
	if ((args.flags & VMSIM_SWAP_FLAG_PREFER) &&
	    (args.priority < 0 || args.priority > VMSIM_SWAP_PRIO_MAX))
		return -EINVAL;
	path = strndup_user(u64_to_user_ptr(args.path), PATH_MAX);
	if (IS_ERR(path))	/* -EINVAL from strndup_user(): too long */
		return PTR_ERR(path) == -EINVAL ? -ENAMETOOLONG : PTR_ERR(path);
	if (cmd == VMSIM_IOC_SWAPON)
		err = vmsim_swapon(path, args.priority,
				   args.flags & VMSIM_SWAP_FLAG_PREFER);
	else
		err = vmsim_swapoff(path);
	kfree(path);
	return err;
}

/**
 * vmsim_ioctl() - the ioctl entry point of /dev/vmsim
 * @file: an open /dev/vmsim
 * @cmd: VMSIM_IOC_*
 * @arg: user pointer to the command's struct
 *
 * Context: Process context.
 * Return: 0 or a negative errno; ENOTTY for an unknown command.
 */
long vmsim_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmsim_object *obj = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VMSIM_IOC_INFO:
		return vmsim_ioctl_info(obj, argp);
	case VMSIM_IOC_PTE_QUERY:
		return vmsim_ioctl_pte_query(file, obj, argp);
	case VMSIM_IOC_ADVISE:
		return vmsim_ioctl_advise(obj, argp);
	case VMSIM_IOC_STATS:
		return vmsim_ioctl_stats(obj, argp);
	case VMSIM_IOC_SWAPON:
	case VMSIM_IOC_SWAPOFF:
		return vmsim_ioctl_swap(cmd, argp);
	default:
		return -ENOTTY;
	}
}
