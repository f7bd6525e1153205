/* emu/ram.c - guest RAM, the boot ROM and the holes of the physical map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "machine_priv.h"

/* Allocates RAM (lazily backed) and the ROM image. */
int emu_ram_init(emu_machine *m, char *err, size_t errlen)
{
    m->ram_size = m->cfg.ram_bytes;
    void *p = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot reserve %llu MiB of guest RAM",
                 (unsigned long long)(m->ram_size >> 20));
        return -1;
    }
    m->ram = p;
    m->rom = calloc(1, EMU_ROM_SIZE);
    if (!m->rom) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void emu_ram_free(emu_machine *m)
{
    if (m->ram)
        munmap(m->ram, m->ram_size);
    free(m->rom);
    m->ram = NULL;
    m->rom = NULL;
}

/* Returns a host pointer to [paddr, paddr + len) if it lies entirely in RAM. */
uint8_t *emu_phys_ptr(const emu_machine *m, uint64_t paddr, size_t len)
{
    uint64_t end = paddr + len;
    if (end < paddr)
        return NULL;
    if (end <= EMU_LOW_RAM_END || (paddr >= EMU_HIGH_RAM && end <= m->ram_size))
        return m->ram + paddr;
    return NULL;
}

/* Maps RAM and ROM into one CPU's engine (the holes and the LAPIC are
 * MMIO, set up by uc_bus.c). */
int emu_ram_map_cpu(emu_machine *m, emu_cpu *c)
{
    uc_err e = uc_mem_map_ptr(c->uc, 0, EMU_LOW_RAM_END, UC_PROT_ALL, m->ram);
    if (!e)
        e = uc_mem_map_ptr(c->uc, EMU_HIGH_RAM, m->ram_size - EMU_HIGH_RAM, UC_PROT_ALL,
                           m->ram + EMU_HIGH_RAM);
    if (!e)
        e = uc_mem_map_ptr(c->uc, EMU_ROM_BASE, EMU_ROM_SIZE, UC_PROT_READ | UC_PROT_EXEC, m->rom);
    return e ? -1 : 0;
}

/* FNV-1a over all RAM, 8 bytes at a time; untouched pages hash as zeros. */
uint64_t emu_machine_ram_hash(const emu_machine *m)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const uint64_t *w = (const uint64_t *)m->ram;
    for (uint64_t i = 0; i < m->ram_size / 8; i++) {
        h ^= w[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t emu_host_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, rss = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &rss) != 2)
        rss = 0;
    fclose(f);
    return (uint64_t)rss * 4096u;
}
