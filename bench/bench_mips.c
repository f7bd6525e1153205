/* bench/bench_mips.c - pagelab's speed against raw Unicorn on the same code:
 * the spin_loop table and main (the timing-modes table is bench_modes.c).
 *
 * The spin test kernel (tests/kernels/spin.S) runs spin_loop(buf, iters) on
 * every CPU.  The same bytes, [spin_loop, spin_loop_end) read from the
 * kernel's symbol table, are also run on a bare Unicorn engine with paging
 * on (identity 4 MiB pages) and no hooks (bench_raw.c): the reference every
 * pagelab figure is divided by.  See docs/bench.md.
 *
 *   pagelab-bench-mips [--only spin|modes] [options]   the timed tables
 *   pagelab-bench-mips --check [--only spin|modes]      exact checks only
 *
 * The pagelab runs use emu/machine.h (and emu/script.h for the workload
 * scripts) only.  Nothing here asserts anything about speed: the exit
 * status is non-zero only when a correctness cross-check fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_mips.h"
#include "machine.h"

#ifndef PAGELAB_SPIN_KERNEL
#define PAGELAB_SPIN_KERNEL "spin.elf"
#endif
#ifndef PAGELAB_MEM_KERNEL
#define PAGELAB_MEM_KERNEL "memloop.elf"
#endif
#ifndef PAGELAB_KERNEL
#define PAGELAB_KERNEL "pagelab-kernel.elf"
#endif
#ifndef PAGELAB_WORKLOADS_DIR
#define PAGELAB_WORKLOADS_DIR "workloads"
#endif

#define DEFAULT_ITERS 160000000u   /* per configuration: 1.6 G guest instructions */
#define DEFAULT_REPS 3
#define TARGET_RATIO 0.5           /* the target: >= 0.5 of raw Unicorn */

/* The spin kernel's results (physical, u32). */
#define RES_NCPUS 0x6000u
#define RES_ITERS 0x6004u
#define RES_DONE 0x6008u
#define RES_SUM(i) (0x6010u + 4u * (i))
#define SPIN_SUM_ZERO 0x9E3779B9u  /* spin_loop(buf, 0) */

#define RAW_BUF 0x400000u          /* raw engine: 64 KiB, zeroed, like CPU 0's in the kernel */
#define RAW_MEM (8u << 20)

/* One run of spin_loop(RAW_BUF, iters) on a fresh raw engine (4 MiB pages). */
static int raw_run(const bench_code *sc, enum bench_raw_mode mode, uint32_t iters, bench_raw_result *r)
{
    bench_raw_job job = { .code = sc, .mem_size = RAW_MEM, .args = { RAW_BUF, iters }, .nargs = 2 };
    return bench_raw_run(&job, mode, r);
}

/* insns(iters) = a * iters + b, fitted on two hooked runs, checked on a third. */
typedef struct raw_model {
    uint64_t a, b;
} raw_model;

static uint64_t raw_insns(const raw_model *m, uint32_t iters)
{
    return m->a * iters + m->b;
}

static int raw_calibrate(const bench_code *sc, raw_model *model)
{
    static const uint32_t fit[2] = { 100, 1000 }, verify[] = { 0, 1, 12345 };
    bench_raw_result r0, r1;
    if (raw_run(sc, RAW_COUNT, fit[0], &r0) || raw_run(sc, RAW_COUNT, fit[1], &r1))
        return -1;
    uint64_t d = r1.counted - r0.counted;
    model->a = d / (fit[1] - fit[0]);
    model->b = r0.counted - model->a * fit[0];
    bench_check(d % (fit[1] - fit[0]) == 0 && r1.counted > r0.counted,
          "raw instruction count is not linear in iters (%" PRIu64 " at %u, %" PRIu64 " at %u)",
          r0.counted, fit[0], r1.counted, fit[1]);
    bench_check(model->a == 10, "spin_loop runs %" PRIu64 " instructions per iteration, spin.S says 10", model->a);
    for (size_t i = 0; i < sizeof verify / sizeof verify[0]; i++) {
        bench_raw_result rv;
        if (raw_run(sc, RAW_COUNT, verify[i], &rv))
            return -1;
        bench_check(rv.counted == raw_insns(model, verify[i]),
              "raw count at iters=%u is %" PRIu64 ", the fit %" PRIu64 "*iters+%" PRIu64 " says %" PRIu64,
              verify[i], rv.counted, model->a, model->b, raw_insns(model, verify[i]));
        if (verify[i] == 0)
            bench_check(rv.eax == SPIN_SUM_ZERO, "spin_loop(buf, 0) returned 0x%08x, not 0x%08x", rv.eax,
                        SPIN_SUM_ZERO);
    }
    return 0;
}

