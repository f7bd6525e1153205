/* tests/unit/test_mm_zones.c - which zone an allocation may use: GFP_DMA
 * stays below 16 MiB, highmem only with __GFP_HIGHMEM, the zonelist fallback
 * HIGHMEM -> NORMAL -> DMA, lowmem_reserve refusals, how far GFP_ATOMIC may
 * dig below min, the kswapd / direct reclaim / failure counters, the failure
 * report and __GFP_NOWARN, and NUMA placement and counters with 2 nodes.
 *
 * Every allocation goes through ref_alloc_checked (mm_refmodel.h), which
 * predicts from Linux 2.6.32's rules (low watermark pass over the zonelist,
 * wake kswapd for each allowed zone failing low, min pass with
 * gfp_to_alloc_flags, direct reclaim for __GFP_WAIT, failure on the
 * preferred zone) the zone the block must come from and every counter
 * change, and checks them.  The scenarios below also check by hand-worked
 * numbers.
 */
#include "unit.h"
#include "mm_refmodel.h"

#define NOWARN __GFP_NOWARN

static struct ref_machine M;

/* Allocates with gfp/order until it fails; returns the number of blocks
 * obtained and checks that each one came from a zone in allowed (bit mask of
 * zone indexes). */
static unsigned alloc_until_null(gfp_t gfp, unsigned order, int nid, unsigned allowed)
{
    unsigned n = 0;
    struct page *p;
    while ((p = ref_alloc_checked(&M, gfp, order, nid, NULL)) != NULL) {
        RCHECK(allowed & (1u << page_zonenum(p)), "gfp 0x%x: zone %u not allowed", gfp, page_zonenum(p));
        n++;
    }
    return n;
}

/* Orders 10 down to 0, each until it fails. */
static unsigned fill(gfp_t gfp, int nid, unsigned allowed)
{
    unsigned n = 0;
    int o;
    for (o = MAX_ORDER - 1; o >= 0; o--)
        n += alloc_until_null(gfp, (unsigned)o, nid, allowed);
    return n;
}

static struct zone *Z(unsigned nid, unsigned idx) { return &node_data[nid].node_zones[idx]; }
static int32_t nfree(unsigned nid, unsigned idx) { return Z(nid, idx)->vm_stat[NR_FREE_PAGES]; }

/* ---- 64 MiB: DMA, lowmem_reserve, GFP_ATOMIC, counters, the failure report ---------- */

