/* mm/debug.c - checking the page allocator: the full invariant check
 * (mm_check_invariants, like Linux's CONFIG_DEBUG_VM checks but over the
 * whole state at once), "BUG: Bad page state" reports, and poisoning of
 * free pages to catch writes after free.
 *
 * The page states checked here are the ones mm/internal.h describes:
 * free blocks on the buddy lists (PG_buddy head, private = order, index =
 * the list's migrate type), pages on per-CPU lists (PG_pcp, index = list),
 * allocations (refcount on the head, PG_head + private = order above order
 * 0) and reserved pages (PG_reserved, holes included).
 */
#include "debug.h"
#include "internal.h"

struct mm_debug_opts mm_debug;
uint32_t mm_bad_pages;
uint32_t mm_poison_errors;

#define MM_PAGE_OFFSET 0xC0000000u

/* Formats into buf (always terminated). */
static void fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    arch_vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* ---- bad page reports ---------------------------------------------------------------- */

uint32_t mm_page_kaddr(const struct page *page)
{
#ifdef MM_HOST_BUILD
    /* The host keeps mem_map in its model of guest RAM: the guest's view of
     * the address is the direct map of its physical address there. */
    return (uint32_t)(MM_PAGE_OFFSET + arch_virt_to_phys(page));
#else
    return (uint32_t)(uintptr_t)page;
#endif
}

static const char *const pageflag_names[NR_PAGEFLAGS] = {
    [PG_reserved] = "reserved",
    [PG_buddy]    = "buddy",
    [PG_slab]     = "slab",
    [PG_lru]      = "lru",
    [PG_dirty]    = "dirty",
    [PG_highmem]  = "highmem",
    [PG_pcp]      = "pcp",
    [PG_poisoned] = "poisoned",
    [PG_head]     = "head",
};

void mm_format_page_flags(char *buf, size_t len, uint32_t flags)
{
    /* Like Linux: the whole word in hex, then the names of the flag bits
     * set (zone, node and pageblock fields left out), then any unnamed
     * flag bits left over in hex. */
    uint32_t rest = flags & ((1u << PAGE_ZONE_SHIFT) - 1);
    const char *delim = "";
    size_t n;

    if (len == 0)
        return;
    fmt(buf, len, "0x%x(", flags);
    for (unsigned i = 0; i < NR_PAGEFLAGS && rest; i++) {
        if (!(rest & (1u << i)))
            continue;
        rest &= ~(1u << i);
        for (n = 0; buf[n]; n++) {}
        fmt(buf + n, len - n, "%s%s", delim, pageflag_names[i]);
        delim = "|";
    }
    for (n = 0; buf[n]; n++) {}
    if (rest)
        fmt(buf + n, len - n, "%s0x%x)", delim, rest);
    else
        fmt(buf + n, len - n, ")");
}

void bad_page(struct page *page, const char *reason)
{
    char line[160], flags[96];

    fmt(line, sizeof line, "BUG: Bad page state in process %s  pfn:%05x\n",
        MM_REPORT_COMM, page_to_pfn(page));
    arch_puts(line);
    fmt(line, sizeof line, "page:%08x count:%d mapcount:%d mapping:%08x index:0x%x\n",
        mm_page_kaddr(page), page->_refcount, page->_mapcount, page->mapping, page->index);
    arch_puts(line);
    mm_format_page_flags(flags, sizeof flags, page->flags);
    fmt(line, sizeof line, "page flags: %s\n", flags);
    arch_puts(line);
    if (reason) {
        fmt(line, sizeof line, "page dumped because: %s\n", reason);
        arch_puts(line);
    }
    arch_atomic_add_return((volatile int32_t *)&mm_bad_pages, 1);
}

/* ---- poisoning ------------------------------------------------------------------------ */

#define POISON_WORD (0x01010101u * PAGE_POISON)

void mm_poison_pages(struct page *page, unsigned order)
{
    uint32_t pfn = page_to_pfn(page);

    for (uint32_t i = 0; i < (1u << order); i++) {
        uint32_t *w = arch_kmap_atomic_pfn(pfn + i);
        for (unsigned k = 0; k < PAGE_SIZE / 4; k++)
            w[k] = POISON_WORD;
        arch_kunmap_atomic(w);
        set_page_flag(page + i, PG_poisoned);
    }
}

/* Reports the first byte of a poisoned page that no longer holds the
 * pattern (one report per page). */
