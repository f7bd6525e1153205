/* Page-table management on top of the boot page directory built in
 * head.S (which maps lowmem with 4 MiB pages and, temporarily, the
 * first 8 MiB 1:1). */
#include "paging.h"
#include "kstring.h"
#include "x86.h"

#define PDE_INDEX(va) ((uint32_t)(va) >> PGDIR_SHIFT)
#define PTE_INDEX(va) (((uint32_t)(va) >> PAGE_SHIFT) & 0x3FF)
#define USER_REGION   0x08000000    /* one page table's worth */
#define IDENT_PDES    2

extern uint32_t kernel_pgdir[1024];
extern uint32_t boot_lowmem_pdes;

static uint32_t fixmap_pt[1024] __attribute__((aligned(PAGE_SIZE)));
static uint32_t user_pt[1024] __attribute__((aligned(PAGE_SIZE)));
static uint32_t tramp_pgdir[1024] __attribute__((aligned(PAGE_SIZE)));

/* Hook the fixmap page table into the kernel page directory. */
void paging_init(void)
{
	kernel_pgdir[PDE_INDEX(FIXADDR_START)] =
		virt_to_phys(fixmap_pt) | PTE_P | PTE_W;
	write_cr3(virt_to_phys(kernel_pgdir));
}

/* Physical end of the direct-mapped lowmem. */
uint32_t lowmem_end_phys(void)
{
	return boot_lowmem_pdes << PGDIR_SHIFT;
}

/* Virtual end of the direct-mapped lowmem. */
uint32_t lowmem_end_virt(void)
{
	return PAGE_OFFSET + lowmem_end_phys();
}

/* Remove the boot identity mapping and flush the TLB. */
void paging_drop_identity(void)
{
	int i;

	for (i = 0; i < IDENT_PDES; i++)
		kernel_pgdir[i] = 0;
	write_cr3(virt_to_phys(kernel_pgdir));
}

/* Build the AP start page directory: the kernel's mappings plus the
 * identity-mapped first 4 MiB.  Returns its physical address. */
uint32_t paging_trampoline_pgdir(void)
{
	memcpy(tramp_pgdir, kernel_pgdir, sizeof(tramp_pgdir));
	tramp_pgdir[0] = 0 | PTE_P | PTE_W | PTE_PS;
	return virt_to_phys(tramp_pgdir);
}

/* Map phys at fixmap slot with the given PTE flags; returns the VA. */
uint32_t fixmap_set(int slot, uint32_t phys, uint32_t flags)
{
	uint32_t va = FIX_ADDR(slot);

	fixmap_pt[PTE_INDEX(va)] = (phys & ~0xFFFu) | flags;
	invlpg(va);
	return va;
}

/* Unmap a fixmap slot. */
void fixmap_clear(int slot)
{
	uint32_t va = FIX_ADDR(slot);

	fixmap_pt[PTE_INDEX(va)] = 0;
	invlpg(va);
}

/* Map one page in the self-test user region (flags get PTE_P|PTE_U). */
void paging_map_user(uint32_t va, uint32_t phys, uint32_t flags)
{
	kernel_pgdir[PDE_INDEX(USER_REGION)] =
		virt_to_phys(user_pt) | PTE_P | PTE_W | PTE_U;
	user_pt[PTE_INDEX(va)] = (phys & ~0xFFFu) | flags | PTE_P | PTE_U;
	invlpg(va);
}

/* Unmap a page of the self-test user region. */
void paging_unmap_user(uint32_t va)
{
	user_pt[PTE_INDEX(va)] = 0;
	invlpg(va);
}
