/* The "vmalloc" self-test (mm/vmalloc.c on the real page tables and TLBs).
 *
 * 1. Every CPU at once (arch_on_each_cpu) makes random vmalloc, vzalloc,
 *    vmalloc_32 and vmap areas and releases them (vfree, vunmap), checking:
 *    a stamp written through the mapping reads back through the mapping
 *    before the release (two areas sharing a page or an address overwrite
 *    each other's stamp), through the direct map for lowmem vmalloc pages
 *    (the PTEs point at the pages vmalloc_to_page names), vzalloc areas are
 *    zero, vmalloc_32 pages lie below max_low_pfn, vmap maps the given
 *    pages in order.  Each CPU releases at most a budget of pages and areas
 *    so that the lazy areas of all CPUs together stay below half of
 *    lazy_max_pages() and of the node pool: no purge can happen here, so
 *    no CPU waits inside the workers (interrupts off) for another's flush.
 * 2. The boot CPU alone (the others idle, interrupts on):
 *    - a CPU other than the boot CPU (with one CPU: the boot CPU) reads a
 *      vmalloc'd page (its TLB keeps the translation); the boot CPU vfrees
 *      it, purges, and vmallocs the same address with another page, written
 *      through a temporary mapping of its pfn: the reading CPU must read
 *      the new one;
 *    - areas of 63 pages (64 with the guard page) are vmalloc'd and vfree'd
 *      until the lazy pages exceed lazy_max_pages(): the purge must come on
 *      exactly the vfree that crosses it, as one flush: one shootdown sent
 *      here and one received by every other CPU, all for
 *      TLB_REASON_VMAP_PURGE (skipped, with a "~" line, when the vmalloc
 *      range is smaller than lazy_max_pages(): many CPUs on a big machine);
 *    - vmallocinfo: the lines of three known areas (vmalloc, vmap, a
 *      vfree'd one), in address order, with sizes, caller and flags.
 * 3. Afterwards every area is gone and the free pages are what they were
 *    before the test, less the page tables vmalloc made (NR_PAGETABLE).
 * PASS/FAIL lines carry no counts; per-CPU counts go on "~ " lines. */
#include "mm_guest.h"
#include "internal.h"
#include "kprintf.h"
#include "kstring.h"
#include "percpu.h"
#include "printk.h"
#include "selftest.h"
#include "smp.h"
#include "tlb.h"           /* mm/vm_layout.h and mm/arch_vm.h, reconciled with layout.h */
#include "vmalloc.h"
#include "vmap_tree.h"

#define GROUP      "vmalloc"
#define SLOTS      16
#define OPS        2000
#define MAX_PAGES  8
#define VMAP_PAGES 4

enum kind { K_VMALLOC, K_VZALLOC, K_VMALLOC32, K_VMAP, NR_KINDS };

struct area {
	uint8_t *addr;            /* NULL: slot empty */
	uint32_t pages, stamp;
	uint8_t kind;
	struct page *vpages[VMAP_PAGES];
};

struct vworker {
	uint32_t rng;
	uint32_t ops, allocs, fails, releases;
	uint32_t released_pages, held_pages, released_areas;
	uint32_t bad_stamp, bad_direct, bad_zero, bad_low, bad_vmap, bad_unmap;
	struct area slot[SLOTS];
} __attribute__((aligned(64)));

static struct vworker vworkers[MAX_CPUS];
static uint32_t budget_pages, budget_areas;

static uint32_t vrand(struct vworker *w)
{
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return w->rng = x;
}

static inline uint32_t stamp_of(uint32_t stamp, uint32_t page)
{
	return stamp ^ (page * 0x9E3779B1u);
}

static void stamp_area(struct area *a)
{
	uint32_t k;

	for (k = 0; k < a->pages; k++) {
		uint32_t *w = (uint32_t *)(a->addr + k * PAGE_SIZE), v = stamp_of(a->stamp, k);

		w[0] = v;
		w[511] = ~v;
		w[1023] = v + 7;
	}
}

static bool words_ok(const uint32_t *w, uint32_t v)
{
	return w[0] == v && w[511] == ~v && w[1023] == v + 7;
}

/* Checks the stamps through the mapping, and for lowmem pages through the
 * direct map of the page vmalloc_to_page names. */
