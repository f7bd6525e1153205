/* emu/timing.h - the fast-mode timing model: a cycle cost per translated block.
 *
 * The machine calls this from a Unicorn block hook, every time a translated
 * block is about to run.  Each distinct block (guest vaddr, size) is decoded
 * once with Capstone (i386, 32-bit mode), every instruction is put in one cost
 * class, and the class costs are summed.  The result is cached in an
 * open-addressing hash table, so the hot path is one lookup:
 *
 *     const emu_block_cost *c = emu_timing_lookup(t, vaddr, size);
 *     if (!c)
 *         c = emu_timing_insert(t, vaddr, size, fetch_bytes(vaddr, size));
 *     cycles += c->cycles;  insns += c->insns;
 *
 * The model is deterministic: results depend only on the costs and the bytes.
 * docs/timing.md ("Fast mode") describes the classes, their precedence, the
 * default costs and the simplifications (branches, rep string ops).
 * No Unicorn types here: the caller passes plain bytes.
 */
#ifndef EMU_TIMING_H
#define EMU_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cycle cost of each instruction class (see docs/timing.md for the classes,
 * the precedence between them and the defaults). */
typedef struct emu_timing_costs {
    uint32_t alu;           /* ALU, mov, push/pop, anything unclassified */
    uint32_t mem;           /* extra for an explicit memory operand (alu, mul, div, branch, x87) */
    uint32_t mul;           /* mul, imul */
    uint32_t div;           /* div, idiv */
    uint32_t branch_taken;  /* jmp, call, ret; a taken conditional jump */
    uint32_t branch_not_taken; /* conditional jump that falls through */
    uint32_t string;        /* movs/stos/lods/cmps/scas without rep */
    uint32_t rep_string;    /* the same with rep/repe/repne: a fixed estimate */
    uint32_t locked;        /* lock prefix, xchg with memory (memory access included) */
    uint32_t priv;          /* other privileged: cli, sti, hlt, lgdt, lidt, ltr, mov from cr, ... */
    uint32_t io;            /* in, out, ins, outs (with or without rep) */
    uint32_t msr;           /* rdmsr, wrmsr */
    uint32_t invlpg;        /* invlpg */
    uint32_t cr_write;      /* mov to cr0, cr2, cr4 (serializing) */
    uint32_t cr3_write;     /* mov to cr3 (serializing, flushes the TLB) */
    uint32_t serializing;   /* cpuid (non-privileged serializing) */
    uint32_t iret;          /* iret, sysexit, sysret */
    uint32_t intr;          /* int n, int3, into, int1, syscall, sysenter */
    uint32_t x87;           /* x87 floating point (opcodes d8..df), fwait */
} emu_timing_costs;

/* Cost of one block: instructions and cycles. */
typedef struct emu_block_cost {
    uint32_t insns;
    uint32_t cycles;
    uint32_t flags;          /* EMU_BLOCK_* */
    /* EMU_BLOCK_INVLPG: the operand's address is disp + base + index * scale
     * (registers by their i386 encoding plus one: 1 eax .. 8 edi; 0 none) */
    uint8_t inv_base, inv_index, inv_scale;
    int32_t inv_disp;
} emu_block_cost;

/* The block contains a `pause` (a spin-wait loop: see pause-loop exits in
 * cpu.c and docs/timing.md). */
#define EMU_BLOCK_PAUSE 0x1u
/* The block writes CR0, CR3 or CR4, runs invlpg or wbinvd (the detailed
 * mode's TLB and cache flushes: emu/detailed.c).  The first four end their
 * translated block, so they are its last instruction. */
#define EMU_BLOCK_CR0_WRITE 0x2u
#define EMU_BLOCK_CR3_WRITE 0x4u
#define EMU_BLOCK_CR4_WRITE 0x8u
#define EMU_BLOCK_INVLPG    0x10u
#define EMU_BLOCK_WBINVD    0x20u
#define EMU_BLOCK_MMU_OPS   0x3eu

/* Counters for benchmarks and views. */
typedef struct emu_timing_stats {
    uint64_t hits;          /* lookups that found the block */
    uint64_t misses;        /* lookups that did not */
    uint64_t blocks_decoded;/* blocks decoded by Capstone (inserts) */
    uint64_t insns_decoded; /* instructions counted in those blocks */
    uint64_t flushes;       /* emu_timing_flush calls */
    uint64_t entries;       /* blocks currently cached */
    uint64_t capacity;      /* current table size in slots */
} emu_timing_stats;

typedef struct emu_timing emu_timing;

/* A Capstone x86 register id as a general register number: 1..8 for
 * eax, ecx, edx, ebx, esp, ebp, esi, edi (the i386 encoding order plus one),
 * 0 for anything else (emu_block_cost's invlpg operand uses these). */
uint8_t emu_x86_gpr_number(unsigned capstone_reg);

/* Fills *c with the Pentium-class defaults documented in docs/timing.md. */
void emu_timing_costs_default(emu_timing_costs *c);

/* Sets the cost called name (a field name above, e.g. "div", "cr3_write")
 * to value.  Returns false, changing nothing, for an unknown name. */
bool emu_timing_costs_set(emu_timing_costs *c, const char *name, uint32_t value);

/* Reads the cost called name into *value; false for an unknown name. */
bool emu_timing_costs_get(const emu_timing_costs *c, const char *name, uint32_t *value);

/* The i-th cost name (for --help and config listings), NULL past the end. */
const char *emu_timing_cost_name(unsigned i);

/* Creates a model with a copy of costs (NULL: the defaults).  NULL when out
 * of memory or Capstone cannot be opened. */
emu_timing *emu_timing_create(const emu_timing_costs *costs);

/* Frees everything; t may be NULL. */
void emu_timing_destroy(emu_timing *t);

/* Hot path: the cached cost of block (vaddr, size), or NULL (counts a miss).
 * The pointer stays valid until the next insert, flush or set_costs. */
const emu_block_cost *emu_timing_lookup(emu_timing *t, uint32_t vaddr, uint32_t size);

/* Decodes the block's size bytes at code (vaddr is its guest address),
 * caches and returns its cost, replacing any cached entry for the same key.
 * NULL only when code is NULL and size > 0.  If the table cannot grow (out of
 * memory) the cost is returned but not cached.  Pointer validity as for
 * lookup. */
const emu_block_cost *emu_timing_insert(emu_timing *t, uint32_t vaddr, uint32_t size, const uint8_t *code);

/* lookup, then insert on a miss.  code may be NULL: then a miss returns NULL
 * and the caller fetches the bytes and calls emu_timing_insert. */
const emu_block_cost *emu_timing_block(emu_timing *t, uint32_t vaddr, uint32_t size, const uint8_t *code);

/* Decodes and costs size bytes without touching the cache or counters. */
emu_block_cost emu_timing_cost_of(emu_timing *t, uint32_t vaddr, uint32_t size, const uint8_t *code);

/* Drops every cached block (call when Unicorn's translated code is flushed). */
void emu_timing_flush(emu_timing *t);

/* Replaces the costs and flushes the cache (cached costs would be stale). */
void emu_timing_set_costs(emu_timing *t, const emu_timing_costs *costs);

/* Current costs (read-only view). */
const emu_timing_costs *emu_timing_get_costs(const emu_timing *t);

/* Copies the counters into *s. */
void emu_timing_get_stats(const emu_timing *t, emu_timing_stats *s);

#endif
