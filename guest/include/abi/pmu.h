/* guest/include/abi/pmu.h - pagelab's performance-counter device: the ABI
 * between the host (emu/pmu.c) and guest code that measures itself (the
 * workload executor's `touch_loop` operation, guest/kernel/wl_touch.c).
 * Included by both builds: fixed-width values, no pointers.
 *
 * Like a real PMU it counts per CPU, but it is read through I/O ports, so
 * reading it touches no memory and disturbs no TLB or cache being measured.
 * Six 32-bit ports at PMU_PORT_BASE:
 *   PMU_PORT_ID     in:  PMU_DEVICE_ID on pagelab (QEMU has no device: 0xffffffff)
 *   PMU_PORT_MODE   in:  the machine's timing mode: 0 fast, 1 detailed
 *   PMU_PORT_LATCH  out: copies every counter of the writing CPU into its latch
 *                        (the value written is ignored)
 *   PMU_PORT_SELECT out: selects the event (enum pmu_event) the next reads return
 *                        (per CPU; it stays selected across latches)
 *   PMU_PORT_LO     in:  the selected event's latched value, low 32 bits
 *   PMU_PORT_HI     in:  its high 32 bits
 * Counters only grow; a measurement is the difference of two latches.  The
 * TLB and cache events are zero in fast mode.  docs/timing.md, "Counters";
 * docs/validation.md.
 */
#ifndef PAGELAB_ABI_PMU_H
#define PAGELAB_ABI_PMU_H

#define PMU_PORT_BASE   0x5e0
#define PMU_PORT_ID     (PMU_PORT_BASE + 0x00)
#define PMU_PORT_MODE   (PMU_PORT_BASE + 0x04)
#define PMU_PORT_LATCH  (PMU_PORT_BASE + 0x08)
#define PMU_PORT_SELECT (PMU_PORT_BASE + 0x0c)
#define PMU_PORT_LO     (PMU_PORT_BASE + 0x10)
#define PMU_PORT_HI     (PMU_PORT_BASE + 0x14)
#define PMU_PORT_SIZE   0x18

#define PMU_DEVICE_ID   0x554d504cu   /* "LPMU" */

#ifndef __ASSEMBLER__   /* the ports above are used by guest/kernel/wl_touch_loop.S */
/* Events: the writing CPU's counters (emu_cpu_stats / emu_mem_stats). */
enum pmu_event {
	PMU_EV_CYCLES = 0,      /* simulated cycles */
	PMU_EV_INSNS,           /* guest instructions */
	PMU_EV_ITLB_HIT,
	PMU_EV_ITLB_MISS,
	PMU_EV_DTLB_HIT,
	PMU_EV_DTLB_MISS,
	PMU_EV_WALKS,           /* page walks */
	PMU_EV_TLB_FLUSHES,     /* CR3 writes and full flushes */
	PMU_EV_INVLPGS,
	PMU_EV_L1I_HIT,
	PMU_EV_L1I_MISS,
	PMU_EV_L1D_HIT,
	PMU_EV_L1D_MISS,
	PMU_EV_L1D_WRITEBACK,
	PMU_EV_L2_HIT,          /* this CPU's accesses that hit the shared L2 */
	PMU_EV_L2_MISS,
	PMU_EV_MEM_CYCLES,      /* cycles charged by the memory system */
	PMU_EV_STALE,           /* stale TLB entries used */
	PMU_EV_COUNT
};
#endif

#endif
