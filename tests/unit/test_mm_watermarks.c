/* tests/unit/test_mm_watermarks.c - zone sizes, min_free_kbytes, watermarks,
 * lowmem_reserve and per-CPU list sizes of the machines mm_host_boot builds,
 * each number worked out by hand below from Linux 2.6.32's formulas:
 *
 *   present  = spanned - holes - memmap, memmap = PAGE_ALIGN(spanned * 36) / 4096
 *              (free_area_init_core; sizeof(struct page) = 36)
 *   managed  = RAM pages of the zone minus what is reserved at boot there:
 *              the kernel image [1 MiB, 5 MiB) and mem_map (max_pfn * 36
 *              bytes, page-rounded, placed by bootmem; its place is read from
 *              the mem_map pointer)
 *   min_free_kbytes = int_sqrt(lowmem_kbytes * 16) in [128, 65536],
 *              lowmem_kbytes = 4 * sum(present of DMA + NORMAL)
 *   pages_min = min_free_kbytes / 4; tmp = pages_min * present / lowmem_pages
 *   min  = tmp (lowmem), present / 1024 in [32, 128] (highmem)
 *   low  = min + tmp / 4;  high = min + tmp / 2
 *   lowmem_reserve[j] of zone idx < j = sum(present of zones idx+1 .. j) / ratio[idx],
 *              ratio DMA 256, NORMAL 32; [j] of zone j = 0
 *   per-CPU: b = present / 1024, at most 128, / 4, at least 1,
 *              b = rounddown_pow_of_two(b + b / 2) - 1; high = 6 * b; batch = max(1, b)
 *
 * The machine (mm_host.h): RAM [0, 0x9FC00) and [1 MiB, ram - 128 KiB), so
 * max_pfn = ram / 4096 - 32; pfns 0x9F .. 0xFF (97 pages) are a hole; DMA
 * is below pfn 4096, NORMAL below 229376 (896 MiB), HIGHMEM above.
 */
#include "unit.h"
#include "mm_refmodel.h"

extern uint32_t page_group_by_mobility_disabled;   /* mm/internal.h */

struct hand_zone {
    uint32_t start, spanned, present, managed;
    uint32_t min, low, high;
    uint32_t reserve[MAX_NR_ZONES];
    uint32_t batch, pcp_high;
};

struct hand_machine {
    const char *name;
    uint64_t ram;
    unsigned nnodes;
    uint32_t mfk_override;     /* mm_boot_info.min_free_kbytes (0: computed) */
    uint32_t max_pfn, max_low_pfn, min_free_kbytes;
    struct hand_zone z[MAX_NUMNODES][MAX_NR_ZONES];   /* unpopulated: spanned 0 */
};

