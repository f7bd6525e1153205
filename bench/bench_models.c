/* bench/bench_models.c - speed of the detailed mode's models (emu/tlb_model.h,
 * emu/cache_model.h) alone: model accesses per second for a few access
 * patterns, default machine description, one CPU.  Time is the thread's CPU
 * time; each figure is the best of 3 runs (docs/timing.md).
 *
 *     pagelab-bench-models          the table
 *     pagelab-bench-models --check  small counts, just runs every pattern
 */
#include "cache_model.h"
#include "tlb_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The access patterns; addresses are generated inline (a counter or a
 * xorshift in registers, about 1 ns), not read from a table: a table's loads
 * alias the models' stores on this host and doubled the measured time. */
typedef enum {
    P_HOT,      /* sequential words in 4 KiB: L1 hits */
    P_SEQ,      /* sequential words over 1 MiB: an L1 miss every 8 accesses */
    P_RAND,     /* random words in 64 MiB: nearly every access misses L1 and L2 */
    P_MIX,      /* kernel-like: 90% in a 16 KiB hot set, 10% random in 16 MiB */
    P_PG48,     /* random pages among 48: TLB hits */
    P_PG4K,     /* random pages among 4096: TLB misses */
} pat_id;

/* What is timed. */
typedef enum { RUN_CACHE, RUN_TLB, RUN_BOTH } run_kind;

typedef struct pattern {
    const char *name;
    run_kind kind;
    pat_id pat;
} pattern;

/* The i-th address of pattern p; *s is the xorshift state. */
static inline uint32_t gen(pat_id p, uint64_t i, uint64_t *s)
{
    if (p == P_HOT)
        return 0x100000 + (uint32_t)(i * 4 % 4096);
    if (p == P_SEQ)
        return 0x100000 + (uint32_t)(i * 4 % (1u << 20));
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    uint32_t r = (uint32_t)(*s >> 11);
    switch (p) {
    case P_RAND: return r % (64u << 20) & ~3u;
    case P_MIX: return r % 10 ? 0xc0100000 + (r >> 8) % 16384 : 0xc0000000 + ((r >> 4) % (16u << 20) & ~3u);
    case P_PG48: return 0xc0000000 + (r % 48) * 4096;
    default: return 0xc0000000 + (r % 4096) * 4096;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   /* the machine is shared */
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One model access the detailed mode would make for a data load at va:
 * TLB lookup, a walk and fill on a miss (identity-ish page tables), then the
 * cache access.  Returns the cycles. */
static uint32_t detailed_access(emu_tlb *t, emu_cache_model *m, uint32_t va)
{
    uint32_t pa, cycles = 0;
    if (!emu_tlb_lookup(t, va, EMU_TLB_DATA, &pa)) {
        uint32_t pde = 0x01000000u | (va >> 22 & 0x3f) << 12 | EMU_PTE_P;
        cycles += emu_tlb_walk_cycles(t, m, 0, 0x00fff000u, va, pde);
        pa = emu_tlb_fill(t, va, EMU_TLB_DATA, pde, ((va >> 12) & 0x3fff) << 12 | EMU_PTE_P);
    }
    return cycles + emu_cache_access(m, 0, pa & 0x0fffffffu, 4, false, EMU_CACHE_DATA);
}

/* Runs n accesses of pattern p on fresh models; returns accesses per second. */
static double run(const pattern *p, uint64_t n, uint64_t *sink)
{
    emu_timing_config cfg;
    emu_timing_config_default(&cfg);
    emu_cache_model *m = emu_cache_model_create(&cfg, 1);
    emu_tlb *t = emu_tlb_create(&cfg);
    uint64_t cycles = 0, seed = 0x2545f4914f6cdd1dull;
    uint32_t pa;
    double t0 = now_s();
    if (p->kind == RUN_CACHE)                   /* every 8th access a store */
        for (uint64_t i = 0; i < n; i++)
            cycles += emu_cache_access(m, 0, gen(p->pat, i, &seed), 4, (i & 7) == 0, EMU_CACHE_DATA);
    else if (p->kind == RUN_TLB)
        for (uint64_t i = 0; i < n; i++) {
            uint32_t a = gen(p->pat, i, &seed);
            if (!emu_tlb_lookup(t, a, EMU_TLB_DATA, &pa))
                cycles += emu_tlb_fill(t, a, EMU_TLB_DATA, EMU_PTE_P, a | EMU_PTE_P) & 1;
        }
    else
        for (uint64_t i = 0; i < n; i++)
            cycles += detailed_access(t, m, gen(p->pat, i, &seed));
    double dt = now_s() - t0;
    *sink += cycles;
    emu_tlb_destroy(t);
    emu_cache_model_destroy(m);
    return n / dt;
}

int main(int argc, char **argv)
{
    static const pattern pats[] = {
        { "cache: 4 KiB sequential (L1 hits)", RUN_CACHE, P_HOT },
        { "cache: 1 MiB sequential", RUN_CACHE, P_SEQ },
        { "cache: 64 MiB random (misses)", RUN_CACHE, P_RAND },
        { "cache: kernel-like mix", RUN_CACHE, P_MIX },
        { "tlb: 4 KiB sequential (MRU hits)", RUN_TLB, P_HOT },
        { "tlb: 48 random pages (hits)", RUN_TLB, P_PG48 },
        { "tlb: 4096 random pages (misses)", RUN_TLB, P_PG4K },
        { "tlb+walk+cache: 4 KiB sequential", RUN_BOTH, P_HOT },
        { "tlb+walk+cache: kernel-like mix", RUN_BOTH, P_MIX },
        { "tlb+walk+cache: 4096 random pages", RUN_BOTH, P_PG4K },
    };
    bool check = argc > 1 && strcmp(argv[1], "--check") == 0;
    uint64_t n = check ? 100000 : 50000000, sink = 0;
    printf("%-36s %12s %10s\n", "pattern", "M acc/s", "ns/acc");
    for (unsigned i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        double best = 0;
        for (int r = 0; r < (check ? 1 : 3); r++) {
            double v = run(&pats[i], n, &sink);
            best = v > best ? v : best;
        }
        printf("%-36s %12.1f %10.2f\n", pats[i].name, best / 1e6, 1e9 / best);
    }
    printf("(checksum %llu)\n", (unsigned long long)sink);
    return sink ? 0 : 1;
}
