/* emu/tlb_model.h - the detailed mode's architectural TLBs of one CPU.
 *
 * Four set-associative arrays with true LRU: instruction and data TLBs for
 * 4 KiB pages, and instruction and data TLBs for 4 MiB pages (CR4.PSE).  An
 * entry keeps the PTE (or, for a 4 MiB page, the PDE) it was filled from, so
 * the physical frame, the global bit and the permission bits can be read
 * back, and a stale-translation detector can compare it with the current one.
 *
 * Flushes follow the architecture (Intel SDM vol. 3A, 4.10.4.1):
 *   mov cr3      -> every entry except global ones (emu_tlb_flush_cr3)
 *   invlpg va    -> every entry for va's page, global or not, in every array
 *                   (a 4 MiB entry covering va included)
 *   mov cr4      -> everything when PGE changes (emu_tlb_write_cr4)
 *   mov cr0      -> everything when PG goes from 1 to 0 (emu_tlb_write_cr0)
 * A PTE's G bit makes an entry global only while CR4.PGE is set.
 *
 * Use on every access (the caller owns the page walk itself, e.g. emu/mmu.c):
 *
 *     uint32_t pa;
 *     if (!emu_tlb_lookup(tlb, va, EMU_TLB_DATA, &pa)) {
 *         ... walk the guest page tables: pde, pte (fault if not present) ...
 *         cycles += emu_tlb_walk_cycles(tlb, caches, cpu, cr3, va, pde);
 *         pa = emu_tlb_fill(tlb, va, EMU_TLB_DATA, pde, pte);
 *     }
 *     cycles += emu_cache_access(caches, cpu, pa, size, write, EMU_CACHE_DATA);
 *
 * Pure host-side state, deterministic, no allocation after creation.
 */
#ifndef EMU_TLB_MODEL_H
#define EMU_TLB_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "cache_model.h"
#include "timing_config.h"

/* Instruction fetch or data access: selects the ITLBs or the DTLBs. */
typedef enum emu_tlb_kind {
    EMU_TLB_INSN = 0,
    EMU_TLB_DATA = 1,
} emu_tlb_kind;

/* i386 paging bits the model reads. */
#define EMU_PTE_P    0x001u     /* present */
#define EMU_PTE_PS   0x080u     /* PDE: 4 MiB page (with CR4.PSE) */
#define EMU_PTE_G    0x100u     /* global (with CR4.PGE) */
#define EMU_CR0_PG   0x80000000u
#define EMU_CR4_PSE  0x010u
#define EMU_CR4_PGE  0x080u

/* Counters of one kind (ITLB or DTLB: its 4 KiB and 4 MiB arrays together,
 * the *_4m fields counting the 4 MiB array's share). */
typedef struct emu_tlb_stats {
    uint64_t hits;          /* lookups that found a translation */
    uint64_t misses;        /* lookups that found none */
    uint64_t hits_4m;       /* of hits: in the 4 MiB array */
    uint64_t fills;         /* emu_tlb_fill calls */
    uint64_t fills_4m;      /* of fills: into the 4 MiB array */
    uint64_t evictions;     /* valid entries replaced by a fill */
    uint64_t flushes;       /* CR3 writes and full flushes */
    uint64_t invlpgs;       /* emu_tlb_invlpg calls */
    uint64_t dropped;       /* entries removed by flushes and invlpg */
} emu_tlb_stats;

/* One entry as stored (for inspection and stale-translation checks). */
typedef struct emu_tlb_entry {
    uint32_t vpn;           /* va >> 12 (4 KiB) or va >> 22 (4 MiB) */
    uint32_t pte;           /* the PTE (4 KiB) or PDE (4 MiB) it was filled from */
    bool global;            /* kept across CR3 writes */
    bool large;             /* a 4 MiB page */
} emu_tlb_entry;

typedef struct emu_tlb emu_tlb;

/* Creates one CPU's TLBs from cfg's itlb, itlb4m, dtlb, dtlb4m and
 * walk_latency: empty, with CR0 = CR4 = 0 as after reset (call
 * emu_tlb_write_cr0/cr4 with the CPU's current values when starting late).  cfg must pass
 * emu_timing_config_check; NULL if it does not or memory runs out. */
emu_tlb *emu_tlb_create(const emu_timing_config *cfg);

/* Frees the TLBs; NULL is fine. */
void emu_tlb_destroy(emu_tlb *t);

/* Hot path: translation of va for an access of kind.  On a hit stores the
 * physical address in *pa, makes the entry most recently used, returns true;
 * on a miss returns false (*pa untouched).  Counts a hit or a miss. */
bool emu_tlb_lookup(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t *pa);

/* After a successful walk of va (pde present; pte present unless pde maps a
 * 4 MiB page): installs the translation in kind's 4 KiB or 4 MiB array (4 MiB
 * when pde has PS and CR4.PSE is on; pte is then ignored), replacing the
 * set's LRU entry, and returns the physical address of va. */
uint32_t emu_tlb_fill(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t pde, uint32_t pte);

/* Cycles of the walk for va under cr3: walk_latency plus the PDE read and,
 * when pde is present and does not map a 4 MiB page, the PTE read, both
 * issued as 4-byte data reads through caches for cpu (counted there).
 * Accessed/dirty-bit updates are not modelled. */
uint32_t emu_tlb_walk_cycles(const emu_tlb *t, emu_cache_model *caches, unsigned cpu,
                             uint32_t cr3, uint32_t va, uint32_t pde);

/* mov cr3: drops every non-global entry of every array. */
void emu_tlb_flush_cr3(emu_tlb *t);

/* invlpg va: drops the entries for va's page in every array, global or not. */
void emu_tlb_invlpg(emu_tlb *t, uint32_t va);

/* Drops every entry, global ones included. */
void emu_tlb_flush_all(emu_tlb *t);

/* mov cr4: records PSE/PGE; a full flush when PGE changes. */
void emu_tlb_write_cr4(emu_tlb *t, uint32_t cr4);

/* mov cr0: a full flush when PG goes from 1 to 0. */
void emu_tlb_write_cr0(emu_tlb *t, uint32_t cr0);

/* Finds the entry translating va for kind without touching LRU or counters;
 * false when there is none. */
bool emu_tlb_probe(const emu_tlb *t, uint32_t va, emu_tlb_kind kind, emu_tlb_entry *e);

/* Replaces the PTE (PDE) kept by the entry translating va for kind, without
 * touching LRU order or counters (the stale-translation detector resyncs an
 * entry it has reported).  False when there is no such entry. */
bool emu_tlb_refresh(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t pte);

/* Number of valid entries in kind's 4 KiB (large false) or 4 MiB array. */
unsigned emu_tlb_count(const emu_tlb *t, emu_tlb_kind kind, bool large);

/* Copies kind's counters. */
void emu_tlb_get_stats(const emu_tlb *t, emu_tlb_kind kind, emu_tlb_stats *s);

/* Zeroes the counters; the entries stay. */
void emu_tlb_reset_stats(emu_tlb *t);

#endif