static const struct hand_machine machines[] = {
    /* 16 MiB: max_pfn = 4096 - 32 = 4064 = max_low_pfn.
     * DMA: pfns 0 .. 4063, spanned 4064; RAM = 159 (0 .. 0x9E) + 3808 (256 .. 4063) = 3967
     *   (hole 0x9F .. 0xFF = 97); memmap = ceil(4064 * 36 / 4096) = ceil(35.72) = 36;
     *   present = 3967 - 36 = 3931.
     *   mem_map = 4064 * 36 = 146304 bytes = 36 pages; no RAM at 16 MiB, bootmem puts it
     *   in DMA; managed = 3967 - 1024 (kernel image) - 36 (mem_map) = 2907.
     * lowmem_pages = 3931; lowmem_kbytes = 15724; * 16 = 251584; int_sqrt = 501 (501^2 = 251001,
     *   502^2 = 252004) -> min_free_kbytes = 501, pages_min = 125.
     * DMA: tmp = 125 * 3931 / 3931 = 125; min 125, low 125 + 31 = 156, high 125 + 62 = 187.
     * reserve: NORMAL and HIGHMEM empty: 0 / 256 = 0 -> (0, 0, 0).
     * pcp: 3931 / 1024 = 3, / 4 = 0 -> 1, rounddown_pow_of_two(1 + 0) - 1 = 0: high 0, batch 1. */
    { "16 MiB", 16ull << 20, 1, 0, 4064, 4064, 501, {{
        { 0, 4064, 3931, 2907, 125, 156, 187, { 0, 0, 0 }, 1, 0 },
        { 0 }, { 0 } }} },

    /* 64 MiB: max_pfn = 16384 - 32 = 16352 = max_low_pfn.
     * DMA: pfns 0 .. 4095, spanned 4096; RAM = 159 + 3840 = 3999; memmap = 4096 * 36 / 4096 = 36;
     *   present = 3999 - 36 = 3963; managed = 3999 - 1024 (kernel image) = 2975.
     * NORMAL: pfns 4096 .. 16351, spanned 12256, no hole; memmap = ceil(12256 * 36 / 4096)
     *   = ceil(107.72) = 108; present = 12148.  mem_map = 16352 * 36 = 588672 bytes = 144 pages
     *   at 16 MiB (bootmem's goal, as Linux's MAX_DMA_ADDRESS): managed = 12256 - 144 = 12112.
     * lowmem_pages = 3963 + 12148 = 16111; * 4 = 64444 KiB; * 16 = 1031104; int_sqrt = 1015
     *   (1015^2 = 1030225, 1016^2 = 1032256) -> min_free_kbytes 1015, pages_min = 253.
     * DMA: tmp = 253 * 3963 / 16111 = 1002639 / 16111 = 62; min 62, low 62 + 15 = 77, high 62 + 31 = 93.
     * NORMAL: tmp = 253 * 12148 / 16111 = 3073444 / 16111 = 190; min 190, low 190 + 47 = 237,
     *   high 190 + 95 = 285.
     * reserve: DMA[NORMAL] = 12148 / 256 = 47; DMA[HIGHMEM] = (0 + 12148) / 256 = 47;
     *   NORMAL[HIGHMEM] = 0 / 32 = 0.
     * pcp: DMA 3963 / 1024 = 3 -> 0 -> 1 -> 0: high 0, batch 1;
     *   NORMAL 12148 / 1024 = 11, / 4 = 2, rounddown_pow_of_two(2 + 1) - 1 = 1: high 6, batch 1. */
    { "64 MiB", 64ull << 20, 1, 0, 16352, 16352, 1015, {{
        { 0, 4096, 3963, 2975, 62, 77, 93, { 0, 47, 47 }, 1, 0 },
        { 4096, 12256, 12148, 12112, 190, 237, 285, { 0, 0, 0 }, 1, 6 },
        { 0 } }} },

    /* 1 GiB: max_pfn = 262144 - 32 = 262112, max_low_pfn = 229376.
     * DMA as for 64 MiB: spanned 4096, present 3963, managed 2975.
     * NORMAL: 4096 .. 229375, spanned 225280; memmap = 225280 * 36 / 4096 = 1980 exactly;
     *   present = 223300; mem_map = 262112 * 36 = 9436032 bytes = 2304 pages at 16 MiB:
     *   managed = 225280 - 2304 = 222976.
     * HIGHMEM: 229376 .. 262111, spanned 32736; memmap = ceil(32736 * 36 / 4096) = ceil(287.72)
     *   = 288; present = 32448 (Linux charges the memmap to the zone although it lives in
     *   lowmem); managed = 32736 (nothing reserved there).
     * lowmem_pages = 3963 + 223300 = 227263; * 4 = 909052 KiB; * 16 = 14544832; int_sqrt = 3813
     *   (3813^2 = 14538969, 3814^2 = 14546596) -> min_free_kbytes 3813, pages_min = 953.
     * DMA: tmp = 953 * 3963 / 227263 = 3776739 / 227263 = 16; min 16, low 16 + 4 = 20, high 16 + 8 = 24.
     * NORMAL: tmp = 953 * 223300 / 227263 = 212804900 / 227263 = 936; min 936,
     *   low 936 + 234 = 1170, high 936 + 468 = 1404.
     * HIGHMEM: tmp = 953 * 32448 / 227263 = 30922944 / 227263 = 136; min = 32448 / 1024 = 31
     *   -> clamped to 32; low 32 + 34 = 66, high 32 + 68 = 100.
     * reserve: DMA[NORMAL] = 223300 / 256 = 872; DMA[HIGHMEM] = (32448 + 223300) / 256
     *   = 255748 / 256 = 999; NORMAL[HIGHMEM] = 32448 / 32 = 1014.
     * pcp: NORMAL 223300 / 1024 = 218 -> capped 128, / 4 = 32, rounddown_pow_of_two(48) - 1 = 31:
     *   high 186, batch 31; HIGHMEM 32448 / 1024 = 31, / 4 = 7, rounddown_pow_of_two(10) - 1 = 7:
     *   high 42, batch 7. */
    { "1 GiB", 1ull << 30, 1, 0, 262112, 229376, 3813, {{
        { 0, 4096, 3963, 2975, 16, 20, 24, { 0, 872, 999 }, 1, 0 },
        { 4096, 225280, 223300, 222976, 936, 1170, 1404, { 0, 0, 1014 }, 31, 186 },
        { 229376, 32736, 32448, 32736, 32, 66, 100, { 0, 0, 0 }, 7, 42 } }} },

    /* 3 GiB: max_pfn = 786432 - 32 = 786400, max_low_pfn = 229376.
     * DMA, NORMAL spans and present as for 1 GiB; mem_map = 786400 * 36 = 28310400 bytes
     *   = 6912 pages at 16 MiB: NORMAL managed = 225280 - 6912 = 218368.
     * HIGHMEM: 229376 .. 786399, spanned 557024; memmap = ceil(557024 * 36 / 4096)
     *   = ceil(4895.72) = 4896; present = 552128; managed = 557024.
     * lowmem unchanged: min_free_kbytes 3813, pages_min 953; DMA and NORMAL watermarks as for 1 GiB.
     * HIGHMEM: tmp = 953 * 552128 / 227263 = 526177984 / 227263 = 2315; min = 552128 / 1024 = 539
     *   -> clamped to 128; low = 128 + 578 = 706, high = 128 + 1157 = 1285.
     * reserve: DMA[NORMAL] = 872; DMA[HIGHMEM] = (552128 + 223300) / 256 = 775428 / 256 = 3029;
     *   NORMAL[HIGHMEM] = 552128 / 32 = 17254.
     * pcp: HIGHMEM 552128 / 1024 = 539 -> 128 -> 32 -> 31: high 186, batch 31. */
    { "3 GiB", 3ull << 30, 1, 0, 786400, 229376, 3813, {{
        { 0, 4096, 3963, 2975, 16, 20, 24, { 0, 872, 3029 }, 1, 0 },
        { 4096, 225280, 223300, 218368, 936, 1170, 1404, { 0, 0, 17254 }, 31, 186 },
        { 229376, 557024, 552128, 557024, 128, 706, 1285, { 0, 0, 0 }, 31, 186 } }} },

    /* 1 GiB, 2 nodes: the RAM split evenly, the boundary rounded down to 4 MiB:
     * 262112 / 2 = 131056 -> 130048.  Node 0: 0 .. 130047, node 1: 130048 .. 262111.
     * Node 0 DMA as before (present 3963, managed 2975).
     * Node 0 NORMAL: 4096 .. 130047, spanned 125952; memmap = 125952 * 36 / 4096 = 1107 exactly;
     *   present = 124845; mem_map (2304 pages at 16 MiB) is in node 0: managed = 123648.
     * Node 1 NORMAL: 130048 .. 229375, spanned 99328; memmap = 99328 * 36 / 4096 = 873;
     *   present = 98455; managed = 99328.  Node 1 HIGHMEM as the 1-node 1 GiB highmem.
     * lowmem_pages = 3963 + 124845 + 98455 = 227263: min_free_kbytes 3813, pages_min 953.
     * Node 0 DMA: tmp 16 (as before): 16 / 20 / 24.
     * Node 0 NORMAL: tmp = 953 * 124845 / 227263 = 118977285 / 227263 = 523; 523 / 653 / 784.
     * Node 1 NORMAL: tmp = 953 * 98455 / 227263 = 93827615 / 227263 = 412; 412 / 515 / 618.
     * Node 1 HIGHMEM: 32 / 66 / 100.
     * reserve, per node: node 0 DMA[NORMAL] = 124845 / 256 = 487, DMA[HIGHMEM] = 487,
     *   NORMAL[HIGHMEM] = 0; node 1 NORMAL[HIGHMEM] = 32448 / 32 = 1014 (its empty DMA zone's
     *   array, not checked: 98455 / 256 = 384 and 130903 / 256 = 511).
     * pcp: node 0 NORMAL 124845 / 1024 = 121 -> 30 -> rounddown_pow_of_two(45) - 1 = 31, high 186;
     *   node 1 NORMAL 98455 / 1024 = 96 -> 24 -> rounddown_pow_of_two(36) - 1 = 31, high 186. */
    { "1 GiB, 2 nodes", 1ull << 30, 2, 0, 262112, 229376, 3813, {
        { { 0, 4096, 3963, 2975, 16, 20, 24, { 0, 487, 487 }, 1, 0 },
          { 4096, 125952, 124845, 123648, 523, 653, 784, { 0, 0, 0 }, 31, 186 },
          { 0 } },
        { { 0 },
          { 130048, 99328, 98455, 99328, 412, 515, 618, { 0, 0, 1014 }, 31, 186 },
          { 229376, 32736, 32448, 32736, 32, 66, 100, { 0, 0, 0 }, 7, 42 } } } },

    /* 1 GiB with min_free_kbytes = 16384 given at boot (as the sysctl would set it):
     * sizes and reserves as for 1 GiB; pages_min = 16384 / 4 = 4096.
     * DMA: tmp = 4096 * 3963 / 227263 = 16232448 / 227263 = 71; 71 / 71 + 17 = 88 / 71 + 35 = 106.
     * NORMAL: tmp = 4096 * 223300 / 227263 = 914636800 / 227263 = 4024; 4024 / 4024 + 1006 = 5030 /
     *   4024 + 2012 = 6036.
     * HIGHMEM: tmp = 4096 * 32448 / 227263 = 132907008 / 227263 = 584; min 32 (31 -> 32);
     *   low 32 + 146 = 178; high 32 + 292 = 324.
     * MIGRATE_RESERVE: NORMAL would want roundup(4024, 1024) / 1024 = 4 pageblocks, and 2.6.32
     *   keeps at most 2 ("page-allocator: limit the number of MIGRATE_RESERVE pageblocks per
     *   zone", 78986a678f6e, in 2.6.32-rc1). */
    { "1 GiB, min_free_kbytes 16384", 1ull << 30, 1, 16384, 262112, 229376, 16384, {{
        { 0, 4096, 3963, 2975, 71, 88, 106, { 0, 872, 999 }, 1, 0 },
        { 4096, 225280, 223300, 222976, 4024, 5030, 6036, { 0, 0, 1014 }, 31, 186 },
        { 229376, 32736, 32448, 32736, 32, 178, 324, { 0, 0, 0 }, 7, 42 } }} },
};

