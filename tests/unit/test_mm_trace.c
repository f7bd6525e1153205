/* tests/unit/test_mm_trace.c - mm's event-trace hooks (mm/trace.h) on the
 * host: the exact events of known operations, in order, with their fields
 * (pfn, order, zone, migrate type, gfp, CPU), nothing while tracing is
 * off, per-CPU list refills and trims, drain_local_pages, and an
 * allocation failure with its low-watermark events. */
#include "unit.h"
#include "internal.h"
#include "mm_host.h"
#include "mm_host_trace.h"

static struct zone *Z(unsigned idx) { return &node_data[0].node_zones[idx]; }
static const struct mm_host_trace_rec *ev(uint32_t i) { return &mm_host_trace_log[i]; }

/* Record i is a page_alloc/page_free of page at order on cpu, in its zone and pageblock type. */
static void check_page_ev(uint32_t i, unsigned type, const struct page *page, unsigned order,
                          gfp_t gfp, unsigned cpu)
{
    CHECK(i < mm_host_trace_count);
    CHECK_EQ(ev(i)->type, type);
    CHECK_EQ(ev(i)->aux, order);
    CHECK_EQ(ev(i)->cpu, cpu);
    CHECK_EQ(ev(i)->arg[0], page_to_pfn(page));
    CHECK_EQ(ev(i)->arg[1], page_zonenum(page));
    CHECK_EQ(ev(i)->arg[2], get_pageblock_migratetype(page));
    CHECK_EQ(ev(i)->arg[3], type == TRACE_EV_PAGE_ALLOC ? gfp : 0);
    CHECK_EQ(ev(i)->arg[4], 0);
}

/* 1 GiB, 2 CPUs: an order-0 allocation on an empty per-CPU list is a refill
 * of batch (31) pages then the allocation; its free is one page_free; an
 * order-3 pair on CPU 1 is two events; nothing is recorded while off. */
static void test_pairs(void)
{
    struct page *p, *q;

    mm_host_boot(1ull << 30, 2, 1);
    mm_host_trace_reset(true);
    p = alloc_pages(GFP_KERNEL, 0);
    CHECK_EQ(mm_host_trace_count, 2);
    CHECK_EQ(ev(0)->type, TRACE_EV_PCP_REFILL);
    CHECK_EQ(ev(0)->aux, MIGRATE_UNMOVABLE);
    CHECK_EQ(ev(0)->arg[0], ZONE_NORMAL);
    CHECK_EQ(ev(0)->arg[1], 31);          /* pages moved */
    CHECK_EQ(ev(0)->arg[2], 31);          /* count after the refill */
    CHECK_EQ(ev(0)->arg[3], 31);          /* batch */
    check_page_ev(1, TRACE_EV_PAGE_ALLOC, p, 0, GFP_KERNEL, 0);
    CHECK_EQ(page_zonenum(p), ZONE_NORMAL);
    __free_page(p);
    CHECK_EQ(mm_host_trace_count, 3);
    check_page_ev(2, TRACE_EV_PAGE_FREE, p, 0, 0, 0);

    mm_host_set_cpu(1);
    q = alloc_pages(GFP_KERNEL, 3);
    __free_pages(q, 3);
    CHECK_EQ(mm_host_trace_count, 5);
    check_page_ev(3, TRACE_EV_PAGE_ALLOC, q, 3, GFP_KERNEL, 1);
    check_page_ev(4, TRACE_EV_PAGE_FREE, q, 3, 0, 1);
    mm_host_set_cpu(0);

    mm_host_trace_reset(false);
    __free_page(alloc_pages(GFP_KERNEL, 0));
    __free_pages(alloc_pages(GFP_KERNEL, 5), 5);
    CHECK_EQ(mm_host_trace_count, 0);
    CHECK_EQ(mm_host_trace_dropped, 0);
}

#define NPAGES 400

/* Frees past high trim batch pages each time (one pcp_drain each, pages
 * 31 of count_before 186); drain_local_pages empties the rest in one. */
