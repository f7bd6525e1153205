/* tests/unit/test_mm_slab.c - the slab allocator and kmalloc on a 64 MiB
 * machine (1 CPU unless said): cache geometry against Linux 2.6's
 * calculate_slab_order / enable_cpucache worked by hand, the order objects
 * come out in and slab colours, array refill and flush steps, kmalloc size
 * classes and large kmallocs, GFP_DMA, NR_SLAB_* counters, shrink giving
 * every page back, destroy, drains of other CPUs' arrays, and /proc/slabinfo
 * byte for byte against tests/unit/expected/slabinfo_*.txt.
 *
 * Constants used throughout (i386 Linux): sizeof(struct slab) = 28, a
 * bufctl is 4 bytes, cache line 32, more than 32 MiB of RAM so
 * slab_break_gfp_order = 1.  On-slab:
 *   num = (4096 << order - 28) / (size + 4), less one if
 *         ALIGN(28 + 4 num, align) + num size > slab;
 *   left_over = slab - num size - ALIGN(28 + 4 num, align).
 * Off-slab (size >= 512): num = slab / size, left_over = slab - num size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "mm_host.h"
#include "slab_internal.h"
#include "capture.h"
#include "unit.h"

#define RAM (64ull << 20)

static void boot(unsigned ncpus)
{
    mm_host_boot(RAM, ncpus, 1);
    slab_debug = false;
    kmem_cache_init();
}

/* Free pages of every zone, per-CPU lists included. */
static uint32_t free_pages_now(void)
{
    struct zone *z;
    uint32_t n = 0;

    for_each_populated_zone(z)
        n += zone_page_state(z, NR_FREE_PAGES) + zone_pcp_count(z);
    return n;
}

static uint32_t slab_pages_stat(enum zone_stat_item item)
{
    struct zone *z;
    uint32_t n = 0;

    for_each_populated_zone(z)
        n += zone_page_state(z, item);
    return n;
}

static char report[16384];

static const char *slabinfo(void)
{
    struct mm_seq s = { .buf = report, .size = sizeof report };

    report[0] = '\0';
    mm_report_slabinfo(&s);
    CHECK(!s.overflow);
    return report;
}

/* The numbers of one slabinfo row. */
struct row {
    unsigned long active_objs, num_objs, active_slabs, num_slabs;
};

static struct row row_of(const char *name)
{
    struct row r = { 0, 0, 0, 0 };
    const char *p = slabinfo();
    size_t n = strlen(name);

    while ((p = strstr(p, name)) != NULL) {
        if ((p == report || p[-1] == '\n') && p[n] == ' ') {
            unsigned objsize, per, pages, lim, batch, shared;
            int got = sscanf(p + n, "%lu %lu %u %u %u : tunables %u %u %u : slabdata %lu %lu", &r.active_objs,
                             &r.num_objs, &objsize, &per, &pages, &lim, &batch, &shared, &r.active_slabs,
                             &r.num_slabs);
            CHECK_EQ(got, 10);
            return r;
        }
        p += n;
    }
    CHECK(!"no slabinfo row");
    return r;
}

static void check_row(const char *name, unsigned long act, unsigned long num, unsigned long aslabs,
                      unsigned long nslabs, int line)
{
    struct row r = row_of(name);

    if (r.active_objs != act || r.num_objs != num || r.active_slabs != aslabs || r.num_slabs != nslabs) {
        fprintf(stderr, "line %d: %s: %lu %lu %lu %lu, expected %lu %lu %lu %lu\n", line, name, r.active_objs,
                r.num_objs, r.active_slabs, r.num_slabs, act, num, aslabs, nslabs);
        unit_fail++;
    } else {
        unit_pass++;
    }
}
#define CHECK_ROW(name, a, n, as, ns) check_row(name, a, n, as, ns, __LINE__)

static char *read_expected(const char *file)
{
    static char buf[16384];
    char path[512];
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "%s/%s", PAGELAB_UNIT_EXPECTED, file);
    f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void check_slabinfo(const char *file)
{
    const char *want = read_expected(file), *got = slabinfo();

    if (strcmp(want, got) != 0) {
        fprintf(stderr, "slabinfo differs from %s; got:\n%s", file, got);
        unit_fail++;
    } else {
        unit_pass++;
    }
}

