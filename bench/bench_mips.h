/* bench/bench_mips.h - what pagelab-bench-mips's parts share (docs/bench.md):
 * the cross-check counters, host clocks, guest code copied out of a test
 * kernel ELF, and the raw Unicorn reference engine that runs that code with
 * no hooks.  bench_raw.c implements it; bench_mips.c has the spin_loop table
 * and main, bench_modes.c the timing-modes table (issue 6). */
#ifndef BENCH_MIPS_H
#define BENCH_MIPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

/* ---- correctness cross-checks ---------------------------------------------- */

/* Counts a pass, or prints "FAIL: ..." and counts a failure. */
void bench_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bench_passes(void);
int bench_failures(void);

/* ---- host time ---------------------------------------------------------------- */

/* Wall-clock and this thread's CPU time (Unicorn runs on the calling thread,
 * so CPU time well below wall time means another process took the core). */
typedef struct bench_stamp {
    double wall, cpu;
} bench_stamp;

bench_stamp bench_stamp_now(void);

/* Creates a machine from cfg (events to cb), runs it until it stops and
 * times emu_machine_run alone into *seconds and *cpu_seconds.  Returns the
 * machine for the caller to read and destroy (NULL, with a message, when it
 * cannot be created); *rc is 0 when the run ended with exit value 0, else
 * -1 with a message starting with `what` on stderr. */
emu_machine *bench_machine_run(const emu_config *cfg, const emu_callbacks *cb, const char *what,
                               double *seconds, double *cpu_seconds, int *rc);

/* ---- guest code from a kernel ELF -------------------------------------------------- */

typedef struct bench_code {
    uint8_t *bytes;
    uint32_t size;
    uint32_t vaddr;
} bench_code;

/* Copies the bytes [start_sym, end_sym) (at most 4 KiB) out of the PT_LOAD
 * segment of the ELF32 file at path that holds them.  0, or -1 with a
 * one-line message in err. */
int bench_load_code(const char *path, const char *start_sym, const char *end_sym, bench_code *code,
                    char *err, size_t errlen);

/* ---- the raw Unicorn reference ----------------------------------------------------------- */

enum bench_raw_mode {
    RAW_PLAIN,        /* no hooks: the reference */
    RAW_COUNT,        /* UC_HOOK_CODE counter: exact instruction count (calibration) */
    RAW_EMPTY_BLOCK,  /* a UC_HOOK_BLOCK callback that does nothing */
    RAW_TIMING_BLOCK, /* the timing model's lookup + quantum check in the block hook */
    RAW_EMPTY_MEM,    /* empty UC_HOOK_BLOCK and UC_HOOK_MEM_READ|WRITE callbacks: the
                       * floor of any design that sees every data access */
};

/* One cdecl call of position-independent code on a fresh engine: RAM at
 * physical 0 (zeroed), paging on with an identity map of all of it, a flat
 * GDT, the code at RAW_CODE, a stack holding the return address (a hlt that
 * never runs) and the arguments. */
typedef struct bench_raw_job {
    const bench_code *code;
    uint32_t mem_size;        /* bytes of RAM: a multiple of 4 MiB, 8 .. 64 MiB */
    bool small_pages;         /* 4 KiB pages (page tables at 0x100000), else 4 MiB PSE pages */
    uint32_t args[4];
    unsigned nargs;
} bench_raw_job;

#define RAW_CODE 0x200000u    /* where the code is copied (below: the raw engine's tables) */

typedef struct bench_raw_result {
    uint32_t eax;
    uint64_t counted;   /* RAW_COUNT: instructions; RAW_TIMING_BLOCK: charged instructions */
    uint64_t starts;    /* uc_emu_start calls */
    double seconds, cpu_seconds;   /* wall and CPU, around uc_emu_start only */
} bench_raw_result;

/* Runs job in mode; 0, or -1 (with a message on stderr) when the engine
 * could not be set up or the code did not return normally. */
int bench_raw_run(const bench_raw_job *job, enum bench_raw_mode mode, bench_raw_result *r);

/* ---- the two tables ------------------------------------------------------------------------ */

/* Options of the timing-modes table (bench_modes.c). */
typedef struct bench_modes_opts {
    const char *spin_kernel, *mem_kernel, *guest_kernel, *workloads_dir;
    const char *check_workload;   /* the script --check runs */
    double scale;             /* multiplies every default work size */
    unsigned reps;
} bench_modes_opts;

/* The timing-modes table (timed) or its exact checks; returns the exit
 * status (0 when every cross-check passed). */
int bench_modes_table(const bench_modes_opts *o);
int bench_modes_check(const bench_modes_opts *o);

#endif
