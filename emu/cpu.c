/* emu/cpu.c - one Unicorn engine per CPU: creation, the hooks that drive
 * time and catch exceptions, and running one CPU for a slice of its quantum.
 *
 * Exceptions are never delivered from inside a Unicorn hook: the INTR hook
 * records what happened and stops the engine; emu_cpu_run_slice delivers it
 * through the guest IDT (intr.c) between uc_emu_start calls, as it does for
 * external interrupts.  See ../shared/notes/unicorn.md for why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lapic.h"
#include "machine_priv.h"
#include "timing.h"

#define EFLAGS_IF 0x200u

uint32_t emu_reg(const emu_cpu *c, int regid)
{
    uint32_t v = 0;
    uc_reg_read(c->uc, regid, &v);
    return v;
}

void emu_set_reg(emu_cpu *c, int regid, uint32_t v)
{
    uc_reg_write(c->uc, regid, &v);
}

/* ---- context-blob calibration ---------------------------------------------
 * Unicorn does not expose the error code of an exception, nor whether it came
 * from an `int n`.  Both live in the CPU state that uc_context_save copies.
 * We find them relative to the debug registers: write two markers to DR0/DR1,
 * save, search the blob; then check the result by raising a #GP with a known
 * error code and an `int n` in a scratch engine.  A Unicorn whose layout
 * differs fails here, loudly, instead of delivering wrong error codes. */

static const uint8_t calib_code[] = {
    0x66, 0xb8, 0x34, 0x12,   /* mov ax, 0x1234 */
    0x8e, 0xd8,               /* mov ds, ax      -> #GP(0x1234), GDT limit 0 */
    0xcd, 0x33,               /* int 0x33        -> software interrupt */
};

typedef struct calib_state {
    emu_machine *m;
    uc_context *ctx;
    int seen;
    uint32_t err[2], is_int[2], vec[2];
} calib_state;

static uint32_t blob_u32(const uc_context *ctx, size_t off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)ctx + off, 4);
    return v;
}

static void blob_set_u32(uc_context *ctx, size_t off, uint32_t v)
{
    memcpy((uint8_t *)ctx + off, &v, 4);
}

static void calib_intr(uc_engine *uc, uint32_t intno, void *ud)
{
    calib_state *s = ud;
    uc_context_save(uc, s->ctx);
    if (s->seen < 2) {
        s->vec[s->seen] = intno;
        s->err[s->seen] = blob_u32(s->ctx, s->m->off_error);
        s->is_int[s->seen] = blob_u32(s->ctx, s->m->off_is_int);
    }
    s->seen++;
    blob_set_u32(s->ctx, s->m->off_old_exc, 0xffffffffu);
    uc_context_restore(uc, s->ctx);
    if (intno == 13) {   /* skip the faulting mov */
        uint32_t eip;
        uc_reg_read(uc, UC_X86_REG_EIP, &eip);
        eip += 2;
        uc_reg_write(uc, UC_X86_REG_EIP, &eip);
    } else {
        uc_emu_stop(uc);
    }
}

/* Finds the DR0 marker; returns its offset or 0. */
static size_t find_marker(uc_engine *uc, uc_context *ctx, size_t size)
{
    uint32_t m0 = 0xA5C3E1F0u, m1 = 0x5A3C1E0Fu;
    uc_reg_write(uc, UC_X86_REG_DR0, &m0);
    uc_reg_write(uc, UC_X86_REG_DR1, &m1);
    uc_context_save(uc, ctx);
    for (size_t off = 16; off + 12 <= size; off += 4)
        if (blob_u32(ctx, off) == m0 && blob_u32(ctx, off + 8) == m1)
            return off;
    return 0;
}

