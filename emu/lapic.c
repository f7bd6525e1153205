/* emu/lapic.c - local APIC (xAPIC) register file, IPI decoding and timer.
 * See lapic.h for the contract and the time base.  Register layout and
 * semantics follow the Intel SDM vol. 3A, chapter "Advanced Programmable
 * Interrupt Controller". */
#include "lapic.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

__extension__ typedef unsigned __int128 u128;

/* Register offsets. */
enum {
    REG_ID = 0x20, REG_VERSION = 0x30, REG_TPR = 0x80, REG_APR = 0x90, REG_PPR = 0xA0,
    REG_EOI = 0xB0, REG_LDR = 0xD0, REG_DFR = 0xE0, REG_SVR = 0xF0,
    REG_ISR = 0x100, REG_TMR = 0x180, REG_IRR = 0x200, REG_ESR = 0x280,
    REG_ICR_LO = 0x300, REG_ICR_HI = 0x310, REG_LVT = 0x320, REG_LVT_END = 0x370,
    REG_INITIAL = 0x380, REG_CURRENT = 0x390, REG_DIVIDE = 0x3E0,
};

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

#define VERSION_VALUE 0x00050014u
#define LVT_MASKED (1u << 16)
#define LVT_RESET LVT_MASKED
#define SVR_ENABLE (1u << 8)
#define SVR_MASK 0x3FFu
#define ICR_LO_MASK 0x000CCFFFu
#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG (1u << 7)
#define TIMER_PERIODIC 1u
#define NS_PER_SEC 1000000000u

/* Writable bits of each LVT entry (delivery status / remote IRR are read-only). */
static const uint32_t lvt_write_mask[LVT_COUNT] = {
    0x000700FFu, 0x000107FFu, 0x000107FFu, 0x0001A7FFu, 0x0001A7FFu, 0x000100FFu,
};

struct emu_lapic {
    unsigned cpu;
    uint64_t hz;
    emu_lapic_host host;
    emu_lapic *peers[EMU_LAPIC_MAX_CPUS];
    unsigned npeers;
    uint32_t id, tpr, ldr, dfr, svr;
    uint32_t isr[8], irr[8];
    uint32_t esr, esr_pending;
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];
    uint32_t initial, divide_cfg;
    bool timer_running;
    uint64_t deadline_ns;   /* valid while timer_running; always > last_ns */
    uint64_t last_now;      /* latest CPU cycle seen */
    uint64_t last_ns;       /* last_now in nanoseconds */
    uint64_t expiries;
};

/* ---- small helpers -------------------------------------------------------- */

/* Passes a formatted one-line message to the host's report callback. */
__attribute__((format(printf, 2, 3)))
static void lapic_report(const emu_lapic *l, const char *fmt, ...)
{
    char msg[160];
    va_list ap;

    if (!l->host.report)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l->host.report(l->host.ctx, l->cpu, msg);
}

/* CPU cycles to whole nanoseconds: floor(cycles * 1e9 / hz). */
static uint64_t cycles_to_ns(const emu_lapic *l, uint64_t cycles)
{
    u128 ns = (u128)cycles * NS_PER_SEC / l->hz;
    return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

/* The smallest cycle count c with cycles_to_ns(c) >= ns: ceil(ns * hz / 1e9). */
static uint64_t ns_to_cycles(const emu_lapic *l, uint64_t ns)
{
    u128 c = ((u128)ns * l->hz + NS_PER_SEC - 1) / NS_PER_SEC;
    return c > UINT64_MAX ? UINT64_MAX : (uint64_t)c;
}

/* Index of the highest set bit of a 256-bit vector register, or -1. */
static int highest_vector(const uint32_t v[8])
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}

/* True when SVR bit 8 (APIC software enable) is set. */
static bool sw_enabled(const emu_lapic *l)
{
    return (l->svr & SVR_ENABLE) != 0;
}

/* Processor priority: TPR if its class is not below the highest in-service
 * class, else that class with sub-class 0. */
