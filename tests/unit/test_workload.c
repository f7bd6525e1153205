/* The workload request ring end to end: the real guest kernel serves every
 * operation; each one's success and error paths, handle validation,
 * batching across CPUs and beyond a queue's slots, cancellation, the
 * counters, and determinism. */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "unit.h"
#include "wl_boot.h"
#include "wl_ring.h"
#include "gfp.h"

#define KERNEL PAGELAB_KERNEL_PATH
#define NODE_ANY 0xffffffffu

static emu_machine *boot(unsigned ncpus, unsigned ram_mib)
{
    return wl_boot(ncpus, ram_mib, EMU_TIMING_FAST, NULL, NULL);
}

/* Runs one request on cpu and returns its result (status -1000 if the
 * call itself failed). */
static emu_wl_result call(emu_machine *m, unsigned cpu, emu_wl_req q)
{
    emu_wl_result r = { .status = -1000 };
    emu_wl_batch b = { cpu, &q, &r, 1 };
    char err[256];

    if (emu_wl_run(m, &b, 1, 0, err, sizeof err))
        fprintf(stderr, "call: %s\n", err);
    return r;
}

static emu_wl_result op(emu_machine *m, uint32_t o, uint32_t a0, uint32_t a1, uint32_t a2)
{
    return call(m, 0, (emu_wl_req){ .op = o, .arg = { a0, a1, a2 } });
}

/* Pages: alloc, info, touch, free; bad arguments and handles. */
static void test_pages(emu_machine *m)
{
    emu_wl_result a = op(m, WL_OP_ALLOC_PAGES, 0, GFP_KERNEL, NODE_ANY), r;

    CHECK_EQ(a.status, WL_OK);
    CHECK(a.result != 0 && a.result2 >= 256 && a.result2 < 16384);
    r = op(m, WL_OP_INFO, WL_INFO_HANDLE_OF, a.result, 0);
    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, WL_H_PAGES);
    CHECK_EQ(r.result2, a.result2);
    r = op(m, WL_OP_TOUCH, a.result, 7, 0);
    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, 4096);
    CHECK_EQ(op(m, WL_OP_KFREE, a.result, 0, 0).status, WL_EBADF);     /* wrong kind */
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, a.result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, a.result, 0, 0).status, WL_ESTALE);  /* double free */
    CHECK_EQ(op(m, WL_OP_TOUCH, a.result, 7, 0).status, WL_ESTALE);
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, 0, 0, 0).status, WL_EBADF);
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, 0xfffff, 0, 0).status, WL_EBADF);  /* index beyond the table */
    CHECK_EQ(op(m, WL_OP_ALLOC_PAGES, 11, GFP_KERNEL, NODE_ANY).status, WL_EINVAL);
    CHECK_EQ(op(m, WL_OP_ALLOC_PAGES, 0, __GFP_DMA | __GFP_HIGHMEM, NODE_ANY).status, WL_EINVAL);
    CHECK_EQ(op(m, WL_OP_ALLOC_PAGES, 0, GFP_KERNEL, 1).status, WL_EINVAL);  /* one node */
    r = op(m, WL_OP_ALLOC_PAGES, 2, GFP_DMA, 0);
    CHECK_EQ(r.status, WL_OK);
    CHECK(r.result2 < 4096 && (r.result2 & 3) == 0);                  /* DMA zone, aligned */
    CHECK_EQ(op(m, WL_OP_TOUCH, r.result, 1, 0).result, 16384);
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, r.result, 0, 0).status, WL_OK);
}

/* Order-10 allocations until memory runs out: ENOMEM, then all freed. */
static void test_enomem(emu_machine *m)
{
    emu_wl_req q[32];
    emu_wl_result r[32];
    emu_wl_batch b = { 0, q, r, 32 };
    char err[256];
    unsigned ok = 0, nomem = 0;

    for (int i = 0; i < 32; i++)
        q[i] = (emu_wl_req){ .op = WL_OP_ALLOC_PAGES, .arg = { 10, GFP_KERNEL | __GFP_NOWARN, NODE_ANY } };
    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), 0);
    for (int i = 0; i < 32; i++) {
        ok += r[i].status == WL_OK;
        nomem += r[i].status == WL_ENOMEM;
    }
    CHECK(ok >= 8 && ok < 16);        /* 64 MiB: at most 15 blocks of 4 MiB */
    CHECK_EQ(ok + nomem, 32);
    for (int i = 0; i < 32; i++)
        if (r[i].status == WL_OK)
            CHECK_EQ(op(m, WL_OP_FREE_PAGES, r[i].result, 0, 0).status, WL_OK);
}

