/* mm/trace.c - the recorders behind mm/trace.h's hooks: mm structures in,
 * one arch_trace_record out (fields: guest/include/abi/trace.h). */
#include "trace.h"

#include "internal.h"
#include "slab_internal.h"

/* A successful allocation: the block's pfn, zone, pageblock type, node. */
void mm_trace_page_alloc(const struct page *page, unsigned order, gfp_t gfp)
{
    arch_trace_record(TRACE_EV_PAGE_ALLOC, order, page_to_pfn(page), page_zonenum(page),
                      get_pageblock_migratetype(page), gfp, page_to_nid(page));
}

/* A block on its way back (checked, not yet on any list). */
void mm_trace_page_free(const struct page *page, unsigned order)
{
    arch_trace_record(TRACE_EV_PAGE_FREE, order, page_to_pfn(page), page_zonenum(page),
                      get_pageblock_migratetype(page), 0, page_to_nid(page));
}

/* The end of an allocation's slow part: an allocation, or a failure
 * charged to the preferred zone (NULL: no zone was allowed). */
void mm_trace_alloc_result(const struct page *page, unsigned order, gfp_t gfp,
                           const struct zone *preferred)
{
    if (page) {
        mm_trace_page_alloc(page, order, gfp);
        return;
    }
    arch_trace_record(TRACE_EV_ALLOC_FAIL, order, gfp, preferred ? zone_idx(preferred) : 0xffu,
                      preferred ? preferred->node : 0xffu, 0, 0);
}

/* moved pages came from the buddy lists onto this CPU's list mt. */
void mm_trace_pcp_refill(const struct zone *zone, const struct per_cpu_pages *pcp, unsigned mt,
                         uint32_t moved)
{
    arch_trace_record(TRACE_EV_PCP_REFILL, mt, zone_idx(zone), moved, pcp->count, pcp->batch,
                      zone->node);
}

/* count pages are about to leave this CPU's lists (pcp->count before). */
void mm_trace_pcp_drain(const struct zone *zone, const struct per_cpu_pages *pcp, uint32_t count)
{
    arch_trace_record(TRACE_EV_PCP_DRAIN, 0, zone_idx(zone), count, pcp->count, pcp->high,
                      zone->node);
}

/* An allocation found zone below its low watermark (a kswapd wakeup). */
void mm_trace_wmark_low(const struct zone *zone, unsigned order)
{
    arch_trace_record(TRACE_EV_WMARK_LOW, order, zone_idx(zone),
                      zone_page_state(zone, NR_FREE_PAGES), low_wmark_pages(zone),
                      min_wmark_pages(zone), zone->node);
}

/* TRACE_EV_SLAB_GROW or _SHRINK of cache c's slab starting at page. */
void mm_trace_slab(unsigned type, const struct kmem_cache *c, const struct page *page)
{
    arch_trace_record(type, c->gfporder, c->id, page_to_pfn(page),
                      type == TRACE_EV_SLAB_GROW ? c->num : c->nr_slabs,
                      type == TRACE_EV_SLAB_GROW ? c->nr_slabs : 0, 0);
}

/* Any other event, its fields given as they are. */
void mm_trace_raw(unsigned type, unsigned aux, uint32_t a0, uint32_t a1, uint32_t a2)
{
    arch_trace_record(type, aux, a0, a1, a2, 0, 0);
}
