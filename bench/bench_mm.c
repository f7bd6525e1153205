/* bench/bench_mm.c - guest instructions per allocation + free pair of the
 * kernel's page allocator (mm/), on 1 and 4 CPUs.
 *
 * The guest kernel has a boot option bench=mm:<kind>:<count> (see
 * guest/kernel/mm_bench.c): every CPU runs count pairs of one kind at once,
 * then the kernel shuts down.  For each configuration this program boots the
 * kernel twice through emu/machine.h, with count = N and count = 0, and
 * divides the difference of the guest instruction counts (all CPUs) by N
 * times the number of CPUs.  Everything else the two runs do is the same, so
 * it cancels.  The machine is deterministic: one run each is exact.
 *
 * The per-CPU row also has a baseline: the guest kind pcp_loop runs the
 * same loop (the same code) calling two functions that only return.  Its
 * figure, measured the same way, is the loop's own cost; "net" is the pair
 * minus that baseline and is what the per-CPU target is checked against.
 * The table prints both.  The other rows have no baseline (net = the pair).
 *
 *   pagelab-bench-mm [--kernel PATH] [--ram MIB]
 *
 * Targets (the issue's): the per-CPU path <= 200 instructions a pair, the
 * buddy path at order 0 <= 600.  The table says whether each is met; the
 * exit status is non-zero only if a run fails (a guest allocation failure,
 * no clean shutdown).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_guest.h"

#ifndef PAGELAB_MM_KERNEL
#define PAGELAB_MM_KERNEL "pagelab-kernel.elf"
#endif

struct kind {
    const char *name;        /* the guest's bench kind */
    const char *what;        /* table row */
    const char *baseline;    /* the guest's kind for the same loop without the pair, or NULL */
    uint32_t pairs;          /* N */
    double target;           /* instructions a pair, 0 = none */
};

static const struct kind kinds[] = {
    { "pcp", "order 0, per-CPU lists (warm)", "pcp_loop", 20000, 200 },
    { "buddy0", "order 0, buddy lists (no split/merge)", NULL, 20000, 600 },
    { "buddy0split", "order 0, buddy lists, split+merge from order 10", NULL, 2000, 0 },
    { "order3", "order 3 (alloc_pages/__free_pages)", NULL, 10000, 0 },
    { "order10", "order 10 (alloc_pages/__free_pages)", NULL, 500, 0 },
};

static const unsigned cpu_counts[] = { 1, 4 };

/* Boots the kernel with bench=mm:kind:count; returns the guest instructions
 * of all CPUs, or 0 on failure (message printed). */
static uint64_t run_once(const char *kernel, uint64_t ram, unsigned cpus, const char *kind,
                         uint32_t count)
{
    static bench_guest_run r;
    bench_guest_run_mm("bench_mm", kernel, ram, cpus, 0, kind, count, NULL, NULL, &r);
    return r.ok ? r.insns : 0;
}

/* Instructions per pair of kind on cpus CPUs: (count = pairs run) minus
 * (count = 0 run), divided by pairs x cpus; false if a run failed. */
static bool per_pair(const char *kernel, uint64_t ram, unsigned cpus, const char *kind,
                     uint32_t pairs, double *out)
{
    uint64_t base = run_once(kernel, ram, cpus, kind, 0);
    uint64_t full = base ? run_once(kernel, ram, cpus, kind, pairs) : 0;

    if (!base || !full || full < base)
        return false;
    *out = (double)(full - base) / ((double)pairs * cpus);
    return true;
}

int main(int argc, char **argv)
{
    const char *kernel = PAGELAB_MM_KERNEL;
    uint64_t ram = 64ull << 20;
    int failed = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
            kernel = argv[++i];
        } else if (!strcmp(argv[i], "--ram") && i + 1 < argc) {
            ram = strtoull(argv[++i], NULL, 0) << 20;
        } else {
            fprintf(stderr, "usage: %s [--kernel PATH] [--ram MIB]\n", argv[0]);
            return 2;
        }
    }
    printf("Guest instructions per allocation + free pair (kernel %s, %" PRIu64 " MiB RAM;\n"
           "count = N run minus count = 0 run, divided by N x CPUs; net = pair minus the\n"
           "baseline, the same loop calling two functions that only return):\n\n",
           kernel, ram >> 20);
    printf("| pair | CPUs | N per CPU | instructions / pair | loop baseline | net | target | met |\n");
    printf("|------|-----:|----------:|--------------------:|--------------:|----:|-------:|-----|\n");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (size_t c = 0; c < sizeof cpu_counts / sizeof cpu_counts[0]; c++) {
            const struct kind *kd = &kinds[k];
            unsigned cpus = cpu_counts[c];
            double per, loop = 0;
            if (!per_pair(kernel, ram, cpus, kd->name, kd->pairs, &per) ||
                (kd->baseline && !per_pair(kernel, ram, cpus, kd->baseline, kd->pairs, &loop))) {
                printf("| %s | %u | %" PRIu32 " | run failed | | | | |\n", kd->what, cpus, kd->pairs);
                failed = 1;
                continue;
            }
            char target[32] = "-", met[16] = "-", base[32] = "-";
            if (kd->baseline)
                snprintf(base, sizeof base, "%.1f", loop);
            if (kd->target > 0) {
                snprintf(target, sizeof target, "<= %.0f", kd->target);
                snprintf(met, sizeof met, "%s", per - loop <= kd->target ? "yes" : "NO");
            }
            printf("| %s | %u | %" PRIu32 " | %.1f | %s | %.1f | %s | %s |\n", kd->what, cpus,
                   kd->pairs, per, base, per - loop, target, met);
            fflush(stdout);
        }
    }
    return failed;
}
