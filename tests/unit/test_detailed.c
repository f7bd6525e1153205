/* tests/unit/test_detailed.c - the detailed timing mode's wiring, with the
 * test kernel tests/kernels/paging.S: exact DTLB miss counts between its
 * marker lines (cold pages, one invlpg, a CR3 reload with global pages),
 * the stale-translation detector's two reports (a remapped page and an
 * unmapped one, both without invlpg; CPU, addresses, EIP and symbol) and
 * none where the kernel flushes, determinism in both modes, and fast mode
 * leaving the models out; and the real kernel's missing shootdown (its TLB
 * self-test with tlb_shootdown=off) reported on the CPU that used it. */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "unit.h"

#define KERNEL PAGELAB_TEST_KERNELS "/paging.elf"

typedef struct run {
    emu_machine *m;
    uint64_t dtlb_miss[26];          /* at each marker line 'A'.. */
    bool seen[26];
    char last;                       /* the marker letter just written */
    unsigned nstale;
    emu_stale_tlb stale[4];
    char sym[4][32];
    uint64_t cycles;
} run;

static void on_event(void *ctx, const emu_event *ev)
{
    run *r = ctx;
    if (ev->kind == EMU_EV_STALE_TLB && r->nstale < 4) {
        r->stale[r->nstale] = ev->u.stale;
        snprintf(r->sym[r->nstale], sizeof r->sym[0], "%s", ev->u.stale.symbol ? ev->u.stale.symbol : "");
        CHECK_EQ(ev->cpu, 0);
        r->nstale++;
    }
    if (ev->kind != EMU_EV_SERIAL)
        return;
    for (size_t i = 0; i < ev->u.serial.len; i++) {
        char ch = ev->u.serial.data[i];
        if (ch >= 'A' && ch <= 'Z') {
            emu_mem_stats s;
            emu_machine_mem_stats(r->m, 0, &s);
            r->dtlb_miss[ch - 'A'] = s.dtlb_misses;
            r->seen[ch - 'A'] = true;
        }
    }
}

/* Runs paging.elf to its exit in mode t. */
static void run_kernel(run *r, emu_timing_mode t)
{
    emu_config cfg;
    char err[256];
    memset(r, 0, sizeof *r);
    emu_config_init(&cfg);
    cfg.kernel_path = KERNEL;
    cfg.ram_bytes = 32u << 20;
    cfg.ncpus = 1;
    cfg.timing = t;
    emu_callbacks cb = { .ctx = r, .event = on_event };
    r->m = emu_machine_create(&cfg, &cb, err, sizeof err);
    if (!r->m) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    CHECK_EQ(emu_machine_run(r->m, 100000000ull), EMU_STOP_EXIT);
    CHECK_EQ(emu_machine_exit_value(r->m), 0);
    emu_cpu_stats cs;
    emu_machine_cpu_stats(r->m, 0, &cs);
    r->cycles = cs.cycles;
}

static uint64_t between(const run *r, char a, char b)
{
    CHECK(r->seen[a - 'A'] && r->seen[b - 'A']);
    return r->dtlb_miss[b - 'A'] - r->dtlb_miss[a - 'A'];
}

/* The pagelab kernel's TLB self-test with tlb_shootdown=off remaps a
 * fixmap page on CPU 0 and flushes only there, then CPU 1 reads it again
 * (guest/selftest/test_tlb.c): a missing shootdown.  The detector must
 * report exactly that use (CPU 1, the fixmap address, in remote_read) and
 * nothing when the kernel's shootdowns are on. */
typedef struct selftest_run {
    unsigned nstale, cpu;
    emu_stale_tlb st;
    char sym[32];
    char out[4096];
    size_t len;
} selftest_run;

static void on_selftest_event(void *ctx, const emu_event *ev)
{
    selftest_run *r = ctx;
    if (ev->kind == EMU_EV_STALE_TLB) {
        if (r->nstale++ == 0) {
            r->cpu = (unsigned)ev->cpu;
            r->st = ev->u.stale;
            snprintf(r->sym, sizeof r->sym, "%s", ev->u.stale.symbol ? ev->u.stale.symbol : "");
        }
    } else if (ev->kind == EMU_EV_SERIAL && r->len + ev->u.serial.len < sizeof r->out) {
        memcpy(r->out + r->len, ev->u.serial.data, ev->u.serial.len);
        r->len += ev->u.serial.len;
        r->out[r->len] = '\0';
    }
}

