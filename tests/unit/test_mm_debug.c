/* tests/unit/test_mm_debug.c - mm/debug.c: mm_check_invariants on a
 * hand-built consistent state and on each kind of damage (with the exact
 * number of violations each must give), on states made by the real
 * allocator, the "BUG: Bad page state" report, and poisoning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"
#include "internal.h"
#include "mm_host.h"
#include "capture.h"
#include "unit.h"

/* ---- capturing what arch_puts prints (stdout) ---------------------------------------- */


/* ---- the hand-built state ------------------------------------------------------------------ *
 *
 * Node 0, zone DMA = pfn 0-2047 (two pageblocks), every pfn accounted for:
 *   0-15      reserved (PG_reserved, refcount 1)
 *   16-31     allocated, order 4 (PG_head, private 4, refcount 1)
 *   32-63     free, order 5, Movable
 *   64        allocated, order 0, refcount 2
 *   65        cpu 0's Movable per-CPU list
 *   66-67     free, order 1, Unmovable   } in a Movable pageblock: allowed
 *   68-71     free, order 2, Reclaimable } (left by a fallback steal)
 *   72-79     free, order 3, Movable
 *   80-95     free, order 4, Movable
 *   96-127    free, order 5, Movable
 *   128-255   free, order 7, Movable
 *   256-511   free, order 8, Movable
 *   512-1023  free, order 9, Movable
 *   1024-2047 free, order 10, Reserve (pageblock 1 is MIGRATE_RESERVE)
 * free 2014 + per-CPU 1 + allocated 17 = managed 2032; + reserved 16 = 2048.
 * Normal and HighMem are empty.  mem_map is the one mm_init put in the
 * simulated RAM (so bad_page can print its guest address). */

static struct zone *dma;

static void init_zone(unsigned zid, uint32_t start, uint32_t spanned, const char *name)
{
    struct zone *z = &node_data[0].node_zones[zid];

    memset(z, 0, sizeof *z);
    z->node = 0;
    z->zone_idx = zid;
    z->zone_start_pfn = start;
    z->spanned_pages = spanned;
    snprintf(z->name, sizeof z->name, "%s", name);
    for (unsigned o = 0; o < MAX_ORDER; o++)
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
            mm_list_init(&z->free_area[o].free_list[mt]);
    for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
        for (unsigned t = 0; t < MIGRATE_PCPTYPES; t++)
            mm_list_init(&z->pcp[cpu].lists[t]);
}

static void add_free(uint32_t pfn, unsigned order, unsigned mt)
{
    struct page *p = pfn_to_page(pfn);

    set_page_flag(p, PG_buddy);
    p->private = order;
    p->index = mt;
    mm_list_add_tail(&dma->free_area[order].free_list[mt], p);
    dma->free_area[order].nr_free++;
    dma->vm_stat[NR_FREE_PAGES] += 1 << order;
}

static void build_base(void)
{
    static bool booted;

    if (!booted) {
        mm_host_boot(32u << 20, 1, 1);
        booted = true;
    }
    nr_online_nodes = 1;
    init_zone(ZONE_DMA, 0, 2048, "DMA");
    init_zone(ZONE_NORMAL, 2048, 0, "Normal");
    init_zone(ZONE_HIGHMEM, 2048, 0, "HighMem");
    dma = &node_data[0].node_zones[ZONE_DMA];

    for (uint32_t pfn = 0; pfn < 2048; pfn++) {
        struct page *p = pfn_to_page(pfn);
        memset(p, 0, sizeof *p);
        p->flags = (ZONE_DMA << PAGE_ZONE_SHIFT) | (0u << PAGE_NODE_SHIFT);
        p->_mapcount = -1;
        p->lru.next = p->lru.prev = MM_NIL;
    }
    set_pageblock_migratetype(pfn_to_page(0), MIGRATE_MOVABLE);
    set_pageblock_migratetype(pfn_to_page(1024), MIGRATE_RESERVE);
    dma->nr_reserve_blocks = 1;
    dma->present_pages = 2048;
    dma->managed_pages = 2032;

    for (uint32_t pfn = 0; pfn < 16; pfn++) {
        set_page_flag(pfn_to_page(pfn), PG_reserved);
        pfn_to_page(pfn)->_refcount = 1;
    }
    pfn_to_page(16)->_refcount = 1;
    set_page_flag(pfn_to_page(16), PG_head);
    pfn_to_page(16)->private = 4;
    pfn_to_page(64)->_refcount = 2;

    set_page_flag(pfn_to_page(65), PG_pcp);
    pfn_to_page(65)->index = MIGRATE_MOVABLE;
    mm_list_add(&dma->pcp[0].lists[MIGRATE_MOVABLE], pfn_to_page(65));
    dma->pcp[0].count = 1;
    dma->pcp[0].high = 6;
    dma->pcp[0].batch = 1;

    add_free(32, 5, MIGRATE_MOVABLE);
    add_free(66, 1, MIGRATE_UNMOVABLE);
    add_free(68, 2, MIGRATE_RECLAIMABLE);
    add_free(72, 3, MIGRATE_MOVABLE);
    add_free(80, 4, MIGRATE_MOVABLE);
    add_free(96, 5, MIGRATE_MOVABLE);
    add_free(128, 7, MIGRATE_MOVABLE);
    add_free(256, 8, MIGRATE_MOVABLE);
    add_free(512, 9, MIGRATE_MOVABLE);
    add_free(1024, 10, MIGRATE_RESERVE);
}

