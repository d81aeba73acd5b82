// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input at random: an ioctl fuzzer and an mmap fuzzer, each seeded and
 * bounded.
 *
 * Every call must succeed or fail with an errno that
 * Documentation/uapi.rst gives for it (ENOTTY for a command that is not
 * vmsim's).  Where the arguments decide the outcome (a pointer that cannot
 * be read, a reserved field set, a range beyond max_object_mb, a path that
 * is not a block device) it must be that outcome; where several errors
 * apply, any of them will do.  The mmap fuzzer touches what it maps: a
 * signal only where one is due (no permission: SIGSEGV; a page beyond
 * max_object_mb: SIGBUS), and every page it wrote reads back.
 *
 * VMSIM_FUZZ_SEED (default FUZZ_SEED) and VMSIM_FUZZ_CALLS (default
 * FUZZ_CALLS) choose the run; both are printed first, and a failure
 * prints the call.  Swap paths are only ever ones that cannot be a block
 * device (nothing, /dev/null, a tmpfs file, bad pointers), so no disk of
 * the machine is touched.
 *
 * To look into a failure: VMSIM_FUZZ_TRACE=N prints the calls from the
 * Nth on (TRACE_CALLS of them), and VMSIM_FUZZ_CHECK_MAPS=1 checks after
 * every step that /proc/self/maps agrees with the mmap fuzzer's list.
 * (Addresses the kernel chooses vary from run to run, so a seed replays
 * the same calls only as long as their outcomes do not depend on them.)
 *
 * A third test goes where the fuzzers, at the default max_object_mb,
 * cannot: a query by address of the page past index 2^36.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "vmsim_util.h"

#define FUZZ_SEED	0x766d73696dULL	/* "vmsim" */
#define FUZZ_CALLS	5000
#define MAX_ERRNO	256
#define MAX_REPORTS	20		/* failures described in full */
#define TRACE_CALLS	400		/* calls printed from VMSIM_FUZZ_TRACE on */

/* ------------------------------------------------------------------------
 * Common: the generator, sets of errnos, judging and counting calls
 */

struct errset {
	uint64_t w[MAX_ERRNO / 64];
};

/* What a call may do: fail with one of @errs; succeed only if @ok. */
struct expect {
	struct errset errs;
	bool ok;
};

/* The outcomes of one kind of call. */
struct tally {
	const char *name;
	unsigned long calls, ok;
	unsigned long err[MAX_ERRNO];	/* [0]: errnos out of range */
};

struct fuzz {
	const char *name;
	struct timespec start;
	uint64_t seed, rng;
	unsigned long limit, calls, failures, sigsegv, sigbus;
	unsigned long trace;		/* VMSIM_FUZZ_TRACE: print calls from */
	char what[1024];		/* the call being made */
};

/* ksft_print_msg(), flushed: the harness ends a test with _exit(). */
#define say(...) do {				\
	ksft_print_msg(__VA_ARGS__);		\
	fflush(stdout);				\
} while (0)

static uint64_t rnd(struct fuzz *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct fuzz *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

static bool chance(struct fuzz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		say("%s=%s is not a number; using %llu\n", name, s,
		    (unsigned long long)def);
		return def;
	}
	return v;
}

static void fuzz_start(struct fuzz *f, const char *name, uint64_t stream)
{
	f->name = name;
	f->seed = env_u64("VMSIM_FUZZ_SEED", FUZZ_SEED);
	f->limit = env_u64("VMSIM_FUZZ_CALLS", FUZZ_CALLS);
	f->rng = f->seed ^ stream;
	f->trace = env_u64("VMSIM_FUZZ_TRACE", ~0UL);
	clock_gettime(CLOCK_MONOTONIC, &f->start);
	say("%s: VMSIM_FUZZ_SEED=%#llx VMSIM_FUZZ_CALLS=%lu\n", name,
	    (unsigned long long)f->seed, f->limit);
}

static const char *ename(int e)
{
	const char *n = e > 0 ? strerrorname_np(e) : NULL;

	return n ? n : "E?";
}

static void es_add(struct errset *s, int e)
{
	if (e > 0 && e < MAX_ERRNO)
		s->w[e / 64] |= 1ULL << (e % 64);
}

static bool es_has(const struct errset *s, int e)
{
	return e > 0 && e < MAX_ERRNO && (s->w[e / 64] >> (e % 64) & 1);
}

static void es_print(const struct errset *s, char *buf, size_t len)
{
	size_t n = 0;
	int e;

	buf[0] = 0;
	for (e = 1; e < MAX_ERRNO && n < len; e++)
		if (es_has(s, e))
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      ename(e));
}

static void expect_init(struct expect *e)
{
	memset(e, 0, sizeof(*e));
	e->ok = true;
}

/* The arguments rule success out: the call must fail with @err (or another). */
static void must_fail(struct expect *e, int err)
{
	es_add(&e->errs, err);
	e->ok = false;
}

/* The call may fail with @err (what decides it is not known here). */
static void may_fail(struct expect *e, int err)
{
	es_add(&e->errs, err);
}

static bool in_list(const int *list, int e)
{
	for (; *list; list++)
		if (*list == e)
			return true;
	return false;
}

static void __attribute__((format(printf, 2, 3)))
fuzz_fail(struct fuzz *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	f->failures++;
	if (f->failures > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("%s: FAIL at call %lu: %s: %s\n", f->name, f->calls,
	    f->what, msg);
}

/*
 * Count one call, and report it if it succeeded where it must fail, or
 * failed with an errno that the expectation or (if @doc) the documented
 * list does not allow.
 */
static void judge(struct fuzz *f, struct tally *t, bool failed, int err,
		  const struct expect *e, const int *doc)
{
	char want[256];

	if (f->calls >= f->trace && f->calls < f->trace + TRACE_CALLS)
		say("%s: call %lu: %s: %s\n", f->name, f->calls, f->what,
		    failed ? ename(err) : "ok");
	f->calls++;
	t->calls++;
	es_print(&e->errs, want, sizeof(want));
	if (!failed) {
		t->ok++;
		if (!e->ok)
			fuzz_fail(f, "succeeded; expected %s", want);
		return;
	}
	t->err[err > 0 && err < MAX_ERRNO ? err : 0]++;
	if (doc && !in_list(doc, err))
		fuzz_fail(f, "%s (%d), which Documentation/uapi.rst does not give for it",
			  ename(err), err);
	else if (!es_has(&e->errs, err))
		fuzz_fail(f, "%s (%d); expected %s%s", ename(err), err,
			  e->ok ? "success or " : "", want);
}

static void tally_print(const struct fuzz *f, const struct tally *t)
{
	char buf[1024];
	size_t n;
	int e;

	if (!t->calls)
		return;
	n = snprintf(buf, sizeof(buf), "%lu calls: %lu ok", t->calls, t->ok);
	for (e = 0; e < MAX_ERRNO && n < sizeof(buf); e++)
		if (t->err[e])
			n += snprintf(buf + n, sizeof(buf) - n, ", %s %lu",
				      e ? ename(e) : "other", t->err[e]);
	say("%s: %-14s %s\n", f->name, t->name, buf);
}

/* The counts at the end: every kind of call, then the totals. */
static void fuzz_report(const struct fuzz *f, const struct tally *t, int nr)
{
	struct tally all = { .name = "all" };
	struct timespec now;
	int i, e;

	for (i = 0; i < nr; i++) {
		tally_print(f, &t[i]);
		all.calls += t[i].calls;
		all.ok += t[i].ok;
		for (e = 0; e < MAX_ERRNO; e++)
			all.err[e] += t[i].err[e];
	}
	tally_print(f, &all);
	clock_gettime(CLOCK_MONOTONIC, &now);
	say("%s: signals: SIGSEGV %lu, SIGBUS %lu; failures %lu; %.1f s\n",
	    f->name, f->sigsegv, f->sigbus, f->failures,
	    now.tv_sec - f->start.tv_sec + (now.tv_nsec - f->start.tv_nsec) / 1e9);
}

/* Reserve address space nobody else will get: PROT_NONE, no memory. */
static char *reserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(fuzz) {
	int fd;
	struct vmsim_info info;
	char saved_max_mb[32];	/* max_object_mb to restore, if changed */
};

FIXTURE_SETUP(fuzz)
{
	self->fd = vmsim_open();
	if (self->fd < 0)
		SETUP_SKIP("cannot open " VMSIM_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmsim_get_info(self->fd, &self->info));
	ASSERT_EQ(page_size, self->info.page_size);
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->saved_max_mb[0] &&
	    vmsim_param_set("max_object_mb", self->saved_max_mb))
		TH_LOG("cannot restore max_object_mb=%s", self->saved_max_mb);
}

/* ------------------------------------------------------------------------
 * The ioctl fuzzer
 *
 * The kernel is pointed at regions the fuzzer owns, each followed by a
 * PROT_NONE guard page, so that whatever the kernel writes (a struct, a
 * run of PTE_QUERY entries) stays in them:
 *   heap	anonymous, read-write
 *   ro		a memfd mapped read-only (written through a second mapping)
 *   vmsim	pages [0, VM_PAGES) of a vmsim object, read-write
 *   vmsim_ro	the same pages mapped read-only
 *   last	the object's last page (max_object_mb), read-write, and
 *   beyond	three pages after it, the same mapping grown by mremap, where
 *		every access faults (SIGBUS): the kernel gets EFAULT
 * Pointers also go to NULL, a hole, a guard page, kernel addresses and
 * non-canonical ones, and straddle the end of each region.
 */

#define HEAP_PAGES	16
#define RO_PAGES	4
#define VM_PAGES	16
#define SLOTS		3
#define SLOT_PAGES	32
#define WILLNEED_MAX	256	/* pages a valid WILLNEED may make resident */
#define COLD_MAX	65536	/* pages a valid COLD may walk */
#define STEP_EVERY	64	/* calls between changes of a slot's state */

enum { R_HEAP, R_RO, R_VMSIM, R_VMSIM_RO, R_LAST, R_BEYOND, R_NR };

struct region {
	const char *name;
	char *base;		/* what the kernel is given */
	char *rw;		/* where the fuzzer writes what it is to read */
	size_t len;
	bool readable, writable;
};

/* An object the calls go to, and what state it is in. */
enum { ST_FRESH, ST_MAPPED, ST_DIRTY, ST_UNMAPPED, ST_NR };

static const char * const slot_state[] = {
	"fresh", "mapped-zero", "mapped-dirty", "unmapped-dirty",
};

struct slot {
	int fd;
	char *map;
	uint64_t pgoff;
	int state;
};

/* A swap path the fuzzer may use, and the errno it must give. */
struct spath {
	const char *name;
	char *str;		/* NULL: no NUL until the end of the region */
	int err;
};

enum { C_UNKNOWN, C_INFO, C_QUERY, C_ADVISE, C_STATS, C_SWAPON, C_SWAPOFF, C_NR };

struct icall {
	int cmd;		/* C_* */
	unsigned int nr;	/* the command number passed */
	int fd;
	uint64_t arg;
	size_t size;		/* of the struct */
	size_t rd, wr;		/* bytes the kernel can read, write at @arg */
	union {
		struct vmsim_info info;
		struct vmsim_pte_query q;
		struct vmsim_advice adv;
		struct vmsim_stats st;
		struct vmsim_swapon sw;
	} u;
	const struct spath *path;
	size_t path_rd;		/* bytes the kernel can read at the path */
	char where[48], where2[48];
};

#define NPATHS	9

struct ictx {
	struct fuzz f;
	uint64_t max;		/* max_object_pages */
	int ptrfd, memfd;
	struct region r[R_NR];
	char *hole, *guard;
	struct slot slot[SLOTS];
	pid_t child, zombie;
	bool admin;
	unsigned long swapons;
	char tmpfile[32];
	char longname[320], toolong[PATH_MAX + 512];
	struct spath paths[NPATHS];
	struct tally t[C_NR];
};

