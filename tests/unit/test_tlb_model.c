/* tests/unit/test_tlb_model.c - the detailed mode's TLBs (emu/tlb_model.h):
 * exact miss counts for sweeps over N pages below and above each TLB's size,
 * conflict misses for power-of-two page strides, random pages against a
 * naive reference, CR3 writes dropping exactly the non-global entries, invlpg
 * exactly one page (global or not, 4 KiB or 4 MiB, both kinds), CR4.PGE and
 * CR0.PG flushes, 4 MiB pages, the page-walk cost through the caches. */
#include "tlb_model.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* The PTE mapping virtual page vpn in these tests: frame 0x10000 + vpn. */
static uint32_t pte_of(uint32_t vpn, uint32_t flags)
{
    return (0x10000u + vpn) << 12 | EMU_PTE_P | flags;
}

#define PDE 0x00003001u     /* a present PDE pointing to a page table at 0x3000 */

/* One access of kind to va: lookup, fill on a miss; checks the translation.
 * Returns true on a hit. */
static bool touch(emu_tlb *t, uint32_t va, emu_tlb_kind kind, uint32_t pte_flags)
{
    uint32_t pa = 0, want = (pte_of(va >> 12, 0) & ~0xfffu) | (va & 0xfffu);
    bool hit = emu_tlb_lookup(t, va, kind, &pa);
    if (!hit)
        pa = emu_tlb_fill(t, va, kind, PDE, pte_of(va >> 12, pte_flags));
    CHECK_EQ(pa, want);
    return hit;
}

/* Same closed form as for the caches: k sweeps over n consecutive pages in
 * an LRU TLB of `sets` sets of `ways` ways. */
static uint64_t sweep_misses(uint64_t n, uint64_t k, uint64_t sets, uint64_t ways)
{
    uint64_t total = 0;
    for (uint64_t s = 0; s < sets; s++) {
        uint64_t m = n / sets + (s < n % sets);
        total += m <= ways ? m : m * k;
    }
    return total;
}

static emu_tlb *make(uint32_t dtlb_entries, uint32_t dtlb_ways)
{
    emu_timing_config c;
    emu_timing_config_default(&c);
    c.dtlb = (emu_tlb_geom){ dtlb_entries, dtlb_ways };
    return emu_tlb_create(&c);
}

/* Sweeps over N pages below, at and above the DTLB's size, several shapes,
 * plus the default ITLB (32 entries, 4-way). */
static void test_sweeps(void)
{
    static const uint32_t geo[][2] = { { 64, 4 }, { 32, 4 }, { 16, 1 }, { 32, 32 }, { 128, 8 } };
    for (unsigned g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        uint32_t entries = geo[g][0], ways = geo[g][1], sets = entries / ways;
        uint32_t ns[] = { entries / 2, entries, entries + 1, entries + sets, entries * 2, entries * 3 };
        for (unsigned j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            emu_tlb *t = make(entries, ways);
            const unsigned k = 4;
            for (unsigned pass = 0; pass < k; pass++)
                for (uint32_t p = 0; p < ns[j]; p++)
                    touch(t, 0x08048000u + p * 4096 + 0x123, EMU_TLB_DATA, 0);
            emu_tlb_stats s;
            emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
            uint64_t miss = sweep_misses(ns[j], k, sets, ways);
            CHECK_EQ(s.misses, miss);
            CHECK_EQ(s.hits, (uint64_t)ns[j] * k - miss);
            CHECK_EQ(s.fills, miss);
            CHECK_EQ(s.evictions, miss > entries ? miss - entries : 0);
            if (ns[j] <= entries)
                CHECK_EQ(s.misses, ns[j]);
            if (ns[j] >= 2 * entries)
                CHECK_EQ(s.misses, (uint64_t)ns[j] * k);
            CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), ns[j] < entries ? ns[j] : entries);
            emu_tlb_get_stats(t, EMU_TLB_INSN, &s);
            CHECK_EQ(s.hits + s.misses, 0);
            emu_tlb_destroy(t);
        }
    }
    emu_tlb *t = make(64, 4);
    for (unsigned pass = 0; pass < 3; pass++)
        for (uint32_t p = 0; p < 33; p++)
            touch(t, p << 12, EMU_TLB_INSN, 0);
    emu_tlb_stats s;
    emu_tlb_get_stats(t, EMU_TLB_INSN, &s);
    CHECK_EQ(s.misses, sweep_misses(33, 3, 8, 4));  /* one set of 8 gets 5 pages */
    CHECK_EQ(s.misses, 7 * 4 + 5 * 3);
    emu_tlb_destroy(t);
}