static uint32_t lapic_ppr(const emu_lapic *l)
{
    int isrv = highest_vector(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv >> 4;

    if ((l->tpr >> 4) >= isr_class)
        return l->tpr & 0xFF;
    return isr_class << 4;
}

/* Records errors in the pending ESR and raises the error LVT if unmasked
 * (an illegal error vector is not raised again, to avoid recursion). */
static void lapic_error(emu_lapic *l, uint32_t bits)
{
    uint32_t lvt = l->lvt[LVT_ERROR];
    uint8_t vec = lvt & 0xFF;

    l->esr_pending |= bits;
    if (!(lvt & LVT_MASKED) && vec >= 16 && sw_enabled(l))
        l->irr[vec >> 5] |= 1u << (vec & 31);
}

/* ---- timer ---------------------------------------------------------------- */

/* Timer divisor from the divide configuration (bits 0, 1, 3). */
static uint64_t timer_divisor(const emu_lapic *l)
{
    uint32_t v = (l->divide_cfg & 3) | ((l->divide_cfg >> 1) & 4);
    return 1ull << ((v + 1) & 7);
}

/* Timer mode field (LVT timer bits 17-18). */
static uint32_t timer_mode(const emu_lapic *l)
{
    return (l->lvt[LVT_TIMER] >> 17) & 3;
}

/* Current count at last_ns: 0 when stopped, else the remaining ticks rounded up. */
static uint32_t timer_current(const emu_lapic *l)
{
    uint64_t div = timer_divisor(l);

    if (!l->timer_running)
        return 0;
    return (uint32_t)((l->deadline_ns - l->last_ns + div - 1) / div);
}

/* Fires every expiry at or before last_ns: counts them, sets the timer
 * vector's IRR bit once unless masked, reloads (periodic) or stops. */
static void timer_fire_due(emu_lapic *l)
{
    uint32_t lvt = l->lvt[LVT_TIMER];

    if (!l->timer_running || l->deadline_ns > l->last_ns)
        return;
    if (timer_mode(l) == TIMER_PERIODIC) {
        uint64_t period = (uint64_t)l->initial * timer_divisor(l);
        uint64_t k = (l->last_ns - l->deadline_ns) / period + 1;
        l->deadline_ns += k * period;
        l->expiries += k;
    } else {
        l->timer_running = false;
        l->expiries++;
    }
    if (!(lvt & LVT_MASKED))
        emu_lapic_accept(l, lvt & 0xFF);
}

/* Moves the LAPIC's notion of time to cycle now (never backwards) and fires
 * what became due. */
static void lapic_catch_up(emu_lapic *l, uint64_t now)
{
    if (now > l->last_now) {
        l->last_now = now;
        l->last_ns = cycles_to_ns(l, now);
    }
    timer_fire_due(l);
}

/* Initial-count write: (re)starts the countdown at last_ns; 0 stops it.
 * Ignored in TSC-deadline / reserved timer modes. */
static void timer_write_initial(emu_lapic *l, uint32_t v)
{
    if (timer_mode(l) > TIMER_PERIODIC)
        return;
    l->initial = v;
    l->timer_running = v != 0;
    if (v)
        l->deadline_ns = l->last_ns + (uint64_t)v * timer_divisor(l);
}

/* Divide-configuration write: a running countdown keeps its current count
 * and continues at the new rate. */
static void timer_write_divide(emu_lapic *l, uint32_t v)
{
    uint32_t count = timer_current(l);

    l->divide_cfg = v & 0xB;
    if (l->timer_running)
        l->deadline_ns = l->last_ns + (uint64_t)count * timer_divisor(l);
}

/* ---- LVT / SVR ------------------------------------------------------------ */

/* Stores an LVT entry (masked while software-disabled); unsupported timer
 * modes are reported and stop the timer. */
static void write_lvt(emu_lapic *l, unsigned idx, uint32_t v)
{
    v &= lvt_write_mask[idx];
    if (!sw_enabled(l))
        v |= LVT_MASKED;
    l->lvt[idx] = v;
    if (idx != LVT_TIMER)
        return;
    switch (timer_mode(l)) {
    case 2:
        lapic_report(l, "lapic: TSC-deadline timer mode is not supported");
        l->timer_running = false;
        break;
    case 3:
        lapic_report(l, "lapic: reserved timer mode 3 in LVT timer");
        l->timer_running = false;
        break;
    default:
        break;
    }
}

/* SVR write; clearing the software-enable bit masks every LVT entry. */
static void write_svr(emu_lapic *l, uint32_t v)
{
    l->svr = v & SVR_MASK;
    if (!sw_enabled(l))
        for (unsigned i = 0; i < LVT_COUNT; i++)
            l->lvt[i] |= LVT_MASKED;
}

/* EOI: retires the highest in-service vector (if any). */
static void lapic_eoi(emu_lapic *l)
{
    int v = highest_vector(l->isr);

    if (v < 0)
        return;
    l->isr[v >> 5] &= ~(1u << (v & 31));
    if (l->host.eoi)
        l->host.eoi(l->host.ctx, l->cpu, (uint8_t)v);
}

/* ---- ICR ------------------------------------------------------------------ */

/* Mask of every known CPU (the peers, or just l before set_peers). */
static uint32_t all_cpus_mask(const emu_lapic *l)
{
    uint32_t mask = 0;

    for (unsigned i = 0; i < l->npeers; i++)
        if (l->peers[i])
            mask |= 1u << l->peers[i]->cpu;
    return mask;
}

/* Mask of the CPUs named by destination field dest (physical or flat logical). */
static uint32_t resolve_dest(const emu_lapic *l, uint8_t dest, bool logical)
{
    uint32_t mask = 0;

    if (logical && (l->dfr >> 28) != 0xF) {
        lapic_report(l, "lapic: logical destination with DFR model 0x%x (cluster) not supported",
                     (unsigned)(l->dfr >> 28));
        return 0;
    }
    for (unsigned i = 0; i < l->npeers; i++) {
        const emu_lapic *p = l->peers[i];
        bool hit;
        if (!p)
            continue;
        if (logical)
            hit = ((p->ldr >> 24) & dest) != 0;
        else
            hit = dest == 0xFF || (p->id >> 24) == dest;
        if (hit)
            mask |= 1u << p->cpu;
    }
    return mask;
}

/* Decodes the ICR delivery mode into *mode; false (after a report) when the
 * mode is unsupported. */
static bool icr_mode(const emu_lapic *l, uint32_t lo, enum emu_ipi_mode *mode)
{
    static const char *const names[8] = {
        "fixed", "lowest-priority", "SMI", "reserved (3)", "NMI", "INIT", "start-up", "reserved (7)",
    };
    unsigned dm = (lo >> 8) & 7;

    switch (dm) {
    case 0: *mode = EMU_IPI_FIXED; return true;
    case 5:
        *mode = (!(lo & ICR_LEVEL_ASSERT) && (lo & ICR_TRIGGER_LEVEL)) ? EMU_IPI_INIT_DEASSERT : EMU_IPI_INIT;
        return true;
    case 6: *mode = EMU_IPI_STARTUP; return true;
    default:
        lapic_report(l, "lapic: IPI delivery mode %s not supported", names[dm]);
        return false;
    }
}

/* An ICR-low write: decodes the command and sends it through the host.
 * Fixed IPIs with vectors 0-15 set ESR "send illegal vector" and are not
 * sent; INIT/start-up to self is invalid; INIT de-assert goes to all. */
static void icr_send(emu_lapic *l)
{
    uint32_t lo = l->icr_lo, mask;
    uint8_t vector = lo & 0xFF;
    unsigned shorthand = (lo >> 18) & 3;
    enum emu_ipi_mode mode;

    if (!icr_mode(l, lo, &mode))
        return;
    if (mode == EMU_IPI_FIXED && vector < 16) {
        lapic_error(l, ESR_SEND_ILLEGAL);
        return;
    }
    if (shorthand == 1 && mode != EMU_IPI_FIXED) {
        lapic_report(l, "lapic: INIT/start-up IPI with shorthand self is invalid");
        return;
    }
    if (mode == EMU_IPI_INIT_DEASSERT || shorthand == 2)
        mask = all_cpus_mask(l);
    else if (shorthand == 1)
        mask = 1u << l->cpu;
    else if (shorthand == 3)
        mask = all_cpus_mask(l) & ~(1u << l->cpu);
    else
        mask = resolve_dest(l, (uint8_t)(l->icr_hi >> 24), (lo & ICR_DEST_LOGICAL) != 0);
    if (mask && l->host.send_ipi)
        l->host.send_ipi(l->host.ctx, l->cpu, mode, vector, mask);
}

/* ---- register file -------------------------------------------------------- */

/* True for 32-bit accesses at a 16-byte aligned offset inside the page. */
static bool access_ok(uint32_t off, unsigned size)
{
    return size == 4 && (off & 0xF) == 0 && off < EMU_LAPIC_SIZE;
}

/* The value a read of register off returns at last_ns; false for an unknown
 * offset.  Pure: changes nothing. */
static bool reg_value(const emu_lapic *l, uint32_t off, uint32_t *v)
{
    if (off >= REG_ISR && off < REG_ESR) {
        unsigned idx = (off >> 4) & 7;
        *v = off < REG_TMR ? l->isr[idx] : off < REG_IRR ? 0 : l->irr[idx];
        return true;
    }
    if (off >= REG_LVT && off <= REG_LVT_END) {
        *v = l->lvt[(off - REG_LVT) >> 4];
        return true;
    }
    switch (off) {
    case REG_ID: *v = l->id; return true;
    case REG_VERSION: *v = VERSION_VALUE; return true;
    case REG_TPR: *v = l->tpr; return true;
    case REG_APR: case REG_EOI: *v = 0; return true;
    case REG_PPR: *v = lapic_ppr(l); return true;
    case REG_LDR: *v = l->ldr; return true;
    case REG_DFR: *v = l->dfr; return true;
    case REG_SVR: *v = l->svr; return true;
    case REG_ESR: *v = l->esr; return true;
    case REG_ICR_LO: *v = l->icr_lo; return true;
    case REG_ICR_HI: *v = l->icr_hi; return true;
    case REG_INITIAL: *v = l->initial; return true;
    case REG_CURRENT: *v = timer_current(l); return true;
    case REG_DIVIDE: *v = l->divide_cfg; return true;
    default: return false;
    }
}

/* Writes a writable register; false when off is not one. */
static bool reg_write(emu_lapic *l, uint32_t off, uint32_t v)
{
    if (off >= REG_LVT && off <= REG_LVT_END) {
        write_lvt(l, (off - REG_LVT) >> 4, v);
        return true;
    }
    switch (off) {
    case REG_ID: l->id = v & 0xFF000000u; return true;
    case REG_TPR: l->tpr = v & 0xFF; return true;
    case REG_EOI: lapic_eoi(l); return true;
    case REG_LDR: l->ldr = v & 0xFF000000u; return true;
    case REG_DFR: l->dfr = v | 0x0FFFFFFFu; return true;
    case REG_SVR: write_svr(l, v); return true;
    case REG_ESR: l->esr = l->esr_pending; l->esr_pending = 0; return true;
    case REG_ICR_LO: l->icr_lo = v & ICR_LO_MASK; icr_send(l); return true;
    case REG_ICR_HI: l->icr_hi = v & 0xFF000000u; return true;
    case REG_INITIAL: timer_write_initial(l, v); return true;
    case REG_DIVIDE: timer_write_divide(l, v); return true;
    default: return false;
    }
}

/* Bus read callback: catches the timer up to a->now, then reads. */
static uint32_t lapic_read(void *opaque, uint32_t off, unsigned size, const emu_access *a)
{
    emu_lapic *l = opaque;
    uint32_t v;

    if (!access_ok(off, size)) {
        lapic_report(l, "lapic: %u-byte read at offset 0x%x ignored (registers are aligned 32-bit)", size, off);
        return 0;
    }
    lapic_catch_up(l, a->now);
    if (!reg_value(l, off, &v)) {
        lapic_report(l, "lapic: read of unknown register 0x%x", off);
        lapic_error(l, ESR_ILLEGAL_REG);
        return 0;
    }
    return v;
}

/* Bus write callback: catches the timer up to a->now, then writes. */
static void lapic_write(void *opaque, uint32_t off, uint32_t value, unsigned size, const emu_access *a)
{
    emu_lapic *l = opaque;
    uint32_t dummy;

    if (!access_ok(off, size)) {
        lapic_report(l, "lapic: %u-byte write at offset 0x%x ignored (registers are aligned 32-bit)", size, off);
        return;
    }
    lapic_catch_up(l, a->now);
    if (reg_write(l, off, value))
        return;
    if (reg_value(l, off, &dummy)) {
        lapic_report(l, "lapic: write of 0x%x to read-only register 0x%x ignored", value, off);
        return;
    }
    lapic_report(l, "lapic: write of 0x%x to unknown register 0x%x", value, off);
    lapic_error(l, ESR_ILLEGAL_REG);
}

/* Bus peek callback: the read value at the last known time; no side effects. */
static uint32_t lapic_peek(void *opaque, uint32_t off, unsigned size)
{
    const emu_lapic *l = opaque;
    uint32_t v;

    if (!access_ok(off, size) || !reg_value(l, off, &v))
        return 0;
    return v;
}

/* ---- public API ----------------------------------------------------------- */

/* emu_lapic_ops: see lapic.h. */
const emu_device_ops *emu_lapic_ops(void)
{
    static const emu_device_ops ops = { lapic_read, lapic_write, lapic_peek };
    return &ops;
}

/* emu_lapic_create: see lapic.h. */
emu_lapic *emu_lapic_create(unsigned cpu_index, uint8_t apic_id, uint64_t cpu_clock_hz,
                            const emu_lapic_host *host)
{
    emu_lapic *l;

    if (cpu_index >= EMU_LAPIC_MAX_CPUS || !(l = calloc(1, sizeof *l)))
        return NULL;
    l->cpu = cpu_index;
    l->hz = cpu_clock_hz ? cpu_clock_hz : NS_PER_SEC;
    if (host)
        l->host = *host;
    l->peers[cpu_index] = l;
    l->npeers = cpu_index + 1;
    l->id = (uint32_t)apic_id << 24;
    emu_lapic_reset(l);
    return l;
}

/* emu_lapic_destroy: see lapic.h. */
void emu_lapic_destroy(emu_lapic *l)
{
    free(l);
}

/* emu_lapic_set_peers: see lapic.h. */
void emu_lapic_set_peers(emu_lapic *l, emu_lapic *const *all, unsigned n)
{
    if (n > EMU_LAPIC_MAX_CPUS)
        n = EMU_LAPIC_MAX_CPUS;
    for (unsigned i = 0; i < EMU_LAPIC_MAX_CPUS; i++)
        l->peers[i] = i < n ? all[i] : NULL;
    l->npeers = n;
}

/* emu_lapic_reset: see lapic.h. */
void emu_lapic_reset(emu_lapic *l)
{
    l->tpr = l->ldr = 0;
    l->dfr = 0xFFFFFFFFu;
    l->svr = 0xFF;
    for (unsigned i = 0; i < 8; i++)
        l->isr[i] = l->irr[i] = 0;
    l->esr = l->esr_pending = 0;
    l->icr_lo = l->icr_hi = 0;
    for (unsigned i = 0; i < LVT_COUNT; i++)
        l->lvt[i] = LVT_RESET;
    l->initial = l->divide_cfg = 0;
    l->timer_running = false;
    l->deadline_ns = 0;
    l->expiries = 0;
}

/* emu_lapic_accept: see lapic.h. */
void emu_lapic_accept(emu_lapic *l, uint8_t vector)
{
    if (!sw_enabled(l))
        return;
    if (vector < 16) {
        lapic_error(l, ESR_RECV_ILLEGAL);
        return;
    }
    l->irr[vector >> 5] |= 1u << (vector & 31);
}

/* emu_lapic_pending: see lapic.h. */
int emu_lapic_pending(const emu_lapic *l)
{
    int irrv = highest_vector(l->irr);

    if (!sw_enabled(l) || irrv < 0)
        return -1;
    return ((uint32_t)irrv >> 4) > (lapic_ppr(l) >> 4) ? irrv : -1;
}

/* emu_lapic_ack: see lapic.h. */
void emu_lapic_ack(emu_lapic *l, uint8_t vector)
{
    uint32_t bit = 1u << (vector & 31);

    if (!(l->irr[vector >> 5] & bit))
        return;
    l->irr[vector >> 5] &= ~bit;
    l->isr[vector >> 5] |= bit;
}

/* emu_lapic_advance: see lapic.h. */
void emu_lapic_advance(emu_lapic *l, uint64_t now)
{
    lapic_catch_up(l, now);
}

/* emu_lapic_next_event: see lapic.h. */
uint64_t emu_lapic_next_event(const emu_lapic *l)
{
    return l->timer_running ? ns_to_cycles(l, l->deadline_ns) : UINT64_MAX;
}

/* emu_lapic_timer_expiries: see lapic.h. */
uint64_t emu_lapic_timer_expiries(const emu_lapic *l)
{
    return l->expiries;
}
