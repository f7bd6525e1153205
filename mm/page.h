/* mm/page.h - struct page, the descriptor of one page frame, and mem_map. */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include "arch.h"
#include "mm_types.h"

/* Page flags (bits 0..19 of page->flags), changed with atomic bit ops. */
enum pageflags {
    PG_reserved,     /* never given to the buddy allocator (kernel image, mem_map, holes) */
    PG_buddy,        /* head of a free block in a buddy free list; private = its order */
    PG_slab,         /* owned by the slab allocator */
    PG_lru,          /* on an LRU list (reclaim, later issues) */
    PG_dirty,
    PG_highmem,      /* in ZONE_HIGHMEM: no permanent kernel address */
    PG_pcp,          /* on a per-CPU free list (order 0, refcount 0) */
    PG_poisoned,     /* freed with poisoning on: contents are the poison pattern */
    PG_head,         /* first page of a higher-order allocation (private = order) */
    NR_PAGEFLAGS
};

/* The rest of page->flags: which zone and node the page belongs to (set at
 * boot, never changed) and, on the first page of each pageblock, the
 * pageblock's migrate type. */
#define PAGE_ZONE_SHIFT 20
#define PAGE_NODE_SHIFT 22
#define PAGE_PBMT_SHIFT 24
#define PAGE_ZONE_MASK  (0x3u << PAGE_ZONE_SHIFT)
#define PAGE_NODE_MASK  (0x3u << PAGE_NODE_SHIFT)
#define PAGE_PBMT_MASK  (0x7u << PAGE_PBMT_SHIFT)

/* One per page frame, in mem_map[pfn].  36 bytes in both builds. */
struct page {
    uint32_t flags;        /* PG_* bits | zone | node | pageblock type (see above) */
    int32_t  _refcount;    /* users; 0 while free (buddy lists or per-CPU lists) */
    int32_t  _mapcount;    /* PTEs mapping the page, -1 if none */
    uint32_t private;      /* order, on a free block's head (PG_buddy) or an allocation's head (PG_head) */
    uint32_t mapping;      /* owner's handle (e.g. slab cache id), 0 if none */
    uint32_t index;        /* owner's offset (e.g. slab colour/index) */
    struct mm_link lru;    /* link in a free list, per-CPU list or owner's list (pfns) */
    uint32_t virtual;      /* kernel virtual address while a highmem page is kmapped, else 0 */
};

/* mem_map covers pfns 0 .. max_pfn - 1 (holes included, marked reserved). */
extern struct page *mem_map;
extern uint32_t max_pfn;        /* one past the last pfn of RAM */
extern uint32_t max_low_pfn;    /* one past the last lowmem pfn */

static inline uint32_t page_to_pfn(const struct page *p) { return (uint32_t)(p - mem_map); }
static inline struct page *pfn_to_page(uint32_t pfn) { return mem_map + pfn; }
static inline bool pfn_valid(uint32_t pfn) { return pfn < max_pfn; }

static inline bool page_flag(const struct page *p, enum pageflags f) { return (p->flags >> f) & 1u; }
static inline void set_page_flag(struct page *p, enum pageflags f) { arch_atomic_or(&p->flags, 1u << f); }
static inline void clear_page_flag(struct page *p, enum pageflags f) { arch_atomic_and(&p->flags, ~(1u << f)); }

