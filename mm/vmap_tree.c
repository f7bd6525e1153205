/* mm/vmap_tree.c - an AVL tree of disjoint address ranges with a first-fit
 * gap search (see vmap_tree.h).
 *
 * Nodes carry parent links so that insertion and removal can walk back to
 * the root, recomputing each node's height and subtree facts and rotating
 * where the two sides differ in height by two.  Every structural change
 * ends with such a walk all the way up, because the subtree facts of every
 * ancestor may change even where no rotation is needed. */
#include "vmap_tree.h"

#include <stdarg.h>

#include "arch.h"

static inline struct vmap_node *nd(struct vmap_tree *t, uint32_t i) { return &t->node[i]; }

static inline uint32_t ht(const struct vmap_tree *t, uint32_t i)
{
    return i == VT_NIL ? 0 : t->node[i].height;
}

static inline uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

void vt_init(struct vmap_tree *t, uint32_t lo, uint32_t hi)
{
    uint32_t i;

    MM_BUG_ON(lo >= hi);
    t->lo = lo;
    t->hi = hi;
    t->root = VT_NIL;
    t->count = 0;
    for (i = 0; i < VMAP_MAX_AREAS; i++) {
        struct vmap_node *n = nd(t, i);

        n->start = n->end = 0;
        n->left = i + 1 < VMAP_MAX_AREAS ? i + 1 : VT_NIL;
        n->right = n->parent = VT_NIL;
        n->height = 0;
        n->sub_start = n->sub_end = n->sub_gap = 0;
    }
    t->free_head = 0;
}

/* Recomputes node i's height and subtree facts from its children. */
static void update(struct vmap_tree *t, uint32_t i)
{
    struct vmap_node *n = nd(t, i);
    uint32_t gap = 0, hl = 0, hr = 0;

    n->sub_start = n->start;
    n->sub_end = n->end;
    if (n->left != VT_NIL) {
        const struct vmap_node *l = nd(t, n->left);

        n->sub_start = l->sub_start;
        gap = max_u32(l->sub_gap, n->start - l->sub_end);
        hl = l->height;
    }
    if (n->right != VT_NIL) {
        const struct vmap_node *r = nd(t, n->right);

        n->sub_end = r->sub_end;
        gap = max_u32(gap, max_u32(r->sub_gap, r->sub_start - n->end));
        hr = r->height;
    }
    n->sub_gap = gap;
    n->height = 1 + max_u32(hl, hr);
}

/* Makes child (may be VT_NIL) take old's place under parent (VT_NIL: the root). */
static void replace_child(struct vmap_tree *t, uint32_t parent, uint32_t old, uint32_t child)
{
    if (parent == VT_NIL)
        t->root = child;
    else if (nd(t, parent)->left == old)
        nd(t, parent)->left = child;
    else
        nd(t, parent)->right = child;
    if (child != VT_NIL)
        nd(t, child)->parent = parent;
}

/* x's right child y becomes the root of the subtree; returns y. */
static uint32_t rotate_left(struct vmap_tree *t, uint32_t x)
{
    uint32_t y = nd(t, x)->right, b = nd(t, y)->left;

    replace_child(t, nd(t, x)->parent, x, y);
    nd(t, x)->right = b;
    if (b != VT_NIL)
        nd(t, b)->parent = x;
    nd(t, y)->left = x;
    nd(t, x)->parent = y;
    update(t, x);
    update(t, y);
    return y;
}

/* x's left child y becomes the root of the subtree; returns y. */
static uint32_t rotate_right(struct vmap_tree *t, uint32_t x)
{
    uint32_t y = nd(t, x)->left, b = nd(t, y)->right;

    replace_child(t, nd(t, x)->parent, x, y);
    nd(t, x)->left = b;
    if (b != VT_NIL)
        nd(t, b)->parent = x;
    nd(t, y)->right = x;
    nd(t, x)->parent = y;
    update(t, x);
    update(t, y);
    return y;
}

/* Updates x and restores the AVL balance at x (its children are balanced);
 * returns the node now at x's place. */
static uint32_t rebalance(struct vmap_tree *t, uint32_t x)
{
    struct vmap_node *n = nd(t, x);
    uint32_t hl = ht(t, n->left), hr = ht(t, n->right);

    if (hl > hr + 1) {
        uint32_t l = n->left;

        if (ht(t, nd(t, l)->left) < ht(t, nd(t, l)->right))
            rotate_left(t, l);
        return rotate_right(t, x);
    }
    if (hr > hl + 1) {
        uint32_t r = n->right;

        if (ht(t, nd(t, r)->right) < ht(t, nd(t, r)->left))
            rotate_right(t, r);
        return rotate_left(t, x);
    }
    update(t, x);
    return x;
}