/* ---- pagelab runs (emu/machine.h only) ------------------------------------------ */

typedef struct pl_result {
    unsigned ncpus;
    uint64_t insns[EMU_MAX_CPUS], total_insns;
    uint32_t sum[EMU_MAX_CPUS];
    uint32_t res_ncpus, res_iters, res_done;
    uint64_t ram_hash;
    unsigned odd_events;   /* bad accesses and device reports: the kernel makes none */
    double seconds, cpu_seconds;   /* wall and CPU, around emu_machine_run only */
} pl_result;

static void pl_event(void *ctx, const emu_event *ev)
{
    pl_result *r = ctx;
    if (ev->kind == EMU_EV_BAD_ACCESS || ev->kind == EMU_EV_REPORT)
        r->odd_events++;
}

/* Boots the spin kernel with iters=N on ncpus CPUs and runs it to its exit.
 * The command line pads N to 10 digits so that parsing it costs the same
 * number of guest instructions for every N.  Returns -1 (and says why) if
 * the machine cannot be created or the run does not end with exit value 0. */
static int pl_run(const char *kernel, unsigned ncpus, uint32_t iters, uint64_t quantum, pl_result *r)
{
    char cmdline[32];
    emu_config cfg;
    emu_config_init(&cfg);
    snprintf(cmdline, sizeof cmdline, "iters=%010" PRIu32, iters);
    cfg.kernel_path = kernel;
    cfg.ncpus = ncpus;
    cfg.cmdline = cmdline;
    if (quantum)
        cfg.quantum_cycles = quantum;
    memset(r, 0, sizeof *r);
    emu_callbacks cb = { .ctx = r, .event = pl_event };
    char what[96];
    snprintf(what, sizeof what, "%u CPUs, iters=%" PRIu32, ncpus, iters);
    int rc;
    emu_machine *m = bench_machine_run(&cfg, &cb, what, &r->seconds, &r->cpu_seconds, &rc);
    if (!m)
        return -1;
    r->ncpus = emu_machine_ncpus(m);
    for (unsigned i = 0; i < r->ncpus; i++) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(m, i, &st);
        r->insns[i] = st.insns;
        r->total_insns += st.insns;
        emu_machine_peek_phys(m, RES_SUM(i), &r->sum[i], 4);
    }
    emu_machine_peek_phys(m, RES_NCPUS, &r->res_ncpus, 4);
    emu_machine_peek_phys(m, RES_ITERS, &r->res_iters, 4);
    emu_machine_peek_phys(m, RES_DONE, &r->res_done, 4);
    r->ram_hash = emu_machine_ram_hash(m);
    emu_machine_destroy(m);
    return rc;
}

/* Kernel overhead beyond spin_loop itself, per CPU, in guest instructions
 * (learned from iters=0 runs, checked constant by --check). */
typedef struct overhead {
    uint64_t bsp_alone;   /* CPU 0 when it is the only CPU */
    uint64_t ap;          /* every AP */
} overhead;

