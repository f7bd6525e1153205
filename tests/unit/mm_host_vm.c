/* tests/unit/mm_host_vm.c - mm/arch_vm.h on the host: a simulated kernel
 * page table (page tables in the simulated RAM, from the buddy allocator)
 * and one simulated TLB per CPU.  See mm_host_vm.h for the rules. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "mm_host.h"
#include "mm_host_vm.h"
#include "vm_layout.h"

#define PDE_FIRST   (VM_PAGE_OFFSET >> 22)     /* directory slots of the top GiB */
#define NR_PDES     (1024u - PDE_FIRST)
#define PTE_PRESENT 0x001u
#define PTE_RW      0x002u
#define PTE_PCD     0x010u
#define PT_MARK     0x70746162u                /* page->mapping of a page-table page */

struct tlb_entry {
    uint32_t vpage;                            /* vaddr >> PAGE_SHIFT */
    uint32_t pfn;
    bool valid;
};

static struct {
    uint32_t pde[NR_PDES];                     /* pfn of the page table, or MM_NIL */
    bool dir_valid;                            /* pde[] initialised */
    uint32_t first_pt;                         /* pfn of the first page table (the boot canary) */
    struct page *boot_mem_map;                 /* mem_map when the first page table was made */
    uint32_t pt_pages;
    struct tlb_entry tlb[MM_MAX_CPUS][MM_HOST_TLB_ENTRIES];
    unsigned tlb_next[MM_MAX_CPUS];
    struct tlb_stats stats[MM_MAX_CPUS];
    struct mm_host_flush_log log;
    bool suppress;
    void (*wait_hook)(void *);
    void *wait_arg;
    uint32_t clock_ms;
} vm;

/* Forgets the page tables and TLBs (they belonged to an earlier boot). */
static void forget_tables(void)
{
    uint32_t i;

    for (i = 0; i < NR_PDES; i++)
        vm.pde[i] = MM_NIL;
    vm.dir_valid = true;
    vm.first_pt = MM_NIL;
    vm.boot_mem_map = NULL;
    vm.pt_pages = 0;
    memset(vm.tlb, 0, sizeof(vm.tlb));
    memset(vm.tlb_next, 0, sizeof(vm.tlb_next));
}

void mm_host_vm_reset(void)
{
    memset(&vm, 0, sizeof(vm));
    forget_tables();
}

/* Every entry point: starts afresh if the machine was booted again since
 * the page tables were made (their first one no longer carries its mark). */
static void vm_sync(void)
{
    if (!vm.dir_valid) {
        forget_tables();
        return;
    }
    if (vm.first_pt == MM_NIL)
        return;
    if (mem_map != vm.boot_mem_map || vm.first_pt >= max_pfn ||
        mem_map[vm.first_pt].mapping != PT_MARK)
        forget_tables();
}

static uint32_t *pte_ptr(uint32_t vaddr, bool create, int *err)
{
    uint32_t slot = (vaddr >> 22) - PDE_FIRST;

    *err = 0;
    if (vm.pde[slot] == MM_NIL) {
        struct page *pt;

        if (!create)
            return NULL;
        pt = alloc_page(GFP_KERNEL | __GFP_ZERO);
        if (!pt) {
            *err = -1;
            return NULL;
        }
        pt->mapping = PT_MARK;
        mod_zone_page_state(page_zone(pt), NR_PAGETABLE, 1);
        vm.pde[slot] = page_to_pfn(pt);
        vm.pt_pages++;
        if (vm.first_pt == MM_NIL) {
            vm.first_pt = vm.pde[slot];
            vm.boot_mem_map = mem_map;
        }
    }
    return (uint32_t *)mm_host_ram((uint64_t)vm.pde[slot] << PAGE_SHIFT) + ((vaddr >> PAGE_SHIFT) & 1023u);
}

static void check_kaddr(uint32_t vaddr)
{
    MM_BUG_ON(vaddr & (PAGE_SIZE - 1));
    MM_BUG_ON(max_low_pfn == 0 || vaddr < vm_vmalloc_start(max_low_pfn));
}

