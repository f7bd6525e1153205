/* IDT: 256 gates pointing at the stubs in isr_stubs.S.  All are ring-0
 * interrupt gates except the int 0x80 trap gate, callable from ring 3. */
#include <stdint.h>
#include "idt.h"
#include "layout.h"

#define GATE_INTR   0x8E       /* present, DPL 0, 32-bit interrupt gate */
#define GATE_TRAP_U 0xEF       /* present, DPL 3, 32-bit trap gate */
#define GATE_P      0x80
#define STUB_SIZE   16

struct gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern char isr_stub_table[];
static struct gate idt[256] __attribute__((aligned(8)));

/* Point gate vec at its stub with the given type byte. */
static void set_gate(unsigned vec, uint8_t type)
{
	uint32_t off = (uint32_t)(isr_stub_table + vec * STUB_SIZE);

	idt[vec].off_lo = off & 0xFFFF;
	idt[vec].sel = SEL_KCODE;
	idt[vec].zero = 0;
	idt[vec].type = type;
	idt[vec].off_hi = off >> 16;
}

/* Build all 256 gates (BSP, once). */
void idt_init(void)
{
	unsigned v;

	for (v = 0; v < 256; v++)
		set_gate(v, GATE_INTR);
	set_gate(VEC_SYSCALL, GATE_TRAP_U);
}

/* Load the IDT on this CPU. */
void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uint32_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

/* Set or clear a gate's present bit (used by the double-fault test). */
void idt_set_present(unsigned vector, bool present)
{
	if (present)
		idt[vector].type |= GATE_P;
	else
		idt[vector].type &= (uint8_t)~GATE_P;
}
