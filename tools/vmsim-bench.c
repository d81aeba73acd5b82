// SPDX-License-Identifier: GPL-2.0
/*
 * vmsim-bench: workloads run on vmsim and on the kernel's own memory in the
 * same machine, so that every figure is a ratio measured side by side.
 *
 * Usage: vmsim-bench WORKLOAD [options]
 *
 * Workloads:
 *   first-touch   write one byte to every page of a fresh mapping
 *   retouch       write every page again, after it is resident
 *   remap         will-it-scale's page_fault3 loop: each worker maps its
 *                 own resident --mb object, writes every page, unmaps it,
 *                 and again (--reps passes); on vmsim, on a tmpfs file
 *                 (backend "tmpfs", a memfd) and on private anonymous
 *                 memory (mapped fresh each pass: page_fault1's loop)
 *   trace         replay an access trace over a working set larger than
 *                 vmsim's pool (see below) and count refaults
 *   swap          write, then read back and check, a working set larger
 *                 than the pool, in order (--pattern seq) or at random
 *                 (--pattern rand): swap throughput in MiB/s, the median
 *                 of --reps runs.  --pattern mix writes in order, then
 *                 reads twice as many pages: every other access the next
 *                 page of a sequential scan, every other a Zipf 0.99 draw
 *                 over the working set, rewritten (dirty) after its check
 *   meminfo       print the kernel's own memory figures (free pages with
 *                 the per-CPU lists, slab, vmalloc, percpu, page tables),
 *                 after dropping caches and folding the per-CPU counters
 *   meta          the same before and after writing every page of an
 *                 --mb mapping of /dev/vmsim, with vmsim's own PageTables:
 *                 what vmsim's metadata costs per page
 *   spin          arithmetic only, split over --procs processes of
 *                 --threads threads: how much CPU the machine gives them
 *                 (backend "cpu", steps/s)
 *
 * Options:
 *   --mb N          size of the mapping (default 128)
 *   --reps N        repetitions; the median is reported (default 5)
 *   --threads N     touch with N threads, each a contiguous slice (default 1)
 *   --procs N       touch with N processes, each a contiguous slice with
 *                   --threads threads (default 1): vmsim and shared map once
 *                   before fork, private maps each process's slice in it
 *   --backend B     vmsim, shared (MAP_SHARED|MAP_ANONYMOUS), private
 *                   (MAP_PRIVATE|MAP_ANONYMOUS), or all (default)
 *   --settle MS     before each measured pass, wait until vmsim's pool has
 *                   no frame waiting to be zeroed, at most MS milliseconds
 *                   (default 2000), so earlier passes do not bill this one
 *   --seed N        the seed of every random choice (default 1); printed
 *                   with every result, also where nothing is random
 *   --label L       meminfo, spin, swap: a name printed with the result
 *                   (swap: which device, e.g. "nbd-50us"; none by default)
 *
 * Trace options:
 *   --pattern P     zipf (Zipf 0.99 over the working set), phase (Zipf
 *                   whose hot pages move at each quarter of the trace),
 *                   loop (a loop slightly larger than the pool), hotscan (a
 *                   hot set of a quarter of the pool, mixed with a one-time
 *                   scan), or file:PATH (a trace from elsewhere: native-endian
 *                   32-bit page numbers, one per access)
 *   --pool-pages N  the capacity the trace is sized against (vmsim's pool)
 *   --ws-mult N     working set = N x pool (default 4)
 *   --accesses N    accesses in the trace (default 4 x working set)
 *   --cgroup DIR    join this cgroup v2 before replaying (the kernel's own
 *                   memory under memory.max)
 *   --fill zero|data  what each access writes: zero (the default; pages
 *                   vmsim can drop without swap) or a tag (needs swap)
 *   --sample MS     every MS milliseconds while replaying, read MemFree,
 *                   Active, Inactive, Active(anon) and Inactive(anon) from
 *                   /proc/vmsim_meminfo (vmsim only); printed afterwards
 *   --policy NAME   vmsim only: switch vmsim to this replacement policy
 *                   first; the result's backend is "vmsim-NAME"
 *   backend "belady": no memory is touched; Belady's optimal replacement is
 *                   computed for the same trace and capacity
 *   backend "a0":   (zipf) no memory is touched; A0, the best an online
 *                   policy can do on an independent-reference trace
 *                   (evict the page with the lowest true probability)
 *
 * Each result is one line, "BENCH " followed by a JSON object:
 *   {"workload":..., "backend":..., "threads":..., "procs":..., "pages":...,
 *    "seed":..., "seconds":..., "rate":..., "unit":"pages/s", "faults":...,
 *    "majflt":...}
 * where faults and majflt are the minor and major faults the process (or
 * its --procs children) took (getrusage).  Trace results add "refaults"
 * (accesses to pages seen before that found them gone: vmsim's and the
 * cgroup's workingset_refault_anon, or Belady's misses) and "compulsory"
 * (first accesses).  Swap results (workloads swap-PATTERN-write and
 * swap-PATTERN-read) are in MiB/s and add "refaults", "pswpin" and
 * "pswpout" (pages read and written by swap meanwhile) and "bad_pages"
 * (pages read back wrong: always 0, or the run fails).  --sample adds one
 * line per sample, "BENCH-SERIES " and {"series":..., "t":..., FIELD: kB...}.
 * meminfo and meta print {"workload":"meminfo", "label":..., FIELD: kB...}.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vmsim.h>

/* B_CPU: no memory, arithmetic only (spin). */
enum backend { B_VMSIM, B_SHARED, B_PRIVATE, B_BELADY, B_A0, B_CPU,
	       B_TMPFS, NR_BACKENDS };

static const char * const backend_names[NR_BACKENDS] = {
	"vmsim", "shared", "private", "belady", "a0", "cpu", "tmpfs",
};

#define MAX_WORKERS	64

struct opts {
	size_t mb;
	int reps;
	int threads;
	int procs;
	int backend;		/* -1: all */
	int settle_ms;
	unsigned long long seed;
	const char *label;	/* --label, or NULL */
	/* trace */
	const char *pattern;
	size_t pool_pages;
	size_t ws_mult;
	size_t accesses;
	const char *cgroup;
	int fill_data;
	int sample_ms;
	const char *policy;
};

static size_t page_size;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "vmsim-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------------
 * What the kernel and vmsim count
 */

/*
 * Read the named fields of a file of "name value" (vmstat, memory.stat) or
 * "name: value kB" (meminfo) lines into @vals; -1 for a field not found.
 */
static void read_fields(const char *file, const char * const *names, int n,
			long long *vals)
{
	char line[256];
	FILE *f = fopen(file, "r");
	int i;

	for (i = 0; i < n; i++)
		vals[i] = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, ": ");

		if (!line[len])
			continue;
		line[len] = '\0';
		for (i = 0; i < n; i++)
			if (!strcmp(line, names[i]))
				vals[i] = strtoll(line + len + 1, NULL, 10);
	}
	fclose(f);
}

