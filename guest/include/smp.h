/* Multiprocessor start-up and cross-CPU function calls. */
#ifndef PAGELAB_SMP_H
#define PAGELAB_SMP_H

#include <stdbool.h>
#include <stdint.h>

#define MPTABLE_NONE (-1)

struct mp_cpu {
	uint32_t apic_id;
	bool bsp;
};

int mptable_scan(struct mp_cpu *out, int max);
void smp_boot(void);
int smp_online_count(void);

void ipi_init(void);
bool smp_call_on(int cpu, void (*func)(void *), void *arg);
int smp_call_others(void (*func)(void *), void *arg);

#endif
