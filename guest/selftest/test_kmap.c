/* kmap and kmap_atomic (mm/highmem.c) in the guest.
 *
 * Without highmem (64 MiB) only the lowmem cases run: kmap and
 * kmap_atomic return the direct map and take no slot.  With highmem:
 * the pkmap count semantics and page_address, a kmap address used and
 * kunmapped on another CPU, exactly one flush_all_zero_pkmaps (and one
 * TLB_REASON_KMAP_FLUSH shootdown, a full flush on every other CPU) per
 * wrap of the slot scan, and the kmap_atomic stack: nesting, LIFO, an
 * interrupt handler that pushes and pops in between, per-CPU slots. */
#include "tlb.h"
#include "highmem.h"
#include "kprintf.h"
#include "percpu.h"
#include "printk.h"
#include "selftest.h"
#include "smp.h"
#include "trap.h"

#define GROUP "kmap"
#define WRAP_ORDER 10                  /* blocks of 1024 pages */
#define NR_BLOCKS  3

static struct page *blocks[NR_BLOCKS];

static struct page *hpage(uint32_t i)
{
	return blocks[i >> WRAP_ORDER] + (i & ((1u << WRAP_ORDER) - 1));
}

static uint32_t km_slot_addr(unsigned cpu, uint32_t idx)
{
	return fix_to_virt(FIX_KMAP_BEGIN + KM_TYPE_NR * cpu + idx);
}

static void test_lowmem(void)
{
	struct page *p = alloc_page(GFP_KERNEL);
	struct kmap_stats b, a;
	void *k, *ka;
	uint32_t depth;

	if (!p) {
		selftest_result(GROUP, "lowmem test page", false, "no memory");
		return;
	}
	kmap_get_stats(&b);
	k = kmap(p);
	ka = kmap_atomic(p);
	depth = kmap_atomic_depth();
	kunmap_atomic(ka);
	kunmap(p);
	kmap_get_stats(&a);
	selftest_result(GROUP, "kmap and kmap_atomic of a lowmem page: its direct address, no slot",
			k == page_address(p) && ka == k && depth == 0 && a.kmaps == b.kmaps &&
			a.in_use == b.in_use, "kmap %p atomic %p depth %u", k, ka, depth);
	__free_page(p);
}

/* ---- permanent kmaps ------------------------------------------------------------ */

static void test_counts(void)
{
	struct page *p = hpage(0);
	struct kmap_stats s0, s1;
	uint32_t *a, *b, c2, c3, c2b, c1;
	void *cached;

	kmap_get_stats(&s0);
	a = kmap(p);
	c2 = kmap_pkmap_count(a);
	b = kmap(p);
	c3 = kmap_pkmap_count(a);
	kmap_get_stats(&s1);
	kunmap(p);
	c2b = kmap_pkmap_count(a);
	kunmap(p);
	c1 = kmap_pkmap_count(a);
	cached = page_address(p);
	selftest_result(GROUP, "kmap twice: one slot, count 2 -> 3 -> 2 -> 1, address kept while cached",
			(uint32_t)a >= PKMAP_BASE && (uint32_t)a < PKMAP_END && a == b &&
			c2 == 2 && c3 == 3 && c2b == 2 && c1 == 1 && cached == a &&
			s1.in_use == s0.in_use + 1 && s1.kmaps == s0.kmaps + 2,
			"addr %p/%p counts %u %u %u %u cached %p", a, b, c2, c3, c2b, c1, cached);
}

static volatile uint32_t remote_read_value;

static void remote_read_and_kunmap(void *arg)
{
	struct page *p = arg;

	remote_read_value = *(volatile uint32_t *)page_address(p);
	kunmap(p);
}

/* A kmap address is valid on every CPU (one shared page table); any CPU may kunmap. */
static void test_remote(int remote)
{
	struct page *p = hpage(1);
	uint32_t *a = kmap(p);

	*a = 0x6b6d6170u;
	remote_read_value = 0;
	selftest_result(GROUP, "a kmap address read and kunmapped on another cpu",
			smp_call_on(remote, remote_read_and_kunmap, p) &&
			remote_read_value == 0x6b6d6170u && kmap_pkmap_count(a) == 1,
			"read 0x%08x, count %u", remote_read_value, kmap_pkmap_count(a));
}

static uint32_t kmap_flushes(void)
{
	struct kmap_stats s;

	kmap_get_stats(&s);
	return s.flushes;
}

