/* tests/unit/test_delivery.c - exception and interrupt delivery through the
 * guest IDT, checked against the i386 rules (Intel SDM vol. 3A, chapter 6)
 * with the test kernel tests/kernels/delivery.S, which records what each
 * handler observed (see the table layout at the top of that file). */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "unit.h"

#define KERNEL PAGELAB_TEST_KERNELS "/delivery.elf"

#define HDR 0x200000u
#define RECS 0x200100u
#define PG_NP 0x220000u
#define PG_RO 0x221000u
#define PG_SUP 0x222000u
#define ESP0 0x248000u
#define USTACK 0x258000u
#define FL 0x8D7u       /* flags each case sets with popfl before faulting */
#define FL_IF 0xAD7u
#define EFLAGS_IF 0x200u

enum {
    L_DE, L_UD, L_GP, L_PFR, L_PFW, L_PFRO, L_INT3N, L_I80N, L_I81N, L_NP, L_NESTED, L_DF,
    L_UI80N, L_UPFR, L_UPFW, L_UI81, L_UI82, L_HLTN, L_TRIPLE, L_I85N, L_I86N, L_COUNT
};

typedef struct rec {
    uint32_t vector, error, has_error, cr2, eip, cs, eflags, esp, ss, handler_esp, handler_eflags,
        index, lapic_count, pad[3];
} rec;

/* Index of each record, in the order the kernel raises them. */
enum {
    R_DE, R_UD, R_GP, R_PFR, R_PFW, R_PFRO, R_INT3, R_I80, R_I81, R_NP, R_NESTED_PF, R_NESTED_84,
    R_DF, R_UI80, R_UPFR, R_UPFW, R_UGP, R_UNP, R_M85, R_M86, R_TIMER, R_COUNT
};

typedef struct ev_log {
    unsigned n;
    struct { uint8_t vector; uint64_t cycles; uint32_t eip; } ev[64];
} ev_log;

static void on_event(void *ctx, const emu_event *ev)
{
    ev_log *l = ctx;
    if (ev->kind != EMU_EV_EXCEPTION || l->n >= 64)
        return;
    l->ev[l->n].vector = ev->u.intr.vector;
    l->ev[l->n].cycles = ev->cycles;
    l->ev[l->n].eip = ev->u.intr.eip;
    l->n++;
}

static uint32_t peek32(emu_machine *m, uint32_t pa)
{
    uint32_t v = 0;
    CHECK_EQ(emu_machine_peek_phys(m, pa, &v, 4), 0);
    return v;
}

/* Cycle count of the first delivery event with this vector, or ~0. */
static uint64_t event_cycles(const ev_log *l, uint8_t vector)
{
    for (unsigned i = 0; i < l->n; i++)
        if (l->ev[i].vector == vector)
            return l->ev[i].cycles;
    return ~0ull;
}

typedef struct run {
    emu_machine *m;
    ev_log log;
    uint32_t lbl[L_COUNT];
    rec r[R_COUNT];
    uint32_t nrec, kesp;
} run;

static void run_kernel(run *x, uint64_t clock_hz, const char *cmdline)
{
    emu_config cfg;
    char err[256];
    emu_config_init(&cfg);
    cfg.kernel_path = KERNEL;
    cfg.ncpus = 1;
    cfg.ram_bytes = 64ull << 20;
    cfg.clock_hz = clock_hz;
    cfg.cmdline = cmdline;
    cfg.max_insns = 10000000;   /* a guard: the kernel needs a few thousand */
    memset(x, 0, sizeof *x);
    emu_callbacks cb = { .ctx = &x->log, .event = on_event };
    x->m = emu_machine_create(&cfg, &cb, err, sizeof err);
    if (!x->m) {
        fprintf(stderr, "create: %s\n", err);
        CHECK(0);
        exit(1);
    }
    emu_machine_run(x->m, 0);
    CHECK_EQ(emu_machine_peek_phys(x->m, HDR + 0x20, x->lbl, sizeof x->lbl), 0);
    x->nrec = peek32(x->m, HDR);
    x->kesp = peek32(x->m, HDR + 8);
    CHECK_EQ(emu_machine_peek_phys(x->m, RECS, x->r, sizeof x->r), 0);
    if (getenv("DELIVERY_DUMP")) {
        for (unsigned i = 0; i < x->nrec && i < R_COUNT; i++) {
            rec *r = &x->r[i];
            fprintf(stderr, "%2u: vec %3u err %#x/%u cr2 %#x eip %#x cs %#x fl %#x esp %#x ss %#x hesp %#x hfl %#x cnt %u\n",
                    i, r->vector, r->error, r->has_error, r->cr2, r->eip, r->cs, r->eflags, r->esp,
                    r->ss, r->handler_esp, r->handler_eflags, r->lapic_count);
        }
        for (unsigned i = 0; i < x->log.n; i++)
            fprintf(stderr, "ev vec %u cycles %llu eip %#x\n", x->log.ev[i].vector,
                    (unsigned long long)x->log.ev[i].cycles, x->log.ev[i].eip);
        const char *rep = emu_machine_crash_report(x->m);
        fprintf(stderr, "%s\n", rep ? rep : "(no report)");
    }
}

