/* Per-operation latency of workload requests.
 *
 * The module (emu/wl_latency.c) on known sample sets: 1..100 in a shuffled
 * order, one sample, none, small sets, the rank formula against a
 * brute-force search over n = 1..300, late unsorted samples, and the
 * out-of-memory path (an allocator that fails: samples dropped and counted).
 *
 * End to end (emu_wl_get_latency) on the real guest kernel, 1 and 2 CPUs:
 * mixed batches of several operations (with failures: bad handles,
 * an unknown operation, a cancelled tail), then every operation's summary
 * against a reference computed here from the returned results' cycles,
 * with its own sort and its own nearest-rank search; failed requests must
 * not count; two identical machines give identical summaries. */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "unit.h"
#include "wl_boot.h"
#include "wl_latency.h"
#include "wl_ring.h"
#include "gfp.h"

#define NODE_ANY 0xffffffffu
#define MAX_SAMPLES 8192

/* ---- an independent reference ----------------------------------------------- */

typedef struct ref_op {
    uint64_t v[MAX_SAMPLES];
    size_t n;
} ref_op;

typedef struct ref {
    ref_op op[WL_OP_COUNT];
    unsigned ok, failed;      /* results seen, by status */
} ref;

/* Insertion sort, ascending. */
static void ref_sort(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Nearest rank by definition: the smallest k (1-based) with k >= p/100 * n,
 * i.e. 100 k >= p n; the k-th smallest sample. */
static uint64_t ref_percentile(const uint64_t *sorted, size_t n, unsigned p)
{
    size_t k = 1;

    while (100 * k < (size_t)p * n)
        k++;
    return sorted[k - 1];
}

/* The summary of r->op[op] as emu_wl_get_latency should give it. */
static emu_wl_latency ref_summary(const ref *r, unsigned op)
{
    static uint64_t s[MAX_SAMPLES];
    emu_wl_latency l = { 0 };
    size_t n = r->op[op].n;
    uint64_t sum = 0;

    if (n == 0)
        return l;
    memcpy(s, r->op[op].v, n * sizeof s[0]);
    ref_sort(s, n);
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    l.count = n;
    l.min = s[0];
    l.max = s[n - 1];
    l.p50 = ref_percentile(s, n, 50);
    l.p90 = ref_percentile(s, n, 90);
    l.p99 = ref_percentile(s, n, 99);
    l.mean = (double)sum / (double)n;
    return l;
}

static void check_summary(const emu_wl_latency *got, const emu_wl_latency *want, unsigned op)
{
    bool same = got->count == want->count && got->min == want->min && got->p50 == want->p50 &&
                got->p90 == want->p90 && got->p99 == want->p99 && got->max == want->max &&
                got->mean == want->mean;

    CHECK(same);
    if (!same)
        fprintf(stderr, "op %u: got n %llu min %llu p50 %llu p90 %llu p99 %llu max %llu mean %.3f, "
                "want n %llu min %llu p50 %llu p90 %llu p99 %llu max %llu mean %.3f\n", op,
                (unsigned long long)got->count, (unsigned long long)got->min, (unsigned long long)got->p50,
                (unsigned long long)got->p90, (unsigned long long)got->p99, (unsigned long long)got->max,
                got->mean, (unsigned long long)want->count, (unsigned long long)want->min,
                (unsigned long long)want->p50, (unsigned long long)want->p90, (unsigned long long)want->p99,
                (unsigned long long)want->max, want->mean);
}

/* ---- the module on known samples ---------------------------------------------- */

static emu_wl_latency summary(emu_wl_lat *l, unsigned op)
{
    emu_wl_latency s;

    emu_wl_lat_summary(l, op, &s);
    return s;
}

/* 1..100 (added as 37 i mod 100 + 1: a permutation), one sample, none,
 * an unknown operation, three samples, samples smaller than the sorted
 * ones arriving after a summary. */
static void test_known_sets(void)
{
    static emu_wl_lat l;
    emu_wl_latency s;

    emu_wl_lat_init(&l);
    for (unsigned i = 0; i < 100; i++)
        emu_wl_lat_add(&l, WL_OP_KMALLOC, 37 * i % 100 + 1);
    s = summary(&l, WL_OP_KMALLOC);
    CHECK_EQ(s.count, 100);
    CHECK_EQ(s.min, 1);
    CHECK_EQ(s.p50, 50);
    CHECK_EQ(s.p90, 90);
    CHECK_EQ(s.p99, 99);
    CHECK_EQ(s.max, 100);
    CHECK(s.mean == 50.5);
    emu_wl_lat_add(&l, WL_OP_VMAP, 42);
    s = summary(&l, WL_OP_VMAP);
    CHECK(s.count == 1 && s.min == 42 && s.p50 == 42 && s.p90 == 42 && s.p99 == 42 && s.max == 42 && s.mean == 42.0);
    s = summary(&l, WL_OP_KFREE);
    CHECK(s.count == 0 && s.min == 0 && s.p50 == 0 && s.p99 == 0 && s.max == 0 && s.mean == 0.0);
    emu_wl_lat_add(&l, WL_OP_COUNT, 5);        /* ignored, no crash */
    emu_wl_lat_add(&l, 999, 5);
    s = summary(&l, WL_OP_COUNT);
    CHECK_EQ(s.count, 0);
    emu_wl_lat_add(&l, WL_OP_TOUCH, 5);
    emu_wl_lat_add(&l, WL_OP_TOUCH, 1);
    emu_wl_lat_add(&l, WL_OP_TOUCH, 3);
    s = summary(&l, WL_OP_TOUCH);              /* ranks 2, 3, 3 */
    CHECK(s.min == 1 && s.p50 == 3 && s.p90 == 5 && s.p99 == 5 && s.max == 5 && s.mean == 3.0);
    emu_wl_lat_add(&l, WL_OP_TOUCH, 0);        /* after a sort: below everything */
    emu_wl_lat_add(&l, WL_OP_TOUCH, 4);
    s = summary(&l, WL_OP_TOUCH);              /* 0 1 3 4 5: ranks 3, 5, 5 */
    CHECK(s.count == 5 && s.min == 0 && s.p50 == 3 && s.p90 == 5 && s.p99 == 5 && s.max == 5);
    s = summary(&l, WL_OP_KMALLOC);            /* the others are untouched */
    CHECK(s.count == 100 && s.p50 == 50);
    CHECK_EQ(emu_wl_lat_dropped(&l), 0);
    emu_wl_lat_free(&l);
    CHECK_EQ(summary(&l, WL_OP_KMALLOC).count, 0);
    emu_wl_lat_add(&l, WL_OP_KMALLOC, 7);      /* usable after free */
    CHECK_EQ(summary(&l, WL_OP_KMALLOC).p99, 7);
    emu_wl_lat_free(&l);
}

/* The rank arithmetic against the brute-force search, n = 1..300 (values
 * 10, 20, ..., so a rank error shows), every p from 1 to 100. */
static void test_ranks(void)
{
    static uint64_t v[300];
    unsigned bad = 0;

    for (size_t i = 0; i < 300; i++)
        v[i] = 10 * (i + 1);
    for (size_t n = 1; n <= 300; n++)
        for (unsigned p = 1; p <= 100; p++)
            bad += emu_wl_lat_percentile(v, n, p) != ref_percentile(v, n, p);
    CHECK_EQ(bad, 0);
    CHECK_EQ(emu_wl_lat_percentile(v, 0, 50), 0);
    CHECK_EQ(emu_wl_lat_percentile(v, 200, 50), 1000);    /* rank 100 */
    CHECK_EQ(emu_wl_lat_percentile(v, 201, 50), 1010);    /* rank ceil(100.5) = 101 */
    CHECK_EQ(emu_wl_lat_percentile(v, 101, 99), 1000);    /* rank ceil(99.99) = 100 */
    CHECK_EQ(emu_wl_lat_percentile(v, 10, 100), 100);
}

/* A realloc that succeeds `grow_budget` times, then fails. */
static unsigned grow_budget;

static void *limited_realloc(void *p, size_t size)
{
    if (grow_budget == 0)
        return NULL;
    grow_budget--;
    return realloc(p, size);
}

/* Out of memory: samples are dropped and counted; those kept still give
 * exact summaries. */
static void test_out_of_memory(void)
{
    static emu_wl_lat l;
    emu_wl_latency s;
    size_t kept;

    emu_wl_lat_init(&l);
    l.grow = limited_realloc;
    grow_budget = 0;
    for (unsigned i = 0; i < 5; i++)
        emu_wl_lat_add(&l, WL_OP_NOP, i);
    CHECK_EQ(summary(&l, WL_OP_NOP).count, 0);
    CHECK_EQ(emu_wl_lat_dropped(&l), 5);
    grow_budget = 1;                           /* the first array only */
    for (unsigned i = 0; i < 1000; i++)
        emu_wl_lat_add(&l, WL_OP_KMALLOC, 1000 - i);
    s = summary(&l, WL_OP_KMALLOC);
    kept = (size_t)s.count;
    CHECK(kept > 0 && kept < 1000);
    CHECK_EQ(emu_wl_lat_dropped(&l), 5 + (1000 - kept));
    CHECK_EQ(s.max, 1000);                     /* the first `kept` samples: 1000 down to 1001 - kept */
    CHECK_EQ(s.min, 1001 - kept);
    CHECK_EQ(s.p50, 1000 - kept + (kept + 1) / 2);
    emu_wl_lat_free(&l);
}

/* ---- end to end ---------------------------------------------------------------- */

static emu_machine *boot(unsigned ncpus)
{
    return wl_boot(ncpus, 128, EMU_TIMING_FAST, NULL, NULL);
}

enum {
    N = 600,          /* allocations per CPU: beyond a queue's 128 slots */
    ROUND_MAX = 1024, /* requests per CPU and round */
    MAX_CPUS = 2,
};

typedef struct round {
    emu_wl_req q[MAX_CPUS][ROUND_MAX];
    emu_wl_result r[MAX_CPUS][ROUND_MAX];
    size_t n[MAX_CPUS];
} round;

/* Runs round rd on CPUs 0..ncpus-1 at once and adds its results to ref. */
static void run_round(emu_machine *m, unsigned ncpus, round *rd, ref *rf)
{
    emu_wl_batch b[MAX_CPUS];
    char err[256];

    for (unsigned c = 0; c < ncpus; c++)
        b[c] = (emu_wl_batch){ c, rd->q[c], rd->r[c], rd->n[c] };
    CHECK_EQ(emu_wl_run(m, b, ncpus, 0, err, sizeof err), 0);
    for (unsigned c = 0; c < ncpus; c++)
        for (size_t i = 0; i < rd->n[c]; i++) {
            if (rd->r[c][i].status != WL_OK) {
                rf->failed++;
                continue;
            }
            ref_op *o = &rf->op[rd->q[c][i].op];
            rf->ok++;
            if (o->n < MAX_SAMPLES)
                o->v[o->n++] = rd->r[c][i].cycles;
        }
}

/* Round one: pages of orders 0-3 and kmallocs of 16 B to 512 B, interleaved. */
static void fill_alloc(round *rd, unsigned ncpus)
{
    for (unsigned c = 0; c < ncpus; c++) {
        for (size_t i = 0; i < N; i++)
            rd->q[c][i] = i % 2 ? (emu_wl_req){ .op = WL_OP_KMALLOC, .arg = { 16u << (i / 2 % 6), GFP_KERNEL } }
                                : (emu_wl_req){ .op = WL_OP_ALLOC_PAGES,
                                                .arg = { (unsigned)(i / 2 + c) % 4, GFP_KERNEL, NODE_ANY } };
        rd->n[c] = N;
    }
}

/* Round two: every fourth allocation touched, all freed (pages and
 * kmallocs), with failures mixed in: kfree of handle 0 (EBADF), a pages
 * handle to kfree (EBADF), an unknown operation (ENOSYS); the pair
 * operations with repeat counts; a failing stop-on-error request and a
 * cancelled nop at the end. */
static void fill_free(round *rd, const round *alloc, unsigned ncpus)
{
    for (unsigned c = 0; c < ncpus; c++) {
        size_t k = 0;
        for (size_t i = 0; i < N / 4; i++)
            rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_TOUCH, .arg = { alloc->r[c][4 * i].result, 7 } };
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_KFREE, .arg = { 0 } };
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_KFREE, .arg = { alloc->r[c][0].result } };
        rd->q[c][k++] = (emu_wl_req){ .op = 999 };
        for (size_t i = 0; i < N; i++)
            rd->q[c][k++] = (emu_wl_req){ .op = i % 2 ? WL_OP_KFREE : WL_OP_FREE_PAGES,
                                          .arg = { alloc->r[c][i].result } };
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_ALLOC_FREE_PAGES, .repeat = 50 + c, .arg = { 0, GFP_KERNEL } };
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_KMALLOC_KFREE, .repeat = 20, .arg = { 64, GFP_KERNEL } };
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_NOP };
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_FREE_PAGES, .flags = WL_F_STOP_ON_ERROR };   /* EBADF */
        rd->q[c][k++] = (emu_wl_req){ .op = WL_OP_NOP };                                   /* ECANCELED */
        rd->n[c] = k;
    }
}