static void check_poison(uint32_t pfn)
{
    const uint8_t *b = arch_kmap_atomic_pfn(pfn);
    const uint32_t *w = (const uint32_t *)b;
    char line[96];

    for (unsigned k = 0; k < PAGE_SIZE / 4; k++) {
        if (w[k] == POISON_WORD)
            continue;
        for (unsigned off = k * 4; off < k * 4 + 4; off++) {
            if (b[off] == PAGE_POISON)
                continue;
            fmt(line, sizeof line, "mm: use after free: pfn %u offset %u changed to 0x%02x\n",
                pfn, off, b[off]);
            arch_puts(line);
            arch_atomic_add_return((volatile int32_t *)&mm_poison_errors, 1);
            break;
        }
        break;
    }
    arch_kunmap_atomic((void *)b);
}

void mm_unpoison_pages(struct page *page, unsigned order)
{
    uint32_t pfn = page_to_pfn(page);

    for (uint32_t i = 0; i < (1u << order); i++) {
        if (!page_flag(page + i, PG_poisoned))
            continue;
        check_poison(pfn + i);
        clear_page_flag(page + i, PG_poisoned);
    }
}

/* ---- mm_check_invariants ---------------------------------------------------------------- */

/* What the check knows about each pfn of the zone being checked, 2 bits a
 * pfn, filled from the free and per-CPU lists and then compared with
 * mem_map.  Static (the guest cannot allocate here): 2 bits for each pfn
 * of the largest zone pagelab can have (3.5 GiB of RAM = 917504 pages) is
 * 224 KiB.  A larger zone is checked without the mem_map part. */
enum { ST_NONE, ST_FREE_HEAD, ST_FREE_TAIL, ST_PCP };
#define CHECK_MAX_SPAN 917504u
static uint8_t check_state[CHECK_MAX_SPAN / 4];
static arch_spinlock_t check_lock;

struct check {
    bool verbose;
    unsigned count;
    struct zone *z;
    bool marks;                    /* check_state covers the zone */
    int only_cpu;                  /* >= 0: other CPUs are running; check only what is stable */
};

static void violation(struct check *c, uint32_t pfn, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void violation(struct check *c, uint32_t pfn, const char *f, ...)
{
    char what[160], line[224];
    va_list ap;

    c->count++;
    if (!c->verbose)
        return;
    va_start(ap, f);
    arch_vsnprintf(what, sizeof what, f, ap);
    va_end(ap);
    fmt(line, sizeof line, "mm: invariant: %s (zone %s, pfn %u)\n", what, mm_zone_name(c->z), pfn);
    arch_puts(line);
}

static unsigned get_state(const struct check *c, uint32_t pfn)
{
    uint32_t i = pfn - c->z->zone_start_pfn;
    return (check_state[i / 4] >> ((i % 4) * 2)) & 3u;
}

static void set_state(const struct check *c, uint32_t pfn, unsigned st)
{
    uint32_t i = pfn - c->z->zone_start_pfn;
    check_state[i / 4] = (uint8_t)((check_state[i / 4] & ~(3u << ((i % 4) * 2))) | (st << ((i % 4) * 2)));
}

static bool in_zone(const struct check *c, uint32_t pfn)
{
    return pfn >= c->z->zone_start_pfn && pfn < zone_end_pfn(c->z) && pfn_valid(pfn);
}

static bool page_in_this_zone(const struct check *c, const struct page *p)
{
    return page_zonenum(p) == c->z->zone_idx && page_to_nid(p) == c->z->node;
}

/* Marks [pfn, pfn + n) with st (the first page with head_st); reports
 * the first page already marked: the block overlaps another one. */
static void mark_range(struct check *c, uint32_t pfn, uint32_t n, unsigned head_st, unsigned st,
                       const char *what)
{
    bool reported = false;

    if (!c->marks)
        return;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t q = pfn + i;
        if (!in_zone(c, q))
            break;
        if (get_state(c, q) != ST_NONE) {
            if (!reported)
                violation(c, q, "%s: the block at %u overlaps another free or per-CPU page", what, pfn);
            reported = true;
            continue;
        }
        set_state(c, q, i == 0 ? head_st : st);
    }
}

struct list_ctx {
    char what[48];
    unsigned order, mt;            /* free list: order and type; per-CPU: 0 and list */
    bool pcp;
};

