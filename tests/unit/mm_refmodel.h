/* tests/unit/mm_refmodel.h - an independent reference model of pagelab's
 * physical memory manager, for the mm host unit tests (test_mm_random.c,
 * test_mm_watermarks.c, test_mm_zones.c, test_mm_pcp.c).
 *
 * Nothing here is derived from mm/'s code: the machine layout comes from
 * tests/unit/mm_host.h (what mm_host_boot tells mm_init), the formulas from
 * Linux 2.6.32 (mm/page_alloc.c: free_area_init_core, init_per_zone_wmark_min,
 * setup_per_zone_wmarks, setup_per_zone_lowmem_reserve, zone_batchsize,
 * setup_pageset, zone_watermark_ok, gfp_to_alloc_flags,
 * get_page_from_freelist, __alloc_pages_slowpath, wake_all_kswapd,
 * zone_statistics).  The tests only *read* mm's state (struct zone, struct
 * page) and call the public API.
 *
 * Every test_mm_*.c is its own executable, so everything is static.  Include
 * unit.h first.
 */
#ifndef MM_REFMODEL_H
#define MM_REFMODEL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm.h"
#include "mm_host.h"
#include "unit.h"

/* debug.c may not be linked in every build: look for it at run time. */
#pragma weak mm_check_invariants

/* ---- checks that do not flood stderr ------------------------------------------ */

static __attribute__((unused)) unsigned ref_msgs;          /* failure messages printed so far */
#define REF_MAX_MSGS 60

/* CHECK with a printf-style explanation; prints at most REF_MAX_MSGS failures. */
#define RCHECK(cond, ...) do { if (cond) unit_pass++; else { unit_fail++;            \
    if (ref_msgs++ < REF_MAX_MSGS) {                                                 \
        fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);     \
        fprintf(stderr, __VA_ARGS__); fputc('\n', stderr);                           \
    } else if (ref_msgs == REF_MAX_MSGS + 1)                                         \
        fprintf(stderr, "(further failure messages suppressed)\n"); } } while (0)

/* A check of a Linux 2.6.32 detail (each use names the Linux function or
 * commit).  These once reported known divergences without failing; the
 * implementation follows Linux now, so a mismatch always fails, printed
 * once per call site (further mismatches there are counted quietly). */
#define LINUX_CHECK(cond, ...) do { static bool _told;                               \
    if (cond) unit_pass++;                                                           \
    else {                                                                           \
        unit_fail++;                                                                 \
        if (!_told) {                                                                \
            _told = true;                                                            \
            fprintf(stderr, "%s:%d: LINUX CHECK failed (Linux 2.6.32 differs): %s: ", \
                    __FILE__, __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__); fputc('\n', stderr);                       \
        }                                                                            \
    } } while (0)

/* ---- the machine, as mm_host_boot describes it ------------------------------------ */

#define REF_MEMMAP_ENTRY 36u                 /* sizeof(struct page), both builds */
#define REF_LOWMEM_END_PFN  (uint32_t)(MM_LOWMEM_LIMIT >> PAGE_SHIFT)   /* 229376 */
#define REF_DMA_END_PFN     (uint32_t)(MM_DMA_LIMIT >> PAGE_SHIFT)      /* 4096 */
#define REF_LOW_RAM_END_PFN 0x9Fu            /* 0 - 0x9FC00: whole pages 0 .. 0x9E */
#define REF_HIGH_RAM_START_PFN 0x100u        /* 1 MiB */
#define REF_KERNEL_START_PFN 0x100u          /* kernel image 1 MiB - 5 MiB */
#define REF_KERNEL_END_PFN   0x500u

struct ref_zone {
    uint32_t start, spanned;      /* pfn range, first to last RAM pfn of the zone in this node */
    uint32_t ram;                 /* RAM pages in the range (spanned - holes) */
    uint32_t memmap;              /* PAGE_ALIGN(spanned * 36) / 4096 */
    uint32_t present;             /* Linux 2.6.32: ram - memmap (if ram >= memmap) */
    uint32_t wmark[NR_WMARK];
    uint32_t tmp;                 /* pages_min * present / lowmem_pages */
    uint32_t reserve[MAX_NR_ZONES];
    uint32_t pcp_batch, pcp_high;
};

struct ref_node {
    uint32_t start_pfn, end_pfn;
    struct ref_zone z[MAX_NR_ZONES];
};

#define REF_ZL_LEN (MAX_NUMNODES * MAX_NR_ZONES + 1)

struct ref_machine {
    uint64_t ram_bytes;
    unsigned ncpus, nnodes;
    uint32_t max_pfn, max_low_pfn;
    uint32_t lowmem_pages;        /* sum of present of DMA + NORMAL, all nodes */
    uint32_t min_free_kbytes;
    uint32_t cpu_node[MM_MAX_CPUS];
    struct ref_node n[MAX_NUMNODES];
    /* Zonelists as (node << 4 | zone), -1 terminated. */
    int zl[MAX_NUMNODES][REF_ZL_LEN];
    int zl_local[MAX_NUMNODES][REF_ZL_LEN];
};

