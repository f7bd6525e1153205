/* tests/unit/test_mm_basic.c - the buddy allocator's core on the host:
 * boot-time sizes and watermarks (numbers worked out by hand in docs/mm.md),
 * allocation and free of every order, splitting and full coalescing back to
 * the boot state, zone limits (GFP_DMA, highmem), __GFP_ZERO, per-CPU lists,
 * fallback stealing, the watermark slow path and bad-page frees. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mm_host.h"
#include "unit.h"

/* The free-list state of every zone: nr_free and list lengths. */
struct snapshot {
    uint32_t nr_free[MAX_NUMNODES][MAX_NR_ZONES][MAX_ORDER];
    uint32_t len[MAX_NUMNODES][MAX_NR_ZONES][MAX_ORDER][MIGRATE_TYPES];
    int32_t free_pages[MAX_NUMNODES][MAX_NR_ZONES];
};

static uint32_t list_len(const struct mm_list *l)
{
    uint32_t n = 0;
    const struct page *p;

    for (p = mm_list_first(l); p; p = mm_list_next(p))
        n++;
    return n;
}

static void take_snapshot(struct snapshot *s)
{
    struct zone *z;

    memset(s, 0, sizeof(*s));
    for_each_zone(z) {
        unsigned o, t;
        for (o = 0; o < MAX_ORDER; o++) {
            s->nr_free[z->node][z->zone_idx][o] = z->free_area[o].nr_free;
            for (t = 0; t < MIGRATE_TYPES; t++)
                s->len[z->node][z->zone_idx][o][t] = list_len(&z->free_area[o].free_list[t]);
        }
        s->free_pages[z->node][z->zone_idx] = z->vm_stat[NR_FREE_PAGES];
    }
}

/* Same free blocks per order (and per type if with_types). */
static bool same_state(const struct snapshot *a, const struct snapshot *b, bool with_types)
{
    if (memcmp(a->nr_free, b->nr_free, sizeof(a->nr_free)) != 0 ||
        memcmp(a->free_pages, b->free_pages, sizeof(a->free_pages)) != 0)
        return false;
    return !with_types || memcmp(a->len, b->len, sizeof(a->len)) == 0;
}

/* Every list length matches nr_free, every head is a proper free block. */
static void check_free_lists(void)
{
    struct zone *z;

    for_each_populated_zone(z) {
        uint64_t pages = 0;
        unsigned o, t;
        for (o = 0; o < MAX_ORDER; o++) {
            uint32_t n = 0;
            for (t = 0; t < MIGRATE_TYPES; t++) {
                const struct page *p;
                for (p = mm_list_first(&z->free_area[o].free_list[t]); p; p = mm_list_next(p)) {
                    uint32_t pfn = page_to_pfn(p);
                    if (!page_flag(p, PG_buddy) || p->private != o || p->index != t ||
                        (pfn & ((1u << o) - 1)) || pfn < z->zone_start_pfn ||
                        pfn + (1u << o) > zone_end_pfn(z) || page_count(p) != 0) {
                        CHECK(!"bad free block");
                        return;
                    }
                    n++;
                }
            }
            CHECK_EQ(n, z->free_area[o].nr_free);
            pages += (uint64_t)n << o;
        }
        CHECK_EQ(pages, (uint64_t)z->vm_stat[NR_FREE_PAGES]);
    }
}

static struct zone *zone_of(unsigned nid, unsigned idx) { return &node_data[nid].node_zones[idx]; }

/* ---- sizes ---------------------------------------------------------------------- */