static void check_free_member(struct check *c, struct page *p, uint32_t pfn, const struct list_ctx *l)
{
    const uint32_t bad = (1u << PG_reserved) | (1u << PG_pcp) | (1u << PG_head) | (1u << PG_slab);
    uint32_t n = 1u << l->order;

    if (!page_flag(p, PG_buddy))
        violation(c, pfn, "%s: page without PG_buddy", l->what);
    if (p->private != l->order)
        violation(c, pfn, "%s: the head page says order %u", l->what, p->private);
    if (p->index != l->mt)
        violation(c, pfn, "%s: the head page says migrate type %u", l->what, p->index);
    if (pfn & (n - 1))
        violation(c, pfn, "%s: block not aligned to its size (%u pages)", l->what, n);
    if (pfn + n > zone_end_pfn(c->z) || pfn + n < pfn)
        violation(c, pfn, "%s: block runs past the end of the zone", l->what);
    if (!page_in_this_zone(c, p))
        violation(c, pfn, "%s: page of node %u zone %u", l->what, page_to_nid(p), page_zonenum(p));
    if (p->_refcount != 0)
        violation(c, pfn, "%s: free block with refcount %d", l->what, p->_refcount);
    if (p->_mapcount != -1)
        violation(c, pfn, "%s: free block with mapcount %d", l->what, p->_mapcount);
    if (p->mapping != 0)
        violation(c, pfn, "%s: free block with mapping %08x", l->what, p->mapping);
    if (p->flags & bad)
        violation(c, pfn, "%s: free block with flags 0x%x", l->what, p->flags);
    mark_range(c, pfn, n, ST_FREE_HEAD, ST_FREE_TAIL, l->what);
}

static void check_pcp_member(struct check *c, struct page *p, uint32_t pfn, const struct list_ctx *l)
{
    const uint32_t bad = (1u << PG_reserved) | (1u << PG_buddy) | (1u << PG_head) | (1u << PG_slab);

    if (!page_flag(p, PG_pcp))
        violation(c, pfn, "%s: page without PG_pcp", l->what);
    if (p->index != l->mt)
        violation(c, pfn, "%s: the page says list %u", l->what, p->index);
    if (p->private != 0)
        violation(c, pfn, "%s: page with private %u", l->what, p->private);
    if (!page_in_this_zone(c, p))
        violation(c, pfn, "%s: page of node %u zone %u", l->what, page_to_nid(p), page_zonenum(p));
    if (p->_refcount != 0)
        violation(c, pfn, "%s: free page with refcount %d", l->what, p->_refcount);
    if (p->flags & bad)
        violation(c, pfn, "%s: free page with flags 0x%x", l->what, p->flags);
    mark_range(c, pfn, 1, ST_PCP, ST_PCP, l->what);
}

/* Walks one pfn-linked list (following next links), checking the prev
 * links and each member; returns the number of members.  The walk stops at
 * a page seen before (so a cycle is reported once, not followed), at a link
 * out of the zone, and in any case after as many steps as the zone has
 * pages. */
static unsigned long walk_list(struct check *c, const struct mm_list *list, const struct list_ctx *l)
{
    uint32_t prev = MM_NIL, pfn = list->first;
    unsigned long n = 0, bound = c->z->spanned_pages;

    while (pfn != MM_NIL) {
        struct page *p;

        if (!in_zone(c, pfn)) {
            violation(c, pfn, "%s: link to a pfn outside the zone", l->what);
            return n;
        }
        if (n >= bound) {
            violation(c, pfn, "%s: longer than the zone (a cycle)", l->what);
            return n;
        }
        p = pfn_to_page(pfn);
        if (p->lru.prev != prev)
            violation(c, pfn, "%s: prev link is %u, the walk came from %u", l->what, p->lru.prev, prev);
        if (c->marks && (get_state(c, pfn) == ST_FREE_HEAD || get_state(c, pfn) == ST_PCP)) {
            /* Met before.  As this list's first page, it was met on
             * another list: it is on this one too (counted, as the
             * counters did).  Further on, it is most likely this walk
             * coming round again (a cycle): not counted.  Not followed. */
            violation(c, pfn, "%s: page already on a list (on two lists, or a cycle)", l->what);
            return n == 0 ? 1 : n;
        }
        if (l->pcp)
            check_pcp_member(c, p, pfn, l);
        else
            check_free_member(c, p, pfn, l);
        n++;
        prev = pfn;
        pfn = p->lru.next;
    }
    if (list->last != prev)
        violation(c, prev == MM_NIL ? c->z->zone_start_pfn : prev,
                  "%s: last is %u, the walk ends at %u", l->what, list->last, prev);
    return n;
}

