/* mm/slab_internal.h - what the slab allocator's files share: the cache
 * descriptor table, the slab descriptor, the per-CPU arrays, and the
 * functions each file offers the others.
 *
 *   slab.c        cache creation (sizes, gfporder, colours, tunables),
 *                 destroy, shrink, kmem_cache_init, the descriptor table
 *   slab_grow.c   slab pages: growing a cache by one slab, destroying a
 *                 slab, objects in and out of a slab, the slab lists
 *   slab_cpu.c    the per-CPU arrays: allocation and free paths, refill,
 *                 flush, drains
 *   slab_debug.c  red zones, poisoning, last-user words, the error reports
 *   slab_report.c /proc/slabinfo
 *   kmalloc.c     the size classes, kmalloc/kfree/ksize, large kmallocs
 *
 * Layout rule (mm_types.h): every structure here is fixed-width with no
 * pointers.  Slabs, their descriptors and the per-CPU arrays live in guest
 * lowmem and are named by 32-bit physical addresses; objects in arrays and
 * lists are physical addresses too.  The cache descriptors are a static
 * table (kmem_caches[]); the only pointers (constructors) are kept in a
 * separate array, slab_ctors[].
 *
 * Slab pages: every page has PG_slab, mapping = cache id + 1, index = the
 * pfn of the slab's first page and lru.next = the physical address of the
 * slab's descriptor (lru.prev = MM_NIL).  The first page keeps PG_head and
 * private = order from the page allocator.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "slab.h"
#include "vm_layout.h"

#define SLAB_MAX_CACHES    64
#define SLAB_NAME_LEN      24          /* "size-131072(DMA)" is 16 characters */
#define SLAB_CACHE_LINE    32u         /* cache_line_size(): colour step, HWCACHE_ALIGN */
#define SLAB_MGMT_SIZE     28u         /* sizeof(struct slab), Linux i386's too */
#define SLAB_BUFCTL_SIZE   4u          /* kmem_bufctl_t */
#define BUFCTL_END         0xffffffffu /* end of a slab's free-index chain */
#define SLAB_NO_CACHE      0xffffffffu
#define CFLGS_OFF_SLAB     0x80000000u /* descriptor kept off the slab (Linux's value) */
#define SLAB_DEBUG_FLAGS   (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define BATCHREFILL_LIMIT  16u         /* refill of an array not used since created */
#define ARRAY_FROM_KMALLOC 0xffffffffu /* kmem_cache.array_order: arrays are a kmalloc object */

/* Debug patterns: red-zone words (Linux's RED_INACTIVE/RED_ACTIVE, high
 * words of the 64-bit values) and poison bytes (Linux's POISON_*). */
#define RED_INACTIVE  0x09F91102u
#define RED_ACTIVE    0xD84156C5u
#define POISON_INUSE  0x5a
#define POISON_FREE   0x6b
#define POISON_END    0xa5

/* A list of slabs, linked through their descriptors (physical addresses).
 * Invariant: first == MM_NIL iff last == MM_NIL iff empty. */
struct slab_list {
    uint32_t first;
    uint32_t last;
};

/* Which list of its cache a slab is on (struct slab.list). */
enum { SLAB_ON_FULL, SLAB_ON_PARTIAL, SLAB_ON_FREE, SLAB_ON_NONE };

/* One slab's descriptor, at the slab's colour offset (on-slab) or in a
 * kmalloc object (off-slab), followed by num 32-bit free-index words
 * (bufctl[i] = the free object after i, BUFCTL_END at the end).  All
 * fields are guarded by the cache's lock.  28 bytes in both builds. */
struct slab {
    uint32_t next, prev;   /* neighbours on the cache's list (descriptor phys), MM_NIL at the ends */
    uint32_t colouroff;    /* bytes from the slab's start to object 0 */
    uint32_t s_mem;        /* physical address of object 0 (its buffer, red zone included) */
    uint32_t inuse;        /* objects handed out (in arrays or to callers); 0 .. num */
    uint32_t free;         /* index of the first free object, BUFCTL_END if none */
    uint16_t nodeid;       /* node of the slab's pages */
    uint16_t list;         /* SLAB_ON_*: full iff inuse == num, free iff inuse == 0 */
};

/* One CPU's stack of free objects (buffer physical addresses).  Touched
 * only by its CPU with interrupts off, or by a drain running on that CPU.
 * Invariant: avail <= limit. */
