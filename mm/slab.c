/* mm/slab.c - caches: creation (object layout, objects per slab, gfporder,
 * colours, per-CPU tunables, following Linux 2.6's SLAB rules), destroy,
 * shrink and kmem_cache_init.  The descriptors are a static table; see
 * slab_internal.h for the layout and docs/mm.md, "Slab allocator and
 * kmalloc", for the numbers. */
#include "internal.h"
#include "slab_internal.h"

struct kmem_cache kmem_caches[SLAB_MAX_CACHES];
void (*slab_ctors[SLAB_MAX_CACHES])(void *obj);
uint32_t slab_break_gfp_order;
arch_spinlock_t slab_chain_lock;
bool slab_debug;
uint32_t slab_errors;

static uint32_t slab_seq;          /* last creation number (slab_chain_lock) */
static bool slab_bootstrap;        /* kmem_cache_init running: arrays come from pages */

static inline uint32_t round_up(uint32_t x, uint32_t a) { return (x + a - 1) & ~(a - 1); }

/* Index of the highest set bit, 1-based (Linux's fls); 0 for 0. */
static unsigned fls32(uint32_t x) { return x ? 32u - (unsigned)__builtin_clz(x) : 0; }

/* Bytes of an on-slab descriptor with num free-index words, aligned. */
static uint32_t slab_mgmt_size(uint32_t num, uint32_t align)
{
    return round_up(SLAB_MGMT_SIZE + num * SLAB_BUFCTL_SIZE, align);
}

/* See slab_internal.h (Linux's cache_estimate). */
uint32_t slab_estimate(unsigned order, uint32_t buffer_size, uint32_t align, bool off_slab,
                       uint32_t *left_over)
{
    uint32_t bytes = PAGE_SIZE << order, num, mgmt = 0;

    if (off_slab) {
        num = bytes / buffer_size;
    } else {
        num = (bytes - SLAB_MGMT_SIZE) / (buffer_size + SLAB_BUFCTL_SIZE);
        if (num && slab_mgmt_size(num, align) + num * buffer_size > bytes)
            num--;
        mgmt = slab_mgmt_size(num, align);
    }
    *left_over = bytes - num * buffer_size - mgmt;
    return num;
}

/* Linux's calculate_slab_order: the smallest order holding an object whose
 * waste is at most 1/8 of the slab, stopping at slab_break_gfp_order, at
 * the first fit for reclaimable caches, and (off-slab) before the
 * descriptor would outgrow an object.  Sets num and gfporder (num 0: none
 * fits); returns the left-over bytes. */
static uint32_t calculate_slab_order(struct kmem_cache *c, uint32_t size, uint32_t align, uint32_t flags)
{
    uint32_t left_over = 0, num, rem;
    unsigned order;

    c->num = 0;
    for (order = 0; order < MAX_ORDER; order++) {
        num = slab_estimate(order, size, align, flags & CFLGS_OFF_SLAB, &rem);
        if (!num)
            continue;
        if ((flags & CFLGS_OFF_SLAB) && num > (size - SLAB_MGMT_SIZE) / SLAB_BUFCTL_SIZE)
            break;
        c->num = num;
        c->gfporder = order;
        left_over = rem;
        if (flags & SLAB_RECLAIM_ACCOUNT)
            break;
        if (order >= slab_break_gfp_order)
            break;
        if (left_over * 8 <= (PAGE_SIZE << order))
            break;
    }
    return left_over;
}

/* The debug flags a new cache gets: the caller's, plus with slab_debug
 * poisoning everywhere and red zones + last user where they do not push
 * the size past a power of two (Linux's rule, with our 12 debug bytes). */
static uint32_t cache_debug_flags(uint32_t flags, uint32_t size)
{
    if (slab_debug) {
        if (size < 4096 || fls32(size - 1) == fls32(size - 1 + 12))
            flags |= SLAB_RED_ZONE | SLAB_STORE_USER;
        flags |= SLAB_POISON;
    }
    return flags;
}

/* The alignment of buffers (Linux's ralign): the cache line halved while
 * the object fits twice for HWCACHE_ALIGN, else a word; a word whenever
 * debug words are kept; at least align.  Debug words (4-byte red zones)
 * are dropped for alignments above a word. */
static uint32_t cache_alignment(uint32_t *flags, uint32_t size, uint32_t align)
{
    uint32_t ralign = 4;

    if (*flags & SLAB_HWCACHE_ALIGN) {
        ralign = SLAB_CACHE_LINE;
        while (size <= ralign / 2)
            ralign /= 2;
    }
    if (*flags & (SLAB_RED_ZONE | SLAB_STORE_USER))
        ralign = 4;
    if (ralign < align)
        ralign = align;
    if (ralign > 4)
        *flags &= ~(SLAB_RED_ZONE | SLAB_STORE_USER);
    return ralign;
}

/* Lays out objects and slabs of c for an object of size bytes: buffer
 * size, num, gfporder, descriptor place, colours.  false if no slab of
 * order < MAX_ORDER holds one object. */
