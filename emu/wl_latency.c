/* emu/wl_latency.c - per-operation latency samples and their nearest-rank
 * summaries (see wl_latency.h). */
#include "wl_latency.h"

#include <stdlib.h>
#include <string.h>

#define LAT_FIRST_CAP 256    /* samples in an operation's first array */

void emu_wl_lat_init(emu_wl_lat *l)
{
    memset(l, 0, sizeof *l);
    l->grow = realloc;
}

void emu_wl_lat_free(emu_wl_lat *l)
{
    emu_wl_lat_realloc_fn grow = l->grow;

    for (unsigned i = 0; i < WL_OP_COUNT; i++)
        free(l->op[i].v);
    memset(l, 0, sizeof *l);
    l->grow = grow;
}

/* Makes room for one more sample in o: doubles its array when full.
 * False (o unchanged) if the allocation fails or the size would overflow. */
static bool make_room(emu_wl_lat *l, emu_wl_lat_op *o)
{
    size_t cap;
    uint64_t *v;

    if (o->n < o->cap)
        return true;
    cap = o->cap ? o->cap * 2 : LAT_FIRST_CAP;
    if (cap <= o->cap || cap > SIZE_MAX / sizeof *v)
        return false;
    v = l->grow(o->v, cap * sizeof *v);
    if (!v)
        return false;
    o->v = v;
    o->cap = cap;
    return true;
}

void emu_wl_lat_add(emu_wl_lat *l, unsigned op, uint64_t cycles)
{
    emu_wl_lat_op *o;

    if (op >= WL_OP_COUNT)
        return;
    o = &l->op[op];
    if (!make_room(l, o)) {
        o->dropped++;
        return;
    }
    if (o->n && o->sorted && cycles < o->v[o->n - 1])
        o->sorted = false;
    if (o->n == 0)
        o->sorted = true;
    o->v[o->n++] = cycles;
    o->sum += cycles;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

uint64_t emu_wl_lat_percentile(const uint64_t *v, size_t n, unsigned p)
{
    size_t rank;

    if (n == 0)
        return 0;
    /* ceil(p * n / 100) in integers, without forming p * n: with
     * n = 100 q + r it is p q + ceil(p r / 100). */
    rank = n / 100 * p + ((n % 100) * p + 99) / 100;
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

void emu_wl_lat_summary(emu_wl_lat *l, unsigned op, emu_wl_latency *out)
{
    emu_wl_lat_op *o;

    memset(out, 0, sizeof *out);
    if (op >= WL_OP_COUNT || l->op[op].n == 0)
        return;
    o = &l->op[op];
    if (!o->sorted) {
        qsort(o->v, o->n, sizeof o->v[0], cmp_u64);
        o->sorted = true;
    }
    out->count = o->n;
    out->min = o->v[0];
    out->p50 = emu_wl_lat_percentile(o->v, o->n, 50);
    out->p90 = emu_wl_lat_percentile(o->v, o->n, 90);
    out->p99 = emu_wl_lat_percentile(o->v, o->n, 99);
    out->max = o->v[o->n - 1];
    out->mean = (double)o->sum / (double)o->n;
}

uint64_t emu_wl_lat_dropped(const emu_wl_lat *l)
{
    uint64_t d = 0;

    for (unsigned i = 0; i < WL_OP_COUNT; i++)
        d += l->op[i].dropped;
    return d;
}
