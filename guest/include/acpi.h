/* ACPI CPU discovery: RSDP -> RSDT (or a below-4 GiB XSDT) -> MADT. */
#ifndef PAGELAB_ACPI_H
#define PAGELAB_ACPI_H

#include "smp.h"

#define ACPI_NONE (-1)

int acpi_scan_cpus(struct mp_cpu *out, int max);

#endif