static void print_table(const struct hand_machine *hm)
{
    unsigned n, j;
    printf("%s: max_pfn %u, max_low_pfn %u, min_free_kbytes %u\n", hm->name, hm->max_pfn,
           hm->max_low_pfn, hm->min_free_kbytes);
    for (n = 0; n < hm->nnodes; n++)
        for (j = 0; j < MAX_NR_ZONES; j++) {
            const struct hand_zone *h = &hm->z[n][j];
            if (!h->spanned)
                continue;
            printf("  node %u %-7s start %6u spanned %6u present %6u managed %6u"
                   "  min %4u low %4u high %4u  protection: (%u, %u, %u)  pcp batch %2u high %3u\n",
                   n, j == 0 ? "DMA" : j == 1 ? "Normal" : "HighMem", h->start, h->spanned,
                   h->present, h->managed, h->min, h->low, h->high, h->reserve[0],
                   h->reserve[1], h->reserve[2], h->batch, h->pcp_high);
        }
}

/* The pages of the zone reserved at boot, counted from struct page. */
static uint32_t count_unreserved(const struct zone *z)
{
    uint32_t pfn, n = 0;
    for (pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn++)
        if (!page_flag(pfn_to_page(pfn), PG_reserved))
            n++;
    return n;
}

static void check_machine(const struct hand_machine *hm)
{
    struct ref_machine m;
    unsigned n, j, cpu;
    uint32_t memmap_start, memmap_end;
    const unsigned ncpus = 4;

    {
        struct mm_boot_info bi;
        mm_host_boot_info(&bi, hm->ram, ncpus, hm->nnodes);
        bi.min_free_kbytes = hm->mfk_override;
        mm_host_boot_with(&bi);
    }
    ref_machine_init(&m, hm->ram, ncpus, hm->nnodes);
    if (hm->mfk_override) {
        m.min_free_kbytes = hm->mfk_override;
        ref_setup_wmarks(&m);
    }
    print_table(hm);

    /* The hand table and the reference formulas agree (a check of this file). */
    CHECK_EQ(m.max_pfn, hm->max_pfn);
    CHECK_EQ(m.max_low_pfn, hm->max_low_pfn);
    CHECK_EQ(m.min_free_kbytes, hm->min_free_kbytes);

    /* The implementation. */
    CHECK_EQ(max_pfn, hm->max_pfn);
    CHECK_EQ(max_low_pfn, hm->max_low_pfn);
    CHECK_EQ(min_free_kbytes, hm->min_free_kbytes);
    CHECK_EQ(nr_online_nodes, hm->nnodes);

    /* mem_map: max_pfn entries of 36 bytes, page-rounded; below 16 MiB only when there is
     * no RAM at 16 MiB. */
    memmap_start = (uint32_t)(arch_virt_to_phys(mem_map) >> PAGE_SHIFT);
    memmap_end = memmap_start + (uint32_t)(((uint64_t)hm->max_pfn * REF_MEMMAP_ENTRY + PAGE_SIZE - 1) >> PAGE_SHIFT);
    CHECK_EQ(memmap_start, hm->max_pfn > REF_DMA_END_PFN + 1024 ? REF_DMA_END_PFN : 0);

    for (n = 0; n < hm->nnodes; n++) {
        const pg_data_t *pg = &node_data[n];
        uint32_t node_present = 0;
        CHECK_EQ(pg->node_start_pfn, m.n[n].start_pfn);
        CHECK_EQ(pg->node_start_pfn + pg->node_spanned_pages, m.n[n].end_pfn);
        for (cpu = 0; cpu < ncpus; cpu++)
            CHECK_EQ(cpu_to_node(cpu), m.cpu_node[cpu]);
        for (j = 0; j < MAX_NR_ZONES; j++) {
            const struct hand_zone *h = &hm->z[n][j];
            const struct ref_zone *r = &m.n[n].z[j];
            const struct zone *z = &pg->node_zones[j];
            uint32_t ram, kernel, mm, pfn;

            node_present += r->present;
            /* hand table == formulas */
            CHECK_EQ(r->spanned, h->spanned);
            CHECK_EQ(r->present, h->present);
            if (!h->spanned) {
                /* An empty zone. */
                CHECK_EQ(z->spanned_pages, 0);
                CHECK_EQ(z->present_pages, 0);
                CHECK_EQ(z->managed_pages, 0);
                continue;
            }
            CHECK_EQ(r->start, h->start);
            CHECK_EQ(r->wmark[WMARK_MIN], h->min);
            CHECK_EQ(r->wmark[WMARK_LOW], h->low);
            CHECK_EQ(r->wmark[WMARK_HIGH], h->high);
            CHECK_EQ(r->pcp_batch, h->batch);
            CHECK_EQ(r->pcp_high, h->pcp_high);
            /* managed: RAM - kernel image - mem_map, counted over the zone's pfns */
            ram = kernel = mm = 0;
            for (pfn = h->start; pfn < h->start + h->spanned; pfn++) {
                if (!ref_pfn_is_ram(&m, pfn))
                    continue;
                ram++;
                if (pfn >= REF_KERNEL_START_PFN && pfn < REF_KERNEL_END_PFN)
                    kernel++;
                else if (pfn >= memmap_start && pfn < memmap_end)
                    mm++;
            }
            CHECK_EQ(ram - kernel - mm, h->managed);
            CHECK_EQ(r->reserve[0], h->reserve[0]);
            CHECK_EQ(r->reserve[1], h->reserve[1]);
            CHECK_EQ(r->reserve[2], h->reserve[2]);

            /* the implementation */
            CHECK_EQ(z->node, n);
            CHECK_EQ(z->zone_idx, j);
            CHECK_EQ(z->zone_start_pfn, h->start);
            CHECK_EQ(z->spanned_pages, h->spanned);
            CHECK_EQ(z->present_pages, h->present);
            CHECK_EQ(z->managed_pages, h->managed);
            CHECK_EQ(count_unreserved(z), h->managed);
            CHECK_EQ(z->vm_stat[NR_FREE_PAGES], h->managed);   /* all of it free after boot */
            CHECK_EQ(z->watermark[WMARK_MIN], h->min);
            CHECK_EQ(z->watermark[WMARK_LOW], h->low);
            CHECK_EQ(z->watermark[WMARK_HIGH], h->high);
            CHECK_EQ(z->lowmem_reserve[0], h->reserve[0]);
            CHECK_EQ(z->lowmem_reserve[1], h->reserve[1]);
            CHECK_EQ(z->lowmem_reserve[2], h->reserve[2]);
            for (cpu = 0; cpu < ncpus; cpu++) {
                RCHECK(z->pcp[cpu].batch == h->batch, "%s node %u zone %u cpu %u: batch %u, expected %u",
                       hm->name, n, j, cpu, z->pcp[cpu].batch, h->batch);
                RCHECK(z->pcp[cpu].high == h->pcp_high, "%s node %u zone %u cpu %u: high %u, expected %u",
                       hm->name, n, j, cpu, z->pcp[cpu].high, h->pcp_high);
                CHECK_EQ(z->pcp[cpu].count, 0);
            }

            /* MIGRATE_RESERVE (setup_zone_migrate_reserve): min(2, roundup(min, 1024) / 1024)
             * pageblocks, the first ones from the zone start whose first page is not
             * PG_reserved (Linux looks at the first page only).  With grouping by mobility
             * disabled (below 5120 pages), set_pageblock_migratetype writes UNMOVABLE
             * instead of RESERVE, but move_freepages_block still moves the block's free
             * pages to the RESERVE lists; every other pageblock stays MOVABLE (as
             * memmap_init_zone set it before build_all_zonelists decided). */
            if (ref_mobility_disabled(&m)) {
                uint32_t want = (h->min + pageblock_nr_pages - 1) / pageblock_nr_pages, left;
                if (want > 2)
                    want = 2;
                left = want;
                for (pfn = h->start & ~(pageblock_nr_pages - 1); pfn < h->start + h->spanned;
                     pfn += pageblock_nr_pages) {
                    bool eligible = pfn >= h->start && !page_flag(pfn_to_page(pfn), PG_reserved);
                    unsigned mt = ref_pageblock_mt(pfn);
                    if (eligible && left) {
                        uint32_t q, onres = 0, free_pages = 0;
                        left--;
                        RCHECK(mt == MIGRATE_UNMOVABLE, "%s zone %u: grouping disabled: reserve pageblock %u "
                               "has type %u, 2.6.32 writes UNMOVABLE", hm->name, j, pfn, mt);
                        for (q = pfn; q < pfn + pageblock_nr_pages && q < h->start + h->spanned;) {
                            const struct page *pg = pfn_to_page(q);
                            if (page_flag(pg, PG_buddy)) {
                                free_pages += 1u << pg->private;
                                onres += pg->index == MIGRATE_RESERVE ? 1u << pg->private : 0;
                                q += 1u << pg->private;
                            } else {
                                q++;
                            }
                        }
                        RCHECK(free_pages > 0 && onres == free_pages, "%s zone %u: pageblock %u: %u of %u free "
                               "pages on the RESERVE lists", hm->name, j, pfn, onres, free_pages);
                    } else if (pfn >= h->start) {
                        RCHECK(mt == MIGRATE_MOVABLE, "%s zone %u: pageblock %u has type %u, expected MOVABLE",
                               hm->name, j, pfn, mt);
                    }
                }
                CHECK_EQ(z->nr_reserve_blocks, 0);       /* no pageblock is of type RESERVE */
            } else {
                uint32_t want = (h->min + pageblock_nr_pages - 1) / pageblock_nr_pages, got = 0;
                uint32_t left, first_ok = MM_NIL;
                if (want > 2)
                    want = 2;
                left = want;
                for (pfn = h->start & ~(pageblock_nr_pages - 1); pfn < h->start + h->spanned;
                     pfn += pageblock_nr_pages) {
                    bool is_res = ref_pageblock_mt(pfn) == MIGRATE_RESERVE;
                    bool eligible = pfn >= h->start && !page_flag(pfn_to_page(pfn), PG_reserved);
                    if (is_res)
                        got++;
                    if (eligible && left) {
                        RCHECK(is_res, "%s node %u zone %u: pageblock at pfn %u should be MIGRATE_RESERVE",
                               hm->name, n, j, pfn);
                        if (first_ok == MM_NIL)
                            first_ok = pfn;
                        left--;
                    }
                }
                RCHECK(z->nr_reserve_blocks == want && got == want,
                       "%s node %u zone %u: %u MIGRATE_RESERVE pageblocks (nr_reserve_blocks %u); "
                       "2.6.32 caps them at min(2, roundup(min, 1024) / 1024) = %u", hm->name, n, j, got,
                       z->nr_reserve_blocks, want);
            }
        }
        CHECK_EQ(pg->node_present_pages, node_present);
    }

    /* Zonelists: own zones HIGHMEM .. DMA, then the other node's. */
    for (n = 0; n < hm->nnodes; n++) {
        unsigned k;
        for (k = 0; m.zl[n][k] >= 0; k++) {
            CHECK_EQ(node_data[n].node_zonelist.zones[k].node, (unsigned)m.zl[n][k] >> 4);
            CHECK_EQ(node_data[n].node_zonelist.zones[k].zone, (unsigned)m.zl[n][k] & 0xf);
        }
        CHECK_EQ(node_data[n].node_zonelist.zones[k].node, 0xff);
        for (k = 0; m.zl_local[n][k] >= 0; k++) {
            CHECK_EQ(node_data[n].node_zonelist_local.zones[k].node, (unsigned)m.zl_local[n][k] >> 4);
            CHECK_EQ(node_data[n].node_zonelist_local.zones[k].zone, (unsigned)m.zl_local[n][k] & 0xf);
        }
        CHECK_EQ(node_data[n].node_zonelist_local.zones[k].node, 0xff);
    }

    if (&mm_check_invariants)
        CHECK_EQ(mm_check_invariants(true), 0);
}