static uint32_t phys_of(const void *p) { return (uint32_t)arch_virt_to_phys(p); }
/* Offset of an object from the start of its slab (page->index: the first pfn). */
static uint32_t slab_offset(const void *p)
{
    const struct page *pg = virt_to_page(p);
    return phys_of(p) - (pg->index << PAGE_SHIFT);
}

/* ---- geometry ----------------------------------------------------------------------- */

struct geometry {
    const char *name;
    uint32_t buffer_size, num, order, left_over, colour, off_slab, limit, batch;
};

static void check_geometry(const struct kmem_cache *c, const struct geometry *g)
{
    if (!c) {
        CHECK(!"cache missing");
        return;
    }
    if (c->buffer_size != g->buffer_size || c->num != g->num || c->gfporder != g->order ||
        c->left_over != g->left_over || c->colour != g->colour || cache_off_slab(c) != (g->off_slab != 0) ||
        c->limit != g->limit || c->batchcount != g->batch || strcmp(c->name, g->name) != 0) {
        fprintf(stderr, "%s: size %u num %u order %u left %u colour %u off %d limit %u batch %u, expected "
                "%s: %u %u %u %u %u %u %u %u\n", c->name, c->buffer_size, c->num, c->gfporder, c->left_over,
                c->colour, cache_off_slab(c), c->limit, c->batchcount, g->name, g->buffer_size, g->num, g->order,
                g->left_over, g->colour, g->off_slab, g->limit, g->batch);
        unit_fail++;
    } else {
        unit_pass++;
    }
}