/* mm_check_invariants, its messages kept in captured. */
static unsigned check(void)
{
    unsigned n;

    capture_begin();
    n = mm_check_invariants(true);
    capture_end();
    return n;
}

static void expect_violations(const char *what, unsigned want)
{
    unsigned got = check();

    if (got != want)
        fprintf(stderr, "%s: %u violations, expected %u; the report:\n%s", what, got, want, captured);
    CHECK_EQ(got, want);
}

/* ---- mm_check_invariants ------------------------------------------------------------------------ */

static void test_consistent(void)
{
    build_base();
    expect_violations("hand-built state", 0);
    CHECK_EQ(strlen(captured), 0);
    CHECK_EQ(mm_check_invariants(false), 0);
}

static void test_corruptions(void)
{
    /* The order in the head page is not the list's. */
    build_base();
    pfn_to_page(72)->private = 2;
    expect_violations("order mismatch", 1);
    CHECK(strstr(captured, "mm: invariant: order-3 Movable list: the head page says order 2 (zone DMA, pfn 72)\n") != NULL);

    /* 66-71 re-cut as an order-2 block at 66 (not 4-aligned) and an
     * order-1 block at 70: every page still counted once. */
    build_base();
    mm_list_del(&dma->free_area[1].free_list[MIGRATE_UNMOVABLE], pfn_to_page(66));
    mm_list_del(&dma->free_area[2].free_list[MIGRATE_RECLAIMABLE], pfn_to_page(68));
    clear_page_flag(pfn_to_page(68), PG_buddy);
    pfn_to_page(68)->private = 0;
    pfn_to_page(66)->private = 2;
    pfn_to_page(66)->index = MIGRATE_RECLAIMABLE;
    mm_list_add(&dma->free_area[2].free_list[MIGRATE_RECLAIMABLE], pfn_to_page(66));
    set_page_flag(pfn_to_page(70), PG_buddy);
    pfn_to_page(70)->private = 1;
    pfn_to_page(70)->index = MIGRATE_UNMOVABLE;
    mm_list_add(&dma->free_area[1].free_list[MIGRATE_UNMOVABLE], pfn_to_page(70));
    expect_violations("misaligned block", 1);
    CHECK(strstr(captured, "block not aligned to its size (4 pages) (zone DMA, pfn 66)") != NULL);

    /* An order-0 block inside the order-5 block at 32 (counters agree). */
    build_base();
    add_free(33, 0, MIGRATE_MOVABLE);
    expect_violations("overlapping blocks", 1);
    CHECK(strstr(captured, "order-5 Movable list: the block at 32 overlaps another free or per-CPU page (zone DMA, pfn 33)") != NULL);

    /* nr_free one too many. */
    build_base();
    dma->free_area[3].nr_free++;
    expect_violations("nr_free off by one", 1);
    CHECK_EQ(strcmp(captured, "mm: invariant: nr_free[3] is 2, the lists hold 1 blocks (zone DMA, pfn 0)\n"), 0);

    /* NR_FREE_PAGES one too few. */
    build_base();
    dma->vm_stat[NR_FREE_PAGES]--;
    expect_violations("NR_FREE_PAGES off", 1);
    CHECK_EQ(strcmp(captured, "mm: invariant: NR_FREE_PAGES is 2013, the free lists hold 2014 pages (zone DMA, pfn 0)\n"), 0);

    /* The per-CPU count does not match its lists. */
    build_base();
    dma->pcp[0].count = 2;
    expect_violations("per-CPU count off", 1);
    CHECK(strstr(captured, "cpu 0 per-CPU count is 2, its lists hold 1 pages") != NULL);

    /* The order-4 block at 80 also alone on the Unmovable order-4 list
     * (counters bumped to match): its head names the other list, and the
     * second walk meets it again. */
    build_base();
    dma->free_area[4].free_list[MIGRATE_UNMOVABLE].first = 80;
    dma->free_area[4].free_list[MIGRATE_UNMOVABLE].last = 80;
    pfn_to_page(80)->lru.next = pfn_to_page(80)->lru.prev = MM_NIL;
    dma->free_area[4].free_list[MIGRATE_MOVABLE].first = 80;
    dma->free_area[4].free_list[MIGRATE_MOVABLE].last = 80;
    dma->free_area[4].nr_free = 2;
    dma->vm_stat[NR_FREE_PAGES] += 16;
    expect_violations("a page on two lists", 2);
    CHECK(strstr(captured, "order-4 Unmovable list: the head page says migrate type 2") != NULL);
    CHECK(strstr(captured, "order-4 Movable list: page already on a list (on two lists, or a cycle) (zone DMA, pfn 80)") != NULL);

    /* Conservation: the order-0 allocation at 64 loses its reference, so
     * the page is neither free, allocated nor reserved. */
    build_base();
    pfn_to_page(64)->_refcount = 0;
    expect_violations("conservation", 1);
    CHECK_EQ(strcmp(captured, "mm: invariant: 1 pages neither free, allocated nor reserved (zone DMA, pfn 64)\n"), 0);

    /* managed_pages disagrees with the pages that are not reserved. */
    build_base();
    dma->managed_pages = 2031;
    expect_violations("managed_pages", 1);
    CHECK(strstr(captured, "2032 pages not reserved, managed_pages is 2031") != NULL);

    /* A reserved page (still PG_reserved) also made "allocated": fine;
     * but PG_buddy on a page on no list is not. */
    build_base();
    set_page_flag(pfn_to_page(64), PG_buddy);
    expect_violations("PG_buddy off the lists", 1);
    CHECK(strstr(captured, "PG_buddy page on no free list (zone DMA, pfn 64)") != NULL);

    /* The two order-5 blocks linked into a ring with consistent links:
     * the walk stops when it meets 32 again (counted: nr_free then
     * disagrees). */
    build_base();
    pfn_to_page(96)->lru.next = 32;
    pfn_to_page(32)->lru.prev = 96;
    expect_violations("cycle", 2);
    CHECK(strstr(captured, "order-5 Movable list: page already on a list (on two lists, or a cycle) (zone DMA, pfn 32)") != NULL);

    /* A broken prev link stops the walk there. */
    build_base();
    pfn_to_page(96)->lru.prev = 33;
    expect_violations("bad prev link", 1);
    CHECK(strstr(captured, "prev link is 33, the walk came from 32 (zone DMA, pfn 96)") != NULL);

    /* Pageblock types: one more Reserve block than the zone counts. */
    build_base();
    dma->nr_reserve_blocks = 0;
    expect_violations("nr_reserve_blocks", 1);

    /* A page of the order-4 allocation at 16 is also on the per-CPU list. */
    build_base();
    mm_list_del(&dma->pcp[0].lists[MIGRATE_MOVABLE], pfn_to_page(65));
    clear_page_flag(pfn_to_page(65), PG_pcp);
    pfn_to_page(65)->_refcount = 1;           /* 65 becomes an order-0 allocation */
    set_page_flag(pfn_to_page(20), PG_pcp);
    pfn_to_page(20)->index = MIGRATE_MOVABLE;
    mm_list_add(&dma->pcp[0].lists[MIGRATE_MOVABLE], pfn_to_page(20));
    expect_violations("allocated page on a per-CPU list", 1);
    CHECK(strstr(captured, "page of the allocated block at 16 is also free (zone DMA, pfn 20)") != NULL);

    /* A free block in an unpopulated zone. */
    build_base();
    node_data[0].node_zones[ZONE_NORMAL].free_area[0].nr_free = 1;
    expect_violations("unpopulated zone", 1);
}

