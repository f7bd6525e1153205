/* Time from the LAPIC timer, whose input clock is taken to be 1 GHz
 * (one count per nanosecond at divide-by-1).  No TSC is used. */
#ifndef PAGELAB_TIME_H
#define PAGELAB_TIME_H

#include <stdint.h>

#define HZ              100
#define LAPIC_TIMER_HZ  1000000000u
#define TICK_COUNT      (LAPIC_TIMER_HZ / HZ)

void time_init(void);
void time_start_cpu(void);
void udelay(uint32_t us);
void mdelay(uint32_t ms);

#endif
