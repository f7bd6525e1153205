/* emu/workload.h - the host side of the workload request ring (internal to
 * emu/; frontends use the emu_wl_* functions of machine.h).
 *
 *   workload.c        the device (ports), announce and doorbell handling,
 *                     emu_wl_start / emu_wl_run
 *   workload_names.c  operation, status and gfp names
 */
#ifndef EMU_WORKLOAD_H
#define EMU_WORKLOAD_H

#include "bus.h"
#include "machine.h"
#include "wl_ring.h"

typedef struct emu_wl emu_wl;

/* Creates the device; NULL when memory runs out. */
emu_wl *emu_wl_create(emu_machine *m);
void emu_wl_destroy(emu_wl *w);
/* The device's ops (ports WL_PORT_BASE .. + WL_PORT_SIZE), opaque = the emu_wl. */
const emu_device_ops *emu_wl_ops(void);

#endif