/* The scenario on a fresh machine of ncpus CPUs: fills sums[] with every
 * operation's summary and checks each against the reference. */
static void scenario(unsigned ncpus, emu_wl_latency sums[WL_OP_COUNT])
{
    static round alloc, frees;
    static ref rf;
    emu_machine *m = boot(ncpus);
    emu_wl_latency got, want;
    uint64_t total = 0;

    memset(&rf, 0, sizeof rf);
    emu_wl_get_latency(m, WL_OP_ALLOC_PAGES, &got);
    CHECK_EQ(got.count, 0);                    /* nothing before the first request */
    fill_alloc(&alloc, ncpus);
    run_round(m, ncpus, &alloc, &rf);
    CHECK_EQ(rf.failed, 0);
    fill_free(&frees, &alloc, ncpus);
    run_round(m, ncpus, &frees, &rf);
    CHECK_EQ(rf.failed, 5 * ncpus);            /* 2 EBADF, ENOSYS, EBADF, ECANCELED per CPU */
    for (unsigned op = 0; op < WL_OP_COUNT; op++) {
        emu_wl_get_latency(m, op, &got);
        want = ref_summary(&rf, op);
        check_summary(&got, &want, op);
        total += got.count;
        sums[op] = got;
    }
    CHECK_EQ(total, rf.ok);
    CHECK_EQ(sums[WL_OP_ALLOC_PAGES].count, N / 2 * ncpus);
    CHECK_EQ(sums[WL_OP_KFREE].count, sums[WL_OP_KMALLOC].count);   /* the failed kfrees are not in */
    CHECK_EQ(sums[WL_OP_ALLOC_FREE_PAGES].count, ncpus);            /* one sample per repeat request */
    CHECK_EQ(sums[WL_OP_NOP].count, ncpus);                         /* not the cancelled one */
    CHECK(sums[WL_OP_ALLOC_PAGES].p50 < sums[WL_OP_ALLOC_PAGES].p99);   /* a real spread */
    CHECK(sums[WL_OP_ALLOC_FREE_PAGES].min > sums[WL_OP_ALLOC_PAGES].p50);
    emu_wl_get_latency(m, WL_OP_COUNT, &got);
    CHECK_EQ(got.count, 0);
    CHECK_EQ(emu_wl_latency_dropped(m), 0);
    emu_machine_destroy(m);
}

/* 1 and 2 CPUs; each twice on fresh machines: identical summaries. */
static void test_machine(void)
{
    static emu_wl_latency a[WL_OP_COUNT], b[WL_OP_COUNT];

    for (unsigned ncpus = 1; ncpus <= 2; ncpus++) {
        scenario(ncpus, a);
        scenario(ncpus, b);
        for (unsigned op = 0; op < WL_OP_COUNT; op++)
            check_summary(&a[op], &b[op], op);
    }
    CHECK_EQ(a[WL_OP_ALLOC_PAGES].count, N);   /* the last run: 2 CPUs */
}

int main(void)
{
    test_known_sets();
    test_ranks();
    test_out_of_memory();
    test_machine();
    return unit_done();
}
