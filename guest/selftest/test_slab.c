/* The "slab" self-test: every CPU at once (arch_on_each_cpu) makes a few
 * thousand random kmalloc/kzalloc/kfree calls of sizes from 1 byte to
 * 200,000 bytes (the largest from the page allocator), and allocates and
 * frees objects of a cache with a constructor, each CPU with its own
 * deterministic random sequence, checking what it gets:
 *   - every kmalloc object carries a pattern unique to the CPU and the
 *     allocation over all its bytes, verified before the free (two holders
 *     of one object overwrite each other's pattern);
 *   - ksize() is at least the size asked; kzalloc objects are zero;
 *     GFP_DMA objects lie below 16 MiB;
 *   - a constructed object is in its constructor's state when allocated
 *     (holders put that state back before freeing, as the contract says).
 * Then the boot CPU checks that kmem_cache_destroy refuses while one object
 * is live (one "slab error" line, the same on every run) and succeeds once
 * it is freed, shrinks every cache, and compares each zone's free pages
 * with the count before the test.  PASS/FAIL lines carry no counts; the
 * per-CPU counts go on "~ " lines. */
#include "mm_guest.h"
#include "internal.h"
#include "percpu.h"
#include "printk.h"
#include "selftest.h"
#include "slab.h"

#define GROUP       "slab"
#define SLOTS       48
#define CTOR_SLOTS  8
#define OPS         3000
#define OPS_CHECKED 300            /* with mm_debug=check: a full check per page operation */
#define CTOR_SIZE   200
#define CTOR_WORD   0xC7A5E1D3u
#define DMA_LIMIT   ((uint32_t)MM_DMA_LIMIT)

struct sworker {
	uint32_t rng;
	uint32_t ops, allocs, fails;
	uint32_t bad_pattern, bad_ksize, bad_zero, bad_dma, bad_ctor;
	uint8_t *obj[SLOTS];
	uint32_t size[SLOTS];
	uint32_t stamp[SLOTS];
	uint32_t *cobj[CTOR_SLOTS];
} __attribute__((aligned(64)));

static struct sworker sworkers[MAX_CPUS];
static struct kmem_cache *ctor_cache;
static uint32_t nops;

static uint32_t srand_next(struct sworker *w)
{
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return w->rng = x;
}

/* The constructed state: word i is CTOR_WORD ^ i. */
static void ctor_init(void *obj)
{
	uint32_t *w = obj, i;

	for (i = 0; i < CTOR_SIZE / 4; i++)
		w[i] = CTOR_WORD ^ i;
}

static bool ctor_state(const uint32_t *w)
{
	uint32_t i;

	for (i = 0; i < CTOR_SIZE / 4; i++)
		if (w[i] != (CTOR_WORD ^ i))
			return false;
	return true;
}

/* Mostly below 2 KiB, some up to 32 KiB, now and then up to 200,000 bytes. */
static uint32_t pick_size(uint32_t r)
{
	uint32_t d = r % 100;

	if (d < 75)
		return 1 + (r >> 8) % 2048;
	if (d < 95)
		return 2049 + (r >> 8) % 30720;
	return 32769 + (r >> 8) % 167232;
}

static inline uint8_t pattern(uint32_t stamp, uint32_t i)
{
	return (uint8_t)(stamp ^ (i * 7) ^ (i >> 8));
}

static void free_slot(struct sworker *w, unsigned k)
{
	uint32_t i;

	for (i = 0; i < w->size[k]; i++)
		if (w->obj[k][i] != pattern(w->stamp[k], i)) {
			w->bad_pattern++;
			break;
		}
	kfree(w->obj[k]);
	w->obj[k] = NULL;
}

static void alloc_slot(struct sworker *w, unsigned k, unsigned cpu)
{
	uint32_t size = pick_size(srand_next(w)), how = srand_next(w) % 16, i;
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | (how == 0 ? GFP_DMA : 0);
	uint8_t *p = how < 3 ? kzalloc(size, gfp) : kmalloc(size, gfp);

	if (!p) {
		w->fails++;
		return;
	}
	w->allocs++;
	if (ksize(p) < size)
		w->bad_ksize++;
	if (how == 0 && arch_virt_to_phys(p) + size > DMA_LIMIT)
		w->bad_dma++;
	for (i = 0; how < 3 && i < size; i++)
		if (p[i]) {
			w->bad_zero++;
			break;
		}
	w->obj[k] = p;
	w->size[k] = size;
	w->stamp[k] = (cpu << 24) ^ (w->ops * 0x01000193u);
	for (i = 0; i < size; i++)
		p[i] = pattern(w->stamp[k], i);
}

/* A constructed object: checked on allocation, word 0 stamped while held,
 * the constructed state restored before the free. */
static void ctor_op(struct sworker *w, unsigned cpu)
{
	unsigned k = srand_next(w) % CTOR_SLOTS;
	uint32_t *o = w->cobj[k];

	if (o) {
		if (o[0] != ((cpu << 24) | k))
			w->bad_ctor++;
		o[0] = CTOR_WORD;
		kmem_cache_free(ctor_cache, o);
		w->cobj[k] = NULL;
		return;
	}
	o = kmem_cache_alloc(ctor_cache, GFP_KERNEL | __GFP_NOWARN);
	if (!o) {
		w->fails++;
		return;
	}
	if (!ctor_state(o))
		w->bad_ctor++;
	o[0] = (cpu << 24) | k;
	w->cobj[k] = o;
}