/* One "name value" line of a file; -1 if absent. */
static long long stat_line(const char *file, const char *name)
{
	long long v;

	read_fields(file, &name, 1, &v);
	return v;
}

/*
 * What a pass costs: the faults of the process (or of its children), and
 * the refaults and swap I/O of the memory it ran on.
 */
struct counters {
	long minflt, majflt;
	long long refaults, pswpin, pswpout;
};

/* Where a backend's refaults and swap I/O are counted. */
struct stat_files {
	char refaults[512];	/* workingset_refault_anon */
	const char *swap;	/* pswpin, pswpout */
};

static void stat_files_init(struct stat_files *sf, enum backend b,
			    const char *cgroup)
{
	if (b == B_VMSIM) {
		snprintf(sf->refaults, sizeof(sf->refaults), "/proc/vmsim_vmstat");
		sf->swap = "/proc/vmsim_vmstat";
	} else {
		snprintf(sf->refaults, sizeof(sf->refaults), "%s/memory.stat",
			 cgroup ? cgroup : "/sys/fs/cgroup");
		sf->swap = "/proc/vmstat";
	}
}

static void counters_read(struct counters *c, int who,
			  const struct stat_files *sf)
{
	static const char * const swap_names[] = { "pswpin", "pswpout" };
	long long swap[2] = { 0, 0 };
	struct rusage ru;

	getrusage(who, &ru);
	c->minflt = ru.ru_minflt;
	c->majflt = ru.ru_majflt;
	c->refaults = 0;
	if (sf) {
		c->refaults = stat_line(sf->refaults, "workingset_refault_anon");
		read_fields(sf->swap, swap_names, 2, swap);
	}
	c->pswpin = swap[0];
	c->pswpout = swap[1];
}

/* *@c = *@c - *@c0 */
static void counters_since(struct counters *c, const struct counters *c0)
{
	c->minflt -= c0->minflt;
	c->majflt -= c0->majflt;
	c->refaults -= c0->refaults;
	c->pswpin -= c0->pswpin;
	c->pswpout -= c0->pswpout;
}

/* ------------------------------------------------------------------------
 * Result lines
 */

#define SHOW_REFAULTS	1
#define SHOW_SWAP	2

/* The start of a result: what ran, on what, how big, with which seed. */
/*
 * vmsim's write_notify parameter, which decides how its mappings learn of
 * writes ('Y' or 'N'), or '?' without it.
 */