struct array_cache {
    uint32_t avail;        /* objects on the stack; entry[avail - 1] is the next one handed out */
    uint32_t limit;        /* a free with avail == limit flushes batchcount objects first */
    uint32_t batchcount;   /* objects moved per refill and per flush */
    uint32_t touched;      /* 1 once an object was taken (refill limit, see BATCHREFILL_LIMIT) */
    uint32_t entry[];
};
#define ARRAY_HEADER_SIZE 16u

_Static_assert(sizeof(struct slab) == SLAB_MGMT_SIZE, "struct slab is 28 bytes in both builds");
_Static_assert(sizeof(struct array_cache) == ARRAY_HEADER_SIZE, "array_cache header is 16 bytes");

/* A cache.  The fields above `lock` are set when the cache is created and
 * only read afterwards (no lock); the fields below it are guarded by it. */
struct kmem_cache {
    char name[SLAB_NAME_LEN];   /* NUL-terminated */
    uint32_t id;                /* index in kmem_caches[] */
    uint32_t active;            /* 1 while the slot holds a cache */
    uint32_t seq;               /* creation number: slabinfo lists the highest first */
    uint32_t flags;             /* SLAB_* as asked, debug flags as applied, CFLGS_OFF_SLAB */
    uint32_t object_size;       /* the caller's size rounded up to a word (ksize) */
    uint32_t buffer_size;       /* stride between objects: object, red zones, user word, alignment */
    uint32_t obj_offset;        /* object's offset in its buffer: 4 with red zones, else 0 */
    uint32_t align;             /* alignment of buffers (and colour steps) */
    uint32_t num;               /* objects per slab, >= 1 */
    uint32_t gfporder;          /* a slab is 2^gfporder pages */
    uint32_t gfpflags;          /* added to slab page allocations: __GFP_DMA, __GFP_RECLAIMABLE */
    uint32_t colour;            /* number of colours: left_over / colour_off */
    uint32_t colour_off;        /* colour step: cache line, or align if larger */
    uint32_t left_over;         /* bytes of a slab not used by objects nor an on-slab descriptor */
    uint32_t slab_size;         /* descriptor + bufctl bytes (aligned to align when on-slab) */
    uint32_t slabp_cache;       /* off-slab: id of the kmalloc cache holding descriptors */
    uint32_t limit, batchcount, shared; /* tunables (shared arrays: not implemented, 0) */
    uint32_t nr_cpus;           /* per-CPU arrays allocated: CPUs 0 .. nr_cpus - 1 */
    uint32_t array_stride;      /* bytes per CPU array: header + limit entries */
    uint32_t array_phys;        /* the arrays, CPU i at array_phys + i * array_stride */
    uint32_t array_order;       /* their page order (boot), or ARRAY_FROM_KMALLOC */
    uint32_t free_limit;        /* free objects in slabs beyond which empty slabs are freed */

    arch_spinlock_t lock;       /* guards everything below and every slab descriptor of the cache */
    struct slab_list slabs_full, slabs_partial, slabs_free;
    uint32_t free_objects;      /* free objects in the partial and free slabs (not in arrays) */
    uint32_t nr_slabs;          /* slabs on the three lists */
    uint32_t colour_next;       /* colour of the next slab: 0 .. colour - 1 */
};

_Static_assert(sizeof(struct kmem_cache) == 160, "struct kmem_cache: same bytes in both builds");

extern struct kmem_cache kmem_caches[SLAB_MAX_CACHES];
extern void (*slab_ctors[SLAB_MAX_CACHES])(void *obj);
extern uint32_t slab_break_gfp_order;   /* 1 with more than 32 MiB of RAM, else 0 */
extern arch_spinlock_t slab_chain_lock; /* guards slot allocation in kmem_caches[] */

/* ---- small helpers (inline) ------------------------------------------------------ */

static inline void *slab_virt(uint32_t phys) { return arch_phys_to_virt(phys); }
static inline uint32_t slab_phys(const void *virt) { return (uint32_t)arch_virt_to_phys(virt); }
static inline struct slab *slab_desc(uint32_t phys) { return (struct slab *)slab_virt(phys); }
static inline uint32_t *slab_bufctl(struct slab *s) { return (uint32_t *)(s + 1); }
static inline bool cache_off_slab(const struct kmem_cache *c) { return (c->flags & CFLGS_OFF_SLAB) != 0; }
static inline struct kmem_cache *cache_by_id(uint32_t id) { return &kmem_caches[id]; }

/* This CPU's array (cpu < c->nr_cpus). */
static inline struct array_cache *cpu_array(const struct kmem_cache *c, unsigned cpu)
{
    MM_BUG_ON(cpu >= c->nr_cpus);
    return (struct array_cache *)slab_virt(c->array_phys + cpu * c->array_stride);
}

