/* emu/cache_model.h - the detailed mode's cache model: an L1 instruction and
 * an L1 data cache per CPU and one shared L2, set-associative with true LRU,
 * write-back with write-allocate, then memory with an optional remote-node
 * penalty.
 *
 *     emu_cache_model *m = emu_cache_model_create(&cfg, ncpus);
 *     cycles += emu_cache_access(m, cpu, paddr, 4, true, EMU_CACHE_DATA);
 *
 * Latencies add up along the path an access takes: an L1 hit costs
 * l1.latency; an L1 miss adds l2.latency; an L2 miss adds mem_latency (and
 * remote_penalty when the line's node differs from the CPU's).  Write-backs
 * are counted but not charged.  There is no coherence between the per-CPU
 * L1s.  docs/timing.md ("Detailed mode: the models") has the details.
 *
 * Pure host-side state: deterministic, no allocation after creation, not
 * thread-safe (the machine interleaves its CPUs on one thread).
 */
#ifndef EMU_CACHE_MODEL_H
#define EMU_CACHE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "timing_config.h"

/* Which L1 an access goes through. */
typedef enum emu_cache_kind {
    EMU_CACHE_INSN = 0,     /* instruction fetch: L1I (never dirty) */
    EMU_CACHE_DATA = 1,     /* load, store, page-walk read: L1D */
} emu_cache_kind;

/* Which cache emu_cache_get_stats reports on. */
typedef enum emu_cache_level {
    EMU_CACHE_L1I = 0,
    EMU_CACHE_L1D = 1,
    EMU_CACHE_L2 = 2,
} emu_cache_level;

/* Counters of one cache.  Every line looked up counts one hit or one miss;
 * a miss that replaces a valid line counts an eviction, and a write-back too
 * when that line was dirty.  L2 also counts the L1 write-backs it absorbs
 * (as hits or misses: they are looked up like any access). */
typedef struct emu_cache_stats {
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;     /* valid lines replaced */
    uint64_t writebacks;    /* dirty lines replaced (a subset of evictions) */
} emu_cache_stats;

/* Memory-side counters of the whole model. */
typedef struct emu_cache_mem_stats {
    uint64_t reads;         /* line fills from memory (L2 misses) */
    uint64_t writebacks;    /* dirty L2 lines written to memory */
    uint64_t remote;        /* fills whose node differed from the CPU's */
} emu_cache_mem_stats;

/* One CPU's share: its L1 fills that hit or missed L2 (write-backs into L2
 * are nobody's), and its memory fills from a remote node. */
typedef struct emu_cache_cpu_stats {
    uint64_t l2_hits, l2_misses, remote;
} emu_cache_cpu_stats;

typedef struct emu_cache_model emu_cache_model;

/* Creates the caches of cfg for ncpus CPUs (1..EMU_CACHE_MAX_CPUS), all lines
 * invalid, one node.  cfg must pass emu_timing_config_check; NULL if it does
 * not or memory runs out. */
emu_cache_model *emu_cache_model_create(const emu_timing_config *cfg, unsigned ncpus);
#define EMU_CACHE_MAX_CPUS 64u

/* The inline fast path of one CPU's L1 (emu/detailed.h): enough of the
 * cache to see whether an access hits the most recently used way of its
 * set, which changes nothing but the hit counter and, for a store, the
 * line's dirty bit.  Tags are (line << 2) | EMU_CACHE_TAG_DIRTY? |
 * EMU_CACHE_TAG_VALID, 0 when invalid; way 0 of a set is its MRU way. */
#define EMU_CACHE_TAG_VALID 1u
#define EMU_CACHE_TAG_DIRTY 2u
typedef struct emu_cache_mru {
    uint32_t *tags;
    uint32_t set_mask, ways, line_shift, latency;
    uint64_t *hits;
} emu_cache_mru;

/* Fills *v for cpu's L1 of kind (valid as long as the model lives). */
void emu_cache_mru_view(emu_cache_model *m, unsigned cpu, emu_cache_kind kind, emu_cache_mru *v);