int emu_cpu_calibrate(emu_machine *m, char *err, size_t errlen)
{
    uc_engine *uc = NULL;
    uc_context *ctx = NULL;
    uc_hook h;
    uint8_t *page = calloc(1, EMU_PAGE_SIZE);
    int rc = -1;
    if (!page || uc_open(UC_ARCH_X86, UC_MODE_32, &uc) || uc_context_alloc(uc, &ctx))
        goto out;
    m->ctx_size = uc_context_size(uc);
    size_t dr0 = find_marker(uc, ctx, m->ctx_size);
    if (dr0 < 16 || dr0 + 100 > m->ctx_size)
        goto out;
    m->off_error = dr0 - 16;
    m->off_is_int = dr0 - 12;
    m->off_old_exc = dr0 + 96;
    memcpy(page, calib_code, sizeof calib_code);
    calib_state s = { .m = m, .ctx = ctx };
    uc_mem_map_ptr(uc, 0x1000, EMU_PAGE_SIZE, UC_PROT_ALL, page);
    uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)calib_intr, &s, 1, 0);
    uc_emu_start(uc, 0x1000, 0x1000 + sizeof calib_code, 0, 16);
    if (s.seen == 2 && s.vec[0] == 13 && s.err[0] == 0x1234 && s.is_int[0] == 0 &&
        s.vec[1] == 0x33 && s.is_int[1] == 1)
        rc = 0;
out:
    if (rc)
        snprintf(err, errlen, "Unicorn's CPU state layout is not the one pagelab knows "
                 "(calibration of the exception error-code field failed); use Unicorn 2.1.1");
    if (ctx)
        uc_context_free(ctx);
    if (uc)
        uc_close(uc);
    free(page);
    return rc;
}

/* ---- hooks ------------------------------------------------------------------- */

/* Fetches the bytes of a block at vaddr for the timing model's decoder. */
static const emu_block_cost *block_cost_miss(emu_cpu *c, uint32_t vaddr, uint32_t size)
{
    uint8_t buf[4096];
    uint32_t fa, pf;
    if (size > sizeof buf)
        size = sizeof buf;
    if (emu_virt_read(c, vaddr, buf, size, 0, &fa, &pf) < 0)
        return emu_timing_insert(c->m->timing, vaddr, size, NULL);
    return emu_timing_insert(c->m->timing, vaddr, size, buf);
}

/* Pause-loop exits, as hardware virtualization has them.  CPUs run one at
 * a time here, so a CPU spinning on a lock whose holder's turn has ended
 * would spin for the rest of its own turn: instructions no real machine
 * executes, since there the holder runs meanwhile.  A CPU that runs
 * EMU_PLE_COUNT blocks containing `pause` in a row, each within EMU_PLE_GAP
 * cycles of the last, gives up the rest of its turn instead: its clock
 * jumps to the end of its slice (simulated time still passes, as if it had
 * spun) and the block does not run.  Blocks with `pause` are never put in
 * the cost cache, so this costs the hot path nothing.  Returns the cost to
 * charge (none when the turn ends). */
static const emu_cost_l0 *pause_block(emu_cpu *c, const emu_block_cost *bc)
{
    if (c->cycles - c->ple_last > EMU_PLE_GAP)
        c->ple_run = 0;
    c->ple_last = c->cycles;
    c->pause_cost = (emu_cost_l0){ .insns = bc->insns, .cycles = bc->cycles };
    if (++c->ple_run < EMU_PLE_COUNT || c->single_step || c->cycles >= c->slice_end)
        return &c->pause_cost;
    c->ple_run = 0;
    c->ple_exits++;
    c->ple_cycles += c->slice_end - c->cycles;
    c->cycles = c->slice_end;
    c->stop_requested = true;
    uc_emu_stop(c->uc);
    c->pause_cost = (emu_cost_l0){ .key = 0 };
    return &c->pause_cost;
}

/* A miss in the CPU's cost cache: the timing model's table, or a decode;
 * fills the cache entry e.  Out of line so the hot path stays small. */
