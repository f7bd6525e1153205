/* Symbolic frame-pointer backtraces.  The symbol table is generated at
 * build time (tools/gen_ksyms.sh) from the first link pass. */
#include <stdbool.h>
#include <stddef.h>
#include "backtrace.h"
#include "layout.h"
#include "printk.h"
#include "paging.h"

#define MAX_FRAMES 16

extern const uint32_t ksym_count;
extern const uint32_t ksym_addrs[];     /* pairs: address, name offset */
extern const char ksym_names[];
extern char __kernel_start[], __kernel_end[];

/* Name of the function containing addr and the offset into it, or
 * NULL when addr precedes every known symbol. */
const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
	uint32_t lo = 0, hi = ksym_count;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ksym_addrs[2 * mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_count == 0 || ksym_addrs[2 * lo] > addr)
		return NULL;
	*offset = addr - ksym_addrs[2 * lo];
	return ksym_names + ksym_addrs[2 * lo + 1];
}

/* Print one backtrace line for a code address. */
static void print_frame(uint32_t addr)
{
	uint32_t off = 0;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		printk("  [<%08x>] %s+0x%x\n", addr, name, off);
	else
		printk("  [<%08x>] ?\n", addr);
}

/* A frame pointer is followed only if it lies inside the kernel's
 * mapped lowmem and is aligned. */
static bool frame_ok(uint32_t ebp)
{
	return ebp >= PAGE_OFFSET && ebp < lowmem_end_virt() - 8 &&
	       (ebp & 3) == 0;
}

/* Print eip, then walk the saved-EBP chain starting at ebp. */
void backtrace_print(uint32_t eip, uint32_t ebp)
{
	int n;

	printk("backtrace:\n");
	print_frame(eip);
	for (n = 0; n < MAX_FRAMES && frame_ok(ebp); n++) {
		uint32_t ret = ((uint32_t *)ebp)[1];

		if (ret < (uint32_t)__kernel_start || ret >= (uint32_t)__kernel_end)
			break;
		print_frame(ret);
		ebp = ((uint32_t *)ebp)[0];
	}
}
