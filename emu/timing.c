/* emu/timing.c - fast-mode timing model: per-block cost via Capstone, cached
 * in an open-addressing hash table keyed by (vaddr, size).  See timing.h and
 * docs/timing.md. */
#include "timing.h"

#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY_KEY UINT64_MAX   /* vaddr = size = 0xffffffff: never cached */
#define INITIAL_BITS 10        /* 1024 slots, 16 KiB */

typedef struct timing_slot {
    uint64_t key;              /* (size << 32) | vaddr, or EMPTY_KEY */
    emu_block_cost cost;
} timing_slot;

struct emu_timing {
    timing_slot *slots;
    uint64_t mask;             /* capacity - 1 (capacity is a power of two) */
    unsigned shift;            /* 64 - log2(capacity), for the hash */
    uint64_t count;            /* occupied slots */
    emu_timing_costs costs;
    emu_timing_stats stats;    /* entries/capacity filled in by get_stats */
    emu_block_cost uncached;   /* returned when the table cannot take a block */
    csh cs;
    cs_insn *insn;             /* Capstone's buffer for cs_disasm_iter */
};

/* Instruction classes; each maps to one field of emu_timing_costs. */
enum insn_class {
    CLS_ALU, CLS_MUL, CLS_DIV, CLS_JMP, CLS_JCC, CLS_STRING, CLS_REP_STRING,
    CLS_LOCKED, CLS_PRIV, CLS_IO, CLS_MSR, CLS_INVLPG, CLS_CR_WRITE,
    CLS_CR3_WRITE, CLS_SERIAL, CLS_IRET, CLS_INTR, CLS_X87
};

typedef struct insn_kind {
    enum insn_class cls;
    bool mem;                  /* charge costs.mem on top */
} insn_kind;

/* ---- cost names ---------------------------------------------------------- */

static const struct { const char *name; size_t off; } cost_fields[] = {
#define F(n) { #n, offsetof(emu_timing_costs, n) }
    F(alu), F(mem), F(mul), F(div), F(branch_taken), F(branch_not_taken),
    F(string), F(rep_string), F(locked), F(priv), F(io), F(msr), F(invlpg),
    F(cr_write), F(cr3_write), F(serializing), F(iret), F(intr), F(x87),
#undef F
};
#define NCOST (sizeof cost_fields / sizeof cost_fields[0])

/* Fills *c with the documented defaults (docs/timing.md). */
void emu_timing_costs_default(emu_timing_costs *c)
{
    *c = (emu_timing_costs){
        .alu = 1, .mem = 1, .mul = 4, .div = 30,
        .branch_taken = 2, .branch_not_taken = 1,
        .string = 3, .rep_string = 30, .locked = 20,
        .priv = 8, .io = 30, .msr = 30, .invlpg = 25,
        .cr_write = 20, .cr3_write = 30, .serializing = 100,
        .iret = 20, .intr = 30, .x87 = 3,
    };
}

/* Address of the field called name inside c, or NULL if unknown. */
static uint32_t *cost_field(emu_timing_costs *c, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < NCOST; i++)
        if (strcmp(cost_fields[i].name, name) == 0)
            return (uint32_t *)((char *)c + cost_fields[i].off);
    return NULL;
}

/* Sets one cost by name; false for an unknown name. */
bool emu_timing_costs_set(emu_timing_costs *c, const char *name, uint32_t value)
{
    uint32_t *f = cost_field(c, name);
    if (!f)
        return false;
    *f = value;
    return true;
}

/* Reads one cost by name; false for an unknown name. */
bool emu_timing_costs_get(const emu_timing_costs *c, const char *name, uint32_t *value)
{
    const uint32_t *f = cost_field((emu_timing_costs *)c, name);
    if (!f)
        return false;
    *value = *f;
    return true;
}

/* The i-th cost name, NULL past the end. */
const char *emu_timing_cost_name(unsigned i)
{
    return i < NCOST ? cost_fields[i].name : NULL;
}

/* ---- classification -------------------------------------------------------- */

/* True when the instruction has an explicit memory operand that is accessed
 * (lea and hint nops only compute an address). */