static void test_sizes_64m(void)
{
    struct zone *dma = zone_of(0, ZONE_DMA), *normal = zone_of(0, ZONE_NORMAL), *high = zone_of(0, ZONE_HIGHMEM);

    mm_host_boot(64u << 20, 1, 1);
    CHECK_EQ(max_pfn, 16352);
    CHECK_EQ(max_low_pfn, 16352);
    CHECK_EQ(sizeof(struct page), 36);
    /* DMA: pfns 0..4095, RAM 159 + 3840 pages, mem_map 4096*36 B = 36 pages */
    CHECK_EQ(dma->zone_start_pfn, 0);
    CHECK_EQ(dma->spanned_pages, 4096);
    CHECK_EQ(dma->present_pages, 3999 - 36);
    CHECK_EQ(dma->managed_pages, 3999 - 1024);            /* minus the kernel image 1-5 MiB */
    /* NORMAL: 4096..16351, mem_map ceil(12256*36/4096) = 108 pages */
    CHECK_EQ(normal->zone_start_pfn, 4096);
    CHECK_EQ(normal->spanned_pages, 12256);
    CHECK_EQ(normal->present_pages, 12256 - 108);
    CHECK_EQ(normal->managed_pages, 12256 - 144);         /* mem_map: 16352*36 B = 144 pages at 16 MiB */
    CHECK_EQ(arch_virt_to_phys(mem_map), 16u << 20);
    CHECK(!populated_zone(high));
    CHECK_EQ(zone_page_state(dma, NR_FREE_PAGES), dma->managed_pages);
    CHECK_EQ(zone_page_state(normal, NR_FREE_PAGES), normal->managed_pages);
    /* min_free_kbytes = int_sqrt(4 * (3963 + 12148) * 16) = 1015; pages_min = 253 */
    CHECK_EQ(min_free_kbytes, 1015);
    /* DMA tmp = 253 * 3963 / 16111 = 62; NORMAL tmp = 253 * 12148 / 16111 = 190 */
    CHECK_EQ(dma->watermark[WMARK_MIN], 62);
    CHECK_EQ(dma->watermark[WMARK_LOW], 62 + 15);
    CHECK_EQ(dma->watermark[WMARK_HIGH], 62 + 31);
    CHECK_EQ(normal->watermark[WMARK_MIN], 190);
    CHECK_EQ(normal->watermark[WMARK_LOW], 190 + 47);
    CHECK_EQ(normal->watermark[WMARK_HIGH], 190 + 95);
    CHECK_EQ(dma->lowmem_reserve[ZONE_DMA], 0);
    CHECK_EQ(dma->lowmem_reserve[ZONE_NORMAL], 12148 / 256);
    CHECK_EQ(dma->lowmem_reserve[ZONE_HIGHMEM], 12148 / 256);
    CHECK_EQ(normal->lowmem_reserve[ZONE_HIGHMEM], 0);
    /* batch: DMA 3963/1024=3 -> /4=0 -> 1 -> 2^0-1 = 0 -> high 0, batch 1;
     * NORMAL 12148/1024 = 11 -> 2 -> 3 -> 2-1 = 1 -> high 6, batch 1 */
    CHECK_EQ(dma->pcp[0].high, 0);
    CHECK_EQ(dma->pcp[0].batch, 1);
    CHECK_EQ(normal->pcp[0].high, 6);
    CHECK_EQ(normal->pcp[0].batch, 1);
    /* MIGRATE_RESERVE: one pageblock each (min < 1024), the first one whose
     * first page is not reserved (NORMAL's first block starts with mem_map) */
    CHECK_EQ(dma->nr_reserve_blocks, 1);
    CHECK_EQ(normal->nr_reserve_blocks, 1);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(0)), MIGRATE_RESERVE);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(1024)), MIGRATE_MOVABLE);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(4096)), MIGRATE_MOVABLE);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(5120)), MIGRATE_RESERVE);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(6144)), MIGRATE_MOVABLE);
    /* zonelist of node 0: Normal, DMA */
    CHECK_EQ(node_data[0].node_zonelist.zones[0].zone, ZONE_NORMAL);
    CHECK_EQ(node_data[0].node_zonelist.zones[1].zone, ZONE_DMA);
    CHECK_EQ(node_data[0].node_zonelist.zones[2].node, 0xff);
    /* reserved pages: holes, kernel image, mem_map */
    CHECK(page_flag(pfn_to_page(200), PG_reserved));
    CHECK(page_flag(pfn_to_page(256), PG_reserved));
    CHECK(page_flag(pfn_to_page(4096), PG_reserved));
    CHECK(!page_flag(pfn_to_page(4096 + 144), PG_reserved));
    CHECK(!page_flag(pfn_to_page(0), PG_reserved));
    check_free_lists();
}

