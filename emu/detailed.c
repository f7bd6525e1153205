/* emu/detailed.c - the detailed timing mode: the TLB and cache models
 * (tlb_model.h, cache_model.h) behind every guest memory access, the MMU
 * operations that flush them, and the stale-translation detector.
 * docs/timing.md, "Detailed mode", has the design; detailed.h the hot paths.
 *
 * The architectural TLBs here only answer "what did this cost" and "was
 * this translation stale"; Unicorn's own TLB keeps deciding what the guest
 * reads.  Page walks are the host's own (no accessed/dirty bits set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_model.h"
#include "detailed.h"
#include "machine_priv.h"
#include "tlb_model.h"

#define PTE_P  0x001u
#define PTE_RW 0x002u
#define PTE_US 0x004u
#define MASK_4K 0xfffff000u
#define MASK_4M 0xffc00000u

static void watch_directory(emu_cpu *c);
static void hint_forget_frame(emu_machine *m, uint32_t pfn);

const char *emu_timing_mode_name(emu_timing_mode t)
{
    return t == EMU_TIMING_DETAILED ? "detailed" : "fast";
}

int emu_timing_mode_parse(const char *s)
{
    if (s && !strcmp(s, "fast"))
        return EMU_TIMING_FAST;
    if (s && !strcmp(s, "detailed"))
        return EMU_TIMING_DETAILED;
    return -1;
}

emu_timing_mode emu_machine_timing_mode(const emu_machine *m)
{
    return m->cfg.timing;
}

/* ---- set-up -------------------------------------------------------------- */

/* A filter that matches nothing, in front of cpu's L1 of kind. */
static void filter_init(emu_det_filter *f, emu_machine *m, unsigned cpu, emu_cache_kind kind,
                        const uint32_t *none)
{
    memset(f, 0, sizeof *f);
    f->vbase = 1;
    f->pte = none;
    emu_cache_mru_view(m->caches, cpu, kind, &f->l1);
}

/* Forgets which TLB entry f stands for (its counts stay). */
static void filter_forget(emu_det_filter *f)
{
    f->vbase = 1;
    f->vmask = 0;
}

int emu_det_init(emu_machine *m, char *err, size_t errlen)
{
    if (m->cfg.timing != EMU_TIMING_DETAILED)
        return 0;
    m->caches = emu_cache_model_create(&m->tcfg, m->ncpus);
    m->det_frames = calloc(1u << 20, 1);
    bool ok = m->caches && m->det_frames;
    for (unsigned i = 0; i < m->ncpus && ok; i++) {
        emu_det_cpu *d = &m->cpu[i].det;
        d->tlb = emu_tlb_create(&m->tcfg);
        ok = d->tlb != NULL;
        d->frames = m->det_frames;
        filter_init(&d->data, m, i, EMU_CACHE_DATA, &d->none_pte);
        filter_init(&d->fetch, m, i, EMU_CACHE_INSN, &d->none_pte);
    }
    if (!ok) {
        snprintf(err, errlen, "out of memory creating the detailed timing models");
        return -1;
    }
    if (emu_det_decode_init(m)) {
        snprintf(err, errlen, "cannot open Capstone for the detailed mode's operand decoder");
        return -1;
    }
    return 0;
}

void emu_det_fini(emu_machine *m)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        emu_tlb_destroy(m->cpu[i].det.tlb);
        m->cpu[i].det.tlb = NULL;
    }
    emu_cache_model_destroy(m->caches);
    m->caches = NULL;
    emu_det_decode_fini(m);
    free(m->det_frames);
    m->det_frames = NULL;
}

void emu_det_cpu_reset(emu_cpu *c)
{
    emu_det_cpu *d = &c->det;
    if (!d->tlb)
        return;
    d->cr0 = emu_reg(c, UC_X86_REG_CR0);
    d->cr3 = emu_reg(c, UC_X86_REG_CR3);
    d->cr4 = emu_reg(c, UC_X86_REG_CR4);
    emu_tlb_flush_all(d->tlb);
    emu_tlb_write_cr4(d->tlb, d->cr4);
    emu_tlb_write_cr0(d->tlb, d->cr0);
    d->pending = 0;
    filter_forget(&d->data);
    filter_forget(&d->fetch);
    memset(d->hint, 0, sizeof d->hint);
    watch_directory(c);
}

