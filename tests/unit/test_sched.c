/* tests/unit/test_sched.c - the quantum scheduler (emu/machine.c) with the
 * SMP test kernel tests/kernels/smp.S: AP start-up through INIT/STARTUP and
 * a real-mode trampoline, determinism, the round invariant, idle time of
 * halted CPUs, deadlock, the instruction limit and pause/resume. */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "unit.h"

#define SMP PAGELAB_TEST_KERNELS "/smp.elf"
#define SPIN PAGELAB_TEST_KERNELS "/spin.elf"

#define RES 0x6000u
#define LOOP_INSNS 5u
/* Cost of the work loop's block with the default fast-mode costs
 * (docs/timing.md): mov edx,1 (alu 1) + inc [edi] (alu 1 + mem 1) +
 * lock xadd (locked 20) + dec ecx (alu 1) + jnz as last insn
 * ((taken 2 + not taken 1 + 1) / 2 = 2). */
#define LOOP_CYCLES 26u

typedef struct evlog {
    emu_machine *m;          /* for pausing */
    unsigned pause_at_ipi;   /* pause when this many IPIs were seen (0: never) */
    unsigned ipis, started;
    uint32_t ipi_mask[32];
    char ipi_mode[32][16];
} evlog;

static void on_event(void *ctx, const emu_event *ev)
{
    evlog *l = ctx;
    if (ev->kind == EMU_EV_IPI) {
        if (l->ipis < 32) {
            l->ipi_mask[l->ipis] = ev->u.ipi.dest_mask;
            snprintf(l->ipi_mode[l->ipis], sizeof l->ipi_mode[0], "%s", ev->u.ipi.mode);
        }
        l->ipis++;
        if (l->pause_at_ipi && l->ipis == l->pause_at_ipi)
            emu_machine_pause(l->m);
    } else if (ev->kind == EMU_EV_CPU_STATE && ev->u.text && !strcmp(ev->u.text, "started")) {
        l->started++;
    }
}

static emu_machine *make(const char *kernel, unsigned ncpus, const char *cmdline, uint64_t quantum,
                         uint64_t max_insns, evlog *log)
{
    emu_config cfg;
    char err[256];
    emu_config_init(&cfg);
    cfg.kernel_path = kernel;
    cfg.ncpus = ncpus;
    cfg.ram_bytes = 32ull << 20;
    cfg.cmdline = cmdline;
    cfg.quantum_cycles = quantum;
    cfg.max_insns = max_insns;
    emu_callbacks cb = { .ctx = log, .event = on_event };
    emu_machine *m = emu_machine_create(&cfg, log ? &cb : NULL, err, sizeof err);
    if (!m) {
        fprintf(stderr, "create: %s\n", err);
        exit(1);
    }
    if (log)
        log->m = m;
    return m;
}

static uint32_t peek32(const emu_machine *m, uint32_t pa)
{
    uint32_t v = 0;
    emu_machine_peek_phys(m, pa, &v, 4);
    return v;
}

static uint32_t counter(const emu_machine *m, unsigned cpu)
{
    return peek32(m, RES + 0x40 + 64 * cpu);
}

/* Everything observable about a finished or stopped run. */
typedef struct snapshot {
    emu_stop stop;
    uint32_t exit_value;
    uint64_t hash;
    uint32_t counters[8], shared;
    emu_cpu_stats st[8];
    emu_regs regs[8];
} snapshot;

static void take(emu_machine *m, snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->stop = emu_machine_stop_reason(m);
    s->exit_value = emu_machine_exit_value(m);
    s->hash = emu_machine_ram_hash(m);
    s->shared = peek32(m, RES + 8);
    for (unsigned i = 0; i < emu_machine_ncpus(m); i++) {
        s->counters[i] = counter(m, i);
        emu_machine_cpu_stats(m, i, &s->st[i]);
        emu_machine_read_regs(m, i, &s->regs[i]);
    }
}

static void check_same(const snapshot *a, const snapshot *b, unsigned n)
{
    CHECK_EQ(a->stop, b->stop);
    CHECK_EQ(a->exit_value, b->exit_value);
    CHECK_EQ(a->hash, b->hash);
    CHECK_EQ(a->shared, b->shared);
    for (unsigned i = 0; i < n; i++) {
        CHECK_EQ(a->counters[i], b->counters[i]);
        CHECK_EQ(a->st[i].state, b->st[i].state);
        CHECK_EQ(a->st[i].cycles, b->st[i].cycles);
        CHECK_EQ(a->st[i].insns, b->st[i].insns);
        CHECK_EQ(a->st[i].idle_cycles, b->st[i].idle_cycles);
        CHECK_EQ(a->st[i].exceptions, b->st[i].exceptions);
        CHECK_EQ(a->st[i].ipis_sent, b->st[i].ipis_sent);
        CHECK(!memcmp(&a->regs[i], &b->regs[i], sizeof a->regs[i]));
    }
}

/* Every CPU starts; the BSP exits after exactly `work` iterations; the
 * shared lock-xadd counter is the sum of the per-CPU counters; and a second
 * run is identical in every respect. */
