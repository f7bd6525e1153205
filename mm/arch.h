/* mm/arch.h - everything mm/ needs from the machine it runs on.
 *
 * The guest kernel implements this in guest/include/mm_arch_impl.h (the
 * hot functions, inline) and guest/arch/mm_arch.c (real spinlocks with
 * interrupts off, the lowmem direct map at PAGE_OFFSET, IPIs through the
 * local APIC).  The host unit tests implement it in tests/unit/mm_arch_impl.h
 * (declarations only) and tests/unit/mm_host_arch.c (a simulated CPU number,
 * RAM in a host buffer, "IPIs" as direct calls).  Nothing else in mm/
 * touches hardware.
 */
#ifndef MM_ARCH_H
#define MM_ARCH_H

#include <stdarg.h>

#include "mm_types.h"

/* A spinlock is one 32-bit word (0 = free), so it fits the fixed layout. */
typedef struct arch_spinlock {
    volatile uint32_t word;
} arch_spinlock_t;

/* Hints for the hot paths. */
#define MM_LIKELY(x)   __builtin_expect(!!(x), 1)
#define MM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define mm_always_inline inline __attribute__((always_inline))
/* Makes v opaque to the optimiser (Linux's OPTIMIZER_HIDE_VAR): a pointer
 * computed once from indices (a zone, a per-CPU list) then stays in a
 * register instead of being re-derived with multiplications at each use. */
#define MM_HIDE_VAR(v) __asm__("" : "+r"(v))

/* ---- the hot part of the contract: provided by "mm_arch_impl.h" ------------
 *
 * These are called several times per allocation, so each build supplies
 * them through a header of its own, found on its include path: the guest's
 * guest/include/mm_arch_impl.h defines them static inline (pushfl/cli,
 * lock-prefixed instructions, the CPU number from the stack pointer); the
 * host's tests/unit/mm_arch_impl.h only declares them, and
 * tests/unit/mm_host_arch.c defines them out of line (lock checking,
 * simulated CPUs).  Either way they are called as functions with exactly
 * these signatures and meanings:
 *
 *   unsigned long arch_spin_lock_irqsave(arch_spinlock_t *lock);
 *       Takes the lock with local interrupts disabled; returns the
 *       interrupt state to hand back to arch_spin_unlock_irqrestore.
 *   void arch_spin_unlock_irqrestore(arch_spinlock_t *lock, unsigned long flags);
 *   unsigned long arch_local_irq_save(void);
 *   void arch_local_irq_restore(unsigned long flags);
 *       Disable/restore local interrupts (per-CPU list access).
 *   unsigned arch_cpu_id(void);
 *       The running CPU's number, 0 .. arch_nr_cpus() - 1.  It does not
 *       change during a call into mm (no migration), so a caller may ask
 *       once and pass the number down.
 *   void arch_atomic_or(volatile uint32_t *w, uint32_t bits);
 *   void arch_atomic_and(volatile uint32_t *w, uint32_t bits);
 *   int32_t arch_atomic_add_return(volatile int32_t *v, int32_t delta);
 *       Atomic operations on 32-bit words (struct page flags and counts);
 *       add_return returns the new value.
 */
#include "mm_arch_impl.h"

/* Marks the allocator's order-0 entry points; an arch may make them cheaper
 * (the guest drops their frame pointer), the host leaves them alone. */
#ifndef MM_ARCH_HOT_ENTRY
#define MM_ARCH_HOT_ENTRY
#endif

/* The number of CPUs online. */
unsigned arch_nr_cpus(void);

/* The lowmem direct map: the kernel virtual address of a physical address
 * below 896 MiB, and back.  Highmem has no permanent address. */
void *arch_phys_to_virt(uint64_t phys);
uint64_t arch_virt_to_phys(const void *virt);

/* A temporary kernel mapping of any page frame (highmem included), for
 * __GFP_ZERO and poisoning of highmem pages: valid on this CPU until
 * arch_kunmap_atomic(addr); no sleeping in between, one at a time.  (Host:
 * a pointer into the RAM buffer; guest: a per-CPU fixmap slot.) */
void *arch_kmap_atomic_pfn(uint32_t pfn);
void arch_kunmap_atomic(void *addr);

/* Runs fn(arg) on every online CPU, the caller's included, and returns when
 * all have finished (the guest sends an IPI to the others). */
void arch_on_each_cpu(void (*fn)(void *arg), void *arg);

/* Console output and formatting (printk's subset: d i u x X p s c %, l and
 * ll modifiers, width, zero pad, '-'). */
int arch_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
void arch_puts(const char *s);

/* An mm invariant was violated: report (file, line, the condition) and stop
 * the machine; never returns. */
void arch_mm_bug(const char *file, int line, const char *cond) __attribute__((noreturn));

#define MM_BUG_ON(cond) do { if (cond) arch_mm_bug(__FILE__, __LINE__, #cond); } while (0)

#endif
