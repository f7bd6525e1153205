/* The workload executor: each CPU serves the requests the host puts in its
 * queue of the request ring (abi/wl_ring.h, docs/workloads.md) by running
 * them with the kernel's own mm functions.  Allocations are named by
 * handles from one table shared by all CPUs.
 *
 *   wl_handles.c  the handle table
 *   wl_ops.c      one function per operation
 *   wl_touch.c    touch_loop, the PMU-measured access loop (wl_touch_loop.S)
 *   wl_ring.c     the ring, the counters, the per-CPU serve loop */
#ifndef PAGELAB_WL_H
#define PAGELAB_WL_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/wl_ring.h"

/* One handle-table entry.  Guarded by the table lock (wl_handles.c). */
struct wl_entry {
	uint16_t type;         /* enum wl_htype; WL_H_FREE on the free list */
	uint16_t gen;          /* generation: bumped on each free (12 bits used) */
	uint32_t addr;         /* pages: pfn; others: kernel virtual address */
	uint32_t size;         /* pages: order; kmalloc/vmalloc: bytes; cache: object
	                        * size; vmap: its struct wl_vmap_rec (wl_ops.c);
	                        * object: its cache's handle; kmap: the page handle;
	                        * free entry: next free index + 1 (0: none) */
	uint32_t users;        /* handles that depend on this one (kmaps, vmaps of
	                        * pages; objects of a cache): it cannot be freed
	                        * while non-zero */
};

/* Allocates the table for `capacity` handles (vmalloc'd).  False on failure. */
bool wl_handles_init(uint32_t capacity);
uint32_t wl_handles_capacity(void);

/* Creates a handle of `type` for (addr, size); 0 if the table is full. */
uint32_t wl_handle_new(unsigned type, uint32_t addr, uint32_t size);

/* Looks up handle h, which must be live and of `type` (WL_H_FREE: any
 * type).  Copies the entry to *out and returns WL_OK, or WL_EBADF /
 * WL_ESTALE. */
int wl_handle_get(uint32_t h, unsigned type, struct wl_entry *out);

/* Frees handle h (live, of `type`, with no users): WL_OK, WL_EBADF,
 * WL_ESTALE or WL_EBUSY.  *out receives the entry as it was. */
int wl_handle_free(uint32_t h, unsigned type, struct wl_entry *out);

/* Adds delta (+1 / -1) to the users of live handle h. */
void wl_handle_use(uint32_t h, int delta);

/* The executor's entry points (wl_ring.c). */
/* True if the pagelab workload device is present (false on QEMU). */
bool wl_device_present(void);
/* Sets up the handle table and the ring and announces the ring to the host;
 * then serves requests on this CPU forever.  Called by the BSP once mm is
 * up when the command line has `workload`. */
void wl_serve(void) __attribute__((noreturn));
/* The idle loop of every CPU: serves this CPU's queue once the ring is up,
 * otherwise halts until the next interrupt. */
void wl_idle_loop(void) __attribute__((noreturn));

/* Runs one request (wl_ops.c): fills status, result and result2. */
void wl_run_request(struct wl_req *r);

/* The kernel mapping and length of the memory of a handle other than
 * pages (wl_ops.c): kmalloc, object, vmalloc, vmap, kmap; 0 length for a
 * cache or pages. */
uint32_t wl_mem_extent(const struct wl_entry *e, uint32_t *addr);

/* The touch_loop operation (wl_touch.c). */
void wl_op_touch_loop(struct wl_req *r);

#endif
