/* bench/bench_models.c - speed of the detailed mode's models (emu/tlb_model.h,
 * emu/cache_model.h) alone: model accesses per second for a few access
 * patterns, default machine description, one CPU.  Addresses are generated
 * before timing; time is the thread's CPU time; each figure is the best of 3
 * runs (docs/timing.md).
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

#define NADDR (1u << 16)    /* addresses per pattern, replayed in a loop */

/* One benchmark pattern: name, address generator, what is timed. */
typedef enum { RUN_CACHE, RUN_TLB, RUN_BOTH } run_kind;

typedef struct pattern {
    const char *name;
    run_kind kind;
    uint32_t (*addr)(uint32_t i, uint64_t *seed);
} pattern;

static uint32_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

/* Sequential words in 4 KiB: L1 hits. */
static uint32_t a_hot(uint32_t i, uint64_t *s) { (void)s; return 0x100000 + (i * 4) % 4096; }
/* Sequential words over 1 MiB: one L1 miss per 8 accesses, L2 misses. */
static uint32_t a_seq(uint32_t i, uint64_t *s) { (void)s; return 0x100000 + (i * 4) % (1u << 20); }
/* Random words in 64 MiB: nearly every access misses L1 and L2. */
static uint32_t a_rand(uint32_t i, uint64_t *s) { (void)i; return rng(s) % (64u << 20) & ~3u; }
/* Kernel-like: 90% in a 16 KiB hot set, 10% random in 16 MiB. */
static uint32_t a_mix(uint32_t i, uint64_t *s)
{
    uint32_t r = rng(s);
    (void)i;
    return r % 10 ? 0xc0100000 + (r >> 8) % 16384 : 0xc0000000 + ((r >> 4) % (16u << 20) & ~3u);
}
/* Random pages among 48 (TLB hits) or 4096 (TLB misses). */
static uint32_t a_pg48(uint32_t i, uint64_t *s) { (void)i; return 0xc0000000 + (rng(s) % 48) * 4096; }
static uint32_t a_pg4k(uint32_t i, uint64_t *s) { (void)i; return 0xc0000000 + (rng(s) % 4096) * 4096; }

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
static double run(const pattern *p, const uint32_t *addr, uint64_t n, uint64_t *sink)
{
    emu_timing_config cfg;
    emu_timing_config_default(&cfg);
    emu_cache_model *m = emu_cache_model_create(&cfg, 1);
    emu_tlb *t = emu_tlb_create(&cfg);
    uint64_t cycles = 0;
    uint32_t pa;
    double t0 = now_s();
    for (uint64_t i = 0; i < n; i++) {
        uint32_t a = addr[i & (NADDR - 1)];
        if (p->kind == RUN_CACHE)
            cycles += emu_cache_access(m, 0, a, 4, (i & 7) == 0, EMU_CACHE_DATA);
        else if (p->kind == RUN_TLB)
            cycles += emu_tlb_lookup(t, a, EMU_TLB_DATA, &pa) ? 0
                      : (emu_tlb_fill(t, a, EMU_TLB_DATA, EMU_PTE_P, a | EMU_PTE_P), 1);
        else
            cycles += detailed_access(t, m, a);
    }
    double dt = now_s() - t0;
    *sink += cycles;
    emu_tlb_destroy(t);
    emu_cache_model_destroy(m);
    return n / dt;
}

int main(int argc, char **argv)
{
    static const pattern pats[] = {
        { "cache: 4 KiB sequential (L1 hits)", RUN_CACHE, a_hot },
        { "cache: 1 MiB sequential", RUN_CACHE, a_seq },
        { "cache: 64 MiB random (misses)", RUN_CACHE, a_rand },
        { "cache: kernel-like mix", RUN_CACHE, a_mix },
        { "tlb: 48 random pages (hits)", RUN_TLB, a_pg48 },
        { "tlb: 4096 random pages (misses)", RUN_TLB, a_pg4k },
        { "tlb+walk+cache: kernel-like mix", RUN_BOTH, a_mix },
        { "tlb+walk+cache: 4096 random pages", RUN_BOTH, a_pg4k },
    };
    bool check = argc > 1 && strcmp(argv[1], "--check") == 0;
    uint64_t n = check ? 100000 : 50000000, sink = 0;
    static uint32_t addr[NADDR];
    printf("%-36s %12s %10s\n", "pattern", "M acc/s", "ns/acc");
    for (unsigned i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        uint64_t seed = 0x2545f4914f6cdd1dull;
        for (uint32_t j = 0; j < NADDR; j++)
            addr[j] = pats[i].addr(j, &seed);
        double best = 0;
        for (int r = 0; r < (check ? 1 : 3); r++) {
            double v = run(&pats[i], addr, n, &sink);
            best = v > best ? v : best;
        }
        printf("%-36s %12.1f %10.2f\n", pats[i].name, best / 1e6, 1e9 / best);
    }
    printf("(checksum %llu)\n", (unsigned long long)sink);
    return sink ? 0 : 1;
}