/* A ring-0 record: vector, error code, saved CS:EIP/EFLAGS, handler stack
 * right below the kernel's (no stack switch) and IF clear (interrupt gate). */
static void check_ring0(const run *x, unsigned i, uint32_t vector, int error, uint32_t eip,
                        uint32_t eflags)
{
    const rec *r = &x->r[i];
    bool has = error >= 0;
    CHECK_EQ(r->index, i);
    CHECK_EQ(r->vector, vector);
    CHECK_EQ(r->has_error, has ? 1 : 0);
    CHECK_EQ(r->error, has ? (uint32_t)error : 0);
    CHECK_EQ(r->eip, eip);
    CHECK_EQ(r->cs, 0x08);
    CHECK_EQ(r->eflags, eflags);
    CHECK_EQ(r->esp, 0);
    CHECK_EQ(r->ss, 0);
    CHECK_EQ(r->handler_esp, x->kesp - 12 - (has ? 4 : 0));
}

/* A record from ring 3: the CPU switched to ss0:esp0 from the TSS and
 * pushed the user SS:ESP; saved CS is the ring-3 selector. */
static void check_ring3(const run *x, unsigned i, uint32_t vector, int error, uint32_t eip,
                        uint32_t eflags)
{
    const rec *r = &x->r[i];
    bool has = error >= 0;
    CHECK_EQ(r->index, i);
    CHECK_EQ(r->vector, vector);
    CHECK_EQ(r->has_error, has ? 1 : 0);
    CHECK_EQ(r->error, has ? (uint32_t)error : 0);
    CHECK_EQ(r->eip, eip);
    CHECK_EQ(r->cs, 0x1B);
    CHECK_EQ(r->eflags, eflags);
    CHECK_EQ(r->esp, USTACK);
    CHECK_EQ(r->ss, 0x23);
    CHECK_EQ(r->handler_esp, ESP0 - 20 - (has ? 4 : 0));
}

