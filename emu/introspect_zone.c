/* emu/introspect_zone.c - /proc/buddyinfo, /proc/pagetypeinfo and
 * /proc/zoneinfo from the host's copy of node_data and the guest's
 * mem_map, in the formats of the guest's mm/report.c (Linux's): the same
 * text the guest prints for the same state. */
#include <string.h>

#include "introspect.h"

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "Normal", "HighMem" };
static const char *const mt_names[MIGRATE_TYPES] = { "Unmovable", "Reclaimable", "Movable", "Reserve" };

/* mm/report.c's mm_zone_name: zone->name if it is a terminated non-empty
 * string, else the default name of its index. */
static const char *zone_name(const struct zone *z)
{
    for (unsigned i = 0; i < sizeof z->name; i++) {
        if (z->name[i] == '\0')
            return i ? z->name : zone_names[z->zone_idx < MAX_NR_ZONES ? z->zone_idx : 0];
    }
    return z->zone_idx < MAX_NR_ZONES ? zone_names[z->zone_idx] : "?";
}

static uint32_t stat(const struct zone *z, enum zone_stat_item i)
{
    return z->vm_stat[i] < 0 ? 0 : (uint32_t)z->vm_stat[i];
}

/* ---- /proc/buddyinfo ------------------------------------------------------------ */

void ik_report_buddyinfo(ik_ctx *c)
{
    if (ik_load_mm(c))
        return;
    for (unsigned nid = 0; nid < c->nr_online_nodes; nid++) {
        for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
            const struct zone *z = &c->node_data[nid].node_zones[i];

            if (!populated_zone(z))
                continue;
            ik_printf(c->out, "Node %d, zone %8s ", (int)nid, zone_name(z));
            for (unsigned o = 0; o < MAX_ORDER; o++)
                ik_printf(c->out, "%6lu ", (unsigned long)z->free_area[o].nr_free);
            ik_printf(c->out, "\n");
        }
    }
}

/* ---- /proc/pagetypeinfo ---------------------------------------------------------- */

/* Blocks on one free list, walked by pfn as the guest's count_free_list
 * does (stopping at a pfn beyond max_pfn or after spanned_pages + 1 steps);
 * either stop, and an unreadable page, is named in an error line. */
static unsigned long count_free_list(ik_ctx *c, unsigned nid, const struct zone *z, unsigned o, unsigned mt)
{
    unsigned long n = 0, bound = (unsigned long)z->spanned_pages + 1;
    uint32_t pfn = z->free_area[o].free_list[mt].first;
    struct page p;

    while (pfn != MM_NIL && n < bound) {
        if (pfn >= c->max_pfn) {
            ik_error(c, "node %u zone %s order %u %s: pfn %u on the free list is beyond max_pfn %u",
                     nid, zone_name(z), o, mt_names[mt], pfn, c->max_pfn);
            return n;
        }
        if (ik_page(c, pfn, &p) < 0) {
            ik_error(c, "node %u zone %s order %u %s: cannot read struct page of pfn %u (mem_map 0x%08x)",
                     nid, zone_name(z), o, mt_names[mt], pfn, c->mem_map);
            return n;
        }
        n++;
        pfn = p.lru.next;
    }
    if (pfn != MM_NIL)
        ik_error(c, "node %u zone %s order %u %s: free list longer than the zone (%lu steps): cycle?",
                 nid, zone_name(z), o, mt_names[mt], bound);
    return n;
}

static void pagetypeinfo_blocks_zone(ik_ctx *c, unsigned nid, const struct zone *z)
{
    unsigned long count[MIGRATE_TYPES] = { 0 };
    uint64_t end = (uint64_t)z->zone_start_pfn + z->spanned_pages;
    struct page p;

    for (uint64_t pfn = z->zone_start_pfn; pfn < end; pfn += pageblock_nr_pages) {
        uint32_t first = (uint32_t)pfn & ~(pageblock_nr_pages - 1);
        unsigned mt;

        if (pfn >= c->max_pfn)
            continue;
        if (ik_page(c, first, &p) < 0) {
            ik_error(c, "node %u zone %s: cannot read struct page of pfn %u", nid, zone_name(z), first);
            continue;
        }
        mt = (p.flags & PAGE_PBMT_MASK) >> PAGE_PBMT_SHIFT;
        if (mt < MIGRATE_TYPES)
            count[mt]++;
    }
    ik_printf(c->out, "Node %d, zone %8s ", (int)nid, zone_name(z));
    for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
        ik_printf(c->out, "%12lu ", count[mt]);
    ik_printf(c->out, "\n");
}

