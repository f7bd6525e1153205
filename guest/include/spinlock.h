/* Test-and-set spinlocks that also disable local interrupts. */
#ifndef PAGELAB_SPINLOCK_H
#define PAGELAB_SPINLOCK_H

#include <stdint.h>
#include "x86.h"

struct spinlock {
	volatile uint32_t locked;
};

#define SPINLOCK_INIT { 0 }

/* Disable interrupts, take the lock; returns the old EFLAGS. */
static inline uint32_t spin_lock_irqsave(struct spinlock *l)
{
	uint32_t flags = read_eflags();

	cli();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
	return flags;
}

/* Release the lock and restore the EFLAGS from spin_lock_irqsave. */
static inline void spin_unlock_irqrestore(struct spinlock *l, uint32_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	write_eflags(flags);
}

#endif
