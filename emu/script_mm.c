/* emu/script_mm.c - the `mm` module: the guest's memory-management
 * operations as Lua functions (argument checking and request building; see
 * script_mm_run.c for running them).  mm.try holds the same functions
 * returning failures instead of raising them. */
#include <stdio.h>
#include <string.h>

#include "script_priv.h"

#define COUNT_MAX 100000

/* Reads the options table at arg (nil or absent: defaults).  Unknown keys
 * are errors, so that a typo does not pass silently. */
void script_mm_get_opts(lua_State *L, int arg, script_mm_opts_t *o)
{
    static const char *const keys[] = { "cpu", "count", "node", "align", "flags", "pattern", NULL };
    emu_script *s = script_of(L);
    *o = (script_mm_opts_t){ .cpu = script_current_cpu(L), .node = -1 };
    if (lua_isnoneornil(L, arg))
        return;
    luaL_checktype(L, arg, LUA_TTABLE);
    for (lua_pushnil(L); lua_next(L, arg); lua_pop(L, 1)) {
        int k = 0;
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        while (keys[k] && strcmp(keys[k], key))
            k++;
        if (!keys[k])
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", key));
        lua_Integer v;
        if (!lua_isinteger(L, -1))
            luaL_argerror(L, arg, lua_pushfstring(L, "option %s must be an integer", keys[k]));
        v = lua_tointeger(L, -1);
        lua_Integer hi[] = { (lua_Integer)s->ncpus - 1, COUNT_MAX, 255, 1 << 20, 0xffffffff, 0xffffffff };
        lua_Integer lo[] = { 0, 1, 0, 0, 0, 0 };
        if (v < lo[k] || v > hi[k])
            luaL_argerror(L, arg, lua_pushfstring(L, "option %s must be %I to %I", keys[k], lo[k], hi[k]));
        switch (k) {
        case 0: o->cpu = (int)v; break;
        case 1: o->count = v; break;
        case 2: o->node = v; break;
        case 3: o->align = v; break;
        case 4: o->flags = v; break;
        default: o->pattern = v; break;
        }
    }
}

/* The gfp mask at arg: a string ("GFP_KERNEL|__GFP_ZERO"), a number, or
 * absent (GFP_KERNEL).  Its text goes into text for messages. */
uint32_t script_mm_gfp(lua_State *L, int arg, char *text, size_t len)
{
    uint32_t gfp;
    char err[160];
    if (lua_isnoneornil(L, arg)) {
        snprintf(text, len, "GFP_KERNEL");
        if (emu_wl_parse_gfp("GFP_KERNEL", &gfp, err, sizeof err))
            luaL_error(L, "%s", err);
        return gfp;
    }
    if (lua_isinteger(L, arg)) {
        gfp = (uint32_t)script_check_range(L, arg, "gfp", 0, 0xffffffff);
        snprintf(text, len, "0x%x", (unsigned)gfp);
        return gfp;
    }
    const char *s = luaL_checkstring(L, arg);
    if (emu_wl_parse_gfp(s, &gfp, err, sizeof err))
        luaL_argerror(L, arg, err);
    snprintf(text, len, "%s", s);
    return gfp;
}

/* True if the function was called through mm.try. */
bool script_mm_try(lua_State *L)
{
    return lua_toboolean(L, lua_upvalueindex(1));
}

void script_mm_need_ring(lua_State *L)
{
    if (!emu_wl_ready(script_of(L)->m))
        luaL_error(L, "mm: the kernel does not serve workload requests (boot option `workload`)");
}

/* A pending call of o->count (or 1) copies of request r, on o->cpu. */
int script_mm_submit_copies(lua_State *L, const script_mm_opts_t *o, const emu_wl_req *r,
                         enum script_result_kind kind, const char *what)
{
    script_mm_need_ring(L);
    size_t n = o->count ? (size_t)o->count : 1;
    script_pending *p = script_pending_new(L, n);
    p->cpu = (unsigned)o->cpu;
    p->try_mode = script_mm_try(L);
    p->many = o->count != 0;
    p->kind = kind;
    snprintf(p->what, sizeof p->what, "%s", what);
    for (size_t i = 0; i < n; i++) {
        p->req[i] = *r;
        p->req[i].flags |= p->try_mode ? 0 : WL_F_STOP_ON_ERROR;
    }
    return script_pending_submit(L, p);
}

/* ---- allocations ------------------------------------------------------------ */

/* mm.alloc_pages(order [, gfp] [, opts{cpu, count, node}]) -> handle, pfn */
static int mm_alloc_pages(lua_State *L)
{
    char gfp_text[80], what[112];
    script_mm_opts_t o;
    uint32_t order = (uint32_t)script_check_range(L, 1, "order", 0, 31);
    uint32_t gfp = script_mm_gfp(L, 2, gfp_text, sizeof gfp_text);
    script_mm_get_opts(L, 3, &o);
    snprintf(what, sizeof what, "alloc_pages(%u, %s)", (unsigned)order, gfp_text);
    emu_wl_req r = { .op = WL_OP_ALLOC_PAGES, .arg = { order, gfp, (uint32_t)o.node } };
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_HANDLE, what);
}

