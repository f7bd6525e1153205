/* emu/bus.h - devices as address ranges (internal to emu/).
 *
 * A device is a range in one of two address spaces (I/O ports or physical
 * memory) with read/write callbacks and an opaque pointer.  Every device also
 * has a side-effect-free peek, used by views, snapshots and debuggers: peek
 * must never change device state (no FIFO pops, no interrupt acks).
 *
 * uc_bus.c is the only file that turns Unicorn hooks into calls of these
 * callbacks.  Per-CPU devices (the local APIC) are registered on the bus of
 * each CPU; all other devices are shared.
 */
#ifndef EMU_BUS_H
#define EMU_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum emu_space { EMU_SPACE_PORT, EMU_SPACE_MEM };

/* Context passed to every access: which CPU made it (or -1 for the host),
 * and that CPU's current cycle count (devices that keep time read it). */
typedef struct emu_access {
    int cpu;
    uint64_t now;     /* simulated cycles of the accessing CPU */
    uint32_t eip;     /* guest EIP of the access (block start for port I/O) */
} emu_access;

typedef struct emu_device_ops {
    /* offset is relative to the range base; size is 1, 2 or 4. */
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size, const emu_access *a);
    void (*write)(void *opaque, uint32_t offset, uint32_t value, unsigned size, const emu_access *a);
    /* Side-effect-free read of the same register: must not change any state. */
    uint32_t (*peek)(void *opaque, uint32_t offset, unsigned size);
} emu_device_ops;

typedef struct emu_device {
    const char *name;
    enum emu_space space;
    uint64_t base;
    uint64_t size;
    const emu_device_ops *ops;
    void *opaque;
} emu_device;

#define EMU_BUS_MAX_DEVICES 16

/* The set of devices one CPU sees.  Lookup is a linear scan: there are few. */
typedef struct emu_bus {
    emu_device dev[EMU_BUS_MAX_DEVICES];
    unsigned ndev;
} emu_bus;

/* Adds a device; returns false when the bus is full or the range overlaps. */
bool emu_bus_add(emu_bus *bus, const emu_device *dev);

/* Finds the device covering [addr, addr + size) in space, or NULL. */
const emu_device *emu_bus_find(const emu_bus *bus, enum emu_space space, uint64_t addr, unsigned size);

#endif