static void test_64m(void)
{
    struct ref_pred pred;
    struct page *p;
    uint32_t fails_dma, fails_normal;
    unsigned n;
    struct ref_capture cap;
    char *out;

    printf("64 MiB: lowmem_reserve, GFP_DMA, GFP_ATOMIC\n");
    mm_host_boot(64ull << 20, 1, 1);
    ref_machine_init(&M, 64ull << 20, 1, 1);
    /* DMA: min 62, low 77, lowmem_reserve (0, 47, 47); Normal: min 190, low 237 (test_mm_watermarks). */
    CHECK_EQ(M.n[0].z[ZONE_DMA].wmark[WMARK_MIN], 62);
    CHECK_EQ(M.n[0].z[ZONE_DMA].reserve[ZONE_NORMAL], 47);
    CHECK_EQ(M.n[0].z[ZONE_NORMAL].wmark[WMARK_MIN], 190);

    /* A fresh machine: the first allocation passes the low watermark, no counter moves. */
    p = ref_alloc_checked(&M, GFP_KERNEL, 0, -1, &pred);
    CHECK(p && page_zonenum(p) == ZONE_NORMAL && !pred.slowpath);

    /* Fill with GFP_KERNEL (orders 10 .. 0).  Normal then stops at its min exactly
     * (classzone Normal, reserve[Normal] = 0; per-CPU batch 1 so no overshoot), and DMA,
     * used once Normal is below low, stops at min + lowmem_reserve[Normal] = 62 + 47 = 109:
     * the reserve keeps 47 pages back from allocations that could have used Normal. */
    n = fill(GFP_KERNEL | NOWARN, -1, 1u << ZONE_DMA | 1u << ZONE_NORMAL);
    CHECK(n > 0);
    CHECK_EQ(nfree(0, ZONE_NORMAL), 190);
    CHECK_EQ(nfree(0, ZONE_DMA), 62 + 47);

    /* GFP_KERNEL fails now: kswapd wakeup on Normal (190 <= low 237; DMA's 109 > 77 passes
     * its own low check with classzone 0), a direct reclaim counted on both allowed zones,
     * the failure on the preferred zone (Normal). */
    fails_normal = Z(0, ZONE_NORMAL)->alloc_failures;
    {
        uint32_t ks_n = Z(0, ZONE_NORMAL)->kswapd_wakeups, ks_d = Z(0, ZONE_DMA)->kswapd_wakeups;
        uint32_t dr_n = Z(0, ZONE_NORMAL)->direct_reclaims, dr_d = Z(0, ZONE_DMA)->direct_reclaims;
        p = ref_alloc_checked(&M, GFP_KERNEL | NOWARN, 0, -1, &pred);
        CHECK(p == NULL);
        CHECK_EQ(Z(0, ZONE_NORMAL)->kswapd_wakeups, ks_n + 1);
        CHECK_EQ(Z(0, ZONE_DMA)->kswapd_wakeups, ks_d);
        CHECK_EQ(Z(0, ZONE_NORMAL)->direct_reclaims, dr_n + 1);
        CHECK_EQ(Z(0, ZONE_DMA)->direct_reclaims, dr_d + 1);
        CHECK_EQ(Z(0, ZONE_NORMAL)->alloc_failures, fails_normal + 1);
    }

    /* GFP_KERNEL | __GFP_DMA: classzone DMA, reserve[DMA] = 0: DMA gives exactly its 47
     * reserved pages, down to min 62. */
    n = alloc_until_null(GFP_KERNEL | __GFP_DMA | NOWARN, 0, -1, 1u << ZONE_DMA);
    CHECK_EQ(n, 47);
    CHECK_EQ(nfree(0, ZONE_DMA), 62);

    /* Plain GFP_DMA has no __GFP_WAIT: ALLOC_HARDER, min - min/4 = 62 - 15 = 47:
     * exactly 15 more pages, no direct reclaim (it cannot sleep); then NULL with the
     * failure counted on DMA. */
    fails_dma = Z(0, ZONE_DMA)->alloc_failures;
    {
        uint32_t dr = Z(0, ZONE_DMA)->direct_reclaims;
        n = alloc_until_null(GFP_DMA | NOWARN, 0, -1, 1u << ZONE_DMA);
        CHECK_EQ(n, 15);
        CHECK_EQ(nfree(0, ZONE_DMA), 47);
        CHECK_EQ(Z(0, ZONE_DMA)->direct_reclaims, dr);
        CHECK_EQ(Z(0, ZONE_DMA)->alloc_failures, fails_dma + 1);
    }

    /* The failure report: printed without __GFP_NOWARN, silent with it. */
    ref_capture_begin(&cap);
    p = ref_alloc_checked(&M, GFP_DMA, 0, -1, NULL);
    out = ref_capture_end(&cap);
    CHECK(p == NULL);
    RCHECK(strstr(out, "page allocation failure") != NULL, "no failure report: \"%.200s\"", out);
    RCHECK(strstr(out, "order:0") != NULL && strstr(out, "mode:0x1") != NULL,
           "report lacks order:0 / mode:0x1: \"%.200s\"", out);
    free(out);
    ref_capture_begin(&cap);
    p = ref_alloc_checked(&M, GFP_DMA | NOWARN, 0, -1, NULL);
    out = ref_capture_end(&cap);
    CHECK(p == NULL);
    RCHECK(out[0] == 0, "__GFP_NOWARN failure printed \"%.200s\"", out);
    free(out);
    ref_capture_begin(&cap);
    p = ref_alloc_checked(&M, GFP_KERNEL | __GFP_DMA, 3, -1, NULL);
    out = ref_capture_end(&cap);
    CHECK(p == NULL);
    RCHECK(strstr(out, "page allocation failure") && strstr(out, "order:3") && strstr(out, "mode:0xd1"),
           "report for GFP_KERNEL|GFP_DMA order 3: \"%.200s\"", out);
    free(out);
    CHECK_EQ(Z(0, ZONE_DMA)->alloc_failures, fails_dma + 4);

    /* GFP_ATOMIC | __GFP_DMA: ALLOC_HIGH then ALLOC_HARDER: 62 - 31 = 31, 31 - 7 = 24:
     * 47 - 24 = 23 more pages. */
    n = alloc_until_null(GFP_ATOMIC | __GFP_DMA | NOWARN, 0, -1, 1u << ZONE_DMA);
    CHECK_EQ(n, 23);
    CHECK_EQ(nfree(0, ZONE_DMA), 24);

    /* GFP_ATOMIC from Normal (190 free): 190 - 95 = 95, 95 - 23 = 72: 118 pages, all from
     * Normal (DMA refuses: 24 <= 24 + reserve 47); GFP_KERNEL got none of them. */
    n = alloc_until_null(GFP_ATOMIC | NOWARN, 0, -1, 1u << ZONE_NORMAL);
    CHECK_EQ(n, 118);
    CHECK_EQ(nfree(0, ZONE_NORMAL), 72);
    CHECK_EQ(nfree(0, ZONE_DMA), 24);
    /* Never above 16 MiB, never highmem: checked on every block by ref_check_block. */

    /* An order >= MAX_ORDER request fails (Linux: NULL, a warning unless __GFP_NOWARN). */
    {
        uint64_t before = ref_buddy_pages();
        p = alloc_pages(GFP_KERNEL | NOWARN, MAX_ORDER);
        CHECK(p == NULL);
        CHECK_EQ(ref_buddy_pages(), before);
    }

    if (&mm_check_invariants)
        CHECK_EQ(mm_check_invariants(true), 0);
}

