// SPDX-License-Identifier: GPL-2.0
/*
 * Event counters and gauges, as the kernel keeps vm_event_states and
 * vm_stat: one set per CPU, updated with this_cpu ops (no shared cache
 * line, no lock), summed over all CPUs only when /proc is read.
 */
#include <linux/cpumask.h>
#include <linux/minmax.h>

#include "stat.h"

DEFINE_PER_CPU(struct vmsim_event_state, vmsim_event_states);

/**
 * vmsim_event_sum() - an event counter, summed over every CPU
 * @item: the counter
 *
 * Context: Any context.
 * Return: the count since load.
 */
unsigned long vmsim_event_sum(enum vmsim_event item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(vmsim_event_states.event[item], cpu);
	return sum;
}

/**
 * vmsim_stat_sum() - a gauge, summed over every CPU
 * @item: the gauge
 *
 * A gauge's per-CPU parts can be negative (a page counted in on one CPU and
 * out on another); the sum of a moment may be too, while a change is on
 * its way, and is shown as 0.
 *
 * Context: Any context.
 * Return: the amount now.
 */
unsigned long vmsim_stat_sum(enum vmsim_stat_item item)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(vmsim_event_states.stat[item], cpu);
	return max(sum, 0L);
}
