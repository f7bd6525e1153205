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

/* The same with the caller given (shown by vmallocinfo; 0: none) and, for
 * __vmalloc_caller, the gfp of the pages: GFP_KERNEL | __GFP_HIGHMEM for
 * vmalloc, GFP_KERNEL for vmalloc_32, | __GFP_ZERO to zero them,
 * | __GFP_NOWARN for no failure messages. */
void *__vmalloc_caller(unsigned long size, gfp_t gfp, uint32_t caller);
void *vmap_caller(struct page **pages, unsigned count, uint32_t caller);

/* Pages (guard pages included) that may wait for a purge before vfree or
 * vunmap purges: fls(online CPUs) * 32 MiB / PAGE_SIZE. */
uint32_t lazy_max_pages(void);

/* After mm_init (and kmem_cache_init). */
void vmalloc_init(void);
/* Purges every pending lazy area now (one flush). */
void vm_purge_lazy(void);

struct vmalloc_stats {
    uint32_t areas, lazy_areas, lazy_pages;   /* now: live areas; areas waiting for a
                                               * purge and their pages (guard pages included) */
    uint32_t purges;                          /* purges done (each one flush) */
    uint32_t vfrees;                          /* areas released by vfree or vunmap */
};
void vmalloc_get_stats(struct vmalloc_stats *out);

void mm_report_vmallocinfo(struct mm_seq *s);  /* /proc/vmallocinfo */

#endif
