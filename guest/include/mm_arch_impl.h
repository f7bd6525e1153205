/* The guest's "mm_arch_impl.h" (included by mm/arch.h): the arch functions
 * the page allocator calls on every allocation and free, inline, so a pair
 * costs a handful of instructions instead of a call each.  The rest of
 * mm/arch.h is out of line in guest/arch/mm_arch.c.
 *
 * Self-contained on purpose: mm/ headers include this, and the guest's
 * layout.h spells PAGE_SIZE differently from mm_types.h, so nothing of the
 * kernel's headers is pulled in here.  The two kernel constants used are
 * checked against x86.h / percpu.h in mm_arch.c. */
#ifndef PAGELAB_MM_ARCH_IMPL_H
#define PAGELAB_MM_ARCH_IMPL_H

#define MM_ARCH_EFLAGS_IF    0x200u   /* x86.h's EFLAGS_IF */

/* The page allocator's order-0 entry points (alloc_pages, __free_page, ...)
 * without a frame pointer of their own: push/mov/pop of EBP and a spill
 * fewer on every call.  mm/ is built with -ffixed-ebp (guest/CMakeLists.txt),
 * so EBP still holds the caller's frame and backtraces stay walkable; what a
 * backtrace taken below one of these functions misses is the function's
 * own caller (docs/mm.md, Benchmark). */
#define MM_ARCH_HOT_ENTRY __attribute__((optimize("omit-frame-pointer")))

/* ---- interrupts and spinlocks ------------------------------------------- */

/* pushf; cli: returns the old EFLAGS. */
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

/* Back to the EFLAGS.IF of arch_local_irq_save. */
static inline void arch_local_irq_restore(unsigned long flags)
{
	if (flags & MM_ARCH_EFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

/* mm_arch.c: spins (plain reads with pause) until the lock is free, then
 * retries the exchange, until it has the lock.  Interrupts stay off. */
void arch_spin_lock_contended(arch_spinlock_t *lock);

/* Interrupts off, then lock xchg; the spinning is out of line. */
static inline unsigned long arch_spin_lock_irqsave(arch_spinlock_t *lock)
{
	unsigned long flags = arch_local_irq_save();
	uint32_t v = 1;

	__asm__ volatile("lock xchgl %0, %1" : "+r"(v), "+m"(lock->word) : : "memory");
	if (__builtin_expect(v != 0, 0))
		arch_spin_lock_contended(lock);
	return flags;
}

/* A plain store releases on x86 (stores are not reordered with older
 * loads or stores); the compiler barrier keeps the critical section in. */
static inline void arch_spin_unlock_irqrestore(arch_spinlock_t *lock, unsigned long flags)
{
	__asm__ volatile("" : : : "memory");
	lock->word = 0;
	arch_local_irq_restore(flags);
}

/* ---- CPUs ------------------------------------------------------------------ */

/* In ring 0, %fs is always this CPU's per-CPU segment (guest/arch/gdt.c:
 * its base is the CPU's struct cpu, whose first word is the CPU number;
 * mm_arch.c checks the offset).  gdt_load sets it before the CPU runs any
 * C code that allocates, and the trap entry reloads it. */
#define MM_ARCH_PERCPU_CPU_OFF 0

static inline unsigned arch_cpu_id(void)
{
	unsigned cpu;

	__asm__("movl %%fs:%c1, %0" : "=r"(cpu) : "i"(MM_ARCH_PERCPU_CPU_OFF));
	return cpu;
}

/* ---- atomics ---------------------------------------------------------------- */

static inline void arch_atomic_or(volatile uint32_t *w, uint32_t bits)
{
	__asm__ volatile("lock orl %1, %0" : "+m"(*w) : "ir"(bits) : "memory");
}

static inline void arch_atomic_and(volatile uint32_t *w, uint32_t bits)
{
	__asm__ volatile("lock andl %1, %0" : "+m"(*w) : "ir"(bits) : "memory");
}

static inline int32_t arch_atomic_add_return(volatile int32_t *v, int32_t delta)
{
	int32_t old = delta;

	__asm__ volatile("lock xaddl %0, %1" : "+r"(old), "+m"(*v) : : "memory");
	return old + delta;
}

#endif