/* From i up to the root: update and rebalance every ancestor. */
static void fix_upwards(struct vmap_tree *t, uint32_t i)
{
    while (i != VT_NIL) {
        i = rebalance(t, i);
        i = nd(t, i)->parent;
    }
}

uint32_t vt_insert(struct vmap_tree *t, uint32_t start, uint32_t end)
{
    uint32_t parent = VT_NIL, cur = t->root, i;
    bool go_left = false;
    struct vmap_node *n;

    MM_BUG_ON(start >= end || start < t->lo || end > t->hi);
    while (cur != VT_NIL) {
        const struct vmap_node *c = nd(t, cur);

        parent = cur;
        if (start < c->start) {
            MM_BUG_ON(end > c->start);          /* overlaps the range above */
            go_left = true;
            cur = c->left;
        } else {
            MM_BUG_ON(start < c->end);          /* overlaps the range below (or the same start) */
            go_left = false;
            cur = c->right;
        }
    }
    i = t->free_head;
    if (i == VT_NIL)
        return VT_NIL;
    n = nd(t, i);
    t->free_head = n->left;
    n->start = start;
    n->end = end;
    n->left = n->right = VT_NIL;
    n->parent = parent;
    update(t, i);
    if (parent == VT_NIL)
        t->root = i;
    else if (go_left)
        nd(t, parent)->left = i;
    else
        nd(t, parent)->right = i;
    t->count++;
    fix_upwards(t, parent);
    return i;
}

static uint32_t leftmost(const struct vmap_tree *t, uint32_t i)
{
    while (t->node[i].left != VT_NIL)
        i = t->node[i].left;
    return i;
}

void vt_erase(struct vmap_tree *t, uint32_t z)
{
    struct vmap_node *n;
    uint32_t fix;

    MM_BUG_ON(z >= VMAP_MAX_AREAS || t->node[z].height == 0);
    n = nd(t, z);
    if (n->left == VT_NIL || n->right == VT_NIL) {
        fix = n->parent;
        replace_child(t, n->parent, z, n->left != VT_NIL ? n->left : n->right);
    } else {
        /* The successor y (lowest of the right subtree, no left child) takes z's place. */
        uint32_t y = leftmost(t, n->right);
        struct vmap_node *yn = nd(t, y);

        if (yn->parent == z) {
            fix = y;
        } else {
            fix = yn->parent;
            replace_child(t, yn->parent, y, yn->right);
            yn->right = n->right;
            nd(t, yn->right)->parent = y;
        }
        yn->left = n->left;
        nd(t, yn->left)->parent = y;
        replace_child(t, n->parent, z, y);
    }
    fix_upwards(t, fix);
    n->left = t->free_head;
    n->right = n->parent = VT_NIL;
    n->height = 0;
    t->free_head = z;
    t->count--;
}

uint32_t vt_find(const struct vmap_tree *t, uint32_t start)
{
    uint32_t cur = t->root;

    while (cur != VT_NIL && t->node[cur].start != start)
        cur = start < t->node[cur].start ? t->node[cur].left : t->node[cur].right;
    return cur;
}

uint32_t vt_find_containing(const struct vmap_tree *t, uint32_t addr)
{
    uint32_t cur = t->root;

    while (cur != VT_NIL) {
        const struct vmap_node *c = &t->node[cur];

        if (addr < c->start)
            cur = c->left;
        else if (addr >= c->end)
            cur = c->right;
        else
            break;
    }
    return cur;
}

/* The lowest fitting gap inside subtree i, or before its first range
 * (from prev, the end of the range before the subtree, or lo). */
static bool fit_in(const struct vmap_tree *t, uint32_t i, uint32_t prev, uint32_t size, uint32_t *addr)
{
    const struct vmap_node *n;
    uint32_t before;

    if (i == VT_NIL)
        return false;
    n = &t->node[i];
    if (n->sub_start - prev < size && n->sub_gap < size)
        return false;                           /* no gap in here is large enough */
    if (fit_in(t, n->left, prev, size, addr))
        return true;
    before = n->left != VT_NIL ? t->node[n->left].sub_end : prev;
    if (n->start - before >= size) {
        *addr = before;
        return true;
    }
    return fit_in(t, n->right, n->end, size, addr);
}