/* Documentation/uapi.rst: the errnos of each command. */
static const int doc_unknown[] = { ENOTTY, 0 };
static const int doc_info[] = { EFAULT, EINVAL, 0 };
static const int doc_query[] = { EFAULT, EINVAL, ESRCH, EPERM, 0 };
static const int doc_advise[] = { EFAULT, EINVAL, EINTR, 0 };
static const int doc_stats[] = { EFAULT, EINVAL, 0 };
static const int doc_swapon[] = {
	EPERM, EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTBLK, EBUSY, EINVAL, 0
};

static const int doc_swapoff[] = {
	EPERM, EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTBLK, EBUSY, EINVAL,
	ENOMEM, EINTR, EIO, 0
};

/* Bytes from @p on that the kernel can read (or write). */
static size_t extent(const struct ictx *c, uint64_t p, bool write)
{
	const struct region *r;
	int i;

	for (i = 0; i < R_NR; i++) {
		r = &c->r[i];
		if (p < (uintptr_t)r->base || p >= (uintptr_t)r->base + r->len)
			continue;
		if (write ? !r->writable : !r->readable)
			return 0;
		return (uintptr_t)r->base + r->len - p;
	}
	return 0;
}

/* Where the fuzzer writes what the kernel reads at @p; NULL if nowhere. */
static char *alias(const struct ictx *c, uint64_t p)
{
	const struct region *r;
	int i;

	for (i = 0; i < R_NR; i++) {
		r = &c->r[i];
		if (r->readable && p >= (uintptr_t)r->base &&
		    p < (uintptr_t)r->base + r->len)
			return r->rw + (p - (uintptr_t)r->base);
	}
	return NULL;
}

/* Put @n bytes at @p for the kernel to read, as many as can be read. */
static void place(const struct ictx *c, uint64_t p, const void *src, size_t n)
{
	size_t rd = extent(c, p, false);
	char *dst = alias(c, p);

	if (dst)
		memcpy(dst, src, n < rd ? n : rd);
}

/* Do [p, p + n) and [q, q + m) share memory the fuzzer writes? */
static bool overlap(const struct ictx *c, uint64_t p, size_t n, uint64_t q,
		    size_t m)
{
	char *a = alias(c, p), *b = alias(c, q);

	return a && b && a < b + m && b < a + n;
}

/* Is the hole still a hole?  (mincore() fails on unmapped memory.) */
static bool hole_ok(const struct ictx *c)
{
	unsigned char v;

	return mincore(c->hole, page_size, &v) == -1 && errno == ENOMEM;
}

/*
 * A pointer for @n bytes: into a region (inside it, or straddling its
 * end), or somewhere nothing can be read.  @what gets its description.
 */
static uint64_t pick_ptr(struct ictx *c, size_t n, char *what, size_t len)
{
	static const int writable_regions[] = { R_HEAP, R_VMSIM, R_LAST };
	static const uint64_t wild[] = {
		0xffffffffffffe000ULL, 0xffff888000000000ULL,
		0xffffffff81000000ULL, 0x0000800000000000ULL,
		0x00007ffffffff000ULL, 0x8000000000000000ULL,
	};
	struct fuzz *f = &c->f;
	const struct region *r;
	uint64_t p, off;

	switch (below(f, 20)) {
	case 0:
		snprintf(what, len, "NULL");
		return 0;
	case 1:
		if (!hole_ok(c))
			break;
		p = (uintptr_t)c->hole + below(f, page_size);
		snprintf(what, len, "hole+%#llx", (unsigned long long)(p & 0xfff));
		return p;
	case 2:
		p = wild[below(f, ARRAY_SIZE(wild))] + below(f, 64);
		snprintf(what, len, "%#llx", (unsigned long long)p);
		return p;
	case 3:
		if (n < 2)
			break;
		r = &c->r[below(f, R_NR)];
		off = r->len - 1 - below(f, n - 1 < r->len ? n - 1 : r->len);
		snprintf(what, len, "%s+%#llx(end-%llu)", r->name,
			 (unsigned long long)off,
			 (unsigned long long)(r->len - off));
		return (uintptr_t)r->base + off;
	default:
		/* Often where the call can work: memory that can be written. */
		if (chance(f, 60))
			r = &c->r[writable_regions[below(f, ARRAY_SIZE(writable_regions))]];
		else
			r = &c->r[below(f, R_NR)];
		if (n > r->len)
			n = r->len;
		off = below(f, r->len - n + 1);
		if (chance(f, 70))
			off &= ~7ULL;
		snprintf(what, len, "%s+%#llx", r->name, (unsigned long long)off);
		return (uintptr_t)r->base + off;
	}
	snprintf(what, len, "guard");
	return (uintptr_t)c->guard + below(f, page_size);
}

/* A number near the edges of [0, @limit), or anything. */
static uint64_t pick_num(struct fuzz *f, uint64_t limit)
{
	switch (below(f, 12)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2: case 3:
		return below(f, 64);
	case 4:
		return limit - 1 - below(f, limit < 64 ? limit : 64);
	case 5:
		return limit;
	case 6:
		return limit + 1 + below(f, 64);
	case 7:
		return 1ULL << below(f, 64);
	case 8:
		return ~0ULL - below(f, 64);
	case 9:
		return below(f, limit);
	default:
		return rnd(f);
	}
}

/* A page count for a range from @start: often one that fits, or not. */
static uint64_t pick_count(struct ictx *c, uint64_t start)
{
	struct fuzz *f = &c->f;

	if (start < c->max && chance(f, 50)) {
		if (chance(f, 70))
			return 1 + below(f, c->max - start < 64 ? c->max - start : 64);
		return c->max - start + below(f, 2);
	}
	switch (below(f, 4)) {
	case 0:
		return VMSIM_QUERY_MAX + below(f, 2);
	default:
		return pick_num(f, c->max);
	}
}

/* Flags: mostly valid ones, sometimes an unknown bit or garbage. */
static uint32_t pick_flags(struct fuzz *f, uint32_t valid)
{
	if (chance(f, 70))
		return rnd(f) & valid;
	if (chance(f, 60))
		return 1U << below(f, 32);
	return rnd(f);
}

/* Reserved fields: mostly zero, sometimes one of them set. */
static void pick_reserved(struct fuzz *f, uint64_t *res, int n)
{
	memset(res, 0, n * sizeof(*res));
	if (chance(f, 15))
		res[below(f, n)] = chance(f, 50) ? 1 : rnd(f);
}

/* The vmsim mappings of this process: the regions and the slots. */
static int vmaps(const struct ictx *c, char **base, size_t *pages)
{
	int i, n = 0;

	base[n] = c->r[R_VMSIM].base;
	pages[n++] = VM_PAGES;
	base[n] = c->r[R_VMSIM_RO].base;
	pages[n++] = VM_PAGES;
	base[n] = c->r[R_LAST].base;
	pages[n++] = 4;
	for (i = 0; i < SLOTS; i++) {
		if (!c->slot[i].map)
			continue;
		base[n] = c->slot[i].map;
		pages[n++] = SLOT_PAGES;
	}
	return n;
}

/* Pages from @addr to the end of the vmsim mapping it is in; 0 if none. */
static uint64_t vmap_pages_from(const struct ictx *c, uint64_t addr)
{
	char *base[3 + SLOTS];
	size_t pages[3 + SLOTS];
	int i, n = vmaps(c, base, pages);

	for (i = 0; i < n; i++) {
		uint64_t b = (uintptr_t)base[i], e = b + pages[i] * page_size;

		if (addr >= b && addr < e)
			return (e - (addr & ~(page_size - 1))) / page_size;
	}
	return 0;
}

/* An address for VMSIM_QUERY_ADDR: in a vmsim mapping, or not. */
static uint64_t pick_addr(struct ictx *c)
{
	char *base[3 + SLOTS];
	size_t pages[3 + SLOTS];
	struct fuzz *f = &c->f;
	int n = vmaps(c, base, pages), i;
	char local;

	if (chance(f, 50)) {
		i = below(f, n);
		return (uintptr_t)base[i] + below(f, pages[i] * page_size);
	}
	switch (below(f, 8)) {
	case 0:
		return (uintptr_t)c->r[R_HEAP].base + below(f, HEAP_PAGES * page_size);
	case 1:
		return (uintptr_t)c->r[R_RO].base;
	case 2:
		return (uintptr_t)&local;
	case 3:
		return (uintptr_t)c->hole;
	case 4:
		return 0x00007ffffffff000ULL + below(f, 2) * page_size;
	default:
		return pick_num(f, 1ULL << 47);
	}
}

/* Who a query by address asks about. */
enum { PID_SELF, PID_GONE, PID_OTHER };

static int pid_kind(const struct ictx *c, int32_t pid)
{
	if (pid == 0 || pid == getpid())
		return PID_SELF;
	/* Exited (no mm), or beyond PID_MAX_LIMIT, or negative. */
	if (pid == c->zombie || pid >= 0x400000 || pid < 0)
		return PID_GONE;
	return PID_OTHER;
}

static int32_t pick_pid(struct ictx *c)
{
	const int32_t pids[] = {
		0, 0, 0, getpid(), c->child, c->zombie, 1, 2, 0x3ffffff0, -1,
		INT_MIN,
	};
	struct fuzz *f = &c->f;

	if (chance(f, 10))
		return rnd(f);
	return pids[below(f, ARRAY_SIZE(pids))];
}

/* ---- the commands: random contents, and what the kernel must do ---- */

static void fill_info(struct ictx *c, struct icall *k)
{
	struct vmsim_info *in = &k->u.info;

	in->abi_version = rnd(&c->f);
	in->page_size = rnd(&c->f);
	in->features = rnd(&c->f);
	in->pool_pages = rnd(&c->f);
	in->max_object_pages = rnd(&c->f);
	in->object_id = rnd(&c->f);
	pick_reserved(&c->f, (uint64_t *)in->reserved, 3);
}

/* Read the struct, check its reserved fields, write it back. */
static void expect_info(struct ictx *c, const struct icall *k, struct expect *e)
{
	const struct vmsim_info *in = &k->u.info;

	if (k->rd < sizeof(*in))
		must_fail(e, EFAULT);
	else if (in->reserved[0] || in->reserved[1] || in->reserved[2])
		must_fail(e, EINVAL);
	else if (k->wr < sizeof(*in))
		must_fail(e, EFAULT);
}

static int show_info(const struct icall *k, char *buf, size_t len)
{
	const struct vmsim_info *in = &k->u.info;

	return snprintf(buf, len, "{reserved=%#llx,%#llx,%#llx}",
			(unsigned long long)in->reserved[0],
			(unsigned long long)in->reserved[1],
			(unsigned long long)in->reserved[2]);
}

static void fill_query(struct ictx *c, struct icall *k)
{
	struct vmsim_pte_query *q = &k->u.q;
	struct fuzz *f = &c->f;

	q->flags = chance(f, 70) ? rnd(f) & VMSIM_QUERY_ADDR :
		   pick_flags(f, VMSIM_QUERY_ADDR);
	if (q->flags & VMSIM_QUERY_ADDR) {
		q->start = pick_addr(c);
		q->pid = pick_pid(c);
		q->count = pick_count(c, chance(f, 50) ? c->max : 0);
	} else {
		q->start = pick_num(f, c->max);
		q->pid = chance(f, 10) ? pick_pid(c) : 0;
		q->count = pick_count(c, q->start);
	}
	q->entries = pick_ptr(c, q->count < 8192 ? q->count * 8 : 65536,
			      k->where2, sizeof(k->where2));
	q->index = rnd(f);
	q->object_id = rnd(f);
	pick_reserved(f, (uint64_t *)q->reserved, 2);
}

static bool range_ok(uint64_t start, uint64_t count, uint64_t limit)
{
	return count && start < limit && count <= limit - start;
}

/*
 * Read the struct; check it (and with VMSIM_QUERY_ADDR, find the mapping,
 * which clamps the count); write the entries, then the struct.
 */
