/* Validation of the detailed timing mode's TLB and cache models, measured
 * by the guest itself: the workload operation touch_loop runs loads (or
 * stores) at a stride over a handle's memory between two latches of the
 * PMU device (emu/pmu.c), touching nothing else in between, and the deltas
 * are compared with closed forms computed here from the default geometry
 * (restated below, never read from the model code) and the addresses the
 * allocations report.  docs/validation.md lists every figure.
 *
 * The closed form: a loop that visits the same units (pages for a TLB,
 * lines for a cache) in the same order every pass, each once per pass,
 * after a warm pass: a set receiving m <= ways units keeps them all (true
 * LRU, nothing else is accessed in between) and misses 0; a set receiving
 * m > ways units sees every one of its units evicted between two visits
 * (the m - 1 >= ways others come in between) and misses m per pass.  So
 * misses = passes * sum of m over the sets with m > ways.  This holds for
 * touch_loop's random order too, which is a fixed permutation repeated
 * every pass: the per-set order repeats, so the form is exact there as
 * well and no bounds are needed.
 *
 * Also: the PMU device's registers and event names, touch_loop's errors,
 * fast mode (no TLB or cache events; instructions per pass), and
 * determinism of the same batch on fresh machines in both modes. */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "pmu.h"
#include "unit.h"
#include "wl_boot.h"
#include "wl_ring.h"
#include "gfp.h"

#define NODE_ANY 0xffffffffu

/* The default geometry (emu/timing_config.c, docs/timing.md). */
enum {
    PAGE = 4096,
    DTLB_SETS = 64 / 4, DTLB_WAYS = 4,           /* 4 KiB pages */
    LINE = 32,
    L1D_SETS = 8192 / (32 * 2), L1D_WAYS = 2,
    L2_SETS = 262144 / (32 * 4), L2_WAYS = 4,
    L1D_WAY = L1D_SETS * LINE,                   /* 4 KiB: one way of the L1D */
    L2_WAY = L2_SETS * LINE,                     /* 64 KiB */
    L1_LAT = 1, L2_LAT = 8, MEM_LAT = 60,        /* cycles added along the path of a line */
};

static emu_machine *boot_cpus(emu_timing_mode t, unsigned ram_mib, unsigned ncpus)
{
    return wl_boot(ncpus, ram_mib, t, NULL, NULL);
}

/* One CPU, so that nobody else touches the shared L2. */
static emu_machine *boot(emu_timing_mode t, unsigned ram_mib)
{
    return boot_cpus(t, ram_mib, 1);
}

/* Runs one request on CPU 0 (status -1000 if the call itself failed). */
static emu_wl_result call(emu_machine *m, emu_wl_req q)
{
    emu_wl_result r = { .status = -1000 };
    emu_wl_batch b = { 0, &q, &r, 1 };
    char err[256];

    if (emu_wl_run(m, &b, 1, 0, err, sizeof err))
        fprintf(stderr, "call: %s\n", err);
    return r;
}

/* An allocation: its handle, and its pfn or address in *where. */
static uint32_t alloc(emu_machine *m, uint32_t op, uint32_t a0, uint32_t a1, uint32_t *where)
{
    emu_wl_result r = call(m, (emu_wl_req){ .op = op, .arg = { a0, a1, NODE_ANY } });

    CHECK_EQ(r.status, WL_OK);
    if (where)
        *where = r.result2;
    return r.result;
}

/* touch_loop over h; a3 = passes | WL_TOUCH_* flags. */
static emu_wl_result touch(emu_machine *m, uint32_t h, uint32_t stride, uint32_t count, uint32_t a3,
                           unsigned ev_a, unsigned ev_b)
{
    return call(m, (emu_wl_req){ .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(ev_a, ev_b),
                                 .arg = { h, stride, count, a3 } });
}

/* The closed form above, for one pass: units first, first + step, ...
 * (n of them, distinct) in a cache or TLB of `sets` sets (a power of two,
 * at most L2_SETS) of `ways` ways. */
static uint64_t cyclic_misses(uint32_t first, uint32_t step, uint32_t n, unsigned sets, unsigned ways)
{
    static uint32_t per_set[L2_SETS];
    uint64_t misses = 0;

    memset(per_set, 0, sizeof per_set);
    for (uint32_t i = 0; i < n; i++)
        per_set[(first + i * step) & (sets - 1)]++;
    for (unsigned s = 0; s < sets; s++)
        if (per_set[s] > ways)
            misses += per_set[s];
    return misses;
}

/* ---- the device and the names ------------------------------------------------ */

/* Reads the device register at port (CPU 0 accessing). */
static uint32_t pmu_in(emu_pmu *p, uint32_t port, unsigned size)
{
    emu_access a = { .cpu = 0 };

    return emu_pmu_ops()->read(p, port - PMU_PORT_BASE, size, &a);
}

