/* mm/gfp.h - allocation flags ("get free pages"), with Linux 2.6's values so
 * that the "mode:0x..." of failure reports reads as Linux's does. */
#ifndef MM_GFP_H
#define MM_GFP_H

#include "mm_types.h"

#define __GFP_DMA         0x01u
#define __GFP_HIGHMEM     0x02u
#define __GFP_DMA32       0x04u   /* accepted, means NORMAL on i386 */
#define __GFP_MOVABLE     0x08u
#define __GFP_WAIT        0x10u   /* may sleep: reclaim allowed */
#define __GFP_HIGH        0x20u   /* may use emergency pools (below min) */
#define __GFP_IO          0x40u
#define __GFP_FS          0x80u
#define __GFP_COLD        0x100u  /* cache-cold page wanted: tail of the per-CPU list */
#define __GFP_NOWARN      0x200u  /* no failure report */
#define __GFP_REPEAT      0x400u
#define __GFP_NOFAIL      0x800u
#define __GFP_NORETRY     0x1000u
#define __GFP_COMP        0x4000u
#define __GFP_ZERO        0x8000u
#define __GFP_NOMEMALLOC  0x10000u
#define __GFP_HARDWALL    0x20000u
#define __GFP_THISNODE    0x40000u /* only the preferred node, no fallback */
#define __GFP_RECLAIMABLE 0x80000u

#define GFP_ATOMIC        (__GFP_HIGH)
#define GFP_NOIO          (__GFP_WAIT)
#define GFP_NOFS          (__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL        (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_USER          (__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER      (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_DMA           (__GFP_DMA)

/* The highest zone an allocation with these flags may use. */
static inline unsigned gfp_zone(gfp_t gfp)
{
    if (gfp & __GFP_DMA)
        return 0;                          /* ZONE_DMA */
    return (gfp & __GFP_HIGHMEM) ? 2 : 1;  /* ZONE_HIGHMEM : ZONE_NORMAL */
}

/* The migrate type an allocation with these flags belongs to. */
static inline unsigned gfp_migratetype(gfp_t gfp)
{
    if (gfp & __GFP_MOVABLE)
        return 2;                          /* MIGRATE_MOVABLE */
    return (gfp & __GFP_RECLAIMABLE) ? 1 : 0;
}

#endif