/* Grouping by mobility: off below 5120 present pages (2.6.32's pageblock_nr_pages *
 * MIGRATE_TYPES, ISOLATE counted).  By hand (max_pfn = ram / 4096 - 32; DMA present 3963
 * once it reaches 16 MiB, 3931 below):
 *   16 MiB: 3931                                          -> disabled
 *   20 MiB: Normal 4096 .. 5087, spanned 992, memmap ceil(992 * 36 / 4096) = 9,
 *           present 983; 3963 + 983 = 4946                 -> disabled
 *   21 MiB: spanned 1248, memmap 11, present 1237; 5200    -> enabled
 *   64 MiB: 16111                                         -> enabled
 * While disabled every allocation is UNMOVABLE: a GFP_HIGHUSER_MOVABLE page comes through
 * the UNMOVABLE per-CPU list and its pageblock, MOVABLE at boot, is taken over as
 * UNMOVABLE by the fallback (whatever the order, the whole pageblock). */
static void test_mobility(void)
{
    static const struct { uint64_t ram; uint32_t present; bool disabled; } t[] = {
        { 16ull << 20, 3931, true }, { 20ull << 20, 4946, true },
        { 21ull << 20, 5200, false }, { 64ull << 20, 16111, false },
    };
    unsigned i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct ref_machine m;
        struct zone *z;
        struct page *pg;
        uint32_t sum = 0, j;
        unsigned mt;

        printf("grouping by mobility, %llu MiB\n", (unsigned long long)(t[i].ram >> 20));
        mm_host_boot(t[i].ram, 1, 1);
        ref_machine_init(&m, t[i].ram, 1, 1);
        for (j = 0; j < MAX_NR_ZONES; j++)
            sum += m.n[0].z[j].present;
        CHECK_EQ(sum, t[i].present);
        CHECK_EQ(ref_mobility_disabled(&m), t[i].disabled);
        CHECK_EQ(page_group_by_mobility_disabled != 0, t[i].disabled);
        pg = alloc_page(GFP_HIGHUSER_MOVABLE);
        CHECK(pg != NULL);
        if (!pg)
            continue;
        z = page_zone(pg);
        mt = ref_pageblock_mt(page_to_pfn(pg));
        if (t[i].disabled) {
            CHECK_EQ(mt, MIGRATE_UNMOVABLE);
            CHECK(!mm_list_empty(&z->pcp[0].lists[MIGRATE_UNMOVABLE]) || z->pcp[0].count == 0);
            CHECK(mm_list_empty(&z->pcp[0].lists[MIGRATE_MOVABLE]));
        } else {
            CHECK_EQ(mt, MIGRATE_MOVABLE);
            CHECK(mm_list_empty(&z->pcp[0].lists[MIGRATE_UNMOVABLE]));
        }
        __free_page(pg);
        drain_all_pages();
        if (&mm_check_invariants)
            CHECK_EQ(mm_check_invariants(true), 0);
    }
}

int main(void)
{
    unsigned i;
    for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
        check_machine(&machines[i]);
    test_mobility();
    mm_host_reset();
    return unit_done();
}