/* ---- page walks and the stale-translation detector ----------------------------- */

/* The host's walk of va under cr3/cr4, reading only.  present: the walk
 * reached a present leaf; leaf: that entry's value (or the non-present one
 * where it stopped, 0 if unreadable); at: where it is in RAM. */
typedef struct det_walk {
    bool present, large;
    uint32_t pde, leaf;
    const uint32_t *at;
} det_walk;

static void walk(emu_machine *m, uint32_t cr3, uint32_t cr4, uint32_t va, det_walk *w)
{
    const uint32_t *pde = (const uint32_t *)emu_phys_ptr(m, (cr3 & MASK_4K) + (va >> 22) * 4, 4);
    *w = (det_walk){ .pde = pde ? *pde : 0, .leaf = pde ? *pde : 0, .at = pde };
    if (!pde || !(*pde & PTE_P))
        return;
    if ((*pde & EMU_PTE_PS) && (cr4 & EMU_CR4_PSE)) {
        w->present = w->large = true;
        return;
    }
    const uint32_t *pte = (const uint32_t *)emu_phys_ptr(m, (*pde & MASK_4K) + ((va >> 12) & 0x3ff) * 4, 4);
    w->leaf = pte ? *pte : 0;
    w->at = pte;
    w->present = pte && (*pte & PTE_P);
}

/* The physical address w gives va (w->present). */
static uint32_t walk_pa(const det_walk *w, uint32_t va)
{
    uint32_t mask = w->large ? MASK_4M : MASK_4K;
    return (w->leaf & mask) | (va & ~mask);
}

/* Reports a stale translation: an event and a note for crash reports. */
static void report_stale(emu_cpu *c, uint32_t va, uint32_t old_pa, const det_walk *w,
                         bool fetch, bool write)
{
    emu_machine *m = c->m;
    emu_event ev = { .kind = EMU_EV_STALE_TLB, .cpu = (int)c->index, .cycles = c->cycles };
    emu_stale_tlb *s = &ev.u.stale;
    s->va = va;
    s->old_pa = old_pa;
    s->new_present = w->present;
    s->new_pa = w->present ? walk_pa(w, va) : 0;
    s->fetch = fetch;
    s->write = write;
    s->eip = fetch ? va : emu_reg(c, UC_X86_REG_EIP);
    const emu_symbol *sym = emu_symtab_find(&m->syms, s->eip);
    if (sym) {
        s->symbol = sym->name;
        s->sym_offset = s->eip - sym->addr;
    }
    c->det.stale_uses++;
    emu_emit(m, &ev);
    emu_note(m, (int)c->index, "stale TLB entry used: va 0x%08x -> 0x%08x, page tables now %s 0x%08x, "
             "eip 0x%08x %s", va, old_pa, w->present ? "map it to" : "do not map it (was)",
             s->new_pa, s->eip, sym ? sym->name : "?");
}

/* A TLB hit on an entry kept from pte (translating va to old_pa): if the
 * page tables now say otherwise in a way that matters (another frame, not
 * present, or less permission), the entry is stale.  Either way the entry
 * takes the current value, so one change is reported once. */
static void check_stale(emu_cpu *c, uint32_t va, emu_tlb_kind kind, bool write, uint32_t pte,
                        uint32_t old_pa, const det_walk *w)
{
    if (((pte ^ w->leaf) & ~EMU_DET_AD_BITS) == 0)
        return;
    bool stale = !w->present || walk_pa(w, va) != old_pa ||
                 ((pte & PTE_RW) && !(w->leaf & PTE_RW)) || ((pte & PTE_US) && !(w->leaf & PTE_US));
    emu_tlb_refresh(c->det.tlb, va, kind, w->leaf);
    if (stale)
        report_stale(c, va, old_pa, w, kind == EMU_TLB_INSN, write);
}