/* kmalloc and kmem caches. */
static void test_slab(emu_machine *m)
{
    emu_wl_result k = op(m, WL_OP_KMALLOC, 64, GFP_KERNEL, 0), c, o;

    CHECK_EQ(k.status, WL_OK);
    CHECK(k.result2 >= 0xc0000000u);
    CHECK_EQ(op(m, WL_OP_TOUCH, k.result, 3, 0).result, 64);
    CHECK_EQ(op(m, WL_OP_KFREE, k.result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_KFREE, k.result, 0, 0).status, WL_ESTALE);
    CHECK_EQ(op(m, WL_OP_KMALLOC, 0, GFP_KERNEL, 0).status, WL_EINVAL);
    CHECK_EQ(op(m, WL_OP_KMALLOC, 200000, GFP_KERNEL, 0).status, WL_EINVAL);
    c = call(m, 0, (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .arg = { 100, 0, 0 }, .name = "wl_test" });
    CHECK_EQ(c.status, WL_OK);
    o = op(m, WL_OP_CACHE_ALLOC, c.result, GFP_KERNEL, 0);
    CHECK_EQ(o.status, WL_OK);
    CHECK_EQ(op(m, WL_OP_TOUCH, o.result, 9, 0).result, 100);
    CHECK_EQ(op(m, WL_OP_TOUCH, c.result, 9, 0).status, WL_EINVAL);   /* a cache is not memory */
    CHECK_EQ(op(m, WL_OP_CACHE_DESTROY, c.result, 0, 0).status, WL_EBUSY);
    CHECK_EQ(op(m, WL_OP_CACHE_FREE, o.result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_CACHE_FREE, o.result, 0, 0).status, WL_ESTALE);
    CHECK_EQ(op(m, WL_OP_CACHE_DESTROY, c.result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_CACHE_ALLOC, c.result, GFP_KERNEL, 0).status, WL_ESTALE);
    CHECK_EQ(call(m, 0, (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .arg = { 100 }, .name = "a b" }).status, WL_EINVAL);
    CHECK_EQ(call(m, 0, (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .arg = { 100 }, .name = "" }).status, WL_EINVAL);
    CHECK_EQ(call(m, 0, (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .arg = { 100, 3 }, .name = "x" }).status, WL_EINVAL);
    CHECK_EQ(call(m, 0, (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .arg = { 100, 0, 1 }, .name = "x" }).status, WL_EINVAL);
}

/* The host's page-table walk: runs collected by map_run. */
typedef struct runs {
    emu_mapping r[256];
    unsigned n;
} runs;

static void map_run(void *ctx, const emu_mapping *m)
{
    runs *rs = ctx;

    if (rs->n < 256)
        rs->r[rs->n++] = *m;
}

/* Where the walk says va goes on cpu (~0 if unmapped); every run's first
 * and last page are also checked against emu_machine_virt_to_phys. */
static uint64_t walk_lookup(emu_machine *m, unsigned cpu, uint32_t va)
{
    runs rs = { .n = 0 };
    uint64_t pa, found = ~0ull;

    CHECK(emu_machine_walk_mappings(m, cpu, map_run, &rs) > 0);
    for (unsigned i = 0; i < rs.n; i++) {
        const emu_mapping *r = &rs.r[i];
        uint32_t last = r->vend - 4096;

        CHECK(emu_machine_virt_to_phys(m, cpu, r->vstart, &pa) == 0 && pa == r->pstart);
        CHECK(emu_machine_virt_to_phys(m, cpu, last, &pa) == 0 && pa == r->pstart + (last - r->vstart));
        if (va >= r->vstart && (r->vend == 0 || va < r->vend))
            found = r->pstart + (va - r->vstart);
    }
    return found;
}

