/* mm/vmap_tree.h - the tree of vmalloc/vmap areas: an AVL tree of disjoint
 * address ranges [start, end) keyed by start, with nodes from a fixed pool
 * inside the tree and 32-bit index links (no pointers: the layout rule of
 * mm_types.h holds, the same bytes in the guest and in a host build).
 *
 * Each node is augmented with facts about its subtree: the lowest start,
 * the highest end and the largest gap between two consecutive ranges of the
 * subtree.  With them vt_first_fit finds the lowest free range of a given
 * size in O(height) steps, without visiting the areas one by one.
 *
 * The tree knows nothing of locking (vmalloc.c holds its lock around every
 * call) nor of what an area is for (vmalloc.c keeps that in an array
 * indexed by node index). */
#ifndef MM_VMAP_TREE_H
#define MM_VMAP_TREE_H

#include "mm_types.h"

#define VT_NIL 0xffffffffu              /* "no node" */
/* Nodes in the pool: the most areas (live and waiting for a purge) at once. */
#define VMAP_MAX_AREAS 2048u

struct vmap_node {
    uint32_t start, end;                /* the range, [start, end), end > start */
    uint32_t left, right, parent;       /* node indices or VT_NIL; a free node: left = next free */
    uint32_t height;                    /* 1 for a leaf; 0 for a node not in the tree */
    uint32_t sub_start, sub_end;        /* lowest start and highest end in the subtree */
    uint32_t sub_gap;                   /* largest gap between consecutive ranges inside the subtree */
};

struct vmap_tree {
    uint32_t lo, hi;                    /* every range lies in [lo, hi) */
    uint32_t root;
    uint32_t count;                     /* nodes in the tree */
    uint32_t free_head;                 /* first node of the free pool list */
    struct vmap_node node[VMAP_MAX_AREAS];
};

/* Empties t; every range inserted later must lie inside [lo, hi). */
void vt_init(struct vmap_tree *t, uint32_t lo, uint32_t hi);

/* Inserts [start, end) (disjoint from every range in the tree, inside
 * [lo, hi): MM_BUG_ON otherwise) and returns its node index, or VT_NIL if
 * the pool is empty. */
uint32_t vt_insert(struct vmap_tree *t, uint32_t start, uint32_t end);
/* Removes node i from the tree and returns it to the pool. */
void vt_erase(struct vmap_tree *t, uint32_t i);

/* The node whose range starts exactly at start, or VT_NIL. */
uint32_t vt_find(const struct vmap_tree *t, uint32_t start);
/* The node whose range contains addr, or VT_NIL. */
uint32_t vt_find_containing(const struct vmap_tree *t, uint32_t addr);

/* First fit: the lowest address a >= lo such that [a, a + size) lies inside
 * [lo, hi) and meets no range of the tree.  Returns true and sets *addr, or
 * false when no gap is large enough.  size > 0. */
bool vt_first_fit(const struct vmap_tree *t, uint32_t size, uint32_t *addr);

/* In-order walk: the node with the lowest start (VT_NIL if empty), and the
 * node after i (VT_NIL after the last). */
uint32_t vt_first(const struct vmap_tree *t);
uint32_t vt_next(const struct vmap_tree *t, uint32_t i);

/* The tree's height (0 when empty). */
static inline uint32_t vt_height(const struct vmap_tree *t)
{
    return t->root == VT_NIL ? 0 : t->node[t->root].height;
}

/* Checks every invariant: search order, disjoint ranges inside [lo, hi),
 * parent links, heights and AVL balance (|left - right| <= 1), the
 * augmented subtree facts, the node count and the free pool.  Returns the
 * number of violations (printed with arch_puts when verbose). */
unsigned vt_check(const struct vmap_tree *t, bool verbose);

#endif