static void test_sizes_1g(void)
{
    struct zone *dma = zone_of(0, ZONE_DMA), *normal = zone_of(0, ZONE_NORMAL), *high = zone_of(0, ZONE_HIGHMEM);

    mm_host_boot(1u << 30, 2, 1);
    CHECK_EQ(max_pfn, 262112);
    CHECK_EQ(max_low_pfn, 229376);
    CHECK_EQ(dma->present_pages, 3963);
    CHECK_EQ(normal->spanned_pages, 225280);
    CHECK_EQ(normal->present_pages, 225280 - 1980);
    CHECK_EQ(high->zone_start_pfn, 229376);
    CHECK_EQ(high->spanned_pages, 32736);
    CHECK_EQ(high->present_pages, 32736 - 288);
    CHECK_EQ(high->managed_pages, 32736);
    CHECK_EQ(normal->managed_pages, 225280 - 2304);   /* mem_map: 262112 * 36 B */
    CHECK_EQ(dma->managed_pages, 2975);
    /* Normal's RESERVE block: the first not starting inside mem_map (4096..6399) */
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(6144)), MIGRATE_MOVABLE);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(7168)), MIGRATE_RESERVE);
    CHECK_EQ(high->nr_reserve_blocks, 1);
    CHECK_EQ(get_pageblock_migratetype(pfn_to_page(229376)), MIGRATE_RESERVE);
    /* min_free_kbytes = int_sqrt(4 * 227263 * 16) = 3813, pages_min 953 */
    CHECK_EQ(min_free_kbytes, 3813);
    CHECK_EQ(dma->watermark[WMARK_MIN], 16);
    CHECK_EQ(dma->watermark[WMARK_LOW], 20);
    CHECK_EQ(dma->watermark[WMARK_HIGH], 24);
    CHECK_EQ(normal->watermark[WMARK_MIN], 936);
    CHECK_EQ(normal->watermark[WMARK_LOW], 1170);
    CHECK_EQ(normal->watermark[WMARK_HIGH], 1404);
    /* highmem: min = clamp(32448/1024, 32, 128) = 32; tmp = 953*32448/227263 = 136 */
    CHECK_EQ(high->watermark[WMARK_MIN], 32);
    CHECK_EQ(high->watermark[WMARK_LOW], 32 + 34);
    CHECK_EQ(high->watermark[WMARK_HIGH], 32 + 68);
    CHECK_EQ(dma->lowmem_reserve[ZONE_NORMAL], 223300 / 256);
    CHECK_EQ(dma->lowmem_reserve[ZONE_HIGHMEM], (223300 + 32448) / 256);
    CHECK_EQ(normal->lowmem_reserve[ZONE_HIGHMEM], 32448 / 32);
    CHECK_EQ(high->lowmem_reserve[ZONE_HIGHMEM], 0);
    CHECK_EQ(normal->pcp[1].batch, 31);
    CHECK_EQ(normal->pcp[1].high, 186);
    CHECK_EQ(high->pcp[0].batch, 7);
    CHECK_EQ(high->pcp[0].high, 42);
    CHECK_EQ(node_data[0].node_zonelist.zones[0].zone, ZONE_HIGHMEM);
    CHECK_EQ(node_data[0].node_zonelist.zones[1].zone, ZONE_NORMAL);
    CHECK_EQ(node_data[0].node_zonelist.zones[2].zone, ZONE_DMA);
    CHECK(page_flag(pfn_to_page(229376), PG_highmem));
    check_free_lists();
}

