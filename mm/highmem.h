/* mm/highmem.h - temporary kernel mappings of pages, for highmem pages
 * (which have no permanent kernel address).
 *
 * kmap: a permanent kmap (the pkmap window, LAST_PKMAP slots, one page
 *   table at PKMAP_BASE); may wait for a free slot; any CPU may kunmap.
 *   pkmap_count[i]: 0 = unused and flushed, 1 = unused but possibly still in
 *   some TLB, n > 1 = n - 1 users.  When no slot is 0, flush_all_zero_pkmaps
 *   clears the slots at 1 and flushes the whole window on every CPU.
 * kmap_atomic: a per-CPU fixmap slot, used as a stack (KM_TYPE_NR deep) and
 *   unmapped in reverse order with a local invlpg only; never waits.
 * A lowmem page needs no mapping: both return its direct-mapped address. */
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

#endif
