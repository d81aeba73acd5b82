// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test: many processes and threads using vmsim at once, over a
 * working set several times the pool, while swap areas go off and on,
 * watermarks and other parameters change, workers are killed, and the rest
 * of the machine is short of memory.  Every page written is tagged, and
 * every read checks the tag: the run reports the operations it did and the
 * corruptions it found, which must be none.
 *
 * Usage: stress_test [--seconds S] [--ops N] [--seed X] [--procs P]
 *                    [--threads T] [--ws-mult M] [--no-hog]
 * Defaults come from the environment (VMSIM_STRESS_SECONDS, _OPS, _SEED,
 * _PROCS, _THREADS, _WS_MULT), then: 30 s, 10,000,000 operations, seed 1,
 * 3 processes of 2 threads, a working set of 3 x the pool.  The run ends at
 * whichever bound comes first.
 *
 * Each worker thread draws its operations from its own generator, seeded
 * from --seed, its process's serial number and its thread number, so a
 * seed replays the same operations; the interleaving between them is up
 * to the scheduler.
 *
 * A worker thread owns a few objects (opens of /dev/vmsim), each mapped
 * over some prefix of its pages, and knows for every page which tag it
 * last wrote, or that it must read zero.  Its operations:
 *   open      a new object of up to half the thread's share of the working set
 *   write     tag a run of pages
 *   read      check a run of pages
 *   verify    check a whole object
 *   advise    VMSIM_IOC_ADVISE DONTNEED (the pages then read zero),
 *             WILLNEED, COLD or PAGEOUT (the data stays)
 *   madvise   MADV_DONTNEED on the mapping (a shared mapping keeps its data)
 *   mprotect  read-only, check a run, writable again
 *   mremap    grow or shrink the mapping, moving it if need be; pages that
 *             leave the mapping keep their data in the object
 *   fork      a child checks the thread's objects, tags a run of pages of
 *             one (the thread then expects the child's tags) and an object
 *             of its own, and exits
 *   close     check the whole object and close it
 * After a random number of operations a thread closes everything and ends,
 * and its process starts another; some processes exit with their objects
 * still mapped.
 *
 * Meanwhile the first process (the controller) turns one of two swap
 * areas off and on again (swapoff may fail with ENOMEM: counted), kills a
 * swapoff in the middle, kills worker processes with SIGKILL (in the middle
 * of faults and swap-ins), changes min_free_kbytes, watermark_scale_factor,
 * inactive_ratio, page_cluster and fault_around_pages, and reads vmsim's
 * /proc files.  A hog process takes most of the machine's free memory and
 * gives it back, over and over.
 *
 * Results (KTAP): no corruption; no worker died other than by our SIGKILL,
 * and none got SIGBUS or SIGSEGV; every frame back in the pool and every
 * swap slot free at the end; the parameters restored.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "vmsim_util.h"

#define MAX_PROCS	16
#define MAX_THREADS	8
#define MAX_OBJS	4
#define MAX_RUN		16	/* pages per write or read */
#define MAX_REPORTS	10	/* corruptions described in full */

enum op {
	OP_OPEN, OP_WRITE, OP_READ, OP_VERIFY, OP_ADVISE, OP_MADVISE,
	OP_MPROTECT, OP_MREMAP, OP_FORK, OP_CLOSE, NR_OPS,
};

static const char * const op_names[NR_OPS] = {
	"open", "write", "read", "verify", "advise", "madvise", "mprotect",
	"mremap", "fork", "close",
};

/* Relative weights of the operations a worker draws. */
static const unsigned int op_weights[NR_OPS] = {
	[OP_OPEN] = 4, [OP_WRITE] = 30, [OP_READ] = 30, [OP_VERIFY] = 2,
	[OP_ADVISE] = 5, [OP_MADVISE] = 3, [OP_MPROTECT] = 2, [OP_MREMAP] = 4,
	[OP_FORK] = 1, [OP_CLOSE] = 2,
};

enum event {
	EV_SWAPOFF_OK, EV_SWAPOFF_NOMEM, EV_SWAPOFF_KILLED, EV_SWAPON,
	EV_KILL, EV_PARAM, EV_PROC_READ, EV_HOG_ROUND, EV_PAGES_CHECKED,
	EV_MREMAP_FIXED,
	EV_PROCS, EV_THREADS, NR_EVENTS,
};

static const char * const event_names[NR_EVENTS] = {
	"swapoff ok", "swapoff ENOMEM", "swapoff killed", "swapon",
	"workers killed", "parameter changes", "/proc reads", "hog rounds",
	"pages checked", "mremap moved", "worker processes", "worker threads",
};

/* Shared by every process of the run (MAP_SHARED|MAP_ANONYMOUS). */
struct shared {
	atomic_int stop;
	atomic_ulong ops[NR_OPS];
	atomic_ulong ops_total;
	atomic_ulong events[NR_EVENTS];
	atomic_ulong corruptions;
	atomic_ulong failures;		/* a call that should not fail did */
};

struct config {
	unsigned long long seconds;
	unsigned long long max_ops;
	unsigned long long seed;
	unsigned long long procs;
	unsigned long long threads;
	unsigned long long ws_mult;
	int hog;
};

static struct config cfg;
static struct shared *sh;
static size_t thread_budget;	/* pages of objects per worker thread */

/* ---- a small, seedable generator (splitmix64) ---------------------------- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

/* A number in [0, n); n > 0. */
static size_t below(uint64_t *state, size_t n)
{
	return rnd(state) % n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

static void count(enum event ev, unsigned long n)
{
	atomic_fetch_add(&sh->events[ev], n);
}

static void failure(const char *what, int err)
{
	atomic_fetch_add(&sh->failures, 1);
	dprintf(STDOUT_FILENO, "# FAIL: %s: %s\n", what, strerror(err));
}

/* ---- a worker thread's objects ------------------------------------------- */

struct obj {
	int fd;
	char *map;		/* NULL: slot free */
	size_t mapped;		/* pages [0, mapped) are mapped */
	size_t cap;		/* pages [0, cap) are used */
	uint64_t serial;
	uint32_t *gen;		/* per page: last tag written; 0 = zero */
};

struct worker {
	uint64_t rng;
	uint64_t id;		/* unique in the run: process serial, thread */
	uint64_t serials;
	size_t used;		/* sum of the objects' caps */
	struct obj objs[MAX_OBJS];
};

static uint64_t page_tag(const struct worker *w, const struct obj *o, size_t i)
{
	return mix64(w->id ^ mix64(o->serial ^ mix64(((uint64_t)i << 32) | o->gen[i])));
}

static char *page_at(const struct obj *o, size_t i)
{
	return o->map + i * page_size;
}

static void corruption(const struct worker *w, const struct obj *o, size_t i,
		       const char *where)
{
	unsigned long n = atomic_fetch_add(&sh->corruptions, 1);
	uint64_t pte;

	if (n >= MAX_REPORTS)
		return;
	pte = vmsim_pte(o->fd, i);
	dprintf(STDOUT_FILENO,
		"# CORRUPTION (%s): worker %llx object %llu page %zu gen %u: first word %016llx, want %016llx, shadow pte %016llx\n",
		where, (unsigned long long)w->id, (unsigned long long)o->serial, i,
		o->gen[i], (unsigned long long)*(uint64_t *)page_at(o, i),
		o->gen[i] ? (unsigned long long)page_tag(w, o, i) : 0ULL,
		(unsigned long long)pte);
}

/* Check pages [first, first + n) of a mapped object. */
static void check_run(const struct worker *w, const struct obj *o, size_t first,
		      size_t n, const char *where)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		const char *p = page_at(o, i);
		bool ok = o->gen[i] ? page_check(p, page_tag(w, o, i)) : page_is_zero(p);

		if (!ok)
			corruption(w, o, i, where);
	}
	count(EV_PAGES_CHECKED, n);
}