static __attribute__((noinline)) const emu_cost_l0 *block_cost_fill(emu_cpu *c, emu_cost_l0 *e, uint32_t addr,
                                                                    uint32_t size, uint64_t key)
{
    const emu_block_cost *bc = emu_timing_lookup(c->m->timing, addr, size);
    if (!bc)
        bc = block_cost_miss(c, addr, size);
    if (__builtin_expect(bc->flags & c->nocache_flags, 0)) {
        if (bc->flags & EMU_BLOCK_PAUSE)
            return pause_block(c, bc);
        c->det.next_op = *bc;            /* detailed mode: an MMU operation, see hook_block_detailed */
        c->pause_cost = (emu_cost_l0){ .insns = bc->insns, .cycles = bc->cycles };
        return &c->pause_cost;
    }
    *e = (emu_cost_l0){ .key = key, .insns = bc->insns, .cycles = bc->cycles };
    return e;
}

/* The cost of the block at addr: the CPU's direct-mapped cache, then the
 * timing model's table, then a decode (which fills both). */
static inline const emu_cost_l0 *block_cost(emu_cpu *c, uint32_t addr, uint32_t size)
{
    emu_cost_l0 *e = &c->cost_l0[(addr ^ (addr >> 8)) & (EMU_COST_L0_SIZE - 1)];
    uint64_t key = (uint64_t)size << 32 | addr;
    if (__builtin_expect(e->key == key, 1))   /* an empty entry (key 0, cost 0) is right for the */
        return e;                             /* only block with key 0: address 0, size 0 */
    return block_cost_fill(c, e, addr, size, key);
}

void emu_cost_flush(emu_machine *m)
{
    emu_timing_flush(m->timing);
    emu_det_decode_flush(m);
    for (unsigned i = 0; i < m->ncpus; i++)
        memset(m->cpu[i].cost_l0, 0, sizeof m->cpu[i].cost_l0);
}

/* Guest instructions executed by all CPUs (for the instruction limit). */
static uint64_t total_insns(const emu_machine *m)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < m->ncpus; i++)
        n += m->cpu[i].insns;
    return n;
}

/* The rare cases of hook_block: the end of the CPU's turn, a stop request,
 * the instruction limit, single-stepping (the last three set quantum_end to
 * 0 so that every block comes here). */
static __attribute__((noinline)) void hook_block_slow(uc_engine *uc, emu_cpu *c, uint32_t addr, uint32_t size)
{
    emu_machine *m = c->m;
    if (m->cfg.max_insns && total_insns(m) >= m->cfg.max_insns)
        emu_request_stop(m, EMU_STOP_LIMIT);
    if (!c->single_step && (c->cycles >= c->slice_end || m->stop != EMU_STOP_NONE)) {
        c->stop_requested = true;
        uc_emu_stop(uc);
        return;
    }
    const emu_cost_l0 *bc = block_cost(c, addr, size);
    uint32_t insns = bc->insns, cycles = bc->cycles;
    if (c->single_step) {
        cycles = insns ? (cycles + insns - 1) / insns : cycles;
        insns = 1;
    }
    c->cycles += cycles;
    c->insns += insns;
}

/* Before every translated block: charge its cost, or stop at the end of the
 * quantum (the block does not run).  The common case is one compare, one
 * probe of the CPU's cost cache and two additions. */
static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
    emu_cpu *c = ud;
    if (__builtin_expect(c->cycles >= c->quantum_end, 0)) {
        hook_block_slow(uc, c, (uint32_t)addr, size);
        return;
    }
    const emu_cost_l0 *bc = block_cost(c, (uint32_t)addr, size);
    c->cycles += bc->cycles;
    c->insns += bc->insns;
}

/* Detailed mode's block hook: first the MMU operation the previous block
 * ended with, then hook_block's work, then the fetch of the block's code
 * through the ITLB and L1I.  A block that will not run (end of the turn,
 * pause-loop exit) is charged nothing. */
