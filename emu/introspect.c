/* emu/introspect.c - the public side of the introspection (machine.h):
 * the table of reports, emu_machine_report and emu_machine_page_info. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"

static const struct {
    const char *name;
    void (*run)(ik_ctx *c);
} reports[] = {
    { "buddyinfo", ik_report_buddyinfo },
    { "pagetypeinfo", ik_report_pagetypeinfo },
    { "zoneinfo", ik_report_zoneinfo },
    { "vmallocinfo", ik_report_vmallocinfo },
    { "slabinfo", ik_report_slabinfo },
};

#define NR_REPORTS (sizeof reports / sizeof reports[0])

const char *emu_report_name(unsigned i)
{
    return i < NR_REPORTS ? reports[i].name : NULL;
}

bool emu_report_known(const char *name)
{
    for (unsigned i = 0; i < NR_REPORTS; i++)
        if (!strcmp(reports[i].name, name))
            return true;
    return false;
}

/* Copies s into buf as snprintf would and returns strlen(s). */
static int put(char *buf, size_t len, const char *s, size_t n)
{
    if (len) {
        size_t k = n < len - 1 ? n : len - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
    }
    return n > (size_t)0x7fffffff ? 0x7fffffff : (int)n;
}

int emu_machine_report(emu_machine *m, const char *name, char *buf, size_t len)
{
    ik_text out = { 0 };
    ik_ctx *c;
    int r;

    for (unsigned i = 0; i < NR_REPORTS; i++) {
        if (strcmp(reports[i].name, name))
            continue;
        c = calloc(1, sizeof *c);
        if (!c)
            return put(buf, len, "introspect: out of host memory\n", 31);
        ik_init(c, m, &out);
        reports[i].run(c);
        if (c->errs.len)
            ik_printf(&out, "%s", c->errs.buf);
        if (out.oom || c->errs.oom)
            r = put(buf, len, "introspect: out of host memory\n", 31);
        else
            r = put(buf, len, out.buf ? out.buf : "", out.len);
        free(c->errs.buf);
        free(c);
        free(out.buf);
        return r;
    }
    if (len)
        snprintf(buf, len, "unknown report '%s'", name);
    return -1;
}

int emu_machine_page_info(emu_machine *m, uint32_t pfn, emu_page_info *out)
{
    ik_text sink = { 0 };
    struct page p, first;
    ik_ctx *c = calloc(1, sizeof *c);
    int r = -1;

    memset(out, 0, sizeof *out);
    if (!c)
        return -1;
    ik_init(c, m, &sink);
    if (ik_load_mm(c) == 0 && ik_page(c, pfn, &p) == 0 &&
        ik_page(c, pfn & ~(pageblock_nr_pages - 1), &first) == 0) {
        out->pfn = pfn;
        out->flags = p.flags & ((1u << PAGE_ZONE_SHIFT) - 1);
        out->refcount = p._refcount;
        out->mapcount = p._mapcount;
        out->private_ = p.private;
        out->mapping = p.mapping;
        out->index = p.index;
        out->lru_next = p.lru.next;
        out->lru_prev = p.lru.prev;
        out->virtual_ = p.virtual;
        out->zone = (p.flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT;
        out->node = (p.flags & PAGE_NODE_MASK) >> PAGE_NODE_SHIFT;
        out->pageblock_migratetype = (first.flags & PAGE_PBMT_MASK) >> PAGE_PBMT_SHIFT;
        r = 0;
    }
    free(sink.buf);
    free(c->errs.buf);
    free(c);
    return r;
}
