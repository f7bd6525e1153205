/* guest/include/abi/wl_ring.h - the workload request ring: the ABI between
 * pagelab's host (emu/workload.c) and the guest's executor
 * (guest/kernel/wl_*.c).  Included by both builds, so: fixed-width fields,
 * no pointers, little-endian (both sides are), static asserts on the sizes.
 * docs/workloads.md describes the protocol.
 *
 * The device is eight 32-bit I/O ports at WL_PORT_BASE:
 *   WL_PORT_ID     in:  WL_DEVICE_ID on pagelab (QEMU has no device: 0xffffffff)
 *   WL_PORT_RING   out: physical address of the guest's struct wl_ring; the
 *                       guest writes it once its executors are ready
 *   WL_PORT_DONE   out: "CPU n has completed requests" (n = the value)
 *   WL_PORT_COUNT  in:  latches the reading CPU's counters and returns its
 *                       guest instruction count, low 32 bits
 *   WL_PORT_COUNT_INSNS_HI, WL_PORT_COUNT_CYC_LO, WL_PORT_COUNT_CYC_HI
 *                  in:  the rest of the latched reading
 *
 * The ring: a header, then one queue per CPU.  A queue's slots are a circle
 * of WL_SLOTS requests indexed by free-running counters: the host owns
 * `prod` and the request fields of slots in [cons, prod); the guest owns
 * `cons` and the result fields.  The host fills slots, bumps prod, and
 * raises WL_VECTOR on that CPU; the CPU's idle loop runs every request in
 * order, writes its results, bumps cons and writes its index to
 * WL_PORT_DONE.  The host only touches the ring while the machine is not
 * running, so no memory ordering beyond program order is needed.
 */
#ifndef PAGELAB_ABI_WL_RING_H
#define PAGELAB_ABI_WL_RING_H

#include <stdint.h>

#define WL_PORT_BASE           0x5a0
#define WL_PORT_ID             (WL_PORT_BASE + 0x00)
#define WL_PORT_RING           (WL_PORT_BASE + 0x04)
#define WL_PORT_DONE           (WL_PORT_BASE + 0x08)
#define WL_PORT_COUNT          (WL_PORT_BASE + 0x0c)
#define WL_PORT_COUNT_INSNS_HI (WL_PORT_BASE + 0x10)
#define WL_PORT_COUNT_CYC_LO   (WL_PORT_BASE + 0x14)
#define WL_PORT_COUNT_CYC_HI   (WL_PORT_BASE + 0x18)
#define WL_PORT_SIZE           0x20

#define WL_DEVICE_ID   0x4c57504cu   /* "PLWL" */
#define WL_RING_MAGIC  0x474e5257u   /* "WRNG" */
#define WL_RING_VERSION 1u
#define WL_VECTOR      0xF4          /* doorbell interrupt */
#define WL_MAX_CPUS    8
#define WL_SLOTS       128           /* per CPU, power of two */
#define WL_LIST_MAX    12            /* handles in one request's list */
#define WL_NAME_MAX    24            /* cache names, including the NUL */

