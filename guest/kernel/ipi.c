/* Call-function IPIs: the sender fills the target's request slot and
 * sends VEC_CALL_FUNC; the target runs the function in its interrupt
 * handler and sets the done flag. */
#include "smp.h"
#include "ktrace.h"
#include "lapic.h"
#include "percpu.h"
#include "time.h"
#include "trap.h"
#include "x86.h"

#define CALL_WAIT_US 1000000

/* IPI handler: run this CPU's pending request, if any. */
static void call_func_interrupt(struct trapframe *tf)
{
	struct call_slot *s = &this_cpu()->call;

	(void)tf;
	KTRACE(trace_ipi_recv(VEC_CALL_FUNC));
	if (__atomic_exchange_n(&s->pending, 0, __ATOMIC_ACQ_REL)) {
		s->func(s->arg);
		__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	}
	lapic_eoi();
}

/* Register the IPI handler (BSP, once). */
void ipi_init(void)
{
	trap_set_handler(VEC_CALL_FUNC, call_func_interrupt);
}

/* Prepare cpu's slot for a new request. */
static void arm_slot(int cpu, void (*func)(void *), void *arg)
{
	struct call_slot *s = &cpus[cpu].call;

	s->func = func;
	s->arg = arg;
	s->done = 0;
	__atomic_store_n(&s->pending, 1, __ATOMIC_RELEASE);
}

/* Wait (bounded) until cpu has finished its request. */
static bool wait_done(int cpu)
{
	uint32_t us;

	for (us = 0; us < CALL_WAIT_US; us += 10) {
		if (__atomic_load_n(&cpus[cpu].call.done, __ATOMIC_ACQUIRE))
			return true;
		udelay(10);
	}
	return false;
}

/* Run func(arg) on another online cpu and wait; false on timeout. */
bool smp_call_on(int cpu, void (*func)(void *), void *arg)
{
	if (cpu == this_cpu_index() || cpu >= ncpus || !cpus[cpu].online)
		return false;
	arm_slot(cpu, func, arg);
	lapic_send_ipi(cpus[cpu].apic_id, VEC_CALL_FUNC);
	return wait_done(cpu);
}

/* Run func(arg) on every other online CPU with one all-but-self IPI;
 * returns how many CPUs completed it. */
int smp_call_others(void (*func)(void *), void *arg)
{
	int self = this_cpu_index(), i, n = 0;

	for (i = 0; i < ncpus; i++)
		if (i != self && cpus[i].online)
			arm_slot(i, func, arg);
	lapic_send_ipi_allbutself(VEC_CALL_FUNC);
	for (i = 0; i < ncpus; i++)
		if (i != self && cpus[i].online && wait_done(i))
			n++;
	return n;
}
