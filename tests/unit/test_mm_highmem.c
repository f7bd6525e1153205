/* test_mm_highmem: kmap / kmap_atomic (mm/highmem.c) on the host's
 * simulated page table and per-CPU TLBs (mm_host_vm.c), 1 GiB, 4 CPUs:
 *   - lowmem pages: the direct map, no slot;
 *   - pkmap counts 2 / 3 / 2 / 1, page_address while cached, NULL after
 *     the flush; contents through the mapping equal the RAM;
 *   - exactly one flush_all_zero_pkmaps (one flush_tlb_kernel_range of the
 *     whole window, TLB_REASON_KMAP_FLUSH, full) per wrap of the scan;
 *   - a CPU that cached a pkmap translation sees the slot's new page after
 *     the wrap's shootdown, and the OLD page when flushes are suppressed
 *     (so the test would catch a missing flush);
 *   - kmap with every slot busy waits (arch_wait_for_event) until a kunmap;
 *   - kmap_atomic: per-CPU slots, 16-deep stack, LIFO enforced, local
 *     flush only; kunmap of an unmapped page and overflow are MM_BUG_ONs. */
#include <string.h>

#include "highmem.h"
#include "mm_host.h"
#include "mm_host_vm.h"
#include "unit.h"
#include "vm_layout.h"

#define NCPUS 4

#define NBLOCKS 5
static struct page *hp[NBLOCKS];        /* blocks of 1024 highmem pages */

static struct page *hpage(uint32_t i) { return hp[i >> 10] + (i & 1023); }

static uint32_t *ram_of(struct page *p) { return mm_host_ram((uint64_t)page_to_pfn(p) << PAGE_SHIFT); }

static uint32_t flushes(void)
{
    struct kmap_stats s;
    kmap_get_stats(&s);
    return s.flushes;
}

static void boot(void)
{
    unsigned i;

    mm_host_boot(1ull << 30, NCPUS, 1);
    mm_host_vm_reset();
    kmap_init();
    for (i = 0; i < NBLOCKS; i++) {
        hp[i] = alloc_pages(GFP_HIGHUSER, 10);
        CHECK(hp[i] != NULL && page_to_pfn(hp[i]) >= max_low_pfn);
    }
}

static void test_lowmem(void)
{
    struct page *p = alloc_page(GFP_KERNEL);
    struct kmap_stats b, a;

    kmap_get_stats(&b);
    CHECK(kmap(p) == page_address(p));
    CHECK(kmap_atomic(p) == page_address(p));
    CHECK_EQ(kmap_atomic_depth(), 0);
    kunmap_atomic(page_address(p));
    kunmap(p);
    kmap_get_stats(&a);
    CHECK_EQ(a.kmaps, b.kmaps);
    CHECK_EQ(a.in_use, 0);
    __free_page(p);
}

static void test_counts(void)
{
    struct page *p = hpage(0);
    uint32_t *a, *b, *v;
    struct kmap_stats s;

    CHECK(page_address(p) == NULL);
    a = kmap(p);
    CHECK((uintptr_t)a >= PKMAP_BASE && (uintptr_t)a < PKMAP_END);
    CHECK_EQ(kmap_pkmap_count(a), 2);
    CHECK(page_address(p) == a);
    b = kmap(p);
    CHECK(a == b);
    CHECK_EQ(kmap_pkmap_count(a), 3);
    kmap_get_stats(&s);
    CHECK_EQ(s.in_use, 1);
    v = mm_host_vread(1, (uint32_t)(uintptr_t)a);        /* another CPU, same mapping */
    CHECK(v == ram_of(p));
    kunmap(p);
    CHECK_EQ(kmap_pkmap_count(a), 2);
    kunmap(p);
    CHECK_EQ(kmap_pkmap_count(a), 1);
    CHECK(page_address(p) == a);                         /* cached until the flush */
    CHECK(kmap(p) == a);                                 /* and reused */
    kunmap(p);
    kmap_get_stats(&s);
    CHECK_EQ(s.in_use, 0);
}

static void kunmap_unmapped(void *arg) { kunmap(arg); }

/* kmap + stamp + kunmap of page i. */
static uint32_t map_one(uint32_t i)
{
    uint32_t *a = kmap(hpage(i));
    uint32_t va = (uint32_t)(uintptr_t)a;

    *(uint32_t *)mm_host_vread(0, va) = page_to_pfn(hpage(i));
    kunmap(hpage(i));
    return va;
}

