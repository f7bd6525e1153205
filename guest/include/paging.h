/* Kernel page tables: lowmem direct map (4 MiB pages), fixmap slots in
 * the last page table, and one small user region for self-tests. */
#ifndef PAGELAB_PAGING_H
#define PAGELAB_PAGING_H

#include <stdint.h>
#include "layout.h"

#define PTE_P    0x001
#define PTE_W    0x002
#define PTE_U    0x004
#define PTE_PWT  0x008
#define PTE_PCD  0x010
#define PTE_PS   0x080

#define phys_to_virt(pa) ((void *)((uint32_t)(pa) + PAGE_OFFSET))
#define virt_to_phys(va) ((uint32_t)(va) - PAGE_OFFSET)

void paging_init(void);
void paging_drop_identity(void);
uint32_t paging_trampoline_pgdir(void);
uint32_t lowmem_end_phys(void);
uint32_t lowmem_end_virt(void);
uint32_t fixmap_set(int slot, uint32_t phys, uint32_t flags);
void fixmap_clear(int slot);
void paging_map_user(uint32_t va, uint32_t phys, uint32_t flags);
void paging_unmap_user(uint32_t va);

#endif
