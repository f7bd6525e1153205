/* guest/include/abi/trace.h - the event trace: the ABI between the guest's
 * recorder (guest/kernel/trace.c, fed by mm/trace.h's hooks and the arch
 * code) and pagelab's host (emu/trace.c).  Included by both builds, so:
 * fixed-width fields, no pointers, little-endian, static asserts on sizes.
 * docs/trace.md describes the protocol and every event's fields.
 *
 * The device is eight 32-bit I/O ports at TRACE_PORT_BASE:
 *   TRACE_PORT_ID      in:  TRACE_DEVICE_ID on pagelab (QEMU: 0xffffffff)
 *   TRACE_PORT_RING    out: physical address of the guest's struct
 *                           trace_ring; from then on the host drains it
 *   TRACE_PORT_KICK    out: "CPU n's ring is filling up": the host drains
 *                           ring n (the value) before the out instruction ends
 *   TRACE_PORT_CYC_LO  in:  latches the reading CPU's simulated cycle count
 *                           and returns its low 32 bits
 *   TRACE_PORT_CYC_HI  in:  the high 32 bits of that latched count
 *
 * Each CPU records into its own ring, with local interrupts off, so a ring
 * has one producer.  Slots are indexed by free-running counters: the guest
 * owns `prod`, `dropped` and the slots in [prod, cons + slots); the host
 * owns `cons` and may read slots in [cons, prod).  A record that finds the
 * ring full is not written and counts in `dropped`.  The host drains a ring
 * when kicked and whenever emu_machine_run returns.
 */
#ifndef PAGELAB_ABI_TRACE_H
#define PAGELAB_ABI_TRACE_H

#include <stdint.h>

#define TRACE_PORT_BASE    0x5c0
#define TRACE_PORT_ID      (TRACE_PORT_BASE + 0x00)
#define TRACE_PORT_RING    (TRACE_PORT_BASE + 0x04)
#define TRACE_PORT_KICK    (TRACE_PORT_BASE + 0x08)
#define TRACE_PORT_CYC_LO  (TRACE_PORT_BASE + 0x0c)
#define TRACE_PORT_CYC_HI  (TRACE_PORT_BASE + 0x10)
#define TRACE_PORT_SIZE    0x20

#define TRACE_DEVICE_ID    0x52545250u   /* "PRTR" */
#define TRACE_RING_MAGIC   0x45435254u   /* "TRCE" */
#define TRACE_RING_VERSION 1u
#define TRACE_MAX_CPUS     8
#define TRACE_SLOTS_MIN    16            /* slots per CPU: a power of two */
#define TRACE_SLOTS_MAX    65536
#define TRACE_SLOTS_DEFAULT 4096
#define TRACE_NARGS        5

/* Event types.  aux and arg[] per type (zone: 0 DMA, 1 Normal, 2 HighMem;
 * mt: migrate type, 0 Unmovable, 1 Reclaimable, 2 Movable, 3 Reserve). */
enum trace_type {
	TRACE_EV_NONE = 0,
	TRACE_EV_PAGE_ALLOC,     /* aux order; pfn, zone, mt (of the pageblock), gfp, node */
	TRACE_EV_PAGE_FREE,      /* aux order; pfn, zone, mt (of the pageblock), 0, node */
	TRACE_EV_PCP_REFILL,     /* aux mt of the list; zone, pages moved, count after, batch, node */
	TRACE_EV_PCP_DRAIN,      /* aux 0; zone, pages to drain, count before, high, node
	                          * (a trim at high, or drain_local_pages) */
	TRACE_EV_SLAB_GROW,      /* aux gfporder; cache id, pfn, objects per slab, slabs after, 0 */
	TRACE_EV_SLAB_SHRINK,    /* aux gfporder; cache id, pfn, slabs left, 0, 0 (a slab given
	                          * back to the page allocator) */
	TRACE_EV_KMAP_FLUSH,     /* aux 1 if slots were freed (a TLB flush follows); flushes
	                          * so far (this one included), 0, 0, 0, 0 */
	TRACE_EV_VMAP_PURGE,     /* aux 0; lazy areas purged, start, end (one flush), 0, 0 */
	TRACE_EV_TLB_SHOOTDOWN,  /* aux reason | full << 8; seq, targets, start, end,
	                          * wait cycles (initiator's, first IPI to last flush seen);
	                          * the record's time is the first IPI */
	TRACE_EV_IPI_SEND,       /* aux vector; destination APIC ID, ICR low word, 0, 0, 0 */
	TRACE_EV_IPI_RECV,       /* aux vector; 0, 0, 0, 0, 0 */
	TRACE_EV_WMARK_LOW,      /* aux order; zone, free pages, low watermark, min watermark, node */
	TRACE_EV_ALLOC_FAIL,     /* aux order; gfp, preferred zone (0xff: none), node, 0, 0 */
	TRACE_EV_COUNT
};

/* One record: 32 bytes. */
struct trace_rec {
	uint32_t cycles_lo;       /* the recording CPU's simulated cycles */
	uint32_t cycles_hi;
	uint16_t type;            /* enum trace_type */
	uint16_t aux;             /* a small per-type field (see enum trace_type) */
	uint32_t arg[TRACE_NARGS];
};

/* One CPU's ring: 64-byte header, then `slots` records (the guest
 * allocates it as one block of pages). */
struct trace_cpu_ring {
	uint32_t prod;            /* guest: records written (free-running) */
	uint32_t cons;            /* host: records read (free-running); prod - cons <= slots */
	uint32_t dropped;         /* guest: records lost because the ring was full */
	uint32_t pad[13];
	struct trace_rec slot[];  /* slot[i & (slots - 1)] */
};

/* The ring header the guest announces through TRACE_PORT_RING. */
struct trace_ring {
	uint32_t magic;           /* TRACE_RING_MAGIC */
	uint32_t version;         /* TRACE_RING_VERSION */
	uint32_t ncpus;           /* rings in use: cpu_ring[0 .. ncpus) */
	uint32_t slots;           /* per ring, a power of two in [SLOTS_MIN, SLOTS_MAX] */
	uint32_t rec_size;        /* sizeof(struct trace_rec) */
	uint32_t kick_at;         /* the guest kicks when prod - cons reaches this; 0: never */
	uint32_t pad[10];
	uint32_t cpu_ring[TRACE_MAX_CPUS];   /* physical address of each struct trace_cpu_ring */
};

_Static_assert(sizeof(struct trace_rec) == 32, "trace_rec is 32 bytes");
_Static_assert(sizeof(struct trace_cpu_ring) == 64, "trace_cpu_ring header is 64 bytes");
_Static_assert(sizeof(struct trace_ring) == 64 + 4 * TRACE_MAX_CPUS, "trace_ring layout");

#endif