static void test_kmalloc_geometry(void)
{
    /* HWCACHE_ALIGN: align = 32 halved while size <= align / 2, so 8 for size-8,
     * 16 for size-16, 32 above; colour_off 32 everywhere.
     *   size-8:   num = 4068 / 12 = 339; ALIGN(28 + 1356, 8) = 1384; 1384 + 2712 = 4096: fits, left 0
     *   size-16:  num = 4068 / 20 = 203; ALIGN(840, 16) = 848; 848 + 3248 = 4096, left 0
     *   size-32:  num = 4068 / 36 = 113; ALIGN(480, 32) = 480; 480 + 3616 = 4096, left 0
     *   size-64:  num = 4068 / 68 = 59;  ALIGN(264, 32) = 288; 288 + 3776 = 4064, left 32, colour 1
     *   size-96:  num = 4068 / 100 = 40; ALIGN(188, 32) = 192; 192 + 3840 = 4032, left 64, colour 2
     *   size-128: num = 4068 / 132 = 30; ALIGN(148, 32) = 160; 160 + 3840 = 4000, left 96, colour 3
     *   size-192: num = 4068 / 196 = 20; ALIGN(108, 32) = 128; 128 + 3840 = 3968, left 128, colour 4
     *   size-256: num = 4068 / 260 = 15; ALIGN(88, 32) = 96;   96 + 3840 = 3936, left 160, colour 5
     * Off-slab from 512 on (left_over 0 each time, too small for the descriptor):
     *   size-512: 8 per page; size-1024: 4; size-2048: 2; size-4096: 1;
     *   size-8192: order 0 holds none, order 1 holds 1 (left 0); 16384: order 2; ... 131072: order 5.
     * Tunables (enable_cpucache): <= 256: 120/60; <= 1024: 54/27; <= 4096: 24/12; above: 8/4. */
    static const struct geometry g[] = {
        { "size-8", 8, 339, 0, 0, 0, 0, 120, 60 },       { "size-16", 16, 203, 0, 0, 0, 0, 120, 60 },
        { "size-32", 32, 113, 0, 0, 0, 0, 120, 60 },     { "size-64", 64, 59, 0, 32, 1, 0, 120, 60 },
        { "size-96", 96, 40, 0, 64, 2, 0, 120, 60 },     { "size-128", 128, 30, 0, 96, 3, 0, 120, 60 },
        { "size-192", 192, 20, 0, 128, 4, 0, 120, 60 },  { "size-256", 256, 15, 0, 160, 5, 0, 120, 60 },
        { "size-512", 512, 8, 0, 0, 0, 1, 54, 27 },      { "size-1024", 1024, 4, 0, 0, 0, 1, 54, 27 },
        { "size-2048", 2048, 2, 0, 0, 0, 1, 24, 12 },    { "size-4096", 4096, 1, 0, 0, 0, 1, 24, 12 },
        { "size-8192", 8192, 1, 1, 0, 0, 1, 8, 4 },      { "size-16384", 16384, 1, 2, 0, 0, 1, 8, 4 },
        { "size-32768", 32768, 1, 3, 0, 0, 1, 8, 4 },    { "size-65536", 65536, 1, 4, 0, 0, 1, 8, 4 },
        { "size-131072", 131072, 1, 5, 0, 0, 1, 8, 4 },
    };
    unsigned i;

    boot(1);
    CHECK_EQ(slab_break_gfp_order, 1);
    for (i = 0; i < sizeof g / sizeof g[0]; i++) {
        struct geometry dma = g[i];
        char name[32];
        struct kmem_cache *c = kmalloc_cache(g[i].buffer_size, 0), *d = kmalloc_cache(g[i].buffer_size, GFP_DMA);

        check_geometry(c, &g[i]);
        snprintf(name, sizeof name, "%s(DMA)", g[i].name);
        dma.name = name;
        check_geometry(d, &dma);
        CHECK_EQ(d->gfpflags, __GFP_DMA);
        CHECK_EQ(c->gfpflags, 0);
    }
    /* Off-slab descriptors: 28 + 4 num bytes from the kmalloc cache that fits:
     * size-512: 60 -> size-64; size-1024: 44 -> size-64; size-2048: 36 -> size-64;
     * size-4096 and up: 32 -> size-32. */
    CHECK_EQ(kmalloc_cache(512, 0)->slab_size, 60);
    CHECK(cache_by_id(kmalloc_cache(512, 0)->slabp_cache) == kmalloc_cache(64, 0));
    CHECK(cache_by_id(kmalloc_cache(1024, 0)->slabp_cache) == kmalloc_cache(64, 0));
    CHECK(cache_by_id(kmalloc_cache(2048, 0)->slabp_cache) == kmalloc_cache(64, 0));
    CHECK(cache_by_id(kmalloc_cache(4096, 0)->slabp_cache) == kmalloc_cache(32, 0));
    CHECK(cache_by_id(kmalloc_cache(131072, 0)->slabp_cache) == kmalloc_cache(32, 0));
    /* The on-slab descriptor of size-64 takes ALIGN(28 + 59 * 4, 32) = 288 bytes. */
    CHECK_EQ(kmalloc_cache(64, 0)->slab_size, 288);
}

