/* tests/unit/test_acpi.c - the boot ROM's ACPI tables (emu/acpi.c), read
 * the way a guest reads them: find the RSDP, follow the RSDT to the MADT. */
#include <string.h>

#include "acpi.h"
#include "lapic.h"
#include "machine_priv.h"
#include "unit.h"

static uint8_t rom[EMU_ROM_SIZE];

/* Little-endian 32-bit value at p. */
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Sum of n bytes mod 256 (0 for a valid table). */
static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* The ROM bytes at physical address pa, which must hold len bytes of the
 * ROM; NULL otherwise. */
static const uint8_t *at(uint32_t pa, uint32_t len)
{
    if (pa < EMU_ROM_BASE || len > EMU_ROM_SIZE || pa - EMU_ROM_BASE > EMU_ROM_SIZE - len)
        return NULL;
    return rom + (pa - EMU_ROM_BASE);
}

/* Searches the ROM on 16-byte boundaries for an RSDP whose first 20 bytes
 * sum to 0; returns its physical address, or 0. */
static uint32_t find_rsdp(void)
{
    for (uint32_t off = 0; off + 20 <= EMU_ROM_SIZE; off += 16)
        if (!memcmp(rom + off, "RSD PTR ", 8) && sum8(rom + off, 20) == 0)
            return EMU_ROM_BASE + off;
    return 0;
}

/* Checks the header of a table at pa with signature sig; returns the table
 * (its length at offset 4) or NULL. */
static const uint8_t *check_table(uint32_t pa, const char *sig)
{
    const uint8_t *t = at(pa, 36);
    CHECK(t != NULL);
    if (!t)
        return NULL;
    uint32_t len = get32(t + 4);
    CHECK(!memcmp(t, sig, 4));
    CHECK(len >= 36);
    CHECK(at(pa, len) != NULL);
    if (len < 36 || !at(pa, len))
        return NULL;
    CHECK_EQ(sum8(t, len), 0);
    CHECK_EQ(t[8], 1);                             /* revision (ACPI 1.0) */
    CHECK(!memcmp(t + 10, "PAGELA", 6));
    CHECK(!memcmp(t + 16, "PAGELAB ", 8));
    CHECK(pa - EMU_ROM_BASE + len <= EMU_ACPI_END_OFF);   /* clear of the command line */
    return t;
}

/* Builds the tables for n CPUs and checks everything a guest relies on. */
static void check_cpus(unsigned n)
{
    memset(rom, 0xA5, sizeof rom);
    uint32_t rsdp_pa = emu_acpi_build(rom, EMU_ROM_BASE, n);
    CHECK_EQ(rsdp_pa, EMU_ROM_BASE + EMU_ACPI_RSDP_OFF);
    CHECK_EQ(find_rsdp(), rsdp_pa);
    CHECK_EQ(rsdp_pa % 16, 0);
    const uint8_t *rsdp = at(rsdp_pa, 20);
    if (!rsdp)
        return;
    CHECK_EQ(rsdp[15], 0);                         /* revision 0: RSDT only */
    CHECK(!memcmp(rsdp + 9, "PAGELA", 6));

    const uint8_t *rsdt = check_table(get32(rsdp + 16), "RSDT");
    if (!rsdt)
        return;
    CHECK_EQ(get32(rsdt + 4), 40);                 /* one entry */
    const uint8_t *madt = check_table(get32(rsdt + 36), "APIC");
    if (!madt)
        return;
    uint32_t len = get32(madt + 4);
    CHECK_EQ(len, 44 + 8 * n);
    CHECK_EQ(get32(madt + 36), EMU_LAPIC_BASE);
    CHECK_EQ(get32(madt + 40), 1);                 /* PCAT_COMPAT */
    unsigned cpus = 0;
    for (uint32_t off = 44; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
        const uint8_t *e = madt + off;
        CHECK_EQ(e[0], 0);                         /* only processor entries */
        CHECK_EQ(e[1], 8);
        CHECK_EQ(e[2], cpus);                      /* processor UID */
        CHECK_EQ(e[3], cpus);                      /* APIC ID, ascending from 0 */
        CHECK_EQ(get32(e + 4), 1);                 /* enabled */
        cpus++;
    }
    CHECK_EQ(cpus, n);

    /* Nothing outside the ACPI area was touched. */
    for (uint32_t off = 0; off < EMU_ROM_SIZE; off++)
        if (off < EMU_ACPI_RSDP_OFF || off >= EMU_ACPI_END_OFF)
            if (rom[off] != 0xA5) {
                CHECK_EQ(off, ~0u);
                break;
            }
}

/* A CPU count the ROM area cannot describe writes nothing. */
static void check_refused(unsigned n)
{
    memset(rom, 0xA5, sizeof rom);
    CHECK_EQ(emu_acpi_build(rom, EMU_ROM_BASE, n), 0);
    CHECK_EQ(find_rsdp(), 0);
    unsigned changed = 0;
    for (uint32_t off = 0; off < EMU_ROM_SIZE; off++)
        changed += rom[off] != 0xA5;
    CHECK_EQ(changed, 0);
}

int main(void)
{
    static const unsigned counts[] = { 1, 2, 3, 4, 8, EMU_MAX_CPUS };
    for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++)
        check_cpus(counts[i]);
    check_cpus(EMU_ACPI_MAX_CPUS);
    check_refused(0);
    check_refused(EMU_ACPI_MAX_CPUS + 1);
    CHECK(EMU_ACPI_MAX_CPUS >= EMU_MAX_CPUS);
    CHECK(EMU_ACPI_RSDP_OFF % 16 == 0);
    return unit_done();
}