static void hook_block_detailed(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
    emu_cpu *c = ud;
    if (__builtin_expect(c->det.pending != 0, 0))
        emu_det_apply_pending(c);
    if (__builtin_expect(c->cycles >= c->quantum_end, 0)) {
        hook_block_slow(uc, c, (uint32_t)addr, size);
    } else {
        const emu_cost_l0 *bc = block_cost(c, (uint32_t)addr, size);
        c->cycles += bc->cycles;
        c->insns += bc->insns;
    }
    if (__builtin_expect(c->stop_requested, 0)) {
        c->det.next_op.flags = 0;
        return;
    }
    if (__builtin_expect(c->det.next_op.flags != 0, 0)) {
        c->det.pending = c->det.next_op.flags & EMU_BLOCK_MMU_OPS;
        c->det.pending_op = c->det.next_op;
        c->det.next_op.flags = 0;
    }
    uint32_t cy = emu_det_fetch(c, &c->det.fetch, (uint32_t)addr, size);
    c->cycles += cy;
    c->det.mem_cycles += cy;
}

/* Detailed mode: every guest load and store.  Unicorn's memory hooks give
 * the physical address (detailed.c finds the virtual one when it must). */
static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *ud)
{
    emu_cpu *c = ud;
    (void)uc;
    uint32_t cy = emu_det_data(c, &c->det.data, c->det.frames, (uint32_t)addr, (uint32_t)size,
                               type == UC_MEM_WRITE, (uint32_t)value);
    c->cycles += cy;
    c->det.mem_cycles += cy;
}

/* An exception or `int n`: remember it (with the real error code), keep
 * QEMU from escalating the next one on its own, and stop. */
static void hook_intr(uc_engine *uc, uint32_t intno, void *ud)
{
    emu_cpu *c = ud;
    emu_machine *m = c->m;
    uc_context_save(uc, c->ctx);
    if (!c->exc.valid) {
        c->exc.valid = true;
        c->exc.vector = (uint8_t)intno;
        c->exc.error = blob_u32(c->ctx, m->off_error);
        c->exc.is_int = blob_u32(c->ctx, m->off_is_int) != 0;
        c->exc.eip = emu_reg(c, UC_X86_REG_EIP);
    }
    blob_set_u32(c->ctx, m->off_old_exc, 0xffffffffu);
    uc_context_restore(uc, c->ctx);
    uc_emu_stop(uc);
}

/* Invalid opcodes become #UD through the INTR hook. */
static bool hook_invalid(uc_engine *uc, void *ud)
{
    (void)uc;
    (void)ud;
    return true;
}

/* CPUID: a deterministic Pentium Pro-class identity; leaf 1 carries this
 * CPU's initial APIC ID (EBX[31:24]). */
static int hook_cpuid(uc_engine *uc, void *ud)
{
    emu_cpu *c = ud;
    uint32_t leaf = emu_reg(c, UC_X86_REG_EAX), a = 0, b = 0, cc = 0, d = 0;
    if (leaf == 0) {
        a = 1;
        b = 0x756e6547;   /* "GenuineIntel" */
        d = 0x49656e69;
        cc = 0x6c65746e;
    } else if (leaf == 1) {
        a = 0x00000611;                       /* family 6, model 1, stepping 1 */
        b = (uint32_t)c->index << 24 | (1u << 16);
        /* FPU PSE TSC MSR CX8 APIC PGE CMOV */
        d = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 9) |
            (1u << 13) | (1u << 15);
    }
    uc_reg_write(uc, UC_X86_REG_EAX, &a);
    uc_reg_write(uc, UC_X86_REG_EBX, &b);
    uc_reg_write(uc, UC_X86_REG_ECX, &cc);
    uc_reg_write(uc, UC_X86_REG_EDX, &d);
    return 1;
}

/* Writes to the boot ROM are a guest bug: report and stop. */
static bool hook_rom_write(uc_engine *uc, uc_mem_type t, uint64_t addr, int size, int64_t v, void *ud)
{
    emu_cpu *c = ud;
    (void)uc;
    (void)t;
    (void)v;
    emu_crash(c->m, (int)c->index, "write of %d bytes to the boot ROM at physical 0x%llx", size,
              (unsigned long long)addr);
    return false;
}