/* vmalloc, vmap, kmap, kmap_atomic. */
static void test_vm(emu_machine *m)
{
    emu_wl_result v = op(m, WL_OP_VMALLOC, 65536, 0, 0), p[3], vm, km, two;

    CHECK_EQ(v.status, WL_OK);
    CHECK(v.result2 >= 0xc4000000u && v.result2 < 0xff000000u);   /* above lowmem + 8 MiB gap */
    CHECK_EQ(op(m, WL_OP_TOUCH, v.result, 5, 0).result, 65536);
    CHECK_EQ(op(m, WL_OP_VFREE, v.result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_VFREE, v.result, 0, 0).status, WL_ESTALE);
    CHECK_EQ(op(m, WL_OP_VZALLOC, 100, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_VMALLOC, 0, 0, 0).status, WL_EINVAL);
    for (int i = 0; i < 3; i++)
        p[i] = op(m, WL_OP_ALLOC_PAGES, 0, GFP_KERNEL, NODE_ANY);
    vm = call(m, 0, (emu_wl_req){ .op = WL_OP_VMAP, .arg = { 3 },
                                  .list = { p[0].result, p[1].result, p[2].result }, .nlist = 3 });
    CHECK_EQ(vm.status, WL_OK);
    CHECK_EQ(op(m, WL_OP_TOUCH, vm.result, 11, 0).result, 3 * 4096);
    for (int i = 0; i < 3; i++)      /* the host's walk finds the very pages vmap was given */
        CHECK_EQ(walk_lookup(m, i & 1, vm.result2 + 4096u * i), (uint64_t)p[i].result2 * 4096);
    CHECK_EQ(walk_lookup(m, 0, 0xc0000000u + 5 * 4096), 5 * 4096);   /* lowmem: phys + PAGE_OFFSET */
    CHECK_EQ(walk_lookup(m, 0, 0x1000), ~0ull);                       /* identity map dropped */
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, p[1].result, 0, 0).status, WL_EBUSY);   /* still mapped */
    CHECK_EQ(call(m, 0, (emu_wl_req){ .op = WL_OP_VMAP, .arg = { 2 },
                                      .list = { p[0].result, p[0].result }, .nlist = 2 }).status, WL_EINVAL);
    two = op(m, WL_OP_ALLOC_PAGES, 1, GFP_KERNEL, NODE_ANY);
    CHECK_EQ(call(m, 0, (emu_wl_req){ .op = WL_OP_VMAP, .arg = { 1 }, .list = { two.result }, .nlist = 1 }).status,
             WL_EINVAL);   /* order 1: vmap takes single pages */
    CHECK_EQ(op(m, WL_OP_VUNMAP, vm.result, 0, 0).status, WL_OK);
    CHECK_EQ(walk_lookup(m, 0, vm.result2), ~0ull);   /* unmapped (lazily freed area, no PTEs) */
    km = op(m, WL_OP_KMAP, p[0].result, 0, 0);
    CHECK_EQ(km.status, WL_OK);
    CHECK_EQ(km.result2, 0xc0000000u + p[0].result2 * 4096u);   /* lowmem: its permanent address */
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, p[0].result, 0, 0).status, WL_EBUSY);
    CHECK_EQ(op(m, WL_OP_KUNMAP, km.result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_KUNMAP, km.result, 0, 0).status, WL_ESTALE);
    CHECK_EQ(op(m, WL_OP_KMAP_ATOMIC, p[2].result, 1, 0).status, WL_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(op(m, WL_OP_FREE_PAGES, p[i].result, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_FREE_PAGES, two.result, 0, 0).status, WL_OK);
}

/* drain_pcp, check, report, unknown operations, the executor overhead. */
static void test_misc(emu_machine *m)
{
    emu_wl_result a = op(m, WL_OP_ALLOC_PAGES, 0, GFP_KERNEL, NODE_ANY), n;

    CHECK_EQ(op(m, WL_OP_FREE_PAGES, a.result, 0, 0).status, WL_OK);
    CHECK(op(m, WL_OP_DRAIN_PCP, 0, 0, 0).result >= 1);   /* the page just freed at least */
    CHECK_EQ(op(m, WL_OP_DRAIN_PCP, 0, 0, 0).result, 0);
    CHECK_EQ(op(m, WL_OP_CHECK, 0, 0, 0).result, 0);
    CHECK_EQ(op(m, WL_OP_REPORT, WL_REPORT_BUDDYINFO, 0, 0).status, WL_OK);
    CHECK_EQ(op(m, WL_OP_REPORT, WL_REPORT_COUNT, 0, 0).status, WL_EINVAL);
    CHECK_EQ(op(m, 999, 0, 0, 0).status, WL_ENOSYS);
    CHECK_EQ(op(m, WL_OP_INFO, 99, 0, 0).status, WL_EINVAL);
    n = op(m, WL_OP_NOP, 0, 0, 0);
    CHECK_EQ(n.status, WL_OK);
    CHECK_EQ(n.insns, 0);          /* the executor's own overhead is removed exactly */
    n = op(m, WL_OP_ALLOC_FREE_PAGES, 0, GFP_KERNEL, 0);
    CHECK_EQ(n.result, 0);         /* repeat 0: nothing */
}

