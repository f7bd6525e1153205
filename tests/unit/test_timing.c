/* tests/unit/test_timing.c - fast-mode block costs (emu/timing.h): exact
 * instruction and cycle counts for hand-assembled blocks under default and
 * modified costs, undecodable tails, the cache (hits, flush, growth). */
#include "timing.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define COST(t, bytes) emu_timing_cost_of((t), 0x1000, sizeof(bytes), (bytes))

/* add eax,ebx; mov ecx,[esi]; imul edx; jne $ */
static const uint8_t blk_alu[] = {
    0x01, 0xd8,             /* add eax, ebx          alu 1          */
    0x8b, 0x0e,             /* mov ecx, [esi]        alu 1 + mem 1  */
    0xf7, 0xea,             /* imul edx              mul 4          */
    0x75, 0xfe,             /* jne $  (last)         avg(2,1) = 2   */
};

static void test_alu_block(void)
{
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, blk_alu);
    CHECK_EQ(r.insns, 4);
    CHECK_EQ(r.cycles, 1 + 2 + 4 + 2);
    CHECK(emu_timing_costs_set(&c, "branch_taken", 10));
    CHECK(emu_timing_costs_set(&c, "branch_not_taken", 4));
    CHECK(emu_timing_costs_set(&c, "mem", 3));
    CHECK(emu_timing_costs_set(&c, "mul", 11));
    emu_timing_set_costs(t, &c);
    r = COST(t, blk_alu);
    CHECK_EQ(r.insns, 4);
    CHECK_EQ(r.cycles, 1 + 4 + 11 + 7);
    emu_timing_destroy(t);
}

static void test_branches(void)
{
    /* jne +0; add eax,ebx : a conditional jump that is not last is not taken */
    static const uint8_t mid[] = { 0x75, 0x00, 0x01, 0xd8 };
    /* jmp dword ptr [0x1000]: taken 2 + mem 1 */
    static const uint8_t ind[] = { 0xff, 0x25, 0x00, 0x10, 0x00, 0x00 };
    /* push dword ptr [esi] (1+1); lea eax,[ebp+8] (1); nop dword ptr [eax+eax] (1);
     * call eax (2); ret (2); loop $ (last: avg(2,1) = 2) */
    static const uint8_t mix[] = { 0xff, 0x36, 0x8d, 0x45, 0x08, 0x0f, 0x1f, 0x44, 0x00, 0x00,
                                   0xff, 0xd0, 0xc3, 0xe2, 0xfe };
    emu_timing *t = emu_timing_create(NULL);
    emu_block_cost r = COST(t, mid);
    CHECK_EQ(r.insns, 2);
    CHECK_EQ(r.cycles, 1 + 1);
    r = COST(t, ind);
    CHECK_EQ(r.insns, 1);
    CHECK_EQ(r.cycles, 3);
    r = COST(t, mix);
    CHECK_EQ(r.insns, 6);
    CHECK_EQ(r.cycles, 2 + 1 + 1 + 2 + 2 + 2);
    emu_timing_destroy(t);
}

static void test_locked(void)
{
    static const uint8_t blk[] = {
        0xf0, 0x0f, 0xc1, 0x03, /* lock xadd [ebx], eax   locked 20 (no mem extra) */
        0x87, 0x03,             /* xchg [ebx], eax        locked 20 */
        0x93,                   /* xchg ebx, eax          alu 1 */
        0xc3,                   /* ret                    taken 2 */
    };
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, blk);
    CHECK_EQ(r.insns, 4);
    CHECK_EQ(r.cycles, 20 + 20 + 1 + 2);
    CHECK(emu_timing_costs_set(&c, "locked", 100));
    emu_timing_set_costs(t, &c);
    r = COST(t, blk);
    CHECK_EQ(r.cycles, 100 + 100 + 1 + 2);
    emu_timing_destroy(t);
}

