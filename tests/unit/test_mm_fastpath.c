/* tests/unit/test_mm_fastpath.c - the allocator's fast paths give the same
 * answers as the full versions they shortcut:
 *   - zone_watermark_fast (32-bit, order 0 without the per-order loop) ==
 *     zone_watermark_ok on random and edge-case inputs, every order and
 *     alloc_flags combination;
 *   - the one-test page checks of free_pages_prepare / prep_new_page catch
 *     exactly the states the per-condition checks (bad_page_reason) catch:
 *     every page flag, refcount, mapcount and mapping, one at a time;
 *   - prep_new_page skips mm_unpoison_pages only when no page is
 *     PG_poisoned: a page poisoned while poisoning was on is still checked
 *     and cleared after poisoning is switched off. */
#include <stdlib.h>
#include <string.h>

#include "debug.h"
#include "internal.h"
#include "mm_host.h"
#include "unit.h"

/* ---- watermarks --------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* A value from a few interesting ranges: tiny, page counts, near the
 * 32-bit limits. */
static uint32_t rnd_value(void)
{
    switch (rnd32() % 6) {
    case 0: return rnd32() % 8;
    case 1: return rnd32() % 4096;
    case 2: return rnd32() % 1000000;
    case 3: return 0xffffffffu - rnd32() % 8;
    case 4: return 0x7fffffffu - 4 + rnd32() % 8;
    default: return rnd32();
    }
}

static const int flag_sets[] = {
    ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, ALLOC_WMARK_HIGH,
    ALLOC_WMARK_MIN | ALLOC_HIGH, ALLOC_WMARK_MIN | ALLOC_HARDER,
    ALLOC_WMARK_MIN | ALLOC_HIGH | ALLOC_HARDER, ALLOC_WMARK_LOW | ALLOC_HARDER,
};
#define NR_FLAG_SETS (int)(sizeof flag_sets / sizeof flag_sets[0])

static unsigned wm_mismatches;

static void compare_wmark(struct zone *z, unsigned order, uint32_t mark, int cz, int flags)
{
    bool full = zone_watermark_ok(z, order, mark, cz, flags);
    bool fast = zone_watermark_fast(z, order, mark, cz, flags);

    if (full != fast && wm_mismatches++ < 10)
        fprintf(stderr, "watermark: order %u mark %u free %d reserve %u flags 0x%x: full %d fast %d\n",
                order, mark, z->vm_stat[NR_FREE_PAGES], z->lowmem_reserve[cz], flags, full, fast);
}

static void test_watermark_random(void)
{
    static struct zone z;               /* big: not on the stack */
    unsigned i, o, t;

    for (i = 0; i < 2000000; i++) {
        unsigned order = rnd32() % 4 == 0 ? rnd32() % MAX_ORDER : 0;
        int cz = (int)(rnd32() % MAX_NR_ZONES);
        int flags = flag_sets[rnd32() % NR_FLAG_SETS];
        uint32_t mark = rnd_value();

        memset(&z, 0, sizeof z);
        z.vm_stat[NR_FREE_PAGES] = (int32_t)rnd_value();    /* negative ones too */
        for (t = 0; t < MAX_NR_ZONES; t++)
            z.lowmem_reserve[t] = rnd_value();
        for (o = 0; o < MAX_ORDER; o++)
            z.free_area[o].nr_free = rnd32() % 64;
        compare_wmark(&z, order, mark, cz, flags);
    }
    CHECK_EQ(wm_mismatches, 0);
}

/* Exhaustive around the boundary free == min + reserve, with the adjusted
 * min worked out as zone_watermark_ok does, including values where
 * min + reserve overflows 32 bits. */
