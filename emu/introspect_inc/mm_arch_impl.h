/* emu/introspect_inc/mm_arch_impl.h - the "mm_arch_impl.h" mm/arch.h
 * includes, for the host's introspection (emu/introspect*.c): declarations
 * only.  The host reads the guest's mm structures with mm/'s headers but
 * never runs mm/ code, so nothing declared here is defined or called. */
#ifndef EMU_INTROSPECT_MM_ARCH_IMPL_H
#define EMU_INTROSPECT_MM_ARCH_IMPL_H

unsigned long arch_spin_lock_irqsave(arch_spinlock_t *lock);
void arch_spin_unlock_irqrestore(arch_spinlock_t *lock, unsigned long flags);
unsigned long arch_local_irq_save(void);
void arch_local_irq_restore(unsigned long flags);
unsigned arch_cpu_id(void);
void arch_atomic_or(volatile uint32_t *w, uint32_t bits);
void arch_atomic_and(volatile uint32_t *w, uint32_t bits);
int32_t arch_atomic_add_return(volatile int32_t *v, int32_t delta);

#endif