/* WL_F_STOP_ON_ERROR cancels the rest of the batch. */
static void test_cancel(emu_machine *m)
{
    emu_wl_req q[3] = { { .op = WL_OP_FREE_PAGES, .flags = WL_F_STOP_ON_ERROR },
                        { .op = WL_OP_NOP }, { .op = WL_OP_NOP } };
    emu_wl_result r[3];
    emu_wl_batch b = { 1, q, r, 3 };
    char err[256];

    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), 0);
    CHECK_EQ(r[0].status, WL_EBADF);
    CHECK_EQ(r[1].status, WL_ECANCELED);
    CHECK_EQ(r[2].status, WL_ECANCELED);
    b.cpu = 7;
    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), -1);
    CHECK(strstr(err, "CPU 7 does not exist") != NULL);
}

/* 1000 allocations on each of two CPUs at once (beyond a queue's 128
 * slots), all distinct, then freed; free memory returns to where it was. */
static void test_batches(emu_machine *m)
{
    enum { N = 1000 };
    static emu_wl_req q[2][N], f[2][N];
    static emu_wl_result r[2][N], fr[2][N];
    emu_wl_batch b[2] = { { 0, q[0], r[0], N }, { 1, q[1], r[1], N } };
    uint32_t before, after, bad = 0;
    char err[256];

    op(m, WL_OP_DRAIN_PCP, 0, 0, 0);
    call(m, 1, (emu_wl_req){ .op = WL_OP_DRAIN_PCP });
    before = op(m, WL_OP_INFO, WL_INFO_NR_FREE, 0, 0).result;
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < N; i++)
            q[c][i] = (emu_wl_req){ .op = WL_OP_ALLOC_PAGES, .arg = { 0, GFP_KERNEL, NODE_ANY } };
    CHECK_EQ(emu_wl_run(m, b, 2, 0, err, sizeof err), 0);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < N; i++) {
            bad += r[c][i].status != WL_OK || (i && r[c][i].result2 == r[c][i - 1].result2);
            f[c][i] = (emu_wl_req){ .op = WL_OP_FREE_PAGES, .arg = { r[c][i].result } };
        }
    CHECK_EQ(bad, 0);
    CHECK_EQ(op(m, WL_OP_INFO, WL_INFO_NR_FREE, 0, 0).result + 2 * N, before);
    b[0].req = f[0], b[0].res = fr[0], b[1].req = f[1], b[1].res = fr[1];
    CHECK_EQ(emu_wl_run(m, b, 2, 0, err, sizeof err), 0);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < N; i++)
            bad += fr[c][i].status != WL_OK;
    CHECK_EQ(bad, 0);
    op(m, WL_OP_DRAIN_PCP, 0, 0, 0);
    call(m, 1, (emu_wl_req){ .op = WL_OP_DRAIN_PCP });
    after = op(m, WL_OP_INFO, WL_INFO_NR_FREE, 0, 0).result;
    CHECK_EQ(after, before);
}

/* A pair operation's counters: the per-CPU pair costs a few hundred
 * instructions, so 1000 of them are in a plausible band. */
static void test_pairs(emu_machine *m)
{
    emu_wl_result r = call(m, 0, (emu_wl_req){ .op = WL_OP_ALLOC_FREE_PAGES, .repeat = 1000,
                                              .arg = { 0, GFP_KERNEL } });

    CHECK_EQ(r.status, WL_OK);
    CHECK_EQ(r.result, 1000);
    CHECK(r.insns > 100 * 1000 && r.insns < 1000 * 1000);
    CHECK(r.cycles >= r.insns);
    r = call(m, 0, (emu_wl_req){ .op = WL_OP_KMALLOC_KFREE, .repeat = 100, .arg = { 64, GFP_KERNEL } });
    CHECK_EQ(r.result, 100);
    r = call(m, 1, (emu_wl_req){ .op = WL_OP_VMALLOC_VFREE, .repeat = 10, .arg = { 8192 } });
    CHECK_EQ(r.result, 10);
}

/* 5000 allocations then frees in one call each on CPU 0 (of one): many pauses at
 * doorbells, some of them after the CPU had reached the end of its round
 * (a case that once made the scheduler report a deadlock). */