static void write_run(const struct worker *w, struct obj *o, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		if (++o->gen[i] == 0)
			o->gen[i] = 1;
		page_fill(page_at(o, i), page_tag(w, o, i));
	}
}

/* A random run of at most MAX_RUN pages within the mapping. */
static void pick_run(struct worker *w, const struct obj *o, size_t *first, size_t *n)
{
	*first = below(&w->rng, o->mapped);
	*n = 1 + below(&w->rng, MAX_RUN);
	if (*n > o->mapped - *first)
		*n = o->mapped - *first;
}

static struct obj *pick_obj(struct worker *w)
{
	size_t i, start = below(&w->rng, MAX_OBJS);

	for (i = 0; i < MAX_OBJS; i++) {
		struct obj *o = &w->objs[(start + i) % MAX_OBJS];

		if (o->map)
			return o;
	}
	return NULL;
}

/*
 * Resize the mapping.  The core does not grow a VM_MIXEDMAP mapping in
 * place (vma_merge() refuses VM_SPECIAL): with free room right after it,
 * mremap() fails with ENOMEM even with MREMAP_MAYMOVE, as documented.
 * Then move it to a hole of the new size with MREMAP_FIXED.
 */
static int remap(struct obj *o, size_t pages)
{
	size_t old_len = o->mapped * page_size, len = pages * page_size;
	char *p = mremap(o->map, old_len, len, MREMAP_MAYMOVE), *hole;

	if (p == MAP_FAILED && errno == ENOMEM && pages > o->mapped) {
		count(EV_MREMAP_FIXED, 1);
		hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (hole == MAP_FAILED)
			return -errno;
		p = mremap(o->map, old_len, len, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
		if (p == MAP_FAILED)
			munmap(hole, len);
	}
	if (p == MAP_FAILED)
		return -errno;
	o->map = p;
	o->mapped = pages;
	return 0;
}

static void op_open(struct worker *w)
{
	size_t room = thread_budget - w->used, cap;
	struct obj *o = NULL;
	int i;

	for (i = 0; i < MAX_OBJS && !o; i++)
		if (!w->objs[i].map)
			o = &w->objs[i];
	if (!o || room == 0)
		return;
	cap = 1 + below(&w->rng, room < thread_budget / 2 ? room : thread_budget / 2);
	o->gen = calloc(cap, sizeof(*o->gen));
	o->fd = vmsim_open();
	if (!o->gen || o->fd < 0) {
		failure("open /dev/vmsim", errno);
		free(o->gen);
		return;
	}
	o->cap = cap;
	o->mapped = 1 + below(&w->rng, cap);
	o->map = vmsim_map(o->fd, o->mapped * page_size, 0, PROT_READ | PROT_WRITE);
	if (o->map == MAP_FAILED) {
		failure("mmap", errno);
		o->map = NULL;
		close(o->fd);
		free(o->gen);
		return;
	}
	o->serial = w->serials++;
	w->used += cap;
}

static void op_close(struct worker *w, struct obj *o)
{
	int err = o->mapped < o->cap ? remap(o, o->cap) : 0;

	if (err)
		failure("mremap to the whole object", -err);
	else
		check_run(w, o, 0, o->cap, "close");
	munmap(o->map, o->mapped * page_size);
	close(o->fd);
	free(o->gen);
	w->used -= o->cap;
	memset(o, 0, sizeof(*o));
}

static void op_advise(struct worker *w, struct obj *o)
{
	static const unsigned int advice[] = {
		VMSIM_ADV_DONTNEED, VMSIM_ADV_WILLNEED, VMSIM_ADV_COLD, VMSIM_ADV_PAGEOUT,
	};
	unsigned int adv = advice[below(&w->rng, 4)];
	size_t first = below(&w->rng, o->cap), n = 1 + below(&w->rng, o->cap - first);
	long done = vmsim_advise(o->fd, first, n, adv);

	if (done < 0) {
		failure("VMSIM_IOC_ADVISE", -done);
		return;
	}
	if (adv == VMSIM_ADV_DONTNEED)
		memset(o->gen + first, 0, n * sizeof(*o->gen));
}

/* madvise() is optional (CONFIG_ADVISE_SYSCALLS): main() looks. */
static int have_madvise;

static void op_madvise(struct worker *w, struct obj *o)
{
	size_t first, n;

	pick_run(w, o, &first, &n);
	if (have_madvise && madvise(page_at(o, first), n * page_size, MADV_DONTNEED))
		failure("madvise(MADV_DONTNEED)", errno);
}

static void op_mprotect(struct worker *w, struct obj *o)
{
	size_t first, n;

	if (mprotect(o->map, o->mapped * page_size, PROT_READ)) {
		failure("mprotect read-only", errno);
		return;
	}
	pick_run(w, o, &first, &n);
	check_run(w, o, first, n, "read-only");
	if (mprotect(o->map, o->mapped * page_size, PROT_READ | PROT_WRITE))
		failure("mprotect writable", errno);
}

static void op_mremap(struct worker *w, struct obj *o)
{
	size_t old = o->mapped, pages = 1 + below(&w->rng, o->cap);
	int err = remap(o, pages);

	if (err) {
		failure("mremap", -err);
		return;
	}
	/* What came into view keeps what it had. */
	if (pages > old)
		check_run(w, o, old, pages - old < MAX_RUN ? pages - old : MAX_RUN, "mremap");
}

/*
 * In a child: check every object of this thread, tag a run of pages of
 * @o with the next generation, and use an object of the child's own.
 * Only async-signal-safe calls (the parent may have other threads).
 */
static void fork_child(struct worker *w, struct obj *o, size_t first, size_t n)
{
	size_t i, pages = 1 + below(&w->rng, 64);
	int fd;
	char *p;

	for (i = 0; i < MAX_OBJS; i++)
		if (w->objs[i].map)
			check_run(w, &w->objs[i], 0, w->objs[i].mapped, "fork child");
	write_run(w, o, first, n);
	fd = vmsim_open();
	p = fd < 0 ? MAP_FAILED : vmsim_map(fd, pages * page_size, 0, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		_exit(2);
	pages_fill(p, pages, w->id);
	if (pages_bad(p, pages, w->id))
		atomic_fetch_add(&sh->corruptions, 1);
	_exit(0);
}

static void op_fork(struct worker *w, struct obj *o)
{
	size_t first, n, i;
	int status;
	pid_t pid;

	pick_run(w, o, &first, &n);
	pid = fork();
	if (pid < 0) {
		failure("fork", errno);
		return;
	}
	if (pid == 0)
		fork_child(w, o, first, n);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		atomic_fetch_add(&sh->failures, 1);
		dprintf(STDOUT_FILENO, "# FAIL: fork child: status %#x\n", status);
		return;
	}
	for (i = first; i < first + n; i++)
		if (++o->gen[i] == 0)
			o->gen[i] = 1;
	check_run(w, o, first, n, "after fork child");
}

static enum op pick_op(struct worker *w)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		total += op_weights[i];
	r = below(&w->rng, total);
	for (i = 0; r >= op_weights[i]; i++)
		r -= op_weights[i];
	return i;
}

