/* emu/trace.c - the trace device and the guest's event rings (see trace.h). */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../guest/include/abi/trace.h"
#include "machine_priv.h"

/* A completed shootdown, kept for its trace record (sd[seq & sd_mask]). */
typedef struct sd_done {
    uint32_t seq;
    uint32_t cycles;      /* first IPI to last EOI (saturated) */
    bool valid;
} sd_done;

struct emu_trace {
    emu_machine *m;
    bool active;                       /* the rings below are valid */
    unsigned ncpus;                    /* rings in use, <= the machine's CPUs */
    uint32_t slots;                    /* power of two, TRACE_SLOTS_MIN .. MAX */
    uint32_t ring_pa[TRACE_MAX_CPUS];  /* each ring lies wholly in RAM */
    uint64_t latch[EMU_MAX_CPUS];      /* each CPU's cycles at its last CYC_LO read */
    uint64_t recorded[EMU_MAX_CPUS], dropped[EMU_MAX_CPUS], kicks;
    bool warned;                       /* one report for a corrupt ring index */
    sd_done *sd;                       /* by seq: one slot per record the rings hold, so a
                                        * record drained in time finds its shootdown */
    uint32_t sd_mask;                  /* slots - 1 (a power of two) */
};

static const char *const type_names[TRACE_EV_COUNT] = {
    [TRACE_EV_PAGE_ALLOC] = "page_alloc", [TRACE_EV_PAGE_FREE] = "page_free",
    [TRACE_EV_PCP_REFILL] = "pcp_refill", [TRACE_EV_PCP_DRAIN] = "pcp_drain",
    [TRACE_EV_SLAB_GROW] = "slab_grow", [TRACE_EV_SLAB_SHRINK] = "slab_shrink",
    [TRACE_EV_KMAP_FLUSH] = "kmap_flush", [TRACE_EV_VMAP_PURGE] = "vmap_purge",
    [TRACE_EV_TLB_SHOOTDOWN] = "tlb_shootdown", [TRACE_EV_IPI_SEND] = "ipi_send",
    [TRACE_EV_IPI_RECV] = "ipi_recv", [TRACE_EV_WMARK_LOW] = "wmark_low",
    [TRACE_EV_ALLOC_FAIL] = "alloc_fail",
};

const char *emu_trace_type_name(unsigned type)
{
    return type < TRACE_EV_COUNT ? type_names[type] : NULL;
}

/* Reports something wrong with the guest's rings (an EMU_EV_REPORT). */
static void trace_report(emu_trace *t, int cpu, const char *msg)
{
    emu_event ev = { .kind = EMU_EV_REPORT, .cpu = cpu, .cycles = cpu >= 0 ? t->m->cpu[cpu].cycles : t->m->now };
    ev.u.text = msg;
    emu_emit(t->m, &ev);
    emu_note(t->m, cpu, "%s", msg);
}

/* TRACE_PORT_RING: checks the announced header and every ring it names;
 * on success the rings are drained from then on. */
static void trace_attach(emu_trace *t, uint32_t pa, int cpu)
{
    struct trace_ring h;
    char msg[128];
    const uint8_t *p = emu_phys_ptr(t->m, pa, sizeof h);
    if (t->active) {
        trace_report(t, cpu, "trace: rings announced twice, second announcement ignored");
        return;
    }
    if (!p) {
        snprintf(msg, sizeof msg, "trace: ring header at 0x%08x is not in RAM", pa);
        trace_report(t, cpu, msg);
        return;
    }
    memcpy(&h, p, sizeof h);
    if (h.magic != TRACE_RING_MAGIC || h.version != TRACE_RING_VERSION ||
        h.rec_size != sizeof(struct trace_rec) || h.ncpus < 1 || h.ncpus > t->m->ncpus ||
        h.slots < TRACE_SLOTS_MIN || h.slots > TRACE_SLOTS_MAX || (h.slots & (h.slots - 1))) {
        snprintf(msg, sizeof msg, "trace: bad ring header at 0x%08x, tracing off", pa);
        trace_report(t, cpu, msg);
        return;
    }
    for (unsigned i = 0; i < h.ncpus; i++) {
        size_t bytes = sizeof(struct trace_cpu_ring) + (size_t)h.slots * sizeof(struct trace_rec);
        if (!emu_phys_ptr(t->m, h.cpu_ring[i], bytes)) {
            snprintf(msg, sizeof msg, "trace: ring of cpu %u at 0x%08x is not in RAM, tracing off", i,
                     h.cpu_ring[i]);
            trace_report(t, cpu, msg);
            return;
        }
        t->ring_pa[i] = h.cpu_ring[i];
    }
    uint32_t n = 1;
    while (n < h.ncpus * h.slots)
        n *= 2;
    if (!(t->sd = calloc(n, sizeof *t->sd))) {
        trace_report(t, cpu, "trace: out of memory, tracing off");
        return;
    }
    t->sd_mask = n - 1;
    t->ncpus = h.ncpus;
    t->slots = h.slots;
    t->active = true;
}

/* The host's duration of shootdown seq, if the tracker saw it end. */
static bool sd_lookup(const emu_trace *t, uint32_t seq, uint64_t *cycles)
{
    const sd_done *d = &t->sd[seq & t->sd_mask];
    if (!d->valid || d->seq != seq)
        return false;
    *cycles = d->cycles;
    return true;
}