static void test_boot_and_determinism(void)
{
    for (unsigned n = 1; n <= 8; n *= 2) {
        snapshot s[2];
        for (int k = 0; k < 2; k++) {
            evlog log = { 0 };
            emu_machine *m = make(SMP, n, "work=20000", 10000, 0, &log);
            CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
            take(m, &s[k]);
            CHECK_EQ(s[k].exit_value, 20000);
            CHECK_EQ(peek32(m, RES), n);               /* CPUs the guest found in the MP table */
            CHECK_EQ(peek32(m, RES + 4), 1);
            CHECK_EQ(s[k].counters[0], 20000);
            uint64_t sum = 0;
            /* The BSP exits with `outl; cli; hlt` in one block; the exit
             * takes effect at the block's end, after the hlt. */
            CHECK_EQ(s[k].st[0].state, EMU_CPU_HALTED);
            for (unsigned i = 0; i < n; i++) {
                CHECK_EQ(s[k].st[i].state, i ? EMU_CPU_RUNNING : EMU_CPU_HALTED);
                CHECK(s[k].counters[i] > 0);
                sum += s[k].counters[i];
            }
            CHECK_EQ(s[k].shared, sum);
            /* INIT + 2 STARTUPs per AP, one CPU each; "started" once per AP
             * (the second STARTUP is ignored by a running CPU). */
            CHECK_EQ(log.ipis, 3 * (n - 1));
            CHECK_EQ(log.started, n - 1);
            CHECK_EQ(s[k].st[0].ipis_sent, 3 * (n - 1));
            for (unsigned i = 0; i < 3 * (n - 1) && i < 32; i++) {
                CHECK_EQ(log.ipi_mask[i], 1u << (1 + i / 3));
                CHECK(!strcmp(log.ipi_mode[i], i % 3 == 0 ? "INIT" : "STARTUP"));
            }
            emu_machine_destroy(m);
        }
        check_same(&s[0], &s[1], n);
    }
}

/* After emu_machine_run(m, K*Q) from time 0, the machine stopped at the end
 * of round K: a CPU stops before a block once its clock has reached the
 * round's end, so a running CPU is at most one block past it,
 * K*Q <= cycles < K*Q + cost(last block); here every CPU is in the work
 * loop, whose block costs LOOP_CYCLES.  A halted CPU idles exactly to the
 * round's end and its busy time no longer changes. */
static void test_round_invariant(void)
{
    const uint64_t q = 1000;
    evlog log = { 0 };
    emu_machine *m = make(SMP, 4, "work=4000000000 halt=4", q, 0, &log);
    uint64_t busy2 = 0;
    for (uint64_t k = 100; k <= 400; k += 100) {
        CHECK_EQ(emu_machine_run(m, 100 * q), EMU_STOP_LIMIT);
        for (unsigned i = 0; i < 4; i++) {
            emu_cpu_stats s;
            emu_machine_cpu_stats(m, i, &s);
            if (i == 2) {
                CHECK_EQ(s.state, EMU_CPU_HALTED);
                CHECK_EQ(s.cycles, k * q);
                CHECK(s.idle_cycles > 0);
                if (busy2)
                    CHECK_EQ(s.cycles - s.idle_cycles, busy2);   /* only idle time was added */
                busy2 = s.cycles - s.idle_cycles;
            } else {
                CHECK_EQ(s.state, EMU_CPU_RUNNING);
                CHECK(s.cycles >= k * q);
                CHECK(s.cycles < k * q + LOOP_CYCLES);
                CHECK(counter(m, i) > 0);
            }
        }
    }
    /* The halted CPU never ran its loop. */
    CHECK_EQ(counter(m, 2), 0);
    emu_machine_destroy(m);

    /* A larger quantum, one CPU halted from the start: the BSP itself. */
    m = make(SMP, 2, "halt=1", 7777, 0, NULL);
    CHECK_EQ(emu_machine_run(m, 7777ull * 30), EMU_STOP_LIMIT);
    emu_cpu_stats s0, s1;
    emu_machine_cpu_stats(m, 0, &s0);
    emu_machine_cpu_stats(m, 1, &s1);
    CHECK_EQ(s0.state, EMU_CPU_HALTED);
    CHECK_EQ(s0.cycles, 7777ull * 30);
    CHECK_EQ(s1.state, EMU_CPU_RUNNING);
    CHECK(s1.cycles >= 7777ull * 30 && s1.cycles < 7777ull * 30 + LOOP_CYCLES);
    emu_machine_destroy(m);
}

/* All CPUs `cli; hlt`: nothing can ever wake one. */
static void test_deadlock(void)
{
    for (unsigned n = 1; n <= 4; n++) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "halt=%u", (1u << n) - 1);
        emu_machine *m = make(SMP, n, cmd, 10000, 0, NULL);
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_DEADLOCK);
        CHECK_EQ(emu_machine_stop_reason(m), EMU_STOP_DEADLOCK);
        for (unsigned i = 0; i < n; i++) {
            emu_cpu_stats s;
            emu_machine_cpu_stats(m, i, &s);
            CHECK_EQ(s.state, EMU_CPU_HALTED);
        }
        /* stays stopped */
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_DEADLOCK);
        emu_machine_destroy(m);
    }
}