static char vmsim_write_notify(void)
{
	FILE *f = fopen("/sys/module/vmsim/parameters/write_notify", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == 'Y' || c == 'N' ? c : '?';
}

static void print_head(const char *workload, const char *backend,
		       const struct opts *o, size_t pages)
{
	printf("BENCH {\"workload\":\"%s\",\"backend\":\"%s\",",
	       workload, backend);
	if (!strcmp(backend, "vmsim"))
		printf("\"write_notify\":\"%c\",", vmsim_write_notify());
	printf("\"threads\":%d,\"procs\":%d,\"pages\":%zu,\"seed\":%llu,",
	       o->threads, o->procs, pages, o->seed);
}

/* The figures, with no closing brace: print_end() follows. */
static void print_figures(double secs, double amount, const char *unit,
			  const struct counters *c, int show)
{
	printf("\"seconds\":%.6f,\"rate\":%.1f,\"unit\":\"%s\",",
	       secs, secs > 0 ? amount / secs : 0.0, unit);
	printf("\"faults\":%ld,\"majflt\":%ld", c->minflt, c->majflt);
	if (show & SHOW_REFAULTS)
		printf(",\"refaults\":%lld", c->refaults);
	if (show & SHOW_SWAP)
		printf(",\"pswpin\":%lld,\"pswpout\":%lld", c->pswpin,
		       c->pswpout);
}

static void print_end(void)
{
	printf("}\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------------
 * Mappings
 */

struct region {
	char *p;
	size_t len;
	int fd;
};

static int region_map(struct region *r, enum backend b, size_t len)
{
	r->len = len;
	r->fd = -1;
	switch (b) {
	case B_VMSIM:
		r->fd = open(VMSIM_DEVICE, O_RDWR);
		if (r->fd < 0)
			return -1;
		r->p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			    r->fd, 0);
		break;
	case B_SHARED:
		r->p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		break;
	default:
		r->p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	}
	return r->p == MAP_FAILED ? -1 : 0;
}

/* region_map(), or say why not. */
static int region_map_or_say(struct region *r, enum backend b, size_t len)
{
	if (!region_map(r, b, len))
		return 0;
	fprintf(stderr, "vmsim-bench: %s: %s\n", backend_names[b],
		strerror(errno));
	return -1;
}

static void region_unmap(struct region *r)
{
	munmap(r->p, r->len);
	if (r->fd >= 0)
		close(r->fd);
}

static int join_cgroup(const char *dir)
{
	char path[512];
	FILE *f;

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", getpid());
	return fclose(f);
}

/* The kernel's side runs in the cgroup; vmsim's and Belady's do not. */
static int join_cgroup_for(enum backend b, const char *dir)
{
	if (b == B_VMSIM || b == B_BELADY || !join_cgroup(dir))
		return 0;
	fprintf(stderr, "vmsim-bench: cannot join cgroup %s\n",
		dir ? dir : "(none given)");
	return -1;
}

/* ------------------------------------------------------------------------
 * First touch and re-touch, by threads and by processes
 */

struct slice {
	char *p;
	size_t pages;		/* or iterations, for spin_slice() */
	void (*fn)(struct slice *s);
	pthread_t t;
	pthread_barrier_t *start;
	unsigned long long sink;
};

static void touch_slice(struct slice *s)
{
	size_t i;

	for (i = 0; i < s->pages; i++)
		s->p[i * page_size] = (char)i;
}

/* Arithmetic only, no memory: what CPU the threads get. */
static void spin_slice(struct slice *s)
{
	unsigned long long x = 1;
	size_t i;

	for (i = 0; i < s->pages; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	s->sink = x;
}

static void *slice_thread(void *arg)
{
	struct slice *s = arg;

	pthread_barrier_wait(s->start);
	s->fn(s);
	return NULL;
}

/*
 * What workers run: @fn over @pages pages at @p (or, with @p NULL, over
 * @pages iterations), split in contiguous slices.  A private backend maps
 * each process's slice in that process.
 */
struct work {
	char *p;
	size_t pages;
	enum backend b;
	void (*fn)(struct slice *s);
};

/* Slice @i of @n of @w into @part. */
static void slice_of(const struct work *w, int n, int i, struct work *part)
{
	size_t per = w->pages / n;

	*part = *w;
	part->pages = i == n - 1 ? w->pages - i * per : per;
	if (w->p)
		part->p = w->p + i * per * page_size;
}

/*
 * Run @w with @threads threads, each a slice; return the seconds from the
 * moment they are all ready to the moment the last is done.
 */
static double run_threads(const struct work *w, int threads)
{
	struct slice s[MAX_WORKERS];
	pthread_barrier_t start;
	double t0;
	int i;

	if (threads == 1) {
		s[0] = (struct slice){ .p = w->p, .pages = w->pages };
		t0 = now();
		w->fn(&s[0]);
		return now() - t0;
	}
	pthread_barrier_init(&start, NULL, threads + 1);
	for (i = 0; i < threads; i++) {
		struct work part;

		slice_of(w, threads, i, &part);
		s[i] = (struct slice){ .p = part.p, .pages = part.pages,
				       .fn = w->fn, .start = &start };
		if (pthread_create(&s[i].t, NULL, slice_thread, &s[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&start);
	t0 = now();
	for (i = 0; i < threads; i++)
		pthread_join(s[i].t, NULL);
	pthread_barrier_destroy(&start);
	return now() - t0;
}

static double touch_threads(char *p, size_t pages, int threads)
{
	struct work w = { .p = p, .pages = pages, .fn = touch_slice };

	return run_threads(&w, threads);
}

/* Read @n one-byte messages from @fd; how many were not @want. */
static int hear(int fd, int n, char want)
{
	int bad = 0;
	char c;

	while (n-- > 0)
		if (read(fd, &c, 1) != 1 || c != want)
			bad++;
	return bad;
}

/*
 * Run @n processes: child i calls @ready(i, @arg) (0 if it can go on), says
 * "r" (ready) or "e" (error), waits for the gate to open (EOF), calls
 * @run(i, @arg) and says "d" (done).  The clock runs from the moment every
 * child is ready to the moment the last is done; forks and exits are not in
 * it.  Returns the seconds, or -1.
 */
static double run_forked(int n, int (*ready)(int i, void *arg),
			 void (*run)(int i, void *arg), void *arg)
{
	int gate[2], said[2], i, bad;
	double t0, secs;

	if (pipe(gate) || pipe(said))
		die("pipe");
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int ok;
		char c;

		if (pid < 0)
			die("fork");
		if (pid)
			continue;
		close(gate[1]);
		close(said[0]);
		ok = !ready(i, arg);
		if (write(said[1], ok ? "r" : "e", 1) != 1 || !ok ||
		    read(gate[0], &c, 1) != 0)
			_exit(1);
		run(i, arg);
		_exit(write(said[1], "d", 1) == 1 ? 0 : 1);
	}
	close(gate[0]);
	close(said[1]);
	bad = hear(said[0], n, 'r');
	t0 = now();
	close(gate[1]);
	if (!bad)
		bad = hear(said[0], n, 'd');
	secs = now() - t0;
	close(said[0]);
	while (wait(NULL) > 0)
		;
	return bad ? -1 : secs;
}

/* run_procs()'s children: a slice each, mapped by the child if private. */
struct procs_arg {
	const struct work *w;
	int procs, threads;
	struct work part;
};

static int procs_ready(int i, void *arg)
{
	struct procs_arg *a = arg;
	struct region own;

	slice_of(a->w, a->procs, i, &a->part);
	if (a->part.b != B_PRIVATE)
		return 0;
	if (region_map(&own, a->part.b, a->part.pages * page_size))
		return -1;
	a->part.p = own.p;
	return 0;
}

static void procs_run(int i, void *arg)
{
	struct procs_arg *a = arg;

	run_threads(&a->part, a->threads);
}

/*
 * Run @w with @procs processes, each its slice with @threads threads:
 * slices of a mapping made before fork (vmsim, shared) or, for private, of
 * a mapping each child makes of its own.  Returns the seconds, or -1.
 */
static double run_procs(const struct work *w, int procs, int threads)
{
	struct procs_arg a = { .w = w, .procs = procs, .threads = threads };

	return run_forked(procs, procs_ready, procs_run, &a);
}

/* Run @w with --procs processes of --threads threads each. */
static double run_workers(const struct work *w, const struct opts *o)
{
	if (o->procs > 1)
		return run_procs(w, o->procs, o->threads);
	return run_threads(w, o->threads);
}

/*
 * Frames freed by an earlier pass are zeroed in the background; wait for
 * that to finish (vmsim_zero_pending reaches 0) so that it does not compete
 * with the pass about to be measured.
 */
static void settle(int ms)
{
	for (; ms > 0; ms -= 10) {
		if (stat_line("/proc/vmsim_vmstat", "vmsim_zero_pending") <= 0)
			return;
		usleep(10000);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int run_touch(const char *workload, const struct opts *o,
		     enum backend b, int again)
{
	size_t len = o->mb << 20, pages = len / page_size;
	int who = o->procs > 1 ? RUSAGE_CHILDREN : RUSAGE_SELF;
	struct counters sum = { 0 };
	double secs[64];
	int rep;

	for (rep = 0; rep < o->reps; rep++) {
		struct counters c0, c;
		struct region r;
		struct work w;

		if (region_map_or_say(&r, b, len))
			return -1;
		if (again)
			touch_threads(r.p, pages, 1);
		settle(o->settle_ms);
		w = (struct work){ .p = r.p, .pages = pages, .b = b, .fn = touch_slice };
		counters_read(&c0, who, NULL);
		secs[rep] = run_workers(&w, o);
		counters_read(&c, who, NULL);
		counters_since(&c, &c0);
		sum.minflt += c.minflt;
		sum.majflt += c.majflt;
		region_unmap(&r);
		if (secs[rep] < 0) {
			fprintf(stderr, "vmsim-bench: a child failed\n");
			return -1;
		}
	}
	sum.minflt /= o->reps;
	sum.majflt /= o->reps;
	print_head(workload, backend_names[b], o, pages);
	printf("\"settle_ms\":%d,", o->settle_ms);
	print_figures(median(secs, o->reps), pages, "pages/s", &sum, 0);
	print_end();
	return 0;
}

/*
 * page_fault3's loop (will-it-scale): map a resident object, write one
 * byte to every page, unmap, again.  Each worker has an object of its own,
 * made and written once before the clock starts, as each will-it-scale
 * task has its own file.
 */
struct remap_worker {
	int fd;			/* the object, or -1 for private memory */
	size_t pages;
	int passes;
	enum backend b;
	pthread_t t;
	pthread_barrier_t *start;
};

static void remap_passes(const struct remap_worker *w)
{
	size_t len = w->pages * page_size, i;
	int pass;

	for (pass = 0; pass < w->passes; pass++) {
		char *p = w->fd < 0 ?
			  mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) :
			  mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       w->fd, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (i = 0; i < w->pages; i++)
			p[i * page_size] = (char)i;
		munmap(p, len);
	}
}

static void *remap_thread(void *arg)
{
	struct remap_worker *w = arg;

	pthread_barrier_wait(w->start);
	remap_passes(w);
	return NULL;
}

/* A worker's object, resident: -1 and errno set if it cannot be made. */
static int remap_object(enum backend b, size_t len)
{
	struct remap_worker once = { .pages = len / page_size, .passes = 1 };

	if (b == B_PRIVATE)
		return -2;
	once.fd = b == B_VMSIM ? open(VMSIM_DEVICE, O_RDWR) :
		  memfd_create("vmsim-bench", 0);
	if (once.fd < 0)
		return -1;
	if (b == B_TMPFS && ftruncate(once.fd, len)) {
		close(once.fd);
		return -1;
	}
	remap_passes(&once);
	return once.fd;
}

static int remap_ready(int i, void *arg)
{
	return 0;
}

static void remap_run_one(int i, void *arg)
{
	remap_passes(&((struct remap_worker *)arg)[i]);
}

/*
 * --procs processes or --threads threads (not both), each its own loop;
 * the seconds from the moment all are ready to the moment the last is
 * done, or -1.
 */
static double remap_run(struct remap_worker *w, int n, int procs)
{
	pthread_barrier_t start;
	double t0;
	int i;

	if (procs)
		return run_forked(n, remap_ready, remap_run_one, w);
	pthread_barrier_init(&start, NULL, n + 1);
	for (i = 0; i < n; i++) {
		w[i].start = &start;
		if (pthread_create(&w[i].t, NULL, remap_thread, &w[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&start);
	t0 = now();
	for (i = 0; i < n; i++)
		pthread_join(w[i].t, NULL);
	pthread_barrier_destroy(&start);
	return now() - t0;
}

static int run_remap(const struct opts *o, enum backend b)
{
	int n = o->procs > 1 ? o->procs : o->threads, i, err = 0;
	int who = o->procs > 1 ? RUSAGE_CHILDREN : RUSAGE_SELF;
	size_t len = o->mb << 20, pages = len / page_size;
	struct remap_worker w[MAX_WORKERS];
	struct counters c0, c;
	double secs;

	for (i = 0; i < n; i++) {
		w[i] = (struct remap_worker){ .pages = pages,
					      .passes = o->reps, .b = b };
		w[i].fd = remap_object(b, len);
		if (w[i].fd == -1) {
			fprintf(stderr, "vmsim-bench: %s: %s\n",
				backend_names[b], strerror(errno));
			n = i;
			err = -1;
			goto out;
		}
	}
	settle(o->settle_ms);
	counters_read(&c0, who, NULL);
	secs = remap_run(w, n, o->procs > 1);
	counters_read(&c, who, NULL);
	counters_since(&c, &c0);
	if (secs < 0) {
		fprintf(stderr, "vmsim-bench: a worker failed\n");
		err = -1;
		goto out;
	}
	print_head("remap", backend_names[b], o, pages * n);
	print_figures(secs, (double)pages * n * o->reps, "pages/s", &c, 0);
	print_end();
out:
	for (i = 0; i < n; i++)
		if (w[i].fd >= 0)
			close(w[i].fd);
	return err;
}

/*
 * The CPU the guest gets: SPIN_ITERATIONS steps of arithmetic split over
 * --procs processes of --threads threads, in steps per second (the median
 * of --reps).  Under TCG on a shared host, faults cannot scale with
 * threads or processes further than this does.
 */
#define SPIN_ITERATIONS	(256UL << 20)

static int run_spin(const struct opts *o)
{
	struct work w = { .pages = SPIN_ITERATIONS, .b = B_CPU, .fn = spin_slice };
	struct counters c = { 0 };
	double secs[64];
	int rep;

	for (rep = 0; rep < o->reps; rep++)
		secs[rep] = run_workers(&w, o);
	print_head("spin", backend_names[B_CPU], o, 0);
	printf("\"label\":\"%s\",", o->label ?: "now");
	print_figures(median(secs, o->reps), SPIN_ITERATIONS, "steps/s", &c, 0);
	print_end();
	return 0;
}

/* ------------------------------------------------------------------------
 * Access traces
 */

/* xorshift64*: small, fast, and the same sequence everywhere. */
static unsigned long long rng_state;

static unsigned long long rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static double rng_double(void)
{
	return (rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

/* Shuffle @perm[0..n) (Fisher-Yates, with the trace's generator). */
static void shuffle(unsigned int *perm, size_t n)
{
	size_t r;

	for (r = n - 1; r > 0; r--) {
		size_t j = rng_next() % (r + 1);
		unsigned int x = perm[r];

		perm[r] = perm[j];
		perm[j] = x;
	}
}

/*
 * For the Zipf trace: the popularity rank of each page (0: the most
 * popular), for A0.  NULL for the other traces.
 */
static unsigned int *trace_rank;

/*
 * A trace from a file (recorded elsewhere, e.g. from a real program): native
 * 32-bit page numbers, dense from 0.  Return the trace (at most @max
 * accesses) and set *@n and the working set *@ws.
 */
static unsigned int *load_trace(const char *path, size_t max, size_t *n,
				size_t *ws)
{
	unsigned int *t = malloc(max * sizeof(*t));
	FILE *f = fopen(path, "rb");
	size_t i;

	if (!t || !f) {
		free(t);
		if (f)
			fclose(f);
		return NULL;
	}
	*n = fread(t, sizeof(*t), max, f);
	fclose(f);
	*ws = 0;
	for (i = 0; i < *n; i++)
		if (t[i] >= *ws)
			*ws = t[i] + 1;
	return *n ? t : NULL;
}

/*
 * The trace: a page number per access, over [0, ws).  "phase" is Zipf
 * whose hot pages move: the ranks are scattered over the pages anew at
 * each quarter of the trace.
 */
static unsigned int *make_trace(const struct opts *o, size_t ws)
{
	unsigned int *t = malloc(o->accesses * sizeof(*t));
	bool phase = !strcmp(o->pattern, "phase");
	size_t i;

	if (!t)
		return NULL;
	rng_state = o->seed * 0x9e3779b97f4a7c15ULL + 1;

	if (!strcmp(o->pattern, "zipf") || phase) {
		/* Zipf 0.99 over ranks, ranks scattered over the pages. */
		double *cdf = malloc(ws * sizeof(*cdf)), sum = 0;
		unsigned int *perm = malloc(ws * sizeof(*perm));
		size_t r;

		if (!cdf || !perm)
			return NULL;
		for (r = 0; r < ws; r++) {
			sum += 1.0 / pow(r + 1, 0.99);
			cdf[r] = sum;
			perm[r] = r;
		}
		shuffle(perm, ws);
		if (!phase) {
			trace_rank = malloc(ws * sizeof(*trace_rank));
			if (!trace_rank)
				return NULL;
			for (r = 0; r < ws; r++)
				trace_rank[perm[r]] = r;
		}
		for (i = 0; i < o->accesses; i++) {
			double u = rng_double() * sum;
			size_t lo = 0, hi = ws - 1;

			if (phase && i && i % (o->accesses / 4) == 0)
				shuffle(perm, ws);

			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (cdf[mid] < u)
					lo = mid + 1;
				else
					hi = mid;
			}
			t[i] = perm[lo];
		}
		free(cdf);
		free(perm);
	} else if (!strcmp(o->pattern, "loop")) {
		/* A loop 10% larger than the pool. */
		size_t len = o->pool_pages + o->pool_pages / 10;

		for (i = 0; i < o->accesses; i++)
			t[i] = i % len;
	} else if (!strcmp(o->pattern, "hotscan")) {
		/*
		 * Half the accesses go to a hot set of a quarter of the pool,
		 * at random; the other half scan the rest of the working set
		 * once, in order.
		 */
		size_t hot = o->pool_pages / 4, next = hot;

		for (i = 0; i < o->accesses; i++) {
			if ((rng_next() & 1) || next >= ws)
				t[i] = rng_next() % hot;
			else
				t[i] = next++;
		}
	} else {
		free(t);
		return NULL;
	}
	return t;
}

struct heap_item {
	size_t next;		/* next use (index in the trace) */
	unsigned int page;
};

static void heap_push(struct heap_item *h, size_t *n, struct heap_item x)
{
	size_t i = (*n)++;

	while (i && h[(i - 1) / 2].next < x.next) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

static struct heap_item heap_pop(struct heap_item *h, size_t *n)
{
	struct heap_item top = h[0], x = h[--(*n)];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].next > h[c].next)
			c++;
		if (h[c].next <= x.next)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
	return top;
}

/*
 * Belady's MIN: on a miss with the cache full, evict the page used
 * furthest in the future.  Returns the misses on pages seen before.
 */
static size_t belady(const unsigned int *t, size_t n, size_t ws, size_t cap)
{
	size_t *next_use = malloc(n * sizeof(*next_use));
	size_t *last = malloc(ws * sizeof(*last));
	size_t *cur_next = malloc(ws * sizeof(*cur_next));
	struct heap_item *heap = malloc((n + 1) * sizeof(*heap));
	char *in = calloc(ws, 1), *seen = calloc(ws, 1);
	size_t i, hn = 0, resident = 0, refaults = 0;

	if (!next_use || !last || !cur_next || !heap || !in || !seen)
		return (size_t)-1;
	for (i = 0; i < ws; i++)
		last[i] = (size_t)-1;
	for (i = n; i-- > 0;) {
		next_use[i] = last[t[i]];
		last[t[i]] = i;
	}
	for (i = 0; i < n; i++) {
		unsigned int p = t[i];

		if (!in[p]) {
			if (seen[p])
				refaults++;
			if (resident == cap) {
				/* Pop until an entry that is current. */
				for (;;) {
					struct heap_item v = heap_pop(heap, &hn);

					if (in[v.page] && cur_next[v.page] == v.next) {
						in[v.page] = 0;
						break;
					}
				}
				resident--;
			}
			in[p] = 1;
			seen[p] = 1;
			resident++;
		}
		cur_next[p] = next_use[i];
		heap_push(heap, &hn, (struct heap_item){ next_use[i], p });
	}
	free(next_use);
	free(last);
	free(cur_next);
	free(heap);
	free(in);
	free(seen);
	return refaults;
}

/*
 * A0 (Aho, Denning and Ullman, 1971): on a miss with the cache full,
 * evict the resident page least likely to be used, by its true
 * probability (its Zipf rank).  The best an online policy can do in
 * expectation on an independent-reference trace; Belady's MIN, which
 * knows the future, is not reachable online.  Returns the misses on pages
 * seen before.
 */
static size_t a0(const unsigned int *t, size_t n, size_t ws, size_t cap)
{
	unsigned int *page_of = malloc(ws * sizeof(*page_of));
	/* A max-heap of the ranks of resident pages. */
	unsigned int *heap = malloc((ws + 1) * sizeof(*heap));
	char *in = calloc(ws, 1), *seen = calloc(ws, 1);
	size_t i, hn = 0, resident = 0, refaults = 0;

	if (!page_of || !heap || !in || !seen || !trace_rank)
		return (size_t)-1;
	for (i = 0; i < ws; i++)
		page_of[trace_rank[i]] = i;
	for (i = 0; i < n; i++) {
		unsigned int p = t[i], r = trace_rank[p];
		size_t k;

		if (in[p])
			continue;
		if (seen[p])
			refaults++;
		seen[p] = 1;
		if (resident == cap) {
			/* Evict the highest rank resident (never p, not in). */
			unsigned int top = heap[0], x = heap[--hn];

			for (k = 0;;) {
				size_t c = 2 * k + 1;

				if (c >= hn)
					break;
				if (c + 1 < hn && heap[c + 1] > heap[c])
					c++;
				if (heap[c] <= x)
					break;
				heap[k] = heap[c];
				k = c;
			}
			heap[k] = x;
			in[page_of[top]] = 0;
			resident--;
		}
		in[p] = 1;
		resident++;
		for (k = hn++; k && heap[(k - 1) / 2] < r; k = (k - 1) / 2)
			heap[k] = heap[(k - 1) / 2];
		heap[k] = r;
	}
	free(page_of);
	free(heap);
	free(in);
	free(seen);
	return refaults;
}

/*
 * A child process that reads /proc/vmsim_meminfo every @ms milliseconds
 * while a trace replays: free frames and the LRU lists over time.  Not a
 * thread: a second thread in the replaying process would make every TLB
 * flush of reclaim an IPI to the other CPU, and slow the replay down.
 */
#define NR_SERIES	5

static const char * const series_names[NR_SERIES] = {
	"MemFree", "Active", "Inactive", "Active(anon)", "Inactive(anon)",
};

struct sampler {
	pid_t pid;
	int stop;		/* write end: closed to stop the child */
};

/* Print one sample as a BENCH-SERIES line. */
static void sample_print(const struct opts *o, enum backend b, double t)
{
	long long kb[NR_SERIES];
	int f;

	read_fields("/proc/vmsim_meminfo", series_names, NR_SERIES, kb);
	printf("BENCH-SERIES {\"series\":\"trace-%s\",\"backend\":\"%s\",",
	       o->pattern, backend_names[b]);
	printf("\"seed\":%llu,\"interval_ms\":%d,\"t\":%.3f",
	       o->seed, o->sample_ms, t);
	for (f = 0; f < NR_SERIES; f++)
		printf(",\"%s\":%lld", series_names[f], kb[f]);
	printf(",\"unit\":\"kB\"}\n");
}

/*
 * The child: a sample every --sample milliseconds (a line each, into a
 * buffer printed at the end, so that nothing is written meanwhile) until
 * @stop reads EOF.
 */
static int sampler_child(const struct opts *o, enum backend b, int stop)
{
	static char buf[1 << 22];
	struct pollfd pfd = { .fd = stop, .events = POLLIN };
	double t0 = now();

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	do
		sample_print(o, b, now() - t0);
	while (poll(&pfd, 1, o->sample_ms) == 0);
	fflush(stdout);
	return 0;
}

/* Start sampling (if --sample was given, on vmsim); 0 or -1. */
static int sampler_start(struct sampler *sm, const struct opts *o, enum backend b)
{
	int fds[2];

	sm->pid = 0;
	if (o->sample_ms <= 0 || b != B_VMSIM)
		return 0;
	if (pipe(fds))
		return -1;
	fflush(stdout);
	sm->pid = fork();
	if (sm->pid < 0)
		return -1;
	if (sm->pid == 0) {
		close(fds[1]);
		_exit(sampler_child(o, b, fds[0]));
	}
	close(fds[0]);
	sm->stop = fds[1];
	return 0;
}

/* Stop sampling: the child prints its samples and exits. */
static void sampler_stop(struct sampler *sm)
{
	if (sm->pid <= 0)
		return;
	close(sm->stop);
	waitpid(sm->pid, NULL, 0);
}

/* Replay @t on a mapping of @ws pages; the pass's figures into @c. */
static int replay(const struct opts *o, enum backend b, const unsigned int *t,
		  size_t n, size_t ws, struct counters *c, double *secs)
{
	struct stat_files sf;
	struct counters c0;
	struct sampler sm;
	struct region r;
	double t0;
	size_t i;

	/* The sampler first, so that it does not map the working set too. */
	if (sampler_start(&sm, o, b))
		die("sampler");
	if (join_cgroup_for(b, o->cgroup) || region_map_or_say(&r, b, ws * page_size))
		return -1;
	/* Page by page, as the pool: no transparent huge pages. */
	madvise(r.p, r.len, MADV_NOHUGEPAGE);
	stat_files_init(&sf, b, o->cgroup);
	counters_read(&c0, RUSAGE_SELF, &sf);
	t0 = now();
	for (i = 0; i < n; i++) {
		char *p = r.p + (size_t)t[i] * page_size;

		*p = o->fill_data ? (char)(t[i] | 1) : 0;
	}
	*secs = now() - t0;
	counters_read(c, RUSAGE_SELF, &sf);
	counters_since(c, &c0);
	sampler_stop(&sm);
	region_unmap(&r);
	return 0;
}

/* Make @name vmsim's replacement policy; 0 or -1. */
static int set_policy(const char *name)
{
	FILE *f = fopen("/sys/module/vmsim/parameters/policy", "w");
	int err;

	if (!f)
		return -1;
	err = fputs(name, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

static int run_trace(const struct opts *o, enum backend b)
{
	size_t ws = o->pool_pages * o->ws_mult, n = o->accesses, i;
	const char *file = !strncmp(o->pattern, "file:", 5) ?
			   o->pattern + 5 : NULL;
	size_t compulsory = 0;
	struct counters c = { 0 };
	char workload[64], backend[64];
	unsigned int *t;
	double secs = 0;
	char *seen;

	t = file ? load_trace(file, n ? n : 1 << 24, &n, &ws) :
		   make_trace(o, ws);
	seen = t ? calloc(ws, 1) : NULL;
	if (!t || !seen) {
		fprintf(stderr, "vmsim-bench: bad trace options or no memory\n");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!seen[t[i]]) {
			seen[t[i]] = 1;
			compulsory++;
		}
	if (file) {
		const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;

		snprintf(workload, sizeof(workload), "trace-%.*s",
			 (int)strcspn(base, "."), base);
	} else {
		snprintf(workload, sizeof(workload), "trace-%s", o->pattern);
	}
	snprintf(backend, sizeof(backend), "%s", backend_names[b]);
	if (b == B_VMSIM && o->policy) {
		if (set_policy(o->policy)) {
			fprintf(stderr, "vmsim-bench: cannot set policy %s\n",
				o->policy);
			return -1;
		}
		snprintf(backend, sizeof(backend), "vmsim-%s", o->policy);
	}
	if (b == B_BELADY) {
		c.refaults = belady(t, n, ws, o->pool_pages);
	} else if (b == B_A0) {
		if (!trace_rank) {
			fprintf(stderr, "vmsim-bench: a0 needs the zipf trace\n");
			return -1;
		}
		c.refaults = a0(t, n, ws, o->pool_pages);
	} else if (replay(o, b, t, n, ws, &c, &secs)) {
		return -1;
	}

	print_head(workload, backend, o, ws);
	printf("\"accesses\":%zu,\"capacity\":%zu,\"compulsory\":%zu,",
	       n, o->pool_pages, compulsory);
	print_figures(secs, n, "accesses/s", &c, SHOW_REFAULTS);
	print_end();
	free(t);
	free(seen);
	return 0;
}

/* ------------------------------------------------------------------------
 * Swap throughput
 */

/*
 * Fill a page with words derived from its number: never zero, so both
 * vmsim and the kernel must write it out.
 */
static void swap_fill(uint64_t *w, size_t page)
{
	size_t i, n = page_size / sizeof(*w);

	for (i = 0; i < n; i++)
		w[i] = (page << 20 | i) * 0x9e3779b97f4a7c15ULL | 1;
}

/* Read every word of a page; count it bad if any word is wrong. */
static int swap_check(const uint64_t *w, size_t page)
{
	size_t i, n = page_size / sizeof(*w);
	int bad = 0;

	for (i = 0; i < n; i++)
		bad |= w[i] != ((page << 20 | i) * 0x9e3779b97f4a7c15ULL | 1);
	return bad;
}

struct swap_pass {
	double secs;
	size_t pages;			/* accesses in the pass */
	struct counters c;
};

static void swap_report(const struct opts *o, enum backend b,
			const char *dir, size_t ws, const struct swap_pass *s,
			size_t bad)
{
	char workload[64];

	snprintf(workload, sizeof(workload), "swap-%s-%s", o->pattern, dir);
	print_head(workload, backend_names[b], o, ws);
	if (o->label)
		printf("\"label\":\"%s\",", o->label);
	printf("\"capacity\":%zu,", o->pool_pages);
	print_figures(s->secs, (double)s->pages * page_size / (1 << 20),
		      "MiB/s", &s->c, SHOW_REFAULTS | SHOW_SWAP);
	printf(",\"bad_pages\":%zu", bad);
	print_end();
}

/* The order of a pass: 0, 1, 2, ... or a random permutation from @seed. */
static void swap_order(unsigned int *order, size_t ws, int random,
		       unsigned long long seed)
{
	size_t i;

	for (i = 0; i < ws; i++)
		order[i] = i;
	if (!random)
		return;
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (i = ws - 1; i > 0; i--) {
		size_t j = rng_next() % (i + 1);
		unsigned int x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
}

static int cmp_pass(const void *a, const void *b)
{
	const struct swap_pass *x = a, *y = b;

	return x->secs < y->secs ? -1 : x->secs > y->secs;
}

/*
 * The read pass of --pattern mix, 2 x @ws accesses: the even ones scan the
 * working set in order, the odd ones are Zipf 0.99 draws over it (the
 * traces' Zipf, from @seed).
 */
static unsigned int *swap_mix_order(const struct opts *o, size_t ws,
				    unsigned long long seed)
{
	struct opts z = *o;
	unsigned int *order = malloc(2 * ws * sizeof(*order)), *zipf;
	size_t i;

	z.pattern = "zipf";
	z.accesses = ws;
	z.seed = seed;
	zipf = make_trace(&z, ws);
	if (!order || !zipf)
		return NULL;
	for (i = 0; i < ws; i++) {
		order[2 * i] = i;
		order[2 * i + 1] = zipf[i];
	}
	free(zipf);
	free(trace_rank);
	trace_rank = NULL;
	return order;
}

/*
 * One pass over @r in @order (@n accesses): write every page (@dir 0) or
 * read it back and check it (@dir 1); with @rewrite, every odd access
 * writes the page again after its check.  Returns the pages read back
 * wrong.
 */
static size_t swap_pass(struct region *r, const unsigned int *order,
			size_t n, int dir, bool rewrite,
			const struct stat_files *sf, struct swap_pass *s)
{
	struct counters c0;
	size_t i, bad = 0;
	double t0;

	counters_read(&c0, RUSAGE_SELF, sf);
	t0 = now();
	for (i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)(r->p + (size_t)order[i] * page_size);

		if (dir == 0) {
			swap_fill(w, order[i]);
			continue;
		}
		bad += swap_check(w, order[i]);
		if (rewrite && (i & 1))
			swap_fill(w, order[i]);
	}
	s->secs = now() - t0;
	s->pages = n;
	counters_read(&s->c, RUSAGE_SELF, sf);
	counters_since(&s->c, &c0);
	return bad;
}

/*
 * Write every page of a working set ws_mult times the pool, in order (seq)
 * or in a random order (rand), then read every page back and check it, in
 * order (seq) or in another random order (rand: not the write's, which
 * would make the reads sequential on the device).  The write pass's rate
 * includes the swap-out it forces, the read pass's the swap-in.  vmsim's
 * counters come from /proc/vmsim_vmstat, the kernel's from the cgroup's
 * memory.stat (refaults) and /proc/vmstat (swap I/O: only this cgroup
 * swaps meanwhile).
 */
static int run_swap(const struct opts *o, enum backend b)
{
	size_t ws = o->pool_pages * o->ws_mult, bad = 0;
	bool mix = !strcmp(o->pattern, "mix");
	struct swap_pass pass[2][64];
	struct stat_files sf;
	unsigned int *order, *mixed = NULL;
	int dir, rep;

	order = malloc(ws * sizeof(*order));
	if (!order || join_cgroup_for(b, o->cgroup))
		return -1;
	stat_files_init(&sf, b, o->cgroup);
	for (rep = 0; rep < o->reps; rep++) {
		struct region r;

		if (region_map_or_say(&r, b, ws * page_size))
			return -1;
		madvise(r.p, r.len, MADV_NOHUGEPAGE);
		for (dir = 0; dir < 2; dir++) {
			unsigned long long seed = o->seed + rep * 2 + dir;

			if (mix && dir == 1) {
				/* Made before the clock starts, as order is. */
				mixed = swap_mix_order(o, ws, seed);
				if (!mixed)
					return -1;
				bad += swap_pass(&r, mixed, 2 * ws, dir, true,
						 &sf, &pass[dir][rep]);
				free(mixed);
				continue;
			}
			swap_order(order, ws, !strcmp(o->pattern, "rand"),
				   seed);
			bad += swap_pass(&r, order, ws, dir, false, &sf,
					 &pass[dir][rep]);
		}
		region_unmap(&r);
	}
	/* The median run of each direction, with its counters. */
	for (dir = 0; dir < 2; dir++)
		qsort(pass[dir], o->reps, sizeof(pass[dir][0]), cmp_pass);
	swap_report(o, b, "write", ws, &pass[0][o->reps / 2], 0);
	swap_report(o, b, "read", ws, &pass[1][o->reps / 2], bad);
	free(order);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * The memory vmsim's metadata takes
 */

#define NR_MEMINFO	6

static const char * const meminfo_names[NR_MEMINFO] = {
	"Slab", "SUnreclaim", "VmallocUsed", "Percpu", "PageTables",
	"KernelStack",
};

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, s, strlen(s)) < 0)
		fprintf(stderr, "vmsim-bench: %s: %s\n", path, strerror(errno));
	close(fd);
}

/*
 * Free pages, exactly once the per-CPU counter deltas are folded: those
 * of the buddy lists and of the per-CPU lists (/proc/zoneinfo "pages free"
 * and each pageset's "count").
 */
static long long free_pages(void)
{
	long long total = 0, v;
	char line[256];
	FILE *f;

	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %lld", &v) == 1 ||
		    sscanf(line, " count: %lld", &v) == 1)
			total += v;
	fclose(f);
	return total;
}

/*
 * Print the kernel's memory figures as a "meminfo" result labelled @label:
 * free memory with the per-CPU lists (kB), the /proc/meminfo lines above,
 * and vmsim's own PageTables (its shadow tables) and SwapTotal when it is
 * loaded (-1 when not).
 */
static void meminfo_snapshot(const char *label, const struct opts *o,
			     size_t pages)
{
	static const char * const vmsim_names[] = { "PageTables", "SwapTotal" };
	long long kb[NR_MEMINFO], vkb[2];
	int i;

	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	write_file("/proc/sys/vm/stat_refresh", "1");
	read_fields("/proc/vmsim_meminfo", vmsim_names, 2, vkb);
	read_fields("/proc/meminfo", meminfo_names, NR_MEMINFO, kb);
	printf("BENCH {\"workload\":\"meminfo\",\"label\":\"%s\",\"mb\":%zu,",
	       label, o->mb);
	printf("\"pages\":%zu,\"seed\":%llu,\"free_kb\":%lld,", pages, o->seed,
	       free_pages() * (long long)(page_size >> 10));
	for (i = 0; i < NR_MEMINFO; i++)
		printf("\"%s\":%lld,", meminfo_names[i], kb[i]);
	for (i = 0; i < 2; i++)
		printf("\"vmsim_%s\":%lld,", vmsim_names[i], vkb[i]);
	printf("\"unit\":\"kB\"");
	print_end();
}

/*
 * Write every page of an --mb mapping of /dev/vmsim (a non-zero byte, so
 * that nothing is dropped), with a snapshot before and one after, while
 * it is still mapped.
 */
static int run_meta(const struct opts *o)
{
	size_t pages = (o->mb << 20) / page_size, i;
	struct region r;

	if (region_map_or_say(&r, B_VMSIM, o->mb << 20))
		return -1;
	meminfo_snapshot("populate-before", o, 0);
	for (i = 0; i < pages; i++)
		r.p[i * page_size] = 1;
	meminfo_snapshot("populate-after", o, pages);
	region_unmap(&r);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: vmsim-bench first-touch|retouch [--mb N] [--reps N] [--threads N]\n"
		"                   [--procs N] [--backend vmsim|shared|private|all]\n"
		"                   [--settle MS] [--seed N]\n"
		"       vmsim-bench remap [--mb N] [--reps PASSES] [--threads N | --procs N]\n"
		"                   [--backend vmsim|tmpfs|private] [--settle MS]\n"
		"       vmsim-bench trace --pattern zipf|loop|hotscan --pool-pages N\n"
		"                   --backend vmsim|shared|private|belady [--ws-mult N]\n"
		"                   [--accesses N] [--seed N] [--cgroup DIR]\n"
		"                   [--fill zero|data] [--sample MS]\n"
		"       vmsim-bench swap --pattern seq|rand|mix --pool-pages N\n"
		"                   --backend vmsim|shared|private [--ws-mult N] [--seed N]\n"
		"                   [--reps N] [--cgroup DIR] [--label L]\n"
		"       vmsim-bench meminfo --label L [--mb POOL_MB]\n"
		"       vmsim-bench meta --mb N\n"
		"       vmsim-bench spin [--threads N] [--procs N] [--reps N] [--label L]\n");
	exit(2);
}

static int parse_backend(const char *s)
{
	int b;

	if (!strcmp(s, "all"))
		return -1;
	for (b = 0; b < NR_BACKENDS; b++)
		if (!strcmp(s, backend_names[b]))
			return b;
	usage();
	return -1;
}

/* Option @name with its value @v into @o; 0, or -1 if it is not one. */
static int parse_opt(struct opts *o, const char *name, const char *v)
{
	if (!strcmp(name, "--mb"))
		o->mb = strtoul(v, NULL, 0);
	else if (!strcmp(name, "--reps"))
		o->reps = atoi(v);
	else if (!strcmp(name, "--threads"))
		o->threads = atoi(v);
	else if (!strcmp(name, "--procs"))
		o->procs = atoi(v);
	else if (!strcmp(name, "--backend"))
		o->backend = parse_backend(v);
	else if (!strcmp(name, "--settle"))
		o->settle_ms = atoi(v);
	else if (!strcmp(name, "--seed"))
		o->seed = strtoull(v, NULL, 0);
	else if (!strcmp(name, "--label"))
		o->label = v;
	else if (!strcmp(name, "--pattern"))
		o->pattern = v;
	else if (!strcmp(name, "--pool-pages"))
		o->pool_pages = strtoul(v, NULL, 0);
	else if (!strcmp(name, "--ws-mult"))
		o->ws_mult = strtoul(v, NULL, 0);
	else if (!strcmp(name, "--accesses"))
		o->accesses = strtoul(v, NULL, 0);
	else if (!strcmp(name, "--cgroup"))
		o->cgroup = v;
	else if (!strcmp(name, "--sample"))
		o->sample_ms = atoi(v);
	else if (!strcmp(name, "--policy"))
		o->policy = v;
	else if (!strcmp(name, "--fill") && (!strcmp(v, "data") || !strcmp(v, "zero")))
		o->fill_data = !strcmp(v, "data");
	else
		return -1;
	return 0;
}

static int main_trace(struct opts *o)
{
	if (!o->pool_pages || o->backend < 0 || o->backend > B_A0 ||
	    !o->ws_mult)
		usage();
	if (!o->accesses)
		o->accesses = 4 * o->ws_mult * o->pool_pages;
	return run_trace(o, o->backend) ? 1 : 0;
}

static int main_swap(struct opts *o)
{
	if (!o->pool_pages || !o->ws_mult || o->backend < 0 ||
	    o->backend >= B_BELADY ||
	    (strcmp(o->pattern, "seq") && strcmp(o->pattern, "rand") &&
	     strcmp(o->pattern, "mix")))
		usage();
	return run_swap(o, o->backend) ? 1 : 0;
}

static int main_touch(struct opts *o, const char *workload, int again)
{
	int b, err = 0;

	if ((again && o->procs > 1) || o->backend >= B_BELADY)
		usage();
	for (b = 0; b < B_BELADY; b++)
		if (o->backend < 0 || o->backend == b)
			err |= run_touch(workload, o, b, again);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .mb = 128, .reps = 5, .threads = 1, .procs = 1,
			  .backend = -1, .settle_ms = 2000, .seed = 1,
			  .pattern = "zipf", .ws_mult = 4 };
	const char *workload;
	int i;

	page_size = sysconf(_SC_PAGESIZE);
	if (argc < 2 || argc % 2)
		usage();
	workload = argv[1];
	for (i = 2; i < argc; i += 2)
		if (parse_opt(&o, argv[i], argv[i + 1]))
			usage();
	if (!o.mb || o.reps < 1 || o.reps > 64 || o.threads < 1 ||
	    o.threads > MAX_WORKERS || o.procs < 1 || o.procs > MAX_WORKERS)
		usage();

	if (!strcmp(workload, "trace"))
		return main_trace(&o);
	if (!strcmp(workload, "swap"))
		return main_swap(&o);
	if (!strcmp(workload, "meminfo")) {
		meminfo_snapshot(o.label ?: "now", &o, 0);
		return 0;
	}
	if (!strcmp(workload, "meta"))
		return run_meta(&o) ? 1 : 0;
	if (!strcmp(workload, "spin"))
		return run_spin(&o);
	if (!strcmp(workload, "first-touch"))
		return main_touch(&o, workload, 0);
	if (!strcmp(workload, "retouch"))
		return main_touch(&o, workload, 1);
	if (!strcmp(workload, "remap")) {
		if ((o.procs > 1 && o.threads > 1) ||
		    (o.backend != B_VMSIM && o.backend != B_TMPFS &&
		     o.backend != B_PRIVATE))
			usage();
		return run_remap(&o, o.backend) ? 1 : 0;
	}
	usage();
	return 2;
}
