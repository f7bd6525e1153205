/* The "mm" self-test: every CPU at once (arch_on_each_cpu: call-function
 * IPIs to the others, the BSP runs its share too and then waits) makes a
 * few thousand random allocations and frees with its own deterministic
 * random sequence, checking what it gets:
 *   - each lowmem block it holds carries a stamp unique to the CPU and the
 *     allocation (words at the start, middle and end of every page),
 *     verified before the free: two holders of one page overwrite each
 *     other's stamp;
 *   - blocks are aligned to their order and have refcount 1;
 *   - GFP_DMA blocks lie below 16 MiB, blocks that may not be highmem below
 *     896 MiB (highmem blocks are never touched: no permanent mapping);
 *   - __GFP_ZERO blocks are all zeroes.
 * Afterwards the BSP drains every per-CPU list and checks the allocator's
 * invariants and that every zone has exactly the free pages it had after
 * boot.  The PASS/FAIL lines have no counts (which allocations fail depends
 * on the interleaving); per-CPU counts go on a "~ " line. */
#include "mm_guest.h"
#include "internal.h"
#include "percpu.h"
#include "printk.h"
#include "selftest.h"

#define GROUP        "mm"
#define SLOTS        24
#define OPS          3000
#define OPS_CHECKED  100            /* with mm_debug=check: a full check per operation */
#define MAX_ZERO_ORDER 4
#define MAX_DMA_ORDER  6

#define DMA_LIMIT_PFN    ((uint32_t)(MM_DMA_LIMIT >> PAGE_SHIFT))
#define LOWMEM_LIMIT_PFN ((uint32_t)(MM_LOWMEM_LIMIT >> PAGE_SHIFT))

enum kind {
	K_KERNEL, K_ATOMIC, K_DMA, K_HIGHUSER, K_HIGHUSER_MOVABLE, K_ZERO,
	K_MOVABLE, K_ADDR, NR_KINDS
};

/* What a draw of 0..15 asks for. */
static const uint8_t kind_of_draw[16] = {
	K_KERNEL, K_KERNEL, K_KERNEL, K_KERNEL, K_ATOMIC, K_ATOMIC, K_ATOMIC,
	K_DMA, K_HIGHUSER, K_HIGHUSER, K_HIGHUSER_MOVABLE, K_ZERO, K_ZERO,
	K_MOVABLE, K_MOVABLE, K_ADDR,
};

static const gfp_t kind_gfp[NR_KINDS] = {
	[K_KERNEL] = GFP_KERNEL,
	[K_ATOMIC] = GFP_ATOMIC,
	[K_DMA] = GFP_KERNEL | GFP_DMA,
	[K_HIGHUSER] = GFP_HIGHUSER,
	[K_HIGHUSER_MOVABLE] = GFP_HIGHUSER_MOVABLE,
	[K_ZERO] = GFP_KERNEL | __GFP_ZERO,
	[K_MOVABLE] = GFP_KERNEL | __GFP_MOVABLE,
	[K_ADDR] = GFP_KERNEL,
};

struct held {
	struct page *page;          /* NULL: slot empty */
	uint32_t stamp;
	uint8_t order;
	uint8_t kind;
	bool touched;               /* lowmem: carries the stamp */
};

struct worker {
	uint32_t rng;
	uint32_t ops, allocs, fails;
	uint32_t held_pages;
	uint32_t bad_pattern, bad_shape, bad_dma, bad_lowmem, bad_zero;
	struct held slot[SLOTS];
} __attribute__((aligned(64)));

static struct worker workers[MAX_CPUS];
static uint32_t nops, budget_pages;

/* xorshift32: a fixed sequence per CPU. */
static uint32_t next_rand(struct worker *w)
{
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return w->rng = x;
}

/* Orders 0..4 most of the time, now and then 5..10. */
static unsigned pick_order(uint32_t r)
{
	uint32_t d = r % 100;

	if (d < 45) return 0;
	if (d < 62) return 1;
	if (d < 74) return 2;
	if (d < 84) return 3;
	if (d < 92) return 4;
	return 5 + (r / 100) % 6;
}