bool vt_first_fit(const struct vmap_tree *t, uint32_t size, uint32_t *addr)
{
    uint32_t last;

    MM_BUG_ON(size == 0);
    if (fit_in(t, t->root, t->lo, size, addr))
        return true;
    last = t->root == VT_NIL ? t->lo : t->node[t->root].sub_end;
    if (t->hi - last >= size) {
        *addr = last;
        return true;
    }
    return false;
}

uint32_t vt_first(const struct vmap_tree *t)
{
    return t->root == VT_NIL ? VT_NIL : leftmost(t, t->root);
}

uint32_t vt_next(const struct vmap_tree *t, uint32_t i)
{
    uint32_t p;

    if (t->node[i].right != VT_NIL)
        return leftmost(t, t->node[i].right);
    for (p = t->node[i].parent; p != VT_NIL && t->node[p].right == i; p = t->node[p].parent)
        i = p;
    return p;
}

/* ---- checking ----------------------------------------------------------------- */

struct vt_checker {
    const struct vmap_tree *t;
    bool verbose;
    unsigned violations;
    uint32_t prev_end;                          /* end of the last range seen in order */
    uint32_t nodes;
};

static void vt_say(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    arch_vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static void vt_violation(struct vt_checker *c, uint32_t i, const char *what)
{
    char line[160];

    c->violations++;
    if (!c->verbose)
        return;
    if (i < VMAP_MAX_AREAS)
        vt_say(line, sizeof(line), "vmap tree: node %u [0x%08x, 0x%08x): %s\n", (unsigned)i,
               (unsigned)c->t->node[i].start, (unsigned)c->t->node[i].end, what);
    else
        vt_say(line, sizeof(line), "vmap tree: node 0x%x: %s\n", (unsigned)i, what);
    arch_puts(line);
}

/* Checks subtree i (its parent should be parent); returns its height. */
static uint32_t check_subtree(struct vt_checker *c, uint32_t i, uint32_t parent, uint32_t depth)
{
    const struct vmap_tree *t = c->t;
    const struct vmap_node *n;
    uint32_t hl, hr, gap = 0, sub_start, sub_end;

    if (i == VT_NIL)
        return 0;
    if (i >= VMAP_MAX_AREAS || depth > 64) {
        vt_violation(c, i, "link out of the pool or a cycle");
        return 0;
    }
    n = &t->node[i];
    c->nodes++;
    if (n->parent != parent)
        vt_violation(c, i, "wrong parent link");
    hl = check_subtree(c, n->left, i, depth + 1);
    /* in order: this range comes after everything on its left */
    if (n->start >= n->end || n->start < t->lo || n->end > t->hi)
        vt_violation(c, i, "empty range or outside [lo, hi)");
    if (c->nodes > 1 && n->start < c->prev_end)
        vt_violation(c, i, "out of order or overlapping the previous range");
    c->prev_end = n->end;
    hr = check_subtree(c, n->right, i, depth + 1);
    if (n->height != 1 + max_u32(hl, hr))
        vt_violation(c, i, "stale height");
    if (hl > hr + 1 || hr > hl + 1)
        vt_violation(c, i, "AVL balance broken");
    sub_start = n->left != VT_NIL ? t->node[n->left].sub_start : n->start;
    sub_end = n->right != VT_NIL ? t->node[n->right].sub_end : n->end;
    if (n->left != VT_NIL)
        gap = max_u32(t->node[n->left].sub_gap, n->start - t->node[n->left].sub_end);
    if (n->right != VT_NIL)
        gap = max_u32(gap, max_u32(t->node[n->right].sub_gap, t->node[n->right].sub_start - n->end));
    if (n->sub_start != sub_start || n->sub_end != sub_end || n->sub_gap != gap)
        vt_violation(c, i, "stale subtree facts");
    return 1 + max_u32(hl, hr);
}

unsigned vt_check(const struct vmap_tree *t, bool verbose)
{
    struct vt_checker c = { .t = t, .verbose = verbose, .prev_end = t->lo };
    uint32_t i, free = 0;

    check_subtree(&c, t->root, VT_NIL, 0);
    if (c.nodes != t->count)
        vt_violation(&c, t->root, "node count differs from the tree");
    for (i = t->free_head; i != VT_NIL && free <= VMAP_MAX_AREAS; i = t->node[i].left) {
        if (i >= VMAP_MAX_AREAS) {
            vt_violation(&c, i, "free list link out of the pool");
            break;
        }
        if (t->node[i].height != 0)
            vt_violation(&c, i, "node on the free list is in the tree");
        free++;
    }
    if (free + t->count != VMAP_MAX_AREAS)
        vt_violation(&c, t->free_head, "free list and tree do not add up to the pool");
    return c.violations;
}
