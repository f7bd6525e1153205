/* TLB flushes for kernel mappings, on every online CPU (mm/arch_vm.h).
 *
 * All CPUs share one kernel page directory, but each has its own TLB.  A
 * kernel mapping that is changed or removed must be flushed on every CPU
 * before its address (or its old page) is reused.  The protocol is 2.6's
 * flush_tlb_others:
 *
 *   1. take tlb_lock (one shootdown at a time), interrupts off;
 *   2. publish the request in tlb_shootdown_req (range or full, reason,
 *      initiator, target mask) and set the pending mask to the targets;
 *   3. send VEC_TLB_FLUSH to each target (the other online CPUs);
 *   4. flush locally;
 *   5. spin until every target has flushed and cleared its bit in the
 *      pending mask, then release the lock.
 *
 * A target's handler flushes what the request says (invlpg per page up to
 * TLB_FLUSH_CEILING pages, a CR3 reload above), clears its pending bit and
 * sends the EOI (which the host takes as the acknowledgement).
 *
 * Deadlock rules.  The initiator waits with interrupts off, so a target
 * must be able to flush while it is itself waiting:
 *   - for tlb_lock (two initiators at once): the waiter polls the request
 *     and services its bit by hand while it spins (tlb_service_pending);
 *   - for any other lock with interrupts off: it cannot.  So
 *     flush_tlb_kernel_range must not be called while holding a lock that
 *     another CPU may be spinning on with interrupts disabled.  kmap's lock
 *     (mm/highmem.c) spins with interrupts enabled for that reason; the
 *     allocator's zone locks are never held across a flush.
 * A request a target has serviced by hand still has its IPI on the way;
 * the handler then finds its bit clear and only sends the EOI.
 *
 * tlb_shootdown=off (self-tests only) skips steps 1-3 and 5: only the
 * calling CPU flushes, so other CPUs keep stale translations. */
#include "tlb.h"
#include "backtrace.h"
#include "cmdline.h"
#include "kstring.h"
#include "ktrace.h"
#include "lapic.h"
#include "kprintf.h"
#include "panic.h"
#include "percpu.h"
#include "time.h"
#include "trap.h"
#include "x86.h"

/* Not static, never renamed: the host finds it by name (emu/shootdown.c). */
struct tlb_shootdown_req tlb_shootdown_req __attribute__((used, aligned(32)));
_Static_assert(sizeof(struct tlb_shootdown_req) == 32, "emu_tlb_req is 8 words");

static volatile uint32_t tlb_lock;
static volatile uint32_t flush_pending;      /* targets that have not flushed yet */
static volatile int handler_installed;
static struct tlb_stats stats[MAX_CPUS];
static int shootdown_mode = -1;              /* -1 unknown, 0 off, 1 on */

/* The initiator gives up (panic) if its targets have not flushed after
 * this many polls (a few seconds on either platform). */
#define ACK_POLLS 200000000u

bool tlb_shootdown_enabled(void)
{
	if (shootdown_mode < 0) {
		const char *v = cmdline_get("tlb_shootdown");

		shootdown_mode = !(v && strcmp(v, "off") == 0);
	}
	return shootdown_mode != 0;
}

/* ---- flushing on this CPU --------------------------------------------------- */

/* A CR3 reload flushes every non-global translation (the kernel uses no
 * global pages), so it flushes all kernel mappings as well. */
static void flush_all_local(struct tlb_stats *s)
{
	write_cr3(read_cr3());
	s->full_flushes++;
}

static void flush_range_local(struct tlb_stats *s, uint32_t start, uint32_t end, bool full,
			      uint32_t why)
{
	uint32_t va;

	s->by_reason[why < NR_TLB_REASONS ? why : TLB_REASON_OTHER]++;
	if (full) {
		flush_all_local(s);
		return;
	}
	for (va = start; va < end; va += PAGE_SIZE) {
		invlpg(va);
		s->pages_flushed++;
	}
}

