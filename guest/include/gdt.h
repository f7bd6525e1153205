/* Global descriptor table and per-CPU task state segments. */
#ifndef PAGELAB_GDT_H
#define PAGELAB_GDT_H

#include <stdint.h>

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

void gdt_init(void);
void gdt_load(int cpu);
void tss_load(int cpu, struct tss *tss, uint32_t esp0);

#endif
