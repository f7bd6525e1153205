/* Copy the multiboot v1 information into kernel data right after boot;
 * the original may sit in ROM or in RAM that will be reused. */
#include <stddef.h>
#include "bootinfo.h"
#include "kstring.h"
#include "paging.h"

#define MB_BOOT_MAGIC  0x2BADB002
#define MBF_MEM        (1u << 0)
#define MBF_CMDLINE    (1u << 2)
#define MBF_MMAP       (1u << 6)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t base;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

struct bootinfo bootinfo;

/* Kernel pointer to physical range [pa, pa+len), or NULL if it is not
 * inside the direct-mapped lowmem. */
static const void *phys_ptr(uint32_t pa, uint32_t len)
{
	if (pa >= lowmem_end_phys() || len > lowmem_end_phys() - pa)
		return NULL;
	return phys_to_virt(pa);
}

/* Copy the memory map entries. */
static void copy_mmap(uint32_t addr, uint32_t length)
{
	const uint8_t *p = phys_ptr(addr, length);
	uint32_t off = 0;

	while (p && off + sizeof(struct mb_mmap) <= length &&
	       bootinfo.nmmap < BOOT_MMAP_MAX) {
		const struct mb_mmap *m = (const void *)(p + off);
		struct e820_entry *e = &bootinfo.mmap[bootinfo.nmmap++];

		e->base = m->base;
		e->len = m->len;
		e->type = m->type;
		off += m->size + 4;
	}
}

/* Copy the command line (truncated to BOOT_CMDLINE_MAX - 1 bytes). */
static void copy_cmdline(uint32_t addr)
{
	const char *s = phys_ptr(addr, 1);
	size_t i;

	for (i = 0; s && i + 1 < BOOT_CMDLINE_MAX; i++) {
		if ((uint32_t)(s + i) >= lowmem_end_virt() || !s[i])
			break;
		bootinfo.cmdline[i] = s[i];
	}
	bootinfo.cmdline[i] = '\0';
}

/* Validate the loader's magic and copy its information; false when not
 * booted by a multiboot loader. */
bool multiboot_copy(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mb;

	if (magic != MB_BOOT_MAGIC)
		return false;
	mb = phys_ptr(info_phys, sizeof(*mb));
	if (!mb)
		return false;
	if (mb->flags & MBF_MEM) {
		bootinfo.has_mem = true;
		bootinfo.mem_lower_kb = mb->mem_lower;
		bootinfo.mem_upper_kb = mb->mem_upper;
	}
	if (mb->flags & MBF_CMDLINE)
		copy_cmdline(mb->cmdline);
	if (mb->flags & MBF_MMAP)
		copy_mmap(mb->mmap_addr, mb->mmap_length);
	return true;
}
