/* emu/workload.c - the workload request ring, host side (see workload.h,
 * guest/include/abi/wl_ring.h and docs/workloads.md).
 *
 * The device: the guest announces its ring by writing the ring's physical
 * address to WL_PORT_RING; the host checks the header and from then on may
 * queue requests.  Requests are written into the ring's slots only while
 * the machine is stopped (between emu_machine_run calls), then the target
 * CPU gets WL_VECTOR through its local APIC.  When a CPU has emptied its
 * queue it writes WL_PORT_DONE, which pauses the machine if the host is
 * waiting.  The counters ports give the reading CPU its own instruction
 * and cycle counts, latched on the first read. */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine_priv.h"
#include "wl_latency.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the ring is read and written in host byte order, which must be the guest's");

#define WL_DEFAULT_TIMEOUT 10000000000ull

/* One CPU's part of an emu_wl_run. */
typedef struct wl_feed {
    const emu_wl_batch *b;   /* NULL: this CPU has no batch */
    size_t submitted;        /* requests written into the queue */
    size_t collected;        /* results copied out */
    bool cancel;             /* a WL_F_STOP_ON_ERROR request failed */
} wl_feed;

struct emu_wl {
    emu_machine *m;
    uint64_t ring_phys;      /* valid when ready */
    unsigned ncpus;          /* queues the guest serves */
    bool ready;
    bool waiting;            /* emu_wl_run / emu_wl_start is running the machine */
    struct { uint64_t insns, cycles; } latch[EMU_MAX_CPUS];
    emu_wl_stats stats;
    emu_wl_lat lat;          /* cycles of every completed WL_OK request, by operation */
    char reject[160];        /* why an announced ring was refused, or "" */
};

emu_wl *emu_wl_create(emu_machine *m)
{
    emu_wl *w = calloc(1, sizeof *w);

    if (w) {
        w->m = m;
        emu_wl_lat_init(&w->lat);
    }
    return w;
}

void emu_wl_destroy(emu_wl *w)
{
    if (w)
        emu_wl_lat_free(&w->lat);
    free(w);
}

/* The ring in host memory, or NULL if it is not (all) in RAM. */
static struct wl_ring *ring_ptr(const emu_wl *w, uint64_t phys)
{
    return (struct wl_ring *)emu_phys_ptr(w->m, phys, sizeof(struct wl_ring));
}

/* Checks the header the guest announced; on success the ring is usable. */
static void announce(emu_wl *w, uint32_t phys, int cpu)
{
    const struct wl_ring *r = ring_ptr(w, phys);

    w->reject[0] = '\0';
    if (!r)
        snprintf(w->reject, sizeof w->reject, "ring at 0x%08x is not in RAM", phys);
    else if (r->magic != WL_RING_MAGIC || r->version != WL_RING_VERSION)
        snprintf(w->reject, sizeof w->reject, "ring at 0x%08x: bad magic or version %u", phys, r->version);
    else if (r->slots != WL_SLOTS || r->req_size != sizeof(struct wl_req) ||
             r->queue_size != sizeof(struct wl_queue))
        snprintf(w->reject, sizeof w->reject, "ring at 0x%08x: layout differs from the host's", phys);
    else if (r->ncpus == 0 || r->ncpus > w->m->ncpus || r->ncpus > WL_MAX_CPUS)
        snprintf(w->reject, sizeof w->reject, "ring at 0x%08x: %u CPUs", phys, r->ncpus);
    if (w->reject[0]) {
        emu_note(w->m, cpu, "workload: %s", w->reject);
        return;
    }
    w->ring_phys = phys;
    w->ncpus = r->ncpus;
    w->ready = true;
    if (w->waiting)
        emu_request_stop(w->m, EMU_STOP_PAUSE);
}

/* The value of register `offset` for `cpu`'s latched counters. */
static uint32_t reg_value(const emu_wl *w, unsigned cpu, uint32_t offset)
{
    switch (offset + WL_PORT_BASE) {
    case WL_PORT_ID:             return WL_DEVICE_ID;
    case WL_PORT_COUNT:          return (uint32_t)w->latch[cpu].insns;
    case WL_PORT_COUNT_INSNS_HI: return (uint32_t)(w->latch[cpu].insns >> 32);
    case WL_PORT_COUNT_CYC_LO:   return (uint32_t)w->latch[cpu].cycles;
    case WL_PORT_COUNT_CYC_HI:   return (uint32_t)(w->latch[cpu].cycles >> 32);
    default:                     return 0;
    }
}

/* Port reads: the ID, and the counters (WL_PORT_COUNT latches them).
 * Only 32-bit reads are meaningful; narrower ones get the low bytes. */
