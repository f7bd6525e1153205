/* mm/pcp.c - per-CPU lists of free order-0 pages.
 *
 * Each CPU has, in every zone, one list per migrate type (UNMOVABLE,
 * RECLAIMABLE, MOVABLE; pages of MIGRATE_RESERVE pageblocks go on the
 * MOVABLE list).  Order-0 frees and allocations use them without taking
 * zone->lock; pages move between them and the buddy lists batch pages at a
 * time, under zone->lock.  A CPU touches only its own lists, with local
 * interrupts off.  Pages on these lists have PG_pcp, refcount 0, index =
 * their list, and are not counted in NR_FREE_PAGES.
 *
 * The allocation and free of one page (pcp_alloc, pcp_free) are inline in
 * internal.h, on the allocator's fast path; their rare parts (refill when a
 * list is empty, trim at high) are here.
 */
#include "internal.h"
#include "trace.h"

/* See internal.h.  Linux 2.6.32's zone_batchsize: about a quarter of a
 * thousandth of the zone, at most 512 KiB / 4 worth of pages, then made
 * 2^n - 1 (so batches do not all map to the same cache colours). */
uint32_t zone_batchsize(const struct zone *zone)
{
    uint32_t batch = zone->present_pages / 1024, p = 1;

    if (batch * PAGE_SIZE > 512u * 1024)
        batch = (512u * 1024) / PAGE_SIZE;
    batch /= 4;
    if (batch < 1)
        batch = 1;
    batch += batch / 2;
    while (p * 2 <= batch)
        p *= 2;
    return p - 1;
}

/* See internal.h.  As 2.6.32's setup_pageset: high = 6 * batch with the
 * unclamped batch (so 0 for a small zone: every free drains at once), and
 * batch itself at least 1. */
void pcp_setup_zone(struct zone *zone)
{
    uint32_t batch = zone_batchsize(zone);
    unsigned cpu, t;

    for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
        struct per_cpu_pages *pcp = &zone->pcp[cpu];
        pcp->count = 0;
        pcp->high = 6 * batch;
        pcp->batch = batch > 1 ? batch : 1;
        pcp->refills = pcp->drains = 0;
        for (t = 0; t < MIGRATE_PCPTYPES; t++)
            mm_list_init(&pcp->lists[t]);
    }
}

/* See internal.h: pcp_alloc (inline there) found its list empty. */
void pcp_refill(struct zone *zone, struct per_cpu_pages *pcp, unsigned mt, bool cold)
{
    uint32_t n = rmqueue_bulk(zone, pcp->batch, mt, &pcp->lists[mt], cold);

    pcp->count += n;
    if (n)
        pcp->refills++;
    MM_TRACE(mm_trace_pcp_refill(zone, pcp, mt, n));
}

/* See internal.h: pcp_free (inline there) reached high.  Linux frees batch
 * pages once count reaches high. */
void pcp_trim(struct per_cpu_pages *pcp)
{
    struct zone *zone = (struct zone *)(void *)((char *)(pcp - arch_cpu_id()) - offsetof(struct zone, pcp));

    free_pcppages_bulk(zone, pcp->batch < pcp->count ? pcp->batch : pcp->count, pcp);
    pcp->drains++;
}

/* See internal.h. */
struct page *pcp_alloc_cold(struct zone *zone, unsigned cpu, unsigned mt)
{
    return pcp_alloc_one(zone, cpu, mt, true);
}

uint32_t zone_pcp_count(const struct zone *zone)
{
    uint32_t sum = 0;
    unsigned cpu;

    for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
        sum += zone->pcp[cpu].count;
    return sum;
}

/* Empties this CPU's lists of every zone into the buddy lists. */
void drain_local_pages(void)
{
    struct zone *zone;

    for_each_populated_zone(zone) {
        unsigned long flags = arch_local_irq_save();
        struct per_cpu_pages *pcp = &zone->pcp[arch_cpu_id()];
        if (pcp->count) {
            free_pcppages_bulk(zone, pcp->count, pcp);
            pcp->drains++;
        }
        arch_local_irq_restore(flags);
    }
}

static void drain_local_pages_fn(void *arg)
{
    (void)arg;
    drain_local_pages();
}

/* Empties every CPU's lists: each CPU drains its own (IPI on the guest). */
void drain_all_pages(void)
{
    arch_on_each_cpu(drain_local_pages_fn, NULL);
}
