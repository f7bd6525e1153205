/* test_mm_vmap_tree: the AVL tree of vmalloc areas (mm/vmap_tree.c).
 *   - exact first-fit answers on a hand-made layout, the gap at the top;
 *   - ascending inserts of 2^11 - 1 ranges give a perfect tree (height 11);
 *   - pool exhaustion (VT_NIL), overlap detection (MM_BUG_ON);
 *   - 200k random inserts, erases, lookups and first-fit searches checked
 *     against a sorted array (the reference), with vt_check (order, parent
 *     links, heights, AVL balance, subtree facts, pool) and the height
 *     bound of AVL trees (h <= 1.44 log2(n) + 2) along the way. */
#include <stdlib.h>
#include <string.h>

#include "mm_host.h"
#include "unit.h"
#include "vmap_tree.h"

static struct vmap_tree tree;

/* ---- the reference: ranges sorted by start --------------------------------------- */

struct ref_range {
    uint32_t start, end, node;
};
static struct ref_range ref[VMAP_MAX_AREAS];
static uint32_t nref;

static int ref_pos(uint32_t start)       /* first index with ref.start >= start */
{
    uint32_t lo = 0, hi = nref;

    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;

        if (ref[mid].start < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int)lo;
}

static bool ref_disjoint(uint32_t start, uint32_t end)
{
    int p = ref_pos(start);

    if (p < (int)nref && ref[p].start < end)
        return false;
    if (p > 0 && ref[p - 1].end > start)
        return false;
    return true;
}

static void ref_insert(uint32_t start, uint32_t end, uint32_t node)
{
    int p = ref_pos(start);

    memmove(&ref[p + 1], &ref[p], (nref - (uint32_t)p) * sizeof(ref[0]));
    ref[p] = (struct ref_range){ start, end, node };
    nref++;
}

static void ref_erase(uint32_t idx)
{
    memmove(&ref[idx], &ref[idx + 1], (nref - idx - 1) * sizeof(ref[0]));
    nref--;
}

static bool ref_first_fit(uint32_t size, uint32_t *addr)
{
    uint32_t prev = tree.lo, i;

    for (i = 0; i < nref; i++) {
        if (ref[i].start - prev >= size) {
            *addr = prev;
            return true;
        }
        prev = ref[i].end;
    }
    if (tree.hi - prev >= size) {
        *addr = prev;
        return true;
    }
    return false;
}

static uint32_t rng = 0x12345678u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A lower bound of log2(n) (exact at powers of two): no libm needed. */
static double log2_low(uint32_t n)
{
    double x = n, l = 0;

    while (x >= 2) {
        x /= 2;
        l += 1;
    }
    return l + (x - 1);
}

static bool height_ok(void)
{
    uint32_t n = tree.count;

    if (n == 0)
        return vt_height(&tree) == 0;
    return vt_height(&tree) <= (uint32_t)(1.44 * log2_low(n) + 2.0);
}

static bool walk_matches_ref(void)
{
    uint32_t i = vt_first(&tree), k = 0;

    for (; i != VT_NIL; i = vt_next(&tree, i), k++)
        if (k >= nref || tree.node[i].start != ref[k].start || tree.node[i].end != ref[k].end ||
            i != ref[k].node)
            return false;
    return k == nref;
}

/* ---- fixed cases ---------------------------------------------------------------------- */

