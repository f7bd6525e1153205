/* tests/unit/test_mm_random.c - long random sequences of allocations and
 * frees, checked after every step against an independent model.
 *
 * The model is the set of blocks the test holds (pfn, order, zone, node,
 * migrate type, gfp) with a pfn -> block map.  Each allocation goes through
 * ref_alloc_api (mm_refmodel.h): Linux 2.6.32's rules, evaluated on the
 * zones' free counts before the call, say which zone the block must come
 * from (or that it must fail), and which counters (kswapd wakeups, direct
 * reclaims, failures, NUMA hit/miss/foreign/local/other) must move.  After
 * every step:
 *   - a new block: aligned, inside a zone the gfp allows (never >= 16 MiB for
 *     GFP_DMA, never highmem without __GFP_HIGHMEM, on the asked node with
 *     __GFP_THISNODE), refcount 1, PG_head/private for order > 0, overlapping
 *     no block the model holds, all zero for __GFP_ZERO;
 *   - NR_FREE_PAGES == the pages on the buddy lists, and buddy + per-CPU +
 *     model pages == what the allocator had right after boot;
 *   - for every allocation that calls __rmqueue once (order >= 1, or order 0
 *     refilled one page at a time): the exact block Linux's __rmqueue takes
 *     from the lists as they are (smallest of the type, else the largest of
 *     the fallback types, MIGRATE_RESERVE last), the split-off halves on the
 *     right lists, pageblock stealing (order >= 5 or RECLAIMABLE moves the
 *     pageblock's free pages; >= 512 of them or order 10 claims it);
 *   - for every free of order >= 1: the merged block Linux's __free_one_page
 *     makes, at the head of the list of its pageblock's type;
 *   - a NULL only when the prediction says every allowed zone refuses (and,
 *     as a sanity statistic, never for order <= 3 while more than 25% of the
 *     allowed zones' pages are free);
 * every 1000 steps: a walk of every free list and per-CPU list (flags,
 * orders, alignment, no overlap with each other or with the model, every
 * unreserved page accounted for exactly once) and mm_check_invariants(false).
 * At the end everything is freed and every per-CPU list drained: the free
 * blocks must be exactly those after boot (same pfns and orders, same
 * per-zone per-order counts): full coalescing.
 *
 * Machines: 64 MiB and 1 GiB with 1 node, 1 GiB with 2 nodes; 4 CPUs; three
 * fixed seeds each; 100000 operations per seed.
 */
#include "unit.h"
#include "mm_refmodel.h"

#define STEPS 100000
#define NCPUS 4
#define DIRTY_PFN_LIMIT 32768u    /* dirty (write to) held pages below 128 MiB only: bounded RSS */

struct rec {
    uint32_t pfn;
    uint8_t order, zone, node, mt;
    gfp_t gfp;
};

static struct ref_machine M;
static struct rec *recs;
static uint32_t nrecs, caprecs;
static uint32_t *owner;                  /* pfn -> index in recs + 1, 0 if not held */
static uint64_t model_pages, boot_total;

static struct ref_block *boot_blocks;
static size_t boot_nblocks;
static uint32_t boot_nr_free[MAX_NUMNODES][MAX_NR_ZONES][MAX_ORDER];
static uint32_t boot_type_pages[MIGRATE_TYPES];

/* statistics */
static unsigned long st_allocs, st_nulls, st_frees, st_null_roomy, st_reports_expected, st_slow;

/* ---- the request mix ----------------------------------------------------------------- */

