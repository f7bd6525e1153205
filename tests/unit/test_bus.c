/* tests/unit/test_bus.c - emu_bus_add / emu_bus_find edge cases. */
#include "bus.h"
#include "debugexit.h"
#include "lapic.h"
#include "serial.h"
#include "unit.h"

/* A device record with no callbacks, for range tests. */
static emu_device dev(enum emu_space space, uint64_t base, uint64_t size)
{
    emu_device d = { "dev", space, base, size, NULL, NULL };
    return d;
}

/* Overlaps in the same space are refused; adjacency and other spaces are not. */
static void test_add_overlap(void)
{
    emu_bus bus = { .ndev = 0 };
    emu_device a = dev(EMU_SPACE_PORT, 0x3F8, 8);

    CHECK(emu_bus_add(&bus, &a));
    CHECK(!emu_bus_add(&bus, &a));                                   /* identical */
    CHECK(!emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x3FF, 1, 0, 0 }));   /* last byte */
    CHECK(!emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x3F0, 9, 0, 0 }));   /* first byte */
    CHECK(!emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x3F9, 2, 0, 0 }));   /* inside */
    CHECK(!emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x300, 0x200, 0, 0 })); /* covers */
    CHECK(!emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x500, 0, 0, 0 }));   /* empty */
    CHECK_EQ(bus.ndev, 1);
    CHECK(emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x400, 4, 0, 0 }));    /* just after */
    CHECK(emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_PORT, 0x3F0, 8, 0, 0 }));    /* just before */
    CHECK(emu_bus_add(&bus, &(emu_device){ "x", EMU_SPACE_MEM, 0x3F8, 8, 0, 0 }));     /* other space */
    CHECK_EQ(bus.ndev, 4);
}

/* A full bus refuses even a non-overlapping device and keeps its contents. */
static void test_add_full(void)
{
    emu_bus bus = { .ndev = 0 };

    for (unsigned i = 0; i < EMU_BUS_MAX_DEVICES; i++) {
        emu_device d = dev(EMU_SPACE_MEM, 0x1000u * i, 0x1000);
        CHECK(emu_bus_add(&bus, &d));
    }
    CHECK_EQ(bus.ndev, EMU_BUS_MAX_DEVICES);
    emu_device extra = dev(EMU_SPACE_PORT, 0x80, 1);
    CHECK(!emu_bus_add(&bus, &extra));
    CHECK_EQ(bus.ndev, EMU_BUS_MAX_DEVICES);
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x80, 1) == NULL);
    CHECK(emu_bus_find(&bus, EMU_SPACE_MEM, 0xF000, 4) == &bus.dev[15]);
}

/* Lookup edges: first/last byte, straddling either end, wrong space. */
static void test_find(void)
{
    emu_bus bus = { .ndev = 0 };
    emu_device ser = dev(EMU_SPACE_PORT, 0x3F8, 8);
    emu_device apic = dev(EMU_SPACE_MEM, 0xFEE00000u, 0x1000);

    CHECK(emu_bus_add(&bus, &ser));
    CHECK(emu_bus_add(&bus, &apic));
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3F8, 1) == &bus.dev[0]);
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3FF, 1) == &bus.dev[0]);   /* last byte */
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3FC, 4) == &bus.dev[0]);   /* ends at end */
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3FE, 4) == NULL);          /* straddles end */
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3FF, 2) == NULL);
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3F7, 2) == NULL);          /* straddles start */
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x400, 1) == NULL);          /* one past */
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0x3F7, 1) == NULL);          /* one before */
    CHECK(emu_bus_find(&bus, EMU_SPACE_MEM, 0x3F8, 1) == NULL);           /* wrong space */
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0xFEE00000u, 4) == NULL);    /* wrong space */
    CHECK(emu_bus_find(&bus, EMU_SPACE_MEM, 0xFEE00FFCu, 4) == &bus.dev[1]);
    CHECK(emu_bus_find(&bus, EMU_SPACE_MEM, 0xFEE00FFEu, 4) == NULL);
    CHECK(emu_bus_find(&bus, EMU_SPACE_MEM, 0xFEE01000u, 1) == NULL);
}