/* ---- mm/arch_vm.h: page tables ----------------------------------------------------- */

int arch_kpte_set(uint32_t vaddr, uint32_t pfn, unsigned prot)
{
    uint32_t *pte;
    int err;

    vm_sync();
    check_kaddr(vaddr);
    MM_BUG_ON(!pfn_valid(pfn));
    pte = pte_ptr(vaddr, true, &err);
    if (!pte)
        return err;
    MM_BUG_ON(*pte & PTE_PRESENT);             /* mapping over a live mapping */
    *pte = pfn << PAGE_SHIFT | PTE_PRESENT | (prot & KPTE_WRITE ? PTE_RW : 0) |
           (prot & KPTE_NOCACHE ? PTE_PCD : 0);
    return 0;
}

uint32_t arch_kpte_clear(uint32_t vaddr)
{
    uint32_t *pte, old;
    int err;

    vm_sync();
    check_kaddr(vaddr);
    pte = pte_ptr(vaddr, false, &err);
    if (!pte || !(*pte & PTE_PRESENT))
        return MM_NIL;
    old = *pte >> PAGE_SHIFT;
    *pte = 0;
    return old;
}

static uint32_t walk(uint32_t vaddr)
{
    uint32_t *pte;
    int err;

    if (max_low_pfn == 0 || vaddr < vm_vmalloc_start(max_low_pfn))
        return MM_NIL;
    pte = pte_ptr(vaddr & PAGE_MASK, false, &err);
    if (!pte || !(*pte & PTE_PRESENT))
        return MM_NIL;
    return *pte >> PAGE_SHIFT;
}

uint32_t arch_kpte_pfn(uint32_t vaddr)
{
    vm_sync();
    return walk(vaddr);
}

/* ---- the TLBs ------------------------------------------------------------------------- */

static struct tlb_entry *tlb_lookup(unsigned cpu, uint32_t vaddr)
{
    uint32_t vpage = vaddr >> PAGE_SHIFT;
    unsigned i;

    for (i = 0; i < MM_HOST_TLB_ENTRIES; i++)
        if (vm.tlb[cpu][i].valid && vm.tlb[cpu][i].vpage == vpage)
            return &vm.tlb[cpu][i];
    return NULL;
}

bool mm_host_tlb_peek(unsigned cpu, uint32_t vaddr, uint32_t *pfn)
{
    struct tlb_entry *e;

    MM_BUG_ON(cpu >= MM_MAX_CPUS);
    vm_sync();
    e = tlb_lookup(cpu, vaddr);
    if (e && pfn)
        *pfn = e->pfn;
    return e != NULL;
}

bool mm_host_vtranslate(unsigned cpu, uint32_t vaddr, uint32_t *pfn)
{
    struct tlb_entry *e;
    uint32_t p;

    MM_BUG_ON(cpu >= MM_MAX_CPUS);
    vm_sync();
    e = tlb_lookup(cpu, vaddr);
    if (!e) {
        p = walk(vaddr);
        if (p == MM_NIL)
            return false;
        e = &vm.tlb[cpu][vm.tlb_next[cpu]];
        vm.tlb_next[cpu] = (vm.tlb_next[cpu] + 1) % MM_HOST_TLB_ENTRIES;
        e->vpage = vaddr >> PAGE_SHIFT;
        e->pfn = p;
        e->valid = true;
    }
    if (pfn)
        *pfn = e->pfn;
    return true;
}

void *mm_host_vread(unsigned cpu, uint32_t vaddr)
{
    uint32_t pfn;

    if (!mm_host_vtranslate(cpu, vaddr, &pfn))
        return NULL;
    return (uint8_t *)mm_host_ram((uint64_t)pfn << PAGE_SHIFT) + (vaddr & (PAGE_SIZE - 1));
}

void mm_host_tlb_suppress_flush(bool on) { vm.suppress = on; }

