/* test_mm_vmalloc: vmalloc, vzalloc, vmalloc_32, vmap, vunmap, vfree and
 * the lazy TLB purge (mm/vmalloc.c) on the host simulation of the kernel
 * page table and the per-CPU TLBs (tests/unit/mm_host_vm.c), on a 64 MiB
 * and a 1 GiB machine.  Every number is worked out by hand below.
 *
 *   64 MiB: RAM ends at 64 MiB - 128 KiB, so max_pfn = max_low_pfn = 0x3FE0;
 *           high_memory = 0xC0000000 + 0x3FE0000 = 0xC3FE0000;
 *           VMALLOC_START = (0xC3FE0000 + 16 MiB - 1) & ~(8 MiB - 1) = 0xC4800000.
 *   1 GiB:  max_low_pfn = 896 MiB / 4 KiB = 0x38000; high_memory = 0xF8000000;
 *           VMALLOC_START = (0xF8000000 + 16 MiB - 1) & ~(8 MiB - 1) = 0xF8800000,
 *           VMALLOC_END = 0xFF800000 - 2 pages = 0xFF7FE000: 0x6FFE = 28670 pages.
 *   lazy_max_pages = fls(CPUs) * 8192: 8192 (1 CPU), 16384 (2), 24576 (4), 32768 (8).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mm_host.h"
#include "mm_host_vm.h"
#include "unit.h"
#include "vm_layout.h"
#include "vmalloc.h"
#include "vmap_tree.h"

#define MB64   (64ull << 20)
#define GB1    (1ull << 30)
#define START64 0xC4800000u
#define START1G 0xF8800000u
#define PG     PAGE_SIZE
#define GFP_V  (GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN)

static inline uint32_t V(const void *p) { return (uint32_t)(uintptr_t)p; }

static void boot(uint64_t ram, unsigned cpus)
{
    mm_host_boot(ram, cpus, 1);
    mm_host_vm_reset();
    vmalloc_init();
}

static void *vpages(uint32_t pages) { return __vmalloc_caller(pages * PG, GFP_V, 0); }

/* Free pages of the buddy allocator and the per-CPU lists, all zones. */
static uint32_t free_total(void)
{
    struct zone *z;
    uint32_t n = 0;

    for_each_populated_zone(z)
        n += zone_page_state(z, NR_FREE_PAGES) + zone_pcp_count(z);
    return n;
}

static uint32_t pagetables(void)
{
    struct zone *z;
    uint32_t n = 0;

    for_each_populated_zone(z)
        n += zone_page_state(z, NR_PAGETABLE);
    return n;
}

static struct vmalloc_stats stats(void)
{
    struct vmalloc_stats s;

    vmalloc_get_stats(&s);
    return s;
}

static struct tlb_stats tlb(unsigned cpu)
{
    struct tlb_stats t;

    arch_tlb_stats(cpu, &t);
    return t;
}

static struct mm_host_flush_log flushes(void)
{
    struct mm_host_flush_log l;

    mm_host_flush_log(&l);
    return l;
}

static uint32_t *word(unsigned cpu, uint32_t vaddr) { return mm_host_vread(cpu, vaddr); }

static uint32_t *pfn_words(uint32_t pfn) { return mm_host_ram((uint64_t)pfn << PAGE_SHIFT); }

static uint32_t pfn_at(uint32_t vaddr) { return page_to_pfn(vmalloc_to_page((void *)(uintptr_t)vaddr)); }

/* ---- layout ---------------------------------------------------------------------------- */