static void do_op(struct worker *w, enum op op)
{
	struct obj *o = pick_obj(w);
	size_t first, n;

	if (!o || op == OP_OPEN) {
		op_open(w);
		op = OP_OPEN;
	} else {
		switch (op) {
		case OP_WRITE:
			pick_run(w, o, &first, &n);
			write_run(w, o, first, n);
			break;
		case OP_READ:
			pick_run(w, o, &first, &n);
			check_run(w, o, first, n, "read");
			break;
		case OP_VERIFY:
			check_run(w, o, 0, o->mapped, "verify");
			break;
		case OP_ADVISE:
			op_advise(w, o);
			break;
		case OP_MADVISE:
			op_madvise(w, o);
			break;
		case OP_MPROTECT:
			op_mprotect(w, o);
			break;
		case OP_MREMAP:
			op_mremap(w, o);
			break;
		case OP_FORK:
			op_fork(w, o);
			break;
		default:
			op_close(w, o);
			break;
		}
	}
	atomic_fetch_add(&sh->ops[op], 1);
	if (atomic_fetch_add(&sh->ops_total, 1) + 1 >= cfg.max_ops)
		atomic_store(&sh->stop, 1);
}

struct thread_arg {
	struct worker w;
	int abandon;		/* end without closing: the process exits */
};