/* Pages one TLB-set-count apart share a set: ways of them fit, ways+1 thrash. */
static void test_conflicts(void)
{
    static const uint32_t geo[][2] = { { 64, 4 }, { 64, 2 }, { 16, 1 } };
    for (unsigned g = 0; g < 3; g++) {
        uint32_t entries = geo[g][0], ways = geo[g][1], sets = entries / ways;
        for (uint32_t n = ways; n <= ways + 1; n++) {
            emu_tlb *t = make(entries, ways);
            for (unsigned pass = 0; pass < 8; pass++)
                for (uint32_t i = 0; i < n; i++)
                    touch(t, 0x40000000u + i * sets * 4096, EMU_TLB_DATA, 0);
            emu_tlb_stats s;
            emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
            CHECK_EQ(s.misses, n == ways ? ways : n * 8);
            emu_tlb_destroy(t);
        }
    }
}

/* Random pages against a naive timestamp LRU; below the size, misses are
 * exactly the distinct pages. */
static void test_random(void)
{
    uint32_t ns[] = { 16, 64, 65, 200, 4096 };
    for (unsigned j = 0; j < 5; j++) {
        emu_tlb *t = make(64, 4);
        uint32_t ref_vpn[16][4];
        uint64_t ref_stamp[16][4], now = 0, ref_miss = 0, distinct = 0, seed = 88172645463325252ull + j;
        uint8_t *seen = calloc(ns[j], 1);
        memset(ref_stamp, 0, sizeof ref_stamp);
        for (unsigned i = 0; i < 50000; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            uint32_t p = (uint32_t)(seed >> 20) % ns[j], set = p % 16, v = 0;
            distinct += !seen[p];
            seen[p] = 1;
            touch(t, 0x10000000u + p * 4096, EMU_TLB_DATA, 0);
            now++;
            bool hit = false;
            for (unsigned w = 0; w < 4; w++) {
                if (ref_stamp[set][w] && ref_vpn[set][w] == p) {
                    ref_stamp[set][w] = now;
                    hit = true;
                }
                if (ref_stamp[set][w] < ref_stamp[set][v])
                    v = w;
            }
            if (!hit) {
                ref_miss++;
                ref_vpn[set][v] = p;
                ref_stamp[set][v] = now;
            }
        }
        emu_tlb_stats s;
        emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
        CHECK_EQ(s.misses, ref_miss);
        if (ns[j] <= 64)
            CHECK_EQ(s.misses, distinct);
        free(seen);
        emu_tlb_destroy(t);
    }
}

/* mov cr3 drops exactly the non-global entries, and only with CR4.PGE. */
static void test_cr3_and_globals(void)
{
    emu_tlb *t = make(64, 4);
    emu_tlb_write_cr4(t, EMU_CR4_PGE);
    for (uint32_t p = 0; p < 40; p++)            /* every 4th page global: 10 */
        touch(t, 0xc0000000u + p * 4096, EMU_TLB_DATA, p % 4 == 0 ? EMU_PTE_G : 0);
    for (uint32_t p = 0; p < 8; p++)             /* 2 global code pages */
        touch(t, 0xc1000000u + p * 4096, EMU_TLB_INSN, p < 2 ? EMU_PTE_G : 0);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 40);
    emu_tlb_flush_cr3(t);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 10);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_INSN, false), 2);
    emu_tlb_stats s;
    emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
    CHECK_EQ(s.flushes, 2);                      /* setting PGE flushed too */
    CHECK_EQ(s.dropped, 30);
    emu_tlb_reset_stats(t);
    for (uint32_t p = 0; p < 40; p++)
        CHECK(touch(t, 0xc0000000u + p * 4096, EMU_TLB_DATA, p % 4 == 0 ? EMU_PTE_G : 0) == (p % 4 == 0));
    emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
    CHECK_EQ(s.hits, 10);
    CHECK_EQ(s.misses, 30);
    CHECK_EQ(s.evictions, 0);                    /* the freed ways were reused first */
    emu_tlb_entry e;
    CHECK(emu_tlb_probe(t, 0xc0004abc, EMU_TLB_DATA, &e));
    CHECK_EQ(e.vpn, 0xc0004);
    CHECK_EQ(e.pte, pte_of(0xc0004, EMU_PTE_G));
    CHECK(e.global && !e.large);
    CHECK(!emu_tlb_probe(t, 0xc0004abc, EMU_TLB_INSN, &e));
    /* Toggling PGE flushes everything, global entries too. */
    emu_tlb_write_cr4(t, EMU_CR4_PGE | EMU_CR4_PSE);     /* PGE unchanged: nothing */
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 40);
    emu_tlb_write_cr4(t, EMU_CR4_PSE);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 0);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_INSN, false), 0);
    /* Without PGE the G bit is ignored: a CR3 write drops everything. */
    for (uint32_t p = 0; p < 10; p++)
        touch(t, p * 4096, EMU_TLB_DATA, EMU_PTE_G);
    emu_tlb_flush_cr3(t);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 0);
    /* CR0.PG 1 -> 0 flushes everything; 0 -> 1 and 1 -> 1 do not. */
    emu_tlb_write_cr4(t, EMU_CR4_PGE);
    emu_tlb_write_cr0(t, EMU_CR0_PG | 1);
    touch(t, 0x5000, EMU_TLB_DATA, EMU_PTE_G);
    emu_tlb_write_cr0(t, EMU_CR0_PG | 1);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 1);
    emu_tlb_write_cr0(t, 1);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 0);
    emu_tlb_destroy(t);
}