/* Floor of the square root, by bisection (independent of init.c's int_sqrt). */
static __attribute__((unused)) uint32_t ref_int_sqrt(uint64_t x)
{
    uint64_t lo = 0, hi = 1ull << 32;
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (mid * mid <= x)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static __attribute__((unused)) uint32_t ref_rounddown_pow2(uint32_t x)
{
    uint32_t p = 1;
    while (p * 2 <= x)
        p *= 2;
    return p;
}

/* Is pfn RAM that mm_host_boot reports usable?  [0, 0x9FC00) and [1 MiB, ram - 128 KiB). */
static __attribute__((unused)) bool ref_pfn_is_ram(const struct ref_machine *m, uint32_t pfn)
{
    return pfn < REF_LOW_RAM_END_PFN || (pfn >= REF_HIGH_RAM_START_PFN && pfn < m->max_pfn);
}

static __attribute__((unused)) uint32_t ref_ram_pages_in(const struct ref_machine *m, uint32_t lo, uint32_t hi)
{
    uint32_t n = 0, a, b;
    a = lo; b = hi < REF_LOW_RAM_END_PFN ? hi : REF_LOW_RAM_END_PFN;
    if (b > a) n += b - a;
    a = lo > REF_HIGH_RAM_START_PFN ? lo : REF_HIGH_RAM_START_PFN;
    b = hi < m->max_pfn ? hi : m->max_pfn;
    if (b > a) n += b - a;
    return n;
}

/* The node boundaries: see ref_machine_init's comment. */
static __attribute__((unused)) void ref_split_nodes(struct ref_machine *m);

/* Linux 2.6.32's zone_batchsize + setup_pageset. */
static __attribute__((unused)) void ref_pcp_sizes(uint32_t present, uint32_t *batch, uint32_t *high)
{
    uint32_t b = present / 1024;
    if (b * PAGE_SIZE > 512 * 1024)
        b = (512 * 1024) / PAGE_SIZE;       /* at most 128 pages */
    b /= 4;
    if (b < 1)
        b = 1;
    b = ref_rounddown_pow2(b + b / 2) - 1;  /* may be 0 (small zones) */
    *high = 6 * b;                          /* setup_pageset: high = 6 * batch */
    *batch = b > 1 ? b : 1;                 /* batch = max(1, batch) */
}

/* setup_per_zone_wmarks (and the per-CPU sizes), from m->min_free_kbytes. */
static __attribute__((unused)) void ref_setup_wmarks(struct ref_machine *m)
{
    unsigned nid, j;
    uint32_t pages_min = m->min_free_kbytes >> (PAGE_SHIFT - 10);
    unsigned nnodes = m->nnodes;

    for (nid = 0; nid < nnodes; nid++) {
        for (j = 0; j < MAX_NR_ZONES; j++) {
            struct ref_zone *z = &m->n[nid].z[j];
            uint64_t tmp = (uint64_t)pages_min * z->present / m->lowmem_pages;
            uint32_t min;
            if (j == ZONE_HIGHMEM) {
                uint32_t mp = z->present / 1024;
                if (mp < 32) mp = 32;      /* SWAP_CLUSTER_MAX */
                if (mp > 128) mp = 128;
                min = mp;
            } else {
                min = (uint32_t)tmp;
            }
            z->tmp = (uint32_t)tmp;
            z->wmark[WMARK_MIN] = min;
            z->wmark[WMARK_LOW] = min + (uint32_t)(tmp >> 2);
            z->wmark[WMARK_HIGH] = min + (uint32_t)(tmp >> 1);
            ref_pcp_sizes(z->present, &z->pcp_batch, &z->pcp_high);
        }
    }
}

/* Linux 2.6.32's build_all_zonelists: grouping by mobility is disabled when
 * vm_total_pages = nr_free_pagecache_pages() (present pages of every zone of
 * the zonelist, the high watermarks still 0 then) is below
 * pageblock_nr_pages * MIGRATE_TYPES, where 2.6.32's MIGRATE_TYPES is 5
 * (UNMOVABLE, RECLAIMABLE, MOVABLE, RESERVE, ISOLATE): 5120 pages. */
#define REF_MOBILITY_MIN_PAGES (1024u * 5u)
static __attribute__((unused)) bool ref_mobility_disabled(const struct ref_machine *m)
{
    uint32_t sum = 0;
    unsigned nid, j;
    for (nid = 0; nid < m->nnodes; nid++)
        for (j = 0; j < MAX_NR_ZONES; j++)
            sum += m->n[nid].z[j].present;
    return sum < REF_MOBILITY_MIN_PAGES;
}

/* Computes everything for a machine booted with mm_host_boot(ram, ncpus, nnodes). */
static __attribute__((unused)) void ref_machine_init(struct ref_machine *m, uint64_t ram_bytes, unsigned ncpus, unsigned nnodes)
{
    static const uint32_t ratio[MAX_NR_ZONES] = { 256, 32, 1 };
    static const uint32_t zone_lo[MAX_NR_ZONES] = { 0, REF_DMA_END_PFN, REF_LOWMEM_END_PFN };
    static const uint32_t zone_hi[MAX_NR_ZONES] = { REF_DMA_END_PFN, REF_LOWMEM_END_PFN, 0xffffffffu };
    unsigned nid, j, idx, cpu;

    memset(m, 0, sizeof(*m));
    m->ram_bytes = ram_bytes;
    m->ncpus = ncpus;
    m->nnodes = nnodes;
    m->max_pfn = (uint32_t)((ram_bytes - (128u << 10)) >> PAGE_SHIFT);
    m->max_low_pfn = m->max_pfn < REF_LOWMEM_END_PFN ? m->max_pfn : REF_LOWMEM_END_PFN;
    ref_split_nodes(m);

    /* CPUs in contiguous groups, as evenly as possible. */
    for (cpu = 0; cpu < ncpus; cpu++)
        m->cpu_node[cpu] = cpu * nnodes / ncpus;

    /* Zones: the RAM of the zone's pfn range inside the node. */
    for (nid = 0; nid < nnodes; nid++) {
        struct ref_node *n = &m->n[nid];
        for (j = 0; j < MAX_NR_ZONES; j++) {
            struct ref_zone *z = &n->z[j];
            uint32_t lo = zone_lo[j] > n->start_pfn ? zone_lo[j] : n->start_pfn;
            uint32_t hi = zone_hi[j] < n->end_pfn ? zone_hi[j] : n->end_pfn;
            uint32_t first = 0, last = 0, pfn;
            bool any = false;
            if (lo >= hi)
                continue;
            /* first and last RAM pfn (the zone spans them, holes included) */
            for (pfn = lo; pfn < hi; pfn++)
                if (ref_pfn_is_ram(m, pfn)) { first = pfn; any = true; break; }
            if (!any)
                continue;
            for (pfn = hi; pfn-- > lo;)
                if (ref_pfn_is_ram(m, pfn)) { last = pfn; break; }
            z->start = first;
            z->spanned = last + 1 - first;
            z->ram = ref_ram_pages_in(m, first, last + 1);
            /* free_area_init_core: memmap_pages = PAGE_ALIGN(size * sizeof(struct page)) >> PAGE_SHIFT */
            z->memmap = (uint32_t)(((uint64_t)z->spanned * REF_MEMMAP_ENTRY + PAGE_SIZE - 1) / PAGE_SIZE);
            z->present = z->ram >= z->memmap ? z->ram - z->memmap : z->ram;
            if (j != ZONE_HIGHMEM)
                m->lowmem_pages += z->present;
        }
    }

    /* init_per_zone_wmark_min: lowmem_kbytes = nr_free_buffer_pages() * 4
     * (= present of DMA + NORMAL: no watermarks yet). */
    {
        uint64_t lowmem_kbytes = (uint64_t)m->lowmem_pages * (PAGE_SIZE >> 10);
        uint32_t mfk = ref_int_sqrt(lowmem_kbytes * 16);
        if (mfk < 128) mfk = 128;
        if (mfk > 65536) mfk = 65536;
        m->min_free_kbytes = mfk;
    }

    /* setup_per_zone_wmarks */
    ref_setup_wmarks(m);

    /* setup_per_zone_lowmem_reserve */
    for (nid = 0; nid < nnodes; nid++) {
        for (j = 0; j < MAX_NR_ZONES; j++) {
            uint32_t present = m->n[nid].z[j].present;
            m->n[nid].z[j].reserve[j] = 0;
            idx = j;
            while (idx) {
                idx--;
                m->n[nid].z[idx].reserve[j] = present / ratio[idx];
                present += m->n[nid].z[idx].present;
            }
        }
    }

    /* Zonelists (docs/mm.md): the node's own populated zones from HIGHMEM down
     * to DMA, then the other nodes' by increasing distance (20 to all), ties by
     * lower node id. */
    for (nid = 0; nid < nnodes; nid++) {
        unsigned k = 0, kl = 0, i;
        for (i = 0; i <= nnodes; i++) {
            unsigned other = i == 0 ? nid : i - 1;
            if (i > 0 && other == nid)
                continue;
            for (j = MAX_NR_ZONES; j-- > 0;) {
                if (!m->n[other].z[j].present)
                    continue;
                m->zl[nid][k++] = (int)(other << 4 | j);
                if (i == 0)
                    m->zl_local[nid][kl++] = (int)(other << 4 | j);
            }
        }
        m->zl[nid][k] = -1;
        m->zl_local[nid][kl] = -1;
    }
}

static __attribute__((unused)) void ref_split_nodes(struct ref_machine *m)
{
    /* RAM split evenly between the nodes (docs/mm.md): node i's share starts
     * at rounddown(i * max_pfn / n, 1024), the last ends at max_pfn.  (Every
     * share starts and ends with RAM on the machines tested, so shrinking
     * the span to the first..last RAM page changes nothing.) */
    unsigned i;
    for (i = 0; i < m->nnodes; i++) {
        uint32_t s = (uint32_t)((uint64_t)i * m->max_pfn / m->nnodes);
        uint32_t e = (uint32_t)((uint64_t)(i + 1) * m->max_pfn / m->nnodes);
        s &= ~((1u << (MAX_ORDER - 1)) - 1);
        if (i + 1 < m->nnodes)
            e &= ~((1u << (MAX_ORDER - 1)) - 1);
        else
            e = m->max_pfn;
        m->n[i].start_pfn = s;
        m->n[i].end_pfn = e;
    }
}

static __attribute__((unused)) const struct ref_zone *ref_zone_of(const struct ref_machine *m, const struct zone *z)
{
    return &m->n[z->node].z[z->zone_idx];
}

static __attribute__((unused)) struct zone *ref_zl_zone(int ref)
{
    return &node_data[ref >> 4].node_zones[ref & 0xf];
}

/* ---- allocation: zone_watermark_ok and the zone an allocation must come from -------- */

#define REF_ALLOC_HARDER 0x10
#define REF_GFP_THISNODE (__GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN)   /* Linux's GFP_THISNODE */
#define REF_ALLOC_HIGH   0x20

/* Linux 2.6.32 zone_watermark_ok, on the zone's live counters but with the
 * reference lowmem_reserve. */
static __attribute__((unused)) bool ref_wmark_ok(const struct ref_machine *m, const struct zone *z, unsigned order,
                         uint32_t mark, unsigned classzone, unsigned alloc_flags)
{
    long min = (long)mark;
    long free_pages = (long)z->vm_stat[NR_FREE_PAGES] - (1L << order) + 1;
    unsigned o;

    if (alloc_flags & REF_ALLOC_HIGH)
        min -= min / 2;
    if (alloc_flags & REF_ALLOC_HARDER)
        min -= min / 4;
    if (free_pages <= min + (long)ref_zone_of(m, z)->reserve[classzone])
        return false;
    for (o = 0; o < order; o++) {
        free_pages -= (long)z->free_area[o].nr_free << o;
        min >>= 1;
        if (free_pages <= min)
            return false;
    }
    return true;
}

/* gfp_to_alloc_flags for the slow path (no PF_MEMALLOC, no rt tasks). */
static __attribute__((unused)) unsigned ref_slow_flags(gfp_t gfp)
{
    unsigned f = 0;
    if (gfp & __GFP_HIGH)
        f |= REF_ALLOC_HIGH;
    if (!(gfp & __GFP_WAIT))
        f |= REF_ALLOC_HARDER;
    return f;
}

static __attribute__((unused)) unsigned ref_gfp_zone(gfp_t gfp)
{
    if (gfp & __GFP_DMA) return ZONE_DMA;
    return (gfp & __GFP_HIGHMEM) ? ZONE_HIGHMEM : ZONE_NORMAL;
}

static __attribute__((unused)) unsigned ref_gfp_mt(gfp_t gfp)
{
    if (gfp & __GFP_MOVABLE) return MIGRATE_MOVABLE;
    return (gfp & __GFP_RECLAIMABLE) ? MIGRATE_RECLAIMABLE : MIGRATE_UNMOVABLE;
}

/* Could buffered_rmqueue hand out a block from z (given its watermark passed)? */
static __attribute__((unused)) bool ref_has_block(const struct zone *z, unsigned order, unsigned mt, unsigned cpu)
{
    unsigned o;
    if (order == 0 && !mm_list_empty(&z->pcp[cpu].lists[mt]))
        return true;
    for (o = order; o < MAX_ORDER; o++)
        if (z->free_area[o].nr_free)
            return true;
    return false;
}

/* What an allocation must do, predicted before it is made. */
struct ref_pred {
    struct zone *zone;             /* the zone the block must come from; NULL: must fail */
    struct zone *preferred;        /* first zone of the zonelist the gfp may use */
    bool slowpath;                 /* the low-watermark pass found nothing */
    bool direct_reclaim;           /* ... and neither did the min pass, and the caller may sleep */
    uint32_t kswapd[MAX_NUMNODES][MAX_NR_ZONES]; /* wakeup_kswapd calls that find the zone below low */
    int nid;                       /* the node asked for */
};

/* The zonelist an allocation on behalf of node nid uses. */
static __attribute__((unused)) const int *ref_zonelist(const struct ref_machine *m, int nid, gfp_t gfp)
{
    return (gfp & __GFP_THISNODE) ? m->zl_local[nid] : m->zl[nid];
}

/* Linux 2.6.32 __alloc_pages_nodemask: the first pass at the low watermark
 * over the zonelist, then (after waking kswapd for every zone below low)
 * the pass at the min watermark with gfp_to_alloc_flags; a caller that may
 * sleep then reclaims directly (nothing to reclaim here) and fails. */
static __attribute__((unused)) void ref_predict(const struct ref_machine *m, gfp_t gfp, unsigned order, int nid,
                        unsigned cpu, struct ref_pred *p)
{
    const int *zl;
    unsigned high = ref_gfp_zone(gfp), mt = ref_gfp_mt(gfp), classzone, flags;
    int i;

    memset(p, 0, sizeof(*p));
    if (nid < 0)
        nid = (int)m->cpu_node[cpu];
    p->nid = nid;
    zl = ref_zonelist(m, nid, gfp);
    for (i = 0; zl[i] >= 0; i++)
        if ((unsigned)(zl[i] & 0xf) <= high) {
            p->preferred = ref_zl_zone(zl[i]);
            break;
        }
    if (!p->preferred)
        return;
    classzone = p->preferred->zone_idx;
    for (i = 0; zl[i] >= 0; i++) {
        struct zone *z = ref_zl_zone(zl[i]);
        if (z->zone_idx > high)
            continue;
        if (ref_wmark_ok(m, z, order, ref_zone_of(m, z)->wmark[WMARK_LOW], classzone, 0) &&
            ref_has_block(z, order, mt, cpu)) {
            p->zone = z;
            return;
        }
    }
    p->slowpath = true;
    /* GFP_THISNODE (__GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN, as slab uses it):
     * __alloc_pages_slowpath gives up at once, before waking kswapd. */
    if ((gfp & REF_GFP_THISNODE) == REF_GFP_THISNODE)
        return;
    for (i = 0; zl[i] >= 0; i++) {      /* wake_all_kswapd: wakeup_kswapd(zone, order) */
        struct zone *z = ref_zl_zone(zl[i]);
        if (z->zone_idx > high)
            continue;
        if (!ref_wmark_ok(m, z, order, ref_zone_of(m, z)->wmark[WMARK_LOW], 0, 0))
            p->kswapd[z->node][z->zone_idx]++;
    }
    flags = ref_slow_flags(gfp);
    for (i = 0; zl[i] >= 0; i++) {
        struct zone *z = ref_zl_zone(zl[i]);
        if (z->zone_idx > high)
            continue;
        if (ref_wmark_ok(m, z, order, ref_zone_of(m, z)->wmark[WMARK_MIN], classzone, flags) &&
            ref_has_block(z, order, mt, cpu)) {
            p->zone = z;
            return;
        }
    }
    p->direct_reclaim = (gfp & __GFP_WAIT) != 0;
}

/* ---- snapshots of the counters an allocation changes ------------------------------ */

struct ref_counters {
    int32_t stat[MAX_NUMNODES][MAX_NR_ZONES][NR_VM_ZONE_STAT_ITEMS];
    uint32_t kswapd[MAX_NUMNODES][MAX_NR_ZONES];
    uint32_t reclaim[MAX_NUMNODES][MAX_NR_ZONES];
    uint32_t failures[MAX_NUMNODES][MAX_NR_ZONES];
};

static __attribute__((unused)) void ref_counters_take(struct ref_counters *c)
{
    unsigned n, z;
    memset(c, 0, sizeof(*c));
    for (n = 0; n < nr_online_nodes; n++)
        for (z = 0; z < MAX_NR_ZONES; z++) {
            const struct zone *zone = &node_data[n].node_zones[z];
            memcpy(c->stat[n][z], zone->vm_stat, sizeof(zone->vm_stat));
            c->kswapd[n][z] = zone->kswapd_wakeups;
            c->reclaim[n][z] = zone->direct_reclaims;
            c->failures[n][z] = zone->alloc_failures;
        }
}

/* ---- an allocation, checked against the prediction ---------------------------------- */

static __attribute__((unused)) const char *ref_zone_name(const struct zone *z)
{
    static char buf[4][24];
    static unsigned k;
    char *b = buf[k++ & 3];
    if (!z)
        return "(none)";
    snprintf(b, 24, "node%u/%s", z->node, z->zone_idx == 0 ? "DMA" : z->zone_idx == 1 ? "Normal" : "HighMem");
    return b;
}

/* The checks every newly allocated block must pass. */
static __attribute__((unused)) void ref_check_block(const struct ref_machine *m, struct page *page, gfp_t gfp,
                                                    unsigned order, int nid_asked)
{
    uint32_t pfn = page_to_pfn(page), i, n = 1u << order;
    unsigned zi = page_zonenum(page), node = page_to_nid(page);
    (void)m;
    RCHECK((pfn & (n - 1)) == 0, "pfn %u not aligned to order %u", pfn, order);
    RCHECK(pfn + n <= max_pfn, "block %u+%u past max_pfn", pfn, n);
    RCHECK(zi <= ref_gfp_zone(gfp), "gfp 0x%x got pfn %u in zone %u", gfp, pfn, zi);
    if (gfp & __GFP_DMA)
        RCHECK(pfn + n <= REF_DMA_END_PFN, "GFP_DMA block at pfn %u (>= 16 MiB)", pfn);
    if (!(gfp & __GFP_HIGHMEM))
        RCHECK(pfn + n <= max_low_pfn, "lowmem request 0x%x got highmem pfn %u", gfp, pfn);
    if (gfp & __GFP_THISNODE)
        RCHECK((int)node == nid_asked, "__GFP_THISNODE for node %d got node %u", nid_asked, node);
    RCHECK(page_count(page) == 1, "pfn %u refcount %d", pfn, page_count(page));
    if (order)
        RCHECK(page_flag(page, PG_head) && page->private == order, "pfn %u order %u: PG_head %d private %u",
               pfn, order, page_flag(page, PG_head), page->private);
    for (i = 0; i < n; i++) {
        const struct page *p = page + i;
        bool ok = !page_flag(p, PG_buddy) && !page_flag(p, PG_pcp) && !page_flag(p, PG_reserved) &&
                  page_zonenum(p) == zi && page_to_nid(p) == node && (i == 0 || page_count(p) == 0);
        if (!ok) {
            RCHECK(ok, "page %u of block %u/%u: flags 0x%x refcount %d", pfn + i, pfn, order, p->flags,
                   page_count(p));
            break;
        }
    }
    if (gfp & __GFP_ZERO) {
        bool zero = true;
        for (i = 0; i < n && zero; i++) {
            const uint64_t *w = mm_host_ram((uint64_t)(pfn + i) << PAGE_SHIFT);
            unsigned k;
            if (pfn + i < max_low_pfn)
                RCHECK(page_address(page + i) == (void *)w, "page_address of pfn %u", pfn + i);
            for (k = 0; k < PAGE_SIZE / 8; k++)
                if (w[k]) { zero = false; break; }
        }
        RCHECK(zero, "__GFP_ZERO block %u/%u not zero", pfn, order);
    }
}

/* Which allocation call ref_alloc_api makes. */
enum ref_api {
    REF_API_NODE,        /* alloc_pages_node(nid, gfp, order) */
    REF_API_PAGES,       /* alloc_pages(gfp, order) (nid must be < 0) */
    REF_API_GFP,         /* __get_free_pages(gfp, order) (nid < 0, no __GFP_HIGHMEM) */
};

/* An allocation through api, checking the zone it came from and every
 * counter it changes against ref_predict.  *pred gets the prediction if pred
 * is not NULL. */
static __attribute__((unused)) struct page *ref_alloc_api(const struct ref_machine *m, gfp_t gfp, unsigned order,
                                                          int nid, struct ref_pred *pred, enum ref_api api)
{
    struct ref_pred p;
    struct ref_counters before, after;
    unsigned cpu = arch_cpu_id(), n, z, high = ref_gfp_zone(gfp);
    struct page *page;
    struct zone *got;
    const int *zl;
    int i;

    ref_predict(m, gfp, order, nid, cpu, &p);
    if (pred)
        *pred = p;
    ref_counters_take(&before);
    if (api == REF_API_GFP && nid < 0 && !(gfp & __GFP_HIGHMEM)) {
        unsigned long addr = __get_free_pages(gfp, order);
        page = addr ? virt_to_page((const void *)addr) : NULL;
        if (page)
            RCHECK(page_address(page) == (void *)addr, "__get_free_pages: 0x%lx is not page_address", addr);
    } else if (api == REF_API_PAGES && nid < 0) {
        page = alloc_pages(gfp, order);
    } else {
        page = alloc_pages_node(nid, gfp, order);
    }
    ref_counters_take(&after);
    got = page ? page_zone(page) : NULL;
    RCHECK(got == p.zone, "cpu %u gfp 0x%x order %u nid %d: got %s, expected %s", cpu, gfp, order, nid,
           ref_zone_name(got), ref_zone_name(p.zone));
    if (page)
        ref_check_block(m, page, gfp, order, p.nid);

    /* the expected counter changes */
    if (got) {
        int32_t *s = before.stat[got->node][got->zone_idx];
        if (got->node == p.preferred->node)
            s[NUMA_HIT]++;
        else {
            s[NUMA_MISS]++;
            before.stat[p.preferred->node][p.preferred->zone_idx][NUMA_FOREIGN]++;
        }
        if (got->node == m->cpu_node[cpu])
            s[NUMA_LOCAL]++;
        else
            s[NUMA_OTHER]++;
    } else if (p.preferred) {
        before.failures[p.preferred->node][p.preferred->zone_idx]++;
    }
    zl = ref_zonelist(m, p.nid, gfp);
    for (i = 0; zl[i] >= 0; i++) {
        unsigned zn = (unsigned)zl[i] >> 4, zz = (unsigned)zl[i] & 0xf;
        if (zz > high)
            continue;
        before.kswapd[zn][zz] += p.kswapd[zn][zz];
        if (p.direct_reclaim)
            before.reclaim[zn][zz]++;
    }
    for (n = 0; n < nr_online_nodes; n++)
        for (z = 0; z < MAX_NR_ZONES; z++) {
            unsigned s;
            RCHECK(after.kswapd[n][z] == before.kswapd[n][z],
                   "cpu %u gfp 0x%x order %u: node%u zone %u kswapd_wakeups %u, expected %u", cpu, gfp,
                   order, n, z, after.kswapd[n][z], before.kswapd[n][z]);
            RCHECK(after.reclaim[n][z] == before.reclaim[n][z],
                   "cpu %u gfp 0x%x order %u: node%u zone %u direct_reclaims %u, expected %u", cpu, gfp,
                   order, n, z, after.reclaim[n][z], before.reclaim[n][z]);
            RCHECK(after.failures[n][z] == before.failures[n][z],
                   "cpu %u gfp 0x%x order %u: node%u zone %u alloc_failures %u, expected %u", cpu, gfp,
                   order, n, z, after.failures[n][z], before.failures[n][z]);
            for (s = NUMA_HIT; s <= NUMA_OTHER; s++)
                RCHECK(after.stat[n][z][s] == before.stat[n][z][s],
                       "cpu %u gfp 0x%x order %u: node%u zone %u NUMA counter %u = %d, expected %d", cpu,
                       gfp, order, n, z, s, after.stat[n][z][s], before.stat[n][z][s]);
        }
    return page;
}

/* ref_alloc_api with alloc_pages_node, or alloc_pages every other time for nid < 0. */
static __attribute__((unused)) struct page *ref_alloc_checked(const struct ref_machine *m, gfp_t gfp,
                                                              unsigned order, int nid, struct ref_pred *pred)
{
    static unsigned flip;
    return ref_alloc_api(m, gfp, order, nid, pred, (nid < 0 && (flip++ & 1)) ? REF_API_PAGES : REF_API_NODE);
}

/* ---- the buddy lists: which block __rmqueue takes, where a freed block ends -------- */

/* The migrate type of the pageblock holding pfn (bits of its first page). */
static __attribute__((unused)) unsigned ref_pageblock_mt(uint32_t pfn)
{
    const struct page *first = pfn_to_page(pfn & ~(pageblock_nr_pages - 1));
    return (first->flags & PAGE_PBMT_MASK) >> PAGE_PBMT_SHIFT;
}

/* Linux 2.6.32's fallbacks[] (MIGRATE_RESERVE only as the last resort). */
static const unsigned ref_fallbacks[MIGRATE_PCPTYPES][2] = {
    [MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
    [MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
    [MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
};

/* What __rmqueue(zone, order, mt) must do, from the lists as they are now. */
struct ref_rmq {
    bool found;
    uint32_t pfn;                   /* the block handed out */
    unsigned from_order;            /* the free block it was split from */
    unsigned half_type;             /* the lists the split-off halves go to */
    uint32_t pb_pfn;                /* the pageblock whose type is predicted below */
    unsigned pb_type_after;
    bool moved;                     /* move_freepages_block ran on that pageblock */
    unsigned moved_to;
};

/* Free pages (buddy) in the pageblock of pfn, or 0 if the pageblock is not wholly
 * inside the zone (2.6.32's move_freepages_block does not cross the zone end). */
static __attribute__((unused)) uint32_t ref_pageblock_free(const struct zone *z, uint32_t pfn)
{
    uint32_t start = pfn & ~(pageblock_nr_pages - 1), end = start + pageblock_nr_pages - 1, p, n = 0;
    if (start < z->zone_start_pfn)
        start = pfn;
    if (end >= zone_end_pfn(z))
        return 0;
    for (p = start; p <= end;) {
        const struct page *pg = pfn_to_page(p);
        if (page_flag(pg, PG_buddy)) {
            n += 1u << pg->private;
            p += 1u << pg->private;
        } else {
            p++;
        }
    }
    return n;
}

static __attribute__((unused)) void ref_predict_rmqueue(const struct zone *z, unsigned order, unsigned mt,
                                                        struct ref_rmq *r)
{
    int o;
    unsigned i, t = mt;
    const struct page *pg;
    memset(r, 0, sizeof(*r));
    for (;;) {
        /* __rmqueue_smallest */
        for (o = (int)order; o < MAX_ORDER; o++) {
            pg = mm_list_first(&z->free_area[o].free_list[t]);
            if (pg) {
                r->found = true;
                r->pfn = page_to_pfn(pg);
                r->from_order = (unsigned)o;
                r->half_type = t;
                r->pb_pfn = r->pfn;
                r->pb_type_after = ref_pageblock_mt(r->pfn);
                return;
            }
        }
        if (t == MIGRATE_RESERVE)
            return;
        /* __rmqueue_fallback: the largest block of the fallback types */
        for (o = MAX_ORDER - 1; o >= (int)order; o--)
            for (i = 0; i < 2; i++) {
                unsigned ft = ref_fallbacks[mt][i];
                pg = mm_list_first(&z->free_area[o].free_list[ft]);
                if (!pg)
                    continue;
                r->found = true;
                r->pfn = page_to_pfn(pg);
                r->from_order = (unsigned)o;
                r->half_type = ft;
                r->pb_pfn = r->pfn;
                r->pb_type_after = ref_pageblock_mt(r->pfn);
                if (o >= (int)(pageblock_order >> 1) || mt == MIGRATE_RECLAIMABLE) {
                    uint32_t moved = ref_pageblock_free(z, r->pfn);
                    r->moved = moved > 0;
                    r->moved_to = mt;
                    if (moved >= (1u << (pageblock_order - 1)))
                        r->pb_type_after = mt;
                    r->half_type = mt;
                }
                if (o >= (int)pageblock_order)
                    r->pb_type_after = mt;
                return;
            }
        t = MIGRATE_RESERVE;
    }
}

/* After the allocation: the block, the halves left by expand() (on the predicted type's
 * lists, at the heads), the pageblock type, the moved blocks. */
static __attribute__((unused)) void ref_check_rmqueue(const struct zone *z, const struct ref_rmq *r,
                                                      struct page *page, unsigned order, const char *what)
{
    unsigned o;
    (void)z;
    RCHECK(page && page_to_pfn(page) == r->pfn, "%s: __rmqueue gave pfn %u, Linux takes %u (order %u from a "
           "free order-%u block)", what, page ? page_to_pfn(page) : MM_NIL, r->pfn, order, r->from_order);
    if (!page || page_to_pfn(page) != r->pfn)
        return;
    for (o = order; o < r->from_order; o++) {
        const struct page *h = pfn_to_page(r->pfn + (1u << o));
        bool ok = page_flag(h, PG_buddy) && h->private == o && h->index == r->half_type;
        RCHECK(ok, "%s: half %u of order %u: PG_buddy %d private %u list type %u, expected type %u", what,
               r->pfn + (1u << o), o, page_flag(h, PG_buddy), h->private, h->index, r->half_type);
        if (!ok)
            break;
    }
    RCHECK(ref_pageblock_mt(r->pb_pfn) == r->pb_type_after, "%s: pageblock of pfn %u has type %u, expected %u",
           what, r->pb_pfn, ref_pageblock_mt(r->pb_pfn), r->pb_type_after);
    if (r->moved) {
        uint32_t start = r->pb_pfn & ~(pageblock_nr_pages - 1), p;
        bool ok = true;
        for (p = start; p < start + pageblock_nr_pages;) {
            const struct page *pg = pfn_to_page(p);
            if (page_flag(pg, PG_buddy)) {
                if (pg->index != r->moved_to)
                    ok = false;
                p += 1u << pg->private;
            } else {
                p++;
            }
        }
        RCHECK(ok, "%s: free blocks of the pageblock at %u not all moved to type %u", what, start, r->moved_to);
    }
}

/* Where __free_one_page puts a block of 2^order pages at pfn: merged with every free
 * buddy of the same order, at the head of the free list of the pageblock's type. */
struct ref_merge {
    uint32_t pfn;
    unsigned order, type;
};

static __attribute__((unused)) void ref_predict_free(const struct zone *z, uint32_t pfn, unsigned order,
                                                     struct ref_merge *r)
{
    r->type = ref_pageblock_mt(pfn);
    while (order < MAX_ORDER - 1) {
        uint32_t buddy = pfn ^ (1u << order);
        const struct page *b;
        if (buddy < z->zone_start_pfn || buddy >= zone_end_pfn(z))
            break;
        b = pfn_to_page(buddy);
        if (!page_flag(b, PG_buddy) || b->private != order || page_zone(b) != z)
            break;
        pfn &= ~(1u << order);
        order++;
    }
    r->pfn = pfn;
    r->order = order;
}

static __attribute__((unused)) void ref_check_free(const struct zone *z, const struct ref_merge *r, const char *what)
{
    const struct page *h = pfn_to_page(r->pfn);
    RCHECK(page_flag(h, PG_buddy) && h->private == r->order && h->index == r->type,
           "%s: merged block should be %u order %u type %u: PG_buddy %d private %u type %u", what, r->pfn, r->order,
           r->type, page_flag(h, PG_buddy), h->private, h->index);
    RCHECK(mm_list_first(&z->free_area[r->order].free_list[r->type]) == h,
           "%s: merged block %u/%u is not at the head of its list", what, r->pfn, r->order);
}

/* ---- walking the free lists ------------------------------------------------------- */

/* Pages on every buddy list of every zone (sum nr_free << order). */
static __attribute__((unused)) uint64_t ref_buddy_pages(void)
{
    uint64_t sum = 0;
    unsigned n, z, o;
    for (n = 0; n < nr_online_nodes; n++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            for (o = 0; o < MAX_ORDER; o++)
                sum += (uint64_t)node_data[n].node_zones[z].free_area[o].nr_free << o;
    return sum;
}

/* Pages on every per-CPU list (the counts). */
static __attribute__((unused)) uint64_t ref_pcp_pages(void)
{
    uint64_t sum = 0;
    unsigned n, z, c;
    for (n = 0; n < nr_online_nodes; n++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            for (c = 0; c < MM_MAX_CPUS; c++)
                sum += node_data[n].node_zones[z].pcp[c].count;
    return sum;
}

static __attribute__((unused)) uint32_t ref_list_len(const struct mm_list *l)
{
    uint32_t n = 0;
    const struct page *p;
    for (p = mm_list_first(l); p; p = mm_list_next(p))
        n++;
    return n;
}


/* Free block (pfn, order, migrate type of the list holding it). */
struct ref_block {
    uint32_t pfn;
    uint8_t order, mt, node, zone;
};

static __attribute__((unused)) int ref_block_cmp(const void *a, const void *b)
{
    const struct ref_block *x = a, *y = b;
    if (x->pfn != y->pfn) return x->pfn < y->pfn ? -1 : 1;
    return (int)x->order - (int)y->order;
}

/* Every buddy free block, sorted by pfn.  *n set to the count; caller frees. */
static __attribute__((unused)) struct ref_block *ref_collect_free(size_t *count)
{
    size_t cap = 1024, n = 0;
    struct ref_block *v = malloc(cap * sizeof(*v));
    unsigned nid, z, o, t;
    for (nid = 0; nid < nr_online_nodes; nid++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            for (o = 0; o < MAX_ORDER; o++)
                for (t = 0; t < MIGRATE_TYPES; t++) {
                    const struct page *p;
                    for (p = mm_list_first(&node_data[nid].node_zones[z].free_area[o].free_list[t]); p;
                         p = mm_list_next(p)) {
                        if (n == cap) {
                            cap *= 2;
                            v = realloc(v, cap * sizeof(*v));
                        }
                        v[n++] = (struct ref_block){ page_to_pfn(p), (uint8_t)o, (uint8_t)t,
                                                     (uint8_t)nid, (uint8_t)z };
                    }
                }
    qsort(v, n, sizeof(*v), ref_block_cmp);
    *count = n;
    return v;
}

/* ---- capturing stdout (arch_puts writes there) ------------------------------------------ */

struct ref_capture {
    int saved_fd;
    FILE *tmp;
};

static __attribute__((unused)) void ref_capture_begin(struct ref_capture *c)
{
    fflush(stdout);
    c->tmp = tmpfile();
    c->saved_fd = dup(fileno(stdout));
    dup2(fileno(c->tmp), fileno(stdout));
}

/* Ends the capture; returns what was written (malloc'd, NUL-terminated). */
static __attribute__((unused)) char *ref_capture_end(struct ref_capture *c)
{
    long len;
    char *buf;
    fflush(stdout);
    dup2(c->saved_fd, fileno(stdout));
    close(c->saved_fd);
    len = ftell(c->tmp);
    if (len < 0) len = 0;
    buf = malloc((size_t)len + 1);
    rewind(c->tmp);
    len = (long)fread(buf, 1, (size_t)len, c->tmp);
    buf[len] = 0;
    fclose(c->tmp);
    return buf;
}

/* ---- a small deterministic PRNG (xorshift64*) ------------------------------------------------ */

static __attribute__((unused)) uint64_t ref_rng_state;
static __attribute__((unused)) void ref_srand(uint64_t seed) { ref_rng_state = seed * 0x9E3779B97F4A7C15ull + 1; }
static __attribute__((unused)) uint64_t ref_rand64(void)
{
    uint64_t x = ref_rng_state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    ref_rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}
static __attribute__((unused)) uint32_t ref_rand(uint32_t n) { return (uint32_t)((ref_rand64() >> 11) % n); }

#endif
