/* emu/script.c - the script engine: a sandboxed Lua 5.4 state per machine,
 * running files and strings, errors as "FILE:LINE: message". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "script_priv.h"

emu_script *script_of(lua_State *L)
{
    return *(emu_script **)lua_getextraspace(L);
}

lua_Integer script_check_range(lua_State *L, int arg, const char *what,
                               lua_Integer lo, lua_Integer hi)
{
    lua_Integer v = luaL_checkinteger(L, arg);
    if (v < lo || v > hi) {
        const char *msg = lua_pushfstring(L, "%s must be %I to %I, got %I", what, lo, hi, v);
        luaL_argerror(L, arg, msg);
    }
    return v;
}

int script_machine_stopped(lua_State *L, const char *what)
{
    emu_script *s = script_of(L);
    emu_stop why = emu_machine_stop_reason(s->m);
    s->machine_stopped = true;
    snprintf(s->stop_msg, sizeof s->stop_msg, "the machine stopped (%s) %s", emu_stop_name(why), what);
    return luaL_error(L, "%s", s->stop_msg);
}

/* print(...): tostring of each argument, tab-separated, one line, to the
 * host's print callback. */
static int script_print(lua_State *L)
{
    emu_script *s = script_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    if (s->host.print)
        s->host.print(s->host.ctx, text, len);
    return 0;
}

/* The libraries a script may use: base (without file loading), coroutine,
 * table, string, math (random replaced by the machine's PRNG), utf8.  No
 * io, os, package or debug. */
static void open_sandbox(lua_State *L)
{
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base }, { LUA_COLIBNAME, luaopen_coroutine },
        { LUA_TABLIBNAME, luaopen_table }, { LUA_STRLIBNAME, luaopen_string },
        { LUA_MATHLIBNAME, luaopen_math }, { LUA_UTF8LIBNAME, luaopen_utf8 },
        { NULL, NULL } };
    static const char *const removed[] = { "dofile", "loadfile", "load", NULL };

    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    for (const char *const *r = removed; *r; r++) {
        lua_pushnil(L);
        lua_setglobal(L, *r);
    }
    lua_pushcfunction(L, script_print);
    lua_setglobal(L, "print");
}

/* Opens everything, then points math.random/randomseed at machine's. */
static int open_all(lua_State *L)
{
    open_sandbox(L);
    script_open_machine(L);
    script_open_mm(L);
    script_open_report(L);
    lua_getglobal(L, "math");
    lua_getglobal(L, "machine");
    lua_getfield(L, -1, "random");
    lua_setfield(L, -3, "random");
    lua_getfield(L, -1, "seed");
    lua_setfield(L, -3, "randomseed");
    lua_pop(L, 2);
    return 0;
}

emu_script *emu_script_create(emu_machine *m, const emu_script_host *host,
                              char *err, size_t errlen)
{
    emu_script *s = calloc(1, sizeof *s);
    if (!s || !(s->L = luaL_newstate())) {
        snprintf(err, errlen, "script: out of memory");
        free(s);
        return NULL;
    }
    s->m = m;
    s->ncpus = emu_machine_ncpus(m);
    if (host)
        s->host = *host;
    emu_script_prng_seed(&s->rng, EMU_SCRIPT_DEFAULT_SEED);
    *(emu_script **)lua_getextraspace(s->L) = s;
    lua_pushcfunction(s->L, open_all);
    if (lua_pcall(s->L, 0, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "script: %s", lua_tostring(s->L, -1));
        emu_script_destroy(s);
        return NULL;
    }
    return s;
}

void emu_script_destroy(emu_script *s)
{
    if (!s)
        return;
    if (s->L)
        lua_close(s->L);
    free(s->report_buf);
    free(s);
}

void emu_script_seed(emu_script *s, uint64_t seed)
{
    emu_script_prng_seed(&s->rng, seed);
}