static void pmu_out(emu_pmu *p, uint32_t port, uint32_t v, int cpu)
{
    emu_access a = { .cpu = cpu };

    emu_pmu_ops()->write(p, port - PMU_PORT_BASE, v, 4, &a);
}

/* The event ev of the latch, 64 bits, through SELECT/LO/HI. */
static uint64_t pmu_value(emu_pmu *p, unsigned ev)
{
    pmu_out(p, PMU_PORT_SELECT, ev, 0);
    return (uint64_t)pmu_in(p, PMU_PORT_HI, 4) << 32 | pmu_in(p, PMU_PORT_LO, 4);
}

/* A device of machine m (not the one on its bus: the same code, driven
 * from here): ID, MODE, and a latch equal to the machine's counters. */
static void test_device_on(emu_machine *m, bool detailed)
{
    emu_pmu *p = emu_pmu_create(m);
    emu_cpu_stats c;
    emu_mem_stats s;

    CHECK_EQ(pmu_in(p, PMU_PORT_ID, 4), PMU_DEVICE_ID);
    CHECK_EQ(pmu_in(p, PMU_PORT_ID, 1), PMU_DEVICE_ID & 0xff);
    CHECK_EQ(pmu_in(p, PMU_PORT_MODE, 4), detailed);
    CHECK_EQ(pmu_value(p, PMU_EV_CYCLES), 0);            /* nothing latched yet */
    pmu_out(p, PMU_PORT_LATCH, 0, 0);
    emu_machine_cpu_stats(m, 0, &c);
    emu_machine_mem_stats(m, 0, &s);
    CHECK(c.cycles > 0 && c.insns > 0);
    CHECK_EQ(pmu_value(p, PMU_EV_CYCLES), c.cycles);
    CHECK_EQ(pmu_value(p, PMU_EV_INSNS), c.insns);
    CHECK_EQ(pmu_value(p, PMU_EV_DTLB_MISS), s.dtlb_misses);
    CHECK_EQ(pmu_value(p, PMU_EV_L1D_HIT), s.l1d_hits);
    CHECK_EQ(pmu_value(p, PMU_EV_L2_MISS), s.l2_misses);
    CHECK_EQ(pmu_value(p, PMU_EV_STALE), s.stale_uses);
    CHECK(detailed ? s.dtlb_hits > 0 && pmu_value(p, PMU_EV_DTLB_HIT) == s.dtlb_hits
                   : pmu_value(p, PMU_EV_DTLB_HIT) == 0);
    CHECK_EQ(pmu_value(p, PMU_EV_COUNT), 0);             /* no such event */
    CHECK_EQ(pmu_in(p, PMU_PORT_SELECT, 4), 0);          /* write-only ports read 0 */
    pmu_out(p, PMU_PORT_SELECT, PMU_EV_INSNS, 0);
    CHECK_EQ(emu_pmu_ops()->peek(p, PMU_PORT_LO - PMU_PORT_BASE, 4), (uint32_t)c.insns);
    CHECK_EQ(emu_machine_run(m, 100000), EMU_STOP_LIMIT);    /* the counters move on */
    pmu_out(p, PMU_PORT_LATCH, 0, -1);                       /* the host does not latch */
    CHECK_EQ(pmu_value(p, PMU_EV_CYCLES), c.cycles);
    pmu_out(p, PMU_PORT_LATCH, 0, 0);
    emu_machine_cpu_stats(m, 0, &c);
    CHECK_EQ(pmu_value(p, PMU_EV_CYCLES), c.cycles);
    emu_pmu_destroy(p);
}

/* Every event has a distinct name that looks it up again. */
static void test_names(void)
{
    for (unsigned i = 0; i < PMU_EV_COUNT; i++) {
        CHECK(emu_pmu_event_name(i) != NULL);
        CHECK_EQ(emu_pmu_event_lookup(emu_pmu_event_name(i)), i);
    }
    CHECK(emu_pmu_event_name(PMU_EV_COUNT) == NULL);
    CHECK_EQ(emu_pmu_event_lookup("dtlb_miss"), PMU_EV_DTLB_MISS);
    CHECK_EQ(emu_pmu_event_lookup("l1d_miss"), PMU_EV_L1D_MISS);
    CHECK_EQ(emu_pmu_event_lookup("cycles"), PMU_EV_CYCLES);
    CHECK_EQ(emu_pmu_event_lookup("l1d_writeback"), PMU_EV_L1D_WRITEBACK);
    CHECK_EQ(emu_pmu_event_lookup("DTLB_MISS"), -1);
    CHECK_EQ(emu_pmu_event_lookup(""), -1);
    CHECK_EQ(strcmp(emu_wl_op_name(WL_OP_TOUCH_LOOP), "touch_loop"), 0);
    CHECK_EQ(strcmp(emu_wl_status_name(WL_ENODEV), "ENODEV"), 0);
}

