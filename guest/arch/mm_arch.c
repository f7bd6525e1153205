/* The guest's implementation of mm/arch.h: what the physical memory
 * manager needs from the machine.  Spinlocks with local interrupts off,
 * locked read-modify-write atomics, the lowmem direct map, per-CPU fixmap
 * slots for temporary mappings of any page frame, cross-CPU calls through
 * the call-function IPI, console output and the BUG path. */
#include <stdarg.h>
#include "mm_guest.h"
#include "kprintf.h"
#include "lapic.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "time.h"
#include "x86.h"

_Static_assert(FIX_KMAP(MAX_CPUS - 1) < FIX_SLOTS - 1,
	       "kmap fixmap slots overlap the ACPI slot");
_Static_assert(MM_MAX_CPUS == MAX_CPUS, "mm and the kernel disagree on CPUs");

_Static_assert(MM_ARCH_EFLAGS_IF == EFLAGS_IF, "mm_arch_impl.h: EFLAGS_IF");
_Static_assert(MM_ARCH_PERCPU_CPU_OFF == __builtin_offsetof(struct cpu, index) &&
	       sizeof(cpus[0].index) == sizeof(unsigned), "mm_arch_impl.h: the CPU number in %fs");

/* The hot functions (interrupts, the lock fast path, the CPU number, the
 * atomics) are inline in guest/include/mm_arch_impl.h; their slow paths
 * and the rest of mm/arch.h are here. */

/* pushf; cli: returns the old EFLAGS. */
static inline unsigned long irq_save(void)
{
	return arch_local_irq_save();
}

/* Back to the EFLAGS.IF of irq_save. */
static inline void irq_restore(unsigned long flags)
{
	arch_local_irq_restore(flags);
}

/* ---- spinlocks ------------------------------------------------------------ */

/* The inline arch_spin_lock_irqsave found the lock taken (interrupts are
 * already off): spin on plain reads (with pause) while somebody else holds
 * it, then lock xchg again, until the word was 0. */
void arch_spin_lock_contended(arch_spinlock_t *lock)
{
	uint32_t v;

	for (;;) {
		while (lock->word)
			__asm__ volatile("pause" : : : "memory");
		v = 1;
		__asm__ volatile("lock xchgl %0, %1"
				 : "+r"(v), "+m"(lock->word) : : "memory");
		if (v == 0)
			return;
	}
}

/* ---- CPUs ------------------------------------------------------------------ */

unsigned arch_nr_cpus(void)
{
	return ncpus > 0 ? (unsigned)ncpus : 1u;
}

/* ---- address translation ---------------------------------------------------- */

void *arch_phys_to_virt(uint64_t phys)
{
	if (phys >= LOWMEM_MAX)
		arch_mm_bug(__FILE__, __LINE__, "phys >= LOWMEM_MAX (highmem has no direct map)");
	return (void *)((uint32_t)phys + PAGE_OFFSET);
}

uint64_t arch_virt_to_phys(const void *virt)
{
	uint32_t va = (uint32_t)virt;

	if (va < PAGE_OFFSET || va >= PAGE_OFFSET + LOWMEM_MAX)
		arch_mm_bug(__FILE__, __LINE__, "address outside the lowmem direct map");
	return va - PAGE_OFFSET;
}

/* One fixmap slot per CPU; a mapping is valid on its CPU only, so unmapping
 * needs only the local invlpg (fixmap_clear).  Lowmem frames are mapped
 * there as well, so callers need not tell highmem from lowmem. */
void *arch_kmap_atomic_pfn(uint32_t pfn)
{
	unsigned cpu = arch_cpu_id();

	return (void *)fixmap_set(FIX_KMAP(cpu), pfn << PAGE_SHIFT, PTE_P | PTE_W);
}

void arch_kunmap_atomic(void *addr)
{
	unsigned cpu = arch_cpu_id();

	if ((uint32_t)addr != FIX_ADDR(FIX_KMAP(cpu)))
		arch_mm_bug(__FILE__, __LINE__, "kunmap of an address that is not this CPU's kmap slot");
	fixmap_clear(FIX_KMAP(cpu));
}

