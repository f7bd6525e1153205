/* The guest's "mm_arch_impl.h" (included by mm/arch.h): the arch functions
 * the page allocator calls on every allocation and free, inline, so a pair
 * costs a handful of instructions instead of a call each.  The rest of
 * mm/arch.h is out of line in guest/arch/mm_arch.c.
 *
 * Self-contained on purpose: mm/ headers include this, and the guest's
 * layout.h spells PAGE_SIZE differently from mm_types.h, so nothing of the
 * kernel's headers is pulled in here.  The two kernel constants used are
 * checked against layout.h / x86.h in mm_arch.c. */
#ifndef PAGELAB_MM_ARCH_IMPL_H
#define PAGELAB_MM_ARCH_IMPL_H

#define MM_ARCH_EFLAGS_IF    0x200u   /* x86.h's EFLAGS_IF */
#define MM_ARCH_KSTACK_SHIFT 14       /* layout.h's KSTACK_SIZE = 1 << 14 */
#define MM_ARCH_KSTACK_SIZE  (1u << MM_ARCH_KSTACK_SHIFT)

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

/* The CPU number comes from the stack pointer (see mm_arch.c): the BSP
 * runs on boot_stack; CPU i > 0 on kernel stack i of one array of
 * KSTACK_SIZE stacks.  mm_arch.c fills ap_stacks the first time an AP
 * asks (the base of that array and how many stacks are in use, less one);
 * until then, and for any stack outside both (the ring-3 entry stacks),
 * the out-of-line arch_cpu_id_slow answers, from the LAPIC if need be. */
extern uint8_t boot_stack[];
extern struct mm_arch_ap_stacks {
	uint32_t base;                /* cpus[0].kstack_top - KSTACK_SIZE */
	uint32_t last;                /* ncpus - 1 when filled; 0 = not filled */
} mm_arch_ap_stacks;
unsigned arch_cpu_id_slow(uint32_t esp);

static inline unsigned arch_cpu_id(void)
{
	uint32_t esp, idx, last;

	__asm__("movl %%esp, %0" : "=r"(esp));
	if (esp - (uint32_t)boot_stack < MM_ARCH_KSTACK_SIZE)
		return 0;
	last = __atomic_load_n(&mm_arch_ap_stacks.last, __ATOMIC_ACQUIRE);
	idx = (esp - mm_arch_ap_stacks.base) >> MM_ARCH_KSTACK_SHIFT;
	if (idx - 1 < last)           /* 1 <= idx <= ncpus - 1 */
		return idx;
	return arch_cpu_id_slow(esp);
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
