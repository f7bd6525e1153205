/* bench/bench_modes.c - pagelab-bench-mips's timing-modes table (issue 6;
 * docs/bench.md, "Timing modes"): MIPS in fast and detailed mode on 1 and 4
 * CPUs, for three guest loops and every bundled workload script.
 *
 * Rows: the ALU loop (spin.S's spin_loop, paging off), the memory loop
 * (memloop.S's mem_loop, paging on with 4 KiB pages) over 64 KiB and over
 * 4 MiB per CPU, and the workload scripts (workloads/NAME.lua) run the way
 * `pagelab run NAME.lua` runs them.  The loops' bytes also run on a raw
 * Unicorn engine with no hooks in the same process (at the fast cells'
 * size): every loop cell is also given as a ratio to it.  Detailed cells run
 * 1/16 of the fast cells' work.  Each cell is timed R times, interleaved
 * with the others, and the best wall time is kept.  The 4-CPU cells run a
 * quarter of the work on each CPU; their MIPS is all CPUs' instructions over
 * host seconds.
 *
 * Correctness (every run): each CPU's loop result equals the raw engine's,
 * instruction counts are exact (the loop's closed form plus a per-kernel
 * overhead learned from a zero-length run), workload scripts finish without
 * error and count the same instructions every repetition.  --check adds the
 * detailed mode's cache and TLB counts on the memory loop (docs/bench.md).
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bench_mips.h"
#include "machine.h"
#include "script.h"

#define SUM_ZERO 0x9E3779B9u          /* both loops' result for zero work */
#define TARGET_FAST_RATIO 0.5         /* fast mode: at least 0.5 of raw Unicorn */
#define TARGET_DETAILED_MIPS 60.0     /* detailed mode, 1 CPU: at least 60 MIPS (aim: 100) */
#define MAX_WORKLOADS 32

/* The test kernels' results (physical, u32): spin.S and memloop.S. */
#define RES_NCPUS 0x6000u
#define RES_N 0x6004u                 /* iters (spin) or passes (memloop) */
#define RES_DONE 0x6008u
#define RES_WORDS 0x600Cu             /* memloop */
#define RES_SUM(i) (0x6010u + 4u * (i))

/* Where each kernel's CPU 0 array is; the raw engine puts it there too. */
#define SPIN_BUF 0x400000u
#define MEM_BUF 0x1000000u

/* ---- the loops ------------------------------------------------------------------ */

typedef struct loop_def {
    const char *name;
    const char *kernel;
    const bench_code *code;
    uint32_t words;           /* memory loop: array words per CPU; 0: the ALU loop */
    uint32_t n[2];            /* iterations (ALU) or passes (memory): [0] fast, [1] detailed cells */
} loop_def;

/* Guest instructions of one call of the loop with n iterations/passes. */
static uint64_t loop_insns(const loop_def *l, uint32_t n)
{
    if (!l->words)
        return 10ull * n + 16;                        /* spin.S */
    return 19 + (uint64_t)n * (8ull * l->words + 4);  /* memloop.S */
}

/* Cache lines (32 bytes) and 4 KiB pages one pass of the memory loop touches. */
static uint32_t loop_lines(const loop_def *l)
{
    return l->words / 8;
}

static uint32_t loop_pages(const loop_def *l)
{
    return (l->words + 1023) / 1024;
}

static int raw_loop(const loop_def *l, enum bench_raw_mode mode, uint32_t n, bench_raw_result *r)
{
    bench_raw_job job = { .code = l->code };
    if (l->words) {
        job.mem_size = 32u << 20;
        job.small_pages = true;   /* as memloop.S */
        job.args[0] = MEM_BUF;
        job.args[1] = l->words;
        job.args[2] = n;
        job.nargs = 3;
    } else {
        job.mem_size = 8u << 20;
        job.args[0] = SPIN_BUF;
        job.args[1] = n;
        job.nargs = 2;
    }
    return bench_raw_run(&job, mode, r);
}

/* ---- pagelab runs of a loop kernel ------------------------------------------------- */

typedef struct pl_run {
    unsigned ncpus;
    uint64_t insns[EMU_MAX_CPUS], total_insns;
    uint32_t sum[EMU_MAX_CPUS];
    uint32_t res_ncpus, res_n, res_done, res_words;
    emu_mem_stats mem[EMU_MAX_CPUS];
    unsigned odd_events;      /* bad accesses, device reports, stale TLB uses: the kernels make none */
    double seconds, cpu_seconds;
} pl_run;

static void pl_event(void *ctx, const emu_event *ev)
{
    pl_run *r = ctx;
    if (ev->kind == EMU_EV_BAD_ACCESS || ev->kind == EMU_EV_REPORT || ev->kind == EMU_EV_STALE_TLB)
        r->odd_events++;
}

