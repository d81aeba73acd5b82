# SPDX-License-Identifier: GPL-2.0
#
# vmsim: a shadow-paging subsystem in a loadable module.
#
#   make                 vmsim.ko for KVER (default 6.1), selftests, tools
#   make KVER=6.12       ... against Debian's 6.12 headers (or KVER=debug-6.12)
#   make KDIR=/path      ... against any prepared kernel tree
#   make demo            boot stock-6.1 in QEMU and run the demo
#   make shell           a shell in the guest with vmsim loaded and swap on
#                        (KERNEL=stock-6.12, POOL_MB=64; exit powers off)
#   make check           lint + selftests on stock-6.1, stock-6.12 and the
#                        debug kernels debug-6.1 and debug-6.12
#                        (KERNELS="stock-6.1" narrows it)
#   make bench           vmsim side by side with the kernel's own memory
#                        (KERNELS= as for check; default stock-6.1)
#   make stress          the stress test alone in QEMU: STRESS_SECONDS=600,
#                        STRESS_SEED=1, KERNEL=stock-6.1 (or debug-6.12, ...)
#   make fuzz            the fuzzers alone, once per seed: FUZZ_CALLS=50000,
#                        FUZZ_SEEDS=1,2,...,10, KERNEL=stock-6.1
#   make lint            W=1, sparse, checkpatch and the docs build only
#   make docs            HTML documentation in out/docs (also: htmldocs)
#   make install         vmsim.ko for the running kernel (or KDIR=), vmsimctl,
#                        the uapi header and the udev rule (DESTDIR, PREFIX)
#   make run             one QEMU run: KERNEL=stock-6.12 MODE=check
#   make debug-kernel    build (or find) the cached debug kernels
#   make clean
#
# demo, check, lint and run install missing Debian packages first
# (scripts/setup.sh), so they work on a fresh Debian 12 machine as root.

KVER ?= 6.1
KERNELS ?= stock-6.1 stock-6.12 debug-6.1 debug-6.12
KERNEL ?= stock-6.1
MODE ?= check

.PHONY: all module selftests tools setup demo shell check bench stress fuzz lint docs htmldocs install run debug-kernel clean

all: module selftests tools

module:
	@ko=$$(scripts/build-module.sh $(KVER)) && cp $$ko vmsim.ko && \
		echo "vmsim.ko: built against $$(modinfo -F vermagic vmsim.ko)"

selftests:
	$(MAKE) -C selftests

tools:
	$(MAKE) -C tools

setup:
	@scripts/setup.sh

demo: setup
	@qemu/run.sh -k stock-6.1 -m demo --quiet --show-job

POOL_MB ?= 64
shell: setup
	@qemu/run.sh -k $(KERNEL) -m shell -a "harness.pool_mb=$(POOL_MB)" \
		--interactive

check: setup
	@KERNELS="$(KERNELS)" scripts/check.sh

bench: setup
	@KERNELS="$(or $(BENCH_KERNELS),stock-6.1)" scripts/bench.sh

STRESS_SECONDS ?= 600
STRESS_SEED ?= 1
stress: setup
	@qemu/run.sh -k $(KERNEL) -m stress -t $$(($(STRESS_SECONDS) + 1500)) \
		-a "harness.stress_seconds=$(STRESS_SECONDS) harness.stress_seed=$(STRESS_SEED)" \
		--quiet --show-job

FUZZ_CALLS ?= 50000
FUZZ_SEEDS ?= 1,2,3,4,5,6,7,8,9,10
fuzz: setup
	@qemu/run.sh -k $(KERNEL) -m fuzz -t 20000 \
		-a "harness.fuzz_calls=$(FUZZ_CALLS) harness.fuzz_seeds=$(FUZZ_SEEDS)" \
		--quiet --show-job

lint: setup
	@scripts/lint.sh

install:
	@scripts/install.sh

docs htmldocs: setup
	@sphinx-build -W -q -b html Documentation out/docs && \
		echo "documentation: out/docs/index.html"

run: setup
	@qemu/run.sh -k $(KERNEL) -m $(MODE)

debug-kernel: setup
	@qemu/debug-kernel.sh 6.1 && qemu/debug-kernel.sh 6.12

clean:
	rm -rf out vmsim.ko
	$(MAKE) -C selftests clean
	$(MAKE) -C tools clean
