/* tests/unit/mm_arch_impl.h - the host's "mm_arch_impl.h" (see mm/arch.h):
 * the hot arch functions are ordinary out-of-line functions here, defined
 * in tests/unit/mm_host_arch.c, which checks lock use and simulates the
 * current CPU.  Speed does not matter on the host. */
#ifndef MM_HOST_ARCH_IMPL_H
#define MM_HOST_ARCH_IMPL_H

unsigned long arch_spin_lock_irqsave(arch_spinlock_t *lock);
void arch_spin_unlock_irqrestore(arch_spinlock_t *lock, unsigned long flags);
unsigned long arch_local_irq_save(void);
void arch_local_irq_restore(unsigned long flags);

unsigned arch_cpu_id(void);

void arch_atomic_or(volatile uint32_t *w, uint32_t bits);
void arch_atomic_and(volatile uint32_t *w, uint32_t bits);
int32_t arch_atomic_add_return(volatile int32_t *v, int32_t delta);

#endif