static void test_layout(void)
{
    boot(MB64, 1);
    CHECK_EQ(max_low_pfn, 0x3FE0);
    CHECK_EQ(vm_vmalloc_start(max_low_pfn), START64);
    CHECK_EQ(V(vpages(1)), START64);
    CHECK_EQ(lazy_max_pages(), 8192);
    mm_host_set_nr_cpus(2);
    CHECK_EQ(lazy_max_pages(), 16384);
    mm_host_set_nr_cpus(3);
    CHECK_EQ(lazy_max_pages(), 16384);
    mm_host_set_nr_cpus(4);
    CHECK_EQ(lazy_max_pages(), 24576);
    mm_host_set_nr_cpus(8);
    CHECK_EQ(lazy_max_pages(), 32768);

    boot(GB1, 1);
    CHECK_EQ(max_low_pfn, 0x38000);
    CHECK_EQ(vm_vmalloc_start(max_low_pfn), START1G);
    CHECK_EQ(V(vpages(1)), START1G);
    CHECK_EQ(VMALLOC_END, 0xFF7FE000u);
}

/* ---- addresses: first fit, guard pages, lazy ranges not reused ------------------------------ */

static void test_addresses(void)
{
    void *a, *b, *c, *d, *e, *f, *g, *h;

    boot(MB64, 1);
    a = vpages(1);
    b = vpages(3);
    c = __vmalloc_caller(5000, GFP_V, 0);         /* 2 pages */
    d = __vmalloc_caller(1, GFP_V, 0);            /* 1 page */
    CHECK_EQ(V(a), START64);                       /* [0, 1) + guard 1 */
    CHECK_EQ(V(b), START64 + 2 * PG);              /* a + size + guard */
    CHECK_EQ(V(c), START64 + 6 * PG);              /* b + 3 + 1 */
    CHECK_EQ(V(d), START64 + 9 * PG);              /* c + 2 + 1 */
    CHECK_EQ(stats().areas, 4);
    CHECK(__vmalloc_caller(0, GFP_V, 0) == NULL);
    CHECK(__vmalloc_caller(0x7FFFF000ul, GFP_V, 0) == NULL);   /* more than the whole range */

    vfree(b);                                       /* lazy: [2, 6) stays taken */
    CHECK_EQ(stats().lazy_areas, 1);
    CHECK_EQ(stats().lazy_pages, 4);                /* 3 pages + guard */
    e = vpages(1);
    CHECK_EQ(V(e), START64 + 11 * PG);              /* after d, not in b's hole */
    vm_purge_lazy();
    CHECK_EQ(stats().lazy_areas, 0);
    CHECK_EQ(stats().purges, 1);
    f = vpages(2);                                  /* b's hole [2, 6): 2 + guard fits */
    CHECK_EQ(V(f), START64 + 2 * PG);
    g = vpages(1);                                  /* [5, 6) is 1 page: 1 + guard does not fit */
    CHECK_EQ(V(g), START64 + 13 * PG);
    vfree(a);
    vm_purge_lazy();
    h = vpages(1);                                  /* a's place again */
    CHECK_EQ(V(h), START64);
    CHECK(vmalloc(PG) != NULL);                     /* the plain entry points */
    CHECK(vzalloc(PG) != NULL);
    CHECK(vmalloc_32(PG) != NULL);
    CHECK_EQ(stats().areas, 9);
    CHECK_EQ(stats().vfrees, 2);
}

/* ---- which pages ------------------------------------------------------------------------- */

static void test_highmem_preference(void)
{
    uint32_t k, high = 0, low = 0, below = 0;
    void *p, *q;

    boot(GB1, 1);
    p = vpages(8);
    q = __vmalloc_caller(8 * PG, GFP_KERNEL | __GFP_NOWARN, 0);   /* vmalloc_32's gfp */
    for (k = 0; k < 8; k++) {
        struct page *hp = vmalloc_to_page((char *)p + k * PG);
        struct page *lp = vmalloc_to_page((char *)q + k * PG + 100);

        high += page_to_pfn(hp) >= max_low_pfn && page_zonenum(hp) == ZONE_HIGHMEM;
        low += page_zonenum(lp) != ZONE_HIGHMEM;
        below += page_to_pfn(lp) < max_low_pfn;
    }
    CHECK_EQ(high, 8);
    CHECK_EQ(low, 8);
    CHECK_EQ(below, 8);
    q = vmalloc_32(3 * PG);
    for (k = 0; k < 3; k++)
        CHECK(page_to_pfn(vmalloc_to_page((char *)q + k * PG)) < max_low_pfn);
    CHECK(vmalloc_to_page((char *)q + 3 * PG) == NULL);   /* the guard page */
}

