/* emu/cache_model.c - L1I/L1D per CPU, shared L2, memory (see cache_model.h).
 *
 * Each set is an array of `ways` 32-bit entries kept in recency order: way 0
 * is the most recently used, the last way the least.  A hit moves its entry
 * to the front, a miss drops the last entry (the LRU victim, or an invalid
 * one: invalid entries always sit behind the valid ones) and puts the new
 * line in front.  That is exact LRU with one compare for the common case (the
 * line used last) and no timestamps.
 *
 * An entry is (line number << 2) | DIRTY | VALID, 0 when invalid.  Physical
 * addresses are 32-bit and lines at least 4 bytes, so line numbers fit.
 */
#include "cache_model.h"

#include <stdlib.h>
#include <string.h>

#define VALID EMU_CACHE_TAG_VALID
#define DIRTY EMU_CACHE_TAG_DIRTY

/* One cache.  Invariants: tags holds (set_mask + 1) * ways entries, each set
 * in recency order with invalid entries last; set_mask + 1 is a power of two;
 * 1 <= ways <= EMU_MODEL_MAX_WAYS; entries of an L1I are never DIRTY. */
typedef struct cache {
    uint32_t *tags;         /* the sets, one after another */
    uint32_t set_mask;      /* sets - 1 */
    uint32_t ways;
    uint32_t line_shift;    /* log2(line size) */
    uint32_t latency;       /* cycles per lookup */
    emu_cache_stats st;
} cache;

/* The model.  Invariants: l1[2 * cpu + kind] is cpu's L1 of that kind for
 * cpu < ncpus; l2's line is at least as long as every L1's (checked by
 * emu_timing_config_check), so an L1 line lies inside one L2 line;
 * nranges <= EMU_CACHE_MAX_NODES; every node number < EMU_CACHE_MAX_NODES. */
struct emu_cache_model {
    unsigned ncpus;
    uint32_t mem_latency;
    uint32_t remote_penalty;
    cache l2;
    emu_cache_mem_stats mem;
    unsigned nranges;
    uint64_t range_start[EMU_CACHE_MAX_NODES];  /* [start, end) -> node */
    uint64_t range_end[EMU_CACHE_MAX_NODES];
    uint8_t range_node[EMU_CACHE_MAX_NODES];
    uint8_t cpu_node[EMU_CACHE_MAX_CPUS];
    emu_cache_cpu_stats cpu_st[EMU_CACHE_MAX_CPUS];   /* each CPU's share of L2 and memory */
    uint32_t *tag_block;    /* every cache's tags, one allocation */
    cache l1[];             /* 2 * ncpus */
};

/* log2 of a power of two. */
static uint32_t log2u(uint32_t v)
{
    uint32_t s = 0;
    while ((1u << s) < v)
        s++;
    return s;
}

/* Number of tag entries of geometry g. */
static size_t geom_entries(const emu_cache_geom *g)
{
    return g->size / g->line;
}

/* Sets up c over tags (all invalid) for geometry g. */
static void cache_init(cache *c, const emu_cache_geom *g, uint32_t *tags)
{
    memset(tags, 0, geom_entries(g) * sizeof *tags);
    c->tags = tags;
    c->ways = g->ways;
    c->set_mask = g->size / (g->line * g->ways) - 1;
    c->line_shift = log2u(g->line);
    c->latency = g->latency;
    memset(&c->st, 0, sizeof c->st);
}

/* Puts e in s[0], moving s[0..i-1] up one way (s[i] is overwritten).  A
 * carried copy rather than a shifting loop, which GCC turns into a memmove
 * call: sets have few ways, and the call costs more than the copy. */
static inline void rotate_in(uint32_t *s, uint32_t i, uint32_t e)
{
    for (uint32_t j = 0; j <= i; j++) {
        uint32_t t = s[j];
        s[j] = e;
        e = t;
    }
}

/* Looks line up in c and makes it the set's MRU entry, or'ing dirty (0 or
 * DIRTY) into it.  On a miss the LRU entry is replaced: it is returned in
 * *victim (0 when the way was invalid) and counted.  Returns true on a hit. */
static inline bool cache_touch(cache *c, uint32_t line, uint32_t dirty, uint32_t *victim)
{
    uint32_t *s = c->tags + (size_t)(line & c->set_mask) * c->ways;
    uint32_t want = line << 2 | VALID;
    if ((s[0] & ~DIRTY) == want) {
        s[0] |= dirty;
        c->st.hits++;
        return true;
    }
    uint32_t last = c->ways - 1, i = 1;
    while (i <= last && (s[i] & ~DIRTY) != want)
        i++;
    bool hit = i <= last;
    uint32_t e = want;
    if (hit) {
        e = s[i];
        c->st.hits++;
    } else {
        i = last;
        *victim = s[last];
        c->st.misses++;
        c->st.evictions += s[last] & VALID;
        c->st.writebacks += (s[last] & DIRTY) >> 1;
    }
    rotate_in(s, i, e | dirty);
    return hit;
}