/* Counted as a local flush of one page (no reason), as the host's simulation does. */
void arch_flush_tlb_one_local(uint32_t vaddr)
{
	unsigned long flags = arch_local_irq_save();
	struct tlb_stats *s = &stats[arch_cpu_id()];

	invlpg(vaddr & PAGE_MASK);
	s->local_flushes++;
	s->pages_flushed++;
	arch_local_irq_restore(flags);
}

/* ---- the target side ------------------------------------------------------------ */

/* If this CPU is asked to flush by the published request, flush and clear
 * its pending bit.  Called from the IPI handler and, with interrupts off,
 * from the spin loop of a CPU waiting for tlb_lock. */
static void tlb_service_pending(unsigned cpu)
{
	uint32_t bit = 1u << cpu;
	struct tlb_stats *s = &stats[cpu];

	if (!(__atomic_load_n(&flush_pending, __ATOMIC_ACQUIRE) & bit))
		return;
	flush_range_local(s, tlb_shootdown_req.start, tlb_shootdown_req.end,
			  tlb_shootdown_req.full != 0, tlb_shootdown_req.reason);
	s->shootdowns_received++;
	__atomic_and_fetch(&flush_pending, ~bit, __ATOMIC_RELEASE);
}

/* The EOI goes first: the initiator cannot release the lock (and nobody
 * can send this CPU the next request) before this CPU clears its pending
 * bit, so the host sees each request's acknowledgement before the next
 * request's IPI.  Interrupts stay off until the handler returns. */
static void tlb_flush_interrupt(struct trapframe *tf)
{
	(void)tf;
	lapic_eoi();
	KTRACE(trace_ipi_recv(VEC_TLB_FLUSH));
	tlb_service_pending(arch_cpu_id());
}

/* ---- the initiator side ------------------------------------------------------------ */

/* The other online CPUs. */
static uint32_t other_cpus(unsigned self)
{
	uint32_t mask = 0;
	int i;

	for (i = 0; i < ncpus; i++)
		if ((unsigned)i != self && cpus[i].online)
			mask |= 1u << i;
	return mask;
}

/* Takes tlb_lock with interrupts off.  While it spins, interrupts are as
 * the caller had them: on, the holder's IPI reaches this CPU as usual; off,
 * this CPU serves its bit of the holder's request by hand. */
static unsigned long tlb_lock_take(unsigned cpu)
{
	unsigned long flags = arch_local_irq_save();

	while (__atomic_exchange_n(&tlb_lock, 1, __ATOMIC_ACQUIRE)) {
		if (flags & EFLAGS_IF)
			arch_local_irq_restore(flags);
		while (__atomic_load_n(&tlb_lock, __ATOMIC_RELAXED)) {
			if (!(flags & EFLAGS_IF))
				tlb_service_pending(cpu);
			cpu_relax();
		}
		flags = arch_local_irq_save();
	}
	return flags;
}

/* Flush [start, end) (or everything) on every online CPU and wait. */
static void flush_everywhere(uint32_t start, uint32_t end, bool full, enum tlb_reason why)
{
	unsigned long flags = arch_local_irq_save();
	unsigned cpu = arch_cpu_id(), polls = 0;
	struct tlb_stats *s = &stats[cpu];
	uint64_t t0 = 0;                           /* first IPI, when tracing */
	uint32_t targets = tlb_shootdown_enabled() ? other_cpus(cpu) : 0;
	int i;

	if ((unsigned)why >= NR_TLB_REASONS)
		why = TLB_REASON_OTHER;
	if (!targets) {
		flush_range_local(s, start, end, full, why);
		s->local_flushes++;
		arch_local_irq_restore(flags);
		return;
	}

	arch_local_irq_restore(flags);
	flags = tlb_lock_take(cpu);
	if (!handler_installed) {                  /* one IDT and handler table for all */
		trap_set_handler(VEC_TLB_FLUSH, tlb_flush_interrupt);
		handler_installed = 1;
	}
	tlb_shootdown_req.vector = VEC_TLB_FLUSH;
	tlb_shootdown_req.initiator = cpu;
	tlb_shootdown_req.targets = targets;
	tlb_shootdown_req.start = start;
	tlb_shootdown_req.end = end;
	tlb_shootdown_req.full = full;
	tlb_shootdown_req.reason = (uint32_t)why;
	tlb_shootdown_req.seq = tlb_shootdown_req.seq + 1;
	__atomic_store_n(&flush_pending, targets, __ATOMIC_RELEASE);
	KTRACE(t0 = trace_clock());
	for (i = 0; i < ncpus; i++)
		if (targets & (1u << i))
			lapic_send_ipi(cpus[i].apic_id, VEC_TLB_FLUSH);
	flush_range_local(s, start, end, full, why);
	s->shootdowns_sent++;
	while (__atomic_load_n(&flush_pending, __ATOMIC_ACQUIRE)) {
		cpu_relax();
		if (++polls == ACK_POLLS)
			panic("tlb: shootdown %u: cpus 0x%x did not flush", tlb_shootdown_req.seq,
			      flush_pending);
	}
	KTRACE(trace_shootdown(t0, &tlb_shootdown_req));
	__atomic_store_n(&tlb_lock, 0, __ATOMIC_RELEASE);
	arch_local_irq_restore(flags);
}

