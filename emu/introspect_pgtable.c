/* emu/introspect_pgtable.c - a CPU's page tables as the host reads them
 * (machine.h: emu_machine_walk_mappings, emu_machine_format_page_tables).
 * A read-only two-level walk (4 KiB pages and PSE 4 MiB pages, no PAE):
 * no accessed or dirty bit is set, no guest code runs.  Consecutive
 * present entries whose virtual and physical addresses both continue and
 * whose attributes are equal are merged into one run. */
#include <stdio.h>
#include <string.h>

#include "machine_priv.h"

#define PTE_P  0x001u
#define PDE_PS 0x080u
#define CR4_PSE 0x10u
#define ATTR_MASK (EMU_MAP_RW | EMU_MAP_USER | EMU_MAP_PWT | EMU_MAP_PCD | EMU_MAP_GLOBAL)

/* The walk's state: the run being grown. */
typedef struct walk {
    emu_mapping cur;
    bool open;
    unsigned runs;
    emu_mapping_fn fn;
    void *ctx;
} walk;

/* Attributes of an entry (the PDE's rights combine with the PTE's). */
static uint32_t attrs(uint32_t pde, uint32_t pte)
{
    uint32_t a = pte & (EMU_MAP_PWT | EMU_MAP_PCD | EMU_MAP_GLOBAL);

    a |= (pde & pte) & (EMU_MAP_RW | EMU_MAP_USER);
    return a;
}

static void flush_run(walk *w)
{
    if (w->open) {
        w->fn(w->ctx, &w->cur);
        w->runs++;
        w->open = false;
    }
}

/* Adds [va, va + size) -> pa with attributes a (large: a PSE page). */
static void add(walk *w, uint32_t va, uint64_t pa, uint64_t size, uint32_t a, bool large)
{
    emu_mapping *c = &w->cur;

    if (w->open && c->vend == va && c->pstart + (c->vend - c->vstart) == pa &&
        c->flags == a && c->large == large) {
        c->vend = va + size;
        return;
    }
    flush_run(w);
    *c = (emu_mapping){ .vstart = va, .vend = va + size, .pstart = pa, .flags = a, .large = large };
    w->open = true;
}

/* Walks one page table (the PDE's). */
static void walk_table(const emu_machine *m, walk *w, uint32_t base_va, uint32_t pde)
{
    const uint32_t *pt = (const uint32_t *)emu_phys_ptr(m, pde & ~0xfffu, 4096);

    if (!pt) {
        flush_run(w);
        return;
    }
    for (uint32_t j = 0; j < 1024; j++) {
        if (!(pt[j] & PTE_P)) {
            flush_run(w);
            continue;
        }
        add(w, base_va + (j << 12), pt[j] & ~0xfffu, 4096, attrs(pde, pt[j]), false);
    }
}

int emu_machine_walk_mappings(const emu_machine *m, unsigned cpu, emu_mapping_fn fn, void *ctx)
{
    walk w = { .fn = fn, .ctx = ctx };
    const uint32_t *pd;
    uint32_t cr0, cr3, cr4;

    if (cpu >= m->ncpus)
        return -1;
    cr0 = emu_reg(&m->cpu[cpu], UC_X86_REG_CR0);
    cr3 = emu_reg(&m->cpu[cpu], UC_X86_REG_CR3);
    cr4 = emu_reg(&m->cpu[cpu], UC_X86_REG_CR4);
    pd = (const uint32_t *)emu_phys_ptr(m, cr3 & ~0xfffu, 4096);
    if (!(cr0 & 0x80000000u) || !pd)
        return -1;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t va = i << 22;

        if (!(pd[i] & PTE_P))
            flush_run(&w);
        else if ((pd[i] & PDE_PS) && (cr4 & CR4_PSE))
            add(&w, va, pd[i] & 0xffc00000u, 4u << 20, attrs(pd[i], pd[i]), true);
        else
            walk_table(m, &w, va, pd[i]);
    }
    flush_run(&w);
    return (int)w.runs;
}

/* The text formatter's state. */
typedef struct fmt {
    char *buf;
    size_t len, used;
} fmt;

/* One line of emu_machine_format_page_tables (format in machine.h). */
static void format_run(void *ctx, const emu_mapping *r)
{
    fmt *f = ctx;
    uint64_t size = (r->vend ? (uint64_t)r->vend : 1ull << 32) - r->vstart;
    char sz[24];
    int n;

    if (size % (1u << 20) == 0)
        snprintf(sz, sizeof sz, "%lluM", (unsigned long long)(size >> 20));
    else
        snprintf(sz, sizeof sz, "%lluK", (unsigned long long)(size >> 10));
    n = snprintf(f->buf + (f->used < f->len ? f->used : f->len), f->used < f->len ? f->len - f->used : 0,
                 "0x%08x-0x%08x -> 0x%08llx %7s %s %s %s %s %s %s\n", r->vstart, r->vend,
                 (unsigned long long)r->pstart, sz, (r->flags & EMU_MAP_RW) ? "RW" : "ro",
                 (r->flags & EMU_MAP_USER) ? "USR" : "   ", (r->flags & EMU_MAP_PWT) ? "PWT" : "   ",
                 (r->flags & EMU_MAP_PCD) ? "PCD" : "   ", (r->flags & EMU_MAP_GLOBAL) ? "GLB" : "   ",
                 r->large ? "pde" : "pte");
    f->used += n > 0 ? (size_t)n : 0;
}

int emu_machine_format_page_tables(const emu_machine *m, unsigned cpu, char *buf, size_t len)
{
    fmt f = { buf, len, 0 };

    if (len)
        buf[0] = '\0';
    if (emu_machine_walk_mappings(m, cpu, format_run, &f) < 0) {
        snprintf(buf, len, "CPU %u: paging is off or CR3 is not in RAM\n", cpu);
        return -1;
    }
    return (int)f.used;
}
