/* emu/detailed.h - the detailed timing mode's per-CPU state and hot paths
 * (emu/detailed.c has the rest; docs/timing.md, "Detailed mode").
 *
 * Every guest data access reaches emu_det_data from a Unicorn memory hook
 * and every translated block's code emu_det_fetch from the block hook.  In
 * front of the models sits a filter per side: the TLB entry used last, and
 * an inline look at the L1's most recently used way of each set the access
 * touches.  An access within both is a hit on the most recently used entry
 * of each model, which changes nothing in them but their hit counters (and,
 * for a store, the line's dirty bit, set inline), so the filter counts it
 * and the totals stay exact.
 */
#ifndef EMU_DETAILED_H
#define EMU_DETAILED_H

#include <stdbool.h>
#include <stdint.h>

#include "cache_model.h"
#include "timing.h"

struct emu_tlb;
struct emu_det_decode;
struct emu_cpu;
struct emu_machine;

/* The TLB entry and the L1 line one side of a CPU used last.  The fetch
 * side works on virtual addresses (blocks start at EIP), the data side on
 * physical ones (Unicorn's memory hooks give those: see detailed.c). */
typedef struct emu_det_filter {
    uint32_t vbase, vmask;     /* a & vmask == vbase: inside that entry's page
                                * (vmask 0 and vbase 1: matches nothing) */
    uint32_t pdelta;           /* pa = a + pdelta inside the page (data side: 0) */
    const uint32_t *pte;       /* the entry's PTE (PDE) in guest RAM; never NULL */
    uint32_t pte_val;          /* its value when the filter was set */
    bool cacheable;            /* the page is memory (else MMIO: no cache) */
    uint64_t tlb_hits;         /* lookups answered here, added to the TLB model's */
    emu_cache_mru l1;          /* the side's L1, for the inline most-recently-used check */
} emu_det_filter;

#define EMU_DET_HINTS 64u      /* per CPU, direct-mapped by frame number */

/* One CPU's detailed-mode state.  Owned by the CPU; only the machine's
 * thread touches it. */
typedef struct emu_det_cpu {
    struct emu_tlb *tlb;       /* NULL in fast mode */
    emu_det_filter data, fetch;
    uint32_t cr0, cr3, cr4;    /* as the model last saw them */
    emu_block_cost next_op;    /* the MMU operation of the block about to run */
    uint32_t pending;          /* EMU_BLOCK_MMU_OPS of the block that ran last */
    emu_block_cost pending_op; /* its invlpg operand */
    uint32_t none_pte;         /* what an entry-less filter points at */
    uint8_t *frames;           /* the machine's EMU_DET_* flags by physical frame (2^20) */
    struct {                   /* frame -> the virtual page last found for it (detailed.c) */
        uint32_t pfn1;         /* pfn + 1; 0: empty */
        uint32_t va_page;
        const uint32_t *pte;   /* that translation's PTE (PDE) in RAM, and its value then */
        uint32_t pte_val;
    } hint[EMU_DET_HINTS];
    uint64_t walks, walk_cycles, mem_cycles, stale_uses, intr_cycles;
    uint64_t unattributed;     /* data accesses whose virtual address was not found */
} emu_det_cpu;

#define EMU_DET_AD_BITS 0x60u  /* accessed and dirty: set by the CPU itself */

/* Per physical 4 KiB frame (emu_det_cpu.frames, one byte each, shared by
 * the CPUs): what makes the data filter unsafe for it.  See detailed.c,
 * "Page-table pages and aliases". */
#define EMU_DET_ALIASED 0x1u   /* mapped by some 4 KiB PTE: may be reached through two mappings */
#define EMU_DET_PT      0x2u   /* a page table: its stores may map frames */
#define EMU_DET_PD      0x4u   /* a page directory: its stores may add page tables */

/* Creates the models of a machine whose cfg.timing is detailed (no-op in
 * fast mode); -1 with a message when out of memory. */
