/* emu/tlb_model.c - one CPU's architectural TLBs (see tlb_model.h).
 *
 * Like the caches (cache_model.c), each set keeps its entries in recency
 * order, most recent first, invalid entries last: a hit moves its entry to
 * the front, a fill drops the last one.  Flushes compact the sets they touch
 * so the invalid-entries-last invariant holds (a later fill then uses a free
 * way before evicting anything, as LRU with invalid-first replacement does).
 */
#include "tlb_model.h"

#include <stdlib.h>
#include <string.h>

#define VALID  1u
#define GLOBAL 2u

/* One entry.  tag = vpn << 2 | GLOBAL? | VALID, 0 when invalid; pte is the
 * PTE (PDE for a 4 MiB page) the entry was filled from. */
typedef struct tlb_slot {
    uint32_t tag;
    uint32_t pte;
} tlb_slot;

/* One array.  Invariants: slots holds (set_mask + 1) * ways entries; each
 * set is in recency order with invalid entries last and no vpn twice;
 * shift is 12 (4 KiB pages) or 22 (4 MiB pages). */
typedef struct tlb_arr {
    tlb_slot *slots;
    uint32_t set_mask;      /* sets - 1, sets a power of two */
    uint32_t ways;          /* 1..EMU_MODEL_MAX_WAYS */
    uint32_t shift;         /* log2 of the page size */
} tlb_arr;

/* The TLBs of one CPU.  arr[2 * kind + large]: kind's 4 KiB (large 0) or
 * 4 MiB (large 1) array; st[kind]: kind's counters.  cr0/cr4 hold the last
 * values written (only PG, PSE and PGE matter). */
struct emu_tlb {
    tlb_arr arr[4];
    emu_tlb_stats st[2];
    uint32_t cr0, cr4;
    uint32_t walk_latency;
    tlb_slot *slot_block;   /* every array's slots, one allocation */
};

/* Sets up a over slots (all invalid) for geometry g and page shift. */
static void arr_init(tlb_arr *a, const emu_tlb_geom *g, uint32_t shift, tlb_slot *slots)
{
    memset(slots, 0, g->entries * sizeof *slots);
    a->slots = slots;
    a->ways = g->ways;
    a->set_mask = g->entries / g->ways - 1;
    a->shift = shift;
}

/* The set of a holding vpn. */
static inline tlb_slot *set_of(const tlb_arr *a, uint32_t vpn)
{
    return a->slots + (size_t)(vpn & a->set_mask) * a->ways;
}

/* Puts e in s[0], moving s[0..i-1] up one way (s[i] is overwritten); a
 * carried copy, not a memmove call (see cache_model.c). */
static inline void rotate_in(tlb_slot *s, uint32_t i, tlb_slot e)
{
    for (uint32_t j = 0; j <= i; j++) {
        tlb_slot t = s[j];
        s[j] = e;
        e = t;
    }
}

/* Finds vpn in a and moves it to the front of its set; NULL if absent. */
static inline tlb_slot *arr_hit(tlb_arr *a, uint32_t vpn)
{
    tlb_slot *s = set_of(a, vpn);
    uint32_t want = vpn << 2 | VALID;
    if ((s[0].tag & ~GLOBAL) == want)
        return s;
    for (uint32_t i = 1; i < a->ways; i++) {
        if ((s[i].tag & ~GLOBAL) == want) {
            rotate_in(s, i, s[i]);
            return s;
        }
    }
    return NULL;
}

/* Everything but an MRU hit in the 4 KiB array: the other 4 KiB ways, then
 * the 4 MiB array; counts the hit or the miss. */
static __attribute__((noinline)) bool lookup_slow(emu_tlb *t, uint32_t va, emu_tlb_kind kind,
                                                  uint32_t *pa)
{
    tlb_arr *a = &t->arr[2 * kind];
    emu_tlb_stats *st = &t->st[kind];
    const tlb_slot *e = arr_hit(a, va >> 12);
    if (e) {
        st->hits++;
        *pa = (e->pte & 0xfffff000u) | (va & 0xfffu);
        return true;
    }
    e = arr_hit(a + 1, va >> 22);
    if (e) {
        st->hits++;
        st->hits_4m++;
        *pa = (e->pte & 0xffc00000u) | (va & 0x3fffffu);
        return true;
    }
    st->misses++;
    return false;
}

/* Hot path (contract in tlb_model.h): a hit on the MRU way of the 4 KiB
 * array's set is handled here, the rest out of line. */