static inline uint32_t *page_words(struct page *p)
{
	return (uint32_t *)page_address(p);
}

/* The three stamped words of page i of a block. */
static inline uint32_t stamp_word(uint32_t stamp, uint32_t i)
{
	return stamp ^ (i * 0x9E3779B1u);
}

static void stamp_block(struct held *h)
{
	uint32_t i, n = 1u << h->order;

	for (i = 0; i < n; i++) {
		uint32_t *w = page_words(h->page + i), v = stamp_word(h->stamp, i);

		w[0] = v;
		w[511] = ~v;
		w[1023] = v + 1;
	}
}

static bool stamp_intact(const struct held *h)
{
	uint32_t i, n = 1u << h->order;

	for (i = 0; i < n; i++) {
		uint32_t *w = page_words(h->page + i), v = stamp_word(h->stamp, i);

		if (w[0] != v || w[511] != ~v || w[1023] != v + 1)
			return false;
	}
	return true;
}

static bool all_zero(struct page *p, unsigned order)
{
	uint32_t i, n = 1u << order;

	for (i = 0; i < n; i++) {
		const uint32_t *w = page_words(p + i);
		uint32_t k;

		for (k = 0; k < PAGE_SIZE / 4; k++)
			if (w[k])
				return false;
	}
	return true;
}

static void free_slot(struct worker *w, struct held *h)
{
	if (h->touched && !stamp_intact(h))
		w->bad_pattern++;
	if (h->kind == K_ADDR)
		free_pages((unsigned long)page_address(h->page), h->order);
	else
		__free_pages(h->page, h->order);
	w->held_pages -= 1u << h->order;
	h->page = NULL;
}

/* Checks a block just allocated with kind, then stamps it if lowmem. */
static void took(struct worker *w, struct held *h, unsigned cpu)
{
	uint32_t pfn = page_to_pfn(h->page), n = 1u << h->order;
	unsigned zone = page_zonenum(h->page);

	if ((pfn & (n - 1)) || page_count(h->page) != 1 || pfn + n > max_pfn ||
	    zone > gfp_zone(kind_gfp[h->kind]))
		w->bad_shape++;
	if (h->kind == K_DMA && (pfn + n > DMA_LIMIT_PFN || zone != ZONE_DMA))
		w->bad_dma++;
	if (zone != ZONE_HIGHMEM && pfn + n > LOWMEM_LIMIT_PFN)
		w->bad_lowmem++;
	if (!(kind_gfp[h->kind] & __GFP_HIGHMEM) && zone == ZONE_HIGHMEM)
		w->bad_lowmem++;
	if (zone == ZONE_HIGHMEM)
		return;
	if (h->kind == K_ZERO && !all_zero(h->page, h->order))
		w->bad_zero++;
	h->stamp = (cpu << 24) ^ (w->ops * 0x01000193u) ^ pfn;
	h->touched = true;
	stamp_block(h);
}

/* Allocates into an empty slot (freeing others first to stay within the
 * budget).  Failures are counted, never reported: __GFP_NOWARN. */
static void alloc_slot(struct worker *w, struct held *h, unsigned cpu)
{
	unsigned order = pick_order(next_rand(w));
	unsigned kind = kind_of_draw[next_rand(w) % 16];
	gfp_t gfp = kind_gfp[kind] | __GFP_NOWARN;
	int i;

	if (kind == K_ZERO && order > MAX_ZERO_ORDER)
		order = MAX_ZERO_ORDER;
	if (kind == K_DMA && order > MAX_DMA_ORDER)
		order = MAX_DMA_ORDER;
	for (i = 0; i < SLOTS && w->held_pages + (1u << order) > budget_pages; i++)
		if (w->slot[i].page)
			free_slot(w, &w->slot[i]);
	if (kind == K_ADDR) {
		unsigned long va = __get_free_pages(gfp, order);

		h->page = va ? virt_to_page((void *)va) : NULL;
	} else {
		h->page = alloc_pages(gfp, order);
	}
	if (!h->page) {
		w->fails++;
		return;
	}
	w->allocs++;
	w->held_pages += 1u << order;
	h->order = (uint8_t)order;
	h->kind = (uint8_t)kind;
	h->touched = false;
	took(w, h, cpu);
}

