/* tests/unit/test_mm_report.c - the /proc-style reports of mm/report.c
 * (buddyinfo, pagetypeinfo, zoneinfo, Mem-Info) on allocator state built
 * by hand (no mm_init), compared byte for byte with hand-written files in
 * tests/unit/expected/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"
#include "internal.h"
#include "mm_host.h"
#include "capture.h"
#include "unit.h"

#define NPAGES 10240u
static struct page pages[NPAGES];

/* ---- building state ------------------------------------------------------------------ */

static void init_zone(unsigned nid, unsigned zid, const char *name, uint32_t start, uint32_t spanned)
{
    struct zone *z = &node_data[nid].node_zones[zid];

    memset(z, 0, sizeof *z);
    z->node = nid;
    z->zone_idx = zid;
    z->zone_start_pfn = start;
    z->spanned_pages = spanned;
    if (name)
        snprintf(z->name, sizeof z->name, "%s", name);
    for (unsigned o = 0; o < MAX_ORDER; o++)
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
            mm_list_init(&z->free_area[o].free_list[mt]);
    for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
        for (unsigned t = 0; t < MIGRATE_PCPTYPES; t++)
            mm_list_init(&z->pcp[cpu].lists[t]);
    for (uint32_t pfn = start; pfn < start + spanned; pfn++)
        pages[pfn].flags = (zid << PAGE_ZONE_SHIFT) | (nid << PAGE_NODE_SHIFT);
    node_data[nid].node_id = nid;
}

static struct zone *zone_of(unsigned nid, unsigned zid) { return &node_data[nid].node_zones[zid]; }

static void sizes(struct zone *z, uint32_t present, uint32_t managed,
                  uint32_t min, uint32_t low, uint32_t high, uint32_t r0, uint32_t r1, uint32_t r2)
{
    z->present_pages = present;
    z->managed_pages = managed;
    z->watermark[WMARK_MIN] = min;
    z->watermark[WMARK_LOW] = low;
    z->watermark[WMARK_HIGH] = high;
    z->lowmem_reserve[0] = r0;
    z->lowmem_reserve[1] = r1;
    z->lowmem_reserve[2] = r2;
}

static void add_free(struct zone *z, uint32_t pfn, unsigned order, unsigned mt)
{
    struct page *p = pfn_to_page(pfn);

    set_page_flag(p, PG_buddy);
    p->private = order;
    p->index = mt;
    mm_list_add_tail(&z->free_area[order].free_list[mt], p);
    z->free_area[order].nr_free++;
    z->vm_stat[NR_FREE_PAGES] += 1 << order;
}

static void pageblock(uint32_t pfn, unsigned mt)
{
    set_pageblock_migratetype(pfn_to_page(pfn), mt);
}

static void pcp(struct zone *z, unsigned cpu, uint32_t count, uint32_t high, uint32_t batch)
{
    z->pcp[cpu].count = count;
    z->pcp[cpu].high = high;
    z->pcp[cpu].batch = batch;
}

/* State A: one node, DMA (pfn 0-4095) and Normal (4096-8191) populated,
 * HighMem empty and never named; two CPUs. */
static void build_state_a(void)
{
    struct zone *dma, *normal;

    mm_host_reset();
    memset(pages, 0, sizeof pages);
    for (uint32_t pfn = 0; pfn < NPAGES; pfn++) {
        pages[pfn].lru.next = pages[pfn].lru.prev = MM_NIL;
        pages[pfn]._mapcount = -1;
    }
    mem_map = pages;
    max_pfn = max_low_pfn = NPAGES;
    nr_online_nodes = 1;
    mm_host_set_nr_cpus(2);

    init_zone(0, ZONE_DMA, "DMA", 0, 4096);
    init_zone(0, ZONE_NORMAL, "Normal", 4096, 4096);
    init_zone(0, ZONE_HIGHMEM, NULL, 8192, 0);
    dma = zone_of(0, ZONE_DMA);
    normal = zone_of(0, ZONE_NORMAL);

    sizes(dma, 3998, 3977, 17, 21, 25, 0, 16, 16);
    pageblock(0, MIGRATE_MOVABLE);
    pageblock(1024, MIGRATE_RESERVE);
    pageblock(2048, MIGRATE_MOVABLE);
    pageblock(3072, MIGRATE_MOVABLE);
    add_free(dma, 100, 0, MIGRATE_MOVABLE);
    add_free(dma, 102, 0, MIGRATE_MOVABLE);
    add_free(dma, 104, 1, MIGRATE_UNMOVABLE);
    add_free(dma, 112, 3, MIGRATE_RECLAIMABLE);
    add_free(dma, 1024, 10, MIGRATE_RESERVE);
    add_free(dma, 2048, 10, MIGRATE_MOVABLE);
    add_free(dma, 3072, 10, MIGRATE_MOVABLE);
    pcp(dma, 0, 0, 6, 1);
    pcp(dma, 1, 0, 6, 1);

    sizes(normal, 4096, 4000, 18, 22, 27, 0, 0, 0);
    pageblock(4096, MIGRATE_UNMOVABLE);
    pageblock(5120, MIGRATE_UNMOVABLE);
    pageblock(6144, MIGRATE_RECLAIMABLE);
    pageblock(7168, MIGRATE_MOVABLE);
    add_free(normal, 4100, 2, MIGRATE_MOVABLE);
    add_free(normal, 4608, 9, MIGRATE_MOVABLE);
    add_free(normal, 6144, 10, MIGRATE_RECLAIMABLE);
    add_free(normal, 7168, 10, MIGRATE_MOVABLE);
    normal->vm_stat[NR_SLAB_RECLAIMABLE] = 12;
    normal->vm_stat[NR_SLAB_UNRECLAIMABLE] = 34;
    normal->vm_stat[NR_PAGETABLE] = 5;
    normal->vm_stat[NUMA_HIT] = 1000;
    normal->vm_stat[NUMA_LOCAL] = 1000;
    pcp(normal, 0, 7, 186, 31);
    pcp(normal, 1, 0, 186, 31);
}

