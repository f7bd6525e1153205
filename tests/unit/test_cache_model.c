/* tests/unit/test_cache_model.c - the detailed mode's caches (emu/cache_model.h)
 * against closed-form miss counts: sequential sweeps over arrays smaller and
 * larger than the cache, conflict misses for power-of-two strides, random
 * access against a naive timestamp-LRU reference, write-backs, straddling
 * accesses, latencies, NUMA penalties, several CPUs, determinism. */
#include "cache_model.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* Default config with the given L1D geometry (latency 1) and an L2 big
 * enough (1 MiB, 16-way, 32-byte lines) never to miss twice in these tests. */
static emu_timing_config cfg_l1d(uint32_t size, uint32_t line, uint32_t ways)
{
    emu_timing_config c;
    emu_timing_config_default(&c);
    c.l1d = (emu_cache_geom){ size, line, ways, 1 };
    c.l2 = (emu_cache_geom){ 1u << 20, line > 32 ? line : 32, 16, 8 };
    return c;
}

/* Closed form: misses of k sequential sweeps over lines 0..n-1 in an LRU
 * cache of `sets` sets of `ways` ways.  A set receiving m lines per sweep
 * misses m times in all if m <= ways, else on every access (m * k). */
static uint64_t sweep_misses(uint64_t n, uint64_t k, uint64_t sets, uint64_t ways)
{
    uint64_t total = 0;
    for (uint64_t s = 0; s < sets; s++) {
        uint64_t m = n / sets + (s < n % sets);
        total += m <= ways ? m : m * k;
    }
    return total;
}

/* k sweeps of 4-byte reads at the start of each of n lines from base;
 * returns the cycles. */
static uint64_t sweep(emu_cache_model *m, uint32_t base, uint32_t n, uint32_t line, unsigned k,
                      bool write)
{
    uint64_t cycles = 0;
    for (unsigned pass = 0; pass < k; pass++)
        for (uint32_t i = 0; i < n; i++)
            cycles += emu_cache_access(m, 0, base + i * line, 4, write, EMU_CACHE_DATA);
    return cycles;
}

static void stats(emu_cache_model *m, emu_cache_level l, emu_cache_stats *s)
{
    emu_cache_get_stats(m, l, 0, s);
}

/* Sweeps of arrays below, at and above the capacity of several geometries. */
static void test_sweeps(void)
{
    static const uint32_t geo[][3] = {   /* size, line, ways */
        { 8192, 32, 2 }, { 8192, 32, 4 }, { 4096, 64, 1 }, { 2048, 32, 32 }, { 1024, 32, 32 }, { 16384, 16, 8 },
    };
    for (unsigned g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        uint32_t size = geo[g][0], line = geo[g][1], ways = geo[g][2];
        uint32_t lines = size / line, sets = lines / ways;
        uint32_t ns[] = { lines / 2, lines, lines + 1, lines + sets, lines * 3 / 2, lines * 2, lines * 4 };
        for (unsigned j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            emu_timing_config c = cfg_l1d(size, line, ways);
            emu_cache_model *m = emu_cache_model_create(&c, 1);
            const unsigned k = 5;
            sweep(m, 0x100000, ns[j], line, k, false);
            emu_cache_stats s;
            stats(m, EMU_CACHE_L1D, &s);
            uint64_t miss = sweep_misses(ns[j], k, sets, ways);
            CHECK_EQ(s.misses, miss);
            CHECK_EQ(s.hits, (uint64_t)ns[j] * k - miss);
            CHECK_EQ(s.evictions, miss > lines ? miss - lines : 0);
            CHECK_EQ(s.writebacks, 0);
            if (ns[j] <= lines)
                CHECK_EQ(s.misses, ns[j]);              /* fits: compulsory only */
            if (ns[j] >= lines * 2)
                CHECK_EQ(s.misses, (uint64_t)ns[j] * k); /* every set overfull: all miss */
            stats(m, EMU_CACHE_L2, &s);                 /* L2 holds the whole array */
            uint64_t l2_lines = ((uint64_t)ns[j] * line + c.l2.line - 1) / c.l2.line;
            CHECK_EQ(s.misses, l2_lines);
            CHECK_EQ(s.hits, miss - l2_lines);
            emu_cache_model_destroy(m);
        }
    }
}