/* Operations.  "h" is a handle (see below); gfp is mm/gfp.h's mask. */
enum wl_op {
	WL_OP_NOP = 0,          /* nothing; measures the executor's overhead */
	WL_OP_ALLOC_PAGES,      /* a0 order, a1 gfp, a2 node or -1 -> h, result2 pfn */
	WL_OP_FREE_PAGES,       /* a0 h (pages) */
	WL_OP_KMALLOC,          /* a0 size, a1 gfp -> h, result2 address */
	WL_OP_KFREE,            /* a0 h (kmalloc) */
	WL_OP_CACHE_CREATE,     /* a0 size, a1 align, a2 SLAB_* flags, name -> h */
	WL_OP_CACHE_ALLOC,      /* a0 h (cache), a1 gfp -> h, result2 address */
	WL_OP_CACHE_FREE,       /* a0 h (object) */
	WL_OP_CACHE_DESTROY,    /* a0 h (cache); -EBUSY while objects are live */
	WL_OP_VMALLOC,          /* a0 size -> h, result2 address */
	WL_OP_VZALLOC,          /* a0 size -> h, result2 address */
	WL_OP_VFREE,            /* a0 h (vmalloc) */
	WL_OP_VMAP,             /* list[0..a0) page handles (order 0) -> h, result2 address */
	WL_OP_VUNMAP,           /* a0 h (vmap) */
	WL_OP_KMAP,             /* a0 h (pages) -> h, result2 address */
	WL_OP_KUNMAP,           /* a0 h (kmap) */
	WL_OP_KMAP_ATOMIC,      /* a0 h (pages): map, write a0's pattern, read back,
	                         * unmap -> result address used, result2 mismatches */
	WL_OP_TOUCH,            /* a0 h (any memory), a1 pattern seed: write through
	                         * the allocation's mapping, read back -> result bytes,
	                         * -EIO on a mismatch (result2 first bad offset) */
	WL_OP_DRAIN_PCP,        /* drain this CPU's per-CPU lists -> result pages freed */
	WL_OP_CHECK,            /* the invariant checker -> result violations */
	WL_OP_REPORT,           /* print report a0 (enum wl_report) on the console */
	WL_OP_ALLOC_FREE_PAGES, /* a0 order, a1 gfp: alloc then free, `repeat` times */
	WL_OP_KMALLOC_KFREE,    /* a0 size, a1 gfp: kmalloc then kfree, `repeat` times */
	WL_OP_VMALLOC_VFREE,    /* a0 size: vmalloc then vfree, `repeat` times */
	WL_OP_INFO,             /* a0 what (enum wl_info) -> result, result2 */
	WL_OP_TOUCH_LOOP,       /* a0 h (memory), a1 stride, a2 accesses per pass,
	                         * a3 passes | WL_TOUCH_* | seed; events in flags
	                         * (WL_TOUCH_EVENTS): an access loop measured with
	                         * the PMU -> result, result2 the two events' deltas
	                         * (see "The touch_loop operation" below) */
	WL_OP_COUNT
};

enum wl_report {
	WL_REPORT_BUDDYINFO, WL_REPORT_PAGETYPEINFO, WL_REPORT_ZONEINFO,
	WL_REPORT_VMALLOCINFO, WL_REPORT_SLABINFO, WL_REPORT_COUNT
};

enum wl_info {
	WL_INFO_HANDLE_OF,      /* a1 h -> result type (enum wl_htype), result2 pfn or address */
	WL_INFO_NR_FREE,        /* -> result free pages of all zones */
	WL_INFO_CPU_NODE,       /* -> result this CPU's node */
	WL_INFO_COUNT
};

/* Handles: the guest names each allocation by a 32-bit handle, never 0:
 * bits 0-19 are its table index + 1, bits 20-31 a generation that changes
 * each time the entry is reused.  Any handle the table does not hold live,
 * with the right type, is refused (-EBADF, or -ESTALE if it was freed). */
#define WL_HANDLE_INDEX_BITS 20
/* Handle types (the guest's handle table). */
enum wl_htype {
	WL_H_FREE = 0, WL_H_PAGES, WL_H_KMALLOC, WL_H_CACHE, WL_H_OBJECT,
	WL_H_VMALLOC, WL_H_VMAP, WL_H_KMAP, WL_H_COUNT
};

/* Statuses (negative errno values, as the kernel's). */
#define WL_OK        0
#define WL_EIO      (-5)
#define WL_EBADF    (-9)     /* not a handle, or the wrong kind */
#define WL_ENOMEM   (-12)
#define WL_EBUSY    (-16)    /* still in use (mapped pages, live objects) */
#define WL_ENODEV   (-19)    /* the machine lacks a device the operation needs
                              * (touch_loop without the PMU: QEMU) */
#define WL_EINVAL   (-22)
#define WL_ENOSPC   (-28)    /* handle table full */
#define WL_ENOSYS   (-38)    /* unknown operation */
#define WL_ESTALE   (-116)   /* a handle that was already freed */

/* Request flags (bits 0-15; touch_loop keeps its events in bits 16-31). */
#define WL_F_STOP_ON_ERROR 0x1u   /* later requests of the batch are not run:
                                   * status WL_ECANCELED */
#define WL_ECANCELED (-125)

