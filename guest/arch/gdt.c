/* GDT: one per CPU.  Each holds null, kernel code/data, user code/data
 * (flat 4 GiB), the CPU's own 32-bit TSS descriptor at GDT_TSS_FIRST + cpu
 * and, at GDT_PERCPU, a data segment whose base is the CPU's struct cpu.
 * Every CPU loads that segment into %fs (selector SEL_PERCPU, the same on
 * all CPUs), so "which CPU am I" is one %fs-relative load (Linux i386 does
 * the same with its per-CPU segment); the trap entry reloads %fs. */
#include "gdt.h"
#include "layout.h"
#include "percpu.h"

#define GDT_ENTRIES (GDT_PERCPU + 1)

_Static_assert(GDT_TSS_FIRST + MAX_CPUS <= GDT_PERCPU, "TSS descriptors overlap SEL_PERCPU");

struct gdt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static uint64_t gdt[MAX_CPUS][GDT_ENTRIES] __attribute__((aligned(8)));

/* Encode a segment descriptor (limit in bytes, or pages when flags G). */
static uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access,
			  uint8_t flags)
{
	uint64_t d = limit & 0xFFFF;

	d |= (uint64_t)(base & 0xFFFFFF) << 16;
	d |= (uint64_t)access << 40;
	d |= (uint64_t)((limit >> 16) & 0xF) << 48;
	d |= (uint64_t)(flags & 0xF) << 52;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

/* Fill in every CPU's shared descriptors and its per-CPU data segment
 * (BSP, once, before any CPU loads its GDT). */
void gdt_init(void)
{
	int cpu;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		uint64_t *g = gdt[cpu];

		g[0] = 0;
		g[SEL_KCODE >> 3] = make_desc(0, 0xFFFFF, 0x9A, 0xC);
		g[SEL_KDATA >> 3] = make_desc(0, 0xFFFFF, 0x92, 0xC);
		g[SEL_UCODE >> 3] = make_desc(0, 0xFFFFF, 0xFA, 0xC);
		g[SEL_UDATA >> 3] = make_desc(0, 0xFFFFF, 0xF2, 0xC);
		/* byte granular, 32-bit, ring 0 read/write */
		g[GDT_PERCPU] = make_desc((uint32_t)&cpus[cpu], sizeof(struct cpu) - 1,
					  0x92, 0x4);
	}
}

/* Load cpu's GDT on this CPU and reload every segment register: %fs is
 * the per-CPU segment, %gs the null selector. */
void gdt_load(int cpu)
{
	struct gdt_ptr p = { sizeof(gdt[0]) - 1, (uint32_t)gdt[cpu] };

	__asm__ volatile(
		"lgdt %0\n\t"
		"ljmp %1, $1f\n"
		"1:\tmovw %w2, %%ds\n\t"
		"movw %w2, %%es\n\t"
		"movw %w2, %%ss\n\t"
		"movw %w3, %%fs\n\t"
		"movw %w4, %%gs"
		: : "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_PERCPU), "r"(0)
		: "memory");
}

/* Install tss as cpu's task segment (ring-0 stack esp0) in cpu's GDT and
 * load TR; cpu must be the running CPU. */
void tss_load(int cpu, struct tss *tss, uint32_t esp0)
{
	int idx = GDT_TSS_FIRST + cpu;

	tss->ss0 = SEL_KDATA;
	tss->esp0 = esp0;
	tss->iomap_base = sizeof(*tss);
	gdt[cpu][idx] = make_desc((uint32_t)tss, sizeof(*tss) - 1, 0x89, 0x0);
	__asm__ volatile("ltr %w0" : : "r"(idx << 3) : "memory");
}
