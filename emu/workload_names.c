/* emu/workload_names.c - names of the workload ring's operations and
 * statuses, and the gfp mask parser (machine.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"
#include "gfp.h"

static const char *const op_names[WL_OP_COUNT] = {
    [WL_OP_NOP] = "nop",
    [WL_OP_ALLOC_PAGES] = "alloc_pages",         [WL_OP_FREE_PAGES] = "free_pages",
    [WL_OP_KMALLOC] = "kmalloc",                 [WL_OP_KFREE] = "kfree",
    [WL_OP_CACHE_CREATE] = "kmem_cache_create",  [WL_OP_CACHE_ALLOC] = "kmem_cache_alloc",
    [WL_OP_CACHE_FREE] = "kmem_cache_free",      [WL_OP_CACHE_DESTROY] = "kmem_cache_destroy",
    [WL_OP_VMALLOC] = "vmalloc",                 [WL_OP_VZALLOC] = "vzalloc",
    [WL_OP_VFREE] = "vfree",                     [WL_OP_VMAP] = "vmap",
    [WL_OP_VUNMAP] = "vunmap",                   [WL_OP_KMAP] = "kmap",
    [WL_OP_KUNMAP] = "kunmap",                   [WL_OP_KMAP_ATOMIC] = "kmap_atomic",
    [WL_OP_TOUCH] = "touch",                     [WL_OP_DRAIN_PCP] = "drain_pcp",
    [WL_OP_CHECK] = "check",                     [WL_OP_REPORT] = "report",
    [WL_OP_ALLOC_FREE_PAGES] = "alloc_free_pages",
    [WL_OP_KMALLOC_KFREE] = "kmalloc_kfree",
    [WL_OP_VMALLOC_VFREE] = "vmalloc_vfree",
    [WL_OP_INFO] = "info",
    [WL_OP_TOUCH_LOOP] = "touch_loop",
};

const char *emu_wl_op_name(unsigned op)
{
    return op < WL_OP_COUNT ? op_names[op] : NULL;
}

int emu_wl_op_lookup(const char *name)
{
    for (unsigned i = 0; i < WL_OP_COUNT; i++)
        if (op_names[i] && strcmp(op_names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *emu_wl_status_name(int32_t status)
{
    switch (status) {
    case WL_OK:        return "OK";
    case WL_EIO:       return "EIO";
    case WL_EBADF:     return "EBADF";
    case WL_ENOMEM:    return "ENOMEM";
    case WL_EBUSY:     return "EBUSY";
    case WL_ENODEV:    return "ENODEV";
    case WL_EINVAL:    return "EINVAL";
    case WL_ENOSPC:    return "ENOSPC";
    case WL_ENOSYS:    return "ENOSYS";
    case WL_ESTALE:    return "ESTALE";
    case WL_ECANCELED: return "ECANCELED";
    default:           return "E?";
    }
}

static const struct { const char *name; uint32_t mask; } gfp_names[] = {
#define G(x) { #x, x }
    G(GFP_ATOMIC), G(GFP_NOIO), G(GFP_NOFS), G(GFP_KERNEL), G(GFP_USER),
    G(GFP_HIGHUSER), G(GFP_HIGHUSER_MOVABLE), G(GFP_DMA),
    G(__GFP_DMA), G(__GFP_HIGHMEM), G(__GFP_DMA32), G(__GFP_MOVABLE), G(__GFP_WAIT),
    G(__GFP_HIGH), G(__GFP_IO), G(__GFP_FS), G(__GFP_COLD), G(__GFP_NOWARN),
    G(__GFP_REPEAT), G(__GFP_NOFAIL), G(__GFP_NORETRY), G(__GFP_COMP), G(__GFP_ZERO),
    G(__GFP_NOMEMALLOC), G(__GFP_HARDWALL), G(__GFP_THISNODE), G(__GFP_RECLAIMABLE),
#undef G
};

/* One word of a gfp expression: a name or a number. */
static int gfp_word(const char *w, size_t n, uint32_t *out)
{
    char buf[32], *end;
    unsigned long v;

    for (size_t i = 0; i < sizeof gfp_names / sizeof gfp_names[0]; i++)
        if (strlen(gfp_names[i].name) == n && strncmp(gfp_names[i].name, w, n) == 0) {
            *out = gfp_names[i].mask;
            return 0;
        }
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, w, n);
    buf[n] = '\0';
    errno = 0;
    v = strtoul(buf, &end, 0);
    if (errno || *end || buf[0] == '-' || v > 0xffffffffu)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int emu_wl_parse_gfp(const char *s, uint32_t *out, char *err, size_t errlen)
{
    uint32_t mask = 0, v;

    for (;;) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, "| ");
        if (gfp_word(s, n, &v)) {
            snprintf(err, errlen, "unknown gfp flag '%.*s' (GFP_KERNEL, __GFP_ZERO, ... or a number)",
                     (int)(n ? n : strlen(s)), s);
            return -1;
        }
        mask |= v;
        s += n;
        while (*s == ' ')
            s++;
        if (*s != '|')
            break;
        s++;
    }
    if (*s) {
        snprintf(err, errlen, "unexpected '%s' in gfp mask", s);
        return -1;
    }
    *out = mask;
    return 0;
}