/* ---- page-table pages and aliases --------------------------------------------
 * The data filter works on physical addresses, so it would count an access
 * to a frame through a second mapping (vmalloc, kmap, fixmap: 4 KiB PTEs)
 * on the entry of the first (the 4 MiB direct map), and never fill the
 * second's entry.  So every frame a 4 KiB PTE maps is marked ALIASED and
 * always takes the slow path, which finds the virtual address.  To know
 * those frames without walking page tables on every access, the page
 * tables are marked when first seen (PD at a CR3 load or when paging is
 * turned on, PT when a PDE refers to it) and their stores are watched: a
 * present PTE stored marks its frame, a present PDE stored marks (and
 * scans) its table.  Marks are never removed: a frame unmapped again, or a
 * page table freed, only costs speed, never accuracy. */

/* Marks the page table at pt_pa and the frames its present entries map. */
static void mark_pt(emu_machine *m, uint32_t pt_pa)
{
    uint8_t *fl = m->det_frames;
    if (fl[pt_pa >> 12] & EMU_DET_PT)
        return;
    fl[pt_pa >> 12] |= EMU_DET_PT;
    const uint32_t *pt = (const uint32_t *)emu_phys_ptr(m, pt_pa & MASK_4K, 4096);
    for (unsigned i = 0; pt && i < 1024; i++)
        if (pt[i] & PTE_P)
            fl[pt[i] >> 12] |= EMU_DET_ALIASED;
}

/* Marks the page directory at pd_pa and, through mark_pt, its tables. */
static void mark_pd(emu_machine *m, uint32_t pd_pa, uint32_t cr4)
{
    uint8_t *fl = m->det_frames;
    if (fl[pd_pa >> 12] & EMU_DET_PD)
        return;
    fl[pd_pa >> 12] |= EMU_DET_PD;
    const uint32_t *pd = (const uint32_t *)emu_phys_ptr(m, pd_pa & MASK_4K, 4096);
    for (unsigned i = 0; pd && i < 1024; i++)
        if ((pd[i] & PTE_P) && !((pd[i] & EMU_PTE_PS) && (cr4 & EMU_CR4_PSE)))
            mark_pt(m, pd[i] & MASK_4K);
}

/* A store of value (size bytes) at pa, a page-table or directory page. */
static void watch_store(emu_cpu *c, uint32_t pa, uint32_t size, uint32_t value)
{
    uint8_t fl = c->m->det_frames[pa >> 12];
    if (size != 4 || (pa & 3) || !(value & PTE_P))
        return;                          /* entries are stored whole; not-present maps nothing */
    if (fl & EMU_DET_PT) {
        c->m->det_frames[value >> 12] |= EMU_DET_ALIASED;
        hint_forget_frame(c->m, value >> 12);
    }
    if ((fl & EMU_DET_PD) && !((value & EMU_PTE_PS) && (c->det.cr4 & EMU_CR4_PSE)))
        mark_pt(c->m, value & MASK_4K);
}

/* After a CR0 or CR3 write: the directory in use is watched from now on. */
static void watch_directory(emu_cpu *c)
{
    if (c->det.cr0 & EMU_CR0_PG)
        mark_pd(c->m, c->det.cr3, c->det.cr4);
}

/* ---- the slow paths -------------------------------------------------------------- */

/* Points f at the entry (mask, pa_base) for va; pte: its PTE in RAM. */
static void filter_set(emu_det_filter *f, const emu_machine *m, uint32_t va, uint32_t mask,
                       uint32_t pa_base, const uint32_t *pte)
{
    f->vbase = va & mask;
    f->vmask = mask;
    f->pdelta = pa_base - (va & mask);
    f->pte = pte;
    f->pte_val = *pte;
    f->cacheable = pa_base < m->ram_size;
}