/* An empty bus finds nothing. */
static void test_empty(void)
{
    emu_bus bus = { .ndev = 0 };

    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0, 1) == NULL);
    CHECK(emu_bus_find(&bus, EMU_SPACE_MEM, 0, 4) == NULL);
}

typedef struct exits {
    uint32_t values[4];
    unsigned n;
} exits;

/* Debug-exit callback: remembers each value written. */
static void record_exit(void *ctx, uint32_t value)
{
    exits *e = ctx;
    if (e->n < 4)
        e->values[e->n] = value;
    e->n++;
}

/* Serial callback: remembers the last byte. */
static void record_byte(void *ctx, uint8_t byte)
{
    *(int *)ctx = byte;
}

/* The real devices registered at their addresses, reached through find. */
static void test_dispatch(void)
{
    emu_bus bus = { .ndev = 0 };
    exits e = { .n = 0 };
    int last = -1;
    emu_debugexit *dx = emu_debugexit_create(record_exit, &e);
    emu_serial *ser = emu_serial_create(record_byte, &last);
    emu_lapic *apic = emu_lapic_create(0, 0, 1000000000, NULL);
    emu_access a = { 0, 0, 0 };

    CHECK(emu_bus_add(&bus, &(emu_device){ "debugexit", EMU_SPACE_PORT, EMU_DEBUGEXIT_BASE,
                                          EMU_DEBUGEXIT_SIZE, emu_debugexit_ops(), dx }));
    CHECK(emu_bus_add(&bus, &(emu_device){ "com1", EMU_SPACE_PORT, EMU_SERIAL_COM1_BASE,
                                          EMU_SERIAL_SIZE, emu_serial_ops(), ser }));
    CHECK(emu_bus_add(&bus, &(emu_device){ "lapic", EMU_SPACE_MEM, EMU_LAPIC_BASE,
                                          EMU_LAPIC_SIZE, emu_lapic_ops(), apic }));
    const emu_device *d = emu_bus_find(&bus, EMU_SPACE_PORT, 0xF4, 4);
    CHECK(d != NULL && d->opaque == dx);
    d->ops->write(d->opaque, 0, 0xDEADBEEF, 4, &a);
    d = emu_bus_find(&bus, EMU_SPACE_PORT, 0xF5, 1);
    d->ops->write(d->opaque, (uint32_t)(0xF5 - d->base), 0x31, 1, &a);
    CHECK_EQ(e.n, 2);
    CHECK_EQ(e.values[0], 0xDEADBEEF);
    CHECK_EQ(e.values[1], 0x31);
    CHECK_EQ(d->ops->read(d->opaque, 0, 4, &a), 0);
    CHECK_EQ(d->ops->peek(d->opaque, 0, 1), 0);
    CHECK_EQ(e.n, 2);
    CHECK(emu_bus_find(&bus, EMU_SPACE_PORT, 0xF8, 1) == NULL);
    d = emu_bus_find(&bus, EMU_SPACE_PORT, 0x3FD, 1);
    CHECK(d != NULL && d->opaque == ser);
    CHECK_EQ(d->ops->read(d->opaque, (uint32_t)(0x3FD - d->base), 1, &a), 0x60);
    d->ops->write(d->opaque, 0, 'k', 1, &a);
    CHECK_EQ(last, 'k');
    d = emu_bus_find(&bus, EMU_SPACE_MEM, 0xFEE00030u, 4);
    CHECK(d != NULL && d->opaque == apic);
    CHECK_EQ(d->ops->read(d->opaque, (uint32_t)(0xFEE00030u - d->base), 4, &a), 0x00050014);
    emu_lapic_destroy(apic);
    emu_serial_destroy(ser);
    emu_debugexit_destroy(dx);
}

/* Runs every bus test; non-zero exit on any failure. */
int main(void)
{
    test_add_overlap();
    test_add_full();
    test_find();
    test_empty();
    test_dispatch();
    return unit_done();
}
