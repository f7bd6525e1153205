/* bench=mm:<kind>:<count> - the allocator benchmark mode.  Every online CPU
 * (at once, through arch_on_each_cpu) takes one block of the kind's order
 * and keeps it (the "pin"), runs a short warm-up and then count allocation
 * + free pairs of that kind; then the machine shuts down.  A host program
 * (bench/bench_mm.c) runs the kernel with count = N and count = 0 and
 * divides the difference of the guest instruction counts by N and by the
 * number of CPUs.  Nothing here is specific to pagelab: on QEMU the mode
 * just runs and exits.
 *   pcp          alloc_page(GFP_KERNEL) / __free_page: the per-CPU lists (warm)
 *   pcp_loop     pcp's baseline: the same loop (the same code: page_loop
 *                below) calling two functions that only return, so the
 *                host can subtract what the loop itself costs
 *   buddy0       one order-0 block straight from the buddy lists and back
 *                (zone lock + __rmqueue + prep_new_page; free_pages_prepare +
 *                zone lock + __free_one_page), bypassing the per-CPU lists
 *   buddy0split  the same without the pin: in a freshly booted zone every
 *                pair splits a 4 MiB block down to order 0 and merges it back
 *   order3       alloc_pages(GFP_KERNEL, 3) / __free_pages
 *   order10      alloc_pages(GFP_KERNEL, 10) / __free_pages
 * Why the pin: the first block of an order splits a larger one and leaves
 * its buddy on the free list of that order; while the pin is held, the
 * pairs take that buddy and give it back without splitting or merging,
 * the steady state of a zone that is not freshly booted.
 *
 * The kinds above mm's page allocator (no pin; the warm-up fills the
 * per-CPU slab arrays and page lists):
 *   kmalloc64    kmalloc(64, GFP_KERNEL) / kfree: the per-CPU array path
 *   kmalloc4096  kmalloc(4096, GFP_KERNEL) / kfree (size-4096, off-slab)
 *   kmap         kmap / kunmap of one highmem page per CPU (its own page,
 *                so its slot is reused: no new slot, no flush)
 *   kmap_atomic  kmap_atomic / kunmap_atomic of that page
 *   vmalloc64k   vmalloc(64 KiB) / vfree (16 pages + 1 guard page)
 *   vmalloc1m    vmalloc(1 MiB) / vfree (256 pages + 1 guard page)
 * kmap needs interrupts on (highmem.h) and the vmalloc kinds purge with a
 * TLB shootdown that the other CPUs must answer: these three run their
 * loop with interrupts enabled (the call-function IPI is EOIed first, as
 * the tlb self-test's storm does), so their figures include the timer
 * ticks that fall into the loop.  kmap and kmap_atomic need a highmem
 * page (RAM above max_low_pfn, e.g. 1 GiB): without one the kind fails.
 * After the result line, kmap prints "bench: kmap: K kmaps, F flushes" and
 * the vmalloc kinds "bench: vmalloc: V vfrees, P purges, lazy_max_pages L"
 * (totals since boot, for the host to subtract). */
#include "mm_guest.h"
#include "cmdline.h"
#include "internal.h"
#include "kstring.h"
#include "printk.h"
#include "shutdown.h"
#include "slab.h"
#include "highmem.h"
#include "vmalloc.h"
#include "lapic.h"
#include "x86.h"

#define WARMUP 64

enum bench_kind {
	B_PCP, B_PCP_LOOP, B_BUDDY0, B_BUDDY0SPLIT, B_ORDER3, B_ORDER10,
	B_KMALLOC64, B_KMALLOC4096, B_KMAP, B_KMAP_ATOMIC, B_VMALLOC64K, B_VMALLOC1M,
	NR_BENCH
};
#define FIRST_OBJ_KIND B_KMALLOC64

static const char *const bench_names[NR_BENCH] = {
	"pcp", "pcp_loop", "buddy0", "buddy0split", "order3", "order10",
	"kmalloc64", "kmalloc4096", "kmap", "kmap_atomic", "vmalloc64k", "vmalloc1m" };
static const unsigned bench_order[FIRST_OBJ_KIND] = { 0, 0, 0, 0, 3, 10 };

static struct {
	enum bench_kind kind;
	uint32_t count;
	volatile uint32_t failures;
} bench;

/* The zone GFP_KERNEL allocations of this CPU come from first. */
static struct zone *local_kernel_zone(void)
{
	pg_data_t *pgdat = NODE_DATA(cpu_to_node(arch_cpu_id()));

