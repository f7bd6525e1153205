/* tests/unit/test_mm_slab_stress.c - 50,000 random kmalloc/kzalloc/kfree
 * operations on 4 simulated CPUs (each operation on a random CPU, so
 * objects are often freed on another CPU than the one that allocated
 * them), checked against a reference set of live objects: every new object
 * lies inside lowmem (below 16 MiB for GFP_DMA), overlaps no live object
 * (over ksize bytes), kzalloc objects are zero, and each object's contents
 * (a pattern written at allocation) survive until its free.  Then every
 * object is freed, the caches shrunk, and each zone has exactly the free
 * pages it had before.  A second, shorter run does the same with
 * slab_debug (no report may appear). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mm_host.h"
#include "slab_internal.h"
#include "unit.h"

#define SLOTS 1000

struct live {
    uint8_t *p;
    uint32_t size, phys, span, seed;
};

static struct live live[SLOTS];
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11) % n;
}

/* Mostly small, some up to a page, a few up to 128 KiB, rarely above. */
static uint32_t pick_size(void)
{
    uint32_t d = rnd(100);

    if (d < 70)
        return 1 + rnd(512);
    if (d < 90)
        return 513 + rnd(8192 - 512);
    if (d < 98)
        return 8193 + rnd(131072 - 8192);
    return 131073 + rnd(400000);
}

static uint8_t pattern(uint32_t seed, uint32_t i) { return (uint8_t)(seed + i * 31 + (i >> 8)); }

/* The bytes checked: all of them up to 8 KiB, else 1 KiB at each end. */
static bool checked_byte(uint32_t size, uint32_t i) { return size <= 8192 || i < 1024 || i >= size - 1024; }

static void fill(struct live *l)
{
    for (uint32_t i = 0; i < l->size; i++)
        if (checked_byte(l->size, i))
            l->p[i] = pattern(l->seed, i);
}

static bool intact(const struct live *l)
{
    for (uint32_t i = 0; i < l->size; i++)
        if (checked_byte(l->size, i) && l->p[i] != pattern(l->seed, i))
            return false;
    return true;
}

static uint32_t zone_free(struct zone *z) { return zone_page_state(z, NR_FREE_PAGES) + zone_pcp_count(z); }

static void run(uint32_t ops, bool debug)
{
    uint32_t before[MAX_NR_ZONES] = { 0 }, op, i, overlaps = 0, outside = 0, dma_bad = 0, not_zero = 0,
             damaged = 0, failed = 0, allocs = 0, small_ksize = 0;
    struct zone *z;

    mm_host_boot(64ull << 20, 4, 1);
    slab_debug = debug;
    kmem_cache_init();
    kmem_cache_shrink_all();
    for_each_populated_zone(z)
        before[zone_idx(z)] = zone_free(z);
    memset(live, 0, sizeof live);

    for (op = 0; op < ops; op++) {
        struct live *l = &live[rnd(SLOTS)];

        mm_host_set_cpu(rnd(4));
        if (l->p) {
            if (!intact(l))
                damaged++;
            kfree(l->p);
            l->p = NULL;
            continue;
        }
        uint32_t size = pick_size(), how = rnd(20);
        gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | (how == 0 ? GFP_DMA : 0);
        l->p = how < 3 ? kzalloc(size, gfp) : kmalloc(size, gfp);
        if (!l->p) {
            failed++;
            continue;
        }
        allocs++;
        l->size = size;
        l->seed = op;
        l->phys = (uint32_t)arch_virt_to_phys(l->p);
        l->span = (uint32_t)ksize(l->p);
        small_ksize += l->span < size;
        outside += (uint64_t)l->phys + l->span > ((uint64_t)max_low_pfn << PAGE_SHIFT);
        dma_bad += how == 0 && l->phys + l->span > (16u << 20);
        if (how < 3)
            for (i = 0; i < size; i++)
                if (l->p[i]) {
                    not_zero++;
                    break;
                }
        for (i = 0; i < SLOTS; i++) {
            const struct live *o = &live[i];
            if (o != l && o->p && l->phys < o->phys + o->span && o->phys < l->phys + l->span)
                overlaps++;
        }
        fill(l);
    }
    for (i = 0; i < SLOTS; i++)
        if (live[i].p) {
            mm_host_set_cpu(i % 4);
            if (!intact(&live[i]))
                damaged++;
            kfree(live[i].p);
        }
    mm_host_set_cpu(0);
    printf("%s: %u operations, %u allocations, %u failed\n", debug ? "slab_debug" : "plain", ops, allocs, failed);
    CHECK(allocs > ops / 3);
    CHECK_EQ(failed, 0);
    CHECK_EQ(overlaps, 0);
    CHECK_EQ(outside, 0);
    CHECK_EQ(dma_bad, 0);
    CHECK_EQ(not_zero, 0);
    CHECK_EQ(damaged, 0);
    CHECK_EQ(small_ksize, 0);
    CHECK_EQ(slab_errors, 0);

    kmem_cache_shrink_all();
    drain_all_pages();
    for_each_populated_zone(z)
        CHECK_EQ(zone_free(z), before[zone_idx(z)]);
    CHECK_EQ(mm_check_invariants(true), 0);
}

int main(void)
{
    run(50000, false);
    run(10000, true);
    slab_debug = false;
    mm_host_reset();
    return unit_done();
}