static void test_long_batch(emu_machine *m)
{
    enum { N = 5000 };
    static emu_wl_req q[N];
    static emu_wl_result r[N];
    emu_wl_batch b = { 0, q, r, N };
    unsigned bad = 0;
    char err[256];

    for (int i = 0; i < N; i++)
        q[i] = (emu_wl_req){ .op = WL_OP_ALLOC_PAGES, .arg = { 0, GFP_KERNEL, NODE_ANY } };
    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), 0);
    for (int i = 0; i < N; i++) {
        bad += r[i].status != WL_OK;
        q[i] = (emu_wl_req){ .op = WL_OP_FREE_PAGES, .arg = { r[i].result } };
    }
    CHECK_EQ(emu_wl_run(m, &b, 1, 0, err, sizeof err), 0);
    for (int i = 0; i < N; i++)
        bad += r[i].status != WL_OK;
    CHECK_EQ(bad, 0);
}

/* Order-3 pairs (zone->lock each time) on four CPUs at once, against the
 * same on one CPU.  CPUs run one at a time, so a CPU whose turn ends inside
 * zone->lock leaves the others spinning; pause-loop exits end their turns
 * instead, so the guest's instruction count per pair stays near the
 * one-CPU figure (it was about 2-3 times higher before them). */
static void test_pause_exits(void)
{
    emu_machine *m1 = boot(1, 64), *m4 = boot(4, 64);
    emu_wl_req q = { .op = WL_OP_ALLOC_FREE_PAGES, .repeat = 2000, .arg = { 3, GFP_KERNEL } };
    emu_wl_req qs[4] = { q, q, q, q };
    emu_wl_result r1, r4[4];
    emu_wl_batch b1 = { 0, &q, &r1, 1 }, b4[4];
    uint64_t insns4 = 0, exits = 0;
    emu_cpu_stats st;
    char err[256];

    for (unsigned c = 0; c < 4; c++)
        b4[c] = (emu_wl_batch){ c, &qs[c], &r4[c], 1 };
    CHECK_EQ(emu_wl_run(m1, &b1, 1, 0, err, sizeof err), 0);
    CHECK_EQ(emu_wl_run(m4, b4, 4, 0, err, sizeof err), 0);
    for (unsigned c = 0; c < 4; c++) {
        CHECK_EQ(r4[c].result, 2000);
        insns4 += r4[c].insns;
        emu_machine_cpu_stats(m4, c, &st);
        exits += st.pause_exits;
    }
    CHECK(exits > 0);
    CHECK(insns4 / 4 < r1.insns * 3 / 2);      /* per CPU: within 1.5x of one CPU alone */
    emu_machine_cpu_stats(m1, 0, &st);
    CHECK_EQ(st.pause_exits, 0);               /* nobody to wait for */
    emu_machine_destroy(m1);
    emu_machine_destroy(m4);
}

/* Gfp names. */
static void test_gfp(void)
{
    uint32_t g = 0;
    char err[128];

    CHECK_EQ(emu_wl_parse_gfp("GFP_KERNEL|__GFP_ZERO", &g, err, sizeof err), 0);
    CHECK_EQ(g, 0x80d0);
    CHECK_EQ(emu_wl_parse_gfp(" GFP_DMA | 0x200 ", &g, err, sizeof err), 0);
    CHECK_EQ(g, 0x201);
    CHECK_EQ(emu_wl_parse_gfp("GFP_KERNEL|bogus", &g, err, sizeof err), -1);
    CHECK(strstr(err, "'bogus'") != NULL);
    CHECK_EQ(emu_wl_parse_gfp("", &g, err, sizeof err), -1);
    CHECK(strcmp(emu_wl_op_name(WL_OP_VMAP), "vmap") == 0);
    CHECK_EQ(emu_wl_op_lookup("kmem_cache_alloc"), WL_OP_CACHE_ALLOC);
    CHECK_EQ(emu_wl_op_lookup("nope"), -1);
    CHECK(strcmp(emu_wl_status_name(WL_ESTALE), "ESTALE") == 0);
}

/* Runs everything on a fresh machine; returns its RAM hash. */
static uint64_t run_all(void)
{
    emu_machine *m = boot(2, 64);
    uint64_t h;

    test_pages(m);
    test_enomem(m);
    test_slab(m);
    test_vm(m);
    test_misc(m);
    test_cancel(m);
    test_batches(m);
    test_pairs(m);
    h = emu_machine_ram_hash(m);
    emu_machine_destroy(m);
    return h;
}

int main(void)
{
    uint64_t h1, h2;

    emu_machine *one = boot(1, 256);

    test_gfp();
    test_pause_exits();
    test_long_batch(one);
    emu_machine_destroy(one);
    h1 = run_all();
    h2 = run_all();
    CHECK_EQ(h1, h2);              /* deterministic, RAM byte for byte */
    return unit_done();
}
