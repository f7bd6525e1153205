/* mm/vmalloc.c - virtually contiguous kernel memory (vmalloc, vmap) in
 * [VMALLOC_START, VMALLOC_END), with Linux's lazy TLB flushing (the
 * behaviour of Linux 2.6.28+, see vmalloc.h and docs/mm.md "vmalloc").
 *
 * Areas: one node of the vmap tree (vmap_tree.c: an AVL tree of disjoint
 * ranges with a first-fit gap search) per area, covering the area's pages
 * and the guard page after them; what the area is (vmalloc or vmap, its
 * page count, its caller, its state) sits in info[] at the node's index.
 * The tree's node pool is static (VMAP_MAX_AREAS areas, live and lazy
 * together): areas are few and large, and a static pool needs no allocator
 * to exist first.  A full pool is handled like a full address range: purge
 * the lazy areas (their nodes come back) and try once more.
 *
 * No pages array: the pages of a vmalloc area are found again through its
 * PTEs (arch_kpte_clear returns the pfn it removed).
 *
 * The life of an area:
 *   UNINIT   in the tree, pages being allocated and mapped (not shown)
 *   live     VM_ALLOC (vmalloc) or VM_MAP (vmap)
 *   FREEING  vfree/vunmap clearing the PTEs and freeing the pages
 *   LAZY     PTEs clear, pages freed, but some TLB may still hold the old
 *            translations: the range stays in the tree so nobody reuses it
 *   PURGING  taken by a purge, which flushes the TLBs once for all the
 *            areas it took and then removes them from the tree
 *
 * Locking: vms.lock (interrupts off) guards the tree, info[] and the lazy
 * list and counters.  It is never held while allocating or freeing pages,
 * setting or clearing PTEs, or flushing TLBs: an area in one of the
 * transient states belongs to the one CPU working on it. */
#include "vmalloc.h"

#include <stdarg.h>

#include "arch_vm.h"
#include "internal.h"
#include "trace.h"
#include "vm_layout.h"
#include "vmap_tree.h"

#define VM_ALLOC    0x01u   /* vmalloc: the area owns its pages */
#define VM_MAP      0x02u   /* vmap: the caller owns the pages */
#define VM_UNINIT   0x04u
#define VM_FREEING  0x08u
#define VM_LAZY     0x10u
#define VM_PURGING  0x20u
#define VM_GONE     (VM_UNINIT | VM_FREEING | VM_LAZY | VM_PURGING)  /* not a live area */

#define LAZY_PAGES_PER_FLS ((32u << 20) >> PAGE_SHIFT)   /* 32 MiB of pages */

/* What the tree does not know about an area (indexed like the tree's nodes). */
struct vm_area_info {
    uint32_t flags;          /* VM_* */
    uint32_t nr_pages;       /* pages mapped, guard page not included */
    uint32_t caller;         /* code address of the allocating call, 0 if none */
    uint32_t lazy_next;      /* next node on the lazy list or in a purge batch */
};

static struct {
    arch_spinlock_t lock;
    uint32_t ready;          /* vmalloc_init done */
    uint32_t lazy_head;      /* VM_LAZY areas, newest first */
    uint32_t lazy_pages;     /* vmap_lazy_nr: their pages, guard pages included */
    uint32_t lazy_areas;
    uint32_t live_areas;     /* VM_ALLOC / VM_MAP areas (UNINIT included) */
    uint32_t purging;        /* purges between taking the lazy list and removing it */
    uint32_t purges;         /* purges that flushed */
    uint32_t vfrees;         /* areas released by vfree or vunmap */
    struct vm_area_info info[VMAP_MAX_AREAS];
    struct vmap_tree tree;
} vms;

static void vm_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vm_printk(const char *fmt, ...)
{
    char line[160];
    va_list ap;

    va_start(ap, fmt);
    arch_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    arch_puts(line);
}

static inline uint32_t caller_addr(void *ret)
{
    return (uint32_t)(uintptr_t)ret;
}

static inline unsigned fls_u32(uint32_t x)
{
    return x ? 32u - (unsigned)__builtin_clz(x) : 0;
}

/* Pages that may wait for a purge: fls(online CPUs) * 32 MiB (8192 pages
 * on one CPU, 24576 on four). */
uint32_t lazy_max_pages(void)
{
    return fls_u32(arch_nr_cpus()) * LAZY_PAGES_PER_FLS;
}

static inline uint32_t area_start(uint32_t i) { return vms.tree.node[i].start; }
static inline uint32_t area_end(uint32_t i) { return vms.tree.node[i].end; }

