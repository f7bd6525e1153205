/* emu/script_mm_ops.c - the mm operations that take handles (frees, kmap,
 * touch, touch_loop, vmap), the pair operations (alloc+free repeated in the
 * guest) and the rest (drain, check, guest reports, info, costs). */
#include <stdio.h>
#include <string.h>

#include "pmu.h"
#include "script_priv.h"

#define PAIR_REPEAT_MAX 10000000

/* The handles at arg: one integer, or an array of them (false entries,
 * failures of mm.try calls, are skipped).  Returns how many; with out,
 * stores them. */
static size_t read_handles(lua_State *L, int arg, uint32_t *out)
{
    if (!lua_istable(L, arg)) {
        uint32_t h = (uint32_t)script_check_range(L, arg, "handle", 1, 0xffffffff);
        if (out)
            out[0] = h;
        return 1;
    }
    size_t n = 0;
    lua_Integer len = luaL_len(L, arg);
    for (lua_Integer i = 1; i <= len; i++) {
        int t = lua_geti(L, arg, i);
        if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        lua_Integer h = lua_tointeger(L, -1);
        if (!lua_isinteger(L, -1) || h < 1 || h > 0xffffffff)
            luaL_argerror(L, arg, lua_pushfstring(L, "element %I is not a handle", i));
        if (out)
            out[n] = (uint32_t)h;
        n++;
        lua_pop(L, 1);
    }
    return n;
}

/* One request of op per handle at arg (a1 = arg[1]); opts at arg + 1. */
static int submit_handles(lua_State *L, uint32_t op, enum script_result_kind kind, uint32_t a1)
{
    script_mm_opts_t o;
    script_mm_get_opts(L, 2, &o);
    luaL_argcheck(L, !o.count, 2, "handle operations take a handle or an array, not count");
    script_mm_need_ring(L);
    size_t n = read_handles(L, 1, NULL);
    script_pending *p = script_pending_new(L, n);
    uint32_t *h = (uint32_t *)p->res;   /* scratch: results are written later */
    read_handles(L, 1, h);
    for (size_t i = n; i-- > 0;)
        p->req[i] = (emu_wl_req){ .op = op, .arg = { h[i], a1 } };
    memset(p->res, 0, n * sizeof *p->res);
    p->cpu = (unsigned)o.cpu;
    p->try_mode = script_mm_try(L);
    p->many = lua_istable(L, 1);
    p->kind = kind;
    p->handle_arg = true;
    for (size_t i = 0; i < n; i++)
        p->req[i].flags = p->try_mode ? 0 : WL_F_STOP_ON_ERROR;
    snprintf(p->what, sizeof p->what, "%s", emu_wl_op_name(op));
    return script_pending_submit(L, p);
}

static int mm_free_pages(lua_State *L) { return submit_handles(L, WL_OP_FREE_PAGES, SCRIPT_R_NONE, 0); }
static int mm_kfree(lua_State *L) { return submit_handles(L, WL_OP_KFREE, SCRIPT_R_NONE, 0); }
static int mm_cache_free(lua_State *L) { return submit_handles(L, WL_OP_CACHE_FREE, SCRIPT_R_NONE, 0); }
static int mm_cache_destroy(lua_State *L) { return submit_handles(L, WL_OP_CACHE_DESTROY, SCRIPT_R_NONE, 0); }
static int mm_vfree(lua_State *L) { return submit_handles(L, WL_OP_VFREE, SCRIPT_R_NONE, 0); }
static int mm_vunmap(lua_State *L) { return submit_handles(L, WL_OP_VUNMAP, SCRIPT_R_NONE, 0); }
static int mm_kunmap(lua_State *L) { return submit_handles(L, WL_OP_KUNMAP, SCRIPT_R_NONE, 0); }
static int mm_kmap(lua_State *L) { return submit_handles(L, WL_OP_KMAP, SCRIPT_R_HANDLE, 0); }

/* The pattern seed of touch/kmap_atomic: opts.pattern, else 0. */
static uint32_t opt_pattern(lua_State *L)
{
    script_mm_opts_t o;
    script_mm_get_opts(L, 2, &o);
    return (uint32_t)o.pattern;
}

/* mm.touch(h or {h...} [, opts{cpu, pattern}]) -> bytes checked */
static int mm_touch(lua_State *L) { return submit_handles(L, WL_OP_TOUCH, SCRIPT_R_VALUE, opt_pattern(L)); }
/* mm.kmap_atomic(h or {h...} [, opts{cpu, pattern}]) -> address used, mismatches */
static int mm_kmap_atomic(lua_State *L)
{
    return submit_handles(L, WL_OP_KMAP_ATOMIC, SCRIPT_R_VALUE, opt_pattern(L));
}