/* State B: state A plus node 1 with only a Normal zone (pfn 8192-10239);
 * node 1's DMA and HighMem are empty. */
static void build_state_b(void)
{
    struct zone *normal1;

    build_state_a();
    nr_online_nodes = 2;
    init_zone(1, ZONE_DMA, "DMA", 8192, 0);
    init_zone(1, ZONE_NORMAL, "Normal", 8192, 2048);
    init_zone(1, ZONE_HIGHMEM, "HighMem", 10240, 0);
    normal1 = zone_of(1, ZONE_NORMAL);
    sizes(normal1, 2048, 2040, 9, 11, 13, 0, 0, 0);
    pageblock(8192, MIGRATE_UNMOVABLE);
    pageblock(9216, MIGRATE_MOVABLE);
    add_free(normal1, 8200, 0, MIGRATE_UNMOVABLE);
    add_free(normal1, 9216, 10, MIGRATE_MOVABLE);
    normal1->vm_stat[NUMA_MISS] = 3;
    normal1->vm_stat[NUMA_OTHER] = 3;
    pcp(normal1, 0, 1, 42, 7);
    pcp(normal1, 1, 2, 42, 7);
}

/* ---- comparing ------------------------------------------------------------------------ */

static char *read_expected(const char *name)
{
    char path[512];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof path, "%s/%s", PAGELAB_UNIT_EXPECTED, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The concatenation of expected files (NULL-terminated list). */
static char *expected(const char *first, ...)
{
    va_list ap;
    const char *name = first;
    size_t len = 0;
    char *all = calloc(1, 1);

    va_start(ap, first);
    while (name) {
        char *part = read_expected(name);
        if (!part) {
            free(all);
            va_end(ap);
            return NULL;
        }
        all = realloc(all, len + strlen(part) + 1);
        memcpy(all + len, part, strlen(part) + 1);
        len += strlen(part);
        free(part);
        name = va_arg(ap, const char *);
    }
    va_end(ap);
    return all;
}

static char outbuf[65536];

/* Runs report into a big buffer and compares it with want. */
static void compare(const char *what, void (*report)(struct mm_seq *), char *want)
{
    struct mm_seq s = { .buf = outbuf, .size = sizeof outbuf };

    report(&s);
    CHECK(!s.overflow);
    CHECK_EQ(s.len, strlen(outbuf));
    CHECK(want != NULL);
    if (want && strcmp(outbuf, want) != 0) {
        size_t i = 0;
        while (outbuf[i] && outbuf[i] == want[i])
            i++;
        fprintf(stderr, "%s: output differs from the expected file at byte %zu\n"
                "---- got:\n%s---- expected:\n%s----\n", what, i, outbuf, want);
        CHECK(0);
    } else {
        CHECK(1);
    }
    free(want);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_one_node(void)
{
    build_state_a();
    compare("buddyinfo", mm_report_buddyinfo, expected("buddyinfo_2zones.txt", NULL));
    compare("pagetypeinfo", mm_report_pagetypeinfo, expected("pagetypeinfo_2zones.txt", NULL));
    compare("zoneinfo", mm_report_zoneinfo, expected("zoneinfo_2zones.txt", NULL));
    mm_host_set_cpu(0);
    compare("show_mem", mm_show_mem, expected("showmem_2zones.txt", NULL));
    /* local_pcp is the running CPU's list. */
    mm_host_set_cpu(1);
    compare("show_mem cpu 1", mm_show_mem, expected("showmem_2zones_cpu1.txt", NULL));
    mm_host_set_cpu(0);
}

static void test_two_nodes(void)
{
    build_state_b();
    compare("buddyinfo 2 nodes", mm_report_buddyinfo,
            expected("buddyinfo_2zones.txt", "buddyinfo_node1.txt", NULL));
    compare("pagetypeinfo 2 nodes", mm_report_pagetypeinfo,
            expected("pagetypeinfo_2zones.txt", "pagetypeinfo_node1.txt", NULL));
    compare("zoneinfo 2 nodes", mm_report_zoneinfo,
            expected("zoneinfo_2zones.txt", "zoneinfo_node1.txt", NULL));
}

/* An unpopulated zone: no buddyinfo/pagetypeinfo line, zoneinfo's short
 * form, and a zone->name left empty is printed by its index's name. */
static void test_unpopulated(void)
{
    struct mm_seq s = { .buf = outbuf, .size = sizeof outbuf };

    build_state_a();
    CHECK_EQ(strcmp(mm_zone_name(zone_of(0, ZONE_HIGHMEM)), "HighMem"), 0);
    mm_report_buddyinfo(&s);
    CHECK(strstr(outbuf, "HighMem") == NULL);
    s.len = 0;
    mm_report_zoneinfo(&s);
    CHECK(strstr(outbuf, "Node 0, zone  HighMem\n  pages free     0\n") != NULL);
    /* A node whose zones are all empty prints nothing in pagetypeinfo. */
    zone_of(0, ZONE_DMA)->present_pages = 0;
    zone_of(0, ZONE_NORMAL)->present_pages = 0;
    s.len = 0;
    outbuf[0] = '\0';
    mm_report_pagetypeinfo(&s);
    CHECK_EQ(s.len, 0);
    mm_report_buddyinfo(&s);
    CHECK_EQ(s.len, 0);
}

/* A small buffer keeps a terminated prefix and says it overflowed; later
 * writes add nothing. */
static void test_truncation(void)
{
    char small[16];
    struct mm_seq s = { .buf = small, .size = sizeof small };
    struct mm_seq one, none = { 0 };
    char tiny[1] = { 'x' };

    build_state_a();
    memset(small, 'x', sizeof small);
    mm_report_buddyinfo(&s);
    CHECK(s.overflow);
    CHECK_EQ(s.len, 15);
    CHECK_EQ(memcmp(small, "Node 0, zone   \0", 16), 0);
    mm_seq_printf(&s, "more");
    CHECK_EQ(s.len, 15);
    CHECK_EQ(small[15], '\0');

    /* Exactly filling the buffer (15 characters + NUL) is not an overflow. */
    s = (struct mm_seq){ .buf = small, .size = sizeof small };
    mm_seq_printf(&s, "%s", "123456789012345");
    CHECK(!s.overflow);
    CHECK_EQ(s.len, 15);
    mm_seq_printf(&s, "%s", "");
    CHECK(!s.overflow);
    mm_seq_printf(&s, "6");
    CHECK(s.overflow);
    CHECK_EQ(strcmp(small, "123456789012345"), 0);

    /* Room for the NUL only, and no buffer at all. */
    one = (struct mm_seq){ .buf = tiny, .size = 1 };
    mm_seq_printf(&one, "%d", 7);
    CHECK(one.overflow);
    CHECK_EQ(one.len, 0);
    mm_report_zoneinfo(&none);
    CHECK(none.overflow);
    CHECK_EQ(none.len, 0);

    /* A report that overflows midway in a larger buffer. */
    s = (struct mm_seq){ .buf = outbuf, .size = 100 };
    mm_report_zoneinfo(&s);
    CHECK(s.overflow);
    CHECK_EQ(s.len, 99);
    CHECK_EQ(strlen(outbuf), 99);
    CHECK_EQ(strncmp(outbuf, "Node 0, zone      DMA\n  pages free     3084\n", 44), 0);
}

/* warn_alloc_failed prints (arch_puts: stdout) the failure line, the CPU
 * line and Mem-Info; nothing with __GFP_NOWARN. */
static void test_alloc_failure(void)
{
    char *want = expected("showmem_2zones.txt", NULL);
    const char *head = "kernel: page allocation failure: order:3, mode:0xd0\nCPU: 0 PID: 0 Comm: kernel\n";
    const char *got;

    build_state_a();
    mm_host_set_cpu(0);
    capture_begin();
    warn_alloc_failed(GFP_KERNEL, 3);
    warn_alloc_failed(GFP_KERNEL | __GFP_NOWARN, 5);
    got = capture_end();
    CHECK(want != NULL);
    CHECK_EQ(strncmp(got, head, strlen(head)), 0);
    CHECK(want && strcmp(got + strlen(head), want) == 0);
    if (want && (strncmp(got, head, strlen(head)) != 0 || strcmp(got + strlen(head), want) != 0))
        fprintf(stderr, "allocation failure report:\n%s", got);
    free(want);
}

int main(void)
{
    test_one_node();
    test_two_nodes();
    test_unpopulated();
    test_truncation();
    test_alloc_failure();
    mm_host_reset();
    return unit_done();
}
