/* tests/unit/test_introspect_layout.c - the host's introspection of the
 * guest's mm (emu/introspect*.c) reads the guest's structures with mm/'s
 * headers compiled for the host.  This test holds the layout the host build
 * sees to the same numbers guest/kernel/mm_layout_check.c asserts in the
 * i386 build (a change must update both), checks the sizes of the kernel
 * ELF's globals against the host's structures, and checks that reports of
 * a machine whose guest state is missing or damaged give "introspect:"
 * error lines and no crash (run it under the asan preset). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../../mm/mmzone.h"
#include "../../mm/page.h"
#include "../../mm/slab_internal.h"
#include "../../mm/vmap_tree.h"
#include "machine.h"
#include "machine_priv.h"
#include "unit.h"

#define MAIN_KERNEL PAGELAB_TEST_KERNELS "/../../guest/pagelab-kernel.elf"

/* ---- the same list as guest/kernel/mm_layout_check.c ------------------------- */

#define L(expr, value) _Static_assert((expr) == (value), #expr " is " #value " in the guest build");
#include "../../mm/mm_layout_list.h"
#undef L

static void layout_runtime(void)
{
#define L(expr, value) CHECK_EQ((expr), (value));
#include "../../mm/mm_layout_list.h"
#undef L
}

/* ---- the kernel's globals have the sizes of the host's structures ------------------ */

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = buf ? (size_t)n : 0;
    return buf;
}

static uint32_t sym_size(const emu_symtab *t, const char *name)
{
    const emu_symbol *s = emu_symtab_by_name(t, name);
    return s ? s->size : 0xdeadu;
}

static void kernel_globals(void)
{
    size_t size;
    uint8_t *elf = read_file(MAIN_KERNEL, &size);
    emu_symtab t;

    CHECK(elf != NULL);
    if (!elf) {
        fprintf(stderr, "%s: cannot read (build the kernel first)\n", MAIN_KERNEL);
        return;
    }
    CHECK_EQ(emu_symtab_load(&t, elf, size), 0);
    CHECK_EQ(sym_size(&t, "node_data"), MAX_NUMNODES * sizeof(pg_data_t));
    CHECK_EQ(sym_size(&t, "kmem_caches"), SLAB_MAX_CACHES * sizeof(struct kmem_cache));
    /* mm/vmalloc.c's vms: nine counters, info[] of four words, the tree */
    CHECK_EQ(sym_size(&t, "vms"), 9 * 4 + VMAP_MAX_AREAS * 16 + sizeof(struct vmap_tree));
    CHECK_EQ(sym_size(&t, "mem_map"), 4);
    CHECK_EQ(sym_size(&t, "max_pfn"), 4);
    CHECK_EQ(sym_size(&t, "max_low_pfn"), 4);
    CHECK_EQ(sym_size(&t, "nr_online_nodes"), 4);
    CHECK_EQ(sym_size(&t, "ncpus"), 4);
    emu_symtab_free(&t);
    free(elf);
}

/* ---- damaged or missing state: error lines, no crash ----------------------------------- */

static char text[1 << 20];

static int report(emu_machine *m, const char *name)
{
    int n = emu_machine_report(m, name, text, sizeof text);
    CHECK(n >= 0 && (size_t)n < sizeof text);
    return n;
}

static bool has(const char *needle) { return strstr(text, needle) != NULL; }

static emu_machine *machine(const char *kernel, const char *cmdline, bool run)
{
    emu_config cfg;
    char err[256];

    emu_config_init(&cfg);
    cfg.kernel_path = kernel;
    cfg.ram_bytes = 64ull << 20;
    cfg.ncpus = 1;
    cfg.cmdline = cmdline;
    cfg.max_insns = 200000000;
    emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
    CHECK(m != NULL);
    if (!m)
        fprintf(stderr, "%s\n", err);
    else if (run)
        CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
    return m;
}

/* The guest RAM behind a kernel global's address. */
static uint8_t *global(emu_machine *m, const char *name)
{
    const emu_symbol *s = emu_symtab_by_name(&m->syms, name);
    CHECK(s != NULL);
    return s ? emu_phys_ptr(m, s->addr - 0xC0000000u, s->size) : NULL;
}

static void missing_state(void)
{
    emu_page_info pi;
    emu_machine *m;

    /* A kernel without mm: every report says what is missing. */
    m = machine(PAGELAB_TEST_KERNELS "/spin.elf", "", false);
    if (m) {
        for (unsigned i = 0; emu_report_name(i); i++) {
            report(m, emu_report_name(i));
            CHECK(strncmp(text, "introspect: ", 12) == 0);
        }
        CHECK_EQ(emu_machine_page_info(m, 0, &pi), -1);
        CHECK_EQ(emu_machine_report(m, "meminfo", text, sizeof text), -1);
        CHECK(has("unknown report 'meminfo'"));
        emu_machine_destroy(m);
    }
    /* The pagelab kernel before it ran: paging off. */
    m = machine(MAIN_KERNEL, "", false);
    if (m) {
        report(m, "buddyinfo");
        CHECK(has("introspect: paging is off"));
        emu_machine_destroy(m);
    }
}