static void test_control_registers(void)
{
    static const uint8_t blk[] = {
        0x0f, 0x20, 0xd8,       /* mov eax, cr3       priv 8 */
        0x83, 0xc8, 0x00,       /* or eax, 0          alu 1 */
        0x0f, 0x22, 0xd8,       /* mov cr3, eax       cr3_write 30 */
        0x0f, 0x22, 0xc0,       /* mov cr0, eax       cr_write 20 */
        0xeb, 0xfe,             /* jmp $              taken 2 */
    };
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, blk);
    CHECK_EQ(r.insns, 5);
    CHECK_EQ(r.cycles, 8 + 1 + 30 + 20 + 2);
    CHECK(emu_timing_costs_set(&c, "cr3_write", 300));
    emu_timing_set_costs(t, &c);
    r = COST(t, blk);
    CHECK_EQ(r.cycles, 8 + 1 + 300 + 20 + 2);
    emu_timing_destroy(t);
}

static void test_strings(void)
{
    static const uint8_t blk[] = {
        0xfc,                   /* cld               alu 1 */
        0xf3, 0xa5,             /* rep movsd         rep_string 30 */
        0xa4,                   /* movsb             string 3 */
        0xf3, 0xaa,             /* rep stosb         rep_string 30 */
        0xf2, 0xae,             /* repne scasb       rep_string 30 */
        0xc3,                   /* ret               taken 2 */
    };
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, blk);
    CHECK_EQ(r.insns, 6);
    CHECK_EQ(r.cycles, 1 + 30 + 3 + 30 + 30 + 2);
    CHECK(emu_timing_costs_set(&c, "rep_string", 1000));
    CHECK(emu_timing_costs_set(&c, "string", 7));
    emu_timing_set_costs(t, &c);
    r = COST(t, blk);
    CHECK_EQ(r.cycles, 1 + 1000 + 7 + 1000 + 1000 + 2);
    emu_timing_destroy(t);
}

static void test_divide(void)
{
    static const uint8_t blk[] = {
        0x31, 0xd2,             /* xor edx, edx            alu 1 */
        0xf7, 0xf1,             /* div ecx                 div 30 */
        0xf7, 0x3e,             /* idiv dword ptr [esi]    div 30 + mem 1 */
        0xf7, 0x26,             /* mul dword ptr [esi]     mul 4 + mem 1 */
        0xc3,                   /* ret                     taken 2 */
    };
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, blk);
    CHECK_EQ(r.insns, 5);
    CHECK_EQ(r.cycles, 1 + 30 + 31 + 5 + 2);
    CHECK(emu_timing_costs_set(&c, "div", 40));
    emu_timing_set_costs(t, &c);
    r = COST(t, blk);
    CHECK_EQ(r.cycles, 1 + 40 + 41 + 5 + 2);
    emu_timing_destroy(t);
}

static void test_system(void)
{
    static const uint8_t blk[] = {
        0xfa,                   /* cli              priv 8 */
        0x0f, 0x01, 0x10,       /* lgdt [eax]       priv 8 (no mem extra) */
        0x0f, 0x01, 0x18,       /* lidt [eax]       priv 8 */
        0x0f, 0x00, 0xd8,       /* ltr ax           priv 8 */
        0x0f, 0x01, 0x3b,       /* invlpg [ebx]     invlpg 25 */
        0x0f, 0x30,             /* wrmsr            msr 30 */
        0x0f, 0x32,             /* rdmsr            msr 30 */
        0xe4, 0x60,             /* in al, 0x60      io 30 */
        0xee,                   /* out dx, al       io 30 */
        0xf3, 0x6e,             /* rep outsb        io 30 */
        0x0f, 0xa2,             /* cpuid            serializing 100 */
        0xfb,                   /* sti              priv 8 */
        0xf4,                   /* hlt              priv 8 */
    };
    emu_timing *t = emu_timing_create(NULL);
    emu_block_cost r = COST(t, blk);
    CHECK_EQ(r.insns, 13);
    CHECK_EQ(r.cycles, 8 * 4 + 25 + 30 * 5 + 100 + 8 * 2);
    emu_timing_destroy(t);
}

