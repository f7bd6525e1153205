/* tests/unit/test_mm_pcp.c - per-CPU page lists (Linux 2.6.32's
 * buffered_rmqueue / rmqueue_bulk / free_hot_cold_page / free_pcppages_bulk):
 * sizes, refills of exactly batch pages, frees accumulating to high and
 * trimmed by batch from the list tails, LIFO reuse of hot pages, __GFP_COLD
 * from the tail, free_cold_page to the tail, one list per migrate type,
 * drain_local_pages / drain_all_pages, and per-CPU pages kept out of
 * NR_FREE_PAGES.
 *
 * Sizes, by hand (see test_mm_watermarks.c for present pages):
 *   b = present / 1024, at most 128, / 4, at least 1; b = rounddown_pow_of_two(b + b/2) - 1;
 *   high = 6 * b; batch = max(1, b).
 *   DMA (3963 present): 3 -> 0 -> 1 -> 0: high 0, batch 1 (every free goes straight back).
 *   64 MiB Normal (12148): 11 -> 2 -> rounddown_pow_of_two(3) - 1 = 1: high 6, batch 1.
 *   1 GiB Normal (223300): 218 -> 128 -> 32 -> rounddown_pow_of_two(48) - 1 = 31: high 186, batch 31.
 *   1 GiB HighMem (32448): 31 -> 7 -> rounddown_pow_of_two(10) - 1 = 7: high 42, batch 7.
 *   3 GiB HighMem (552128): 539 -> 128 -> 32 -> 31: high 186, batch 31.
 */
#include "unit.h"
#include "mm_refmodel.h"

static uint64_t boot_total;             /* buddy + per-CPU pages right after boot */
static uint64_t held;                   /* pages the test holds */

static struct zone *Z(unsigned nid, unsigned idx) { return &node_data[nid].node_zones[idx]; }
static int32_t nfree(const struct zone *z) { return z->vm_stat[NR_FREE_PAGES]; }

static void boot(uint64_t ram, unsigned ncpus)
{
    mm_host_boot(ram, ncpus, 1);
    boot_total = ref_buddy_pages() + ref_pcp_pages();
    held = 0;
}

/* Conservation, and NR_FREE_PAGES == what the buddy lists hold (per-CPU pages not in it). */
static void check_conservation(const char *where)
{
    uint64_t buddy = ref_buddy_pages(), pcp = ref_pcp_pages(), nr_free = 0;
    unsigned z;
    for (z = 0; z < MAX_NR_ZONES; z++)
        nr_free += (uint64_t)nfree(Z(0, z));
    RCHECK(nr_free == buddy, "%s: NR_FREE_PAGES %llu != pages on buddy lists %llu", where,
           (unsigned long long)nr_free, (unsigned long long)buddy);
    RCHECK(buddy + pcp + held == boot_total, "%s: buddy %llu + pcp %llu + held %llu != %llu", where,
           (unsigned long long)buddy, (unsigned long long)pcp, (unsigned long long)held,
           (unsigned long long)boot_total);
}

/* Every page on a CPU's lists: PG_pcp, refcount 0, no PG_buddy, index = the list;
 * count == the lists' lengths. */
static void check_pcp_lists(const struct zone *z, unsigned cpu)
{
    const struct per_cpu_pages *pcp = &z->pcp[cpu];
    uint32_t total = 0;
    unsigned t;
    for (t = 0; t < MIGRATE_PCPTYPES; t++) {
        const struct page *p;
        for (p = mm_list_first(&pcp->lists[t]); p; p = mm_list_next(p)) {
            total++;
            RCHECK(page_flag(p, PG_pcp) && !page_flag(p, PG_buddy) && page_count(p) == 0 && p->index == t &&
                   page_zone(p) == z,
                   "pfn %u on cpu %u list %u: flags 0x%x refcount %d index %u", page_to_pfn(p), cpu, t,
                   p->flags, page_count(p), p->index);
        }
    }
    RCHECK(total == pcp->count, "cpu %u zone %s: count %u, lists hold %u", cpu, z->name, pcp->count, total);
}

static unsigned pcp_list_of(const struct page *p)
{
    unsigned mt = ref_pageblock_mt(page_to_pfn(p));
    return mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt;   /* RESERVE -> MOVABLE list */
}