/* ---- 1 GiB: the zonelist fallback HIGHMEM -> NORMAL -> DMA ----------------------------- */

static void test_fallback(void)
{
    struct ref_pred pred;
    struct page *p;
    unsigned got[MAX_NR_ZONES] = { 0 }, n, o;

    printf("1 GiB: zonelist fallback\n");
    mm_host_boot(1ull << 30, 1, 1);
    ref_machine_init(&M, 1ull << 30, 1, 1);

    /* GFP_HIGHUSER: HighMem first, as long as it passes its low watermark (66). */
    p = ref_alloc_checked(&M, GFP_HIGHUSER, 0, -1, NULL);
    CHECK(p && page_zonenum(p) == ZONE_HIGHMEM && page_flag(p, PG_highmem));
    /* Order 10 blocks until one comes from elsewhere. */
    for (;;) {
        p = ref_alloc_checked(&M, GFP_HIGHUSER | NOWARN, 10, -1, &pred);
        if (!p || page_zonenum(p) != ZONE_HIGHMEM)
            break;
        got[ZONE_HIGHMEM]++;
    }
    /* HighMem (229376 .. 262111) is 31 whole order-10 blocks (one of them the
     * MIGRATE_RESERVE pageblock) and 992 pages in blocks of order 9, 8, 7, 6, 5.
     * The first order-0 allocation (UNMOVABLE) found no UNMOVABLE page and fell
     * back to the *largest* MOVABLE block (__rmqueue_fallback searches from order
     * 10 down), claiming that pageblock: a batch of 7 pages went to the per-CPU
     * list and 1017 pages stayed in orders 0..9.  So 30 order-10 blocks are left
     * (the reserve one last), all given (free - 1023 > 66 and an order-10 block
     * exists); the 31st order-10 request goes to Normal.
     * HighMem free: 32736 - 7 - 30 * 1024 = 2009. */
    CHECK_EQ(got[ZONE_HIGHMEM], 30);
    CHECK(p && page_zonenum(p) == ZONE_NORMAL);
    CHECK_EQ(nfree(0, ZONE_HIGHMEM), 2009);
    /* Now order 0 until the first page from Normal.  The per-CPU list holds 6 pages;
     * an allocation is served by HighMem while free > low 66 (checked before the
     * list is used); every 7th refills 7 pages.  Refill k happens at free
     * 2009 - 7(k-1) > 66, so 278 refills (the last at 70 -> 63): after it one page is
     * taken, then free 63 <= 66 sends the next request to Normal although the list
     * still holds 6 pages: 6 + 277 * 7 + 1 = 1946 pages from HighMem. */
    for (n = 0;; n++) {
        p = ref_alloc_checked(&M, GFP_HIGHUSER | NOWARN, 0, -1, &pred);
        if (!p || page_zonenum(p) != ZONE_HIGHMEM)
            break;
    }
    CHECK(p && page_zonenum(p) == ZONE_NORMAL);
    CHECK_EQ(n, 1946);
    CHECK_EQ(nfree(0, ZONE_HIGHMEM), 63);
    CHECK_EQ(Z(0, ZONE_HIGHMEM)->pcp[0].count, 6);
    /* Fill the rest with GFP_HIGHUSER: Normal down to min + reserve[HighMem]
     * = 936 + 1014 = 1950 (less a per-CPU batch of at most 31), DMA down to
     * 16 + 999 = 1015 (batch 1), HighMem down to min 32 (less a batch of 7; the
     * orders above 0 take some of it first, so the exact end is left to the
     * predictor of ref_alloc_checked). */
    fill(GFP_HIGHUSER | NOWARN, -1, 7);
    CHECK(nfree(0, ZONE_NORMAL) <= 1950 && nfree(0, ZONE_NORMAL) > 1950 - 31);
    CHECK_EQ(nfree(0, ZONE_DMA), 1015);
    CHECK(nfree(0, ZONE_HIGHMEM) <= 32 && nfree(0, ZONE_HIGHMEM) > 32 - 7);
    /* DMA was reached: the fallback went HighMem -> Normal -> DMA. */
    {
        uint32_t pfn;
        unsigned used_dma = 0;
        for (pfn = 0; pfn < REF_DMA_END_PFN; pfn++)
            if (!page_flag(pfn_to_page(pfn), PG_reserved) && page_count(pfn_to_page(pfn)) == 1)
                used_dma++;
        CHECK(used_dma > 0);
    }
    /* GFP_KERNEL (classzone Normal) still finds pages: Normal's reserve against HighMem
     * requests (1014) is not held against it; never from HighMem. */
    for (o = 0; o < 64; o++) {
        p = ref_alloc_checked(&M, GFP_KERNEL | NOWARN, 0, -1, NULL);
        CHECK(p && page_zonenum(p) == ZONE_NORMAL);
    }
    fill(GFP_KERNEL | NOWARN, -1, 3);
    CHECK(nfree(0, ZONE_NORMAL) <= 936 && nfree(0, ZONE_NORMAL) > 936 - 31);
    /* DMA: min 16 + reserve[Normal] 872 = 888. */
    CHECK_EQ(nfree(0, ZONE_DMA), 888);

    if (&mm_check_invariants)
        CHECK_EQ(mm_check_invariants(true), 0);
}