/* The allocator's own states: boot, allocations and frees keep them. */
static void test_real_allocator(void)
{
    struct page *p[64];
    unsigned n = 0;

    mm_host_boot(64u << 20, 2, 1);
    expect_violations("after mm_init (64 MiB, 2 CPUs)", 0);
    for (unsigned i = 0; i < 40; i++) {
        mm_host_set_cpu(i & 1);
        p[n] = alloc_pages(i % 3 == 0 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE, i % 4);
        CHECK(p[n] != NULL);
        if (p[n])
            n++;
    }
    expect_violations("after 40 allocations", 0);
    for (unsigned i = 0; i < n; i += 2) {
        mm_host_set_cpu(i & 1);
        __free_pages(p[i], page_order(p[i]) ? page_order(p[i]) : 0);
    }
    mm_host_set_cpu(0);
    expect_violations("after freeing half", 0);
    drain_all_pages();
    expect_violations("after drain_all_pages", 0);

    mm_host_boot(1u << 30, 4, 2);               /* highmem, two nodes */
    expect_violations("after mm_init (1 GiB, 4 CPUs, 2 nodes)", 0);
    mm_host_boot(16u << 20, 1, 1);
    expect_violations("after mm_init (16 MiB)", 0);
}

/* ---- bad_page ------------------------------------------------------------------------------------ */