/* ---- errors and fast mode -------------------------------------------------------- */

/* Bad handles, handles without memory, bad arguments. */
static void test_errors(emu_machine *m)
{
    uint32_t v = alloc(m, WL_OP_VMALLOC, 4 * PAGE, 0, NULL), pfn;
    uint32_t high = alloc(m, WL_OP_ALLOC_PAGES, 0, GFP_HIGHUSER, &pfn);
    emu_wl_result c = call(m, (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .arg = { 64 }, .name = "tl" });
    uint32_t gone = alloc(m, WL_OP_KMALLOC, 64, GFP_KERNEL, NULL);

    CHECK(pfn >= 896u * 256);                                  /* highmem */
    CHECK_EQ(call(m, (emu_wl_req){ .op = WL_OP_KFREE, .arg = { gone } }).status, WL_OK);
    CHECK_EQ(touch(m, 0, 1, 0, 1, 0, 0).status, WL_EBADF);
    CHECK_EQ(touch(m, gone, 1, 0, 1, 0, 0).status, WL_ESTALE);
    CHECK_EQ(touch(m, c.result, 1, 0, 1, 0, 0).status, WL_EINVAL);   /* a cache */
    CHECK_EQ(touch(m, high, 1, 0, 1, 0, 0).status, WL_EINVAL);       /* no direct map */
    CHECK_EQ(touch(m, v, 0, 0, 1, 0, 0).status, WL_EINVAL);          /* stride 0 */
    CHECK_EQ(touch(m, v, 1, 0, 0, 0, 0).status, WL_EINVAL);          /* no passes */
    CHECK_EQ(touch(m, v, 1, 0, WL_TOUCH_MAX_PASSES + 1, 0, 0).status, WL_EINVAL);
    CHECK_EQ(touch(m, v, PAGE, 5, 1, 0, 0).status, WL_EINVAL);       /* past the end */
    CHECK_EQ(touch(m, v, 5 * PAGE, 0, 1, 0, 0).status, WL_EINVAL);   /* no access fits */
    CHECK_EQ(touch(m, v, 48, 64, 1 | WL_TOUCH_RANDOM, 0, 0).status, WL_EINVAL);   /* stride */
    CHECK_EQ(touch(m, v, 64, 48, 1 | WL_TOUCH_RANDOM, 0, 0).status, WL_EINVAL);   /* count */
    CHECK_EQ(touch(m, v, 64, 0, 1 | (1u << 21), 0, 0).status, WL_EINVAL);         /* unknown flag */
    CHECK_EQ(touch(m, v, 64, 0, 1, PMU_EV_COUNT, 0).status, WL_EINVAL);
    CHECK_EQ(touch(m, v, 64, 0, 1, 0, PMU_EV_COUNT).status, WL_EINVAL);
    CHECK_EQ(touch(m, v, PAGE, 4, 1, 0, 0).status, WL_OK);           /* the last page fits */
    CHECK_EQ(touch(m, v, 1, 4 * PAGE, 1, 0, 0).status, WL_OK);       /* every byte */
}

/* The guest instructions of one pass: the difference of 2 and 1 passes
 * (a constant offset from the block-granular instruction count cancels). */
static uint64_t insns_per_pass(emu_machine *m, uint32_t h, uint32_t stride, uint32_t count, uint32_t flags)
{
    emu_wl_result one = touch(m, h, stride, count, 1 | flags, PMU_EV_INSNS, PMU_EV_CYCLES);
    emu_wl_result two = touch(m, h, stride, count, 2 | flags, PMU_EV_INSNS, PMU_EV_CYCLES);

    CHECK(one.status == WL_OK && two.status == WL_OK && one.result2 > 0 && two.result2 > one.result2);
    return (uint64_t)two.result - one.result;
}

/* Fast mode: no TLB or cache events; the loop's instructions per pass
 * (sequential: cmpb, add, cmp, jne per access; random: cmpb, imul, add,
 * and, jnz; both: 3 or 4 per pass). */
static void test_fast(emu_machine *m)
{
    uint32_t v = alloc(m, WL_OP_VMALLOC, 16 * PAGE, 0, NULL);
    uint32_t k = alloc(m, WL_OP_KMALLOC, 100, GFP_KERNEL, NULL);
    emu_wl_result r = touch(m, v, PAGE, 0, 3 | WL_TOUCH_WARM | WL_TOUCH_CR3_FIRST,
                            PMU_EV_DTLB_MISS, PMU_EV_L1D_MISS);

    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, 0);
    CHECK_EQ(r.result2, 0);
    CHECK_EQ(insns_per_pass(m, v, PAGE, 0, 0), 4 * 16 + 4);
    CHECK_EQ(insns_per_pass(m, v, 64, 0, WL_TOUCH_RANDOM), 5 * 1024 + 3);
    CHECK_EQ(insns_per_pass(m, v, 64, 0, WL_TOUCH_RANDOM | WL_TOUCH_WRITE | WL_TOUCH_SEED(9)), 5 * 1024 + 3);
    CHECK_EQ(insns_per_pass(m, k, 1, 0, WL_TOUCH_WRITE), 4 * 100 + 4);
}

