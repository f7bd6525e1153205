/* bench/bench_guest.c - one benchmark-mode run of the guest (bench_guest.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_guest.h"

typedef struct run_ctx {
    bench_guest_run *r;
    bench_event_fn fn;
    void *ctx;
} run_ctx;

static void on_event(void *ctx, const emu_event *ev)
{
    run_ctx *c = ctx;
    bench_guest_run *r = c->r;
    if (ev->kind != EMU_EV_SERIAL) {
        if (c->fn)
            c->fn(c->ctx, ev);
        return;
    }
    size_t n = ev->u.serial.len;
    if (n > sizeof r->serial - 1 - r->len)
        n = sizeof r->serial - 1 - r->len;
    memcpy(r->serial + r->len, ev->u.serial.data, n);
    r->len += n;
    r->serial[r->len] = 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sums the per-CPU counters of a finished run into r. */
static void collect(emu_machine *m, bench_guest_run *r)
{
    for (unsigned i = 0; i < emu_machine_ncpus(m); i++) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(m, i, &st);
        r->insns += st.insns;
        r->interrupts += st.interrupts;
    }
    emu_machine_shootdown_stats(m, &r->sd);
}

void bench_guest_run_mm(const char *prog, const char *kernel, uint64_t ram, unsigned cpus,
                        uint64_t quantum, const char *kind, uint32_t count,
                        bench_event_fn fn, void *ctx, bench_guest_run *r)
{
    char cmdline[128], err[512], want[160];
    run_ctx c = { .r = r, .fn = fn, .ctx = ctx };
    emu_callbacks cb = { .ctx = &c, .event = on_event };
    emu_config cfg;

    memset(r, 0, sizeof *r);
    snprintf(cmdline, sizeof cmdline, "quiet bench=mm:%s:%" PRIu32, kind, count);
    emu_config_init(&cfg);
    cfg.kernel_path = kernel;
    cfg.ram_bytes = ram;
    cfg.ncpus = cpus;
    cfg.cmdline = cmdline;
    cfg.max_insns = 200000000000ull;
    if (quantum)
        cfg.quantum_cycles = quantum;
    emu_machine *m = emu_machine_create(&cfg, &cb, err, sizeof err);
    if (!m) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return;
    }
    double t0 = now_s();
    emu_stop why = emu_machine_run(m, 0);
    r->host_s = now_s() - t0;
    snprintf(want, sizeof want, "bench: mm %s: %" PRIu32 " pairs on each of %u cpu(s), 0 failed\n",
             kind, count, cpus);
    if (why != EMU_STOP_EXIT || emu_machine_exit_value(m) != 0 || !strstr(r->serial, want)) {
        fprintf(stderr, "%s: %s, %u cpu(s), count %" PRIu32 ": stopped (%s, exit value %u); "
                "serial output:\n%s\n", prog, kind, cpus, count, emu_stop_name(why),
                emu_machine_exit_value(m), r->serial);
    } else {
        r->ok = true;
        collect(m, r);
    }
    emu_machine_destroy(m);
}
