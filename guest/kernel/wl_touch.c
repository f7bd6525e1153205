/* The touch_loop operation (abi/wl_ring.h, docs/workloads.md): loads or
 * stores at a stride over a handle's memory, measured with pagelab's
 * performance counters (abi/pmu.h).  This file checks the request and
 * builds the argument block; the loops themselves, which touch no memory
 * but the measured bytes between the two PMU latches, are in
 * wl_touch_loop.S.  On QEMU, which has no PMU, the operation fails with
 * -ENODEV. */
#include "mm_guest.h"
#include "wl.h"
#include "abi/pmu.h"
#include "wl_touch.h"
#include "x86.h"

_Static_assert(__builtin_offsetof(struct wl_touch_run, base) == TR_BASE, "TR_BASE");
_Static_assert(__builtin_offsetof(struct wl_touch_run, p1) == TR_P1, "TR_P1");
_Static_assert(__builtin_offsetof(struct wl_touch_run, p2) == TR_P2, "TR_P2");
_Static_assert(__builtin_offsetof(struct wl_touch_run, packed) == TR_PACKED, "TR_PACKED");
_Static_assert(__builtin_offsetof(struct wl_touch_run, inv_start) == TR_INV_START, "TR_INV_START");
_Static_assert(__builtin_offsetof(struct wl_touch_run, inv_pages) == TR_INV_PAGES, "TR_INV_PAGES");
_Static_assert(__builtin_offsetof(struct wl_touch_run, reload_cr3) == TR_CR3, "TR_CR3");
_Static_assert(__builtin_offsetof(struct wl_touch_run, delta_a) == TR_DELTA_A, "TR_DELTA_A");
_Static_assert(__builtin_offsetof(struct wl_touch_run, delta_b) == TR_DELTA_B, "TR_DELTA_B");
_Static_assert(PMU_EV_COUNT <= TL_EV_MASK + 1, "an event fits the packed word");
_Static_assert(WL_TOUCH_MAX_PASSES <= TL_CNT_MASK, "passes fit the packed word");

/* A checked request: the memory and the loop's shape. */
struct touch_args {
	uint32_t addr, len;        /* the object's memory */
	uint32_t stride, count, passes;
	uint32_t flags;            /* WL_TOUCH_* */
	uint32_t seed, ev_a, ev_b;
};

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* The memory of handle entry e: false if it has none the loop may touch
 * (a cache; highmem pages, which have no permanent mapping). */
static bool touch_object(const struct wl_entry *e, uint32_t *addr, uint32_t *len)
{
	if (e->type == WL_H_PAGES) {
		if (e->addr + (1u << e->size) > max_low_pfn)
			return false;
		*addr = (uint32_t)page_address(pfn_to_page(e->addr));
		*len = PAGE_SIZE << e->size;
		return true;
	}
	*len = wl_mem_extent(e, addr);
	return *len != 0;
}

/* Decodes and checks r's arguments into t (t->addr, t->len already set):
 * WL_OK or WL_EINVAL. */
static int touch_check(const struct wl_req *r, struct touch_args *t)
{
	uint32_t a3 = r->arg[3];

	t->stride = r->arg[1];
	t->count = r->arg[2];
	t->passes = WL_TOUCH_PASSES(a3);
	t->flags = a3 & WL_TOUCH_FLAGS;
	t->seed = WL_TOUCH_SEED_OF(a3);
	t->ev_a = WL_TOUCH_EVENT_A(r->flags);
	t->ev_b = WL_TOUCH_EVENT_B(r->flags);
	if (t->stride == 0 || t->passes == 0 || t->passes > WL_TOUCH_MAX_PASSES ||
	    (a3 & 0x00ff0000u & ~WL_TOUCH_FLAGS) || t->ev_a >= PMU_EV_COUNT || t->ev_b >= PMU_EV_COUNT)
		return WL_EINVAL;
	if (t->count == 0)
		t->count = t->len / t->stride;
	if (t->count == 0 || (uint64_t)(t->count - 1) * t->stride >= t->len)
		return WL_EINVAL;
	if ((t->flags & WL_TOUCH_RANDOM) && (!is_pow2(t->stride) || !is_pow2(t->count)))
		return WL_EINVAL;
	return WL_OK;
}

/* The argument block of the assembly loop for t. */
static void touch_block(const struct touch_args *t, struct wl_touch_run *run)
{
	uint32_t first = t->addr & ~(uint32_t)(PAGE_SIZE - 1);

	run->base = t->addr;
	if (t->flags & WL_TOUCH_RANDOM) {
		run->p1 = (2 * t->seed + 1) * t->stride;
		run->p2 = t->count * t->stride - 1;
	} else {
		run->p1 = t->stride;
		run->p2 = t->addr + t->count * t->stride;
	}
	run->packed = t->passes << TL_P_SHIFT | t->ev_a << TL_EVA_SHIFT | t->ev_b << TL_EVB_SHIFT |
		      ((t->flags & WL_TOUCH_WARM) ? 1u << TL_WARM_BIT : 0);
	run->inv_start = first;
	run->inv_pages = (t->flags & WL_TOUCH_INVLPG_FIRST) ?
			 (t->addr + t->len - first + PAGE_SIZE - 1) / PAGE_SIZE : 0;
	run->reload_cr3 = (t->flags & WL_TOUCH_CR3_FIRST) != 0;
}

/* Runs the measured loop of t with interrupts off; the deltas go to r. */
static void touch_run(const struct touch_args *t, struct wl_req *r)
{
	struct wl_touch_run run = { 0 };
	uint32_t eflags = read_eflags();

	touch_block(t, &run);
	cli();
	if (t->flags & WL_TOUCH_RANDOM) {
		if (t->flags & WL_TOUCH_WRITE)
			wl_touch_rand_store(&run);
		else
			wl_touch_rand_load(&run);
	} else if (t->flags & WL_TOUCH_WRITE) {
		wl_touch_seq_store(&run);
	} else {
		wl_touch_seq_load(&run);
	}
	if (eflags & EFLAGS_IF)
		sti();
	r->result = run.delta_a;
	r->result2 = run.delta_b;
}

/* wl_op_touch_loop: see wl.h.  Errors in this order: the handle (EBADF,
 * ESTALE), a handle without memory or bad arguments (EINVAL), no PMU
 * (ENODEV). */
void wl_op_touch_loop(struct wl_req *r)
{
	struct touch_args t = { 0 };
	struct wl_entry e;

	r->status = wl_handle_get(r->arg[0], WL_H_FREE, &e);
	if (r->status != WL_OK)
		return;
	if (!touch_object(&e, &t.addr, &t.len) || touch_check(r, &t) != WL_OK) {
		r->status = WL_EINVAL;
		return;
	}
	if (inl(PMU_PORT_ID) != PMU_DEVICE_ID) {
		r->status = WL_ENODEV;
		return;
	}
	touch_run(&t, r);
}