/* Pages with 0xA5 everywhere, freed (onto the per-CPU list), then taken
 * again by vmalloc / vzalloc: vmalloc shows the old bytes, vzalloc zeroes.
 * N = 4 pages stay on the list (64 MiB Normal: high 6, batch 1) once the
 * list was drained. */
static void zero_case(uint64_t ram, gfp_t dirty_gfp)
{
    enum { N = 4 };
    uint32_t dirty[N], k, i, reused = 0, nonzero = 0;
    struct page *pg[N];
    void *p;

    boot(ram, 1);
    vfree(vpages(1));                     /* the first page table exists from now on */
    vm_purge_lazy();
    drain_local_pages();
    for (k = 0; k < N; k++) {
        pg[k] = alloc_page(dirty_gfp);
        dirty[k] = page_to_pfn(pg[k]);
        memset(pfn_words(dirty[k]), 0xA5, PG);
    }
    for (k = 0; k < N; k++)
        __free_page(pg[k]);
    p = vpages(N);                        /* not zeroed: the old bytes show */
    for (k = 0; k < N; k++) {
        uint32_t pfn = pfn_at(V(p) + k * PG);

        for (i = 0; i < N; i++)
            reused += pfn == dirty[i];
        nonzero += *word(0, V(p) + k * PG + 64) == 0xA5A5A5A5u;
    }
    CHECK_EQ(reused, N);
    CHECK_EQ(nonzero, N);
    vfree(p);
    vm_purge_lazy();
    for (k = 0; k < N; k++)
        memset(pfn_words(dirty[k]), 0xA5, PG);
    p = __vmalloc_caller(N * PG, GFP_V | __GFP_ZERO, 0);
    reused = nonzero = 0;
    for (k = 0; k < N; k++) {
        uint32_t pfn = pfn_at(V(p) + k * PG);

        for (i = 0; i < N; i++)
            reused += pfn == dirty[i];
        for (i = 0; i < PG / 4; i++)
            nonzero += word(0, V(p) + k * PG)[i] != 0;
    }
    CHECK_EQ(reused, N);
    CHECK_EQ(nonzero, 0);
    CHECK(vzalloc(3 * PG) != NULL);
}

static void test_vzalloc(void)
{
    zero_case(MB64, GFP_KERNEL);                          /* lowmem pages: page_address */
    zero_case(GB1, GFP_HIGHUSER);                         /* highmem pages: kmap_atomic */
    CHECK(page_zonenum(vmalloc_to_page((void *)(uintptr_t)START1G)) == ZONE_HIGHMEM);
}

/* ---- vmap / vunmap / vmalloc_to_page --------------------------------------------------- */