/* Exact cycles: L1 hit 1, L2 hit 1 + 8, memory 1 + 8 + 60. */
static void test_latencies(void)
{
    emu_timing_config c = cfg_l1d(8192, 32, 2);
    emu_cache_model *m = emu_cache_model_create(&c, 1);
    CHECK_EQ(sweep(m, 0, 256, 32, 3, false), 256 * 69 + 2 * 256 * 1);
    emu_cache_model_destroy(m);
    m = emu_cache_model_create(&c, 1);
    CHECK_EQ(sweep(m, 0, 512, 32, 3, false), 512 * 69 + 2 * 512 * 9);
    emu_cache_mem_stats ms;
    emu_cache_get_mem_stats(m, &ms);
    CHECK_EQ(ms.reads, 512);
    CHECK_EQ(ms.writebacks, 0);
    CHECK_EQ(ms.remote, 0);
    emu_cache_model_destroy(m);
    c.l1d.latency = 3;
    c.l2.latency = 11;
    c.mem_latency = 100;
    m = emu_cache_model_create(&c, 1);
    CHECK_EQ(emu_cache_access(m, 0, 0x2000, 4, false, EMU_CACHE_DATA), 114);
    CHECK_EQ(emu_cache_access(m, 0, 0x2004, 4, true, EMU_CACHE_DATA), 3);
    emu_cache_model_destroy(m);
}

/* Power-of-two strides: lines one way-size apart share a set; ways of them
 * fit, ways + 1 thrash on every access. */
static void test_conflicts(void)
{
    static const uint32_t geo[][3] = { { 8192, 32, 2 }, { 8192, 32, 4 }, { 4096, 64, 1 }, { 32768, 32, 8 } };
    for (unsigned g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        uint32_t size = geo[g][0], line = geo[g][1], ways = geo[g][2];
        uint32_t stride = size / ways;          /* sets * line */
        for (uint32_t n = ways; n <= ways + 1; n++) {
            emu_timing_config c = cfg_l1d(size, line, ways);
            emu_cache_model *m = emu_cache_model_create(&c, 1);
            const unsigned k = 10;
            for (unsigned pass = 0; pass < k; pass++)
                for (uint32_t i = 0; i < n; i++)
                    emu_cache_access(m, 0, 0x40000 + i * stride, 4, false, EMU_CACHE_DATA);
            emu_cache_stats s;
            stats(m, EMU_CACHE_L1D, &s);
            CHECK_EQ(s.misses, n == ways ? ways : (uint64_t)n * k);
            CHECK_EQ(s.hits, n == ways ? (uint64_t)ways * (k - 1) : 0);
            emu_cache_model_destroy(m);
        }
    }
}

/* ---- a naive reference: timestamps, victim = invalid way or oldest ------- */

typedef struct ref_cache {
    uint32_t sets, ways, shift;
    uint32_t *line;         /* sets * ways */
    uint64_t *stamp;        /* 0 = invalid */
    uint8_t *dirty;
    uint64_t now, hits, misses, evictions, writebacks;
} ref_cache;

static void ref_init(ref_cache *r, uint32_t size, uint32_t line, uint32_t ways)
{
    memset(r, 0, sizeof *r);
    r->ways = ways;
    r->sets = size / line / ways;
    while ((1u << r->shift) < line)
        r->shift++;
    r->line = calloc((size_t)r->sets * ways, sizeof *r->line);
    r->stamp = calloc((size_t)r->sets * ways, sizeof *r->stamp);
    r->dirty = calloc((size_t)r->sets * ways, 1);
}