static void expect_query(struct ictx *c, const struct icall *k, struct expect *e)
{
	const struct vmsim_pte_query *q = &k->u.q;
	uint64_t n = q->count, to_end;
	bool known = true;

	if (k->rd < sizeof(*q)) {
		must_fail(e, EFAULT);
		return;
	}
	if ((q->flags & ~VMSIM_QUERY_ADDR) || q->reserved[0] || q->reserved[1] ||
	    !q->count || q->count > VMSIM_QUERY_MAX ||
	    (!(q->flags & VMSIM_QUERY_ADDR) && q->pid)) {
		must_fail(e, EINVAL);
		return;
	}
	if (!(q->flags & VMSIM_QUERY_ADDR)) {
		if (!range_ok(q->start, q->count, c->max)) {
			must_fail(e, EINVAL);
			return;
		}
	} else if (pid_kind(c, q->pid) == PID_GONE) {
		must_fail(e, ESRCH);
		if (q->start >= 1ULL << 47)	/* no mapping anywhere: either */
			must_fail(e, EINVAL);
		return;
	} else if (pid_kind(c, q->pid) == PID_OTHER) {
		/* Another process: whatever it has mapped there, if anything. */
		may_fail(e, EINVAL);
		may_fail(e, ESRCH);
		may_fail(e, EPERM);
		known = false;
	} else {
		to_end = vmap_pages_from(c, q->start);
		if (!to_end) {
			must_fail(e, EINVAL);
			return;
		}
		n = n < to_end ? n : to_end;
	}
	if (extent(c, q->entries, true) < n * 8) {
		if (known)
			must_fail(e, EFAULT);
		else
			may_fail(e, EFAULT);
	}
	if (k->wr < sizeof(*q))
		must_fail(e, EFAULT);
}

static int show_query(const struct icall *k, char *buf, size_t len)
{
	const struct vmsim_pte_query *q = &k->u.q;

	return snprintf(buf, len,
			"{start=%#llx count=%#llx entries=%s pid=%d flags=%#x reserved=%#llx,%#llx}",
			(unsigned long long)q->start, (unsigned long long)q->count,
			k->where2, q->pid, q->flags,
			(unsigned long long)q->reserved[0],
			(unsigned long long)q->reserved[1]);
}

static void fill_advise(struct ictx *c, struct icall *k)
{
	struct vmsim_advice *a = &k->u.adv;
	struct fuzz *f = &c->f;

	a->start = chance(f, 30) ? c->max - 1 - below(f, 64) : pick_num(f, c->max);
	a->count = pick_count(c, a->start);
	a->advice = chance(f, 80) ? below(f, 6) : (uint32_t)pick_num(f, 5);
	a->flags = chance(f, 85) ? 0 : pick_flags(f, 0);
	a->done = rnd(f);
	pick_reserved(f, (uint64_t *)a->reserved, 2);
	/* Bounded: a valid WILLNEED takes frames, a valid COLD walks pages. */
	if (range_ok(a->start, a->count, c->max)) {
		if (a->advice == VMSIM_ADV_WILLNEED && a->count > WILLNEED_MAX)
			a->count = 1 + below(f, WILLNEED_MAX);
		if (a->advice == VMSIM_ADV_COLD && a->count > COLD_MAX)
			a->count = 1 + below(f, COLD_MAX);
	}
}

/* Read the struct; check it; advise; write it back. */
static void expect_advise(struct ictx *c, const struct icall *k, struct expect *e)
{
	const struct vmsim_advice *a = &k->u.adv;

	if (k->rd < sizeof(*a))
		must_fail(e, EFAULT);
	else if (a->flags || a->reserved[0] || a->reserved[1] ||
		 !range_ok(a->start, a->count, c->max) ||
		 a->advice < VMSIM_ADV_DONTNEED || a->advice > VMSIM_ADV_PAGEOUT)
		must_fail(e, EINVAL);
	else if (k->wr < sizeof(*a))
		must_fail(e, EFAULT);
}

static int show_advise(const struct icall *k, char *buf, size_t len)
{
	const struct vmsim_advice *a = &k->u.adv;

	return snprintf(buf, len,
			"{start=%#llx count=%#llx advice=%u flags=%#x reserved=%#llx,%#llx}",
			(unsigned long long)a->start, (unsigned long long)a->count,
			a->advice, a->flags, (unsigned long long)a->reserved[0],
			(unsigned long long)a->reserved[1]);
}

static void fill_stats(struct ictx *c, struct icall *k)
{
	struct vmsim_stats *st = &k->u.st;

	st->faults = rnd(&c->f);
	st->resident = rnd(&c->f);
	st->id = rnd(&c->f);
	pick_reserved(&c->f, (uint64_t *)st->reserved, 5);
}

static void expect_stats(struct ictx *c, const struct icall *k, struct expect *e)
{
	const struct vmsim_stats *st = &k->u.st;
	int i;

	if (k->rd < sizeof(*st)) {
		must_fail(e, EFAULT);
		return;
	}
	for (i = 0; i < 5; i++)
		if (st->reserved[i])
			must_fail(e, EINVAL);
	if (e->ok && k->wr < sizeof(*st))
		must_fail(e, EFAULT);
}

static int show_stats(const struct icall *k, char *buf, size_t len)
{
	const struct vmsim_stats *st = &k->u.st;

	return snprintf(buf, len, "{reserved=%#llx,%#llx,%#llx,%#llx,%#llx}",
			(unsigned long long)st->reserved[0],
			(unsigned long long)st->reserved[1],
			(unsigned long long)st->reserved[2],
			(unsigned long long)st->reserved[3],
			(unsigned long long)st->reserved[4]);
}

/*
 * The path of a swap call: one of the safe paths, put in a region (not
 * over the struct) or cut short by its end; or an unreadable pointer.
 */
static uint64_t pick_path(struct ictx *c, struct icall *k)
{
	struct fuzz *f = &c->f;
	size_t n, i, rd;
	uint64_t p = 0;
	char *dst;
	int try;

	k->path = chance(f, 10) ? NULL : &c->paths[below(f, NPATHS)];
	n = k->path ? strlen(k->path->str) + 1 : PATH_MAX + 1;
	for (try = 0; try < 8; try++) {
		p = pick_ptr(c, n, k->where2, sizeof(k->where2));
		if (!overlap(c, p, n, k->arg, k->size))
			break;
	}
	if (try == 8) {
		p = 0;
		snprintf(k->where2, sizeof(k->where2), "NULL");
	}
	rd = extent(c, p, false);
	dst = alias(c, p);
	if (k->path) {
		place(c, p, k->path->str, n);
	} else if (dst) {
		/* No NUL until the region ends. */
		for (i = 0; i < rd; i++)
			dst[i] = 'a' + i % 26;
	}
	k->path_rd = rd;
	return p;
}

static void fill_swap(struct ictx *c, struct icall *k)
{
	static const int32_t prios[] = {
		0, 1, -1, VMSIM_SWAP_PRIO_MAX, VMSIM_SWAP_PRIO_MAX + 1, INT_MAX,
		INT_MIN,
	};
	struct vmsim_swapon *s = &k->u.sw;
	struct fuzz *f = &c->f;

	s->flags = pick_flags(f, VMSIM_SWAP_FLAG_PREFER);
	if (chance(f, 40))
		s->priority = 0;
	else if (chance(f, 80))
		s->priority = prios[below(f, ARRAY_SIZE(prios))];
	else
		s->priority = rnd(f);
	pick_reserved(f, (uint64_t *)s->reserved, 2);
	s->path = pick_path(c, k);
}

/* What a path gives, read from a place where @rd bytes can be read. */
static void expect_path(const struct spath *sp, size_t rd, struct expect *e)
{
	size_t n = sp ? strlen(sp->str) + 1 : SIZE_MAX;

	if (n <= PATH_MAX && rd >= n)
		must_fail(e, sp->err);
	else if (n > PATH_MAX && rd >= PATH_MAX)
		must_fail(e, ENAMETOOLONG);	/* no NUL in PATH_MAX bytes */
	else
		must_fail(e, EFAULT);
}

/* Capability; read the struct; check it; read the path; look it up. */
static void expect_swap(struct ictx *c, const struct icall *k, struct expect *e)
{
	const struct vmsim_swapon *s = &k->u.sw;

	if (!c->admin)
		must_fail(e, EPERM);
	else if (k->rd < sizeof(*s))
		must_fail(e, EFAULT);
	else if (s->reserved[0] || s->reserved[1] ||
		 (k->cmd == C_SWAPOFF && (s->flags || s->priority)) ||
		 (s->flags & ~VMSIM_SWAP_FLAG_PREFER) ||
		 ((s->flags & VMSIM_SWAP_FLAG_PREFER) &&
		  (s->priority < 0 || s->priority > VMSIM_SWAP_PRIO_MAX)))
		must_fail(e, EINVAL);
	else
		expect_path(k->path, k->path_rd, e);
}

static int show_swap(const struct icall *k, char *buf, size_t len)
{
	const struct vmsim_swapon *s = &k->u.sw;

	return snprintf(buf, len,
			"{path=%s (%s, %zu readable) priority=%d flags=%#x reserved=%#llx,%#llx}",
			k->where2, k->path ? k->path->name : "unterminated",
			k->path_rd, s->priority, s->flags,
			(unsigned long long)s->reserved[0],
			(unsigned long long)s->reserved[1]);
}

struct icmd {
	const char *name;
	unsigned int nr;
	size_t size;
	unsigned int weight;	/* of 100 */
	const int *doc;
	void (*fill)(struct ictx *c, struct icall *k);
	void (*expect)(struct ictx *c, const struct icall *k, struct expect *e);
	int (*show)(const struct icall *k, char *buf, size_t len);
};

static const struct icmd icmds[C_NR] = {
	[C_UNKNOWN] = { "unknown", 0, 0, 22, doc_unknown },
	[C_INFO] = { "INFO", VMSIM_IOC_INFO, sizeof(struct vmsim_info), 8,
		     doc_info, fill_info, expect_info, show_info },
	[C_QUERY] = { "PTE_QUERY", VMSIM_IOC_PTE_QUERY,
		      sizeof(struct vmsim_pte_query), 22, doc_query,
		      fill_query, expect_query, show_query },
	[C_ADVISE] = { "ADVISE", VMSIM_IOC_ADVISE, sizeof(struct vmsim_advice),
		       22, doc_advise, fill_advise, expect_advise, show_advise },
	[C_STATS] = { "STATS", VMSIM_IOC_STATS, sizeof(struct vmsim_stats), 8,
		      doc_stats, fill_stats, expect_stats, show_stats },
	[C_SWAPON] = { "SWAPON", VMSIM_IOC_SWAPON, sizeof(struct vmsim_swapon),
		       10, doc_swapon, fill_swap, expect_swap, show_swap },
	[C_SWAPOFF] = { "SWAPOFF", VMSIM_IOC_SWAPOFF, sizeof(struct vmsim_swapon),
			8, doc_swapoff, fill_swap, expect_swap, show_swap },
};

#ifndef FS_IOC_GETFSUUID
#define FS_IOC_GETFSUUID	_IOR(0x15, 0, char[17])	/* 6.5: struct fsuuid2 */
#endif
#ifndef FS_IOC_GETFSSYSFSPATH
#define FS_IOC_GETFSSYSFSPATH	_IOR(0x15, 1, char[129])	/* 6.9: struct fs_sysfs_path */
#endif

/*
 * Commands the VFS answers itself before the driver sees them
 * (do_vfs_ioctl() in fs/ioctl.c): not vmsim's to refuse.
 */
static bool vfs_cmd(unsigned int nr)
{
	static const unsigned int vfs[] = {
		FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE, FITHAW,
		FS_IOC_FIEMAP, FIGETBSZ, FICLONE, FICLONERANGE, FIDEDUPERANGE,
		FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR,
		FS_IOC_FSSETXATTR, FS_IOC_GETFSUUID, FS_IOC_GETFSSYSFSPATH,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vfs); i++)
		if (vfs[i] == nr)
			return true;
	return false;
}

static bool vmsim_cmd(unsigned int nr)
{
	int i;

	for (i = C_INFO; i < C_NR; i++)
		if (icmds[i].nr == nr)
			return true;
	return false;
}

