/* mm/slab_grow.c - slabs: their lists, objects in and out of a slab,
 * growing a cache by one slab and giving a slab's pages back. */
#include "internal.h"
#include "slab_internal.h"
#include "trace.h"

/* The page-allocator flags a slab allocation keeps from the caller's: how
 * hard to try, not where (the cache decides: __GFP_DMA, __GFP_RECLAIMABLE). */
#define SLAB_GFP_PASS (__GFP_WAIT | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_REPEAT | \
                       __GFP_NOFAIL | __GFP_NORETRY | __GFP_NOMEMALLOC | __GFP_HARDWALL | __GFP_THISNODE)

/* ---- lists --------------------------------------------------------------------------- */

static struct slab_list *cache_list(struct kmem_cache *c, unsigned which)
{
    MM_BUG_ON(which > SLAB_ON_FREE);
    return which == SLAB_ON_FULL ? &c->slabs_full : which == SLAB_ON_PARTIAL ? &c->slabs_partial
                                                                              : &c->slabs_free;
}

void slab_list_init(struct slab_list *l) { l->first = l->last = MM_NIL; }

void slab_list_add(struct kmem_cache *c, uint32_t sphys, unsigned which, bool tail)
{
    struct slab_list *l = cache_list(c, which);
    struct slab *s = slab_desc(sphys);

    s->list = (uint16_t)which;
    if (tail) {
        s->next = MM_NIL;
        s->prev = l->last;
        if (l->last != MM_NIL)
            slab_desc(l->last)->next = sphys;
        else
            l->first = sphys;
        l->last = sphys;
    } else {
        s->prev = MM_NIL;
        s->next = l->first;
        if (l->first != MM_NIL)
            slab_desc(l->first)->prev = sphys;
        else
            l->last = sphys;
        l->first = sphys;
    }
}

void slab_list_del(struct kmem_cache *c, uint32_t sphys)
{
    struct slab *s = slab_desc(sphys);
    struct slab_list *l = cache_list(c, s->list);

    if (s->prev != MM_NIL)
        slab_desc(s->prev)->next = s->next;
    else
        l->first = s->next;
    if (s->next != MM_NIL)
        slab_desc(s->next)->prev = s->prev;
    else
        l->last = s->prev;
    s->next = s->prev = MM_NIL;
    s->list = SLAB_ON_NONE;
}

/* ---- objects in a slab ------------------------------------------------------------------ */

uint32_t slab_get_obj(struct kmem_cache *c, struct slab *s)
{
    uint32_t idx = s->free;

    MM_BUG_ON(idx >= c->num);
    s->free = slab_bufctl(s)[idx];
    s->inuse++;
    return s->s_mem + idx * c->buffer_size;
}

void slab_put_obj(struct kmem_cache *c, struct slab *s, uint32_t objp)
{
    uint32_t idx = (objp - s->s_mem) / c->buffer_size;

    MM_BUG_ON(idx >= c->num || s->inuse == 0);
    slab_bufctl(s)[idx] = s->free;
    s->free = idx;
    s->inuse--;
}

bool slab_lookup(const void *addr, struct kmem_cache **cache, uint32_t *sphys)
{
    const struct page *page = virt_to_page(addr);
    uint32_t id = page->mapping - 1;

    if (!page_flag(page, PG_slab) || id >= SLAB_MAX_CACHES || !kmem_caches[id].active)
        return false;
    *cache = &kmem_caches[id];
    *sphys = page->lru.next;
    return true;
}

/* ---- growing and shrinking ------------------------------------------------------------ */

/* Marks the 2^order pages of a new slab as c's (or, with c NULL, as
 * nobody's again) and counts them in the zone's NR_SLAB_* counter. */
static void slab_mark_pages(struct kmem_cache *c, struct page *page, unsigned order,
                            uint32_t sphys, bool reclaimable)
{
    uint32_t i, n = 1u << order, first = page_to_pfn(page);

    for (i = 0; i < n; i++) {
        struct page *p = page + i;
        if (c) {
            set_page_flag(p, PG_slab);
            p->mapping = c->id + 1;
            p->index = first;
            p->lru.next = sphys;
        } else {
            clear_page_flag(p, PG_slab);
            p->mapping = 0;
            p->index = 0;
            p->lru.next = MM_NIL;
        }
        p->lru.prev = MM_NIL;
    }
    mod_zone_page_state(page_zone(page), reclaimable ? NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE,
                        c ? (int32_t)n : -(int32_t)n);
}

