/* emu/script_mm_run.c - running mm operation calls: one call now, or, in
 * mm.parallel, every CPU's next call at once (one emu_wl_run with a batch
 * per CPU); turning results into Lua values or errors. */
#include <stdio.h>
#include <string.h>

#include "script_priv.h"

#define PENDING_MT "pagelab.pending"

script_pending *script_pending_new(lua_State *L, size_t n)
{
    size_t size = sizeof(script_pending) + n * (sizeof(emu_wl_req) + sizeof(emu_wl_result));
    script_pending *p = lua_newuserdatauv(L, size, 0);
    memset(p, 0, size);
    p->n = n;
    p->req = (emu_wl_req *)(p + 1);
    p->res = (emu_wl_result *)(p->req + n);
    luaL_setmetatable(L, PENDING_MT);
    return p;
}

int script_current_cpu(lua_State *L)
{
    emu_script *s = script_of(L);
    for (unsigned i = 0; s->in_parallel && i < s->ncpus; i++)
        if (s->par_thread[i] == L)
            return (int)i;
    return 0;
}

/* Runs the calls p[0..np) concurrently (distinct CPUs) and records each
 * CPU's cost.  0, or -1 with a message in msg (a machine stop marks the
 * engine: see script_machine_stopped); never raises. */
static int run_pendings(lua_State *L, script_pending **p, unsigned np, char *msg, size_t len)
{
    emu_script *s = script_of(L);
    emu_wl_batch b[EMU_MAX_CPUS];
    char err[200];
    for (unsigned i = 0; i < np; i++)
        b[i] = (emu_wl_batch){ .cpu = p[i]->cpu, .req = p[i]->req, .res = p[i]->res, .n = p[i]->n };
    if (emu_wl_run(s->m, b, np, 0, err, sizeof err) != 0) {
        emu_stop why = emu_machine_stop_reason(s->m);
        if (why == EMU_STOP_EXIT || why == EMU_STOP_CRASH || why == EMU_STOP_DEADLOCK) {
            s->machine_stopped = true;
            snprintf(s->stop_msg, sizeof s->stop_msg, "%s", err);
            snprintf(msg, len, "%s", s->stop_msg);
        } else {
            snprintf(msg, len, "workload requests did not complete: %s", err);
        }
        return -1;
    }
    for (unsigned i = 0; i < np; i++) {
        script_cost *c = &s->last[p[i]->cpu];
        *c = (script_cost){ .requests = p[i]->n };
        for (size_t k = 0; k < p[i]->n; k++) {
            c->failed += p[i]->res[k].status != WL_OK;
            c->insns += p[i]->res[k].insns;
            c->cycles += p[i]->res[k].cycles;
        }
    }
    return 0;
}

/* Raises the error of p's request k: "WHAT on cpu N[, request K of M]: STATUS". */
static int raise_failure(lua_State *L, const script_pending *p, size_t k)
{
    const char *st = emu_wl_status_name(p->res[k].status);
    char what[160];
    if (p->handle_arg)
        snprintf(what, sizeof what, "%s(0x%08x)", p->what, (unsigned)p->req[k].arg[0]);
    else
        snprintf(what, sizeof what, "%s", p->what);
    if (p->many)
        return luaL_error(L, "%s on cpu %d, request %d of %d: %s", what, (int)p->cpu,
                          (int)k + 1, (int)p->n, st);
    return luaL_error(L, "%s on cpu %d: %s", what, (int)p->cpu, st);
}

/* Pushes request k's value: a handle or result; true for kind NONE. */
static void push_value(lua_State *L, const script_pending *p, size_t k)
{
    if (p->kind == SCRIPT_R_NONE)
        lua_pushboolean(L, 1);
    else
        lua_pushinteger(L, (lua_Integer)p->res[k].result);
}

/* Results of a call made with count= or a list: an array of values and
 * an array of result2 (pfns, addresses, ...); in try mode a failure is
 * false in the first and its status name in the second (mm.last().failed
 * counts them). */
static int finish_many(lua_State *L, const script_pending *p)
{
    lua_createtable(L, (int)p->n, 0);
    lua_createtable(L, (int)p->n, 0);
    for (size_t k = 0; k < p->n; k++) {
        if (p->res[k].status != WL_OK) {
            if (!p->try_mode)
                return raise_failure(L, p, k);
            lua_pushboolean(L, 0);
            lua_pushstring(L, emu_wl_status_name(p->res[k].status));
        } else {
            push_value(L, p, k);
            lua_pushinteger(L, (lua_Integer)p->res[k].result2);
        }
        lua_rawseti(L, -3, (lua_Integer)k + 1);
        lua_rawseti(L, -3, (lua_Integer)k + 1);
    }
    return 2;
}

/* Results of a single call: value and result2 (nothing for kind NONE,
 * true in try mode), or in try mode nil and the status name. */
static int finish(lua_State *L, const script_pending *p)
{
    if (p->many)
        return finish_many(L, p);
    if (p->res[0].status != WL_OK) {
        if (!p->try_mode)
            return raise_failure(L, p, 0);
        lua_pushnil(L);
        lua_pushstring(L, emu_wl_status_name(p->res[0].status));
        return 2;
    }
    if (p->kind == SCRIPT_R_NONE) {
        lua_pushboolean(L, 1);
        return p->try_mode ? 1 : 0;
    }
    push_value(L, p, 0);
    lua_pushinteger(L, (lua_Integer)p->res[0].result2);
    return 2;
}