static void *worker_thread(void *arg)
{
	struct thread_arg *t = arg;
	struct worker *w = &t->w;
	size_t life = 200 + below(&w->rng, 2000), i;

	for (i = 0; i < life && !atomic_load(&sh->stop); i++)
		do_op(w, pick_op(w));
	if (t->abandon)
		return NULL;
	for (i = 0; i < MAX_OBJS; i++)
		if (w->objs[i].map)
			op_close(w, &w->objs[i]);
	return NULL;
}

/* A worker process: rounds of threads, until told to stop. */
static void worker_process(unsigned int serial)
{
	uint64_t rng = cfg.seed ^ mix64(serial);
	struct thread_arg args[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	unsigned int i, round, rounds = 1 + below(&rng, 4);

	for (round = 0; round < rounds && !atomic_load(&sh->stop); round++) {
		/* One process in four leaves its last round's objects mapped. */
		int abandon = round == rounds - 1 && below(&rng, 4) == 0;

		for (i = 0; i < cfg.threads; i++) {
			memset(&args[i], 0, sizeof(args[i]));
			args[i].w.id = ((uint64_t)serial << 16) | (round << 8) | i;
			args[i].w.rng = cfg.seed ^ mix64(args[i].w.id);
			args[i].abandon = abandon;
			if (pthread_create(&tids[i], NULL, worker_thread, &args[i]))
				_exit(3);
			count(EV_THREADS, 1);
		}
		for (i = 0; i < cfg.threads; i++)
			pthread_join(tids[i], NULL);
	}
	_exit(0);
}

/* ---- the controller ------------------------------------------------------- */

struct params {
	const char *name;
	unsigned int min, max;
	char saved[32];
};

static struct params params[] = {
	{ "min_free_kbytes", 16, 0 },		/* max: a quarter of the pool */
	{ "watermark_scale_factor", 1, 3000 },
	{ "inactive_ratio", 1, 32 },
	{ "page_cluster", 0, 5 },
	{ "fault_around_pages", 0, 64 },
	{ "write_notify", 0, 1 },
};

#define NR_PARAMS ARRAY_SIZE(params)

struct controller {
	uint64_t rng;
	int fd;
	const char *areas[2];
	int on[2];
	double back_on[2];		/* when an area that is off goes on */
	pid_t workers[MAX_PROCS];
	unsigned int next_serial;
	pid_t hog;
	unsigned long unexpected;	/* workers that died on their own */
};

static pid_t spawn_worker(struct controller *c)
{
	unsigned int serial = c->next_serial++;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		worker_process(serial);
	if (pid > 0)
		count(EV_PROCS, 1);
	else
		failure("fork a worker", errno);
	return pid;
}

/* Reap the workers that ended; one that ended other than by exit(0) is a failure. */
static unsigned int reap(struct controller *c, int respawn)
{
	unsigned int i, left = 0;
	int status;

	for (i = 0; i < cfg.procs; i++) {
		if (c->workers[i] <= 0)
			continue;
		if (waitpid(c->workers[i], &status, WNOHANG) != c->workers[i]) {
			left++;
			continue;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			c->unexpected++;
			dprintf(STDOUT_FILENO, "# FAIL: worker %d: %s %d\n", c->workers[i],
				WIFSIGNALED(status) ? "signal" : "exit status",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
		c->workers[i] = respawn && !atomic_load(&sh->stop) ? spawn_worker(c) : 0;
	}
	return left;
}

/*
 * After the stop, the workers check and close what they have.  If they
 * are not done in STOP_TIMEOUT seconds something is stuck: show the
 * blocked tasks' stacks in the kernel log (SysRq w) and say so.
 */
#define STOP_TIMEOUT 120

static int reap_all(struct controller *c)
{
	double deadline = now() + STOP_TIMEOUT;
	int fd;

	while (reap(c, 0)) {
		if (now() > deadline) {
			fd = open("/proc/sysrq-trigger", O_WRONLY);
			if (fd >= 0 && write(fd, "w", 1) != 1)
				ksft_print_msg("SysRq w: %s\n", strerror(errno));
			close(fd);
			ksft_print_msg("workers still running %d s after the stop\n",
				       STOP_TIMEOUT);
			return 0;
		}
		sleep_ms(50);
	}
	return 1;
}

static void kill_worker(struct controller *c)
{
	unsigned int i = below(&c->rng, cfg.procs);
	int status;

	if (c->workers[i] <= 0)
		return;
	/* It may be in a fault, a swap-in or a fork: all must cope. */
	kill(c->workers[i], SIGKILL);
	waitpid(c->workers[i], &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			c->unexpected++;
			dprintf(STDOUT_FILENO, "# FAIL: worker %d: status %#x\n",
				c->workers[i], status);
		}
	}
	count(EV_KILL, 1);
	c->workers[i] = spawn_worker(c);
}

static void change_param(struct controller *c)
{
	struct params *p = &params[below(&c->rng, NR_PARAMS)];
	char val[32];
	int err;

	snprintf(val, sizeof(val), "%zu", p->min + below(&c->rng, p->max - p->min + 1));
	err = vmsim_param_set(p->name, val);
	if (err)
		failure(p->name, -err);
	else
		count(EV_PARAM, 1);
}

static void read_proc_files(void)
{
	static const char * const files[] = {
		VMSIM_MEMINFO, VMSIM_VMSTAT, "/proc/vmsim_swaps", "/proc/vmsim_objects",
	};
	char buf[4096];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		int fd = open(files[i], O_RDONLY);

		if (fd < 0) {
			failure(files[i], errno);
			continue;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	count(EV_PROC_READ, 1);
}

/* swapoff on an area, retried while it is merely out of memory for now */
static int swapoff_area(struct controller *c, int a)
{
	int err = vmsim_swapoff_ioctl(c->fd, c->areas[a]);

	if (err == -ENOMEM) {
		count(EV_SWAPOFF_NOMEM, 1);
		return err;
	}
	if (err) {
		failure("swapoff", -err);
		return err;
	}
	count(EV_SWAPOFF_OK, 1);
	c->on[a] = 0;
	c->back_on[a] = now() + 0.2 + below(&c->rng, 1500) / 1000.0;
	return 0;
}

static void swapon_area(struct controller *c, int a)
{
	int err = vmsim_swapon_ioctl(c->fd, c->areas[a], 0, 0);

	if (err) {
		failure("swapon", -err);
		return;
	}
	c->on[a] = 1;
	count(EV_SWAPON, 1);
}

/* Is @path listed in /proc/vmsim_swaps? */
static int area_is_on(const char *path)
{
	char line[256];
	size_t len = strlen(path);
	FILE *f = fopen("/proc/vmsim_swaps", "r");
	int on = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, path, len) && line[len] == ' ')
			on = 1;
	fclose(f);
	return on;
}

/* A swapoff killed part way: the area stays on (or finished off). */
static void killed_swapoff(struct controller *c, int a)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(vmsim_swapoff_ioctl(c->fd, c->areas[a]) ? 1 : 0);
	if (pid < 0)
		return;
	sleep_ms(below(&c->rng, 100));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	count(EV_SWAPOFF_KILLED, 1);
	c->on[a] = area_is_on(c->areas[a]);
	if (!c->on[a])
		c->back_on[a] = now();
}

