/* mm/internal.h - what the files of mm/ share with each other and nobody
 * else (the guest and the tests use mm.h; tests may include this too when
 * they need to look inside).
 *
 * Who implements what (the comment before each declaration names the file):
 *   page_alloc.c  buddy free lists, pageblock types, __rmqueue, watermark
 *                 checks, the allocation and free paths, debug check hooks
 *   pcp.c         per-CPU order-0 lists
 *   init.c        mm_init: nodes, zones, mem_map, zonelists, watermarks,
 *                 lowmem_reserve, MIGRATE_RESERVE, per-CPU list sizes
 *   bootmem.c     the early range allocator (places mem_map) and the hand
 *                 over of all free RAM to the buddy allocator
 *   debug.c       bad_page, poisoning, mm_check_invariants, mm_debug,
 *                 mm_bad_pages (colleague)
 *   alloc_fail.c  warn_alloc_failed (colleague)
 *   report.c      the /proc-style reports (colleague)
 *
 * State of a page, as the allocator keeps it (checked by debug.c):
 *   free, in a buddy list: PG_buddy on the block's head, private = order,
 *       index = the migrate type of the free list holding it (needed to
 *       unlink it: lists are pfn-linked), refcount 0, mapcount -1,
 *       mapping 0.  The other pages of the block: no PG_buddy, refcount 0.
 *   free, on a per-CPU list: PG_pcp, private 0, index = which per-CPU list
 *       (an enum migratetype < MIGRATE_PCPTYPES), refcount 0.
 *   allocated: refcount >= 1 on the head, private 0 and index 0 as handed
 *       out; a block of order > 0 has PG_head and private = order on its
 *       first page; the other pages have refcount 0.
 *   reserved (holes, mem_map, kernel image): PG_reserved, refcount 1.
 *   PG_poisoned may be set on any free page (debug.c's poisoning) and is
 *   kept across merges and splits; the allocator never tests it.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include "mm.h"

/* ---- migrate types of pageblocks (page_alloc.c; inline here) ----------------- */

/* Names, "Unmovable" "Reclaimable" "Movable" "Reserve" (page_alloc.c). */
extern const char *const migratetype_names[MIGRATE_TYPES];

static inline uint32_t pageblock_start_pfn(uint32_t pfn)
{
    return pfn & ~(pageblock_nr_pages - 1);
}

/* The migrate type of the pageblock holding page: kept in the PAGE_PBMT bits
 * of the pageblock's first page.  Read without a lock (a racing change is
 * seen either before or after); written under zone->lock. */
static inline unsigned get_pageblock_migratetype(const struct page *page)
{
    const struct page *first = pfn_to_page(pageblock_start_pfn(page_to_pfn(page)));
    return (first->flags & PAGE_PBMT_MASK) >> PAGE_PBMT_SHIFT;
}

/* Linux 2.6.32's page_group_by_mobility_disabled (page_alloc.c; set by
 * init.c's mm_init when building the zonelists, as build_all_zonelists
 * does): non-zero when the machine has fewer than pageblock_nr_pages *
 * LINUX_MIGRATE_TYPES pages (present pages of every zone; the high
 * watermarks are still 0 then, so this is nr_free_pagecache_pages()).
 * While set, every allocation is of type MIGRATE_UNMOVABLE
 * (allocflags_to_migratetype), every pageblock type written becomes
 * MIGRATE_UNMOVABLE (set_pageblock_migratetype, so setup_zone_migrate_reserve
 * moves the reserve block's free pages to the RESERVE lists but its type
 * becomes UNMOVABLE), and a fallback always takes the whole pageblock
 * (rmqueue_fallback).  The pageblocks mm_init marks MOVABLE before the
 * flag is known stay MOVABLE, as memmap_init_zone's do. */
extern uint32_t page_group_by_mobility_disabled;
/* 2.6.32's MIGRATE_TYPES counts MIGRATE_ISOLATE, which pagelab does not
 * have: the threshold is 1024 * 5 = 5120 pages (20 MiB). */
#define LINUX_MIGRATE_TYPES 5u
#define MOBILITY_MIN_PAGES  (pageblock_nr_pages * LINUX_MIGRATE_TYPES)

/* 2.6.32's allocflags_to_migratetype: the gfp's type, UNMOVABLE when
 * grouping by mobility is disabled.  A gfp with neither mobility bit (the
 * common GFP_KERNEL case) is UNMOVABLE either way: one test decides it. */
