/* mm/highmem.h - temporary kernel mappings of pages, for highmem pages
 * (which have no permanent kernel address).
 *
 * kmap: a permanent kmap (the pkmap window, LAST_PKMAP slots, one page
 *   table at PKMAP_BASE); may wait for a free slot; any CPU may kunmap.
 *   pkmap_count[i]: 0 = unused and flushed, 1 = unused but possibly still in
 *   some TLB, n > 1 = n - 1 users.  When no slot is 0, flush_all_zero_pkmaps
 *   clears the slots at 1 and flushes the whole window on every CPU (one
 *   flush_tlb_kernel_range, TLB_REASON_KMAP_FLUSH) - at most once per wrap
 *   of the slot scan.  A page stays at its address while its slot is at 1:
 *   page_address returns it and kmap of the same page reuses it.
 *   Rules: process context with interrupts ENABLED (kmap's lock spins with
 *   interrupts on so that its holder's shootdown reaches the spinners); not
 *   from interrupt handlers.  If every slot is busy, kmap waits for a
 *   kunmap: it drops its lock and waits for an interrupt (arch_wait_for_event,
 *   at most one tick) before it scans again; after 2 s it prints
 *   "kmap: no free pkmap slot for 2 s (1024 slots busy)" once and goes on
 *   waiting (there is no scheduler: a kmap user on another CPU, or an
 *   interrupt, must release a slot).  Called with interrupts disabled it
 *   still waits (polling) and reports the same way, but then only other
 *   CPUs can free a slot.
 * kmap_atomic: a per-CPU fixmap slot FIX_KMAP_BEGIN + KM_TYPE_NR * cpu +
 *   depth, used as a stack (KM_TYPE_NR deep) and unmapped in reverse order
 *   (kunmap_atomic of anything but the top of this CPU's stack is a
 *   MM_BUG_ON) with a local invlpg only: the mapping is used on this CPU
 *   only, and the caller must not move to another CPU in between (there is
 *   no preemption).  Never waits; any context.  Interrupts may nest: a
 *   handler may kmap_atomic, but must kunmap_atomic everything it mapped
 *   before it returns, so the interrupted code finds its stack as it left
 *   it.  (The stack push and pop run with interrupts off.)
 * A lowmem page needs no mapping: both return its direct-mapped address.
 * kmap_atomic of a lowmem page takes no slot and does not count in the
 * depth (as in Linux 2.6); kunmap_atomic of such an address does nothing. */
#ifndef MM_HIGHMEM_H
#define MM_HIGHMEM_H

#include "mm.h"

void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_atomic(struct page *page);
void kunmap_atomic(void *addr);

/* Sets up the pkmap page table and the page → address hash; after mm_init. */
void kmap_init(void);

/* Statistics for reports and benchmarks. */
struct kmap_stats {
    uint32_t kmaps, kunmaps, flushes;      /* flush_all_zero_pkmaps runs */
    uint32_t waits;                        /* kmaps that had to wait for a slot */
    uint32_t in_use;                       /* slots with count > 1 */
};
void kmap_get_stats(struct kmap_stats *out);

/* A highmem page's pkmap address while it has one (count >= 1), else NULL,
 * from the address table (page_address reads page->virtual, which is kept
 * equal to it: this checks that). */
void *kmap_page_address(const struct page *page);

/* For tests: the pkmap_count of the slot at vaddr (MM_NIL if vaddr is not
 * in the pkmap window), and this CPU's kmap_atomic stack depth. */
uint32_t kmap_pkmap_count(const void *vaddr);
uint32_t kmap_atomic_depth(void);

#endif