static void ref_access(ref_cache *r, uint32_t paddr, bool write)
{
    uint32_t ln = paddr >> r->shift, base = (ln % r->sets) * r->ways, victim = base;
    r->now++;
    for (uint32_t w = base; w < base + r->ways; w++) {
        if (r->stamp[w] && r->line[w] == ln) {
            r->hits++;
            r->stamp[w] = r->now;
            r->dirty[w] |= write;
            return;
        }
        if (r->stamp[w] < r->stamp[victim])
            victim = w;
    }
    r->misses++;
    r->evictions += r->stamp[victim] != 0;
    r->writebacks += r->stamp[victim] && r->dirty[victim];
    r->line[victim] = ln;
    r->stamp[victim] = r->now;
    r->dirty[victim] = write;
}

static void ref_free(ref_cache *r)
{
    free(r->line);
    free(r->stamp);
    free(r->dirty);
}

static uint32_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 16);
}

/* Random reads and writes over arrays smaller and larger than the cache:
 * every counter equals the reference's; below capacity, misses are exactly
 * the distinct lines touched. */
static void test_random(void)
{
    static const uint32_t geo[][3] = { { 8192, 32, 2 }, { 8192, 32, 4 }, { 1024, 32, 32 }, { 4096, 64, 1 } };
    for (unsigned g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        uint32_t size = geo[g][0], line = geo[g][1], ways = geo[g][2];
        uint32_t lines = size / line;
        uint32_t ns[] = { lines / 4, lines, lines * 2, lines * 16 };
        for (unsigned j = 0; j < 4; j++) {
            emu_timing_config c = cfg_l1d(size, line, ways);
            emu_cache_model *m = emu_cache_model_create(&c, 1);
            ref_cache r;
            ref_init(&r, size, line, ways);
            uint8_t *seen = calloc(ns[j], 1);
            uint64_t seed = 0x9e3779b97f4a7c15ull + g * 31 + j, distinct = 0;
            for (unsigned i = 0; i < 100000; i++) {
                uint32_t x = rng_next(&seed), idx = x % ns[j];
                uint32_t pa = 0x200000 + idx * line + (x >> 24) % (line - 3);
                bool w = (x >> 20) & 1;
                distinct += !seen[idx];
                seen[idx] = 1;
                emu_cache_access(m, 0, pa, 4, w, EMU_CACHE_DATA);
                ref_access(&r, pa, w);
            }
            emu_cache_stats s;
            stats(m, EMU_CACHE_L1D, &s);
            CHECK_EQ(s.hits, r.hits);
            CHECK_EQ(s.misses, r.misses);
            CHECK_EQ(s.evictions, r.evictions);
            CHECK_EQ(s.writebacks, r.writebacks);
            if (ns[j] <= lines)
                CHECK_EQ(s.misses, distinct);
            else
                CHECK(s.misses > distinct);
            free(seen);
            ref_free(&r);
            emu_cache_model_destroy(m);
        }
    }
}

/* Write-back with write-allocate: dirty lines are written back exactly when
 * evicted, from L1 into L2 and from L2 into memory. */
