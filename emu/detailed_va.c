/* emu/detailed_va.c - the virtual address behind a data access.
 *
 * Unicorn 2.1's memory hooks report physical addresses, but TLBs are
 * indexed by virtual ones.  EIP is exact inside the hook, so the access
 * came from the instruction there: its explicit memory operand (decoded
 * once per EIP with Capstone and cached), or an implicit stack or string
 * access (ESP, ESI, EDI).  Each candidate is checked by walking the current
 * page tables: the first that leads to the reported physical page is the
 * address used.  When none does, a candidate the CPU's model TLB still
 * translates to that page is a stale translation really in use.  Last, the
 * kernel's direct map (descriptor-table reads, %fs-relative per-CPU data).
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "machine_priv.h"
#include "timing.h"
#include "tlb_model.h"

#define DEC_SLOTS 4096u              /* direct-mapped by EIP */
#define KERNEL_DIRECT_MAP 0xC0000000u  /* the pagelab kernel's PAGE_OFFSET */

/* One decoded instruction: its explicit memory operand, if usable. */
typedef struct dec_entry {
    uint32_t eip;
    bool valid;
    bool has_mem;                    /* an explicit operand without a segment override */
    uint8_t base, index, scale;      /* 0 none, 1..8 eax..edi */
    int32_t disp;
} dec_entry;

struct emu_det_decode {
    csh cs;
    cs_insn *insn;
    dec_entry slot[DEC_SLOTS];
};

int emu_det_decode_init(emu_machine *m)
{
    struct emu_det_decode *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &d->cs) != CS_ERR_OK) {
        free(d);
        return -1;
    }
    cs_option(d->cs, CS_OPT_DETAIL, CS_OPT_ON);
    d->insn = cs_malloc(d->cs);
    m->decode = d;
    return d->insn ? 0 : -1;
}

void emu_det_decode_fini(emu_machine *m)
{
    struct emu_det_decode *d = m->decode;
    if (!d)
        return;
    if (d->insn)
        cs_free(d->insn, 1);
    cs_close(&d->cs);
    free(d);
    m->decode = NULL;
}

void emu_det_decode_flush(emu_machine *m)
{
    if (m->decode)
        memset(m->decode->slot, 0, sizeof m->decode->slot);
}

/* Decodes the instruction at eip into e (has_mem false when unreadable). */
static void decode(emu_cpu *c, struct emu_det_decode *d, uint32_t eip, dec_entry *e)
{
    uint8_t buf[16];
    uint32_t fa, pf;
    *e = (dec_entry){ .eip = eip, .valid = true };
    if (emu_virt_read(c, eip, buf, sizeof buf, 0, &fa, &pf) < 0)
        return;
    const uint8_t *p = buf;
    size_t n = sizeof buf;
    uint64_t a = eip;
    if (!cs_disasm_iter(d->cs, &p, &n, &a, d->insn) || d->insn->id == X86_INS_LEA)
        return;
    const cs_x86 *x = &d->insn->detail->x86;
    for (unsigned i = 0; i < x->op_count; i++) {
        const cs_x86_op *o = &x->operands[i];
        if (o->type != X86_OP_MEM)
            continue;
        if (o->mem.segment == X86_REG_FS || o->mem.segment == X86_REG_GS)
            return;                  /* segment base unknown here: the direct map decides */
        *e = (dec_entry){ .eip = eip, .valid = true, .has_mem = true, .base = emu_x86_gpr_number(o->mem.base),
                          .index = emu_x86_gpr_number(o->mem.index), .scale = (uint8_t)o->mem.scale,
                          .disp = (int32_t)o->mem.disp };
        return;
    }
}

uint32_t emu_det_gpr(emu_cpu *c, unsigned n)
{
    static const int regs[] = { UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                                UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI };
    return n >= 1 && n <= 8 ? emu_reg(c, regs[n - 1]) : 0;
}

/* Fills cand[] with the candidate virtual addresses; returns how many. */
static unsigned candidates(emu_cpu *c, uint32_t cand[6])
{
    struct emu_det_decode *d = c->m->decode;
    unsigned n = 0;
    uint32_t eip = emu_reg(c, UC_X86_REG_EIP);
    dec_entry *e = &d->slot[(eip ^ (eip >> 12)) & (DEC_SLOTS - 1)];
    if (!e->valid || e->eip != eip)
        decode(c, d, eip, e);
    if (e->has_mem)
        cand[n++] = (uint32_t)e->disp + emu_det_gpr(c, e->base) + emu_det_gpr(c, e->index) * e->scale;
    uint32_t esp = emu_reg(c, UC_X86_REG_ESP);
    cand[n++] = esp;
    cand[n++] = esp - 4;
    cand[n++] = emu_reg(c, UC_X86_REG_ESI);
    cand[n++] = emu_reg(c, UC_X86_REG_EDI);
    return n;
}

/* True when the current page tables map va's page to pa's. */
static bool maps_to(emu_machine *m, const emu_det_cpu *d, uint32_t va, uint32_t pa)
{
    uint64_t got;
    uint32_t err;
    return emu_mmu_translate(m, d->cr0, d->cr3, d->cr4, va, 0, &got, &err) == 0 &&
           (got >> 12) == (pa >> 12);
}

int emu_det_resolve_va(emu_cpu *c, uint32_t pa, uint32_t *va, bool *stale)
{
    emu_machine *m = c->m;
    emu_det_cpu *d = &c->det;
    uint32_t cand[6];
    unsigned n = candidates(c, cand);
    *stale = false;
    for (unsigned i = 0; i < n; i++) {
        uint32_t v = (cand[i] & ~0xfffu) | (pa & 0xfffu);
        if (maps_to(m, d, v, pa)) {
            *va = v;
            return 0;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        emu_tlb_entry e;
        uint32_t v = (cand[i] & ~0xfffu) | (pa & 0xfffu);
        if (!emu_tlb_probe(d->tlb, v, EMU_TLB_DATA, &e))
            continue;
        uint32_t mask = e.large ? 0xffc00000u : 0xfffff000u;
        if (((e.pte & mask) | (v & ~mask)) >> 12 == pa >> 12) {
            *va = v;
            *stale = true;
            return 0;
        }
    }
    uint32_t v = pa + KERNEL_DIRECT_MAP;
    if (pa < KERNEL_DIRECT_MAP && maps_to(m, d, v, pa)) {
        *va = v;
        return 0;
    }
    return -1;
}