/* After mm.parallel resumed us: the pending call is on top of the stack. */
static int resume_finish(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    return finish(L, luaL_checkudata(L, -1, PENDING_MT));
}

int script_pending_submit(lua_State *L, script_pending *p)
{
    emu_script *s = script_of(L);
    if (s->in_parallel && s->par_thread[p->cpu] == L) {
        lua_pushvalue(L, -1);   /* p stays on our stack; a copy goes to mm.parallel */
        return lua_yieldk(L, 1, 0, resume_finish);
    }
    if (s->in_parallel)
        return luaL_error(L, "%s: cpu %d is not this mm.parallel function's CPU", p->what, (int)p->cpu);
    char msg[320];
    if (run_pendings(L, &p, 1, msg, sizeof msg))
        return luaL_error(L, "%s", msg);
    return finish(L, p);
}

/* ---- mm.parallel ----------------------------------------------------------- */

typedef struct par_state {
    unsigned n;
    unsigned cpu[EMU_MAX_CPUS];
    lua_State *co[EMU_MAX_CPUS];
    bool done[EMU_MAX_CPUS];
    int results;                 /* stack index of the results table */
} par_state;

/* Arguments: f (on every CPU) or {[cpu] = f, ...}.
 * Creates one coroutine per CPU, anchored on L's stack. */
static void par_setup(lua_State *L, par_state *ps)
{
    emu_script *s = script_of(L);
    bool all = lua_isfunction(L, 1);
    luaL_argexpected(L, all || lua_istable(L, 1), 1, "function or table of functions by CPU");
    for (unsigned cpu = 0; cpu < s->ncpus; cpu++) {
        if (all) {
            lua_pushvalue(L, 1);
        } else {
            lua_geti(L, 1, cpu);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                continue;
            }
            luaL_argexpected(L, lua_isfunction(L, -1), 1, "function or table of functions by CPU");
        }
        lua_State *co = lua_newthread(L);
        lua_rotate(L, -2, 1);      /* thread below the function */
        lua_xmove(L, co, 1);
        lua_pushinteger(co, cpu);
        ps->cpu[ps->n] = cpu;
        ps->co[ps->n++] = co;
    }
}

/* Resumes coroutine i; adds its yielded call to pend, or stores its first
 * return value when it has finished.  Errors propagate (after the caller
 * has left parallel mode: see script_mm_parallel). */
static bool par_resume(lua_State *L, par_state *ps, unsigned i, int nargs,
                       script_pending **pend, unsigned *np)
{
    lua_State *co = ps->co[i];
    int nres;
    int rc = lua_resume(co, L, nargs, &nres);
    if (rc == LUA_YIELD) {
        script_pending *p = luaL_testudata(co, -1, PENDING_MT);
        lua_pop(co, nres);
        if (!p || nres != 1) {
            lua_pushfstring(L, "mm.parallel: the function for cpu %d yielded (only mm operations may)",
                            (int)ps->cpu[i]);
            return false;
        }
        pend[(*np)++] = p;
        return true;
    }
    if (rc != LUA_OK) {
        lua_xmove(co, L, 1);
        return false;
    }
    lua_settop(co, nres ? 1 : 0);
    lua_xmove(co, L, nres ? 1 : 0);
    if (!nres)
        lua_pushnil(L);
    lua_seti(L, ps->results, ps->cpu[i]);
    ps->done[i] = true;
    return true;
}

/* Steps every unfinished coroutine until all are done; false with the
 * error message on L's top on failure. */
static bool par_loop(lua_State *L, par_state *ps)
{
    for (bool first = true;; first = false) {
        script_pending *pend[EMU_MAX_CPUS];
        unsigned np = 0;
        for (unsigned i = 0; i < ps->n; i++)
            if (!ps->done[i] && !par_resume(L, ps, i, first ? 1 : 0, pend, &np))
                return false;
        if (!np)
            return true;
        char msg[320];
        if (run_pendings(L, pend, np, msg, sizeof msg)) {
            luaL_where(L, 1);
            lua_pushstring(L, msg);
            lua_concat(L, 2);
            return false;
        }
    }
}

/* mm.parallel(f) (f(cpu) on every CPU) or mm.parallel{[cpu] = f, ...}: runs
 * the functions as coroutines, one per CPU; each mm operation they call
 * waits for the others' so that every step runs all CPUs' calls at once.
 * Returns a table of each function's first result, by CPU. */
int script_mm_parallel(lua_State *L)
{
    emu_script *s = script_of(L);
    par_state ps = { 0 };
    if (s->in_parallel)
        return luaL_error(L, "mm.parallel cannot be nested");
    if (!emu_wl_ready(s->m))
        return luaL_error(L, "mm: the kernel does not serve workload requests (boot option `workload`)");
    lua_settop(L, 1);
    par_setup(L, &ps);
    lua_newtable(L);
    ps.results = lua_gettop(L);
    for (unsigned i = 0; i < ps.n; i++)
        s->par_thread[ps.cpu[i]] = ps.co[i];
    s->in_parallel = true;
    bool ok = par_loop(L, &ps);
    s->in_parallel = false;
    memset(s->par_thread, 0, sizeof s->par_thread);
    if (!ok)
        return lua_error(L);
    lua_pushvalue(L, ps.results);
    return 1;
}

/* The metatable marking pending calls (so a yield of anything else is
 * recognised). */
void script_open_pending(lua_State *L)
{
    luaL_newmetatable(L, PENDING_MT);
    lua_pop(L, 1);
}