static void test_vmap(void)
{
    struct page *pages[4];
    uint32_t k, v, free0;
    void *m;

    boot(MB64, 1);
    for (k = 0; k < 4; k++) {
        pages[k] = alloc_page(GFP_KERNEL);
        pfn_words(page_to_pfn(pages[k]))[10] = 0x1000 + k;
    }
    free0 = free_total();
    m = vmap(pages, 4);
    v = V(m);
    CHECK_EQ(v, START64);
    CHECK_EQ(free_total() + 1, free0);                    /* only the page table */
    for (k = 0; k < 4; k++) {
        CHECK(vmalloc_to_page((void *)(uintptr_t)(v + k * PG + 123)) == pages[k]);
        CHECK_EQ(word(0, v + k * PG)[10], 0x1000 + k);
        word(3 % MM_MAX_CPUS, v + k * PG)[11] = 0x2000 + k;   /* any CPU sees the mapping */
        CHECK_EQ(pfn_words(page_to_pfn(pages[k]))[11], 0x2000 + k);
    }
    CHECK(vmap(pages, 0) == NULL);
    vunmap(m);
    CHECK_EQ(arch_kpte_pfn(v), MM_NIL);
    CHECK(vmalloc_to_page(m) == NULL);
    CHECK_EQ(free_total() + 1, free0);                    /* vunmap frees no page */
    for (k = 0; k < 4; k++) {
        CHECK_EQ(page_count(pages[k]), 1);
        CHECK_EQ(pfn_words(page_to_pfn(pages[k]))[11], 0x2000 + k);
    }
    CHECK_EQ(stats().lazy_pages, 5);
    vfree(m);                                             /* already gone: a warning, nothing else */
    CHECK_EQ(stats().lazy_pages, 5);
    CHECK_EQ(stats().vfrees, 1);
    /* vfree of a vmap area unmaps without freeing the caller's pages */
    m = vmap(pages, 2);
    CHECK_EQ(V(m), START64 + 5 * PG);
    vfree(m);
    CHECK_EQ(free_total() + 1, free0);
    for (k = 0; k < 4; k++)
        __free_page(pages[k]);
    CHECK_EQ(free_total() + 1, free0 + 4);
}

/* ---- page tables ------------------------------------------------------------------------ */

static void test_pagetables(void)
{
    uint32_t free0, pt0;
    void *a, *b, *c, *d;

    boot(MB64, 1);
    free0 = free_total();
    pt0 = pagetables();
    CHECK_EQ(pt0, 0);
    a = vpages(1);                                  /* region 0xC4800000: first page table */
    CHECK_EQ(pagetables(), 1);
    CHECK_EQ(free_total(), free0 - 1 - 1);
    b = vpages(1020);                               /* pages 2..1021 (+ guard 1022): same region */
    CHECK_EQ(V(b), START64 + 2 * PG);
    CHECK_EQ(pagetables(), 1);
    c = vpages(4);                                  /* pages 1023..1026: into region 0xC4C00000 */
    CHECK_EQ(V(c), START64 + 1023 * PG);
    CHECK_EQ(pagetables(), 2);
    CHECK_EQ(mm_host_pagetable_pages(), 2);
    CHECK_EQ(free_total(), free0 - 2 - 1025);
    /* vfree gives the data pages back at once; the page tables stay */
    vfree(a);
    vfree(b);
    vfree(c);
    CHECK_EQ(free_total(), free0 - 2);
    CHECK_EQ(stats().lazy_pages, 2 + 1021 + 5);
    /* ... but not the addresses, until the purge */
    d = vpages(1);
    CHECK_EQ(V(d), START64 + 1028 * PG);
    CHECK_EQ(pagetables(), 2);
    vfree(d);
    vm_purge_lazy();
    CHECK_EQ(V(vpages(1)), START64);
    CHECK_EQ(pagetables(), 2);
}

/* ---- the lazy threshold ------------------------------------------------------------------- */

/* Areas of 63 pages (64 with the guard) vmalloc'd and vfree'd one after
 * the other: the limit L = fls(cpus) * 8192 pages is crossed by vfree
 * number L / 64 + 1; it purges all of them with one flush of
 * [VMALLOC_START, VMALLOC_START + (L / 64 + 1) * 64 pages). */
