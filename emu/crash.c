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

/* Finds where to start disassembling so that decoding lands exactly on
 * mark, when no symbol tells us where the function starts: the earliest of
 * up to 24 bytes before it that does. */
static uint32_t resync_start(const uint8_t *code, uint32_t base, uint32_t mark, uint32_t have)
{
    for (uint32_t start = base; start < mark; start++) {
        uint32_t pc = start;
        char tmp[128];
        while (pc < mark) {
            int n = emu_disasm_one(code + (pc - base), have - (pc - base), pc, tmp, sizeof tmp);
            if (n <= 0)
                break;
            pc += (uint32_t)n;
        }
        if (pc == mark)
            return start;
    }
    return mark;
}

/* Reads up to len bytes of guest code at vaddr; returns how many. */
static uint32_t read_code(emu_cpu *c, uint32_t vaddr, uint8_t *buf, uint32_t len)
{
    uint32_t have = 0, fa, pf;
    while (have < len) {
        uint32_t chunk = EMU_PAGE_SIZE - ((vaddr + have) & (EMU_PAGE_SIZE - 1));
        if (chunk > len - have)
            chunk = len - have;
        if (emu_virt_read(c, vaddr + have, buf + have, chunk, 0, &fa, &pf))
            break;
        have += chunk;
    }
    return have;
}

#define CODE_BEFORE 6
#define CODE_AFTER 5
#define CODE_WINDOW 4096

/* Disassembles the code around the instruction that caused the stop (mark),
 * from the start of its function when the kernel's symbols say where that is. */
static void print_code(sbuf *b, emu_machine *m, emu_cpu *c, uint32_t mark)
{
    const emu_symbol *sym = emu_symtab_find(&m->syms, mark);
    uint32_t base = sym && mark - sym->addr < CODE_WINDOW ? sym->addr : (mark >= 24 ? mark - 24 : 0);
    static uint8_t code[CODE_WINDOW + 64];
    uint32_t have = read_code(c, base, code, mark - base + 64);
    if (have <= mark - base) {
        sb_printf(b, "Code at 0x%08x: not readable (not mapped or not RAM)\n", mark);
        return;
    }
    if (sym)
        sb_printf(b, "Code of %s (0x%08x is %s+0x%x), Intel syntax:\n", sym->name, mark, sym->name,
                  mark - sym->addr);
    else
        sb_printf(b, "Code around 0x%08x (no symbol), Intel syntax:\n", mark);
    uint32_t pc = base == (sym ? sym->addr : ~0u) ? base : resync_start(code, base, mark, have);
    uint32_t starts[CODE_BEFORE], nstarts = 0;
    char line[160];
    while (pc < mark) {                      /* remember the last few before mark */
        int n = emu_disasm_one(code + (pc - base), have - (pc - base), pc, line, sizeof line);
        starts[nstarts++ % CODE_BEFORE] = pc;
        pc += n > 0 ? (uint32_t)n : 1;
    }
    uint32_t first = nstarts > CODE_BEFORE ? nstarts - CODE_BEFORE : 0;
    for (uint32_t i = first; i < nstarts; i++) {
        uint32_t at = starts[i % CODE_BEFORE];
        emu_disasm_one(code + (at - base), have - (at - base), at, line, sizeof line);
        sb_printf(b, "     %s\n", line);
    }
    for (int i = 0; i <= CODE_AFTER && pc - base < have; i++) {
        int n = emu_disasm_one(code + (pc - base), have - (pc - base), pc, line, sizeof line);
        sb_printf(b, "  %s %s\n", i == 0 ? "=>" : "  ", n > 0 ? line : "(undecodable)");
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
        emu_cpu *c = &m->cpu[cpu];
        print_regs(&b, c);
        print_code(&b, m, c, m->crash_has_eip ? m->crash_eip : emu_reg(c, UC_X86_REG_EIP));
    }
    sb_printf(&b, "Last events (oldest first):\n");
    for (unsigned i = 0; i < EMU_RECENT_EVENTS; i++) {
        const char *e = m->recent[(m->recent_next + i) % EMU_RECENT_EVENTS];
        if (e[0])
            sb_printf(&b, "  %s\n", e);
    }
    return b.p;
}