/* One lookup of va in c's TLB model for an access of kind: on a hit the
 * entry is checked for staleness (known_stale: the access is already known
 * to have gone to old physical *known_stale: report it), on a miss the
 * page is walked (its cycles added to *cycles) and filled.  Sets *w to the
 * current walk, *pa to the entry's translation and *mask to its page size;
 * false when va is not mapped (the access will fault; nothing is filled). */
static bool tlb_translate(emu_cpu *c, uint32_t va, emu_tlb_kind kind, bool write,
                          const uint32_t *known_stale, det_walk *w, uint32_t *pa, uint32_t *mask,
                          uint32_t *cycles)
{
    emu_det_cpu *d = &c->det;
    emu_machine *m = c->m;
    emu_tlb_entry e;
    walk(m, d->cr3, d->cr4, va, w);
    if (emu_tlb_lookup(d->tlb, va, kind, pa) && emu_tlb_probe(d->tlb, va, kind, &e)) {
        if (known_stale) {
            emu_tlb_refresh(d->tlb, va, kind, w->leaf);
            report_stale(c, va, *known_stale, w, kind == EMU_TLB_INSN, write);
        } else {
            check_stale(c, va, kind, write, e.pte, *pa, w);
        }
        *mask = e.large ? MASK_4M : MASK_4K;
        return true;
    }
    uint32_t wc = emu_tlb_walk_cycles(d->tlb, m->caches, c->index, d->cr3, va, w->pde);
    d->walks++;
    d->walk_cycles += wc;
    *cycles += wc;
    if (!w->present)
        return false;
    *pa = emu_tlb_fill(d->tlb, va, kind, w->pde, w->leaf);
    *mask = w->large ? MASK_4M : MASK_4K;
    return true;
}

/* Fetch: translates va through the ITLB and points f at the entry; false
 * when va is not mapped. */
static bool fetch_translate(emu_cpu *c, emu_det_filter *f, uint32_t va, uint32_t *pa, uint32_t *cycles)
{
    emu_det_cpu *d = &c->det;
    det_walk w;
    uint32_t mask;
    if (!(d->cr0 & EMU_CR0_PG)) {
        *pa = va;
        filter_set(f, c->m, va, MASK_4K, va & MASK_4K, &d->none_pte);
        return true;
    }
    if (!tlb_translate(c, va, EMU_TLB_INSN, false, NULL, &w, pa, &mask, cycles)) {
        filter_forget(f);
        return false;
    }
    filter_set(f, c->m, va, mask, *pa & mask, w.at ? w.at : &d->none_pte);
    return true;
}


/* Fetch: one access within one 4 KiB page: TLB (filter or model), then the
 * L1I when the page is memory; returns its cycles. */
static uint32_t fetch_page(emu_cpu *c, emu_det_filter *f, uint32_t va, uint32_t size)
{
    uint32_t cycles = 0, pa;
    if (emu_det_filter_page(f, va, size)) {
        f->tlb_hits++;
        pa = va + f->pdelta;
    } else if (!fetch_translate(c, f, va, &pa, &cycles)) {
        return cycles;
    }
    if (f->cacheable)
        cycles += emu_cache_access(c->m->caches, c->index, pa, size, false, EMU_CACHE_INSN);
    return cycles;
}

uint32_t emu_det_fetch_slow(emu_cpu *c, uint32_t va, uint32_t size)
{
    uint32_t cycles = 0;
    if (size == 0)
        size = 1;
    while (size) {                       /* one ITLB lookup per page */
        uint32_t chunk = 4096 - (va & 4095);
        if (chunk > size)
            chunk = size;
        cycles += fetch_page(c, &c->det.fetch, va, chunk);
        va += chunk;
        size -= chunk;
    }
    return cycles;
}

