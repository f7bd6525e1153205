/* tests/unit/mm_host_vm.h - the host side of mm/arch_vm.h for mm unit tests
 * (tests/unit/mm_host_vm.c, linked into every test_mm_* executable).
 *
 * The simulated kernel page table covers VMALLOC_START .. 4 GiB (vmalloc,
 * pkmap and fixmap).  It is a real i386 two-level table: a page directory
 * kept on the host side and page tables in the simulated RAM, each
 * allocated from the buddy allocator (alloc_page(GFP_KERNEL | __GFP_ZERO),
 * counted in the zone's NR_PAGETABLE) the first time its 4 MiB region gets
 * a mapping and never freed, as in the guest.  A PTE is pfn << 12 | present
 * (0x1) | write (0x2, KPTE_WRITE) | cache-disable (0x10, KPTE_NOCACHE).
 *
 * Every simulated CPU has a TLB of MM_HOST_TLB_ENTRIES translations
 * (replaced round-robin).  The page table itself never touches the TLBs:
 * only mm_host_vread / mm_host_vtranslate fill them, on a miss, and only
 * the flush functions of mm/arch_vm.h empty them.  So a CPU that read a
 * page keeps its translation after the PTE changed, until a flush reaches
 * it: a missing flush is visible as a stale translation.
 *
 * Flush accounting (struct tlb_stats), as the guest's:
 *   - flush_tlb_kernel_range / flush_tlb_one / flush_tlb_all with other
 *     CPUs online: shootdowns_sent + 1 on the initiator (the current CPU),
 *     shootdowns_received + 1 on each other online CPU; with one CPU:
 *     local_flushes + 1.  Every online CPU then flushes: up to 33 pages,
 *     page by page (pages_flushed += pages), above that (and always for
 *     flush_tlb_all) a full flush (full_flushes + 1).  by_reason[why] + 1
 *     on every CPU that flushed.
 *   - arch_flush_tlb_one_local: local_flushes + 1, pages_flushed + 1 on the
 *     current CPU; no reason.
 *
 * A new boot (mm_host_boot) invalidates everything here: the page tables
 * lived in the old RAM.  That is detected on the next call (the first page
 * table's struct page no longer carries its mark) and the simulation
 * starts afresh; mm_host_vm_reset does the same explicitly (and also
 * forgets the statistics, which a detected reboot keeps). */
#ifndef MM_HOST_VM_H
#define MM_HOST_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch_vm.h"

#define MM_HOST_TLB_ENTRIES 64

/* Forgets the page directory, every TLB, the statistics, the flush record,
 * the wait hook and the flush suppression. */
void mm_host_vm_reset(void);

/* cpu's translation of vaddr (any offset in the page): from cpu's TLB, or
 * on a miss from the page table (then cached in the TLB).  False if the
 * page is not mapped (a page fault), and nothing is cached. */
bool mm_host_vtranslate(unsigned cpu, uint32_t vaddr, uint32_t *pfn);
/* The host address of the byte at vaddr as cpu sees it (through
 * mm_host_vtranslate), or NULL if not mapped.  Valid up to the end of the
 * page. */
void *mm_host_vread(unsigned cpu, uint32_t vaddr);
/* True if cpu's TLB holds a translation of vaddr's page (*pfn set); never
 * fills the TLB. */
bool mm_host_tlb_peek(unsigned cpu, uint32_t vaddr, uint32_t *pfn);

/* Test-only: while on, every flush is counted as usual but drops nothing
 * from any TLB (a kernel that forgot its flush). */
void mm_host_tlb_suppress_flush(bool on);

/* The flushes done through mm/arch_vm.h since the last reset. */
struct mm_host_flush_log {
    uint32_t calls;                   /* flush_tlb_kernel_range, flush_tlb_one and flush_tlb_all */
    uint32_t local_calls;             /* arch_flush_tlb_one_local */
    /* the last of the calls: */
    uint32_t start, end;              /* page-aligned range; 0, 0 for flush_tlb_all */
    uint32_t pages;                   /* (end - start) / PAGE_SIZE */
    bool full;                        /* done as a full flush */
    unsigned initiator;               /* the CPU that called */
    enum tlb_reason why;
};
void mm_host_flush_log(struct mm_host_flush_log *out);

/* Page-table pages allocated so far (since the last reset). */
uint32_t mm_host_pagetable_pages(void);

/* arch_wait_for_event advances a fake clock by 1 ms and returns it; if a
 * hook is set it runs first (e.g. to let "another CPU" release a
 * resource).  NULL clears it. */
void mm_host_set_wait_hook(void (*fn)(void *arg), void *arg);
uint32_t mm_host_clock_ms(void);

#endif
