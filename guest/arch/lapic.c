/* Local APIC register access.  Only the xAPIC MMIO interface is used:
 * no x2APIC, no IOAPIC. */
#include "lapic.h"
#include "ktrace.h"
#include "layout.h"
#include "paging.h"
#include "x86.h"

#define REG_ID       0x020
#define REG_VERSION  0x030
#define REG_TPR      0x080
#define REG_EOI      0x0B0
#define REG_SVR      0x0F0
#define REG_ESR      0x280
#define REG_ICR_LO   0x300
#define REG_ICR_HI   0x310
#define REG_LVT_TMR  0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERR  0x370
#define REG_TMR_INIT 0x380
#define REG_TMR_CUR  0x390
#define REG_TMR_DIV  0x3E0

#define SVR_ENABLE   0x100
#define LVT_MASKED   0x10000
#define LVT_PERIODIC 0x20000
#define ICR_PENDING  0x1000
#define ICR_ASSERT   0x4000
#define ICR_INIT     0x500
#define ICR_STARTUP  0x600
#define ICR_ALL_BUT_SELF 0xC0000
#define TMR_DIV_1    0xB

static volatile uint8_t *lapic_base;

/* Read a LAPIC register. */
static inline uint32_t rd(uint32_t reg)
{
	return *(volatile uint32_t *)(lapic_base + reg);
}

/* Write a LAPIC register. */
static inline void wr(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(lapic_base + reg) = v;
}

/* Map the LAPIC page uncached at its fixmap slot (BSP, once). */
void lapic_map(void)
{
	lapic_base = (volatile uint8_t *)fixmap_set(FIX_LAPIC, LAPIC_PHYS,
			PTE_P | PTE_W | PTE_PCD | PTE_PWT);
}

/* True once the LAPIC registers are accessible. */
bool lapic_ready(void)
{
	return lapic_base != 0;
}

/* Enable this CPU's LAPIC: spurious vector, LINT0/1 and error masked,
 * accept all priorities, clear pending errors. */
void lapic_init(void)
{
	wr(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	wr(REG_LVT_ERR, LVT_MASKED | VEC_LAPIC_ERROR);
	wr(REG_LVT_TMR, LVT_MASKED | VEC_LAPIC_TIMER);
	wr(REG_TPR, 0);
	wr(REG_ESR, 0);
	wr(REG_ESR, 0);
	(void)rd(REG_ESR);
	wr(REG_EOI, 0);
}

/* APIC ID of the executing CPU. */
uint32_t lapic_id(void)
{
	return rd(REG_ID) >> 24;
}

/* Version register (version in bits 0-7, max LVT in 16-23). */
uint32_t lapic_version(void)
{
	return rd(REG_VERSION);
}

/* Signal end of interrupt. */
void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

/* Write the ICR (high half first, the low write sends) and wait until
 * the LAPIC has accepted the IPI. */
static void send_icr(uint32_t apic_id, uint32_t low)
{
	uint32_t flags = read_eflags();

	cli();
	KTRACE(trace_ipi_send(apic_id, low));
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, low);
	while (rd(REG_ICR_LO) & ICR_PENDING)
		cpu_relax();
	write_eflags(flags);
}

/* Fixed-vector IPI to one CPU. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, ICR_ASSERT | vector);
}

/* Fixed-vector IPI to every CPU except this one. */
void lapic_send_ipi_allbutself(uint8_t vector)
{
	send_icr(0, ICR_ALL_BUT_SELF | ICR_ASSERT | vector);
}

/* INIT IPI (level assert) to one CPU. */
void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, ICR_ASSERT | ICR_INIT);
}

/* STARTUP IPI: the target starts in real mode at phys_page (4K-aligned,
 * below 1 MiB). */
void lapic_send_startup(uint32_t apic_id, uint32_t phys_page)
{
	send_icr(apic_id, ICR_ASSERT | ICR_STARTUP | (phys_page >> 12));
}

/* Start the timer at divide-by-1 with the given initial count. */
void lapic_timer_start(uint8_t vector, uint32_t count, bool periodic)
{
	wr(REG_TMR_DIV, TMR_DIV_1);
	wr(REG_LVT_TMR, vector | (periodic ? LVT_PERIODIC : 0));
	wr(REG_TMR_INIT, count);
}

/* Current count of the timer. */
uint32_t lapic_timer_current(void)
{
	return rd(REG_TMR_CUR);
}