static void test_interrupts_and_x87(void)
{
    /* int3 (intr 30); int 0x80 (intr 30); iretd (iret 20) */
    static const uint8_t ints[] = { 0xcc, 0xcd, 0x80, 0xcf };
    /* fld qword ptr [esi] (x87 3 + mem 1); fadd st(1) (x87 3); fwait (x87 3) */
    static const uint8_t fpu[] = { 0xdd, 0x06, 0xd8, 0xc1, 0x9b };
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, ints);
    CHECK_EQ(r.insns, 3);
    CHECK_EQ(r.cycles, 30 + 30 + 20);
    r = COST(t, fpu);
    CHECK_EQ(r.insns, 3);
    CHECK_EQ(r.cycles, 4 + 3 + 3);
    CHECK(emu_timing_costs_set(&c, "intr", 50));
    CHECK(emu_timing_costs_set(&c, "iret", 5));
    CHECK(emu_timing_costs_set(&c, "x87", 10));
    emu_timing_set_costs(t, &c);
    CHECK_EQ(COST(t, ints).cycles, 50 + 50 + 5);
    CHECK_EQ(COST(t, fpu).cycles, 11 + 10 + 10);
    emu_timing_destroy(t);
}

static void test_undecodable(void)
{
    /* add eax,ebx; then 0f 04 (invalid) 90 90: the tail is 1 insn of cost alu */
    static const uint8_t tail[] = { 0x01, 0xd8, 0x0f, 0x04, 0x90, 0x90 };
    /* jne $ then a truncated mov (8b 45 without its disp8): jne is not last */
    static const uint8_t trunc[] = { 0x75, 0xfe, 0x8b, 0x45 };
    static const uint8_t bad[] = { 0xff, 0xff, 0xff };
    emu_timing_costs c;
    emu_timing_costs_default(&c);
    c.alu = 5;
    emu_timing *t = emu_timing_create(&c);
    emu_block_cost r = COST(t, tail);
    CHECK_EQ(r.insns, 2);
    CHECK_EQ(r.cycles, 5 + 5);
    r = COST(t, trunc);
    CHECK_EQ(r.insns, 2);
    CHECK_EQ(r.cycles, 1 + 5);
    r = COST(t, bad);
    CHECK_EQ(r.insns, 1);
    CHECK_EQ(r.cycles, 5);
    r = emu_timing_cost_of(t, 0x1000, 0, tail);
    CHECK_EQ(r.insns, 0);
    CHECK_EQ(r.cycles, 0);
    emu_timing_destroy(t);
}

static void test_cost_names(void)
{
    emu_timing_costs c, d;
    emu_timing_costs_default(&c);
    d = c;
    uint32_t v = 0;
    CHECK(!emu_timing_costs_set(&c, "bogus", 7));
    CHECK(!emu_timing_costs_set(&c, "", 7));
    CHECK(!emu_timing_costs_set(&c, NULL, 7));
    CHECK(memcmp(&c, &d, sizeof c) == 0);
    unsigned n = 0;
    for (const char *name; (name = emu_timing_cost_name(n)) != NULL; n++) {
        CHECK(emu_timing_costs_set(&c, name, 1000 + n));
        CHECK(emu_timing_costs_get(&c, name, &v));
        CHECK_EQ(v, 1000 + n);
    }
    CHECK_EQ(n, sizeof(emu_timing_costs) / sizeof(uint32_t));   /* every field has a name */
    CHECK(emu_timing_costs_get(&d, "cr3_write", &v));
    CHECK_EQ(v, 30);
    CHECK(!emu_timing_costs_get(&d, "cr3", &v));
}

