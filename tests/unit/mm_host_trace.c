/* tests/unit/mm_host_trace.c - the host's arch_trace_record (mm/trace.h):
 * events go into an array the mm tests read (mm_host_trace.h).  The time
 * is a counter that goes up by one per event, so tests see the order. */
#include <string.h>

#include "mm_host_trace.h"

struct mm_host_trace_rec mm_host_trace_log[MM_HOST_TRACE_MAX];
uint32_t mm_host_trace_count;      /* records kept (at most MM_HOST_TRACE_MAX) */
uint32_t mm_host_trace_dropped;    /* records that found the array full */

/* Records the event with the simulated CPU and the next sequence number. */
void arch_trace_record(unsigned type, unsigned aux, uint32_t a0, uint32_t a1, uint32_t a2,
                       uint32_t a3, uint32_t a4)
{
    struct mm_host_trace_rec *r;

    if (mm_host_trace_count == MM_HOST_TRACE_MAX) {
        mm_host_trace_dropped++;
        return;
    }
    r = &mm_host_trace_log[mm_host_trace_count];
    r->seq = mm_host_trace_count++;
    r->cpu = arch_cpu_id();
    r->type = type;
    r->aux = aux;
    r->arg[0] = a0;
    r->arg[1] = a1;
    r->arg[2] = a2;
    r->arg[3] = a3;
    r->arg[4] = a4;
}

/* Forgets every record; tracing is switched on or off as asked. */
void mm_host_trace_reset(bool on)
{
    memset(mm_host_trace_log, 0, sizeof mm_host_trace_log);
    mm_host_trace_count = mm_host_trace_dropped = 0;
    mm_trace_enabled = on;
}

/* How many kept records have this type. */
uint32_t mm_host_trace_count_type(unsigned type)
{
    uint32_t i, n = 0;

    for (i = 0; i < mm_host_trace_count; i++)
        n += mm_host_trace_log[i].type == type;
    return n;
}