static void test_watermark_edges(void)
{
    static struct zone z;
    static const uint32_t marks[] = { 0, 1, 2, 3, 4, 7, 62, 190, 1023, 0x7fffffffu, 0x80000000u,
                                      0xfffffffeu, 0xffffffffu };
    static const uint32_t reserves[] = { 0, 1, 47, 1014, 0x7fffffffu, 0x80000000u, 0xffffffffu };
    unsigned mi, ri, f, d;

    wm_mismatches = 0;
    for (mi = 0; mi < sizeof marks / sizeof marks[0]; mi++)
        for (ri = 0; ri < sizeof reserves / sizeof reserves[0]; ri++)
            for (f = 0; f < (unsigned)NR_FLAG_SETS; f++) {
                int64_t min = marks[mi];
                if (flag_sets[f] & ALLOC_HIGH)
                    min -= min / 2;
                if (flag_sets[f] & ALLOC_HARDER)
                    min -= min / 4;
                for (d = 0; d < 5; d++) {
                    int64_t free = min + reserves[ri] - 2 + d;
                    if (free > INT32_MAX)
                        free = INT32_MAX - (int64_t)d;
                    memset(&z, 0, sizeof z);
                    z.vm_stat[NR_FREE_PAGES] = (int32_t)free;
                    z.lowmem_reserve[1] = reserves[ri];
                    compare_wmark(&z, 0, marks[mi], 1, flag_sets[f]);
                }
            }
    /* Negative counters read as 0: never above any mark, even 0. */
    memset(&z, 0, sizeof z);
    z.vm_stat[NR_FREE_PAGES] = -5;
    CHECK(!zone_watermark_fast(&z, 0, 0, 0, ALLOC_WMARK_MIN));
    z.vm_stat[NR_FREE_PAGES] = 1;
    CHECK(zone_watermark_fast(&z, 0, 0, 0, ALLOC_WMARK_MIN));
    CHECK(!zone_watermark_fast(&z, 0, 1, 0, ALLOC_WMARK_MIN));
    CHECK_EQ(wm_mismatches, 0);
}

/* On a booted zone, with the allocator's real watermarks and reserves. */
static void test_watermark_booted(void)
{
    struct zone *z;
    unsigned o, f, cz, w;

    wm_mismatches = 0;
    mm_host_boot(1ull << 30, 1, 1);
    for_each_populated_zone(z)
        for (o = 0; o < MAX_ORDER; o++)
            for (f = 0; f < (unsigned)NR_FLAG_SETS; f++)
                for (cz = 0; cz < MAX_NR_ZONES; cz++)
                    for (w = 0; w < NR_WMARK; w++)
                        compare_wmark(z, o, z->watermark[w], (int)cz, flag_sets[f]);
    CHECK_EQ(wm_mismatches, 0);
}

/* ---- page checks ------------------------------------------------------------------- */

/* What the per-condition checks say about a page (bad_page_reason plus the
 * PG_head rule of each path): true if it is bad. */
static bool ref_bad(const struct page *p, bool head_is_bad)
{
    return p->_refcount != 0 || p->_mapcount != -1 || p->mapping != 0 ||
           page_flag(p, PG_buddy) || page_flag(p, PG_pcp) || page_flag(p, PG_reserved) ||
           page_flag(p, PG_slab) || (head_is_bad && page_flag(p, PG_head));
}

enum damage { D_FLAG, D_REFCOUNT, D_MAPCOUNT, D_MAPPING, NR_DAMAGE };

/* Damages p one way (arg: which flag / which value). */
static void damage(struct page *p, enum damage d, unsigned arg)
{
    static const int32_t counts[] = { 1, 2, -1, 0x7fffffff, (int32_t)0x80000000 };
    static const int32_t mapcounts[] = { 0, 1, -2, 0x7fffffff, (int32_t)0x80000000 };
    static const uint32_t mappings[] = { 1, 0x80000000u, 0xffffffffu };

    switch (d) {
    case D_FLAG: p->flags |= 1u << arg; break;
    case D_REFCOUNT: p->_refcount = counts[arg % 5]; break;
    case D_MAPCOUNT: p->_mapcount = mapcounts[arg % 5]; break;
    default: p->mapping = mappings[arg % 3]; break;
    }
}

static unsigned damage_args(enum damage d)
{
    return d == D_FLAG ? NR_PAGEFLAGS : d == D_MAPPING ? 3 : 5;
}

/* free_pages_prepare on a page taken from the allocator, refcount dropped
 * to 0 as __free_pages does, then damaged: reports iff the reference says
 * it is bad. */
static void test_free_checks(void)
{
    unsigned d, a, mismatches = 0;

    mm_host_boot(64ull << 20, 1, 1);
    for (d = 0; d < NR_DAMAGE; d++)
        for (a = 0; a < damage_args(d); a++) {
            struct page *p = alloc_page(GFP_KERNEL);
            uint32_t before = mm_bad_pages;
            bool want_bad, ok;
            struct page saved;

            if (!p) {
                CHECK(p != NULL);
                return;
            }
            p->_refcount = 0;
            saved = *p;
            damage(p, d, a);
            want_bad = ref_bad(p, true);
            ok = free_pages_prepare(p, 0);
            if (ok == want_bad || (mm_bad_pages != before) != want_bad) {
                mismatches++;
                fprintf(stderr, "free check: damage %u/%u: prepare %d, reports %u, expected bad %d\n",
                        d, a, ok, mm_bad_pages - before, want_bad);
            }
            /* Leak the page (it may be in any state now); restore it so the
             * next allocations are not affected by its flags. */
            if (ok) {
                saved.private = p->private;
                saved.index = p->index;
            }
            *p = saved;
            p->_refcount = 1;
        }
    CHECK_EQ(mismatches, 0);
}

