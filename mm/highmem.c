/* mm/highmem.c - kmap, kunmap, kmap_atomic, kunmap_atomic and the
 * page -> address table of highmem pages (see highmem.h for the rules).
 *
 * Permanent kmaps (Linux 2.6's mm/highmem.c, rewritten):
 *   pkmap_count[i] = 0: slot free and flushed; 1: free but its old
 *   translation may still sit in some TLB (the page is still listed at
 *   that address: kmap of the same page reuses it); n > 1: n - 1 users.
 *   A new mapping takes the next slot at 0 after last_pkmap_nr.  Each time
 *   the scan wraps past the end, flush_all_zero_pkmaps clears every slot
 *   at 1 (PTE, address table) and, if it cleared any, flushes the whole
 *   window on every CPU with ONE flush_tlb_kernel_range.  With no slot at 0
 *   even then, kmap waits for a kunmap (see kmap_wait).
 * kmap_lock spins with interrupts enabled (when the caller had them), so a
 * CPU waiting for it still takes the TLB-shootdown IPI of the holder, who
 * may be in flush_all_zero_pkmaps.
 *
 * The address table: a hash of pfn -> slot (one entry per pkmap slot,
 * chained by slot number), under its own lock; the same helper keeps
 * page->virtual equal to it, and page_address (init.c) checks both.
 *
 * Atomic kmaps: slot FIX_KMAP_BEGIN + KM_TYPE_NR * cpu + depth[cpu], a
 * per-CPU stack; lowmem pages take no slot. */
#include <stdarg.h>

#include "highmem.h"
#include "arch_vm.h"
#include "internal.h"
#include "trace.h"
#include "vm_layout.h"

#define PKMAP_NR(va)   (((uint32_t)(va) - PKMAP_BASE) >> PAGE_SHIFT)
#define PKMAP_ADDR(nr) (PKMAP_BASE + ((uint32_t)(nr) << PAGE_SHIFT))

#define PA_HASH_BITS 7
#define PA_HASH_SIZE (1u << PA_HASH_BITS)

/* kmap waits this long for a free slot before it reports (and goes on waiting). */
#define KMAP_REPORT_MS 2000u

static arch_spinlock_t kmap_lock;
static uint32_t pkmap_count[LAST_PKMAP];
static uint32_t last_pkmap_nr;
static struct kmap_stats kstats;

/* The address table: slot i maps pfn pa_pfn[i] - 1 (0: none); buckets and
 * chains hold slot numbers + 1 (0: end).  Zero-filled is empty, so
 * page_address works before kmap_init. */
static arch_spinlock_t pa_lock;
static uint32_t pa_bucket[PA_HASH_SIZE];
static uint32_t pa_pfn[LAST_PKMAP];
static uint32_t pa_next[LAST_PKMAP];

/* kmap_atomic's stack depth per CPU. */
static uint32_t km_depth[MM_MAX_CPUS];

static bool page_is_highmem(const struct page *page)
{
    return page_to_pfn(page) >= max_low_pfn;
}

static inline void cpu_relax_hint(void)
{
#if defined(__i386__) || defined(__x86_64__)
    __asm__ volatile("pause" : : : "memory");
#else
    __asm__ volatile("" : : : "memory");
#endif
}

static void kmap_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void kmap_report(const char *fmt, ...)
{
    char line[128];
    va_list ap;

    va_start(ap, fmt);
    arch_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    arch_puts(line);
}

/* kmap_lock, spinning with interrupts as the caller had them. */
static unsigned long kmap_lock_irqsave(void)
{
    for (;;) {
        unsigned long flags = arch_local_irq_save();
        if (__atomic_exchange_n(&kmap_lock.word, 1, __ATOMIC_ACQUIRE) == 0)
            return flags;
        arch_local_irq_restore(flags);
        while (__atomic_load_n(&kmap_lock.word, __ATOMIC_RELAXED))
            cpu_relax_hint();
    }
}

static void kmap_unlock_irqrestore(unsigned long flags)
{
    __atomic_store_n(&kmap_lock.word, 0, __ATOMIC_RELEASE);
    arch_local_irq_restore(flags);
}

/* ---- the address table ------------------------------------------------------- */

static uint32_t pa_hash(uint32_t pfn)
{
    return (pfn * 0x9E3779B1u) >> (32 - PA_HASH_BITS);
}

/* The pkmap slot of pfn, or MM_NIL; pa_lock held. */
static uint32_t pa_lookup(uint32_t pfn)
{
    uint32_t i;

    for (i = pa_bucket[pa_hash(pfn)]; i; i = pa_next[i - 1])
        if (pa_pfn[i - 1] == pfn + 1)
            return i - 1;
    return MM_NIL;
}

/* Records (vaddr != 0) or forgets (vaddr == 0) page's pkmap address, in the
 * table and in page->virtual together. */
