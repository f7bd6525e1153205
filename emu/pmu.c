/* emu/pmu.c - the performance-counter device (see pmu.h and
 * guest/include/abi/pmu.h).
 *
 * A write to PMU_PORT_LATCH copies every counter of the writing CPU into
 * that CPU's latch; PMU_PORT_SELECT picks the event PMU_PORT_LO/HI return.
 * The selection is per CPU and survives latches, so a guest can select an
 * event before it latches and read it right after with a single `in`.
 * Accesses from the host (cpu -1) and peeks use CPU 0's latch. */
#include "pmu.h"

#include <stdlib.h>
#include <string.h>

/* One CPU's latched counters and selected event. */
typedef struct pmu_cpu {
    uint64_t latch[PMU_EV_COUNT];
    uint32_t select;
} pmu_cpu;

struct emu_pmu {
    emu_machine *m;
    pmu_cpu cpu[EMU_MAX_CPUS];
};

static const char *const event_names[PMU_EV_COUNT] = {
    [PMU_EV_CYCLES] = "cycles",             [PMU_EV_INSNS] = "insns",
    [PMU_EV_ITLB_HIT] = "itlb_hit",         [PMU_EV_ITLB_MISS] = "itlb_miss",
    [PMU_EV_DTLB_HIT] = "dtlb_hit",         [PMU_EV_DTLB_MISS] = "dtlb_miss",
    [PMU_EV_WALKS] = "walks",               [PMU_EV_TLB_FLUSHES] = "tlb_flushes",
    [PMU_EV_INVLPGS] = "invlpgs",           [PMU_EV_L1I_HIT] = "l1i_hit",
    [PMU_EV_L1I_MISS] = "l1i_miss",         [PMU_EV_L1D_HIT] = "l1d_hit",
    [PMU_EV_L1D_MISS] = "l1d_miss",         [PMU_EV_L1D_WRITEBACK] = "l1d_writeback",
    [PMU_EV_L2_HIT] = "l2_hit",             [PMU_EV_L2_MISS] = "l2_miss",
    [PMU_EV_MEM_CYCLES] = "mem_cycles",     [PMU_EV_STALE] = "stale",
};

/* emu_pmu_event_name: see pmu.h. */
const char *emu_pmu_event_name(unsigned ev)
{
    return ev < PMU_EV_COUNT ? event_names[ev] : NULL;
}

/* emu_pmu_event_lookup: see pmu.h. */
int emu_pmu_event_lookup(const char *name)
{
    for (unsigned i = 0; name && i < PMU_EV_COUNT; i++)
        if (strcmp(event_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* Copies cpu's counters, in enum pmu_event order, into v.  The TLB and
 * cache counters are whatever emu_machine_mem_stats reports (zero in fast
 * mode). */
static void read_counters(const emu_machine *m, unsigned cpu, uint64_t v[PMU_EV_COUNT])
{
    emu_cpu_stats c = { 0 };
    emu_mem_stats s = { 0 };

    emu_machine_cpu_stats(m, cpu, &c);
    emu_machine_mem_stats(m, cpu, &s);
    v[PMU_EV_CYCLES] = c.cycles;             v[PMU_EV_INSNS] = c.insns;
    v[PMU_EV_ITLB_HIT] = s.itlb_hits;        v[PMU_EV_ITLB_MISS] = s.itlb_misses;
    v[PMU_EV_DTLB_HIT] = s.dtlb_hits;        v[PMU_EV_DTLB_MISS] = s.dtlb_misses;
    v[PMU_EV_WALKS] = s.walks;               v[PMU_EV_TLB_FLUSHES] = s.tlb_flushes;
    v[PMU_EV_INVLPGS] = s.invlpgs;           v[PMU_EV_L1I_HIT] = s.l1i_hits;
    v[PMU_EV_L1I_MISS] = s.l1i_misses;       v[PMU_EV_L1D_HIT] = s.l1d_hits;
    v[PMU_EV_L1D_MISS] = s.l1d_misses;       v[PMU_EV_L1D_WRITEBACK] = s.l1d_writebacks;
    v[PMU_EV_L2_HIT] = s.l2_hits;            v[PMU_EV_L2_MISS] = s.l2_misses;
    v[PMU_EV_MEM_CYCLES] = s.mem_cycles;     v[PMU_EV_STALE] = s.stale_uses;
}

/* The value register `offset` reads for CPU cpu (no side effects); the
 * write-only ports LATCH and SELECT read 0. */
static uint32_t reg_value(const emu_pmu *p, unsigned cpu, uint32_t offset)
{
    const pmu_cpu *c = &p->cpu[cpu];
    uint64_t v = c->select < PMU_EV_COUNT ? c->latch[c->select] : 0;

    switch (offset + PMU_PORT_BASE) {
    case PMU_PORT_ID:     return PMU_DEVICE_ID;
    case PMU_PORT_MODE:   return emu_machine_timing_mode(p->m) == EMU_TIMING_DETAILED;
    case PMU_PORT_LO:     return (uint32_t)v;
    case PMU_PORT_HI:     return (uint32_t)(v >> 32);
    default:              return 0;
    }
}

/* The CPU an access counts for: the accessing one, CPU 0 for the host. */
static unsigned cpu_of(const emu_pmu *p, const emu_access *a)
{
    return a->cpu >= 0 && (unsigned)a->cpu < emu_machine_ncpus(p->m) ? (unsigned)a->cpu : 0;
}

/* Port reads: registers have no read side effects.  Narrow reads get the
 * low bytes. */
static uint32_t pmu_read(void *opaque, uint32_t offset, unsigned size, const emu_access *a)
{
    uint32_t v = reg_value(opaque, cpu_of(opaque, a), offset);

    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

/* Port writes (32-bit only): the latch and the event selection.  The
 * host's own accesses (cpu -1) do not latch. */
static void pmu_write(void *opaque, uint32_t offset, uint32_t value, unsigned size, const emu_access *a)
{
    emu_pmu *p = opaque;
    pmu_cpu *c = &p->cpu[cpu_of(p, a)];

    if (size != 4)
        return;
    if (offset == PMU_PORT_LATCH - PMU_PORT_BASE && a->cpu >= 0)
        read_counters(p->m, (unsigned)a->cpu, c->latch);
    else if (offset == PMU_PORT_SELECT - PMU_PORT_BASE)
        c->select = value;
}

/* Side-effect-free read: CPU 0's registers. */
static uint32_t pmu_peek(void *opaque, uint32_t offset, unsigned size)
{
    uint32_t v = reg_value(opaque, 0, offset);

    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

/* emu_pmu_ops: see pmu.h. */
const emu_device_ops *emu_pmu_ops(void)
{
    static const emu_device_ops ops = { pmu_read, pmu_write, pmu_peek };
    return &ops;
}

/* emu_pmu_create: see pmu.h. */
emu_pmu *emu_pmu_create(emu_machine *m)
{
    emu_pmu *p = calloc(1, sizeof *p);

    if (p)
        p->m = m;
    return p;
}

/* emu_pmu_destroy: see pmu.h. */
void emu_pmu_destroy(emu_pmu *p)
{
    free(p);
}