static void swap_chaos(struct controller *c)
{
	int a = below(&c->rng, 2), r = below(&c->rng, 100);

	if (!c->on[a]) {
		if (now() >= c->back_on[a])
			swapon_area(c, a);
		return;
	}
	/* Keep one area on: the working set fits in it, never in the pool. */
	if (!c->on[!a])
		return;
	if (r < 4)
		swapoff_area(c, a);
	else if (r < 6)
		killed_swapoff(c, a);
}

/*
 * The hog: take most of the machine's available memory, touch it, hold it
 * a moment, give it back; over and over.  It leaves a margin so that the
 * kernel's OOM killer stays out of it.
 */
static void hog_process(void)
{
	for (;;) {
		long avail = meminfo_kb("/proc/meminfo", "MemAvailable");
		size_t len = avail > 96 * 1024 ? (avail - 64 * 1024) * 1024L : 0;
		char *p;
		size_t i;

		if (len) {
			p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED) {
				madvise(p, len, MADV_HUGEPAGE);
				for (i = 0; i < len; i += page_size)
					p[i] = 1;
				count(EV_HOG_ROUND, 1);
				sleep_ms(300);
				munmap(p, len);
			}
		}
		sleep_ms(200);
	}
}

static void controller_tick(struct controller *c)
{
	int r = below(&c->rng, 100);

	reap(c, 1);
	if (c->areas[0])
		swap_chaos(c);
	if (r < 10)
		change_param(c);
	else if (r < 12)
		kill_worker(c);
	else if (r < 22)
		read_proc_files();
	sleep_ms(20 + below(&c->rng, 80));
}

