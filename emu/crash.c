/* emu/crash.c - the report printed when the machine cannot go on (triple
 * fault, emulator failure, deadlock, write to ROM): the reason, the state of
 * every CPU, the registers of the CPU concerned, its code around EIP
 * disassembled with Capstone, and the last events the machine noted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "machine_priv.h"

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return;
        b->p = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char *state_name(enum emu_cpu_state s)
{
    static const char *const n[] = { "waiting for INIT", "waiting for STARTUP", "running", "halted" };
    return (unsigned)s < 4 ? n[s] : "?";
}

static void print_regs(sbuf *b, const emu_cpu *c)
{
    emu_regs r;
    emu_cpu_read_regs(c, &r);
    sb_printf(b, "CPU %u registers (cycle %llu, %llu instructions):\n", c->index,
              (unsigned long long)c->cycles, (unsigned long long)c->insns);
    sb_printf(b, "  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", r.eax, r.ebx, r.ecx, r.edx);
    sb_printf(b, "  esi=%08x edi=%08x ebp=%08x esp=%08x\n", r.esi, r.edi, r.ebp, r.esp);
    sb_printf(b, "  eip=%08x eflags=%08x cs=%04x ss=%04x ds=%04x es=%04x fs=%04x gs=%04x\n", r.eip,
              r.eflags, r.cs, r.ss, r.ds, r.es, r.fs, r.gs);
    sb_printf(b, "  cr0=%08x cr2=%08x cr3=%08x cr4=%08x\n", r.cr0, r.cr2, r.cr3, r.cr4);
}

/* Finds where to start disassembling so that decoding lands exactly on eip:
 * the earliest of up to 24 bytes before it that does. */
static uint32_t resync_start(const uint8_t *code, uint32_t base, uint32_t eip)
{
    for (uint32_t start = base; start < eip; start++) {
        uint32_t pc = start;
        char tmp[128];
        while (pc < eip) {
            int n = emu_disasm_one(code + (pc - base), eip + 16 - pc, pc, tmp, sizeof tmp);
            if (n <= 0)
                break;
            pc += (uint32_t)n;
        }
        if (pc == eip)
            return start;
    }
    return eip;
}

/* Disassembles the code around EIP, marking the instruction at EIP. */
static void print_code(sbuf *b, emu_cpu *c)
{
    uint32_t eip = emu_reg(c, UC_X86_REG_EIP), base = eip >= 24 ? eip - 24 : 0, fa, pf;
    uint8_t code[64];
    size_t have = 0;
    while (have < sizeof code && emu_virt_read(c, base + (uint32_t)have, code + have, 1, 0, &fa, &pf) == 0)
        have++;
    if (have <= eip - base) {
        sb_printf(b, "Code at EIP 0x%08x: not readable (not mapped or not RAM)\n", eip);
        return;
    }
    sb_printf(b, "Code around EIP (Intel syntax):\n");
    uint32_t pc = resync_start(code, base, eip);
    for (int i = 0; i < 12 && pc - base < have; i++) {
        char line[160];
        int n = emu_disasm_one(code + (pc - base), have - (pc - base), pc, line, sizeof line);
        sb_printf(b, "  %s %s\n", pc == eip ? "=>" : "  ", n > 0 ? line : "(undecodable)");
        pc += n > 0 ? (uint32_t)n : 1;
    }
}

char *emu_crash_build(emu_machine *m, int cpu, const char *why)
{
    sbuf b = { 0 };
    sb_printf(&b, "pagelab: machine stopped: %s\n", why);
    for (unsigned i = 0; i < m->ncpus; i++)
        sb_printf(&b, "  cpu%u: %s, eip=%08x, cycle %llu\n", i, state_name(m->cpu[i].state),
                  emu_reg(&m->cpu[i], UC_X86_REG_EIP), (unsigned long long)m->cpu[i].cycles);
    if (cpu >= 0) {
        print_regs(&b, &m->cpu[cpu]);
        print_code(&b, &m->cpu[cpu]);
    }
    sb_printf(&b, "Last events (oldest first):\n");
    for (unsigned i = 0; i < EMU_RECENT_EVENTS; i++) {
        const char *e = m->recent[(m->recent_next + i) % EMU_RECENT_EVENTS];
        if (e[0])
            sb_printf(&b, "  %s\n", e);
    }
    return b.p;
}