static struct page *get(gfp_t gfp)
{
    struct page *p = alloc_page(gfp);
    CHECK(p != NULL);
    if (p)
        held++;
    return p;
}

static void put(struct page *p)
{
    __free_page(p);
    held--;
}

/* ---- sizes ------------------------------------------------------------------------------ */

static void test_sizes(void)
{
    static const struct { uint64_t ram; uint32_t batch[3], high[3]; } t[] = {
        { 64ull << 20, { 1, 1, 0 }, { 0, 6, 0 } },
        { 1ull << 30, { 1, 31, 7 }, { 0, 186, 42 } },
        { 3ull << 30, { 1, 31, 31 }, { 0, 186, 186 } },
    };
    unsigned i, z, cpu;
    for (i = 0; i < 3; i++) {
        struct ref_machine m;
        boot(t[i].ram, 4);
        ref_machine_init(&m, t[i].ram, 4, 1);
        for (z = 0; z < MAX_NR_ZONES; z++) {
            if (!Z(0, z)->present_pages)
                continue;
            CHECK_EQ(m.n[0].z[z].pcp_batch, t[i].batch[z]);
            CHECK_EQ(m.n[0].z[z].pcp_high, t[i].high[z]);
            for (cpu = 0; cpu < 4; cpu++) {
                CHECK_EQ(Z(0, z)->pcp[cpu].batch, t[i].batch[z]);
                CHECK_EQ(Z(0, z)->pcp[cpu].high, t[i].high[z]);
                CHECK_EQ(Z(0, z)->pcp[cpu].count, 0);
            }
        }
    }
}

/* ---- refill, LIFO, cold ------------------------------------------------------------------ */