static void test_writeback(void)
{
    emu_timing_config c = cfg_l1d(8192, 32, 2);
    emu_cache_model *m = emu_cache_model_create(&c, 1);
    emu_cache_stats s;
    sweep(m, 0, 100, 32, 1, true);              /* 100 write misses, allocated dirty */
    sweep(m, 0, 100, 32, 1, false);             /* all hits */
    stats(m, EMU_CACHE_L1D, &s);
    CHECK_EQ(s.misses, 100);
    CHECK_EQ(s.hits, 100);
    CHECK_EQ(s.writebacks, 0);
    sweep(m, 0x10000, 256, 32, 1, false);       /* a clean array filling the cache */
    stats(m, EMU_CACHE_L1D, &s);
    CHECK_EQ(s.evictions, 100);
    CHECK_EQ(s.writebacks, 100);
    stats(m, EMU_CACHE_L2, &s);
    CHECK_EQ(s.misses, 356);                    /* 100 + 256 fills */
    CHECK_EQ(s.hits, 100);                      /* the write-backs found their lines */
    emu_cache_mem_stats ms;
    emu_cache_get_mem_stats(m, &ms);
    CHECK_EQ(ms.writebacks, 0);
    emu_cache_flush_all(m);                     /* 100 dirty L2 lines to memory */
    emu_cache_get_mem_stats(m, &ms);
    CHECK_EQ(ms.writebacks, 100);
    stats(m, EMU_CACHE_L1D, &s);
    CHECK_EQ(s.writebacks, 100);                /* the L1 held no dirty line any more */
    CHECK_EQ(emu_cache_access(m, 0, 0, 4, false, EMU_CACHE_DATA), 69);   /* all invalid */
    emu_cache_model_destroy(m);

    /* A tiny L2 (1 KiB, direct-mapped): dirty L2 victims reach memory. */
    c.l2 = (emu_cache_geom){ 1024, 32, 1, 8 };
    c.l1d = (emu_cache_geom){ 512, 32, 1, 1 };
    m = emu_cache_model_create(&c, 1);
    sweep(m, 0, 16, 32, 1, true);               /* 16 dirty L1 lines, clean in L2 */
    /* Lines 2 KiB further share both their L1 and L2 sets: each evicts a dirty
     * L1 line (written back into L2, where it becomes dirty), then its fill
     * evicts that dirty L2 line to memory. */
    sweep(m, 0x800, 16, 32, 1, false);
    sweep(m, 0x1000, 32, 32, 1, false);         /* clean victims only */
    stats(m, EMU_CACHE_L1D, &s);
    CHECK_EQ(s.writebacks, 16);
    emu_cache_get_mem_stats(m, &ms);
    CHECK_EQ(ms.writebacks, 16);
    CHECK_EQ(ms.reads, 16 + 16 + 32);
    emu_cache_model_destroy(m);
}

/* Accesses across a line boundary touch both lines; instruction fetches go
 * to L1I; a write of kind INSN goes to L1D. */
static void test_straddle_and_kinds(void)
{
    emu_timing_config c = cfg_l1d(8192, 32, 2);
    emu_cache_model *m = emu_cache_model_create(&c, 1);
    emu_cache_stats s;
    CHECK_EQ(emu_cache_access(m, 0, 0x101e, 4, false, EMU_CACHE_DATA), 2 * 69);
    CHECK_EQ(emu_cache_access(m, 0, 0x1000, 64, false, EMU_CACHE_DATA), 2);  /* both hit */
    CHECK_EQ(emu_cache_access(m, 0, 0x1000, 65, false, EMU_CACHE_DATA), 2 + 69);
    CHECK_EQ(emu_cache_access(m, 0, 0x1000, 0, false, EMU_CACHE_DATA), 1);   /* size 0 = 1 */
    CHECK_EQ(emu_cache_access(m, 0, 0xfffffffe, 8, false, EMU_CACHE_DATA), 69); /* clipped */
    stats(m, EMU_CACHE_L1D, &s);
    CHECK_EQ(s.misses, 4);
    CHECK_EQ(s.hits, 5);
    CHECK_EQ(emu_cache_access(m, 0, 0x1000, 4, false, EMU_CACHE_INSN), 9);   /* L1I miss, L2 hit */
    CHECK_EQ(emu_cache_access(m, 0, 0x1000, 4, false, EMU_CACHE_INSN), 1);
    stats(m, EMU_CACHE_L1I, &s);
    CHECK_EQ(s.misses, 1);
    CHECK_EQ(s.hits, 1);
    CHECK_EQ(emu_cache_access(m, 0, 0x3000, 4, true, EMU_CACHE_INSN), 69);
    stats(m, EMU_CACHE_L1I, &s);
    CHECK_EQ(s.misses + s.hits, 2);
    stats(m, EMU_CACHE_L1D, &s);
    CHECK_EQ(s.misses, 5);
    emu_cache_model_destroy(m);
}