/* The node holding paddr: the first listed range containing it, else 0. */
unsigned emu_cache_node_of(const emu_cache_model *m, uint32_t paddr)
{
    for (unsigned i = 0; i < m->nranges; i++)
        if (paddr >= m->range_start[i] && paddr < m->range_end[i])
            return m->range_node[i];
    return 0;
}

/* A dirty line leaving L2 for memory. */
static inline void mem_writeback(emu_cache_model *m, uint32_t victim)
{
    m->mem.writebacks += (victim & DIRTY) >> 1;
}

/* Cycles of fetching the L2 line at paddr from memory for cpu. */
static uint32_t mem_fill(emu_cache_model *m, unsigned cpu, uint32_t paddr)
{
    m->mem.reads++;
    if (emu_cache_node_of(m, paddr) == m->cpu_node[cpu])
        return m->mem_latency;
    m->mem.remote++;
    m->cpu_st[cpu].remote++;
    return m->mem_latency + m->remote_penalty;
}

/* An L1 line fill through L2: cycles of the L2 lookup and, on an L2 miss,
 * of memory.  An L2 victim that was dirty is written to memory. */
static uint32_t l2_read(emu_cache_model *m, unsigned cpu, uint32_t paddr)
{
    uint32_t victim = 0;
    if (cache_touch(&m->l2, paddr >> m->l2.line_shift, 0, &victim)) {
        m->cpu_st[cpu].l2_hits++;
        return m->l2.latency;
    }
    m->cpu_st[cpu].l2_misses++;
    mem_writeback(m, victim);
    return m->l2.latency + mem_fill(m, cpu, paddr);
}

/* A dirty L1 line written back into L2 (allocated there on a miss, without
 * reading memory: not charged to anyone). */
static void l2_absorb(emu_cache_model *m, uint32_t paddr)
{
    uint32_t victim = 0;
    if (!cache_touch(&m->l2, paddr >> m->l2.line_shift, DIRTY, &victim))
        mem_writeback(m, victim);
}

/* One line of an access through l1: cycles.  A dirty L1 victim goes to L2
 * first, then the line is filled from L2 (write-allocate: a write miss fills
 * like a read and leaves the L1 line dirty). */
static inline uint32_t access_line(emu_cache_model *m, unsigned cpu, cache *l1, uint32_t line,
                                   uint32_t dirty)
{
    uint32_t victim = 0;
    if (cache_touch(l1, line, dirty, &victim))
        return l1->latency;
    if (victim & DIRTY)
        l2_absorb(m, (victim >> 2) << l1->line_shift);
    return l1->latency + l2_read(m, cpu, line << l1->line_shift);
}

/* Everything but an MRU hit of a one-line access: each line the bytes touch,
 * lowest first, through access_line; returns the summed cycles. */
static __attribute__((noinline)) uint32_t access_slow(emu_cache_model *m, unsigned cpu, cache *l1,
                                                      uint32_t paddr, uint32_t size, uint32_t dirty)
{
    uint64_t end = (uint64_t)paddr + (size ? size : 1) - 1;
    uint32_t first = paddr >> l1->line_shift;
    uint32_t last = (uint32_t)((end > UINT32_MAX ? UINT32_MAX : end) >> l1->line_shift);
    uint32_t cycles = access_line(m, cpu, l1, first, dirty);
    for (uint32_t line = first; line != last; )
        cycles += access_line(m, cpu, l1, ++line, dirty);
    return cycles;
}

/* Hot path (contract in cache_model.h): a one-line access hitting the MRU
 * way of its set (the common case: the line used last) is handled here; the
 * rest goes out of line so that this stays a leaf with few registers. */
uint32_t emu_cache_access(emu_cache_model *m, unsigned cpu, uint32_t paddr, uint32_t size,
                          bool write, emu_cache_kind kind)
{
    cache *l1 = &m->l1[2 * cpu + ((unsigned)kind | (unsigned)write)];
    uint32_t line = paddr >> l1->line_shift;
    uint32_t *s0 = l1->tags + (size_t)(line & l1->set_mask) * l1->ways;
    uint32_t dirty = (uint32_t)write << 1;
    bool one_line = (((uint64_t)paddr + size - 1) >> l1->line_shift) == line;
    if (__builtin_expect((*s0 & ~DIRTY) == (line << 2 | VALID) && one_line && size, 1)) {
        *s0 |= dirty;
        l1->st.hits++;
        return l1->latency;
    }
    return access_slow(m, cpu, l1, paddr, size, dirty);
}