/* A command that is not vmsim's: random, or a near miss of a real one. */
static unsigned int pick_unknown(struct fuzz *f)
{
	unsigned int real, nr;

	do {
		real = icmds[C_INFO + below(f, C_NR - C_INFO)].nr;
		switch (below(f, 7)) {
		case 0:
			nr = rnd(f);
			break;
		case 1:
			nr = _IOC(below(f, 4), below(f, 256), below(f, 256),
				  below(f, 1 << 14));
			break;
		case 2:		/* the right number, another size */
			nr = _IOC(_IOC_DIR(real), VMSIM_IOC_MAGIC, _IOC_NR(real),
				  chance(f, 50) ? below(f, 1 << 14) :
				  _IOC_SIZE(real) + below(f, 17) - 8);
			break;
		case 3:		/* another direction */
			nr = _IOC(below(f, 4), VMSIM_IOC_MAGIC, _IOC_NR(real),
				  _IOC_SIZE(real));
			break;
		case 4:		/* another magic */
			nr = _IOC(_IOC_DIR(real), below(f, 256), _IOC_NR(real),
				  _IOC_SIZE(real));
			break;
		case 5:		/* vmsim's magic, a number it does not have */
			nr = _IOC(below(f, 4), VMSIM_IOC_MAGIC, 6 + below(f, 250),
				  below(f, 2) ? _IOC_SIZE(real) : below(f, 256));
			break;
		default:
			nr = below(f, 2) ? below(f, 0x10000) : real ^ (1U << below(f, 32));
			break;
		}
	} while (vmsim_cmd(nr) || vfs_cmd(nr));
	return nr;
}

/* ---- the objects the calls go to ---- */

static void slot_describe(const struct ictx *c, int fd, char *buf, size_t len)
{
	int i;

	if (fd == c->ptrfd) {
		snprintf(buf, len, "fd=regions");
		return;
	}
	for (i = 0; i < SLOTS; i++)
		if (c->slot[i].fd == fd)
			snprintf(buf, len, "fd=slot%d(%s, pages %llu-%llu)", i,
				 slot_state[c->slot[i].state],
				 (unsigned long long)c->slot[i].pgoff,
				 (unsigned long long)c->slot[i].pgoff + SLOT_PAGES - 1);
}

/*
 * Move a slot on: fresh -> mapped (pages read: the zero frame) ->
 * dirty (written) -> unmapped (the object keeps its pages) -> fresh
 * (closed, and a new object opened).
 */
static int slot_step(struct ictx *c, struct slot *s)
{
	size_t i, len = SLOT_PAGES * page_size;

	switch (s->state) {
	case ST_FRESH:
		s->pgoff = chance(&c->f, 50) ? 0 : c->max - SLOT_PAGES;
		s->map = vmsim_map(s->fd, len, s->pgoff * page_size,
				   PROT_READ | PROT_WRITE);
		if (s->map == MAP_FAILED) {
			s->map = NULL;
			return -1;
		}
		for (i = 0; i < len; i += page_size)
			peek(s->map + i);
		break;
	case ST_MAPPED:
		for (i = 0; i < len; i += page_size)
			poke(s->map + i, 1 + i / page_size);
		break;
	case ST_DIRTY:
		munmap(s->map, len);
		s->map = NULL;
		break;
	default:
		close(s->fd);
		s->fd = vmsim_open();
		if (s->fd < 0)
			return -1;
		break;
	}
	s->state = (s->state + 1) % ST_NR;
	return 0;
}

/* ---- one call ---- */

static void ioctl_one(struct ictx *c)
{
	struct fuzz *f = &c->f;
	const struct icmd *cmd;
	struct expect e;
	struct icall k;
	unsigned int w;
	char fdname[80], args[512] = "";
	int i, ret, err;

	memset(&k, 0, sizeof(k));
	w = below(f, 100);
	for (i = 0; i < C_NR - 1 && w >= icmds[i].weight; i++)
		w -= icmds[i].weight;
	k.cmd = i;
	cmd = &icmds[i];
	k.fd = chance(f, 25) ? c->ptrfd : c->slot[below(f, SLOTS)].fd;
	k.nr = k.cmd == C_UNKNOWN ? pick_unknown(f) : cmd->nr;
	k.size = cmd->size ? cmd->size : 64;
	k.arg = pick_ptr(c, k.size, k.where, sizeof(k.where));
	k.rd = extent(c, k.arg, false);
	k.wr = extent(c, k.arg, true);

	expect_init(&e);
	if (cmd->fill) {
		cmd->fill(c, &k);
		place(c, k.arg, &k.u, k.size);
		cmd->expect(c, &k, &e);
		cmd->show(&k, args, sizeof(args));
	} else {
		must_fail(&e, ENOTTY);
	}
	slot_describe(c, k.fd, fdname, sizeof(fdname));
	snprintf(f->what, sizeof(f->what), "ioctl(%s, %s %#x, %s %s)", fdname,
		 cmd->name, k.nr, k.where, args);

	errno = 0;
	ret = ioctl(k.fd, k.nr, (void *)(uintptr_t)k.arg);
	err = errno;
	judge(f, &c->t[k.cmd], ret == -1, err, &e, cmd->doc);

	if (k.cmd == C_SWAPON && ret == 0) {
		/* None of the paths can be swapped on: undo it, and count it. */
		c->swapons++;
		if (k.path)
			vmsim_swapoff_ioctl(k.fd, k.path->str);
	}
}

/* ---- setup and teardown ---- */

static int map_region(struct ictx *c, int i, const char *name, size_t pages,
		      int prot, int flags, int fd, off_t off)
{
	struct region *r = &c->r[i];
	char *g = reserve((pages + 1) * page_size);

	if (!g)
		return -1;
	r->name = name;
	r->len = pages * page_size;
	r->base = mmap(g, r->len, prot, flags | MAP_FIXED, fd, off);
	if (r->base == MAP_FAILED)
		return -1;
	r->rw = r->base;
	r->readable = true;
	r->writable = prot & PROT_WRITE;
	return 0;
}