void flush_tlb_kernel_range(uint32_t start, uint32_t end, enum tlb_reason why)
{
	uint32_t pages;

	start &= PAGE_MASK;
	end = (end + PAGE_SIZE - 1) & PAGE_MASK;
	if (end <= start && end != 0)
		return;
	pages = (end - start) >> PAGE_SHIFT;        /* end == 0: up to 4 GiB */
	flush_everywhere(start, end, pages > TLB_FLUSH_CEILING || end == 0, why);
}

void flush_tlb_all(enum tlb_reason why)
{
	flush_everywhere(0, 0, true, why);
}

void flush_tlb_one(uint32_t vaddr, enum tlb_reason why)
{
	vaddr &= PAGE_MASK;
	flush_everywhere(vaddr, vaddr + PAGE_SIZE, false, why);
}

void arch_tlb_stats(unsigned cpu, struct tlb_stats *out)
{
	if (cpu >= MAX_CPUS) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = stats[cpu];
}

/* ---- waiting and symbols -------------------------------------------------------------- */

/* Milliseconds this CPU spent waiting with interrupts off (its jiffies do
 * not advance then). */
static uint32_t waited_irqs_off_ms[MAX_CPUS];

/* With interrupts enabled by the caller: sti; hlt, woken by any interrupt,
 * at the latest the next tick (10 ms).  With interrupts disabled they stay
 * disabled (a lock may be held): 1 ms of polling, serving shootdowns by
 * hand.  Time: this CPU's jiffies in ms, plus the ms waited with interrupts
 * off. */
uint32_t arch_wait_for_event(void)
{
	unsigned cpu = arch_cpu_id();
	uint32_t eflags = read_eflags();

	if (eflags & EFLAGS_IF) {
		__asm__ volatile("sti; hlt" : : : "memory");
	} else {
		uint32_t us;

		for (us = 0; us < 1000; us += 10) {
			tlb_service_pending(cpu);
			udelay(10);
		}
		waited_irqs_off_ms[cpu]++;
	}
	return cpus[cpu].jiffies * (1000u / HZ) + waited_irqs_off_ms[cpu];
}

extern const uint32_t ksym_count;
extern const uint32_t ksym_addrs[];     /* pairs: address, name offset */
extern const char ksym_names[];

/* "func+0x1c/0x60": the symbol containing addr, the offset and the size
 * (up to the next symbol); the hex address if no symbol precedes it. */
void arch_symbolize(uint32_t addr, char *buf, size_t len)
{
	uint32_t off = 0, lo = 0, hi = ksym_count, size;
	const char *name = ksym_lookup(addr, &off);

	if (!name) {
		snprintf(buf, len, "0x%08x", addr);
		return;
	}
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ksym_addrs[2 * mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	size = lo + 1 < ksym_count ? ksym_addrs[2 * (lo + 1)] - ksym_addrs[2 * lo] : off + 1;
	snprintf(buf, len, "%s+0x%x/0x%x", name, off, size);
}