static void set_page_address(struct page *page, uint32_t vaddr)
{
    uint32_t pfn = page_to_pfn(page), h = pa_hash(pfn), *pp;
    unsigned long flags = arch_spin_lock_irqsave(&pa_lock);

    if (vaddr) {
        uint32_t nr = PKMAP_NR(vaddr);
        MM_BUG_ON(pa_lookup(pfn) != MM_NIL || pa_pfn[nr] != 0);
        pa_pfn[nr] = pfn + 1;
        pa_next[nr] = pa_bucket[h];
        pa_bucket[h] = nr + 1;
    } else {
        for (pp = &pa_bucket[h]; *pp && pa_pfn[*pp - 1] != pfn + 1; pp = &pa_next[*pp - 1])
            ;
        MM_BUG_ON(*pp == 0);
        pa_pfn[*pp - 1] = 0;
        *pp = pa_next[*pp - 1];
    }
    __atomic_store_n(&page->virtual, vaddr, __ATOMIC_RELEASE);
    arch_spin_unlock_irqrestore(&pa_lock, flags);
}

/* page_address for a highmem page (init.c): the pkmap address, or NULL. */
void *kmap_page_address(const struct page *page)
{
    unsigned long flags = arch_spin_lock_irqsave(&pa_lock);
    uint32_t nr = pa_lookup(page_to_pfn(page));
    uint32_t vaddr = nr == MM_NIL ? 0 : PKMAP_ADDR(nr);

    MM_BUG_ON(page->virtual != vaddr);
    arch_spin_unlock_irqrestore(&pa_lock, flags);
    return vaddr ? (void *)(uintptr_t)vaddr : NULL;
}

/* The pkmap address of page, 0 if none; kmap_lock held. */
static uint32_t pkmap_addr_of(const struct page *page)
{
    return (uint32_t)(uintptr_t)kmap_page_address(page);
}

/* ---- permanent kmaps ------------------------------------------------------------ */

void kmap_init(void)
{
    uint32_t i;

    for (i = 0; i < PA_HASH_SIZE; i++)
        pa_bucket[i] = 0;
    for (i = 0; i < LAST_PKMAP; i++) {
        pa_pfn[i] = pa_next[i] = 0;
        pkmap_count[i] = 0;
    }
    for (i = 0; i < MM_MAX_CPUS; i++)
        km_depth[i] = 0;
    last_pkmap_nr = 0;
    kstats = (struct kmap_stats){ 0 };
    kmap_lock.word = pa_lock.word = 0;
}

/* Frees every slot at 1 and, if there were any, flushes the window on
 * every CPU once.  kmap_lock held. */
static void flush_all_zero_pkmaps(void)
{
    bool need_flush = false;
    uint32_t i;

    kstats.flushes++;
    for (i = 0; i < LAST_PKMAP; i++) {
        uint32_t pfn;

        if (pkmap_count[i] != 1)
            continue;
        pkmap_count[i] = 0;
        pfn = arch_kpte_clear(PKMAP_ADDR(i));
        MM_BUG_ON(pfn == MM_NIL || pfn + 1 != pa_pfn[i]);
        set_page_address(pfn_to_page(pfn), 0);
        need_flush = true;
    }
    MM_TRACE(mm_trace_raw(TRACE_EV_KMAP_FLUSH, need_flush, kstats.flushes, 0, 0));
    if (need_flush)
        flush_tlb_kernel_range(PKMAP_BASE, PKMAP_END, TLB_REASON_KMAP_FLUSH);
}

/* No slot is free: drop the lock, let an interrupt (or the tick) come,
 * retake it.  Reports once after KMAP_REPORT_MS and goes on waiting. */
static unsigned long kmap_wait(unsigned long flags, uint32_t *since, bool *reported)
{
    uint32_t now;

    kmap_unlock_irqrestore(flags);
    now = arch_wait_for_event();
    if (*since == MM_NIL)
        *since = now;
    if (!*reported && now - *since >= KMAP_REPORT_MS) {
        kmap_report("kmap: no free pkmap slot for %u s (%u slots busy)\n",
                  KMAP_REPORT_MS / 1000, LAST_PKMAP);
        *reported = true;
    }
    return kmap_lock_irqsave();
}

/* Maps page at a new pkmap slot (kmap_lock held, *flags its saved state);
 * returns the address.  May drop the lock to wait: then the page may have
 * been mapped by another CPU meanwhile, and that address is returned. */