static void test_user_geometry(void)
{
    struct kmem_cache *c;

    boot(1);
    /* 100 bytes, word aligned: num = 4068 / 104 = 39; ALIGN(28 + 156, 4) = 184;
     * 184 + 3900 = 4084 <= 4096; left 12 (<= 512: order 0); colour 12 / 32 = 0. */
    c = kmem_cache_create("t100", 100, 0, 0, NULL);
    check_geometry(c, &(struct geometry){ "t100", 100, 39, 0, 12, 0, 0, 120, 60 });
    /* 100 bytes, HWCACHE_ALIGN: align 32, buffer 128: as size-128. */
    c = kmem_cache_create("t100hw", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
    check_geometry(c, &(struct geometry){ "t100hw", 128, 30, 0, 96, 3, 0, 120, 60 });
    CHECK_EQ(c->object_size, 100);
    /* 700 bytes: off-slab candidate.  Order 0: 5 objects, left 4096 - 3500 = 596,
     * 596 * 8 > 4096: try order 1: 11 objects, left 8192 - 7700 = 492, order 1 is
     * the break order: stop.  Descriptor ALIGN(28 + 44, 4) = 72 <= 492: on-slab
     * after all, left 420, colour 420 / 32 = 13.  limit 54 (> 256). */
    c = kmem_cache_create("t700", 700, 0, 0, NULL);
    check_geometry(c, &(struct geometry){ "t700", 700, 11, 1, 420, 13, 0, 54, 27 });
    /* 3000 bytes, SLAB_RECLAIM_ACCOUNT: the first order that holds one: order 0,
     * 1 object, left 1096; descriptor 32 fits: on-slab, left 1064, colour 33.
     * limit 24 (> 1024). */
    c = kmem_cache_create("t3000r", 3000, 0, SLAB_RECLAIM_ACCOUNT, NULL);
    check_geometry(c, &(struct geometry){ "t3000r", 3000, 1, 0, 1064, 33, 0, 24, 12 });
    CHECK_EQ(c->gfpflags, __GFP_RECLAIMABLE);
    /* 5000 bytes: order 1: 1 object, left 3192, break order: stop; descriptor 32:
     * on-slab, left 3160, colour 98; limit 8 (> 4096). */
    c = kmem_cache_create("t5000", 5000, 0, 0, NULL);
    check_geometry(c, &(struct geometry){ "t5000", 5000, 1, 1, 3160, 98, 0, 8, 4 });
    /* 40 bytes aligned to 64: buffer 64; num = 4068 / 68 = 59; ALIGN(264, 64) = 320;
     * 320 + 3776 = 4096: fits, left 0; colour_off = 64 (align > cache line). */
    c = kmem_cache_create("t40a64", 40, 64, 0, NULL);
    check_geometry(c, &(struct geometry){ "t40a64", 64, 59, 0, 0, 0, 0, 120, 60 });
    CHECK_EQ(c->colour_off, 64);
    /* 1500 bytes off-slab for real: order 0: 2 objects, left 1096 > 512; order 1:
     * 5 objects, left 692 (692 * 8 > 8192? no: 5536 <= 8192) -- but order 1 is the break
     * order anyway.  Descriptor ALIGN(28 + 20, 4) = 48 <= 692: on-slab, left 644,
     * colour 20. */
    c = kmem_cache_create("t1500", 1500, 0, 0, NULL);
    check_geometry(c, &(struct geometry){ "t1500", 1500, 5, 1, 644, 20, 0, 24, 12 });
    /* 2048 bytes, no alignment asked: 2 per page, left 0: off-slab (36 bytes from size-64). */
    c = kmem_cache_create("t2048", 2048, 0, 0, NULL);
    check_geometry(c, &(struct geometry){ "t2048", 2048, 2, 0, 0, 0, 1, 24, 12 });
    CHECK(cache_by_id(c->slabp_cache) == kmalloc_cache(64, 0));
    /* Errors: size 0, alignment not a power of two. */
    CHECK(kmem_cache_create("bad", 0, 0, 0, NULL) == NULL);
    CHECK(kmem_cache_create("bad", 10, 24, 0, NULL) == NULL);
}

/* ---- allocation order, colours, refill and flush --------------------------------------- */

static void test_order_and_colour(void)
{
    struct kmem_cache *c;
    void *objs[200];
    uint32_t base[8], i, slab_size = 160;     /* ALIGN(28 + 30 * 4, 32) */

    boot(1);
    c = kmem_cache_create("t100hw", 100, 0, SLAB_HWCACHE_ALIGN, NULL);  /* 30 x 128, colour 3 */
    /* First allocation: the array was never used, so the refill takes
     * BATCHREFILL_LIMIT = 16 objects (0..15) of a new slab (colour 0) and hands
     * out the top one: object 15, then 14 .. 0. */
    for (i = 0; i < 16; i++) {
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
        CHECK_EQ(slab_offset(objs[i]), 0 + slab_size + (15 - i) * 128);
    }
    base[0] = virt_to_page(objs[0])->index;
    /* Next refill: batchcount 60, but the partial slab has 14 left (16..29): 29 first. */
    for (i = 16; i < 30; i++) {
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
        CHECK_EQ(slab_offset(objs[i]), slab_size + (29 - (i - 16)) * 128);
        CHECK_EQ(virt_to_page(objs[i])->index, base[0]);
    }
    CHECK_ROW("t100hw", 30, 30, 1, 1);
    /* Then whole new slabs: colour 1 (offset 32), colour 2 (64), back to 0. */
    for (i = 30; i < 120; i++) {
        uint32_t n = i - 30, slab = n / 30, k = n % 30;
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
        CHECK_EQ(slab_offset(objs[i]), ((slab + 1) % 3) * 32 + slab_size + (29 - k) * 128);
        if (k == 0)
            base[slab + 1] = virt_to_page(objs[i])->index;
        CHECK_EQ(virt_to_page(objs[i])->index, base[slab + 1]);
    }
    CHECK_ROW("t100hw", 120, 120, 4, 4);
    /* Every page of a slab: PG_slab, mapping = id + 1, index = first pfn. */
    for (i = 0; i < 4; i++) {
        const struct page *p = pfn_to_page(base[i]);
        CHECK(page_flag(p, PG_slab));
        CHECK_EQ(p->mapping, c->id + 1);
        CHECK_EQ(p->index, base[i]);
    }
    /* Frees go to the array (LIFO): the next allocation gets the last freed. */
    kmem_cache_free(c, objs[50]);
    kmem_cache_free(c, objs[7]);
    CHECK(kmem_cache_alloc(c, GFP_KERNEL) == objs[7]);
    CHECK(kmem_cache_alloc(c, GFP_KERNEL) == objs[50]);
    for (i = 0; i < 120; i++)
        kmem_cache_free(c, objs[i]);
    CHECK_EQ(kmem_cache_shrink(c), 0);
    CHECK_ROW("t100hw", 0, 0, 0, 0);
    CHECK_EQ(kmem_cache_destroy(c), 0);
}

static void test_refill_flush(void)
{
    struct kmem_cache *c;
    struct array_cache *ac;
    void *objs[400];
    uint32_t i, free0;

    boot(1);
    c = kmem_cache_create("t100", 100, 0, 0, NULL);      /* 39 per slab, limit 120, batch 60 */
    ac = cpu_array(c, 0);
    free0 = free_pages_now();
    objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
    /* refill of 16 from a new slab: 15 left in the array, 16 active */
    CHECK_EQ(ac->avail, 15);
    CHECK_ROW("t100", 16, 39, 1, 1);
    CHECK_EQ(free_pages_now(), free0 - 1);
    for (i = 1; i < 16; i++)
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
    CHECK_EQ(ac->avail, 0);
    objs[16] = kmem_cache_alloc(c, GFP_KERNEL);
    /* batchcount 60 wanted, the slab had 23 left: 22 stay in the array */
    CHECK_EQ(ac->avail, 22);
    CHECK_ROW("t100", 39, 39, 1, 1);
    for (i = 17; i < 39; i++)
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
    objs[39] = kmem_cache_alloc(c, GFP_KERNEL);
    /* a new slab: 39 taken, 38 left */
    CHECK_EQ(ac->avail, 38);
    CHECK_ROW("t100", 78, 78, 2, 2);
    for (i = 40; i < 312; i++)                           /* 312 = 8 slabs */
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
    /* allocs 40..77 from the array, then slabs 3..8 come whole (39 each, < 60) */
    CHECK_EQ(ac->avail, 0);
    CHECK_ROW("t100", 312, 312, 8, 8);
    /* 120 frees fill the array to its limit without touching the slabs */
    for (i = 0; i < 120; i++)
        kmem_cache_free(c, objs[i]);
    CHECK_EQ(ac->avail, 120);
    CHECK_ROW("t100", 312, 312, 8, 8);
    /* the 121st flushes the 60 oldest (objs 0..59: slab 1 whole, 21 of slab 2) */
    kmem_cache_free(c, objs[120]);
    CHECK_EQ(ac->avail, 61);
    CHECK_ROW("t100", 252, 312, 7, 8);                   /* slab 1 on the free list: 7 active */
    CHECK_EQ(c->free_objects, 60);
    /* shrink: the array's 61 (objs 60..120) go back, leaving slabs 1 (objs 0..38),
     * 2 (39..77) and 3 (78..116) empty: given back; slab 4 (117..155) keeps 35,
     * slabs 5..8 39 each: 191 objects in 5 slabs */
    CHECK_EQ(kmem_cache_shrink(c), 1);
    CHECK_EQ(ac->avail, 0);
    CHECK_ROW("t100", 191, 195, 5, 5);
    CHECK_EQ(kmem_cache_destroy(c), -1);
    for (i = 121; i < 312; i++)
        kmem_cache_free(c, objs[i]);
    /* free_limit = (1 + 1 cpu) * 60 + 39 = 159: flushes past it free slabs at once */
    CHECK_EQ(c->free_limit, 159);
    CHECK_EQ(kmem_cache_shrink(c), 0);
    CHECK_ROW("t100", 0, 0, 0, 0);
    CHECK_EQ(free_pages_now(), free0);
    CHECK_EQ(kmem_cache_destroy(c), 0);
}

/* Objects freed on other CPUs sit in their arrays until a shrink drains
 * every CPU's array (arch_on_each_cpu). */
static void test_other_cpus(void)
{
    struct kmem_cache *c;
    void *objs[40];
    uint32_t i, free0;

    boot(4);
    kmem_cache_shrink_all();
    free0 = free_pages_now();
    c = kmem_cache_create("t100", 100, 0, 0, NULL);
    CHECK_EQ(c->nr_cpus, 4);
    CHECK_EQ(c->free_limit, 5 * 60 + 39);
    for (i = 0; i < 40; i++) {
        mm_host_set_cpu(i % 4);
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
    }
    for (i = 0; i < 40; i++) {
        mm_host_set_cpu((i + 1) % 4);
        kmem_cache_free(c, objs[i]);
    }
    mm_host_set_cpu(0);
    CHECK(cpu_array(c, 1)->avail > 0 && cpu_array(c, 3)->avail > 0);
    CHECK_EQ(kmem_cache_shrink(c), 0);
    for (i = 0; i < 4; i++)
        CHECK_EQ(cpu_array(c, i)->avail, 0);
    CHECK_ROW("t100", 0, 0, 0, 0);
    CHECK_EQ(kmem_cache_destroy(c), 0);
    kmem_cache_shrink_all();
    drain_all_pages();
    CHECK_EQ(free_pages_now(), free0);
}

/* ---- kmalloc ----------------------------------------------------------------------------- */

static void test_kmalloc_classes(void)
{
    static const uint32_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
                                        8192, 16384, 32768, 65536, 131072 };
    uint32_t size, k = 0, bad = 0, bad_dma = 0;
    void *p;

    boot(1);
    for (size = 1; size <= 131072; size++) {
        char name[32];
        struct kmem_cache *c = kmalloc_cache(size, GFP_KERNEL), *d = kmalloc_cache(size, GFP_DMA);
        if (size > classes[k])
            k++;
        snprintf(name, sizeof name, "size-%u", classes[k]);
        if (!c || c->object_size != classes[k] || strcmp(c->name, name) != 0)
            bad++;
        strcat(name, "(DMA)");
        if (!d || d->object_size != classes[k] || strcmp(d->name, name) != 0)
            bad_dma++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(bad_dma, 0);
    CHECK(kmalloc_cache(131073, GFP_KERNEL) == NULL);
    /* real allocations at each boundary */
    for (k = 0; k < sizeof classes / sizeof classes[0]; k++) {
        uint32_t sizes[2] = { classes[k], k ? classes[k - 1] + 1 : 1 }, j;
        for (j = 0; j < 2; j++) {
            p = kmalloc(sizes[j], GFP_KERNEL);
            CHECK(p != NULL && page_flag(virt_to_page(p), PG_slab));
            CHECK_EQ(ksize(p), classes[k]);
            memset(p, 0x5c, sizes[j]);
            kfree(p);
        }
    }
    /* 131073 bytes: order 6 (256 KiB) from the page allocator, no slab */
    p = kmalloc(131073, GFP_KERNEL);
    CHECK(p != NULL);
    CHECK(!page_flag(virt_to_page(p), PG_slab));
    CHECK_EQ(phys_of(p) & (PAGE_SIZE - 1), 0);
    CHECK_EQ(ksize(p), 262144);
    CHECK_EQ(page_count(virt_to_page(p)), 1);
    kfree(p);
    CHECK_EQ(page_count(virt_to_page(p)), 0);
    /* 4097..8192 bytes would be order 1 above 128 KiB: 200000 -> order 6 too; 1 MiB -> order 8 */
    p = kmalloc(1u << 20, GFP_KERNEL);
    CHECK_EQ(ksize(p), 1u << 20);
    kfree(p);
    CHECK(kmalloc(8u << 20, GFP_KERNEL | __GFP_NOWARN) == NULL);   /* above MAX_ORDER - 1 */
    /* kzalloc zeroes, kmalloc(0) is ZERO_SIZE_PTR */
    p = kmalloc(200, GFP_KERNEL);
    memset(p, 0xee, 200);
    kfree(p);
    p = kzalloc(200, GFP_KERNEL);
    CHECK(p != NULL);
    for (k = 0; k < 256; k++)
        if (((uint8_t *)p)[k])
            break;
    CHECK_EQ(k, 256);
    kfree(p);
    CHECK(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
    kfree(ZERO_SIZE_PTR);
    kfree(NULL);
    CHECK_EQ(ksize(ZERO_SIZE_PTR), 0);
}

static void test_dma_and_counters(void)
{
    struct kmem_cache *r;
    void *p[64], *big;
    uint32_t i, unrecl0, recl0;

    boot(1);
    for (i = 0; i < 64; i++) {
        p[i] = kmalloc(100 + i * 50, GFP_KERNEL | GFP_DMA);
        CHECK(p[i] != NULL);
        CHECK(phys_of(p[i]) + ksize(p[i]) <= (16u << 20));
        CHECK_EQ(page_zonenum(virt_to_page(p[i])), ZONE_DMA);
    }
    CHECK(strcmp(cache_by_id(virt_to_page(p[0])->mapping - 1)->name, "size-128(DMA)") == 0);
    big = kmalloc(200000, GFP_DMA);
    CHECK(big && phys_of(big) + 262144 <= (16u << 20));
    kfree(big);
    for (i = 0; i < 64; i++)
        kfree(p[i]);

    /* NR_SLAB_*: 2^order pages per slab, in the slab's zone */
    kmem_cache_shrink_all();
    unrecl0 = slab_pages_stat(NR_SLAB_UNRECLAIMABLE);
    recl0 = slab_pages_stat(NR_SLAB_RECLAIMABLE);
    r = kmem_cache_create("t5000r", 5000, 0, SLAB_RECLAIM_ACCOUNT, NULL);
    /* reclaimable: the first order that fits: order 1, 1 object */
    CHECK_EQ(r->gfporder, 1);
    p[0] = kmem_cache_alloc(r, GFP_KERNEL);
    CHECK_EQ(slab_pages_stat(NR_SLAB_RECLAIMABLE), recl0 + 2);
    CHECK_EQ(get_pageblock_migratetype(virt_to_page(p[0])), MIGRATE_RECLAIMABLE);
    p[1] = kmalloc(8192, GFP_KERNEL);                    /* size-8192: 2 pages, unreclaimable */
    CHECK_EQ(slab_pages_stat(NR_SLAB_UNRECLAIMABLE), unrecl0 + 2 + 1);  /* + size-32 slab for its descriptor */
    kmem_cache_free(r, p[0]);
    kfree(p[1]);
    kmem_cache_shrink_all();
    CHECK_EQ(slab_pages_stat(NR_SLAB_RECLAIMABLE), recl0);
    CHECK_EQ(slab_pages_stat(NR_SLAB_UNRECLAIMABLE), unrecl0);
    CHECK_EQ(kmem_cache_destroy(r), 0);
}

/* ---- destroy, slabinfo --------------------------------------------------------------------- */


static int ctor_runs;
static void ctor_fill(void *obj)
{
    memset(obj, 0x3c, 48);
    ctor_runs++;
}

static void test_destroy(void)
{
    struct kmem_cache *c, *c2;
    void *a, *b, *d;
    uint32_t free0, id;

    boot(1);
    free0 = free_pages_now();
    c = kmem_cache_create("ctor48", 48, 0, 0, ctor_fill);
    id = c->id;
    ctor_runs = 0;
    a = kmem_cache_alloc(c, GFP_KERNEL);
    /* 48 bytes: num = 4068 / 52 = 78; ALIGN(28 + 312, 4) = 340; 340 + 3744 = 4084: the ctor ran 78 times */
    CHECK_EQ(c->num, 78);
    CHECK_EQ(ctor_runs, 78);
    CHECK_EQ(((uint8_t *)a)[0], 0x3c);
    CHECK_EQ(((uint8_t *)a)[47], 0x3c);
    b = kmem_cache_alloc(c, GFP_KERNEL);
    d = kmem_cache_alloc(c, GFP_KERNEL);
    capture_begin();
    CHECK_EQ(kmem_cache_destroy(c), -1);
    capture_end();
    CHECK_EQ(strcmp(captured, "slab error in cache ctor48: kmem_cache_destroy refused, 3 objects in use\n"), 0);
    CHECK_EQ(slab_errors, 1);
    /* still usable */
    kmem_cache_free(c, b);
    CHECK(kmem_cache_alloc(c, GFP_KERNEL) == b);
    kmem_cache_free(c, a);
    kmem_cache_free(c, b);
    kmem_cache_free(c, d);
    capture_begin();
    CHECK_EQ(kmem_cache_destroy(c), 0);
    capture_end();
    CHECK_EQ(captured[0], '\0');
    CHECK(strstr(slabinfo(), "ctor48") == NULL);
    CHECK_EQ(kmem_cache_destroy(c), -1);                 /* already gone */
    c2 = kmem_cache_create("again", 64, 0, 0, NULL);      /* the slot is reused */
    CHECK_EQ(c2->id, id);
    CHECK_EQ(kmem_cache_destroy(c2), 0);
    kmem_cache_shrink_all();
    CHECK_EQ(free_pages_now(), free0);
}

static void test_slabinfo(void)
{
    struct kmem_cache *c;
    void *objs[50], *k[5];
    uint32_t i, free0;

    boot(1);
    /* Right after kmem_cache_init (1 CPU): the only objects are the 34 caches'
     * arrays (one block of 16 + 4 * limit bytes each) and the descriptors of
     * size-512's slabs (off-slab, 60 bytes):
     *   16 caches with limit 120 (sizes 8..256): 496 bytes -> size-512: 2 slabs of 8, all used
     *   4 caches with limit 54 (512, 1024): 232 -> size-256: refill 16 of a 15-object slab:
     *       15 active (4 used, 11 in the array)
     *   4 caches with limit 24 (2048, 4096): 112 -> size-128: refill 16 of 30: 16 active
     *   10 caches with limit 8 (8192 ..): 48 -> size-64, + 2 descriptors: 12 used of a
     *       refill of 16 from a 59-object slab: 16 active */
    check_slabinfo("slabinfo_boot.txt");
    free0 = free_pages_now();
    /* test_obj (100 bytes, 39 per slab): its array is the 17th size-512 object: a third
     * size-512 slab (8 objects: 24 active) whose descriptor is size-64's 13th object.
     * 50 allocations: 16 (refill limit) + 23 (rest of slab 1) + a whole slab 2 (39,
     * 11 used): 78 active in 2 slabs; 10 frees stay in the array.
     * 5 kmalloc(700) from size-1024 (4 per slab): 2 slabs, 8 active, 2 more
     * descriptors from size-64 (15 used, still 16 active). */
    c = kmem_cache_create("test_obj", 100, 0, 0, NULL);
    for (i = 0; i < 50; i++)
        objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
    for (i = 0; i < 10; i++)
        kmem_cache_free(c, objs[i]);
    for (i = 0; i < 5; i++)
        k[i] = kmalloc(700, GFP_KERNEL);
    check_slabinfo("slabinfo_pattern.txt");
    for (i = 10; i < 50; i++)
        kmem_cache_free(c, objs[i]);
    for (i = 0; i < 5; i++)
        kfree(k[i]);
    CHECK_EQ(kmem_cache_destroy(c), 0);
    /* Shrinking every cache newest first empties all arrays: size-256, size-128 and
     * size-64 keep only what is used (4, 4, 12); every other slab is gone. */
    kmem_cache_shrink_all();
    check_slabinfo("slabinfo_shrunk.txt");
    CHECK_EQ(free_pages_now(), free0);
}

int main(void)
{
    test_kmalloc_geometry();
    test_user_geometry();
    test_order_and_colour();
    test_refill_flush();
    test_other_cpus();
    test_kmalloc_classes();
    test_dma_and_counters();
    test_destroy();
    test_slabinfo();
    mm_host_reset();
    return unit_done();
}