static void damaged_state(void)
{
    emu_page_info pi;
    emu_machine *m = machine(MAIN_KERNEL, "selftest=vmalloc", true);
    pg_data_t nd;
    uint8_t *p;

    if (!m)
        return;
    /* Intact: no error line, and one struct page decoded. */
    for (unsigned i = 0; emu_report_name(i); i++) {
        report(m, emu_report_name(i));
        CHECK(!has("introspect:"));
    }
    report(m, "buddyinfo");
    CHECK(strncmp(text, "Node 0, zone      DMA ", 22) == 0);
    CHECK_EQ(emu_machine_page_info(m, 0x1000, &pi), 0);
    CHECK_EQ(pi.zone, ZONE_NORMAL);
    CHECK_EQ(pi.node, 0);
    CHECK_EQ(emu_machine_page_info(m, 0x7fffffff, &pi), -1);
    {
        /* snprintf-like truncation: 7 characters kept, the whole length returned */
        char small[8];
        int full = report(m, "buddyinfo");
        CHECK_EQ(emu_machine_report(m, "buddyinfo", small, sizeof small), full);
        CHECK(strcmp(small, "Node 0,") == 0);
    }

    /* A free list naming a pfn beyond max_pfn, and one that loops. */
    p = global(m, "node_data");
    if (p) {
        pg_data_t *live = (pg_data_t *)p;
        struct zone *z = &live->node_zones[ZONE_NORMAL];
        uint32_t first = MM_NIL;
        unsigned o, t = 0;

        memcpy(&nd, p, sizeof nd);
        for (o = 0; o < MAX_ORDER && first == MM_NIL; o++)
            for (t = 0; t < MIGRATE_TYPES && first == MM_NIL; t++)
                first = z->free_area[o].free_list[t].first;
        z->free_area[0].free_list[MIGRATE_RECLAIMABLE].first = 0x7ffffff0u;
        report(m, "pagetypeinfo");
        CHECK(has("beyond max_pfn"));
        CHECK(first != MM_NIL);
        if (first != MM_NIL) {
            uint32_t mem_map;
            memcpy(&mem_map, global(m, "mem_map"), 4);
            struct page *pg = (struct page *)emu_phys_ptr(m, mem_map - 0xC0000000u + first * 36ull, 36);
            CHECK(pg != NULL);
            if (pg) {
                uint32_t saved = pg->lru.next;
                pg->lru.next = first;           /* a list that never ends */
                report(m, "pagetypeinfo");
                CHECK(has("cycle?"));
                pg->lru.next = saved;
            }
        }
        memcpy(p, &nd, sizeof nd);
        /* nr_online_nodes out of range */
        uint8_t *nn = global(m, "nr_online_nodes");
        if (nn) {
            uint32_t saved, bad = 77;
            memcpy(&saved, nn, 4);
            memcpy(nn, &bad, 4);
            report(m, "zoneinfo");
            CHECK(has("introspect: nr_online_nodes is 77"));
            memcpy(nn, &saved, 4);
        }
    }
    /* mem_map pointing at nothing mapped. */
    p = global(m, "mem_map");
    if (p) {
        uint32_t saved, bad = 0x00001000u;
        memcpy(&saved, p, 4);
        memcpy(p, &bad, 4);
        report(m, "pagetypeinfo");
        CHECK(has("cannot read struct page"));
        memcpy(p, &saved, 4);
    }
    /* A slab list through a descriptor outside RAM. */
    p = global(m, "kmem_caches");
    if (p) {
        struct kmem_cache *k = (struct kmem_cache *)p;
        uint32_t saved = k[0].slabs_full.first;
        k[0].slabs_full.first = 0xfff00000u;
        report(m, "slabinfo");
        CHECK(has("cannot read the slab descriptor at physical 0xfff00000"));
        k[0].slabs_full.first = saved;
    }
    /* A vmap tree whose root is out of range. */
    p = global(m, "vms");
    if (p) {
        struct vmap_tree *t = (struct vmap_tree *)(p + 9 * 4 + VMAP_MAX_AREAS * 16);
        uint32_t saved = t->root;
        t->root = 5000;
        report(m, "vmallocinfo");
        CHECK(has("vmap tree: root 5000 out of range"));
        t->root = saved;
    }
    for (unsigned i = 0; emu_report_name(i); i++) {
        report(m, emu_report_name(i));
        CHECK(!has("introspect:"));
    }
    emu_machine_destroy(m);
}

int main(void)
{
    layout_runtime();
    kernel_globals();
    missing_state();
    damaged_state();
    return unit_done();
}