/* ---- setup and the end ---------------------------------------------------- */

/* The knobs: --NAME N on the command line, or VMSIM_STRESS_ENV=N. */
static const struct knob {
	const char *name, *env;
	unsigned long long *val, def;
} knobs[] = {
	{ "seconds", "VMSIM_STRESS_SECONDS", &cfg.seconds, 30 },
	{ "ops", "VMSIM_STRESS_OPS", &cfg.max_ops, 10000000 },
	{ "seed", "VMSIM_STRESS_SEED", &cfg.seed, 1 },
	{ "procs", "VMSIM_STRESS_PROCS", &cfg.procs, 3 },
	{ "threads", "VMSIM_STRESS_THREADS", &cfg.threads, 2 },
	{ "ws-mult", "VMSIM_STRESS_WS_MULT", &cfg.ws_mult, 3 },
};

static void bad_usage(void)
{
	fprintf(stderr, "stress_test [--seconds S] [--ops N] [--seed X]\n");
	fprintf(stderr, "            [--procs P] [--threads T] [--ws-mult M] [--no-hog]\n");
	exit(KSFT_FAIL);
}

static void parse(int argc, char **argv)
{
	struct option opts[ARRAY_SIZE(knobs) + 2] = {
		[ARRAY_SIZE(knobs)] = { "no-hog", no_argument, NULL, 'n' },
	};
	unsigned int i;
	const char *e;
	int c;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		opts[i] = (struct option){ knobs[i].name, required_argument, NULL, i };
		e = getenv(knobs[i].env);
		*knobs[i].val = e ? strtoull(e, NULL, 0) : knobs[i].def;
	}
	cfg.hog = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			cfg.hog = 0;
		else if (c >= 0 && c < (int)ARRAY_SIZE(knobs))
			*knobs[c].val = strtoull(optarg, NULL, 0);
		else
			bad_usage();
	}
	if (!cfg.procs || cfg.procs > MAX_PROCS || !cfg.threads ||
	    cfg.threads > MAX_THREADS || !cfg.ws_mult || !cfg.max_ops) {
		fprintf(stderr, "stress_test: procs 1-%d, threads 1-%d, ws-mult and ops > 0\n",
			MAX_PROCS, MAX_THREADS);
		exit(KSFT_FAIL);
	}
}

