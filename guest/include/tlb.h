/* The guest's kernel page tables and TLB shootdowns (guest/arch/kpgtable.c,
 * guest/arch/tlb.c): the implementation of mm/arch_vm.h.
 *
 * Include this instead of mm/arch_vm.h in guest code: it pulls in the mm
 * headers through mm_guest.h and then mm/vm_layout.h, whose constants
 * (PKMAP_BASE, FIXADDR_TOP, ...) layout.h also spells (without the u
 * suffix); layout.h's spellings are dropped here and checked equal in
 * kpgtable.c. */
#ifndef PAGELAB_TLB_H
#define PAGELAB_TLB_H

#include <stdbool.h>
#include <stdint.h>
#include "mm_guest.h"

#ifdef PKMAP_BASE
enum {
	LAYOUT_H_VMALLOC_END = VMALLOC_END,
	LAYOUT_H_PKMAP_BASE = PKMAP_BASE,
	LAYOUT_H_FIXADDR_START = FIXADDR_START,
	LAYOUT_H_FIXADDR_TOP = FIXADDR_TOP,
};
#undef VMALLOC_END
#undef PKMAP_BASE
#undef FIXADDR_START
#undef FIXADDR_TOP
#endif
#include "vm_layout.h"
#include "arch_vm.h"

/* The shootdown request, published before the IPIs are sent.  The host
 * (emu/shootdown.c) reads it at the kernel symbol `tlb_shootdown_req`, so
 * its layout is emu_tlb_req's: eight little-endian 32-bit words.  targets
 * is the full mask of the CPUs asked to flush and stays as published; the
 * CPUs that have not flushed yet are in a separate mask (tlb.c). */
struct tlb_shootdown_req {
	volatile uint32_t vector;     /* VEC_TLB_FLUSH */
	volatile uint32_t seq;        /* +1 per shootdown */
	volatile uint32_t initiator;  /* CPU number */
	volatile uint32_t targets;    /* CPU mask */
	volatile uint32_t start, end; /* [start, end), unless full */
	volatile uint32_t full;       /* 1: flush everything (CR3 reload) */
	volatile uint32_t reason;     /* enum tlb_reason */
};
extern struct tlb_shootdown_req tlb_shootdown_req;

/* Above this many pages a range flush reloads CR3 instead of invlpg per page. */
#define TLB_FLUSH_CEILING 33u

/* false with tlb_shootdown=off on the command line (self-tests only): the
 * flush_tlb_* functions then flush the calling CPU only, so other CPUs keep
 * stale translations. */
bool tlb_shootdown_enabled(void);

/* Pages the kernel page tables took from the buddy allocator so far
 * (also counted in the zones' NR_PAGETABLE). */
uint32_t kpgtable_pages(void);

#endif