static bool has_mem_operand(const cs_insn *in)
{
    if (in->id == X86_INS_LEA || in->id == X86_INS_NOP)
        return false;
    const cs_x86 *x = &in->detail->x86;
    for (unsigned i = 0; i < x->op_count; i++)
        if (x->operands[i].type == X86_OP_MEM)
            return true;
    return false;
}

/* Classes decided by the instruction id alone; CLS_ALU when none applies. */
static enum insn_class class_by_id(unsigned id)
{
    switch (id) {
    case X86_INS_IN: case X86_INS_OUT: case X86_INS_INSB: case X86_INS_INSW:
    case X86_INS_INSD: case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD:
        return CLS_IO;
    case X86_INS_RDMSR: case X86_INS_WRMSR: return CLS_MSR;
    case X86_INS_INVLPG: return CLS_INVLPG;
    case X86_INS_CPUID: return CLS_SERIAL;
    case X86_INS_IRET: case X86_INS_IRETD: case X86_INS_IRETQ:
    case X86_INS_SYSEXIT: case X86_INS_SYSRET:
        return CLS_IRET;
    case X86_INS_INT: case X86_INS_INT3: case X86_INS_INTO: case X86_INS_INT1:
    case X86_INS_SYSCALL: case X86_INS_SYSENTER:
        return CLS_INTR;
    default: return CLS_ALU;
    }
}

/* Branch classes by id: CLS_JMP (unconditional), CLS_JCC, or CLS_ALU. */
static enum insn_class branch_class(unsigned id)
{
    switch (id) {
    case X86_INS_JMP: case X86_INS_LJMP: case X86_INS_CALL: case X86_INS_LCALL:
    case X86_INS_RET: case X86_INS_RETF: case X86_INS_RETFQ:
        return CLS_JMP;
    case X86_INS_JA: case X86_INS_JAE: case X86_INS_JB: case X86_INS_JBE:
    case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ: case X86_INS_JE:
    case X86_INS_JNE: case X86_INS_JG: case X86_INS_JGE: case X86_INS_JL:
    case X86_INS_JLE: case X86_INS_JNO: case X86_INS_JNP: case X86_INS_JNS:
    case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
    case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE:
        return CLS_JCC;
    default: return CLS_ALU;
    }
}

/* mov to a control register: CLS_CR3_WRITE / CLS_CR_WRITE, else CLS_ALU. */
static enum insn_class cr_write_class(const cs_insn *in)
{
    const cs_x86 *x = &in->detail->x86;
    if (in->id != X86_INS_MOV || x->op_count < 1 || x->operands[0].type != X86_OP_REG)
        return CLS_ALU;
    unsigned r = x->operands[0].reg;
    if (r == X86_REG_CR3)
        return CLS_CR3_WRITE;
    return (r >= X86_REG_CR0 && r <= X86_REG_CR15) ? CLS_CR_WRITE : CLS_ALU;
}

/* Other privileged instructions: Capstone's privilege group plus the ones it
 * does not flag. */
static bool is_privileged(const cs_insn *in)
{
    switch (in->id) {
    case X86_INS_CLI: case X86_INS_STI: case X86_INS_HLT: case X86_INS_LGDT:
    case X86_INS_LIDT: case X86_INS_LLDT: case X86_INS_LTR: case X86_INS_LMSW:
    case X86_INS_CLTS: case X86_INS_INVD: case X86_INS_WBINVD:
        return true;
    default:
        break;
    }
    for (unsigned i = 0; i < in->detail->groups_count; i++)
        if (in->detail->groups[i] == X86_GRP_PRIVILEGE)
            return true;
    return false;
}

/* True for the one-byte string opcodes movs, cmps, stos, lods, scas. */
static bool is_string_op(const cs_x86 *x)
{
    uint8_t op = x->opcode[0];
    return x->opcode[1] == 0 && ((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf));
}

/* Puts one decoded instruction into its class (first match wins, in the
 * order documented in docs/timing.md). */
