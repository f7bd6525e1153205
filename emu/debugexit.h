/* emu/debugexit.h - isa-debug-exit: a guest write stops the machine.
 *
 * An EMU_SPACE_PORT device of size EMU_DEBUGEXIT_SIZE at EMU_DEBUGEXIT_BASE;
 * the device opaque pointer is the emu_debugexit*.  A write of value v (any
 * size) calls exit_fn(ctx, v); the machine then stops with exit code v.
 * Reads and peeks return 0.
 */
#ifndef EMU_DEBUGEXIT_H
#define EMU_DEBUGEXIT_H

#include <stdint.h>

#include "bus.h"

#define EMU_DEBUGEXIT_BASE 0xF4u
#define EMU_DEBUGEXIT_SIZE 4u

/* Called for every guest write with the value written. */
typedef void (*emu_debugexit_fn)(void *ctx, uint32_t value);

typedef struct emu_debugexit emu_debugexit;

/* Creates the device; exit_fn (may be NULL: writes are ignored) gets ctx.
 * Returns NULL on allocation failure. */
emu_debugexit *emu_debugexit_create(emu_debugexit_fn exit_fn, void *ctx);

/* Frees d (NULL is fine). */
void emu_debugexit_destroy(emu_debugexit *d);

/* The bus callbacks; the device opaque pointer is the emu_debugexit*. */
const emu_device_ops *emu_debugexit_ops(void);

#endif
