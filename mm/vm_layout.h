/* mm/vm_layout.h - the i386 kernel's virtual address layout (3G/1G split,
 * no PAE), the same numbers Linux 2.6 uses.  Shared by mm/ (both builds) and
 * guest/ (guest/include/layout.h must agree: it static-asserts it).
 *
 *   PAGE_OFFSET .. high_memory          lowmem direct map (virt = phys + PAGE_OFFSET)
 *   high_memory .. VMALLOC_START        8 MiB guard gap (rounded as Linux does)
 *   VMALLOC_START .. VMALLOC_END        vmalloc/vmap areas, each with a guard page
 *   VMALLOC_END .. PKMAP_BASE           two unmapped pages
 *   PKMAP_BASE .. +4 MiB                permanent kmaps: LAST_PKMAP slots, one page table
 *   FIXADDR_START .. FIXADDR_TOP        fixmap (last page table): LAPIC, per-CPU kmap_atomic slots, ...
 *   FIXADDR_TOP .. 4 GiB                guard page
 */
#ifndef MM_VM_LAYOUT_H
#define MM_VM_LAYOUT_H

#include "mm_types.h"

#define VM_PAGE_OFFSET     0xC0000000u
#define VMALLOC_OFFSET     (8u << 20)
#define PKMAP_BASE         0xFF800000u
#define LAST_PKMAP         1024u
#define PKMAP_END          (PKMAP_BASE + LAST_PKMAP * PAGE_SIZE)
#define VMALLOC_END        (PKMAP_BASE - 2 * PAGE_SIZE)
#define FIXADDR_START      0xFFC00000u
#define FIXADDR_TOP        0xFFFFF000u

/* Fixmap slots count down from FIXADDR_TOP: slot i is at FIXADDR_TOP - (i+1) pages.
 * Slots below FIX_KMAP_BEGIN belong to the guest (LAPIC, self-test probes, ACPI). */
#define FIX_KMAP_BEGIN     16u
#define KM_TYPE_NR         16u                 /* kmap_atomic nesting depth per CPU */
#define FIX_KMAP_END       (FIX_KMAP_BEGIN + KM_TYPE_NR * MM_MAX_CPUS)
#define fix_to_virt(slot)  (FIXADDR_TOP - ((uint32_t)(slot) + 1) * PAGE_SIZE)

/* high_memory and VMALLOC_START depend on the machine's lowmem size:
 * VMALLOC_START = (high_memory + 2 * VMALLOC_OFFSET - 1) rounded down to VMALLOC_OFFSET. */
static inline uint32_t vm_high_memory(uint32_t max_low_pfn) { return VM_PAGE_OFFSET + (max_low_pfn << PAGE_SHIFT); }
static inline uint32_t vm_vmalloc_start(uint32_t max_low_pfn)
{
    return (vm_high_memory(max_low_pfn) + 2 * VMALLOC_OFFSET - 1) & ~(VMALLOC_OFFSET - 1);
}

#endif
