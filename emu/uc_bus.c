/* emu/uc_bus.c - the only file that turns Unicorn hooks into bus calls.
 *
 * Port I/O (`in`/`out`) goes through UC_HOOK_INSN to the CPU's bus in the
 * port space.  Memory-mapped devices and the holes of the physical map are
 * uc_mmio_map regions: a device window dispatches to the device's
 * callbacks; a hole is open bus (reads return all ones, writes are dropped)
 * and every access to it is reported with CPU, address and EIP.
 */
#include <stdio.h>

#include "machine_priv.h"

static emu_access access_of(emu_cpu *c)
{
    emu_access a = { .cpu = (int)c->index, .now = c->cycles, .eip = emu_reg(c, UC_X86_REG_EIP) };
    return a;
}

static uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* Reports an access that no RAM, ROM or device answers. */
static void bad_access(emu_cpu *c, enum emu_space sp, uint64_t addr, unsigned size, bool write)
{
    emu_machine *m = c->m;
    emu_event ev = { .kind = EMU_EV_BAD_ACCESS, .cpu = (int)c->index, .cycles = c->cycles };
    ev.u.access.addr = addr;
    ev.u.access.size = size;
    ev.u.access.write = write;
    ev.u.access.eip = emu_reg(c, UC_X86_REG_EIP);
    m->bad_accesses++;
    emu_emit(m, &ev);
    emu_note(m, (int)c->index, "%s %s of %u bytes at %s0x%llx (EIP 0x%08x): nothing there",
             sp == EMU_SPACE_PORT ? "port" : "memory", write ? "write" : "read", size,
             sp == EMU_SPACE_PORT ? "port " : "", (unsigned long long)addr, ev.u.access.eip);
}

static uint32_t hook_in(uc_engine *uc, uint32_t port, int size, void *ud)
{
    emu_cpu *c = ud;
    (void)uc;
    const emu_device *d = emu_bus_find(&c->bus, EMU_SPACE_PORT, port, (unsigned)size);
    if (!d) {
        bad_access(c, EMU_SPACE_PORT, port, (unsigned)size, false);
        return all_ones((unsigned)size);
    }
    emu_access a = access_of(c);
    return d->ops->read(d->opaque, (uint32_t)(port - d->base), (unsigned)size, &a);
}

static void hook_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *ud)
{
    emu_cpu *c = ud;
    (void)uc;
    const emu_device *d = emu_bus_find(&c->bus, EMU_SPACE_PORT, port, (unsigned)size);
    if (!d) {
        bad_access(c, EMU_SPACE_PORT, port, (unsigned)size, true);
        return;
    }
    emu_access a = access_of(c);
    d->ops->write(d->opaque, (uint32_t)(port - d->base), value, (unsigned)size, &a);
}

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
    emu_mmio_window *w = ud;
    (void)uc;
    uint64_t addr = w->base + off;
    const emu_device *d = w->hole ? NULL : emu_bus_find(&w->c->bus, EMU_SPACE_MEM, addr, size);
    if (!d) {
        bad_access(w->c, EMU_SPACE_MEM, addr, size, false);
        return all_ones(size);
    }
    emu_access a = access_of(w->c);
    return d->ops->read(d->opaque, (uint32_t)(addr - d->base), size, &a);
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *ud)
{
    emu_mmio_window *w = ud;
    (void)uc;
    uint64_t addr = w->base + off;
    const emu_device *d = w->hole ? NULL : emu_bus_find(&w->c->bus, EMU_SPACE_MEM, addr, size);
    if (!d) {
        bad_access(w->c, EMU_SPACE_MEM, addr, size, true);
        return;
    }
    emu_access a = access_of(w->c);
    d->ops->write(d->opaque, (uint32_t)(addr - d->base), (uint32_t)value, size, &a);
}

static int map_window(emu_cpu *c, uint64_t base, uint64_t size, bool hole)
{
    if (size == 0)
        return 0;
    if (c->nwin >= EMU_MAX_WINDOWS)
        return -1;
    emu_mmio_window *w = &c->win[c->nwin++];
    w->c = c;
    w->base = base;
    w->hole = hole;
    return uc_mmio_map(c->uc, base, size, mmio_read, w, mmio_write, w) ? -1 : 0;
}

/* Installs the port hooks and maps every memory device and hole of c.
 * Call after all devices are on c's bus. */
int emu_uc_bus_attach(emu_cpu *c, char *err, size_t errlen)
{
    uc_hook h;
    int r = 0;
    if (uc_hook_add(c->uc, &h, UC_HOOK_INSN, (void *)hook_in, c, 1, 0, UC_X86_INS_IN) ||
        uc_hook_add(c->uc, &h, UC_HOOK_INSN, (void *)hook_out, c, 1, 0, UC_X86_INS_OUT))
        r = -1;
    for (unsigned i = 0; i < c->bus.ndev && !r; i++)
        if (c->bus.dev[i].space == EMU_SPACE_MEM)
            r = map_window(c, c->bus.dev[i].base, c->bus.dev[i].size, false);
    if (!r)
        r = map_window(c, EMU_LOW_RAM_END, EMU_ROM_BASE - EMU_LOW_RAM_END, true);
    if (!r)
        r = map_window(c, c->m->ram_size, EMU_LAPIC_BASE - c->m->ram_size, true);
    if (!r)
        r = map_window(c, EMU_LAPIC_BASE + EMU_LAPIC_SIZE,
                       0x100000000ull - (EMU_LAPIC_BASE + EMU_LAPIC_SIZE), true);
    if (r)
        snprintf(err, errlen, "cannot map devices into CPU %u's engine", c->index);
    return r;
}
