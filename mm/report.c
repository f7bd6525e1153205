/* mm/report.c - text reports on the state of the page allocator, in the
 * formats of Linux's /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo
 * and of the "Mem-Info:" block printed on an allocation failure.
 *
 * Tools and people compare these with what Linux prints, so every format
 * string reproduces Linux's byte for byte for the fields we have; the
 * choices made where Linux has more (or other) fields are listed in
 * docs/mm.md, "Debugging and reports".
 *
 * All output goes through an mm_seq, a fixed buffer: nothing here
 * allocates, so the reports work from the allocation-failure path too.
 */
#include "debug.h"
#include "internal.h"

/* ---- the bounded buffer ----------------------------------------------------------- */

void mm_seq_printf(struct mm_seq *s, const char *fmt, ...)
{
    va_list ap;
    size_t room = 0;
    int n;

    if (s->overflow)
        return;                    /* keep the output a clean prefix */
    if (s->buf && s->len + 1 < s->size)
        room = s->size - s->len;   /* at least one character and the NUL */
    va_start(ap, fmt);
    /* With no room, only measure (size 0 writes nothing). */
    n = arch_vsnprintf(room ? s->buf + s->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    if ((size_t)n >= room) {
        /* arch_vsnprintf stored room - 1 characters and the NUL. */
        if (room)
            s->len = s->size - 1;
        s->overflow = true;
    } else {
        s->len += (size_t)n;
    }
}

/* ---- helpers ------------------------------------------------------------------------ */

static const char *const default_zone_names[MAX_NR_ZONES] = { "DMA", "Normal", "HighMem" };

const char *mm_zone_name(const struct zone *z)
{
    /* zone->name is a fixed char[8]: use it only if it is a terminated,
     * non-empty string (an unpopulated zone may never have been named). */
    for (unsigned i = 0; i < sizeof z->name; i++) {
        if (z->name[i] == '\0')
            return i ? z->name : default_zone_names[z->zone_idx < MAX_NR_ZONES ? z->zone_idx : 0];
    }
    return z->zone_idx < MAX_NR_ZONES ? default_zone_names[z->zone_idx] : "?";
}

/* Linux's K(x): pages to KiB. */
static unsigned long kb(unsigned long pages)
{
    return pages << (PAGE_SHIFT - 10);
}

static unsigned nr_report_cpus(void)
{
    unsigned n = arch_nr_cpus();
    return n > MM_MAX_CPUS ? MM_MAX_CPUS : n;
}

/* Number of blocks on one free list, walked by pfn.  The walk stops after
 * spanned_pages + 1 steps so that a corrupted (cyclic) list cannot hang a
 * report; mm_check_invariants is the place where such damage is named. */
static unsigned long count_free_list(const struct zone *z, const struct mm_list *l)
{
    unsigned long n = 0, bound = (unsigned long)z->spanned_pages + 1;
    uint32_t pfn = l->first;

    while (pfn != MM_NIL && pfn_valid(pfn) && n < bound) {
        n++;
        pfn = pfn_to_page(pfn)->lru.next;
    }
    return n;
}

/* ---- /proc/buddyinfo ---------------------------------------------------------------- */

static void buddyinfo_zone(struct mm_seq *s, unsigned nid, struct zone *z)
{
    mm_seq_printf(s, "Node %d, zone %8s ", (int)nid, mm_zone_name(z));
    for (unsigned o = 0; o < MAX_ORDER; o++)
        mm_seq_printf(s, "%6lu ", (unsigned long)z->free_area[o].nr_free);
    mm_seq_printf(s, "\n");
}

void mm_report_buddyinfo(struct mm_seq *s)
{
    unsigned nid;

    for_each_online_node(nid) {
        for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
            struct zone *z = &node_data[nid].node_zones[i];
            unsigned long flags;

            if (!populated_zone(z))
                continue;
            flags = arch_spin_lock_irqsave(&z->lock);
            buddyinfo_zone(s, nid, z);
            arch_spin_unlock_irqrestore(&z->lock, flags);
        }
    }
}

/* ---- /proc/pagetypeinfo ---------------------------------------------------------------- */

static const char *mt_name(unsigned mt)
{
    return mt < MIGRATE_TYPES ? migratetype_names[mt] : "?";
}

static void pagetypeinfo_free_zone(struct mm_seq *s, unsigned nid, struct zone *z)
{
    for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
        mm_seq_printf(s, "Node %4d, zone %8s, type %12s ", (int)nid, mm_zone_name(z), mt_name(mt));
        for (unsigned o = 0; o < MAX_ORDER; o++)
            mm_seq_printf(s, "%6lu ", count_free_list(z, &z->free_area[o].free_list[mt]));
        mm_seq_printf(s, "\n");
    }
}

/* Like Linux, samples one pfn per pageblock from the zone's first pfn and
 * counts the type of the pageblock holding it. */