static void test_refill_lifo_cold(void)
{
    struct zone *n;
    struct per_cpu_pages *pcp;
    struct page *a, *b, *b_old, *c, *p, *tail;
    int32_t f0;
    uint32_t refills;

    printf("refill, LIFO, cold\n");
    boot(1ull << 30, 4);
    n = Z(0, ZONE_NORMAL);
    pcp = &n->pcp[0];
    mm_host_set_cpu(0);
    f0 = nfree(n);
    refills = pcp->refills;

    /* The first order-0 GFP_KERNEL allocation: a refill of exactly batch = 31 pages. */
    a = get(GFP_KERNEL);
    CHECK(a && page_zone(a) == n);
    CHECK_EQ(pcp->count, 30);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_UNMOVABLE]), 30);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_MOVABLE]), 0);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_RECLAIMABLE]), 0);
    CHECK_EQ(nfree(n), f0 - 31);
    CHECK_EQ(pcp->refills, refills + 1);
    check_pcp_lists(n, 0);
    check_conservation("after the first refill");
    /* The next 30 come from the list, no refill, NR_FREE_PAGES unchanged. */
    {
        struct page *v[30];
        unsigned i;
        for (i = 0; i < 30; i++) {
            struct page *head = mm_list_first(&pcp->lists[MIGRATE_UNMOVABLE]);
            v[i] = get(GFP_KERNEL);
            CHECK(v[i] == head);                 /* hot: the head of the list */
            /* rmqueue_bulk queues the pages in the order __rmqueue splits them off,
             * ascending pfns from the head ("useful for IO devices that can merge
             * IO requests if the physical pages are ordered properly"). */
            RCHECK(page_to_pfn(v[i]) == page_to_pfn(a) + 1 + i, "refill order: page %u is pfn %u, expected %u",
                   i, page_to_pfn(v[i]), page_to_pfn(a) + 1 + i);
        }
        CHECK_EQ(pcp->count, 0);
        CHECK_EQ(nfree(n), f0 - 31);
        CHECK_EQ(pcp->refills, refills + 1);
        /* The 31st: another refill. */
        b = get(GFP_KERNEL);
        CHECK_EQ(pcp->count, 30);
        CHECK_EQ(nfree(n), f0 - 62);
        CHECK_EQ(pcp->refills, refills + 2);
        for (i = 0; i < 30; i++)
            put(v[i]);
        check_conservation("after 30 frees");
    }
    drain_local_pages();
    CHECK_EQ(pcp->count, 0);
    check_conservation("after drain");

    /* Hot frees are reused LIFO: free a then b; the next two allocations give b then a. */
    p = get(GFP_KERNEL);                          /* refills the list: 30 left */
    CHECK_EQ(pcp->count, 30);
    put(a);
    CHECK(mm_list_first(&pcp->lists[pcp_list_of(a)]) == a);
    put(b);
    CHECK(mm_list_first(&pcp->lists[pcp_list_of(b)]) == b);
    CHECK_EQ(pcp->count, 32);
    CHECK_EQ(pcp_list_of(a), MIGRATE_UNMOVABLE);  /* GFP_KERNEL took over its pageblock */
    c = get(GFP_KERNEL);
    CHECK(c == b);
    c = get(GFP_KERNEL);
    CHECK(c == a);
    a = c;
    b_old = b;                                    /* still held */
    b = get(GFP_KERNEL);
    CHECK_EQ(pcp->count, 29);

    /* __GFP_COLD takes the tail. */
    tail = mm_list_last(&pcp->lists[MIGRATE_UNMOVABLE]);
    c = get(GFP_KERNEL | __GFP_COLD);
    CHECK(c == tail);
    CHECK_EQ(pcp->count, 28);
    /* free_cold_page puts the page at the tail: hot allocations reach it last. */
    free_cold_page(c);
    held--;
    CHECK(mm_list_last(&pcp->lists[pcp_list_of(c)]) == c);
    CHECK(mm_list_first(&pcp->lists[pcp_list_of(c)]) != c);
    CHECK_EQ(pcp->count, 29);
    {
        struct page *q = get(GFP_KERNEL | __GFP_COLD);
        CHECK(q == c);
        free_cold_page(q);
        held--;
    }
    /* A cold allocation on an empty list refills it too (batch pages), then takes the tail.
     * Everything goes back first, so the refill splits one whole block: __rmqueue then
     * hands out consecutive pfns, lowest first.  (With a, b and p still held, the drain
     * leaves small blocks around them, which __rmqueue takes first, smallest first: the
     * refill is still in __rmqueue's order, but the pfns are not consecutive.) */
    put(a);
    put(b);
    put(b_old);
    put(p);
    drain_local_pages();
    f0 = nfree(n);
    c = get(GFP_KERNEL | __GFP_COLD);
    CHECK_EQ(pcp->count, 30);
    CHECK_EQ(nfree(n), f0 - 31);
    /* rmqueue_bulk with cold set queues each page before the previous one, ending at the
     * tail: the list is descending from the head, and the cold allocation took the first
     * page split off, the lowest pfn. */
    {
        const struct page *q = mm_list_first(&pcp->lists[MIGRATE_UNMOVABLE]);
        unsigned k = 0;
        bool desc = true;
        for (; q; q = mm_list_next(q), k++)
            if (page_to_pfn(q) != page_to_pfn(c) + 30 - k)
                desc = false;
        CHECK_EQ(k, 30);
        /* Linux 2.6.31+ (e084b2d95e48, "page-allocator: preserve PFN ordering when
         * __GFP_COLD is set"): successive cold allocations get ascending pfns. */
        LINUX_CHECK(desc, "cold refill: the list should be c+30 .. c+1 from the head, the cold "
                    "allocation the lowest pfn c (got c = %u, list head %u)", page_to_pfn(c),
                    page_to_pfn(mm_list_first(&pcp->lists[MIGRATE_UNMOVABLE])));
        /* ... and successive cold allocations go up: c+1, c+2. */
        q = get(GFP_KERNEL | __GFP_COLD);
        CHECK(q && page_to_pfn(q) == page_to_pfn(c) + 1);
        a = get(GFP_KERNEL | __GFP_COLD);
        CHECK(a && page_to_pfn(a) == page_to_pfn(c) + 2);
        put((struct page *)q);
        put(a);
    }
    put(c);
    check_pcp_lists(n, 0);
    check_conservation("after cold");
    drain_all_pages();
    check_conservation("end of refill test");
}

/* ---- frees accumulate to high, then batch pages go back --------------------------------- */

/* Frees npages pages of zone z (held in v, all of one pageblock type) one at a time on
 * CPU cpu, checking count, NR_FREE_PAGES, the drains counter and the exact list contents
 * against a model: hot frees at the head; at count >= high, batch pages from the tail. */