static uint32_t wl_read(void *opaque, uint32_t offset, unsigned size, const emu_access *a)
{
    emu_wl *w = opaque;
    unsigned cpu = a->cpu >= 0 ? (unsigned)a->cpu : 0;
    uint32_t v;

    if (offset == WL_PORT_COUNT - WL_PORT_BASE && a->cpu >= 0) {
        w->latch[cpu].insns = w->m->cpu[cpu].insns;
        w->latch[cpu].cycles = a->now;
    }
    v = reg_value(w, cpu, offset);
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

/* Port writes: the ring's announcement and the doorbell. */
static void wl_write(void *opaque, uint32_t offset, uint32_t value, unsigned size, const emu_access *a)
{
    emu_wl *w = opaque;

    if (size != 4)
        return;
    if (offset == WL_PORT_RING - WL_PORT_BASE)
        announce(w, value, a->cpu);
    else if (offset == WL_PORT_DONE - WL_PORT_BASE) {
        w->stats.doorbells++;
        if (w->waiting)
            emu_request_stop(w->m, EMU_STOP_PAUSE);
    }
}

/* Side-effect-free read (peeks have no CPU: CPU 0's latch). */
static uint32_t wl_peek(void *opaque, uint32_t offset, unsigned size)
{
    uint32_t v = reg_value(opaque, 0, offset);

    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

const emu_device_ops *emu_wl_ops(void)
{
    static const emu_device_ops ops = { wl_read, wl_write, wl_peek };
    return &ops;
}

/* ---- the host API (machine.h) ------------------------------------------------ */

bool emu_wl_ready(const emu_machine *m)
{
    return m->wl->ready;
}

void emu_wl_get_stats(const emu_machine *m, emu_wl_stats *out)
{
    *out = m->wl->stats;
}

/* Why the machine stopped, as the end of an error message. */
static void stop_message(emu_machine *m, emu_stop st, char *err, size_t errlen, const char *what)
{
    if (st == EMU_STOP_EXIT)
        snprintf(err, errlen, "the kernel exited (value %u) %s", emu_machine_exit_value(m), what);
    else if (st == EMU_STOP_LIMIT)
        snprintf(err, errlen, "the instruction limit (max_insns) was reached %s", what);
    else
        snprintf(err, errlen, "the machine stopped (%s) %s", emu_stop_name(st), what);
}

/* Runs the machine (waiting for the device) for at most budget cycles.
 * Returns the stop reason. */
static emu_stop run_waiting(emu_machine *m, uint64_t budget)
{
    emu_stop st;

    m->wl->waiting = true;
    st = emu_machine_run(m, budget);
    m->wl->waiting = false;
    return st;
}

int emu_wl_start(emu_machine *m, uint64_t max_cycles, char *err, size_t errlen)
{
    uint64_t start = m->now, limit = max_cycles ? max_cycles : WL_DEFAULT_TIMEOUT;

    while (!m->wl->ready) {
        uint64_t used = m->now - start;
        emu_stop st;

        if (used >= limit) {
            snprintf(err, errlen, "the kernel did not announce its workload ring within %llu cycles "
                     "(is `workload` on its command line?)", (unsigned long long)limit);
            return -1;
        }
        st = run_waiting(m, limit - used);
        if ((st != EMU_STOP_PAUSE && st != EMU_STOP_LIMIT) ||
            (st == EMU_STOP_LIMIT && emu_machine_insn_limit_reached(m))) {
            stop_message(m, st, err, errlen, m->wl->reject[0] ? m->wl->reject :
                         st == EMU_STOP_LIMIT ? "before the kernel announced its workload ring" :
                         "before announcing its workload ring (is `workload` on its command line?)");
            return -1;
        }
    }
    return 0;
}

/* Checks a call's batches: known CPUs, each once, names that fit. */
static int check_batches(const emu_wl *w, const emu_wl_batch *b, unsigned nb, char *err, size_t errlen)
{
    uint32_t seen = 0;

    if (!w->ready) {
        snprintf(err, errlen, "the kernel serves no workload ring (emu_wl_start first)");
        return -1;
    }
    for (unsigned i = 0; i < nb; i++) {
        if (b[i].cpu >= w->ncpus || (seen & (1u << b[i].cpu))) {
            snprintf(err, errlen, b[i].cpu >= w->ncpus ? "CPU %u does not exist (the kernel serves %u)"
                     : "CPU %u named twice in one call", b[i].cpu, w->ncpus);
            return -1;
        }
        seen |= 1u << b[i].cpu;
        for (size_t k = 0; k < b[i].n; k++)
            if ((b[i].req[k].name && strlen(b[i].req[k].name) >= WL_NAME_MAX) ||
                b[i].req[k].nlist > WL_LIST_MAX) {
                snprintf(err, errlen, "request %zu on CPU %u: name longer than %d bytes or more than %d handles",
                         k, b[i].cpu, WL_NAME_MAX - 1, WL_LIST_MAX);
                return -1;
            }
    }
    return 0;
}

/* Writes request q into slot s (the host's fields only). */
static void write_slot(struct wl_req *s, const emu_wl_req *q)
{
    memset(s, 0, sizeof *s);
    s->op = q->op;
    s->flags = q->flags;
    s->repeat = q->repeat;
    memcpy(s->arg, q->arg, sizeof s->arg);
    if (q->name)
        memcpy(s->name, q->name, strlen(q->name) + 1);
    memcpy(s->list, q->list, q->nlist * sizeof s->list[0]);
}

/* Queues as many of f's requests as there are free slots; true if any
 * were queued (the CPU then needs a doorbell). */
static bool feed(struct wl_queue *q, wl_feed *f)
{
    uint32_t prod = q->prod, cons = q->cons;
    bool any = false;

    while (!f->cancel && f->submitted < f->b->n && prod - cons < WL_SLOTS) {
        write_slot(&q->slot[prod % WL_SLOTS], &f->b->req[f->submitted++]);
        prod++;
        any = true;
    }
    q->prod = prod;
    return any;
}

/* Copies the results of completed requests out; true when f is done. */
static bool collect(emu_wl *w, const struct wl_queue *q, wl_feed *f)
{
    uint32_t cons = q->cons, first = q->prod - (uint32_t)(f->submitted - f->collected);

    for (uint32_t i = first; i != cons && f->collected < f->submitted; i++) {
        const struct wl_req *s = &q->slot[i % WL_SLOTS];
        emu_wl_result *r = &f->b->res[f->collected];

        r->status = s->status;
        r->result = s->result;
        r->result2 = s->result2;
        r->insns = (uint64_t)s->insns_hi << 32 | s->insns_lo;
        r->cycles = (uint64_t)s->cycles_hi << 32 | s->cycles_lo;
        if (r->status == WL_OK)
            emu_wl_lat_add(&w->lat, f->b->req[f->collected].op, r->cycles);
        else if (f->b->req[f->collected].flags & WL_F_STOP_ON_ERROR)
            f->cancel = true;
        f->collected++;
        w->stats.requests++;
    }
    while (f->cancel && f->collected == f->submitted && f->collected < f->b->n) {
        f->b->res[f->collected++] = (emu_wl_result){ .status = WL_ECANCELED };
        f->submitted++;
    }
    return f->collected == f->b->n;
}

/* One round: collect what completed, queue more, ring doorbells.  True
 * when every batch is done. */
static bool round_trip(emu_wl *w, wl_feed *feeds)
{
    struct wl_ring *ring = ring_ptr(w, w->ring_phys);
    bool done = true;

    for (unsigned cpu = 0; cpu < w->ncpus; cpu++) {
        wl_feed *f = &feeds[cpu];
        struct wl_queue *q = &ring->queue[cpu];

        if (!f->b || collect(w, q, f))
            continue;
        done = false;
        if (feed(q, f))
            emu_lapic_accept(w->m->cpu[cpu].lapic, WL_VECTOR);
    }
    return done;
}

int emu_wl_run(emu_machine *m, const emu_wl_batch *b, unsigned nb,
               uint64_t timeout_cycles, char *err, size_t errlen)
{
    emu_wl *w = m->wl;
    wl_feed feeds[EMU_MAX_CPUS] = { 0 };
    uint64_t start = m->now, limit = timeout_cycles ? timeout_cycles : WL_DEFAULT_TIMEOUT;

    if (check_batches(w, b, nb, err, errlen))
        return -1;
    for (unsigned i = 0; i < nb; i++)
        feeds[b[i].cpu].b = &b[i];
    while (!round_trip(w, feeds)) {
        uint64_t used = m->now - start;
        emu_stop st;

        if (used >= limit) {
            snprintf(err, errlen, "the kernel did not complete the requests within %llu cycles",
                     (unsigned long long)limit);
            return -1;
        }
        w->stats.round_trips++;
        st = run_waiting(m, limit - used);
        if ((st != EMU_STOP_PAUSE && st != EMU_STOP_LIMIT) ||
            (st == EMU_STOP_LIMIT && emu_machine_insn_limit_reached(m))) {
            stop_message(m, st, err, errlen, "while running workload requests");
            return -1;
        }
    }
    return 0;
}

/* Summaries sort an operation's samples in place (they are a multiset, so
 * the order they are kept in is nobody's business): the device is not
 * const even when the machine is. */
void emu_wl_get_latency(const emu_machine *m, unsigned op, emu_wl_latency *out)
{
    emu_wl_lat_summary(&m->wl->lat, op, out);
}

uint64_t emu_wl_latency_dropped(const emu_machine *m)
{
    return emu_wl_lat_dropped(&m->wl->lat);
}
