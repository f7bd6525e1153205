/* mm/vmalloc.h - virtually contiguous kernel memory: vmalloc, vmap.
 *
 * Areas live in [VMALLOC_START, VMALLOC_END), managed by a balanced tree of
 * areas with a first-fit search; each area is followed by a guard page.
 * vfree and vunmap clear the PTEs at once but defer the TLB flush: freed
 * areas wait ("unpurged vm_area") until lazy_max_pages() pages are pending
 * or the space runs out, then all are purged with one flush of the range
 * from the lowest start to the highest end. */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include "mm.h"

void *vmalloc(unsigned long size);        /* pages preferably from highmem */
void *vzalloc(unsigned long size);
void *vmalloc_32(unsigned long size);     /* lowmem pages only */
void vfree(const void *addr);
/* Maps count pages at a new area; NULL if no space. */
void *vmap(struct page **pages, unsigned count);
void vunmap(const void *addr);
struct page *vmalloc_to_page(const void *addr);

/* After mm_init (and kmem_cache_init). */
void vmalloc_init(void);
/* Purges every pending lazy area now (one flush). */
void vm_purge_lazy(void);

struct vmalloc_stats {
    uint32_t areas, lazy_areas, lazy_pages;   /* now */
    uint32_t purges;                          /* purges done (each one flush) */
    uint32_t vfrees;
};
void vmalloc_get_stats(struct vmalloc_stats *out);

void mm_report_vmallocinfo(struct mm_seq *s);  /* /proc/vmallocinfo */

#endif