	if (populated_zone(&pgdat->node_zones[ZONE_NORMAL]))
		return &pgdat->node_zones[ZONE_NORMAL];
	return &pgdat->node_zones[ZONE_DMA];
}

/* An order-0 block from zone's buddy lists, prepared as an allocation. */
static struct page *buddy0_alloc(struct zone *zone)
{
	unsigned long flags = arch_spin_lock_irqsave(&zone->lock);
	struct page *page = __rmqueue(zone, 0, MIGRATE_UNMOVABLE);

	arch_spin_unlock_irqrestore(&zone->lock, flags);
	if (page && !prep_new_page(page, 0, GFP_KERNEL))
		return NULL;
	return page;
}

/* ... and back: the free path of an order > 0 block, for order 0. */
static bool buddy0_free(struct zone *zone, struct page *page)
{
	unsigned long flags;

	if (!put_page_testzero(page) || !free_pages_prepare(page, 0))
		return false;
	flags = arch_spin_lock_irqsave(&zone->lock);
	__free_one_page(page, zone, 0);      /* NR_FREE_PAGES: add_to_free_list */
	arch_spin_unlock_irqrestore(&zone->lock, flags);
	return true;
}

static bool buddy0_pair(struct zone *zone)
{
	struct page *page = buddy0_alloc(zone);

	return page && buddy0_free(zone, page);
}

static bool order_pair(unsigned order)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

	if (!page)
		return false;
	__free_pages(page, order);
	return true;
}

/* pcp_loop's stand-ins for alloc_page and __free_page: they only return
 * (alloc_page's result is its non-zero gfp argument, already in EAX under
 * -mregparm=3, so each is one ret).  noipa keeps GCC from looking inside
 * them, so the loop calling them is compiled as the real one. */
static __attribute__((noinline, noipa)) struct page *stub_alloc_pages(gfp_t gfp, unsigned order)
{
	(void)order;
	return (struct page *)(uintptr_t)gfp;
}

static __attribute__((noinline, noipa)) void stub_free_page(struct page *page)
{
	(void)page;
}

/* n pairs of alloc(GFP_KERNEL | __GFP_NOWARN, 0) / free_one; returns how
 * many allocations failed.  One macro, so that pcp and its baseline
 * pcp_loop run the same instructions around the two calls. */
#define DEFINE_PAGE_LOOP(name, alloc, free_one)					\
static __attribute__((noinline)) uint32_t name(uint32_t n)			\
{										\
	uint32_t bad = 0;							\
										\
	while (n--) {								\
		struct page *page = alloc(GFP_KERNEL | __GFP_NOWARN, 0);	\
										\
		if (MM_LIKELY(page))						\
			free_one(page);						\
		else								\
			bad++;							\
	}									\
	return bad;								\
}
DEFINE_PAGE_LOOP(page_loop, alloc_pages, __free_page)
DEFINE_PAGE_LOOP(page_loop_stub, stub_alloc_pages, stub_free_page)

/* Inline in bench_worker's loop, as it has always been measured. */
static inline __attribute__((always_inline)) bool one_pair(struct zone *zone)
{
	switch (bench.kind) {
	case B_BUDDY0:
	case B_BUDDY0SPLIT:
		return buddy0_pair(zone);
	case B_ORDER3:
		return order_pair(3);
	default:
		return order_pair(10);
	}
}

/* One pair of the kinds above the page allocator; page is this CPU's
 * highmem page (kmap kinds). */
static bool obj_pair(struct page *page)
{
	void *p;

	switch (bench.kind) {
	case B_KMALLOC64:
	case B_KMALLOC4096:
		p = kmalloc(bench.kind == B_KMALLOC64 ? 64 : 4096, GFP_KERNEL | __GFP_NOWARN);
		if (!p)
			return false;
		kfree(p);
		return true;
	case B_KMAP:
		p = kmap(page);
		kunmap(page);
		return p != NULL;
	case B_KMAP_ATOMIC:
		p = kmap_atomic(page);
		if (!p)
			return false;
		kunmap_atomic(p);
		return true;
	default:
		p = vmalloc(bench.kind == B_VMALLOC64K ? 64u << 10 : 1u << 20);
		if (!p)
			return false;
		vfree(p);
		return true;
	}
}