/* Boots l's kernel with n per CPU on ncpus CPUs in timing mode t and runs it
 * to its exit; times emu_machine_run only.  Numbers on the command line are
 * zero-padded to 10 digits so that parsing them costs the same for every n. */
static int pl_loop(const loop_def *l, unsigned ncpus, emu_timing_mode t, uint32_t n, pl_run *r)
{
    char cmdline[64];
    emu_config cfg;
    emu_config_init(&cfg);
    if (l->words)
        snprintf(cmdline, sizeof cmdline, "words=%010" PRIu32 " passes=%010" PRIu32, l->words, n);
    else
        snprintf(cmdline, sizeof cmdline, "iters=%010" PRIu32, n);
    cfg.kernel_path = l->kernel;
    cfg.ncpus = ncpus;
    cfg.cmdline = cmdline;
    cfg.timing = t;
    memset(r, 0, sizeof *r);
    emu_callbacks cb = { .ctx = r, .event = pl_event };
    char what[96];
    snprintf(what, sizeof what, "%s, %u CPUs, %s, n=%" PRIu32, l->name, ncpus, emu_timing_mode_name(t), n);
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
        emu_machine_mem_stats(m, i, &r->mem[i]);
    }
    emu_machine_peek_phys(m, RES_NCPUS, &r->res_ncpus, 4);
    emu_machine_peek_phys(m, RES_N, &r->res_n, 4);
    emu_machine_peek_phys(m, RES_DONE, &r->res_done, 4);
    emu_machine_peek_phys(m, RES_WORDS, &r->res_words, 4);
    emu_machine_destroy(m);
    return rc;
}

/* Kernel overhead beyond the loop itself, in guest instructions, learned
 * from n = 0 runs in fast mode: CPU 0 when alone, and every AP. */
typedef struct overhead {
    uint64_t bsp_alone, ap;
} overhead;

/* The exact checks on one run: kernel results, every CPU's checksum against
 * the raw engine's, instruction counts (exact when ovh is given; CPU 0 with
 * APs also waits for them, so only a lower bound for it). */
static void check_loop_run(const loop_def *l, const pl_run *r, unsigned ncpus, uint32_t n, uint32_t raw_sum,
                           const overhead *ovh, const char *what)
{
    bench_check(r->ncpus == ncpus && r->res_ncpus == ncpus && r->res_done == ncpus && r->res_n == n,
                "%s: kernel saw %u CPUs, n=%u, %u done (expected %u, %u, %u)", what, r->res_ncpus, r->res_n,
                r->res_done, ncpus, n, ncpus);
    if (l->words)
        bench_check(r->res_words == l->words, "%s: kernel saw words=%u, not %u", what, r->res_words, l->words);
    bench_check(r->odd_events == 0, "%s: %u bad-access, device or stale-TLB reports", what, r->odd_events);
    uint64_t loop = loop_insns(l, n);
    for (unsigned i = 0; i < r->ncpus && i < ncpus; i++) {
        bench_check(r->sum[i] == raw_sum, "%s: CPU %u result 0x%08x, raw Unicorn 0x%08x", what, i, r->sum[i],
                    raw_sum);
        if (!ovh) {
            bench_check(r->insns[i] >= loop, "%s: CPU %u counted %" PRIu64 " instructions, fewer than the "
                        "loop's %" PRIu64, what, i, r->insns[i], loop);
            continue;
        }
        uint64_t want = loop + (i ? ovh->ap : ovh->bsp_alone);
        if (i > 0 || ncpus == 1)
            bench_check(r->insns[i] == want, "%s: CPU %u counted %" PRIu64 " instructions, expected %" PRIu64
                        " (loop %" PRIu64 " + overhead)", what, i, r->insns[i], want, loop);
        else
            bench_check(r->insns[0] >= want, "%s: CPU 0 counted %" PRIu64 " instructions, fewer than %" PRIu64,
                        what, r->insns[0], want);
    }
}

static int learn_overhead(const loop_def *l, overhead *ovh)
{
    pl_run r1, r2;
    if (pl_loop(l, 1, EMU_TIMING_FAST, 0, &r1) || pl_loop(l, 2, EMU_TIMING_FAST, 0, &r2))
        return -1;
    char what[96];
    snprintf(what, sizeof what, "%s, n=0", l->name);
    check_loop_run(l, &r1, 1, 0, SUM_ZERO, NULL, what);
    check_loop_run(l, &r2, 2, 0, SUM_ZERO, NULL, what);
    ovh->bsp_alone = r1.insns[0] - loop_insns(l, 0);
    ovh->ap = r2.insns[1] - loop_insns(l, 0);
    return 0;
}

/* ---- workload scripts, as `pagelab run X.lua` runs them -------------------------------- */

