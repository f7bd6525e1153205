/* emu/trace_json.c - Chrome trace event JSON (see trace_json.h).
 *
 * Every record is one event on pid 1, tid = its CPU: an instant event
 * ("ph":"i", thread scope) named after its type, with the type's fields
 * as "args"; a TLB shootdown is a complete event ("ph":"X") whose "dur" is
 * the cycles from its first IPI to its last acknowledgement. */
#include "trace_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../guest/include/abi/trace.h"

enum fld_fmt { F_NONE, F_DEC, F_HEX, F_ZONE, F_MT };

typedef struct fld { const char *name; enum fld_fmt fmt; } fld;

/* How each type's aux and arg[] are named and printed (abi/trace.h). */
typedef struct type_desc { const char *cat; fld aux; fld arg[TRACE_NARGS]; } type_desc;

static const type_desc types[TRACE_EV_COUNT] = {
    [TRACE_EV_PAGE_ALLOC] = { "page", { "order", F_DEC },
        { { "pfn", F_DEC }, { "zone", F_ZONE }, { "migratetype", F_MT }, { "gfp", F_HEX }, { "node", F_DEC } } },
    [TRACE_EV_PAGE_FREE] = { "page", { "order", F_DEC },
        { { "pfn", F_DEC }, { "zone", F_ZONE }, { "migratetype", F_MT }, { 0, F_NONE }, { "node", F_DEC } } },
    [TRACE_EV_PCP_REFILL] = { "pcp", { "migratetype", F_MT },
        { { "zone", F_ZONE }, { "pages", F_DEC }, { "count", F_DEC }, { "batch", F_DEC }, { "node", F_DEC } } },
    [TRACE_EV_PCP_DRAIN] = { "pcp", { 0, F_NONE },
        { { "zone", F_ZONE }, { "pages", F_DEC }, { "count_before", F_DEC }, { "high", F_DEC }, { "node", F_DEC } } },
    [TRACE_EV_SLAB_GROW] = { "slab", { "order", F_DEC },
        { { "cache", F_DEC }, { "pfn", F_DEC }, { "objects", F_DEC }, { "slabs", F_DEC }, { 0, F_NONE } } },
    [TRACE_EV_SLAB_SHRINK] = { "slab", { "order", F_DEC },
        { { "cache", F_DEC }, { "pfn", F_DEC }, { "slabs", F_DEC }, { 0, F_NONE }, { 0, F_NONE } } },
    [TRACE_EV_KMAP_FLUSH] = { "kmap", { "tlb_flush", F_DEC },
        { { "flushes", F_DEC }, { 0, F_NONE }, { 0, F_NONE }, { 0, F_NONE }, { 0, F_NONE } } },
    [TRACE_EV_VMAP_PURGE] = { "vmalloc", { 0, F_NONE },
        { { "areas", F_DEC }, { "start", F_HEX }, { "end", F_HEX }, { 0, F_NONE }, { 0, F_NONE } } },
    [TRACE_EV_TLB_SHOOTDOWN] = { "tlb", { 0, F_NONE },
        { { "seq", F_DEC }, { "targets", F_HEX }, { "start", F_HEX }, { "end", F_HEX }, { "wait_cycles", F_DEC } } },
    [TRACE_EV_IPI_SEND] = { "ipi", { "vector", F_HEX },
        { { "dest_apic", F_DEC }, { "icr", F_HEX }, { 0, F_NONE }, { 0, F_NONE }, { 0, F_NONE } } },
    [TRACE_EV_IPI_RECV] = { "ipi", { "vector", F_HEX },
        { { 0, F_NONE }, { 0, F_NONE }, { 0, F_NONE }, { 0, F_NONE }, { 0, F_NONE } } },
    [TRACE_EV_WMARK_LOW] = { "page", { "order", F_DEC },
        { { "zone", F_ZONE }, { "free", F_DEC }, { "low", F_DEC }, { "min", F_DEC }, { "node", F_DEC } } },
    [TRACE_EV_ALLOC_FAIL] = { "page", { "order", F_DEC },
        { { "gfp", F_HEX }, { "zone", F_ZONE }, { "node", F_DEC }, { 0, F_NONE }, { 0, F_NONE } } },
};

struct emu_trace_json {
    FILE *f;                  /* PATH.tmp, open until finish/discard */
    char *path, *tmp;         /* malloc'd */
    unsigned ncpus;
    uint64_t clock_hz;        /* >= 1 */
    unsigned long long count; /* events written */
};

