/* The guest's side of mm/: boot set-up, boot options, the mm self-test and
 * the mm benchmark mode.  Guest files include mm/'s headers through this
 * one: mm_types.h and layout.h both define PAGE_SIZE (same value, different
 * spelling), so layout.h goes first and mm's definition wins. */
#ifndef PAGELAB_MM_GUEST_H
#define PAGELAB_MM_GUEST_H

#include "layout.h"
#undef PAGE_SIZE
#include "page.h"      /* struct page before mmzone.h's page_zone() */
#include "mm.h"
#include "mmzone.h"

/* Fixmap slots of arch_kmap_atomic_pfn: one per CPU, after the fixed ones
 * of layout.h and below the ACPI slot (FIX_SLOTS - 1). */
#define FIX_KMAP_FIRST   3
#define FIX_KMAP(cpu)    (FIX_KMAP_FIRST + (cpu))

/* Free pages per zone right after mm_init (node-major, MAX_NR_ZONES each),
 * for the self-test's "back to the boot values" check. */
extern uint32_t mm_boot_free[MAX_NUMNODES][MAX_NR_ZONES];

/* mm_cmdline.c: applies mm_debug=... (before mm_init); prints the reports
 * named by report=... (after mm_init). */
void mm_cmdline_debug(void);
void mm_cmdline_reports(void);
/* Runs one report (a function of mm/report.c, slab or vmalloc) into a
 * static buffer and prints it on the console.  One CPU at a time. */
struct mm_seq;
void mm_print_report(void (*report)(struct mm_seq *));

/* mm_setup.c: builds struct mm_boot_info from the firmware map and the
 * kernel's own footprint, runs mm_init, prints the "mm:" line. */
void mm_setup(void);
/* Free pages of a zone including its per-CPU lists. */
uint32_t mm_zone_free_pages(const struct zone *z);

/* mm_bench.c: true if bench=mm:<kind>:<count> is on the command line; runs
 * it and shuts the machine down (never returns then). */
void mm_bench_run_if_asked(void);

#endif