static const struct { gfp_t gfp; unsigned weight; } gfp_mix[] = {
    { GFP_KERNEL, 20 },
    { GFP_KERNEL | __GFP_ZERO, 4 },
    { GFP_ATOMIC, 8 },
    { GFP_NOIO, 2 },
    { GFP_NOFS, 2 },
    { GFP_USER, 3 },
    { GFP_DMA, 2 },
    { GFP_KERNEL | __GFP_DMA, 2 },
    { GFP_ATOMIC | __GFP_DMA | __GFP_ZERO, 1 },
    { GFP_HIGHUSER, 10 },
    { GFP_HIGHUSER_MOVABLE, 16 },
    { GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 3 },
    { GFP_KERNEL | __GFP_MOVABLE, 4 },
    { __GFP_MOVABLE, 1 },                       /* no __GFP_WAIT: ALLOC_HARDER */
    { GFP_KERNEL | __GFP_RECLAIMABLE, 8 },
    { GFP_ATOMIC | __GFP_RECLAIMABLE, 2 },
    { GFP_KERNEL | __GFP_COLD, 3 },
    { GFP_HIGHUSER_MOVABLE | __GFP_COLD, 3 },
    { GFP_KERNEL | __GFP_THISNODE, 2 },
    { GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, 2 },
    { GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY, 1 },   /* Linux's GFP_THISNODE once pick_gfp adds NOWARN */
    { GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN, 1 },   /* Linux's GFP_THISNODE */
    { GFP_KERNEL | __GFP_DMA32, 1 },                                     /* NORMAL on i386 */
    { GFP_NOIO | __GFP_NORETRY | __GFP_REPEAT, 1 },
};

static const unsigned order_weight[MAX_ORDER] = { 40, 18, 12, 10, 6, 4, 3, 2, 2, 2, 1 };

static gfp_t pick_gfp(void)
{
    unsigned total = 0, i, r;
    gfp_t gfp;
    for (i = 0; i < sizeof(gfp_mix) / sizeof(gfp_mix[0]); i++)
        total += gfp_mix[i].weight;
    r = ref_rand(total);
    for (i = 0; r >= gfp_mix[i].weight; i++)
        r -= gfp_mix[i].weight;
    gfp = gfp_mix[i].gfp;
    /* A few failures are reported.  Linux's GFP_THISNODE (__GFP_THISNODE | __GFP_NORETRY |
     * __GFP_NOWARN) gives up before the slow path (ref_predict). */
    if (ref_rand(1000) >= 3)
        gfp |= __GFP_NOWARN;
    return gfp;
}

static unsigned pick_order(gfp_t gfp)
{
    unsigned r = ref_rand(100), o = 0;
    while (r >= order_weight[o])
        r -= order_weight[o++];
    if ((gfp & __GFP_ZERO) && o > 3)            /* zeroing touches host RAM: keep it small */
        o = ref_rand(4);
    return o;
}

/* ---- the model ------------------------------------------------------------------------- */

static void model_add(struct page *page, unsigned order, gfp_t gfp)
{
    uint32_t pfn = page_to_pfn(page), i, n = 1u << order;
    bool overlap = false;
    for (i = 0; i < n; i++)
        if (owner[pfn + i]) {
            overlap = true;
            break;
        }
    RCHECK(!overlap, "block %u/%u overlaps held block at pfn %u (index %u)", pfn, order, pfn + i,
           overlap ? owner[pfn + i] - 1 : 0);
    if (nrecs == caprecs) {
        caprecs = caprecs ? caprecs * 2 : 4096;
        recs = realloc(recs, caprecs * sizeof(*recs));
    }
    recs[nrecs] = (struct rec){ pfn, (uint8_t)order, (uint8_t)page_zonenum(page), (uint8_t)page_to_nid(page),
                                (uint8_t)ref_gfp_mt(gfp), gfp };
    nrecs++;
    for (i = 0; i < n; i++)
        if (!owner[pfn + i])
            owner[pfn + i] = nrecs;
    model_pages += n;
    /* Use the block: dirty a word of each page (so a later __GFP_ZERO must really zero). */
    if (!(gfp & __GFP_ZERO))
        for (i = 0; i < n && pfn + i < DIRTY_PFN_LIMIT; i++) {
            uint64_t *w = mm_host_ram((uint64_t)(pfn + i) << PAGE_SHIFT);
            w[(pfn + i) % (PAGE_SIZE / 8)] = 0xdead0000ull | (pfn + i);
        }
}

