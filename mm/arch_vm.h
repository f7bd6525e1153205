/* mm/arch_vm.h - the kernel page tables and the TLB, as mm/ sees them.
 *
 * All CPUs share one kernel page directory, so a kernel mapping made on one
 * CPU is visible to all; but each CPU's TLB may keep a stale translation
 * until it is flushed there.  Implemented by guest/arch/ (real PTEs, invlpg,
 * IPIs) and by tests/unit/mm_host_arch.c (a simulated page table and one
 * simulated TLB per CPU, so host tests can see a missing flush). */
#ifndef MM_ARCH_VM_H
#define MM_ARCH_VM_H

#include "mm_types.h"

/* Why a TLB flush is done: recorded with every shootdown. */
enum tlb_reason {
    TLB_REASON_OTHER,
    TLB_REASON_VMAP_PURGE,     /* lazy vmap purge (vfree / vunmap) */
    TLB_REASON_KMAP_FLUSH,     /* flush_all_zero_pkmaps */
    TLB_REASON_TEST,           /* self-tests */
    NR_TLB_REASONS
};

#define KPTE_WRITE   0x1u        /* writable (always supervisor-only) */
#define KPTE_NOCACHE 0x2u

/* Maps the kernel page at vaddr (page aligned, at or above VMALLOC_START) to
 * pfn, creating its page table on demand.  Returns 0, or -1 if no page table
 * could be allocated.  Does not flush any TLB (a new mapping needs none). */
int arch_kpte_set(uint32_t vaddr, uint32_t pfn, unsigned prot);
/* Clears the mapping at vaddr; returns the pfn it had, or MM_NIL.  No flush:
 * the caller flushes (locally or with a shootdown) before reusing vaddr. */
uint32_t arch_kpte_clear(uint32_t vaddr);
/* The pfn mapped at vaddr, or MM_NIL (walks the page tables; no TLB). */
uint32_t arch_kpte_pfn(uint32_t vaddr);

/* This CPU only (invlpg). */
void arch_flush_tlb_one_local(uint32_t vaddr);
/* Every online CPU, waiting until all have flushed (a shootdown when there
 * are others): invlpg page by page up to 33 pages, a full flush above. */
void flush_tlb_kernel_range(uint32_t start, uint32_t end, enum tlb_reason why);
void flush_tlb_all(enum tlb_reason why);
void flush_tlb_one(uint32_t vaddr, enum tlb_reason why);

/* Per-CPU shootdown statistics (guest: kept by guest/arch; host: by the simulation). */
struct tlb_stats {
    uint32_t shootdowns_sent;        /* initiated with at least one target */
    uint32_t shootdowns_received;    /* handled as a target */
    uint32_t local_flushes;          /* flushes that needed no IPI (1 CPU, or local only) */
    uint32_t full_flushes;           /* CR3-style full flushes (> 33 pages or flush_tlb_all) */
    uint32_t pages_flushed;          /* invlpg count, as initiator or target */
    uint32_t by_reason[NR_TLB_REASONS];
};
void arch_tlb_stats(unsigned cpu, struct tlb_stats *out);

/* Lets an interrupt arrive while a caller waits for a resource another CPU
 * or an interrupt handler will release (kmap with every slot busy): returns
 * after some event or a short time, with interrupts as they were.  Returns
 * the guest time in milliseconds since boot, for timeouts. */
uint32_t arch_wait_for_event(void);

/* The symbol for a code address, as "func+0x1c/0x60" (for vmallocinfo's caller). */
void arch_symbolize(uint32_t addr, char *buf, size_t len);

#endif
