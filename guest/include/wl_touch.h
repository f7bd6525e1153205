/* The touch_loop operation's measured loop (guest/kernel/wl_touch_loop.S),
 * shared by that assembly and guest/kernel/wl_touch.c: the layout of the
 * argument block and of its packed word.  The C side checks the offsets.
 *
 * The loop runs from the first PMU latch to the second without touching
 * memory other than the bytes it measures, so everything it needs lives in
 * registers: the base address, two loop parameters (p1, p2) and the packed
 * word in ECX, whose low bits count the passes down:
 *   bits  0-9   passes left in this phase (set by the assembly)
 *   bits 10-19  passes of the measured phase (1..WL_TOUCH_MAX_PASSES)
 *   bits 20-24  event a, bits 25-29 event b (enum pmu_event)
 *   bit  30     an unmeasured warm pass comes first */
#ifndef PAGELAB_WL_TOUCH_H
#define PAGELAB_WL_TOUCH_H

#define TL_CNT_MASK   0x3ff
#define TL_P_SHIFT    10
#define TL_EVA_SHIFT  20
#define TL_EVB_SHIFT  25
#define TL_EV_MASK    0x1f
#define TL_WARM_BIT   30
/* The random order's LCG multiplier: 1 mod 4, so that x -> A * x + c (c
 * odd) modulo any power of two has full period. */
#define TL_LCG_A      0x9e3779b5

/* Offsets in struct wl_touch_run. */
#define TR_BASE       0
#define TR_P1         4
#define TR_P2         8
#define TR_PACKED     12
#define TR_INV_START  16
#define TR_INV_PAGES  20
#define TR_CR3        24
#define TR_DELTA_A    28
#define TR_DELTA_B    32

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "linkage.h"

/* One measured run (see wl_touch_loop.S for the register use). */
struct wl_touch_run {
	uint32_t base;        /* address of offset 0 */
	uint32_t p1;          /* sequential: stride; random: c * stride, c odd */
	uint32_t p2;          /* sequential: base + count * stride (mod 2^32);
	                       * random: count * stride - 1 */
	uint32_t packed;      /* see above (pass counter bits 0) */
	uint32_t inv_start;   /* first page to invlpg */
	uint32_t inv_pages;   /* pages to invlpg, 0: none */
	uint32_t reload_cr3;  /* non-zero: reload CR3 after the invlpgs */
	uint32_t delta_a;     /* out: event a's advance, low 32 bits */
	uint32_t delta_b;     /* out: event b's */
};

/* The four loops: sequential or random order, loads or stores.  Each runs
 * the invlpgs, the CR3 reload, the warm pass and the measured passes of
 * *t, and stores the deltas in it.  Call with interrupts off. */
asmlinkage void wl_touch_seq_load(struct wl_touch_run *t);
asmlinkage void wl_touch_seq_store(struct wl_touch_run *t);
asmlinkage void wl_touch_rand_load(struct wl_touch_run *t);
asmlinkage void wl_touch_rand_store(struct wl_touch_run *t);
#endif

#endif
