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
 * Each result is one line, "BENCH " followed by a JSON object:
 *   {"workload":..., "backend":..., "threads":..., "pages":...,
 *    "seconds":..., "rate":..., "unit":"pages/s", "faults":...}
 * where faults are the minor faults the process took (getrusage).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/vmsim.h>

enum backend { B_VMSIM, B_SHARED, B_PRIVATE, NR_BACKENDS };

static const char * const backend_names[NR_BACKENDS] = {
	"vmsim", "shared", "private",
};

struct opts {
	size_t mb;
	int reps;
	int threads;
	int backend;		/* -1: all */
	int settle_ms;
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

static void usage(void)
{
	fprintf(stderr,
		"Usage: vmsim-bench first-touch|retouch [--mb N] [--reps N] [--threads N]\n"
		"                   [--backend vmsim|shared|private|all] [--settle MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .mb = 128, .reps = 5, .threads = 1, .backend = -1,
			  .settle_ms = 2000 };
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

	if (!strcmp(workload, "first-touch"))
		again = 0;
	else if (!strcmp(workload, "retouch"))
		again = 1;
	else
		usage();

	for (b = 0; b < NR_BACKENDS; b++)
		if (o.backend < 0 || o.backend == b)
			err |= run_touch(workload, &o, b, again);
	return err ? 1 : 0;
}