/* The largest machine: 3.5 GiB, 4 nodes, 8 CPUs. */
static void test_big_machine(void)
{
    struct page *p;
    unsigned cpu;

    mm_host_boot(3584ull << 20, 8, 4);
    CHECK_EQ(max_pfn, 917504 - 32);
    CHECK_EQ(nr_online_nodes, 4);
    CHECK_EQ(node_data[3].node_start_pfn, (3u * 917472 / 4) & ~1023u);  /* 687104 */
    CHECK(populated_zone(zone_of(0, ZONE_DMA)) && populated_zone(zone_of(0, ZONE_NORMAL)));
    CHECK(populated_zone(zone_of(1, ZONE_HIGHMEM)) && !populated_zone(zone_of(1, ZONE_DMA)));
    CHECK_EQ(cpu_to_node(7), 3);
    CHECK_EQ(node_data[3].cpumask, 0xc0);
    for (cpu = 0; cpu < 8; cpu++) {
        mm_host_set_cpu(cpu);
        p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 3);
        CHECK(p && page_to_nid(p) == cpu_to_node(cpu));
        if (p)
            __free_pages(p, 3);
    }
    mm_host_set_cpu(7);
    p = alloc_page(GFP_KERNEL);                /* node 3 has only HighMem: falls back to node 0 */
    CHECK(p && page_to_nid(p) == 0 && page_zonenum(p) == ZONE_NORMAL);
    __free_page(p);
    mm_host_set_cpu(0);
    drain_all_pages();
    check_free_lists();
}

/* ---- allocation and free -------------------------------------------------------- */

static void test_every_order(void)
{
    struct snapshot boot, now;
    unsigned order;

    mm_host_boot(64u << 20, 1, 1);
    take_snapshot(&boot);
    for (order = 0; order < MAX_ORDER; order++) {
        struct page *p = alloc_pages(GFP_HIGHUSER_MOVABLE, order);
        uint32_t pfn;

        CHECK(p != NULL);
        if (!p)
            continue;
        pfn = page_to_pfn(p);
        CHECK_EQ(pfn & ((1u << order) - 1), 0);
        CHECK_EQ(page_count(p), 1);
        CHECK_EQ(page_flag(p, PG_head), order > 0);
        CHECK_EQ(p->private, order);
        CHECK(!page_flag(p, PG_buddy) && !page_flag(p, PG_pcp) && !page_flag(p, PG_reserved));
        CHECK_EQ(page_zonenum(p), ZONE_NORMAL);
        CHECK_EQ(get_pageblock_migratetype(p), MIGRATE_MOVABLE);
        __free_pages(p, order);
        check_free_lists();
    }
    CHECK(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER) == NULL);
    drain_all_pages();
    take_snapshot(&now);
    CHECK(same_state(&boot, &now, true));
    CHECK_EQ(mm_bad_pages, 0);
}

/* Split everything into order-0 pages, free them in a scrambled order: the
 * zone coalesces back to exactly its boot state. */
static void test_split_and_coalesce(void)
{
    struct snapshot boot, now;
    struct page **pages = calloc(20000, sizeof(*pages));
    uint32_t n = 0, i, hits = 0;

    mm_host_boot(64u << 20, 1, 1);
    take_snapshot(&boot);
    while (n < 20000 && (pages[n] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0)) != NULL)
        n++;
    /* stops at the watermarks: NORMAL min/2 - 1/4 ... with GFP_HIGHUSER (may sleep): min */
    CHECK(n > 12112 - 300 && n < 12112 + 2975);
    for (i = 0; i < n; i++)
        hits += page_zonenum(pages[i]) == ZONE_NORMAL;
    CHECK(hits > 12112 - 300);
    CHECK(zone_of(0, ZONE_NORMAL)->kswapd_wakeups > 0);
    CHECK(zone_of(0, ZONE_NORMAL)->direct_reclaims > 0);
    CHECK(zone_of(0, ZONE_NORMAL)->alloc_failures == 1);
    /* distinct pages */
    for (i = 0; i < n; i++) {
        CHECK_EQ(page_count(pages[i]), 1);
        pages[i]->index = 0xabcd;
    }
    for (i = 0; i < n; i++) {
        if (pages[i]->index != 0xabcd)
            CHECK(!"page handed out twice");
        pages[i]->index = 0;
    }
    /* free in a scrambled order */
    for (i = 0; i < n; i++) {
        uint32_t j = (uint32_t)(((uint64_t)i * 7919) % n);
        struct page *t = pages[i];
        pages[i] = pages[j];
        pages[j] = t;
    }
    for (i = 0; i < n; i++)
        __free_page(pages[i]);
    check_free_lists();
    drain_all_pages();
    take_snapshot(&now);
    CHECK(same_state(&boot, &now, true));
    free(pages);
}