static insn_kind classify(const cs_insn *in)
{
    const cs_x86 *x = &in->detail->x86;
    bool mem = has_mem_operand(in);
    insn_kind k = { class_by_id(in->id), false };
    if (k.cls != CLS_ALU)
        return k;
    if ((k.cls = cr_write_class(in)) != CLS_ALU)
        return k;
    if (x->prefix[0] == X86_PREFIX_LOCK || (in->id == X86_INS_XCHG && mem))
        return (insn_kind){ CLS_LOCKED, false };
    if (is_privileged(in))
        return (insn_kind){ CLS_PRIV, false };
    if (is_string_op(x))
        return (insn_kind){ x->prefix[0] ? CLS_REP_STRING : CLS_STRING, false };
    if (in->id == X86_INS_MUL || in->id == X86_INS_IMUL)
        return (insn_kind){ CLS_MUL, mem };
    if (in->id == X86_INS_DIV || in->id == X86_INS_IDIV)
        return (insn_kind){ CLS_DIV, mem };
    if ((k.cls = branch_class(in->id)) != CLS_ALU)
        return (insn_kind){ k.cls, mem };
    if ((x->opcode[0] >= 0xd8 && x->opcode[0] <= 0xdf) || in->id == X86_INS_WAIT)
        return (insn_kind){ CLS_X87, mem };
    return (insn_kind){ CLS_ALU, mem };
}

/* Cycles for one instruction of kind k; last says it ends the block (only
 * there is a conditional jump charged the taken/not-taken average). */
static uint64_t kind_cost(const emu_timing_costs *c, insn_kind k, bool last)
{
    static const size_t off[] = {
        [CLS_ALU] = offsetof(emu_timing_costs, alu), [CLS_MUL] = offsetof(emu_timing_costs, mul),
        [CLS_DIV] = offsetof(emu_timing_costs, div), [CLS_JMP] = offsetof(emu_timing_costs, branch_taken),
        [CLS_JCC] = offsetof(emu_timing_costs, branch_not_taken),
        [CLS_STRING] = offsetof(emu_timing_costs, string), [CLS_REP_STRING] = offsetof(emu_timing_costs, rep_string),
        [CLS_LOCKED] = offsetof(emu_timing_costs, locked), [CLS_PRIV] = offsetof(emu_timing_costs, priv),
        [CLS_IO] = offsetof(emu_timing_costs, io), [CLS_MSR] = offsetof(emu_timing_costs, msr),
        [CLS_INVLPG] = offsetof(emu_timing_costs, invlpg), [CLS_CR_WRITE] = offsetof(emu_timing_costs, cr_write),
        [CLS_CR3_WRITE] = offsetof(emu_timing_costs, cr3_write), [CLS_SERIAL] = offsetof(emu_timing_costs, serializing),
        [CLS_IRET] = offsetof(emu_timing_costs, iret), [CLS_INTR] = offsetof(emu_timing_costs, intr),
        [CLS_X87] = offsetof(emu_timing_costs, x87),
    };
    uint64_t cy;
    if (k.cls == CLS_JCC && last)
        cy = ((uint64_t)c->branch_taken + c->branch_not_taken + 1) / 2;
    else
        cy = *(const uint32_t *)((const char *)c + off[k.cls]);
    return cy + (k.mem ? c->mem : 0);
}

/* 1..8 for eax..edi (i386 encoding order plus one), 0 for anything else. */
uint8_t emu_x86_gpr_number(unsigned reg)
{
    static const unsigned gprs[] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
                                     X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
    for (unsigned i = 0; i < 8; i++)
        if (gprs[i] == reg)
            return (uint8_t)(i + 1);
    return 0;
}

/* The EMU_BLOCK_* flag of an instruction the detailed mode tracks (pause,
 * control-register writes, invlpg, wbinvd), recording invlpg's operand in
 * *bc; 0 for any other instruction. */