/* The same for order 3 (PG_head + private = order on the first page, the
 * damage on the first or another page). */
static void test_free_checks_order3(void)
{
    unsigned d, a, which, mismatches = 0;

    mm_host_boot(64ull << 20, 1, 1);
    for (which = 0; which < 2; which++)
        for (d = 0; d < NR_DAMAGE; d++)
            for (a = 0; a < damage_args(d); a++) {
                struct page *p = alloc_pages(GFP_KERNEL, 3), *victim;
                uint32_t before = mm_bad_pages;
                bool want_bad, ok;
                struct page saved;

                if (!p) {
                    CHECK(p != NULL);
                    return;
                }
                victim = p + (which ? 5 : 0);
                p->_refcount = 0;
                saved = *victim;
                damage(victim, d, a);
                /* PG_head: the first page's is the allocation's own; on the
                 * other pages a free does not look at it. */
                want_bad = ref_bad(victim, false);
                ok = free_pages_prepare(p, 3);
                if (ok == want_bad || (mm_bad_pages != before) != want_bad) {
                    mismatches++;
                    fprintf(stderr, "order-3 free check: page +%u damage %u/%u: prepare %d, reports %u, "
                            "expected bad %d\n", which ? 5 : 0, d, a, ok, mm_bad_pages - before, want_bad);
                }
                if (ok)
                    continue;                  /* freed into the prepared state: leaked */
                *victim = saved;
            }
    CHECK_EQ(mismatches, 0);
}

/* prep_new_page on a block just taken off the buddy lists, damaged:
 * refuses it (and reports) iff the reference says it is bad. */
static void test_prep_checks(void)
{
    unsigned d, a, mismatches = 0;
    struct zone *zone;

    mm_host_boot(64ull << 20, 1, 1);
    zone = &node_data[0].node_zones[ZONE_NORMAL];
    for (d = 0; d < NR_DAMAGE; d++)
        for (a = 0; a < damage_args(d); a++) {
            unsigned long flags = arch_spin_lock_irqsave(&zone->lock);
            struct page *p = __rmqueue(zone, 0, MIGRATE_MOVABLE);
            uint32_t before = mm_bad_pages;
            bool want_bad, ok;

            arch_spin_unlock_irqrestore(&zone->lock, flags);
            if (!p) {
                CHECK(p != NULL);
                return;
            }
            damage(p, d, a);
            want_bad = ref_bad(p, true);
            ok = prep_new_page(p, 0, GFP_KERNEL);
            if (ok == want_bad || (mm_bad_pages != before) != want_bad) {
                mismatches++;
                fprintf(stderr, "prep check: damage %u/%u: prep %d, reports %u, expected bad %d\n",
                        d, a, ok, mm_bad_pages - before, want_bad);
            }
            /* leaked either way */
        }
    CHECK_EQ(mismatches, 0);
}

/* ---- poisoning --------------------------------------------------------------------- */

static void test_unpoison_after_poison_off(void)
{
    struct page *p;
    uint32_t pfn;
    uint8_t *mem;

    mm_host_boot(64ull << 20, 1, 1);
    mm_debug.poison = true;
    p = alloc_page(GFP_KERNEL);
    CHECK(p != NULL);
    if (!p)
        return;
    pfn = page_to_pfn(p);
    __free_page(p);
    CHECK(page_flag(p, PG_poisoned));
    mm_debug.poison = false;
    mem = mm_host_ram((uint64_t)pfn << PAGE_SHIFT);
    mem[100] = 0x55;                    /* a write after free */
    mm_poison_errors = 0;
    p = alloc_page(GFP_KERNEL);         /* LIFO: the same page */
    CHECK_EQ(page_to_pfn(p), pfn);
    CHECK(!page_flag(p, PG_poisoned));
    CHECK_EQ(mm_poison_errors, 1);
    __free_page(p);
    CHECK(!page_flag(p, PG_poisoned));  /* poisoning off: not poisoned again */
}

int main(void)
{
    test_watermark_random();
    test_watermark_edges();
    test_watermark_booted();
    test_free_checks();
    test_free_checks_order3();
    test_prep_checks();
    test_unpoison_after_poison_off();
    mm_host_reset();
    return unit_done();
}
