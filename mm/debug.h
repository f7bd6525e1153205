/* mm/debug.h - debugging helpers of mm/ beyond the public mm.h: the text
 * of the debug reports (bad_page, poisoning) and the names the reports
 * share.  Implemented by debug.c and report.c; see docs/mm.md, "Debugging
 * and reports". */
#ifndef MM_DEBUG_H
#define MM_DEBUG_H

#include "mm.h"

/* The byte freed pages are filled with when mm_debug.poison is on
 * (Linux's PAGE_POISON). */
#define PAGE_POISON 0xaa

/* Use-after-free reports so far: a poisoned free page found changed when
 * it was allocated again (debug.c). */
extern uint32_t mm_poison_errors;

/* The name the reports print for a zone: zone->name, or "DMA"/"Normal"/
 * "HighMem" by index if the zone was never named (report.c). */
const char *mm_zone_name(const struct zone *z);

/* The "process" named by reports: the guest has no tasks, so allocation
 * failures and bad pages are attributed to "kernel" (debug.c). */
#define MM_REPORT_COMM "kernel"

/* The 32-bit kernel virtual address of a struct page, as the guest sees it
 * (the "page:" field of a bad page report) (debug.c). */
uint32_t mm_page_kaddr(const struct page *page);

/* Writes "flags-value(name|name|...)" for page flags into buf, as Linux's
 * "page flags:" line shows them (debug.c). */
void mm_format_page_flags(char *buf, size_t len, uint32_t flags);

/* The check run after every allocation and free when
 * mm_debug.check_each_op is set: the full mm_check_invariants on one CPU;
 * on several, only the state that cannot change under it (debug.c). */
unsigned mm_check_after_op(void);

#endif