static void pagetypeinfo_blocks_zone(struct mm_seq *s, unsigned nid, struct zone *z)
{
    unsigned long count[MIGRATE_TYPES] = { 0 };
    uint32_t end = zone_end_pfn(z);

    for (uint32_t pfn = z->zone_start_pfn; pfn < end; pfn += pageblock_nr_pages) {
        unsigned mt;
        if (!pfn_valid(pfn))
            continue;
        mt = get_pageblock_migratetype(pfn_to_page(pfn));
        if (mt < MIGRATE_TYPES)
            count[mt]++;
        if (pfn + pageblock_nr_pages < pfn)
            break;                 /* pfn wrap-around */
    }
    mm_seq_printf(s, "Node %d, zone %8s ", (int)nid, mm_zone_name(z));
    for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
        mm_seq_printf(s, "%12lu ", count[mt]);
    mm_seq_printf(s, "\n");
}

/* Linux prints the whole block once per node with memory. */
static void pagetypeinfo_node(struct mm_seq *s, unsigned nid)
{
    pg_data_t *pgdat = &node_data[nid];
    bool any = false;

    for (unsigned i = 0; i < MAX_NR_ZONES; i++)
        any |= populated_zone(&pgdat->node_zones[i]);
    if (!any)
        return;

    mm_seq_printf(s, "Page block order: %d\n", (int)pageblock_order);
    mm_seq_printf(s, "Pages per block:  %lu\n", (unsigned long)pageblock_nr_pages);
    mm_seq_printf(s, "\n");

    mm_seq_printf(s, "%-43s ", "Free pages count per migrate type at order");
    for (unsigned o = 0; o < MAX_ORDER; o++)
        mm_seq_printf(s, "%6d ", (int)o);
    mm_seq_printf(s, "\n");
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
        struct zone *z = &pgdat->node_zones[i];
        unsigned long flags;
        if (!populated_zone(z))
            continue;
        flags = arch_spin_lock_irqsave(&z->lock);
        pagetypeinfo_free_zone(s, nid, z);
        arch_spin_unlock_irqrestore(&z->lock, flags);
    }

    mm_seq_printf(s, "\n%-23s", "Number of blocks type ");
    for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
        mm_seq_printf(s, "%12s ", mt_name(mt));
    mm_seq_printf(s, "\n");
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
        struct zone *z = &pgdat->node_zones[i];
        unsigned long flags;
        if (!populated_zone(z))
            continue;
        flags = arch_spin_lock_irqsave(&z->lock);
        pagetypeinfo_blocks_zone(s, nid, z);
        arch_spin_unlock_irqrestore(&z->lock, flags);
    }
}

void mm_report_pagetypeinfo(struct mm_seq *s)
{
    unsigned nid;

    for_each_online_node(nid)
        pagetypeinfo_node(s, nid);
}

/* ---- /proc/zoneinfo ------------------------------------------------------------------------ */

/* Linux's names of our zone counters, in enum zone_stat_item order. */
static const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
    MM_ZONE_STAT_NAMES(MM_ZONE_STAT_NAME_INIT)
};

/* Our counters are updated in place (no per-CPU differentials folded in
 * later), so the deferral threshold Linux prints is 0 here. */
#define MM_VM_STAT_THRESHOLD 0

static void zoneinfo_zone(struct mm_seq *s, unsigned nid, struct zone *z)
{
    mm_seq_printf(s, "Node %d, zone %8s", (int)nid, mm_zone_name(z));
    mm_seq_printf(s,
                  "\n  pages free     %lu"
                  "\n        min      %lu"
                  "\n        low      %lu"
                  "\n        high     %lu"
                  "\n        spanned  %lu"
                  "\n        present  %lu"
                  "\n        managed  %lu",
                  (unsigned long)zone_page_state(z, NR_FREE_PAGES),
                  (unsigned long)min_wmark_pages(z),
                  (unsigned long)low_wmark_pages(z),
                  (unsigned long)high_wmark_pages(z),
                  (unsigned long)z->spanned_pages,
                  (unsigned long)z->present_pages,
                  (unsigned long)z->managed_pages);
    mm_seq_printf(s, "\n        protection: (%ld", (long)z->lowmem_reserve[0]);
    for (unsigned i = 1; i < MAX_NR_ZONES; i++)
        mm_seq_printf(s, ", %ld", (long)z->lowmem_reserve[i]);
    mm_seq_printf(s, ")");

    if (!populated_zone(z)) {
        /* Linux's short form: nothing else is meaningful. */
        mm_seq_printf(s, "\n");
        return;
    }

    for (unsigned i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
        mm_seq_printf(s, "\n      %-12s %lu", zone_stat_names[i],
                      (unsigned long)zone_page_state(z, (enum zone_stat_item)i));

    mm_seq_printf(s, "\n  pagesets");
    for (unsigned cpu = 0; cpu < nr_report_cpus(); cpu++) {
        const struct per_cpu_pages *pcp = &z->pcp[cpu];
        mm_seq_printf(s,
                      "\n    cpu: %i"
                      "\n              count: %i"
                      "\n              high:  %i"
                      "\n              batch: %i",
                      (int)cpu, (int)pcp->count, (int)pcp->high, (int)pcp->batch);
        mm_seq_printf(s, "\n  vm stats threshold: %d", MM_VM_STAT_THRESHOLD);
    }
    mm_seq_printf(s,
                  "\n  node_unreclaimable:  %u"
                  "\n  start_pfn:           %lu",
                  0u, (unsigned long)z->zone_start_pfn);
    mm_seq_printf(s, "\n");
}

void mm_report_zoneinfo(struct mm_seq *s)
{
    unsigned nid;

    for_each_online_node(nid) {
        for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
            struct zone *z = &node_data[nid].node_zones[i];
            unsigned long flags = arch_spin_lock_irqsave(&z->lock);
            zoneinfo_zone(s, nid, z);
            arch_spin_unlock_irqrestore(&z->lock, flags);
        }
    }
}

