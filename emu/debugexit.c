/* emu/debugexit.c - isa-debug-exit (see debugexit.h). */
#include "debugexit.h"

#include <stdlib.h>

struct emu_debugexit {
    emu_debugexit_fn exit_fn;
    void *ctx;
};

/* Reads return 0. */
static uint32_t debugexit_read(void *opaque, uint32_t offset, unsigned size, const emu_access *a)
{
    (void)opaque, (void)offset, (void)size, (void)a;
    return 0;
}

/* A write of any size at any offset passes its value to exit_fn. */
static void debugexit_write(void *opaque, uint32_t offset, uint32_t value, unsigned size, const emu_access *a)
{
    emu_debugexit *d = opaque;

    (void)offset, (void)size, (void)a;
    if (d->exit_fn)
        d->exit_fn(d->ctx, value);
}

/* Peeks return 0, like reads. */
static uint32_t debugexit_peek(void *opaque, uint32_t offset, unsigned size)
{
    (void)opaque, (void)offset, (void)size;
    return 0;
}

/* emu_debugexit_ops: see debugexit.h. */
const emu_device_ops *emu_debugexit_ops(void)
{
    static const emu_device_ops ops = { debugexit_read, debugexit_write, debugexit_peek };
    return &ops;
}

/* emu_debugexit_create: see debugexit.h. */
emu_debugexit *emu_debugexit_create(emu_debugexit_fn exit_fn, void *ctx)
{
    emu_debugexit *d = calloc(1, sizeof *d);

    if (!d)
        return NULL;
    d->exit_fn = exit_fn;
    d->ctx = ctx;
    return d;
}

/* emu_debugexit_destroy: see debugexit.h. */
void emu_debugexit_destroy(emu_debugexit *d)
{
    free(d);
}
