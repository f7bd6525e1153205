/* mm/trace.h - mm's event hooks for the event trace (docs/trace.md).
 *
 * A hook is one line in an mm path:  MM_TRACE(mm_trace_page_alloc(page, order, gfp));
 * With tracing off it costs one load of mm_trace_enabled, a compare and a
 * branch not taken; the arguments are evaluated only when it is on.  The
 * recorders (mm/trace.c, out of line) turn mm's structures into the
 * record of guest/include/abi/trace.h and hand it to the arch layer's
 * arch_trace_record: the guest writes it into its CPU's trace ring, the
 * host unit tests (tests/unit/mm_host_trace.c) keep it in an array. */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include <stdint.h>

#include "../guest/include/abi/trace.h"
#include "arch.h"
#include "gfp.h"
#include "mm_debug_flags.h"

struct page;
struct zone;
struct per_cpu_pages;
struct kmem_cache;

/* Non-zero while events are recorded: mm_debug.trace (mm_debug_flags.h),
 * so that the hottest paths test it together with the debug switches. */
#define mm_trace_enabled (mm_debug.trace)

#define MM_TRACE(call) do { if (MM_UNLIKELY(mm_trace_enabled)) call; } while (0)

/* The arch layer: records one event (enum trace_type, its aux field and
 * args) on the running CPU, timestamped with that CPU's clock.  Safe with
 * interrupts on or off; never allocates. */
void arch_trace_record(unsigned type, unsigned aux, uint32_t a0, uint32_t a1, uint32_t a2,
                       uint32_t a3, uint32_t a4);

/* The recorders (mm/trace.c); the field meanings are in abi/trace.h. */
void mm_trace_page_alloc(const struct page *page, unsigned order, gfp_t gfp);
void mm_trace_page_free(const struct page *page, unsigned order);
void mm_trace_alloc_result(const struct page *page, unsigned order, gfp_t gfp,
                           const struct zone *preferred);
void mm_trace_pcp_refill(const struct zone *zone, const struct per_cpu_pages *pcp, unsigned mt,
                         uint32_t moved);
void mm_trace_pcp_drain(const struct zone *zone, const struct per_cpu_pages *pcp, uint32_t count);
void mm_trace_wmark_low(const struct zone *zone, unsigned order);
void mm_trace_slab(unsigned type, const struct kmem_cache *c, const struct page *page);
void mm_trace_raw(unsigned type, unsigned aux, uint32_t a0, uint32_t a1, uint32_t a2);

#endif