/* ---- hints: the virtual page last found for a frame --------------------------
 * Finding the virtual address behind a physical access (emu_det_resolve_va)
 * reads registers and walks page tables: too dear for every filter miss.
 * A frame usually keeps being reached through the same mapping, so each CPU
 * remembers the virtual page it last found for a frame, trusted while that
 * mapping's PTE is unchanged.  A new 4 KiB mapping of the frame (a PTE
 * store, watch_store) and every MMU operation of the CPU forget hints.
 * Not covered: one frame used through two live mappings in turn is counted
 * on the mapping found first until one of those events. */

static bool hint_lookup(const emu_det_cpu *d, uint32_t pa, uint32_t *va)
{
    uint32_t pfn = pa >> 12;
    const __typeof__(d->hint[0]) *h = &d->hint[pfn & (EMU_DET_HINTS - 1)];
    if (h->pfn1 != pfn + 1 || ((*h->pte ^ h->pte_val) & ~EMU_DET_AD_BITS))
        return false;
    *va = h->va_page | (pa & 0xfffu);
    return true;
}

static void hint_store(emu_det_cpu *d, uint32_t pa, uint32_t va, const uint32_t *pte)
{
    __typeof__(d->hint[0]) *h = &d->hint[(pa >> 12) & (EMU_DET_HINTS - 1)];
    h->pfn1 = (pa >> 12) + 1;
    h->va_page = va & MASK_4K;
    h->pte = pte;
    h->pte_val = *pte;
}

/* Every CPU forgets its hint for frame pfn (it has just been mapped anew). */
static void hint_forget_frame(emu_machine *m, uint32_t pfn)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        __typeof__(m->cpu[i].det.hint[0]) *h = &m->cpu[i].det.hint[pfn & (EMU_DET_HINTS - 1)];
        if (h->pfn1 == pfn + 1)
            h->pfn1 = 0;
    }
}

/* Data: the DTLB for the access Unicorn made at physical pa, through the
 * virtual address it came from (emu_det_resolve_va).  Points the data
 * filter at the entry's physical range; false when no translation is
 * known (paging on, address not found: the access is counted as
 * unattributed and goes to the caches only). */
static bool data_translate(emu_cpu *c, emu_det_filter *f, uint32_t pa, bool write, uint32_t *cycles)
{
    emu_det_cpu *d = &c->det;
    emu_machine *m = c->m;
    uint32_t va, mpa, mask;
    bool via_stale = false;
    det_walk w;
    if (!(d->cr0 & EMU_CR0_PG)) {
        filter_set(f, m, pa, MASK_4K, pa & MASK_4K, &d->none_pte);
        return true;
    }
    bool hinted = hint_lookup(d, pa, &va);
    if (!hinted && emu_det_resolve_va(c, pa, &va, &via_stale) < 0) {
        d->unattributed++;
        filter_forget(f);
        return false;
    }
    if (!tlb_translate(c, va, EMU_TLB_DATA, write, via_stale ? &pa : NULL, &w, &mpa, &mask, cycles)) {
        filter_forget(f);
        return false;
    }
    if (!hinted && !via_stale && w.at)
        hint_store(d, pa, va, w.at);
    if (m->det_frames[pa >> 12] & EMU_DET_ALIASED)
        mask = MASK_4K;                  /* the filter stands for this frame alone */
    filter_set(f, m, pa, mask, pa & mask, w.at ? w.at : &d->none_pte);
    return true;
}

uint32_t emu_det_data_slow(emu_cpu *c, uint32_t pa, uint32_t size, bool write, uint32_t value)
{
    emu_det_filter *f = &c->det.data;
    uint32_t cycles = 0;
    if (size == 0)
        size = 1;
    if ((pa & 4095) + size > 4096)       /* Unicorn reports a page-crossing access per page */
        size = 4096 - (pa & 4095);
    if (emu_det_filter_page(f, pa, size) && !(c->m->det_frames[pa >> 12] & emu_det_unsafe(f, false)))
        f->tlb_hits++;
    else
        data_translate(c, f, pa, write, &cycles);
    if (pa < c->m->ram_size)
        cycles += emu_cache_access(c->m->caches, c->index, pa, size, write, EMU_CACHE_DATA);
    if (write && (c->m->det_frames[pa >> 12] & (EMU_DET_PT | EMU_DET_PD)))
        watch_store(c, pa, size, value);
    return cycles;
}

