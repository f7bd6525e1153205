/* mm/mmzone.h - nodes and zones: pglist_data, struct zone, free areas,
 * per-CPU page lists, zonelists.  All fixed-width (see mm_types.h). */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include "arch.h"
#include "mm_types.h"

struct page;

struct page;

/* The free blocks of one order in one zone, one list per migrate type.
 * Guarded by zone->lock.  Invariant: nr_free == total length of the lists;
 * every page on free_list[t] is a block head with PG_buddy set, private ==
 * this order, pfn aligned to 2^order, and its pageblock's type is t (or it
 * was moved here by a fallback steal, see page_alloc.c). */
struct free_area {
    struct mm_list free_list[MIGRATE_TYPES];
    uint32_t nr_free;
};

/* One CPU's cache of free order-0 pages of one zone.  Touched only by its
 * own CPU with local interrupts off (no lock).  Invariant: count == total
 * length of lists[]; every page on them has PG_pcp, refcount 0.  When count
 * exceeds high, batch pages go back to the buddy lists; an empty list is
 * refilled with batch pages. */
struct per_cpu_pages {
    uint32_t count;
    uint32_t high;
    uint32_t batch;
    uint32_t refills, drains;              /* statistics: batches moved in, out */
    struct mm_list lists[MIGRATE_PCPTYPES];
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

/* Linux's zoneinfo names of the per-zone counters, in enum order: one list
 * for the guest's report (report.c) and the host's reading of it
 * (emu/introspect_zone.c).  X(item, name). */
#define MM_ZONE_STAT_NAMES(X) \
    X(NR_FREE_PAGES, "nr_free_pages") X(NR_SLAB_RECLAIMABLE, "nr_slab_reclaimable") \
    X(NR_SLAB_UNRECLAIMABLE, "nr_slab_unreclaimable") X(NR_PAGETABLE, "nr_page_table_pages") \
    X(NUMA_HIT, "numa_hit") X(NUMA_MISS, "numa_miss") X(NUMA_FOREIGN, "numa_foreign") \
    X(NUMA_LOCAL, "numa_local") X(NUMA_OTHER, "numa_other")
#define MM_ZONE_STAT_NAME_INIT(item, name) [item] = name,

/* Per-zone counters, printed by zoneinfo in this order (names above). */
enum zone_stat_item {
    NR_FREE_PAGES,            /* pages in free_area (per-CPU lists not counted) */
    NR_SLAB_RECLAIMABLE,
    NR_SLAB_UNRECLAIMABLE,
    NR_PAGETABLE,
    NUMA_HIT,                 /* allocated on the node that was asked for */
    NUMA_MISS,                /* allocated here although another node was asked for */
    NUMA_FOREIGN,             /* asked for here but allocated on another node */
    NUMA_LOCAL,               /* allocated on the node of the allocating CPU */
    NUMA_OTHER,               /* allocated here by a CPU of another node */
    NR_VM_ZONE_STAT_ITEMS
};

struct zone {
    /* Read-mostly, set at boot (watermarks and reserves recomputed by
     * setup_per_zone_wmarks). */
    uint32_t watermark[NR_WMARK];          /* pages */
    uint32_t lowmem_reserve[MAX_NR_ZONES]; /* pages kept back from allocations that could use zone i */
    uint32_t node;                         /* node id */
    uint32_t zone_idx;                     /* enum zone_type */
    uint32_t zone_start_pfn;
    uint32_t spanned_pages;                /* pfn range, holes included */
    uint32_t present_pages;                /* RAM pages in the range minus Linux 2.6.32's memmap share
                                            * (docs/mm.md, "Sizes, watermarks and reserves") */
    uint32_t managed_pages;                /* pages given to the buddy allocator at boot: RAM in the range
                                            * minus boot reserved ranges and mem_map.  May EXCEED
                                            * present_pages where the zone holds no mem_map (HighMem,
                                            * other nodes' zones): present subtracts a formula share */
    uint32_t nr_reserve_blocks;            /* pageblocks of type MIGRATE_RESERVE */

    arch_spinlock_t lock;                  /* guards free_area, vm_stat[NR_FREE_PAGES], pageblock types */
    struct free_area free_area[MAX_ORDER];
    int32_t vm_stat[NR_VM_ZONE_STAT_ITEMS];

    /* Places where reclaim would start (later issue): counted now. */
    uint32_t kswapd_wakeups;               /* free pages below low on an allocation */
    uint32_t direct_reclaims;              /* a sleeping allocation found no page */
    uint32_t alloc_failures;

    struct per_cpu_pages pcp[MM_MAX_CPUS];
    char name[8];                          /* "DMA", "Normal", "HighMem" */
};

/* A reference to a zone in a zonelist; node == 0xff ends the list. */
struct zoneref {
    uint8_t node;
    uint8_t zone;
};

#define MAX_ZONES_PER_ZONELIST (MAX_NUMNODES * MAX_NR_ZONES)

/* The zones an allocation may try, in order: the preferred node's zones from
 * HIGHMEM down to DMA, then the other nodes' by increasing distance.
 * An allocation skips the zones above gfp_zone(gfp). */
struct zonelist {
    struct zoneref zones[MAX_ZONES_PER_ZONELIST + 1];
};

typedef struct pglist_data {
    struct zone node_zones[MAX_NR_ZONES];
    struct zonelist node_zonelist;         /* with fallback to other nodes */
    struct zonelist node_zonelist_local;   /* this node only (__GFP_THISNODE) */
    uint32_t node_id;
    uint32_t nr_zones;                     /* populated zones */
    uint32_t node_start_pfn;
    uint32_t node_spanned_pages;
    uint32_t node_present_pages;
    uint32_t cpumask;                      /* CPUs local to this node */
    uint8_t distance[MAX_NUMNODES];        /* SLIT-style: 10 local, 20 remote */
} pg_data_t;

extern pg_data_t node_data[MAX_NUMNODES];
extern uint32_t nr_online_nodes;
extern uint32_t cpu_to_node_map[MM_MAX_CPUS];
extern uint32_t min_free_kbytes;

#define NODE_DATA(nid) (&node_data[nid])

static inline bool populated_zone(const struct zone *z) { return z->present_pages != 0; }
static inline struct zone *page_zone(const struct page *p);
static inline uint32_t zone_end_pfn(const struct zone *z) { return z->zone_start_pfn + z->spanned_pages; }
static inline uint32_t min_wmark_pages(const struct zone *z) { return z->watermark[WMARK_MIN]; }
static inline uint32_t low_wmark_pages(const struct zone *z) { return z->watermark[WMARK_LOW]; }
static inline uint32_t high_wmark_pages(const struct zone *z) { return z->watermark[WMARK_HIGH]; }
static inline unsigned cpu_to_node(unsigned cpu) { return cpu_to_node_map[cpu]; }

#include "page.h"

static inline struct zone *page_zone(const struct page *p)
{
    return &node_data[page_to_nid(p)].node_zones[page_zonenum(p)];
}

#endif