static void test_cache(void)
{
    emu_timing *t = emu_timing_create(NULL);
    emu_timing_stats s;
    CHECK(emu_timing_lookup(t, 0x1000, sizeof blk_alu) == NULL);
    CHECK(emu_timing_block(t, 0x1000, sizeof blk_alu, NULL) == NULL);
    const emu_block_cost *p = emu_timing_insert(t, 0x1000, sizeof blk_alu, blk_alu);
    CHECK(p != NULL);
    CHECK_EQ(p->insns, 4);
    CHECK_EQ(p->cycles, 9);
    const emu_block_cost *q = emu_timing_lookup(t, 0x1000, sizeof blk_alu);
    CHECK(q == p);
    CHECK(emu_timing_block(t, 0x1000, sizeof blk_alu, NULL) == p);
    CHECK(emu_timing_lookup(t, 0x1000, 2) == NULL);     /* same vaddr, other size */
    CHECK(emu_timing_lookup(t, 0x1002, sizeof blk_alu) == NULL);
    CHECK(emu_timing_lookup(t, UINT32_MAX, UINT32_MAX) == NULL);
    emu_timing_get_stats(t, &s);
    CHECK_EQ(s.hits, 2);
    CHECK_EQ(s.misses, 5);
    CHECK_EQ(s.blocks_decoded, 1);
    CHECK_EQ(s.insns_decoded, 4);
    CHECK_EQ(s.entries, 1);
    emu_timing_flush(t);
    CHECK(emu_timing_lookup(t, 0x1000, sizeof blk_alu) == NULL);
    emu_timing_get_stats(t, &s);
    CHECK_EQ(s.entries, 0);
    CHECK_EQ(s.flushes, 1);
    p = emu_timing_block(t, 0x1000, sizeof blk_alu, blk_alu);
    CHECK(p != NULL && p->cycles == 9);
    emu_timing_destroy(t);
}

static void test_replace(void)
{
    static const uint8_t other[] = { 0xf7, 0xf1, 0xf7, 0xf1, 0xf7, 0xf1, 0x90, 0x90 }; /* 3x div ecx; 2x nop */
    emu_timing *t = emu_timing_create(NULL);
    emu_timing_insert(t, 0x2000, 8, blk_alu);
    const emu_block_cost *p = emu_timing_insert(t, 0x2000, 8, other);
    CHECK_EQ(p->insns, 5);
    CHECK_EQ(p->cycles, 92);
    p = emu_timing_lookup(t, 0x2000, 8);
    CHECK(p != NULL && p->cycles == 92);
    emu_timing_stats s;
    emu_timing_get_stats(t, &s);
    CHECK_EQ(s.entries, 1);
    emu_timing_destroy(t);
}

/* Cost of a prefix of n bytes of "add eax,ebx" pairs (01 d8 ...): n/2 adds
 * and, for odd n, a truncated tail counted as one instruction. */
static emu_block_cost expected_adds(uint32_t n)
{
    return (emu_block_cost){ .insns = n / 2 + n % 2, .cycles = n / 2 + n % 2 };
}

static void test_growth(void)
{
    enum { N = 100000 };
    uint8_t code[32];
    for (size_t i = 0; i < sizeof code; i += 2)
        code[i] = 0x01, code[i + 1] = 0xd8;
    emu_timing *t = emu_timing_create(NULL);
    unsigned bad_insert = 0, bad_lookup = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t size = 1 + i % 32, vaddr = 0xc0000000u + (i / 32) * 64;
        emu_block_cost e = expected_adds(size);
        const emu_block_cost *p = emu_timing_insert(t, vaddr, size, code);
        bad_insert += !p || p->insns != e.insns || p->cycles != e.cycles;
    }
    for (uint32_t i = 0; i < N; i++) {
        uint32_t size = 1 + i % 32, vaddr = 0xc0000000u + (i / 32) * 64;
        emu_block_cost e = expected_adds(size);
        const emu_block_cost *p = emu_timing_lookup(t, vaddr, size);
        bad_lookup += !p || p->insns != e.insns || p->cycles != e.cycles;
    }
    emu_timing_stats s;
    emu_timing_get_stats(t, &s);
    CHECK_EQ(bad_insert, 0);
    CHECK_EQ(bad_lookup, 0);
    CHECK_EQ(s.entries, N);
    CHECK_EQ(s.hits, N);
    CHECK_EQ(s.blocks_decoded, N);
    CHECK(s.capacity * 3 >= (uint64_t)N * 4 && (s.capacity & (s.capacity - 1)) == 0);
    CHECK(emu_timing_lookup(t, 0xc0000000u + 64, 33) == NULL);
    emu_timing_flush(t);
    CHECK(emu_timing_lookup(t, 0xc0000000u, 1) == NULL);
    emu_timing_destroy(t);
}

int main(void)
{
    test_alu_block();
    test_branches();
    test_locked();
    test_control_registers();
    test_strings();
    test_divide();
    test_system();
    test_interrupts_and_x87();
    test_undecodable();
    test_cost_names();
    test_cache();
    test_replace();
    test_growth();
    return unit_done();
}