static void test_bad_page(void)
{
    char want[512];
    struct page *p;
    uint32_t kaddr;

    struct page saved[2];

    mm_host_boot(32u << 20, 1, 1);
    saved[0] = *pfn_to_page(0x123);
    saved[1] = *pfn_to_page(0x1fff);
    p = pfn_to_page(0x123);
    kaddr = (uint32_t)(0xC0000000u + arch_virt_to_phys(p));
    p->flags = (1u << PG_buddy) | (1u << PG_head) | (1u << 12) |
               (ZONE_NORMAL << PAGE_ZONE_SHIFT) | (MIGRATE_MOVABLE << PAGE_PBMT_SHIFT);
    p->_refcount = 3;
    p->_mapcount = 0;
    p->mapping = 0x1234;
    p->index = 0x2a;

    capture_begin();
    bad_page(p, "nonzero mapcount");
    capture_end();
    snprintf(want, sizeof want,
             "BUG: Bad page state in process kernel  pfn:00123\n"
             "page:%08x count:3 mapcount:0 mapping:00001234 index:0x2a\n"
             "page flags: 0x2101102(buddy|head|0x1000)\n"
             "page dumped because: nonzero mapcount\n", kaddr);
    CHECK_EQ(strcmp(captured, want), 0);
    if (strcmp(captured, want) != 0)
        fprintf(stderr, "got:\n%swant:\n%s", captured, want);
    CHECK_EQ(mm_bad_pages, 1);
    /* bad_page only reports: the page is as it was. */
    CHECK_EQ(p->_refcount, 3);
    CHECK_EQ(p->flags, (1u << PG_buddy) | (1u << PG_head) | (1u << 12) |
                       (ZONE_NORMAL << PAGE_ZONE_SHIFT) | (MIGRATE_MOVABLE << PAGE_PBMT_SHIFT));

    /* No flags, a pfn past 5 hex digits, no reason. */
    p = pfn_to_page(0x1fff);
    p->flags = 0;
    p->_refcount = 0;
    p->_mapcount = -1;
    p->mapping = 0;
    p->index = 0;
    capture_begin();
    bad_page(p, NULL);
    capture_end();
    snprintf(want, sizeof want,
             "BUG: Bad page state in process kernel  pfn:01fff\n"
             "page:%08x count:0 mapcount:-1 mapping:00000000 index:0x0\n"
             "page flags: 0x0()\n", (uint32_t)(0xC0000000u + arch_virt_to_phys(p)));
    CHECK_EQ(strcmp(captured, want), 0);
    CHECK_EQ(mm_bad_pages, 2);
    *pfn_to_page(0x123) = saved[0];
    *pfn_to_page(0x1fff) = saved[1];

    /* Freeing a page twice is reported by the allocator through bad_page. */
    p = alloc_pages(GFP_KERNEL, 0);
    CHECK(p != NULL);
    __free_pages(p, 0);
    capture_begin();
    __free_pages(p, 0);
    capture_end();
    CHECK(strstr(captured, "BUG: Bad page state in process kernel  pfn:") == captured);
    CHECK_EQ(mm_bad_pages, 3);
    if (check() != 0)
        fprintf(stderr, "after the double free:\n%s", captured);
    CHECK_EQ(check(), 0);
}

