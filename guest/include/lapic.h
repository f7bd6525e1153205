/* Local APIC (xAPIC, MMIO at 0xFEE00000 mapped through the fixmap). */
#ifndef PAGELAB_LAPIC_H
#define PAGELAB_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_PHYS 0xFEE00000

void lapic_map(void);
bool lapic_ready(void);
void lapic_init(void);
uint32_t lapic_id(void);
uint32_t lapic_version(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_ipi_allbutself(uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint32_t phys_page);
void lapic_timer_start(uint8_t vector, uint32_t count, bool periodic);
uint32_t lapic_timer_current(void);

#endif
