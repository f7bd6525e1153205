/* Kernel-wide constants shared by C and assembly: virtual layout,
 * segment selectors, interrupt vectors.  See docs/guest.md. */
#ifndef PAGELAB_LAYOUT_H
#define PAGELAB_LAYOUT_H

#define PAGE_SIZE        0x1000
#define PAGE_SHIFT       12
#define PGDIR_SHIFT      22
#define PGDIR_SIZE       0x400000

/* lowmem: virt = phys + PAGE_OFFSET for phys < LOWMEM_MAX */
#define PAGE_OFFSET      0xC0000000
#define LOWMEM_MAX       0x38000000      /* 896 MiB */
#define KERNEL_PHYS      0x00100000
#define KERNEL_VIRT      (PAGE_OFFSET + KERNEL_PHYS)

/* reserved regions above lowmem (Linux i386 2.6 style) */
#define VMALLOC_START    0xF8800000      /* lowmem end + 8 MiB gap */
#define VMALLOC_END      0xFF7FE000
#define PKMAP_BASE       0xFF800000      /* 1024 pages, one page table */
#define FIXADDR_START    0xFFC00000      /* last page table */
#define FIXADDR_TOP      0xFFFFF000      /* last page: unmapped guard */

/* fixmap slots, counting down from FIXADDR_TOP */
#define FIX_LAPIC        0
#define FIX_SELFTEST_NP  1               /* never mapped: not-present probe */
#define FIX_SELFTEST_RO  2               /* read-only probe */
#define FIX_SELFTEST_TLB 14              /* the tlb self-test's remapped page */
#define FIX_SLOTS        16
#define FIX_ADDR(slot)   (FIXADDR_TOP - ((slot) + 1) * PAGE_SIZE)

/* GDT selectors */
#define SEL_KCODE        0x08
#define SEL_KDATA        0x10
#define SEL_UCODE        0x1B
#define SEL_UDATA        0x23
#define GDT_TSS_FIRST    5               /* TSS of cpu N at index 5 + N */
#define GDT_PERCPU       13              /* after the TSSs: this CPU's struct cpu */
#define SEL_PERCPU       (GDT_PERCPU << 3)   /* in %fs while in ring 0 */

#define MAX_CPUS         8

/* interrupt vectors */
#define VEC_DOUBLE_FAULT 8
#define VEC_SEG_NP       11
#define VEC_PAGE_FAULT   14
#define VEC_SYSCALL      0x80
#define VEC_SELFTEST     0x81
#define VEC_LAPIC_TIMER  0xEF
#define VEC_CALL_FUNC    0xFB
#define VEC_TLB_FLUSH    0xFD            /* TLB shootdown IPI (guest/arch/tlb.c) */
#define VEC_LAPIC_ERROR  0xFE
#define VEC_SPURIOUS     0xFF

/* AP trampoline: copied to this physical page, started with SIPI vector */
#define TRAMPOLINE_PHYS  0x8000

#define KSTACK_SIZE      0x4000

#endif