/* ---- poisoning ----------------------------------------------------------------------------------- */

static bool all_poison(uint32_t pfn, unsigned npages)
{
    const uint8_t *b = mm_host_ram((uint64_t)pfn << PAGE_SHIFT);
    for (size_t i = 0; i < (size_t)npages * PAGE_SIZE; i++)
        if (b[i] != PAGE_POISON)
            return false;
    return true;
}

static void test_poison(void)
{
    struct page *p, *q;
    uint32_t pfn;
    char want[128];

    mm_host_boot(1u << 30, 1, 1);
    mm_debug.poison = true;
    mm_poison_errors = 0;

    /* A lowmem page: freed, filled with 0xaa; written; allocated again. */
    p = alloc_pages(GFP_KERNEL, 0);
    CHECK(p != NULL);
    pfn = page_to_pfn(p);
    __free_pages(p, 0);
    CHECK(page_flag(p, PG_poisoned));
    CHECK(all_poison(pfn, 1));
    ((uint8_t *)mm_host_ram((uint64_t)pfn << PAGE_SHIFT))[100] = 0x5a;
    ((uint8_t *)mm_host_ram((uint64_t)pfn << PAGE_SHIFT))[200] = 0x11;
    capture_begin();
    q = alloc_pages(GFP_KERNEL, 0);             /* the same page, from the per-CPU list */
    capture_end();
    CHECK(q == p);
    snprintf(want, sizeof want, "mm: use after free: pfn %u offset 100 changed to 0x5a\n", pfn);
    CHECK_EQ(strcmp(captured, want), 0);
    CHECK_EQ(mm_poison_errors, 1);
    CHECK(!page_flag(q, PG_poisoned));

    /* Left alone, a poisoned page comes back without a report. */
    __free_pages(q, 0);
    capture_begin();
    q = alloc_pages(GFP_KERNEL, 0);
    capture_end();
    CHECK(q == p);
    CHECK_EQ(strlen(captured), 0);
    CHECK_EQ(mm_poison_errors, 1);

    /* An order-2 block, through the hooks themselves (the buddy lists
     * would not give the same block back): the write lands in its third
     * page. */
    p = alloc_pages(GFP_KERNEL, 2);
    CHECK(p != NULL);
    pfn = page_to_pfn(p);
    mm_poison_pages(p, 2);
    for (unsigned i = 0; i < 4; i++)
        CHECK(page_flag(p + i, PG_poisoned));
    CHECK(all_poison(pfn, 4));
    ((uint8_t *)mm_host_ram(((uint64_t)pfn + 2) << PAGE_SHIFT))[4095] = 0;
    capture_begin();
    mm_unpoison_pages(p, 2);
    capture_end();
    snprintf(want, sizeof want, "mm: use after free: pfn %u offset 4095 changed to 0x00\n", pfn + 2);
    CHECK_EQ(strcmp(captured, want), 0);
    CHECK_EQ(mm_poison_errors, 2);
    for (unsigned i = 0; i < 4; i++)
        CHECK(!page_flag(p + i, PG_poisoned));
    __free_pages(p, 2);

    /* Highmem pages are poisoned through a temporary mapping. */
    p = alloc_pages(GFP_HIGHUSER, 0);
    CHECK(p != NULL && page_to_pfn(p) >= max_low_pfn);
    pfn = page_to_pfn(p);
    __free_pages(p, 0);
    CHECK(all_poison(pfn, 1));

    /* Poisoning off: pages poisoned earlier are still checked when
     * allocated; newly freed ones are not poisoned. */
    mm_debug.poison = false;
    capture_begin();
    q = alloc_pages(GFP_HIGHUSER, 0);
    capture_end();
    CHECK(q == p);
    CHECK(!page_flag(q, PG_poisoned));
    CHECK_EQ(strlen(captured), 0);
    __free_pages(q, 0);
    CHECK(!page_flag(q, PG_poisoned));
    CHECK_EQ(check(), 0);
}

int main(void)
{
    test_consistent();
    test_corruptions();
    test_real_allocator();
    test_bad_page();
    test_poison();
    mm_host_reset();
    return unit_done();
}