typedef struct wl_run {
    uint64_t insns;
    unsigned odd_events;
    unsigned want_cpus;       /* the CPU count the script's header asks for (0: none) */
    double seconds, cpu_seconds;
    char err[1024];           /* why it failed */
} wl_run;

static void wl_event(void *ctx, const emu_event *ev)
{
    wl_run *r = ctx;
    if (ev->kind == EMU_EV_BAD_ACCESS || ev->kind == EMU_EV_REPORT || ev->kind == EMU_EV_STALE_TLB)
        r->odd_events++;
}

/* Runs script on ncpus CPUs in timing mode t: the machine its header asks
 * for (RAM, fake NUMA nodes, seed; the CPU count overridden), the kernel
 * command line `pagelab run` gives it, timed like `pagelab run --stats`
 * (boot, workload ring start-up and the script; creation excluded).  print()
 * output is discarded.  0, or -1 with a message in r->err. */
static int wl_script(const char *kernel, const char *script, unsigned ncpus, emu_timing_mode t, wl_run *r)
{
    emu_script_prefs p;
    char *err = r->err, cmdline[64];
    memset(r, 0, sizeof *r);
    if (emu_script_read_prefs(script, &p, err, sizeof r->err))
        return -1;
    r->want_cpus = p.cpus;
    emu_config cfg;
    emu_config_init(&cfg);
    cfg.kernel_path = kernel;
    cfg.ncpus = ncpus;
    cfg.timing = t;
    if (p.ram_bytes)
        cfg.ram_bytes = p.ram_bytes;
    if (p.nodes)
        snprintf(cmdline, sizeof cmdline, "numa=fake=%u workload", p.nodes);
    else
        snprintf(cmdline, sizeof cmdline, "workload");
    cfg.cmdline = cmdline;
    emu_callbacks cb = { .ctx = r, .event = wl_event };
    char msg[512] = "";               /* shorter than r->err, which holds it with a prefix */
    emu_machine *m = emu_machine_create(&cfg, &cb, msg, sizeof msg);
    if (!m) {
        snprintf(err, sizeof r->err, "%.400s: %s", script, msg);
        return -1;
    }
    emu_script_host host = { 0 };
    emu_script *s = NULL;
    int rc = -1;
    bench_stamp t0 = bench_stamp_now();
    if (emu_wl_start(m, 0, msg, sizeof msg) == 0 && (s = emu_script_create(m, &host, msg, sizeof msg))) {
        if (p.has_seed)
            emu_script_seed(s, p.seed);
        if (emu_script_run_file(s, script, msg, sizeof msg) == EMU_SCRIPT_OK)
            rc = 0;
    }
    bench_stamp t1 = bench_stamp_now();
    r->seconds = t1.wall - t0.wall;
    r->cpu_seconds = t1.cpu - t0.cpu;
    if (rc)
        snprintf(err, sizeof r->err, "%.400s on %u CPU%s, %s: %s", script, ncpus, ncpus > 1 ? "s" : "",
                 emu_timing_mode_name(t), msg);
    for (unsigned i = 0; i < emu_machine_ncpus(m); i++) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(m, i, &st);
        r->insns += st.insns;
    }
    emu_script_destroy(s);
    emu_machine_destroy(m);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.lua files of dir, sorted, as malloc'd paths; their number. */
static unsigned list_workloads(const char *dir, char **out, unsigned max)
{
    DIR *d = opendir(dir);
    unsigned n = 0;
    if (!d) {
        printf("workloads: cannot open %s\n", dir);
        return 0;
    }
    for (struct dirent *e; (e = readdir(d)) && n < max;) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".lua"))
            continue;
        size_t sz = strlen(dir) + len + 2;
        if (!(out[n] = malloc(sz)))
            break;
        snprintf(out[n++], sz, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(out, n, sizeof *out, cmp_str);
    return n;
}

/* ---- the timed table ------------------------------------------------------------------ */

enum { COL_FAST1, COL_DET1, COL_FAST4, COL_DET4, NCOLS };
static const unsigned col_cpus[NCOLS] = { 1, 1, 4, 4 };
static const emu_timing_mode col_mode[NCOLS] = { EMU_TIMING_FAST, EMU_TIMING_DETAILED, EMU_TIMING_FAST,
                                                 EMU_TIMING_DETAILED };

/* Best-of-R timing of one cell. */
typedef struct cell {
    uint64_t insns;           /* guest instructions of one run (all CPUs) */
    double seconds;           /* best wall time */
    double cpu_seconds;       /* thread CPU time of that run */
    bool have, failed;
    bool na;                  /* a script written for more CPUs failed on fewer */
} cell;

static double cell_mips(const cell *c)
{
    return c->have && c->seconds > 0 ? (double)c->insns / c->seconds / 1e6 : 0;
}

