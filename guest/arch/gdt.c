/* GDT: null, kernel code/data, user code/data (flat 4 GiB), then one
 * 32-bit TSS descriptor per CPU. */
#include "gdt.h"
#include "layout.h"

#define GDT_ENTRIES (GDT_TSS_FIRST + MAX_CPUS)

struct gdt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));

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

/* Fill in the shared descriptors (BSP, once). */
void gdt_init(void)
{
	gdt[0] = 0;
	gdt[SEL_KCODE >> 3] = make_desc(0, 0xFFFFF, 0x9A, 0xC);
	gdt[SEL_KDATA >> 3] = make_desc(0, 0xFFFFF, 0x92, 0xC);
	gdt[SEL_UCODE >> 3] = make_desc(0, 0xFFFFF, 0xFA, 0xC);
	gdt[SEL_UDATA >> 3] = make_desc(0, 0xFFFFF, 0xF2, 0xC);
}

/* Load the GDT on this CPU and reload every segment register. */
void gdt_load(void)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uint32_t)gdt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"ljmp %1, $1f\n"
		"1:\tmovw %w2, %%ds\n\t"
		"movw %w2, %%es\n\t"
		"movw %w2, %%ss\n\t"
		"movw %w3, %%fs\n\t"
		"movw %w3, %%gs"
		: : "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(0) : "memory");
}

/* Install tss as cpu's task segment (ring-0 stack esp0) and load TR. */
void tss_load(int cpu, struct tss *tss, uint32_t esp0)
{
	int idx = GDT_TSS_FIRST + cpu;

	tss->ss0 = SEL_KDATA;
	tss->esp0 = esp0;
	tss->iomap_base = sizeof(*tss);
	gdt[idx] = make_desc((uint32_t)tss, sizeof(*tss) - 1, 0x89, 0x0);
	__asm__ volatile("ltr %w0" : : "r"(idx << 3) : "memory");
}
