/* mm/page_alloc.c - the buddy allocator.
 *
 * Each zone keeps, for each order, one free list per migrate type.  A free
 * block of 2^k pages starts at a pfn aligned to 2^k; its buddy is the block
 * at pfn ^ 2^k, and two free buddies of one zone merge into one block of
 * order k + 1.  Every pageblock (2^pageblock_order pages) has a migrate type;
 * a freed block goes on the list of its pageblock's type, an allocation
 * takes from the list of its own type and falls back to the others in a
 * fixed order (stealing whole pageblocks when it takes a large block).
 *
 * Locking: zone->lock (with interrupts off) around every change of a free
 * list, nr_free, NR_FREE_PAGES or a pageblock type.  The per-CPU lists are
 * in pcp.c.  Linux 2.6.32's mm/page_alloc.c is the model for behaviour and
 * formulas; the code is pagelab's own.
 */
#include "debug.h"
#include "internal.h"
#include "trace.h"

/* See internal.h (set by mm_init). */
uint32_t page_group_by_mobility_disabled;

/* page_zone, by the page's node and zone bits (flags >> PAGE_ZONE_SHIFT,
 * node << 2 | zone): the byte offset of the zone in node_data (zone bits 3
 * never occur). */
#define ZONE_OFF(n, z) ((uint32_t)(sizeof(pg_data_t) * (n) + offsetof(pg_data_t, node_zones) + \
                                   sizeof(struct zone) * (z)))
#define ZONE_OFF4(n) ZONE_OFF(n, 0), ZONE_OFF(n, 1), ZONE_OFF(n, 2), ZONE_OFF(n, 3)
static const uint32_t zone_off_by_bits[16] = { ZONE_OFF4(0), ZONE_OFF4(1), ZONE_OFF4(2), ZONE_OFF4(3) };
_Static_assert(MAX_NUMNODES == 4 && PAGE_NODE_SHIFT == PAGE_ZONE_SHIFT + 2 &&
               (PAGE_ZONE_MASK | PAGE_NODE_MASK) >> PAGE_ZONE_SHIFT == 15u, "zone_off_by_bits layout");

/* page_zone(page), with one table load instead of two multiplications. */
static mm_always_inline struct zone *page_zone_fast(const struct page *page)
{
    return (struct zone *)((char *)node_data +
                           zone_off_by_bits[(page->flags >> PAGE_ZONE_SHIFT) & 15u]);
}

const char *const migratetype_names[MIGRATE_TYPES] = {
    "Unmovable", "Reclaimable", "Movable", "Reserve",
};

/* Where an allocation of each type looks when its own lists are empty, in
 * order.  MIGRATE_RESERVE is only used by __rmqueue as the very last resort. */