/* Creates the model (contract in cache_model.h). */
emu_cache_model *emu_cache_model_create(const emu_timing_config *cfg, unsigned ncpus)
{
    char err[128];
    if (ncpus < 1 || ncpus > EMU_CACHE_MAX_CPUS || !emu_timing_config_check(cfg, err, sizeof err))
        return NULL;
    size_t per_cpu = geom_entries(&cfg->l1i) + geom_entries(&cfg->l1d);
    size_t total = per_cpu * ncpus + geom_entries(&cfg->l2);
    emu_cache_model *m = calloc(1, sizeof *m + 2 * ncpus * sizeof(cache));
    uint32_t *tags = malloc(total * sizeof *tags);
    if (!m || !tags) {
        free(m);
        free(tags);
        return NULL;
    }
    m->ncpus = ncpus;
    m->mem_latency = cfg->mem_latency;
    m->remote_penalty = cfg->remote_penalty;
    m->tag_block = tags;
    for (unsigned c = 0; c < ncpus; c++) {
        cache_init(&m->l1[2 * c + EMU_CACHE_INSN], &cfg->l1i, tags);
        tags += geom_entries(&cfg->l1i);
        cache_init(&m->l1[2 * c + EMU_CACHE_DATA], &cfg->l1d, tags);
        tags += geom_entries(&cfg->l1d);
    }
    cache_init(&m->l2, &cfg->l2, tags);
    return m;
}

/* Frees the model; NULL is fine. */
void emu_cache_model_destroy(emu_cache_model *m)
{
    if (!m)
        return;
    free(m->tag_block);
    free(m);
}

/* Adds a node range (contract in cache_model.h). */
bool emu_cache_add_node_range(emu_cache_model *m, uint64_t start, uint64_t end, unsigned node)
{
    if (m->nranges >= EMU_CACHE_MAX_NODES || start >= end || node >= EMU_CACHE_MAX_NODES)
        return false;
    m->range_start[m->nranges] = start;
    m->range_end[m->nranges] = end;
    m->range_node[m->nranges] = (uint8_t)node;
    m->nranges++;
    return true;
}

/* Sets cpu's node (contract in cache_model.h). */
bool emu_cache_set_cpu_node(emu_cache_model *m, unsigned cpu, unsigned node)
{
    if (cpu >= m->ncpus || node >= EMU_CACHE_MAX_NODES)
        return false;
    m->cpu_node[cpu] = (uint8_t)node;
    return true;
}

/* Writes back and invalidates every line of L1 cache c into L2. */
static void l1_flush(emu_cache_model *m, cache *c)
{
    size_t n = (size_t)(c->set_mask + 1) * c->ways;
    for (size_t i = 0; i < n; i++) {
        if (c->tags[i] & DIRTY) {
            c->st.writebacks++;
            l2_absorb(m, (c->tags[i] >> 2) << c->line_shift);
        }
        c->tags[i] = 0;
    }
}

/* wbinvd (contract in cache_model.h). */
void emu_cache_flush_all(emu_cache_model *m)
{
    for (unsigned i = 0; i < 2 * m->ncpus; i++)
        l1_flush(m, &m->l1[i]);
    size_t n = (size_t)(m->l2.set_mask + 1) * m->l2.ways;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = (m->l2.tags[i] & DIRTY) >> 1;
        m->l2.st.writebacks += d;
        m->mem.writebacks += d;
        m->l2.tags[i] = 0;
    }
}

/* Copies one cache's counters. */
void emu_cache_get_stats(const emu_cache_model *m, emu_cache_level level, unsigned cpu,
                         emu_cache_stats *s)
{
    if (level == EMU_CACHE_L2)
        *s = m->l2.st;
    else if (cpu < m->ncpus)
        *s = m->l1[2 * cpu + (level == EMU_CACHE_L1D)].st;
    else
        memset(s, 0, sizeof *s);
}

/* Copies cpu's share of the L2 and memory counters (zeros for a bad cpu). */
void emu_cache_get_cpu_stats(const emu_cache_model *m, unsigned cpu, emu_cache_cpu_stats *s)
{
    if (cpu < m->ncpus)
        *s = m->cpu_st[cpu];
    else
        memset(s, 0, sizeof *s);
}

/* The inline view of an L1 (contract in cache_model.h). */
void emu_cache_mru_view(emu_cache_model *m, unsigned cpu, emu_cache_kind kind, emu_cache_mru *v)
{
    cache *c = &m->l1[2 * cpu + (unsigned)kind];
    *v = (emu_cache_mru){ c->tags, c->set_mask, c->ways, c->line_shift, c->latency, &c->st.hits };
}

/* Copies the memory-side counters. */
void emu_cache_get_mem_stats(const emu_cache_model *m, emu_cache_mem_stats *s)
{
    *s = m->mem;
}

/* Zeroes every counter. */
void emu_cache_reset_stats(emu_cache_model *m)
{
    for (unsigned i = 0; i < 2 * m->ncpus; i++)
        memset(&m->l1[i].st, 0, sizeof m->l1[i].st);
    memset(&m->l2.st, 0, sizeof m->l2.st);
    memset(&m->mem, 0, sizeof m->mem);
    memset(m->cpu_st, 0, sizeof m->cpu_st);
}