void vmalloc_init(void)
{
    uint32_t i;

    vms.lock.word = 0;
    vms.lazy_head = VT_NIL;
    vms.lazy_pages = vms.lazy_areas = vms.live_areas = 0;
    vms.purging = vms.purges = vms.vfrees = 0;
    for (i = 0; i < VMAP_MAX_AREAS; i++)
        vms.info[i] = (struct vm_area_info){ 0, 0, 0, VT_NIL };
    vt_init(&vms.tree, vm_vmalloc_start(max_low_pfn), VMALLOC_END);
    vms.ready = 1;
}

/* ---- lazy purging -------------------------------------------------------------------- */

/* Purges every lazy area: takes the whole lazy list, flushes the range from
 * the lowest start to the highest end on every CPU (one flush), then
 * removes the areas from the tree.  With wait, also waits until purges
 * other CPUs have started are done, so that their ranges are free too. */
static void purge_lazy(bool wait)
{
    unsigned long flags = arch_spin_lock_irqsave(&vms.lock);
    uint32_t batch = vms.lazy_head, lo = 0xFFFFFFFFu, hi = 0, i, n = 0;

    for (i = batch; i != VT_NIL; i = vms.info[i].lazy_next) {
        vms.info[i].flags = (vms.info[i].flags & ~VM_LAZY) | VM_PURGING;
        if (area_start(i) < lo)
            lo = area_start(i);
        if (area_end(i) > hi)
            hi = area_end(i);
        n++;
    }
    vms.lazy_head = VT_NIL;
    vms.lazy_pages = 0;
    vms.lazy_areas = 0;
    if (n)
        vms.purging++;
    arch_spin_unlock_irqrestore(&vms.lock, flags);

    if (n) {
        MM_TRACE(mm_trace_raw(TRACE_EV_VMAP_PURGE, 0, n, lo, hi));
        flush_tlb_kernel_range(lo, hi, TLB_REASON_VMAP_PURGE);
        flags = arch_spin_lock_irqsave(&vms.lock);
        while (batch != VT_NIL) {
            uint32_t next = vms.info[batch].lazy_next;

            vms.info[batch] = (struct vm_area_info){ 0, 0, 0, VT_NIL };
            vt_erase(&vms.tree, batch);
            batch = next;
        }
        vms.purging--;
        vms.purges++;
        arch_spin_unlock_irqrestore(&vms.lock, flags);
    }
    if (wait)
        while (__atomic_load_n(&vms.purging, __ATOMIC_ACQUIRE) != 0)
            arch_wait_for_event();
}

void vm_purge_lazy(void)
{
    MM_BUG_ON(!vms.ready);
    purge_lazy(true);
}

/* ---- areas ---------------------------------------------------------------------------- */

/* A new area of pages + 1 (the guard page) pages at the lowest free
 * address, in state UNINIT, or VT_NIL.  If none fits (or the node pool is
 * empty), purges the lazy areas and tries once more. */
static uint32_t get_area(uint32_t pages, uint32_t kind, uint32_t caller, gfp_t gfp)
{
    uint32_t size = (pages + 1) << PAGE_SHIFT, addr, i = VT_NIL;
    unsigned attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        unsigned long flags = arch_spin_lock_irqsave(&vms.lock);

        if (vt_first_fit(&vms.tree, size, &addr))
            i = vt_insert(&vms.tree, addr, addr + size);
        if (i != VT_NIL) {
            vms.info[i] = (struct vm_area_info){ kind | VM_UNINIT, 0, caller, VT_NIL };
            vms.live_areas++;
        }
        arch_spin_unlock_irqrestore(&vms.lock, flags);
        if (i != VT_NIL)
            return i;
        if (attempt == 0)
            purge_lazy(true);
    }
    if (!(gfp & __GFP_NOWARN))
        vm_printk("vmap allocation for size %lu failed: use vmalloc=<size> to increase size.\n",
                  (unsigned long)size);
    return VT_NIL;
}

/* Takes an UNINIT area back out of the tree at once: its addresses were
 * never handed out, so no TLB can hold them and no flush is needed. */
static void put_uninit_area(uint32_t i)
{
    unsigned long flags = arch_spin_lock_irqsave(&vms.lock);

    MM_BUG_ON(!(vms.info[i].flags & VM_UNINIT));
    vms.info[i] = (struct vm_area_info){ 0, 0, 0, VT_NIL };
    vt_erase(&vms.tree, i);
    vms.live_areas--;
    arch_spin_unlock_irqrestore(&vms.lock, flags);
}