/* kmap + stamp + kunmap of page i; returns its address. */
static uint32_t map_one(uint32_t i)
{
	struct page *p = hpage(i);
	uint32_t *a = kmap(p);

	*a = page_to_pfn(p);
	kunmap(p);
	return (uint32_t)a;
}

/* Distinct pages one after another, each kunmapped before the next: the
 * scan wraps once per LAST_PKMAP kmaps, and each wrap is one flush. */
static void test_wrap(int self)
{
	struct tlb_stats b[MAX_CPUS], a[MAX_CPUS];
	uint32_t i = 2, f0 = kmap_flushes(), f1, addr0 = 0, bad_addr = 0, n, first_pfn_addr;
	bool ok, stamps = true;
	char why[96] = "";
	int c, others = 0;

	/* Run up to the next wrap: the page mapped right after it gets slot 0. */
	while (kmap_flushes() == f0 && i < (NR_BLOCKS << WRAP_ORDER) - LAST_PKMAP - 1)
		addr0 = map_one(i++);
	f1 = kmap_flushes();
	ok = f1 == f0 + 1 && addr0 == PKMAP_BASE;
	first_pfn_addr = (uint32_t)page_address(hpage(2));      /* flushed away: NULL */

	/* Slots 1 .. LAST_PKMAP - 1: no flush. */
	for (n = 1; n < LAST_PKMAP && ok; n++) {
		uint32_t addr = map_one(i++);

		if (addr != PKMAP_BASE + n * PAGE_SIZE)
			bad_addr = addr;
	}
	ok = ok && !bad_addr && kmap_flushes() == f1;
	selftest_result(GROUP, "after a wrap: slots taken in order from slot 0, no flush for 1023 kmaps",
			ok && first_pfn_addr == 0, "flushes %u -> %u, address 0x%x, old page at 0x%x",
			f0, kmap_flushes(), bad_addr, first_pfn_addr);

	/* The next kmap wraps: exactly one flush, one shootdown of the window. */
	for (c = 0; c < ncpus; c++) {
		others += c != self && cpus[c].online;
		arch_tlb_stats((unsigned)c, &b[c]);
	}
	addr0 = map_one(i++);
	for (c = 0; c < ncpus; c++)
		arch_tlb_stats((unsigned)c, &a[c]);
	ok = kmap_flushes() == f1 + 1 && addr0 == PKMAP_BASE;
	for (c = 0; c < ncpus && ok; c++) {
		uint32_t kf = a[c].by_reason[TLB_REASON_KMAP_FLUSH] - b[c].by_reason[TLB_REASON_KMAP_FLUSH];
		uint32_t sent = a[c].shootdowns_sent - b[c].shootdowns_sent;
		uint32_t recv = a[c].shootdowns_received - b[c].shootdowns_received;
		uint32_t full = a[c].full_flushes - b[c].full_flushes;
		bool me = c == self, remote_flush = tlb_shootdown_enabled() || me;

		if (!cpus[c].online)
			continue;
		ok = kf == (remote_flush ? 1u : 0u) && full == (remote_flush ? 1u : 0u) &&
		     sent == (me && others && tlb_shootdown_enabled() ? 1u : 0u) &&
		     recv == (!me && tlb_shootdown_enabled() ? 1u : 0u);
		if (!ok)
			snprintf(why, sizeof(why), "cpu %d: kmap-flush %u full %u sent %u recv %u",
				 c, kf, full, sent, recv);
	}
	selftest_result(GROUP, "the next wrap: one flush_all_zero_pkmaps, one full flush of the window on every cpu",
			ok, "flushes %u -> %u, address 0x%x; %s", f1, kmap_flushes(), addr0, why);

	/* Every page still holds its stamp (read through kmap_atomic). */
	for (n = 2; n < i; n++) {
		uint32_t *v = kmap_atomic(hpage(n));

		if (*v != page_to_pfn(hpage(n)))
			stamps = false;
		kunmap_atomic(v);
	}
	selftest_result(GROUP, "every page written through a reused slot kept its own contents",
			stamps, "a stamp differs");
}

/* ---- atomic kmaps ----------------------------------------------------------------- */

static volatile uint32_t irq_addr, irq_value, irq_depth_in, irq_depth_out;

/* int VEC_SELFTEST in the middle of a nested kmap_atomic: push and pop. */
static void kmap_irq_handler(struct trapframe *tf)
{
	uint32_t *v;

	(void)tf;
	irq_depth_in = kmap_atomic_depth();
	v = kmap_atomic(hpage(5));
	irq_addr = (uint32_t)v;
	irq_value = *v;
	kunmap_atomic(v);
	irq_depth_out = kmap_atomic_depth();
}