/* ---- DTLB ------------------------------------------------------------------------- */

/* A vmalloc object of n pages: its handle and first page number. */
static uint32_t vobject(emu_machine *m, uint32_t n, uint32_t *vpn)
{
    uint32_t addr, h = alloc(m, WL_OP_VMALLOC, n * PAGE, 0, &addr);

    *vpn = addr / PAGE;
    return h;
}

/* n pages, stride one page, a warm pass, then 3 passes: each set of the
 * 4 KiB DTLB that receives more than 4 of the consecutive pages misses
 * all of them every pass, the others nothing (16, 32, 64 pages: 0; 65: 5
 * per pass; 80: 80; 128: 128).  Then one cold pass after invlpg of every
 * page: n misses, each a page walk. */
static void test_dtlb(emu_machine *m)
{
    static const uint32_t sizes[] = { 16, 32, 64, 65, 80, 128 };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t n = sizes[i], vpn, h = vobject(m, n, &vpn);
        uint64_t want = 3 * cyclic_misses(vpn, 1, n, DTLB_SETS, DTLB_WAYS);
        emu_wl_result r = touch(m, h, PAGE, 0, 3 | WL_TOUCH_WARM, PMU_EV_DTLB_MISS, PMU_EV_WALKS);

        CHECK_EQ(want, n <= 64 ? 0 : n == 65 ? 15 : 3 * n);   /* the form, spelled out */
        CHECK_EQ(r.status, WL_OK);
        CHECK_EQ(r.result, want);
        CHECK_EQ(r.result2, want);
        r = touch(m, h, PAGE, 0, 1 | WL_TOUCH_INVLPG_FIRST, PMU_EV_DTLB_MISS, PMU_EV_WALKS);
        CHECK_EQ(r.result, n);
        CHECK_EQ(r.result2, n);
        r = touch(m, h, PAGE, 0, 1 | WL_TOUCH_INVLPG_FIRST | WL_TOUCH_WARM, PMU_EV_DTLB_MISS, PMU_EV_DTLB_HIT);
        CHECK_EQ(r.result, n <= 64 ? 0 : want / 3);            /* the warm pass refilled */
        CHECK_EQ(r.result2, n - r.result);
        CHECK_EQ(call(m, (emu_wl_req){ .op = WL_OP_VFREE, .arg = { h } }).status, WL_OK);
    }
}

/* After a warm pass over n <= 64 pages, one pass after invlpg of the
 * object or a CR3 reload costs n misses (no global pages); a CR3 reload
 * or invlpg on another object drops exactly that object's page (1 miss
 * there) and, for invlpg, nothing of this one (0 misses on its next pass,
 * which a CR3 reload turns into n). */
static void test_flushes(emu_machine *m)
{
    uint32_t vpn, x = vobject(m, 16, &vpn), y = vobject(m, 1, &vpn);
    const unsigned a = PMU_EV_DTLB_MISS, b = PMU_EV_WALKS;

    CHECK_EQ(touch(m, x, PAGE, 0, 1 | WL_TOUCH_WARM, a, b).result, 0);
    CHECK_EQ(touch(m, x, PAGE, 0, 1 | WL_TOUCH_INVLPG_FIRST, a, b).result, 16);
    CHECK_EQ(touch(m, x, PAGE, 0, 1 | WL_TOUCH_WARM, a, b).result, 0);
    CHECK_EQ(touch(m, x, PAGE, 0, 1 | WL_TOUCH_CR3_FIRST, a, b).result, 16);
    CHECK_EQ(touch(m, x, PAGE, 0, 1 | WL_TOUCH_CR3_FIRST | WL_TOUCH_INVLPG_FIRST, a, b).result2, 16);
    CHECK_EQ(touch(m, x, PAGE, 0, 1, a, b).result, 0);        /* still there */
    CHECK_EQ(touch(m, y, PAGE, 0, 1 | WL_TOUCH_INVLPG_FIRST, a, b).result, 1);
    CHECK_EQ(touch(m, x, PAGE, 0, 1, a, b).result, 0);        /* x kept every page */
    CHECK_EQ(touch(m, y, PAGE, 0, 1 | WL_TOUCH_CR3_FIRST, a, b).result, 1);
    CHECK_EQ(touch(m, x, PAGE, 0, 1, a, b).result, 16);       /* the reload dropped x too */
    /* the flushes themselves happen before the first latch */
    CHECK_EQ(touch(m, x, PAGE, 0, 1 | WL_TOUCH_CR3_FIRST, PMU_EV_TLB_FLUSHES, PMU_EV_INVLPGS).result, 0);
}