static void free_and_trim(struct zone *z, unsigned cpu, struct page **v, unsigned npages)
{
    struct per_cpu_pages *pcp = &z->pcp[cpu];
    uint32_t high = pcp->high, batch = pcp->batch, count = pcp->count, drains = pcp->drains;
    int32_t f = nfree(z);
    uint32_t *model = malloc(sizeof(uint32_t) * (npages + pcp->count + 1));   /* model[0] = head */
    unsigned len = 0, i, k, lt = pcp_list_of(v[0]);
    const struct page *p;
    bool same = true;

    mm_host_set_cpu(cpu);
    for (p = mm_list_first(&pcp->lists[lt]); p; p = mm_list_next(p))
        model[len++] = page_to_pfn(p);
    for (i = 0; i < npages; i++) {
        CHECK_EQ(pcp_list_of(v[i]), lt);
        put(v[i]);
        memmove(model + 1, model, len * sizeof(uint32_t));
        model[0] = page_to_pfn(v[i]);
        len++;
        count++;
        if (count >= high) {
            count -= batch;
            f += (int32_t)batch;
            drains++;
            len -= batch;                    /* the tail pages go back */
        }
        RCHECK(pcp->count == count, "free %u: count %u, expected %u", i, pcp->count, count);
        RCHECK(nfree(z) == f, "free %u: NR_FREE_PAGES %d, expected %d", i, nfree(z), f);
        RCHECK(pcp->drains == drains, "free %u: drains %u, expected %u", i, pcp->drains, drains);
        k = 0;
        for (p = mm_list_first(&pcp->lists[lt]); p && k < len; p = mm_list_next(p), k++)
            if (page_to_pfn(p) != model[k]) { same = false; break; }
        if (p || k != len)
            same = false;
        RCHECK(same, "free %u: the list is not the model (hot at the head, trimmed from the tail)", i);
        if (!same)
            break;
    }
    free(model);
}

static void test_high(uint64_t ram, unsigned zone_idx, gfp_t gfp, uint32_t want_batch, uint32_t want_high)
{
    struct zone *z;
    struct page **v;
    unsigned i, npages;

    printf("%llu MiB %s: frees up to high %u, batch %u\n", (unsigned long long)(ram >> 20),
           zone_idx == 0 ? "DMA" : zone_idx == 1 ? "Normal" : "HighMem", want_high, want_batch);
    boot(ram, 2);
    z = Z(0, zone_idx);
    CHECK_EQ(z->pcp[1].batch, want_batch);
    CHECK_EQ(z->pcp[1].high, want_high);
    npages = 3 * want_high + 7;
    v = malloc(sizeof(*v) * npages);
    mm_host_set_cpu(0);
    for (i = 0; i < npages; i++) {
        v[i] = get(gfp);
        if (v[i])
            CHECK(page_zone(v[i]) == z);
    }
    drain_local_pages();
    check_conservation("before frees");
    /* Freed on CPU 1, whose lists are empty. */
    free_and_trim(z, 1, v, npages);
    check_pcp_lists(z, 1);
    check_conservation("after frees");
    mm_host_set_cpu(1);
    drain_local_pages();
    CHECK_EQ(z->pcp[1].count, 0);
    mm_host_set_cpu(0);
    free(v);
    if (&mm_check_invariants)
        CHECK_EQ(mm_check_invariants(true), 0);
}

/* Linux 2.6.32's free_pcppages_bulk on a model of the three lists (model[t][0] = head):
 * round robin over the lists starting after the last one used (migratetype starts at
 * 0 and is incremented before use: RECLAIMABLE first), batch_free grows by one for
 * every list looked at, so after skipping empty lists more pages come off the next
 * non-empty one; pages come off the tail. */
struct pcp_model {
    uint32_t pfn[MIGRATE_PCPTYPES][600];
    unsigned len[MIGRATE_PCPTYPES];
};

static void model_bulk(struct pcp_model *m, unsigned count)
{
    unsigned mt = 0, batch_free = 0;
    while (count) {
        do {
            batch_free++;
            if (++mt == MIGRATE_PCPTYPES)
                mt = 0;
        } while (m->len[mt] == 0);
        do {
            m->len[mt]--;                        /* the tail */
        } while (--count && --batch_free && m->len[mt]);
    }
}