static uint32_t test_wrap(bool suppress, uint32_t i)
{
    uint32_t f0 = flushes(), va = 0, n, seen, stale_pfn;
    struct mm_host_flush_log log0, log1;

    /* up to the next wrap: that kmap gets slot 0 */
    while (flushes() == f0 && i < NBLOCKS * 1024u - LAST_PKMAP - 8)
        va = map_one(i++);
    CHECK_EQ(flushes(), f0 + 1);
    CHECK_EQ(va, PKMAP_BASE);
    /* CPU 2 reads slot 5's page: its TLB caches the translation */
    stale_pfn = 0;
    for (n = 1; n < LAST_PKMAP; n++) {
        va = map_one(i++);
        CHECK_EQ(va, PKMAP_BASE + n * PAGE_SIZE);
        if (n == 5)
            stale_pfn = *(uint32_t *)mm_host_vread(2, va);
    }
    CHECK_EQ(flushes(), f0 + 1);
    mm_host_flush_log(&log0);
    mm_host_tlb_suppress_flush(suppress);
    for (n = 0; n <= 5; n++)                             /* wraps, then slots 0 .. 5 again */
        va = map_one(i++);
    mm_host_tlb_suppress_flush(false);
    mm_host_flush_log(&log1);
    CHECK_EQ(flushes(), f0 + 2);
    CHECK_EQ(log1.calls, log0.calls + 1);                /* one shootdown per wrap */
    CHECK_EQ(log1.start, PKMAP_BASE);
    CHECK_EQ(log1.end, PKMAP_END);
    CHECK(log1.full);
    CHECK_EQ(log1.why, TLB_REASON_KMAP_FLUSH);
    CHECK_EQ(va, PKMAP_BASE + 5 * PAGE_SIZE);
    seen = *(uint32_t *)mm_host_vread(2, va);
    if (suppress)
        CHECK_EQ(seen, stale_pfn);                        /* the missing flush shows */
    else
        CHECK_EQ(seen, page_to_pfn(hpage(i - 1)));
    CHECK(seen != page_to_pfn(hpage(i - 1)) || !suppress);
    /* pages flushed away have no address; every page kept its stamp */
    for (n = 1; n < i; n++) {
        void *pa = page_address(hpage(n));
        CHECK(pa == NULL || ((uintptr_t)pa >= PKMAP_BASE && (uintptr_t)pa <= PKMAP_BASE + 5 * PAGE_SIZE));
        CHECK_EQ(*ram_of(hpage(n)), page_to_pfn(hpage(n)));
    }
    return i;
}

/* ---- waiting for a slot -------------------------------------------------------------- */

static unsigned hook_calls, hook_release_at;
static void release_one(void *arg)
{
    if (++hook_calls == hook_release_at)
        kunmap(arg);
}

static void test_wait(void)
{
    uint32_t n, busy = 0;
    struct kmap_stats s;
    void *a, *a7;

    kmap_init();                                     /* all slots 0 */
    mm_host_vm_reset();
    for (n = 0; n < LAST_PKMAP; n++)
        if (kmap(hpage(n)))
            busy++;
    kmap_get_stats(&s);
    CHECK_EQ(s.in_use, LAST_PKMAP);
    a7 = page_address(hpage(7));
    hook_calls = 0;
    hook_release_at = 2100;                          /* > 2 s of fake time: the report */
    mm_host_set_wait_hook(release_one, hpage(7));
    a = kmap(hpage(2000));
    mm_host_set_wait_hook(NULL, NULL);
    kmap_get_stats(&s);
    CHECK_EQ(s.waits, 1);
    CHECK(hook_calls >= hook_release_at);
    CHECK(a7 != NULL && a == a7);                    /* the slot of the kunmapped page */
    CHECK(page_address(hpage(7)) == NULL);
    kunmap(hpage(2000));
    for (n = 0; n < LAST_PKMAP; n++)
        if (n != 7)
            kunmap(hpage(n));
    CHECK_EQ(busy, LAST_PKMAP);
}

/* ---- kmap_atomic ------------------------------------------------------------------------ */

static void *stack_addr[KM_TYPE_NR + 1];

static void unmap_not_top(void *arg) { (void)arg; kunmap_atomic(stack_addr[0]); }
static void overflow(void *arg) { (void)arg; kmap_atomic(hpage(100)); }

static void test_atomic(void)
{
    struct mm_host_flush_log l0, l1;
    unsigned cpu, i;

    for (cpu = 0; cpu < NCPUS; cpu++) {
        mm_host_set_cpu(cpu);
        for (i = 0; i < KM_TYPE_NR; i++) {
            stack_addr[i] = kmap_atomic(hpage(10 + i));
            CHECK_EQ((uintptr_t)stack_addr[i], fix_to_virt(FIX_KMAP_BEGIN + KM_TYPE_NR * cpu + i));
            CHECK(mm_host_vread(cpu, (uint32_t)(uintptr_t)stack_addr[i]) == ram_of(hpage(10 + i)));
        }
        CHECK_EQ(kmap_atomic_depth(), KM_TYPE_NR);
        CHECK(mm_host_expect_bug(overflow, NULL));
        mm_host_unlock_all();
        CHECK(mm_host_expect_bug(unmap_not_top, NULL));
        mm_host_unlock_all();
        mm_host_flush_log(&l0);
        for (i = KM_TYPE_NR; i-- > 0;) {
            kunmap_atomic(stack_addr[i]);
            CHECK_EQ(arch_kpte_pfn((uint32_t)(uintptr_t)stack_addr[i]), MM_NIL);
            CHECK(!mm_host_tlb_peek(cpu, (uint32_t)(uintptr_t)stack_addr[i], &(uint32_t){ 0 }));
        }
        mm_host_flush_log(&l1);
        CHECK_EQ(l1.calls, l0.calls);                             /* no shootdown */
        CHECK_EQ(l1.local_calls, l0.local_calls + KM_TYPE_NR);    /* local invlpg each */
        CHECK_EQ(kmap_atomic_depth(), 0);
    }
    mm_host_set_cpu(0);
}

int main(void)
{
    boot();
    test_lowmem();
    test_counts();
    test_wrap(true, test_wrap(false, 1));
    test_atomic();
    boot();                                  /* fresh slots and pages */
    test_wait();
    /* last: the bug leaves kmap's own lock taken */
    CHECK(mm_host_expect_bug(kunmap_unmapped, hpage(4000)));
    mm_host_unlock_all();
    return unit_done();
}
