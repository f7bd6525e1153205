/* Per-CPU periodic tick (HZ) and delays measured with the running
 * LAPIC timer count. */
#include "time.h"
#include "lapic.h"
#include "layout.h"
#include "percpu.h"
#include "trap.h"

/* Timer interrupt: advance this CPU's jiffies. */
static void timer_interrupt(struct trapframe *tf)
{
	(void)tf;
	this_cpu()->jiffies++;
	lapic_eoi();
}

/* Register the tick handler (BSP, once). */
void time_init(void)
{
	trap_set_handler(VEC_LAPIC_TIMER, timer_interrupt);
}

/* Start this CPU's periodic tick; delays work from now on. */
void time_start_cpu(void)
{
	lapic_timer_start(VEC_LAPIC_TIMER, TICK_COUNT, true);
}

/* Busy-wait us microseconds by following the periodic count down
 * (it reloads to TICK_COUNT when it reaches zero). */
void udelay(uint32_t us)
{
	uint64_t target = (uint64_t)us * (LAPIC_TIMER_HZ / 1000000u);
	uint64_t elapsed = 0;
	uint32_t prev = lapic_timer_current(), now;

	while (elapsed < target) {
		now = lapic_timer_current();
		if (now <= prev)
			elapsed += prev - now;
		else
			elapsed += prev + (TICK_COUNT - now);
		prev = now;
	}
}

/* Busy-wait ms milliseconds. */
void mdelay(uint32_t ms)
{
	while (ms--)
		udelay(1000);
}
