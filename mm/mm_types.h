/* mm/mm_types.h - constants, fixed-width types and pfn-linked lists shared by
 * all of mm/.
 *
 * Layout rule: every structure mm/ keeps (struct page, struct zone,
 * struct pglist_data, ...) is made of fixed-width integers only, with no
 * pointers: pages are linked into lists by pfn and zones are named by
 * (node, zone index).  The same headers therefore describe the same bytes
 * in the i386 guest and in a 64-bit host build, so the host can read the
 * guest's mm state straight out of guest RAM (static asserts on the sizes
 * in mm_layout.h hold in both builds).
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define MAX_ORDER 11                       /* orders 0..10: blocks of 4 KiB .. 4 MiB */
#define pageblock_order (MAX_ORDER - 1)
#define pageblock_nr_pages (1u << pageblock_order)

#define MAX_NUMNODES 4
#define MM_MAX_CPUS 8

/* i386 zone boundaries (physical) */
#define MM_DMA_LIMIT    (16ull << 20)      /* ZONE_DMA below 16 MiB */
#define MM_LOWMEM_LIMIT (896ull << 20)     /* ZONE_NORMAL up to 896 MiB, HIGHMEM above */

enum zone_type { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, MAX_NR_ZONES };

enum migratetype {
    MIGRATE_UNMOVABLE,
    MIGRATE_RECLAIMABLE,
    MIGRATE_MOVABLE,
    MIGRATE_PCPTYPES,                      /* number of types on per-CPU lists */
    MIGRATE_RESERVE = MIGRATE_PCPTYPES,
    MIGRATE_TYPES
};

#define MM_NIL 0xffffffffu                 /* "no pfn": end of a list */

/* A page's link in one list: the pfns of its neighbours (MM_NIL at the ends). */
struct mm_link {
    uint32_t next;
    uint32_t prev;
};

/* A list of pages linked through their struct page's lru field.
 * Invariant: first == MM_NIL iff last == MM_NIL iff the list is empty. */
struct mm_list {
    uint32_t first;
    uint32_t last;
};

typedef uint32_t gfp_t;

#endif