/* ---- caches ------------------------------------------------------------------------- */

/* A physically contiguous block of 2^order pages (direct-mapped with
 * 4 MiB pages): its handle and first line number (physical address / 32). */
static uint32_t pobject(emu_machine *m, uint32_t order, uint32_t *line)
{
    uint32_t pfn, h = alloc(m, WL_OP_ALLOC_PAGES, order, GFP_KERNEL, &pfn);

    *line = pfn * (PAGE / LINE);
    return h;
}

/* The cycles the memory system charges for the measured passes of a loop
 * of n accesses, k passes, with l1_miss L1D and l2_miss L2 misses (loads,
 * 4 MiB pages: no walks): every access pays the L1 latency, an L1 miss the
 * L2's, an L2 miss memory's; instruction fetch adds the L1I latency per
 * line a block touches (l1i_hit of them: the code never misses the L1I or
 * the ITLB after the warm pass).  Checked against mem_cycles. */
static void check_mem_cycles(emu_machine *m, uint32_t h, uint32_t stride, uint32_t n, uint32_t k,
                             uint64_t l1_miss, uint64_t l2_miss)
{
    uint32_t a3 = k | WL_TOUCH_WARM;
    emu_wl_result r = touch(m, h, stride, n, a3, PMU_EV_MEM_CYCLES, PMU_EV_L1I_HIT);
    emu_wl_result miss = touch(m, h, stride, n, a3, PMU_EV_L1I_MISS, PMU_EV_ITLB_MISS);

    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, (uint64_t)k * n * L1_LAT + l1_miss * L2_LAT + l2_miss * MEM_LAT + r.result2 * L1_LAT);
    CHECK(r.result2 > 0);
    CHECK_EQ(miss.result, 0);
    CHECK_EQ(miss.result2, 0);
}

/* n accesses `stride` bytes apart from the start of h (at line first),
 * warm pass then k passes: L1D misses and DTLB misses as the closed form
 * and 4 MiB pages say. */
static void check_l1d(emu_machine *m, uint32_t h, uint32_t first, uint32_t stride, uint32_t n, uint32_t k)
{
    uint64_t want = k * cyclic_misses(first, stride / LINE, n, L1D_SETS, L1D_WAYS);
    emu_wl_result r = touch(m, h, stride, n, k | WL_TOUCH_WARM, PMU_EV_L1D_MISS, PMU_EV_DTLB_MISS);

    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, want);
    CHECK_EQ(r.result2, 0);
    check_mem_cycles(m, h, stride, n, k, want, 0);   /* at most 16 KiB: the L2 holds it */
}

/* L1D (8 KiB, 2 ways, 128 sets of 32-byte lines) over a 1 MiB block:
 * stride 32, n lines, 4 passes: n <= 256 -> 0; 257 -> one set holds 3
 * lines -> 12; 384, 512 -> every access misses (1536, 2048).  Stride
 * 4096 (one way) maps every line to one set: 2 lines -> 0, 3 -> 12. */
static void test_l1d(emu_machine *m)
{
    static const uint32_t lines[] = { 64, 128, 256, 257, 384, 512 };
    static const uint32_t spelled[] = { 0, 0, 0, 12, 1536, 2048 };
    uint32_t first, h = pobject(m, 8, &first);

    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        CHECK_EQ(4 * cyclic_misses(first, 1, lines[i], L1D_SETS, L1D_WAYS), spelled[i]);
        check_l1d(m, h, first, LINE, lines[i], 4);
    }
    CHECK_EQ(4 * cyclic_misses(first, L1D_WAY / LINE, 3, L1D_SETS, L1D_WAYS), 12);
    check_l1d(m, h, first, L1D_WAY, 2, 4);
    check_l1d(m, h, first, L1D_WAY, 3, 4);
}

/* As check_l1d, for the L2 behind an L1D that misses every access. */
static void check_l2(emu_machine *m, uint32_t h, uint32_t first, uint32_t stride, uint32_t n, uint32_t k)
{
    uint64_t want = k * cyclic_misses(first, stride / LINE, n, L2_SETS, L2_WAYS);
    emu_wl_result r = touch(m, h, stride, n, k | WL_TOUCH_WARM, PMU_EV_L1D_MISS, PMU_EV_L2_MISS);

    CHECK_EQ(k * cyclic_misses(first, stride / LINE, n, L1D_SETS, L1D_WAYS), (uint64_t)k * n);
    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, (uint64_t)k * n);
    CHECK_EQ(r.result2, want);
    r = touch(m, h, stride, n, k | WL_TOUCH_WARM, PMU_EV_L2_HIT, PMU_EV_DTLB_MISS);
    CHECK_EQ(r.result, (uint64_t)k * n - want);
    CHECK_EQ(r.result2, 0);
    check_mem_cycles(m, h, stride, n, k, (uint64_t)k * n, want);
}

