/* bench/bench_wl.c - the workload request ring's throughput (docs/workloads.md,
 * "Benchmark"): host operations per second for batched order-0 page
 * alloc+free and kmalloc-64 alloc+free on one CPU, the same through the
 * pair operations (repeat counts), and the cost of one unbatched round trip.
 *
 *   pagelab-bench-wl          the table (target bench-wl runs it)
 *   pagelab-bench-wl --check  small counts, exact checks only (ctest bench.wl_check)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine.h"
#include "wl_ring.h"

#define NODE_ANY 0xffffffffu

typedef struct bench_ctx {
    emu_machine *m;
    emu_wl_req *req;
    emu_wl_result *res;
    size_t cap;
    unsigned failures;
} bench_ctx;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Boots a 1-CPU, 256 MiB machine serving workload requests. */
static int boot(bench_ctx *b)
{
    emu_config cfg;
    char err[256];

    emu_config_init(&cfg);
    cfg.kernel_path = PAGELAB_KERNEL;
    cfg.ram_bytes = 256ull << 20;
    cfg.ncpus = 1;
    cfg.cmdline = "quiet workload";
    b->m = emu_machine_create(&cfg, NULL, err, sizeof err);
    if (!b->m || emu_wl_start(b->m, 0, err, sizeof err)) {
        fprintf(stderr, "pagelab-bench-wl: %s\n", err);
        return -1;
    }
    return 0;
}

/* Runs n requests on CPU 0; counts the ones that did not succeed. */
static void run(bench_ctx *b, size_t n)
{
    emu_wl_batch batch = { 0, b->req, b->res, n };
    char err[256];

    if (emu_wl_run(b->m, &batch, 1, 0, err, sizeof err)) {
        fprintf(stderr, "pagelab-bench-wl: %s\n", err);
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        b->failures += b->res[i].status != WL_OK;
}

/* n allocations (op alloc with args a0, a1, a2) then n frees (op fr) of
 * the handles, `rounds` times.  Returns host operations per second and the
 * guest instructions per operation in *insns. */
static double alloc_free_list(bench_ctx *b, uint32_t alloc, uint32_t a0, uint32_t a1, uint32_t a2,
                              uint32_t fr, size_t n, unsigned rounds, double *insns)
{
    double t = 0;
    uint64_t gi = 0;

    for (unsigned k = 0; k < rounds; k++) {
        for (size_t i = 0; i < n; i++)
            b->req[i] = (emu_wl_req){ .op = alloc, .arg = { a0, a1, a2 } };
        double t0 = now_s();
        run(b, n);
        t += now_s() - t0;
        for (size_t i = 0; i < n; i++) {
            gi += b->res[i].insns;
            b->req[i] = (emu_wl_req){ .op = fr, .arg = { b->res[i].result } };
        }
        t0 = now_s();
        run(b, n);
        t += now_s() - t0;
        for (size_t i = 0; i < n; i++)
            gi += b->res[i].insns;
    }
    *insns = (double)gi / (2.0 * n * rounds);
    return 2.0 * n * rounds / t;
}

/* One request with a repeat count: pairs per host second (x2 = ops). */
static double pair_op(bench_ctx *b, uint32_t op, uint32_t a0, uint32_t a1, uint32_t repeat, double *insns)
{
    double t0;

    b->req[0] = (emu_wl_req){ .op = op, .repeat = repeat, .arg = { a0, a1 } };
    t0 = now_s();
    run(b, 1);
    t0 = now_s() - t0;
    if (b->res[0].result != repeat)
        b->failures++;
    *insns = (double)b->res[0].insns / (2.0 * repeat);
    return 2.0 * repeat / t0;
}

/* n unbatched round trips of a NOP: host microseconds each. */
static double round_trip_us(bench_ctx *b, unsigned n)
{
    double t0 = now_s();

    for (unsigned i = 0; i < n; i++) {
        b->req[0] = (emu_wl_req){ .op = WL_OP_NOP };
        run(b, 1);
    }
    return (now_s() - t0) / n * 1e6;
}

int main(int argc, char **argv)
{
    bool check = argc > 1 && strcmp(argv[1], "--check") == 0;
    size_t n = check ? 2000 : 20000;
    unsigned rounds = check ? 1 : 10;
    bench_ctx b = { .cap = n };
    uint32_t gfp;
    char err[128];
    double ins, ops;
    emu_wl_stats st;

    b.req = calloc(n, sizeof *b.req);
    b.res = calloc(n, sizeof *b.res);
    if (emu_wl_parse_gfp("GFP_KERNEL", &gfp, err, sizeof err)) {
        fprintf(stderr, "pagelab-bench-wl: %s\n", err);
        return 1;
    }
    if (!b.req || !b.res || boot(&b))
        return 1;
    printf("%-46s %14s %12s\n", "operation (1 CPU, 256 MiB)", "host ops/s", "guest insns");
    ops = alloc_free_list(&b, WL_OP_ALLOC_PAGES, 0, gfp, NODE_ANY, WL_OP_FREE_PAGES, n, rounds, &ins);
    printf("%-46s %14.0f %12.1f\n", "alloc_pages/free_pages order 0, batched list", ops, ins);
    ops = alloc_free_list(&b, WL_OP_KMALLOC, 64, gfp, 0, WL_OP_KFREE, n, rounds, &ins);
    printf("%-46s %14.0f %12.1f\n", "kmalloc/kfree 64 bytes, batched list", ops, ins);
    ops = pair_op(&b, WL_OP_ALLOC_FREE_PAGES, 0, gfp, (uint32_t)n * rounds * 10, &ins);
    printf("%-46s %14.0f %12.1f\n", "alloc_free_pages order 0 (repeat count)", ops, ins);
    ops = pair_op(&b, WL_OP_KMALLOC_KFREE, 64, gfp, (uint32_t)n * rounds * 10, &ins);
    printf("%-46s %14.0f %12.1f\n", "kmalloc_kfree 64 bytes (repeat count)", ops, ins);
    printf("%-46s %14.2f\n", "one unbatched round trip (NOP), host us", round_trip_us(&b, check ? 100 : 20000));
    emu_wl_get_stats(b.m, &st);
    printf("requests %llu, round trips %llu, doorbells %llu, failed requests %u\n",
           (unsigned long long)st.requests, (unsigned long long)st.round_trips,
           (unsigned long long)st.doorbells, b.failures);
    emu_machine_destroy(b.m);
    free(b.req);
    free(b.res);
    return b.failures != 0;
}