/* ---- 1 GiB, 2 nodes: node placement, __GFP_THISNODE, NUMA counters -------------------- */

static int32_t st(unsigned nid, unsigned z, unsigned item) { return Z(nid, z)->vm_stat[item]; }

static void test_numa(void)
{
    struct page *p;
    int32_t before[MAX_NUMNODES][MAX_NR_ZONES][NR_VM_ZONE_STAT_ITEMS];
    unsigned n;

    printf("1 GiB, 2 nodes: NUMA\n");
    mm_host_boot(1ull << 30, 4, 2);
    ref_machine_init(&M, 1ull << 30, 4, 2);
    /* CPUs 0, 1 on node 0; 2, 3 on node 1. */
    CHECK_EQ(cpu_to_node(1), 0);
    CHECK_EQ(cpu_to_node(2), 1);

    /* CPU 0, GFP_KERNEL: node 0's Normal; a hit and local. */
    mm_host_set_cpu(0);
    {
        unsigned a, b;
        for (a = 0; a < 2; a++)
            for (b = 0; b < 3; b++)
                memcpy(before[a][b], Z(a, b)->vm_stat, sizeof(before[a][b]));
    }
    p = ref_alloc_checked(&M, GFP_KERNEL, 1, -1, NULL);
    CHECK(p && page_to_nid(p) == 0 && page_zonenum(p) == ZONE_NORMAL);
    CHECK_EQ(st(0, ZONE_NORMAL, NUMA_HIT), before[0][ZONE_NORMAL][NUMA_HIT] + 1);
    CHECK_EQ(st(0, ZONE_NORMAL, NUMA_LOCAL), before[0][ZONE_NORMAL][NUMA_LOCAL] + 1);

    /* CPU 3 (node 1): node 1's Normal, hit and local there. */
    mm_host_set_cpu(3);
    p = ref_alloc_checked(&M, GFP_KERNEL, 1, -1, NULL);
    CHECK(p && page_to_nid(p) == 1 && page_zonenum(p) == ZONE_NORMAL);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_HIT), 1);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_LOCAL), 1);
    /* CPU 3, GFP_HIGHUSER: node 1's HighMem. */
    p = ref_alloc_checked(&M, GFP_HIGHUSER, 0, -1, NULL);
    CHECK(p && page_to_nid(p) == 1 && page_zonenum(p) == ZONE_HIGHMEM);

    /* CPU 0 asking for node 1: a hit on node 1 (the node asked for), but "other". */
    mm_host_set_cpu(0);
    p = ref_alloc_checked(&M, GFP_KERNEL, 1, 1, NULL);
    CHECK(p && page_to_nid(p) == 1);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_HIT), 2);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_OTHER), 1);

    /* Linux's GFP_THISNODE (__GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN, slab's flags)
     * gives up after the low-watermark pass: __alloc_pages_slowpath jumps to nopage
     * before waking kswapd ("should not cause reclaim").  Bring node 0 just below its
     * low watermarks, then ask. */
    {
        struct ref_pred pred;
        struct ref_counters c0, c1;
        int o;
        unsigned zz;
        bool quiet = true;
        for (o = MAX_ORDER - 1; o >= 0; o--)
            for (;;) {
                ref_predict(&M, GFP_KERNEL | __GFP_THISNODE, (unsigned)o, -1, 0, &pred);
                if (pred.slowpath || !ref_alloc_checked(&M, GFP_KERNEL | __GFP_THISNODE | NOWARN, (unsigned)o, -1, NULL))
                    break;
            }
        ref_predict(&M, GFP_KERNEL | __GFP_THISNODE, 0, -1, 0, &pred);
        CHECK(pred.slowpath && pred.zone != NULL);   /* a GFP_KERNEL request would dig below low */
        ref_counters_take(&c0);
        p = alloc_pages_node(-1, GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN, 0);
        ref_counters_take(&c1);
        for (zz = 0; zz < MAX_NR_ZONES; zz++)
            if (c1.kswapd[0][zz] != c0.kswapd[0][zz] || c1.reclaim[0][zz] != c0.reclaim[0][zz])
                quiet = false;
        LINUX_CHECK(p == NULL && quiet,
                    "GFP_THISNODE with node 0 below low: got %s, kswapd/reclaim counted: %s (Linux: NULL, "
                    "no kswapd wakeup, no reclaim)", p ? ref_zone_name(page_zone(p)) : "NULL", quiet ? "no" : "yes");
        CHECK(p == NULL || page_to_nid(p) == 0);
    }

    /* CPU 0 exhausts node 0 with __GFP_THISNODE: every block from node 0, then NULL
     * (no fallback to node 1), the failure on node 0's Normal. */
    {
        uint32_t f = Z(0, ZONE_NORMAL)->alloc_failures;
        int o;
        for (o = MAX_ORDER - 1; o >= 0; o--) {
            while ((p = ref_alloc_checked(&M, GFP_KERNEL | __GFP_THISNODE | NOWARN, (unsigned)o, -1, NULL)))
                RCHECK(page_to_nid(p) == 0, "__GFP_THISNODE gave node %u", page_to_nid(p));
            CHECK_EQ(Z(0, ZONE_NORMAL)->alloc_failures, ++f);
        }
        CHECK(nfree(0, ZONE_NORMAL) <= 523);     /* node 0 Normal min 523 */
        CHECK_EQ(nfree(0, ZONE_DMA), 16 + 487);   /* node 0 DMA min + reserve[Normal] */
    }
    /* THISNODE for node 0 from CPU 3 fails too. */
    mm_host_set_cpu(3);
    CHECK(ref_alloc_checked(&M, GFP_KERNEL | __GFP_THISNODE | NOWARN, 0, 0, NULL) == NULL);

    /* Now CPU 0's GFP_KERNEL falls back to node 1: a miss there, foreign on node 0's
     * Normal (the preferred zone), other (CPU 0 is not on node 1). */
    mm_host_set_cpu(0);
    {
        unsigned a, b;
        for (a = 0; a < 2; a++)
            for (b = 0; b < 3; b++)
                memcpy(before[a][b], Z(a, b)->vm_stat, sizeof(before[a][b]));
    }
    p = ref_alloc_checked(&M, GFP_KERNEL, 1, -1, NULL);
    CHECK(p && page_to_nid(p) == 1 && page_zonenum(p) == ZONE_NORMAL);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_MISS), before[1][ZONE_NORMAL][NUMA_MISS] + 1);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_OTHER), before[1][ZONE_NORMAL][NUMA_OTHER] + 1);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_HIT), before[1][ZONE_NORMAL][NUMA_HIT]);
    CHECK_EQ(st(1, ZONE_NORMAL, NUMA_LOCAL), before[1][ZONE_NORMAL][NUMA_LOCAL]);
    CHECK_EQ(st(0, ZONE_NORMAL, NUMA_FOREIGN), before[0][ZONE_NORMAL][NUMA_FOREIGN] + 1);
    CHECK_EQ(st(0, ZONE_NORMAL, NUMA_HIT), before[0][ZONE_NORMAL][NUMA_HIT]);
    /* CPU 1 (node 0), GFP_HIGHUSER: node 0 has no HighMem; its Normal (preferred,
     * classzone Normal) and DMA refuse; node 1's HighMem serves: miss, foreign on node 0's
     * Normal, other. */
    mm_host_set_cpu(1);
    p = ref_alloc_checked(&M, GFP_HIGHUSER, 0, -1, NULL);
    CHECK(p && page_to_nid(p) == 1 && page_zonenum(p) == ZONE_HIGHMEM);
    CHECK_EQ(st(1, ZONE_HIGHMEM, NUMA_MISS), 1);
    CHECK_EQ(st(0, ZONE_NORMAL, NUMA_FOREIGN), before[0][ZONE_NORMAL][NUMA_FOREIGN] + 2);
    /* CPU 2 (node 1) with __GFP_THISNODE for its own node: fine. */
    mm_host_set_cpu(2);
    for (n = 0; n < 100; n++) {
        p = ref_alloc_checked(&M, GFP_KERNEL | __GFP_THISNODE, 0, -1, NULL);
        CHECK(p && page_to_nid(p) == 1);
    }
    mm_host_set_cpu(0);
    if (&mm_check_invariants)
        CHECK_EQ(mm_check_invariants(true), 0);
}

int main(void)
{
    test_64m();
    test_fallback();
    test_numa();
    mm_host_reset();
    return unit_done();
}
