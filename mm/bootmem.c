/* mm/bootmem.c - the early allocator, used before the buddy allocator
 * exists (to place mem_map), and the hand-over of all remaining RAM to the
 * buddy allocator.
 *
 * It keeps a sorted list of free pfn ranges: the boot RAM ranges (whole
 * pages only) minus the boot reserved ranges (rounded out to whole pages).
 * An allocation carves an aligned piece out of one range (first fit, at or
 * above a goal if possible).  What is carved out stays PG_reserved forever.
 */
#include "internal.h"

#define BOOTMEM_MAX_RANGES (2 * MM_MAX_RANGES + 2)

struct pfn_range {
    uint32_t start, end;               /* [start, end) */
};

static struct pfn_range free_ranges[BOOTMEM_MAX_RANGES];
static unsigned nr_free_ranges;
static bool bootmem_done;              /* handed over: no more early allocations */

/* Removes [s, e) from the free ranges (any overlap), splitting as needed. */
static void bootmem_remove(uint32_t s, uint32_t e)
{
    unsigned i = 0;

    while (i < nr_free_ranges) {
        struct pfn_range *r = &free_ranges[i];
        unsigned j;

        if (e <= r->start || s >= r->end) {
            i++;
        } else if (s <= r->start && e >= r->end) {          /* whole range */
            for (j = i; j + 1 < nr_free_ranges; j++)
                free_ranges[j] = free_ranges[j + 1];
            nr_free_ranges--;
        } else if (s > r->start && e < r->end) {            /* a hole in the middle */
            MM_BUG_ON(nr_free_ranges == BOOTMEM_MAX_RANGES);
            for (j = nr_free_ranges; j > i + 1; j--)
                free_ranges[j] = free_ranges[j - 1];
            free_ranges[i + 1].start = e;
            free_ranges[i + 1].end = r->end;
            r->end = s;
            nr_free_ranges++;
            i += 2;
        } else if (s <= r->start) {                         /* the front */
            r->start = e;
            i++;
        } else {                                            /* the back */
            r->end = s;
            i++;
        }
    }
}

/* See internal.h. */
void bootmem_init(const struct mm_boot_info *bi)
{
    const uint64_t top = 1ull << 32;
    unsigned i;

    nr_free_ranges = 0;
    bootmem_done = false;
    for (i = 0; i < bi->nr_ram; i++) {
        uint64_t s = (bi->ram[i].start + PAGE_SIZE - 1) >> PAGE_SHIFT;
        uint64_t e = (bi->ram[i].end < top ? bi->ram[i].end : top) >> PAGE_SHIFT;
        if (s >= e)
            continue;
        MM_BUG_ON(nr_free_ranges && s < free_ranges[nr_free_ranges - 1].end);  /* sorted, disjoint */
        free_ranges[nr_free_ranges].start = (uint32_t)s;
        free_ranges[nr_free_ranges].end = (uint32_t)e;
        nr_free_ranges++;
    }
    for (i = 0; i < bi->nr_reserved; i++) {
        uint64_t s = bi->reserved[i].start >> PAGE_SHIFT;
        uint64_t e = (bi->reserved[i].end + PAGE_SIZE - 1) >> PAGE_SHIFT;
        if (s >= (top >> PAGE_SHIFT))
            continue;
        if (e > (top >> PAGE_SHIFT))
            e = top >> PAGE_SHIFT;
        bootmem_remove((uint32_t)s, (uint32_t)e);
    }
}

/* The first aligned place for n pages in [lo, hi), or MM_NIL. */
static uint32_t bootmem_find(uint32_t n, uint32_t align, uint32_t lo, uint32_t hi)
{
    unsigned i;

    for (i = 0; i < nr_free_ranges; i++) {
        uint64_t s = free_ranges[i].start > lo ? free_ranges[i].start : lo;
        uint64_t e = free_ranges[i].end < hi ? free_ranges[i].end : hi;
        s = (s + align - 1) & ~(uint64_t)(align - 1);
        if (s + n <= e)
            return (uint32_t)s;
    }
    return MM_NIL;
}

/* See internal.h. */
uint64_t bootmem_alloc(uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
    uint32_t n = (uint32_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
    uint32_t a = (uint32_t)(align >> PAGE_SHIFT);
    uint32_t hi = (uint32_t)(limit >> PAGE_SHIFT);
    uint32_t pfn;

    MM_BUG_ON(bootmem_done);
    MM_BUG_ON(a == 0 || (a & (a - 1)) != 0 || n == 0);
    pfn = bootmem_find(n, a, (uint32_t)(goal >> PAGE_SHIFT), hi);
    if (pfn == MM_NIL)
        pfn = bootmem_find(n, a, 0, hi);
    MM_BUG_ON(pfn == MM_NIL);          /* out of early memory */
    bootmem_remove(pfn, pfn + n);
    return (uint64_t)pfn << PAGE_SHIFT;
}

/* Frees [s, e) (all in one zone) in the largest naturally aligned blocks. */
static uint32_t free_range_to_buddy(uint32_t s, uint32_t e)
{
    uint32_t n = 0;

    while (s < e) {
        unsigned order = MAX_ORDER - 1;
        while (order > 0 && ((s & ((1u << order) - 1)) != 0 || s + (1u << order) > e))
            order--;
        __free_pages_bootmem(pfn_to_page(s), order);
        s += 1u << order;
        n += 1u << order;
    }
    return n;
}

/* See internal.h.  Each range is cut at zone ends (and so node ends). */
uint32_t bootmem_free_all(void)
{
    uint32_t total = 0;
    unsigned i;

    MM_BUG_ON(bootmem_done);
    for (i = 0; i < nr_free_ranges; i++) {
        uint32_t s = free_ranges[i].start, e = free_ranges[i].end;
        if (e > max_pfn)
            e = max_pfn;
        while (s < e) {
            uint32_t zend = zone_end_pfn(page_zone(pfn_to_page(s)));
            uint32_t ce = zend < e && zend > s ? zend : e;
            total += free_range_to_buddy(s, ce);
            s = ce;
        }
    }
    nr_free_ranges = 0;
    bootmem_done = true;
    return total;
}