int emu_cpu_init(emu_machine *m, emu_cpu *c, char *err, size_t errlen)
{
    uc_hook h;
    c->m = m;
    c->slow = m->cfg.max_insns != 0;
    bool detailed = c->det.tlb != NULL;
    c->nocache_flags = EMU_BLOCK_PAUSE | (detailed ? EMU_BLOCK_MMU_OPS : 0);
    if (uc_open(UC_ARCH_X86, UC_MODE_32, &c->uc) || uc_ctl_set_tcg_buffer_size(c->uc, 64u << 20) ||
        uc_context_alloc(c->uc, &c->ctx) ||
        emu_ram_map_cpu(m, c)) {
        snprintf(err, errlen, "cannot create the Unicorn engine of CPU %u", c->index);
        return -1;
    }
    uc_err e = uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, detailed ? (void *)hook_block_detailed : (void *)hook_block,
                           c, 1, 0);
    if (!e && detailed)
        e = uc_hook_add(c->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)hook_mem, c, 1, 0);
    if (!e)
        e = uc_hook_add(c->uc, &h, UC_HOOK_INTR, (void *)hook_intr, c, 1, 0);
    if (!e)
        e = uc_hook_add(c->uc, &h, UC_HOOK_INSN_INVALID, (void *)hook_invalid, c, 1, 0);
    if (!e)
        e = uc_hook_add(c->uc, &h, UC_HOOK_INSN, (void *)hook_cpuid, c, 1, 0, UC_X86_INS_CPUID);
    if (!e)
        e = uc_hook_add(c->uc, &h, UC_HOOK_MEM_WRITE_PROT, (void *)hook_rom_write, c, 1, 0);
    if (e) {
        snprintf(err, errlen, "cannot install Unicorn hooks on CPU %u: %s", c->index, uc_strerror(e));
        return -1;
    }
    return emu_uc_bus_attach(c, err, errlen);
}

void emu_cpu_fini(emu_cpu *c)
{
    if (c->ctx)
        uc_context_free(c->ctx);
    if (c->uc)
        uc_close(c->uc);
    c->ctx = NULL;
    c->uc = NULL;
}

/* Puts an AP where a STARTUP IPI leaves it: real mode at vector:0000. */
void emu_cpu_enter_real_mode(emu_cpu *c, uint8_t vector)
{
    uc_x86_mmr tbl = { .base = 0, .limit = 0xffff };
    emu_set_reg(c, UC_X86_REG_CR0, 0x10);
    emu_set_reg(c, UC_X86_REG_CR4, 0);
    emu_set_reg(c, UC_X86_REG_CR3, 0);
    uc_reg_write(c->uc, UC_X86_REG_GDTR, &tbl);
    uc_reg_write(c->uc, UC_X86_REG_IDTR, &tbl);
    static const int segs[] = { UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS, UC_X86_REG_SS };
    for (unsigned i = 0; i < sizeof segs / sizeof segs[0]; i++)
        emu_set_reg(c, segs[i], 0);
    emu_set_reg(c, UC_X86_REG_CS, (uint32_t)vector << 8);
    static const int gprs[] = { UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX,
                                UC_X86_REG_ESI, UC_X86_REG_EDI, UC_X86_REG_EBP, UC_X86_REG_ESP };
    for (unsigned i = 0; i < sizeof gprs / sizeof gprs[0]; i++)
        emu_set_reg(c, gprs[i], 0);
    emu_set_reg(c, UC_X86_REG_EFLAGS, 0x2);
    emu_set_reg(c, UC_X86_REG_EIP, 0);
    if (c->insns) {              /* code written since this CPU last ran it may be stale */
        uc_ctl_flush_tb(c->uc);
        emu_cost_flush(c->m);
    }
    uc_ctl_flush_tlb(c->uc);
    emu_det_cpu_reset(c);
}

/* ---- running -------------------------------------------------------------------- */

