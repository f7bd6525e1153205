/* emu/intr.c - delivering exceptions and interrupts through the guest IDT,
 * as an i386 does: IDT limit and gate checks, interrupt and trap gates, the
 * DPL check for software interrupts, a stack switch through the TSS on a
 * privilege change, the error code for the vectors that have one, and the
 * double-fault rules (a fault while delivering a fault).  A fault while
 * delivering a double fault is a triple fault: the machine stops with a
 * crash report instead of resetting.
 *
 * Only 32-bit interrupt and trap gates are supported; a task gate, a 16-bit
 * gate or an exception in real mode stops the machine with a report.
 */
#include <stdio.h>
#include <string.h>

#include "machine_priv.h"

#define EFLAGS_IF 0x200u
#define EFLAGS_TF 0x100u
#define EFLAGS_NT 0x4000u
#define EFLAGS_RF 0x10000u
#define EFLAGS_VM 0x20000u

enum { EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14 };

/* What a delivery attempt ran into: nothing, or a new exception. */
typedef struct fault {
    int vector;          /* -1: delivered */
    uint32_t error;
    uint32_t cr2;        /* for #PF */
    bool fatal;          /* unsupported: stop the machine */
    char why[96];
} fault;

typedef struct frame_req {
    uint8_t vector;
    bool soft;           /* int n: DPL check, no error code */
    bool external;       /* error codes of faults raised while delivering get EXT */
    bool has_error;
    uint32_t error;
    uint32_t ret_eip;
} frame_req;

static bool has_error_code(unsigned v)
{
    return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP ||
           v == EXC_PF || v == 17;
}

static void set_fault(fault *f, int vector, uint32_t error)
{
    f->vector = vector;
    f->error = error;
}

static int fatal(fault *f, const char *why)
{
    f->fatal = true;
    snprintf(f->why, sizeof f->why, "%s", why);
    return -1;
}

/* Reads a descriptor-table entry from guest linear memory; a page fault
 * while doing so becomes f. */
static int read_linear(emu_cpu *c, uint32_t addr, void *buf, size_t len, fault *f)
{
    uint32_t fa, pf;
    int r = emu_virt_read(c, addr, buf, len, EMU_ACC_SET_AD, &fa, &pf);
    if (r == -1) {
        set_fault(f, EXC_PF, pf);
        f->cr2 = fa;
    } else if (r == -2) {
        return fatal(f, "descriptor table outside RAM");
    }
    return r;
}

/* Reads the IDT gate for vector and checks it (limit, type, present, DPL). */
static int read_gate(emu_cpu *c, const frame_req *q, uint32_t cpl, uint32_t gate[2], fault *f)
{
    uc_x86_mmr idtr;
    uint32_t ext = q->external ? 1u : 0u, sel_err = (uint32_t)q->vector * 8 + 2 + ext;
    uc_reg_read(c->uc, UC_X86_REG_IDTR, &idtr);
    if ((uint32_t)q->vector * 8 + 7 > idtr.limit) {
        set_fault(f, EXC_GP, sel_err);
        return -1;
    }
    if (read_linear(c, (uint32_t)idtr.base + q->vector * 8u, gate, 8, f))
        return -1;
    unsigned type = (gate[1] >> 8) & 0x1f, dpl = (gate[1] >> 13) & 3;
    if (type == 0x05)
        return fatal(f, "task gate in the IDT (task switching is not supported)");
    if (type == 0x06 || type == 0x07)
        return fatal(f, "16-bit gate in the IDT (not supported)");
    if (type != 0x0e && type != 0x0f) {
        set_fault(f, EXC_GP, sel_err);
        return -1;
    }
    if (q->soft && cpl > dpl) {
        set_fault(f, EXC_GP, sel_err);
        return -1;
    }
    if (!(gate[1] & 0x8000)) {
        set_fault(f, EXC_NP, sel_err);
        return -1;
    }
    return 0;
}

/* Checks the gate's code segment; returns its DPL (the new CPL) or -1. */
static int check_code_segment(emu_cpu *c, uint16_t sel, uint32_t cpl, bool ext, fault *f)
{
    uc_x86_mmr gdtr;
    uint32_t desc[2], err = (sel & 0xfffcu) | (ext ? 1u : 0u);
    uc_reg_read(c->uc, UC_X86_REG_GDTR, &gdtr);
    if ((sel & 0xfffc) == 0 || (sel & 4) || (uint32_t)(sel | 7) > gdtr.limit) {
        set_fault(f, EXC_GP, err);
        return -1;
    }
    if (read_linear(c, (uint32_t)gdtr.base + (sel & 0xfff8u), desc, 8, f))
        return -1;
    unsigned dpl = (desc[1] >> 13) & 3;
    bool code = (desc[1] & 0x1800) == 0x1800, conforming = desc[1] & 0x400;
    if (!code || dpl > cpl) {
        set_fault(f, EXC_GP, err);
        return -1;
    }
    if (!(desc[1] & 0x8000)) {
        set_fault(f, EXC_NP, err);
        return -1;
    }
    return conforming ? (int)cpl : (int)dpl;
}