/* Both swap areas on, or none (and a working set that fits the pool). */
static int swap_setup(struct controller *c, const struct vmsim_info *info)
{
	struct stat st;
	int a;

	c->areas[0] = getenv("VMSIM_SWAPDEV") ?: "/dev/vda";
	c->areas[1] = getenv("VMSIM_SWAPDEV2") ?: "/dev/vdb";
	if (!(info->features & VMSIM_FEAT_SWAP) || geteuid() ||
	    stat(c->areas[0], &st) || !S_ISBLK(st.st_mode) ||
	    stat(c->areas[1], &st) || !S_ISBLK(st.st_mode)) {
		c->areas[0] = NULL;
		c->areas[1] = NULL;
		return 0;
	}
	for (a = 0; a < 2; a++) {
		vmsim_swapoff_ioctl(c->fd, c->areas[a]);
		if (vmsim_swap_header_write(c->areas[a], VMSIM_SWAP_VERSION) ||
		    vmsim_swapon_ioctl(c->fd, c->areas[a], 0, 0))
			return -1;
		c->on[a] = 1;
	}
	return 1;
}

/* Turn the areas off at the end: nothing is left in them, so it must work. */
static int swap_teardown(struct controller *c)
{
	int a, err, ok = 1;

	for (a = 0; a < 2 && c->areas[a]; a++) {
		if (!area_is_on(c->areas[a]))
			continue;
		err = vmsim_swapoff_ioctl(c->fd, c->areas[a]);
		if (err) {
			ksft_print_msg("swapoff %s at the end: %s\n", c->areas[a],
				       strerror(-err));
			ok = 0;
		}
	}
	return ok;
}

static void save_params(unsigned long pool_pages)
{
	unsigned int i;

	params[0].max = pool_pages * (page_size / 1024) / 4;
	for (i = 0; i < NR_PARAMS; i++)
		if (vmsim_param_get(params[i].name, params[i].saved, sizeof(params[i].saved)))
			ksft_exit_fail_msg("read parameter %s\n", params[i].name);
}