/* Fills a new slab's descriptor and free-index chain (0, 1, .., num - 1)
 * and prepares each object: debug words and poison, else the ctor. */
static void slab_init_objs(struct kmem_cache *c, struct slab *s, uint32_t colouroff, uint32_t base,
                           unsigned nid)
{
    void (*ctor)(void *) = slab_ctors[c->id];
    uint32_t *bufctl = slab_bufctl(s), i;

    s->next = s->prev = MM_NIL;
    s->colouroff = colouroff;
    s->s_mem = base + colouroff;
    s->inuse = 0;
    s->free = 0;
    s->nodeid = (uint16_t)nid;
    s->list = SLAB_ON_NONE;
    for (i = 0; i < c->num; i++) {
        uint32_t objp = s->s_mem + i * c->buffer_size;
        if (c->flags & SLAB_DEBUG_FLAGS)
            slab_debug_init_obj(c, objp);
        if (ctor && !(c->flags & SLAB_POISON))
            ctor(slab_virt(objp + c->obj_offset));
        bufctl[i] = i + 1 < c->num ? i + 1 : BUFCTL_END;
    }
}

/* The colour offset of the next slab (Linux's colour_next cycle). */
static uint32_t next_colour_offset(struct kmem_cache *c)
{
    unsigned long flags = arch_spin_lock_irqsave(&c->lock);
    uint32_t offset = c->colour_next;

    if (++c->colour_next >= c->colour)
        c->colour_next = 0;
    arch_spin_unlock_irqrestore(&c->lock, flags);
    return offset * c->colour_off;
}

bool cache_grow(struct kmem_cache *c, gfp_t gfp)
{
    uint32_t offset = next_colour_offset(c), base, sphys;
    struct page *page = alloc_pages_node(-1, (gfp & SLAB_GFP_PASS) | c->gfpflags, c->gfporder);
    unsigned long flags;

    if (!page)
        return false;
    base = page_to_pfn(page) << PAGE_SHIFT;
    if (cache_off_slab(c)) {
        void *d = slab_alloc(cache_by_id(c->slabp_cache), gfp & SLAB_GFP_PASS, 0);
        if (!d) {
            __free_pages(page, c->gfporder);
            return false;
        }
        sphys = slab_phys(d);
    } else {
        sphys = base + offset;
        offset += c->slab_size;
    }
    slab_init_objs(c, slab_desc(sphys), offset, base, page_to_nid(page));
    slab_mark_pages(c, page, c->gfporder, sphys, c->flags & SLAB_RECLAIM_ACCOUNT);
    flags = arch_spin_lock_irqsave(&c->lock);
    slab_list_add(c, sphys, SLAB_ON_FREE, true);
    c->free_objects += c->num;
    c->nr_slabs++;
    arch_spin_unlock_irqrestore(&c->lock, flags);
    MM_TRACE(mm_trace_slab(TRACE_EV_SLAB_GROW, c, page));
    return true;
}

void slab_destroy(struct kmem_cache *c, uint32_t sphys)
{
    struct slab *s = slab_desc(sphys);
    uint32_t base = s->s_mem - s->colouroff;
    struct page *page = pfn_to_page(base >> PAGE_SHIFT);

    MM_BUG_ON(s->inuse != 0 || s->list != SLAB_ON_NONE);
    MM_TRACE(mm_trace_slab(TRACE_EV_SLAB_SHRINK, c, page));
    slab_mark_pages(NULL, page, c->gfporder, MM_NIL, c->flags & SLAB_RECLAIM_ACCOUNT);
    __free_pages(page, c->gfporder);
    if (cache_off_slab(c))
        slab_free(cache_by_id(c->slabp_cache), s, 0);
}

uint32_t cache_drain_freelist(struct kmem_cache *c)
{
    uint32_t n = 0, sphys;
    unsigned long flags;

    for (;;) {
        flags = arch_spin_lock_irqsave(&c->lock);
        sphys = c->slabs_free.first;
        if (sphys != MM_NIL) {
            slab_list_del(c, sphys);
            c->free_objects -= c->num;
            c->nr_slabs--;
        }
        arch_spin_unlock_irqrestore(&c->lock, flags);
        if (sphys == MM_NIL)
            return n;
        slab_destroy(c, sphys);
        n++;
    }
}