/* Takes the highest-priority LAPIC interrupt if EFLAGS.IF allows it. */
static void take_interrupt(emu_cpu *c)
{
    if (!(emu_reg(c, UC_X86_REG_EFLAGS) & EFLAGS_IF))
        return;
    int v = emu_lapic_pending(c->lapic);
    if (v < 0)
        return;
    emu_lapic_ack(c->lapic, (uint8_t)v);
    emu_deliver_external(c, (uint8_t)v);
}

/* After uc_emu_start returned on its own: a hlt, or something unexpected. */
static void stopped_by_itself(emu_cpu *c)
{
    uint32_t eip = emu_reg(c, UC_X86_REG_EIP), fa, pf;
    uint8_t prev = 0;
    if (eip && emu_virt_read(c, eip - 1, &prev, 1, 0, &fa, &pf) == 0 && prev == 0xf4) {
        c->state = EMU_CPU_HALTED;
        return;
    }
    if (c->m->stop != EMU_STOP_NONE)
        return;
    emu_crash(c->m, (int)c->index, "CPU %u stopped unexpectedly at EIP 0x%08x%s", c->index, eip,
              eip == 0 ? " (a jump or call to address 0)" : "");
}

void emu_cpu_run_slice(emu_cpu *c)
{
    emu_machine *m = c->m;
    while (c->state == EMU_CPU_RUNNING && m->stop == EMU_STOP_NONE &&
           (c->single_step || c->cycles < c->slice_end)) {
        take_interrupt(c);
        c->stop_requested = false;
        uc_err e = uc_emu_start(c->uc, emu_reg(c, UC_X86_REG_EIP), 0, 0, c->single_step ? 1 : 0);
        if (c->det.pending) {             /* the block with the MMU operation completed, unless it faulted */
            if (c->exc.valid)
                c->det.pending = 0;
            else
                emu_det_apply_pending(c);
        }
        if (e != UC_ERR_OK) {
            if (m->stop == EMU_STOP_NONE)
                emu_crash(m, (int)c->index, "emulator error on CPU %u: %s", c->index, uc_strerror(e));
            return;
        }
        if (c->exc.valid) {
            emu_pending_exc x = c->exc;
            c->exc.valid = false;
            emu_deliver_exception(c, &x);
        } else if (!c->stop_requested && !c->single_step) {
            /* also when a stop (exit, pause) was requested in a block that
             * ended with hlt: the CPU did halt */
            stopped_by_itself(c);
        }
        if (c->single_step)
            return;
    }
}

void emu_cpu_read_regs(const emu_cpu *c, emu_regs *r)
{
    r->eax = emu_reg(c, UC_X86_REG_EAX);
    r->ebx = emu_reg(c, UC_X86_REG_EBX);
    r->ecx = emu_reg(c, UC_X86_REG_ECX);
    r->edx = emu_reg(c, UC_X86_REG_EDX);
    r->esi = emu_reg(c, UC_X86_REG_ESI);
    r->edi = emu_reg(c, UC_X86_REG_EDI);
    r->ebp = emu_reg(c, UC_X86_REG_EBP);
    r->esp = emu_reg(c, UC_X86_REG_ESP);
    r->eip = emu_reg(c, UC_X86_REG_EIP);
    r->eflags = emu_reg(c, UC_X86_REG_EFLAGS);
    r->cr0 = emu_reg(c, UC_X86_REG_CR0);
    r->cr2 = emu_reg(c, UC_X86_REG_CR2);
    r->cr3 = emu_reg(c, UC_X86_REG_CR3);
    r->cr4 = emu_reg(c, UC_X86_REG_CR4);
    r->cs = (uint16_t)emu_reg(c, UC_X86_REG_CS);
    r->ds = (uint16_t)emu_reg(c, UC_X86_REG_DS);
    r->es = (uint16_t)emu_reg(c, UC_X86_REG_ES);
    r->fs = (uint16_t)emu_reg(c, UC_X86_REG_FS);
    r->gs = (uint16_t)emu_reg(c, UC_X86_REG_GS);
    r->ss = (uint16_t)emu_reg(c, UC_X86_REG_SS);
}