/* cfg.max_insns = L: the CPU about to run a block checks the machine total
 * first, so the run stops at the first block boundary where the total
 * reached L.  In the work loop (5-instruction blocks) that total is the one
 * value in [L, L + 5) that the loop can produce: total = P + 5 * iterations
 * for a fixed P (the instructions before the loop). */
static void test_insn_limit(void)
{
    uint64_t p = 0;
    for (uint64_t lim = 200000; lim < 200000 + 3 * LOOP_INSNS; lim++) {
        emu_machine *m = make(SMP, 1, "work=4000000000", 10000, lim, NULL);
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_LIMIT);
        emu_cpu_stats s;
        emu_machine_cpu_stats(m, 0, &s);
        CHECK(s.insns >= lim);
        CHECK(s.insns < lim + LOOP_INSNS);
        uint64_t pre = s.insns - LOOP_INSNS * (uint64_t)counter(m, 0);
        if (p)
            CHECK_EQ(pre, p);
        p = pre;
        /* The limit is sticky: running again stops at once. */
        uint64_t before = s.insns;
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_LIMIT);
        emu_machine_cpu_stats(m, 0, &s);
        CHECK_EQ(s.insns, before);
        emu_machine_destroy(m);
    }
    /* Several CPUs: the total over all CPUs is what counts. */
    emu_machine *m = make(SMP, 4, "work=4000000000", 1000, 1000000, NULL);
    CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_LIMIT);
    uint64_t total = 0;
    for (unsigned i = 0; i < 4; i++) {
        emu_cpu_stats s;
        emu_machine_cpu_stats(m, i, &s);
        total += s.insns;
    }
    CHECK(total >= 1000000 && total < 1000000 + LOOP_INSNS);
    emu_machine_destroy(m);
}

/* emu_machine_pause from an event callback (the k-th IPI) stops the run
 * with EMU_STOP_PAUSE; running again reaches exactly the final state of an
 * uninterrupted run. */
static void test_pause_resume(void)
{
    snapshot ref, got;
    evlog l0 = { 0 };
    emu_machine *m = make(SMP, 4, "work=30000", 2000, 0, &l0);
    CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
    take(m, &ref);
    emu_machine_destroy(m);
    for (unsigned k = 1; k <= 9; k += 4) {
        evlog l = { .pause_at_ipi = k };
        m = make(SMP, 4, "work=30000", 2000, 0, &l);
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_PAUSE);
        CHECK_EQ(emu_machine_stop_reason(m), EMU_STOP_PAUSE);
        /* The pause takes effect at the next block boundary: the BSP's
         * three ICR writes for one AP (INIT, STARTUP, STARTUP) are one
         * block, so the block that sent IPI k also sends the rest of its
         * group of three, and nothing sent before the pause is sent again. */
        unsigned sent = (k + 2) / 3 * 3;
        CHECK_EQ(l.ipis, sent);
        emu_cpu_stats s;
        emu_machine_cpu_stats(m, 0, &s);
        CHECK_EQ(s.ipis_sent, sent);
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
        take(m, &got);
        check_same(&ref, &got, 4);
        emu_machine_destroy(m);
    }
}

/* spin_loop in C, as documented in spin.S, on a zeroed array. */
static uint32_t ref_spin(uint32_t *buf, uint32_t iters)
{
    uint32_t j = 0, sum = 0x9E3779B9u;
    memset(buf, 0, 65536);
    for (uint32_t n = iters; n; n--) {
        uint32_t v = buf[j] + sum;
        v = (v << 5 | v >> 27) ^ n;
        buf[j] = v;
        sum += v;
        j = (j + 17) & 0x3FFF;
    }
    return sum;
}

/* The spin kernel: every CPU runs spin_loop and the BSP exits with 0. */
static void test_spin(void)
{
    snapshot a, b;
    for (int k = 0; k < 2; k++) {
        emu_machine *m = make(SPIN, 3, "iters=20000", 10000, 0, NULL);
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
        CHECK_EQ(emu_machine_exit_value(m), 0);
        CHECK_EQ(peek32(m, RES), 3);
        CHECK_EQ(peek32(m, RES + 4), 20000);
        CHECK_EQ(peek32(m, RES + 8), 3);
        /* Each CPU's result and 64 KiB array are what the C model gives. */
        static uint32_t want[16384], got[16384];
        uint32_t sum = ref_spin(want, 20000);
        for (unsigned i = 0; i < 3; i++) {
            CHECK_EQ(peek32(m, RES + 0x10 + 4 * i), sum);
            emu_machine_peek_phys(m, 0x400000 + 0x10000 * i, got, sizeof got);
            CHECK(!memcmp(got, want, sizeof got));
        }
        take(m, k ? &b : &a);
        emu_machine_destroy(m);
    }
    check_same(&a, &b, 3);
}

int main(void)
{
    test_boot_and_determinism();
    test_round_invariant();
    test_deadlock();
    test_insn_limit();
    test_pause_resume();
    test_spin();
    return unit_done();
}
