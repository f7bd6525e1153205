/* mm/slab.h - the slab allocator (SLAB design) and kmalloc. */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "mm.h"

/* Cache flags (Linux's values). */
#define SLAB_RED_ZONE        0x00000400u   /* guard words around each object (debug) */
#define SLAB_POISON          0x00000800u   /* fill free objects with a pattern (debug) */
#define SLAB_HWCACHE_ALIGN   0x00002000u   /* align objects to the cache line */
#define SLAB_CACHE_DMA       0x00004000u   /* slabs from ZONE_DMA */
#define SLAB_STORE_USER      0x00010000u   /* remember the last caller (debug) */
#define SLAB_RECLAIM_ACCOUNT 0x00020000u   /* reclaimable: __GFP_RECLAIMABLE slabs */

#define KMALLOC_MIN_SIZE     8u
#define KMALLOC_MAX_CACHE_SIZE (128u << 10)   /* larger kmallocs go to the page allocator */

struct kmem_cache;

/* Creates a cache of objects of size bytes aligned to align (0: word), or
 * NULL.  ctor, if given, runs on each object when its slab is created. */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
                                     unsigned long flags, void (*ctor)(void *obj));
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Drains the per-CPU arrays and frees empty slabs; returns 1 if objects remain. */
int kmem_cache_shrink(struct kmem_cache *cache);
/* Destroys an empty cache and returns 0; with live objects it refuses, prints
 * a report naming the cache and the count, and returns -1. */
int kmem_cache_destroy(struct kmem_cache *cache);

/* Frees the empty slabs of every cache, newest first (so off-slab
 * descriptors freed by big caches are given back by the small ones after). */
void kmem_cache_shrink_all(void);

/* kmalloc(0) returns ZERO_SIZE_PTR (as Linux): not NULL, never usable;
 * kfree and ksize accept it. */
#define ZERO_SIZE_PTR ((void *)16)

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *obj);
/* The usable size of a kmalloc'd object (its size class). */
size_t ksize(const void *obj);

/* Sets up the caches' cache and the kmalloc caches; after mm_init. */
void kmem_cache_init(void);

/* Debugging (boot option slab_debug): red zones, poisoning and last-user
 * tracking on every cache created afterwards; reports name the cache, the
 * object and the caller, and leave the allocator intact. */
extern bool slab_debug;
extern uint32_t slab_errors;                   /* reports printed so far */

void mm_report_slabinfo(struct mm_seq *s);     /* /proc/slabinfo, version 2.1 */

#endif