static void test_trim_and_drain(void)
{
    static struct page *pages[NPAGES];
    struct per_cpu_pages *pcp;
    uint32_t drains, i, frees = 0;

    mm_host_boot(1ull << 30, 1, 1);
    pcp = &Z(ZONE_NORMAL)->pcp[0];
    for (i = 0; i < NPAGES; i++)
        pages[i] = alloc_pages(GFP_KERNEL, 0);
    drains = pcp->drains;
    mm_host_trace_reset(true);
    for (i = 0; i < NPAGES; i++)
        __free_page(pages[i]);
    CHECK_EQ(mm_host_trace_count_type(TRACE_EV_PAGE_FREE), NPAGES);
    CHECK_EQ(mm_host_trace_count_type(TRACE_EV_PCP_DRAIN), pcp->drains - drains);
    CHECK(pcp->drains - drains >= 2);
    for (i = 0; i < mm_host_trace_count; i++) {
        if (ev(i)->type == TRACE_EV_PAGE_FREE) {
            CHECK_EQ(ev(i)->arg[0], page_to_pfn(pages[frees]));
            frees++;
        } else {
            CHECK_EQ(ev(i)->type, TRACE_EV_PCP_DRAIN);
            CHECK_EQ(ev(i)->arg[0], ZONE_NORMAL);
            CHECK_EQ(ev(i)->arg[1], 31);
            CHECK_EQ(ev(i)->arg[2], 186);
            CHECK_EQ(ev(i)->arg[3], 186);
        }
    }
    uint32_t left = pcp->count;
    mm_host_trace_reset(true);
    drain_local_pages();
    CHECK_EQ(mm_host_trace_count, 1);
    CHECK_EQ(ev(0)->type, TRACE_EV_PCP_DRAIN);
    CHECK_EQ(ev(0)->arg[1], left);
    CHECK_EQ(ev(0)->arg[2], left);
    CHECK_EQ(pcp->count, 0);
}

/* 64 MiB: order-10 blocks until one fails.  The failure is one alloc_fail
 * (order 10, the gfp, the preferred zone Normal) after one wmark_low per
 * zone below its low watermark, and alloc_failures counts it. */
static void test_failure(void)
{
    const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
    uint32_t n = 0, fails, wakeups, i;

    mm_host_boot(64ull << 20, 1, 1);
    wakeups = Z(ZONE_NORMAL)->kswapd_wakeups + Z(ZONE_DMA)->kswapd_wakeups;
    mm_host_trace_reset(true);
    while (alloc_pages(gfp, 10))
        n++;
    CHECK(n > 0);
    fails = mm_host_trace_count_type(TRACE_EV_ALLOC_FAIL);
    CHECK_EQ(fails, 1);
    CHECK_EQ(Z(ZONE_NORMAL)->alloc_failures, 1);
    CHECK_EQ(mm_host_trace_count_type(TRACE_EV_PAGE_ALLOC), n);
    CHECK_EQ(mm_host_trace_count_type(TRACE_EV_WMARK_LOW),
             Z(ZONE_NORMAL)->kswapd_wakeups + Z(ZONE_DMA)->kswapd_wakeups - wakeups);
    CHECK(mm_host_trace_count_type(TRACE_EV_WMARK_LOW) >= 1);
    i = mm_host_trace_count - 1;
    CHECK_EQ(ev(i)->type, TRACE_EV_ALLOC_FAIL);
    CHECK_EQ(ev(i)->aux, 10);
    CHECK_EQ(ev(i)->arg[0], gfp);
    CHECK_EQ(ev(i)->arg[1], ZONE_NORMAL);
    CHECK_EQ(ev(i)->arg[2], 0);
    for (i = 0; i < mm_host_trace_count; i++) {
        if (ev(i)->type != TRACE_EV_WMARK_LOW)
            continue;
        const struct zone *z = Z(ev(i)->arg[0]);
        CHECK_EQ(ev(i)->aux, 10);
        CHECK_EQ(ev(i)->arg[2], low_wmark_pages(z));
        CHECK_EQ(ev(i)->arg[3], min_wmark_pages(z));
    }
    mm_trace_enabled = 0;
}

int main(void)
{
    test_pairs();
    test_trim_and_drain();
    test_failure();
    mm_host_trace_reset(false);
    mm_host_reset();
    return unit_done();
}