static void lazy_case(unsigned cpus, unsigned crossing_cpu)
{
    /* fls(1) = 1, fls(2) = 2, fls(4) = 3: times 32 MiB / 4 KiB = 8192 pages */
    uint32_t limit = cpus == 1 ? 8192 : cpus == 2 ? 16384 : 24576, n = limit / 64 + 1, k, bad_addr = 0, early = 0;
    struct mm_host_flush_log log;
    unsigned cpu;

    boot(MB64, cpus);
    CHECK_EQ(lazy_max_pages(), limit);
    for (k = 1; k <= n; k++) {
        void *p = vpages(63);

        bad_addr += V(p) != START64 + (k - 1) * 64 * PG;
        if (k == n)
            mm_host_set_cpu(crossing_cpu);
        vfree(p);
        if (k < n)
            early += stats().purges != 0 || flushes().calls != 0 || stats().lazy_pages != k * 64;
    }
    mm_host_set_cpu(0);
    CHECK_EQ(bad_addr, 0);
    CHECK_EQ(early, 0);
    CHECK_EQ(stats().purges, 1);
    CHECK_EQ(stats().lazy_pages, 0);
    CHECK_EQ(stats().lazy_areas, 0);
    log = flushes();
    CHECK_EQ(log.calls, 1);
    CHECK_EQ(log.local_calls, 0);
    CHECK_EQ(log.start, START64);
    CHECK_EQ(log.end, START64 + n * 64 * PG);
    CHECK_EQ(log.pages, n * 64);
    CHECK(log.full);
    CHECK_EQ(log.initiator, crossing_cpu);
    CHECK_EQ(log.why, TLB_REASON_VMAP_PURGE);
    for (cpu = 0; cpu < cpus; cpu++) {
        struct tlb_stats t = tlb(cpu);

        CHECK_EQ(t.shootdowns_sent, cpus > 1 && cpu == crossing_cpu);
        CHECK_EQ(t.shootdowns_received, cpus > 1 && cpu != crossing_cpu);
        CHECK_EQ(t.local_flushes, cpus == 1);
        CHECK_EQ(t.full_flushes, 1);
        CHECK_EQ(t.pages_flushed, 0);
        CHECK_EQ(t.by_reason[TLB_REASON_VMAP_PURGE], 1);
        CHECK_EQ(t.by_reason[TLB_REASON_OTHER], 0);
    }
    CHECK_EQ(V(vpages(63)), START64);              /* the range is free again */

    /* a small purge: 2 pages + guard = 3 pages, flushed page by page */
    {
        void *p = vpages(2), *q;

        q = vpages(63);
        vfree(p);
        vm_purge_lazy();
        log = flushes();
        CHECK_EQ(log.calls, 2);
        CHECK_EQ(log.start, V(p));
        CHECK_EQ(log.end, V(p) + 3 * PG);
        CHECK(!log.full);
        for (cpu = 0; cpu < cpus; cpu++) {
            CHECK_EQ(tlb(cpu).pages_flushed, 3);
            CHECK_EQ(tlb(cpu).full_flushes, 1);
        }
        CHECK_EQ(tlb(0).shootdowns_sent, cpus > 1 ? 1u + (crossing_cpu == 0) : 0u);
        CHECK_EQ(tlb(0).local_flushes, cpus == 1 ? 2u : 0u);
        vfree(q);
    }
    /* purging with nothing lazy flushes nothing */
    vm_purge_lazy();
    vm_purge_lazy();
    CHECK_EQ(flushes().calls, 3);
    CHECK_EQ(stats().purges, 3);
    vm_purge_lazy();
    CHECK_EQ(flushes().calls, 3);
    CHECK_EQ(stats().purges, 3);
}

static void test_lazy_threshold(void)
{
    lazy_case(1, 0);        /* 8192: the 129th vfree purges */
    lazy_case(4, 2);        /* fls(4) = 3: 24576, the 385th vfree (on CPU 2) purges */
    lazy_case(2, 1);        /* 16384, the 257th */
}

/* ---- a stale translation ------------------------------------------------------------------ */

/* CPU 1 reads a vmalloc'd page (its TLB caches the translation); CPU 0
 * vfrees it, the purge runs and a new vmalloc gets the same address with
 * another page.  With the purge's flush, CPU 1 sees the new page; with the
 * flush suppressed it still reads the old one. */