static int ictx_regions(struct ictx *c)
{
	size_t ps = page_size;
	char *g, *p;

	if (map_region(c, R_HEAP, "heap", HEAP_PAGES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
		return -1;
	c->guard = c->r[R_HEAP].base + c->r[R_HEAP].len;

	c->memfd = memfd_create("vmsim-fuzz", MFD_CLOEXEC);
	if (c->memfd < 0 || ftruncate(c->memfd, RO_PAGES * ps) ||
	    map_region(c, R_RO, "ro", RO_PAGES, PROT_READ, MAP_SHARED, c->memfd, 0))
		return -2;
	c->r[R_RO].rw = mmap(NULL, RO_PAGES * ps, PROT_READ | PROT_WRITE,
			     MAP_SHARED, c->memfd, 0);
	if (c->r[R_RO].rw == MAP_FAILED)
		return -3;

	if (map_region(c, R_VMSIM, "vmsim", VM_PAGES, PROT_READ | PROT_WRITE,
		       MAP_SHARED, c->ptrfd, 0) ||
	    map_region(c, R_VMSIM_RO, "vmsim_ro", VM_PAGES, PROT_READ,
		       MAP_SHARED, c->ptrfd, 0))
		return -4;
	c->r[R_VMSIM_RO].rw = c->r[R_VMSIM].base;

	/*
	 * The object's last page, grown by three pages beyond it: moved to
	 * the start of a reservation of five pages as it grows (a vmsim
	 * mapping cannot grow in place: the core does not merge VM_MIXEDMAP).
	 */
	g = reserve(5 * ps);
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, c->ptrfd,
		 (c->max - 1) * ps);
	if (!g || p == MAP_FAILED ||
	    mremap(p, ps, 4 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, g) != g)
		return -5;
	c->r[R_LAST] = (struct region){ .name = "last", .base = g, .rw = g,
					.len = ps, .readable = true,
					.writable = true };
	c->r[R_BEYOND] = (struct region){ .name = "beyond", .base = g + ps,
					  .rw = g + ps, .len = 3 * ps };

	/* A hole: a page of a reservation given back. */
	c->hole = reserve(3 * ps);
	if (!c->hole || munmap(c->hole + ps, ps))
		return -7;
	c->hole += ps;
	return 0;
}

static int ictx_paths(struct ictx *c)
{
	int fd, i = 0;

	strcpy(c->tmpfile, "/tmp/vmsim-fuzz-XXXXXX");
	fd = mkstemp(c->tmpfile);
	if (fd < 0 || write(fd, "not swap\n", 9) != 9)
		return -1;
	close(fd);
	strcpy(c->longname, "/tmp/");
	memset(c->longname + 5, 'n', 300);	/* a name beyond NAME_MAX */
	memset(c->toolong, 'p', sizeof(c->toolong) - 1);	/* beyond PATH_MAX */
	c->toolong[0] = '/';

	c->paths[i++] = (struct spath){ "empty", "", EINVAL };
	c->paths[i++] = (struct spath){ "missing", "/vmsim-fuzz-missing", ENOENT };
	c->paths[i++] = (struct spath){ "relative", "vmsim-fuzz-missing", ENOENT };
	c->paths[i++] = (struct spath){ "/dev/null", "/dev/null", ENOTBLK };
	c->paths[i++] = (struct spath){ "a directory", "/dev", ENOTBLK };
	c->paths[i++] = (struct spath){ "a tmpfs file", c->tmpfile, ENOTBLK };
	c->paths[i++] = (struct spath){ "under a file", "/dev/null/x", ENOTDIR };
	c->paths[i++] = (struct spath){ "a long name", c->longname, ENAMETOOLONG };
	c->paths[i++] = (struct spath){ "too long", c->toolong, ENAMETOOLONG };
	return i == NPATHS ? 0 : -1;
}

static int ictx_init(struct ictx *c, const struct vmsim_info *info)
{
	siginfo_t si;
	int i;

	memset(c, 0, sizeof(*c));
	c->max = info->max_object_pages;
	c->ptrfd = vmsim_open();
	if (c->ptrfd < 0)
		return -1;
	i = ictx_regions(c);
	if (i) {
		say("ioctl: cannot set up the regions (%d): %s\n", i, strerror(errno));
		return -1;
	}
	if (ictx_paths(c))
		return -1;
	for (i = 0; i < C_NR; i++)
		c->t[i].name = icmds[i].name;
	for (i = 0; i < SLOTS; i++) {
		c->slot[i].fd = vmsim_open();
		if (c->slot[i].fd < 0)
			return -1;
	}
	/* As root, swapoff with no struct gets EFAULT; without, EPERM. */
	c->admin = ioctl(c->ptrfd, VMSIM_IOC_SWAPOFF, NULL) == -1 && errno == EFAULT;

	/* A process that shares the mappings, and one that has exited. */
	fflush(NULL);
	c->child = fork();
	if (c->child < 0)
		return -1;
	if (!c->child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	c->zombie = fork();
	if (c->zombie < 0)
		return -1;
	if (!c->zombie)
		_exit(0);
	return waitid(P_PID, c->zombie, &si, WEXITED | WNOWAIT);
}

static void ictx_fini(struct ictx *c)
{
	int i;

	if (c->child > 0) {
		kill(c->child, SIGKILL);
		waitpid(c->child, NULL, 0);
	}
	if (c->zombie > 0)
		waitpid(c->zombie, NULL, 0);
	for (i = 0; i < SLOTS; i++) {
		if (c->slot[i].map)
			munmap(c->slot[i].map, SLOT_PAGES * page_size);
		if (c->slot[i].fd >= 0)
			close(c->slot[i].fd);
	}
	if (c->tmpfile[0])
		unlink(c->tmpfile);
}

static struct ictx ictx;

/*
 * Random ioctls on objects fresh, mapped, dirty and unmapped: unknown
 * and near-miss commands, real ones with random contents and pointers.
 */
TEST_F_TIMEOUT(fuzz, ioctl, 1200)
{
	struct ictx *c = &ictx;
	int i;

	ASSERT_EQ(0, ictx_init(c, &self->info)) {
		TH_LOG("setting up: %s", strerror(errno));
	}
	fuzz_start(&c->f, "ioctl", 0);
	if (!c->admin)
		say("ioctl: no CAP_SYS_ADMIN: SWAPON/SWAPOFF must give EPERM\n");
	while (c->f.calls < c->f.limit) {
		if (c->f.calls % STEP_EVERY == 0) {
			i = below(&c->f, SLOTS);
			ASSERT_EQ(0, slot_step(c, &c->slot[i])) {
				TH_LOG("slot %d (%s): %s", i,
				       slot_state[c->slot[i].state], strerror(errno));
			}
		}
		ioctl_one(c);
	}
	fuzz_report(&c->f, c->t, C_NR);
	say("ioctl: swapons that succeeded (and were undone): %lu\n",
	    c->swapons);
	ictx_fini(c);
	EXPECT_EQ(0, c->swapons);
	EXPECT_EQ(0, c->f.failures);
	/* Every kind of call was made, and some of each real one succeeded. */
	for (i = C_UNKNOWN; i < C_NR && c->f.limit >= 1000; i++) {
		EXPECT_LT(0, c->t[i].calls);
		if (i != C_UNKNOWN && i != C_SWAPON && i != C_SWAPOFF) {
			EXPECT_LT(0, c->t[i].ok) {
				TH_LOG("no %s call succeeded", icmds[i].name);
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * The mmap fuzzer
 *
 * Maps objects with random offsets, lengths, flags and protections, then
 * touches, mprotects, mremaps, madvises and unmaps parts of what it got.
 * It keeps a list of what is mapped where (object, first object page,
 * protection) and a tag for every object page it wrote: a touch must
 * raise a signal exactly when the list says so, and a read must find the
 * tag, or zero.  Pages are checked before they are unmapped, and every
 * object once more at the end.  MAP_FIXED only ever lands in a scratch
 * area reserved for it, and whatever leaves the scratch area is reserved
 * again at once, so nothing else of the process is ever overwritten.
 * The pages written stay under a quarter of the pool, so the pool is
 * never exhausted: a SIGBUS within max_object_mb is a failure.
 */

#define MF_OBJS		3
#define MF_ENTS		64	/* entries in the list */
#define MF_LIVE		24	/* mappings kept at most */
#define SCRATCH_PAGES	512
#define POPULATE_MAX	64	/* pages MAP_POPULATE or MADV_POPULATE_* fault in */
#define MAP_UNKNOWN1	0x200000	/* flag bits no kernel knows */
#define MAP_UNKNOWN2	0x800000

#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << 26)
#define MAP_HUGE_1GB		(30 << 26)
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif

/* A run of pages mapped from one object, at one protection. */
struct span {
	char *addr;
	uint64_t pages;
	uint64_t pgoff;		/* the object page at @addr */
	int prot, obj;
	bool live;
};

/* An object page written, and the tag it holds. */
struct mrec {
	int obj;
	uint64_t idx, tag;
};

enum { M_MMAP, M_TOUCH, M_MPROTECT, M_MREMAP, M_MADVISE, M_MUNMAP, M_NR };

static const char * const mcall_name[] = {
	"mmap", "touch", "mprotect", "mremap", "madvise", "munmap",
};

struct mctx {
	struct fuzz f;
	uint64_t max;		/* max_object_pages */
	uint64_t pool;
	int fd[MF_OBJS];
	struct span m[MF_ENTS];
	struct mrec *rec;
	size_t nrec, budget;
	char *scratch;
	bool no_madvise;		/* CONFIG_ADVISE_SYSCALLS=n */
	bool check_maps;		/* VMSIM_FUZZ_CHECK_MAPS */
	unsigned long written, checked;	/* pages written; tags read back */
	unsigned long pool_sigbus;	/* SIGBUS with the pool (nearly) empty */
	struct tally t[M_NR];
};

/*
 * The errnos of mmap (vmsim's and the core's), mremap and madvise on a
 * mapping are in Documentation/uapi.rst; the rest are the man pages'.
 */
static const int doc_mmap[] = {
	EINVAL, EPERM, ENOMEM, EOVERFLOW, EEXIST, EOPNOTSUPP, 0
};

static const int doc_mprotect[] = { EINVAL, EACCES, ENOMEM, 0 };
static const int doc_mremap[] = { EINVAL, ENOMEM, EFAULT, EAGAIN, 0 };

static const int doc_madvise[] = {
	EINVAL, EACCES, ENODEV, EOPNOTSUPP, EFAULT, ENOMEM, EAGAIN, 0
};

static const int doc_munmap[] = { EINVAL, 0 };

static uint64_t npages(uint64_t len)
{
	return len / page_size + !!(len % page_size);
}

static char *span_end(const struct span *m)
{
	return m->addr + m->pages * page_size;
}

static int live_count(const struct mctx *c)
{
	int i, n = 0;

	for (i = 0; i < MF_ENTS; i++)
		n += c->m[i].live;
	return n;
}

static struct span *random_live(struct mctx *c)
{
	int i, n = below(&c->f, live_count(c));

	for (i = 0; i < MF_ENTS; i++)
		if (c->m[i].live && !n--)
			return &c->m[i];
	return NULL;
}

static struct span *span_add(struct mctx *c, char *addr, uint64_t pages,
			     uint64_t pgoff, int prot, int obj)
{
	int i;

	for (i = 0; i < MF_ENTS; i++) {
		if (c->m[i].live)
			continue;
		c->m[i] = (struct span){ addr, pages, pgoff, prot, obj, true };
		return &c->m[i];
	}
	fuzz_fail(&c->f, "the list of mappings is full");
	return NULL;
}

static struct mrec *rec_find(struct mctx *c, int obj, uint64_t idx)
{
	size_t i;

	for (i = 0; i < c->nrec; i++)
		if (c->rec[i].obj == obj && c->rec[i].idx == idx)
			return &c->rec[i];
	return NULL;
}

static void rec_set(struct mctx *c, int obj, uint64_t idx, uint64_t tag)
{
	struct mrec *r = rec_find(c, obj, idx);

	if (!r && c->nrec < c->budget)
		r = &c->rec[c->nrec++];
	if (r)
		*r = (struct mrec){ obj, idx, tag };
}

static void rec_drop_obj(struct mctx *c, int obj)
{
	size_t i = 0;

	while (i < c->nrec) {
		if (c->rec[i].obj == obj)
			c->rec[i] = c->rec[--c->nrec];
		else
			i++;
	}
}

/* ---- touching pages, with the signals caught ---- */

static sigjmp_buf touch_env;
static int touch_armed;	/* __atomic: the handler reads it */

static void touch_handler(int sig)
{
	if (__atomic_load_n(&touch_armed, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&touch_armed, 0, __ATOMIC_SEQ_CST);
		siglongjmp(touch_env, sig);
	}
	signal(sig, SIG_DFL);	/* not ours: die of it */
}

/*
 * Write @tag over the page at @p, or read it and see that it holds @tag
 * (zero if 0).  Return the signal the access raised, or 0.
 */
static int touch_page(char *p, bool write, uint64_t tag, bool *good)
{
	int sig = sigsetjmp(touch_env, 1);

	if (sig)
		return sig;
	__atomic_store_n(&touch_armed, 1, __ATOMIC_SEQ_CST);
	if (write)
		page_fill(p, tag);
	else
		*good = tag ? page_check(p, tag) : page_is_zero(p);
	__atomic_store_n(&touch_armed, 0, __ATOMIC_SEQ_CST);
	return 0;
}

static const char *prot_str(int prot)
{
	static const char * const s[] = {
		"---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx",
	};

	return s[prot & 7];
}

/* The signal an access must raise: no permission first, then the limit. */
static int touch_due(const struct mctx *c, const struct span *m, uint64_t idx,
		     bool write)
{
	if (write ? !(m->prot & PROT_WRITE) :
		    !(m->prot & (PROT_READ | PROT_WRITE)))
		return SIGSEGV;
	return idx >= c->max ? SIGBUS : 0;
}

static void count_signal(struct mctx *c, int sig)
{
	if (sig == SIGSEGV)
		c->f.sigsegv++;
	else if (sig == SIGBUS)
		c->f.sigbus++;
}

/* A SIGBUS within the limit is legal only when the pool has run out. */
static bool pool_exhausted(const struct mctx *c)
{
	long free_pages = vmsim_free_pages();

	return free_pages >= 0 && (uint64_t)free_pages < c->pool / 32;
}

/* Touch page @i of @m; check the signal and, after a read, the data. */
static void touch(struct mctx *c, struct span *m, uint64_t i, bool write,
		  const char *why)
{
	uint64_t idx = m->pgoff + i, tag = 0;
	char *p = m->addr + i * page_size;
	struct mrec *r = rec_find(c, m->obj, idx);
	bool good = true;
	int due, sig;

	if (write && !r && c->nrec >= c->budget)
		write = false;		/* over the budget: read instead */
	tag = write ? rnd(&c->f) | 1 : r ? r->tag : 0;
	due = touch_due(c, m, idx, write);
	snprintf(c->f.what, sizeof(c->f.what),
		 "%s: %s %p (object %d page %#llx, %s)", why,
		 write ? "write" : "read", p, m->obj, (unsigned long long)idx,
		 prot_str(m->prot));
	sig = touch_page(p, write, tag, &good);
	if (c->f.calls >= c->f.trace && c->f.calls < c->f.trace + TRACE_CALLS)
		say("%s: call %lu: %s: %s\n", c->f.name, c->f.calls, c->f.what,
		    sig ? strsignal(sig) : "ok");
	c->f.calls++;
	c->t[M_TOUCH].calls++;
	c->t[M_TOUCH].ok += !sig;
	count_signal(c, sig);
	if (sig == SIGBUS && !due && pool_exhausted(c))
		c->pool_sigbus++;
	else if (sig != due)
		fuzz_fail(&c->f, "%s, expected %s", sig ? strsignal(sig) : "no signal",
			  due ? strsignal(due) : "none");
	if (!sig && write) {
		rec_set(c, m->obj, idx, tag);
		c->written++;
	}
	if (!sig && !write && good && tag)
		c->checked++;
	if (!sig && !write && !good)
		fuzz_fail(&c->f, "read %#llx, expected %s %#llx",
			  (unsigned long long)*(uint64_t *)p,
			  tag ? "the tag" : "zero", (unsigned long long)tag);
}

/*
 * Check the pages of @m in [lo, hi) that hold a tag, and two that must
 * be zero, if @m can be read.
 */
static void verify(struct mctx *c, const struct span *m, char *lo, char *hi)
{
	uint64_t first = (lo - m->addr) / page_size, n = (hi - lo) / page_size;
	struct span copy = *m;
	uint64_t i, idx;
	size_t j;

	if (!(m->prot & (PROT_READ | PROT_WRITE)) || !n)
		return;
	for (j = 0; j < c->nrec; j++) {
		idx = c->rec[j].idx;
		if (c->rec[j].obj == m->obj && idx >= m->pgoff + first &&
		    idx < m->pgoff + first + n && idx < c->max)
			touch(c, &copy, idx - m->pgoff, false, "check");
	}
	for (j = 0; j < 2; j++) {
		i = first + below(&c->f, n);
		if (m->pgoff + i < c->max && !rec_find(c, m->obj, m->pgoff + i))
			touch(c, &copy, i, false, "check");
	}
}

/* ---- the list, and the scratch area ---- */

/* Split the entry that has @at inside it, so that one starts at @at. */
static void spans_split(struct mctx *c, char *at)
{
	struct span *m, *n;
	int i;

	for (i = 0; i < MF_ENTS; i++) {
		m = &c->m[i];
		if (!m->live || at <= m->addr || at >= span_end(m))
			continue;
		n = span_add(c, at, (span_end(m) - at) / page_size,
			     m->pgoff + (at - m->addr) / page_size, m->prot, m->obj);
		if (n)
			m->pages = (at - m->addr) / page_size;
		return;
	}
}

/* Give [lo, hi) back to the scratch reservation, where it is in it. */
static void scratch_refill(struct mctx *c, char *lo, char *hi)
{
	char *s = c->scratch, *e = s + SCRATCH_PAGES * page_size;

	lo = lo > s ? lo : s;
	hi = hi < e ? hi : e;
	if (lo >= hi)
		return;
	if (mmap(lo, hi - lo, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) != lo)
		fuzz_fail(&c->f, "cannot reserve scratch %p-%p again: %s", lo,
			  hi, strerror(errno));
}

/* Take [lo, hi) off the list. */
static void spans_drop(struct mctx *c, char *lo, char *hi)
{
	int i;

	spans_split(c, lo);
	spans_split(c, hi);
	for (i = 0; i < MF_ENTS; i++)
		if (c->m[i].live && c->m[i].addr >= lo && span_end(&c->m[i]) <= hi)
			c->m[i].live = false;
}

/* [lo, hi) is no longer mapped: take it off the list, refill scratch. */
static void forget(struct mctx *c, char *lo, char *hi)
{
	spans_drop(c, lo, hi);
	scratch_refill(c, lo, hi);
}

/* @pages pages of scratch that no mapping on the list uses, or NULL. */
static char *scratch_free(struct mctx *c, uint64_t pages, char *avoid,
			  uint64_t avoid_len)
{
	char *p, *e;
	int try, i;

	if (!pages || pages > SCRATCH_PAGES)
		return NULL;
	for (try = 0; try < 8; try++) {
		p = c->scratch + below(&c->f, SCRATCH_PAGES - pages + 1) * page_size;
		e = p + pages * page_size;
		for (i = 0; i < MF_ENTS; i++)
			if (c->m[i].live && c->m[i].addr < e && p < span_end(&c->m[i]))
				break;
		if (i == MF_ENTS && (e <= avoid || p >= avoid + avoid_len))
			return p;
	}
	return NULL;
}

static bool in_scratch(const struct mctx *c, uint64_t p)
{
	return p >= (uintptr_t)c->scratch &&
	       p < (uintptr_t)c->scratch + SCRATCH_PAGES * page_size;
}

/* A random run [*i, *i + *n) of @m's pages. */
static void pick_run(struct mctx *c, const struct span *m, uint64_t *i,
		     uint64_t *n, uint64_t most)
{
	*i = chance(&c->f, 30) ? 0 : below(&c->f, m->pages);
	*n = 1 + below(&c->f, m->pages - *i);
	if (*n > most)
		*n = most;
}

/*
 * With VMSIM_FUZZ_CHECK_MAPS set: after every call, each mapping on the
 * list must be /dev/vmsim in /proc/self/maps, with its protection and
 * offset (a check of the list, and of the kernel).
 */
static void check_maps(struct mctx *c)
{
	unsigned long long lo, hi, off;
	char perms[8], path[64], line[256];
	uint64_t a, e, got, want;
	struct span *m;
	int i, n;
	FILE *f;

	for (i = 0; i < MF_ENTS; i++) {
		m = &c->m[i];
		if (!m->live)
			continue;
		a = (uintptr_t)m->addr;
		e = (uintptr_t)span_end(m);
		f = fopen("/proc/self/maps", "r");
		if (!f)
			return;
		while (a < e && fgets(line, sizeof(line), f)) {
			path[0] = 0;
			n = sscanf(line, "%llx-%llx %7s %llx %*s %*s %63s", &lo, &hi,
				   perms, &off, path);
			if (n < 4 || hi <= a || lo > a)
				continue;
			got = off / page_size + (a - lo) / page_size;
			want = m->pgoff + (a - (uintptr_t)m->addr) / page_size;
			if (strcmp(path, VMSIM_DEVICE) || got != want ||
			    (perms[0] == 'r') != !!(m->prot & PROT_READ) ||
			    (perms[1] == 'w') != !!(m->prot & PROT_WRITE))
				break;
			a = hi;
		}
		fclose(f);
		if (a < e)
			fuzz_fail(&c->f, "listed: object %d pages %#llx+%llu %s at %p; %#llx: %s",
				  m->obj, (unsigned long long)m->pgoff,
				  (unsigned long long)m->pages, prot_str(m->prot),
				  m->addr, (unsigned long long)a, line);
	}
}

/* ---- mmap ---- */

struct margs {
	uint64_t addr, len, off;
	int prot, flags, obj;
};

static uint64_t pick_len(struct mctx *c)
{
	struct fuzz *f = &c->f;
	uint64_t ps = page_size;

	switch (below(f, 14)) {
	case 0:
		return 0;
	case 1:
		return 1 + below(f, ps - 1);
	case 2:
		return (1 + below(f, 16)) * ps + 1 + below(f, ps - 1);
	case 3:
		return c->max * ps;
	case 4:
		return (c->max + 1) * ps;
	case 5:
		return 1ULL << (30 + below(f, 18));
	case 6:
		return -(1 + below(f, 4)) * ps;
	case 7:
		return rnd(f);
	default:
		return (1 + below(f, 64)) * ps;
	}
}

static uint64_t pick_off(struct mctx *c, uint64_t len)
{
	uint64_t ps = page_size, limit = c->max * ps, end;
	struct fuzz *f = &c->f;

	end = len < limit ? limit - npages(len) * ps : 0;
	switch (below(f, 14)) {
	case 0:
		return end;			/* up to the limit */
	case 1:
		return end + ps;		/* one page over */
	case 2:
		return limit;
	case 3:
		return below(f, limit);		/* unaligned */
	case 4:
		return -(1 + below(f, 4)) * ps;	/* negative */
	case 5:
		return (1ULL << (40 + below(f, 23))) & ~(ps - 1);
	case 6:
		return rnd(f);
	case 7: case 8:
		return below(f, c->max) * ps;
	default:
		return below(f, 64) * ps;
	}
}

static int pick_prot(struct fuzz *f)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE, PROT_EXEC,
		PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
		PROT_READ | PROT_SEM,
	};

	return prots[below(f, ARRAY_SIZE(prots))];
}

static int pick_mflags(struct fuzz *f)
{
	static const int types[] = {
		MAP_SHARED, MAP_SHARED, MAP_SHARED, MAP_SHARED, MAP_SHARED,
		MAP_SHARED_VALIDATE, MAP_SHARED_VALIDATE, MAP_PRIVATE, 0,
		0x08, 0x0f,
	};
	static const int extras[] = {
		MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_POPULATE, MAP_NORESERVE,
		MAP_LOCKED, MAP_NONBLOCK, MAP_32BIT, MAP_GROWSDOWN, MAP_HUGETLB,
		MAP_SYNC, MAP_STACK, MAP_DENYWRITE, MAP_EXECUTABLE,
		MAP_UNKNOWN1, MAP_UNKNOWN2,
	};
	int flags = types[below(f, ARRAY_SIZE(types))];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(extras); i++)
		if (chance(f, extras[i] == MAP_FIXED ? 25 : 6))
			flags |= extras[i];
	return flags;
}

/* The flags MAP_SHARED_VALIDATE knows (LEGACY_MAP_MASK) */
#define MAP_KNOWN	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | \
			 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
			 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | \
			 MAP_HUGE_2MB | MAP_HUGE_1GB)

/*
 * Every refusal that applies, in no particular order: the core's (which
 * come first), then vmsim's.
 */
static void expect_mmap(const struct mctx *c, const struct margs *a,
			struct expect *e)
{
	uint64_t ps = page_size, pages = npages(a->len), pgoff = a->off / ps;
	int type = a->flags & MAP_TYPE;
	bool fixed = a->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);

	if (a->off % ps || !a->len)
		must_fail(e, EINVAL);
	if (pages >= (1ULL << 35))		/* beyond the address space */
		must_fail(e, ENOMEM);
	if (a->len && pgoff > (~0ULL - pages * ps) / ps)
		must_fail(e, EOVERFLOW);	/* offset + length wraps */
	if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE && type != MAP_PRIVATE)
		must_fail(e, EINVAL);
	if (type == MAP_SHARED_VALIDATE && (a->flags & ~MAP_KNOWN))
		must_fail(e, EOPNOTSUPP);
	if (a->flags & (MAP_GROWSDOWN | MAP_HUGETLB))
		must_fail(e, EINVAL);
	if (fixed && a->addr % ps)
		must_fail(e, EINVAL);
	if (a->flags & MAP_FIXED_NOREPLACE) {
		if (in_scratch(c, a->addr))
			must_fail(e, EEXIST);
		else
			may_fail(e, EEXIST);
	}
	if (!fixed && (pages > (1ULL << 28) || a->flags & MAP_32BIT))
		may_fail(e, ENOMEM);		/* no room */

	if (type == MAP_PRIVATE && a->prot & PROT_WRITE && !(a->flags & MAP_NORESERVE))
		may_fail(e, ENOMEM);		/* the commit charge comes first */

	if (type == MAP_PRIVATE)
		must_fail(e, EINVAL);
	if (a->prot & PROT_EXEC)
		must_fail(e, EPERM);
	if (pgoff >= c->max || pages > c->max - pgoff)
		must_fail(e, EINVAL);
}

