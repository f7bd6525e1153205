/* emu/detailed_numa.c - the detailed mode's remote-node penalty needs the
 * guest's NUMA layout: which physical pages and CPUs belong to which node.
 * The kernel decides it (numa=fake=N), so the host reads it, once mm is set
 * up, out of node_data and cpu_to_node_map (introspection: reading only). */
#include <stdlib.h>

#include "cache_model.h"
#include "introspect.h"

/* Attempts between tries while mm is not up: every this many rounds. */
#define NUMA_RETRY_ROUNDS 1000u

/* Gives the cache model each node's pfn span and each CPU's node; false
 * when the layout read is not complete yet. */
static bool apply_layout(emu_machine *m, const ik_ctx *c, const uint32_t *cpu_node)
{
    for (uint32_t n = 0; n < c->nr_online_nodes; n++)
        if (c->node_data[n].node_spanned_pages == 0)
            return false;
    for (uint32_t n = 0; n < c->nr_online_nodes; n++) {
        const pg_data_t *p = &c->node_data[n];
        uint64_t start = (uint64_t)p->node_start_pfn << 12;
        emu_cache_add_node_range(m->caches, start, start + ((uint64_t)p->node_spanned_pages << 12), n);
    }
    for (unsigned i = 0; i < m->ncpus; i++)
        emu_cache_set_cpu_node(m->caches, i, cpu_node[i] < c->nr_online_nodes ? cpu_node[i] : 0);
    return true;
}

void emu_det_sync_numa(emu_machine *m)
{
    ik_text sink = { 0 };
    ik_ctx *c = calloc(1, sizeof *c);
    uint32_t cpu_node[MM_MAX_CPUS] = { 0 };
    m->numa_next_try = m->now + NUMA_RETRY_ROUNDS * m->cfg.quantum_cycles;
    if (!c)
        return;
    ik_init(c, m, &sink);
    if (!emu_symtab_by_name(&m->syms, "node_data"))
        m->numa_synced = true;           /* not our kernel: one node */
    else if (ik_load_mm(c) == 0 &&
             ik_read_global(c, "cpu_to_node_map", cpu_node, sizeof cpu_node) == 0)
        m->numa_synced = c->nr_online_nodes == 1 || apply_layout(m, c, cpu_node);
    free(sink.buf);
    free(c->errs.buf);
    free(c);
}
