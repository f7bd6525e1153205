/* emu/introspect_slab.c - /proc/slabinfo (version 2.1) from the host's copy
 * of the guest's kmem_caches[] and its slab descriptors (named by physical
 * address), in the format of the guest's mm/slab_report.c. */
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#include "slab_internal.h"

/* The counts of one cache; 32-bit like the guest's unsigned long. */
struct counts {
    uint32_t active_objs, active_slabs, num_slabs;
};

static const char *const list_names[] = { "full", "partial", "free" };

/* Walks one slab list; a descriptor that cannot be read or a list longer
 * than there are pages ends the walk with an error line. */
static void count_list(ik_ctx *c, const char *cache, const struct slab_list *l, unsigned which,
                       struct counts *n)
{
    uint32_t sphys = l->first, steps = 0;
    struct slab s;

    while (sphys != MM_NIL) {
        if (steps++ > c->max_pfn) {
            ik_error(c, "cache %s: %s slab list longer than there are pages: cycle?", cache, list_names[which]);
            return;
        }
        if (ik_read_phys(c, sphys, &s, sizeof s) < 0) {
            ik_error(c, "cache %s: %s slab list: cannot read the slab descriptor at physical 0x%08x",
                     cache, list_names[which], sphys);
            return;
        }
        n->active_objs += s.inuse;
        n->active_slabs += which != SLAB_ON_FREE;
        n->num_slabs++;
        sphys = s.next;
    }
}

/* The active cache with the highest creation number below `below`, or -1. */
static int next_newest(const struct kmem_cache *caches, uint32_t below)
{
    int best = -1;

    for (int i = 0; i < SLAB_MAX_CACHES; i++)
        if (caches[i].active && caches[i].seq < below && (best < 0 || caches[i].seq > caches[best].seq))
            best = i;
    return best;
}

void ik_report_slabinfo(ik_ctx *c)
{
    struct kmem_cache *caches = calloc(SLAB_MAX_CACHES, sizeof *caches);
    char name[SLAB_NAME_LEN + 1];
    struct counts n;

    if (!caches) {
        ik_error(c, "out of host memory");
        return;
    }
    if (ik_load_mm(c) || ik_read_global(c, "kmem_caches", caches, SLAB_MAX_CACHES * sizeof *caches)) {
        free(caches);
        return;
    }
    ik_printf(c->out, "slabinfo - version: 2.1\n");
    ik_printf(c->out, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
                      " : tunables <limit> <batchcount> <sharedfactor>"
                      " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
    for (int i = next_newest(caches, 0xffffffffu); i >= 0; i = next_newest(caches, caches[i].seq)) {
        const struct kmem_cache *k = &caches[i];

        memcpy(name, k->name, SLAB_NAME_LEN);
        name[SLAB_NAME_LEN] = '\0';
        memset(&n, 0, sizeof n);
        count_list(c, name, &k->slabs_full, SLAB_ON_FULL, &n);
        count_list(c, name, &k->slabs_partial, SLAB_ON_PARTIAL, &n);
        count_list(c, name, &k->slabs_free, SLAB_ON_FREE, &n);
        if (k->gfporder > 30)
            ik_error(c, "cache %s: gfporder %u", name, k->gfporder);
        ik_printf(c->out, "%-17s %6lu %6lu %6u %4u %4d", name, (unsigned long)n.active_objs,
                  (unsigned long)(uint32_t)(n.num_slabs * k->num), k->buffer_size, k->num,
                  k->gfporder <= 30 ? 1 << k->gfporder : 0);
        ik_printf(c->out, " : tunables %4u %4u %4u", k->limit, k->batchcount, k->shared);
        ik_printf(c->out, " : slabdata %6lu %6lu %6lu\n", (unsigned long)n.active_slabs,
                  (unsigned long)n.num_slabs, 0ul);
    }
    free(caches);
}
