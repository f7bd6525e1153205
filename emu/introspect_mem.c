/* emu/introspect_mem.c - guest memory for the introspection: kernel
 * virtual addresses through CPU 0's page tables (read-only walk: no
 * accessed bits set), physical RAM, kernel globals by symbol, and the text
 * buffer reports are written to.  See introspect.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"

#define CR0_PG 0x80000000u

/* ---- the text buffer ------------------------------------------------------ */

void ik_printf(ik_text *t, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    if (t->oom)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (t->len + (size_t)n + 1 > cap)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->oom = true;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    if ((size_t)n < sizeof small) {
        memcpy(t->buf + t->len, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    t->len += (size_t)n;
}

/* ---- the context ------------------------------------------------------------ */

void ik_init(ik_ctx *c, emu_machine *m, ik_text *out)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->out = out;
    c->cr0 = emu_reg(&m->cpu[0], UC_X86_REG_CR0);
    c->cr3 = emu_reg(&m->cpu[0], UC_X86_REG_CR3);
    c->cr4 = emu_reg(&m->cpu[0], UC_X86_REG_CR4);
}

void ik_error(ik_ctx *c, const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ik_printf(&c->errs, "introspect: %s\n", line);
    c->errors++;
}

/* ---- reads -------------------------------------------------------------------- */

int ik_read_phys(ik_ctx *c, uint64_t paddr, void *buf, size_t len)
{
    const uint8_t *p = emu_phys_ptr(c->m, paddr, len);

    if (!p)
        return -1;
    memcpy(buf, p, len);
    return 0;
}

int ik_read_virt(ik_ctx *c, uint32_t vaddr, void *buf, size_t len)
{
    uint8_t *out = buf;

    if (!(c->cr0 & CR0_PG))
        return -1;                 /* the kernel's addresses mean nothing yet */
    if ((uint64_t)vaddr + len > 0x100000000ull)
        return -1;
    while (len) {
        size_t chunk = EMU_PAGE_SIZE - (vaddr & (EMU_PAGE_SIZE - 1));
        uint64_t pa = 0;
        uint32_t err = 0;

        if (chunk > len)
            chunk = len;
        /* acc 0: a supervisor read that sets no accessed bit */
        if (emu_mmu_translate(c->m, c->cr0, c->cr3, c->cr4, vaddr, 0, &pa, &err) < 0 ||
            ik_read_phys(c, pa, out, chunk) < 0)
            return -1;
        out += chunk;
        vaddr += (uint32_t)chunk;
        len -= chunk;
    }
    return 0;
}

uint32_t ik_global_addr(ik_ctx *c, const char *name, uint32_t *size)
{
    const emu_symbol *s = emu_symtab_by_name(&c->m->syms, name);

    if (!s) {
        ik_error(c, "the kernel has no symbol '%s'", name);
        return 0;
    }
    if (size)
        *size = s->size;
    return s->addr;
}

int ik_read_global(ik_ctx *c, const char *name, void *buf, size_t size)
{
    uint32_t have = 0, addr = ik_global_addr(c, name, &have);

    if (!addr)
        return -1;
    if (have != size) {
        ik_error(c, "'%s' is %u bytes in the kernel, the host's headers say %zu", name, have, size);
        return -1;
    }
    if (ik_read_virt(c, addr, buf, size) < 0) {
        ik_error(c, "cannot read '%s' at 0x%08x through CPU 0's page tables (CR0 0x%08x, CR3 0x%08x)",
                 name, addr, c->cr0, c->cr3);
        return -1;
    }
    return 0;
}

/* ---- mm's globals ----------------------------------------------------------- */

int ik_load_mm(ik_ctx *c)
{
    int32_t ncpus = 0;
    uint32_t size = 0;

    if (!(c->cr0 & CR0_PG)) {
        ik_error(c, "paging is off on CPU 0: the kernel's memory manager is not set up");
        return -1;
    }
    if (ik_read_global(c, "nr_online_nodes", &c->nr_online_nodes, sizeof c->nr_online_nodes) ||
        ik_read_global(c, "max_pfn", &c->max_pfn, sizeof c->max_pfn) ||
        ik_read_global(c, "max_low_pfn", &c->max_low_pfn, sizeof c->max_low_pfn) ||
        ik_read_global(c, "mem_map", &c->mem_map, sizeof c->mem_map) ||
        ik_read_global(c, "node_data", c->node_data, sizeof c->node_data))
        return -1;
    if (c->nr_online_nodes == 0) {
        ik_error(c, "the memory manager is not set up yet (nr_online_nodes is 0)");
        return -1;
    }
    if (c->nr_online_nodes > MAX_NUMNODES) {
        ik_error(c, "nr_online_nodes is %u (at most %d)", c->nr_online_nodes, MAX_NUMNODES);
        return -1;
    }
    if (c->max_pfn > (uint32_t)(c->m->ram_size >> 12) + 1u || c->max_low_pfn > c->max_pfn) {
        ik_error(c, "max_pfn %u / max_low_pfn %u do not fit %llu MiB of RAM", c->max_pfn, c->max_low_pfn,
                 (unsigned long long)(c->m->ram_size >> 20));
        return -1;
    }
    if (!c->mem_map) {
        ik_error(c, "mem_map is NULL");
        return -1;
    }
    /* The guest's arch_nr_cpus(): ncpus, at least 1; the machine's count if
     * the kernel has no such variable. */
    c->nr_cpus = c->m->ncpus;
    if (emu_symtab_by_name(&c->m->syms, "ncpus")) {
        (void)ik_global_addr(c, "ncpus", &size);
        if (size == sizeof ncpus && ik_read_global(c, "ncpus", &ncpus, sizeof ncpus) == 0)
            c->nr_cpus = ncpus > 0 ? (unsigned)ncpus : 1u;
    }
    return 0;
}

int ik_page(ik_ctx *c, uint32_t pfn, struct page *p)
{
    uint64_t va = (uint64_t)c->mem_map + (uint64_t)pfn * sizeof *p;

    if (pfn >= c->max_pfn || va + sizeof *p > 0x100000000ull)
        return -1;
    return ik_read_virt(c, (uint32_t)va, p, sizeof *p);
}