/* The guest's kernel virtual address of a physical address (what reports print). */
static inline uint32_t slab_kaddr(uint32_t phys) { return VM_PAGE_OFFSET + phys; }

#define SLAB_RET_IP() ((uint32_t)(uintptr_t)__builtin_return_address(0))

/* ---- slab.c -------------------------------------------------------------------------- */

/* Linux's cache_estimate: objects of buffer_size bytes fitting in a slab of
 * 2^order pages, the descriptor on the slab unless off_slab; *left_over gets
 * the unused bytes. */
uint32_t slab_estimate(unsigned order, uint32_t buffer_size, uint32_t align, bool off_slab,
                       uint32_t *left_over);

/* ---- slab_grow.c ----------------------------------------------------------------------- */

/* The slab lists of a cache (caller holds c->lock): add a slab (descriptor
 * phys) at the front or the tail of list `which` (SLAB_ON_*), remove it
 * from whichever list holds it. */
void slab_list_init(struct slab_list *l);
void slab_list_add(struct kmem_cache *c, uint32_t sphys, unsigned which, bool tail);
void slab_list_del(struct kmem_cache *c, uint32_t sphys);

/* Adds one free slab to c (pages from the buddy allocator, descriptor,
 * objects initialised, ctor run); false if no memory.  Called with
 * interrupts off and without c->lock. */
bool cache_grow(struct kmem_cache *c, gfp_t gfp);
/* Gives a slab's pages (and off-slab descriptor) back.  The slab is on no
 * list; called without c->lock. */
void slab_destroy(struct kmem_cache *c, uint32_t sphys);
/* Frees every slab on c's free list; returns how many.  Takes c->lock. */
uint32_t cache_drain_freelist(struct kmem_cache *c);

/* Takes the first free object of a slab (buffer phys); caller holds c->lock. */
uint32_t slab_get_obj(struct kmem_cache *c, struct slab *s);
/* Puts an object (buffer phys) back into its slab; caller holds c->lock. */
void slab_put_obj(struct kmem_cache *c, struct slab *s, uint32_t objp);

/* The cache and slab of a lowmem address inside a slab page; false (and
 * nothing set) if the page is not a slab page. */
bool slab_lookup(const void *addr, struct kmem_cache **cache, uint32_t *sphys);

/* ---- slab_cpu.c ------------------------------------------------------------------------- */

/* kmem_cache_alloc and kmem_cache_free with the caller given. */
void *slab_alloc(struct kmem_cache *c, gfp_t gfp, uint32_t caller);
void slab_free(struct kmem_cache *c, const void *obj, uint32_t caller);
/* Empties every CPU's array of c into its slabs (each CPU its own, through
 * arch_on_each_cpu). */
void cache_drain_arrays(struct kmem_cache *c);

/* ---- slab_debug.c ----------------------------------------------------------------------- */

/* Prints one slab error line "slab error in cache NAME: ..." and counts it. */
void slab_report(const struct kmem_cache *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a caller address as the reports show it (symbol+offset in the
 * guest when its symbol table knows it, else 0x%08x). */
void slab_format_caller(char *buf, size_t len, uint32_t caller);
/* Sets up the debug words and poison of a new object (slab creation). */
void slab_debug_init_obj(struct kmem_cache *c, uint32_t objp);
/* Checks an object about to be handed out (poison, red zones), then marks
 * it active; false if it is damaged (reported: the caller must not use it). */
bool slab_debug_alloc(struct kmem_cache *c, uint32_t objp, uint32_t caller);
/* Checks a free of obj (a lowmem address) to c: returns obj's buffer phys,
 * or MM_NIL after a report (not a slab object of c, not an object start;
 * with debug flags: double free, red zone overwritten), in which case obj
 * must not be freed.  With debug flags it marks the object free (red zones
 * inactive, last user, poison). */
uint32_t slab_check_free(struct kmem_cache *c, const void *obj, uint32_t caller);

/* ---- kmalloc.c --------------------------------------------------------------------------- */

/* Creates the size-N and size-N(DMA) caches (kmem_cache_init). */
void kmalloc_caches_init(void);
/* The kmalloc cache serving size bytes with gfp (GFP_DMA: the DMA one);
 * NULL above KMALLOC_MAX_CACHE_SIZE or before kmem_cache_init. */
struct kmem_cache *kmalloc_cache(size_t size, gfp_t gfp);
/* kmalloc and kfree with the caller to record and report given. */
void *__kmalloc(size_t size, gfp_t gfp, uint32_t caller);
void __kfree(const void *obj, uint32_t caller);

#endif