static void check_free_lists(struct check *c)
{
    struct zone *z = c->z;
    unsigned long pages = 0;

    for (unsigned o = 0; o < MAX_ORDER; o++) {
        unsigned long blocks = 0;
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
            struct list_ctx l = { .order = o, .mt = mt, .pcp = false };
            fmt(l.what, sizeof l.what, "order-%u %s list", o, migratetype_names[mt]);
            blocks += walk_list(c, &z->free_area[o].free_list[mt], &l);
        }
        if (z->free_area[o].nr_free != blocks)
            violation(c, z->zone_start_pfn, "nr_free[%u] is %u, the lists hold %lu blocks",
                      o, z->free_area[o].nr_free, blocks);
        pages += blocks << o;
    }
    if ((unsigned long)(long)z->vm_stat[NR_FREE_PAGES] != pages)
        violation(c, z->zone_start_pfn, "NR_FREE_PAGES is %d, the free lists hold %lu pages",
                  z->vm_stat[NR_FREE_PAGES], pages);
}

static void check_pcp_lists(struct check *c)
{
    struct zone *z = c->z;

    for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
        struct per_cpu_pages *pcp = &z->pcp[cpu];
        unsigned long n = 0;

        if (c->only_cpu >= 0 && cpu != (unsigned)c->only_cpu)
            continue;                  /* changed by its CPU without a lock */
        for (unsigned t = 0; t < MIGRATE_PCPTYPES; t++) {
            struct list_ctx l = { .order = 0, .mt = t, .pcp = true };
            fmt(l.what, sizeof l.what, "cpu %u %s per-CPU list", cpu, migratetype_names[t]);
            n += walk_list(c, &pcp->lists[t], &l);
        }
        if (pcp->count != n)
            violation(c, z->zone_start_pfn, "cpu %u per-CPU count is %u, its lists hold %lu pages",
                      cpu, pcp->count, n);
    }
}

/* Every pfn of the span is exactly one of: in a free block, on a per-CPU
 * list, allocated, reserved (holes included).  Compares mem_map with the
 * marks left by the list walks. */
static void check_mem_map(struct check *c)
{
    const uint32_t in_use = (1u << PG_reserved) | (1u << PG_buddy) | (1u << PG_pcp) |
                            (1u << PG_head) | (1u << PG_slab);
    struct zone *z = c->z;
    uint32_t end = zone_end_pfn(z), first_lost = 0;
    unsigned long unreserved = 0, lost = 0;

    if (end > max_pfn) {
        violation(c, max_pfn, "zone ends at pfn %u, past max_pfn", end);
        end = max_pfn;
    }
    for (uint32_t pfn = z->zone_start_pfn; pfn < end; pfn++) {
        struct page *p = pfn_to_page(pfn);
        unsigned st = get_state(c, pfn);

        if (st == ST_FREE_HEAD || st == ST_PCP) {
            unreserved++;                       /* checked by the list walk */
            continue;
        }
        if (st == ST_FREE_TAIL) {
            unreserved++;
            if ((p->flags & in_use) || p->_refcount != 0)
                violation(c, pfn, "page inside a free block in use (flags 0x%x, refcount %d)",
                          p->flags, p->_refcount);
            continue;
        }
        if (page_flag(p, PG_reserved))
            continue;
        unreserved++;
        if (page_flag(p, PG_buddy)) {
            violation(c, pfn, "PG_buddy page on no free list");
            continue;
        }
        if (page_flag(p, PG_pcp)) {
            violation(c, pfn, "PG_pcp page on no per-CPU list");
            continue;
        }
        if (p->_refcount > 0 && page_flag(p, PG_head)) {
            uint32_t order = p->private, n;
            if (order >= MAX_ORDER) {
                violation(c, pfn, "allocated block of order %u", order);
                continue;
            }
            n = 1u << order;
            if (pfn & (n - 1))
                violation(c, pfn, "allocated block not aligned to its size (%u pages)", n);
            /* a slab's pages all carry PG_slab (slab_internal.h) */
            uint32_t tail_ok = page_flag(p, PG_slab) ? 1u << PG_slab : 0;
            for (uint32_t i = 1; i < n && pfn + i < end; i++) {
                struct page *t = p + i;
                if (get_state(c, pfn + i) != ST_NONE)
                    violation(c, pfn + i, "page of the allocated block at %u is also free", pfn);
                else if ((t->flags & in_use & ~tail_ok) || t->_refcount != 0)
                    violation(c, pfn + i, "page of the allocated block at %u in use (flags 0x%x, refcount %d)",
                              pfn, t->flags, t->_refcount);
                unreserved++;
            }
            pfn += n - 1;
            continue;
        }
        if (p->_refcount > 0)
            continue;                           /* an order-0 allocation */
        if (lost++ == 0)
            first_lost = pfn;
    }
    if (lost)
        violation(c, first_lost, "%lu pages neither free, allocated nor reserved", lost);
    if (unreserved != z->managed_pages)
        violation(c, z->zone_start_pfn, "%lu pages not reserved, managed_pages is %u",
                  unreserved, z->managed_pages);
}