/* A repetition of a deterministic run must count the same instructions. */
static void cell_add(cell *c, uint64_t insns, double wall, double cpu, const char *what)
{
    if (c->have)
        bench_check(insns == c->insns, "%s: a repetition counted %" PRIu64 " instructions, the first %" PRIu64,
                    what, insns, c->insns);
    if (!c->have || wall < c->seconds) {
        c->seconds = wall;
        c->cpu_seconds = cpu;
    }
    c->insns = insns;
    c->have = true;
}

typedef struct loop_row {
    loop_def def;
    cell raw;                 /* raw Unicorn at n[0]: every ratio's reference */
    cell raw_mem;             /* raw + empty block and memory hooks, at n[1] */
    uint32_t raw_sum[2], raw_sum4[2];   /* results at n[k] and n[k] / 4 */
    overhead ovh;
    cell col[NCOLS];
    emu_mem_stats det1;       /* detailed, 1 CPU: CPU 0's counters (from the last repetition) */
} loop_row;

typedef struct wl_row {
    char *path;
    const char *name;
    cell col[NCOLS];
} wl_row;

/* Per-CPU work of a column: all of it on 1 CPU, a quarter on each of 4. */
static uint32_t col_n(const loop_row *r, int col)
{
    uint32_t n = r->def.n[col_mode[col] == EMU_TIMING_DETAILED];
    return col_cpus[col] == 1 ? n : n / 4;
}

static void time_loop_cell(loop_row *r, int col)
{
    unsigned k = col_mode[col] == EMU_TIMING_DETAILED;
    uint32_t n = col_n(r, col);
    char what[128];
    snprintf(what, sizeof what, "%s, %s, %u CPU%s", r->def.name, emu_timing_mode_name(col_mode[col]),
             col_cpus[col], col_cpus[col] > 1 ? "s" : "");
    pl_run run;
    if (pl_loop(&r->def, col_cpus[col], col_mode[col], n, &run)) {
        bench_check(false, "%s: run failed", what);
        r->col[col].failed = true;
        return;
    }
    check_loop_run(&r->def, &run, col_cpus[col], n, col_cpus[col] == 1 ? r->raw_sum[k] : r->raw_sum4[k],
                   &r->ovh, what);
    cell_add(&r->col[col], run.total_insns, run.seconds, run.cpu_seconds, what);
    if (col == COL_DET1)
        r->det1 = run.mem[0];
}

static int time_raw_cell(loop_row *r, enum bench_raw_mode mode, unsigned k, cell *c)
{
    bench_raw_result rr;
    if (raw_loop(&r->def, mode, r->def.n[k], &rr))
        return -1;
    bench_check(rr.eax == r->raw_sum[k], "%s: raw run (mode %d) returned 0x%08x, the first 0x%08x", r->def.name,
                (int)mode, rr.eax, r->raw_sum[k]);
    cell_add(c, loop_insns(&r->def, r->def.n[k]), rr.seconds, rr.cpu_seconds, r->def.name);
    return 0;
}

static void time_wl_cell(wl_row *w, const char *kernel, int col)
{
    wl_run run;
    char what[160];
    snprintf(what, sizeof what, "%s, %s, %u CPU%s", w->name, emu_timing_mode_name(col_mode[col]), col_cpus[col],
             col_cpus[col] > 1 ? "s" : "");
    if (wl_script(kernel, w->path, col_cpus[col], col_mode[col], &run)) {
        /* demo, numa and pcp_lists ask for 2 CPUs and use CPU 1 */
        if (col_cpus[col] < run.want_cpus) {
            if (!w->col[col].na)
                printf("n/a: %s (its header asks for %u CPUs)\n", run.err, run.want_cpus);
            w->col[col].na = true;
            return;
        }
        printf("%s\n", run.err);
        bench_check(false, "%s: the script failed", what);
        w->col[col].failed = true;
        return;
    }
    bench_check(run.odd_events == 0, "%s: %u bad-access, device or stale-TLB reports", what, run.odd_events);
    cell_add(&w->col[col], run.insns, run.seconds, run.cpu_seconds, what);
}

/* Default work per cell at scale 1: about 0.5-1 s each on the reference host. */
static void loop_defs(const bench_modes_opts *o, const bench_code *spin, const bench_code *mem, loop_row *rows)
{
    double s = o->scale;
#define SCALED(x) ((uint32_t)((x) * s) >= 4 ? (uint32_t)((x) * s) & ~3u : 4u)
    rows[0].def = (loop_def){ .name = "ALU loop (spin_loop)", .kernel = o->spin_kernel, .code = spin,
                              .n = { SCALED(160000000.0), SCALED(10000000.0) } };
    rows[1].def = (loop_def){ .name = "memory loop, 64 KiB", .kernel = o->mem_kernel, .code = mem,
                              .words = 16384, .n = { SCALED(8192.0), SCALED(512.0) } };
    rows[2].def = (loop_def){ .name = "memory loop, 4 MiB", .kernel = o->mem_kernel, .code = mem,
                              .words = 1048576, .n = { SCALED(128.0), SCALED(8.0) } };
#undef SCALED
}