/* The exact checks on one pagelab run against the raw engine. */
static void check_run(const pl_result *r, unsigned ncpus, uint32_t iters, uint32_t raw_sum,
                      const raw_model *model, const overhead *ovh, const char *what)
{
    bench_check(r->ncpus == ncpus && r->res_ncpus == ncpus && r->res_done == ncpus && r->res_iters == iters,
          "%s: kernel saw %u CPUs, iters=%u, %u done (expected %u, %u, %u)", what, r->res_ncpus,
          r->res_iters, r->res_done, ncpus, iters, ncpus);
    bench_check(r->odd_events == 0, "%s: %u bad-access or device reports", what, r->odd_events);
    uint64_t loop = raw_insns(model, iters);
    for (unsigned i = 0; i < r->ncpus && i < ncpus; i++) {
        bench_check(r->sum[i] == raw_sum, "%s: CPU %u checksum 0x%08x, raw Unicorn 0x%08x", what, i, r->sum[i],
                    raw_sum);
        bench_check(r->insns[i] >= loop, "%s: CPU %u counted %" PRIu64 " instructions, fewer than spin_loop's %" PRIu64,
              what, i, r->insns[i], loop);
        if (!ovh)
            continue;
        if (i > 0)
            bench_check(r->insns[i] == loop + ovh->ap, "%s: CPU %u counted %" PRIu64 " = spin_loop %" PRIu64
                  " + %" PRId64 ", expected overhead %" PRIu64, what, i, r->insns[i], loop,
                  (int64_t)(r->insns[i] - loop), ovh->ap);
        else if (ncpus == 1)
            bench_check(r->insns[0] == loop + ovh->bsp_alone, "%s: CPU 0 counted %" PRIu64 " = spin_loop %" PRIu64
                  " + %" PRId64 ", expected overhead %" PRIu64, what, r->insns[0], loop,
                  (int64_t)(r->insns[0] - loop), ovh->bsp_alone);
        else   /* the BSP also waits for the APs: at least its lone overhead */
            bench_check(r->insns[0] >= loop + ovh->bsp_alone, "%s: CPU 0 counted %" PRIu64 " < spin_loop %" PRIu64
                  " + lone overhead %" PRIu64, what, r->insns[0], loop, ovh->bsp_alone);
    }
}

/* Learns the per-CPU overheads from iters=0 runs on 1 and 2 CPUs. */
static int learn_overhead(const char *kernel, const raw_model *model, overhead *ovh)
{
    pl_result r1, r2;
    if (pl_run(kernel, 1, 0, 0, &r1) || pl_run(kernel, 2, 0, 0, &r2))
        return -1;
    check_run(&r1, 1, 0, SPIN_SUM_ZERO, model, NULL, "pagelab 1 CPU iters=0");
    check_run(&r2, 2, 0, SPIN_SUM_ZERO, model, NULL, "pagelab 2 CPUs iters=0");
    uint64_t loop = raw_insns(model, 0);
    ovh->bsp_alone = r1.insns[0] - loop;
    ovh->ap = r2.insns[1] - loop;
    return 0;
}

/* ---- --check ----------------------------------------------------------------------- */

