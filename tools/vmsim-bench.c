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
 *   trace         replay an access trace over a working set larger than
 *                 vmsim's pool (see below) and count refaults
 *   swap          write, then read back and check, a working set larger
 *                 than the pool, in order (--pattern seq) or at random
 *                 (--pattern rand): swap throughput in MiB/s, the median
 *                 of --reps runs
 *
 * Options:
 *   --mb N          size of the mapping (default 128)
 *   --reps N        repetitions; the median is reported (default 5)
 *   --threads N     touch with N threads, each a contiguous slice (default 1)
 *   --backend B     vmsim, shared (MAP_SHARED|MAP_ANONYMOUS), private
 *                   (MAP_PRIVATE|MAP_ANONYMOUS), or all (default)
 *   --settle MS     before each measured pass, wait until vmsim's pool has
 *                   no frame waiting to be zeroed, at most MS milliseconds
 *                   (default 2000), so earlier passes do not bill this one
 *
 * Trace options:
 *   --pattern P     zipf (Zipf 0.99 over the working set), loop (a loop
 *                   slightly larger than the pool), hotscan (a hot set of a
 *                   quarter of the pool, mixed with a one-time scan)
 *   --pool-pages N  the capacity the trace is sized against (vmsim's pool)
 *   --ws-mult N     working set = N x pool (default 4)
 *   --accesses N    accesses in the trace (default 4 x working set)
 *   --seed N        the trace's seed (default 1)
 *   --cgroup DIR    join this cgroup v2 before replaying (the kernel's own
 *                   memory under memory.max)
 *   --fill zero|data  what each access writes: zero (the default; pages
 *                   vmsim can drop without swap) or a tag (needs swap)
 *   backend "belady": no memory is touched; Belady's optimal replacement is
 *                   computed for the same trace and capacity
 *
 * Each result is one line, "BENCH " followed by a JSON object:
 *   {"workload":..., "backend":..., "threads":..., "pages":...,
 *    "seconds":..., "rate":..., "unit":"pages/s", "faults":...}
 * where faults are the minor faults the process took (getrusage).  Trace
 * results add "refaults" (accesses to pages seen before that found them
 * gone: vmsim's and the cgroup's workingset_refault_anon, or Belady's
 * misses) and "compulsory" (first accesses).  Swap results (workloads
 * swap-PATTERN-write and swap-PATTERN-read) are in MiB/s and add "majflt"
 * (major faults), "pswpin" and "pswpout" (pages read and written by swap
 * meanwhile) and "bad_pages" (pages read back wrong: always 0, or the
 * run fails).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/vmsim.h>

enum backend { B_VMSIM, B_SHARED, B_PRIVATE, B_BELADY, NR_BACKENDS };

static const char * const backend_names[NR_BACKENDS] = {
	"vmsim", "shared", "private", "belady",
};

struct opts {
	size_t mb;
	int reps;
	int threads;
	int backend;		/* -1: all */
	int settle_ms;
	/* trace */
	const char *pattern;
	size_t pool_pages;
	size_t ws_mult;
	size_t accesses;
	unsigned long long seed;
	const char *cgroup;
	int fill_data;
};

static size_t page_size;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

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

static void region_unmap(struct region *r)
{
	munmap(r->p, r->len);
	if (r->fd >= 0)
		close(r->fd);
}

struct slice {
	char *p;
	size_t pages;
	pthread_t t;
};

static void *touch_slice(void *arg)
{
	struct slice *s = arg;
	size_t i;

	for (i = 0; i < s->pages; i++)
		s->p[i * page_size] = (char)i;
	return NULL;
}

/* Write one byte per page of @r with @threads threads; return seconds. */
static double touch(struct region *r, int threads)
{
	size_t pages = r->len / page_size, per = pages / threads;
	struct slice s[64];
	double t0;
	int i;

	t0 = now();
	for (i = 0; i < threads; i++) {
		s[i].p = r->p + i * per * page_size;
		s[i].pages = i == threads - 1 ? pages - i * per : per;
		if (threads == 1)
			touch_slice(&s[i]);
		else
			pthread_create(&s[i].t, NULL, touch_slice, &s[i]);
	}
	if (threads > 1)
		for (i = 0; i < threads; i++)
			pthread_join(s[i].t, NULL);
	return now() - t0;
}

/*
 * Frames freed by an earlier pass are zeroed in the background; wait for
 * that to finish (vmsim_zero_pending reaches 0) so that it does not compete
 * with the pass about to be measured.
 */
static void settle(int ms)
{
	char line[128];
	long pending;
	FILE *f;

	for (; ms > 0; ms -= 10) {
		pending = -1;
		f = fopen("/proc/vmsim_vmstat", "r");
		if (!f)
			return;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "vmsim_zero_pending %ld", &pending) == 1)
				break;
		fclose(f);
		if (pending <= 0)
			return;
		usleep(10000);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *workload, enum backend b, int threads,
		   size_t pages, double *secs, int reps, long faults)
{
	double med;

	qsort(secs, reps, sizeof(*secs), cmp_double);
	med = secs[reps / 2];
	printf("BENCH {\"workload\":\"%s\",\"backend\":\"%s\",",
	       workload, backend_names[b]);
	printf("\"threads\":%d,\"pages\":%zu,\"seconds\":%.6f,",
	       threads, pages, med);
	printf("\"rate\":%.1f,\"unit\":\"pages/s\",\"faults\":%ld}\n",
	       pages / med, faults / reps);
	fflush(stdout);
}