static int load_codes(const bench_modes_opts *o, bench_code *spin, bench_code *mem)
{
    char err[512];
    if (bench_load_code(o->spin_kernel, "spin_loop", "spin_loop_end", spin, err, sizeof err) ||
        bench_load_code(o->mem_kernel, "mem_loop", "mem_loop_end", mem, err, sizeof err)) {
        fprintf(stderr, "pagelab-bench-mips: %s\n", err);
        return -1;
    }
    return 0;
}

/* Results for the checksums: raw at n[k] and n[k] / 4. */
static int loop_prepare(loop_row *r)
{
    if (learn_overhead(&r->def, &r->ovh))
        return -1;
    for (unsigned k = 0; k < 2; k++) {
        bench_raw_result a, b;
        if (raw_loop(&r->def, RAW_PLAIN, r->def.n[k], &a) || raw_loop(&r->def, RAW_PLAIN, r->def.n[k] / 4, &b))
            return -1;
        r->raw_sum[k] = a.eax;
        r->raw_sum4[k] = b.eax;
    }
    return 0;
}

static void print_cell(const cell *c, double raw)
{
    if (c->failed)
        printf(" %8s %5s", "FAILED", "");
    else if (c->na)
        printf(" %8s %5s", "n/a", "");
    else if (raw > 0)
        printf(" %8.1f %5.2f", cell_mips(c), cell_mips(c) / raw);
    else
        printf(" %8.1f %5s", cell_mips(c), "");
}

static void print_details(const char *name, const char *col, const cell *c, bool *busy)
{
    if (!c->have) {
        printf("  %-24s %-20s %14s\n", name, col, c->na ? "n/a" : "FAILED");
        return;
    }
    printf("  %-24s %-20s %14" PRIu64 " %8.3f %8.3f %8.1f\n", name, col, c->insns, c->seconds, c->cpu_seconds,
           cell_mips(c));
    *busy |= c->have && c->cpu_seconds < 0.9 * c->seconds;
}

static const char *const col_name[NCOLS] = { "fast, 1 CPU", "detailed, 1 CPU", "fast, 4 CPUs",
                                             "detailed, 4 CPUs" };

