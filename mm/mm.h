/* mm/mm.h - the interface of pagelab's physical memory manager: boot
 * set-up, the buddy allocator, per-CPU lists, debugging and reports.
 * Built into the guest kernel and natively into host unit tests. */
#ifndef MM_MM_H
#define MM_MM_H

#include "gfp.h"
#include "mmzone.h"
#include "page.h"

/* ---- boot ------------------------------------------------------------------ */

struct mm_range {
    uint64_t start, end;                   /* physical [start, end) */
};

#define MM_MAX_RANGES 32

/* What the kernel tells mm about the machine (from the Multiboot map). */
struct mm_boot_info {
    uint32_t nr_ram;
    struct mm_range ram[MM_MAX_RANGES];    /* usable RAM, sorted, disjoint */
    uint32_t nr_reserved;
    struct mm_range reserved[MM_MAX_RANGES]; /* RAM already in use: kernel image, boot page tables, AP trampoline, ... */
    uint32_t nr_cpus;                      /* 1 .. MM_MAX_CPUS */
    uint32_t nr_nodes;                     /* 1 .. MAX_NUMNODES: RAM split evenly, CPUs in contiguous groups */
    uint32_t min_free_kbytes;              /* 0: computed from lowmem as Linux does */
};

/* Sets up nodes, zones and mem_map, gives all free RAM to the buddy
 * allocator in the largest aligned blocks, computes watermarks, reserves and
 * per-CPU list sizes.  Called once, on the boot CPU, before other CPUs
 * allocate. */
void mm_init(const struct mm_boot_info *bi);

/* ---- the page allocator ------------------------------------------------------ */

/* 2^order contiguous pages, or NULL.  nid < 0: the running CPU's node. */
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned order);
struct page *alloc_pages(gfp_t gfp, unsigned order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
/* The same, returning the kernel virtual address (lowmem only: no __GFP_HIGHMEM). */
unsigned long __get_free_pages(gfp_t gfp, unsigned order);
unsigned long __get_free_page(gfp_t gfp);
unsigned long get_zeroed_page(gfp_t gfp);

/* Drops a reference to a block obtained with order; frees it on the last. */
void __free_pages(struct page *page, unsigned order);
void __free_page(struct page *page);
void free_pages(unsigned long addr, unsigned order);
void free_page(unsigned long addr);
/* __free_page of a page whose contents are cache-cold: it goes to the tail
 * of the per-CPU list, to be reused last. */
void free_cold_page(struct page *page);

/* Per-CPU lists: give this CPU's cached pages back to the buddy lists, or
 * every CPU's (the others through an IPI, arch_on_each_cpu). */
void drain_local_pages(void);
void drain_all_pages(void);

/* ---- debugging -----------------------------------------------------------------*/

/* mm_debug: check_each_op, poison, trace (mm_debug_flags.h). */
#include "mm_debug_flags.h"
extern uint32_t mm_bad_pages;  /* "BUG: Bad page state" reports so far */

/* Checks every structure (like CONFIG_DEBUG_VM): free lists (order stored in
 * the head page, alignment, no overlap, PG_buddy, migrate type), per-zone
 * counts equal to the lists, per-CPU lists, and free + allocated + reserved
 * == present.  Returns the number of violations; prints each if verbose. */
unsigned mm_check_invariants(bool verbose);

/* ---- reports, in Linux's /proc formats ---------------------------------------- */

/* A bounded text buffer; overflow truncates and sets overflow. */
struct mm_seq {
    char *buf;
    size_t size, len;
    bool overflow;
};
void mm_seq_printf(struct mm_seq *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mm_report_buddyinfo(struct mm_seq *s);    /* /proc/buddyinfo */
void mm_report_pagetypeinfo(struct mm_seq *s); /* /proc/pagetypeinfo */
void mm_report_zoneinfo(struct mm_seq *s);     /* /proc/zoneinfo */
void mm_show_mem(struct mm_seq *s);            /* Mem-Info, as in allocation-failure reports */

#endif
