/* bench/bench_mm_alloc.c - the kernel's allocators above the page allocator:
 * kmalloc (slab), kmap, kmap_atomic and vmalloc, on 1 and 4 CPUs.
 *
 * Same method as bench_mm.c: the guest's bench=mm:<kind>:<count> mode
 * (guest/kernel/mm_bench.c) runs count pairs on every CPU at once and shuts
 * down; this program boots the kernel through emu/machine.h with count = N
 * and count = 0 and takes differences, so boot and set-up cancel.
 *
 *   instructions / pair   (guest instructions of all CPUs, N run - 0 run)
 *                         / (N x CPUs).  Exact: the machine is deterministic
 *                         (the program checks that repeated runs agree).
 *   pairs / host s        N x CPUs / (host seconds of the N run - host
 *                         seconds of the 0 run), each the best of --reps
 *                         runs of emu_machine_run.  A figure of the host and
 *                         of the emulator's speed, not of the guest.
 *   vmalloc kinds         shootdowns (emu_machine_shootdown_stats, N - 0) and
 *                         vmap purges (the guest's "bench: vmalloc:" line,
 *                         N - 0) per 1,000 vfrees, against the prediction
 *                         from lazy_max_pages(): a purge every k-th vfree,
 *                         k = floor(lazy_max_pages / area pages) + 1, area
 *                         pages = size / 4 KiB + 1 guard page.
 *   shootdown cost        cycles from the first IPI to the last
 *                         acknowledgement (EMU_EV_SHOOTDOWN, reason "vmap
 *                         purge", every one of the N run), mean and max, for
 *                         each --quantum of the quantum table (4 CPUs).
 *
 *   pagelab-bench-mm-alloc [--kernel PATH] [--ram MIB] [--reps R] [--quick]
 *   pagelab-bench-mm-alloc --check     (ctest bench.mm_alloc_check: small N,
 *                                       every kind runs without failures, the
 *                                       1-CPU purge count is exactly the
 *                                       prediction, repeated runs agree)
 *
 * The exit status is non-zero if a run fails or a check does not hold.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_guest.h"

#ifndef PAGELAB_MM_KERNEL
#define PAGELAB_MM_KERNEL "pagelab-kernel.elf"
#endif

struct kind {
    const char *name;        /* the guest's bench kind */
    const char *what;        /* table row */
    uint32_t pairs;          /* N per CPU */
    uint32_t check_pairs;    /* N per CPU with --check */
    uint32_t vmalloc_pages;  /* vmalloc kinds: data pages of one area, else 0 */
};