static bool model_matches(const struct per_cpu_pages *pcp, const struct pcp_model *m)
{
    unsigned t, k;
    for (t = 0; t < MIGRATE_PCPTYPES; t++) {
        const struct page *p = mm_list_first(&pcp->lists[t]);
        for (k = 0; k < m->len[t]; k++, p = mm_list_next(p))
            if (!p || page_to_pfn(p) != m->pfn[t][k])
                return false;
        if (p)
            return false;
    }
    return true;
}

/* Frees pages of several pageblock types, interleaved as pattern says (a string of
 * U, R, M), on CPU 1 of a 1 GiB machine (Normal: high 186, batch 31), and compares
 * the three lists with the model after every free. */
static void test_bulk_roundrobin(const char *pattern)
{
    static const gfp_t gfp_of[MIGRATE_PCPTYPES] = { GFP_KERNEL, GFP_KERNEL | __GFP_RECLAIMABLE,
                                                    GFP_KERNEL | __GFP_MOVABLE };
    struct page *pages[MIGRATE_PCPTYPES][600];
    unsigned used[MIGRATE_PCPTYPES] = { 0 }, t, i, k, plen = (unsigned)strlen(pattern), nfrees = 3 * 186;
    struct pcp_model *m = calloc(1, sizeof(*m));
    struct zone *n;
    struct per_cpu_pages *pcp;
    uint32_t count = 0, drains;
    int32_t f;
    bool ok = true;

    printf("free_pcppages_bulk round robin, pattern %s\n", pattern);
    boot(1ull << 30, 2);
    n = Z(0, ZONE_NORMAL);
    pcp = &n->pcp[1];
    mm_host_set_cpu(0);
    for (t = 0; t < MIGRATE_PCPTYPES; t++)
        for (i = 0; i < 600; i++) {
            pages[t][i] = get(gfp_of[t]);
            CHECK(pages[t][i] && pcp_list_of(pages[t][i]) == t);
        }
    drain_local_pages();
    mm_host_set_cpu(1);
    f = nfree(n);
    drains = pcp->drains;
    for (i = 0; i < nfrees && ok; i++) {
        unsigned type = pattern[i % plen] == 'U' ? 0 : pattern[i % plen] == 'R' ? 1 : 2;
        struct page *p = pages[type][used[type]++];
        put(p);
        memmove(&m->pfn[type][1], &m->pfn[type][0], m->len[type] * sizeof(uint32_t));
        m->pfn[type][0] = page_to_pfn(p);
        m->len[type]++;
        if (++count >= pcp->high) {
            struct pcp_model linux_m = *m;
            unsigned removed = 0, now[MIGRATE_PCPTYPES];
            model_bulk(&linux_m, pcp->batch);
            count -= pcp->batch;
            f += (int32_t)pcp->batch;
            drains++;
            /* Strict: batch pages left, all from list tails (each list is a head part of
             * what it was).  Linux-exact: how many from each list. */
            for (t = 0; t < MIGRATE_PCPTYPES; t++) {
                now[t] = ref_list_len(&pcp->lists[t]);
                if (now[t] > m->len[t])
                    now[t] = m->len[t] + 1;     /* impossible: makes the check below fail */
                removed += m->len[t] - now[t];
            }
            RCHECK(removed == pcp->batch, "pattern %s, free %u: %u pages left the lists, batch %u", pattern, i,
                   removed, pcp->batch);
            for (t = 0; t < MIGRATE_PCPTYPES; t++)
                m->len[t] = now[t];
            ok = model_matches(pcp, m);
            RCHECK(ok, "pattern %s, free %u: the trim took pages that were not at list tails", pattern, i);
            LINUX_CHECK(now[0] == linux_m.len[0] && now[1] == linux_m.len[1] && now[2] == linux_m.len[2],
                        "free_pcppages_bulk (pattern %s, free %u): lists U/R/M left with %u/%u/%u pages, Linux "
                        "2.6.32 leaves %u/%u/%u (round robin from RECLAIMABLE, batch_free grows past empty lists)",
                        pattern, i, now[0], now[1], now[2], linux_m.len[0], linux_m.len[1], linux_m.len[2]);
        }
        RCHECK(pcp->count == count && nfree(n) == f && pcp->drains == drains,
               "pattern %s, free %u: count %u (expected %u), NR_FREE_PAGES %d (%d), drains %u (%u)", pattern, i,
               pcp->count, count, nfree(n), f, pcp->drains, drains);
        if (ok) {
            ok = model_matches(pcp, m);
            RCHECK(ok, "pattern %s, free %u: a hot free is not at the head of its list", pattern, i);
        }
    }
    check_conservation("round robin");
    for (t = 0; t < MIGRATE_PCPTYPES; t++)
        for (k = used[t]; k < 600; k++)
            put(pages[t][k]);
    drain_all_pages();
    CHECK_EQ(ref_buddy_pages(), boot_total);
    mm_host_set_cpu(0);
    free(m);
}

