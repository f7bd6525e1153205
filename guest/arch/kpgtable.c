/* Kernel page tables above lowmem (mm/arch_vm.h): the vmalloc area, the
 * pkmap window and the fixmap, in the one kernel page directory every CPU
 * runs on (kernel_pgdir: head.S builds it, the APs load it in
 * ap_start_high and nothing loads another CR3 after boot).
 *
 * Page tables:
 *   - fixmap: the last page table (paging.c's, hooked by paging_init);
 *   - pkmap: one page table in the kernel image (pkmap_pt), so kmap never
 *     needs an allocation; hooked into the directory on first use;
 *   - vmalloc: created on demand from the buddy allocator (GFP_KERNEL |
 *     __GFP_ZERO, lowmem so the kernel reaches them through the direct
 *     map), counted in the zone's NR_PAGETABLE, never freed.
 * A new page table is installed with a compare-and-exchange on the PDE
 * (a CPU that loses the race frees its page and uses the winner's).  As
 * the directory is shared, the PDE is at once visible to every CPU; a
 * not-present PDE is never cached, so installing one needs no flush.
 *
 * PTE updates are single aligned 32-bit stores.  arch_kpte_set refuses
 * (MM_BUG_ON) to overwrite a present PTE: the old translation could still
 * be in some TLB, so the caller must clear, flush, then set. */
#include "tlb.h"
#include "internal.h"
#include "paging.h"
#include "x86.h"

_Static_assert(LAYOUT_H_VMALLOC_END == VMALLOC_END, "layout.h and mm/vm_layout.h: VMALLOC_END");
_Static_assert(LAYOUT_H_PKMAP_BASE == PKMAP_BASE, "layout.h and mm/vm_layout.h: PKMAP_BASE");
_Static_assert(LAYOUT_H_FIXADDR_START == FIXADDR_START, "layout.h and mm/vm_layout.h: FIXADDR_START");
_Static_assert(LAYOUT_H_FIXADDR_TOP == FIXADDR_TOP, "layout.h and mm/vm_layout.h: FIXADDR_TOP");
_Static_assert(FIX_KMAP_BEGIN >= FIX_SLOTS, "kmap_atomic slots overlap the guest's fixmap slots");
_Static_assert(fix_to_virt(FIX_KMAP_END - 1) >= FIXADDR_START, "fixmap larger than one page table");
_Static_assert(PKMAP_BASE % PGDIR_SIZE == 0 && LAST_PKMAP == 1024, "pkmap: one page table");

#define PDE_INDEX(va) ((uint32_t)(va) >> PGDIR_SHIFT)
#define PTE_INDEX(va) (((uint32_t)(va) >> PAGE_SHIFT) & 0x3FF)
#define PTE_ADDR      0xFFFFF000u

extern uint32_t kernel_pgdir[1024];

static uint32_t pkmap_pt[1024] __attribute__((aligned(4096)));
static volatile int32_t pt_pages;

uint32_t kpgtable_pages(void)
{
	return (uint32_t)pt_pages;
}

/* The kernel range arch_kpte_* may touch. */
static void check_vaddr(uint32_t vaddr)
{
	MM_BUG_ON(vaddr & (PAGE_SIZE - 1));
	MM_BUG_ON(vaddr < vm_vmalloc_start(max_low_pfn) || vaddr >= FIXADDR_TOP);
}

/* The PTE of vaddr, creating its page table if create; NULL if there is
 * none (or none could be allocated). */
static volatile uint32_t *kpte(uint32_t vaddr, bool create)
{
	volatile uint32_t *pde = (volatile uint32_t *)&kernel_pgdir[PDE_INDEX(vaddr)];
	uint32_t v = *pde, newpde, expected = 0;
	struct page *page = NULL;

	if (!(v & PTE_P)) {
		if (!create)
			return NULL;
		if (PDE_INDEX(vaddr) == PDE_INDEX(PKMAP_BASE)) {
			newpde = virt_to_phys(pkmap_pt);
		} else {
			page = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!page)
				return NULL;
			newpde = page_to_pfn(page) << PAGE_SHIFT;
		}
		newpde |= PTE_P | PTE_W;
		if (__atomic_compare_exchange_n(pde, &expected, newpde, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			v = newpde;
			if (page) {
				mod_zone_page_state(page_zone(page), NR_PAGETABLE, 1);
				__atomic_add_fetch(&pt_pages, 1, __ATOMIC_RELAXED);
			}
		} else {                        /* another CPU installed one first */
			v = expected;
			if (page)
				__free_page(page);
		}
	}
	MM_BUG_ON(v & PTE_PS);                  /* never a lowmem 4 MiB page */
	return (volatile uint32_t *)phys_to_virt(v & PTE_ADDR) + PTE_INDEX(vaddr);
}

int arch_kpte_set(uint32_t vaddr, uint32_t pfn, unsigned prot)
{
	volatile uint32_t *pte;
	uint32_t v;

	check_vaddr(vaddr);
	MM_BUG_ON(pfn >= (1u << (32 - PAGE_SHIFT)));
	pte = kpte(vaddr, true);
	if (!pte)
		return -1;
	MM_BUG_ON(*pte & PTE_P);                /* clear and flush before remapping */
	v = (pfn << PAGE_SHIFT) | PTE_P;
	if (prot & KPTE_WRITE)
		v |= PTE_W;
	if (prot & KPTE_NOCACHE)
		v |= PTE_PCD | PTE_PWT;
	*pte = v;
	return 0;
}

uint32_t arch_kpte_clear(uint32_t vaddr)
{
	volatile uint32_t *pte;
	uint32_t old;

	check_vaddr(vaddr);
	pte = kpte(vaddr, false);
	if (!pte)
		return MM_NIL;
	old = __atomic_exchange_n(pte, 0, __ATOMIC_ACQ_REL);
	return (old & PTE_P) ? old >> PAGE_SHIFT : MM_NIL;
}

uint32_t arch_kpte_pfn(uint32_t vaddr)
{
	volatile uint32_t *pte;
	uint32_t v;

	check_vaddr(vaddr);
	pte = kpte(vaddr, false);
	if (!pte)
		return MM_NIL;
	v = *pte;
	return (v & PTE_P) ? v >> PAGE_SHIFT : MM_NIL;
}
