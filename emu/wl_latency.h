/* emu/wl_latency.h - per-operation latency samples of the workload ring
 * (internal to emu/; frontends use emu_wl_get_latency in machine.h).
 *
 * One growable array of cycle counts per operation (enum wl_op).  Adding a
 * sample is O(1) amortised; a summary sorts the samples in place when new
 * ones arrived since the last sort and reads exact nearest-rank
 * percentiles: the p-th percentile of n sorted samples is the one of rank
 * ceil(p/100 * n), 1-based.  A sample that cannot be stored (out of memory)
 * is dropped and counted, never fatal. */
#ifndef EMU_WL_LATENCY_H
#define EMU_WL_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"
#include "wl_ring.h"

/* The allocator the arrays grow with (realloc's contract); tests put a
 * failing one in to check the out-of-memory path. */
typedef void *(*emu_wl_lat_realloc_fn)(void *ptr, size_t size);

typedef struct emu_wl_lat_op {
    uint64_t *v;             /* samples, sorted up to n when `sorted` */
    size_t n, cap;
    bool sorted;
    uint64_t sum;            /* of the n samples, for the mean */
    uint64_t dropped;        /* samples lost to a failed allocation */
} emu_wl_lat_op;

typedef struct emu_wl_lat {
    emu_wl_lat_op op[WL_OP_COUNT];
    emu_wl_lat_realloc_fn grow;
} emu_wl_lat;

/* Empty sets for every operation, growing with realloc. */
void emu_wl_lat_init(emu_wl_lat *l);
/* Frees every array; l is empty (and usable) again. */
void emu_wl_lat_free(emu_wl_lat *l);
/* Records one sample of op; ignored for op >= WL_OP_COUNT. */
void emu_wl_lat_add(emu_wl_lat *l, unsigned op, uint64_t cycles);
/* Fills *out for op (all zero when it has no samples or op is unknown).
 * Sorts op's samples if needed, hence not const. */
void emu_wl_lat_summary(emu_wl_lat *l, unsigned op, emu_wl_latency *out);
/* The nearest-rank p-th percentile (0 < p <= 100) of v[0..n), sorted
 * ascending; 0 when n == 0. */
uint64_t emu_wl_lat_percentile(const uint64_t *v, size_t n, unsigned p);
/* Samples dropped for lack of memory, all operations together. */
uint64_t emu_wl_lat_dropped(const emu_wl_lat *l);

#endif
