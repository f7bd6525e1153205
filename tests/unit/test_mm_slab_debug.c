/* tests/unit/test_mm_slab_debug.c - slab_debug: the debug geometry, red
 * zones, poison and last-user words, and the exact text of each report
 * (double free, free of a pointer that is not an object start, free into
 * the wrong cache, write after free, red zone overwritten before/after an
 * object, a free object's red zone overwritten, kfree of a non-kmalloc
 * address), each followed by a check that the allocator still works. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "mm_host.h"
#include "slab_internal.h"
#include "capture.h"
#include "unit.h"


/* The address reports print for p: PAGE_OFFSET + its physical address. */
static uint32_t kaddr(const void *p) { return 0xC0000000u + (uint32_t)arch_virt_to_phys(p); }

static void expect_text(const char *want, int line)
{
    if (strcmp(captured, want) != 0) {
        fprintf(stderr, "line %d: report\n  %s\nexpected\n  %s\n", line, captured, want);
        unit_fail++;
    } else {
        unit_pass++;
    }
}
#define EXPECT_TEXT(...) do { char _w[512]; snprintf(_w, sizeof _w, __VA_ARGS__); expect_text(_w, __LINE__); } while (0)

/* The allocator still works: 300 size-64 objects out and back, no report,
 * the page allocator consistent. */
static void check_intact(int line)
{
    void *p[300];
    uint32_t errors = slab_errors, i, bad = 0;

    capture_begin();
    for (i = 0; i < 300; i++) {
        p[i] = kmalloc(60, GFP_KERNEL);
        if (!p[i])
            bad++;
        else
            memset(p[i], (int)i, 60);
    }
    for (i = 0; i < 300; i++)
        kfree(p[i]);
    capture_end();
    if (bad || slab_errors != errors || captured[0] || mm_check_invariants(false)) {
        fprintf(stderr, "line %d: allocator not intact: %u failures, %u new reports: %s\n", line, bad,
                slab_errors - errors, captured);
        unit_fail++;
    } else {
        unit_pass++;
    }
}
#define CHECK_INTACT() check_intact(__LINE__)

static void boot_debug(void)
{
    mm_host_boot(64ull << 20, 1, 1);
    slab_debug = true;
    kmem_cache_init();
}

