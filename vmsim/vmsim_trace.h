/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmsim's tracepoints, in tracefs as events/vmsim/.  Documented in
 * Documentation/admin-guide.rst ("Tracepoints").  Objects are named by the
 * id /proc/vmsim_objects shows, pages by their offset in the object, swap
 * slots by area (the swap type, as in /proc/vmsim_swaps order) and offset.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmsim

#if !defined(_VMSIM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VMSIM_TRACE_H

#include <linux/tracepoint.h>

#ifndef _VMSIM_TRACE_ONCE
#define _VMSIM_TRACE_ONCE
/* How a fault was served (vmsim_fault's "how"). */
enum vmsim_fault_how {
	VMSIM_FAULT_ZERO_MAP,	/* read of an empty page: the zero frame */
	VMSIM_FAULT_FILL,	/* a new zero-filled frame */
	VMSIM_FAULT_MINOR,	/* the page was resident */
	VMSIM_FAULT_MAJOR,	/* read back from swap */
	VMSIM_FAULT_SIGBUS,	/* no frame, or the swap copy is bad */
};
#endif

TRACE_DEFINE_ENUM(VMSIM_FAULT_ZERO_MAP);
TRACE_DEFINE_ENUM(VMSIM_FAULT_FILL);
TRACE_DEFINE_ENUM(VMSIM_FAULT_MINOR);
TRACE_DEFINE_ENUM(VMSIM_FAULT_MAJOR);
TRACE_DEFINE_ENUM(VMSIM_FAULT_SIGBUS);

TRACE_EVENT(vmsim_fault,
	TP_PROTO(u64 obj, unsigned long index, bool write, int how),
	TP_ARGS(obj, index, write, how),
	TP_STRUCT__entry(
		__field(u64, obj)
		__field(unsigned long, index)
		__field(bool, write)
		__field(int, how)
	),
	TP_fast_assign(
		__entry->obj = obj;
		__entry->index = index;
		__entry->write = write;
		__entry->how = how;
	),
	TP_printk("obj=%llu index=%lu write=%d how=%s",
		  __entry->obj, __entry->index, __entry->write,
		  __print_symbolic(__entry->how,
				   { VMSIM_FAULT_ZERO_MAP, "zero_map" },
				   { VMSIM_FAULT_FILL, "fill" },
				   { VMSIM_FAULT_MINOR, "minor" },
				   { VMSIM_FAULT_MAJOR, "major" },
				   { VMSIM_FAULT_SIGBUS, "sigbus" }))
);

DECLARE_EVENT_CLASS(vmsim_swap_page,
	TP_PROTO(u64 obj, unsigned long index, unsigned int type,
		 unsigned long offset, int err),
	TP_ARGS(obj, index, type, offset, err),
	TP_STRUCT__entry(
		__field(u64, obj)
		__field(unsigned long, index)
		__field(unsigned int, type)
		__field(unsigned long, offset)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->obj = obj;
		__entry->index = index;
		__entry->type = type;
		__entry->offset = offset;
		__entry->err = err;
	),
	TP_printk("obj=%llu index=%lu type=%u offset=%lu err=%d",
		  __entry->obj, __entry->index, __entry->type,
		  __entry->offset, __entry->err)
);

/* A write to swap was submitted (err is 0). */
DEFINE_EVENT(vmsim_swap_page, vmsim_swap_out,
	TP_PROTO(u64 obj, unsigned long index, unsigned int type,
		 unsigned long offset, int err),
	TP_ARGS(obj, index, type, offset, err)
);

/* A write to swap completed: the page left the pool, or err kept it. */
DEFINE_EVENT(vmsim_swap_page, vmsim_swap_out_done,
	TP_PROTO(u64 obj, unsigned long index, unsigned int type,
		 unsigned long offset, int err),
	TP_ARGS(obj, index, type, offset, err)
);

/* A page was read from swap: err -EIO (read) or -EBADMSG (checksum). */
DEFINE_EVENT(vmsim_swap_page, vmsim_swap_in,
	TP_PROTO(u64 obj, unsigned long index, unsigned int type,
		 unsigned long offset, int err),
	TP_ARGS(obj, index, type, offset, err)
);

/* A page was read ahead of a fault, in the same batch as vmsim_swap_in. */
DEFINE_EVENT(vmsim_swap_page, vmsim_swap_readahead,
	TP_PROTO(u64 obj, unsigned long index, unsigned int type,
		 unsigned long offset, int err),
	TP_ARGS(obj, index, type, offset, err)
);

/* One reclaim pass, by vmsimd or by a faulting task. */
TRACE_EVENT(vmsim_reclaim,
	TP_PROTO(unsigned long nr_to_reclaim, unsigned long scanned,
		 unsigned long reclaimed, bool direct),
	TP_ARGS(nr_to_reclaim, scanned, reclaimed, direct),
	TP_STRUCT__entry(
		__field(unsigned long, nr_to_reclaim)
		__field(unsigned long, scanned)
		__field(unsigned long, reclaimed)
		__field(bool, direct)
	),
	TP_fast_assign(
		__entry->nr_to_reclaim = nr_to_reclaim;
		__entry->scanned = scanned;
		__entry->reclaimed = reclaimed;
		__entry->direct = direct;
	),
	TP_printk("nr_to_reclaim=%lu scanned=%lu reclaimed=%lu direct=%d",
		  __entry->nr_to_reclaim, __entry->scanned,
		  __entry->reclaimed, __entry->direct)
);

/* vmsimd was woken: free frames fell below the low watermark. */
TRACE_EVENT(vmsim_wakeup_vmsimd,
	TP_PROTO(unsigned long nr_free, unsigned long low),
	TP_ARGS(nr_free, low),
	TP_STRUCT__entry(
		__field(unsigned long, nr_free)
		__field(unsigned long, low)
	),
	TP_fast_assign(
		__entry->nr_free = nr_free;
		__entry->low = low;
	),
	TP_printk("nr_free=%lu low=%lu", __entry->nr_free, __entry->low)
);

/*
 * An object's teardown ran: deferred=1 when it ran on vmsim's release
 * workqueue (its last reference went in reclaim or an I/O completion).
 */
TRACE_EVENT(vmsim_object_free,
	TP_PROTO(u64 obj, bool deferred),
	TP_ARGS(obj, deferred),
	TP_STRUCT__entry(
		__field(u64, obj)
		__field(bool, deferred)
	),
	TP_fast_assign(
		__entry->obj = obj;
		__entry->deferred = deferred;
	),
	TP_printk("obj=%llu deferred=%d", __entry->obj, __entry->deferred)
);

#endif /* _VMSIM_TRACE_H */

/* Out of tree: define_trace.h finds this file on the include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vmsim_trace
#include <trace/define_trace.h>
