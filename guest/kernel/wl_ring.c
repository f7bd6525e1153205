/* The request ring's guest side (abi/wl_ring.h): set-up, the counters
 * device, and the loop that serves one CPU's queue.  Every CPU's idle loop
 * is wl_idle_loop: it halts until an interrupt, and once the ring is up it
 * first serves whatever the host has queued for it. */
#include "mm_guest.h"
#include "wl.h"
#include "internal.h"
#include "kstring.h"
#include "lapic.h"
#include "paging.h"
#include "percpu.h"
#include "printk.h"
#include "shutdown.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"

#define WL_MIN_HANDLES 16384u

static struct wl_ring ring __attribute__((aligned(PAGE_SIZE)));
static volatile uint32_t ring_up;       /* set once, after the ring is filled in */
static uint32_t overhead_cycles;        /* the cycles counterpart of ring.overhead_insns */

/* This CPU's guest instruction and cycle counts (the device latches both
 * on the first read). */
static void read_counters(uint64_t *insns, uint64_t *cycles)
{
	uint32_t il = inl(WL_PORT_COUNT), ih = inl(WL_PORT_COUNT_INSNS_HI);
	uint32_t cl = inl(WL_PORT_COUNT_CYC_LO), ch = inl(WL_PORT_COUNT_CYC_HI);

	*insns = (uint64_t)ih << 32 | il;
	*cycles = (uint64_t)ch << 32 | cl;
}

/* wl_device_present: see wl.h. */
bool wl_device_present(void)
{
	return inl(WL_PORT_ID) == WL_DEVICE_ID;
}

/* Stores what request r cost: the counters' advance since the previous
 * reading, less the executor's own constant overhead. */
static void store_cost(struct wl_req *r, uint64_t di, uint64_t dc)
{
	di = di > ring.overhead_insns ? di - ring.overhead_insns : 0;
	dc = dc > overhead_cycles ? dc - overhead_cycles : 0;
	r->insns_lo = (uint32_t)di;
	r->insns_hi = (uint32_t)(di >> 32);
	r->cycles_lo = (uint32_t)dc;
	r->cycles_hi = (uint32_t)(dc >> 32);
}

/* Runs the requests in [cons, prod) of q in order, then rings the
 * doorbell.  A failed request flagged WL_F_STOP_ON_ERROR cancels the rest
 * of what is queued. */
static void serve_queue(struct wl_queue *q, unsigned cpu)
{
	uint32_t cons = q->cons, prod = __atomic_load_n(&q->prod, __ATOMIC_ACQUIRE);
	uint64_t i0, c0, i1, c1;
	bool cancel = false;

	read_counters(&i0, &c0);
	while (cons != prod) {
		struct wl_req *r = &q->slot[cons % WL_SLOTS];

		if (cancel)
			r->status = WL_ECANCELED;
		else
			wl_run_request(r);
		cancel = cancel || (r->status != WL_OK && (r->flags & WL_F_STOP_ON_ERROR));
		read_counters(&i1, &c1);
		store_cost(r, i1 - i0, c1 - c0);
		i0 = i1;
		c0 = c1;
		cons++;
		q->served++;
		__atomic_store_n(&q->cons, cons, __ATOMIC_RELEASE);
		if (cons == prod)
			prod = __atomic_load_n(&q->prod, __ATOMIC_ACQUIRE);
	}
	outl(WL_PORT_DONE, cpu);
}

/* True if this CPU has queued requests (interrupts off). */
static bool work_pending(unsigned cpu)
{
	const struct wl_queue *q = &ring.queue[cpu];

	return ring_up && cpu < ring.ncpus &&
	       __atomic_load_n(&q->cons, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&q->prod, __ATOMIC_ACQUIRE);
}

/* wl_idle_loop: see wl.h.  `sti; hlt` is atomic (the interrupt shadow),
 * so a doorbell raised after the check still wakes the CPU. */
void wl_idle_loop(void)
{
	unsigned cpu = (unsigned)this_cpu_index();

	for (;;) {
		cli();
		if (work_pending(cpu)) {
			sti();
			serve_queue(&ring.queue[cpu], cpu);
			continue;
		}
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

/* The doorbell interrupt only wakes the CPU; the idle loop does the work. */
static void doorbell_interrupt(struct trapframe *tf)
{
	(void)tf;
	lapic_eoi();
}

/* The executor's constant overhead per request: two NOPs served through
 * the very path requests take, on CPU 0's queue before the ring is up; the
 * second one's cost (the first may include cold effects) is the overhead.
 * The queue is then cleared. */
static void calibrate(void)
{
	struct wl_queue *q = &ring.queue[0];

	q->slot[0].op = WL_OP_NOP;
	q->slot[1].op = WL_OP_NOP;
	q->prod = 2;
	serve_queue(q, 0);
	ring.overhead_insns = q->slot[1].insns_lo;
	overhead_cycles = q->slot[1].cycles_lo;
	memset(q, 0, sizeof(*q));
}

/* Fills in the ring header and the handle table; false on failure. */
static bool ring_setup(void)
{
	uint32_t handles = nr_free_pages() + 4096;

	if (handles < WL_MIN_HANDLES)
		handles = WL_MIN_HANDLES;
	if (handles >= (1u << WL_HANDLE_INDEX_BITS))
		handles = (1u << WL_HANDLE_INDEX_BITS) - 1;
	if (!wl_handles_init(handles))
		return false;
	ring.magic = WL_RING_MAGIC;
	ring.version = WL_RING_VERSION;
	ring.ncpus = (uint32_t)smp_online_count();
	ring.slots = WL_SLOTS;
	ring.req_size = sizeof(struct wl_req);
	ring.queue_size = sizeof(struct wl_queue);
	ring.handles = handles;
	return true;
}

/* wl_serve: see wl.h. */
void wl_serve(void)
{
	if (!wl_device_present()) {
		pr_info("workload: no pagelab workload device, nothing to serve\n");
		shutdown(EXIT_OK);
	}
	if (!ring_setup()) {
		pr_info("workload: cannot allocate the handle table\n");
		shutdown(EXIT_FAILED);
	}
	calibrate();
	trap_set_handler(WL_VECTOR, doorbell_interrupt);
	__atomic_store_n(&ring_up, 1, __ATOMIC_RELEASE);
	pr_info("workload: serving requests on %u CPUs, %u handles, overhead %u instructions\n",
		ring.ncpus, ring.handles, ring.overhead_insns);
	outl(WL_PORT_RING, virt_to_phys(&ring));
	wl_idle_loop();
}
