/* emu/introspect_vmalloc.c - /proc/vmallocinfo from the host's copy of the
 * guest's vmalloc state (mm/vmalloc.c's static `vms`: counters, the
 * per-area info[] and the vmap tree of mm/vmap_tree.h), in the format of
 * the guest's mm_report_vmallocinfo, callers named through the guest's own
 * symbol table (introspect_ksyms.c). */
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#include "vmap_tree.h"

/* mm/vmalloc.c's private definitions, mirrored: the VM_* area flags and the
 * layout of `vms`.  Its size is checked against the ELF symbol's (a change
 * on the guest side gives an error line, not a wrong report). */
#define VM_ALLOC    0x01u
#define VM_MAP      0x02u
#define VM_UNINIT   0x04u
#define VM_FREEING  0x08u
#define VM_LAZY     0x10u
#define VM_PURGING  0x20u

struct ik_vm_area_info {
    uint32_t flags, nr_pages, caller, lazy_next;
};

struct ik_vms {
    uint32_t lock, ready, lazy_head, lazy_pages, lazy_areas, live_areas, purging, purges, vfrees;
    struct ik_vm_area_info info[VMAP_MAX_AREAS];
    struct vmap_tree tree;
};

/* vmap_tree.c's vt_first/vt_next with every index checked; VT_NIL at the
 * end or (after an error line) on a bad link. */
static uint32_t leftmost(ik_ctx *c, const struct vmap_tree *t, uint32_t i)
{
    for (unsigned steps = 0; i < VMAP_MAX_AREAS && t->node[i].left != VT_NIL; steps++) {
        if (steps > VMAP_MAX_AREAS) {
            ik_error(c, "vmap tree: left links form a cycle");
            return VT_NIL;
        }
        i = t->node[i].left;
    }
    if (i >= VMAP_MAX_AREAS) {
        ik_error(c, "vmap tree: node index %u out of range", i);
        return VT_NIL;
    }
    return i;
}

static uint32_t next_node(ik_ctx *c, const struct vmap_tree *t, uint32_t i)
{
    uint32_t p;
    unsigned steps = 0;

    if (t->node[i].right != VT_NIL)
        return leftmost(c, t, t->node[i].right);
    for (p = t->node[i].parent; p != VT_NIL; p = t->node[p].parent) {
        if (p >= VMAP_MAX_AREAS || steps++ > VMAP_MAX_AREAS) {
            ik_error(c, "vmap tree: bad parent link %u", p);
            return VT_NIL;
        }
        if (t->node[p].right != i)
            break;
        i = p;
    }
    return p;
}

void ik_report_vmallocinfo(ik_ctx *c)
{
    struct ik_vms *v = malloc(sizeof *v);
    unsigned shown = 0;
    char sym[96];                      /* the guest's buffer: names cut at 95 characters */

    if (!v) {
        ik_error(c, "out of host memory");
        return;
    }
    if (ik_read_global(c, "vms", v, sizeof *v) || !v->ready) {
        free(v);
        return;                        /* before vmalloc_init the guest prints nothing */
    }
    if (v->tree.root != VT_NIL && v->tree.root >= VMAP_MAX_AREAS) {
        ik_error(c, "vmap tree: root %u out of range", v->tree.root);
        free(v);
        return;
    }
    for (uint32_t i = v->tree.root == VT_NIL ? VT_NIL : leftmost(c, &v->tree, v->tree.root); i != VT_NIL;
         i = next_node(c, &v->tree, i)) {
        const struct ik_vm_area_info *a = &v->info[i];
        unsigned long start = v->tree.node[i].start, end = v->tree.node[i].end;
        /* the guest's (long)(end - start) of 32-bit longs */
        long size = (long)(int32_t)(uint32_t)(end - start);

        if (++shown > VMAP_MAX_AREAS) {
            ik_error(c, "vmap tree: more than %u nodes in order: cycle?", VMAP_MAX_AREAS);
            break;
        }
        if (a->flags & VM_UNINIT)
            continue;
        if (a->flags & (VM_FREEING | VM_LAZY | VM_PURGING)) {
            ik_printf(c->out, "0x%08lx-0x%08lx %7ld unpurged vm_area\n", start, end, size);
            continue;
        }
        ik_printf(c->out, "0x%08lx-0x%08lx %7ld", start, end, size);
        if (a->caller) {
            ik_symbolize(c, a->caller, sym, sizeof sym);
            ik_printf(c->out, " %s", sym);
        }
        if (a->flags & VM_ALLOC)
            ik_printf(c->out, " pages=%d", (int)a->nr_pages);
        if (a->flags & VM_ALLOC)
            ik_printf(c->out, " vmalloc");
        if (a->flags & VM_MAP)
            ik_printf(c->out, " vmap");
        ik_printf(c->out, "\n");
    }
    free(v);
}