/* mm.touch_loop's options. */
typedef struct touch_opts {
    int cpu;
    uint32_t stride, count, passes, seed;
    uint32_t flags;          /* WL_TOUCH_* */
    unsigned ev[2];          /* enum pmu_event */
} touch_opts;

/* The boolean options and their flags. */
static const struct { const char *key; uint32_t flag; } touch_flags[] = {
    { "write", WL_TOUCH_WRITE }, { "random", WL_TOUCH_RANDOM }, { "invlpg", WL_TOUCH_INVLPG_FIRST },
    { "cr3", WL_TOUCH_CR3_FIRST }, { "warm", WL_TOUCH_WARM },
};

/* events = {"a"[, "b"]} (value on top of the stack; the options at arg).
 * With one name the second event is "cycles". */
static void touch_events(lua_State *L, int arg, touch_opts *t)
{
    if (!lua_istable(L, -1))
        luaL_argerror(L, arg, "option events must be a table of one or two event names");
    lua_Integer n = luaL_len(L, -1);
    if (n < 1 || n > 2)
        luaL_argerror(L, arg, "option events must name one or two events");
    t->ev[1] = PMU_EV_CYCLES;
    for (lua_Integer i = 0; i < n; i++) {
        lua_geti(L, -1, i + 1);
        const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        int ev = emu_pmu_event_lookup(name);
        if (ev < 0)
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown event '%s' (cycles, insns, dtlb_miss, "
                                                  "walks, l1d_miss, l2_miss, ...: docs/validation.md)", name));
        t->ev[i] = (unsigned)ev;
        lua_pop(L, 1);
    }
}

/* One integer option (value on top of the stack); false if key is none. */
static bool touch_int(lua_State *L, int arg, const char *key, touch_opts *t)
{
    static const char *const keys[] = { "cpu", "stride", "count", "passes", "seed", NULL };
    emu_script *s = script_of(L);
    const lua_Integer lo[] = { 0, 1, 0, 1, 0 };
    const lua_Integer hi[] = { (lua_Integer)s->ncpus - 1, 0xffffffff, 0xffffffff, WL_TOUCH_MAX_PASSES, 255 };
    int k = 0;
    while (keys[k] && strcmp(keys[k], key))
        k++;
    if (!keys[k])
        return false;
    lua_Integer v = lua_tointeger(L, -1);
    if (!lua_isinteger(L, -1) || v < lo[k] || v > hi[k])
        luaL_argerror(L, arg, lua_pushfstring(L, "option %s must be an integer %I to %I", key, lo[k], hi[k]));
    uint32_t *field[] = { NULL, &t->stride, &t->count, &t->passes, &t->seed };
    if (k == 0)
        t->cpu = (int)v;
    else
        *field[k] = (uint32_t)v;
    return true;
}

/* One boolean option (value on top of the stack); false if key is none. */
static bool touch_flag(lua_State *L, int arg, const char *key, touch_opts *t)
{
    for (size_t i = 0; i < sizeof touch_flags / sizeof touch_flags[0]; i++) {
        if (strcmp(touch_flags[i].key, key))
            continue;
        if (!lua_isboolean(L, -1))
            luaL_argerror(L, arg, lua_pushfstring(L, "option %s must be a boolean", key));
        t->flags = lua_toboolean(L, -1) ? t->flags | touch_flags[i].flag : t->flags & ~touch_flags[i].flag;
        return true;
    }
    return false;
}

/* Reads mm.touch_loop's options table at arg (stride is required). */
static void touch_opts_read(lua_State *L, int arg, touch_opts *t)
{
    *t = (touch_opts){ .cpu = script_current_cpu(L), .passes = 1, .ev = { PMU_EV_CYCLES, PMU_EV_INSNS } };
    luaL_checktype(L, arg, LUA_TTABLE);
    for (lua_pushnil(L); lua_next(L, arg); lua_pop(L, 1)) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        if (!strcmp(key, "events"))
            touch_events(L, arg, t);
        else if (!touch_int(L, arg, key, t) && !touch_flag(L, arg, key, t))
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", key));
    }
    if (!t->stride)
        luaL_argerror(L, arg, "option stride is required");
}