/* invlpg drops exactly one page: in both kinds, global or not, and the
 * 4 MiB entry covering the address. */
static void test_invlpg(void)
{
    emu_tlb *t = make(64, 4);
    emu_tlb_write_cr4(t, EMU_CR4_PGE | EMU_CR4_PSE);
    for (uint32_t p = 0; p < 30; p++)
        touch(t, 0x1000000u + p * 4096, EMU_TLB_DATA, p == 7 ? EMU_PTE_G : 0);
    touch(t, 0x1007000u, EMU_TLB_INSN, EMU_PTE_G);
    touch(t, 0x1008000u, EMU_TLB_INSN, 0);
    emu_tlb_invlpg(t, 0x1007fff);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 29);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_INSN, false), 1);
    uint32_t pa;
    CHECK(!emu_tlb_lookup(t, 0x1007000, EMU_TLB_DATA, &pa));
    CHECK(emu_tlb_lookup(t, 0x1006000, EMU_TLB_DATA, &pa));
    CHECK(emu_tlb_lookup(t, 0x1008000, EMU_TLB_DATA, &pa));
    CHECK(emu_tlb_lookup(t, 0x1008000, EMU_TLB_INSN, &pa));
    emu_tlb_invlpg(t, 0x7fff0000);               /* not cached: nothing */
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 29);
    emu_tlb_stats s;
    emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
    CHECK_EQ(s.invlpgs, 2);
    CHECK_EQ(s.dropped, 1);
    /* A 4 MiB page: invlpg of any address inside it drops it. */
    uint32_t pde4m = 0x0c000000u | EMU_PTE_PS | EMU_PTE_P | EMU_PTE_G;
    CHECK_EQ(emu_tlb_fill(t, 0x80123456u, EMU_TLB_DATA, pde4m, 0), 0x0c123456u);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, true), 1);
    emu_tlb_flush_cr3(t);                        /* global: stays */
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, true), 1);
    emu_tlb_invlpg(t, 0x803ff000u);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, true), 0);
    emu_tlb_destroy(t);
}

/* 4 MiB pages: PS with CR4.PSE goes to the 4 MiB TLB (8 entries, 4-way:
 * 2 sets), translates the whole 4 MiB; PS without PSE is a 4 KiB fill. */