/* Faults, traps, int n, nested delivery and the double fault in ring 0. */
static void test_ring0(run *x)
{
    /* Faults save the faulting instruction's EIP; interrupt gates clear IF. */
    check_ring0(x, R_DE, 0, -1, x->lbl[L_DE], FL);
    check_ring0(x, R_UD, 6, -1, x->lbl[L_UD], FL);
    check_ring0(x, R_GP, 13, 0x100, x->lbl[L_GP], FL);   /* selector 0x103 -> index|TI = 0x100 */
    check_ring0(x, R_PFR, 14, 0, x->lbl[L_PFR], FL);      /* not present, read, supervisor */
    CHECK_EQ(x->r[R_PFR].cr2, PG_NP + 0x10);
    check_ring0(x, R_PFW, 14, 2, x->lbl[L_PFW], FL);      /* not present, write */
    CHECK_EQ(x->r[R_PFW].cr2, PG_NP + 0x20);
    check_ring0(x, R_PFRO, 14, 3, x->lbl[L_PFRO], FL);    /* present, write, WP=1 */
    CHECK_EQ(x->r[R_PFRO].cr2, PG_RO + 0x30);
    for (unsigned i = R_DE; i <= R_PFRO; i++)
        CHECK_EQ(x->r[i].handler_eflags & EFLAGS_IF, 0);
    /* Traps: the saved EIP is the next instruction. */
    check_ring0(x, R_INT3, 3, -1, x->lbl[L_INT3N], FL);
    check_ring0(x, R_I80, 0x80, -1, x->lbl[L_I80N], FL_IF);
    CHECK_EQ(x->r[R_I80].handler_eflags & EFLAGS_IF, EFLAGS_IF);    /* trap gate keeps IF */
    CHECK_EQ(x->r[R_I80].handler_eflags, FL_IF);
    check_ring0(x, R_I81, 0x81, -1, x->lbl[L_I81N], FL_IF);
    CHECK_EQ(x->r[R_I81].handler_eflags, FL);                       /* interrupt gate clears it */
    /* int 0x90 to a not-present gate: #NP(0x90*8+2), a fault on the int. */
    check_ring0(x, R_NP, 11, 0x90 * 8 + 2, x->lbl[L_NP], FL);
    /* Nested: the int 0x84 handler (entered with ESP = kesp-12, then one
     * push) takes a #PF, which is recorded first. */
    const rec *p = &x->r[R_NESTED_PF];
    CHECK_EQ(p->index, R_NESTED_PF);
    CHECK_EQ(p->vector, 14);
    CHECK_EQ(p->has_error, 1);
    CHECK_EQ(p->error, 0);
    CHECK_EQ(p->cr2, PG_NP + 0x40);
    CHECK_EQ(p->eip, x->lbl[L_NESTED]);
    CHECK_EQ(p->cs, 0x08);
    CHECK_EQ(p->eflags, FL);
    CHECK_EQ(p->handler_esp, x->kesp - 12 - 4 - 16);
    check_ring0(x, R_NESTED_84, 0x84, -1, x->r[R_NESTED_84].eip, FL);
    CHECK(x->r[R_NESTED_84].eip > x->lbl[L_NP] && x->r[R_NESTED_84].eip < x->lbl[L_DF]);
    /* Double fault: int 0x90 -> #NP, whose gate is not present -> #NP while
     * delivering #NP (contributory twice) -> #DF with error code 0.  The
     * saved CS:EIP of a #DF are undefined (SDM), so only the frame size. */
    const rec *d = &x->r[R_DF];
    CHECK_EQ(d->index, R_DF);
    CHECK_EQ(d->vector, 8);
    CHECK_EQ(d->has_error, 1);
    CHECK_EQ(d->error, 0);
    CHECK_EQ(d->handler_esp, x->kesp - 16);
    CHECK_EQ(d->handler_eflags & EFLAGS_IF, 0);
}

/* From ring 3: stack switch through the TSS, user SS:ESP pushed. */
static void test_ring3(run *x)
{
    check_ring3(x, R_UI80, 0x80, -1, x->lbl[L_UI80N], FL_IF);
    CHECK_EQ(x->r[R_UI80].handler_eflags, FL_IF);                   /* trap gate */
    check_ring3(x, R_UPFR, 14, 5, x->lbl[L_UPFR], FL_IF);           /* present, read, user */
    CHECK_EQ(x->r[R_UPFR].cr2, PG_SUP + 0x50);
    CHECK_EQ(x->r[R_UPFR].handler_eflags, FL);                      /* interrupt gate */
    check_ring3(x, R_UPFW, 14, 7, x->lbl[L_UPFW], FL_IF);           /* present, write, user */
    CHECK_EQ(x->r[R_UPFW].cr2, PG_SUP + 0x60);
    /* int n to a DPL-0 gate from CPL 3: #GP(n*8+2), a fault on the int
     * instruction itself, so the saved EIP is the int's address. */
    check_ring3(x, R_UGP, 13, 0x81 * 8 + 2, x->lbl[L_UI81], FL_IF);
    /* Not-present DPL-3 gate: the DPL check passes, then #NP(n*8+2). */
    check_ring3(x, R_UNP, 11, 0x82 * 8 + 2, x->lbl[L_UI82], FL_IF);
}

/* The LAPIC one-shot timer: T0 is the cycle count when the initial count
 * was written (the int 0x85 in the same block reports it), the timer counts
 * at 1 GHz, the CPU is halted, so the interrupt is delivered exactly at the
 * first cycle whose time in ns reaches the deadline. */