/* Per-CPU L1s, a shared L2, and the remote-node penalty. */
static void test_cpus_and_nodes(void)
{
    emu_timing_config c = cfg_l1d(8192, 32, 2);
    c.remote_penalty = 40;
    CHECK(emu_cache_model_create(&c, 0) == NULL);
    CHECK(emu_cache_model_create(&c, EMU_CACHE_MAX_CPUS + 1) == NULL);
    emu_cache_model *m = emu_cache_model_create(&c, 2);
    CHECK_EQ(emu_cache_access(m, 0, 0x5000, 4, false, EMU_CACHE_DATA), 69);
    CHECK_EQ(emu_cache_access(m, 1, 0x5000, 4, false, EMU_CACHE_DATA), 9);   /* L2 shared */
    CHECK_EQ(emu_cache_access(m, 1, 0x5000, 4, false, EMU_CACHE_DATA), 1);
    emu_cache_stats s;
    emu_cache_get_stats(m, EMU_CACHE_L1D, 1, &s);
    CHECK_EQ(s.misses, 1);
    CHECK_EQ(s.hits, 1);
    CHECK(emu_cache_add_node_range(m, 0, 64u << 20, 0));
    CHECK(emu_cache_add_node_range(m, 64u << 20, 128u << 20, 1));
    CHECK(!emu_cache_add_node_range(m, 5, 5, 1));
    CHECK(!emu_cache_add_node_range(m, 0, 5, EMU_CACHE_MAX_NODES));
    CHECK(emu_cache_set_cpu_node(m, 1, 1));
    CHECK(!emu_cache_set_cpu_node(m, 2, 0));
    CHECK_EQ(emu_cache_node_of(m, (64u << 20) - 1), 0);
    CHECK_EQ(emu_cache_node_of(m, 64u << 20), 1);
    CHECK_EQ(emu_cache_node_of(m, 200u << 20), 0);
    CHECK_EQ(emu_cache_access(m, 0, 65u << 20, 4, false, EMU_CACHE_DATA), 69 + 40);
    CHECK_EQ(emu_cache_access(m, 1, 66u << 20, 4, false, EMU_CACHE_DATA), 69);
    CHECK_EQ(emu_cache_access(m, 1, 1u << 20, 4, false, EMU_CACHE_DATA), 69 + 40);
    emu_cache_mem_stats ms;
    emu_cache_get_mem_stats(m, &ms);
    CHECK_EQ(ms.reads, 4);
    CHECK_EQ(ms.remote, 2);
    emu_cache_reset_stats(m);
    emu_cache_get_mem_stats(m, &ms);
    CHECK_EQ(ms.reads, 0);
    emu_cache_get_stats(m, EMU_CACHE_L1D, 1, &s);
    CHECK_EQ(s.hits + s.misses, 0);
    emu_cache_model_destroy(m);
}

/* A fixed pseudo-random mixed run: the same cycles and counters twice. */
static uint64_t mixed_run(emu_cache_stats *l2)
{
    emu_timing_config c;
    emu_timing_config_default(&c);
    emu_cache_model *m = emu_cache_model_create(&c, 4);
    uint64_t seed = 12345, cycles = 0;
    for (unsigned i = 0; i < 200000; i++) {
        uint32_t x = rng_next(&seed);
        cycles += emu_cache_access(m, x & 3, (x * 4099u) & 0x3fffffu, 1 + (x >> 28), (x >> 5) & 1,
                                   (emu_cache_kind)((x >> 6) & 1));
    }
    emu_cache_get_stats(m, EMU_CACHE_L2, 0, l2);
    emu_cache_model_destroy(m);
    return cycles;
}

static void test_determinism(void)
{
    emu_cache_stats a, b;
    uint64_t ca = mixed_run(&a), cb = mixed_run(&b);
    CHECK_EQ(ca, cb);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(ca > 200000);
}

int main(void)
{
    test_sweeps();
    test_latencies();
    test_conflicts();
    test_random();
    test_writeback();
    test_straddle_and_kinds();
    test_cpus_and_nodes();
    test_determinism();
    emu_cache_model_destroy(NULL);
    return unit_done();
}