static int run_checks(const char *kernel, const bench_code *sc)
{
    raw_model model;
    overhead ovh;
    if (raw_calibrate(sc, &model) || learn_overhead(kernel, &model, &ovh))
        return 1;
    printf("raw spin_loop: %" PRIu64 "*iters + %" PRIu64 " instructions; pagelab overhead per run: "
           "CPU 0 alone %" PRIu64 ", each AP %" PRIu64 "\n", model.a, model.b, ovh.bsp_alone, ovh.ap);

    static const uint32_t iters_list[] = { 1000, 12345 };
    static const unsigned cpus_list[] = { 1, 3 };
    for (size_t i = 0; i < sizeof iters_list / sizeof iters_list[0]; i++) {
        uint32_t it = iters_list[i];
        bench_raw_result raw;
        if (raw_run(sc, RAW_PLAIN, it, &raw))
            return 1;
        bench_raw_result hooked;   /* the timing-model hook charges exactly the raw count */
        if (raw_run(sc, RAW_TIMING_BLOCK, it, &hooked))
            return 1;
        bench_check(hooked.eax == raw.eax && hooked.counted == raw_insns(&model, it),
              "raw + timing hook at iters=%u: 0x%08x, %" PRIu64 " insns (plain 0x%08x, %" PRIu64 ")", it,
              hooked.eax, hooked.counted, raw.eax, raw_insns(&model, it));
        for (size_t k = 0; k < sizeof cpus_list / sizeof cpus_list[0]; k++) {
            unsigned n = cpus_list[k];
            char what[64];
            snprintf(what, sizeof what, "pagelab %u CPU%s iters=%u", n, n > 1 ? "s" : "", it);
            pl_result r, again;
            if (pl_run(kernel, n, it, 0, &r)) {
                bench_check(false, "%s: run failed", what);
                continue;
            }
            check_run(&r, n, it, raw.eax, &model, &ovh, what);
            printf("%-28s checksum 0x%08x (raw 0x%08x), CPU 0 %" PRIu64 " insns (raw loop %" PRIu64 ")\n",
                   what, r.sum[0], raw.eax, r.insns[0], raw_insns(&model, it));
            if (pl_run(kernel, n, it, 0, &again) == 0)
                bench_check(again.ram_hash == r.ram_hash && again.total_insns == r.total_insns,
                      "%s: a second run differs (RAM hash, instruction count)", what);
        }
        /* The quantum changes when CPUs switch, not what one CPU executes. */
        static const uint64_t quanta[] = { 1000, 100000 };
        for (size_t q = 0; q < sizeof quanta / sizeof quanta[0]; q++) {
            pl_result r;
            char what[64];
            snprintf(what, sizeof what, "pagelab 1 CPU iters=%u quantum %" PRIu64, it, quanta[q]);
            if (pl_run(kernel, 1, it, quanta[q], &r)) {
                bench_check(false, "%s: run failed", what);
                continue;
            }
            check_run(&r, 1, it, raw.eax, &model, &ovh, what);
        }
    }
    printf("%d passed, %d failed\n", bench_passes(), bench_failures());
    return bench_failures() ? 1 : 0;
}

/* ---- the timed table ---------------------------------------------------------------- */

typedef struct row {
    const char *name;
    bool pagelab;
    enum bench_raw_mode mode;   /* raw rows */
    unsigned ncpus;       /* pagelab rows */
    uint64_t quantum;     /* pagelab rows; 0 = default */
    bool quarter;         /* iters / 4 per CPU (same total work on 4 CPUs) */
    uint64_t insns;       /* guest instructions of one run */
    double seconds;       /* best wall time of the repetitions */
    double cpu_seconds;   /* CPU time of that best run */
    bool have;
} row;

static double mips(const row *r)
{
    return r->seconds > 0 ? (double)r->insns / r->seconds / 1e6 : 0;
}

static void print_row(const row *r, double raw_mips)
{
    printf("%-44s %14" PRIu64 " %8.3f %8.3f %8.1f %7.3f\n", r->name, r->insns, r->seconds, r->cpu_seconds,
           mips(r), raw_mips > 0 ? mips(r) / raw_mips : 0);
}

static void keep_best(row *out, double wall, double cpu)
{
    if (!out->have || wall < out->seconds) {
        out->seconds = wall;
        out->cpu_seconds = cpu;
        out->have = true;
    }
}

/* One timed run of a row, with every exact check; -1 if it could not run. */
static int time_once(const char *kernel, const bench_code *sc, row *out, uint32_t iters, uint32_t sum,
                     const raw_model *model, const overhead *ovh, bool first)
{
    if (!out->pagelab) {
        bench_raw_result r;
        if (raw_run(sc, out->mode, iters, &r))
            return -1;
        bench_check(r.eax == sum, "%s: checksum 0x%08x, expected 0x%08x", out->name, r.eax, sum);
        out->insns = raw_insns(model, iters);
        if (out->mode == RAW_TIMING_BLOCK)
            bench_check(r.counted == out->insns, "%s: charged %" PRIu64 " instructions, expected %" PRIu64,
                  out->name, r.counted, out->insns);
        keep_best(out, r.seconds, r.cpu_seconds);
        return 0;
    }
    pl_result r;
    if (pl_run(kernel, out->ncpus, iters, out->quantum, &r)) {
        bench_check(false, "%s: run failed", out->name);
        return -1;
    }
    check_run(&r, out->ncpus, iters, sum, model, ovh, out->name);
    if (!first)
        bench_check(r.total_insns == out->insns, "%s: a repetition counted %" PRIu64 " instructions, the first %"
              PRIu64, out->name, r.total_insns, out->insns);
    out->insns = r.total_insns;
    keep_best(out, r.seconds, r.cpu_seconds);
    return 0;
}