/* L2 (256 KiB, 4 ways, 2048 sets), 2 passes over a 1 MiB block at stride
 * 32: 128 KiB (2 lines a set) and 256 KiB (4: exactly the ways) -> 0 L2
 * misses while the L1D misses all 4096 / 8192 lines each pass; 512 KiB
 * (8 a set) -> all 16384 miss each pass.  Stride 64 KiB (one L2 way):
 * 4 lines -> 0, 5 -> 5 per pass (4 passes: 20). */
static void test_l2(emu_machine *m)
{
    uint32_t first, h = pobject(m, 8, &first);

    CHECK_EQ(cyclic_misses(first, 1, 8192, L2_SETS, L2_WAYS), 0);
    CHECK_EQ(cyclic_misses(first, 1, 16384, L2_SETS, L2_WAYS), 16384);
    check_l2(m, h, first, LINE, 4096, 2);
    check_l2(m, h, first, LINE, 8192, 2);
    check_l2(m, h, first, LINE, 16384, 2);
    CHECK_EQ(4 * cyclic_misses(first, L2_WAY / LINE, 5, L2_SETS, L2_WAYS), 20);
    check_l2(m, h, first, L2_WAY, 4, 4);
    check_l2(m, h, first, L2_WAY, 5, 4);
}

/* Random order (a permutation repeated every pass, see the top): within
 * the L1D (4 KiB, 8 KiB) -> 0 misses, every access a hit; 16 KiB -> all
 * miss; 1 MiB (16 lines per L2 set) -> every access misses L1D and L2,
 * whatever the seed. */
static void test_random(emu_machine *m)
{
    uint32_t first, h = pobject(m, 8, &first);
    static const uint32_t lines[] = { 128, 256, 512 };

    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        uint64_t want = 4 * cyclic_misses(first, 1, lines[i], L1D_SETS, L1D_WAYS);
        emu_wl_result r = touch(m, h, LINE, lines[i], 4 | WL_TOUCH_WARM | WL_TOUCH_RANDOM | WL_TOUCH_SEED(i),
                                PMU_EV_L1D_MISS, PMU_EV_L1D_HIT);
        CHECK_EQ(want, lines[i] <= 256 ? 0 : 4 * lines[i]);
        CHECK_EQ(r.result, want);
        CHECK_EQ(r.result2, 4 * lines[i] - want);
    }
    for (uint32_t seed = 0; seed < 256; seed += 85) {
        emu_wl_result r = touch(m, h, LINE, 32768, 2 | WL_TOUCH_WARM | WL_TOUCH_RANDOM | WL_TOUCH_SEED(seed),
                                PMU_EV_L1D_MISS, PMU_EV_L2_MISS);
        CHECK_EQ(cyclic_misses(first, 1, 32768, L2_SETS, L2_WAYS), 32768);
        CHECK_EQ(r.result, 2 * 32768);
        CHECK_EQ(r.result2, 2 * 32768);
    }
}

/* Stores: write-allocate, write-back.  16 KiB of lines, 2 passes: every
 * store misses and evicts a dirty line (1024 misses, 1024 write-backs);
 * 8 KiB: nothing. */
static void test_stores(emu_machine *m)
{
    uint32_t first, h = pobject(m, 2, &first);
    emu_wl_result r = touch(m, h, LINE, 512, 2 | WL_TOUCH_WARM | WL_TOUCH_WRITE,
                            PMU_EV_L1D_MISS, PMU_EV_L1D_WRITEBACK);

    CHECK_EQ(r.result, 2 * cyclic_misses(first, 1, 512, L1D_SETS, L1D_WAYS));
    CHECK_EQ(r.result, 1024);
    CHECK_EQ(r.result2, 1024);
    r = touch(m, h, LINE, 256, 2 | WL_TOUCH_WARM | WL_TOUCH_WRITE, PMU_EV_L1D_MISS, PMU_EV_L1D_WRITEBACK);
    CHECK_EQ(r.result, 0);
    CHECK_EQ(r.result2, 0);
}

/* ---- a known wiring problem ---------------------------------------------------------- */

/* Runs n requests of operation op on CPU 0, a0 = arg0[i] (or a0 for all
 * when arg0 is NULL), results into r. */
