/* emu/bus.c - device range registry (see bus.h). */
#include "bus.h"

static bool ranges_overlap(const emu_device *a, const emu_device *b)
{
    return a->space == b->space && a->base < b->base + b->size && b->base < a->base + a->size;
}

bool emu_bus_add(emu_bus *bus, const emu_device *dev)
{
    if (bus->ndev >= EMU_BUS_MAX_DEVICES || dev->size == 0)
        return false;
    for (unsigned i = 0; i < bus->ndev; i++)
        if (ranges_overlap(&bus->dev[i], dev))
            return false;
    bus->dev[bus->ndev++] = *dev;
    return true;
}

const emu_device *emu_bus_find(const emu_bus *bus, enum emu_space space, uint64_t addr, unsigned size)
{
    for (unsigned i = 0; i < bus->ndev; i++) {
        const emu_device *d = &bus->dev[i];
        if (d->space == space && addr >= d->base && addr + size <= d->base + d->size)
            return d;
    }
    return NULL;
}
