/* guest/kernel/trace.c - the event trace's recorder (abi/trace.h,
 * docs/trace.md): one ring per CPU in pages of the page allocator, filled
 * with local interrupts off by arch_trace_record (mm's hooks, mm/trace.h)
 * and the arch hooks (ktrace.h), drained by pagelab's host.  Timestamps
 * are the CPU's simulated cycles, read from the trace device. */
#include "mm_guest.h"
#include "../../mm/trace.h"
#include "cmdline.h"
#include "kstring.h"
#include "ktrace.h"
#include "percpu.h"
#include "printk.h"
#include "tlb.h"

static struct trace_cpu_ring *rings[TRACE_MAX_CPUS];   /* set before recording starts */
static uint32_t ring_slots;     /* a power of two; fixed once recording starts */
static uint32_t ring_kick_at;   /* fill level that kicks the host; 0: never */

static inline uint32_t trace_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void trace_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* ktrace.h.  The low read latches the count, so both halves are one reading. */
uint64_t trace_clock(void)
{
	unsigned long flags = arch_local_irq_save();
	uint32_t lo = trace_inl(TRACE_PORT_CYC_LO);
	uint32_t hi = trace_inl(TRACE_PORT_CYC_HI);

	arch_local_irq_restore(flags);
	return (uint64_t)hi << 32 | lo;
}

/* Appends one record to this CPU's ring, or counts it dropped if the ring
 * is full; t == 0: now.  Kicks the host when the ring reaches kick_at. */
static void trace_put(uint64_t t, unsigned type, unsigned aux, const uint32_t *arg)
{
	unsigned long flags = arch_local_irq_save();
	unsigned cpu = arch_cpu_id();
	struct trace_cpu_ring *r = rings[cpu];
	uint32_t prod = r->prod, used = prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
	struct trace_rec *rec;

	if (used >= ring_slots) {
		r->dropped++;
	} else {
		if (!t)
			t = trace_clock();
		rec = &r->slot[prod & (ring_slots - 1)];
		rec->cycles_lo = (uint32_t)t;
		rec->cycles_hi = (uint32_t)(t >> 32);
		rec->type = (uint16_t)type;
		rec->aux = (uint16_t)aux;
		memcpy(rec->arg, arg, sizeof rec->arg);
		__atomic_store_n(&r->prod, prod + 1, __ATOMIC_RELEASE);
		if (ring_kick_at && used + 1 >= ring_kick_at)
			trace_outl(TRACE_PORT_KICK, cpu);
	}
	arch_local_irq_restore(flags);
}

/* mm/trace.h: the arch layer's recorder. */
void arch_trace_record(unsigned type, unsigned aux, uint32_t a0, uint32_t a1, uint32_t a2,
		       uint32_t a3, uint32_t a4)
{
	uint32_t arg[TRACE_NARGS] = { a0, a1, a2, a3, a4 };

	trace_put(0, type, aux, arg);
}

void trace_ipi_send(uint32_t apic_id, uint32_t icr_low)
{
	arch_trace_record(TRACE_EV_IPI_SEND, icr_low & 0xff, apic_id, icr_low, 0, 0, 0);
}

void trace_ipi_recv(uint32_t vector)
{
	arch_trace_record(TRACE_EV_IPI_RECV, vector & 0xff, 0, 0, 0, 0, 0);
}

void trace_shootdown(uint64_t t0, const struct tlb_shootdown_req *req)
{
	uint32_t arg[TRACE_NARGS] = { req->seq, req->targets, req->start, req->end,
				      (uint32_t)(trace_clock() - t0) };

	trace_put(t0, TRACE_EV_TLB_SHOOTDOWN, (req->reason & 0xff) | (req->full ? 0x100u : 0), arg);
}

/* Parses `trace` / `trace=SLOTS[,nokick]` into *slots and *kick; false
 * (with a message) for a bad value. */
static bool trace_parse(const char *v, uint32_t *slots, bool *kick)
{
	uint32_t n = 0;

	*slots = TRACE_SLOTS_DEFAULT;
	*kick = true;
	if (!v || !*v)
		return true;
	while (*v >= '0' && *v <= '9' && n <= TRACE_SLOTS_MAX)
		n = n * 10 + (uint32_t)(*v++ - '0');
	if (*v == ',' && strcmp(v + 1, "nokick") == 0)
		*kick = false;
	else if (*v)
		n = 0;
	if (n < TRACE_SLOTS_MIN || n > TRACE_SLOTS_MAX || (n & (n - 1))) {
		printk("trace: bad option (want trace=SLOTS[,nokick], SLOTS a power of two from %u to %u)\n",
		       TRACE_SLOTS_MIN, TRACE_SLOTS_MAX);
		return false;
	}
	*slots = n;
	return true;
}

/* The smallest order whose block holds a ring of `slots` records. */
static unsigned ring_order(uint32_t slots)
{
	uint32_t bytes = (uint32_t)sizeof(struct trace_cpu_ring) + slots * (uint32_t)sizeof(struct trace_rec);
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* Allocates the header page and one ring per CPU; false if memory ran out
 * (what was allocated stays allocated: tracing is a debugging aid). */
static bool trace_alloc(struct trace_ring **hdr, uint32_t slots, bool kick)
{
	unsigned order = ring_order(slots);
	int i;

	*hdr = (struct trace_ring *)get_zeroed_page(GFP_KERNEL);
	if (!*hdr)
		return false;
	(*hdr)->magic = TRACE_RING_MAGIC;
	(*hdr)->version = TRACE_RING_VERSION;
	(*hdr)->ncpus = (uint32_t)ncpus;
	(*hdr)->slots = slots;
	(*hdr)->rec_size = sizeof(struct trace_rec);
	(*hdr)->kick_at = kick ? slots - slots / 4 : 0;
	for (i = 0; i < ncpus; i++) {
		unsigned long a = __get_free_pages(GFP_KERNEL, order);
		if (!a)
			return false;
		rings[i] = (struct trace_cpu_ring *)a;
		memset(rings[i], 0, sizeof(struct trace_cpu_ring));
		(*hdr)->cpu_ring[i] = (uint32_t)arch_virt_to_phys(rings[i]);
	}
	ring_slots = slots;
	ring_kick_at = (*hdr)->kick_at;
	return true;
}

/* ktrace.h. */
void trace_init(void)
{
	const char *v = cmdline_get("trace");
	struct trace_ring *hdr;
	uint32_t slots;
	bool kick;

	if (!v && !cmdline_has("trace"))
		return;
	if (!trace_parse(v, &slots, &kick))
		return;
	if (trace_inl(TRACE_PORT_ID) != TRACE_DEVICE_ID) {
		printk("trace: no trace device, tracing off\n");
		return;
	}
	if (ncpus > TRACE_MAX_CPUS || !trace_alloc(&hdr, slots, kick)) {
		printk("trace: cannot allocate the rings, tracing off\n");
		return;
	}
	trace_outl(TRACE_PORT_RING, (uint32_t)arch_virt_to_phys(hdr));
	pr_info("trace: %u slots per cpu on %d cpu(s)%s\n", slots, ncpus, kick ? "" : ", no kicks");
	__atomic_store_n(&mm_debug.trace, 1, __ATOMIC_RELEASE);
}