static void print_table(loop_row *loops, unsigned nloops, wl_row *wls, unsigned nwl, unsigned reps)
{
    printf("\ntiming modes: MIPS = guest instructions of all CPUs / best wall time of %u interleaved runs;\n"
           "\"/raw\" = that MIPS / raw Unicorn's (no hooks) on the same loop in this run (\"raw MIPS\");\n"
           "\"raw+mem hk\" = raw Unicorn with empty block and memory hooks (the floor of detailed mode)\n", reps);
    printf("%-24s %8s %8s  %-14s  %-14s  %-14s  %-14s\n", "", "raw", "raw+mem", "fast, 1 CPU", "detailed, 1 CPU",
           "fast, 4 CPUs", "detailed, 4 CPUs");
    printf("%-24s %8s %8s", "row", "MIPS", "hk MIPS");
    for (int c = 0; c < NCOLS; c++)
        printf(" %8s %5s", "MIPS", "/raw");
    printf("\n");
    for (unsigned i = 0; i < nloops; i++) {
        loop_row *r = &loops[i];
        printf("%-24s %8.1f %8.1f", r->def.name, cell_mips(&r->raw), cell_mips(&r->raw_mem));
        for (int c = 0; c < NCOLS; c++)
            print_cell(&r->col[c], cell_mips(&r->raw));
        printf("\n");
    }
    for (unsigned i = 0; i < nwl; i++) {
        printf("%-24s %8s %8s", wls[i].name, "", "");
        for (int c = 0; c < NCOLS; c++)
            print_cell(&wls[i].col[c], 0);
        printf("\n");
    }

    bool busy = false;
    printf("\ncells: %-17s %-20s %14s %8s %8s %8s\n", "", "", "guest insns", "wall s", "cpu s", "MIPS");
    for (unsigned i = 0; i < nloops; i++) {
        loop_row *r = &loops[i];
        char col[32];
        snprintf(col, sizeof col, "raw, n=%" PRIu32, r->def.n[0]);
        print_details(r->def.name, col, &r->raw, &busy);
        snprintf(col, sizeof col, "raw+mem hk, n=%" PRIu32, r->def.n[1]);
        print_details(r->def.name, col, &r->raw_mem, &busy);
        for (int c = 0; c < NCOLS; c++) {
            snprintf(col, sizeof col, "%s, n=%" PRIu32, col_name[c], col_n(r, c));
            print_details(r->def.name, col, &r->col[c], &busy);
        }
    }
    for (unsigned i = 0; i < nwl; i++)
        for (int c = 0; c < NCOLS; c++)
            print_details(wls[i].name, col_name[c], &wls[i].col[c], &busy);
    if (busy)
        printf("warning: some best run got less than 90%% of a core (cpu s < 0.9 wall s): "
               "the machine was busy, those figures are unreliable\n");

    printf("\ndetailed mode, 1 CPU, CPU 0's counters per pass/iteration of the loop (whole run / n):\n");
    printf("  %-24s %10s %10s %10s %10s %10s %12s\n", "", "L1D miss", "L1D wb", "L2 miss", "DTLB miss", "walks",
           "mem cycles");
    for (unsigned i = 0; i < nloops; i++) {
        const emu_mem_stats *t = &loops[i].det1;
        double n = loops[i].def.n[1];
        printf("  %-24s %10.1f %10.1f %10.1f %10.1f %10.1f %12.1f\n", loops[i].def.name, t->l1d_misses / n,
               t->l1d_writebacks / n, t->l2_misses / n, t->dtlb_misses / n, t->walks / n, t->mem_cycles / n);
    }

    printf("\ntargets (issue 6):\n");
    for (unsigned i = 0; i < nloops; i++) {
        loop_row *r = &loops[i];
        for (int c = COL_FAST1; c <= COL_FAST4; c += 2) {
            double ratio = cell_mips(&r->col[c]) / cell_mips(&r->raw);
            printf("  fast >= %.1f of raw Unicorn, %-22s %-13s %.3f  %s\n", TARGET_FAST_RATIO, r->def.name,
                   col_name[c], ratio, ratio >= TARGET_FAST_RATIO ? "met" : "NOT met");
        }
    }
    for (unsigned i = 0; i < nloops + nwl; i++) {
        const cell *c = i < nloops ? &loops[i].col[COL_DET1] : &wls[i - nloops].col[COL_DET1];
        const char *name = i < nloops ? loops[i].def.name : wls[i - nloops].name;
        double m = cell_mips(c);
        if (c->na || c->failed)
            printf("  detailed >= %.0f MIPS on 1 CPU, %-22s %7s  (no 1-CPU run)\n", TARGET_DETAILED_MIPS, name,
                   c->na ? "n/a" : "FAILED");
        else
            printf("  detailed >= %.0f MIPS on 1 CPU, %-22s %7.1f  %s\n", TARGET_DETAILED_MIPS, name, m,
                   m >= 100 ? "met (and the 100 MIPS aim)" : m >= TARGET_DETAILED_MIPS ? "met" : "NOT met");
    }
}

int bench_modes_table(const bench_modes_opts *o)
{
    bench_code spin = { 0 }, mem = { 0 };
    loop_row loops[3];
    wl_row wls[MAX_WORKLOADS];
    char *paths[MAX_WORKLOADS];
    int rc = 2;
    memset(loops, 0, sizeof loops);
    memset(wls, 0, sizeof wls);
    unsigned nwl = list_workloads(o->workloads_dir, paths, MAX_WORKLOADS);
    for (unsigned i = 0; i < nwl; i++) {
        wls[i].path = paths[i];
        const char *slash = strrchr(paths[i], '/');
        wls[i].name = slash ? slash + 1 : paths[i];
    }
    if (load_codes(o, &spin, &mem))
        goto out;
    loop_defs(o, &spin, &mem, loops);
    const unsigned nloops = sizeof loops / sizeof loops[0];
    for (unsigned i = 0; i < nloops; i++)
        if (loop_prepare(&loops[i]))
            goto out;
    /* Interleaved: every cell once, then every cell again, ... */
    for (unsigned rep = 0; rep < o->reps; rep++) {
        for (unsigned i = 0; i < nloops; i++) {
            loop_row *r = &loops[i];
            if (time_raw_cell(r, RAW_PLAIN, 0, &r->raw) || time_raw_cell(r, RAW_EMPTY_MEM, 1, &r->raw_mem))
                goto out;
            for (int c = 0; c < NCOLS; c++)
                time_loop_cell(r, c);
        }
        for (unsigned i = 0; i < nwl; i++)
            for (int c = 0; c < NCOLS; c++)
                time_wl_cell(&wls[i], o->guest_kernel, c);
    }
    print_table(loops, nloops, wls, nwl, o->reps);
    printf("correctness cross-checks: %d passed, %d failed\n", bench_passes(), bench_failures());
    rc = bench_failures() ? 1 : 0;
out:
    for (unsigned i = 0; i < nwl; i++)
        free(paths[i]);
    free(spin.bytes);
    free(mem.bytes);
    return rc;
}