static void test_timer(run *x, uint64_t hz, uint32_t count)
{
    uint64_t t0 = event_cycles(&x->log, 0x85), t1 = event_cycles(&x->log, 0x86);
    uint64_t tt = event_cycles(&x->log, 0x40);
    CHECK(t0 != ~0ull && t1 != ~0ull && tt != ~0ull);
    CHECK(t0 < t1 && t1 < tt);
    uint64_t ns0 = t0 * 1000000000ull / hz, ns1 = t1 * 1000000000ull / hz;
    uint64_t deadline_ns = ns0 + count;
    uint64_t expect = (deadline_ns * hz + 999999999ull) / 1000000000ull;   /* first cycle at it */
    CHECK_EQ(tt, expect);
    CHECK_EQ(peek32(x->m, HDR + 0x10), deadline_ns - ns1);   /* current count read at t1 */
    check_ring0(x, R_M85, 0x85, -1, x->lbl[L_I85N], x->r[R_M85].eflags);
    check_ring0(x, R_M86, 0x86, -1, x->lbl[L_I86N], x->r[R_M86].eflags);
    const rec *r = &x->r[R_TIMER];
    CHECK_EQ(r->index, R_TIMER);
    CHECK_EQ(r->vector, 0x40);
    CHECK_EQ(r->has_error, 0);
    CHECK_EQ(r->eip, x->lbl[L_HLTN]);        /* interrupted hlt: returns after it */
    CHECK_EQ(r->cs, 0x08);
    CHECK_EQ(r->eflags, FL_IF);
    CHECK_EQ(r->handler_eflags, FL);         /* interrupt gate */
    CHECK_EQ(r->lapic_count, 0);             /* one-shot: expired */
    CHECK_EQ(r->handler_esp, x->kesp - 12);
    emu_cpu_stats s;
    CHECK_EQ(emu_machine_cpu_stats(x->m, 0, &s), 0);
    CHECK_EQ(s.interrupts, 1);
    /* every record but the timer's, plus int 0x83 (back to ring 0, not
     * recorded) and the final int3 that triple-faults */
    CHECK_EQ(s.exceptions, R_COUNT - 1 + 2);
    CHECK(s.idle_cycles > 0 && s.idle_cycles < tt - t1);
}

/* IDT limit 0 and int3: #GP, #GP while delivering it -> #DF, #GP while
 * delivering #DF -> triple fault: the machine stops with a crash report. */
static void test_triple(run *x)
{
    CHECK_EQ(emu_machine_stop_reason(x->m), EMU_STOP_CRASH);
    CHECK_EQ(peek32(x->m, HDR + 4), 1);
    CHECK_EQ(x->nrec, R_COUNT);
    const char *rep = emu_machine_crash_report(x->m);
    CHECK(rep != NULL);
    if (!rep)
        return;
    CHECK(strstr(rep, "triple fault") != NULL);
    char want[64];
    snprintf(want, sizeof want, "=> 0x%08x: ", x->lbl[L_TRIPLE]);
    CHECK(strstr(rep, want) != NULL);
    const char *line = strstr(rep, want);
    CHECK(line && strstr(line, "int3") && strstr(line, "int3") < strchr(line, '\n'));
}

int main(void)
{
    run x;
    run_kernel(&x, 1000000000ull, "timer=20000");
    test_ring0(&x);
    test_ring3(&x);
    test_timer(&x, 1000000000ull, 20000);
    test_triple(&x);
    emu_machine_destroy(x.m);

    /* The timer runs at 1 GHz whatever the CPU clock: at 2.5 GHz and 300 MHz
     * the deadline lands on other cycle counts, computed the same way. */
    run_kernel(&x, 2500000000ull, "timer=12345");
    test_timer(&x, 2500000000ull, 12345);
    test_triple(&x);
    emu_machine_destroy(x.m);
    run_kernel(&x, 300000000ull, "timer=7777");
    test_timer(&x, 300000000ull, 7777);
    test_ring0(&x);
    test_ring3(&x);
    test_triple(&x);
    emu_machine_destroy(x.m);
    return unit_done();
}