/* mm.touch_loop(h, opts{stride, count, passes, write, random, seed, invlpg,
 * cr3, warm, events, cpu}) -> the advances of the two events */
static int mm_touch_loop(lua_State *L)
{
    touch_opts t;
    char what[112];
    uint32_t h = (uint32_t)script_check_range(L, 1, "handle", 1, 0xffffffff);
    touch_opts_read(L, 2, &t);
    emu_wl_req r = { .op = WL_OP_TOUCH_LOOP, .flags = WL_TOUCH_EVENTS(t.ev[0], t.ev[1]),
                     .arg = { h, t.stride, t.count, t.passes | t.flags | WL_TOUCH_SEED(t.seed) } };
    script_mm_opts_t o = { .cpu = t.cpu, .node = -1 };
    snprintf(what, sizeof what, "touch_loop(0x%08x, {stride=%u, events={\"%s\", \"%s\"}})", (unsigned)h,
             (unsigned)t.stride, emu_pmu_event_name(t.ev[0]), emu_pmu_event_name(t.ev[1]));
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_VALUE, what);
}

/* mm.vmap({page handles, at most 12} [, opts{cpu}]) -> handle, address */
static int mm_vmap(lua_State *L)
{
    script_mm_opts_t o;
    luaL_checktype(L, 1, LUA_TTABLE);
    script_mm_get_opts(L, 2, &o);
    luaL_argcheck(L, !o.count, 2, "vmap takes no count");
    size_t n = read_handles(L, 1, NULL);
    luaL_argcheck(L, n >= 1 && n <= WL_LIST_MAX, 1, "1 to 12 page handles");
    emu_wl_req r = { .op = WL_OP_VMAP, .arg = { (uint32_t)n }, .nlist = (unsigned)n };
    read_handles(L, 1, r.list);
    char what[112];
    snprintf(what, sizeof what, "vmap(%u pages)", (unsigned)n);
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_HANDLE, what);
}

/* Pair operations: OP(a0, repeat [, gfp] [, opts{cpu, count}]) -> pairs
 * done, 0.  has_gfp: the operation takes a gfp argument. */
static int pair_op(lua_State *L, uint32_t op, const char *a0_name, bool has_gfp)
{
    char gfp_text[80] = "", what[112];
    script_mm_opts_t o;
    uint32_t a0 = (uint32_t)script_check_range(L, 1, a0_name, 0, 0xffffffff);
    uint32_t repeat = (uint32_t)script_check_range(L, 2, "repeat", 1, PAIR_REPEAT_MAX);
    uint32_t gfp = has_gfp ? script_mm_gfp(L, 3, gfp_text, sizeof gfp_text) : 0;
    script_mm_get_opts(L, has_gfp ? 4 : 3, &o);
    snprintf(what, sizeof what, "%s(%u, %u%s%s)", emu_wl_op_name(op), (unsigned)a0,
             (unsigned)repeat, has_gfp ? ", " : "", gfp_text);
    emu_wl_req r = { .op = op, .repeat = repeat, .arg = { a0, gfp } };
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_VALUE, what);
}

static int mm_alloc_free_pages(lua_State *L) { return pair_op(L, WL_OP_ALLOC_FREE_PAGES, "order", true); }
static int mm_kmalloc_kfree(lua_State *L) { return pair_op(L, WL_OP_KMALLOC_KFREE, "size", true); }
static int mm_vmalloc_vfree(lua_State *L) { return pair_op(L, WL_OP_VMALLOC_VFREE, "size", false); }

/* An operation without handle: OP([opts{cpu, count}]) with a0 -> result, result2. */
static int plain_op(lua_State *L, int opts_arg, uint32_t op, uint32_t a0, uint32_t a1, const char *what)
{
    script_mm_opts_t o;
    script_mm_get_opts(L, opts_arg, &o);
    emu_wl_req r = { .op = op, .arg = { a0, a1 } };
    return script_mm_submit_copies(L, &o, &r, SCRIPT_R_VALUE, what);
}

/* mm.drain_pcp([opts]) -> pages freed; mm.check([opts]) -> violations;
 * mm.nop([opts]); mm.nr_free([opts]) -> free pages of all zones */
static int mm_drain_pcp(lua_State *L) { return plain_op(L, 1, WL_OP_DRAIN_PCP, 0, 0, "drain_pcp()"); }
static int mm_check(lua_State *L) { return plain_op(L, 1, WL_OP_CHECK, 0, 0, "check()"); }
static int mm_nop(lua_State *L) { return plain_op(L, 1, WL_OP_NOP, 0, 0, "nop()"); }
static int mm_nr_free(lua_State *L)
{
    return plain_op(L, 1, WL_OP_INFO, WL_INFO_NR_FREE, 0, "nr_free()");
}