/* Where to map: a free part of scratch for MAP_FIXED; else a hint. */
static void pick_place(struct mctx *c, struct margs *a)
{
	struct fuzz *f = &c->f;
	char *p;

	a->addr = 0;
	if (a->flags & MAP_FIXED_NOREPLACE) {
		/* Never replaces: into scratch (taken), or a free-looking spot. */
		if (chance(f, 50))
			a->addr = (uintptr_t)c->scratch + below(f, SCRATCH_PAGES) * page_size;
		else
			a->addr = 0x3f0000000000ULL + below(f, 1ULL << 28) * page_size;
	} else if (a->flags & MAP_FIXED) {
		p = scratch_free(c, npages(a->len), NULL, 0);
		if (p)
			a->addr = (uintptr_t)p;
		else
			a->flags &= ~MAP_FIXED;
	} else if (chance(f, 20)) {
		a->addr = below(f, 1ULL << 47);		/* a hint */
	}
	if ((a->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && chance(f, 5))
		a->addr += 1 + below(f, page_size - 1);	/* unaligned */
}

static void op_mmap(struct mctx *c)
{
	struct fuzz *f = &c->f;
	struct margs a;
	struct expect e;
	struct span *m;
	long ret;
	int type, err;

	a.obj = below(f, MF_OBJS);
	if (chance(f, 40)) {
		/* One that should work: at the start or the end of the object. */
		a.len = (1 + below(f, 64)) * page_size;
		a.off = chance(f, 50) ? below(f, 64) * page_size :
			c->max * page_size - a.len - below(f, 64) * page_size;
		a.prot = chance(f, 80) ? PROT_READ | PROT_WRITE : pick_prot(f);
		a.flags = MAP_SHARED | (pick_mflags(f) & ~MAP_TYPE);
	} else {
		a.len = pick_len(c);
		a.off = pick_off(c, a.len);
		a.prot = pick_prot(f);
		a.flags = pick_mflags(f);
	}
	pick_place(c, &a);
	/* Bounded: MAP_POPULATE and MAP_LOCKED fault every page in. */
	if (npages(a.len) > POPULATE_MAX)
		a.flags &= ~(MAP_POPULATE | MAP_LOCKED);

	expect_init(&e);
	expect_mmap(c, &a, &e);
	snprintf(f->what, sizeof(f->what),
		 "mmap(%#llx, %#llx, %#x, %#x, object %d, %#llx)",
		 (unsigned long long)a.addr, (unsigned long long)a.len, a.prot,
		 a.flags, a.obj, (unsigned long long)a.off);
	ret = syscall(SYS_mmap, a.addr, a.len, a.prot, a.flags, c->fd[a.obj], a.off);
	err = errno;
	judge(f, &c->t[M_MMAP], ret == -1, err, &e, doc_mmap);

	if (ret == -1) {
		/*
		 * Refused after the old mapping went?  (Not for alignment, and
		 * never with MAP_FIXED_NOREPLACE, which replaces nothing.)
		 */
		if ((a.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) == MAP_FIXED &&
		    !(a.addr % page_size))
			scratch_refill(c, (char *)(uintptr_t)a.addr,
				       (char *)(uintptr_t)a.addr + npages(a.len) * page_size);
		return;
	}
	type = a.flags & MAP_TYPE;
	if ((a.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (uint64_t)ret != a.addr)
		fuzz_fail(f, "mapped at %#lx, not where asked", ret);
	if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE) {
		munmap((void *)ret, a.len);	/* reported already */
		scratch_refill(c, (char *)ret, (char *)ret + npages(a.len) * page_size);
		return;
	}
	m = span_add(c, (char *)ret, npages(a.len), a.off / page_size,
		     a.prot & (PROT_READ | PROT_WRITE | PROT_EXEC), a.obj);
	if (m && chance(f, 50))
		touch(c, m, below(f, m->pages), chance(f, 50), "after mmap");
}

/* ---- touch, mprotect, mremap, madvise, munmap ---- */

static void op_touch(struct mctx *c, struct span *m)
{
	uint64_t i;

	/* A mapping grown beyond the limit: often a page out there. */
	if (m->pgoff + m->pages > c->max && chance(&c->f, 30)) {
		i = c->max > m->pgoff ? c->max - m->pgoff : 0;
		i += below(&c->f, m->pages - i);
		touch(c, m, i, chance(&c->f, 50), "touch");
		return;
	}
	switch (below(&c->f, 3)) {
	case 0:
		i = 0;
		break;
	case 1:
		i = m->pages - 1;
		break;
	default:
		i = below(&c->f, m->pages);
		break;
	}
	touch(c, m, i, chance(&c->f, 50), "touch");
}

static void op_mprotect(struct mctx *c, struct span *m)
{
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ, PROT_EXEC, PROT_READ | PROT_EXEC,
		PROT_READ | PROT_SEM, 0x10, PROT_GROWSDOWN | PROT_READ,
	};
	struct fuzz *f = &c->f;
	uint64_t i, n, lo;
	struct expect e;
	int prot, ret;

	pick_run(c, m, &i, &n, ~0ULL);
	lo = (uintptr_t)m->addr + i * page_size;
	prot = prots[below(f, ARRAY_SIZE(prots))];
	if (chance(f, 5))
		lo += 1 + below(f, page_size - 1);
	if (chance(f, 5))
		n = 0;

	expect_init(&e);
	if (lo % page_size) {
		must_fail(&e, EINVAL);
	} else if (n) {		/* no length: nothing to do, whatever @prot */
		if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
			must_fail(&e, EINVAL);
		else if (prot & PROT_EXEC)
			must_fail(&e, EACCES);	/* documented */
	}
	snprintf(f->what, sizeof(f->what),
		 "mprotect(%#llx, %llu pages, %#x) of object %d pages %#llx+%llu",
		 (unsigned long long)lo, (unsigned long long)n, prot, m->obj,
		 (unsigned long long)m->pgoff, (unsigned long long)m->pages);
	ret = mprotect((void *)(uintptr_t)lo, n * page_size, prot);
	judge(f, &c->t[M_MPROTECT], ret == -1, errno, &e, doc_mprotect);
	if (ret || !n)
		return;
	spans_split(c, (char *)(uintptr_t)lo);
	spans_split(c, (char *)(uintptr_t)lo + n * page_size);
	for (i = 0; i < MF_ENTS; i++) {
		m = &c->m[i];
		if (m->live && (uintptr_t)m->addr >= lo &&
		    (uintptr_t)span_end(m) <= lo + n * page_size)
			m->prot = prot & (PROT_READ | PROT_WRITE);
	}
}

