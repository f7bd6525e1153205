/* mm/alloc_fail.c - the report printed when an allocation fails, as
 * Linux's warn_alloc_failed prints it: one line naming the request, the
 * CPU line of a stack dump (pagelab has no backtrace to add here), then
 * the Mem-Info block of mm_show_mem.
 *
 * No rate limiting: every failure without __GFP_NOWARN is reported, so
 * that runs are deterministic (Linux allows 10 reports per 5 seconds).
 */
#include "debug.h"
#include "internal.h"

/* Mem-Info of 4 nodes x 3 zones is about 6 KiB; the buffer is static
 * because this runs when memory is short, and shared under a lock. */
static char report_buf[16384];
static arch_spinlock_t report_lock;

void warn_alloc_failed(gfp_t gfp, unsigned order)
{
    struct mm_seq s = { .buf = report_buf, .size = sizeof report_buf };
    unsigned long flags;

    if (gfp & __GFP_NOWARN)
        return;
    flags = arch_spin_lock_irqsave(&report_lock);
    mm_seq_printf(&s, "%s: page allocation failure: order:%u, mode:0x%x\n",
                  MM_REPORT_COMM, order, (unsigned)gfp);
    mm_seq_printf(&s, "CPU: %u PID: 0 Comm: %s\n", arch_cpu_id(), MM_REPORT_COMM);
    mm_show_mem(&s);
    arch_puts(report_buf);
    if (s.overflow)
        arch_puts("mm: allocation failure report truncated\n");
    arch_spin_unlock_irqrestore(&report_lock, flags);
}