static void stale_case(bool suppress)
{
    uint32_t a, b, old_pfn, new_pfn, got = 0;
    struct page *hold;

    boot(MB64, 4);
    a = V(vpages(1));
    old_pfn = pfn_at(a);
    *word(0, a) = 0x11111111u;
    CHECK_EQ(*word(1, a), 0x11111111u);           /* CPU 1 caches a → old page */
    CHECK(mm_host_tlb_peek(1, a, NULL));
    vfree((void *)(uintptr_t)a);
    hold = alloc_page(GFP_KERNEL | __GFP_HIGHMEM); /* takes the freed page (per-CPU list, LIFO) */
    CHECK_EQ(page_to_pfn(hold), old_pfn);
    mm_host_tlb_suppress_flush(suppress);
    vm_purge_lazy();
    mm_host_tlb_suppress_flush(false);
    CHECK_EQ(mm_host_tlb_peek(1, a, NULL), suppress);
    b = V(vpages(1));
    CHECK_EQ(b, a);
    new_pfn = pfn_at(b);
    CHECK(new_pfn != old_pfn);
    pfn_words(new_pfn)[0] = 0x22222222u;
    CHECK(mm_host_vtranslate(1, b, &got));
    if (!suppress) {
        CHECK_EQ(got, new_pfn);
        CHECK_EQ(*word(1, b), 0x22222222u);
    } else {
        CHECK_EQ(got, old_pfn);                      /* the missing flush shows */
        CHECK_EQ(*word(1, b), 0x11111111u);
    }
    CHECK_EQ(*word(2, b), 0x22222222u);              /* a CPU that never read a is right either way */
    __free_page(hold);
}

static void test_stale_translation(void)
{
    stale_case(false);
    stale_case(true);
}

/* ---- out of space --------------------------------------------------------------------------- */

static void test_out_of_space(void)
{
    void *a, *b, *c, *x[VMAP_MAX_AREAS];
    uint32_t k, fails = 0, x5;
    struct mm_host_flush_log log;

    /* 1 GiB, 4 CPUs: 28670 pages of space, lazy limit 24576 */
    boot(GB1, 4);
    a = vpages(20000);
    CHECK_EQ(V(a), START1G);
    vfree(a);                                       /* 20001 lazy pages: below the limit */
    CHECK_EQ(stats().purges, 0);
    CHECK_EQ(stats().lazy_pages, 20001);
    b = vpages(10000);                              /* 8669 pages left: no gap, purge, retry */
    CHECK_EQ(V(b), START1G);
    CHECK_EQ(stats().purges, 1);
    log = flushes();
    CHECK_EQ(log.calls, 1);
    CHECK_EQ(log.start, START1G);
    CHECK_EQ(log.end, START1G + 20001 * PG);
    c = vpages(18668);                              /* 10001 + 18669 = 28670: exactly the rest */
    CHECK_EQ(V(c), START1G + 10001 * PG);
    CHECK(vpages(1) == NULL);                       /* nothing lazy to purge: NULL */
    CHECK_EQ(stats().purges, 1);
    CHECK_EQ(flushes().calls, 1);
    CHECK_EQ(stats().areas, 2);
    vfree(b);
    vfree(c);

    /* 64 MiB, 1 CPU: the node pool (VMAP_MAX_AREAS areas) */
    boot(MB64, 1);
    for (k = 0; k < VMAP_MAX_AREAS; k++) {
        x[k] = vpages(1);
        fails += x[k] == NULL || V(x[k]) != START64 + 2 * k * PG;
    }
    CHECK_EQ(fails, 0);
    CHECK(vpages(1) == NULL);                        /* pool full, nothing lazy */
    CHECK_EQ(stats().purges, 0);
    x5 = V(x[5]);
    vfree(x[5]);                                     /* lazy, still holding its node */
    CHECK_EQ(stats().purges, 0);
    CHECK_EQ(V(vpages(1)), x5);                      /* pool full → purge → x[5]'s place */
    CHECK_EQ(stats().purges, 1);
    CHECK_EQ(stats().areas, VMAP_MAX_AREAS);
}