static void test_dma(void)
{
    struct page **pages = calloc(5000, sizeof(*pages));
    uint32_t n = 0, i, bad = 0;
    struct snapshot boot, now;

    mm_host_boot(64u << 20, 1, 1);
    take_snapshot(&boot);
    while (n < 5000 && (pages[n] = alloc_pages(GFP_DMA | __GFP_NOWARN, 0)) != NULL)
        n++;
    for (i = 0; i < n; i++)
        bad += page_to_pfn(pages[i]) >= (16u << 20) / PAGE_SIZE;
    CHECK_EQ(bad, 0);
    /* GFP_ATOMIC-like (no __GFP_WAIT) goes below min by a quarter */
    CHECK(n > 2975 - 62 && n <= 2975);
    CHECK(zone_of(0, ZONE_DMA)->alloc_failures == 1);
    CHECK(zone_of(0, ZONE_DMA)->direct_reclaims == 0);
    for (i = 0; i < n; i++)
        __free_page(pages[i]);
    /* GFP_DMA order 3 */
    {
        struct page *p = alloc_pages(GFP_DMA | GFP_KERNEL, 3);
        CHECK(p && page_to_pfn(p) < 4096);
        if (p)
            __free_pages(p, 3);
    }
    drain_all_pages();
    take_snapshot(&now);
    CHECK(same_state(&boot, &now, false));
    free(pages);
}