static void batch(emu_machine *m, uint32_t op, const uint32_t *arg0, uint32_t a0, uint32_t a1,
                  size_t n, emu_wl_result *r)
{
    static emu_wl_req q[512];
    emu_wl_batch b = { 0, q, r, n };
    char err[256];

    for (size_t i = 0; i < n; i++)
        q[i] = (emu_wl_req){ .op = op, .arg = { arg0 ? arg0[i] : a0, a1, NODE_ANY } };
    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), 0);
}

/* Order-0 GFP_DMA pages (the DMA zone: the first 16 MiB) until one lies in
 * 4 MiB physical region `region` (*in) and one outside it (*out); the
 * others are freed.  False if none was found. */
static bool pages_by_region(emu_machine *m, uint32_t region, uint32_t *in, uint32_t *out)
{
    static uint32_t spare[4096];
    static emu_wl_result r[512];
    size_t nspare = 0;

    *in = *out = 0;
    for (int round = 0; round < 8 && !(*in && *out); round++) {
        batch(m, WL_OP_ALLOC_PAGES, NULL, 0, GFP_DMA | __GFP_NOWARN, 512, r);
        for (int i = 0; i < 512 && r[i].status == WL_OK; i++) {
            uint32_t *want = (r[i].result2 >> 10) == region ? in : out;
            if (!*want)
                *want = r[i].result;
            else
                spare[nspare++] = r[i].result;
        }
    }
    for (size_t k = 0; k < nspare; k += 512)
        batch(m, WL_OP_FREE_PAGES, spare + k, 0, 0, nspare - k < 512 ? nspare - k : 512, r);
    return *in && *out;
}

/* One access through a vmap of page pg whose DTLB entry was evicted (by
 * 2 passes over 128 other pages: 8 per set) right before: the DTLB misses
 * once.  Returns that count. */
static uint32_t evicted_access(emu_machine *m, uint32_t pg, uint32_t z)
{
    emu_wl_result v = call(m, (emu_wl_req){ .op = WL_OP_VMAP, .arg = { 1 }, .list = { pg }, .nlist = 1 });

    CHECK_EQ(v.status, WL_OK);
    CHECK_EQ(touch(m, v.result, PAGE, 0, 1 | WL_TOUCH_INVLPG_FIRST, PMU_EV_DTLB_MISS, PMU_EV_WALKS).result, 1);
    CHECK_EQ(touch(m, z, PAGE, 0, 2, PMU_EV_DTLB_MISS, PMU_EV_WALKS).result, 256);
    return touch(m, v.result, PAGE, 0, 1, PMU_EV_DTLB_MISS, PMU_EV_WALKS).result;
}

/* The detailed mode's data-side filter in front of the DTLB (emu/detailed.h)
 * is keyed on physical addresses.  After an access through a 4 MiB entry
 * (here the kernel stack, which touch_loop reads just before its loop), an
 * access through a 4 KiB mapping of a frame in the same 4 MiB physical
 * region must still look the DTLB up, miss once and fill: frames mapped by
 * 4 KiB PTEs are marked and bypass the filter (emu/detailed.c, "Page-table
 * pages and aliases").  Checked for a frame outside the region and one
 * inside it. */
static void test_alias_filter(emu_machine *m)
{
    uint32_t z = alloc(m, WL_OP_VMALLOC, 128 * PAGE, 0, NULL), in, out, got;
    uint64_t stack_pa;
    emu_regs regs;

    CHECK_EQ(emu_machine_read_regs(m, 0, &regs), 0);
    CHECK_EQ(emu_machine_virt_to_phys(m, 0, regs.esp, &stack_pa), 0);
    if (!pages_by_region(m, (uint32_t)(stack_pa >> 22), &in, &out)) {
        fprintf(stderr, "test_alias_filter: no DMA page in the stack's 4 MiB region (0x%llx); skipped\n",
                (unsigned long long)stack_pa);
        return;
    }
    CHECK_EQ(evicted_access(m, out, z), 1);
    got = evicted_access(m, in, z);
    CHECK_EQ(got, 1);
}

/* ---- two CPUs ------------------------------------------------------------------------ */

/* The latch is per CPU: on two CPUs at once, each measuring its own DTLB
 * (private, unlike the L2) over its own object, warm pass and 3 passes:
 * 80 pages on CPU 0 -> 240 misses, 16 pages on CPU 1 -> 0; then CPU 1
 * alone over the 80 pages -> 240. */