static int run_bench(const char *kernel, const bench_code *sc, uint32_t iters, unsigned reps)
{
    raw_model model;
    overhead ovh;
    if (raw_calibrate(sc, &model) || learn_overhead(kernel, &model, &ovh))
        return 1;
    uint32_t iters4 = iters / 4;
    bench_raw_result raw4;      /* the 4-CPU rows' checksum: spin_loop at iters/4 */
    if (raw_run(sc, RAW_PLAIN, iters4, &raw4))
        return 1;
    bench_raw_result first;     /* checksum for iters (and a warm-up of the host) */
    if (raw_run(sc, RAW_PLAIN, iters, &first))
        return 1;

    row rows[] = {
        { .name = "raw Unicorn, no hooks", .mode = RAW_PLAIN },
        { .name = "raw + empty UC_HOOK_BLOCK (reference)", .mode = RAW_EMPTY_BLOCK },
        { .name = "raw + timing-model block hook (reference)", .mode = RAW_TIMING_BLOCK },
        { .name = "pagelab, 1 CPU, quantum 10000 (default)", .pagelab = true, .ncpus = 1 },
        { .name = "pagelab, 1 CPU, quantum 1000", .pagelab = true, .ncpus = 1, .quantum = 1000 },
        { .name = "pagelab, 1 CPU, quantum 100000", .pagelab = true, .ncpus = 1, .quantum = 100000 },
        { .name = "pagelab, 4 CPUs, quantum 10000 (aggregate)", .pagelab = true, .ncpus = 4, .quarter = true },
        { .name = "pagelab, 4 CPUs, quantum 100000 (aggregate)", .pagelab = true, .ncpus = 4,
          .quantum = 100000, .quarter = true },
    };
    const size_t nrows = sizeof rows / sizeof rows[0];
    /* Repetitions are interleaved (every row once, then again), so a burst
     * of load from another process spoils one run of several rows rather
     * than every run of one row. */
    for (unsigned k = 0; k < reps; k++)
        for (size_t i = 0; i < nrows; i++) {
            row *r = &rows[i];
            if (time_once(kernel, sc, r, r->quarter ? iters4 : iters, r->quarter ? raw4.eax : first.eax,
                          &model, &ovh, k == 0))
                return 1;
        }

    double raw_mips = mips(&rows[0]);
    printf("spin_loop: %u iterations per configuration (4 CPUs: %u each), %" PRIu64
           " instructions per iteration; best wall time of %u interleaved runs each\n", iters, iters4,
           model.a, reps);
    printf("%-44s %14s %8s %8s %8s %7s\n", "configuration", "guest insns", "wall s", "cpu s", "MIPS", "vs raw");
    bool busy = false;
    for (size_t i = 0; i < nrows; i++) {
        print_row(&rows[i], raw_mips);
        busy |= rows[i].cpu_seconds < 0.9 * rows[i].seconds;
    }
    if (busy)
        printf("warning: some best run got less than 90%% of a core (cpu s < 0.9 wall s): "
               "the machine was busy, the figures are unreliable\n");
    double ratio = raw_mips > 0 ? mips(&rows[3]) / raw_mips : 0;
    printf("target: pagelab 1 CPU >= %.2f of raw Unicorn with the block-cost timing model: %.3f, %s\n",
           TARGET_RATIO, ratio, ratio >= TARGET_RATIO ? "met" : "NOT met");
    printf("correctness cross-checks: %d passed, %d failed\n", bench_passes(), bench_failures());
    return bench_failures() ? 1 : 0;
}