static void test_geometry(void)
{
    struct kmem_cache *c;
    uint8_t *p;
    uint32_t *w;

    boot_debug();
    /* size-64 with red zones and last user: 4 + 64 + 4 + 4 = 76 bytes, word aligned
     * (debug words override HWCACHE_ALIGN); num = 4068 / 80 = 50; 28 + 200 = 228;
     * 228 + 3800 = 4028 <= 4096: left 68, colour 2; limit 120 capped at 32. */
    c = kmalloc_cache(64, 0);
    CHECK_EQ(c->buffer_size, 76);
    CHECK_EQ(c->obj_offset, 4);
    CHECK_EQ(c->num, 50);
    CHECK_EQ(c->left_over, 68);
    CHECK_EQ(c->colour, 2);
    CHECK_EQ(c->limit, 32);
    CHECK_EQ(c->batchcount, 16);
    CHECK_EQ(c->flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
    /* size-4096: red zones would make 4108 > 4096 (fls 13 != 12): poison only */
    c = kmalloc_cache(4096, 0);
    CHECK_EQ(c->flags & SLAB_DEBUG_FLAGS, SLAB_POISON);
    CHECK_EQ(c->buffer_size, 4096);
    /* size-2048: 2060 bytes; order 0: 1, left 2036 (> 512); order 1: 3, left 2012;
     * descriptor 28 + 12 = 40 fits: on-slab, left 1972, colour 61 */
    c = kmalloc_cache(2048, 0);
    CHECK_EQ(c->buffer_size, 2060);
    CHECK_EQ(c->num, 3);
    CHECK_EQ(c->gfporder, 1);
    CHECK(!cache_off_slab(c));
    CHECK_EQ(c->colour, 61);
    /* an explicit 64-byte alignment keeps poison but drops the 4-byte red zones */
    c = kmem_cache_create("aligned", 40, 64, 0, NULL);
    CHECK_EQ(c->flags & SLAB_DEBUG_FLAGS, SLAB_POISON);
    CHECK_EQ(c->buffer_size, 64);

    /* an allocated object: red zones active, last user stored, contents POISON_INUSE */
    p = __kmalloc(64, GFP_KERNEL, 0x12345678);
    w = (uint32_t *)p;
    CHECK_EQ(w[-1], RED_ACTIVE);
    CHECK_EQ(w[16], RED_ACTIVE);
    CHECK_EQ(w[17], 0x12345678);
    CHECK_EQ(p[0], POISON_INUSE);
    CHECK_EQ(p[62], POISON_INUSE);
    CHECK_EQ(p[63], POISON_END);
    __kfree(p, 0x9abcdef0);
    /* freed: inactive, poisoned, the freer recorded */
    CHECK_EQ(w[-1], RED_INACTIVE);
    CHECK_EQ(w[16], RED_INACTIVE);
    CHECK_EQ(w[17], 0x9abcdef0);
    CHECK_EQ(p[0], POISON_FREE);
    CHECK_EQ(p[63], POISON_END);
    CHECK_EQ(slab_errors, 0);
    CHECK_INTACT();
}

static int ctor_runs;
static void ctor(void *obj)
{
    memset(obj, 0x3c, 32);
    ctor_runs++;
}

/* With poisoning, the ctor runs at every allocation (the poison destroyed its work). */
static void test_ctor_poison(void)
{
    struct kmem_cache *c;
    uint8_t *p;

    boot_debug();
    c = kmem_cache_create("ctor32", 32, 0, 0, ctor);
    ctor_runs = 0;
    p = kmem_cache_alloc(c, GFP_KERNEL);
    CHECK_EQ(ctor_runs, 1);
    CHECK_EQ(p[0], 0x3c);
    CHECK_EQ(p[31], 0x3c);
    kmem_cache_free(c, p);
    CHECK_EQ(p[0], POISON_FREE);
    p = kmem_cache_alloc(c, GFP_KERNEL);
    CHECK_EQ(ctor_runs, 2);
    CHECK_EQ(p[5], 0x3c);
    kmem_cache_free(c, p);
    CHECK_EQ(kmem_cache_destroy(c), 0);
}

static void test_double_free(void)
{
    uint8_t *p;

    boot_debug();
    p = __kmalloc(64, GFP_KERNEL, 0x11111111);
    __kfree(p, 0x22222222);
    capture_begin();
    __kfree(p, 0x33333333);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: double free of object 0x%08x by 0x33333333, "
                "already freed by 0x22222222\n", kaddr(p));
    CHECK_EQ(slab_errors, 1);
    /* freed once only: the next allocation hands it out once, untouched */
    capture_begin();
    CHECK(__kmalloc(64, GFP_KERNEL, 0x44444444) == p);
    CHECK(__kmalloc(64, GFP_KERNEL, 0x44444444) != p);
    capture_end();
    CHECK_EQ(captured[0], '\0');
    CHECK_INTACT();
}

static void test_bad_pointer(void)
{
    struct kmem_cache *other;
    uint8_t *p, *big;
    uint32_t base, s_mem;

    boot_debug();
    p = __kmalloc(64, GFP_KERNEL, 0x11111111);
    capture_begin();
    __kfree(p + 4, 0x55555555);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: free of 0x%08x by 0x55555555: not the start of an object\n",
                kaddr(p + 4));
    /* the slab's first byte: its descriptor, before object 0 */
    base = virt_to_page(p)->index << PAGE_SHIFT;
    capture_begin();
    kfree(mm_host_ram(base));
    capture_end();
    CHECK(strstr(captured, ": not the start of an object\n") != NULL);
    /* past the last object (num 50 of 76 bytes; object 0 at colour + 228) */
    s_mem = slab_desc(virt_to_page(p)->lru.next)->s_mem;
    CHECK_EQ((s_mem - base) % 32, 228 % 32);
    capture_begin();
    __kfree(mm_host_ram(s_mem + 50 * 76 + 4), 0x66666666);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: free of 0x%08x by 0x66666666: not the start of an object\n",
                0xC0000000u + s_mem + 50 * 76 + 4);
    /* into another cache */
    other = kmem_cache_create("other", 64, 0, 0, NULL);
    capture_begin();
    slab_free(other, p, 0x77777777);
    capture_end();
    EXPECT_TEXT("slab error in cache other: free of 0x%08x by 0x77777777: the object belongs to cache size-64\n",
                kaddr(p));
    /* a large kmalloc freed through a pointer inside it */
    big = kmalloc(200000, GFP_KERNEL);
    capture_begin();
    __kfree(big + 8, 0x88888888);
    capture_end();
    EXPECT_TEXT("slab error in kfree: free of 0x%08x by 0x88888888: not a kmalloc object\n", kaddr(big + 8));
    CHECK_EQ(slab_errors, 5);
    /* nothing was freed by the bad calls: p and big are still the caller's */
    CHECK_EQ(((uint32_t *)p)[-1], RED_ACTIVE);
    CHECK_EQ(page_count(virt_to_page(big)), 1);
    kfree(p);
    kfree(big);
    CHECK_EQ(kmem_cache_destroy(other), 0);
    CHECK_INTACT();
}

