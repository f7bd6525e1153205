/* Boot information copied out of the multiboot info structure. */
#ifndef PAGELAB_BOOTINFO_H
#define PAGELAB_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_CMDLINE_MAX 512
#define BOOT_MMAP_MAX    32

#define E820_USABLE      1
#define E820_RESERVED    2
#define E820_ACPI        3
#define E820_NVS         4
#define E820_UNUSABLE    5

struct e820_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct bootinfo {
	bool has_mem;
	uint32_t mem_lower_kb;
	uint32_t mem_upper_kb;
	char cmdline[BOOT_CMDLINE_MAX];
	int nmmap;
	struct e820_entry mmap[BOOT_MMAP_MAX];
};

extern struct bootinfo bootinfo;

bool multiboot_copy(uint32_t magic, uint32_t info_phys);
void memmap_print(void);
void memory_report(void);

#endif
