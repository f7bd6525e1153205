/* mm/slab_cpu.c - the allocation and free paths through the per-CPU
 * arrays (Linux 2.6's ____cache_alloc / __cache_free): allocation pops this
 * CPU's array, refilling it from the partial and free slabs (growing the
 * cache when there are none); a free pushes, flushing the oldest
 * batchcount objects back to their slabs when the array is full. */
#include "internal.h"
#include "slab_internal.h"

/* Moves up to want objects from c's partial slabs (then free slabs) onto
 * ac; each slab visited goes to the front of the full or partial list.
 * Caller holds c->lock.  Returns the number moved. */
static uint32_t refill_from_lists(struct kmem_cache *c, struct array_cache *ac, uint32_t want)
{
    uint32_t moved = 0;

    while (want > 0) {
        uint32_t sphys = c->slabs_partial.first;
        struct slab *s;

        if (sphys == MM_NIL)
            sphys = c->slabs_free.first;
        if (sphys == MM_NIL)
            break;
        s = slab_desc(sphys);
        while (s->inuse < c->num && want > 0) {
            ac->entry[ac->avail++] = slab_get_obj(c, s);
            want--;
            moved++;
        }
        slab_list_del(c, sphys);
        slab_list_add(c, sphys, s->free == BUFCTL_END ? SLAB_ON_FULL : SLAB_ON_PARTIAL, false);
    }
    c->free_objects -= moved;
    return moved;
}

/* Refills this CPU's empty array (batchcount objects, at most
 * BATCHREFILL_LIMIT while the array was never used), growing the cache by
 * a slab when no slab has a free object, and returns the top object's
 * buffer phys; MM_NIL if no memory.  Interrupts off. */
static uint32_t cache_alloc_refill(struct kmem_cache *c, struct array_cache *ac, gfp_t gfp)
{
    for (;;) {
        uint32_t want = ac->batchcount;
        unsigned long flags;

        if (!ac->touched && want > BATCHREFILL_LIMIT)
            want = BATCHREFILL_LIMIT;
        flags = arch_spin_lock_irqsave(&c->lock);
        refill_from_lists(c, ac, want);
        arch_spin_unlock_irqrestore(&c->lock, flags);
        if (ac->avail)
            break;
        if (!cache_grow(c, gfp))
            return MM_NIL;
    }
    ac->touched = 1;
    return ac->entry[--ac->avail];
}

void *slab_alloc(struct kmem_cache *c, gfp_t gfp, uint32_t caller)
{
    uint32_t objp;
    void *obj;

    MM_BUG_ON(!c || !c->active);
    for (;;) {
        unsigned long flags = arch_local_irq_save();
        struct array_cache *ac = cpu_array(c, arch_cpu_id());

        if (MM_LIKELY(ac->avail)) {
            ac->touched = 1;
            objp = ac->entry[--ac->avail];
        } else {
            objp = cache_alloc_refill(c, ac, gfp);
        }
        arch_local_irq_restore(flags);
        if (objp == MM_NIL)
            return NULL;
        /* a damaged object (reported) is left out, in use for ever */
        if (!(c->flags & SLAB_DEBUG_FLAGS) || slab_debug_alloc(c, objp, caller))
            break;
    }
    obj = slab_virt(objp + c->obj_offset);
    if (gfp & __GFP_ZERO)
        __builtin_memset(obj, 0, c->object_size);
    return obj;
}

/* Gives n objects (buffer phys) back to their slabs: a slab left empty
 * goes to the free list, or back to the page allocator when the cache
 * already has more than free_limit free objects; others go to the tail of
 * the partial list.  Takes c->lock; destroys slabs after dropping it. */
static void free_block(struct kmem_cache *c, const uint32_t *objs, uint32_t n)
{
    uint32_t doomed = MM_NIL, i;
    unsigned long flags = arch_spin_lock_irqsave(&c->lock);

    for (i = 0; i < n; i++) {
        uint32_t sphys = pfn_to_page(objs[i] >> PAGE_SHIFT)->lru.next;
        struct slab *s = slab_desc(sphys);

        slab_list_del(c, sphys);
        slab_put_obj(c, s, objs[i]);
        c->free_objects++;
        if (s->inuse == 0 && c->free_objects > c->free_limit) {
            c->free_objects -= c->num;
            c->nr_slabs--;
            s->next = doomed;              /* a private chain, off every list */
            doomed = sphys;
        } else {
            slab_list_add(c, sphys, s->inuse ? SLAB_ON_PARTIAL : SLAB_ON_FREE, s->inuse != 0);
        }
    }
    arch_spin_unlock_irqrestore(&c->lock, flags);
    while (doomed != MM_NIL) {
        uint32_t next = slab_desc(doomed)->next;
        slab_destroy(c, doomed);
        doomed = next;
    }
}

/* A full array: its oldest batchcount objects go back to their slabs. */
static void cache_flusharray(struct kmem_cache *c, struct array_cache *ac)
{
    uint32_t n = ac->batchcount < ac->avail ? ac->batchcount : ac->avail, i;

    free_block(c, ac->entry, n);
    ac->avail -= n;
    for (i = 0; i < ac->avail; i++)
        ac->entry[i] = ac->entry[i + n];
}

void slab_free(struct kmem_cache *c, const void *obj, uint32_t caller)
{
    uint32_t objp = slab_check_free(c, obj, caller);
    unsigned long flags;
    struct array_cache *ac;

    if (objp == MM_NIL)
        return;
    flags = arch_local_irq_save();
    ac = cpu_array(c, arch_cpu_id());
    if (MM_UNLIKELY(ac->avail >= ac->limit))
        cache_flusharray(c, ac);
    ac->entry[ac->avail++] = objp;
    arch_local_irq_restore(flags);
}

/* Runs on each CPU: empties that CPU's array of the cache in arg. */
static void drain_this_cpu(void *arg)
{
    struct kmem_cache *c = arg;
    unsigned cpu = arch_cpu_id();
    unsigned long flags;
    struct array_cache *ac;

    if (cpu >= c->nr_cpus)
        return;
    flags = arch_local_irq_save();
    ac = cpu_array(c, cpu);
    free_block(c, ac->entry, ac->avail);
    ac->avail = 0;
    arch_local_irq_restore(flags);
}

void cache_drain_arrays(struct kmem_cache *c)
{
    arch_on_each_cpu(drain_this_cpu, c);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
    return slab_alloc(cache, gfp, SLAB_RET_IP());
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
    if (obj)
        slab_free(cache, obj, SLAB_RET_IP());
}