static void check_area(struct vworker *w, struct area *a)
{
	uint32_t k;

	for (k = 0; k < a->pages; k++) {
		uint8_t *va = a->addr + k * PAGE_SIZE;
		struct page *p = vmalloc_to_page(va);
		uint32_t v = stamp_of(a->stamp, k);

		if (!words_ok((const uint32_t *)va, v))
			w->bad_stamp++;
		if (!p) {
			w->bad_direct++;
			continue;
		}
		if (a->kind == K_VMAP && p != a->vpages[k])
			w->bad_vmap++;
		if (page_to_pfn(p) < max_low_pfn && !words_ok(page_address(p), v))
			w->bad_direct++;
	}
}

static void release(struct vworker *w, struct area *a)
{
	uint32_t k;

	check_area(w, a);
	if (a->kind == K_VMAP) {
		vunmap(a->addr);
		for (k = 0; k < a->pages; k++)
			__free_page(a->vpages[k]);
	} else {
		vfree(a->addr);
	}
	if (vmalloc_to_page(a->addr) != NULL)
		w->bad_unmap++;
	w->releases++;
	w->released_pages += a->pages + 1;
	w->released_areas++;
	w->held_pages -= a->pages + 1;
	a->addr = NULL;
}

static bool all_zero(const uint8_t *p, uint32_t pages)
{
	const uint32_t *w = (const uint32_t *)p;
	uint32_t k;

	for (k = 0; k < pages * PAGE_SIZE / 4; k++)
		if (w[k])
			return false;
	return true;
}

static void take(struct vworker *w, struct area *a, unsigned cpu)
{
	uint32_t pages = 1 + vrand(w) % MAX_PAGES, k;
	unsigned kind = vrand(w) % NR_KINDS;
	uint8_t *p = NULL;

	switch (kind) {
	case K_VMALLOC:
		p = vmalloc(pages * PAGE_SIZE);
		break;
	case K_VZALLOC:
		p = vzalloc(pages * PAGE_SIZE);
		if (p && !all_zero(p, pages))
			w->bad_zero++;
		break;
	case K_VMALLOC32:
		p = vmalloc_32(pages * PAGE_SIZE);
		for (k = 0; p && k < pages; k++)
			if (page_to_pfn(vmalloc_to_page(p + k * PAGE_SIZE)) >= max_low_pfn)
				w->bad_low++;
		break;
	default:
		pages = 1 + pages % VMAP_PAGES;
		for (k = 0; k < pages; k++) {
			a->vpages[k] = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);
			if (!a->vpages[k])
				break;
		}
		if (k == pages)
			p = vmap(a->vpages, pages);
		if (!p)
			while (k-- > 0)
				__free_page(a->vpages[k]);
		break;
	}
	if (!p) {
		w->fails++;
		return;
	}
	w->allocs++;
	a->addr = p;
	a->pages = pages;
	a->kind = (uint8_t)kind;
	a->stamp = (cpu << 24) ^ (w->ops * 0x01000193u) ^ (uint32_t)p;
	w->held_pages += pages + 1;
	stamp_area(a);
}

/* Runs on every CPU at once, interrupts off. */
static void vworker(void *unused)
{
	unsigned cpu = arch_cpu_id();
	struct vworker *w = &vworkers[cpu];
	uint32_t i;

	(void)unused;
	for (w->ops = 0; w->ops < OPS; w->ops++) {
		struct area *a = &w->slot[vrand(w) % SLOTS];

		/* what this CPU holds will be released too: keep it in the budget */
		if (w->released_pages + w->held_pages + MAX_PAGES + 1 > budget_pages ||
		    w->released_areas + SLOTS + 1 > budget_areas)
			break;
		if (a->addr)
			release(w, a);
		else
			take(w, a, cpu);
	}
	for (i = 0; i < SLOTS; i++)
		if (w->slot[i].addr)
			release(w, &w->slot[i]);
}

/* ---- the boot CPU's part --------------------------------------------------------- */

static volatile uint32_t remote_word;
static uint32_t *remote_addr;

static void remote_read(void *unused)
{
	(void)unused;
	remote_word = *(volatile uint32_t *)remote_addr;
}

/* Reads *remote_addr on cpu (through that CPU's TLB). */
static bool remote_read_on(int cpu)
{
	if (cpu == this_cpu_index()) {
		remote_read(NULL);
		return true;
	}
	return smp_call_on(cpu, remote_read, NULL);
}