static mm_always_inline unsigned allocflags_to_migratetype(gfp_t gfp)
{
    if (MM_LIKELY(!(gfp & (__GFP_MOVABLE | __GFP_RECLAIMABLE))))
        return MIGRATE_UNMOVABLE;
    if (MM_UNLIKELY(page_group_by_mobility_disabled))
        return MIGRATE_UNMOVABLE;
    return gfp_migratetype(gfp);
}

/* Sets the type of the pageblock holding page (caller holds zone->lock, or
 * is mm_init).  Free pages are not moved: see move_freepages_block.  As
 * 2.6.32's, the type is MIGRATE_UNMOVABLE whatever mt says while grouping
 * by mobility is disabled. */
static inline void set_pageblock_migratetype(struct page *page, unsigned mt)
{
    struct page *first = pfn_to_page(pageblock_start_pfn(page_to_pfn(page)));
    if (MM_UNLIKELY(page_group_by_mobility_disabled))
        mt = MIGRATE_UNMOVABLE;
    arch_atomic_and(&first->flags, ~PAGE_PBMT_MASK);
    arch_atomic_or(&first->flags, ((uint32_t)mt << PAGE_PBMT_SHIFT) & PAGE_PBMT_MASK);
}

/* Moves every free buddy block inside page's pageblock onto the free lists
 * of type mt; returns the number of pages moved (0 if the pageblock is not
 * wholly inside the zone).  Caller holds zone->lock.  (page_alloc.c) */
uint32_t move_freepages_block(struct zone *zone, struct page *page, unsigned mt);

/* ---- pages ------------------------------------------------------------------- */

/* The order of a free block's head (PG_buddy) or an allocation's head (PG_head). */
static inline unsigned page_order(const struct page *p) { return p->private; }

/* ---- nodes, zones and their iteration (inline here) --------------------------- */

static inline unsigned zone_idx(const struct zone *z) { return z->zone_idx; }
static inline bool is_highmem(const struct zone *z) { return z->zone_idx == ZONE_HIGHMEM; }

#define for_each_online_node(nid) for ((nid) = 0; (nid) < nr_online_nodes; (nid)++)

static inline struct zone *mm_first_zone(void)
{
    return nr_online_nodes ? &node_data[0].node_zones[0] : NULL;
}

/* The zone after z: node by node, DMA, NORMAL, HIGHMEM; NULL after the last. */
static inline struct zone *mm_next_zone(struct zone *z)
{
    unsigned nid = z->node, idx = z->zone_idx;
    if (idx + 1 < MAX_NR_ZONES)
        return &node_data[nid].node_zones[idx + 1];
    if (nid + 1 < nr_online_nodes)
        return &node_data[nid + 1].node_zones[0];
    return NULL;
}

/* Every zone of every online node, populated or not. */
#define for_each_zone(z) for ((z) = mm_first_zone(); (z); (z) = mm_next_zone(z))
/* Only zones with present pages. */
#define for_each_populated_zone(z) \
    for ((z) = mm_first_zone(); (z); (z) = mm_next_zone(z)) \
        if (!populated_zone(z)) {} else

#define ZONEREF_END 0xffu
static inline struct zone *zoneref_zone(const struct zoneref *r)
{
    return &node_data[r->node].node_zones[r->zone];
}
/* Every zone of a zonelist, in order (ref: const struct zoneref *). */
#define for_each_zoneref(ref, zl) for ((ref) = (zl)->zones; (ref)->node != ZONEREF_END; (ref)++)

/* ---- per-zone counters (page_alloc.c / inline) -------------------------------- */

/* Counters change with atomic adds, so NUMA counters may be bumped without
 * the zone's lock; NR_FREE_PAGES changes only under zone->lock. */
static inline void mod_zone_page_state(struct zone *z, enum zone_stat_item item, int32_t delta)
{
    arch_atomic_add_return(&z->vm_stat[item], delta);
}

/* A counter's value, 0 if it is (transiently) negative. */
static inline uint32_t zone_page_state(const struct zone *z, enum zone_stat_item item)
{
    int32_t v = z->vm_stat[item];
    return v < 0 ? 0 : (uint32_t)v;
}

/* NR_FREE_PAGES summed over all zones (page_alloc.c). */
uint32_t nr_free_pages(void);

/* ---- watermarks (page_alloc.c) ------------------------------------------------- */

/* alloc_flags: which watermark to check, and how far below it one may go. */
#define ALLOC_WMARK_MIN      WMARK_MIN
#define ALLOC_WMARK_LOW      WMARK_LOW
#define ALLOC_WMARK_HIGH     WMARK_HIGH
#define ALLOC_NO_WATERMARKS  0x04      /* do not check watermarks at all */
#define ALLOC_WMARK_MASK     (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_HARDER         0x10      /* cannot sleep (no __GFP_WAIT): a quarter below */
#define ALLOC_HIGH           0x20      /* __GFP_HIGH: half below */