static int restore_params(void)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < NR_PARAMS; i++)
		if (vmsim_param_set(params[i].name, params[i].saved))
			ok = 0;
	return ok;
}

/* Every frame back: zeroing in the background may take a moment. */
static int frames_back(long free0)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (vmsim_free_pages() >= free0)
			return 1;
		sleep_ms(100);
	}
	ksft_print_msg("free pages %ld at the end, %ld at the start\n",
		       vmsim_free_pages(), free0);
	return 0;
}

static void report(double secs)
{
	unsigned int i;

	ksft_print_msg("seed %llu, %llu s, %llu processes x %llu threads, %zu pages per thread\n",
		       cfg.seed, cfg.seconds, cfg.procs, cfg.threads, thread_budget);
	ksft_print_msg("%lu operations in %.1f s:\n", atomic_load(&sh->ops_total), secs);
	for (i = 0; i < NR_OPS; i++)
		ksft_print_msg("  %-10s %lu\n", op_names[i], atomic_load(&sh->ops[i]));
	for (i = 0; i < NR_EVENTS; i++)
		ksft_print_msg("  %-18s %lu\n", event_names[i], atomic_load(&sh->events[i]));
	ksft_print_msg("corruptions %lu, failed calls %lu\n",
		       atomic_load(&sh->corruptions), atomic_load(&sh->failures));
}

int main(int argc, char **argv)
{
	struct controller c = { .fd = -1 };
	struct vmsim_info info;
	double start, end;
	long free0;
	int swap, hog_status, ended;
	unsigned int i;

	parse(argc, argv);
	ksft_print_header();
	ksft_set_plan(5);
	c.fd = vmsim_open();
	if (c.fd < 0)
		ksft_exit_skip("cannot open " VMSIM_DEVICE ": %s\n", strerror(errno));
	if (vmsim_get_info(c.fd, &info))
		ksft_exit_fail_msg("VMSIM_IOC_INFO failed\n");
	if (geteuid())
		ksft_exit_skip("needs root: swap areas and module parameters\n");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	save_params(info.pool_pages);
	have_madvise = madvise(NULL, 0, MADV_NORMAL) == 0;
	if (!have_madvise)
		ksft_print_msg("no madvise() in this kernel: the madvise operations do nothing\n");
	free0 = vmsim_free_pages();
	c.rng = cfg.seed;
	swap = swap_setup(&c, &info);
	if (swap < 0)
		ksft_exit_fail_msg("swapon %s and %s failed\n", c.areas[0], c.areas[1]);
	if (!swap) {
		ksft_print_msg("no swap (needs two disks): the working set is half the pool\n");
		thread_budget = info.pool_pages / 2 / (cfg.procs * cfg.threads);
	} else {
		thread_budget = info.pool_pages * cfg.ws_mult / (cfg.procs * cfg.threads);
	}
	if (thread_budget < 2)
		ksft_exit_skip("pool of %llu pages too small\n",
			       (unsigned long long)info.pool_pages);

	start = now();
	end = start + cfg.seconds;
	if (cfg.hog) {
		fflush(NULL);
		c.hog = fork();
		if (c.hog == 0)
			hog_process();
	}
	for (i = 0; i < cfg.procs; i++)
		c.workers[i] = spawn_worker(&c);
	while (now() < end && !atomic_load(&sh->stop))
		controller_tick(&c);
	atomic_store(&sh->stop, 1);
	ended = reap_all(&c);
	if (c.hog > 0) {
		kill(c.hog, SIGKILL);
		waitpid(c.hog, &hog_status, 0);
	}
	report(now() - start);
	if (!ended)
		ksft_exit_fail_msg("stuck: see the blocked tasks in the kernel log\n");

	ksft_test_result(atomic_load(&sh->corruptions) == 0, "no_corruption\n");
	ksft_test_result(ended && c.unexpected == 0 && atomic_load(&sh->failures) == 0,
			 "workers_ended_cleanly\n");
	ksft_test_result(restore_params(), "parameters_restored\n");
	if (swap)
		ksft_test_result(swap_teardown(&c), "swap_empty_at_end\n");
	else
		ksft_test_result_skip("swap_empty_at_end: no swap\n");
	ksft_test_result(frames_back(free0), "all_frames_back\n");
	close(c.fd);
	ksft_finished();
}