static void pagetypeinfo_node(ik_ctx *c, unsigned nid)
{
    const pg_data_t *pgdat = &c->node_data[nid];
    bool any = false;

    for (unsigned i = 0; i < MAX_NR_ZONES; i++)
        any |= populated_zone(&pgdat->node_zones[i]);
    if (!any)
        return;

    ik_printf(c->out, "Page block order: %d\n", (int)pageblock_order);
    ik_printf(c->out, "Pages per block:  %lu\n", (unsigned long)pageblock_nr_pages);
    ik_printf(c->out, "\n");
    ik_printf(c->out, "%-43s ", "Free pages count per migrate type at order");
    for (unsigned o = 0; o < MAX_ORDER; o++)
        ik_printf(c->out, "%6d ", (int)o);
    ik_printf(c->out, "\n");
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
        const struct zone *z = &pgdat->node_zones[i];

        if (!populated_zone(z))
            continue;
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
            ik_printf(c->out, "Node %4d, zone %8s, type %12s ", (int)nid, zone_name(z), mt_names[mt]);
            for (unsigned o = 0; o < MAX_ORDER; o++)
                ik_printf(c->out, "%6lu ", count_free_list(c, nid, z, o, mt));
            ik_printf(c->out, "\n");
        }
    }

    ik_printf(c->out, "\n%-23s", "Number of blocks type ");
    for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
        ik_printf(c->out, "%12s ", mt_names[mt]);
    ik_printf(c->out, "\n");
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
        const struct zone *z = &pgdat->node_zones[i];

        if (populated_zone(z))
            pagetypeinfo_blocks_zone(c, nid, z);
    }
}

void ik_report_pagetypeinfo(ik_ctx *c)
{
    if (ik_load_mm(c))
        return;
    for (unsigned nid = 0; nid < c->nr_online_nodes; nid++)
        pagetypeinfo_node(c, nid);
}

/* ---- /proc/zoneinfo ------------------------------------------------------------------ */

static const char *const stat_names[NR_VM_ZONE_STAT_ITEMS] = {
    MM_ZONE_STAT_NAMES(MM_ZONE_STAT_NAME_INIT)
};

static void zoneinfo_zone(ik_ctx *c, unsigned nid, const struct zone *z)
{
    unsigned ncpu = c->nr_cpus > MM_MAX_CPUS ? MM_MAX_CPUS : c->nr_cpus;

    ik_printf(c->out, "Node %d, zone %8s", (int)nid, zone_name(z));
    ik_printf(c->out,
              "\n  pages free     %lu"
              "\n        min      %lu"
              "\n        low      %lu"
              "\n        high     %lu"
              "\n        spanned  %lu"
              "\n        present  %lu"
              "\n        managed  %lu",
              (unsigned long)stat(z, NR_FREE_PAGES), (unsigned long)z->watermark[WMARK_MIN],
              (unsigned long)z->watermark[WMARK_LOW], (unsigned long)z->watermark[WMARK_HIGH],
              (unsigned long)z->spanned_pages, (unsigned long)z->present_pages,
              (unsigned long)z->managed_pages);
    /* The guest prints the uint32 reserves with %ld of a long: 32 bits there. */
    ik_printf(c->out, "\n        protection: (%ld", (long)(int32_t)z->lowmem_reserve[0]);
    for (unsigned i = 1; i < MAX_NR_ZONES; i++)
        ik_printf(c->out, ", %ld", (long)(int32_t)z->lowmem_reserve[i]);
    ik_printf(c->out, ")");
    if (!populated_zone(z)) {
        ik_printf(c->out, "\n");
        return;
    }
    for (unsigned i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
        ik_printf(c->out, "\n      %-12s %lu", stat_names[i], (unsigned long)stat(z, (enum zone_stat_item)i));
    ik_printf(c->out, "\n  pagesets");
    for (unsigned cpu = 0; cpu < ncpu; cpu++) {
        const struct per_cpu_pages *pcp = &z->pcp[cpu];

        ik_printf(c->out,
                  "\n    cpu: %i"
                  "\n              count: %i"
                  "\n              high:  %i"
                  "\n              batch: %i",
                  (int)cpu, (int)pcp->count, (int)pcp->high, (int)pcp->batch);
        ik_printf(c->out, "\n  vm stats threshold: %d", 0);
    }
    ik_printf(c->out,
              "\n  node_unreclaimable:  %u"
              "\n  start_pfn:           %lu",
              0u, (unsigned long)z->zone_start_pfn);
    ik_printf(c->out, "\n");
}

void ik_report_zoneinfo(ik_ctx *c)
{
    if (ik_load_mm(c))
        return;
    for (unsigned nid = 0; nid < c->nr_online_nodes; nid++)
        for (unsigned i = 0; i < MAX_NR_ZONES; i++)
            zoneinfo_zone(c, nid, &c->node_data[nid].node_zones[i]);
}