/* True if z may give a block of 2^order pages while staying above mark
 * (adjusted by ALLOC_HIGH/ALLOC_HARDER) plus lowmem_reserve[classzone_idx],
 * with the free pages of each lower order not counted.  Lock-free read. */
bool zone_watermark_ok(struct zone *z, unsigned order, uint32_t mark,
                       int classzone_idx, int alloc_flags);

/* The same answer as zone_watermark_ok, always (tests/unit/test_mm_fastpath.c
 * compares the two on random inputs); order 0, the allocator's common case,
 * in a few 32-bit operations (as modern Linux's zone_watermark_fast).
 *
 * Why it is exact for order 0.  zone_watermark_ok computes, in 64 bits,
 *     min  = mark, less min/2 for ALLOC_HIGH, less min/4 for ALLOC_HARDER
 *     free = F - 2^0 + 1 = F      (F = zone_page_state(NR_FREE_PAGES), 0 <= F < 2^31)
 * and answers free > min + R (R = lowmem_reserve[classzone_idx] < 2^32);
 * its per-order loop runs for o < order, i.e. not at all.
 *   - min: 0 <= mark < 2^32, so every step stays in [0, 2^32) and floor
 *     division of a non-negative value is the same in uint32_t and
 *     int64_t: the uint32_t min below equals the 64-bit one.
 *   - If F <= min, then F <= min + R (R >= 0): both answer false.
 *   - If F > min, F - min is computed exactly (no wrap) and
 *     F > min + R  <=>  F - min > R.
 * So "F > min && F - min > R" is exactly "free > min + R", with no 64-bit
 * arithmetic and no overflow.  Other orders take the full check. */
static mm_always_inline bool zone_watermark_fast(struct zone *z, unsigned order, uint32_t mark,
                                                 int classzone_idx, int alloc_flags)
{
    if (MM_LIKELY(order == 0)) {
        uint32_t free = zone_page_state(z, NR_FREE_PAGES);
        uint32_t min = mark;

        if (alloc_flags & ALLOC_HIGH)
            min -= min / 2;
        if (alloc_flags & ALLOC_HARDER)
            min -= min / 4;
        return free > min && free - min > z->lowmem_reserve[classzone_idx];
    }
    return zone_watermark_ok(z, order, mark, classzone_idx, alloc_flags);
}

/* ---- buddy internals (page_alloc.c) -------------------------------------------- */

/* Removes one block of 2^order pages of migrate type mt (falling back to
 * other types, MIGRATE_RESERVE last), split down from a larger one if
 * needed; NULL if the zone has none.  The block is off the lists, PG_buddy
 * clear, NR_FREE_PAGES reduced.  Caller holds zone->lock. */
struct page *__rmqueue(struct zone *zone, unsigned order, unsigned mt);

/* Puts a block of 2^order pages (already checked, refcount 0, no PG_buddy)
 * back, merging with free buddies; the result goes on the list of the type
 * of its pageblock.  Caller holds zone->lock. */
void __free_one_page(struct page *page, struct zone *zone, unsigned order);

/* Gives a block of pages still marked PG_reserved at boot to the buddy
 * allocator (clears PG_reserved, refcount 0) and adds it to managed_pages.
 * Used by bootmem.c only, before other CPUs run. */
void __free_pages_bootmem(struct page *page, unsigned order);

/* ---- debug hooks: checks on the free and allocation paths ---------------------- */

/* page_alloc.c: checks every page of a block being freed (refcount 0 on
 * the head by now, 0 on the others, no PG_buddy/PG_pcp/PG_reserved/
 * PG_slab, mapcount -1, mapping 0, PG_head+private matching order); calls
 * bad_page for each bad page and returns false, in which case the block
 * must not be freed.  Otherwise clears PG_head/private, poisons the pages
 * if mm_debug.poison, and returns true.  (The checks always run: one OR of
 * a few words per page on the way, the reasons worked out only for a bad
 * page.) */
bool free_pages_prepare(struct page *page, unsigned order);

/* page_alloc.c: checks every page of a block just taken off a free list
 * (same conditions as above) and calls bad_page for each bad one; returns
 * false if one was bad (the block is leaked and the allocation tries again,
 * as Linux does).  Otherwise checks and clears poisoning, sets refcount 1,
 * PG_head + private = order for order > 0, zeroes for __GFP_ZERO, and
 * returns true. */