/* Writes v into the first word of the page mapped at vaddr through a
 * temporary mapping of its pfn: no translation of vaddr is involved. */
static void write_through_pfn(void *vaddr, uint32_t v)
{
	uint32_t *w = arch_kmap_atomic_pfn(page_to_pfn(vmalloc_to_page(vaddr)));

	*(volatile uint32_t *)w = v;
	arch_kunmap_atomic(w);
}

/* Another CPU (with one CPU: this one) keeps a translation; the purge
 * must reach it. */
static void stale_check(void)
{
	int other = this_cpu_index(), i;
	uint32_t *a, *b, old_pfn;
	struct page *hold;
	bool ok;

	for (i = 0; i < ncpus; i++)
		if (i != this_cpu_index() && cpus[i].online) {
			other = i;
			break;
		}
	vm_purge_lazy();
	a = vmalloc(PAGE_SIZE);
	if (!a) {
		selftest_result(GROUP, "purge reaches a CPU holding a stale translation", false,
				"vmalloc failed");
		return;
	}
	old_pfn = page_to_pfn(vmalloc_to_page(a));
	*a = 0x11111111u;
	remote_addr = a;
	ok = remote_read_on(other) && remote_word == 0x11111111u;
	vfree(a);
	hold = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);   /* keeps the old page from coming back */
	vm_purge_lazy();
	b = vmalloc(PAGE_SIZE);
	ok = ok && b == a && page_to_pfn(vmalloc_to_page(b)) != old_pfn;
	if (b)
		write_through_pfn(b, 0x22222222u);
	remote_word = 0;
	ok = ok && remote_read_on(other) && remote_word == 0x22222222u;
	selftest_result(GROUP, "purge reaches a CPU holding a stale translation", ok,
			"cpu %d read 0x%x at 0x%x (same address %d)", other, remote_word,
			(uint32_t)b, b == a);
	vfree(b);
	if (hold)
		__free_page(hold);
}

/* vmalloc/vfree 63-page areas until the lazy pages cross lazy_max_pages(). */
static void crossing_check(void)
{
	uint32_t limit = lazy_max_pages(), n = limit / 64 + 1, k, early = 0, bad_addr = 0;
	uint32_t space = (VMALLOC_END - vm_vmalloc_start(max_low_pfn)) >> PAGE_SHIFT;
	uint32_t start = 0xFFFFFFFFu;
	struct tlb_stats before[MAX_CPUS], after;
	struct vmalloc_stats vs0, vs;
	unsigned self = arch_cpu_id(), cpu, bad_tlb = 0;

	if (n * 64 > space) {
		printk("~ vmalloc: lazy crossing skipped: %u lazy pages allowed, %u pages of vmalloc space\n",
		       limit, space);
		return;
	}
	vm_purge_lazy();
	vmalloc_get_stats(&vs0);
	for (cpu = 0; cpu < (unsigned)ncpus; cpu++)
		arch_tlb_stats(cpu, &before[cpu]);
	for (k = 1; k <= n; k++) {
		uint8_t *p = vmalloc(63 * PAGE_SIZE);

		if (!p) {
			bad_addr++;
			break;
		}
		if (k == 1)
			start = (uint32_t)p;
		bad_addr += (uint32_t)p != start + (k - 1) * 64 * PAGE_SIZE;
		p[0] = (uint8_t)k;
		vfree(p);
		vmalloc_get_stats(&vs);
		if (k < n)
			early += vs.purges != vs0.purges;
	}
	vmalloc_get_stats(&vs);
	selftest_result(GROUP, "lazy areas kept until lazy_max_pages, no address reused",
			early == 0 && bad_addr == 0, "%u early purges, %u misplaced areas", early,
			bad_addr);
	selftest_result(GROUP, "purge on the vfree that crosses lazy_max_pages",
			vs.purges == vs0.purges + 1 && vs.lazy_pages == 0,
			"%u purges, %u lazy pages left", vs.purges - vs0.purges, vs.lazy_pages);
	for (cpu = 0; cpu < (unsigned)ncpus; cpu++) {
		const struct tlb_stats *b = &before[cpu];
		bool other = cpu != self;

		if (!cpus[cpu].online)
			continue;
		arch_tlb_stats(cpu, &after);
		if (after.by_reason[TLB_REASON_VMAP_PURGE] != b->by_reason[TLB_REASON_VMAP_PURGE] + 1 ||
		    after.shootdowns_received != b->shootdowns_received + (other ? 1 : 0) ||
		    after.shootdowns_sent != b->shootdowns_sent + (!other && ncpus > 1 ? 1 : 0) ||
		    after.full_flushes != b->full_flushes + 1) {
			bad_tlb++;
			printk("selftest vmalloc: cpu %u: sent %u->%u received %u->%u full %u->%u purge flushes %u->%u\n",
			       cpu, b->shootdowns_sent, after.shootdowns_sent, b->shootdowns_received,
			       after.shootdowns_received, b->full_flushes, after.full_flushes,
			       b->by_reason[TLB_REASON_VMAP_PURGE], after.by_reason[TLB_REASON_VMAP_PURGE]);
		}
	}
	selftest_result(GROUP, "the purge is one flush on every CPU", bad_tlb == 0,
			"%u cpu(s) with other counts", bad_tlb);
}

