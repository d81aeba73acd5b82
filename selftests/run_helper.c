// SPDX-License-Identifier: GPL-2.0
/*
 * run_helper - an ordinary dynamically linked program for run_test.c to run
 * under "vmsimctl run": it uses malloc(), mmap(), munmap(), mremap(),
 * madvise() and fork() as any program does, and checks what it gets back.
 * It knows nothing of vmsim except that it looks at /proc/vmsim_objects to
 * see whether its heap is there.
 *
 * Usage: run_helper calls MIB      the memory calls on MIB MiB of heap
 *        run_helper fork MIB       parent and child write the same heap
 *                                  pages after fork(), each checks its own
 *        run_helper objects        print how many /proc/vmsim_objects lines
 *                                  are this process's
 * Exit status 0 when every check passed; a message on stderr otherwise.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

static int failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "run_helper %d: %s:%d: ", (int)getpid(),	\
			__FILE__, __LINE__);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failed = 1;						\
	}								\
} while (0)

/* Each page gets words that name @tag and the page's number from @first. */
static void fill_from(char *p, size_t first, size_t pages, uint64_t tag)
{
	for (size_t i = 0; i < pages; i++)
		for (size_t w = 0; w < PAGE / 8; w += 64)
			((uint64_t *)(p + i * PAGE))[w] = tag << 32 | (first + i);
}

static size_t bad_from(const char *p, size_t first, size_t pages, uint64_t tag)
{
	size_t n = 0;

	for (size_t i = 0; i < pages; i++)
		for (size_t w = 0; w < PAGE / 8; w += 64)
			if (((const uint64_t *)(p + i * PAGE))[w] !=
			    (tag << 32 | (first + i))) {
				n++;
				break;
			}
	return n;
}

#define fill(p, pages, tag)	fill_from(p, 0, pages, tag)
#define bad(p, pages, tag)	bad_from(p, 0, pages, tag)

/* When a check fails: what the process has mapped, and vmsim's objects. */
static void dump(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "cat /proc/%d/maps /proc/vmsim_objects >&2",
		 (int)getpid());
	if (system(cmd))
		return;
}

static size_t nonzero(const char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] != 0;
	return n;
}

/* Lines of /proc/vmsim_objects whose pid column is ours. */
static int my_objects(void)
{
	char line[512];
	int id, pid, n = 0;
	FILE *f = fopen("/proc/vmsim_objects", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d", &id, &pid) == 2 && pid == getpid())
			n++;
	fclose(f);
	return n;
}

static int do_calls(size_t mib)
{
	size_t len = mib << 20, pages = len / PAGE;
	char *p, *q;

	/* malloc: big enough that the allocator maps it for itself. */
	p = malloc(len);
	CHECK(p, "malloc %zu MiB", mib);
	if (!p)
		return 1;
	fill(p, pages, 1);
	CHECK(!bad(p, pages, 1), "malloc'd pages lost their data");
	free(p);

	/* A private anonymous mapping reads zero, keeps data, and ... */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	if (p == MAP_FAILED)
		return 1;
	CHECK(!nonzero(p, len), "a new mapping is not zero");
	fill(p, pages, 2);
	/* ... MADV_DONTNEED gives zeroes back, as malloc implementations expect. */
	CHECK(!madvise(p, len / 2, MADV_DONTNEED), "MADV_DONTNEED: %s",
	      strerror(errno));
	CHECK(!nonzero(p, len / 2), "MADV_DONTNEED left data behind");
	CHECK(!bad_from(p + len / 2, pages / 2, pages / 2, 2),
	      "the other half lost data");
	/* A hole punched in the middle, then mapped again: zero. */
	CHECK(!munmap(p + PAGE, PAGE), "munmap: %s", strerror(errno));
	q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + PAGE, "MAP_FIXED into the hole: %s", strerror(errno));
	CHECK(!nonzero(q, PAGE), "the hole came back with data");
	/* mremap: grown and moved, the data moves with it. */
	fill(p, pages, 3);
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED, "mremap: %s", strerror(errno));
	if (q != MAP_FAILED) {
		CHECK(!bad(q, pages, 3), "mremap lost data");
		CHECK(!nonzero(q + len, len), "mremap's new part is not zero");
		p = q;
		len *= 2;
	}
	/* mprotect read-only, then back. */
	CHECK(!mprotect(p, PAGE, PROT_READ), "mprotect: %s", strerror(errno));
	CHECK(!mprotect(p, PAGE, PROT_READ | PROT_WRITE), "mprotect back");
	p[0] = 1;
	CHECK(!munmap(p, len), "munmap all: %s", strerror(errno));
	return failed;
}

static int do_fork(size_t mib)
{
	size_t len = mib << 20, pages = len / PAGE;
	int status, pipefd[2];
	char *heap = malloc(len), c;
	pid_t pid;

	CHECK(heap, "malloc");
	if (!heap || pipe(pipefd))
		return 1;
	fill(heap, pages, 10);
	CHECK(my_objects() > 0, "the heap is not on vmsim");
	if (failed)
		dump();
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		/* The child inherits the parent's data, then writes its own. */
		CHECK(!bad(heap, pages, 10), "the child did not inherit the heap");
		CHECK(my_objects() > 0, "the child has no object of its own");
		fill(heap, pages, 20);
		/* Let the parent write now, and look again afterwards. */
		close(pipefd[1]);
		CHECK(read(pipefd[0], &c, 1) == 0, "pipe");
		CHECK(!bad(heap, pages, 20), "the parent's writes reached the child");
		free(heap);
		exit(failed);
	}
	close(pipefd[0]);
	fill(heap, pages, 30);
	close(pipefd[1]);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child failed (status %#x)", status);
	CHECK(!bad(heap, pages, 30), "the child's writes reached the parent");
	free(heap);
	return failed;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 0) : 4;

	if (argc < 2 || !mib)
		return 2;
	if (!strcmp(argv[1], "calls"))
		return do_calls(mib);
	if (!strcmp(argv[1], "fork"))
		return do_fork(mib);
	if (!strcmp(argv[1], "objects")) {
		void *p = malloc(1 << 20);

		memset(p, 1, 1 << 20);
		printf("%d\n", my_objects());
		free(p);
		return 0;
	}
	return 2;
}