static void test_large_pages(void)
{
    emu_tlb *t = make(64, 4);
    uint32_t pde = 0x00400000u | EMU_PTE_PS | EMU_PTE_P, pa = 0;
    emu_tlb_fill(t, 0x00400000u, EMU_TLB_DATA, pde, pte_of(0x400, 0));   /* no PSE yet */
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, true), 0);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 1);
    emu_tlb_write_cr4(t, EMU_CR4_PSE);
    emu_tlb_flush_all(t);
    CHECK_EQ(emu_tlb_fill(t, 0x00400000u, EMU_TLB_DATA, pde, 0), 0x00400000u);
    CHECK(emu_tlb_lookup(t, 0x007ffffcu, EMU_TLB_DATA, &pa));
    CHECK_EQ(pa, 0x007ffffcu);
    CHECK(!emu_tlb_lookup(t, 0x00800000u, EMU_TLB_DATA, &pa));
    emu_tlb_stats s;
    emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
    CHECK_EQ(s.hits_4m, 1);
    CHECK_EQ(s.fills_4m, 1);
    emu_tlb_flush_all(t);
    emu_tlb_reset_stats(t);
    /* Five 4 MiB pages with even numbers share set 0 of 4 ways: they thrash;
     * four of them fit. */
    for (uint32_t n = 4; n <= 5; n++) {
        emu_tlb_flush_all(t);
        emu_tlb_reset_stats(t);
        for (unsigned pass = 0; pass < 6; pass++)
            for (uint32_t i = 0; i < n; i++) {
                uint32_t va = (2 * i) << 22;
                if (!emu_tlb_lookup(t, va, EMU_TLB_DATA, &pa))
                    emu_tlb_fill(t, va, EMU_TLB_DATA, va | EMU_PTE_PS | EMU_PTE_P, 0);
            }
        emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
        CHECK_EQ(s.misses, n == 4 ? 4 : 30);
        CHECK_EQ(s.fills_4m, s.misses);
    }
    /* The default ITLB for 4 MiB pages holds 2 (fully associative). */
    for (uint32_t i = 0; i < 3; i++)
        emu_tlb_fill(t, i << 22, EMU_TLB_INSN, (i << 22) | EMU_PTE_PS | EMU_PTE_P, 0);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_INSN, true), 2);
    CHECK(!emu_tlb_lookup(t, 0, EMU_TLB_INSN, &pa));
    CHECK(emu_tlb_lookup(t, 2u << 22, EMU_TLB_INSN, &pa));
    emu_tlb_destroy(t);
}

/* Re-filling a cached page replaces it in place: no duplicate, no eviction. */
static void test_refill(void)
{
    emu_tlb *t = make(64, 4);
    touch(t, 0x1000, EMU_TLB_DATA, 0);
    emu_tlb_fill(t, 0x1000, EMU_TLB_DATA, PDE, 0x00abc001u);
    CHECK_EQ(emu_tlb_count(t, EMU_TLB_DATA, false), 1);
    uint32_t pa;
    CHECK(emu_tlb_lookup(t, 0x1234, EMU_TLB_DATA, &pa));
    CHECK_EQ(pa, 0x00abc234u);
    emu_tlb_stats s;
    emu_tlb_get_stats(t, EMU_TLB_DATA, &s);
    CHECK_EQ(s.evictions, 0);
    CHECK_EQ(s.fills, 2);
    emu_tlb_destroy(t);
}

/* Walk cost: walk_latency + PDE read + PTE read through L1D/L2/memory. */
static void test_walk_cycles(void)
{
    emu_timing_config c;
    emu_timing_config_default(&c);
    emu_cache_model *m = emu_cache_model_create(&c, 1);
    emu_tlb *t = emu_tlb_create(&c);
    uint32_t cr3 = 0x1000, pde = 0x2000 | EMU_PTE_P;
    /* Defaults: walk 5, L1 1, L2 8, memory 60. PDE at 0x1004, PTE at 0x200c. */
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x00403000, pde), 5 + 69 + 69);
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x00403000, pde), 5 + 1 + 1);
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x00404000, pde), 5 + 1 + 1);  /* 0x2010: same line */
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x00408000, pde), 5 + 1 + 69); /* 0x2020: next line */
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x80000000, 0), 5 + 69);      /* PDE not present */
    /* PS without PSE: still two reads; with PSE: the PDE only. */
    uint32_t big = 0x00800000 | EMU_PTE_PS | EMU_PTE_P;
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x00c00000, big), 5 + 1 + 69);
    emu_tlb_write_cr4(t, EMU_CR4_PSE);
    CHECK_EQ(emu_tlb_walk_cycles(t, m, 0, cr3, 0x00c00000, big), 5 + 1);
    emu_cache_stats s;
    emu_cache_get_stats(m, EMU_CACHE_L1D, 0, &s);
    CHECK_EQ(s.misses, 5);
    CHECK_EQ(s.hits, 7);
    emu_tlb_destroy(t);
    emu_cache_model_destroy(m);
}

/* Creation refuses a bad geometry. */
static void test_create(void)
{
    emu_timing_config c;
    emu_timing_config_default(&c);
    c.dtlb.ways = 3;
    CHECK(emu_tlb_create(&c) == NULL);
    emu_tlb_destroy(NULL);
}

int main(void)
{
    test_sweeps();
    test_conflicts();
    test_random();
    test_cr3_and_globals();
    test_invlpg();
    test_large_pages();
    test_refill();
    test_walk_cycles();
    test_create();
    return unit_done();
}
