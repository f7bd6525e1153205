/* emu/pmu.h - the performance-counter device (internal to emu/; the ABI is
 * guest/include/abi/pmu.h, the description docs/validation.md).
 *
 * Six 32-bit ports at PMU_PORT_BASE.  Per CPU it keeps a latch (every
 * counter of enum pmu_event, copied from emu_machine_cpu_stats and
 * emu_machine_mem_stats when that CPU writes PMU_PORT_LATCH) and a selected
 * event (PMU_PORT_SELECT; it stays selected across latches); PMU_PORT_LO and
 * PMU_PORT_HI read the selected event's latched value.  Port I/O touches no
 * memory, so reading the counters disturbs no TLB or cache being measured.
 *
 * The machine creates and frees it with its other devices (emu/machine.c);
 * its opaque pointer is the emu_pmu*.
 */
#ifndef EMU_PMU_H
#define EMU_PMU_H

#include <stdint.h>

#include "bus.h"
#include "machine.h"
#include "../guest/include/abi/pmu.h"

typedef struct emu_pmu emu_pmu;

/* Creates the device of machine m (all latches zero, event 0 selected);
 * NULL when memory runs out. */
emu_pmu *emu_pmu_create(emu_machine *m);

/* Frees p (NULL is fine). */
void emu_pmu_destroy(emu_pmu *p);

/* The bus callbacks (ports PMU_PORT_BASE .. + PMU_PORT_SIZE). */
const emu_device_ops *emu_pmu_ops(void);

/* The events' names: the enum's name in lower case without PMU_EV_
 * ("cycles", "dtlb_miss", "l1d_miss", ...); NULL past the last.  The one
 * table the Lua binding (mm.touch_loop) and the C tests share. */
const char *emu_pmu_event_name(unsigned ev);

/* The event called name, or -1. */
int emu_pmu_event_lookup(const char *name);

#endif