/* ---- main -------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: pagelab-bench-mips [--only spin|modes] [--iters N] [--scale X] [--reps R] [--kernel PATH]\n"
               "                          [--mem-kernel PATH] [--guest-kernel PATH] [--workloads DIR]\n"
               "       pagelab-bench-mips --check [--only spin|modes] [...]\n"
               "Two tables (docs/bench.md), both by default:\n"
               "  spin   spin_loop on raw Unicorn and on pagelab (1 CPU, 4 CPUs, quanta 1000 and\n"
               "         100000): guest instructions, host seconds, MIPS, ratio to raw Unicorn;\n"
               "  modes  MIPS in fast and detailed timing mode on 1 and 4 CPUs for the ALU loop,\n"
               "         the memory loop over 64 KiB and 4 MiB (with ratios to raw Unicorn on the\n"
               "         same loop) and every workloads/*.lua script.\n"
               "Host time: best wall time of R interleaved runs (thread CPU time shown too).\n"
               "  --iters N   spin table: spin_loop iterations per configuration\n"
               "  --scale X   modes table: multiplies every default work size (0.001 .. 100)\n"
               "  --check     the exact cross-checks only, at small sizes, no timing\n"
               "Defaults: --iters %u, --scale 1, --reps %u, --kernel %s,\n"
               "  --mem-kernel %s, --guest-kernel %s, --workloads %s\n",
            DEFAULT_ITERS, DEFAULT_REPS, PAGELAB_SPIN_KERNEL, PAGELAB_MEM_KERNEL, PAGELAB_KERNEL,
            PAGELAB_WORKLOADS_DIR);
}

static bool parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || x > UINT32_MAX || s[0] == '-')
        return false;
    *v = (uint32_t)x;
    return true;
}

static bool parse_scale(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= 0.001 && x <= 100))
        return false;
    *v = x;
    return true;
}

int main(int argc, char **argv)
{
    bench_modes_opts mo = { .spin_kernel = PAGELAB_SPIN_KERNEL, .mem_kernel = PAGELAB_MEM_KERNEL,
                            .guest_kernel = PAGELAB_KERNEL, .workloads_dir = PAGELAB_WORKLOADS_DIR,
                            .check_workload = PAGELAB_WORKLOADS_DIR "/slab_churn.lua", .scale = 1,
                            .reps = DEFAULT_REPS };
    uint32_t iters = DEFAULT_ITERS, reps = DEFAULT_REPS;
    bool check_only = false, spin = true, modes = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) {
            check_only = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (i + 1 < argc && !strcmp(a, "--only") &&
                   (!strcmp(argv[i + 1], "spin") || !strcmp(argv[i + 1], "modes"))) {
            spin = !strcmp(argv[++i], "spin");
            modes = !spin;
        } else if (i + 1 < argc && !strcmp(a, "--kernel")) {
            mo.spin_kernel = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--mem-kernel")) {
            mo.mem_kernel = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--guest-kernel")) {
            mo.guest_kernel = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--workloads")) {
            mo.workloads_dir = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--scale") && parse_scale(argv[i + 1], &mo.scale)) {
            i++;
        } else if (i + 1 < argc && !strcmp(a, "--iters") && parse_u32(argv[i + 1], &iters) && iters >= 4) {
            i++;
        } else if (i + 1 < argc && !strcmp(a, "--reps") && parse_u32(argv[i + 1], &reps) && reps >= 1 &&
                   reps <= 100) {
            i++;
        } else {
            fprintf(stderr, "pagelab-bench-mips: bad option or value: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    mo.reps = reps;
    int rc = 0;
    if (spin) {
        char err[512];
        bench_code sc = { 0 };
        if (bench_load_code(mo.spin_kernel, "spin_loop", "spin_loop_end", &sc, err, sizeof err)) {
            fprintf(stderr, "pagelab-bench-mips: %s\n", err);
            return 2;
        }
        rc = check_only ? run_checks(mo.spin_kernel, &sc) : run_bench(mo.spin_kernel, &sc, iters, reps);
        free(sc.bytes);
    }
    if (modes) {
        int mrc = check_only ? bench_modes_check(&mo) : bench_modes_table(&mo);
        if (mrc > rc)
            rc = mrc;
    }
    return rc;
}