static void run_tlb_selftest(selftest_run *r, const char *cmdline)
{
    emu_config cfg;
    char err[256];
    memset(r, 0, sizeof *r);
    emu_config_init(&cfg);
    cfg.kernel_path = PAGELAB_KERNEL_PATH;
    cfg.ram_bytes = 64u << 20;
    cfg.ncpus = 2;
    cfg.cmdline = cmdline;
    cfg.timing = EMU_TIMING_DETAILED;
    emu_callbacks cb = { .ctx = r, .event = on_selftest_event };
    emu_machine *m = emu_machine_create(&cfg, &cb, err, sizeof err);
    if (!m) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
    emu_machine_destroy(m);
}

static void test_missing_shootdown(void)
{
    selftest_run r;
    run_tlb_selftest(&r, "selftest=tlb tlb_shootdown=off");
    CHECK(strstr(r.out, "stale translation after remap without shootdown: observed") != NULL);
    CHECK_EQ(r.nstale, 1);
    CHECK_EQ(r.cpu, 1);
    CHECK_EQ(r.st.va, 0xffff0000);           /* FIX_ADDR(FIX_SELFTEST_TLB) */
    CHECK(r.st.new_present && r.st.new_pa != r.st.old_pa);
    CHECK(!r.st.write && !r.st.fetch);
    CHECK(!strcmp(r.sym, "remote_read"));
    run_tlb_selftest(&r, "selftest=tlb");
    CHECK(strstr(r.out, "selftest: 6 passed, 0 failed") != NULL);
    CHECK_EQ(r.nstale, 0);
}

int main(void)
{
    test_missing_shootdown();
    run d, d2, f, f2;
    run_kernel(&d, EMU_TIMING_DETAILED);
    CHECK_EQ(between(&d, 'A', 'B'), 16);     /* 16 cold pages, then 16 hits */
    CHECK_EQ(between(&d, 'B', 'C'), 1);      /* invlpg drops exactly one page */
    CHECK_EQ(between(&d, 'C', 'D'), 8 + 1);  /* CR3: pages 0..7 and the stack's 4 MiB page */
    CHECK_EQ(d.nstale, 2);
    CHECK_EQ(d.stale[0].va, 0x400000);
    CHECK_EQ(d.stale[0].old_pa, 0x500000);
    CHECK(d.stale[0].new_present);
    CHECK_EQ(d.stale[0].new_pa, 0x600000);
    CHECK(!d.stale[0].fetch && !d.stale[0].write);
    CHECK(!strcmp(d.sym[0], "stale_use"));
    CHECK_EQ(d.stale[0].sym_offset, 10);     /* stale_load: after one 10-byte movl */
    CHECK_EQ(d.stale[1].va, 0x401000);
    CHECK_EQ(d.stale[1].old_pa, 0x501000);
    CHECK(!d.stale[1].new_present);
    CHECK(!strcmp(d.sym[1], "stale_use"));
    CHECK_EQ(d.stale[1].sym_offset, 62);     /* gone_load (objdump -d paging.elf) */
    emu_mem_stats s;
    emu_machine_mem_stats(d.m, 0, &s);
    CHECK(s.detailed);
    CHECK_EQ(s.stale_uses, 2);
    CHECK_EQ(s.unattributed, 0);
    CHECK_EQ(s.invlpgs, 2);
    CHECK(s.l1d_hits > 0 && s.l1i_hits > 0 && s.mem_cycles > 0);

    run_kernel(&d2, EMU_TIMING_DETAILED);   /* deterministic */
    CHECK_EQ(d2.cycles, d.cycles);
    emu_mem_stats s2;
    emu_machine_mem_stats(d2.m, 0, &s2);
    CHECK(memcmp(&s, &s2, sizeof s) == 0);

    run_kernel(&f, EMU_TIMING_FAST);
    run_kernel(&f2, EMU_TIMING_FAST);
    CHECK_EQ(f.cycles, f2.cycles);
    CHECK(f.cycles < d.cycles);              /* detailed charges the memory system */
    CHECK_EQ(f.nstale, 0);
    emu_machine_mem_stats(f.m, 0, &s);
    CHECK(!s.detailed);
    CHECK_EQ(s.dtlb_misses + s.l1d_hits + s.mem_cycles, 0);
    emu_machine_destroy(d.m);
    emu_machine_destroy(d2.m);
    emu_machine_destroy(f.m);
    emu_machine_destroy(f2.m);
    return unit_done();
}
