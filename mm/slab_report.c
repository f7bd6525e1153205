/* mm/slab_report.c - /proc/slabinfo, version 2.1 (Linux 2.6's format and
 * counting: objects in per-CPU arrays count as active). */
#include "internal.h"
#include "slab_internal.h"

/* The counts slabinfo prints for one cache, from its lists under its lock. */
struct slab_counts {
    unsigned long active_objs, active_slabs, num_slabs;
};

static void count_list(const struct slab_list *l, struct slab_counts *n, bool active)
{
    uint32_t sphys;

    for (sphys = l->first; sphys != MM_NIL; sphys = slab_desc(sphys)->next) {
        n->active_objs += slab_desc(sphys)->inuse;
        n->active_slabs += active;
        n->num_slabs++;
    }
}

static void cache_counts(struct kmem_cache *c, struct slab_counts *n)
{
    unsigned long flags = arch_spin_lock_irqsave(&c->lock);

    n->active_objs = n->active_slabs = n->num_slabs = 0;
    count_list(&c->slabs_full, n, true);
    count_list(&c->slabs_partial, n, true);
    count_list(&c->slabs_free, n, false);
    arch_spin_unlock_irqrestore(&c->lock, flags);
}

/* The active cache with the highest creation number below `below`, or NULL. */
static struct kmem_cache *next_newest(uint32_t below)
{
    struct kmem_cache *best = NULL;
    uint32_t i;

    for (i = 0; i < SLAB_MAX_CACHES; i++)
        if (kmem_caches[i].active && kmem_caches[i].seq < below && (!best || kmem_caches[i].seq > best->seq))
            best = &kmem_caches[i];
    return best;
}

void mm_report_slabinfo(struct mm_seq *s)
{
    struct kmem_cache *c;
    struct slab_counts n;

    mm_seq_printf(s, "slabinfo - version: 2.1\n");
    mm_seq_printf(s, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
                     " : tunables <limit> <batchcount> <sharedfactor>"
                     " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
    for (c = next_newest(0xffffffffu); c; c = next_newest(c->seq)) {
        cache_counts(c, &n);
        mm_seq_printf(s, "%-17s %6lu %6lu %6u %4u %4d", c->name, n.active_objs,
                      n.num_slabs * c->num, c->buffer_size, c->num, 1 << c->gfporder);
        mm_seq_printf(s, " : tunables %4u %4u %4u", c->limit, c->batchcount, c->shared);
        mm_seq_printf(s, " : slabdata %6lu %6lu %6lu\n", n.active_slabs, n.num_slabs, 0ul);
    }
}