enum { RM_SHRINK, RM_GROW, RM_MAYMOVE, RM_FIXED, RM_DONTUNMAP, RM_DUP, RM_BAD, RM_NR };

static const char * const rm_name[] = {
	"shrink", "grow", "grow-or-move", "move", "dontunmap", "duplicate", "bad",
};

/* mremap() arguments for a kind of call on the pages from @old of @m. */
static void pick_mremap(struct mctx *c, const struct span *m, int kind,
			char *old, uint64_t *old_pages, uint64_t *new_pages,
			int *flags, char **target)
{
	struct fuzz *f = &c->f;
	uint64_t grow;

	*flags = 0;
	*target = NULL;
	*new_pages = *old_pages;
	grow = chance(f, 80) ? 1 + below(f, 16) : chance(f, 50) ? c->max : 1ULL << 24;
	switch (kind) {
	case RM_SHRINK:
		*new_pages = 1 + below(f, *old_pages - 1);
		break;
	case RM_GROW:
		*new_pages = *old_pages + grow;
		break;
	case RM_MAYMOVE:
		*new_pages = *old_pages + grow;
		*flags = MREMAP_MAYMOVE;
		break;
	case RM_FIXED:
		*new_pages = chance(f, 50) ? *old_pages : 1 + below(f, *old_pages + 8);
		*flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		*target = scratch_free(c, *new_pages, old, *old_pages * page_size);
		break;
	case RM_DONTUNMAP:
		*flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		break;
	case RM_DUP:
		*old_pages = 0;
		*new_pages = 1 + below(f, 32);
		*flags = MREMAP_MAYMOVE;
		break;
	}
}

/* Move the list along with a successful mremap() of [old, +old_pages). */
static void mremap_done(struct mctx *c, const struct span *m, int kind,
			char *old, uint64_t old_pages, uint64_t new_pages,
			char *to)
{
	uint64_t pgoff = m->pgoff + (old - m->addr) / page_size;
	char *old_end = old + old_pages * page_size;
	int prot = m->prot, obj = m->obj;

	if (kind == RM_DONTUNMAP || kind == RM_DUP) {
		/* The old range stays mapped. */
	} else if (to == old) {
		/* In place (same length, or shrunk): only a tail went. */
		if (new_pages < old_pages)
			forget(c, old + new_pages * page_size, old_end);
		spans_drop(c, old, old_end);
	} else {
		forget(c, old, old_end);
	}
	span_add(c, to, new_pages, pgoff, prot, obj);
}

static void op_mremap(struct mctx *c, struct span *m)
{
	struct fuzz *f = &c->f;
	uint64_t i, old_pages, new_pages;
	char *old, *target, *ret;
	int kind, flags, err;
	struct expect e;

	kind = below(f, RM_NR);
	/* The pages from @i to the end of @m. */
	i = chance(f, 50) ? 0 : below(f, m->pages);
	old = m->addr + i * page_size;
	old_pages = m->pages - i;
	if (kind == RM_SHRINK && old_pages < 2)
		kind = RM_GROW;
	pick_mremap(c, m, kind, old, &old_pages, &new_pages, &flags, &target);
	if (kind == RM_FIXED && !target) {
		kind = RM_MAYMOVE;
		flags = MREMAP_MAYMOVE;
	}
	if (new_pages < old_pages && kind != RM_DUP)	/* check what leaves */
		verify(c, m, old + new_pages * page_size, span_end(m));

	expect_init(&e);
	if (kind == RM_GROW)
		must_fail(&e, ENOMEM);	/* VM_MIXEDMAP: never grows in place */
	if (kind == RM_MAYMOVE || kind == RM_DUP || kind == RM_DONTUNMAP)
		may_fail(&e, ENOMEM);	/* no room anywhere */
	if (kind == RM_BAD) {
		switch (below(f, 5)) {
		case 0:
			old += 1 + below(f, page_size - 1);
			break;
		case 1:
			flags = (int)(1U << (3 + below(f, 29)));
			break;
		case 2:
			flags = MREMAP_FIXED;
			target = c->scratch;
			break;
		case 3:
			new_pages = 0;
			break;
		default:
			flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
			new_pages = old_pages + 1;
			break;
		}
		must_fail(&e, EINVAL);
	}
	snprintf(f->what, sizeof(f->what),
		 "mremap(%p, %llu pages, %llu pages, %#x, %p) [%s] of object %d pages %#llx+%llu %s",
		 old, (unsigned long long)old_pages, (unsigned long long)new_pages,
		 flags, target, rm_name[kind], m->obj, (unsigned long long)m->pgoff,
		 (unsigned long long)m->pages, prot_str(m->prot));
	ret = mremap(old, old_pages * page_size, new_pages * page_size, flags, target);
	err = errno;
	judge(f, &c->t[M_MREMAP], ret == MAP_FAILED, err, &e, doc_mremap);
	if (ret == MAP_FAILED) {
		/* MREMAP_FIXED may have unmapped the target before failing. */
		if (target && kind == RM_FIXED)
			scratch_refill(c, target, target + new_pages * page_size);
		return;
	}
	if (kind == RM_BAD) {
		fuzz_fail(f, "a bad mremap() succeeded; the list is now wrong");
		return;
	}
	if ((kind == RM_SHRINK || kind == RM_GROW) && ret != old)
		fuzz_fail(f, "moved to %p without MREMAP_MAYMOVE", ret);
	if (kind == RM_FIXED && ret != target)
		fuzz_fail(f, "moved to %p, not to %p", ret, target);
	mremap_done(c, m, kind, old, old_pages, new_pages, ret);
}

/* madvise() and what it must do on a vmsim mapping. */
enum {
	MA_OK,		/* must succeed */
	MA_EINVAL,	/* must fail: not for this kind of mapping */
	MA_UNKNOWN,	/* must fail: no such advice */
	MA_CONFIG,	/* EINVAL without CONFIG_KSM or CONFIG_TRANSPARENT_HUGEPAGE */
	MA_REMOVE,
	MA_POP_READ,
	MA_POP_WRITE,
	MA_COLLAPSE,
};

struct madv {
	const char *name;
	int advice, kind;
};

static const struct madv madvs[] = {
	{ "NORMAL", MADV_NORMAL, MA_OK },
	{ "RANDOM", MADV_RANDOM, MA_OK },
	{ "SEQUENTIAL", MADV_SEQUENTIAL, MA_OK },
	{ "WILLNEED", MADV_WILLNEED, MA_OK },
	{ "DONTNEED", MADV_DONTNEED, MA_OK },
	{ "DONTNEED", MADV_DONTNEED, MA_OK },
	{ "FREE", MADV_FREE, MA_EINVAL },		/* anonymous only */
	{ "REMOVE", MADV_REMOVE, MA_REMOVE },
	{ "DONTFORK", MADV_DONTFORK, MA_OK },
	{ "DOFORK", MADV_DOFORK, MA_OK },
	{ "MERGEABLE", MADV_MERGEABLE, MA_CONFIG },
	{ "UNMERGEABLE", MADV_UNMERGEABLE, MA_CONFIG },
	{ "HUGEPAGE", MADV_HUGEPAGE, MA_CONFIG },
	{ "NOHUGEPAGE", MADV_NOHUGEPAGE, MA_CONFIG },
	{ "DONTDUMP", MADV_DONTDUMP, MA_OK },
	{ "DODUMP", MADV_DODUMP, MA_EINVAL },		/* VM_MIXEDMAP */
	{ "WIPEONFORK", MADV_WIPEONFORK, MA_EINVAL },	/* private only */
	{ "KEEPONFORK", MADV_KEEPONFORK, MA_OK },
	{ "COLD", MADV_COLD, MA_OK },
	{ "PAGEOUT", MADV_PAGEOUT, MA_OK },
	{ "POPULATE_READ", MADV_POPULATE_READ, MA_POP_READ },
	{ "POPULATE_WRITE", MADV_POPULATE_WRITE, MA_POP_WRITE },
	{ "DONTNEED_LOCKED", MADV_DONTNEED_LOCKED, MA_OK },
	{ "COLLAPSE", MADV_COLLAPSE, MA_COLLAPSE },
	{ "5", 5, MA_UNKNOWN },
	{ "7", 7, MA_UNKNOWN },
	{ "99", 99, MA_UNKNOWN },
	{ "1000", 1000, MA_UNKNOWN },
	{ "-1", -1, MA_UNKNOWN },
};