/* mm.cpu_node(cpu) -> the node of that CPU (asked on that CPU) */
static int mm_cpu_node(lua_State *L)
{
    emu_script *s = script_of(L);
    lua_Integer cpu = script_check_range(L, 1, "cpu", 0, s->ncpus - 1);
    lua_settop(L, 1);
    lua_newtable(L);
    lua_pushinteger(L, cpu);
    lua_setfield(L, 2, "cpu");
    return plain_op(L, 2, WL_OP_INFO, WL_INFO_CPU_NODE, 0, "cpu_node()");
}

/* mm.handle_info(h [, opts{cpu}]) -> type (1 pages, 2 kmalloc, 3 cache,
 * 4 object, 5 vmalloc, 6 vmap, 7 kmap), pfn or address */
static int mm_handle_info(lua_State *L)
{
    uint32_t h = (uint32_t)script_check_range(L, 1, "handle", 1, 0xffffffff);
    char what[64];
    snprintf(what, sizeof what, "handle_info(0x%08x)", (unsigned)h);
    return plain_op(L, 2, WL_OP_INFO, WL_INFO_HANDLE_OF, h, what);
}

/* mm.report(name [, opts{cpu}]): the guest prints report `name` on its console. */
static int mm_report(lua_State *L)
{
    static const char *const names[] = { "buddyinfo", "pagetypeinfo", "zoneinfo",
                                         "vmallocinfo", "slabinfo", NULL };
    int which = luaL_checkoption(L, 1, NULL, names);
    char what[64];
    snprintf(what, sizeof what, "report(\"%s\")", names[which]);
    return plain_op(L, 2, WL_OP_REPORT, (uint32_t)which, 0, what);
}

/* mm.last([cpu]) -> {requests, failed, insns, cycles} of that CPU's last
 * operation call (default: the current CPU): guest instructions and
 * simulated cycles, the executor's overhead removed. */
static int mm_last(lua_State *L)
{
    emu_script *s = script_of(L);
    int cpu = lua_isnoneornil(L, 1) ? script_current_cpu(L)
                                     : (int)script_check_range(L, 1, "cpu", 0, s->ncpus - 1);
    const script_cost *c = &s->last[cpu];
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)c->requests);
    lua_setfield(L, -2, "requests");
    lua_pushinteger(L, (lua_Integer)c->failed);
    lua_setfield(L, -2, "failed");
    lua_pushinteger(L, (lua_Integer)c->insns);
    lua_setfield(L, -2, "insns");
    lua_pushinteger(L, (lua_Integer)c->cycles);
    lua_setfield(L, -2, "cycles");
    return 1;
}

/* mm.gfp(text) -> the mask as a number */
static int mm_gfp(lua_State *L)
{
    char text[80];
    luaL_checkstring(L, 1);
    lua_pushinteger(L, script_mm_gfp(L, 1, text, sizeof text));
    return 1;
}

const luaL_Reg script_mm_ops[] = {
    { "free_pages", mm_free_pages }, { "kfree", mm_kfree },
    { "kmem_cache_free", mm_cache_free }, { "kmem_cache_destroy", mm_cache_destroy },
    { "vfree", mm_vfree }, { "vunmap", mm_vunmap }, { "kmap", mm_kmap }, { "kunmap", mm_kunmap },
    { "touch", mm_touch }, { "touch_loop", mm_touch_loop }, { "kmap_atomic", mm_kmap_atomic },
    { "vmap", mm_vmap },
    { "alloc_free_pages", mm_alloc_free_pages }, { "kmalloc_kfree", mm_kmalloc_kfree },
    { "vmalloc_vfree", mm_vmalloc_vfree }, { "drain_pcp", mm_drain_pcp }, { "check", mm_check },
    { "nop", mm_nop }, { "nr_free", mm_nr_free }, { "cpu_node", mm_cpu_node },
    { "report", mm_report }, { "handle_info", mm_handle_info },
    { NULL, NULL } };

/* Functions that take no try flag and do not talk to the guest. */
const luaL_Reg script_mm_plain[] = {
    { "last", mm_last }, { "gfp", mm_gfp }, { "parallel", script_mm_parallel }, { NULL, NULL } };