/* The touch_loop operation (guest/kernel/wl_touch.c, docs/workloads.md):
 * byte loads (or stores) at offsets 0, stride, 2*stride, ... of a handle's
 * memory, measured with the PMU (abi/pmu.h):
 *   a0  a handle with memory: pages (lowmem only: the direct map), kmalloc,
 *       cache object, vmalloc, vmap, kmap
 *   a1  stride in bytes, >= 1
 *   a2  accesses per pass; 0: size / stride.  (a2 - 1) * stride must be
 *       inside the object
 *   a3  bits 0-15: passes, 1..WL_TOUCH_MAX_PASSES; bits 16-23: WL_TOUCH_*;
 *       bits 24-31: seed of the WL_TOUCH_RANDOM order
 *   flags  WL_F_* | WL_TOUCH_EVENTS(a, b): the two enum pmu_event numbers
 * In order: invlpg (WL_TOUCH_INVLPG_FIRST) / CR3 reload (WL_TOUCH_CR3_FIRST),
 * one unmeasured pass (WL_TOUCH_WARM), then PMU latch, the passes, PMU
 * latch, with interrupts off and no memory access in between but the
 * touched bytes.  result / result2 = the deltas of events a / b (low 32
 * bits).  -EINVAL for bad arguments, -ENODEV without the PMU. */
#define WL_TOUCH_MAX_PASSES   1023u
#define WL_TOUCH_PASSES(a3)   ((a3) & 0xffffu)
#define WL_TOUCH_WRITE        (1u << 16)   /* stores instead of loads */
#define WL_TOUCH_RANDOM       (1u << 17)   /* a permutation of the offsets, the same
                                            * every pass; stride and accesses
                                            * per pass must be powers of two */
#define WL_TOUCH_INVLPG_FIRST (1u << 18)   /* invlpg every page of the object first */
#define WL_TOUCH_CR3_FIRST    (1u << 19)   /* reload CR3 first */
#define WL_TOUCH_WARM         (1u << 20)   /* one unmeasured pass before the latch */
#define WL_TOUCH_FLAGS        (0x1fu << 16)
#define WL_TOUCH_SEED(seed)   ((uint32_t)((seed) & 0xffu) << 24)
#define WL_TOUCH_SEED_OF(a3)  ((a3) >> 24)
#define WL_TOUCH_EVENTS(a, b) ((uint32_t)((a) & 0xffu) << 16 | (uint32_t)((b) & 0xffu) << 24)
#define WL_TOUCH_EVENT_A(flags) (((flags) >> 16) & 0xffu)
#define WL_TOUCH_EVENT_B(flags) ((flags) >> 24)

/* One request: 128 bytes. */
struct wl_req {
	/* written by the host */
	uint32_t op;              /* enum wl_op */
	uint32_t flags;           /* WL_F_* */
	uint32_t repeat;          /* the *_FREE pair ops: times; others: 0 or 1 */
	uint32_t arg[4];
	char name[WL_NAME_MAX];   /* CACHE_CREATE: NUL-terminated */
	uint32_t list[WL_LIST_MAX];
	/* written by the guest */
	int32_t status;           /* WL_OK or a negative WL_E* */
	uint32_t result, result2;
	uint32_t insns_lo, insns_hi;     /* guest instructions the operation took */
	uint32_t cycles_lo, cycles_hi;   /* simulated cycles it took */
};

/* One CPU's queue: 64-byte header, then the slots. */
struct wl_queue {
	uint32_t prod;            /* host: requests written (free-running) */
	uint32_t cons;            /* guest: requests completed (free-running) */
	uint32_t served;          /* guest: total requests run, for reports */
	uint32_t pad[13];
	struct wl_req slot[WL_SLOTS];
};

/* The ring: 64-byte header, then WL_MAX_CPUS queues. */
struct wl_ring {
	uint32_t magic;           /* WL_RING_MAGIC */
	uint32_t version;         /* WL_RING_VERSION */
	uint32_t ncpus;           /* CPUs whose executors serve a queue */
	uint32_t slots;           /* WL_SLOTS */
	uint32_t req_size;        /* sizeof(struct wl_req) */
	uint32_t queue_size;      /* sizeof(struct wl_queue) */
	uint32_t handles;         /* capacity of the handle table */
	uint32_t overhead_insns;  /* executor overhead already subtracted from results */
	uint32_t pad[8];
	struct wl_queue queue[WL_MAX_CPUS];
};

_Static_assert(sizeof(struct wl_req) == 128, "wl_req is 128 bytes");
_Static_assert(sizeof(struct wl_queue) == 64 + 128 * WL_SLOTS, "wl_queue layout");
_Static_assert(sizeof(struct wl_ring) == 64 + WL_MAX_CPUS * sizeof(struct wl_queue), "wl_ring layout");

#endif