/* ---- --check ---------------------------------------------------------------------------- */

/* The raw memory loop's instruction count is memloop.S's closed form. */
static int check_raw_mem(const loop_def *l)
{
    static const uint32_t cases[][2] = { { 1, 0 }, { 1, 1 }, { 16, 3 }, { 1000, 2 }, { 16384, 1 } };
    loop_def d = *l;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bench_raw_result rc, rp, rm;
        d.words = cases[i][0];
        uint32_t n = cases[i][1];
        if (raw_loop(&d, RAW_COUNT, n, &rc) || raw_loop(&d, RAW_PLAIN, n, &rp) || raw_loop(&d, RAW_EMPTY_MEM, n, &rm))
            return -1;
        bench_check(rc.counted == loop_insns(&d, n), "raw mem_loop(words=%u, passes=%u): %" PRIu64
                    " instructions, memloop.S says %" PRIu64, d.words, n, rc.counted, loop_insns(&d, n));
        bench_check(rc.eax == rp.eax && rm.eax == rp.eax, "raw mem_loop(words=%u, passes=%u): results 0x%08x, "
                    "0x%08x, 0x%08x with and without hooks", d.words, n, rc.eax, rp.eax, rm.eax);
        if (n == 0)
            bench_check(rp.eax == SUM_ZERO, "mem_loop(buf, %u, 0) returned 0x%08x", d.words, rp.eax);
    }
    return 0;
}

/* One loop at n per CPU in both modes on 1 and 4 CPUs, every exact check;
 * the detailed 1-CPU run's CPU 0 counters go to *det1. */
static int check_loop_modes(loop_row *r, uint32_t n, emu_mem_stats *det1)
{
    bench_raw_result raw;
    if (raw_loop(&r->def, RAW_PLAIN, n, &raw))
        return -1;
    for (int c = 0; c < NCOLS; c++) {
        char what[128];
        snprintf(what, sizeof what, "%s, n=%u, %s", r->def.name, n, col_name[c]);
        pl_run run;
        if (pl_loop(&r->def, col_cpus[c], col_mode[c], n, &run)) {
            bench_check(false, "%s: run failed", what);
            continue;
        }
        check_loop_run(&r->def, &run, col_cpus[c], n, raw.eax, &r->ovh, what);
        for (unsigned i = 0; i < run.ncpus; i++)
            bench_check(run.mem[i].detailed == (col_mode[c] == EMU_TIMING_DETAILED) &&
                        (run.mem[i].detailed || run.mem[i].l1d_misses + run.mem[i].dtlb_misses == 0),
                        "%s: CPU %u's memory counters do not match the mode", what, i);
        if (col_mode[c] == EMU_TIMING_DETAILED && r->def.words) {
            /* every CPU missed at least once per line of its own array */
            for (unsigned i = 0; i < run.ncpus; i++)
                bench_check(run.mem[i].l1d_misses >= (uint64_t)loop_lines(&r->def) * (n ? 1 : 0) &&
                            run.mem[i].l1d_misses > 0, "%s: CPU %u: %" PRIu64 " L1D misses", what, i,
                            run.mem[i].l1d_misses);
        }
        if (c == COL_DET1)
            *det1 = run.mem[0];
        printf("%-44s result 0x%08x (raw 0x%08x), %" PRIu64 " instructions, L1D misses %" PRIu64
               ", DTLB misses %" PRIu64 "\n", what, run.sum[0], raw.eax, run.total_insns, run.mem[0].l1d_misses,
               run.mem[0].dtlb_misses);
    }
    return 0;
}

/* Detailed mode, 1 CPU: what each further pass of the memory loop adds to
 * CPU 0's counters.  From its third pass on the loop starts every pass in
 * the same cache and TLB state (the first pass's page walks leave clean
 * page-table lines in the L1D that the second pass evicts), so between 2,
 * 3 and 4 passes the difference is one steady-state pass exactly:
 *   64 KiB (16 pages, 2048 lines; the L1D holds 256 lines, the DTLB 64
 *   pages, the L2 8192 lines): every line misses the L1D once and its dirty
 *   victim (a line of the same array) is written back; nothing misses the
 *   L2 or the DTLB;
 *   4 MiB (1024 pages): every page misses the 4-way DTLB (64 pages per set
 *   in turn) and walks; every line misses the L1D and the L2 and is
 *   written back once; the walks' PDE and PTE reads (clean lines) add at
 *   most two L1D misses per walk. */