static const uint8_t fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
    [MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
    [MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
    [MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
};

/* ---- free-list helpers: list, nr_free, PG_buddy, private, index and
 *      NR_FREE_PAGES always change together here ------------------------------ */

/* Puts the block of 2^order pages headed by page on the front of its zone's
 * free list of type mt.  Caller holds zone->lock. */
static mm_always_inline void add_to_free_list(struct page *page, struct zone *zone, unsigned order, unsigned mt)
{
    MM_BUG_ON(page_flag(page, PG_buddy) || page_count(page) != 0);
    MM_BUG_ON(page_to_pfn(page) & ((1u << order) - 1));
    MM_BUG_ON(mt >= MIGRATE_TYPES);
    mm_list_add(&zone->free_area[order].free_list[mt], page);
    zone->free_area[order].nr_free++;
    page->private = order;
    page->index = mt;
    set_page_flag(page, PG_buddy);
    mod_zone_page_state(zone, NR_FREE_PAGES, (int32_t)(1u << order));
}

/* Takes a free block head off its free list (the one page->index names).
 * Caller holds zone->lock. */
static mm_always_inline void del_page_from_free_list(struct page *page, struct zone *zone, unsigned order)
{
    MM_BUG_ON(!page_flag(page, PG_buddy) || page_order(page) != order);
    mm_list_del(&zone->free_area[order].free_list[page->index], page);
    MM_BUG_ON(zone->free_area[order].nr_free == 0);
    zone->free_area[order].nr_free--;
    clear_page_flag(page, PG_buddy);
    page->private = 0;
    page->index = 0;
    mod_zone_page_state(zone, NR_FREE_PAGES, -(int32_t)(1u << order));
}

/* Moves a free block head from its free list to the front of the list of
 * type mt, same order.  Caller holds zone->lock. */
static void move_to_free_list(struct page *page, struct zone *zone, unsigned order, unsigned mt)
{
    struct free_area *area = &zone->free_area[order];
    MM_BUG_ON(!page_flag(page, PG_buddy) || page_order(page) != order);
    mm_list_del(&area->free_list[page->index], page);
    mm_list_add(&area->free_list[mt], page);
    page->index = mt;
}

/* True if page heads a free buddy block of exactly this order in zone. */
static mm_always_inline bool page_is_buddy(const struct page *page, const struct zone *zone, unsigned order)
{
    return page_flag(page, PG_buddy) && page_order(page) == order &&
           page_zone(page) == zone;
}

/* ---- freeing -------------------------------------------------------------------- */

/* Linux 2.6.32's __free_one_page(page, zone, order, migratetype): merges
 * while the buddy of the current block is a free block of the same order in
 * the same zone (whatever list it is on); the merged block goes on the
 * free list of type mt. */
static mm_always_inline void free_one_page_mt(struct page *page, struct zone *zone, unsigned order,
                                              unsigned mt)
{
    uint32_t pfn = page_to_pfn(page);

    MM_BUG_ON(pfn & ((1u << order) - 1));
    MM_BUG_ON(page_zone(page) != zone);
    while (order < MAX_ORDER - 1) {
        uint32_t buddy_pfn = pfn ^ (1u << order);
        struct page *buddy;

        if (!pfn_valid(buddy_pfn))
            break;
        buddy = pfn_to_page(buddy_pfn);
        if (!page_is_buddy(buddy, zone, order))
            break;
        del_page_from_free_list(buddy, zone, order);
        pfn &= ~(1u << order);
        order++;
    }
    add_to_free_list(pfn_to_page(pfn), zone, order, mt);
}

/* A block freed straight to the buddy lists goes to the list of its
 * pageblock's type, read before merging as 2.6.32's __free_pages_ok does
 * (a merged block never leaves the pageblock: MAX_ORDER - 1 ==
 * pageblock_order). */
static mm_always_inline void free_one_page(struct page *page, struct zone *zone, unsigned order)
{
    free_one_page_mt(page, zone, order, get_pageblock_migratetype(page));
}

void __free_one_page(struct page *page, struct zone *zone, unsigned order)
{
    free_one_page(page, zone, order);
}

/* The reason a page of a block being freed (or just allocated) is in a bad
 * state, or NULL.  want_count is the refcount it must have. */
static const char *bad_page_reason(const struct page *p, int32_t want_count)
{
    if (p->_refcount != want_count)
        return "nonzero _count";
    if (p->_mapcount != -1)
        return "nonzero mapcount";
    if (p->mapping != 0)
        return "non-NULL mapping";
    if (page_flag(p, PG_buddy))
        return "PG_buddy set";
    if (page_flag(p, PG_pcp))
        return "PG_pcp set";
    if (page_flag(p, PG_reserved))
        return "PG_reserved set";
    if (page_flag(p, PG_slab))
        return "PG_slab set";
    return NULL;
}

/* The page flags no free (or just allocated) page may have. */
#define PAGE_FLAGS_CHECK ((1u << PG_buddy) | (1u << PG_pcp) | (1u << PG_reserved) | (1u << PG_slab))

/* Zero iff p passes bad_page_reason(p, 0) (refcount 0, mapcount -1,
 * mapping 0, none of PG_buddy/PG_pcp/PG_reserved/PG_slab) and has none of
 * the extra flags in flags_mask: one OR of four words instead of seven
 * tests.  Each term is zero exactly when its condition holds
 * ((uint32_t)mapcount + 1 wraps to 0 only for -1), and an OR is zero only
 * when every term is.  The reasons are worked out only for a bad page. */
static mm_always_inline uint32_t page_bad_bits(const struct page *p, uint32_t flags_mask)
{
    return (p->flags & flags_mask) | p->mapping | ((uint32_t)p->_mapcount + 1u) |
           (uint32_t)p->_refcount;
}

/* The slow path of free_pages_prepare: a check failed.  Reports every bad
 * page with its reason (as Linux's free_pages_check / bad_page) and returns
 * whether the block is good after all. */
static __attribute__((noinline)) bool free_pages_check_bad(struct page *page, unsigned order)
{
    bool ok = true;
    uint32_t i;

    if (order > 0 ? !page_flag(page, PG_head) || page_order(page) != order
                  : page_flag(page, PG_head)) {
        bad_page(page, "freed with another order than allocated");
        ok = false;
    }
    for (i = 0; i < (1u << order); i++) {
        const char *why = bad_page_reason(page + i, 0);
        if (why) {
            bad_page(page + i, why);
            ok = false;
        }
    }
    return ok;
}

/* See internal.h (free_pages_prepare).  The same checks as
 * free_pages_check_bad, all of them, on every free: for order 0, PG_head
 * set is the "another order" case, so it joins the flags of the one test. */
static mm_always_inline bool free_pages_prepare_inline(struct page *page, unsigned order, bool to_pcp,
                                                        bool rare)
{
    uint32_t bad, i;

    if (order == 0) {
        bad = page_bad_bits(page, PAGE_FLAGS_CHECK | (1u << PG_head));
    } else {
        bad = !page_flag(page, PG_head) || page_order(page) != order;
        for (i = 0; i < (1u << order); i++)
            bad |= page_bad_bits(page + i, PAGE_FLAGS_CHECK);
    }
    if (MM_UNLIKELY(bad) && !free_pages_check_bad(page, order))
        return false;
    if (order > 0)                      /* order 0: checked clear above */
        clear_page_flag(page, PG_head);
    page->private = 0;
    if (!to_pcp)                        /* pcp_free sets index to its list */
        page->index = 0;
    if (rare && MM_UNLIKELY(mm_debug.poison))   /* rare false: mm_debug.any was 0 */
        mm_poison_pages(page, order);
    return true;
}

/* See internal.h. */
bool free_pages_prepare(struct page *page, unsigned order)
{
    return free_pages_prepare_inline(page, order, false, true);
}

/* Frees a checked block of order > 0 straight to the buddy lists. */
static __attribute__((noinline)) void free_pages_ok(struct page *page, unsigned order)
{
    struct zone *zone = page_zone(page);
    unsigned long flags = arch_spin_lock_irqsave(&zone->lock);
    free_one_page(page, zone, order);
    arch_spin_unlock_irqrestore(&zone->lock, flags);
}

/* The last reference's free with a rare switch on (mm_debug.any): the
 * same as free_pages_common's fast tail, plus poisoning, the trace event
 * and the per-operation check. */
static __attribute__((noinline)) void free_pages_rare(struct page *page, unsigned order, bool cold)
{
    if (free_pages_prepare_inline(page, order, order == 0, true)) {
        MM_TRACE(mm_trace_page_free(page, order));
        if (order == 0)
            pcp_free(page_zone_fast(page), page, arch_cpu_id(), cold);
        else
            free_pages_ok(page, order);
    }
    if (MM_UNLIKELY(mm_debug.check_each_op))
        mm_check_after_op();
}

/* Drops a reference to a block; on the last one checks it and frees it:
 * order 0 through the per-CPU lists, larger blocks to the buddy lists. */
static mm_always_inline void free_pages_common(struct page *page, unsigned order, bool cold)
{
    MM_BUG_ON(order >= MAX_ORDER);
    if (MM_UNLIKELY(page_count(page) <= 0)) {
        bad_page(page, "freeing a page with refcount 0");
        return;
    }
    if (!put_page_testzero(page)) {
        if (MM_UNLIKELY(mm_debug.check_each_op))
            mm_check_after_op();
        return;
    }
    if (MM_UNLIKELY(mm_debug.any)) {
        free_pages_rare(page, order, cold);
        return;
    }
    if (free_pages_prepare_inline(page, order, order == 0, false)) {
        if (order == 0)
            pcp_free(page_zone_fast(page), page, arch_cpu_id(), cold);
        else
            free_pages_ok(page, order);
    }
}

/* Orders above 0, out of line (see alloc_pages_order). */
static __attribute__((noinline)) void free_pages_order(struct page *page, unsigned order)
{
    free_pages_common(page, order, false);
}

/* Not split by GCC's partial inlining (a wrapper testing the reference
 * count around a call of the rest costs more than it saves here). */
#if defined(__GNUC__) && !defined(__clang__)
#define MM_NO_PARTIAL_INLINING __attribute__((optimize("no-partial-inlining")))
#else
#define MM_NO_PARTIAL_INLINING
#endif
MM_NO_PARTIAL_INLINING MM_ARCH_HOT_ENTRY
void __free_pages(struct page *page, unsigned order)
{
    if (MM_UNLIKELY(order != 0))
        free_pages_order(page, order);
    else
        free_pages_common(page, 0, false);
}

MM_ARCH_HOT_ENTRY void __free_page(struct page *page) { free_pages_common(page, 0, false); }
MM_ARCH_HOT_ENTRY void free_cold_page(struct page *page) { free_pages_common(page, 0, true); }

void free_pages(unsigned long addr, unsigned order)
{
    if (addr != 0)
        __free_pages(virt_to_page((const void *)addr), order);
}

void free_page(unsigned long addr) { free_pages(addr, 0); }

/* See internal.h.  Boot only: no other CPU allocates yet, but the lock is
 * taken anyway to keep the rule "free lists change under zone->lock". */
void __free_pages_bootmem(struct page *page, unsigned order)
{
    struct zone *zone = page_zone(page);
    unsigned long flags;
    uint32_t i;

    for (i = 0; i < (1u << order); i++) {
        MM_BUG_ON(!page_flag(page + i, PG_reserved));
        MM_BUG_ON(page_zone(page + i) != zone);
        clear_page_flag(page + i, PG_reserved);
        page[i]._refcount = 0;
    }
    flags = arch_spin_lock_irqsave(&zone->lock);
    zone->managed_pages += 1u << order;
    __free_one_page(page, zone, order);
    arch_spin_unlock_irqrestore(&zone->lock, flags);
}

/* ---- taking blocks off the free lists --------------------------------------------- */

/* A block of order high split down to order low: the upper half at each
 * step goes back on the free list of type mt, the lowest 2^low pages are
 * the caller's.  Caller holds zone->lock. */
static mm_always_inline void expand(struct zone *zone, struct page *page, unsigned low, unsigned high, unsigned mt)
{
    while (high > low) {
        high--;
        add_to_free_list(page + (1u << high), zone, high, mt);
    }
}

/* The smallest free block of type mt of at least 2^order pages, split down
 * to 2^order; NULL if there is none.  Caller holds zone->lock. */
static mm_always_inline struct page *rmqueue_smallest(struct zone *zone, unsigned order, unsigned mt)
{
    unsigned o;

    for (o = order; o < MAX_ORDER; o++) {
        struct page *page = mm_list_first(&zone->free_area[o].free_list[mt]);
        if (!page)
            continue;
        del_page_from_free_list(page, zone, o);
        expand(zone, page, order, o, mt);
        return page;
    }
    return NULL;
}

/* See internal.h.  Walks the pageblock page by page, skipping over blocks. */
uint32_t move_freepages_block(struct zone *zone, struct page *page, unsigned mt)
{
    uint32_t start = pageblock_start_pfn(page_to_pfn(page));
    uint32_t end = start + pageblock_nr_pages;
    uint32_t pfn = start, moved = 0;

    if (start < zone->zone_start_pfn || end > zone_end_pfn(zone))
        return 0;
    while (pfn < end) {
        struct page *p = pfn_to_page(pfn);
        if (!page_flag(p, PG_buddy)) {
            pfn++;
            continue;
        }
        MM_BUG_ON(page_zone(p) != zone);
        move_to_free_list(p, zone, page_order(p), mt);
        moved += 1u << page_order(p);
        pfn += 1u << page_order(p);
    }
    return moved;
}

/* Sets the type of every pageblock covered by a block of order >= pageblock_order. */
static void change_pageblock_range(struct page *page, unsigned order, unsigned mt)
{
    uint32_t n = 1u << (order - pageblock_order), i;
    for (i = 0; i < n; i++)
        set_pageblock_migratetype(page + i * pageblock_nr_pages, mt);
}

/* Takes a block for type start_mt from another type's lists, largest order
 * first, in fallbacks[] order.  A large block (order >= pageblock_order/2)
 * or any block for a RECLAIMABLE request, or any block at all while grouping
 * by mobility is disabled, drags all free pages of its pageblock to
 * start_mt, and the pageblock changes type if at least half of it moved (or
 * always, grouping disabled); a block of a whole pageblock or more changes
 * all its pageblocks.  Caller holds zone->lock.  (2.6.32's
 * __rmqueue_fallback.) */
static __attribute__((noinline)) struct page *rmqueue_fallback(struct zone *zone, unsigned order, unsigned start_mt)
{
    int o;
    unsigned i;

    for (o = MAX_ORDER - 1; o >= (int)order; o--) {
        for (i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
            unsigned mt = fallbacks[start_mt][i];
            struct page *page = mm_list_first(&zone->free_area[o].free_list[mt]);

            if (!page)
                continue;
            if (o >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
                page_group_by_mobility_disabled) {
                uint32_t moved = move_freepages_block(zone, page, start_mt);
                if (moved >= pageblock_nr_pages / 2 || page_group_by_mobility_disabled)
                    set_pageblock_migratetype(page, start_mt);
                mt = start_mt;
            }
            del_page_from_free_list(page, zone, (unsigned)o);
            if (o >= pageblock_order)
                change_pageblock_range(page, (unsigned)o, start_mt);
            expand(zone, page, order, (unsigned)o, mt);
            return page;
        }
    }
    return NULL;
}

/* See internal.h. */
struct page *__rmqueue(struct zone *zone, unsigned order, unsigned mt)
{
    struct page *page = rmqueue_smallest(zone, order, mt);

    if (MM_UNLIKELY(!page) && mt != MIGRATE_RESERVE) {
        page = rmqueue_fallback(zone, order, mt);
        if (!page)
            page = rmqueue_smallest(zone, order, MIGRATE_RESERVE);
    }
    return page;
}

/* See internal.h.  2.6.32's rmqueue_bulk (with e084b2d95e48): each page is
 * queued after the previous one (hot) or before it (cold), starting from
 * the list head, so a hot list reads in __rmqueue's order from its head
 * and a cold one in that order from its tail: successive cold allocations
 * (from the tail) get ascending pfns, the first one the lowest.  The list
 * is empty (pcp_alloc refills only an empty list), so "after the previous
 * page" is the tail and "before it" the head. */
uint32_t rmqueue_bulk(struct zone *zone, uint32_t count, unsigned mt, struct mm_list *list, bool cold)
{
    unsigned long flags = arch_spin_lock_irqsave(&zone->lock);
    uint32_t n;

    MM_BUG_ON(!mm_list_empty(list));
    for (n = 0; n < count; n++) {
        struct page *page = __rmqueue(zone, 0, mt);
        if (!page)
            break;
        page->index = mt;
        set_page_flag(page, PG_pcp);
        if (cold)
            mm_list_add(list, page);
        else
            mm_list_add_tail(list, page);
    }
    arch_spin_unlock_irqrestore(&zone->lock, flags);
    return n;
}

/* See internal.h.  The caller has local interrupts off (pcp is its CPU's).
 * Linux 2.6.32's free_pcppages_bulk: the lists are visited round robin,
 * the cursor starting at UNMOVABLE and moved on before each use (so
 * RECLAIMABLE comes first); batch_free grows by one for every list looked
 * at, empty ones included, and up to batch_free pages then come off the
 * tail of the non-empty list found, so fuller lists give more pages when
 * others are empty.
 *
 * Decision: each page goes to the free list of its pageblock's type, not of
 * the per-CPU list's.  2.6.32 passes the list's migratetype to
 * __free_one_page, so a page of a MIGRATE_RESERVE pageblock (kept on the
 * MOVABLE list) goes back as MOVABLE and the reserve drains away; that is
 * the bug a701623 ("mm: fix migratetype bug which slowed swapping") fixed
 * by using the type recorded at free time.  pagelab keeps the fixed
 * behaviour (test_mm_basic relies on the reserve coming back whole); the
 * two differ only for RESERVE pages and for a pageblock whose type changed
 * while the page sat on the per-CPU list. */
void free_pcppages_bulk(struct zone *zone, uint32_t count, struct per_cpu_pages *pcp)
{
    MM_TRACE(mm_trace_pcp_drain(zone, pcp, count));
    unsigned long flags = arch_spin_lock_irqsave(&zone->lock);
    unsigned mt = 0, batch_free = 0;

    MM_BUG_ON(count > pcp->count);
    while (count > 0) {
        struct mm_list *list;

        do {
            batch_free++;
            if (++mt == MIGRATE_PCPTYPES)
                mt = 0;
            list = &pcp->lists[mt];
        } while (mm_list_empty(list));
        do {
            struct page *page = mm_list_last(list);

            mm_list_del(list, page);
            clear_page_flag(page, PG_pcp);
            page->index = 0;
            pcp->count--;
            free_one_page(page, zone, 0);
        } while (--count && --batch_free && !mm_list_empty(list));
    }
    arch_spin_unlock_irqrestore(&zone->lock, flags);
}

/* ---- preparing an allocated block ---------------------------------------------- */

/* Zeroes the pages of a block: lowmem through the direct map, highmem one
 * page at a time through a temporary mapping. */
static __attribute__((noinline)) void zero_pages(struct page *page, unsigned order)
{
    uint32_t pfn = page_to_pfn(page), i;

    for (i = 0; i < (1u << order); i++) {
        if (pfn + i < max_low_pfn) {
            __builtin_memset(arch_phys_to_virt((uint64_t)(pfn + i) << PAGE_SHIFT), 0, PAGE_SIZE);
        } else {
            void *v = arch_kmap_atomic_pfn(pfn + i);
            __builtin_memset(v, 0, PAGE_SIZE);
            arch_kunmap_atomic(v);
        }
    }
}

/* The slow path of prep_new_page: a check failed.  Reports every bad page
 * with its reason (as Linux's prep_new_page / bad_page) and returns
 * whether the block is good after all. */
static __attribute__((noinline)) bool prep_new_page_check_bad(struct page *page, unsigned order)
{
    bool ok = true;
    uint32_t i;

    for (i = 0; i < (1u << order); i++) {
        const char *why = bad_page_reason(page + i, 0);
        if (why || page_flag(page + i, PG_head)) {
            bad_page(page + i, why ? why : "PG_head set");
            ok = false;
        }
    }
    return ok;
}

/* See internal.h (prep_new_page).  Every page is checked on every
 * allocation (page_bad_bits with PG_head added); mm_unpoison_pages, which
 * only acts on pages with PG_poisoned, is called when one of them has it. */
static mm_always_inline bool prep_new_page_inline(struct page *page, unsigned order, gfp_t gfp)
{
    uint32_t bad = 0, flags = 0, i;

    for (i = 0; i < (1u << order); i++) {
        bad |= page_bad_bits(page + i, PAGE_FLAGS_CHECK | (1u << PG_head));
        flags |= page[i].flags;
    }
    if (MM_UNLIKELY(bad) && !prep_new_page_check_bad(page, order))
        return false;
    if (MM_UNLIKELY(flags & (1u << PG_poisoned)))
        mm_unpoison_pages(page, order);
    page->_refcount = 1;
    page->private = 0;
    page->index = 0;
    if (order > 0) {
        page->private = order;
        set_page_flag(page, PG_head);
    }
    if (MM_UNLIKELY(gfp & __GFP_ZERO))
        zero_pages(page, order);
    return true;
}

/* See internal.h. */
bool prep_new_page(struct page *page, unsigned order, gfp_t gfp)
{
    return prep_new_page_inline(page, order, gfp);
}

/* ---- watermarks ------------------------------------------------------------------ */

/* See internal.h. */
bool zone_watermark_ok(struct zone *z, unsigned order, uint32_t mark,
                       int classzone_idx, int alloc_flags)
{
    int64_t min = mark;
    int64_t free = (int64_t)zone_page_state(z, NR_FREE_PAGES) - (1 << order) + 1;
    unsigned o;

    if (alloc_flags & ALLOC_HIGH)
        min -= min / 2;
    if (alloc_flags & ALLOC_HARDER)
        min -= min / 4;
    if (free <= min + z->lowmem_reserve[classzone_idx])
        return false;
    for (o = 0; o < order; o++) {
        free -= (int64_t)z->free_area[o].nr_free << o;
        min >>= 1;
        if (free <= min)
            return false;
    }
    return true;
}

uint32_t nr_free_pages(void)
{
    struct zone *z;
    uint32_t sum = 0;

    for_each_zone(z)
        sum += zone_page_state(z, NR_FREE_PAGES);
    return sum;
}

/* ---- the allocation path ---------------------------------------------------------- */

/* Bumps one of a zone's event counters (several CPUs may count at once). */
static void count_event(uint32_t *counter)
{
    arch_atomic_add_return((volatile int32_t *)(void *)counter, 1);
}

/* What one allocation is: its flags, order, type, zonelist, the zones
 * allowed and the running CPU (asked once). */
struct alloc_ctx {
    gfp_t gfp;
    unsigned order;
    unsigned mt;
    unsigned high_zoneidx;             /* gfp_zone(gfp) */
    unsigned cpu;                      /* arch_cpu_id() */
    const struct zonelist *zonelist;
    const struct zoneref *preferred_ref; /* first allowed zone of the zonelist */
    struct zone *preferred;            /* its zone */
};

/* NUMA counters for an allocation served by z when preferred was asked for. */
static mm_always_inline void zone_statistics(struct zone *preferred, struct zone *z, unsigned cpu)
{
    if (MM_LIKELY(z->node == preferred->node)) {
        mod_zone_page_state(z, NUMA_HIT, 1);
    } else {
        mod_zone_page_state(z, NUMA_MISS, 1);
        mod_zone_page_state(preferred, NUMA_FOREIGN, 1);
    }
    mod_zone_page_state(z, z->node == cpu_to_node(cpu) ? NUMA_LOCAL : NUMA_OTHER, 1);
}

/* One block from zone z: order 0 through this CPU's list, larger blocks
 * straight from the buddy lists.  Blocks in a bad state are leaked (after
 * bad_page) and another one is taken.  NULL if z has none. */
static mm_always_inline struct page *buffered_rmqueue(struct zone *preferred, struct zone *z,
                                                     unsigned order, gfp_t gfp, unsigned cpu)
{
    unsigned mt = allocflags_to_migratetype(gfp);

    for (;;) {
        struct page *page;

        if (order == 0) {
            page = pcp_alloc(z, cpu, mt, (gfp & __GFP_COLD) != 0);
        } else {
            unsigned long flags = arch_spin_lock_irqsave(&z->lock);
            page = __rmqueue(z, order, mt);
            arch_spin_unlock_irqrestore(&z->lock, flags);
        }
        if (MM_UNLIKELY(!page))
            return NULL;
        if (MM_LIKELY(prep_new_page_inline(page, order, gfp))) {
            zone_statistics(preferred, z, cpu);
            return page;
        }
    }
}

/* Walks the zonelist from ref (zones above high_zoneidx skipped) and takes
 * a block from the first zone that passes its watermark check (none with
 * ALLOC_NO_WATERMARKS).  Every zone before ac->preferred_ref is skipped by
 * that same test, so starting there is the same as starting at the head. */
static __attribute__((noinline)) struct page *
get_page_from_freelist(const struct alloc_ctx *ac, int alloc_flags, const struct zoneref *ref)
{
    for (; ref->node != ZONEREF_END; ref++) {
        struct zone *z = zoneref_zone(ref);
        struct page *page;

        if (ref->zone > ac->high_zoneidx || !populated_zone(z))
            continue;
        if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
            !zone_watermark_fast(z, ac->order, z->watermark[alloc_flags & ALLOC_WMARK_MASK],
                                 (int)zone_idx(ac->preferred), alloc_flags))
            continue;
        page = buffered_rmqueue(ac->preferred, z, ac->order, ac->gfp, ac->cpu);
        if (page)
            return page;
    }
    return NULL;
}

/* The alloc_flags of the slow path: the min watermark, half of it for
 * __GFP_HIGH, a quarter less again for callers that cannot sleep. */
static int gfp_to_alloc_flags(gfp_t gfp)
{
    int flags = ALLOC_WMARK_MIN;

    if (gfp & __GFP_HIGH)
        flags |= ALLOC_HIGH;
    if (!(gfp & __GFP_WAIT))
        flags |= ALLOC_HARDER;
    return flags;
}

/* Counts a kswapd wakeup on every allowed zone whose free pages are below
 * its low watermark (kswapd itself comes with reclaim, later). */
static void wake_all_kswapd(const struct alloc_ctx *ac)
{
    const struct zoneref *ref;

    for_each_zoneref(ref, ac->zonelist) {
        struct zone *z = zoneref_zone(ref);
        if (ref->zone > ac->high_zoneidx || !populated_zone(z))
            continue;
        if (zone_watermark_ok(z, ac->order, low_wmark_pages(z), 0, 0))
            continue;
        MM_TRACE(mm_trace_wmark_low(z, ac->order));
        count_event(&z->kswapd_wakeups);
    }
}

/* Where direct reclaim will go: for now it only counts an attempt on every
 * allowed zone and frees nothing.  Returns the pages reclaimed (0). */
static uint32_t try_reclaim_stub(const struct alloc_ctx *ac)
{
    const struct zoneref *ref;

    for_each_zoneref(ref, ac->zonelist) {
        struct zone *z = zoneref_zone(ref);
        if (ref->zone <= ac->high_zoneidx && populated_zone(z))
            count_event(&z->direct_reclaims);
    }
    return 0;
}

/* Linux's GFP_THISNODE (slab's flags for a node-local attempt). */
#define GFP_THISNODE_LINUX (__GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN)

/* After the fast path failed: wake kswapd, retry at the min watermark
 * (lower for __GFP_HIGH / atomic callers), then, if the caller may sleep,
 * "reclaim" and retry once more.  Linux's GFP_THISNODE gives up at once,
 * before waking kswapd, as 2.6.32's __alloc_pages_slowpath does ("should
 * not cause reclaim": the caller tries other nodes itself).  __GFP_NOFAIL
 * is NOT honoured: such a request fails like any other when memory is
 * exhausted. */
static struct page *alloc_pages_slowpath(const struct alloc_ctx *ac)
{
    int alloc_flags = gfp_to_alloc_flags(ac->gfp);
    struct page *page;

    if ((ac->gfp & GFP_THISNODE_LINUX) == GFP_THISNODE_LINUX)
        return NULL;
    wake_all_kswapd(ac);
    page = get_page_from_freelist(ac, alloc_flags, ac->preferred_ref);
    if (page || !(ac->gfp & __GFP_WAIT))
        return page;
    try_reclaim_stub(ac);
    return get_page_from_freelist(ac, alloc_flags, ac->preferred_ref);
}

/* The first entry of the zonelist the allocation may use (the preferred
 * zone), or the end marker. */
static mm_always_inline const struct zoneref *first_allowed_zoneref(const struct zonelist *zl,
                                                                    unsigned high_zoneidx)
{
    const struct zoneref *ref;

    for_each_zoneref(ref, zl)
        if (ref->zone <= high_zoneidx && populated_zone(zoneref_zone(ref)))
            break;
    return ref;
}

/* Everything after the fast path's first try: the other zones at the low
 * watermark, then the slow path; on failure counts alloc_failures on the
 * preferred zone and reports (unless __GFP_NOWARN).  preferred_ref is the
 * zonelist entry of the preferred zone, or its end if no zone is allowed. */
static __attribute__((noinline)) struct page *
alloc_pages_rest(gfp_t gfp, unsigned order, unsigned cpu, const struct zonelist *zonelist,
                 const struct zoneref *preferred_ref)
{
    struct alloc_ctx ac;
    struct page *page = NULL;

    ac.gfp = gfp;
    ac.order = order;
    ac.mt = allocflags_to_migratetype(gfp);
    ac.high_zoneidx = gfp_zone(gfp);
    ac.cpu = cpu;
    ac.zonelist = zonelist;
    ac.preferred_ref = preferred_ref;
    ac.preferred = preferred_ref->node == ZONEREF_END ? NULL : zoneref_zone(preferred_ref);
    if (ac.preferred) {
        page = get_page_from_freelist(&ac, ALLOC_WMARK_LOW, preferred_ref + 1);
        if (!page)
            page = alloc_pages_slowpath(&ac);
        if (!page)
            count_event(&ac.preferred->alloc_failures);
    }
    MM_TRACE(mm_trace_alloc_result(page, order, gfp, ac.preferred));
    if (!page && !(gfp & __GFP_NOWARN))
        warn_alloc_failed(gfp, order);
    if (mm_debug.check_each_op)
        mm_check_after_op();
    return page;
}

/* The preferred zone of every (node, zonelist, gfp_zone): the first entry
 * of the zonelist that first_allowed_zoneref finds, as a byte offset in
 * node_data (PREFERRED_NONE: no zone allowed), so the fast path finds it
 * with one load instead of a walk.  Derived from the zonelists and the
 * zones' present pages, which only mm_init sets: build_preferred_zones
 * runs at its end. */
#define PREFERRED_NONE 0xffffffffu
/* Indexed by node, then by preferred_slot(gfp): __GFP_THISNODE as bit 2,
 * __GFP_DMA and __GFP_HIGHMEM as bits 0 and 1 (gfp_zone of those bits). */
static uint32_t preferred_zone_off[MAX_NUMNODES][8];

static mm_always_inline unsigned preferred_slot(gfp_t gfp)
{
    return ((gfp >> 16) & 4u) | (gfp & (__GFP_DMA | __GFP_HIGHMEM));
}

/* See internal.h. */
void build_preferred_zones(void)
{
    unsigned nid, slot;

    for (nid = 0; nid < MAX_NUMNODES; nid++) {
        for (slot = 0; slot < 8; slot++) {
            gfp_t gfp = (slot & 3u) | (slot & 4u ? __GFP_THISNODE : 0);
            const struct zoneref *ref;

            preferred_zone_off[nid][slot] = PREFERRED_NONE;
            if (nid >= nr_online_nodes)
                continue;
            ref = first_allowed_zoneref((gfp & __GFP_THISNODE) ? &NODE_DATA(nid)->node_zonelist_local
                                                               : &NODE_DATA(nid)->node_zonelist,
                                        gfp_zone(gfp));
            if (ref->node != ZONEREF_END)
                preferred_zone_off[nid][slot] =
                    (uint32_t)((const char *)zoneref_zone(ref) - (const char *)node_data);
        }
    }
}

/* The zonelist an allocation for node nid (< 0: the node of cpu) uses. */
static mm_always_inline const struct zonelist *alloc_zonelist(int nid, gfp_t gfp, unsigned cpu)
{
    if (nid < 0)
        nid = (int)cpu_to_node(cpu);
    MM_BUG_ON((uint32_t)nid >= nr_online_nodes);
    return (gfp & __GFP_THISNODE) ? &NODE_DATA(nid)->node_zonelist_local
                                  : &NODE_DATA(nid)->node_zonelist;
}

/* alloc_pages_rest, for the fast path's failures: recomputes what the
 * fast path did not keep (the same values: the CPU does not change during
 * the call, zonelists only at boot), so the fast path keeps fewer values
 * alive. */
static __attribute__((noinline)) struct page *alloc_pages_rest_nid(int nid, gfp_t gfp, unsigned order)
{
    unsigned cpu = arch_cpu_id();
    const struct zonelist *zonelist = alloc_zonelist(nid, gfp, cpu);

    return alloc_pages_rest(gfp, order, cpu, zonelist, first_allowed_zoneref(zonelist, gfp_zone(gfp)));
}

/* A successful allocation's tail with a rare switch on (mm_debug.any):
 * the trace event and the per-operation check. */
static __attribute__((noinline)) void alloc_pages_rare(struct page *page, unsigned order, gfp_t gfp)
{
    MM_TRACE(mm_trace_page_alloc(page, order, gfp));
    if (MM_UNLIKELY(mm_debug.check_each_op))
        mm_check_after_op();
}

/* The rest of an order-0 allocation from the preferred zone z after the
 * fast path's first page was bad (leaked after bad_page) or the per-CPU
 * list had none: buffered_rmqueue's loop, then alloc_pages_rest_nid.
 * page is the bad page, or NULL. */
static __attribute__((noinline)) struct page *alloc_page_retry(int nid, gfp_t gfp, struct zone *z,
                                                               struct page *page)
{
    unsigned cpu = arch_cpu_id();

    if (page)                          /* bad: take another, as buffered_rmqueue does */
        page = buffered_rmqueue(z, z, 0, gfp, cpu);
    if (!page)
        return alloc_pages_rest_nid(nid, gfp, 0);
    if (MM_UNLIKELY(mm_debug.any))
        alloc_pages_rare(page, 0, gfp);
    return page;
}

/* The allocator's entry: the fast path at the low watermark, then the slow
 * path; on failure counts alloc_failures on the preferred zone and reports
 * (unless __GFP_NOWARN).  The fast path is the first zonelist entry the
 * request may use (the preferred zone, from preferred_zone_off): the
 * watermark check and a block from it; anything else goes on in
 * alloc_pages_rest exactly where the zonelist walk would.  On the fast path
 * the zone that serves is the preferred zone, so zone_statistics counts
 * NUMA_HIT.  Order 0 has its own straight-line copy (no retry loop, the
 * rare cases out of line in alloc_page_retry), so few values stay live. */
static mm_always_inline struct page *alloc_pages_common(int nid, gfp_t gfp, unsigned order, bool plain)
{
    struct zone *z;
    struct page *page;
    unsigned cpu, node, local;
    uint32_t off;

    if (MM_UNLIKELY(order >= MAX_ORDER))
        return NULL;
    cpu = arch_cpu_id();
    local = cpu_to_node(cpu);
    node = nid < 0 ? local : (unsigned)nid;
    MM_BUG_ON(node >= nr_online_nodes);
    off = preferred_zone_off[node][preferred_slot(gfp)];
    if (MM_UNLIKELY(off == PREFERRED_NONE))
        return alloc_pages_rest_nid(nid, gfp, order);
    z = (struct zone *)((char *)node_data + off);
    MM_HIDE_VAR(z);
    if (MM_UNLIKELY(!zone_watermark_fast(z, order, z->watermark[WMARK_LOW], (int)zone_idx(z),
                                         ALLOC_WMARK_LOW)))
        return alloc_pages_rest_nid(nid, gfp, order);
    if (order == 0) {
        /* plain: the caller checked that gfp has neither __GFP_COLD nor
         * __GFP_ZERO, the only bits pcp_alloc and prep_new_page look at
         * besides the migrate type */
        page = pcp_alloc(z, cpu, allocflags_to_migratetype(gfp), plain ? false : (gfp & __GFP_COLD) != 0);
        if (MM_UNLIKELY(!page) || MM_UNLIKELY(!prep_new_page_inline(page, 0, plain ? 0 : gfp)))
            return alloc_page_retry(nid, gfp, z, page);
        /* zone_statistics(z, z, cpu), with the CPU's node at hand */
        mod_zone_page_state(z, NUMA_HIT, 1);
        mod_zone_page_state(z, z->node == local ? NUMA_LOCAL : NUMA_OTHER, 1);
    } else {
        page = buffered_rmqueue(z, z, order, gfp, cpu);
        if (MM_UNLIKELY(!page))
            return alloc_pages_rest_nid(nid, gfp, order);
    }
    if (MM_UNLIKELY(mm_debug.any))
        alloc_pages_rare(page, order, gfp);
    return page;
}

/* Orders above 0, out of line: the order-0 path (the per-CPU lists) is
 * compiled on its own in the callers below, with the order known and
 * without the larger orders' register pressure. */
static __attribute__((noinline)) struct page *alloc_pages_order(int nid, gfp_t gfp, unsigned order)
{
    return alloc_pages_common(nid, gfp, order, false);
}

/* Order 0 with __GFP_COLD or __GFP_ZERO, out of line: the common order-0
 * request (neither) gets the shortest path. */
static __attribute__((noinline)) struct page *alloc_page_special(int nid, gfp_t gfp)
{
    return alloc_pages_common(nid, gfp, 0, false);
}

static mm_always_inline struct page *alloc_page_entry(int nid, gfp_t gfp, unsigned order)
{
    if (MM_UNLIKELY(order != 0))
        return alloc_pages_order(nid, gfp, order);
    if (MM_UNLIKELY(gfp & (__GFP_COLD | __GFP_ZERO)))
        return alloc_page_special(nid, gfp);
    return alloc_pages_common(nid, gfp, 0, true);
}

MM_ARCH_HOT_ENTRY struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned order)
{
    return alloc_page_entry(nid, gfp, order);
}

MM_ARCH_HOT_ENTRY struct page *alloc_pages(gfp_t gfp, unsigned order)
{
    return alloc_page_entry(-1, gfp, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned order)
{
    struct page *page;

    MM_BUG_ON(gfp & __GFP_HIGHMEM);
    page = alloc_pages(gfp, order);
    return page ? (unsigned long)page_address(page) : 0;
}

unsigned long __get_free_page(gfp_t gfp) { return __get_free_pages(gfp, 0); }
unsigned long get_zeroed_page(gfp_t gfp) { return __get_free_pages(gfp | __GFP_ZERO, 0); }