static char info_buf[8192];

/* The end of the line at p (its '\n' or the final '\0'). */
static const char *line_end(const char *p)
{
	while (*p && *p != '\n')
		p++;
	return p;
}

static bool contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return true;
	return false;
}

/* The line of vmallocinfo that starts with addr's "0x%08x-", or NULL. */
static const char *info_line(uint32_t addr, char *line, size_t len)
{
	char key[16];
	const char *p = info_buf;

	snprintf(key, sizeof(key), "0x%08x-", addr);
	while (*p) {
		const char *e = line_end(p);
		size_t n = (size_t)(e - p);

		if (strncmp(p, key, strlen(key)) == 0) {
			if (n >= len)
				n = len - 1;
			memcpy(line, p, n);
			line[n] = '\0';
			return line;
		}
		p = *e ? e + 1 : e;
	}
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* noinline: vmallocinfo names this function as the caller */
static __attribute__((noinline)) void info_check(void)
{
	struct mm_seq s = { .buf = info_buf, .size = sizeof(info_buf) };
	struct page *pg[3] = { NULL, NULL, NULL };
	uint8_t *a, *v = NULL, *b;
	char line[160], want[64];
	bool ok = true, order_ok = true;
	uint32_t prev = 0;
	const char *p;
	int k;

	vm_purge_lazy();
	a = vmalloc(2 * PAGE_SIZE);
	for (k = 0; k < 3; k++)
		pg[k] = alloc_page(GFP_KERNEL);
	if (pg[0] && pg[1] && pg[2])
		v = vmap(pg, 3);
	b = vmalloc(PAGE_SIZE);
	vfree(b);
	info_buf[0] = '\0';
	mm_report_vmallocinfo(&s);
	info_buf[s.len < s.size ? s.len : s.size - 1] = '\0';
	arch_puts(info_buf);

	snprintf(want, sizeof(want), "0x%08x-0x%08x   12288 ", (uint32_t)a, (uint32_t)a + 3 * PAGE_SIZE);
	ok = a && info_line((uint32_t)a, line, sizeof(line)) && strncmp(line, want, strlen(want)) == 0 &&
	     contains(line, "info_check+") && ends_with(line, " pages=2 vmalloc");
	snprintf(want, sizeof(want), "0x%08x-0x%08x   16384 ", (uint32_t)v, (uint32_t)v + 4 * PAGE_SIZE);
	ok = ok && v && info_line((uint32_t)v, line, sizeof(line)) && strncmp(line, want, strlen(want)) == 0 &&
	     contains(line, "info_check+") && ends_with(line, " vmap") && !contains(line, "pages=");
	snprintf(want, sizeof(want), "0x%08x-0x%08x    8192 unpurged vm_area", (uint32_t)b,
		 (uint32_t)b + 2 * PAGE_SIZE);
	ok = ok && b && info_line((uint32_t)b, line, sizeof(line)) && strcmp(line, want) == 0;
	for (p = info_buf; *p; p = *line_end(p) ? line_end(p) + 1 : line_end(p)) {
		uint32_t start = 0;
		int d;

		for (d = 2; d < 10; d++)
			start = start * 16 + (uint32_t)(p[d] <= '9' ? p[d] - '0' : p[d] - 'a' + 10);
		order_ok = order_ok && p[0] == '0' && p[1] == 'x' && start > prev;
		prev = start;
	}
	selftest_result(GROUP, "vmallocinfo: vmalloc, vmap and unpurged lines", ok && !s.overflow,
			"a line is missing or differs");
	selftest_result(GROUP, "vmallocinfo: address order", order_ok, "lines out of order");
	vfree(a);
	if (v)
		vunmap(v);
	for (k = 0; k < 3; k++)
		if (pg[k])
			__free_page(pg[k]);
}

void selftest_vmalloc(void)
{
	struct vworker sum = { 0 };
	struct vmalloc_stats vs0, vs;
	struct zone *z;
	unsigned cpu, ncpu = arch_nr_cpus(), idle = 0;
	uint32_t pt_before = 0, pt_after = 0, free_before = 0, free_after = 0;

	vm_purge_lazy();
	drain_all_pages();
	vmalloc_get_stats(&vs0);
	for_each_populated_zone(z) {
		pt_before += zone_page_state(z, NR_PAGETABLE);
		free_before += mm_zone_free_pages(z);
	}
	budget_pages = lazy_max_pages() / (2 * ncpu);
	budget_areas = VMAP_MAX_AREAS / (2 * ncpu);
	for (cpu = 0; cpu < ncpu; cpu++)
		vworkers[cpu] = (struct vworker){ .rng = 0x2545F491u * (cpu + 1) };

	arch_on_each_cpu(vworker, NULL);

	vmalloc_get_stats(&vs);
	for (cpu = 0; cpu < ncpu; cpu++) {
		struct vworker *w = &vworkers[cpu];

		if (!cpus[cpu].online)
			continue;
		printk("~ vmalloc: cpu %u: %u operations, %u areas, %u failed, %u released\n",
		       cpu, w->ops, w->allocs, w->fails, w->releases);
		idle += w->allocs == 0 || w->held_pages != 0;
		sum.bad_stamp += w->bad_stamp;
		sum.bad_direct += w->bad_direct;
		sum.bad_zero += w->bad_zero;
		sum.bad_low += w->bad_low;
		sum.bad_vmap += w->bad_vmap;
		sum.bad_unmap += w->bad_unmap;
		sum.releases += w->releases;
	}
	selftest_result(GROUP, "vmalloc/vzalloc/vmalloc_32/vmap on every cpu at once", idle == 0,
			"%u cpu(s) made no area or kept one", idle);
	selftest_result(GROUP, "stamps intact through the mapping", sum.bad_stamp == 0,
			"%u pages with a foreign stamp", sum.bad_stamp);
	selftest_result(GROUP, "PTEs map the pages vmalloc_to_page names", sum.bad_direct == 0,
			"%u pages differ", sum.bad_direct);
	selftest_result(GROUP, "vzalloc areas zeroed", sum.bad_zero == 0, "%u areas not zero",
			sum.bad_zero);
	selftest_result(GROUP, "vmalloc_32 pages below max_low_pfn", sum.bad_low == 0,
			"%u pages above", sum.bad_low);
	selftest_result(GROUP, "vmap maps the given pages in order", sum.bad_vmap == 0,
			"%u pages differ", sum.bad_vmap);
	selftest_result(GROUP, "vfree/vunmap clear the PTEs at once", sum.bad_unmap == 0,
			"%u areas still mapped", sum.bad_unmap);
	selftest_result(GROUP, "lazy areas of all cpus below the limit: no purge",
			vs.purges == vs0.purges && vs.lazy_areas == vs0.lazy_areas + sum.releases,
			"%u purges, %u lazy areas", vs.purges - vs0.purges, vs.lazy_areas);

	stale_check();
	crossing_check();
	info_check();

	vm_purge_lazy();
	vmalloc_get_stats(&vs);
	selftest_result(GROUP, "every area released and purged",
			vs.areas == vs0.areas && vs.lazy_areas == 0 && vs.lazy_pages == 0,
			"%u areas, %u lazy", vs.areas, vs.lazy_areas);
	drain_all_pages();
	for_each_populated_zone(z) {
		pt_after += zone_page_state(z, NR_PAGETABLE);
		free_after += mm_zone_free_pages(z);
	}
	/* the page tables vmalloc made stay (as in Linux); every other page is back */
	selftest_result(GROUP, "free pages as before, less the new page tables",
			free_after + (pt_after - pt_before) == free_before,
			"%u free before, %u after, %u new page tables", free_before, free_after,
			pt_after - pt_before);
}
