/* Report the firmware memory map and the lowmem/highmem split. */
#include "bootinfo.h"
#include "layout.h"
#include "printk.h"

#define FOUR_GB 0x100000000ull

/* Name of an e820 type. */
static const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case E820_USABLE:   return "usable";
	case E820_RESERVED: return "reserved";
	case E820_ACPI:     return "ACPI data";
	case E820_NVS:      return "ACPI NVS";
	case E820_UNUSABLE: return "unusable";
	default:            return "unknown";
	}
}

/* Fall back to mem_lower/mem_upper when the loader gave no map. */
static void synthesize_map(void)
{
	if (bootinfo.nmmap || !bootinfo.has_mem)
		return;
	bootinfo.mmap[0] = (struct e820_entry){ 0,
		(uint64_t)bootinfo.mem_lower_kb << 10, E820_USABLE };
	bootinfo.mmap[1] = (struct e820_entry){ 0x100000,
		(uint64_t)bootinfo.mem_upper_kb << 10, E820_USABLE };
	bootinfo.nmmap = 2;
}

/* One line per memory map entry. */
void memmap_print(void)
{
	int i;

	synthesize_map();
	for (i = 0; i < bootinfo.nmmap; i++) {
		const struct e820_entry *e = &bootinfo.mmap[i];

		pr_info("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n",
			(unsigned long long)e->base,
			(unsigned long long)(e->base + e->len - 1),
			e820_type_name(e->type));
	}
}

/* Bytes of [lo, hi) covered by usable map entries. */
static uint64_t usable_between(uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < bootinfo.nmmap; i++) {
		const struct e820_entry *e = &bootinfo.mmap[i];
		uint64_t s = e->base > lo ? e->base : lo;
		uint64_t t = e->base + e->len < hi ? e->base + e->len : hi;

		if (e->type == E820_USABLE && t > s)
			sum += t - s;
	}
	return sum;
}

/* "Memory: NK lowmem, MK highmem" (+ RAM above 4 GiB, unusable here). */
void memory_report(void)
{
	uint64_t low = usable_between(0, LOWMEM_MAX);
	uint64_t high = usable_between(LOWMEM_MAX, FOUR_GB);
	uint64_t above = usable_between(FOUR_GB, ~0ull);

	if (above)
		pr_info("Memory: %lluK lowmem, %lluK highmem, %lluK above 4G (not addressable)\n",
			low >> 10, high >> 10, above >> 10);
	else
		pr_info("Memory: %lluK lowmem, %lluK highmem\n",
			low >> 10, high >> 10);
}