/* mm.kmalloc(size [, gfp] [, opts{cpu, count}]) -> handle, address */
static int mm_kmalloc(lua_State *L)
{
    char gfp_text[80], what[112];
    script_mm_opts_t o;
    uint32_t size = (uint32_t)script_check_range(L, 1, "size", 0, 0xffffffff);
    uint32_t gfp = script_mm_gfp(L, 2, gfp_text, sizeof gfp_text);
    script_mm_get_opts(L, 3, &o);
    snprintf(what, sizeof what, "kmalloc(%u, %s)", (unsigned)size, gfp_text);
    emu_wl_req r = { .op = WL_OP_KMALLOC, .arg = { size, gfp } };
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_HANDLE, what);
}

/* mm.kmem_cache_alloc(cache [, gfp] [, opts{cpu, count}]) -> handle, address */
static int mm_cache_alloc(lua_State *L)
{
    char gfp_text[80], what[112];
    script_mm_opts_t o;
    uint32_t cache = (uint32_t)script_check_range(L, 1, "cache handle", 1, 0xffffffff);
    uint32_t gfp = script_mm_gfp(L, 2, gfp_text, sizeof gfp_text);
    script_mm_get_opts(L, 3, &o);
    snprintf(what, sizeof what, "kmem_cache_alloc(0x%08x, %s)", (unsigned)cache, gfp_text);
    emu_wl_req r = { .op = WL_OP_CACHE_ALLOC, .arg = { cache, gfp } };
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_HANDLE, what);
}

/* vmalloc / vzalloc (size [, opts{cpu, count}]) -> handle, address */
static int vmalloc_op(lua_State *L, uint32_t op)
{
    char what[112];
    script_mm_opts_t o;
    uint32_t size = (uint32_t)script_check_range(L, 1, "size", 0, 0xffffffff);
    script_mm_get_opts(L, 2, &o);
    snprintf(what, sizeof what, "%s(%u)", emu_wl_op_name(op), (unsigned)size);
    emu_wl_req r = { .op = op, .arg = { size } };
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_HANDLE, what);
}

static int mm_vmalloc(lua_State *L) { return vmalloc_op(L, WL_OP_VMALLOC); }
static int mm_vzalloc(lua_State *L) { return vmalloc_op(L, WL_OP_VZALLOC); }

/* mm.kmem_cache_create(name, size [, opts{cpu, align, flags}]) -> handle */
static int mm_cache_create(lua_State *L)
{
    char what[112];
    script_mm_opts_t o;
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, len > 0 && len < WL_NAME_MAX && !memchr(name, 0, len), 1,
                  "name must be 1 to 23 bytes");
    uint32_t size = (uint32_t)script_check_range(L, 2, "size", 1, 0xffffffff);
    script_mm_get_opts(L, 3, &o);
    luaL_argcheck(L, !o.count, 3, "kmem_cache_create takes no count");
    script_mm_need_ring(L);
    script_pending *p = script_pending_new(L, 1);
    p->cpu = (unsigned)o.cpu;
    p->try_mode = script_mm_try(L);
    p->kind = SCRIPT_R_HANDLE;
    snprintf(what, sizeof what, "kmem_cache_create(\"%s\", %u)", name, (unsigned)size);
    snprintf(p->what, sizeof p->what, "%s", what);
    memcpy(p->name, name, len + 1);
    p->req[0] = (emu_wl_req){ .op = WL_OP_CACHE_CREATE, .name = p->name,
                              .arg = { size, (uint32_t)o.align, (uint32_t)o.flags } };
    return script_pending_submit(L, p);
}

static const luaL_Reg alloc_ops[] = {
    { "alloc_pages", mm_alloc_pages }, { "kmalloc", mm_kmalloc },
    { "kmem_cache_create", mm_cache_create }, { "kmem_cache_alloc", mm_cache_alloc },
    { "vmalloc", mm_vmalloc }, { "vzalloc", mm_vzalloc }, { NULL, NULL } };

/* Adds the guest operations to the table on top, each with upvalue `try`. */
static void add_ops(lua_State *L, bool try)
{
    lua_pushboolean(L, try);
    luaL_setfuncs(L, alloc_ops, 1);
    lua_pushboolean(L, try);
    luaL_setfuncs(L, script_mm_ops, 1);
}

/* The global mm: the operations (raising on failure), mm.try (the same,
 * returning failures), and the helpers. */
void script_open_mm(lua_State *L)
{
    script_open_pending(L);
    lua_newtable(L);
    add_ops(L, false);
    luaL_setfuncs(L, script_mm_plain, 0);
    lua_newtable(L);
    add_ops(L, true);
    lua_setfield(L, -2, "try");
    lua_setglobal(L, "mm");
}
