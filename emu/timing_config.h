/* emu/timing_config.h - the machine description of the detailed timing mode:
 * TLB and cache geometries, latencies, and the fast-mode instruction costs.
 *
 * One plain struct with documented defaults (emu_timing_config_default), a
 * checker, and a parser for a small text file of "key = value" lines:
 *
 *     # Pentium Pro-like, bigger L1 data cache
 *     l1d.size    = 16K
 *     l1d.ways    = 4
 *     dtlb.entries = 64
 *     l2.latency  = 10
 *     cost.div    = 40     # any fast-mode cost by its name (emu/timing.h)
 *
 * The keys, their defaults and the sources of the defaults are listed in
 * docs/timing.md ("Detailed mode: the models").  A bad file gives a one-line
 * error "PATH:LINE: KEY: what is wrong".
 */
#ifndef EMU_TIMING_CONFIG_H
#define EMU_TIMING_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timing.h"

/* Geometry of one TLB array.  Invariant (emu_timing_config_check): entries is
 * a multiple of ways and entries / ways (the number of sets) is a power of
 * two; 1 <= ways <= EMU_MODEL_MAX_WAYS. */
typedef struct emu_tlb_geom {
    uint32_t entries;       /* translations held */
    uint32_t ways;          /* associativity; ways == entries: fully associative */
} emu_tlb_geom;

/* Geometry and hit latency of one cache.  Invariant: line is a power of two
 * in 4..4096; size is a multiple of line * ways and size / (line * ways)
 * (the number of sets) is a power of two; 1 <= ways <= EMU_MODEL_MAX_WAYS. */
typedef struct emu_cache_geom {
    uint32_t size;          /* bytes */
    uint32_t line;          /* bytes per line */
    uint32_t ways;          /* associativity */
    uint32_t latency;       /* cycles charged for looking this cache up */
} emu_cache_geom;

/* Upper bound on ways for every TLB and cache (keeps sets small and scans short). */
#define EMU_MODEL_MAX_WAYS 32u

/* The whole machine description of the timing models. */
typedef struct emu_timing_config {
    emu_tlb_geom itlb;      /* instruction TLB, 4 KiB pages */
    emu_tlb_geom itlb4m;    /* instruction TLB, 4 MiB pages */
    emu_tlb_geom dtlb;      /* data TLB, 4 KiB pages */
    emu_tlb_geom dtlb4m;    /* data TLB, 4 MiB pages */
    uint32_t walk_latency;  /* cycles of a page walk besides its PDE/PTE reads */
    emu_cache_geom l1i;     /* per-CPU instruction cache */
    emu_cache_geom l1d;     /* per-CPU data cache */
    emu_cache_geom l2;      /* shared second-level cache */
    uint32_t mem_latency;   /* cycles of a memory access after an L2 miss */
    uint32_t remote_penalty;/* extra cycles when the memory is on another node */
    uint32_t ipi_latency;   /* cycles from a fixed IPI's ICR write to the target's IRR */
    uint32_t intr_entry;    /* cycles charged to a CPU for delivering an interrupt or
                             * exception through its IDT (the handler's iret costs cost.iret) */
    emu_timing_costs costs; /* fast-mode per-instruction costs (emu/timing.h) */
} emu_timing_config;

/* Fills *cfg with the defaults documented in docs/timing.md. */
void emu_timing_config_default(emu_timing_config *cfg);

/* Checks the invariants above.  On failure writes "NAME: reason" (NAME: the
 * offending structure, e.g. "l1d: ways = 0 is not in 1..32") into err and
 * returns false. */
bool emu_timing_config_check(const emu_timing_config *cfg, char *err, size_t errlen);

/* Applies the "key = value" lines of text on top of *cfg, then checks it.
 * name is used in messages only.  On failure *cfg is unchanged, err holds
 * "NAME:LINE: KEY: reason" and the result is false; for a geometry that fails
 * its check, KEY is the key of that structure set on the latest line. */
bool emu_timing_config_parse(const char *text, const char *name, emu_timing_config *cfg,
                             char *err, size_t errlen);

/* Reads the file at path and applies it as emu_timing_config_parse does. */
bool emu_timing_config_load(const char *path, emu_timing_config *cfg, char *err, size_t errlen);

/* Sets the numeric key (e.g. "l1d.size", "cost.div") to value; false for an
 * unknown key.  Does not check the invariants. */
bool emu_timing_config_set(emu_timing_config *cfg, const char *key, uint32_t value);

/* The i-th model key (without the cost.* ones), NULL past the end. */
const char *emu_timing_config_key(unsigned i);

#endif