static uint32_t mmu_flag(const cs_insn *in, emu_block_cost *bc)
{
    const cs_x86 *x = &in->detail->x86;
    switch (in->id) {
    case X86_INS_PAUSE: return EMU_BLOCK_PAUSE;
    case X86_INS_WBINVD: return EMU_BLOCK_WBINVD;
    case X86_INS_INVLPG:
        if (x->op_count >= 1 && x->operands[0].type == X86_OP_MEM) {
            bc->inv_base = emu_x86_gpr_number(x->operands[0].mem.base);
            bc->inv_index = emu_x86_gpr_number(x->operands[0].mem.index);
            bc->inv_scale = (uint8_t)x->operands[0].mem.scale;
            bc->inv_disp = (int32_t)x->operands[0].mem.disp;
        }
        return EMU_BLOCK_INVLPG;
    case X86_INS_MOV:
        if (x->op_count < 1 || x->operands[0].type != X86_OP_REG)
            return 0;
        switch (x->operands[0].reg) {
        case X86_REG_CR0: return EMU_BLOCK_CR0_WRITE;
        case X86_REG_CR3: return EMU_BLOCK_CR3_WRITE;
        case X86_REG_CR4: return EMU_BLOCK_CR4_WRITE;
        default: return 0;
        }
    default:
        return 0;
    }
}

/* Decodes size bytes and sums instruction costs; an undecodable rest counts
 * as one instruction of cost alu.  Cycles saturate at UINT32_MAX. */
emu_block_cost emu_timing_cost_of(emu_timing *t, uint32_t vaddr, uint32_t size, const uint8_t *code)
{
    const uint8_t *p = code;
    size_t n = code ? size : 0;
    uint64_t addr = vaddr, insns = 0, cycles = 0;
    insn_kind prev = { CLS_ALU, false };
    emu_block_cost bc = { 0 };
    while (n > 0 && cs_disasm_iter(t->cs, &p, &n, &addr, t->insn)) {
        if (insns++ > 0)
            cycles += kind_cost(&t->costs, prev, false);
        prev = classify(t->insn);
        bc.flags |= mmu_flag(t->insn, &bc);
    }
    if (insns > 0)
        cycles += kind_cost(&t->costs, prev, n == 0);
    if (n > 0) {
        insns++;
        cycles += t->costs.alu;
    }
    bc.insns = (uint32_t)insns;
    bc.cycles = cycles > UINT32_MAX ? UINT32_MAX : (uint32_t)cycles;
    return bc;
}

/* ---- the cache -------------------------------------------------------------- */

/* The table key of a block. */
static inline uint64_t make_key(uint32_t vaddr, uint32_t size)
{
    return ((uint64_t)size << 32) | vaddr;
}

/* Home slot of key: multiply, xor-shift, multiply, take the top bits.  Plain
 * Fibonacci hashing clustered badly on real block layouts (arithmetic vaddr
 * steps with varying sizes: 9-13 probes a lookup); this mix behaves like a
 * random hash on every pattern tried (docs/timing.md). */
static inline uint64_t home_slot(const emu_timing *t, uint64_t key)
{
    key *= 0x9e3779b97f4a7c15ull;
    key ^= key >> 32;
    key *= 0xd6e8feb86659fd93ull;
    return key >> t->shift;
}

/* Allocates an empty table of 2^bits slots into t; false when out of memory. */
static bool table_alloc(emu_timing *t, unsigned bits)
{
    size_t cap = (size_t)1 << bits;
    timing_slot *s = malloc(cap * sizeof *s);
    if (!s)
        return false;
    memset(s, 0xff, cap * sizeof *s);   /* every key = EMPTY_KEY */
    t->slots = s;
    t->mask = cap - 1;
    t->shift = 64 - bits;
    t->count = 0;
    return true;
}

/* The slot holding key, or the empty slot where it would go. */
static timing_slot *find_slot(const emu_timing *t, uint64_t key)
{
    uint64_t i = home_slot(t, key);
    for (;;) {
        timing_slot *s = &t->slots[i];
        if (s->key == key || s->key == EMPTY_KEY)
            return s;
        i = (i + 1) & t->mask;
    }
}

/* Doubles the table and rehashes; false (table unchanged) when out of memory. */
static bool table_grow(emu_timing *t)
{
    timing_slot *old = t->slots;
    uint64_t oldcap = t->mask + 1, n = t->count;
    if (!table_alloc(t, 64 - t->shift + 1))
        return false;                   /* table_alloc left t untouched */
    for (uint64_t i = 0; i < oldcap; i++)
        if (old[i].key != EMPTY_KEY)
            *find_slot(t, old[i].key) = old[i];
    t->count = n;
    free(old);
    return true;
}

