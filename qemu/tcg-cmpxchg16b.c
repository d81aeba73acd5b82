// SPDX-License-Identifier: GPL-2.0
/*
 * Does this emulator compute cmpxchg16b's flags from a stale cc_op?
 *
 * QEMU 7.2's TCG (Debian 12's) does: its cmpxchg16b helper computes the
 * flags from the cc_op stored in the CPU state, and the translator does
 * not store the pending one first.  After "cmp; cmpxchg16b" in a
 * translation block entered with the flags already computed, the flags
 * read back are the cmp's operand: only ZF is right.  In the kernel, an
 * interrupt taken right after pushes them, TF among them, and its iret
 * single-steps the kernel (testing.rst, "The test bed").
 *
 *   gcc -O1 -o /tmp/tcg-cmpxchg16b <this file>
 *   /tmp/tcg-cmpxchg16b                       # hardware: exit 0
 *   qemu-x86_64 -cpu max /tmp/tcg-cmpxchg16b  # QEMU 7.2: exit 1
 *
 * Not part of any build or test: the evidence for run.sh's note on -cpu.
 */
#include <stdio.h>

/* What the cmp leaves (CF PF AF SF), ZF from cmpxchg16b, IF, bit 1. */
#define FLAGS_EXPECTED	0x2d7UL
#define OPERAND		0x81a83342UL

static _Alignas(16) unsigned __int128 cell;

int main(void)
{
	unsigned long flags = 0, bad = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		unsigned long lo = 0, hi = 0;

		asm volatile("pushq $0x202\n\t"
			     "popfq\n\t"	/* ends the translation block */
			     "movq %[op], %%r8\n\t"
			     "xorl %%r9d, %%r9d\n\t"
			     "cmpq %%r8, %%r9\n\t"
			     "cmpxchg16b %[cell]\n\t"
			     "pushfq\n\t"
			     "popq %[flags]\n\t"
			     : [flags] "=r" (flags), [cell] "+m" (cell),
			       "+a" (lo), "+d" (hi)
			     : [op] "i" (OPERAND), "b" (0UL), "c" (0UL)
			     : "r8", "r9", "cc", "memory");
		if (flags & ~FLAGS_EXPECTED)
			bad++;
	}
	printf("flags %#lx after cmpxchg16b; %lu of 1000 with bits no instruction set\n",
	       flags, bad);
	return bad != 0;
}
