/* tests/unit/mm_host_trace.h - what the host's arch_trace_record
 * (mm_host_trace.c) recorded, for the mm unit tests. */
#ifndef MM_HOST_TRACE_H
#define MM_HOST_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "../../mm/trace.h"   /* not emu/trace.h, also on the path */

#define MM_HOST_TRACE_MAX 65536

struct mm_host_trace_rec {
    uint32_t seq;                  /* 0, 1, 2, ...: the order of recording */
    unsigned cpu;                  /* arch_cpu_id() at the time */
    unsigned type, aux;            /* enum trace_type and its aux field */
    uint32_t arg[TRACE_NARGS];
};

extern struct mm_host_trace_rec mm_host_trace_log[MM_HOST_TRACE_MAX];
extern uint32_t mm_host_trace_count, mm_host_trace_dropped;

void mm_host_trace_reset(bool on);
uint32_t mm_host_trace_count_type(unsigned type);

#endif