static void test_atomic_nesting(void)
{
	unsigned cpu = arch_cpu_id();
	uint32_t *v[KM_TYPE_NR], i, bad = 0, depth_full, values_ok = 1;
	trap_handler_t old;

	for (i = 0; i < KM_TYPE_NR; i++) {
		v[i] = kmap_atomic(hpage(2 + i));
		if ((uint32_t)v[i] != km_slot_addr(cpu, i))
			bad = (uint32_t)v[i];
		values_ok &= *v[i] == page_to_pfn(hpage(2 + i));
	}
	depth_full = kmap_atomic_depth();
	for (i = KM_TYPE_NR; i-- > 0;) {
		kunmap_atomic(v[i]);
		if (arch_kpte_pfn(km_slot_addr(cpu, i)) != MM_NIL)
			bad = km_slot_addr(cpu, i);
	}
	selftest_result(GROUP, "kmap_atomic nests 16 deep in this cpu's slots, unmapped LIFO",
			!bad && values_ok && depth_full == KM_TYPE_NR && kmap_atomic_depth() == 0,
			"address 0x%x, depth %u", bad, depth_full);

	/* An interrupt at depth 2 uses slot 2 and leaves the stack as it was. */
	v[0] = kmap_atomic(hpage(3));
	v[1] = kmap_atomic(hpage(4));
	old = trap_set_handler(VEC_SELFTEST, kmap_irq_handler);
	__asm__ volatile("int %0" : : "i"(VEC_SELFTEST) : "memory");
	trap_set_handler(VEC_SELFTEST, old);
	values_ok = *v[0] == page_to_pfn(hpage(3)) && *v[1] == page_to_pfn(hpage(4));
	i = kmap_atomic_depth();
	kunmap_atomic(v[1]);
	kunmap_atomic(v[0]);
	selftest_result(GROUP, "an interrupt handler pushes and pops a kmap_atomic over a nested pair",
			irq_addr == km_slot_addr(cpu, 2) && irq_value == page_to_pfn(hpage(5)) &&
			irq_depth_in == 2 && irq_depth_out == 2 && i == 2 && values_ok &&
			kmap_atomic_depth() == 0,
			"irq slot 0x%x value 0x%x depth %u/%u", irq_addr, irq_value, irq_depth_in,
			irq_depth_out);
}

static volatile uint32_t remote_atomic_addr, remote_atomic_value;

static void remote_atomic(void *arg)
{
	uint32_t *v = kmap_atomic(arg);

	remote_atomic_addr = (uint32_t)v;
	remote_atomic_value = *v;
	kunmap_atomic(v);
}

static void test_atomic_remote(int remote)
{
	remote_atomic_addr = 0;
	selftest_result(GROUP, "kmap_atomic on another cpu uses that cpu's slots",
			smp_call_on(remote, remote_atomic, hpage(6)) &&
			remote_atomic_addr == km_slot_addr((unsigned)remote, 0) &&
			remote_atomic_value == page_to_pfn(hpage(6)),
			"address 0x%x value 0x%x", remote_atomic_addr, remote_atomic_value);
}

/* The "kmap" self-test group. */
void selftest_kmap(void)
{
	int self = this_cpu_index(), i, remote = -1;

	for (i = 0; i < ncpus; i++)
		if (i != self && cpus[i].online) {
			remote = i;
			break;
		}
	test_lowmem();
	if (max_pfn <= max_low_pfn) {
		pr_info("kmap: no highmem, highmem tests skipped\n");
		return;
	}
	for (i = 0; i < NR_BLOCKS; i++) {
		blocks[i] = alloc_pages(GFP_HIGHUSER, WRAP_ORDER);
		if (!blocks[i] || page_to_pfn(blocks[i]) < max_low_pfn) {
			selftest_result(GROUP, "three blocks of 1024 highmem pages", false,
					"no highmem block");
			goto out;
		}
	}
	test_counts();
	if (remote >= 0)
		test_remote(remote);
	else
		selftest_result(GROUP, "a kmap address read and kunmapped on another cpu "
				"(skipped: needs 2 cpus)", true, "-");
	test_wrap(self);
	test_atomic_nesting();
	if (remote >= 0)
		test_atomic_remote(remote);
	else
		selftest_result(GROUP, "kmap_atomic on another cpu uses that cpu's slots "
				"(skipped: needs 2 cpus)", true, "-");
out:
	for (i = 0; i < NR_BLOCKS; i++) {
		if (blocks[i])
			__free_pages(blocks[i], WRAP_ORDER);
		blocks[i] = NULL;
	}
}