static void check_zone_sizes_and_blocks(struct check *c)
{
    struct zone *z = c->z;
    uint32_t end = zone_end_pfn(z), reserve = 0;
    uint32_t first = (z->zone_start_pfn + pageblock_nr_pages - 1) & ~(pageblock_nr_pages - 1);

    if (z->present_pages > z->spanned_pages)
        violation(c, z->zone_start_pfn, "present_pages %u > spanned_pages %u",
                  z->present_pages, z->spanned_pages);
    /* No managed_pages <= present_pages: present_pages is 2.6.32's (RAM
     * minus an estimate of the zone's own mem_map, which may in fact live
     * in another zone), so a zone can manage more than it "has". */

    /* Each pageblock that starts in the zone has a valid type, and the
     * MIGRATE_RESERVE ones are as many as the zone says (counted like
     * init.c's setup_zone_migrate_reserve counts them). */
    for (uint32_t pfn = first; pfn < end && pfn_valid(pfn) && pfn >= first; pfn += pageblock_nr_pages) {
        const struct page *p = pfn_to_page(pfn);
        unsigned mt = get_pageblock_migratetype(p);
        if (!page_in_this_zone(c, p))
            continue;                           /* a hole given to another zone */
        if (mt >= MIGRATE_TYPES)
            violation(c, pfn, "pageblock of migrate type %u", mt);
        else if (mt == MIGRATE_RESERVE)
            reserve++;
    }
    if (reserve != z->nr_reserve_blocks)
        violation(c, z->zone_start_pfn, "%u MIGRATE_RESERVE pageblocks, nr_reserve_blocks is %u",
                  reserve, z->nr_reserve_blocks);
}

static void check_unpopulated(struct check *c)
{
    struct zone *z = c->z;

    for (unsigned o = 0; o < MAX_ORDER; o++) {
        bool empty = z->free_area[o].nr_free == 0;
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
            empty &= mm_list_empty(&z->free_area[o].free_list[mt]);
        if (!empty)
            violation(c, z->zone_start_pfn, "unpopulated zone with free blocks of order %u", o);
    }
    if (z->vm_stat[NR_FREE_PAGES] != 0)
        violation(c, z->zone_start_pfn, "unpopulated zone with NR_FREE_PAGES %d", z->vm_stat[NR_FREE_PAGES]);
    for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
        if (z->pcp[cpu].count != 0)
            violation(c, z->zone_start_pfn, "unpopulated zone with %u pages on cpu %u's list",
                      z->pcp[cpu].count, cpu);
}

/* The checks of every zone, under its lock; with only_cpu >= 0, the parts
 * that other running CPUs may be changing are left out. */
static unsigned check_all_zones(bool verbose, int only_cpu)
{
    struct check c = { .verbose = verbose, .only_cpu = only_cpu };
    unsigned long flags = arch_spin_lock_irqsave(&check_lock);
    struct zone *z;

    for_each_zone(z) {
        unsigned long zflags = arch_spin_lock_irqsave(&z->lock);

        c.z = z;
        if (!populated_zone(z)) {
            check_unpopulated(&c);
            arch_spin_unlock_irqrestore(&z->lock, zflags);
            continue;
        }
        c.marks = z->spanned_pages <= CHECK_MAX_SPAN;
        if (c.marks)
            for (uint32_t i = 0; i < (z->spanned_pages + 3) / 4; i++)
                check_state[i] = 0;

        check_zone_sizes_and_blocks(&c);
        check_free_lists(&c);
        check_pcp_lists(&c);
        if (c.marks && only_cpu < 0)
            check_mem_map(&c);
        arch_spin_unlock_irqrestore(&z->lock, zflags);
    }
    arch_spin_unlock_irqrestore(&check_lock, flags);
    return c.count;
}

unsigned mm_check_invariants(bool verbose)
{
    return check_all_zones(verbose, -1);
}

/* After each allocation or free (mm_debug.check_each_op): with one CPU the
 * full check; with several, other CPUs change their own per-CPU lists and
 * page states without a lock, so only what is stable is checked: every free
 * list and counter (under the zone locks) and this CPU's per-CPU lists.
 * Conservation (every page accounted for once) needs a quiescent machine:
 * mm_check_invariants at such points. */
unsigned mm_check_after_op(void)
{
    if (arch_nr_cpus() <= 1)
        return check_all_zones(true, -1);
    unsigned long flags = arch_local_irq_save();
    unsigned n = check_all_zones(true, (int)arch_cpu_id());
    arch_local_irq_restore(flags);
    return n;
}