bool prep_new_page(struct page *page, unsigned order, gfp_t gfp);

/* debug.c: reports "BUG: Bad page state" for page with reason (a short
 * phrase: "nonzero mapcount", "PG_buddy set", ...) and counts it in
 * mm_bad_pages.  REPORTS ONLY: must not change the page, which may still
 * be on a free list (a double free). */
void bad_page(struct page *page, const char *reason);

/* debug.c: fills each page of the block with the poison pattern and sets
 * PG_poisoned on it (highmem pages through arch_kmap_atomic_pfn).  Called
 * by free_pages_prepare when mm_debug.poison is set. */
void mm_poison_pages(struct page *page, unsigned order);

/* debug.c: for each page of a block being allocated that has PG_poisoned:
 * checks the pattern is intact (reports a use-after-free otherwise) and
 * clears PG_poisoned.  Called by prep_new_page on every allocation of a
 * block with a PG_poisoned page, whatever mm_debug.poison says now (for
 * any other block it would do nothing, so prep_new_page skips the call). */
void mm_unpoison_pages(struct page *page, unsigned order);

/* alloc_fail.c: the "page allocation failure" report (Linux's
 * warn_alloc_failed: the request, a backtrace if any, then Mem-Info).
 * Called by the allocator on a failure without __GFP_NOWARN, with no lock
 * held. */
void warn_alloc_failed(gfp_t gfp, unsigned order);

/* ---- per-CPU lists (pcp.c; the two hot paths inline here) -------------------- */

/* pcp.c: the list of type mt of pcp (this CPU's, interrupts off) is empty:
 * moves batch pages onto it from the buddy lists (rmqueue_bulk, in cold
 * order for a cold allocation), adds them to count and counts a refill if
 * there were any. */
void pcp_refill(struct zone *zone, struct per_cpu_pages *pcp, unsigned mt, bool cold);

/* pcp.c: pcp (this CPU's list of its zone, interrupts off) reached high:
 * gives min(batch, count) pages back to the buddy lists
 * (free_pcppages_bulk) and counts a drain.  The zone is found from pcp and
 * the CPU number, so pcp_free keeps no zone pointer alive for this rare
 * call. */
void pcp_trim(struct per_cpu_pages *pcp);

/* An order-0 page of migrate type mt from CPU cpu's list for zone (cpu is
 * the running CPU, arch_cpu_id(), asked once by the caller); refilled with
 * batch pages from the buddy lists when empty; the head of the list, or
 * the tail if cold.  The page is off the list, PG_pcp clear, not yet
 * prepared: prep_new_page sets private and index.  NULL if the zone has
 * none. */
static mm_always_inline struct page *pcp_alloc_one(struct zone *zone, unsigned cpu, unsigned mt, bool cold)
{
    unsigned long flags = arch_local_irq_save();
    struct per_cpu_pages *pcp = &zone->pcp[cpu];
    struct mm_list *list;
    struct page *page = NULL;
    uint32_t pfn;

    MM_HIDE_VAR(pcp);
    list = &pcp->lists[mt];
    MM_BUG_ON(mt >= MIGRATE_PCPTYPES);
    if (MM_UNLIKELY(mm_list_empty(list)))
        pcp_refill(zone, pcp, mt, cold);
    pfn = cold ? list->last : list->first;
    if (MM_LIKELY(pfn != MM_NIL)) {
        page = pfn_to_page(pfn);
        MM_BUG_ON(!page_flag(page, PG_pcp) || page->index != mt);
        if (cold)
            mm_list_del_pfn(list, page, pfn);
        else
            mm_list_del_first_pfn(list, page, pfn);
        clear_page_flag(page, PG_pcp);
        pcp->count--;
    }
    arch_local_irq_restore(flags);
    return page;
}

/* pcp.c: pcp_alloc_one for a cold allocation, out of line. */
struct page *pcp_alloc_cold(struct zone *zone, unsigned cpu, unsigned mt);

/* pcp_alloc_one, the hot case inline (the head of the list), the cold one
 * (the tail) out of line. */
static mm_always_inline struct page *pcp_alloc(struct zone *zone, unsigned cpu, unsigned mt, bool cold)
{
    if (MM_UNLIKELY(cold))
        return pcp_alloc_cold(zone, cpu, mt);
    return pcp_alloc_one(zone, cpu, mt, false);
}

/* Puts an order-0 page of zone (its page_zone; already through
 * free_pages_prepare) on CPU cpu's (the running CPU's) list of its
 * pageblock type (MIGRATE_RESERVE -> MOVABLE), at the head or at the tail
 * if cold; once count reaches high, batch pages go back to the buddy lists
 * (Linux 2.6.32's rule). */