static const struct kind kinds[] = {
    { "kmalloc64", "kmalloc(64) + kfree", 200000, 2000, 0 },
    { "kmalloc4096", "kmalloc(4096) + kfree", 200000, 2000, 0 },
    { "kmap", "kmap + kunmap (highmem page)", 100000, 2000, 0 },
    { "kmap_atomic", "kmap_atomic + kunmap_atomic (highmem page)", 200000, 2000, 0 },
    { "vmalloc64k", "vmalloc(64 KiB) + vfree", 10000, 1000, 16 },
    { "vmalloc1m", "vmalloc(1 MiB) + vfree", 1000, 100, 256 },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const unsigned cpu_counts[] = { 1, 4 };
static const uint64_t quanta[] = { 1000, 10000, 100000 };

#define MAX_EVENTS 4096

/* What one run gives. */
struct result {
    bool ok;
    uint64_t insns;              /* guest instructions, all CPUs */
    uint64_t interrupts;         /* external interrupts delivered, all CPUs */
    double host_s;               /* host seconds in emu_machine_run */
    emu_shootdown_stats sd;
    uint32_t vfrees, purges, lazy_max;   /* the guest's "bench: vmalloc:" line */
    uint32_t kmaps, kflushes;            /* the guest's "bench: kmap:" line */
    uint64_t purge_events, purge_cycles_sum, purge_cycles_max;   /* EMU_EV_SHOOTDOWN, vmap purge */
    uint64_t purge_cycles[MAX_EVENTS];   /* the first MAX_EVENTS of them */
};

/* Records the host-measured cost of each vmap-purge shootdown. */
static void on_event(void *ctx, const emu_event *ev)
{
    struct result *r = ctx;
    if (ev->kind != EMU_EV_SHOOTDOWN || !ev->u.shootdown.reason ||
        strcmp(ev->u.shootdown.reason, "vmap purge"))
        return;
    if (r->purge_events < MAX_EVENTS)
        r->purge_cycles[r->purge_events] = ev->u.shootdown.cycles;
    r->purge_events++;
    r->purge_cycles_sum += ev->u.shootdown.cycles;
    if (ev->u.shootdown.cycles > r->purge_cycles_max)
        r->purge_cycles_max = ev->u.shootdown.cycles;
}

/* Boots the kernel with bench=mm:kind:count; r->ok false on failure
 * (message printed).  Adds the guest's vmalloc/kmap statistics lines. */
static void run_once(const char *kernel, uint64_t ram, unsigned cpus, uint64_t quantum,
                     const char *kind, uint32_t count, struct result *r)
{
    static bench_guest_run g;
    const char *p;

    memset(r, 0, sizeof *r);
    bench_guest_run_mm("bench_mm_alloc", kernel, ram, cpus, quantum, kind, count, on_event, r, &g);
    if (!g.ok)
        return;
    r->ok = true;
    r->insns = g.insns;
    r->interrupts = g.interrupts;
    r->host_s = g.host_s;
    r->sd = g.sd;
    if ((p = strstr(g.serial, "bench: vmalloc: ")) &&
        sscanf(p, "bench: vmalloc: %" SCNu32 " vfrees, %" SCNu32 " purges, lazy_max_pages %"
               SCNu32, &r->vfrees, &r->purges, &r->lazy_max) != 3)
        r->ok = false;
    if ((p = strstr(g.serial, "bench: kmap: ")) &&
        sscanf(p, "bench: kmap: %" SCNu32 " kmaps, %" SCNu32 " flushes", &r->kmaps,
               &r->kflushes) != 2)
        r->ok = false;
    if (!r->ok)
        fprintf(stderr, "bench_mm_alloc: %s: unreadable statistics line:\n%s\n", kind, g.serial);
}

/* reps runs of each count; instruction counts must agree, host time is
 * the best.  Returns false on failure. */
static bool run_pair(const char *kernel, uint64_t ram, unsigned cpus, uint64_t quantum,
                     const struct kind *kd, uint32_t n, unsigned reps, struct result *base,
                     struct result *full)
{
    for (unsigned rep = 0; rep < reps; rep++) {
        struct result b, f;
        run_once(kernel, ram, cpus, quantum, kd->name, 0, &b);
        if (!b.ok)
            return false;
        run_once(kernel, ram, cpus, quantum, kd->name, n, &f);
        if (!f.ok || f.insns < b.insns)
            return false;
        if (rep == 0) {
            *base = b;
            *full = f;
            continue;
        }
        if (b.insns != base->insns || f.insns != full->insns) {
            fprintf(stderr, "bench_mm_alloc: %s, %u cpu(s): repeated runs differ (%" PRIu64
                    " / %" PRIu64 " vs %" PRIu64 " / %" PRIu64 " instructions)\n", kd->name, cpus,
                    b.insns, f.insns, base->insns, full->insns);
            return false;
        }
        if (b.host_s < base->host_s)
            base->host_s = b.host_s;
        if (f.host_s < full->host_s)
            full->host_s = f.host_s;
    }
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The median of the recorded vmap-purge shootdown cycles. */
static double median_cycles(struct result *r)
{
    size_t n = r->purge_events < MAX_EVENTS ? r->purge_events : MAX_EVENTS;
    if (!n)
        return 0;
    qsort(r->purge_cycles, n, sizeof r->purge_cycles[0], cmp_u64);
    return n % 2 ? (double)r->purge_cycles[n / 2]
                 : (r->purge_cycles[n / 2 - 1] + r->purge_cycles[n / 2]) / 2.0;
}

/* A purge every k-th vfree: the first k with k x (pages + 1) > lazy_max. */
static uint32_t purge_period(const struct kind *kd, uint32_t lazy_max)
{
    return lazy_max / (kd->vmalloc_pages + 1) + 1;
}

static int check_mode(const char *kernel, uint64_t ram)
{
    int failed = 0;

    for (size_t k = 0; k < NKINDS; k++) {
        for (size_t c = 0; c < sizeof cpu_counts / sizeof cpu_counts[0]; c++) {
            const struct kind *kd = &kinds[k];
            unsigned cpus = cpu_counts[c];
            struct result b = { 0 }, f = { 0 };
            bool ok = run_pair(kernel, ram, cpus, 0, kd, kd->check_pairs, 2, &b, &f);
            char why[160] = "";

            if (ok && kd->vmalloc_pages) {
                uint32_t vfrees = f.vfrees - b.vfrees, period = purge_period(kd, f.lazy_max);
                if (vfrees != kd->check_pairs * cpus)
                    snprintf(why, sizeof why, "%" PRIu32 " vfrees", vfrees);
                else if (cpus == 1 && f.purges != f.vfrees / period)
                    snprintf(why, sizeof why, "%" PRIu32 " purges in %" PRIu32 " vfrees, want %"
                             PRIu32, f.purges, f.vfrees, f.vfrees / period);
                else if (cpus == 1 ? f.sd.by_reason[1] != 0
                         : f.sd.by_reason[1] - b.sd.by_reason[1] > f.purges - b.purges ||
                           (f.purges > b.purges && f.sd.by_reason[1] == b.sd.by_reason[1]))
                    snprintf(why, sizeof why, "%" PRIu64 " vmap-purge shootdowns, %" PRIu32
                             " purges", f.sd.by_reason[1] - b.sd.by_reason[1], f.purges - b.purges);
            }
            if (ok && !strcmp(kd->name, "kmap") && f.kmaps - b.kmaps != kd->check_pairs * cpus)
                snprintf(why, sizeof why, "%" PRIu32 " kmaps", f.kmaps - b.kmaps);
            if (!ok)
                snprintf(why, sizeof why, "run failed");
            printf("%s %s, %u cpu(s), N %" PRIu32 ": %.1f instructions / pair%s%s\n",
                   why[0] ? "FAIL" : "ok  ", kd->name, cpus, kd->check_pairs,
                   ok ? (double)(f.insns - b.insns) / ((double)kd->check_pairs * cpus) : 0.0,
                   why[0] ? ": " : "", why);
            failed |= why[0] != 0;
        }
    }
    return failed;
}

int main(int argc, char **argv)
{
    const char *kernel = PAGELAB_MM_KERNEL;
    uint64_t ram = 1024ull << 20;
    unsigned reps = 3;
    bool check = false, quick = false;
    int failed = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
            kernel = argv[++i];
        } else if (!strcmp(argv[i], "--ram") && i + 1 < argc) {
            ram = strtoull(argv[++i], NULL, 0) << 20;
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = (unsigned)strtoul(argv[++i], NULL, 0);
            if (reps < 1)
                reps = 1;
        } else if (!strcmp(argv[i], "--check")) {
            check = true;
        } else if (!strcmp(argv[i], "--quick")) {
            quick = true;
        } else {
            fprintf(stderr, "usage: %s [--kernel PATH] [--ram MIB] [--reps R] [--quick] | --check\n",
                    argv[0]);
            return 2;
        }
    }
    if (check)
        return check_mode(kernel, ram);

    static struct result res[NKINDS][2][2];   /* kind, cpu config, base/full */
    printf("Allocators above the page allocator (kernel %s, %" PRIu64 " MiB RAM, quantum "
           "10,000 cycles).\ninstructions / pair = (N run - 0 run) / (N x CPUs), exact; "
           "pairs / host s = N x CPUs /\n(host s of N run - host s of 0 run), best of %u, "
           "a host-speed figure; irqs = interrupts\ndelivered in the loop (N run - 0 run, "
           "all CPUs; timer ticks with interrupts on).\n\n", kernel, ram >> 20, reps);
    printf("| pair | CPUs | N per CPU | instructions / pair | pairs / host s | irqs |\n");
    printf("|------|-----:|----------:|--------------------:|---------------:|-----:|\n");
    for (size_t k = 0; k < NKINDS; k++) {
        for (size_t c = 0; c < 2; c++) {
            const struct kind *kd = &kinds[k];
            unsigned cpus = cpu_counts[c];
            uint32_t n = quick ? kd->check_pairs : kd->pairs;
            struct result *b = &res[k][c][0], *f = &res[k][c][1];
            if (!run_pair(kernel, ram, cpus, 0, kd, n, reps, b, f)) {
                printf("| %s | %u | %" PRIu32 " | run failed | | |\n", kd->what, cpus, n);
                failed = 1;
                b->ok = f->ok = false;
                continue;
            }
            double total = (double)n * cpus, dt = f->host_s - b->host_s;
            char rate[32];
            if (dt > 0)
                snprintf(rate, sizeof rate, "%.0f", total / dt);
            else
                snprintf(rate, sizeof rate, "-");
            printf("| %s | %u | %" PRIu32 " | %.1f | %s | %" PRIu64 " |\n", kd->what, cpus, n,
                   (double)(f->insns - b->insns) / total, rate, f->interrupts - b->interrupts);
            fflush(stdout);
        }
    }

    printf("\nvmalloc: vfrees, vmap purges (guest counter) and TLB shootdowns (host, "
           "emu_machine_shootdown_stats),\nN run - 0 run; predicted = 1000 / k, a purge every "
           "k-th vfree, k = floor(lazy_max_pages / (pages + 1)) + 1.\n\n");
    printf("| pair | CPUs | lazy_max_pages | k | vfrees | purges | shootdowns | purges / 1000 vfrees "
           "| shootdowns / 1000 vfrees | predicted / 1000 |\n");
    printf("|------|-----:|---------------:|--:|-------:|-------:|-----------:|--------------------:"
           "|------------------------:|-----------------:|\n");
    for (size_t k = 0; k < NKINDS; k++) {
        const struct kind *kd = &kinds[k];
        if (!kd->vmalloc_pages)
            continue;
        for (size_t c = 0; c < 2; c++) {
            struct result *b = &res[k][c][0], *f = &res[k][c][1];
            if (!f->ok)
                continue;
            uint32_t vfrees = f->vfrees - b->vfrees, purges = f->purges - b->purges;
            uint32_t period = purge_period(kd, f->lazy_max);
            uint64_t sd = f->sd.count - b->sd.count;
            printf("| %s | %u | %" PRIu32 " | %" PRIu32 " | %" PRIu32 " | %" PRIu32 " | %" PRIu64
                   " | %.2f | %.2f | %.2f |\n", kd->what, cpu_counts[c], f->lazy_max, period, vfrees,
                   purges, sd, 1000.0 * purges / vfrees, 1000.0 * (double)sd / vfrees,
                   1000.0 / period);
        }
    }

    printf("\nShootdown cost on 4 CPUs (vmap purges of the N run, host-measured cycles from the "
           "first IPI\nto the last acknowledgement; 1 GHz clock, so cycles = ns of simulated time) "
           "against the quantum:\n\n");
    printf("| pair | quantum (cycles) | instructions / pair | shootdowns | mean cycles | median cycles "
           "| max cycles |\n");
    printf("|------|-----------------:|--------------------:|-----------:|------------:|--------------:"
           "|-----------:|\n");
    for (size_t k = 0; k < NKINDS; k++) {
        const struct kind *kd = &kinds[k];
        if (!kd->vmalloc_pages)
            continue;
        for (size_t q = 0; q < sizeof quanta / sizeof quanta[0]; q++) {
            uint32_t n = quick ? kd->check_pairs : kd->pairs;
            struct result b = { 0 }, f = { 0 };
            if (quanta[q] == 10000 && res[k][1][1].ok) {
                b = res[k][1][0];
                f = res[k][1][1];
            } else if (!run_pair(kernel, ram, 4, quanta[q], kd, n, 1, &b, &f)) {
                printf("| %s | %" PRIu64 " | run failed | | | | |\n", kd->what, quanta[q]);
                failed = 1;
                continue;
            }
            printf("| %s | %" PRIu64 " | %.1f | %" PRIu64 " | %.0f | %.0f | %" PRIu64 " |\n",
                   kd->what, quanta[q], (double)(f.insns - b.insns) / (4.0 * n), f.purge_events,
                   f.purge_events ? (double)f.purge_cycles_sum / f.purge_events : 0.0,
                   median_cycles(&f), f.purge_cycles_max);
            fflush(stdout);
        }
    }
    return failed;
}