/* ---- failure undoes everything ---------------------------------------------------------- */

static void test_alloc_failure(void)
{
    uint32_t free0, pt0, n;
    char buf[256];
    struct mm_seq s = { .buf = buf, .size = sizeof(buf) };

    boot(MB64, 1);
    free0 = free_total();
    pt0 = pagetables();
    n = free0 + 64;                                 /* more than there is, less than max_pfn */
    CHECK(n < max_pfn);
    CHECK(vpages(n) == NULL);
    CHECK(pagetables() > pt0);                      /* page tables made on the way stay */
    CHECK_EQ(free_total() + (pagetables() - pt0), free0);
    CHECK_EQ(stats().areas, 0);
    CHECK_EQ(stats().lazy_areas, 0);
    CHECK_EQ(arch_kpte_pfn(START64), MM_NIL);
    CHECK_EQ(arch_kpte_pfn(START64 + 1000 * PG), MM_NIL);
    mm_report_vmallocinfo(&s);
    CHECK_EQ(s.len, 0);
    CHECK_EQ(V(vpages(1)), START64);                 /* the range was released at once */
    CHECK_EQ(flushes().calls, 0);
}

/* ---- vmallocinfo ---------------------------------------------------------------------------- */

static char *read_expected(const char *name)
{
    char path[512];
    FILE *f;
    char *buf;
    long len;

    snprintf(path, sizeof path, "%s/%s", PAGELAB_UNIT_EXPECTED, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)len + 1);
    if (fread(buf, 1, (size_t)len, f) != (size_t)len)
        len = 0;
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static void compare_info(const char *file)
{
    static char out[16384];
    struct mm_seq s = { .buf = out, .size = sizeof(out) };
    char *want = read_expected(file);

    memset(out, 0, sizeof(out));
    mm_report_vmallocinfo(&s);
    CHECK(!s.overflow);
    CHECK(want != NULL);
    if (want && strcmp(out, want) != 0) {
        fprintf(stderr, "%s differs:\n--- got\n%s--- want\n%s", file, out, want);
        CHECK(0);
    } else {
        CHECK(1);
    }
    free(want);
}

static void test_vmallocinfo(void)
{
    struct page *pages[3];
    void *b, *v;
    unsigned k;

    boot(MB64, 1);
    __vmalloc_caller(2 * PG, GFP_V, 0xc0101234u);
    for (k = 0; k < 3; k++)
        pages[k] = alloc_page(GFP_KERNEL);
    vmap_caller(pages, 3, 0xc0102000u);
    b = __vmalloc_caller(PG, GFP_KERNEL, 0xc0103000u);
    __vmalloc_caller(5 * PG, GFP_V, 0);
    vfree(b);
    __vmalloc_caller(100 * PG, GFP_V | __GFP_ZERO, 0xc01fffffu);
    compare_info("vmallocinfo_64m.txt");
    vm_purge_lazy();
    compare_info("vmallocinfo_64m_purged.txt");

    boot(GB1, 1);
    __vmalloc_caller(16 * PG, GFP_V, 0xc0105000u);
    pages[0] = alloc_page(GFP_KERNEL);
    v = vmap_caller(pages, 1, 0);
    vunmap(v);
    __vmalloc_caller(1024 * PG, GFP_V, 0xc0106000u);
    __vmalloc_caller(PG, GFP_KERNEL, 0xc0107000u);
    compare_info("vmallocinfo_1g.txt");
}

int main(void)
{
    test_layout();
    test_addresses();
    test_highmem_preference();
    test_vzalloc();
    test_vmap();
    test_pagetables();
    test_lazy_threshold();
    test_stale_translation();
    test_out_of_space();
    test_alloc_failure();
    test_vmallocinfo();
    return unit_done();
}
