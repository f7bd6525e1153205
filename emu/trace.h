/* emu/trace.h - the trace device and the draining of the guest's event
 * rings (internal to emu/; protocol: guest/include/abi/trace.h).
 *
 * Ports TRACE_PORT_BASE .. +0x1f: the ID, the ring announcement, the kick,
 * and the reading CPU's cycle count (latched per CPU).  Records are
 * delivered as EMU_EV_TRACE events by emu_trace_drain. */
#ifndef EMU_TRACE_H
#define EMU_TRACE_H

#include <stdint.h>

#include "../guest/include/abi/trace.h"
#include "bus.h"

struct emu_machine;
typedef struct emu_trace emu_trace;

emu_trace *emu_trace_create(struct emu_machine *m);
void emu_trace_destroy(emu_trace *t);
const emu_device_ops *emu_trace_ops(void);

/* Delivers every record the guest has written since the last drain, CPU by
 * CPU in index order, and takes the dropped counts.  Nothing before the
 * guest announced its rings. */
void emu_trace_drain(emu_trace *t);

/* The shootdown tracker saw shootdown seq complete, `cycles` from its first
 * IPI to its last EOI: a trace record of that seq gets it as its duration. */
void emu_trace_shootdown_done(emu_trace *t, uint32_t seq, uint64_t cycles);

#endif
