/* emu/acpi.c - the ACPI 1.0 RSDP, RSDT and MADT of the boot ROM (see acpi.h).
 *
 * Layouts (ACPI 1.0b; all fields little-endian):
 *   RSDP (20 bytes): "RSD PTR ", checksum, OEM ID[6], revision 0, RSDT address.
 *   Table header (36 bytes): signature[4], length, revision, checksum,
 *     OEM ID[6], OEM table ID[8], OEM revision, creator ID[4], creator revision.
 *   RSDT: header + one 32-bit physical address per table.
 *   MADT: header + local APIC address + flags, then entries; a Processor
 *     Local APIC entry is type 0, length 8, processor UID, APIC ID, flags
 *     (bit 0: enabled).
 * Every table's bytes, and the RSDP's 20 bytes, sum to 0 mod 256.
 */
#include <string.h>

#include "acpi.h"
#include "lapic.h"

#define HDR_LEN        36u
#define MADT_FIXED     (HDR_LEN + 8u)
#define MADT_LAPIC_LEN 8u
#define MADT_PCAT_COMPAT 1u        /* a pair of 8259s is present */
#define LAPIC_ENABLED  1u
#define RSDP_LEN       20u

/* ACPI's OEM ID has six bytes, too few for "PAGELAB"; the table ID has the
 * whole name. */
static const char oem_id[6] = { 'P', 'A', 'G', 'E', 'L', 'A' };
static const char oem_table_id[8] = { 'P', 'A', 'G', 'E', 'L', 'A', 'B', ' ' };

/* Stores v little-endian at p. */
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* The byte that makes n bytes at p (its own slot holding 0) sum to 0. */
static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return (uint8_t)-s;
}

/* Fills the 36-byte header of a len-byte table at t (the body must already
 * be written) and sets its checksum. */
static void finish_table(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    t[9] = 0;
    memcpy(t + 10, oem_id, sizeof oem_id);
    memcpy(t + 16, oem_table_id, sizeof oem_table_id);
    put32(t + 24, 1);              /* OEM revision */
    memcpy(t + 28, "PGLB", 4);     /* creator ID */
    put32(t + 32, 1);              /* creator revision */
    t[9] = checksum(t, len);
}

/* The MADT at t: LAPIC address, PC-AT flag, one enabled LAPIC per CPU.
 * Returns its length. */
static uint32_t build_madt(uint8_t *t, unsigned ncpus)
{
    uint32_t len = MADT_FIXED;
    put32(t + HDR_LEN, EMU_LAPIC_BASE);
    put32(t + HDR_LEN + 4, MADT_PCAT_COMPAT);
    for (unsigned i = 0; i < ncpus; i++, len += MADT_LAPIC_LEN) {
        uint8_t *e = t + len;
        e[0] = 0;                  /* Processor Local APIC */
        e[1] = MADT_LAPIC_LEN;
        e[2] = (uint8_t)i;         /* ACPI processor UID */
        e[3] = (uint8_t)i;         /* APIC ID */
        put32(e + 4, LAPIC_ENABLED);
    }
    finish_table(t, "APIC", len, 1);
    return len;
}

uint32_t emu_acpi_build(uint8_t *rom, uint32_t rom_base, unsigned ncpus)
{
    if (ncpus < 1 || ncpus > EMU_ACPI_MAX_CPUS)
        return 0;
    memset(rom + EMU_ACPI_RSDP_OFF, 0, EMU_ACPI_END_OFF - EMU_ACPI_RSDP_OFF);
    uint8_t *rsdp = rom + EMU_ACPI_RSDP_OFF, *rsdt = rom + EMU_ACPI_RSDT_OFF;
    build_madt(rom + EMU_ACPI_MADT_OFF, ncpus);
    put32(rsdt + HDR_LEN, rom_base + EMU_ACPI_MADT_OFF);
    finish_table(rsdt, "RSDT", HDR_LEN + 4, 1);
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, oem_id, sizeof oem_id);
    rsdp[15] = 0;                  /* revision 0: ACPI 1.0, RSDT only */
    put32(rsdp + 16, rom_base + EMU_ACPI_RSDT_OFF);
    rsdp[8] = checksum(rsdp, RSDP_LEN);
    return rom_base + EMU_ACPI_RSDP_OFF;
}
