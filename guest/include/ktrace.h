/* guest/include/ktrace.h - the kernel's event trace outside mm (the
 * recorder is guest/kernel/trace.c; protocol: abi/trace.h, docs/trace.md).
 * Hooks are one line: KTRACE(trace_ipi_recv(vector)); off, they cost a
 * load, a compare and a branch not taken (the same flag as mm/trace.h). */
#ifndef PAGELAB_KTRACE_H
#define PAGELAB_KTRACE_H

#include <stdint.h>

#include "mm_debug_flags.h"

/* mm_debug.trace: non-zero once trace_init has set up the rings. */
#define KTRACE(call) do { if (__builtin_expect(mm_debug.trace != 0, 0)) call; } while (0)

/* Boot option `trace` or `trace=SLOTS[,nokick]`: on pagelab, allocates one
 * ring per online CPU, announces them to the host and turns recording on;
 * on a machine without the trace device (QEMU) prints that and stays off.
 * Call once on the BSP, after mm_setup. */
void trace_init(void);

/* This CPU's simulated cycle count (the trace device's latched reading). */
uint64_t trace_clock(void);

/* The arch hooks' recorders. */
void trace_ipi_send(uint32_t apic_id, uint32_t icr_low);
void trace_ipi_recv(uint32_t vector);
/* A shootdown whose first IPI went out at cycle t0 and whose targets
 * have all flushed now; req is the published request. */
struct tlb_shootdown_req;
void trace_shootdown(uint64_t t0, const struct tlb_shootdown_req *req);

#endif