static bool cache_layout(struct kmem_cache *c, uint32_t size, uint32_t align, uint32_t flags)
{
    uint32_t left_over;

    size = round_up(size, 4);
    flags = cache_debug_flags(flags, size);
    align = cache_alignment(&flags, size, align);
    c->object_size = size;
    c->obj_offset = (flags & SLAB_RED_ZONE) ? 4 : 0;
    size += (flags & SLAB_RED_ZONE) ? 8 : 0;
    size += (flags & SLAB_STORE_USER) ? 4 : 0;
    size = round_up(size, align);
    if (size >= PAGE_SIZE / 8)
        flags |= CFLGS_OFF_SLAB;
    left_over = calculate_slab_order(c, size, align, flags);
    if (!c->num)
        return false;
    c->slab_size = slab_mgmt_size(c->num, align);
    if ((flags & CFLGS_OFF_SLAB) && left_over >= c->slab_size) {
        flags &= ~CFLGS_OFF_SLAB;          /* room enough: keep it on the slab */
        left_over -= c->slab_size;
    }
    if (flags & CFLGS_OFF_SLAB)
        c->slab_size = SLAB_MGMT_SIZE + c->num * SLAB_BUFCTL_SIZE;
    c->colour_off = align > SLAB_CACHE_LINE ? align : SLAB_CACHE_LINE;
    c->colour = left_over / c->colour_off;
    c->left_over = left_over;
    c->buffer_size = size;
    c->align = align;
    c->flags = flags;
    c->gfpflags = ((flags & SLAB_CACHE_DMA) ? __GFP_DMA : 0) |
                  ((flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0);
    return true;
}

/* Linux's enable_cpucache: the array limit by buffer size (at most 32 for
 * debugged caches, as with CONFIG_DEBUG_SLAB), batchcount half of it, no
 * shared arrays; and the free-slab limit of free_block. */
static void cache_tunables(struct kmem_cache *c)
{
    uint32_t b = c->buffer_size, limit;

    limit = b > 131072 ? 1 : b > PAGE_SIZE ? 8 : b > 1024 ? 24 : b > 256 ? 54 : 120;
    if ((c->flags & SLAB_DEBUG_FLAGS) && limit > 32)
        limit = 32;
    c->limit = limit;
    c->batchcount = (limit + 1) / 2;
    c->shared = 0;
    c->nr_cpus = arch_nr_cpus();
    c->free_limit = (1 + c->nr_cpus) * c->batchcount + c->num;
    c->array_stride = ARRAY_HEADER_SIZE + limit * 4;
}

/* The smallest order of pages holding bytes. */
static unsigned bytes_order(uint32_t bytes)
{
    unsigned order = 0;

    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

/* Allocates and empties c's per-CPU arrays: from the page allocator while
 * kmem_cache_init runs (kmalloc is not there yet), else one kmalloc
 * object.  false if no memory. */
static bool cache_alloc_arrays(struct kmem_cache *c)
{
    uint32_t bytes = c->nr_cpus * c->array_stride, cpu;
    void *block;

    if (slab_bootstrap) {
        c->array_order = bytes_order(bytes);
        block = (void *)__get_free_pages(GFP_KERNEL, c->array_order);
    } else {
        c->array_order = ARRAY_FROM_KMALLOC;
        block = __kmalloc(bytes, GFP_KERNEL, 0);
    }
    if (!block)
        return false;
    c->array_phys = slab_phys(block);
    for (cpu = 0; cpu < c->nr_cpus; cpu++) {
        struct array_cache *ac = cpu_array(c, cpu);
        ac->avail = 0;
        ac->limit = c->limit;
        ac->batchcount = c->batchcount;
        ac->touched = 0;
    }
    return true;
}

/* Gives c's arrays back (they must be empty). */
static void cache_free_arrays(struct kmem_cache *c)
{
    void *block = slab_virt(c->array_phys);

    if (c->array_order == ARRAY_FROM_KMALLOC)
        __kfree(block, 0);
    else
        free_pages((unsigned long)block, c->array_order);
    c->array_phys = 0;
}

/* Takes a free slot of the table (active, a creation number); NULL if full. */
static struct kmem_cache *cache_slot_get(void)
{
    unsigned long flags = arch_spin_lock_irqsave(&slab_chain_lock);
    struct kmem_cache *c = NULL;
    uint32_t i;

    for (i = 0; i < SLAB_MAX_CACHES && !c; i++)
        if (!kmem_caches[i].active)
            c = &kmem_caches[i];
    if (c) {
        __builtin_memset(c, 0, sizeof(*c));
        c->id = (uint32_t)(c - kmem_caches);
        c->active = 1;
        c->seq = ++slab_seq;
    }
    arch_spin_unlock_irqrestore(&slab_chain_lock, flags);
    return c;
}

static void cache_slot_put(struct kmem_cache *c)
{
    unsigned long flags = arch_spin_lock_irqsave(&slab_chain_lock);

    slab_ctors[c->id] = NULL;
    c->active = 0;
    arch_spin_unlock_irqrestore(&slab_chain_lock, flags);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
                                     unsigned long flags, void (*ctor)(void *obj))
{
    struct kmem_cache *c;
    uint32_t i;

    if (!name || size == 0 || size > (PAGE_SIZE << (MAX_ORDER - 1)) || (align & (align - 1)))
        return NULL;
    c = cache_slot_get();
    if (!c)
        return NULL;
    for (i = 0; name[i] && i < SLAB_NAME_LEN - 1; i++)
        c->name[i] = name[i];
    slab_list_init(&c->slabs_full);
    slab_list_init(&c->slabs_partial);
    slab_list_init(&c->slabs_free);
    c->slabp_cache = SLAB_NO_CACHE;
    if (!cache_layout(c, (uint32_t)size, (uint32_t)align, (uint32_t)flags & ~CFLGS_OFF_SLAB))
        goto fail;
    if (cache_off_slab(c)) {
        struct kmem_cache *mgmt = kmalloc_cache(c->slab_size, 0);
        if (!mgmt)
            goto fail;
        c->slabp_cache = mgmt->id;
    }
    cache_tunables(c);
    if (!cache_alloc_arrays(c))
        goto fail;
    slab_ctors[c->id] = ctor;
    return c;
fail:
    cache_slot_put(c);
    return NULL;
}

/* Objects handed out (in arrays or to callers) in c's slabs.  Takes c->lock. */
static uint32_t cache_objects_in_use(struct kmem_cache *c)
{
    unsigned long flags = arch_spin_lock_irqsave(&c->lock);
    uint32_t n = c->nr_slabs * c->num - c->free_objects;

    arch_spin_unlock_irqrestore(&c->lock, flags);
    return n;
}

int kmem_cache_shrink(struct kmem_cache *cache)
{
    if (!cache || !cache->active)
        return 0;
    cache_drain_arrays(cache);
    cache_drain_freelist(cache);
    return cache_objects_in_use(cache) != 0;
}

void kmem_cache_shrink_all(void)
{
    uint32_t below = 0xffffffffu, i, best;

    for (;;) {                      /* newest first: by decreasing creation number */
        best = SLAB_MAX_CACHES;
        for (i = 0; i < SLAB_MAX_CACHES; i++)
            if (kmem_caches[i].active && kmem_caches[i].seq < below &&
                (best == SLAB_MAX_CACHES || kmem_caches[i].seq > kmem_caches[best].seq))
                best = i;
        if (best == SLAB_MAX_CACHES)
            return;
        below = kmem_caches[best].seq;
        kmem_cache_shrink(&kmem_caches[best]);
    }
}

int kmem_cache_destroy(struct kmem_cache *cache)
{
    uint32_t in_use;

    if (!cache || !cache->active)
        return -1;
    kmem_cache_shrink(cache);
    in_use = cache_objects_in_use(cache);
    if (in_use) {
        slab_report(cache, "kmem_cache_destroy refused, %u objects in use", in_use);
        return -1;
    }
    cache_free_arrays(cache);
    cache_slot_put(cache);
    return 0;
}

/* Moves a boot cache's arrays from their pages into a kmalloc object (done
 * once kmalloc works; contents copied with interrupts off). */
static void cache_move_arrays(struct kmem_cache *c)
{
    uint32_t bytes = c->nr_cpus * c->array_stride, old = c->array_phys, order = c->array_order;
    void *block = __kmalloc(bytes, GFP_KERNEL, 0);
    unsigned long flags;

    if (!block)
        return;                     /* keep the pages */
    flags = arch_local_irq_save();
    __builtin_memcpy(block, slab_virt(old), bytes);
    c->array_phys = slab_phys(block);
    c->array_order = ARRAY_FROM_KMALLOC;
    arch_local_irq_restore(flags);
    free_pages((unsigned long)slab_virt(old), order);
}

/* Pages given to the buddy allocator at boot, every zone (totalram_pages). */
static uint32_t total_ram_pages(void)
{
    struct zone *z;
    uint32_t n = 0;

    for_each_populated_zone(z)
        n += z->managed_pages;
    return n;
}

void kmem_cache_init(void)
{
    uint32_t i;

    __builtin_memset(kmem_caches, 0, sizeof(kmem_caches));
    __builtin_memset(slab_ctors, 0, sizeof(slab_ctors));
    slab_chain_lock.word = 0;
    slab_seq = 0;
    slab_errors = 0;
    slab_break_gfp_order = total_ram_pages() > ((32u << 20) >> PAGE_SHIFT) ? 1 : 0;
    slab_bootstrap = true;
    kmalloc_caches_init();
    slab_bootstrap = false;
    for (i = 0; i < SLAB_MAX_CACHES; i++)
        if (kmem_caches[i].active && kmem_caches[i].array_order != ARRAY_FROM_KMALLOC)
            cache_move_arrays(&kmem_caches[i]);
}