bool emu_tlb_lookup(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t *pa)
{
    const tlb_arr *a = &t->arr[2 * kind];
    uint32_t vpn = va >> 12;
    const tlb_slot *s0 = set_of(a, vpn);
    if (__builtin_expect((s0->tag & ~GLOBAL) == (vpn << 2 | VALID), 1)) {
        t->st[kind].hits++;
        *pa = (s0->pte & 0xfffff000u) | (va & 0xfffu);
        return true;
    }
    return lookup_slow(t, va, kind, pa);
}

/* Installs (tag, pte) as the MRU entry of its set: over the same vpn if
 * present, else over the LRU way.  Returns true when a valid entry for
 * another page was evicted. */
static bool arr_insert(tlb_arr *a, uint32_t vpn, uint32_t tag, uint32_t pte)
{
    tlb_slot *s = arr_hit(a, vpn);
    bool evicted = false;
    if (!s) {
        s = set_of(a, vpn);
        evicted = s[a->ways - 1].tag & VALID;
        rotate_in(s, a->ways - 1, (tlb_slot){ 0, 0 });
    }
    s[0] = (tlb_slot){ tag, pte };
    return evicted;
}

/* Fill after a walk (contract in tlb_model.h). */
uint32_t emu_tlb_fill(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t pde, uint32_t pte)
{
    bool large = (pde & EMU_PTE_PS) && (t->cr4 & EMU_CR4_PSE);
    uint32_t src = large ? pde : pte;
    bool global = (src & EMU_PTE_G) && (t->cr4 & EMU_CR4_PGE);
    tlb_arr *a = &t->arr[2 * kind + large];
    uint32_t vpn = va >> a->shift;
    emu_tlb_stats *st = &t->st[kind];
    st->fills++;
    st->fills_4m += large;
    st->evictions += arr_insert(a, vpn, vpn << 2 | (global ? GLOBAL : 0) | VALID, src);
    uint32_t off_mask = (1u << a->shift) - 1;
    return (src & ~off_mask) | (va & off_mask);
}

/* Cycles of the page walk (contract in tlb_model.h). */
uint32_t emu_tlb_walk_cycles(const emu_tlb *t, emu_cache_model *caches, unsigned cpu,
                             uint32_t cr3, uint32_t va, uint32_t pde)
{
    uint32_t cycles = t->walk_latency;
    uint32_t pde_addr = (cr3 & 0xfffff000u) | (va >> 22) << 2;
    cycles += emu_cache_access(caches, cpu, pde_addr, 4, false, EMU_CACHE_DATA);
    bool large = (pde & EMU_PTE_PS) && (t->cr4 & EMU_CR4_PSE);
    if ((pde & EMU_PTE_P) && !large) {
        uint32_t pte_addr = (pde & 0xfffff000u) | ((va >> 12) & 0x3ffu) << 2;
        cycles += emu_cache_access(caches, cpu, pte_addr, 4, false, EMU_CACHE_DATA);
    }
    return cycles;
}

/* Removes from the set s of ways entries every valid entry whose tag & mask
 * equals value, keeping the others in order with invalid entries last.
 * Returns the number removed. */
static unsigned set_drop(tlb_slot *s, uint32_t ways, uint32_t mask, uint32_t value)
{
    unsigned kept = 0, dropped = 0;
    for (uint32_t i = 0; i < ways; i++) {
        if (!(s[i].tag & VALID))
            continue;
        if ((s[i].tag & mask) == value)
            dropped++;
        else
            s[kept++] = s[i];
    }
    for (uint32_t i = kept; i < ways; i++)
        s[i] = (tlb_slot){ 0, 0 };
    return dropped;
}

/* Applies set_drop(mask, value) to every set of every array; counts a flush. */
static void flush_where(emu_tlb *t, uint32_t mask, uint32_t value)
{
    for (unsigned i = 0; i < 4; i++) {
        tlb_arr *a = &t->arr[i];
        unsigned dropped = 0;
        for (uint32_t set = 0; set <= a->set_mask; set++)
            dropped += set_drop(a->slots + (size_t)set * a->ways, a->ways, mask, value);
        t->st[i / 2].dropped += dropped;
    }
    t->st[EMU_TLB_INSN].flushes++;
    t->st[EMU_TLB_DATA].flushes++;
}

/* mov cr3: every valid entry without GLOBAL goes. */
void emu_tlb_flush_cr3(emu_tlb *t)
{
    flush_where(t, VALID | GLOBAL, VALID);
}

/* Every valid entry goes. */
void emu_tlb_flush_all(emu_tlb *t)
{
    flush_where(t, VALID, VALID);
}