/* ---- MMU operations ------------------------------------------------------------------ */

/* Runs after the block holding the operation completed: the operation was
 * its last instruction, so the registers still hold invlpg's operands. */
void emu_det_apply_pending(emu_cpu *c)
{
    emu_det_cpu *d = &c->det;
    uint32_t p = d->pending;
    d->pending = 0;
    if (p & EMU_BLOCK_CR3_WRITE) {
        d->cr3 = emu_reg(c, UC_X86_REG_CR3);
        emu_tlb_flush_cr3(d->tlb);
    }
    if (p & EMU_BLOCK_CR4_WRITE) {
        d->cr4 = emu_reg(c, UC_X86_REG_CR4);
        emu_tlb_write_cr4(d->tlb, d->cr4);
    }
    if (p & EMU_BLOCK_CR0_WRITE) {
        d->cr0 = emu_reg(c, UC_X86_REG_CR0);
        emu_tlb_write_cr0(d->tlb, d->cr0);
    }
    if (p & (EMU_BLOCK_CR0_WRITE | EMU_BLOCK_CR3_WRITE))
        watch_directory(c);
    memset(d->hint, 0, sizeof d->hint);
    if (p & EMU_BLOCK_INVLPG) {
        const emu_block_cost *op = &d->pending_op;
        uint32_t va = (uint32_t)op->inv_disp + emu_det_gpr(c, op->inv_base) + emu_det_gpr(c, op->inv_index) * op->inv_scale;
        emu_tlb_invlpg(d->tlb, va);
    }
    if (p & EMU_BLOCK_WBINVD)
        emu_cache_flush_all(c->m->caches);
    filter_forget(&d->data);
    filter_forget(&d->fetch);
}

/* ---- counters ------------------------------------------------------------------------ */

int emu_machine_mem_stats(const emu_machine *m, unsigned cpu, emu_mem_stats *out)
{
    if (cpu >= m->ncpus)
        return -1;
    memset(out, 0, sizeof *out);
    const emu_det_cpu *d = &m->cpu[cpu].det;
    out->detailed = m->cfg.timing == EMU_TIMING_DETAILED;
    if (!d->tlb)
        return 0;
    emu_tlb_stats it, dt;
    emu_tlb_get_stats(d->tlb, EMU_TLB_INSN, &it);
    emu_tlb_get_stats(d->tlb, EMU_TLB_DATA, &dt);
    out->itlb_hits = it.hits + d->fetch.tlb_hits;
    out->itlb_misses = it.misses;
    out->itlb_evictions = it.evictions;
    out->dtlb_hits = dt.hits + d->data.tlb_hits;
    out->dtlb_misses = dt.misses;
    out->dtlb_evictions = dt.evictions;
    out->walks = d->walks;
    out->walk_cycles = d->walk_cycles;
    out->tlb_flushes = dt.flushes;
    out->invlpgs = dt.invlpgs;
    emu_cache_stats ci, cd;
    emu_cache_get_stats(m->caches, EMU_CACHE_L1I, cpu, &ci);
    emu_cache_get_stats(m->caches, EMU_CACHE_L1D, cpu, &cd);
    out->l1i_hits = ci.hits;
    out->l1i_misses = ci.misses;
    out->l1i_evictions = ci.evictions;
    out->l1d_hits = cd.hits;
    out->l1d_misses = cd.misses;
    out->l1d_evictions = cd.evictions;
    out->l1d_writebacks = cd.writebacks;
    emu_cache_cpu_stats cs;
    emu_cache_get_cpu_stats(m->caches, cpu, &cs);
    out->l2_hits = cs.l2_hits;
    out->l2_misses = cs.l2_misses;
    out->remote_fills = cs.remote;
    out->mem_cycles = d->mem_cycles;
    out->stale_uses = d->stale_uses;
    out->unattributed = d->unattributed;
    return 0;
}
