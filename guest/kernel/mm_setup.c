/* Physical memory manager set-up: describe the machine to mm_init.
 *
 * Usable RAM is what the firmware map (Multiboot / e820) calls usable,
 * below 4 GiB (no PAE), shrunk to whole pages.  Reserved inside it:
 *   - page 0 (real-mode IVT and BIOS data area);
 *   - the AP trampoline page (TRAMPOLINE_PHYS);
 *   - the kernel image from its load address to __kernel_end: text, data,
 *     bss (which holds the boot page directory, the fixmap, user and
 *     trampoline page tables, the per-CPU stacks and the boot information
 *     copy) and the .ksyms symbol table after bss.
 * The kernel allocates nothing statically outside its image, and what the
 * firmware map reserves below 1 MiB (EBDA, BIOS ROM) is not usable RAM in
 * the first place. */
#include "mm_guest.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "internal.h"
#include "ktrace.h"
#include "highmem.h"
#include "percpu.h"
#include "printk.h"
#include "slab.h"
#include "vmalloc.h"

#define FOUR_GB 0x100000000ull

extern char __kernel_start[], __kernel_end[];

uint32_t mm_boot_free[MAX_NUMNODES][MAX_NR_ZONES];

static struct mm_boot_info boot_info;

/* Adds [start, end) to a sorted list of disjoint ranges, merging overlapping
 * and touching ones. */
static void add_range(struct mm_range *r, uint32_t *n, uint64_t start, uint64_t end)
{
	uint32_t i, j;

	if (start >= end)
		return;
	for (i = 0; i < *n && r[i].end < start; i++)
		;
	if (i < *n && r[i].start <= end) {      /* overlaps or touches r[i] */
		if (start < r[i].start)
			r[i].start = start;
		if (end > r[i].end)
			r[i].end = end;
		/* swallow the ranges the grown one now reaches */
		for (j = i + 1; j < *n && r[j].start <= r[i].end; j++)
			if (r[j].end > r[i].end)
				r[i].end = r[j].end;
		if (j > i + 1) {
			uint32_t k, gone = j - i - 1;

			for (k = i + 1; k + gone < *n; k++)
				r[k] = r[k + gone];
			*n -= gone;
		}
		return;
	}
	if (*n >= MM_MAX_RANGES) {
		printk("mm: more than %d memory ranges, ignoring 0x%llx-0x%llx\n",
		       MM_MAX_RANGES, (unsigned long long)start,
		       (unsigned long long)end - 1);
		return;
	}
	for (j = *n; j > i; j--)
		r[j] = r[j - 1];
	r[i].start = start;
	r[i].end = end;
	(*n)++;
}

/* Usable RAM from the firmware map: whole pages below 4 GiB. */
static void collect_ram(struct mm_boot_info *bi)
{
	int i;

	for (i = 0; i < bootinfo.nmmap; i++) {
		const struct e820_entry *e = &bootinfo.mmap[i];
		uint64_t start = e->base, end = e->base + e->len;

		if (e->type != E820_USABLE)
			continue;
		if (end > FOUR_GB)
			end = FOUR_GB;
		start = (start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		end &= ~(uint64_t)(PAGE_SIZE - 1);
		add_range(bi->ram, &bi->nr_ram, start, end);
	}
}

/* What the kernel itself occupies in RAM (see the comment at the top). */
static void collect_reserved(struct mm_boot_info *bi)
{
	uint64_t kstart = (uint32_t)__kernel_start - PAGE_OFFSET;
	uint64_t kend = (uint32_t)__kernel_end - PAGE_OFFSET;

	add_range(bi->reserved, &bi->nr_reserved, 0, PAGE_SIZE);
	add_range(bi->reserved, &bi->nr_reserved, TRAMPOLINE_PHYS,
		  TRAMPOLINE_PHYS + PAGE_SIZE);
	add_range(bi->reserved, &bi->nr_reserved, kstart & ~(uint64_t)(PAGE_SIZE - 1),
		  (kend + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1));
}

/* numa=fake=N: 1 .. MAX_NUMNODES nodes (default 1). */
static uint32_t fake_nodes(void)
{
	const char *v = cmdline_get("numa");
	uint32_t n = 0;

	if (!v)
		return 1;
	if (v[0] == 'f' && v[1] == 'a' && v[2] == 'k' && v[3] == 'e' && v[4] == '=' &&
	    v[5] >= '1' && v[5] <= '0' + MAX_NUMNODES && v[6] == '\0')
		n = (uint32_t)(v[5] - '0');
	if (!n) {
		printk("mm: numa=%s ignored (want numa=fake=1..%d)\n", v, MAX_NUMNODES);
		return 1;
	}
	return n;
}

uint32_t mm_zone_free_pages(const struct zone *z)
{
	return zone_page_state(z, NR_FREE_PAGES) + zone_pcp_count(z);
}

/* After smp_boot (CPU count known, the APs idle until asked to do
 * something) and before anything allocates. */
void mm_setup(void)
{
	struct mm_boot_info *bi = &boot_info;
	struct zone *z;
	uint32_t free = 0, zones = 0;

	bi->nr_cpus = (uint32_t)ncpus;
	bi->nr_nodes = fake_nodes();
	bi->min_free_kbytes = 0;
	collect_ram(bi);
	collect_reserved(bi);
	mm_cmdline_debug();
	mm_init(bi);
	vmalloc_init();
	kmap_init();

	for_each_populated_zone(z) {
		mm_boot_free[z->node][z->zone_idx] = mm_zone_free_pages(z);
		free += mm_boot_free[z->node][z->zone_idx];
		zones++;
	}
	pr_info("mm: %u pages free in %u zones on %u node(s)\n", free, zones,
		nr_online_nodes);
	/* The slab allocator after the line above (its footprint depends on
	 * the CPU count; the line must not), before the boot free counts. */
	kmem_cache_init();
	trace_init();
	for_each_populated_zone(z)
		mm_boot_free[z->node][z->zone_idx] = mm_zone_free_pages(z);
	mm_cmdline_reports();
}
