/* mm/init.c - mm_init: nodes, zones, mem_map, zonelists, watermarks,
 * lowmem_reserve, MIGRATE_RESERVE pageblocks and per-CPU list sizes.
 *
 * Nodes: the pfn range 0 .. max_pfn - 1 is cut into nr_nodes equal
 * contiguous shares, each share's start rounded down to a pageblock
 * (node i starts at rounddown(i * max_pfn / nr_nodes, pageblock_nr_pages));
 * a node's span is then shrunk to the RAM inside its share.  CPU i belongs
 * to node i * nr_nodes / nr_cpus.  Distances: 10 to itself, 20 to others.
 *
 * Zones: each node's span cut at 16 MiB (DMA | NORMAL) and 896 MiB
 * (NORMAL | HIGHMEM), each piece shrunk to the RAM inside it; a node may
 * have only some zones.  The sizes, watermark and reserve formulas are
 * documented in docs/mm.md, "Sizes, watermarks and reserves".
 */
#include "internal.h"

pg_data_t node_data[MAX_NUMNODES];
uint32_t nr_online_nodes;
uint32_t cpu_to_node_map[MM_MAX_CPUS];
uint32_t min_free_kbytes;

struct page *mem_map;
uint32_t max_pfn;
uint32_t max_low_pfn;

const uint32_t lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 32, 0 };

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "Normal", "HighMem" };

/* The boot information, kept for the RAM-range queries of set-up. */
static struct mm_boot_info boot;

/* ---- addresses --------------------------------------------------------------- */

void *page_address(const struct page *p)
{
    uint32_t pfn = page_to_pfn(p);

    if (pfn < max_low_pfn)
        return arch_phys_to_virt((uint64_t)pfn << PAGE_SHIFT);
    /* highmem: its pkmap address while it has one (kmap, until
     * flush_all_zero_pkmaps frees the slot), else NULL.  highmem.c sets
     * page->virtual together with its address table, under that table's
     * lock; one aligned word, so a lock-free read sees either value. */
    return (void *)(uintptr_t)__atomic_load_n(&p->virtual, __ATOMIC_ACQUIRE);
}

struct page *virt_to_page(const void *addr)
{
    uint32_t pfn = (uint32_t)(arch_virt_to_phys(addr) >> PAGE_SHIFT);

    MM_BUG_ON(pfn >= max_low_pfn);
    return pfn_to_page(pfn);
}

/* ---- RAM queries over the boot ranges (whole pages only) ---------------------- */

/* The whole pages of RAM range i: [*s, *e) in pfns (empty if s >= e). */
static void ram_range_pfns(unsigned i, uint32_t *s, uint32_t *e)
{
    uint64_t lo = (boot.ram[i].start + PAGE_SIZE - 1) >> PAGE_SHIFT;
    uint64_t hi = boot.ram[i].end >> PAGE_SHIFT;
    const uint64_t top = 1ull << (32 - PAGE_SHIFT);  /* no PAE: RAM below 4 GiB */

    *s = (uint32_t)(lo < top ? lo : top);
    *e = (uint32_t)(hi < top ? hi : top);
}

/* RAM pages in [s, e). */
static uint32_t ram_pages_in(uint32_t s, uint32_t e)
{
    uint32_t n = 0, rs, re;
    unsigned i;

    for (i = 0; i < boot.nr_ram; i++) {
        ram_range_pfns(i, &rs, &re);
        rs = rs > s ? rs : s;
        re = re < e ? re : e;
        if (rs < re)
            n += re - rs;
    }
    return n;
}

/* Shrinks [*s, *e) to its first and last RAM page; empty (s == e) if none. */
static void clip_to_ram(uint32_t *s, uint32_t *e)
{
    uint32_t lo = *e, hi = *s, rs, re;
    unsigned i;

    for (i = 0; i < boot.nr_ram; i++) {
        ram_range_pfns(i, &rs, &re);
        rs = rs > *s ? rs : *s;
        re = re < *e ? re : *e;
        if (rs >= re)
            continue;
        lo = rs < lo ? rs : lo;
        hi = re > hi ? re : hi;
    }
    if (lo >= hi)
        lo = hi = *s;
    *s = lo;
    *e = hi;
}

/* ---- nodes and zones ------------------------------------------------------------ */

/* See internal.h: 2.6.32 subtracts PAGE_ALIGN(spanned * sizeof(struct page))
 * pages per zone for mem_map, wherever mem_map really lives. */