static uint32_t map_new_virtual(struct page *page, unsigned long *flags)
{
    uint32_t count = LAST_PKMAP, vaddr, since = MM_NIL;
    bool reported = false, waited = false;

    for (;;) {
        last_pkmap_nr = (last_pkmap_nr + 1) & (LAST_PKMAP - 1);
        if (last_pkmap_nr == 0) {
            flush_all_zero_pkmaps();
            count = LAST_PKMAP;
        }
        if (pkmap_count[last_pkmap_nr] == 0)
            break;
        if (--count)
            continue;
        if (!waited)
            kstats.waits++;
        waited = true;
        *flags = kmap_wait(*flags, &since, &reported);
        vaddr = pkmap_addr_of(page);
        if (vaddr)
            return vaddr;
        count = LAST_PKMAP;
    }
    vaddr = PKMAP_ADDR(last_pkmap_nr);
    MM_BUG_ON(arch_kpte_set(vaddr, page_to_pfn(page), KPTE_WRITE) != 0);
    pkmap_count[last_pkmap_nr] = 1;
    set_page_address(page, vaddr);
    return vaddr;
}

void *kmap(struct page *page)
{
    unsigned long flags;
    uint32_t vaddr;

    if (!page_is_highmem(page))
        return page_address(page);
    flags = kmap_lock_irqsave();
    vaddr = pkmap_addr_of(page);
    if (!vaddr)
        vaddr = map_new_virtual(page, &flags);
    pkmap_count[PKMAP_NR(vaddr)]++;
    MM_BUG_ON(pkmap_count[PKMAP_NR(vaddr)] < 2);
    kstats.kmaps++;
    kmap_unlock_irqrestore(flags);
    return (void *)(uintptr_t)vaddr;
}

void kunmap(struct page *page)
{
    unsigned long flags;
    uint32_t vaddr, nr;

    if (!page_is_highmem(page))
        return;
    flags = kmap_lock_irqsave();
    vaddr = pkmap_addr_of(page);
    MM_BUG_ON(vaddr == 0);                  /* kunmap of a page not kmapped */
    nr = PKMAP_NR(vaddr);
    MM_BUG_ON(pkmap_count[nr] < 2);
    /* At 1 the slot is free again (still cached); a waiting kmap finds it
     * at its next try (it wakes on the next interrupt or tick). */
    pkmap_count[nr]--;
    kstats.kunmaps++;
    kmap_unlock_irqrestore(flags);
}

void kmap_get_stats(struct kmap_stats *out)
{
    unsigned long flags = kmap_lock_irqsave();
    uint32_t i, in_use = 0;

    for (i = 0; i < LAST_PKMAP; i++)
        if (pkmap_count[i] > 1)
            in_use++;
    *out = kstats;
    out->in_use = in_use;
    kmap_unlock_irqrestore(flags);
}

uint32_t kmap_pkmap_count(const void *vaddr)
{
    uintptr_t va = (uintptr_t)vaddr;

    if (va < PKMAP_BASE || va >= PKMAP_END)
        return MM_NIL;
    return __atomic_load_n(&pkmap_count[PKMAP_NR(va)], __ATOMIC_RELAXED);
}

/* ---- atomic kmaps ------------------------------------------------------------------ */

static uint32_t km_slot_addr(unsigned cpu, uint32_t idx)
{
    return fix_to_virt(FIX_KMAP_BEGIN + KM_TYPE_NR * cpu + idx);
}

void *kmap_atomic(struct page *page)
{
    unsigned long flags;
    unsigned cpu;
    uint32_t idx, vaddr;

    if (!page_is_highmem(page))
        return page_address(page);
    flags = arch_local_irq_save();
    cpu = arch_cpu_id();
    idx = km_depth[cpu];
    MM_BUG_ON(idx >= KM_TYPE_NR);          /* nested deeper than the stack */
    vaddr = km_slot_addr(cpu, idx);
    MM_BUG_ON(arch_kpte_set(vaddr, page_to_pfn(page), KPTE_WRITE) != 0);
    km_depth[cpu] = idx + 1;
    arch_local_irq_restore(flags);
    return (void *)(uintptr_t)vaddr;
}

void kunmap_atomic(void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    unsigned long flags;
    unsigned cpu;
    uint32_t idx, va;

    if (a < fix_to_virt(FIX_KMAP_END - 1) || a >= fix_to_virt(FIX_KMAP_BEGIN) + PAGE_SIZE)
        return;                             /* a lowmem page: no slot */
    va = (uint32_t)a & PAGE_MASK;
    flags = arch_local_irq_save();
    cpu = arch_cpu_id();
    idx = km_depth[cpu];
    MM_BUG_ON(idx == 0 || va != km_slot_addr(cpu, idx - 1));   /* not the top of this CPU's stack */
    MM_BUG_ON(arch_kpte_clear(va) == MM_NIL);
    arch_flush_tlb_one_local(va);
    km_depth[cpu] = idx - 1;
    arch_local_irq_restore(flags);
}

uint32_t kmap_atomic_depth(void)
{
    unsigned long flags = arch_local_irq_save();
    uint32_t d = km_depth[arch_cpu_id()];

    arch_local_irq_restore(flags);
    return d;
}