static void test_two_cpus(void)
{
    emu_machine *m = boot_cpus(EMU_TIMING_DETAILED, 64, 2);
    uint32_t vpn, big = vobject(m, 80, &vpn), small = vobject(m, 16, &vpn);
    const uint32_t ev = WL_TOUCH_EVENTS(PMU_EV_DTLB_MISS, PMU_EV_WALKS), a3 = 3 | WL_TOUCH_WARM;
    emu_wl_req q0 = { .op = WL_OP_TOUCH_LOOP, .flags = ev, .arg = { big, PAGE, 0, a3 } };
    emu_wl_req q1 = { .op = WL_OP_TOUCH_LOOP, .flags = ev, .arg = { small, PAGE, 0, a3 } };
    emu_wl_result r0, r1;
    emu_wl_batch b[2] = { { 0, &q0, &r0, 1 }, { 1, &q1, &r1, 1 } };
    char err[256];

    CHECK_EQ(emu_wl_run(m, b, 2, 0, err, sizeof err), 0);
    CHECK_EQ(r0.status, WL_OK);
    CHECK_EQ(r0.result, 240);
    CHECK_EQ(r0.result2, 240);
    CHECK_EQ(r1.status, WL_OK);
    CHECK_EQ(r1.result, 0);
    q1.arg[0] = big;
    b[0] = b[1];
    CHECK_EQ(emu_wl_run(m, b, 1, 0, err, sizeof err), 0);
    CHECK_EQ(r1.result, 240);
    emu_machine_destroy(m);
}

/* ---- determinism --------------------------------------------------------------------- */

#define DET_N 8

/* One fixed batch on a fresh machine: allocations, then touch_loops of
 * every kind. */
static void det_run(emu_timing_mode t, emu_wl_result res[DET_N])
{
    emu_machine *m = boot(t, 64);
    uint32_t v = alloc(m, WL_OP_VMALLOC, 80 * PAGE, 0, NULL), pfn;
    uint32_t p = alloc(m, WL_OP_ALLOC_PAGES, 6, GFP_KERNEL, &pfn);
    const emu_wl_req q[DET_N] = {
        { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(PMU_EV_CYCLES, PMU_EV_DTLB_MISS),
          .arg = { v, PAGE, 0, 3 | WL_TOUCH_WARM } },
        { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(PMU_EV_MEM_CYCLES, PMU_EV_L1D_MISS),
          .arg = { p, LINE, 0, 2 | WL_TOUCH_RANDOM | WL_TOUCH_SEED(3) } },
        { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(PMU_EV_CYCLES, PMU_EV_INSNS),
          .arg = { p, 100, 0, 1 | WL_TOUCH_WRITE | WL_TOUCH_CR3_FIRST } },
        { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(PMU_EV_WALKS, PMU_EV_L2_MISS),
          .arg = { v, 64, 0, 2 | WL_TOUCH_INVLPG_FIRST } },
        { .op = WL_OP_ALLOC_FREE_PAGES, .repeat = 10, .arg = { 0, GFP_KERNEL } },
        { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(PMU_EV_CYCLES, PMU_EV_ITLB_MISS),
          .arg = { v, 8, 1000, 2 } },
        { .op = WL_OP_TOUCH, .arg = { v, 5 } },
        { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(PMU_EV_L1D_HIT, PMU_EV_CYCLES),
          .arg = { v, 4096, 80, 1 | WL_TOUCH_WARM | WL_TOUCH_WRITE } },
    };
    emu_wl_batch b = { 0, q, res, DET_N };
    char err[256];

    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), 0);
    emu_machine_destroy(m);
}

/* The same batch twice, in each mode: identical results, counts, cycles. */
static void test_determinism(void)
{
    for (int t = EMU_TIMING_FAST; t <= EMU_TIMING_DETAILED; t++) {
        emu_wl_result a[DET_N], b[DET_N];

        det_run((emu_timing_mode)t, a);
        det_run((emu_timing_mode)t, b);
        for (int i = 0; i < DET_N; i++) {
            CHECK_EQ(a[i].status, WL_OK);
            CHECK_EQ(a[i].status, b[i].status);
            CHECK_EQ(a[i].result, b[i].result);
            CHECK_EQ(a[i].result2, b[i].result2);
            CHECK_EQ(a[i].insns, b[i].insns);
            CHECK_EQ(a[i].cycles, b[i].cycles);
        }
        CHECK(a[0].result > 0);                              /* cycles were measured */
        CHECK(t == EMU_TIMING_FAST ? a[0].result2 == 0 : a[0].result2 == 3 * 80);
    }
}

int main(void)
{
    emu_machine *fast = boot(EMU_TIMING_FAST, 1024), *det = boot(EMU_TIMING_DETAILED, 64);

    test_names();
    test_device_on(fast, false);
    test_device_on(det, true);
    test_errors(fast);
    test_fast(fast);
    test_dtlb(det);
    test_flushes(det);
    test_l1d(det);
    test_l2(det);
    test_random(det);
    test_stores(det);
    test_alias_filter(det);
    emu_machine_destroy(fast);
    emu_machine_destroy(det);
    test_two_cpus();
    test_determinism();
    return unit_done();
}