/* Reads ss0:esp0 from the current TSS for a switch to ring 0. */
static int tss_stack(emu_cpu *c, uint32_t *ss, uint32_t *esp, fault *f)
{
    uc_x86_mmr tr;
    uc_reg_read(c->uc, UC_X86_REG_TR, &tr);
    if (tr.limit < 11) {
        set_fault(f, EXC_TS, tr.selector & 0xfffc);
        return -1;
    }
    uint32_t buf[2];
    if (read_linear(c, (uint32_t)tr.base + 4, buf, 8, f))
        return -1;
    *esp = buf[0];
    *ss = buf[1] & 0xffff;
    return 0;
}

/* Loads SS for the handler.  Unicorn refuses a ring-0 SS while CPL is 3, so
 * on a privilege change we pass through real mode for one register write
 * (this resets the cached CPL to 0), then load the real selector. */
static void load_ring0_ss(emu_cpu *c, uint32_t ss)
{
    uint32_t cr0 = emu_reg(c, UC_X86_REG_CR0);
    emu_set_reg(c, UC_X86_REG_CR0, cr0 & ~0x80000001u);
    emu_set_reg(c, UC_X86_REG_SS, 0);
    emu_set_reg(c, UC_X86_REG_CR0, cr0);
    emu_set_reg(c, UC_X86_REG_SS, ss);
}

/* Pushes the frame on the handler's stack and enters the handler. */
static int push_and_enter(emu_cpu *c, const frame_req *q, const uint32_t gate[2], uint32_t cpl,
                          uint32_t new_cpl, fault *f)
{
    uint32_t eflags = emu_reg(c, UC_X86_REG_EFLAGS), esp = emu_reg(c, UC_X86_REG_ESP);
    uint32_t cs = emu_reg(c, UC_X86_REG_CS) & 0xffff, ss = emu_reg(c, UC_X86_REG_SS) & 0xffff;
    uint32_t words[6], n = 0, new_ss = ss, new_esp = esp;
    if (new_cpl < cpl) {
        if (tss_stack(c, &new_ss, &new_esp, f))
            return -1;
        words[n++] = ss;
        words[n++] = esp;
    }
    words[n++] = eflags;
    words[n++] = cs;
    words[n++] = q->ret_eip;
    if (q->has_error)
        words[n++] = q->error;
    uint32_t frame[6], fa, pf;
    for (uint32_t i = 0; i < n; i++)
        frame[i] = words[n - 1 - i];      /* lowest address first */
    new_esp -= n * 4;
    int r = emu_virt_write(c, new_esp, frame, n * 4, EMU_ACC_SET_AD, &fa, &pf);
    if (r == -1) {
        set_fault(f, new_cpl < cpl ? EXC_SS : EXC_PF, new_cpl < cpl ? (new_ss & 0xfffc) : pf);
        if (new_cpl == cpl)
            f->cr2 = fa;
        return -1;
    }
    if (r == -2)
        return fatal(f, "exception stack outside RAM");
    if (new_cpl < cpl)
        load_ring0_ss(c, new_ss);
    emu_set_reg(c, UC_X86_REG_ESP, new_esp);
    emu_set_reg(c, UC_X86_REG_CS, gate[0] >> 16);
    uint32_t clear = EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM;
    if (((gate[1] >> 8) & 0x1f) == 0x0e)
        clear |= EFLAGS_IF;
    emu_set_reg(c, UC_X86_REG_EFLAGS, eflags & ~clear);
    emu_set_reg(c, UC_X86_REG_EIP, (gate[0] & 0xffff) | (gate[1] & 0xffff0000u));
    return 0;
}

/* One delivery attempt; on failure f says which exception it raised. */
static int try_deliver(emu_cpu *c, const frame_req *q, fault *f)
{
    uint32_t gate[2];
    f->vector = -1;
    f->fatal = false;
    if (!(emu_reg(c, UC_X86_REG_CR0) & 1))
        return fatal(f, "exception or interrupt in real mode (not supported)");
    uint32_t cpl = emu_reg(c, UC_X86_REG_CS) & 3;
    if (read_gate(c, q, cpl, gate, f))
        return -1;
    int new_cpl = check_code_segment(c, (uint16_t)(gate[0] >> 16), cpl, q->external, f);
    if (new_cpl < 0)
        return -1;
    return push_and_enter(c, q, gate, cpl, (uint32_t)new_cpl, f);
}

/* i386 exception classes for the double-fault rule. */
static int exc_class(int v)
{
    if (v == EXC_PF)
        return 2;
    if (v == 0 || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP)
        return 1;
    return 0;
}

static bool makes_double_fault(int first, int second)
{
    int a = exc_class(first), b = exc_class(second);
    return (a == 1 && b == 1) || (a == 2 && b >= 1);
}