static mm_always_inline void pcp_free(struct zone *zone, struct page *page, unsigned cpu, bool cold)
{
    uint32_t pfn = page_to_pfn(page);
    /* get_pageblock_migratetype, with the pfn at hand */
    unsigned mt = (page[-(int32_t)(pfn & (pageblock_nr_pages - 1))].flags & PAGE_PBMT_MASK) >> PAGE_PBMT_SHIFT;
    unsigned long flags;
    struct per_cpu_pages *pcp;
    struct mm_list *list;

    if (mt >= MIGRATE_PCPTYPES)
        mt = MIGRATE_MOVABLE;
    pcp = &zone->pcp[cpu];
    MM_HIDE_VAR(pcp);
    list = &pcp->lists[mt];
    flags = arch_local_irq_save();
    page->index = mt;
    set_page_flag(page, PG_pcp);
    if (cold)
        mm_list_add_tail_pfn(list, page, pfn);
    else
        mm_list_add_pfn(list, page, pfn);
    pcp->count++;
    if (MM_UNLIKELY(pcp->count >= pcp->high))
        pcp_trim(pcp);
    arch_local_irq_restore(flags);
}

/* page_alloc.c: the preferred zone of every node, zonelist and gfp_zone,
 * kept for the allocation fast path; mm_init calls it once the zonelists
 * and present pages are final. */
void build_preferred_zones(void);

/* Pages on the per-CPU lists of a zone, all CPUs. */
uint32_t zone_pcp_count(const struct zone *zone);

/* Linux 2.6.32's per-CPU batch for a zone (before the max(1, .) clamp;
 * may be 0) and the sizes applied to every CPU's list of the zone. */
uint32_t zone_batchsize(const struct zone *zone);
void pcp_setup_zone(struct zone *zone);

/* page_alloc.c: moves up to count pages from the buddy lists (type mt,
 * with fallback) onto list, which must be empty, marked PG_pcp; returns how
 * many.  In __rmqueue's order from the head, or from the tail if cold (so
 * cold allocations, which take the tail, get that order too).  Takes
 * zone->lock. */
uint32_t rmqueue_bulk(struct zone *zone, uint32_t count, unsigned mt, struct mm_list *list, bool cold);

/* page_alloc.c: gives count pages of pcp back to the buddy lists as 2.6.32's
 * free_pcppages_bulk: round robin over the lists from RECLAIMABLE, up to
 * batch_free pages (one more for every list looked at) from the tail of
 * each non-empty list found, each page to the free list of its pageblock's
 * type (a701623's rule, see page_alloc.c).  Takes zone->lock. */
void free_pcppages_bulk(struct zone *zone, uint32_t count, struct per_cpu_pages *pcp);

/* ---- boot (init.c, bootmem.c) ------------------------------------------------ */

/* init.c: the ratios of setup_per_zone_lowmem_reserve (DMA 256, NORMAL 32). */
extern const uint32_t lowmem_reserve_ratio[MAX_NR_ZONES];

/* init.c: recompute min/low/high of every zone from min_free_kbytes, then
 * the MIGRATE_RESERVE pageblocks (2.6.32's setup_per_zone_wmarks). */
void setup_per_zone_wmarks(void);
/* init.c: lowmem_reserve[] of every zone from present pages and the ratios. */
void setup_per_zone_lowmem_reserve(void);
/* init.c: int_sqrt(lowmem_kbytes * 16) clamped to [128, 65536]. */
uint32_t calculate_min_free_kbytes(void);
/* init.c: integer square root (floor). */
uint32_t int_sqrt(uint64_t x);
/* init.c: the memmap pages Linux subtracts from a zone's present pages. */
uint32_t zone_memmap_pages(uint32_t spanned_pages);

/* bootmem.c: the early allocator over bi's RAM minus its reserved ranges. */
void bootmem_init(const struct mm_boot_info *bi);
/* bootmem.c: size bytes (page-rounded), align a power of two >= PAGE_SIZE,
 * below limit, preferably at or above goal; physical address, MM_BUG_ON if
 * none. */
uint64_t bootmem_alloc(uint64_t size, uint64_t align, uint64_t goal, uint64_t limit);
/* bootmem.c: gives every page still free in the early allocator to the
 * buddy allocator in the largest aligned blocks inside one zone; returns
 * the number of pages.  The early allocator is unusable afterwards. */
uint32_t bootmem_free_all(void);

#endif
