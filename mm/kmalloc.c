/* mm/kmalloc.c - kmalloc: size classes served by the caches size-8 ..
 * size-131072 (Linux 2.6's names; GFP_DMA requests by size-N(DMA)), larger
 * requests straight from the page allocator. */
#include "internal.h"
#include "slab_internal.h"

#define NR_KMALLOC 17
static const uint32_t kmalloc_sizes[NR_KMALLOC] = {
    8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
};

/* Cache id + 1 of each class, [0] normal, [1] DMA; 0 before the cache exists. */
static uint32_t kmalloc_ids[2][NR_KMALLOC];

/* The class of size bytes (1 .. KMALLOC_MAX_CACHE_SIZE): the smallest that holds it. */
static unsigned kmalloc_index(uint32_t size)
{
    unsigned idx;

    if (size <= 192)
        return size <= 8 ? 0 : size <= 16 ? 1 : size <= 32 ? 2 : size <= 64 ? 3 : size <= 96 ? 4
             : size <= 128 ? 5 : 6;
    for (idx = 7; kmalloc_sizes[idx] < size; idx++)
        ;
    return idx;
}

struct kmem_cache *kmalloc_cache(size_t size, gfp_t gfp)
{
    uint32_t id;

    if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE)
        return NULL;
    id = kmalloc_ids[(gfp & __GFP_DMA) ? 1 : 0][kmalloc_index((uint32_t)size)];
    return id ? cache_by_id(id - 1) : NULL;
}

/* Writes "size-N" or "size-N(DMA)". */
static void kmalloc_name(char *buf, uint32_t size, bool dma)
{
    char digits[12];
    unsigned n = 0, i = 0;

    do {
        digits[n++] = (char)('0' + size % 10);
        size /= 10;
    } while (size);
    for (const char *p = "size-"; *p; p++)
        buf[i++] = *p;
    while (n)
        buf[i++] = digits[--n];
    for (const char *p = dma ? "(DMA)" : ""; *p; p++)
        buf[i++] = *p;
    buf[i] = '\0';
}

void kmalloc_caches_init(void)
{
    char name[SLAB_NAME_LEN];
    unsigned i, dma;

    __builtin_memset(kmalloc_ids, 0, sizeof(kmalloc_ids));
    for (i = 0; i < NR_KMALLOC; i++)
        for (dma = 0; dma < 2; dma++) {
            struct kmem_cache *c;
            kmalloc_name(name, kmalloc_sizes[i], dma);
            c = kmem_cache_create(name, kmalloc_sizes[i], 0,
                                  SLAB_HWCACHE_ALIGN | (dma ? SLAB_CACHE_DMA : 0), NULL);
            MM_BUG_ON(c == NULL);
            kmalloc_ids[dma][i] = c->id + 1;
        }
}

/* A kmalloc above the largest class: whole pages (lowmem), the order kept
 * in the head page by the page allocator. */
static void *kmalloc_large(size_t size, gfp_t gfp)
{
    unsigned order = 0;

    while (order < MAX_ORDER && ((size_t)PAGE_SIZE << order) < size)
        order++;
    if (order >= MAX_ORDER)
        return NULL;
    return (void *)__get_free_pages(gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE), order);
}

void *__kmalloc(size_t size, gfp_t gfp, uint32_t caller)
{
    struct kmem_cache *c;

    if (size == 0)
        return ZERO_SIZE_PTR;
    if (size > KMALLOC_MAX_CACHE_SIZE)
        return kmalloc_large(size, gfp);
    c = kmalloc_cache(size, gfp);
    MM_BUG_ON(c == NULL);                  /* before kmem_cache_init */
    return slab_alloc(c, gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE), caller);
}

/* The order of a block kfree takes for a large kmalloc (PG_head: private). */
static unsigned large_order(const struct page *page)
{
    return page_flag(page, PG_head) ? page_order(page) : 0;
}

void __kfree(const void *obj, uint32_t caller)
{
    struct page *page;

    if (!obj || obj == ZERO_SIZE_PTR)
        return;
    page = virt_to_page(obj);
    if (page_flag(page, PG_slab)) {
        slab_free(cache_by_id(page->mapping - 1), obj, caller);
        return;
    }
    if ((slab_phys(obj) & ~PAGE_MASK) || page_count(page) < 1 || page_flag(page, PG_buddy)) {
        char by[64];
        slab_format_caller(by, sizeof(by), caller);
        slab_report(NULL, "free of 0x%08x by %s: not a kmalloc object", slab_kaddr(slab_phys(obj)), by);
        return;
    }
    __free_pages(page, large_order(page));
}

void *kmalloc(size_t size, gfp_t gfp) { return __kmalloc(size, gfp, SLAB_RET_IP()); }
void *kzalloc(size_t size, gfp_t gfp) { return __kmalloc(size, gfp | __GFP_ZERO, SLAB_RET_IP()); }
void kfree(const void *obj) { __kfree(obj, SLAB_RET_IP()); }

size_t ksize(const void *obj)
{
    const struct page *page;

    if (!obj || obj == ZERO_SIZE_PTR)
        return 0;
    page = virt_to_page(obj);
    if (page_flag(page, PG_slab))
        return cache_by_id(page->mapping - 1)->object_size;
    return (size_t)PAGE_SIZE << large_order(page);
}