/* Unicorn 2.1.1 also writes CR3 when the host writes CR2: put CR3 back. */
static void set_cr2(emu_cpu *c, uint32_t cr2)
{
    uint32_t cr3 = emu_reg(c, UC_X86_REG_CR3);
    emu_set_reg(c, UC_X86_REG_CR2, cr2);
    emu_set_reg(c, UC_X86_REG_CR3, cr3);
}

static void note_delivery(emu_cpu *c, const frame_req *q)
{
    emu_event ev = { .kind = EMU_EV_EXCEPTION, .cpu = (int)c->index, .cycles = c->cycles };
    ev.u.intr.vector = q->vector;
    ev.u.intr.has_error = q->has_error;
    ev.u.intr.error = q->error;
    ev.u.intr.eip = q->ret_eip;
    ev.u.intr.cr2 = emu_reg(c, UC_X86_REG_CR2);
    emu_emit(c->m, &ev);
    emu_note(c->m, (int)c->index, "vector %u%s err=0x%x eip=0x%08x cr2=0x%08x", q->vector,
             q->soft ? " (int n)" : "", q->error, q->ret_eip, ev.u.intr.cr2);
}

/* The address of the instruction that raised q: a fault's return address,
 * or for int n / int3 / into the instruction just before the return address. */
static uint32_t raising_insn(emu_cpu *c, const frame_req *q)
{
    uint8_t b[2] = { 0, 0 };
    uint32_t fa, pf;
    if (!q->soft)
        return q->ret_eip;
    emu_virt_read(c, q->ret_eip - 2, b, 2, 0, &fa, &pf);
    return b[0] == 0xcd && b[1] == q->vector ? q->ret_eip - 2 : q->ret_eip - 1;
}

/* Stops the machine, marking the instruction that started the chain. */
static void delivery_crash(emu_cpu *c, const frame_req *first, const char *why)
{
    if (!first->external) {
        c->m->crash_has_eip = true;
        c->m->crash_eip = raising_insn(c, first);
    }
    emu_crash(c->m, (int)c->index, "%s", why);
}

/* Delivers q, following the i386 rules when delivery itself faults:
 * benign + anything = handle serially; contributory/page-fault combinations
 * = #DF; a fault while delivering #DF = triple fault (machine stops). */
static void deliver(emu_cpu *c, frame_req q)
{
    const frame_req first = q;
    char why[192];
    fault f;
    for (int attempt = 0; attempt < 4; attempt++) {
        if (try_deliver(c, &q, &f) == 0) {
            if (c->det.tlb) {            /* detailed mode: the gate's entry cost */
                c->cycles += c->m->tcfg.intr_entry;
                c->det.intr_cycles += c->m->tcfg.intr_entry;
            }
            note_delivery(c, &q);
            return;
        }
        if (f.fatal) {
            snprintf(why, sizeof why, "cannot deliver vector %u on CPU %u: %s", q.vector, c->index, f.why);
            delivery_crash(c, &first, why);
            return;
        }
        if (q.vector == EXC_DF) {
            snprintf(why, sizeof why, "triple fault on CPU %u (vector %d, error 0x%x, while "
                     "delivering a double fault; first vector %u)", c->index, f.vector, f.error, first.vector);
            delivery_crash(c, &first, why);
            return;
        }
        emu_note(c->m, (int)c->index, "vector %u: delivery raised vector %d err=0x%x", q.vector,
                 f.vector, f.error);
        if (f.vector == EXC_PF)
            set_cr2(c, f.cr2);
        bool df = makes_double_fault(q.vector, f.vector);
        frame_req next = { .vector = df ? EXC_DF : (uint8_t)f.vector, .external = q.external,
                           .has_error = true, .error = df ? 0 : f.error,
                           /* a fault raised by int n itself returns to the int */
                           .ret_eip = q.soft ? raising_insn(c, &q) : q.ret_eip };
        q = next;
    }
    snprintf(why, sizeof why, "exception delivery loop on CPU %u", c->index);
    delivery_crash(c, &first, why);
}

/* Delivers an exception or int n recorded by the INTR hook.  Faults return
 * to the faulting instruction (Unicorn leaves EIP there); int n returns after
 * it (Unicorn leaves EIP there too). */
void emu_deliver_exception(emu_cpu *c, const emu_pending_exc *e)
{
    frame_req q = { .vector = e->vector, .soft = e->is_int, .ret_eip = e->eip };
    q.has_error = !e->is_int && has_error_code(e->vector);
    q.error = q.has_error ? e->error : 0;
    c->exceptions++;
    deliver(c, q);
}

/* Delivers an external interrupt (LAPIC) at the current EIP. */
void emu_deliver_external(emu_cpu *c, uint8_t vector)
{
    frame_req q = { .vector = vector, .external = true, .ret_eip = emu_reg(c, UC_X86_REG_EIP) };
    c->interrupts++;
    deliver(c, q);
}
