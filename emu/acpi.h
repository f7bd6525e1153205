/* emu/acpi.h - the ACPI 1.0 tables of the boot ROM.
 *
 * The guest finds its CPUs the way a PC kernel does: the RSDP ("RSD PTR ",
 * revision 0) in the BIOS area 0xE0000-0xFFFFF, its RSDT, and the MADT
 * ("APIC") the RSDT lists, with one enabled Processor Local APIC entry per
 * CPU (processor UID = APIC ID = CPU index, ascending).  These are the
 * tables SeaBIOS builds under QEMU, less the ones pagelab has no hardware
 * for (FADT, HPET, I/O APIC and interrupt overrides).
 *
 * Offsets inside the boot ROM; the MP tables sit at +0x500/+0x600 and the
 * command line starts at +0x1000 (see loader.c).
 */
#ifndef EMU_ACPI_H
#define EMU_ACPI_H

#include <stdint.h>

#define EMU_ACPI_RSDP_OFF  0x700u   /* 16-byte aligned, as the search requires */
#define EMU_ACPI_RSDT_OFF  0x800u
#define EMU_ACPI_MADT_OFF  0x900u
#define EMU_ACPI_END_OFF   0x1000u  /* first byte the MADT must not reach */
#define EMU_ACPI_MAX_CPUS  ((EMU_ACPI_END_OFF - EMU_ACPI_MADT_OFF - 44u) / 8u)

/* Writes the RSDP, RSDT and MADT for ncpus CPUs into rom, the host copy of
 * the boot ROM, which the guest sees at physical rom_base; rom must hold at
 * least EMU_ACPI_END_OFF bytes, and only [EMU_ACPI_RSDP_OFF,
 * EMU_ACPI_END_OFF) is written.  Returns the RSDP's physical address, or 0
 * (nothing written) unless 1 <= ncpus <= EMU_ACPI_MAX_CPUS. */
uint32_t emu_acpi_build(uint8_t *rom, uint32_t rom_base, unsigned ncpus);

#endif