/* invlpg: va's 4 KiB entry and the 4 MiB entry covering va, in both kinds. */
void emu_tlb_invlpg(emu_tlb *t, uint32_t va)
{
    for (unsigned i = 0; i < 4; i++) {
        tlb_arr *a = &t->arr[i];
        uint32_t vpn = va >> a->shift;
        t->st[i / 2].dropped += set_drop(set_of(a, vpn), a->ways, ~GLOBAL, vpn << 2 | VALID);
    }
    t->st[EMU_TLB_INSN].invlpgs++;
    t->st[EMU_TLB_DATA].invlpgs++;
}

/* mov cr4: a PGE change flushes everything. */
void emu_tlb_write_cr4(emu_tlb *t, uint32_t cr4)
{
    if ((t->cr4 ^ cr4) & EMU_CR4_PGE)
        emu_tlb_flush_all(t);
    t->cr4 = cr4;
}

/* mov cr0: PG going from 1 to 0 flushes everything. */
void emu_tlb_write_cr0(emu_tlb *t, uint32_t cr0)
{
    if ((t->cr0 & EMU_CR0_PG) && !(cr0 & EMU_CR0_PG))
        emu_tlb_flush_all(t);
    t->cr0 = cr0;
}

/* Creates the TLBs (contract in tlb_model.h). */
emu_tlb *emu_tlb_create(const emu_timing_config *cfg)
{
    char err[128];
    if (!emu_timing_config_check(cfg, err, sizeof err))
        return NULL;
    const emu_tlb_geom *g[4] = { &cfg->itlb, &cfg->itlb4m, &cfg->dtlb, &cfg->dtlb4m };
    size_t total = 0;
    for (unsigned i = 0; i < 4; i++)
        total += g[i]->entries;
    emu_tlb *t = calloc(1, sizeof *t);
    tlb_slot *slots = malloc(total * sizeof *slots);
    if (!t || !slots) {
        free(t);
        free(slots);
        return NULL;
    }
    t->slot_block = slots;
    t->walk_latency = cfg->walk_latency;
    for (unsigned i = 0; i < 4; i++) {
        arr_init(&t->arr[i], g[i], i % 2 ? 22 : 12, slots);
        slots += g[i]->entries;
    }
    return t;
}

/* Frees the TLBs; NULL is fine. */
void emu_tlb_destroy(emu_tlb *t)
{
    if (!t)
        return;
    free(t->slot_block);
    free(t);
}

/* Finds va's entry in array a without side effects. */
static bool arr_probe(const tlb_arr *a, uint32_t va, bool large, emu_tlb_entry *out)
{
    uint32_t vpn = va >> a->shift;
    const tlb_slot *s = set_of(a, vpn);
    for (uint32_t i = 0; i < a->ways; i++) {
        if ((s[i].tag & ~GLOBAL) == (vpn << 2 | VALID)) {
            *out = (emu_tlb_entry){ vpn, s[i].pte, (s[i].tag & GLOBAL) != 0, large };
            return true;
        }
    }
    return false;
}

/* Side-effect-free lookup (contract in tlb_model.h). */
bool emu_tlb_probe(const emu_tlb *t, uint32_t va, emu_tlb_kind kind, emu_tlb_entry *e)
{
    return arr_probe(&t->arr[2 * kind], va, false, e) || arr_probe(&t->arr[2 * kind + 1], va, true, e);
}

/* Valid entries in one array. */
unsigned emu_tlb_count(const emu_tlb *t, emu_tlb_kind kind, bool large)
{
    const tlb_arr *a = &t->arr[2 * kind + large];
    unsigned n = 0;
    for (size_t i = 0; i < (size_t)(a->set_mask + 1) * a->ways; i++)
        n += a->slots[i].tag & VALID;
    return n;
}

/* Copies kind's counters. */
void emu_tlb_get_stats(const emu_tlb *t, emu_tlb_kind kind, emu_tlb_stats *s)
{
    *s = t->st[kind];
}

/* Zeroes the counters. */
void emu_tlb_reset_stats(emu_tlb *t)
{
    memset(t->st, 0, sizeof t->st);
}

/* Replaces the kept PTE of va's entry in array a; false if absent. */
static bool arr_refresh(tlb_arr *a, uint32_t va, uint32_t pte)
{
    uint32_t vpn = va >> a->shift;
    tlb_slot *s = set_of(a, vpn);
    for (uint32_t i = 0; i < a->ways; i++) {
        if ((s[i].tag & ~GLOBAL) == (vpn << 2 | VALID)) {
            s[i].pte = pte;
            return true;
        }
    }
    return false;
}

/* Resync of a reported stale entry (contract in tlb_model.h). */
bool emu_tlb_refresh(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t pte)
{
    return arr_refresh(&t->arr[2 * kind], va, pte) || arr_refresh(&t->arr[2 * kind + 1], va, pte);
}