/* Creates a model (costs NULL: defaults); NULL on failure. */
emu_timing *emu_timing_create(const emu_timing_costs *costs)
{
    emu_timing *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (costs)
        t->costs = *costs;
    else
        emu_timing_costs_default(&t->costs);
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &t->cs) != CS_ERR_OK) {
        free(t);
        return NULL;
    }
    cs_option(t->cs, CS_OPT_DETAIL, CS_OPT_ON);
    t->insn = cs_malloc(t->cs);
    if (!t->insn || !table_alloc(t, INITIAL_BITS)) {
        emu_timing_destroy(t);
        return NULL;
    }
    return t;
}

/* Frees the model; NULL is fine. */
void emu_timing_destroy(emu_timing *t)
{
    if (!t)
        return;
    if (t->insn)
        cs_free(t->insn, 1);
    cs_close(&t->cs);
    free(t->slots);
    free(t);
}

/* Hot path: cached cost of (vaddr, size) or NULL; counts a hit or a miss. */
const emu_block_cost *emu_timing_lookup(emu_timing *t, uint32_t vaddr, uint32_t size)
{
    uint64_t key = make_key(vaddr, size);
    uint64_t i = home_slot(t, key);
    if (key == EMPTY_KEY) {
        t->stats.misses++;
        return NULL;
    }
    for (;;) {
        timing_slot *s = &t->slots[i];
        if (s->key == key) {
            t->stats.hits++;
            return &s->cost;
        }
        if (s->key == EMPTY_KEY) {
            t->stats.misses++;
            return NULL;
        }
        i = (i + 1) & t->mask;
    }
}

/* Stores c under key, growing the table at 3/4 load; returns the cached
 * copy, or NULL when the table is full and cannot grow. */
static emu_block_cost *table_store(emu_timing *t, uint64_t key, emu_block_cost c)
{
    timing_slot *s = find_slot(t, key);
    if (s->key == EMPTY_KEY && (t->count + 1) * 4 > (t->mask + 1) * 3) {
        if (table_grow(t))
            s = find_slot(t, key);
        else if (t->count + 2 > t->mask + 1)
            return NULL;                /* keep one empty slot: probes end */
    }
    if (s->key == EMPTY_KEY)
        t->count++;
    s->key = key;
    s->cost = c;
    return &s->cost;
}

/* Decodes, caches (replacing an old entry) and returns the block's cost. */
const emu_block_cost *emu_timing_insert(emu_timing *t, uint32_t vaddr, uint32_t size, const uint8_t *code)
{
    if (!code && size > 0)
        return NULL;
    emu_block_cost c = emu_timing_cost_of(t, vaddr, size, code);
    uint64_t key = make_key(vaddr, size);
    emu_block_cost *cached = key == EMPTY_KEY ? NULL : table_store(t, key, c);
    t->stats.blocks_decoded++;
    t->stats.insns_decoded += c.insns;
    if (cached)
        return cached;
    t->uncached = c;                    /* not cached: valid until the next insert */
    return &t->uncached;
}

/* lookup, then insert on a miss when code is given. */
const emu_block_cost *emu_timing_block(emu_timing *t, uint32_t vaddr, uint32_t size, const uint8_t *code)
{
    const emu_block_cost *c = emu_timing_lookup(t, vaddr, size);
    if (c || !code)
        return c;
    return emu_timing_insert(t, vaddr, size, code);
}

/* Empties the cache, keeping its capacity. */
void emu_timing_flush(emu_timing *t)
{
    memset(t->slots, 0xff, (t->mask + 1) * sizeof *t->slots);
    t->count = 0;
    t->stats.flushes++;
}

/* New costs; the cache is flushed. */
void emu_timing_set_costs(emu_timing *t, const emu_timing_costs *costs)
{
    t->costs = *costs;
    emu_timing_flush(t);
}

/* Read-only view of the current costs. */
const emu_timing_costs *emu_timing_get_costs(const emu_timing *t)
{
    return &t->costs;
}

/* Copies the counters. */
void emu_timing_get_stats(const emu_timing *t, emu_timing_stats *s)
{
    *s = t->stats;
    s->entries = t->count;
    s->capacity = t->mask + 1;
}