static void test_first_fit_exact(void)
{
    uint32_t a = 0;

    vt_init(&tree, 0x1000, 0x100000);
    CHECK(vt_first_fit(&tree, 0xFF000, &a) && a == 0x1000);   /* empty: all of [lo, hi) */
    CHECK(!vt_first_fit(&tree, 0x100000, &a));
    CHECK(vt_insert(&tree, 0x1000, 0x3000) != VT_NIL);
    CHECK(vt_insert(&tree, 0x9000, 0xA000) != VT_NIL);
    CHECK(vt_insert(&tree, 0x5000, 0x6000) != VT_NIL);
    CHECK_EQ(vt_check(&tree, true), 0);
    CHECK(vt_first_fit(&tree, 0x1000, &a));
    CHECK_EQ(a, 0x3000);                          /* the lowest gap, 2 pages at 0x3000 */
    CHECK(vt_first_fit(&tree, 0x2000, &a));
    CHECK_EQ(a, 0x3000);                          /* exactly fills it */
    CHECK(vt_first_fit(&tree, 0x3000, &a));
    CHECK_EQ(a, 0x6000);                          /* 3 pages: 0x6000-0x9000 */
    CHECK(vt_first_fit(&tree, 0x4000, &a));
    CHECK_EQ(a, 0xA000);                          /* only the top */
    CHECK(vt_first_fit(&tree, 0x100000 - 0xA000, &a));
    CHECK_EQ(a, 0xA000);                          /* exactly the top gap */
    CHECK(!vt_first_fit(&tree, 0x100000 - 0xA000 + 0x1000, &a));
    CHECK_EQ(vt_find(&tree, 0x5000), vt_find_containing(&tree, 0x5FFF));
    CHECK_EQ(vt_find(&tree, 0x5001), VT_NIL);
    CHECK_EQ(vt_find_containing(&tree, 0x6000), VT_NIL);
    CHECK_EQ(vt_find_containing(&tree, 0x0FFF), VT_NIL);

    /* a gap at lo */
    vt_erase(&tree, vt_find(&tree, 0x1000));
    CHECK(vt_first_fit(&tree, 0x4000, &a));
    CHECK_EQ(a, 0x1000);
    CHECK(vt_first_fit(&tree, 0x5000, &a));
    CHECK_EQ(a, 0xA000);
    CHECK_EQ(vt_check(&tree, true), 0);
}

static void test_ascending_perfect(void)
{
    uint32_t i, n = (1u << 11) - 1, a = 0;

    vt_init(&tree, 0, 0x10000000);
    for (i = 0; i < n; i++)
        vt_insert(&tree, i * 0x2000, i * 0x2000 + 0x1000);
    CHECK_EQ(tree.count, n);
    CHECK_EQ(vt_height(&tree), 11);              /* 2^11 - 1 ascending inserts: perfect */
    CHECK_EQ(vt_check(&tree, true), 0);
    CHECK(vt_first_fit(&tree, 0x1000, &a));
    CHECK_EQ(a, 0x1000);
    CHECK(vt_first_fit(&tree, 0x2000, &a));
    CHECK_EQ(a, (n - 1) * 0x2000 + 0x1000);      /* after the last range */
    /* the last free node, then a full pool */
    CHECK(vt_insert(&tree, 0x0FFFF000, 0x10000000) != VT_NIL);
    CHECK_EQ(tree.count, VMAP_MAX_AREAS);
    CHECK_EQ(vt_insert(&tree, 0x0FFFD000, 0x0FFFE000), VT_NIL);
    CHECK_EQ(vt_check(&tree, true), 0);
    /* descending erases keep it balanced */
    for (i = n; i-- > 0;) {
        vt_erase(&tree, vt_find(&tree, i * 0x2000));
        if ((i & 127) == 0) {
            CHECK_EQ(vt_check(&tree, true), 0);
            CHECK(height_ok());
        }
    }
    CHECK_EQ(tree.count, 1);
}

static void insert_overlap(void *arg)
{
    uint32_t *r = arg;

    vt_insert(&tree, r[0], r[1]);
}

static void test_overlap_bug(void)
{
    uint32_t over[][2] = {
        { 0x4000, 0x6000 },       /* starts inside */
        { 0x2000, 0x5000 },       /* ends inside */
        { 0x4000, 0x5000 },       /* the same */
        { 0x1000, 0x9000 },       /* covers */
        { 0x0000, 0x2000 },       /* below lo */
    };
    unsigned k;

    vt_init(&tree, 0x1000, 0x100000);
    vt_insert(&tree, 0x4000, 0x5000);
    for (k = 0; k < sizeof(over) / sizeof(over[0]); k++)
        CHECK(mm_host_expect_bug(insert_overlap, over[k]));
    CHECK_EQ(tree.count, 1);
    CHECK(vt_insert(&tree, 0x3000, 0x4000) != VT_NIL);   /* touching is fine */
    CHECK(vt_insert(&tree, 0x5000, 0x6000) != VT_NIL);
    CHECK_EQ(vt_check(&tree, true), 0);
}

/* ---- random ------------------------------------------------------------------------- */

#define UNIVERSE_PAGES 12000u
#define OPS 200000u