static int run_touch(const char *workload, const struct opts *o,
		     enum backend b, int again)
{
	size_t len = o->mb << 20, pages = len / page_size;
	double secs[64];
	long faults = 0;
	int rep;

	for (rep = 0; rep < o->reps; rep++) {
		struct region r;
		long f0;

		if (region_map(&r, b, len)) {
			fprintf(stderr, "vmsim-bench: %s: %s\n",
				backend_names[b], strerror(errno));
			return -1;
		}
		if (again)
			touch(&r, 1);
		settle(o->settle_ms);
		f0 = minflt();
		secs[rep] = touch(&r, o->threads);
		faults += minflt() - f0;
		region_unmap(&r);
	}
	report(workload, b, o->threads, pages, secs, o->reps, faults);
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

/* The trace: a page number per access, over [0, ws). */
static unsigned int *make_trace(const struct opts *o, size_t ws)
{
	unsigned int *t = malloc(o->accesses * sizeof(*t));
	size_t i;

	if (!t)
		return NULL;
	rng_state = o->seed * 0x9e3779b97f4a7c15ULL + 1;

	if (!strcmp(o->pattern, "zipf")) {
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
		for (r = ws - 1; r > 0; r--) {
			size_t j = rng_next() % (r + 1);
			unsigned int x = perm[r];

			perm[r] = perm[j];
			perm[j] = x;
		}
		for (i = 0; i < o->accesses; i++) {
			double u = rng_double() * sum;
			size_t lo = 0, hi = ws - 1;

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

/* A "name value" line of a file (vmstat, memory.stat); -1 if absent. */
static long long stat_line(const char *file, const char *name)
{
	size_t len = strlen(name);
	char line[256];
	long long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static int join_cgroup(const char *dir)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", getpid());
	return fclose(f);
}

static int run_trace(const struct opts *o, enum backend b)
{
	size_t ws = o->pool_pages * o->ws_mult, i, compulsory = 0;
	long long refaults = -1, r0 = 0;
	char statfile[512];
	unsigned int *t;
	struct region r;
	char *seen;
	double t0, secs = 0;
	long f0, faults = 0;

	t = make_trace(o, ws);
	seen = calloc(ws, 1);
	if (!t || !seen) {
		fprintf(stderr, "vmsim-bench: bad trace options or no memory\n");
		return -1;
	}
	for (i = 0; i < o->accesses; i++)
		if (!seen[t[i]]) {
			seen[t[i]] = 1;
			compulsory++;
		}

	if (b == B_BELADY) {
		refaults = belady(t, o->accesses, ws, o->pool_pages);
	} else {
		if (region_map(&r, b, ws * page_size)) {
			fprintf(stderr, "vmsim-bench: %s: %s\n",
				backend_names[b], strerror(errno));
			return -1;
		}
		/* Page by page, as the pool: no transparent huge pages. */
		madvise(r.p, r.len, MADV_NOHUGEPAGE);
		if (b == B_VMSIM) {
			snprintf(statfile, sizeof(statfile), "/proc/vmsim_vmstat");
		} else {
			if (!o->cgroup || join_cgroup(o->cgroup)) {
				fprintf(stderr, "vmsim-bench: cannot join cgroup %s\n",
					o->cgroup ? o->cgroup : "(none given)");
				return -1;
			}
			snprintf(statfile, sizeof(statfile), "%s/memory.stat",
				 o->cgroup);
		}
		r0 = stat_line(statfile, "workingset_refault_anon");
		f0 = minflt();
		t0 = now();
		for (i = 0; i < o->accesses; i++) {
			char *p = r.p + (size_t)t[i] * page_size;

			*p = o->fill_data ? (char)(t[i] | 1) : 0;
		}
		secs = now() - t0;
		faults = minflt() - f0;
		refaults = stat_line(statfile, "workingset_refault_anon") - r0;
		region_unmap(&r);
	}

	printf("BENCH {\"workload\":\"trace-%s\",\"backend\":\"%s\",",
	       o->pattern, backend_names[b]);
	printf("\"threads\":1,\"pages\":%zu,\"accesses\":%zu,", ws,
	       o->accesses);
	printf("\"capacity\":%zu,\"compulsory\":%zu,\"refaults\":%lld,",
	       o->pool_pages, compulsory, refaults);
	printf("\"seconds\":%.6f,\"rate\":%.1f,\"unit\":\"accesses/s\",",
	       secs, secs > 0 ? o->accesses / secs : 0.0);
	printf("\"faults\":%ld}\n", faults);
	fflush(stdout);
	free(t);
	free(seen);
	return 0;
}

/* ------------------------------------------------------------------------
 * Swap throughput
 */

static long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

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
	long majflt;
	long long pswpin, pswpout;
};

static void swap_report(const struct opts *o, enum backend b,
			const char *dir, size_t ws, const struct swap_pass *s,
			size_t bad)
{
	double mib = (double)ws * page_size / (1 << 20);

	printf("BENCH {\"workload\":\"swap-%s-%s\",\"backend\":\"%s\",",
	       o->pattern, dir, backend_names[b]);
	printf("\"threads\":1,\"pages\":%zu,\"capacity\":%zu,", ws,
	       o->pool_pages);
	printf("\"seconds\":%.6f,\"rate\":%.1f,\"unit\":\"MiB/s\",",
	       s->secs, s->secs > 0 ? mib / s->secs : 0.0);
	printf("\"majflt\":%ld,\"pswpin\":%lld,\"pswpout\":%lld,",
	       s->majflt, s->pswpin, s->pswpout);
	printf("\"bad_pages\":%zu}\n", bad);
	fflush(stdout);
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

/*
 * Write every page of a working set ws_mult times the pool, in order (seq)
 * or in a random order (rand), then read every page back and check it, in
 * order (seq) or in another random order (rand: not the write's, which
 * would make the reads sequential on the device).  The write pass's rate
 * includes the swap-out it forces, the read pass's the swap-in.  vmsim's
 * counters come from /proc/vmsim_vmstat, the kernel's from /proc/vmstat
 * (only this cgroup swaps meanwhile).
 */
static int cmp_pass(const void *a, const void *b)
{
	const struct swap_pass *x = a, *y = b;

	return x->secs < y->secs ? -1 : x->secs > y->secs;
}

static int run_swap(const struct opts *o, enum backend b)
{
	size_t ws = o->pool_pages * o->ws_mult, i, bad = 0;
	const char *vmstat = b == B_VMSIM ? "/proc/vmsim_vmstat" : "/proc/vmstat";
	struct swap_pass pass[2][64];
	unsigned int *order;
	int dir, rep;

	order = malloc(ws * sizeof(*order));
	if (!order)
		return -1;
	if (b != B_VMSIM && (!o->cgroup || join_cgroup(o->cgroup))) {
		fprintf(stderr, "vmsim-bench: cannot join cgroup %s\n",
			o->cgroup ? o->cgroup : "(none given)");
		return -1;
	}
	for (rep = 0; rep < o->reps; rep++) {
		struct region r;

		if (region_map(&r, b, ws * page_size)) {
			fprintf(stderr, "vmsim-bench: %s: %s\n",
				backend_names[b], strerror(errno));
			return -1;
		}
		madvise(r.p, r.len, MADV_NOHUGEPAGE);
		for (dir = 0; dir < 2; dir++) {
			struct swap_pass *s = &pass[dir][rep];
			long long in0 = stat_line(vmstat, "pswpin");
			long long out0 = stat_line(vmstat, "pswpout");
			long m0 = majflt();
			double t0;

			swap_order(order, ws, !strcmp(o->pattern, "rand"),
				   o->seed + rep * 2 + dir);
			t0 = now();
			for (i = 0; i < ws; i++) {
				uint64_t *w = (uint64_t *)(r.p + (size_t)order[i] *
							   page_size);

				if (dir == 0)
					swap_fill(w, order[i]);
				else
					bad += swap_check(w, order[i]);
			}
			s->secs = now() - t0;
			s->majflt = majflt() - m0;
			s->pswpin = stat_line(vmstat, "pswpin") - in0;
			s->pswpout = stat_line(vmstat, "pswpout") - out0;
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

static void usage(void)
{
	fprintf(stderr,
		"Usage: vmsim-bench first-touch|retouch [--mb N] [--reps N] [--threads N]\n"
		"                   [--backend vmsim|shared|private|all] [--settle MS]\n"
		"       vmsim-bench trace --pattern zipf|loop|hotscan --pool-pages N\n"
		"                   --backend vmsim|private|belady [--ws-mult N]\n"
		"                   [--accesses N] [--seed N] [--cgroup DIR]\n"
		"                   [--fill zero|data]\n"
		"       vmsim-bench swap --pattern seq|rand --pool-pages N\n"
		"                   --backend vmsim|private [--ws-mult N] [--seed N]\n"
		"                   [--reps N] [--cgroup DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .mb = 128, .reps = 5, .threads = 1, .backend = -1,
			  .settle_ms = 2000, .pattern = "zipf", .ws_mult = 4,
			  .seed = 1 };
	const char *workload;
	int i, b, again, err = 0;

	page_size = sysconf(_SC_PAGESIZE);
	if (argc < 2)
		usage();
	workload = argv[1];
	for (i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--mb")) {
			o.mb = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--reps")) {
			o.reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--pattern")) {
			o.pattern = argv[++i];
		} else if (!strcmp(argv[i], "--pool-pages")) {
			o.pool_pages = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--ws-mult")) {
			o.ws_mult = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--accesses")) {
			o.accesses = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seed")) {
			o.seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--cgroup")) {
			o.cgroup = argv[++i];
		} else if (!strcmp(argv[i], "--fill")) {
			i++;
			if (!strcmp(argv[i], "data"))
				o.fill_data = 1;
			else if (strcmp(argv[i], "zero"))
				usage();
		} else if (!strcmp(argv[i], "--settle")) {
			o.settle_ms = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--threads")) {
			o.threads = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--backend")) {
			i++;
			if (!strcmp(argv[i], "all"))
				continue;
			for (b = 0; b < NR_BACKENDS; b++)
				if (!strcmp(argv[i], backend_names[b]))
					o.backend = b;
			if (o.backend < 0)
				usage();
		} else {
			usage();
		}
	}
	if (!o.mb || o.reps < 1 || o.reps > 64 || o.threads < 1 ||
	    o.threads > 64)
		usage();

	if (!strcmp(workload, "trace")) {
		if (!o.pool_pages || o.backend < 0 || o.backend == B_SHARED ||
		    !o.ws_mult)
			usage();
		if (!o.accesses)
			o.accesses = 4 * o.ws_mult * o.pool_pages;
		return run_trace(&o, o.backend) ? 1 : 0;
	}
	if (!strcmp(workload, "swap")) {
		if (!o.pool_pages || !o.ws_mult ||
		    (o.backend != B_VMSIM && o.backend != B_PRIVATE) ||
		    (strcmp(o.pattern, "seq") && strcmp(o.pattern, "rand")))
			usage();
		return run_swap(&o, o.backend) ? 1 : 0;
	}
	if (!strcmp(workload, "first-touch"))
		again = 0;
	else if (!strcmp(workload, "retouch"))
		again = 1;
	else
		usage();

	for (b = 0; b < B_BELADY; b++)
		if (o.backend < 0 || o.backend == b)
			err |= run_touch(workload, &o, b, again);
	return err ? 1 : 0;
}