/* The area is set up: show it, with its page count. */
static void publish_area(uint32_t i, uint32_t pages)
{
    unsigned long flags = arch_spin_lock_irqsave(&vms.lock);

    vms.info[i].nr_pages = pages;
    vms.info[i].flags &= ~VM_UNINIT;
    arch_spin_unlock_irqrestore(&vms.lock, flags);
}

/* Clears the first n PTEs of the area at start; frees the pages if asked. */
static void unmap_pages(uint32_t start, uint32_t n, bool free)
{
    uint32_t k;

    for (k = 0; k < n; k++) {
        uint32_t pfn = arch_kpte_clear(start + k * PAGE_SIZE);

        MM_BUG_ON(pfn == MM_NIL);
        if (free)
            __free_page(pfn_to_page(pfn));
    }
}

/* The page count for size bytes, or 0 if size is 0 or cannot fit. */
static uint32_t size_to_pages(unsigned long size)
{
    unsigned long span = VMALLOC_END - vms.tree.lo;

    if (size == 0 || size > span)
        return 0;
    return (uint32_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

static void zero_page(struct page *page)
{
    uint32_t pfn = page_to_pfn(page);
    uint32_t *w;
    unsigned k;

    if (page_zonenum(page) == ZONE_HIGHMEM) {
        w = arch_kmap_atomic_pfn(pfn);
        for (k = 0; k < PAGE_SIZE / 4; k++)
            w[k] = 0;
        arch_kunmap_atomic(w);
    } else {
        w = page_address(page);
        for (k = 0; k < PAGE_SIZE / 4; k++)
            w[k] = 0;
    }
}

void *__vmalloc_caller(unsigned long size, gfp_t gfp, uint32_t caller)
{
    uint32_t pages, i, start, k;
    gfp_t page_gfp = gfp & ~__GFP_ZERO;

    MM_BUG_ON(!vms.ready);
    pages = size_to_pages(size);
    if (pages == 0 || pages > max_pfn)
        return NULL;
    i = get_area(pages, VM_ALLOC, caller, gfp);
    if (i == VT_NIL)
        return NULL;
    start = area_start(i);
    for (k = 0; k < pages; k++) {
        struct page *page = alloc_page(page_gfp);

        if (!page)
            break;
        if (gfp & __GFP_ZERO)
            zero_page(page);
        if (arch_kpte_set(start + k * PAGE_SIZE, page_to_pfn(page), KPTE_WRITE) != 0) {
            __free_page(page);
            break;
        }
    }
    if (k < pages) {
        unmap_pages(start, k, true);
        put_uninit_area(i);
        if (!(gfp & __GFP_NOWARN))
            vm_printk("vmalloc: allocation failure, allocated %lu of %lu bytes\n",
                      (unsigned long)k * PAGE_SIZE, (unsigned long)(pages + 1) * PAGE_SIZE);
        return NULL;
    }
    publish_area(i, pages);
    return (void *)(uintptr_t)start;
}

void *vmalloc(unsigned long size)
{
    return __vmalloc_caller(size, GFP_KERNEL | __GFP_HIGHMEM, caller_addr(__builtin_return_address(0)));
}

void *vzalloc(unsigned long size)
{
    return __vmalloc_caller(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO,
                            caller_addr(__builtin_return_address(0)));
}

void *vmalloc_32(unsigned long size)
{
    return __vmalloc_caller(size, GFP_KERNEL, caller_addr(__builtin_return_address(0)));
}

void *vmap_caller(struct page **pages, unsigned count, uint32_t caller)
{
    uint32_t i, start, k;

    MM_BUG_ON(!vms.ready);
    if (count == 0 || count > max_pfn || count > size_to_pages(VMALLOC_END - vms.tree.lo))
        return NULL;
    i = get_area(count, VM_MAP, caller, 0);
    if (i == VT_NIL)
        return NULL;
    start = area_start(i);
    for (k = 0; k < count; k++)
        if (arch_kpte_set(start + k * PAGE_SIZE, page_to_pfn(pages[k]), KPTE_WRITE) != 0)
            break;
    if (k < count) {
        unmap_pages(start, k, false);
        put_uninit_area(i);
        return NULL;
    }
    publish_area(i, count);
    return (void *)(uintptr_t)start;
}

void *vmap(struct page **pages, unsigned count)
{
    return vmap_caller(pages, count, caller_addr(__builtin_return_address(0)));
}

/* vfree / vunmap: clear the PTEs now (freeing a vmalloc area's pages if
 * free_pages), leave the range lazy, and purge if the lazy pages now exceed
 * lazy_max_pages(). */
static void release_area(const void *addr, bool free_pages, const char *who)
{
    uint32_t a = (uint32_t)(uintptr_t)addr, i, start, n;
    unsigned long flags;
    bool own, over;

    if (!addr)
        return;
    MM_BUG_ON(!vms.ready);
    flags = arch_spin_lock_irqsave(&vms.lock);
    i = (a & (PAGE_SIZE - 1)) ? VT_NIL : vt_find(&vms.tree, a);
    if (i == VT_NIL || (vms.info[i].flags & VM_GONE)) {
        arch_spin_unlock_irqrestore(&vms.lock, flags);
        vm_printk("Trying to %s() nonexistent vm area (0x%08x)\n", who, (unsigned)a);
        return;
    }
    vms.info[i].flags |= VM_FREEING;
    vms.live_areas--;
    own = (vms.info[i].flags & VM_ALLOC) != 0;
    n = vms.info[i].nr_pages;
    start = area_start(i);
    arch_spin_unlock_irqrestore(&vms.lock, flags);

    unmap_pages(start, n, free_pages && own);

    flags = arch_spin_lock_irqsave(&vms.lock);
    vms.info[i].flags = (vms.info[i].flags & ~VM_FREEING) | VM_LAZY;
    vms.info[i].lazy_next = vms.lazy_head;
    vms.lazy_head = i;
    vms.lazy_pages += (area_end(i) - start) >> PAGE_SHIFT;
    vms.lazy_areas++;
    vms.vfrees++;
    over = vms.lazy_pages > lazy_max_pages();
    arch_spin_unlock_irqrestore(&vms.lock, flags);
    if (over)
        purge_lazy(false);
}

void vfree(const void *addr)
{
    release_area(addr, true, "vfree");
}

void vunmap(const void *addr)
{
    release_area(addr, false, "vunmap");
}

struct page *vmalloc_to_page(const void *addr)
{
    uint32_t pfn = arch_kpte_pfn((uint32_t)(uintptr_t)addr & PAGE_MASK);

    return pfn == MM_NIL ? NULL : pfn_to_page(pfn);
}

/* ---- statistics and /proc/vmallocinfo -------------------------------------------------- */

void vmalloc_get_stats(struct vmalloc_stats *out)
{
    unsigned long flags = arch_spin_lock_irqsave(&vms.lock);

    out->areas = vms.live_areas;
    out->lazy_areas = vms.lazy_areas;
    out->lazy_pages = vms.lazy_pages;
    out->purges = vms.purges;
    out->vfrees = vms.vfrees;
    arch_spin_unlock_irqrestore(&vms.lock, flags);
}

/* Linux's s_show (4.x, where unpurged areas appear in address order):
 *   0xc4800000-0xc4803000   12288 caller pages=2 vmalloc
 *   0xc4803000-0xc4805000    8192 unpurged vm_area
 * Sizes include the guard page. */
void mm_report_vmallocinfo(struct mm_seq *s)
{
    unsigned long flags;
    uint32_t i;
    char sym[96];

    if (!vms.ready)
        return;
    flags = arch_spin_lock_irqsave(&vms.lock);
    for (i = vt_first(&vms.tree); i != VT_NIL; i = vt_next(&vms.tree, i)) {
        const struct vm_area_info *v = &vms.info[i];
        unsigned long start = area_start(i), end = area_end(i);

        if (v->flags & VM_UNINIT)
            continue;
        if (v->flags & (VM_FREEING | VM_LAZY | VM_PURGING)) {
            mm_seq_printf(s, "0x%08lx-0x%08lx %7ld unpurged vm_area\n", start, end, (long)(end - start));
            continue;
        }
        mm_seq_printf(s, "0x%08lx-0x%08lx %7ld", start, end, (long)(end - start));
        if (v->caller) {
            arch_symbolize(v->caller, sym, sizeof(sym));
            mm_seq_printf(s, " %s", sym);
        }
        if (v->flags & VM_ALLOC)
            mm_seq_printf(s, " pages=%d", (int)v->nr_pages);
        if (v->flags & VM_ALLOC)
            mm_seq_printf(s, " vmalloc");
        if (v->flags & VM_MAP)
            mm_seq_printf(s, " vmap");
        mm_seq_printf(s, "\n");
    }
    arch_spin_unlock_irqrestore(&vms.lock, flags);
}