/* Runs on every CPU at once, interrupts off. */
static void worker(void *unused)
{
	unsigned cpu = arch_cpu_id();
	struct worker *w = &workers[cpu];
	uint32_t i;

	(void)unused;
	for (w->ops = 0; w->ops < nops; w->ops++) {
		struct held *h = &w->slot[next_rand(w) % SLOTS];

		if (h->page)
			free_slot(w, h);
		else
			alloc_slot(w, h, cpu);
	}
	for (i = 0; i < SLOTS; i++)
		if (w->slot[i].page)
			free_slot(w, &w->slot[i]);
}

/* The "mm" self-test group. */
void selftest_mm(void)
{
	struct worker sum = { 0 };
	struct zone *z;
	uint32_t bad_before = mm_bad_pages, free_now = 0, mismatched = 0;
	unsigned cpu, ncpu = arch_nr_cpus(), idle = 0;
	unsigned violations;

	for_each_populated_zone(z)
		free_now += mm_zone_free_pages(z);
	nops = mm_debug.check_each_op ? OPS_CHECKED : OPS;
	budget_pages = free_now / (2 * ncpu);
	for (cpu = 0; cpu < ncpu; cpu++) {
		workers[cpu] = (struct worker){ .rng = 0x9E3779B9u * (cpu + 1) };
	}

	arch_on_each_cpu(worker, NULL);

	for (cpu = 0; cpu < ncpu; cpu++) {
		struct worker *w = &workers[cpu];

		if (!cpus[cpu].online)
			continue;
		printk("~ mm: cpu %u: %u operations, %u allocations, %u failed\n",
		       cpu, w->ops, w->allocs, w->fails);
		idle += w->ops != nops || w->allocs == 0 || w->held_pages != 0;
		sum.bad_pattern += w->bad_pattern;
		sum.bad_shape += w->bad_shape;
		sum.bad_dma += w->bad_dma;
		sum.bad_lowmem += w->bad_lowmem;
		sum.bad_zero += w->bad_zero;
	}
	selftest_result(GROUP, "random alloc/free on every cpu at once", idle == 0,
			"%u cpu(s) did not finish or allocated nothing", idle);
	selftest_result(GROUP, "no page held by two owners (stamps intact)",
			sum.bad_pattern == 0, "%u blocks with a foreign stamp",
			sum.bad_pattern);
	selftest_result(GROUP, "blocks aligned, refcount 1, zone allowed by gfp",
			sum.bad_shape == 0, "%u bad blocks", sum.bad_shape);
	selftest_result(GROUP, "GFP_DMA blocks below 16 MiB", sum.bad_dma == 0,
			"%u blocks above", sum.bad_dma);
	selftest_result(GROUP, "non-highmem blocks below 896 MiB", sum.bad_lowmem == 0,
			"%u blocks above", sum.bad_lowmem);
	selftest_result(GROUP, "__GFP_ZERO blocks zeroed", sum.bad_zero == 0,
			"%u blocks not zero", sum.bad_zero);

	drain_all_pages();
	violations = mm_check_invariants(true);
	selftest_result(GROUP, "invariants after drain_all_pages", violations == 0,
			"%u violations", violations);
	for_each_populated_zone(z) {
		uint32_t now = mm_zone_free_pages(z), boot = mm_boot_free[z->node][z->zone_idx];

		if (now != boot) {
			mismatched++;
			printk("selftest mm: node %u zone %s: %u free pages, %u after boot\n",
			       z->node, z->name, now, boot);
		}
	}
	selftest_result(GROUP, "free pages per zone as after boot", mismatched == 0,
			"%u zone(s) differ", mismatched);
	selftest_result(GROUP, "no bad page state reports", mm_bad_pages == bad_before,
			"%u reports", mm_bad_pages - bad_before);
}
