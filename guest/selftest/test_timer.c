/* Every online CPU's jiffies must advance within a bounded wait. */
#include "percpu.h"
#include "printk.h"
#include "kprintf.h"
#include "selftest.h"
#include "time.h"
#include "x86.h"

#define GROUP     "timer"
#define MIN_TICKS 2
#define MAX_WAIT_MS 1000

/* True when every online CPU advanced at least MIN_TICKS from start. */
static bool all_advanced(const uint32_t *start)
{
	int i;

	for (i = 0; i < ncpus; i++)
		if (cpus[i].online && cpus[i].jiffies - start[i] < MIN_TICKS)
			return false;
	return true;
}

/* Print the jiffies values (timing dependent: a "~ " line). */
static void print_jiffies(const uint32_t *start)
{
	char line[256];
	int i, n = 0;

	for (i = 0; i < ncpus && n < (int)sizeof(line) - 32; i++)
		n += snprintf(line + n, sizeof(line) - n, " cpu%d %u->%u", i,
			      start[i], cpus[i].jiffies);
	pr_info("~ timer: jiffies%s\n", line);
}

/* The "timer" self-test group. */
void selftest_timer(void)
{
	uint32_t start[MAX_CPUS];
	uint32_t flags = read_eflags();
	int i, waited = 0;

	sti();
	for (i = 0; i < ncpus; i++)
		start[i] = cpus[i].jiffies;
	while (!all_advanced(start) && waited < MAX_WAIT_MS) {
		mdelay(10);
		waited += 10;
	}
	write_eflags(flags);
	print_jiffies(start);
	selftest_result(GROUP, "jiffies advance on every cpu",
			all_advanced(start), "no progress within %d ms",
			MAX_WAIT_MS);
}