static void test_zero_and_addresses(void)
{
    unsigned long a;
    struct page *p;
    uint8_t *v;
    unsigned i, nonzero = 0;

    mm_host_boot(64u << 20, 1, 1);
    a = __get_free_pages(GFP_KERNEL, 2);
    CHECK(a != 0);
    memset((void *)a, 0x5a, 4 * PAGE_SIZE);
    free_pages(a, 2);
    p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
    CHECK(p && page_address(p) == (void *)a);  /* the same block comes back */
    v = page_address(p);
    for (i = 0; i < 4 * PAGE_SIZE; i++)
        nonzero += v[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK(virt_to_page(v + 5000) == p + 1);
    __free_pages(p, 2);
    a = get_zeroed_page(GFP_KERNEL);
    CHECK(a && *(uint32_t *)a == 0);
    free_page(a);

    /* highmem on the 1 GiB machine, zeroed through a temporary mapping */
    mm_host_boot(1u << 30, 1, 1);
    p = alloc_pages(GFP_HIGHUSER, 0);
    CHECK(p && page_to_pfn(p) >= 229376 && page_address(p) == NULL);
    memset(mm_host_ram((uint64_t)page_to_pfn(p) << PAGE_SHIFT), 0x77, PAGE_SIZE);
    __free_page(p);
    p = alloc_pages(GFP_HIGHUSER | __GFP_ZERO, 0);
    CHECK(p && page_to_pfn(p) >= 229376);
    v = mm_host_ram((uint64_t)page_to_pfn(p) << PAGE_SHIFT);
    for (nonzero = 0, i = 0; i < PAGE_SIZE; i++)
        nonzero += v[i] != 0;
    CHECK_EQ(nonzero, 0);
    __free_page(p);
    /* no __GFP_HIGHMEM: never highmem */
    p = alloc_pages(GFP_KERNEL, 0);
    CHECK(p && page_to_pfn(p) < 229376 && page_zonenum(p) == ZONE_NORMAL);
    __free_page(p);
}

/* Per-CPU lists: hot frees at the head, refill in batches, drain. */
static void test_pcp(void)
{
    struct zone *normal = zone_of(0, ZONE_NORMAL);
    struct page *a, *b, *c;
    uint32_t free0;

    mm_host_boot(1u << 30, 2, 1);             /* NORMAL batch 31, high 186 */
    free0 = zone_page_state(normal, NR_FREE_PAGES);
    a = alloc_page(GFP_KERNEL);
    CHECK(a != NULL);
    CHECK_EQ(normal->pcp[0].count, 30);
    CHECK_EQ(normal->pcp[0].refills, 1);
    CHECK_EQ(zone_page_state(normal, NR_FREE_PAGES), free0 - 31);
    __free_page(a);
    CHECK_EQ(normal->pcp[0].count, 31);
    CHECK(page_flag(a, PG_pcp) && page_count(a) == 0);
    b = alloc_page(GFP_KERNEL);
    CHECK(b == a);                            /* hot: the head */
    free_cold_page(b);
    c = alloc_page(GFP_KERNEL);
    CHECK(c != a);
    __free_page(c);
    /* CPU 1 frees into its own list */
    mm_host_set_cpu(1);
    a = alloc_page(GFP_KERNEL);
    CHECK_EQ(normal->pcp[1].count, 30);
    __free_page(a);
    mm_host_set_cpu(0);
    CHECK_EQ(zone_pcp_count(normal), 62);
    drain_all_pages();
    CHECK_EQ(zone_pcp_count(normal), 0);
    CHECK_EQ(zone_page_state(normal, NR_FREE_PAGES), free0);
    /* past high, batch pages go back */
    {
        struct page *pg[200];
        unsigned i;
        for (i = 0; i < 200; i++)
            pg[i] = alloc_page(GFP_KERNEL);
        for (i = 0; i < 200; i++)
            __free_page(pg[i]);
        CHECK(normal->pcp[0].count < 186);
        CHECK(normal->pcp[0].drains > 0);
    }
    drain_local_pages();
    CHECK_EQ(zone_page_state(normal, NR_FREE_PAGES), free0);
    check_free_lists();
}

/* An unmovable request on a machine with only movable blocks steals a whole
 * pageblock; freeing gives the pages back to that (now unmovable) block. */
static void test_fallback_steal(void)
{
    struct snapshot boot, now;
    struct page *p;

    mm_host_boot(64u << 20, 1, 1);
    take_snapshot(&boot);
    p = alloc_pages(GFP_KERNEL, 1);           /* order 1 straight from the buddy lists */
    CHECK(p != NULL);
    CHECK_EQ(get_pageblock_migratetype(p), MIGRATE_UNMOVABLE);
    CHECK_EQ(page_to_pfn(p) & (pageblock_nr_pages - 1), 0);
    __free_pages(p, 1);
    take_snapshot(&now);
    CHECK(same_state(&boot, &now, false));
    CHECK(!same_state(&boot, &now, true));     /* the block is on the unmovable list now */
    CHECK_EQ(now.len[0][ZONE_NORMAL][MAX_ORDER - 1][MIGRATE_UNMOVABLE], 1);
    /* the next unmovable request takes from that block, no new steal */
    p = alloc_pages(GFP_KERNEL, 1);
    CHECK(p && get_pageblock_migratetype(p) == MIGRATE_UNMOVABLE);
    __free_pages(p, 1);
    /* a reclaimable order-0 request moves its pageblock */
    p = alloc_pages(__GFP_RECLAIMABLE | GFP_KERNEL, 3);
    CHECK(p && get_pageblock_migratetype(p) == MIGRATE_RECLAIMABLE);
    __free_pages(p, 3);
    check_free_lists();
}

/* Freeing a page twice or a reserved page is reported, not done. */
static void test_bad_frees(void)
{
    struct snapshot before, now;
    struct page *p;

    mm_host_boot(64u << 20, 1, 1);
    p = alloc_pages(GFP_KERNEL, 2);
    CHECK(p != NULL);
    __free_pages(p, 2);
    take_snapshot(&before);
    __free_pages(p, 2);                       /* double free */
    CHECK_EQ(mm_bad_pages, 1);
    __free_page(pfn_to_page(300));            /* the kernel image */
    CHECK_EQ(mm_bad_pages, 2);
    p = alloc_page(GFP_KERNEL);
    p->_mapcount = 0;                         /* still mapped */
    __free_page(p);
    CHECK_EQ(mm_bad_pages, 3);
    p->_mapcount = -1;                        /* leaked, as Linux does */
    take_snapshot(&now);
    check_free_lists();
    p = alloc_pages(GFP_KERNEL, 1);
    __free_pages(p, 0);                       /* wrong order */
    CHECK_EQ(mm_bad_pages, 4);
}

/* The watermark check itself. */
static void test_watermark_ok(void)
{
    struct zone *normal = zone_of(0, ZONE_NORMAL), *dma = zone_of(0, ZONE_DMA);
    uint32_t free;

    mm_host_boot(64u << 20, 1, 1);
    free = zone_page_state(normal, NR_FREE_PAGES);
    CHECK(zone_watermark_ok(normal, 0, free - 1, ZONE_NORMAL, 0));
    CHECK(!zone_watermark_ok(normal, 0, free, ZONE_NORMAL, 0));
    CHECK(zone_watermark_ok(normal, 0, free, ZONE_NORMAL, ALLOC_HIGH));
    /* DMA keeps back lowmem_reserve[NORMAL] from NORMAL-class requests */
    free = zone_page_state(dma, NR_FREE_PAGES);
    CHECK(zone_watermark_ok(dma, 0, free - 1, ZONE_DMA, 0));
    CHECK(!zone_watermark_ok(dma, 0, free - 1, ZONE_NORMAL, 0));
    CHECK(zone_watermark_ok(dma, 0, free - 1 - dma->lowmem_reserve[ZONE_NORMAL], ZONE_NORMAL, 0));
    /* order 10 ignores the lower orders' pages */
    CHECK(!zone_watermark_ok(dma, 10, 0, ZONE_DMA, 0) || dma->free_area[10].nr_free > 0);
}

/* Two nodes: CPU 1 allocates from node 1; node 0 first only for node 0. */
static void test_numa(void)
{
    struct page *p;

    mm_host_boot(64u << 20, 2, 2);
    CHECK_EQ(nr_online_nodes, 2);
    CHECK_EQ(cpu_to_node(0), 0);
    CHECK_EQ(cpu_to_node(1), 1);
    CHECK_EQ(node_data[1].node_start_pfn, 7168);
    CHECK_EQ(node_data[1].node_zonelist.zones[0].node, 1);
    CHECK_EQ(node_data[1].node_zonelist.zones[1].node, 0);
    CHECK_EQ(node_data[1].node_zonelist.zones[1].zone, ZONE_NORMAL);
    CHECK_EQ(node_data[1].node_zonelist_local.zones[1].node, 0xff);
    mm_host_set_cpu(1);
    p = alloc_page(GFP_KERNEL);
    CHECK(p && page_to_nid(p) == 1);
    CHECK_EQ(zone_of(1, ZONE_NORMAL)->vm_stat[NUMA_HIT], 1);
    CHECK_EQ(zone_of(1, ZONE_NORMAL)->vm_stat[NUMA_LOCAL], 1);
    __free_page(p);
    /* node 1 has no DMA: for GFP_DMA from CPU 1 the preferred zone is node
     * 0's DMA (the first allowed one of the zonelist): a hit, but not local */
    p = alloc_page(GFP_DMA);
    CHECK(p && page_to_nid(p) == 0 && page_zonenum(p) == ZONE_DMA);
    CHECK_EQ(zone_of(0, ZONE_DMA)->vm_stat[NUMA_HIT], 1);
    CHECK_EQ(zone_of(0, ZONE_DMA)->vm_stat[NUMA_OTHER], 1);
    __free_page(p);
    p = alloc_pages_node(0, GFP_KERNEL, 0);
    CHECK(p && page_to_nid(p) == 0);
    CHECK_EQ(zone_of(0, ZONE_NORMAL)->vm_stat[NUMA_OTHER], 1);
    __free_page(p);
    CHECK(alloc_pages_node(1, GFP_DMA | __GFP_THISNODE | __GFP_NOWARN, 0) == NULL);
    /* node 1 exhausted: the next request from node 1 is a miss on node 0 */
    {
        struct page *last = NULL;
        uint32_t n = 0;
        while ((p = alloc_pages_node(1, GFP_KERNEL | __GFP_NOWARN, 0)) != NULL && page_to_nid(p) == 1) {
            p->lru.next = last ? page_to_pfn(last) : MM_NIL;   /* chain them to free later */
            last = p;
            n++;
        }
        CHECK(p && page_to_nid(p) == 0);
        CHECK(n > 9000);
        CHECK_EQ(zone_of(0, ZONE_NORMAL)->vm_stat[NUMA_MISS], 1);
        CHECK_EQ(zone_of(1, ZONE_NORMAL)->vm_stat[NUMA_FOREIGN], 1);
        if (p)
            __free_page(p);
        while (last) {
            struct page *next = last->lru.next == MM_NIL ? NULL : pfn_to_page(last->lru.next);
            last->lru.next = MM_NIL;
            __free_page(last);
            last = next;
        }
    }
    mm_host_set_cpu(0);
    drain_all_pages();
    check_free_lists();
}

/* With the debug options on (colleague's debug.c): the full invariant check
 * after every operation stays clean, poisoned pages come back intact. */
static void test_with_debug_checks(void)
{
    struct page *pg[64];
    unsigned i, order;
    uint32_t bad0;

    /* one node: with two, node 1's Normal zone has managed > present (its
     * share of mem_map lives in node 0), see docs/mm.md */
    mm_host_boot(64u << 20, 2, 1);
    CHECK_EQ(mm_check_invariants(true), 0);
    mm_debug.check_each_op = true;
    mm_debug.poison = true;
    bad0 = mm_bad_pages;
    for (i = 0; i < 64; i++) {
        mm_host_set_cpu(i & 1);
        pg[i] = alloc_pages(i % 3 == 0 ? GFP_KERNEL : i % 3 == 1 ? GFP_HIGHUSER_MOVABLE
                                                                  : GFP_KERNEL | __GFP_RECLAIMABLE,
                            i % 5);
        CHECK(pg[i] != NULL);
    }
    for (i = 0; i < 64; i++) {
        mm_host_set_cpu((i >> 1) & 1);
        if (pg[i])
            __free_pages(pg[i], i % 5);
    }
    for (order = 0; order < MAX_ORDER; order++) {
        struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
        CHECK(p != NULL);
        if (p)
            __free_pages(p, order);
    }
    mm_host_set_cpu(0);
    drain_all_pages();
    mm_debug.check_each_op = false;
    mm_debug.poison = false;
    CHECK_EQ(mm_bad_pages, bad0);
    CHECK_EQ(mm_check_invariants(true), 0);
}

static void alloc_on_node_5(void *arg)
{
    (void)arg;
    alloc_pages_node(5, GFP_KERNEL, 0);
}

static void drain_fn(void *arg)
{
    (void)arg;
    drain_local_pages();
}

static void double_lock(void *arg)
{
    struct zone *z = arg;
    arch_spin_lock_irqsave(&z->lock);
    arch_spin_lock_irqsave(&z->lock);
}

/* The host arch layer catches MM_BUG_ON for tests. */
static void test_expect_bug(void)
{
    unsigned before;

    mm_host_boot(64u << 20, 1, 1);
    before = mm_host_bugs();
    CHECK(mm_host_expect_bug(alloc_on_node_5, NULL));
    CHECK(strstr(mm_host_last_bug(), "nr_online_nodes") != NULL);
    CHECK(mm_host_expect_bug(double_lock, zone_of(0, ZONE_NORMAL)));
    CHECK_EQ(mm_host_bugs(), before + 2);
    mm_host_unlock_all();
    if (!MM_HOST_EXPECT_BUG()) {
        __free_pages(pfn_to_page(5000), MAX_ORDER);
        CHECK(!"no MM_BUG_ON");
    }
    mm_host_expect_bug_end();
    CHECK(!mm_host_expect_bug(drain_fn, NULL));
    CHECK(alloc_page(GFP_KERNEL) != NULL);     /* still usable */
}

int main(void)
{
    test_sizes_64m();
    test_sizes_1g();
    test_big_machine();
    test_every_order();
    test_split_and_coalesce();
    test_dma();
    test_zero_and_addresses();
    test_pcp();
    test_fallback_steal();
    test_bad_frees();
    test_watermark_ok();
    test_numa();
    test_with_debug_checks();
    test_expect_bug();
    mm_host_reset();
    return unit_done();
}
