/* emu/lapic.h - a local APIC (xAPIC, MMIO at 0xFEE00000) per CPU.
 *
 * One emu_lapic per CPU; it is registered as an EMU_SPACE_MEM device of size
 * EMU_LAPIC_SIZE on that CPU's bus, with the emu_lapic* as opaque pointer.
 * The device never calls the machine directly: IPIs and diagnostics go
 * through the emu_lapic_host callbacks given at creation.
 *
 * Time: accesses carry the CPU's cycle count.  The timer input clock is a
 * fixed 1 GHz (one count per nanosecond at divide 1), independent of the CPU
 * clock.  Cycles convert to whole nanoseconds as floor(cycles * 1e9 / hz)
 * with exact integer arithmetic; timer deadlines are kept in nanoseconds, so
 * periodic reloads never drift.  Time never goes backwards: a `now` older
 * than the last one seen is treated as the last one seen.
 */
#ifndef EMU_LAPIC_H
#define EMU_LAPIC_H

#include <stdint.h>

#include "bus.h"

#define EMU_LAPIC_BASE 0xFEE00000u
#define EMU_LAPIC_SIZE 0x1000u

/* Largest number of CPUs an IPI destination mask can name. */
#define EMU_LAPIC_MAX_CPUS 32u

enum emu_ipi_mode { EMU_IPI_FIXED, EMU_IPI_INIT, EMU_IPI_STARTUP, EMU_IPI_INIT_DEASSERT };

typedef struct emu_lapic_host {
    void *ctx;
    /* An ICR write was decoded: deliver to every CPU index whose bit is set
     * in dest_mask (already resolved from shorthand / physical or logical
     * destination).  Never called with an empty mask. */
    void (*send_ipi)(void *ctx, unsigned src_cpu, enum emu_ipi_mode mode, uint8_t vector, uint32_t dest_mask);
    /* Something unsupported or invalid was used: a one-line message; never
     * fatal.  May be NULL. */
    void (*report)(void *ctx, unsigned cpu, const char *msg);
    /* The CPU wrote EOI and vector left service.  May be NULL. */
    void (*eoi)(void *ctx, unsigned cpu, uint8_t vector);
} emu_lapic_host;

typedef struct emu_lapic emu_lapic;

/* Creates the LAPIC of CPU cpu_index (< EMU_LAPIC_MAX_CPUS) in its power-up
 * state, with ID register apic_id << 24.  cpu_clock_hz converts cycles to
 * time (0 means 1 GHz).  host is copied.  Returns NULL on allocation failure. */
emu_lapic *emu_lapic_create(unsigned cpu_index, uint8_t apic_id, uint64_t cpu_clock_hz,
                            const emu_lapic_host *host);

/* Frees l (NULL is fine).  Peers must forget l first (emu_lapic_set_peers). */
void emu_lapic_destroy(emu_lapic *l);

/* The bus callbacks; the device opaque pointer is the emu_lapic*. */
const emu_device_ops *emu_lapic_ops(void);

/* Tells l about every LAPIC in the machine (all[i] may be NULL; l itself
 * should be among them) for ICR destination resolution.  The array is
 * copied; at most EMU_LAPIC_MAX_CPUS entries are used.  Until this is called
 * l knows only itself. */
void emu_lapic_set_peers(emu_lapic *l, emu_lapic *const *all, unsigned n);

/* Power-up state (what an INIT IPI does): everything but the ID register is
 * reset, the timer is stopped and the APIC is software-disabled. */
void emu_lapic_reset(emu_lapic *l);

/* A fixed interrupt with this vector arrives: sets its IRR bit.  Dropped when
 * the APIC is software-disabled; vectors 0-15 are dropped and set ESR
 * "received illegal vector" (bit 6). */
void emu_lapic_accept(emu_lapic *l, uint8_t vector);

/* The vector the CPU should take now if EFLAGS.IF allows, or -1: the highest
 * IRR vector whose class (vector >> 4) is above the PPR class.  -1 when the
 * APIC is software-disabled. */
int emu_lapic_pending(const emu_lapic *l);

/* The CPU took vector (normally emu_lapic_pending()'s): its IRR bit moves to
 * ISR.  Ignored when the IRR bit is clear. */
void emu_lapic_ack(emu_lapic *l, uint8_t vector);

/* Brings the timer up to CPU cycle now: fires every expiry at or before it
 * (setting the timer vector's IRR bit once unless masked; periodic timers
 * reload from the previous deadline). */
void emu_lapic_advance(emu_lapic *l, uint64_t now);

/* The CPU cycle at which the timer next expires (the smallest now for which
 * emu_lapic_advance(now) fires), or UINT64_MAX when the timer is stopped. */
uint64_t emu_lapic_next_event(const emu_lapic *l);

/* How many timer expiries have happened since creation or reset (periodic
 * expiries caught up in one advance all count, masked ones too). */
uint64_t emu_lapic_timer_expiries(const emu_lapic *l);

#endif