static void model_free(uint32_t k)
{
    struct rec r = recs[k];
    struct page *page = pfn_to_page(r.pfn);
    uint32_t i, n = 1u << r.order;
    unsigned how = ref_rand(10);

    struct ref_merge merge;
    RCHECK(page_count(page) == 1 && !page_flag(page, PG_buddy) && !page_flag(page, PG_pcp),
           "held block %u/%u changed: refcount %d flags 0x%x", r.pfn, r.order, page_count(page), page->flags);
    if (r.order > 0)                           /* straight to the buddy lists */
        ref_predict_free(page_zone(page), r.pfn, r.order, &merge);
    if (r.pfn + n <= max_low_pfn && how < 3)
        free_pages((unsigned long)page_address(page), r.order);
    else if (r.order == 0 && how == 3)
        free_cold_page(page);
    else if (r.order == 0 && how == 4)
        __free_page(page);
    else if (r.order == 0 && how == 5 && r.pfn < max_low_pfn)
        free_page((unsigned long)page_address(page));
    else
        __free_pages(page, r.order);
    if (r.order > 0)
        ref_check_free(page_zone(page), &merge, "free");
    for (i = 0; i < n; i++)
        owner[r.pfn + i] = 0;
    model_pages -= n;
    recs[k] = recs[--nrecs];
    if (k < nrecs)
        for (i = 0; i < (1u << recs[k].order); i++)
            owner[recs[k].pfn + i] = k + 1;
    st_frees++;
}

/* ---- checks ----------------------------------------------------------------------------- */