static void test_write_after_free(void)
{
    uint8_t *p, *q;
    uint32_t active;

    boot_debug();
    p = __kmalloc(64, GFP_KERNEL, 0x11111111);
    __kfree(p, 0x22222222);
    p[10] = 0;
    active = kmalloc_cache(64, 0)->nr_slabs * 50 - kmalloc_cache(64, 0)->free_objects;
    capture_begin();
    q = __kmalloc(64, GFP_KERNEL, 0x33333333);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: object 0x%08x written after free (byte 10 is 0x00, expected 0x6b), "
                "found by 0x33333333, freed by 0x22222222\n", kaddr(p));
    /* another object was handed out; p is left out (still counted in use) */
    CHECK(q != NULL && q != p);
    CHECK_EQ(((uint32_t *)q)[-1], RED_ACTIVE);
    CHECK_EQ(((uint32_t *)p)[-1], RED_INACTIVE);
    CHECK_EQ(kmalloc_cache(64, 0)->nr_slabs * 50 - kmalloc_cache(64, 0)->free_objects, active);
    /* the last byte too */
    kfree(q);
    q[63] = 0xa4;
    capture_begin();
    CHECK(__kmalloc(64, GFP_KERNEL, 0x44444444) != q);
    capture_end();
    CHECK(strstr(captured, "(byte 63 is 0xa4, expected 0xa5)") != NULL);
    CHECK_EQ(slab_errors, 2);
    CHECK_INTACT();
}

static void test_redzone(void)
{
    uint8_t *p;

    boot_debug();
    /* one byte past the end: the low byte of red zone 2 (little endian) */
    p = __kmalloc(64, GFP_KERNEL, 0x11111111);
    p[64] = 0;
    capture_begin();
    __kfree(p, 0x22222222);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: red zone after object 0x%08x overwritten (0xd8415600, "
                "expected 0xd84156c5), found by 0x22222222, last user 0x11111111\n", kaddr(p));
    /* one byte before the start: the high byte of red zone 1 */
    p = __kmalloc(64, GFP_KERNEL, 0x33333333);
    p[-1] = 0x41;
    capture_begin();
    __kfree(p, 0x44444444);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: red zone before object 0x%08x overwritten (0x414156c5, "
                "expected 0xd84156c5), found by 0x44444444, last user 0x33333333\n", kaddr(p));
    CHECK_INTACT();
    /* a free object's red zone hit (an overflow from its neighbour): found when it
     * is handed out again */
    p = __kmalloc(64, GFP_KERNEL, 0x55555555);
    __kfree(p, 0x66666666);
    p[64] = 0;
    capture_begin();
    CHECK(__kmalloc(64, GFP_KERNEL, 0x77777777) != p);
    capture_end();
    EXPECT_TEXT("slab error in cache size-64: red zone after free object 0x%08x overwritten (0x09f91100, "
                "expected 0x09f91102), found by 0x77777777, last user 0x66666666\n", kaddr(p));
    CHECK_EQ(slab_errors, 3);
    CHECK_INTACT();
}

/* kfree's own return address is what the reports name. */
static __attribute__((noinline)) void double_kfree(void *p)
{
    kfree(p);
    kfree(p);
    __asm__ volatile("" ::: "memory");     /* no tail call: kfree returns here */
}

static void test_real_caller(void)
{
    void *p;
    unsigned int caller = 0;
    const char *at;

    boot_debug();
    p = kmalloc(100, GFP_KERNEL);
    capture_begin();
    double_kfree(p);
    capture_end();
    at = strstr(captured, " by 0x");
    CHECK(at != NULL && sscanf(at, " by 0x%x", &caller) == 1);
    CHECK(caller > (uint32_t)(uintptr_t)double_kfree && caller < (uint32_t)(uintptr_t)double_kfree + 256);
    CHECK_INTACT();
}

int main(void)
{
    test_geometry();
    test_ctor_poison();
    test_double_free();
    test_bad_pointer();
    test_write_after_free();
    test_redzone();
    test_real_caller();
    slab_debug = false;
    mm_host_reset();
    return unit_done();
}
