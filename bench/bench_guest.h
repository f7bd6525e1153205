/* bench/bench_guest.h - one run of the guest kernel's benchmark mode
 * (boot option bench=mm:KIND:COUNT, docs/guest.md "Benchmark mode") through
 * emu/machine.h: shared by pagelab-bench-mm and pagelab-bench-mm-alloc. */
#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

typedef struct bench_guest_run {
    bool ok;                  /* the kernel printed its result line with 0 failures and exited 0 */
    char serial[16384];       /* its serial output (truncated) */
    size_t len;
    uint64_t insns;           /* guest instructions, all CPUs */
    uint64_t interrupts;      /* external interrupts delivered, all CPUs */
    double host_s;            /* host seconds spent in emu_machine_run */
    emu_shootdown_stats sd;
} bench_guest_run;

/* Called for every event that is not serial output (may be NULL). */
typedef void (*bench_event_fn)(void *ctx, const emu_event *ev);

/* Boots kernel with "quiet bench=mm:KIND:COUNT" on cpus CPUs and ram bytes
 * (quantum 0: the default) and runs it to its exit; fills r, printing a
 * message prefixed by prog when the run fails. */
void bench_guest_run_mm(const char *prog, const char *kernel, uint64_t ram, unsigned cpus,
                        uint64_t quantum, const char *kind, uint32_t count,
                        bench_event_fn fn, void *ctx, bench_guest_run *r);

#endif