/* ---- cross-CPU calls ---------------------------------------------------------- */

#define ON_EACH_CPU_TIMEOUT_US (120u * 1000000u)

/* One arch_on_each_cpu at a time (the call slots are per target CPU). */
static volatile uint32_t on_each_lock;
static struct {
	void (*fn)(void *arg);
	void *arg;
	volatile int32_t remaining;     /* other CPUs still running fn */
	uint32_t waiter_apic;
} call;

/* Runs on each other CPU from its call-function IPI handler; the last one
 * to finish interrupts the waiting CPU, which may be halted. */
static void on_each_cpu_target(void *unused)
{
	uint32_t waiter = call.waiter_apic;

	(void)unused;
	call.fn(call.arg);
	if (arch_atomic_add_return(&call.remaining, -1) == 0)
		lapic_send_ipi(waiter, VEC_CALL_FUNC);
}

/* Waits until every other CPU ran fn.  With interrupts enabled by the
 * caller the CPU halts in between (the last target's IPI or the tick wakes
 * it), so waiting costs no instructions; otherwise it polls. */
static void wait_for_targets(unsigned long flags)
{
	uint32_t us = 0, start = this_cpu()->jiffies;

	while (call.remaining > 0) {
		if (flags & EFLAGS_IF) {
			__asm__ volatile("sti; hlt; cli" : : : "memory");
			if (this_cpu()->jiffies - start > ON_EACH_CPU_TIMEOUT_US / 10000u)
				break;
		} else {
			udelay(1);
			if (++us > ON_EACH_CPU_TIMEOUT_US)
				break;
		}
	}
	if (call.remaining > 0)
		panic("arch_on_each_cpu: %d cpu(s) did not finish within %u s",
		      (int)call.remaining, ON_EACH_CPU_TIMEOUT_US / 1000000u);
}

/* fn(arg) on the other online CPUs (through the call-function IPI: the same
 * slots and handler as smp_call_others) and here, with interrupts off as in
 * an IPI handler; returns when all have finished.  fn must not call
 * arch_on_each_cpu itself. */
void arch_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned long flags = irq_save();
	int self = this_cpu_index(), i, others = 0;

	while (__atomic_exchange_n(&on_each_lock, 1, __ATOMIC_ACQUIRE)) {
		irq_restore(flags);
		cpu_relax();
		flags = irq_save();
	}
	call.fn = fn;
	call.arg = arg;
	call.waiter_apic = cpus[self].apic_id;
	for (i = 0; i < ncpus; i++)
		if (i != self && cpus[i].online)
			others++;
	call.remaining = others;
	if (others) {
		for (i = 0; i < ncpus; i++) {
			struct call_slot *s = &cpus[i].call;

			if (i == self || !cpus[i].online)
				continue;
			s->func = on_each_cpu_target;
			s->arg = NULL;
			s->done = 0;
			__atomic_store_n(&s->pending, 1, __ATOMIC_RELEASE);
		}
		lapic_send_ipi_allbutself(VEC_CALL_FUNC);
	}
	fn(arg);
	wait_for_targets(flags);
	__atomic_store_n(&on_each_lock, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

/* ---- console and BUG ------------------------------------------------------------ */

int arch_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return vsnprintf(buf, len, fmt, ap);
}

/* Text of any length: printk takes at most a few hundred bytes a call, so
 * the text goes out a line (or a piece of a long line) at a time; each
 * piece is atomic with respect to other CPUs. */
void arch_puts(const char *s)
{
	char piece[256];
	size_t n;

	while (*s) {
		for (n = 0; s[n] && n < sizeof(piece) - 1; n++) {
			piece[n] = s[n];
			if (s[n] == '\n') {
				n++;
				break;
			}
		}
		piece[n] = '\0';
		printk("%s", piece);
		s += n;
	}
}

void arch_mm_bug(const char *file, int line, const char *cond)
{
	panic("mm: BUG at %s:%d: %s", file, line, cond);
}