/* ---- Mem-Info (show_mem / show_free_areas) ------------------------------------------------ */

/* Free pages on all CPUs' lists of z. */
static unsigned long zone_free_pcp(const struct zone *z)
{
    unsigned long n = 0;
    for (unsigned cpu = 0; cpu < nr_report_cpus(); cpu++)
        n += z->pcp[cpu].count;
    return n;
}

/* Lock-free on purpose: it runs on the allocation-failure path, where a
 * racy snapshot is worth more than a deadlock; Linux's show_free_areas
 * reads the counters the same way (only the buddy counts under the lock). */
void mm_show_mem(struct mm_seq *s)
{
    unsigned long slab_r = 0, slab_u = 0, pagetables = 0, free = 0, free_pcp = 0;
    unsigned long ram = 0, highmem = 0, reserved = 0;
    unsigned cpu = arch_cpu_id();
    struct zone *z;

    if (cpu >= MM_MAX_CPUS)
        cpu = 0;

    for_each_populated_zone(z) {
        slab_r += zone_page_state(z, NR_SLAB_RECLAIMABLE);
        slab_u += zone_page_state(z, NR_SLAB_UNRECLAIMABLE);
        pagetables += zone_page_state(z, NR_PAGETABLE);
        free += zone_page_state(z, NR_FREE_PAGES);
        free_pcp += zone_free_pcp(z);
    }

    mm_seq_printf(s, "Mem-Info:\n");
    mm_seq_printf(s,
                  "slab_reclaimable:%lu slab_unreclaimable:%lu\n"
                  " pagetables:%lu\n"
                  " free:%lu free_pcp:%lu\n",
                  slab_r, slab_u, pagetables, free, free_pcp);

    for_each_populated_zone(z) {
        mm_seq_printf(s, "Node %d ", (int)z->node);
        mm_seq_printf(s,
                      "%s"
                      " free:%lukB"
                      " min:%lukB"
                      " low:%lukB"
                      " high:%lukB"
                      " present:%lukB"
                      " managed:%lukB"
                      " slab_reclaimable:%lukB"
                      " slab_unreclaimable:%lukB"
                      " pagetables:%lukB"
                      " free_pcp:%lukB"
                      " local_pcp:%ukB"
                      "\n",
                      mm_zone_name(z),
                      kb(zone_page_state(z, NR_FREE_PAGES)),
                      kb(min_wmark_pages(z)),
                      kb(low_wmark_pages(z)),
                      kb(high_wmark_pages(z)),
                      kb(z->present_pages),
                      kb(z->managed_pages),
                      kb(zone_page_state(z, NR_SLAB_RECLAIMABLE)),
                      kb(zone_page_state(z, NR_SLAB_UNRECLAIMABLE)),
                      kb(zone_page_state(z, NR_PAGETABLE)),
                      kb(zone_free_pcp(z)),
                      (unsigned)kb(z->pcp[cpu].count));
        mm_seq_printf(s, "lowmem_reserve[]:");
        for (unsigned i = 0; i < MAX_NR_ZONES; i++)
            mm_seq_printf(s, " %ld", (long)z->lowmem_reserve[i]);
        mm_seq_printf(s, "\n");
    }

    for_each_populated_zone(z) {
        unsigned long nr[MAX_ORDER], total = 0;

        for (unsigned o = 0; o < MAX_ORDER; o++) {
            nr[o] = z->free_area[o].nr_free;
            total += nr[o] << o;
        }
        mm_seq_printf(s, "Node %d ", (int)z->node);
        mm_seq_printf(s, "%s: ", mm_zone_name(z));
        for (unsigned o = 0; o < MAX_ORDER; o++)
            mm_seq_printf(s, "%lu*%lukB ", nr[o], kb(1ul) << o);
        mm_seq_printf(s, "= %lukB\n", kb(total));
    }

    /* lib/show_mem.c's totals, from the zones (as Linux 3.11 and later do). */
    for_each_populated_zone(z) {
        ram += z->present_pages;
        if (z->present_pages > z->managed_pages)
            reserved += z->present_pages - z->managed_pages;
        if (is_highmem(z))
            highmem += z->present_pages;
    }
    mm_seq_printf(s, "%lu pages RAM\n", ram);
    mm_seq_printf(s, "%lu pages HighMem/MovableOnly\n", highmem);
    mm_seq_printf(s, "%lu pages reserved\n", reserved);
}
