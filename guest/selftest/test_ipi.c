/* Call-function IPIs: to each other CPU in turn, then all-but-self. */
#include "percpu.h"
#include "selftest.h"
#include "smp.h"
#include "kprintf.h"

#define GROUP "ipi"

static volatile int seen_cpu[MAX_CPUS];
static volatile int hits[MAX_CPUS];

/* Runs on the target: store the CPU number it runs on. */
static void record_cpu(void *arg)
{
	*(volatile int *)arg = this_cpu_index();
}

/* Runs on every target of the broadcast: count a hit for this CPU. */
static void count_hit(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&hits[this_cpu_index()], 1, __ATOMIC_RELAXED);
}

/* One IPI per CPU; each must run on exactly that CPU. */
static void test_each(int self)
{
	int i, targets = 0, ok = 0;
	char what[64];

	for (i = 0; i < ncpus; i++) {
		if (i == self || !cpus[i].online)
			continue;
		targets++;
		seen_cpu[i] = -1;
		if (smp_call_on(i, record_cpu, (void *)&seen_cpu[i]) &&
		    seen_cpu[i] == i)
			ok++;
	}
	snprintf(what, sizeof(what), "call-function to each other cpu (%d/%d)",
		 ok, targets);
	selftest_result(GROUP, what, ok == targets, "wrong cpu or timeout");
}

/* One all-but-self IPI; every other CPU runs it once, self not at all. */
static void test_broadcast(int self)
{
	int i, targets = 0, ok = 0, done;
	char what[64];

	for (i = 0; i < MAX_CPUS; i++)
		hits[i] = 0;
	done = smp_call_others(count_hit, NULL);
	for (i = 0; i < ncpus; i++) {
		if (i == self || !cpus[i].online)
			continue;
		targets++;
		ok += hits[i] == 1;
	}
	snprintf(what, sizeof(what), "broadcast all-but-self (%d/%d)",
		 ok, targets);
	selftest_result(GROUP, what,
			ok == targets && done == targets && hits[self] == 0,
			"%d completed, self ran it %d times", done, hits[self]);
}

/* The "ipi" self-test group. */
void selftest_ipi(void)
{
	int self = this_cpu_index();

	test_each(self);
	test_broadcast(self);
}