/* Drops cpu's translations of [start, end), or all of them if full. */
static void tlb_drop(unsigned cpu, uint32_t start, uint32_t end, bool full)
{
    unsigned i;

    if (vm.suppress)
        return;
    for (i = 0; i < MM_HOST_TLB_ENTRIES; i++) {
        struct tlb_entry *e = &vm.tlb[cpu][i];
        uint64_t va = (uint64_t)e->vpage << PAGE_SHIFT;

        if (e->valid && (full || (va >= start && va < end)))
            e->valid = false;
    }
}

#define SINGLE_PAGE_FLUSH_CEILING 33u

/* One flush on every online CPU, as a shootdown when there are others.
 * end == 0 with full: flush_tlb_all. */
static void flush_everywhere(uint32_t start, uint64_t end, bool all, enum tlb_reason why)
{
    unsigned self = arch_cpu_id(), n = arch_nr_cpus(), cpu;
    uint32_t pages = all ? 0 : (uint32_t)((end - start) >> PAGE_SHIFT);
    bool full = all || pages > SINGLE_PAGE_FLUSH_CEILING;

    MM_BUG_ON(why >= NR_TLB_REASONS);
    vm_sync();
    if (n > 1)
        vm.stats[self].shootdowns_sent++;
    else
        vm.stats[self].local_flushes++;
    for (cpu = 0; cpu < n; cpu++) {
        struct tlb_stats *s = &vm.stats[cpu];

        if (cpu != self)
            s->shootdowns_received++;
        if (full)
            s->full_flushes++;
        else
            s->pages_flushed += pages;
        s->by_reason[why]++;
        tlb_drop(cpu, start, (uint32_t)(end > 0xFFFFFFFFu ? 0xFFFFFFFFu : end), full);
    }
    vm.log.calls++;
    vm.log.start = all ? 0 : start;
    vm.log.end = all ? 0 : (uint32_t)end;
    vm.log.pages = pages;
    vm.log.full = full;
    vm.log.initiator = self;
    vm.log.why = why;
}

void arch_flush_tlb_one_local(uint32_t vaddr)
{
    unsigned self = arch_cpu_id();

    vm_sync();
    vaddr &= PAGE_MASK;
    vm.stats[self].local_flushes++;
    vm.stats[self].pages_flushed++;
    vm.log.local_calls++;
    tlb_drop(self, vaddr, vaddr + PAGE_SIZE, false);
}

void flush_tlb_kernel_range(uint32_t start, uint32_t end, enum tlb_reason why)
{
    uint64_t e = ((uint64_t)end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

    start &= PAGE_MASK;
    MM_BUG_ON(e < start);
    /* end == 0 as "up to 4 GiB" is not part of the contract: a range is [start, end) */
    flush_everywhere(start, e, false, why);
}

void flush_tlb_all(enum tlb_reason why) { flush_everywhere(0, 0, true, why); }

void flush_tlb_one(uint32_t vaddr, enum tlb_reason why)
{
    vaddr &= PAGE_MASK;
    flush_everywhere(vaddr, (uint64_t)vaddr + PAGE_SIZE, false, why);
}

void arch_tlb_stats(unsigned cpu, struct tlb_stats *out)
{
    MM_BUG_ON(cpu >= MM_MAX_CPUS);
    *out = vm.stats[cpu];
}

void mm_host_flush_log(struct mm_host_flush_log *out) { *out = vm.log; }

uint32_t mm_host_pagetable_pages(void)
{
    vm_sync();
    return vm.pt_pages;
}

/* ---- waiting, symbols --------------------------------------------------------------------- */

void mm_host_set_wait_hook(void (*fn)(void *arg), void *arg)
{
    vm.wait_hook = fn;
    vm.wait_arg = arg;
}

uint32_t mm_host_clock_ms(void) { return vm.clock_ms; }

uint32_t arch_wait_for_event(void)
{
    if (vm.wait_hook)
        vm.wait_hook(vm.wait_arg);
    return ++vm.clock_ms;
}

void arch_symbolize(uint32_t addr, char *buf, size_t len)
{
    snprintf(buf, len, "0x%08x", (unsigned)addr);
}