/* DMA: high 0, batch 1: an allocation refills one page and takes it; a free goes back at once. */
static void test_dma_passthrough(void)
{
    struct zone *d;
    struct page *p;
    int32_t f;

    boot(64ull << 20, 1);
    d = Z(0, ZONE_DMA);
    f = nfree(d);
    p = get(GFP_KERNEL | __GFP_DMA);
    CHECK(p && page_zone(p) == d);
    CHECK_EQ(d->pcp[0].count, 0);
    CHECK_EQ(nfree(d), f - 1);
    put(p);
    CHECK_EQ(d->pcp[0].count, 0);
    CHECK_EQ(nfree(d), f);
    check_conservation("dma");
}

/* ---- migrate types: one list each ------------------------------------------------------ */

static void test_migratetypes(void)
{
    struct zone *n;
    struct per_cpu_pages *pcp;
    struct page *mov, *unmov, *recl;

    printf("migrate types\n");
    boot(1ull << 30, 4);
    n = Z(0, ZONE_NORMAL);
    mm_host_set_cpu(1);
    pcp = &n->pcp[1];
    mov = get(GFP_KERNEL | __GFP_MOVABLE);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_MOVABLE]), 30);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_UNMOVABLE]), 0);
    unmov = get(GFP_KERNEL);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_MOVABLE]), 30);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_UNMOVABLE]), 30);
    recl = get(GFP_KERNEL | __GFP_RECLAIMABLE);
    CHECK_EQ(ref_list_len(&pcp->lists[MIGRATE_RECLAIMABLE]), 30);
    CHECK_EQ(pcp->count, 90);
    check_pcp_lists(n, 1);
    /* Different pageblocks, of the requested types: MOVABLE from a MOVABLE block; the
     * others fell back to the largest MOVABLE block and took its pageblock over. */
    CHECK(pageblock_nr_pages && (page_to_pfn(mov) >> pageblock_order) != (page_to_pfn(unmov) >> pageblock_order));
    CHECK((page_to_pfn(recl) >> pageblock_order) != (page_to_pfn(unmov) >> pageblock_order));
    CHECK_EQ(ref_pageblock_mt(page_to_pfn(mov)), MIGRATE_MOVABLE);
    CHECK_EQ(ref_pageblock_mt(page_to_pfn(unmov)), MIGRATE_UNMOVABLE);
    CHECK_EQ(ref_pageblock_mt(page_to_pfn(recl)), MIGRATE_RECLAIMABLE);
    /* The other CPUs' lists are untouched. */
    CHECK_EQ(n->pcp[0].count, 0);
    CHECK_EQ(n->pcp[2].count, 0);
    /* Frees go to the list of the page's pageblock type. */
    put(mov);
    CHECK(mm_list_first(&pcp->lists[MIGRATE_MOVABLE]) == mov);
    put(unmov);
    CHECK(mm_list_first(&pcp->lists[MIGRATE_UNMOVABLE]) == unmov);
    put(recl);
    CHECK(mm_list_first(&pcp->lists[MIGRATE_RECLAIMABLE]) == recl);
    CHECK_EQ(pcp->count, 93);
    check_conservation("migrate types");
    mm_host_set_cpu(0);
    drain_all_pages();
    CHECK_EQ(pcp->count, 0);
    check_conservation("migrate types, drained");
}

/* ---- drain_local_pages, drain_all_pages ---------------------------------------------- */

