/* Per-CPU records and their stacks; LAPIC ID -> CPU index lookup. */
#include "percpu.h"
#include "lapic.h"

#define ESP0_STACK_SIZE 0x2000

struct cpu cpus[MAX_CPUS];
int ncpus;

static uint8_t kstacks[MAX_CPUS][KSTACK_SIZE] __attribute__((aligned(16)));
static uint8_t esp0_stacks[MAX_CPUS][ESP0_STACK_SIZE]
	__attribute__((aligned(16)));
static int8_t apic_to_cpu[256];

/* Reset the tables; no CPU is known yet. */
void percpu_init(void)
{
	int i;

	for (i = 0; i < 256; i++)
		apic_to_cpu[i] = -1;
	ncpus = 0;
}

/* Register a CPU by APIC ID; returns its index or -1 if full/duplicate. */
int percpu_add(uint32_t apic_id)
{
	struct cpu *c;

	if (ncpus >= MAX_CPUS || apic_id > 255 || apic_to_cpu[apic_id] >= 0)
		return -1;
	c = &cpus[ncpus];
	c->index = ncpus;
	c->apic_id = apic_id;
	c->kstack_top = (uint32_t)kstacks[ncpus] + KSTACK_SIZE;
	c->esp0_top = (uint32_t)esp0_stacks[ncpus] + ESP0_STACK_SIZE;
	apic_to_cpu[apic_id] = (int8_t)ncpus;
	return ncpus++;
}

/* Index of the executing CPU (0 before the LAPIC is mapped). */
int this_cpu_index(void)
{
	int idx;

	if (!lapic_ready())
		return 0;
	idx = apic_to_cpu[lapic_id() & 0xFF];
	return idx < 0 ? 0 : idx;
}

/* Per-CPU record of the executing CPU. */
struct cpu *this_cpu(void)
{
	return &cpus[this_cpu_index()];
}
