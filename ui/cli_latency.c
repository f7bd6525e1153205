/* ui/cli_latency.c - the per-operation latency table that --stats prints at
 * exit (emu_wl_get_latency: nearest-rank percentiles of every completed
 * workload request's simulated cycles, all CPUs). */
#include <stdio.h>

#include "cli.h"
#include "wl_ring.h"

/* One line for op, which has lat->count > 0. */
static void print_op(FILE *out, unsigned op, const emu_wl_latency *lat)
{
    fprintf(out, "pagelab: latency %s: %llu ops, cycles min %llu p50 %llu p90 %llu p99 %llu max %llu mean %.1f\n",
            emu_wl_op_name(op), (unsigned long long)lat->count, (unsigned long long)lat->min,
            (unsigned long long)lat->p50, (unsigned long long)lat->p90, (unsigned long long)lat->p99,
            (unsigned long long)lat->max, lat->mean);
}

void cli_print_latency(const emu_machine *m, FILE *out)
{
    emu_wl_latency lat;
    bool header = false;
    uint64_t dropped = emu_wl_latency_dropped(m);

    for (unsigned op = 0; op < WL_OP_COUNT; op++) {
        emu_wl_get_latency(m, op, &lat);
        if (lat.count == 0)
            continue;
        if (!header)
            fprintf(out, "pagelab: per-operation latency (simulated cycles, all CPUs):\n");
        header = true;
        print_op(out, op, &lat);
    }
    if (dropped)
        fprintf(out, "pagelab: latency: %llu samples dropped (host out of memory), not in the figures above\n",
                (unsigned long long)dropped);
}