static void test_random(void)
{
    uint32_t op, bad_fit = 0, bad_find = 0, bad_insert = 0, bad_walk = 0, checks = 0, max_h = 0;
    uint32_t full_hits = 0;

    vt_init(&tree, 0x100000, 0x100000 + UNIVERSE_PAGES * PAGE_SIZE);
    nref = 0;
    for (op = 0; op < OPS; op++) {
        /* phases of 50k: mixed sizes and a balanced mix, then small ranges
         * inserted more often than erased (the pool fills up) */
        bool filling = (op / 50000) % 2 == 1;
        uint32_t r = rnd() % 100;

        if (filling && r >= 45 && r < 75)
            r = 0;
        if (r < 45) {                                 /* insert a random range */
            uint32_t pages = filling ? 1 + rnd() % 2 : 1 + rnd() % (rnd() % 4 == 0 ? 64 : 6);
            uint32_t sp = rnd() % UNIVERSE_PAGES, start, end, node;

            if (sp + pages > UNIVERSE_PAGES)
                continue;
            start = tree.lo + sp * PAGE_SIZE;
            end = start + pages * PAGE_SIZE;
            if (!ref_disjoint(start, end))
                continue;
            node = vt_insert(&tree, start, end);
            if (nref == VMAP_MAX_AREAS) {
                bad_insert += node != VT_NIL;
                full_hits++;
                continue;
            }
            if (node == VT_NIL || tree.node[node].start != start) {
                bad_insert++;
                continue;
            }
            ref_insert(start, end, node);
        } else if (r < 55) {                          /* insert at the first fit */
            uint32_t size = (1 + rnd() % 40) * PAGE_SIZE, a = 0, b = 0, node;
            bool got = vt_first_fit(&tree, size, &a), want = ref_first_fit(size, &b);

            if (got != want || (got && a != b)) {
                bad_fit++;
                continue;
            }
            if (!got || nref == VMAP_MAX_AREAS)
                continue;
            node = vt_insert(&tree, a, a + size);
            if (node == VT_NIL)
                bad_insert++;
            else
                ref_insert(a, a + size, node);
        } else if (r < 90) {                          /* erase */
            uint32_t k;

            if (nref == 0)
                continue;
            k = rnd() % nref;
            vt_erase(&tree, ref[k].node);
            ref_erase(k);
        } else if (r < 95) {                          /* first fit only */
            uint32_t size = (1 + rnd() % (rnd() % 8 == 0 ? 4000 : 30)) * PAGE_SIZE, a = 0, b = 0;
            bool got = vt_first_fit(&tree, size, &a), want = ref_first_fit(size, &b);

            if (got != want || (got && a != b))
                bad_fit++;
        } else {                                      /* lookups */
            uint32_t addr = tree.lo + rnd() % (UNIVERSE_PAGES * PAGE_SIZE), want_c = VT_NIL, want_e = VT_NIL;
            int p = ref_pos(addr & PAGE_MASK);

            if (p < (int)nref && ref[p].start == (addr & PAGE_MASK))
                want_e = ref[p].node;
            if (p < (int)nref && ref[p].start <= addr && addr < ref[p].end)
                want_c = ref[p].node;
            else if (p > 0 && ref[p - 1].start <= addr && addr < ref[p - 1].end)
                want_c = ref[p - 1].node;
            if (vt_find(&tree, addr & PAGE_MASK) != want_e || vt_find_containing(&tree, addr) != want_c)
                bad_find++;
        }
        if (tree.count != nref)
            bad_insert++;
        if (vt_height(&tree) > max_h)
            max_h = vt_height(&tree);
        if (op % 997 == 0) {
            checks += vt_check(&tree, checks == 0) != 0;
            bad_walk += !walk_matches_ref();
            if (!height_ok())
                checks++;
        }
    }
    CHECK_EQ(bad_insert, 0);
    CHECK_EQ(bad_fit, 0);
    CHECK_EQ(bad_find, 0);
    CHECK_EQ(bad_walk, 0);
    CHECK_EQ(checks, 0);
    CHECK_EQ(vt_check(&tree, true), 0);
    CHECK(walk_matches_ref());
    CHECK(max_h <= 18);                              /* 1.44 log2(2048) + 2 = 17.8 */
    printf("random: %u ops, %u ranges at the end, max height %u, pool full %u times\n",
           OPS, nref, max_h, full_hits);
    /* empty it */
    while (nref) {
        vt_erase(&tree, ref[nref - 1].node);
        nref--;
    }
    CHECK_EQ(tree.count, 0);
    CHECK_EQ(vt_height(&tree), 0);
    CHECK_EQ(vt_check(&tree, true), 0);
}

int main(void)
{
    test_first_fit_exact();
    test_ascending_perfect();
    test_overlap_bug();
    test_random();
    return unit_done();
}