void emu_trace_shootdown_done(emu_trace *t, uint32_t seq, uint64_t cycles)
{
    if (!t || !t->active)
        return;
    sd_done *d = &t->sd[seq & t->sd_mask];
    d->seq = seq;
    d->cycles = cycles > UINT32_MAX ? UINT32_MAX : (uint32_t)cycles;
    d->valid = true;
}

/* Delivers one record of cpu's ring as an EMU_EV_TRACE event. */
static void deliver(emu_trace *t, unsigned cpu, const struct trace_rec *r)
{
    emu_event ev = { .kind = EMU_EV_TRACE, .cpu = (int)cpu };
    ev.cycles = (uint64_t)r->cycles_hi << 32 | r->cycles_lo;
    ev.u.trace.type = r->type;
    ev.u.trace.aux = r->aux;
    memcpy(ev.u.trace.arg, r->arg, sizeof ev.u.trace.arg);
    if (r->type == TRACE_EV_TLB_SHOOTDOWN) {
        ev.u.trace.dur_from_host = sd_lookup(t, r->arg[0], &ev.u.trace.dur);
        if (!ev.u.trace.dur_from_host)
            ev.u.trace.dur = r->arg[4];
    }
    t->recorded[cpu]++;
    emu_emit(t->m, &ev);
}

/* Drains one CPU's ring: records [cons, prod), then cons = prod.  An index
 * pair that cannot be (more than slots apart) is reported once and only
 * the newest `slots` records are read. */
static void drain_cpu(emu_trace *t, unsigned cpu)
{
    uint8_t *base = emu_phys_ptr(t->m, t->ring_pa[cpu], sizeof(struct trace_cpu_ring));
    struct trace_cpu_ring h;
    memcpy(&h, base, sizeof h);
    if (h.prod - h.cons > t->slots) {
        if (!t->warned)
            trace_report(t, (int)cpu, "trace: ring indices out of range, records lost");
        t->warned = true;
        h.cons = h.prod - t->slots;
    }
    for (; h.cons != h.prod; h.cons++) {
        struct trace_rec r;
        size_t off = sizeof h + (size_t)(h.cons & (t->slots - 1)) * sizeof r;
        memcpy(&r, base + off, sizeof r);
        deliver(t, cpu, &r);
    }
    memcpy(base + offsetof(struct trace_cpu_ring, cons), &h.cons, sizeof h.cons);
    t->dropped[cpu] = h.dropped;
}

void emu_trace_drain(emu_trace *t)
{
    if (!t || !t->active)
        return;
    for (unsigned i = 0; i < t->ncpus; i++)
        drain_cpu(t, i);
}

/* ID, and the reading CPU's cycle count (low half latches). */
static uint32_t trace_read(void *opaque, uint32_t offset, unsigned size, const emu_access *a)
{
    emu_trace *t = opaque;
    (void)size;
    if (offset == TRACE_PORT_ID - TRACE_PORT_BASE)
        return TRACE_DEVICE_ID;
    if (a->cpu < 0)
        return 0;
    if (offset == TRACE_PORT_CYC_LO - TRACE_PORT_BASE) {
        t->latch[a->cpu] = a->now;
        return (uint32_t)a->now;
    }
    if (offset == TRACE_PORT_CYC_HI - TRACE_PORT_BASE)
        return (uint32_t)(t->latch[a->cpu] >> 32);
    return 0;
}

/* The ring announcement and the kick. */
static void trace_write(void *opaque, uint32_t offset, uint32_t value, unsigned size, const emu_access *a)
{
    emu_trace *t = opaque;
    (void)size;
    if (offset == TRACE_PORT_RING - TRACE_PORT_BASE) {
        trace_attach(t, value, a->cpu);
    } else if (offset == TRACE_PORT_KICK - TRACE_PORT_BASE && t->active && value < t->ncpus) {
        t->kicks++;
        drain_cpu(t, value);
    }
}

/* No side effects: the ID, 0 elsewhere. */
static uint32_t trace_peek(void *opaque, uint32_t offset, unsigned size)
{
    (void)opaque, (void)size;
    return offset == TRACE_PORT_ID - TRACE_PORT_BASE ? TRACE_DEVICE_ID : 0;
}

const emu_device_ops *emu_trace_ops(void)
{
    static const emu_device_ops ops = { trace_read, trace_write, trace_peek };
    return &ops;
}

emu_trace *emu_trace_create(emu_machine *m)
{
    emu_trace *t = calloc(1, sizeof *t);
    if (t)
        t->m = m;
    return t;
}

void emu_trace_destroy(emu_trace *t)
{
    if (t)
        free(t->sd);
    free(t);
}

void emu_machine_trace_stats(const emu_machine *m, emu_trace_stats *out)
{
    const emu_trace *t = m->trace;
    memset(out, 0, sizeof *out);
    if (!t)
        return;
    out->active = t->active;
    out->ncpus = t->ncpus;
    out->slots = t->slots;
    out->kicks = t->kicks;
    memcpy(out->recorded, t->recorded, sizeof out->recorded);
    memcpy(out->dropped, t->dropped, sizeof out->dropped);
}
