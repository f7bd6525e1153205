/* Per-CPU data, indexed by CPU number (0 = BSP, then APs in MP-table
 * order).  The current CPU is found through its LAPIC ID. */
#ifndef PAGELAB_PERCPU_H
#define PAGELAB_PERCPU_H

#include <stdint.h>
#include "gdt.h"
#include "layout.h"

struct call_slot {
	void (*volatile func)(void *arg);
	void *volatile arg;
	volatile int pending;
	volatile int done;
};

struct cpu {
	int index;
	uint32_t apic_id;
	volatile int online;
	volatile uint32_t jiffies;
	struct call_slot call;
	struct tss tss;
	uint32_t kstack_top;        /* kernel stack the CPU runs on */
	uint32_t esp0_top;          /* ring-3 -> ring-0 entry stack */
};

extern struct cpu cpus[MAX_CPUS];
extern int ncpus;

void percpu_init(void);
int percpu_add(uint32_t apic_id);
int this_cpu_index(void);
struct cpu *this_cpu(void);

#endif