uint32_t zone_memmap_pages(uint32_t spanned_pages)
{
    uint64_t bytes = (uint64_t)spanned_pages * sizeof(struct page);
    return (uint32_t)((bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* Sizes zone idx of node nid over the node's span [ns, ne). */
static void init_zone(pg_data_t *pgdat, unsigned idx, uint32_t ns, uint32_t ne)
{
    static const uint64_t limit[MAX_NR_ZONES + 1] = {
        0, MM_DMA_LIMIT >> PAGE_SHIFT, MM_LOWMEM_LIMIT >> PAGE_SHIFT, 1ull << (32 - PAGE_SHIFT)
    };
    struct zone *z = &pgdat->node_zones[idx];
    uint32_t s = ns > limit[idx] ? ns : (uint32_t)limit[idx];
    uint32_t e = ne < limit[idx + 1] ? ne : (uint32_t)limit[idx + 1];
    uint32_t ram, memmap;
    unsigned i;

    z->node = pgdat->node_id;
    z->zone_idx = idx;
    for (i = 0; zone_names[idx][i]; i++)
        z->name[i] = zone_names[idx][i];
    if (s > e)
        s = e;
    clip_to_ram(&s, &e);
    z->zone_start_pfn = s;
    z->spanned_pages = e - s;
    ram = ram_pages_in(s, e);
    memmap = zone_memmap_pages(z->spanned_pages);
    z->present_pages = ram >= memmap ? ram - memmap : ram;
    for (i = 0; i < MAX_ORDER; i++) {
        unsigned t;
        for (t = 0; t < MIGRATE_TYPES; t++)
            mm_list_init(&z->free_area[i].free_list[t]);
    }
    if (populated_zone(z))
        pgdat->nr_zones++;
}

/* Node spans, zones, CPU placement and distances. */
static void init_nodes(uint32_t nr_nodes, uint32_t nr_cpus)
{
    uint32_t nid, cpu, i;

    nr_online_nodes = nr_nodes;
    for (nid = 0; nid < nr_nodes; nid++) {
        pg_data_t *pgdat = NODE_DATA(nid);
        uint32_t s = (uint32_t)((uint64_t)nid * max_pfn / nr_nodes) & ~(pageblock_nr_pages - 1);
        uint32_t e = nid + 1 == nr_nodes ? max_pfn
                   : (uint32_t)((uint64_t)(nid + 1) * max_pfn / nr_nodes) & ~(pageblock_nr_pages - 1);

        pgdat->node_id = nid;
        clip_to_ram(&s, &e);
        pgdat->node_start_pfn = s;
        pgdat->node_spanned_pages = e - s;
        for (i = 0; i < MAX_NR_ZONES; i++) {
            init_zone(pgdat, i, s, e);
            pgdat->node_present_pages += pgdat->node_zones[i].present_pages;
        }
        for (i = 0; i < nr_nodes; i++)
            pgdat->distance[i] = i == nid ? 10 : 20;
    }
    for (cpu = 0; cpu < nr_cpus; cpu++) {
        cpu_to_node_map[cpu] = cpu * nr_nodes / nr_cpus;
        NODE_DATA(cpu_to_node_map[cpu])->cpumask |= 1u << cpu;
    }
}

/* The node and zone a pfn belongs to: the node whose share holds it, the
 * zone by the 16 MiB / 896 MiB limits (holes included). */
static void pfn_node_zone(uint32_t pfn, uint32_t *nid, uint32_t *zid)
{
    uint32_t n;

    *nid = 0;
    for (n = 1; n < nr_online_nodes; n++)
        if (pfn >= ((uint32_t)((uint64_t)n * max_pfn / nr_online_nodes) & ~(pageblock_nr_pages - 1)))
            *nid = n;
    *zid = (uint64_t)pfn << PAGE_SHIFT < MM_DMA_LIMIT ? ZONE_DMA
         : (uint64_t)pfn << PAGE_SHIFT < MM_LOWMEM_LIMIT ? ZONE_NORMAL : ZONE_HIGHMEM;
}

/* Places mem_map in lowmem (above 16 MiB if it fits, to spare ZONE_DMA) and
 * marks every page reserved, with its zone and node; every pageblock starts
 * MOVABLE. */
static void init_mem_map(void)
{
    uint64_t bytes = (uint64_t)max_pfn * sizeof(struct page);
    uint64_t phys = bootmem_alloc(bytes, PAGE_SIZE, MM_DMA_LIMIT, (uint64_t)max_low_pfn << PAGE_SHIFT);
    uint32_t pfn;

    mem_map = arch_phys_to_virt(phys);
    for (pfn = 0; pfn < max_pfn; pfn++) {
        struct page *p = &mem_map[pfn];
        uint32_t nid, zid;

        pfn_node_zone(pfn, &nid, &zid);
        p->flags = (1u << PG_reserved) | (zid << PAGE_ZONE_SHIFT) | (nid << PAGE_NODE_SHIFT);
        if (zid == ZONE_HIGHMEM)
            p->flags |= 1u << PG_highmem;
        if ((pfn & (pageblock_nr_pages - 1)) == 0)
            p->flags |= (uint32_t)MIGRATE_MOVABLE << PAGE_PBMT_SHIFT;
        p->_refcount = 1;
        p->_mapcount = -1;
        p->private = p->mapping = p->index = 0;
        p->lru.next = p->lru.prev = MM_NIL;
        p->virtual = 0;
    }
}

/* Zonelists: for each node, its own zones HIGHMEM -> DMA, then the other
 * nodes' by increasing distance (ties: lower node id first). */
static void build_zonelists(void)
{
    uint32_t nid;

    for (nid = 0; nid < nr_online_nodes; nid++) {
        pg_data_t *pgdat = NODE_DATA(nid);
        uint32_t order[MAX_NUMNODES], n = 0, i, j, k = 0, kl = 0;

        for (i = 0; i < nr_online_nodes; i++)
            order[n++] = i;
        for (i = 1; i < n; i++)            /* insertion sort by (distance, id) */
            for (j = i; j > 0 && (pgdat->distance[order[j]] < pgdat->distance[order[j - 1]] ||
                                  (pgdat->distance[order[j]] == pgdat->distance[order[j - 1]] &&
                                   order[j] < order[j - 1])); j--) {
                uint32_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        for (i = 0; i < n; i++) {
            int zi;
            for (zi = MAX_NR_ZONES - 1; zi >= 0; zi--) {
                if (!populated_zone(&NODE_DATA(order[i])->node_zones[zi]))
                    continue;
                pgdat->node_zonelist.zones[k].node = (uint8_t)order[i];
                pgdat->node_zonelist.zones[k++].zone = (uint8_t)zi;
                if (order[i] == nid) {
                    pgdat->node_zonelist_local.zones[kl].node = (uint8_t)nid;
                    pgdat->node_zonelist_local.zones[kl++].zone = (uint8_t)zi;
                }
            }
        }
        pgdat->node_zonelist.zones[k].node = ZONEREF_END;
        pgdat->node_zonelist.zones[k].zone = ZONEREF_END;
        pgdat->node_zonelist_local.zones[kl].node = ZONEREF_END;
        pgdat->node_zonelist_local.zones[kl].zone = ZONEREF_END;
    }
}

/* ---- watermarks and reserves ----------------------------------------------------- */

/* See internal.h: Newton's iteration on 64-bit integers. */
uint32_t int_sqrt(uint64_t x)
{
    uint64_t r = x, y;

    if (x < 2)
        return (uint32_t)x;
    y = (r + x / r) / 2;
    while (y < r) {
        r = y;
        y = (r + x / r) / 2;
    }
    return (uint32_t)r;
}

/* Present pages of all non-highmem zones. */
static uint64_t lowmem_present_pages(void)
{
    struct zone *z;
    uint64_t n = 0;

    for_each_zone(z)
        if (!is_highmem(z))
            n += z->present_pages;
    return n;
}

/* See internal.h.  lowmem_kbytes stands for 2.6.32's nr_free_buffer_pages
 * at boot (present minus high watermarks, which are still 0). */
uint32_t calculate_min_free_kbytes(void)
{
    uint64_t lowmem_kbytes = lowmem_present_pages() * (PAGE_SIZE / 1024);
    uint32_t k = int_sqrt(lowmem_kbytes * 16);

    if (k < 128)
        k = 128;
    if (k > 65536)
        k = 65536;
    return k;
}

/* 2.6.32's setup_zone_migrate_reserve: the first pageblocks of the zone
 * (skipping those whose first page is reserved), as many as the min
 * watermark rounded up to whole pageblocks but at most 2 (78986a678f6e),
 * become MIGRATE_RESERVE; extra old RESERVE blocks go back to MOVABLE.
 * With grouping by mobility disabled, set_pageblock_migratetype writes
 * UNMOVABLE instead (the free pages still move to the RESERVE lists), so
 * no pageblock is counted.  Caller holds zone->lock. */
static void setup_zone_migrate_reserve(struct zone *z)
{
    uint32_t want = (min_wmark_pages(z) + pageblock_nr_pages - 1) / pageblock_nr_pages;
    uint32_t pfn, have = 0, typed = 0;

    if (want > 2)
        want = 2;

    for (pfn = pageblock_start_pfn(z->zone_start_pfn); pfn < zone_end_pfn(z); pfn += pageblock_nr_pages) {
        struct page *p = pfn_to_page(pfn);
        unsigned mt;

        if (pfn < z->zone_start_pfn || page_zone(p) != z || page_flag(p, PG_reserved))
            continue;
        mt = get_pageblock_migratetype(p);
        if (have < want && (mt == MIGRATE_RESERVE || mt == MIGRATE_MOVABLE)) {
            if (mt == MIGRATE_MOVABLE) {
                set_pageblock_migratetype(p, MIGRATE_RESERVE);
                move_freepages_block(z, p, MIGRATE_RESERVE);
            }
            have++;
        } else if (mt == MIGRATE_RESERVE) {
            set_pageblock_migratetype(p, MIGRATE_MOVABLE);
            move_freepages_block(z, p, MIGRATE_MOVABLE);
        }
        typed += get_pageblock_migratetype(p) == MIGRATE_RESERVE;
    }
    z->nr_reserve_blocks = typed;
}

/* See internal.h (2.6.32's setup_per_zone_wmarks). */
void setup_per_zone_wmarks(void)
{
    uint64_t pages_min = min_free_kbytes / (PAGE_SIZE / 1024);
    uint64_t lowmem_pages = lowmem_present_pages();
    struct zone *z;

    for_each_zone(z) {
        uint64_t tmp = lowmem_pages ? pages_min * z->present_pages / lowmem_pages : 0;
        uint64_t min = tmp;
        unsigned long flags = arch_spin_lock_irqsave(&z->lock);

        if (is_highmem(z)) {
            min = z->present_pages / 1024;
            min = min < 32 ? 32 : min > 128 ? 128 : min;
        }
        z->watermark[WMARK_MIN] = (uint32_t)min;
        z->watermark[WMARK_LOW] = (uint32_t)(min + tmp / 4);
        z->watermark[WMARK_HIGH] = (uint32_t)(min + tmp / 2);
        if (populated_zone(z))
            setup_zone_migrate_reserve(z);
        arch_spin_unlock_irqrestore(&z->lock, flags);
    }
}

/* See internal.h (2.6.32's setup_per_zone_lowmem_reserve): a lower zone
 * keeps back from requests of class j the present pages of the zones above
 * it up to j, divided by its own ratio. */
void setup_per_zone_lowmem_reserve(void)
{
    uint32_t nid;

    for (nid = 0; nid < nr_online_nodes; nid++) {
        pg_data_t *pgdat = NODE_DATA(nid);
        int j;

        for (j = 0; j < MAX_NR_ZONES; j++) {
            uint32_t pages = pgdat->node_zones[j].present_pages;
            int idx;

            pgdat->node_zones[j].lowmem_reserve[j] = 0;
            for (idx = j - 1; idx >= 0; idx--) {
                struct zone *lower = &pgdat->node_zones[idx];
                lower->lowmem_reserve[j] = pages / lowmem_reserve_ratio[idx];
                pages += lower->present_pages;
            }
        }
    }
}

/* ---- mm_init ------------------------------------------------------------------------ */

/* max_pfn: the end of the last whole RAM page below 4 GiB. */
static void find_max_pfn(void)
{
    uint32_t s, e;
    unsigned i;

    max_pfn = 0;
    for (i = 0; i < boot.nr_ram; i++) {
        ram_range_pfns(i, &s, &e);
        if (s < e && e > max_pfn)
            max_pfn = e;
    }
    max_low_pfn = max_pfn < (MM_LOWMEM_LIMIT >> PAGE_SHIFT) ? max_pfn
                                                           : (uint32_t)(MM_LOWMEM_LIMIT >> PAGE_SHIFT);
}

/* See mm.h.  Every global of mm/ is (re)initialised here. */
void mm_init(const struct mm_boot_info *bi)
{
    struct zone *z;

    MM_BUG_ON(bi->nr_ram == 0 || bi->nr_ram > MM_MAX_RANGES || bi->nr_reserved > MM_MAX_RANGES);
    MM_BUG_ON(bi->nr_cpus < 1 || bi->nr_cpus > MM_MAX_CPUS);
    MM_BUG_ON(bi->nr_nodes < 1 || bi->nr_nodes > MAX_NUMNODES);
    boot = *bi;
    __builtin_memset(node_data, 0, sizeof(node_data));
    __builtin_memset(cpu_to_node_map, 0, sizeof(cpu_to_node_map));
    find_max_pfn();
    MM_BUG_ON(max_pfn == 0);
    init_nodes(bi->nr_nodes, bi->nr_cpus);
    bootmem_init(bi);
    init_mem_map();
    build_zonelists();
    build_preferred_zones();
    /* build_all_zonelists: grouping by mobility off below 5 pageblocks
     * (nr_free_pagecache_pages(): present pages of every zone, no high
     * watermarks yet; the pageblocks are MOVABLE already). */
    {
        uint32_t pages = 0;
        for_each_zone(z)
            pages += z->present_pages;
        page_group_by_mobility_disabled = pages < MOBILITY_MIN_PAGES;
    }
    for_each_zone(z)
        pcp_setup_zone(z);
    min_free_kbytes = bi->min_free_kbytes ? bi->min_free_kbytes : calculate_min_free_kbytes();
    setup_per_zone_lowmem_reserve();
    bootmem_free_all();
    setup_per_zone_wmarks();
}