static void check_pass_deltas(const loop_row *r, const emu_mem_stats *a, const emu_mem_stats *b)
{
    const char *nm = r->def.name;
    uint64_t lines = loop_lines(&r->def), pages = loop_pages(&r->def);
    uint64_t dl1 = b->l1d_misses - a->l1d_misses, dwb = b->l1d_writebacks - a->l1d_writebacks;
    uint64_t dl2 = b->l2_misses - a->l2_misses, dtlb = b->dtlb_misses - a->dtlb_misses;
    uint64_t dwalk = b->walks - a->walks;
    printf("%-24s one more pass: L1D misses +%" PRIu64 ", write-backs +%" PRIu64 ", L2 misses +%" PRIu64
           ", DTLB misses +%" PRIu64 ", walks +%" PRIu64 " (%" PRIu64 " lines, %" PRIu64 " pages)\n", nm, dl1, dwb,
           dl2, dtlb, dwalk, lines, pages);
    if (r->def.words * 4 <= 256 * 1024) {
        bench_check(dl1 == lines, "%s: a pass added %" PRIu64 " L1D misses, expected one per line: %" PRIu64,
                    nm, dl1, lines);
        bench_check(dwb == lines, "%s: a pass added %" PRIu64 " L1D write-backs, expected %" PRIu64, nm, dwb,
                    lines);
        bench_check(dl2 == 0 && dtlb == 0 && dwalk == 0, "%s: a pass added %" PRIu64 " L2 misses, %" PRIu64
                    " DTLB misses, %" PRIu64 " walks, expected none", nm, dl2, dtlb, dwalk);
    } else {
        bench_check(dtlb == pages && dwalk == pages, "%s: a pass added %" PRIu64 " DTLB misses and %" PRIu64
                    " walks, expected one per page: %" PRIu64, nm, dtlb, dwalk, pages);
        bench_check(dwb == lines, "%s: a pass added %" PRIu64 " L1D write-backs, expected one per line: %"
                    PRIu64, nm, dwb, lines);
        bench_check(dl1 >= lines && dl1 <= lines + 2 * pages, "%s: a pass added %" PRIu64 " L1D misses, expected "
                    "one per line (%" PRIu64 ") plus at most two per walk", nm, dl1, lines);
        bench_check(dl2 >= lines, "%s: a pass added %" PRIu64 " L2 misses, fewer than its %" PRIu64 " lines", nm,
                    dl2, lines);
    }
}

/* A workload script in both modes on 1 and 4 CPUs, twice each: it must
 * succeed and count the same instructions both times. */
static void check_workload(const char *kernel, const char *path)
{
    for (int c = 0; c < NCOLS; c++) {
        wl_run a = { 0 }, b = { 0 };
        char what[160];
        snprintf(what, sizeof what, "%s, %s", path, col_name[c]);
        if (wl_script(kernel, path, col_cpus[c], col_mode[c], &a) || wl_script(kernel, path, col_cpus[c],
                                                                               col_mode[c], &b)) {
            printf("%s%s\n", a.err, b.err);
            bench_check(false, "%s: the script failed", what);
            continue;
        }
        bench_check(a.insns == b.insns && a.insns > 0, "%s: %" PRIu64 " then %" PRIu64 " instructions", what,
                    a.insns, b.insns);
        bench_check(a.odd_events == 0, "%s: %u bad-access, device or stale-TLB reports", what, a.odd_events);
        printf("%-44s %" PRIu64 " instructions, twice\n", what, a.insns);
    }
}

int bench_modes_check(const bench_modes_opts *o)
{
    bench_code spin = { 0 }, mem = { 0 };
    loop_row loops[3];
    int rc = 2;
    memset(loops, 0, sizeof loops);
    if (load_codes(o, &spin, &mem))
        goto out;
    loop_defs(o, &spin, &mem, loops);
    if (check_raw_mem(&loops[1].def))
        goto out;
    static const uint32_t small_n[3] = { 12345, 3, 1 };   /* ALU iterations; passes */
    for (unsigned i = 0; i < 3; i++) {
        loop_row *r = &loops[i];
        emu_mem_stats det1;
        if (learn_overhead(&r->def, &r->ovh) || check_loop_modes(r, small_n[i] * 4, &det1))
            goto out;
        if (!r->def.words)
            continue;
        /* one more pass, twice: the same exact differences */
        emu_mem_stats s[3];
        for (unsigned k = 0; k < 3; k++) {
            pl_run run;
            if (pl_loop(&r->def, 1, EMU_TIMING_DETAILED, k + 2, &run)) {
                bench_check(false, "%s: detailed run with %u passes failed", r->def.name, k + 2);
                goto out;
            }
            s[k] = run.mem[0];
        }
        check_pass_deltas(r, &s[0], &s[1]);
        check_pass_deltas(r, &s[1], &s[2]);
    }
    check_workload(o->guest_kernel, o->check_workload);
    printf("%d passed, %d failed\n", bench_passes(), bench_failures());
    rc = bench_failures() ? 1 : 0;
out:
    free(spin.bytes);
    free(mem.bytes);
    return rc;
}