static void check_conservation(unsigned long step)
{
    uint64_t buddy = ref_buddy_pages(), pcp = ref_pcp_pages(), nr_free = 0;
    unsigned n, z;
    for (n = 0; n < nr_online_nodes; n++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            nr_free += (uint64_t)node_data[n].node_zones[z].vm_stat[NR_FREE_PAGES];
    RCHECK(nr_free == buddy, "step %lu: NR_FREE_PAGES %llu != buddy list pages %llu", step,
           (unsigned long long)nr_free, (unsigned long long)buddy);
    RCHECK(buddy + pcp + model_pages == boot_total, "step %lu: buddy %llu + pcp %llu + held %llu != boot %llu",
           step, (unsigned long long)buddy, (unsigned long long)pcp, (unsigned long long)model_pages,
           (unsigned long long)boot_total);
}

/* Walks every list: each unreserved page is exactly one of: in a free block, on a
 * per-CPU list, in a held block. */
static void walk_check(unsigned long step)
{
    uint8_t *state = calloc(max_pfn, 1);     /* 1 free block, 2 per-CPU, 3 held */
    unsigned nid, z, o, t, cpu;
    uint32_t pfn, bad = 0;

    for (nid = 0; nid < nr_online_nodes; nid++)
        for (z = 0; z < MAX_NR_ZONES; z++) {
            const struct zone *zone = &node_data[nid].node_zones[z];
            for (o = 0; o < MAX_ORDER; o++) {
                uint32_t cnt = 0;
                for (t = 0; t < MIGRATE_TYPES; t++) {
                    const struct page *p;
                    for (p = mm_list_first(&zone->free_area[o].free_list[t]); p; p = mm_list_next(p)) {
                        uint32_t b = page_to_pfn(p), i;
                        cnt++;
                        if (!(page_flag(p, PG_buddy) && p->private == o && (b & ((1u << o) - 1)) == 0 &&
                              b >= zone->zone_start_pfn && b + (1u << o) <= zone_end_pfn(zone) &&
                              page_zone(p) == zone && page_count(p) == 0)) {
                            RCHECK(0, "step %lu: free block %u order %u zone %s: flags 0x%x private %u", step, b,
                                   o, zone->name, p->flags, p->private);
                            bad++;
                        }
                        for (i = 0; i < (1u << o) && b + i < max_pfn; i++) {
                            if (state[b + i] || owner[b + i]) {
                                if (bad++ < 5)
                                    RCHECK(0, "step %lu: pfn %u of free block %u/%u is also %s", step, b + i, b, o,
                                           owner[b + i] ? "held" : "free elsewhere");
                            }
                            state[b + i] = 1;
                        }
                    }
                }
                RCHECK(cnt == zone->free_area[o].nr_free, "step %lu: zone %s order %u nr_free %u, lists %u", step,
                       zone->name, o, zone->free_area[o].nr_free, cnt);
            }
            for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
                uint32_t cnt = 0;
                for (t = 0; t < MIGRATE_PCPTYPES; t++) {
                    const struct page *p;
                    for (p = mm_list_first(&zone->pcp[cpu].lists[t]); p; p = mm_list_next(p)) {
                        uint32_t b = page_to_pfn(p);
                        cnt++;
                        if (!page_flag(p, PG_pcp) || page_flag(p, PG_buddy) || page_zone(p) != zone ||
                            state[b] || owner[b]) {
                            if (bad++ < 5)
                                RCHECK(0, "step %lu: per-CPU page %u (cpu %u): flags 0x%x, state %u, held %u", step,
                                       b, cpu, p->flags, state[b], owner[b]);
                        }
                        state[b] = 2;
                    }
                }
                RCHECK(cnt == zone->pcp[cpu].count, "step %lu: zone %s cpu %u count %u, lists %u", step,
                       zone->name, cpu, zone->pcp[cpu].count, cnt);
            }
        }
    for (pfn = 0; pfn < max_pfn; pfn++) {
        const struct page *p = pfn_to_page(pfn);
        bool reserved = page_flag(p, PG_reserved);
        unsigned s = state[pfn] ? state[pfn] : owner[pfn] ? 3 : 0;
        if (reserved != (s == 0)) {
            if (bad++ < 5)
                RCHECK(0, "step %lu: pfn %u: reserved %d but state %u", step, pfn, reserved, s);
        }
    }
    RCHECK(bad == 0, "step %lu: %u inconsistencies in the walk", step, bad);
    free(state);
    if (&mm_check_invariants)
        RCHECK(mm_check_invariants(false) == 0, "step %lu: mm_check_invariants", step);
}

/* Pages free (buddy) in the zones an allocation may use. */
static void allowed_free(gfp_t gfp, int nid, uint64_t *free_pages, uint64_t *managed)
{
    const int *zl = ref_zonelist(&M, nid < 0 ? (int)M.cpu_node[arch_cpu_id()] : nid, gfp);
    int i;
    *free_pages = *managed = 0;
    for (i = 0; zl[i] >= 0; i++) {
        const struct zone *z = ref_zl_zone(zl[i]);
        if (z->zone_idx > ref_gfp_zone(gfp))
            continue;
        *free_pages += (uint64_t)(z->vm_stat[NR_FREE_PAGES] > 0 ? z->vm_stat[NR_FREE_PAGES] : 0);
        *managed += z->managed_pages;
    }
}

