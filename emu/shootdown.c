/* emu/shootdown.c - tracking TLB shootdowns (see shootdown.h). */
#include <string.h>

#include "machine_priv.h"
#include "shootdown.h"
#include "trace.h"

const char *emu_shootdown_reason_name(uint32_t reason)
{
    static const char *const names[EMU_SHOOTDOWN_REASONS] = { "other", "vmap purge", "kmap flush", "test" };
    return reason < EMU_SHOOTDOWN_REASONS ? names[reason] : "?";
}

void emu_shootdown_init(emu_machine *m)
{
    const emu_symbol *s = emu_symtab_by_name(&m->syms, "tlb_shootdown_req");
    memset(&m->sd, 0, sizeof m->sd);
    if (s && s->size >= sizeof(emu_tlb_req)) {
        m->sd.enabled = true;
        m->sd.req_vaddr = s->addr;
    }
}

/* Reads the guest's current request through the sender's page tables. */
static bool read_req(emu_machine *m, unsigned cpu, emu_tlb_req *r)
{
    uint32_t fa, pf;
    return emu_virt_read(&m->cpu[cpu], m->sd.req_vaddr, r, sizeof *r, 0, &fa, &pf) == 0;
}

/* Reports the finished shootdown and folds it into the statistics. */
static void finish(emu_machine *m)
{
    emu_shootdown_tracker *t = &m->sd;
    uint64_t cycles = t->t_last > t->t_first ? t->t_last - t->t_first : 0;
    emu_event ev = { .kind = EMU_EV_SHOOTDOWN, .cpu = (int)t->cur.initiator, .cycles = t->t_first };
    ev.u.shootdown.initiator = t->cur.initiator;
    ev.u.shootdown.targets = t->cur.targets;
    ev.u.shootdown.start = t->cur.start;
    ev.u.shootdown.end = t->cur.end;
    ev.u.shootdown.full = t->cur.full != 0;
    ev.u.shootdown.reason = emu_shootdown_reason_name(t->cur.reason);
    ev.u.shootdown.cycles = cycles;
    emu_trace_shootdown_done(m->trace, t->cur.seq, cycles);
    emu_emit(m, &ev);
    emu_cpu *init = &m->cpu[t->cur.initiator < m->ncpus ? t->cur.initiator : 0];
    init->sd_sent++;
    init->sd_wait_cycles += cycles;
    emu_shootdown_stats *s = &m->sd_stats;
    s->count++;
    s->total_cycles += cycles;
    if (cycles > s->max_cycles)
        s->max_cycles = cycles;
    if (t->cur.reason < EMU_SHOOTDOWN_REASONS)
        s->by_reason[t->cur.reason]++;
    t->open = false;
}

void emu_shootdown_on_ipi(emu_machine *m, unsigned src, uint8_t vector, uint32_t mask)
{
    emu_shootdown_tracker *t = &m->sd;
    emu_tlb_req r;
    if (!t->enabled || !read_req(m, src, &r) || r.vector != vector || r.initiator != src)
        return;
    if (t->open && t->cur.seq == r.seq)
        return;                          /* another IPI of the same shootdown */
    t->vector = vector;
    t->cur = r;
    t->open = r.targets != 0;
    t->acked = 0;
    t->t_first = t->t_last = m->cpu[src].cycles;
    (void)mask;
}

void emu_shootdown_on_eoi(emu_machine *m, unsigned cpu, uint8_t vector)
{
    emu_shootdown_tracker *t = &m->sd;
    if (!t->open || vector != t->vector || !(t->cur.targets & (1u << cpu)) || (t->acked & (1u << cpu)))
        return;
    t->acked |= 1u << cpu;
    m->cpu[cpu].sd_received++;
    if (m->cpu[cpu].cycles > t->t_last)
        t->t_last = m->cpu[cpu].cycles;
    if (t->acked == t->cur.targets)
        finish(m);
}