/* When every line of [paddr, paddr + size) (size >= 1, at most four
 * lines) is the most recently used line of its set: counts a hit per line,
 * marks them dirty for a store, stores the cycles in *cycles (the L1
 * latency per line, as emu_cache_access would) and returns true.
 * Otherwise returns false and changes nothing. */
static inline bool emu_cache_mru_hit(const emu_cache_mru *v, uint32_t paddr, uint32_t size, bool write,
                                     uint32_t *cycles)
{
    uint32_t first = paddr >> v->line_shift, last = (paddr + size - 1) >> v->line_shift;
    if (__builtin_expect(first == last, 1)) {   /* one line: the common case */
        uint32_t *s0 = v->tags + (size_t)(first & v->set_mask) * v->ways;
        if ((*s0 & ~EMU_CACHE_TAG_DIRTY) != (first << 2 | EMU_CACHE_TAG_VALID))
            return false;
        if (write)
            *s0 |= EMU_CACHE_TAG_DIRTY;
        ++*v->hits;
        *cycles = v->latency;
        return true;
    }
    if (last - first > 3 || last < first)
        return false;
    for (uint32_t line = first; line <= last; line++) {
        const uint32_t *s0 = v->tags + (size_t)(line & v->set_mask) * v->ways;
        if ((*s0 & ~EMU_CACHE_TAG_DIRTY) != (line << 2 | EMU_CACHE_TAG_VALID))
            return false;
    }
    for (uint32_t line = first; line <= last; line++)
        v->tags[(size_t)(line & v->set_mask) * v->ways] |= (uint32_t)write << 1;
    *v->hits += last - first + 1;
    *cycles = v->latency * (last - first + 1);
    return true;
}

/* Frees the model; NULL is fine. */
void emu_cache_model_destroy(emu_cache_model *m);

/* Hot path: one access of size bytes (0 counts as 1) at paddr by cpu (below
 * the ncpus given at creation).  Every line the bytes touch is accessed in
 * turn, lowest first (a straddling access touches two); bytes past 4 GiB are
 * dropped.  A write with kind EMU_CACHE_INSN is treated as data.  Returns the
 * cycles: the sum over the lines. */
uint32_t emu_cache_access(emu_cache_model *m, unsigned cpu, uint32_t paddr, uint32_t size,
                          bool write, emu_cache_kind kind);

/* NUMA: physical addresses [start, end) belong to node (0..EMU_CACHE_MAX_NODES-1).
 * Unlisted addresses are on node 0.  Up to EMU_CACHE_MAX_NODES ranges; false
 * (nothing changed) when the table is full or the range is empty. */
bool emu_cache_add_node_range(emu_cache_model *m, uint64_t start, uint64_t end, unsigned node);
#define EMU_CACHE_MAX_NODES 8u

/* NUMA: cpu's node (default 0); false for a bad cpu or node. */
bool emu_cache_set_cpu_node(emu_cache_model *m, unsigned cpu, unsigned node);

/* The node of paddr under the current range table. */
unsigned emu_cache_node_of(const emu_cache_model *m, uint32_t paddr);

/* Writes every dirty line back (counted as write-backs, L1 into L2, L2 into
 * memory) and invalidates every line (wbinvd; also used between tests). */
void emu_cache_flush_all(emu_cache_model *m);

/* Copies the counters of one cache (cpu is ignored for EMU_CACHE_L2). */
void emu_cache_get_stats(const emu_cache_model *m, emu_cache_level level, unsigned cpu,
                         emu_cache_stats *s);

/* Copies cpu's share of the L2 and memory counters. */
void emu_cache_get_cpu_stats(const emu_cache_model *m, unsigned cpu, emu_cache_cpu_stats *s);

/* Copies the memory-side counters. */
void emu_cache_get_mem_stats(const emu_cache_model *m, emu_cache_mem_stats *s);

/* Zeroes every counter; the cache contents stay. */
void emu_cache_reset_stats(emu_cache_model *m);

#endif