/* Runs on every CPU at once, interrupts off. */
static void slab_worker(void *unused)
{
	unsigned cpu = arch_cpu_id(), k;
	struct sworker *w = &sworkers[cpu];

	(void)unused;
	for (w->ops = 0; w->ops < nops; w->ops++) {
		if ((srand_next(w) & 3) == 0) {
			ctor_op(w, cpu);
			continue;
		}
		k = srand_next(w) % SLOTS;
		if (w->obj[k])
			free_slot(w, k);
		else
			alloc_slot(w, k, cpu);
	}
	for (k = 0; k < SLOTS; k++)
		if (w->obj[k])
			free_slot(w, k);
	for (k = 0; k < CTOR_SLOTS; k++)
		if (w->cobj[k]) {
			w->cobj[k][0] = CTOR_WORD;
			kmem_cache_free(ctor_cache, w->cobj[k]);
			w->cobj[k] = NULL;
		}
}

/* Free pages of every zone into free[], after giving back empty slabs. */
static void zone_free_pages(uint32_t free[MAX_NUMNODES][MAX_NR_ZONES])
{
	struct zone *z;

	kmem_cache_shrink_all();
	drain_all_pages();
	for_each_populated_zone(z)
		free[z->node][z->zone_idx] = mm_zone_free_pages(z);
}

static void check_workers(void)
{
	struct sworker sum = { 0 };
	unsigned cpu, idle = 0;

	for (cpu = 0; cpu < arch_nr_cpus(); cpu++) {
		struct sworker *w = &sworkers[cpu];

		if (!cpus[cpu].online)
			continue;
		printk("~ slab: cpu %u: %u operations, %u allocations, %u failed\n",
		       cpu, w->ops, w->allocs, w->fails);
		idle += w->ops != nops || w->allocs == 0;
		sum.bad_pattern += w->bad_pattern;
		sum.bad_ksize += w->bad_ksize;
		sum.bad_zero += w->bad_zero;
		sum.bad_dma += w->bad_dma;
		sum.bad_ctor += w->bad_ctor;
	}
	selftest_result(GROUP, "random kmalloc/kfree on every cpu at once", idle == 0,
			"%u cpu(s) did not finish or allocated nothing", idle);
	selftest_result(GROUP, "no object held by two owners (patterns intact)",
			sum.bad_pattern == 0, "%u objects changed", sum.bad_pattern);
	selftest_result(GROUP, "ksize at least the size asked", sum.bad_ksize == 0,
			"%u objects too small", sum.bad_ksize);
	selftest_result(GROUP, "kzalloc objects zeroed", sum.bad_zero == 0,
			"%u objects not zero", sum.bad_zero);
	selftest_result(GROUP, "GFP_DMA objects below 16 MiB", sum.bad_dma == 0,
			"%u objects above", sum.bad_dma);
	selftest_result(GROUP, "constructed objects in their ctor state", sum.bad_ctor == 0,
			"%u objects not", sum.bad_ctor);
}

/* The "slab" self-test group. */
void selftest_slab(void)
{
	static uint32_t before[MAX_NUMNODES][MAX_NR_ZONES], after[MAX_NUMNODES][MAX_NR_ZONES];
	uint32_t errors = slab_errors, mismatched = 0, *held;
	unsigned cpu;
	struct zone *z;
	int rc;

	zone_free_pages(before);
	ctor_cache = kmem_cache_create("selftest_ctor", CTOR_SIZE, 0, SLAB_HWCACHE_ALIGN, ctor_init);
	selftest_result(GROUP, "kmem_cache_create with a ctor", ctor_cache != NULL, "no cache");
	if (!ctor_cache)
		return;
	nops = mm_debug.check_each_op ? OPS_CHECKED : OPS;
	for (cpu = 0; cpu < arch_nr_cpus(); cpu++)
		sworkers[cpu] = (struct sworker){ .rng = 0x2545F491u * (cpu + 1) };

	arch_on_each_cpu(slab_worker, NULL);
	check_workers();

	held = kmem_cache_alloc(ctor_cache, GFP_KERNEL);
	rc = kmem_cache_destroy(ctor_cache);
	selftest_result(GROUP, "kmem_cache_destroy refused while an object is live",
			held && rc == -1 && slab_errors == errors + 1, "returned %d", rc);
	kmem_cache_free(ctor_cache, held);
	rc = kmem_cache_destroy(ctor_cache);
	selftest_result(GROUP, "kmem_cache_destroy of the emptied cache", rc == 0, "returned %d", rc);

	zone_free_pages(after);
	for_each_populated_zone(z)
		if (after[z->node][z->zone_idx] != before[z->node][z->zone_idx]) {
			mismatched++;
			printk("selftest slab: node %u zone %s: %u free pages, %u before\n", z->node,
			       z->name, after[z->node][z->zone_idx], before[z->node][z->zone_idx]);
		}
	selftest_result(GROUP, "free pages per zone as before (caches shrunk)", mismatched == 0,
			"%u zone(s) differ", mismatched);
	selftest_result(GROUP, "no slab error besides the refusal", slab_errors == errors + 1,
			"%u reports", slab_errors - errors);
}