/* The kinds above the page allocator, on every CPU at once. */
static void obj_worker(void)
{
	bool irqs_on = bench.kind == B_KMAP || bench.kind >= B_VMALLOC64K;
	bool kmaps = bench.kind == B_KMAP || bench.kind == B_KMAP_ATOMIC;
	struct page *page = NULL;
	uint32_t i, bad = 0;

	if (kmaps) {
		page = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
		if (!page || page_to_pfn(page) < max_low_pfn) {
			if (page)
				__free_page(page);
			__atomic_add_fetch(&bench.failures, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	if (irqs_on) {
		lapic_eoi();     /* end the call-function IPI's in-service state */
		sti();
	}
	for (i = 0; i < WARMUP; i++)
		bad += !obj_pair(page);
	for (i = 0; i < bench.count; i++)
		bad += !obj_pair(page);
	if (irqs_on)
		cli();
	if (page)
		__free_page(page);
	if (bad)
		__atomic_add_fetch(&bench.failures, bad, __ATOMIC_RELAXED);
}

/* On every CPU at once, interrupts off (see obj_worker for the others). */
static void bench_worker(void *unused)
{
	struct zone *zone;
	unsigned order;
	struct page *pin = NULL;
	uint32_t i, bad = 0;

	(void)unused;
	if (bench.kind >= FIRST_OBJ_KIND) {
		obj_worker();
		return;
	}
	zone = local_kernel_zone();
	order = bench_order[bench.kind];
	if (bench.kind == B_BUDDY0)
		bad += !(pin = buddy0_alloc(zone));
	else if (bench.kind != B_BUDDY0SPLIT)
		bad += !(pin = alloc_pages(GFP_KERNEL, order));
	if (bench.kind == B_PCP || bench.kind == B_PCP_LOOP) {
		uint32_t (*loop)(uint32_t) = bench.kind == B_PCP ? page_loop : page_loop_stub;

		bad += loop(WARMUP);
		bad += loop(bench.count);
	} else {
		for (i = 0; i < WARMUP; i++)
			bad += !one_pair(zone);
		for (i = 0; i < bench.count; i++)
			bad += !one_pair(zone);
	}
	if (pin && bench.kind == B_BUDDY0)
		bad += !buddy0_free(zone, pin);
	else if (pin)
		__free_pages(pin, order);
	if (bad)
		__atomic_add_fetch(&bench.failures, bad, __ATOMIC_RELAXED);
}

/* "mm:<kind>:<count>" -> bench; false if malformed. */
static bool parse(const char *v)
{
	size_t n;
	int k;

	if (strncmp(v, "mm:", 3) != 0)
		return false;
	v += 3;
	for (n = 0; v[n] && v[n] != ':'; n++)
		;
	if (v[n] != ':' || !v[n + 1])
		return false;
	for (k = 0; k < NR_BENCH; k++)
		if (strlen(bench_names[k]) == n && strncmp(bench_names[k], v, n) == 0)
			break;
	if (k == NR_BENCH)
		return false;
	bench.kind = (enum bench_kind)k;
	bench.count = 0;
	for (v += n + 1; *v; v++) {
		if (*v < '0' || *v > '9' || bench.count > 100000000u)
			return false;
		bench.count = bench.count * 10 + (uint32_t)(*v - '0');
	}
	return true;
}

void mm_bench_run_if_asked(void)
{
	const char *v = cmdline_get("bench");

	if (!v)
		return;
	if (!parse(v)) {
		printk("bench: bad value '%s' (want mm:pcp|pcp_loop|buddy0|buddy0split|order3|order10|"
		       "kmalloc64|kmalloc4096|kmap|kmap_atomic|vmalloc64k|vmalloc1m:COUNT)\n", v);
		shutdown(EXIT_FAILED);
	}
	arch_on_each_cpu(bench_worker, NULL);
	printk("bench: mm %s: %u pairs on each of %u cpu(s), %u failed\n",
	       bench_names[bench.kind], bench.count, arch_nr_cpus(), bench.failures);
	if (bench.kind == B_KMAP || bench.kind == B_KMAP_ATOMIC) {
		struct kmap_stats ks;

		kmap_get_stats(&ks);
		printk("bench: kmap: %u kmaps, %u flushes\n", ks.kmaps, ks.flushes);
	} else if (bench.kind >= B_VMALLOC64K) {
		struct vmalloc_stats vs;

		vmalloc_get_stats(&vs);
		printk("bench: vmalloc: %u vfrees, %u purges, lazy_max_pages %u\n", vs.vfrees,
		       vs.purges, lazy_max_pages());
	}
	shutdown(bench.failures ? EXIT_FAILED : EXIT_OK);
}