/* Prints cycles as microseconds with three decimals (nanoseconds), exactly. */
static void put_us(FILE *f, uint64_t cycles, uint64_t hz)
{
    uint64_t q = cycles / hz, r = cycles % hz, ns = q * 1000000000ull;
    if (r <= UINT64_MAX / 1000000000ull)
        ns += r * 1000000000ull / hz;
    else
        ns += (uint64_t)((double)r * 1e9 / (double)hz);   /* clocks above 18 GHz */
    fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

/* One "name":value pair of an event's args. */
static void put_field(FILE *f, const fld *d, uint32_t v, bool *first)
{
    static const char *const zones[] = { "DMA", "Normal", "HighMem" };
    static const char *const mts[] = { "Unmovable", "Reclaimable", "Movable", "Reserve" };
    if (d->fmt == F_NONE)
        return;
    fprintf(f, "%s\"%s\":", *first ? "" : ",", d->name);
    *first = false;
    if (d->fmt == F_ZONE && v < 3)
        fprintf(f, "\"%s\"", zones[v]);
    else if (d->fmt == F_MT && v < 4)
        fprintf(f, "\"%s\"", mts[v]);
    else if (d->fmt == F_HEX)
        fprintf(f, "\"0x%x\"", v);
    else
        fprintf(f, "%u", v);
}

/* The shootdown's own args: full flag, reason and the two durations. */
static void put_shootdown_args(FILE *f, const emu_trace_rec *t)
{
    static const char *const reasons[] = { "other", "vmap purge", "kmap flush", "test" };
    unsigned reason = t->aux & 0xff;
    fprintf(f, ",\"full\":%u,\"reason\":\"%s\",\"ack_cycles\":", (t->aux >> 8) & 1,
            reason < 4 ? reasons[reason] : "?");
    if (t->dur_from_host)
        fprintf(f, "%" PRIu64, t->dur);
    else
        fputs("null", f);
}

emu_trace_json *emu_trace_json_open(const char *path, unsigned ncpus, uint64_t clock_hz,
                                    char *err, size_t errlen)
{
    emu_trace_json *j = calloc(1, sizeof *j);
    size_t n = strlen(path) + 5;
    if (!j || !(j->path = strdup(path)) || !(j->tmp = malloc(n))) {
        snprintf(err, errlen, "%s: out of memory", path);
        emu_trace_json_discard(j);
        return NULL;
    }
    snprintf(j->tmp, n, "%s.tmp", path);
    j->ncpus = ncpus;
    j->clock_hz = clock_hz ? clock_hz : 1;
    if (!(j->f = fopen(j->tmp, "w"))) {
        snprintf(err, errlen, "%s: cannot write the trace: %s", path, strerror(errno));
        free(j->tmp), free(j->path), free(j);
        return NULL;
    }
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", j->f);
    fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"pagelab guest\"}}", j->f);
    for (unsigned i = 0; i < ncpus; i++)
        fprintf(j->f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":\"cpu %u\"}}",
                i, i);
    return j;
}

void emu_trace_json_event(emu_trace_json *j, const emu_event *ev)
{
    if (ev->kind != EMU_EV_TRACE)
        return;
    const emu_trace_rec *t = &ev->u.trace;
    const char *name = emu_trace_type_name(t->type);
    const type_desc *d = name ? &types[t->type] : NULL;
    bool first = true, x = t->type == TRACE_EV_TLB_SHOOTDOWN;
    fprintf(j->f, ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"%s\",\"ts\":", name ? name : "unknown",
            d ? d->cat : "unknown", x ? "X" : "i");
    put_us(j->f, ev->cycles, j->clock_hz);
    if (x) {
        fputs(",\"dur\":", j->f);
        put_us(j->f, t->dur, j->clock_hz);
    } else {
        fputs(",\"s\":\"t\"", j->f);
    }
    fprintf(j->f, ",\"pid\":1,\"tid\":%d,\"args\":{", ev->cpu);
    if (d) {
        put_field(j->f, &d->aux, t->aux, &first);
        for (unsigned i = 0; i < TRACE_NARGS; i++)
            put_field(j->f, &d->arg[i], t->arg[i], &first);
    } else {
        fprintf(j->f, "\"type\":%u", t->type);
    }
    if (x)
        put_shootdown_args(j->f, t);
    fputs("}}", j->f);
    j->count++;
}

/* "otherData": per-CPU recorded and dropped counts and their totals. */
static void put_other(FILE *f, const emu_trace_stats *st, uint64_t hz)
{
    uint64_t rec = 0, drop = 0;
    fprintf(f, "\n],\n\"otherData\":{\"clock_hz\":%" PRIu64 ",\"active\":%s,\"slots\":%u,\"recorded\":[", hz,
            st->active ? "true" : "false", (unsigned)st->slots);
    for (unsigned i = 0; i < st->ncpus; i++) {
        fprintf(f, "%s%" PRIu64, i ? "," : "", st->recorded[i]);
        rec += st->recorded[i];
    }
    fputs("],\"dropped\":[", f);
    for (unsigned i = 0; i < st->ncpus; i++) {
        fprintf(f, "%s%" PRIu64, i ? "," : "", st->dropped[i]);
        drop += st->dropped[i];
    }
    fprintf(f, "],\"recorded_total\":%" PRIu64 ",\"dropped_total\":%" PRIu64 ",\"kicks\":%" PRIu64 "}}\n",
            rec, drop, st->kicks);
}

int emu_trace_json_finish(emu_trace_json *j, const emu_trace_stats *st, char *err, size_t errlen)
{
    put_other(j->f, st, j->clock_hz);
    int bad = fflush(j->f) || ferror(j->f);
    bad |= fclose(j->f);
    j->f = NULL;
    if (!bad && rename(j->tmp, j->path) == 0) {
        emu_trace_json_discard(j);
        return 0;
    }
    snprintf(err, errlen, "%s: cannot write the trace: %s", j->path, strerror(errno));
    emu_trace_json_discard(j);
    return -1;
}

void emu_trace_json_discard(emu_trace_json *j)
{
    if (!j)
        return;
    if (j->f) {
        fclose(j->f);
        j->f = NULL;
    }
    if (j->tmp)
        unlink(j->tmp);   /* nothing after a successful rename */
    free(j->tmp);
    free(j->path);
    free(j);
}

unsigned long long emu_trace_json_count(const emu_trace_json *j)
{
    return j->count;
}