int emu_det_init(struct emu_machine *m, char *err, size_t errlen);
void emu_det_fini(struct emu_machine *m);

/* The slow paths, out of line. */
uint32_t emu_det_data_slow(struct emu_cpu *c, uint32_t pa, uint32_t size, bool write, uint32_t value);
uint32_t emu_det_fetch_slow(struct emu_cpu *c, uint32_t va, uint32_t size);
/* Applies the MMU operation of the block that ran last (c->det.pending). */
void emu_det_apply_pending(struct emu_cpu *c);
/* The CPU was reset (INIT/STARTUP): empty TLB, CR0/CR3/CR4 read back. */
void emu_det_cpu_reset(struct emu_cpu *c);
/* detailed_va.c: the decoder behind emu_det_resolve_va. */
/* The value of general register n (emu_x86_gpr_number's 1..8), 0 for 0. */
uint32_t emu_det_gpr(struct emu_cpu *c, unsigned n);
int emu_det_decode_init(struct emu_machine *m);
void emu_det_decode_fini(struct emu_machine *m);
void emu_det_decode_flush(struct emu_machine *m);
/* The virtual address through which c just accessed physical pa (its
 * current instruction's operand, stack or string pointer, else the kernel's
 * direct map); *stale when only c's model TLB, not the page tables, maps it
 * there.  -1 when none is found. */
int emu_det_resolve_va(struct emu_cpu *c, uint32_t pa, uint32_t *va, bool *stale);
/* Reads the guest's NUMA layout once mm is up (remote-node penalties). */
void emu_det_sync_numa(struct emu_machine *m);

/* True when [a, a + size) lies in f's page and in one 4 KiB page (the
 * slow paths count one TLB lookup per 4 KiB page), and f's PTE is
 * unchanged. */
static inline bool emu_det_filter_page(const emu_det_filter *f, uint32_t a, uint32_t size)
{
    return (a & f->vmask) == f->vbase && (a & 0xfffu) + size <= 4096u &&
           ((*f->pte ^ f->pte_val) & ~EMU_DET_AD_BITS) == 0;
}

/* The frame flags that keep an access from using data filter f: stores to
 * page tables always; an aliased frame unless f stands for exactly that
 * frame (set by finding the access's virtual address: a 4 KiB range). */
static inline uint32_t emu_det_unsafe(const emu_det_filter *f, bool write)
{
    return (write ? EMU_DET_PT | EMU_DET_PD : 0u) | (f->vmask == 0xfffff000u ? 0u : EMU_DET_ALIASED);
}

/* Cycles of one data access at physical pa (a store of value), filter
 * first; frames: the EMU_DET_* flags.  A frame that may be reached through
 * two mappings, or a store to a page table, always goes to the slow path. */
static inline uint32_t emu_det_data(struct emu_cpu *c, emu_det_filter *f, const uint8_t *frames,
                                    uint32_t pa, uint32_t size, bool write, uint32_t value)
{
    uint32_t cycles;
    if (__builtin_expect(emu_det_filter_page(f, pa, size) && f->cacheable &&
                         !(frames[pa >> 12] & emu_det_unsafe(f, write)) &&
                         emu_cache_mru_hit(&f->l1, pa, size ? size : 1, write, &cycles), 1)) {
        f->tlb_hits++;
        return cycles;
    }
    return emu_det_data_slow(c, pa, size, write, value);
}

/* Cycles of fetching a block's size bytes at va, filter first. */
static inline uint32_t emu_det_fetch(struct emu_cpu *c, emu_det_filter *f, uint32_t va, uint32_t size)
{
    uint32_t cycles;
    if (__builtin_expect(emu_det_filter_page(f, va, size) && f->cacheable &&
                         emu_cache_mru_hit(&f->l1, va + f->pdelta, size ? size : 1, false, &cycles), 1)) {
        f->tlb_hits++;
        return cycles;
    }
    return emu_det_fetch_slow(c, va, size);
}

#endif