static inline unsigned page_zonenum(const struct page *p) { return (p->flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT; }
static inline unsigned page_to_nid(const struct page *p) { return (p->flags & PAGE_NODE_MASK) >> PAGE_NODE_SHIFT; }

static inline int page_count(const struct page *p) { return p->_refcount; }
static inline void get_page(struct page *p) { arch_atomic_add_return(&p->_refcount, 1); }
/* Drops a reference; returns true when it was the last one. */
static inline bool put_page_testzero(struct page *p) { return arch_atomic_add_return(&p->_refcount, -1) == 0; }

/* The kernel virtual address of a page: the direct map for lowmem, the kmap
 * address (or NULL when not mapped) for highmem. */
void *page_address(const struct page *p);
/* The page of a direct-mapped (lowmem) kernel address. */
struct page *virt_to_page(const void *addr);

/* Operations on pfn-linked page lists (inline here; mm_list.c has
 * mm_list_splice).  Each keeps the list and the page's lru link consistent;
 * counters and flags are the caller's (see del_page_from_free_list and
 * friends in page_alloc.c).
 *
 * A list is {first, last}; each page on it has lru.prev/lru.next naming its
 * neighbours, MM_NIL at the ends.  A page not on any list has both links
 * MM_NIL. */
static inline bool mm_list_empty(const struct mm_list *l) { return l->first == MM_NIL; }
static inline void mm_list_init(struct mm_list *l) { l->first = l->last = MM_NIL; }

static mm_always_inline struct page *mm_page_or_null(uint32_t pfn)
{
    return pfn == MM_NIL ? NULL : pfn_to_page(pfn);
}

/* The same with p's pfn already at hand (pfn == page_to_pfn(p)). */
static mm_always_inline void mm_list_add_pfn(struct mm_list *l, struct page *p, uint32_t pfn)
{
    uint32_t first = l->first;
    MM_BUG_ON(p->lru.next != MM_NIL || p->lru.prev != MM_NIL);
    p->lru.next = first;
    if (first == MM_NIL)
        l->last = pfn;
    else
        pfn_to_page(first)->lru.prev = pfn;
    l->first = pfn;
}

static mm_always_inline void mm_list_add_tail_pfn(struct mm_list *l, struct page *p, uint32_t pfn)
{
    uint32_t last = l->last;
    MM_BUG_ON(p->lru.next != MM_NIL || p->lru.prev != MM_NIL);
    p->lru.prev = last;
    if (last == MM_NIL)
        l->first = pfn;
    else
        pfn_to_page(last)->lru.next = pfn;
    l->last = pfn;
}

static mm_always_inline void mm_list_del_pfn(struct mm_list *l, struct page *p, uint32_t pfn)
{
    uint32_t prev = p->lru.prev, next = p->lru.next;
    if (prev == MM_NIL) {
        MM_BUG_ON(l->first != pfn);
        l->first = next;
    } else {
        pfn_to_page(prev)->lru.next = next;
    }
    if (next == MM_NIL) {
        MM_BUG_ON(l->last != pfn);
        l->last = prev;
    } else {
        pfn_to_page(next)->lru.prev = prev;
    }
    p->lru.next = p->lru.prev = MM_NIL;
}

/* mm_list_del_pfn for the first page of l (pfn == l->first), which has
 * no predecessor: checked, and its successor's link is simply cleared. */
static mm_always_inline void mm_list_del_first_pfn(struct mm_list *l, struct page *p, uint32_t pfn)
{
    uint32_t next = p->lru.next;
    MM_BUG_ON(p->lru.prev != MM_NIL || l->first != pfn);
    l->first = next;
    if (next == MM_NIL) {
        MM_BUG_ON(l->last != pfn);
        l->last = MM_NIL;
    } else {
        pfn_to_page(next)->lru.prev = MM_NIL;
    }
    p->lru.next = MM_NIL;
}

/* Adds p at the front of l.  p must not be on a list. */
static mm_always_inline void mm_list_add(struct mm_list *l, struct page *p)
{
    mm_list_add_pfn(l, p, page_to_pfn(p));
}

/* Adds p at the back of l.  p must not be on a list. */
static mm_always_inline void mm_list_add_tail(struct mm_list *l, struct page *p)
{
    mm_list_add_tail_pfn(l, p, page_to_pfn(p));
}

/* Removes p, which must be on l, and clears its links. */
static mm_always_inline void mm_list_del(struct mm_list *l, struct page *p)
{
    mm_list_del_pfn(l, p, page_to_pfn(p));
}

/* NULL if empty. */
static mm_always_inline struct page *mm_list_first(const struct mm_list *l) { return mm_page_or_null(l->first); }
static mm_always_inline struct page *mm_list_last(const struct mm_list *l) { return mm_page_or_null(l->last); }
/* NULL at the end. */
static mm_always_inline struct page *mm_list_next(const struct page *p) { return mm_page_or_null(p->lru.next); }

/* Moves every page of from to the front (or tail) of to (mm_list.c). */
void mm_list_splice(struct mm_list *from, struct mm_list *to, bool tail);

#endif