static void snapshot_boot(void)
{
    unsigned n, z, o;
    size_t i;
    boot_blocks = ref_collect_free(&boot_nblocks);
    memset(boot_type_pages, 0, sizeof(boot_type_pages));
    for (i = 0; i < boot_nblocks; i++)
        boot_type_pages[boot_blocks[i].mt] += 1u << boot_blocks[i].order;
    for (n = 0; n < nr_online_nodes; n++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            for (o = 0; o < MAX_ORDER; o++)
                boot_nr_free[n][z][o] = node_data[n].node_zones[z].free_area[o].nr_free;
    boot_total = ref_buddy_pages() + ref_pcp_pages();
}

/* After everything is freed and drained: the boot state again. */
static void check_coalesced(const char *what)
{
    size_t n, i;
    struct ref_block *now = ref_collect_free(&n);
    unsigned nid, z, o, mism = 0;
    uint32_t type_pages[MIGRATE_TYPES] = { 0 };

    CHECK_EQ(ref_pcp_pages(), 0);
    CHECK_EQ(ref_buddy_pages(), boot_total);
    for (nid = 0; nid < nr_online_nodes; nid++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            for (o = 0; o < MAX_ORDER; o++)
                RCHECK(node_data[nid].node_zones[z].free_area[o].nr_free == boot_nr_free[nid][z][o],
                       "%s: node %u zone %u order %u: nr_free %u, %u after boot", what, nid, z, o,
                       node_data[nid].node_zones[z].free_area[o].nr_free, boot_nr_free[nid][z][o]);
    RCHECK(n == boot_nblocks, "%s: %zu free blocks, %zu after boot", what, n, boot_nblocks);
    for (i = 0; i < n && i < boot_nblocks; i++)
        if (now[i].pfn != boot_blocks[i].pfn || now[i].order != boot_blocks[i].order) {
            if (mism++ < 5)
                RCHECK(0, "%s: free block %zu is %u/%u, after boot %u/%u", what, i, now[i].pfn, now[i].order,
                       boot_blocks[i].pfn, boot_blocks[i].order);
        }
    RCHECK(mism == 0, "%s: %u free blocks differ from boot", what, mism);
    /* Migrate types: Linux never gives a stolen pageblock back, so the lists the blocks
     * sit on may differ from boot; reported, not checked. */
    for (i = 0; i < n; i++)
        type_pages[now[i].mt] += 1u << now[i].order;
    printf("  free pages by list type, boot -> end: Unmovable %u -> %u, Reclaimable %u -> %u, "
           "Movable %u -> %u, Reserve %u -> %u\n",
           boot_type_pages[0], type_pages[0], boot_type_pages[1], type_pages[1], boot_type_pages[2],
           type_pages[2], boot_type_pages[3], type_pages[3]);
    free(now);
}

/* ---- one run ------------------------------------------------------------------------------- */

static void run(uint64_t ram, unsigned nnodes, uint64_t seed)
{
    unsigned long step;
    bool filling = true;
    unsigned consecutive_nulls = 0;
    struct ref_capture cap;
    char *out, *s;
    unsigned long reports = 0;

    mm_host_boot(ram, NCPUS, nnodes);
    ref_machine_init(&M, ram, NCPUS, nnodes);
    ref_srand(seed);
    owner = calloc(max_pfn, sizeof(*owner));
    nrecs = 0;
    model_pages = 0;
    st_allocs = st_nulls = st_frees = st_null_roomy = st_reports_expected = st_slow = 0;
    snapshot_boot();
    walk_check(0);

    ref_capture_begin(&cap);                  /* failure reports go to stdout */
    for (step = 1; step <= STEPS; step++) {
        unsigned cpu = ref_rand(NCPUS), r = ref_rand(10000);
        mm_host_set_cpu(cpu);
        if (r < 20) {
            drain_local_pages();
        } else if (r < 25) {
            drain_all_pages();
            RCHECK(ref_pcp_pages() == 0, "step %lu: drain_all_pages left %llu pages", step,
                   (unsigned long long)ref_pcp_pages());
        } else if (nrecs == 0 || ref_rand(100) < (filling ? 70u : 30u)) {
            gfp_t gfp = pick_gfp();
            unsigned order = pick_order(gfp);
            int nid = -1;
            enum ref_api api = REF_API_NODE;
            struct ref_pred pred;
            struct page *page;
            uint64_t fr, man;

            if (nnodes > 1 && ref_rand(10) == 0)
                nid = (int)ref_rand(nnodes);
            if (nid < 0) {
                unsigned a = ref_rand(4);
                api = a == 0 ? REF_API_PAGES : a == 1 && !(gfp & __GFP_HIGHMEM) ? REF_API_GFP : REF_API_NODE;
            }
            struct ref_rmq rmq;
            bool check_rmq = false;

            allowed_free(gfp, nid, &fr, &man);
            /* An allocation that calls __rmqueue exactly once: order >= 1, or order 0 on an
             * empty per-CPU list refilled one page at a time (batch 1). */
            ref_predict(&M, gfp, order, nid, cpu, &pred);
            if (pred.zone && (order > 0 || (pred.zone->pcp[cpu].batch == 1 &&
                                            mm_list_empty(&pred.zone->pcp[cpu].lists[ref_gfp_mt(gfp)])))) {
                ref_predict_rmqueue(pred.zone, order, ref_gfp_mt(gfp), &rmq);
                check_rmq = true;
            }
            page = ref_alloc_api(&M, gfp, order, nid, &pred, api);
            if (check_rmq && page && page_zone(page) == pred.zone)
                ref_check_rmqueue(pred.zone, &rmq, page, order, "alloc");
            st_allocs++;
            st_slow += pred.slowpath;
            if (page) {
                model_add(page, order, gfp);
                consecutive_nulls = 0;
            } else {
                st_nulls++;
                consecutive_nulls++;
                if (!(gfp & __GFP_NOWARN))
                    st_reports_expected++;
                if (order <= 3 && fr * 4 > man)
                    st_null_roomy++;
            }
        } else {
            model_free(ref_rand(nrecs));
        }
        check_conservation(step);
        if (step % 1000 == 0)
            walk_check(step);
        /* phases: fill until allocations keep failing, then free down to 30% */
        if (filling && (consecutive_nulls >= 12 || model_pages * 100 > boot_total * 97))
            filling = false;
        else if (!filling && model_pages * 10 < boot_total * 3)
            filling = true;
    }
    out = ref_capture_end(&cap);
    for (s = out; (s = strstr(s, "page allocation failure")) != NULL; s++)
        reports++;
    RCHECK(reports == st_reports_expected, "%lu failure reports printed, %lu failures without __GFP_NOWARN",
           reports, st_reports_expected);
    free(out);

    /* Free everything, in random order, on random CPUs; drain; the boot state again. */
    while (nrecs) {
        mm_host_set_cpu(ref_rand(NCPUS));
        model_free(ref_rand(nrecs));
    }
    check_conservation(step);
    mm_host_set_cpu(ref_rand(NCPUS));
    drain_all_pages();
    walk_check(step);
    check_coalesced("after freeing all");

    printf("%4llu MiB, %u node(s), seed %llu: %lu allocations (%lu failed, %lu past the low watermark), "
           "%lu frees, %lu NULL for order <= 3 with > 25%% free\n",
           (unsigned long long)(ram >> 20), nnodes, (unsigned long long)seed, st_allocs, st_nulls, st_slow,
           st_frees, st_null_roomy);
    /* No small request fails while more than a quarter of the allowed zones' pages are
     * free: the watermarks and reserves are far below that, and with grouping by mobility
     * free memory does not fragment into blocks below order 3.  (The predictor already
     * decides every NULL exactly; this is the plain-language version.) */
    RCHECK(st_null_roomy == 0, "%lu of %lu NULLs for order <= 3 with > 25%% free", st_null_roomy, st_nulls);
    free(owner);
    free(boot_blocks);
    fflush(stdout);
}

int main(void)
{
    static const struct { uint64_t ram; unsigned nnodes; } machines[] = {
        { 64ull << 20, 1 }, { 1ull << 30, 1 }, { 1ull << 30, 2 },
    };
    static const uint64_t seeds[] = { 1, 20261123, 0xC0FFEE };
    unsigned i, j;

    for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
        for (j = 0; j < sizeof(seeds) / sizeof(seeds[0]); j++)
            run(machines[i].ram, machines[i].nnodes, seeds[j] + i);
    free(recs);
    mm_host_reset();
    return unit_done();
}