static void expect_madvise(const struct mctx *c, const struct span *m,
			   const struct madv *ma, uint64_t i, uint64_t n,
			   bool aligned, struct expect *e)
{
	int need = ma->kind == MA_POP_READ ? PROT_READ : PROT_WRITE;

	if (ma->kind == MA_UNKNOWN || !aligned) {
		must_fail(e, EINVAL);
		return;
	}
	if (ma->kind == MA_CONFIG || ma->kind == MA_COLLAPSE)
		may_fail(e, EINVAL);
	if (!n)
		return;			/* nothing to do */
	switch (ma->kind) {
	case MA_EINVAL:
		must_fail(e, EINVAL);
		break;
	case MA_COLLAPSE:		/* not for this kind of memory */
		may_fail(e, EAGAIN);
		may_fail(e, ENOMEM);
		break;
	case MA_REMOVE:			/* no hole punching in /dev/vmsim */
		must_fail(e, EACCES);
		must_fail(e, ENODEV);
		must_fail(e, EOPNOTSUPP);
		break;
	case MA_POP_READ:
	case MA_POP_WRITE:
		if (!(m->prot & need))
			must_fail(e, EINVAL);
		else if (m->pgoff + i + n > c->max)
			must_fail(e, EFAULT);	/* SIGBUS beyond the limit */
		break;
	}
}

static void op_madvise(struct mctx *c, struct span *m)
{
	const struct madv *ma = &madvs[below(&c->f, ARRAY_SIZE(madvs))];
	struct fuzz *f = &c->f;
	bool aligned = true;
	struct expect e;
	uint64_t i, n;
	char *lo;
	int ret;

	pick_run(c, m, &i, &n, ma->kind == MA_POP_READ || ma->kind == MA_POP_WRITE ?
		 POPULATE_MAX : ~0ULL);
	lo = m->addr + i * page_size;
	if (chance(f, 4)) {
		lo += 1 + below(f, page_size - 1);
		aligned = false;
	}
	if (chance(f, 4))
		n = 0;
	expect_init(&e);
	expect_madvise(c, m, ma, i, n, aligned, &e);
	snprintf(f->what, sizeof(f->what),
		 "madvise(%p, %llu pages, MADV_%s) of object %d pages %#llx+%llu %s",
		 lo, (unsigned long long)n, ma->name, m->obj,
		 (unsigned long long)m->pgoff, (unsigned long long)m->pages,
		 prot_str(m->prot));
	ret = madvise(lo, n * page_size, ma->advice);
	judge(f, &c->t[M_MADVISE], ret == -1, errno, &e, doc_madvise);
	/* Advice that sets VMA flags splits the VMA there: so does the list. */
	if (!ret && n) {
		spans_split(c, lo);
		spans_split(c, lo + n * page_size);
	}
}

/* Unmap pages [i, i + n) of @m, after checking them. */
static void unmap_run(struct mctx *c, struct span *m, uint64_t i, uint64_t n,
		      const char *why)
{
	char *lo = m->addr + i * page_size, *hi = lo + n * page_size;
	struct expect e;
	int ret;

	verify(c, m, lo, hi);
	expect_init(&e);
	snprintf(c->f.what, sizeof(c->f.what),
		 "munmap(%p, %llu pages) [%s] of object %d pages %#llx+%llu", lo,
		 (unsigned long long)n, why, m->obj, (unsigned long long)m->pgoff,
		 (unsigned long long)m->pages);
	ret = munmap(lo, n * page_size);
	judge(&c->f, &c->t[M_MUNMAP], ret == -1, errno, &e, doc_munmap);
	if (!ret)
		forget(c, lo, hi);
}

static void op_munmap(struct mctx *c, struct span *m)
{
	struct fuzz *f = &c->f;
	struct expect e;
	uint64_t i, n;
	char *lo;
	int ret;

	pick_run(c, m, &i, &n, ~0ULL);
	if (chance(f, 90)) {
		unmap_run(c, m, i, n, "part");
		return;
	}
	/* Refused: an unaligned start, or no length. */
	lo = m->addr + i * page_size;
	if (chance(f, 50))
		lo += 1 + below(f, page_size - 1);
	else
		n = 0;
	expect_init(&e);
	must_fail(&e, EINVAL);
	snprintf(f->what, sizeof(f->what), "munmap(%p, %llu pages)", lo,
		 (unsigned long long)n);
	ret = munmap(lo, n * page_size);
	judge(f, &c->t[M_MUNMAP], ret == -1, errno, &e, doc_munmap);
}

/* Unmap every mapping of @obj, close it and open a new object. */
static void op_reopen(struct mctx *c, int obj)
{
	int i;

	for (i = 0; i < MF_ENTS; i++)
		if (c->m[i].live && c->m[i].obj == obj)
			unmap_run(c, &c->m[i], 0, c->m[i].pages, "reopen");
	close(c->fd[obj]);
	c->fd[obj] = vmsim_open();
	if (c->fd[obj] < 0)
		fuzz_fail(&c->f, "cannot open " VMSIM_DEVICE " again: %s",
			  strerror(errno));
	rec_drop_obj(c, obj);
}

/* Every tagged page of every object, through a fresh mapping. */
static void verify_objects(struct mctx *c)
{
	uint64_t last;
	struct span m;
	size_t j;
	int obj;

	for (obj = 0; obj < MF_OBJS; obj++) {
		last = 0;
		for (j = 0; j < c->nrec; j++)
			if (c->rec[j].obj == obj && c->rec[j].idx + 1 > last)
				last = c->rec[j].idx + 1;
		if (!last)
			continue;
		m = (struct span){ .pages = last, .prot = PROT_READ, .obj = obj };
		m.addr = vmsim_map(c->fd[obj], last * page_size, 0, PROT_READ);
		if (m.addr == MAP_FAILED) {
			fuzz_fail(&c->f, "cannot map object %d to check it: %s", obj,
				  strerror(errno));
			continue;
		}
		verify(c, &m, m.addr, span_end(&m));
		munmap(m.addr, last * page_size);
	}
}

static int mctx_init(struct mctx *c, const struct vmsim_info *info)
{
	struct sigaction sa = { .sa_handler = touch_handler };
	int i;

	memset(c, 0, sizeof(*c));
	c->max = info->max_object_pages;
	c->pool = info->pool_pages;
	c->budget = c->pool / 4;
	if (c->budget > 2048)
		c->budget = 2048;
	c->rec = calloc(c->budget, sizeof(*c->rec));
	c->scratch = reserve(SCRATCH_PAGES * page_size);
	if (!c->rec || !c->scratch)
		return -1;
	for (i = 0; i < M_NR; i++)
		c->t[i].name = mcall_name[i];
	for (i = 0; i < MF_OBJS; i++) {
		c->fd[i] = vmsim_open();
		if (c->fd[i] < 0)
			return -1;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -1;
	c->no_madvise = madvise(NULL, 0, MADV_NORMAL) != 0;	/* 0 if it exists */
	c->check_maps = getenv("VMSIM_FUZZ_CHECK_MAPS");
	return 0;
}

static struct mctx mctx;

/*
 * Random mmaps of /dev/vmsim, and touches, mprotect, mremap, madvise and
 * munmap of what they gave.
 */
TEST_F_TIMEOUT(fuzz, mmap, 1200)
{
	struct mctx *c = &mctx;
	unsigned long steps = 0;
	struct span *m;
	int i, op;

	ASSERT_EQ(0, mctx_init(c, &self->info)) {
		TH_LOG("setting up: %s", strerror(errno));
	}
	fuzz_start(&c->f, "mmap", 0x6d6d6170);
	say("mmap: at most %zu pages written, of a pool of %llu\n", c->budget,
	    (unsigned long long)c->pool);
	if (c->no_madvise)
		say("mmap: no madvise() in this kernel (CONFIG_ADVISE_SYSCALLS=n)\n");
	while (c->f.calls < c->f.limit && steps++ < 4 * c->f.limit) {
		if (live_count(c) > MF_LIVE) {
			m = random_live(c);
			unmap_run(c, m, 0, m->pages, "too many");
			continue;
		}
		m = random_live(c);
		op = below(&c->f, 100);
		if (!m || op < 22)
			op_mmap(c);
		else if (op < 52)
			op_touch(c, m);
		else if (op < 60)
			op_mprotect(c, m);
		else if (op < 70)
			op_mremap(c, m);
		else if (op < 82 && !c->no_madvise)
			op_madvise(c, m);
		else if (op < 91)
			op_munmap(c, m);
		else if (op < 98)
			verify(c, m, m->addr, span_end(m));
		else
			op_reopen(c, m->obj);
		if (c->check_maps)
			check_maps(c);
	}
	for (i = 0; i < MF_ENTS; i++)
		if (c->m[i].live)
			unmap_run(c, &c->m[i], 0, c->m[i].pages, "end");
	verify_objects(c);
	fuzz_report(&c->f, c->t, M_NR);
	say("mmap: %lu pages written, %lu tags read back, %zu at the end\n",
	    c->written, c->checked, c->nrec);
	say("mmap: SIGBUS within the limit with the pool empty: %lu\n",
	    c->pool_sigbus);
	for (i = 0; i < MF_OBJS; i++)
		close(c->fd[i]);
	EXPECT_EQ(0, c->f.failures);
	/* Every kind of call was made; mappings were made, and data checked. */
	if (c->f.limit < 1000)
		return;
	for (i = 0; i < M_NR; i++)
		if (i != M_MADVISE || !c->no_madvise)
			EXPECT_LT(0, c->t[i].calls);
	EXPECT_LT(0, c->t[M_MMAP].ok);
	EXPECT_LT(0, c->checked);
}

/* ------------------------------------------------------------------------
 * What the fuzzers cannot reach at the default limit
 */

/* The largest max_object_mb: 2^36 pages (VMSIM_INDEX_BITS), in MiB. */
#define MAX_OBJECT_MB_TOP	"268435456"

static void touch_one(void *p)
{
	poke(p, 1);
}

/* VMSIM_QUERY_ADDR of @n pages from @addr; ioctl()'s return. */
static int query_addr(int fd, char *addr, uint64_t n, uint64_t *ent,
		      struct vmsim_pte_query *q)
{
	*q = (struct vmsim_pte_query){ .start = (uintptr_t)addr, .count = n,
				       .entries = (uintptr_t)ent,
				       .flags = VMSIM_QUERY_ADDR };
	errno = 0;
	return ioctl(fd, VMSIM_IOC_PTE_QUERY, q);
}

/*
 * With max_object_mb at its largest, a mapping of the object's last page
 * grown past it (as documented): the next page has index 2^36, beyond any
 * shadow table.  Touching it must raise SIGBUS; a query by address must
 * give EINVAL, or entries that show nothing there; and nothing may warn.
 */
TEST_F(fuzz, query_past_last_index)
{
	uint64_t top = 1ULL << 36, ent[2];
	struct vmsim_pte_query q;
	struct vmsim_info info;
	int ret, err;
	char *p, *g;

	ASSERT_EQ(0, vmsim_param_get("max_object_mb", self->saved_max_mb,
				     sizeof(self->saved_max_mb)));
	if (vmsim_param_set("max_object_mb", MAX_OBJECT_MB_TOP))
		SKIP(return, "cannot set max_object_mb to " MAX_OBJECT_MB_TOP);
	ASSERT_EQ(0, vmsim_get_info(self->fd, &info));
	ASSERT_EQ(top, info.max_object_pages);

	g = reserve(3 * page_size);
	p = vmsim_map(self->fd, page_size, (top - 1) * page_size,
		      PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, g);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(g, mremap(p, page_size, 2 * page_size,
			    MREMAP_MAYMOVE | MREMAP_FIXED, g));
	poke(g, 1);
	EXPECT_EQ(SIGBUS, run_in_child(touch_one, g + page_size));

	/* The page past the last index alone. */
	ent[0] = ~0ULL;
	ret = query_addr(self->fd, g + page_size, 1, ent, &q);
	err = errno;
	EXPECT_TRUE(ret ? err == EINVAL : !ent[0]) {
		TH_LOG("query of page 2^36: %s, entry %#llx", ret ? strerror(err) : "ok",
		       (unsigned long long)ent[0]);
	}

	/* The last page and the one past it. */
	memset(ent, 0xff, sizeof(ent));
	if (query_addr(self->fd, g, 2, ent, &q)) {
		EXPECT_EQ(EINVAL, errno);
	} else {
		EXPECT_EQ(top - 1, q.index);
		EXPECT_NE(0, ent[0] & VMSIM_PTE_PRESENT);
		EXPECT_TRUE(q.count == 1 || (q.count == 2 && !ent[1]));
	}
	munmap(g, 3 * page_size);
}

TEST_HARNESS_MAIN