static void test_drains(void)
{
    struct page *v[4][3][40];
    uint32_t counts[4][3];
    int32_t f[3];
    unsigned cpu, z, i;

    printf("drains\n");
    boot(1ull << 30, 4);
    /* Each CPU allocates 40 Normal and 40 HighMem pages and frees 20 of each back
     * (NORMAL: 10 + 20 listed; HighMem: 40 pages = 6 refills ... whatever is listed). */
    for (cpu = 0; cpu < 4; cpu++) {
        mm_host_set_cpu(cpu);
        for (i = 0; i < 40; i++) {
            v[cpu][ZONE_NORMAL][i] = get(GFP_KERNEL);
            v[cpu][ZONE_HIGHMEM][i] = get(GFP_HIGHUSER_MOVABLE);
        }
        for (i = 0; i < 20; i++) {
            put(v[cpu][ZONE_NORMAL][i]);
            put(v[cpu][ZONE_HIGHMEM][i]);
        }
    }
    for (cpu = 0; cpu < 4; cpu++)
        for (z = 0; z < 3; z++) {
            counts[cpu][z] = Z(0, z)->pcp[cpu].count;
            check_pcp_lists(Z(0, z), cpu);
        }
    for (cpu = 0; cpu < 4; cpu++) {
        CHECK(counts[cpu][ZONE_NORMAL] > 0);
        CHECK(counts[cpu][ZONE_HIGHMEM] > 0);
    }
    for (z = 0; z < 3; z++)
        f[z] = nfree(Z(0, z));
    check_conservation("before drains");

    /* CPU 2 drains its own lists only. */
    mm_host_set_cpu(2);
    drain_local_pages();
    for (cpu = 0; cpu < 4; cpu++)
        for (z = 0; z < 3; z++) {
            uint32_t want = cpu == 2 ? 0 : counts[cpu][z];
            RCHECK(Z(0, z)->pcp[cpu].count == want, "after drain_local on cpu 2: cpu %u zone %u count %u, expected %u",
                   cpu, z, Z(0, z)->pcp[cpu].count, want);
            check_pcp_lists(Z(0, z), cpu);
        }
    for (z = 0; z < 3; z++) {
        CHECK_EQ(nfree(Z(0, z)), f[z] + (int32_t)counts[2][z]);
        CHECK(mm_list_empty(&Z(0, z)->pcp[2].lists[0]) && mm_list_empty(&Z(0, z)->pcp[2].lists[1]) &&
              mm_list_empty(&Z(0, z)->pcp[2].lists[2]));
    }
    check_conservation("after drain_local_pages");

    /* drain_all_pages from CPU 2: every CPU's lists empty; it still runs on CPU 2. */
    drain_all_pages();
    CHECK_EQ(arch_cpu_id(), 2);
    for (cpu = 0; cpu < 4; cpu++)
        for (z = 0; z < 3; z++) {
            CHECK_EQ(Z(0, z)->pcp[cpu].count, 0);
            check_pcp_lists(Z(0, z), cpu);
        }
    for (z = 0; z < 3; z++) {
        uint32_t sum = 0;
        for (cpu = 0; cpu < 4; cpu++)
            sum += counts[cpu][z];
        CHECK_EQ(nfree(Z(0, z)), f[z] + (int32_t)sum);
    }
    check_conservation("after drain_all_pages");

    for (cpu = 0; cpu < 4; cpu++) {
        mm_host_set_cpu(cpu);
        for (i = 20; i < 40; i++) {
            put(v[cpu][ZONE_NORMAL][i]);
            put(v[cpu][ZONE_HIGHMEM][i]);
        }
    }
    drain_all_pages();
    CHECK_EQ(ref_pcp_pages(), 0);
    CHECK_EQ(ref_buddy_pages(), boot_total);
    mm_host_set_cpu(0);
    if (&mm_check_invariants)
        CHECK_EQ(mm_check_invariants(true), 0);
}

int main(void)
{
    test_sizes();
    test_refill_lifo_cold();
    test_high(1ull << 30, ZONE_NORMAL, GFP_KERNEL, 31, 186);
    test_high(1ull << 30, ZONE_HIGHMEM, GFP_HIGHUSER_MOVABLE, 7, 42);
    test_high(64ull << 20, ZONE_NORMAL, GFP_KERNEL, 1, 6);
    test_bulk_roundrobin("UM");
    test_bulk_roundrobin("URM");
    test_bulk_roundrobin("UUUMR");
    test_dma_passthrough();
    test_migratetypes();
    test_drains();
    mm_host_reset();
    return unit_done();
}
