/* tests/unit/mm_host.h - the host side of mm/arch.h for mm unit tests:
 * a simulated machine (RAM in one host buffer, a settable current CPU) and
 * boot helpers.  Implemented in tests/unit/mm_host_arch.c. */
#ifndef MM_HOST_H
#define MM_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "mm.h"

/* The CPU arch_cpu_id() reports (default 0) and the number online
 * (arch_nr_cpus, default 1; mm_host_boot sets it). */
void mm_host_set_cpu(unsigned cpu);
void mm_host_set_nr_cpus(unsigned n);

/* Frees the simulated RAM and zeroes every mm global (node_data, mem_map,
 * max_pfn, ..., mm_debug, mm_bad_pages), so another boot can follow. */
void mm_host_reset(void);

/* Fills bi as the guest would on a PC with ram_bytes of RAM: usable RAM
 * 0 - 0x9FC00 and 1 MiB - (ram_bytes - 128 KiB), the kernel image
 * 1 MiB - 5 MiB reserved. */
void mm_host_boot_info(struct mm_boot_info *bi, uint64_t ram_bytes, unsigned ncpus, unsigned nnodes);

/* mm_host_reset, then maps ram_bytes of RAM (MAP_NORESERVE: untouched
 * pages cost nothing), sets ncpus CPUs, current CPU 0, and calls mm_init
 * with mm_host_boot_info's boot information. */
void mm_host_boot(uint64_t ram_bytes, unsigned ncpus, unsigned nnodes);
/* The same with a boot information of the test's own (RAM sized from it). */
void mm_host_boot_with(const struct mm_boot_info *bi);

/* The host address of physical address phys (any RAM, highmem included). */
void *mm_host_ram(uint64_t phys);

/* Runs fn(arg) expecting it to hit MM_BUG_ON: returns true if it did (the
 * bug is caught, recorded in mm_host_last_bug, and fn is abandoned at that
 * point: locks it held stay held, see mm_host_unlock_all), false if fn
 * returned normally. */
bool mm_host_expect_bug(void (*fn)(void *arg), void *arg);

/* The same inline: while an expectation is set, arch_mm_bug records the
 * report and longjmps back to the mm_host_expect_bug call site, which then
 * returns true (like setjmp).  Use as:
 *     if (!MM_HOST_EXPECT_BUG()) { code that must hit MM_BUG_ON; CHECK(0); }
 *     mm_host_expect_bug_end();
 * mm_host_bugs() counts the bugs caught; mm_host_last_bug() is the last
 * condition text.  Without an expectation, arch_mm_bug prints and abort()s. */
#include <setjmp.h>
extern jmp_buf *mm_host_bug_jmp;
extern jmp_buf mm_host_bug_env;
#define MM_HOST_EXPECT_BUG() (mm_host_bug_jmp = &mm_host_bug_env, setjmp(mm_host_bug_env) != 0)
void mm_host_expect_bug_end(void);
unsigned mm_host_bugs(void);
const char *mm_host_last_bug(void);
/* Forgets every lock state (after a caught MM_BUG_ON left locks held). */
void mm_host_unlock_all(void);

#endif
